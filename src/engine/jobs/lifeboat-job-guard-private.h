/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-job-lock-private.h"
#include "lifeboat-project.h"

G_BEGIN_DECLS

/*
 * Holding a project still while a job reads or writes its volumes, journaled so that any
 * Lifeboat can undo it (CONTRACTS.md §5):
 * - every container that mounts one of the job's volumes, in the project or not (compose
 *   one-off containers included), is stopped, and started again after;
 * - restart policies are switched off for the job (an engine restart would otherwise start
 *   containers on volumes being written) and put back after it.
 */

typedef struct
{
  GPtrArray  *stopped;       /* names of the project's containers the job stopped */
  GPtrArray  *outsiders;     /* ids of other containers it stopped */
  JsonArray  *policies;      /* [{id, name, policy}] switched off */
} LifeboatGuard;

void     _lifeboat_guard_clear  (LifeboatGuard        *guard);

/*
 * Journals ("policies", then "stopping") and then: switches off the restart policies of every
 * container of @project and of every other container mounting one of @volume_names, stops the
 * running ones (the project's in compose order, appended to guard->stopped as they are
 * stopped). With @stop FALSE only the policies are switched off.
 */
gboolean _lifeboat_guard_hold   (LifeboatGuard        *guard,
                                 LifeboatJobLock      *lock,
                                 LifeboatProject      *project,
                                 GPtrArray            *volume_names,
                                 gboolean              stop,
                                 GCancellable         *cancellable,
                                 GError              **error);

/* Starts the other containers the job stopped (not the project's: the job starts those). */
gboolean _lifeboat_guard_start_outsiders (LifeboatGuard        *guard,
                                          LifeboatDockerClient *client,
                                          GError              **error);

/* Puts the restart policies back (journaled "policies-restored"). */
gboolean _lifeboat_guard_restore_policies (LifeboatDockerClient *client,
                                           JsonArray            *policies,
                                           GError              **error);

/* Starts those of @names (containers of @project_name) that do not run now, in the project's
 * order; never cancelled. */
gboolean _lifeboat_guard_start_project (LifeboatDockerClient *client,
                                        const char           *project_name,
                                        GPtrArray            *names,
                                        GError              **error);

/* The same after an engine restart, which may stop a container again just after it started
 * (the restarted engine still tidying up after the old one's containers): looked at again
 * after LIFEBOAT_SETTLE_SECONDS and started again, up to three times. */
gboolean _lifeboat_guard_start_project_settled (LifeboatDockerClient *client,
                                                const char           *project_name,
                                                GPtrArray            *names,
                                                GError              **error);

/* Starts @ids (names or ids) that are not running; never cancelled. */
gboolean _lifeboat_guard_start_ids (LifeboatDockerClient *client,
                                    JsonArray            *ids,
                                    GError              **error);

/* After a restore started them: @names must stay running for LIFEBOAT_SETTLE_SECONDS (default
 * 3) and be healthy where their image has a healthcheck (within LIFEBOAT_HEALTH_SECONDS,
 * default 120). FALSE with a sentence naming the first that did not. */
gboolean _lifeboat_guard_wait_running (LifeboatDockerClient *client,
                                       GPtrArray            *names,
                                       GCancellable         *cancellable,
                                       GError              **error);
/* Stops @names (last first), never cancelled; failures are only logged. */
void     _lifeboat_guard_stop_names   (LifeboatDockerClient *client,
                                       GPtrArray            *names);

G_END_DECLS
