/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_HISTORY_VIEW (lifeboat_history_view_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatHistoryView, lifeboat_history_view, LIFEBOAT, HISTORY_VIEW, AdwBin)

/* the project whose history is shown; NULL = all */
void         lifeboat_history_view_set_project (LifeboatHistoryView *self,
                                                const char          *project);
const char  *lifeboat_history_view_get_project (LifeboatHistoryView *self);
/* the engine (its /info ID) whose history is shown; NULL = every engine. Takes effect with
 * the next set_project() or reload() */
void         lifeboat_history_view_set_engine  (LifeboatHistoryView *self,
                                                const char          *engine_id);
/* re-reads the journal and rescans the locations, in a thread */
void         lifeboat_history_view_reload      (LifeboatHistoryView *self);
/* marks the row of entry @id (now, or when the rows are loaded) and brings it into view */
void         lifeboat_history_view_show_entry  (LifeboatHistoryView *self,
                                                const char          *id);
/* the entry whose row is marked, or NULL */
const char  *lifeboat_history_view_get_shown_id (LifeboatHistoryView *self);

/* one line per row: "KIND\tOUTCOME\tFOLDER\tVOLUMES\tTITLE\tSUBTITLE" (tests) */
char       **_lifeboat_history_view_dup_rows   (LifeboatHistoryView *self);
/* clicks the Verify button of the row of @folder; FALSE when there is none */
gboolean     _lifeboat_history_view_click_verify (LifeboatHistoryView *self,
                                                  const char          *folder);
/* clicks the Restore… button of the row of @folder; FALSE when there is none */
gboolean     _lifeboat_history_view_click_restore (LifeboatHistoryView *self,
                                                   const char          *folder);
/* clicks the Delete button of the row of @folder; returns the confirmation dialog */
AdwMessageDialog *_lifeboat_history_view_click_delete (LifeboatHistoryView *self,
                                                       const char          *folder);
/* counts finished loads (tests wait for it to change) */
guint        _lifeboat_history_view_get_loads  (LifeboatHistoryView *self);

G_END_DECLS
