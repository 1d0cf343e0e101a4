/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_PROGRESS_BAR (lifeboat_progress_bar_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatProgressBar, lifeboat_progress_bar, LIFEBOAT, PROGRESS_BAR, GtkWidget)

/* A horizontal progress bar styled as GtkProgressBar ("progressbar > trough > progress") that
 * shows a new fraction by drawing again, without laying anything out. */
GtkWidget *lifeboat_progress_bar_new          (void);
double     lifeboat_progress_bar_get_fraction (LifeboatProgressBar *self);
void       lifeboat_progress_bar_set_fraction (LifeboatProgressBar *self,
                                               double               fraction);

G_END_DECLS
