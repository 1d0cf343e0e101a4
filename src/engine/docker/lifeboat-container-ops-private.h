/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-docker-client.h"
#include "lifeboat-project.h"

G_BEGIN_DECLS

/* Shared by backup and restore: stopping and starting a project, helper containers. */

/* Seconds a container has to stop before the engine kills it, when its own StopTimeout does not
 * say (the engine's and compose's default) */
#define LIFEBOAT_DEFAULT_STOP_TIMEOUT 10

/* Stops the running containers of @project, dependents first (as `docker compose stop`).
 * Appends the names of the containers it stopped to @stopped, so that a failure halfway
 * still lets the caller start exactly those again. */
gboolean _lifeboat_stop_project      (LifeboatDockerClient *client,
                                      LifeboatProject      *project,
                                      GPtrArray            *stopped,
                                      GCancellable         *cancellable,
                                      GError              **error);
/* Of @waiting (names of containers of @project the caller stopped and has not started again),
 * those that may start now: none of the volumes they mount is in @busy_volumes (volume names),
 * and nothing they depend on is still waiting. A new array of names. */
GPtrArray *_lifeboat_startable_containers (LifeboatProject *project,
                                           GPtrArray       *waiting,
                                           GHashTable      *busy_volumes);
/* Starts @names (in the project's dependency order). Tries all, reports the first failure. */
gboolean _lifeboat_start_containers  (LifeboatDockerClient *client,
                                      LifeboatProject      *project,
                                      GPtrArray            *names,
                                      GError              **error);
/* An image to run short helper containers from: one of the project's own, else any on the
 * engine. */
char    *_lifeboat_pick_helper_image (LifeboatDockerClient *client,
                                      LifeboatProject      *project,
                                      GCancellable         *cancellable,
                                      GError              **error);
/* Creates (does not start) a container from @image that mounts @volume_name at @mount_path,
 * no network, labelled as Lifeboat's. @argv NULL = never meant to run. */
char    *_lifeboat_create_helper     (LifeboatDockerClient *client,
                                      const char           *image,
                                      const char           *volume_name,
                                      const char           *mount_path,
                                      const char * const   *argv,
                                      GCancellable         *cancellable,
                                      GError              **error);
/* The same with any number of "volume:/path" @binds, NULL-terminated. */
char    *_lifeboat_create_helper_binds (LifeboatDockerClient *client,
                                        const char           *image,
                                        const char * const   *binds,
                                        const char * const   *argv,
                                        GCancellable         *cancellable,
                                        GError              **error);
/* Creates a helper with @binds running @argv, starts it and waits for it to exit; returns its
 * id (the caller removes it; it can still serve the archive API) and its exit @status. On
 * failure @status says how far it got: -1, it never started (nothing ran); -2, it started
 * and its end could not be awaited. */
char    *_lifeboat_run_helper        (LifeboatDockerClient *client,
                                      const char           *image,
                                      const char * const   *binds,
                                      const char * const   *argv,
                                      int                  *status,
                                      GCancellable         *cancellable,
                                      GError              **error);
/* Removes a helper container, ignoring "already gone"; never cancelled. */
void     _lifeboat_remove_helper     (LifeboatDockerClient *client,
                                      const char           *id);
/* Helpers created through @client from now on carry the label io.github.lifeboat.job=@job_id
 * (NULL: none), so that the recovery of an interrupted job removes the ones it left. */
void     _lifeboat_helpers_set_job   (LifeboatDockerClient *client,
                                      const char           *job_id);
/* Adds to the container config @b builds "NetworkDisabled", and a "HostConfig" with @binds
 * ("volume:/path", NULL-terminated) and no network: every container Lifeboat creates (helpers,
 * the lock, the drill's) is offline and mounts only what it names. */
void     _lifeboat_json_add_offline_binds (JsonBuilder        *b,
                                           const char * const *binds);
/* "a, b and c" for messages */
char    *_lifeboat_join_names        (GPtrArray            *names);

G_END_DECLS
