/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What lifeboat-docker-client.c shares with lifeboat-docker-calls.c and
 * lifeboat-docker-upload.c, not for use elsewhere */

#include "lifeboat-docker-client.h"

G_BEGIN_DECLS

/* the unix socket, or NULL for tcp:// */
const char *_lifeboat_docker_client_get_socket_path  (LifeboatDockerClient  *self);
/* "http://docker" or "http://host:port" */
const char *_lifeboat_docker_client_get_base_url     (LifeboatDockerClient  *self);
/* the versioned URL of @path ("/containers/...") */
char       *_lifeboat_docker_client_build_url        (LifeboatDockerClient  *self,
                                                      const char            *path);
/* a transport error in words a user understands */
void        _lifeboat_docker_client_translate_error  (LifeboatDockerClient  *self,
                                                      GCancellable          *cancellable,
                                                      GError               **error);
/* an HTTP error answer (its JSON body { "message": ... }) as a LifeboatError */
void        _lifeboat_docker_client_set_engine_error (guint                  status,
                                                      const char            *reason,
                                                      GInputStream          *body,
                                                      const char            *what,
                                                      GCancellable          *cancellable,
                                                      GError               **error);
/* TRUE once connected to an engine whose API is @version ("1.42") or newer */
gboolean      _lifeboat_docker_client_api_at_least (LifeboatDockerClient  *self,
                                                    const char            *version);
/* a versioned request with an optional body; the answer's body stream (NULL with @error for
 * an HTTP error); @status_out (optional) gets the HTTP status */
GInputStream *_lifeboat_docker_client_send_request (LifeboatDockerClient  *self,
                                                    const char            *method,
                                                    const char            *path,
                                                    GBytes                *body,
                                                    const char            *content_type,
                                                    guint                  timeout_seconds,
                                                    guint                 *status_out,
                                                    GCancellable          *cancellable,
                                                    GError               **error);
/* lifeboat-docker-upload.c: PUT @path with @body sent in large chunks; @what names the
 * request in errors */
gboolean    _lifeboat_docker_client_put_stream       (LifeboatDockerClient  *self,
                                                      const char            *path,
                                                      const char            *content_type,
                                                      const char            *what,
                                                      GInputStream          *body,
                                                      GCancellable          *cancellable,
                                                      GError               **error);

G_END_DECLS
