/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lifeboat-project.h"

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_PROJECT_VIEW (lifeboat_project_view_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatProjectView, lifeboat_project_view, LIFEBOAT, PROJECT_VIEW, AdwBin)

LifeboatProject *lifeboat_project_view_get_project           (LifeboatProjectView *self);
void             lifeboat_project_view_set_project           (LifeboatProjectView *self,
                                                              LifeboatProject     *project);
/* the volume keys checked for the backup, in the project's order */
char           **lifeboat_project_view_dup_selected_volumes  (LifeboatProjectView *self);
guint            lifeboat_project_view_get_n_selected        (LifeboatProjectView *self);
void             lifeboat_project_view_set_destination       (LifeboatProjectView *self,
                                                              GFile               *destination);
/* next to Destination: "needs about 1.2 GB, 40 GB free"; @enough FALSE shows it as an error */
void             lifeboat_project_view_set_space             (LifeboatProjectView *self,
                                                              const char          *text,
                                                              gboolean             enough);
/* tests: the space and total labels; checks or unchecks a volume as a click would */
const char      *_lifeboat_project_view_get_space            (LifeboatProjectView *self);
const char      *_lifeboat_project_view_get_total            (LifeboatProjectView *self);
void             _lifeboat_project_view_set_checked          (LifeboatProjectView *self,
                                                              const char          *key,
                                                              gboolean             checked);
/* one line per volume: "KEY\tSIZE-LABEL\tLEVEL\tSELECTED" (tests) */
char           **_lifeboat_project_view_dup_volume_rows      (LifeboatProjectView *self);
/* one line per container: "NAME\tIMAGE\tSTATE" (tests) */
char           **_lifeboat_project_view_dup_container_rows   (LifeboatProjectView *self);

/* tests: the row of a container (by name) or a volume (by key); the page's scrolled window */
GtkWidget       *_lifeboat_project_view_get_row              (LifeboatProjectView *self,
                                                              const char          *name);
GtkScrolledWindow *_lifeboat_project_view_get_scrolled       (LifeboatProjectView *self);

G_END_DECLS
