/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-history.h"
#include "lifeboat-restic-repository.h"

G_BEGIN_DECLS

/*
 * Retention: which backup folders of a project to keep, as `restic forget --keep-*` decides
 * it (grandfather-father-son over the backups' creation times from their manifests), and the
 * removal of the others. Safety copies of restores are never candidates: they expire by their
 * own rule (lifeboat-restore-job.c).
 */

typedef struct
{
  guint last;
  guint daily;
  guint weekly;
  guint monthly;
} LifeboatRetention;

typedef struct
{
  GFile      *folder;
  char       *path;         /* for display */
  GDateTime  *created;      /* from the manifest, local time */
  char       *project;
  guint64     bytes;
  gboolean    keep;
  char       *reason;       /* why it is kept: "last 1, daily 2", "newest", "in use"… */
  gboolean    protected;    /* kept whatever the policy says (newest, in use) */
  char       *backup_id;    /* a backup in a restic repository: its ID (folder is its GFile) */
} LifeboatRetentionItem;

void          lifeboat_retention_item_free   (LifeboatRetentionItem *item);
LifeboatRetentionItem *lifeboat_retention_item_new (GFile     *folder,
                                                    GDateTime *created);

gboolean      lifeboat_retention_is_empty    (const LifeboatRetention *policy);
/* "last 3, daily 7, weekly 4, monthly 6", or "keep all" */
char         *lifeboat_retention_to_string   (const LifeboatRetention *policy);

/*
 * The policy itself, pure: sorts @items (LifeboatRetentionItem*) newest first and sets their
 * keep and reason. An item already marked protected stays kept; the newest item is always
 * kept. An empty policy keeps everything.
 */
void          lifeboat_retention_decide      (const LifeboatRetention *policy,
                                              GPtrArray               *items);

/*
 * The backup folders of @project in @destinations (NULL: every folder the history knows
 * backups of the project in), safety copies left out, those in use marked protected.
 */
GPtrArray    *lifeboat_retention_scan        (LifeboatHistory         *history,
                                              const char              *project,
                                              const char * const      *destinations,
                                              GCancellable            *cancellable,
                                              GError                 **error);

/*
 * The complete backups of @project in the restic repository @repository (its password set),
 * added to @items: path "<location>#<ID>", those in use marked protected. Blocking (restic).
 */
gboolean      lifeboat_retention_scan_repository (LifeboatHistory          *history,
                                                  LifeboatResticRepository *repository,
                                                  const char               *project,
                                                  GPtrArray                *items,
                                                  GCancellable             *cancellable,
                                                  GError                  **error);

/*
 * The hook until the per-project lock on the engine: a job that reads a backup folder (a
 * drill; a restore can call it too) marks it in use with a file in the history's directory
 * naming its pid and boot id, and unmarks it when done. A folder is in use while a marker's
 * process lives.
 */
gboolean      lifeboat_retention_folder_in_use (LifeboatHistory       *history,
                                                GFile                 *folder);
/* returns the marker to pass to _unmark, or NULL (a warning) when it could not be written */
GFile        *lifeboat_retention_mark_in_use   (LifeboatHistory       *history,
                                                GFile                 *folder);
void          lifeboat_retention_unmark_in_use (GFile                 *marker);

/*
 * Removes a backup folder: renamed to NAME.pruned.partial first (so nothing half removed looks
 * like a backup), then deleted; records it in @history (when not NULL) as pruned.
 */
gboolean      lifeboat_retention_remove      (LifeboatHistory         *history,
                                              LifeboatRetentionItem   *item,
                                              GCancellable            *cancellable,
                                              GError                 **error);

/*
 * Removes the items of @items in @repository that are not kept, as whole backups: every
 * snapshot of each is forgotten (one `restic forget`), then `restic prune`; each is recorded in
 * @history (when not NULL) as pruned once its snapshots are gone. Nothing is forgotten when one
 * of them is in use.
 */
gboolean      lifeboat_retention_remove_from_repository (LifeboatHistory          *history,
                                                         LifeboatResticRepository *repository,
                                                         GPtrArray                *items,
                                                         GCancellable             *cancellable,
                                                         GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatRetentionItem, lifeboat_retention_item_free)

G_END_DECLS
