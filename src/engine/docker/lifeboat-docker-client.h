/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The newest Docker Engine API version Lifeboat knows; the oldest it accepts. */
#define LIFEBOAT_DOCKER_API_MAX "1.43"
#define LIFEBOAT_DOCKER_API_MIN "1.41"

#define LIFEBOAT_TYPE_DOCKER_CLIENT (lifeboat_docker_client_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatDockerClient, lifeboat_docker_client, LIFEBOAT, DOCKER_CLIENT, GObject)

/*
 * One engine, one SoupSession. @uri is "unix:///path/docker.sock", "tcp://host:port" or
 * "http://host:port". (ssh:// endpoints are turned into a unix socket by LifeboatSshTunnel.)
 * All *_sync calls are safe to make from worker threads (libsoup >= 3.2); the async
 * wrappers run them in a thread.
 */
/* the socket path of "unix:///path/docker.sock" (percent-escapes decoded), or NULL with
 * LIFEBOAT_ERROR_INVALID_URI when it is not an absolute unix:// address */
char *lifeboat_unix_uri_dup_path (const char  *uri,
                                  GError     **error);

LifeboatDockerClient *lifeboat_docker_client_new            (const char            *uri,
                                                             GError               **error);
const char           *lifeboat_docker_client_get_uri        (LifeboatDockerClient  *self);
/* a name to show: the URI, or what the host was called (e.g. "ssh://cvat.example.org") */
const char           *lifeboat_docker_client_get_display_name (LifeboatDockerClient *self);
void                  lifeboat_docker_client_set_display_name (LifeboatDockerClient *self,
                                                               const char           *name);
/* keeps @object alive as long as the client (e.g. the SSH tunnel behind the socket) */
void                  lifeboat_docker_client_set_keepalive  (LifeboatDockerClient  *self,
                                                             GObject               *object);
/* what set_keepalive() gave (an SSH tunnel), or NULL */
GObject              *lifeboat_docker_client_get_keepalive  (LifeboatDockerClient  *self);

/* /_ping then /version; picks min(engine API, LIFEBOAT_DOCKER_API_MAX). */
gboolean              lifeboat_docker_client_connect_sync   (LifeboatDockerClient  *self,
                                                             GCancellable          *cancellable,
                                                             GError               **error);
void                  lifeboat_docker_client_connect_async  (LifeboatDockerClient  *self,
                                                             GCancellable          *cancellable,
                                                             GAsyncReadyCallback    callback,
                                                             gpointer               user_data);
gboolean              lifeboat_docker_client_connect_finish (LifeboatDockerClient  *self,
                                                             GAsyncResult          *result,
                                                             GError               **error);
gboolean              lifeboat_docker_client_is_connected   (LifeboatDockerClient  *self);
const char           *lifeboat_docker_client_get_api_version (LifeboatDockerClient *self);
/* the /version answer */
JsonObject           *lifeboat_docker_client_get_version    (LifeboatDockerClient  *self);
/* the /info answer's Name and ID, fetched by connect */
const char           *lifeboat_docker_client_get_engine_name (LifeboatDockerClient *self);
const char           *lifeboat_docker_client_get_engine_id  (LifeboatDockerClient  *self);
/* "Docker", or "Podman" when the engine says so */
const char           *lifeboat_docker_client_get_engine_kind (LifeboatDockerClient *self);

/*
 * Generic calls. @path is below the versioned prefix, e.g. "/containers/json?all=1".
 * An HTTP error becomes a LifeboatError with the engine's own "message"; 404 is
 * LIFEBOAT_ERROR_NOT_FOUND.
 */
JsonNode     *lifeboat_docker_client_request_json_sync (LifeboatDockerClient  *self,
                                                        const char            *method,
                                                        const char            *path,
                                                        JsonNode              *body,
                                                        guint                  timeout_seconds,
                                                        GCancellable          *cancellable,
                                                        GError               **error);
GInputStream *lifeboat_docker_client_get_stream_sync   (LifeboatDockerClient  *self,
                                                        const char            *path,
                                                        GCancellable          *cancellable,
                                                        GError               **error);
gboolean      lifeboat_docker_client_put_stream_sync   (LifeboatDockerClient  *self,
                                                        const char            *path,
                                                        const char            *content_type,
                                                        GInputStream          *body,
                                                        GCancellable          *cancellable,
                                                        GError               **error);

/* Convenience wrappers; ids may be names. */
JsonArray    *lifeboat_docker_client_list_containers_sync (LifeboatDockerClient *self,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
JsonObject   *lifeboat_docker_client_inspect_container_sync (LifeboatDockerClient *self,
                                                             const char           *id,
                                                             GCancellable         *cancellable,
                                                             GError              **error);
JsonArray    *lifeboat_docker_client_list_volumes_sync (LifeboatDockerClient *self,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
JsonObject   *lifeboat_docker_client_inspect_volume_sync (LifeboatDockerClient *self,
                                                          const char           *name,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
/* name -> size in bytes (gint64, -1 when the engine does not know); NULL when /system/df
 * did not answer within @timeout_seconds ("unknown", never wait forever) */
GHashTable   *lifeboat_docker_client_volume_sizes_sync (LifeboatDockerClient *self,
                                                        guint                 timeout_seconds,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
gboolean      lifeboat_docker_client_stop_container_sync  (LifeboatDockerClient *self,
                                                           const char           *id,
                                                           int                   timeout_seconds,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
gboolean      lifeboat_docker_client_start_container_sync (LifeboatDockerClient *self,
                                                           const char           *id,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
/* returns the new container's id */
char         *lifeboat_docker_client_create_container_sync (LifeboatDockerClient *self,
                                                            const char           *name,
                                                            JsonNode             *config,
                                                            GCancellable         *cancellable,
                                                            GError              **error);
gboolean      lifeboat_docker_client_remove_container_sync (LifeboatDockerClient *self,
                                                            const char           *id,
                                                            gboolean              force,
                                                            GCancellable         *cancellable,
                                                            GError              **error);
/* waits for a started container to exit; returns its exit code in @exit_code */
gboolean      lifeboat_docker_client_wait_container_sync   (LifeboatDockerClient *self,
                                                            const char           *id,
                                                            int                  *exit_code,
                                                            GCancellable         *cancellable,
                                                            GError              **error);
gboolean      lifeboat_docker_client_create_volume_sync    (LifeboatDockerClient *self,
                                                            const char           *name,
                                                            const char           *driver,
                                                            JsonObject           *labels,
                                                            GCancellable         *cancellable,
                                                            GError              **error);
/* GET /containers/{id}/archive?path=... */
GInputStream *lifeboat_docker_client_get_archive_sync      (LifeboatDockerClient *self,
                                                            const char           *id,
                                                            const char           *path,
                                                            GCancellable         *cancellable,
                                                            GError              **error);
/* PUT /containers/{id}/archive?path=... with an uncompressed tar as body; errors speak of
 * "the upload of the archive" and the engine's reason, not of @id and @path: the caller names
 * what is written */
gboolean      lifeboat_docker_client_put_archive_sync      (LifeboatDockerClient *self,
                                                            const char           *id,
                                                            const char           *path,
                                                            GInputStream         *tar,
                                                            GCancellable         *cancellable,
                                                            GError              **error);

G_END_DECLS
