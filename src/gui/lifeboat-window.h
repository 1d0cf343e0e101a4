/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lifeboat-application.h"

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_WINDOW (lifeboat_window_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatWindow, lifeboat_window, LIFEBOAT, WINDOW, AdwApplicationWindow)

LifeboatWindow *lifeboat_window_new        (LifeboatApplication *application);
/* an AdwToast in plain words */
void            lifeboat_window_show_toast (LifeboatWindow      *self,
                                            const char          *message);
/* a backup folder or archives to restore (command line, drag and drop); waits for an engine */
void            lifeboat_window_open_files (LifeboatWindow      *self,
                                            GFile              **files,
                                            int                  n_files);
/* the job @id of the history: its project's History page, its row selected */
void            lifeboat_window_show_job   (LifeboatWindow      *self,
                                            const char          *id);

G_END_DECLS
