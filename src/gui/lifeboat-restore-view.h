/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lifeboat-restore-job.h"

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_RESTORE_VIEW (lifeboat_restore_view_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatRestoreView, lifeboat_restore_view, LIFEBOAT, RESTORE_VIEW, AdwBin)

/*
 * The summary shown before a restore changes anything: archive -> volume mapping with
 * sizes, the CVAT version check (with an explicit override), the containers that will be
 * stopped and the safety backup. @job must be planned. Emits "confirmed" or "cancelled".
 */
void                lifeboat_restore_view_set_job          (LifeboatRestoreView *self,
                                                            LifeboatRestoreJob  *job,
                                                            GFile               *source,
                                                            int                  keep_safety_days);
LifeboatRestoreJob *lifeboat_restore_view_get_job          (LifeboatRestoreView *self);
/* TRUE when the user chose to restore despite a CVAT version mismatch */
gboolean            lifeboat_restore_view_get_ignore_version (LifeboatRestoreView *self);

/* one line per archive: "ARCHIVE-BASENAME\tVOLUME\tSIZE\tDETAILS" (tests) */
char              **_lifeboat_restore_view_dup_rows        (LifeboatRestoreView *self);
gboolean            _lifeboat_restore_view_can_restore     (LifeboatRestoreView *self);
/* the sentence that the backup was taken on another engine, else NULL */
const char         *_lifeboat_restore_view_get_engine_warning (LifeboatRestoreView *self);
/* the summary's scroll position; scrolls it to its end (tests) */
double              _lifeboat_restore_view_get_scroll      (LifeboatRestoreView *self);
void                _lifeboat_restore_view_scroll_to_end   (LifeboatRestoreView *self);
/* the guide's warning when the CVAT versions differ, else NULL */
const char         *_lifeboat_restore_view_get_version_warning (LifeboatRestoreView *self);
void                _lifeboat_restore_view_set_override    (LifeboatRestoreView *self,
                                                            gboolean             override);
/* activates the Restore button as a click would */
void                _lifeboat_restore_view_click_restore   (LifeboatRestoreView *self);

G_END_DECLS
