/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-history.h"
#include "lifeboat-history-view.h"

G_BEGIN_DECLS

/* What the History page's files share: the page (lifeboat-history-view.c: loading, the list,
 * the journal watch), its rows (lifeboat-history-row.c) and what a row's buttons do
 * (lifeboat-history-actions.c: open, restore, verify, delete) */

struct _LifeboatHistoryView
{
  AdwBin        parent_instance;

  char         *project;
  char         *engine_id;    /* NULL: every engine */
  GCancellable *cancellable;       /* verify, trash: until the view goes */
  GCancellable *load_cancellable;  /* the newest load only */
  GPtrArray    *entries;      /* LifeboatHistoryEntry */
  GListStore   *model;        /* the same, shown: the list's rows are bound to it */
  GHashTable   *existing;     /* folders that exist */
  GPtrArray    *row_texts;    /* char *, for tests */
  guint         loads;
  GtkWidget    *delete_dialog;  /* weak, for tests */
  char         *wanted_entry;   /* to mark once it is among the rows */
  char         *shown_entry;    /* marked (lifeboat_history_view_show_entry) */
  GFileMonitor *monitor;        /* history.jsonl: a job recorded by any Lifeboat */
  guint         monitor_source;

  GtkStack     *stack;
  GtkListBox   *list;
};

/* lifeboat-history-view.c */
void                  _lifeboat_history_view_emit_message     (LifeboatHistoryView *self,
                                                               const char          *message,
                                                               gboolean             busy);
void                  _lifeboat_history_view_emit_restore     (LifeboatHistoryView *self,
                                                               GFile               *backup);

/* lifeboat-history-row.c */
GtkWidget            *_lifeboat_history_row_new               (LifeboatHistoryView  *self,
                                                               LifeboatHistoryEntry *entry);
LifeboatHistoryEntry *_lifeboat_history_row_get_entry         (GtkWidget            *widget);

/* lifeboat-history-actions.c: a row's buttons */
void                  _lifeboat_history_view_open_clicked     (GtkButton           *button,
                                                               LifeboatHistoryView *self);
void                  _lifeboat_history_view_restore_clicked  (GtkButton           *button,
                                                               LifeboatHistoryView *self);
void                  _lifeboat_history_view_verify_clicked   (GtkButton           *button,
                                                               LifeboatHistoryView *self);
void                  _lifeboat_history_view_delete_clicked   (GtkButton           *button,
                                                               LifeboatHistoryView *self);

G_END_DECLS
