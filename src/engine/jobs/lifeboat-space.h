/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-history.h"
#include "lifeboat-project.h"
#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * Checks made before a job stops anything: is there room for what a backup will write, and
 * was a backup taken on the engine it is restored into.
 */

typedef struct
{
  guint64  needed;        /* bytes the backup will write, about */
  gboolean needed_known;  /* FALSE when a volume's size is not known */
  guint64  free;          /* free bytes at the destination (of its nearest existing folder) */
  gboolean free_known;
  guint    n_ratios;      /* volumes whose compression ratio came from the last backup */
} LifeboatSpaceEstimate;

/*
 * Estimates what backing up @volumes (LifeboatVolume, sizes as discovered) of @project_name
 * with @compression writes into @destination, from the volumes' sizes, the compression, and
 * the ratio of archive to tar bytes of the project's last backup on @engine_id (from its
 * manifest, found through @history, NULL = none); and reads the destination's free space.
 * Blocking (file system): call it in a thread. Never fails: what is not known says so.
 */
void     lifeboat_space_estimate_backup (LifeboatHistory       *history,
                                         const char            *engine_id,
                                         const char            *project_name,
                                         GPtrArray             *volumes,
                                         LifeboatCompression    compression,
                                         GFile                 *destination,
                                         GCancellable          *cancellable,
                                         LifeboatSpaceEstimate *estimate);

/* "needs about 1.2 GB, 40 GB free" (translated); NULL when neither is known */
char    *lifeboat_space_estimate_describe (const LifeboatSpaceEstimate *estimate);

/*
 * The same estimate; fails with LIFEBOAT_ERROR_NO_SPACE and one sentence when the backup
 * would not fit. An estimate that cannot be made does not fail.
 */
gboolean lifeboat_space_check_backup    (LifeboatHistory       *history,
                                         const char            *engine_id,
                                         const char            *project_name,
                                         GPtrArray             *volumes,
                                         LifeboatCompression    compression,
                                         GFile                 *destination,
                                         GCancellable          *cancellable,
                                         GError               **error);

/*
 * Before a restore stops anything: room for its safety backup of @volume_bytes (what the
 * volumes hold now, -1 entries unknown are left out) in @safety_dir, and, where the engine's
 * volumes can be measured (lifeboat_space_check_restore()), for the @tar_bytes it writes.
 * Fails with LIFEBOAT_ERROR_NO_SPACE and one sentence.
 */
gboolean lifeboat_space_check_restore_job (LifeboatDockerClient *client,
                                           GFile                *safety_dir,
                                           guint64               volume_bytes,
                                           guint64               tar_bytes,
                                           GCancellable         *cancellable,
                                           GError              **error);

/*
 * A restore: whether the volumes' file system on the engine has room for @bytes (the tar
 * bytes to write). The Engine API reports no free space, so this is known only for an engine
 * on this machine whose data root (/info DockerRootDir) can be read; *@checked says whether
 * it was. Fails with LIFEBOAT_ERROR_NO_SPACE when the bytes would not fit.
 */
gboolean lifeboat_space_check_restore   (LifeboatDockerClient  *client,
                                         guint64                bytes,
                                         gboolean              *checked,
                                         GCancellable          *cancellable,
                                         GError               **error);

/*
 * When the backup in @folder was taken on another engine than @client's (by the /info ID its
 * manifest recorded), one translated sentence that says so; NULL otherwise, or when the
 * folder has no manifest.
 */
char    *lifeboat_restore_dup_other_engine_warning (GFile                *folder,
                                                    LifeboatDockerClient *client);

G_END_DECLS
