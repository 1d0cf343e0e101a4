/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-docker-client.h"
#include "lifeboat-project.h"

G_BEGIN_DECLS

/*
 * Reads the compose projects of an engine from container and volume labels
 * (com.docker.compose.project, .service, .project.working_dir, .project.config_files,
 * .volume, .depends_on), the mounts from GET /containers/{id}/json and sizes from
 * /system/df (unknown after @df_timeout_seconds). Volumes that no container mounts are listed
 * too: under their compose project when labelled, else under the pseudo-project "" is not
 * made; they can be named with --volumes.
 * Returns a GListStore of LifeboatProject sorted by name.
 */
GListModel *lifeboat_discover_projects_sync   (LifeboatDockerClient *client,
                                               gboolean              with_sizes,
                                               GCancellable         *cancellable,
                                               GError              **error);
void        lifeboat_discover_projects_async  (LifeboatDockerClient *client,
                                               gboolean              with_sizes,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GListModel *lifeboat_discover_projects_finish (LifeboatDockerClient *client,
                                               GAsyncResult         *result,
                                               GError              **error);
/* one project by name, LIFEBOAT_ERROR_NOT_FOUND if there is none */
LifeboatProject *lifeboat_discover_project_sync (LifeboatDockerClient *client,
                                                 const char           *name,
                                                 gboolean              with_sizes,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

G_END_DECLS
