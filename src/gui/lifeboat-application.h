/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_APPLICATION (lifeboat_application_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatApplication, lifeboat_application, LIFEBOAT, APPLICATION, AdwApplication)

LifeboatApplication *lifeboat_application_new          (void);
/* NULL when the GSettings schema is not installed (then the defaults apply) */
GSettings           *lifeboat_application_get_settings (LifeboatApplication *self);
/* while a job runs the application holds itself, so that closing the window does not stop it */
void                 lifeboat_application_job_started  (LifeboatApplication *self);
void                 lifeboat_application_job_finished (LifeboatApplication *self);
guint                lifeboat_application_get_n_jobs  (LifeboatApplication *self);

/* settings with their defaults when there is no schema */
char                *lifeboat_settings_dup_string      (GSettings  *settings,
                                                        const char *key,
                                                        const char *fallback);
gboolean             lifeboat_settings_get_boolean     (GSettings  *settings,
                                                        const char *key,
                                                        gboolean    fallback);
int                  lifeboat_settings_get_int         (GSettings  *settings,
                                                        const char *key,
                                                        int         fallback);
/* "default-destination", or ~/Lifeboat backups when it is empty */
GFile               *lifeboat_settings_dup_destination (GSettings  *settings);

G_END_DECLS
