/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-history.h"

G_BEGIN_DECLS

/*
 * Recovery on contact (CONTRACTS.md §5): any Lifeboat that reaches an engine looks for the
 * locks and journals that interrupted jobs left there and puts everything right — a backup's
 * stopped containers start again and its unfinished folder goes; a restore that had not
 * written and checked every volume is rolled back (the previous contents back in place),
 * one that had is rolled forward (its safety copy finished, the hidden folders removed); the
 * restart policies come back; the history records the interrupted job and what was done.
 */

typedef enum
{
  LIFEBOAT_RECOVERY_RECOVERED,   /* an interrupted job was found and put right */
  LIFEBOAT_RECOVERY_BUSY,        /* a job that is still running holds the project */
  LIFEBOAT_RECOVERY_FAILED,      /* an interrupted job was found and could not be put right */
} LifeboatRecoveryState;

typedef struct
{
  char                  *project;
  LifeboatRecoveryState  state;
  char                  *message;   /* one or two sentences, translated */
} LifeboatRecoveryFinding;

void       lifeboat_recovery_finding_free (LifeboatRecoveryFinding *finding);

/*
 * Recovers every interrupted job on the engine (@project NULL) or of @project. Returns the
 * findings (LifeboatRecoveryFinding, possibly none); NULL with @error when the engine could not
 * be asked. @break_lock: also take over a lock whose owner looks alive (another machine whose
 * heartbeat is recent), as borg's break-lock — for when the admin knows it is gone.
 */
GPtrArray *lifeboat_recovery_run_sync   (LifeboatDockerClient  *client,
                                         const char            *project,
                                         LifeboatHistory       *history,
                                         gboolean               break_lock,
                                         GCancellable          *cancellable,
                                         GError               **error);
void       lifeboat_recovery_run_async  (LifeboatDockerClient  *client,
                                         const char            *project,
                                         LifeboatHistory       *history,
                                         GCancellable          *cancellable,
                                         GAsyncReadyCallback    callback,
                                         gpointer               user_data);
GPtrArray *lifeboat_recovery_run_finish (LifeboatDockerClient  *client,
                                         GAsyncResult          *result,
                                         GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatRecoveryFinding, lifeboat_recovery_finding_free)

G_END_DECLS
