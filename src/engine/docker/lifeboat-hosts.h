/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-docker-client.h"

G_BEGIN_DECLS

/*
 * The engines Lifeboat can reach, and how an address or a name becomes a connected client.
 *
 * Addresses: "unix:///path/docker.sock" (a bare "/path" is taken as unix://), "tcp://host:port",
 * "http://host:port", "ssh://[user@]host[:port][/remote/socket]" (see LifeboatSshTunnel).
 * Names: a docker context (from $DOCKER_CONFIG or ~/.docker: contexts/meta/<sha256 of name>/
 * meta.json, Endpoints.docker.Host; "default" is DOCKER_HOST or the local socket), or a saved
 * host (g_get_user_config_dir()/lifeboat/hosts.ini). A context wins over a saved host of the
 * same name.
 *
 * Default (no --host): DOCKER_HOST, then the current docker context (DOCKER_CONTEXT, then
 * config.json "currentContext"), then unix:///var/run/docker.sock.
 */

typedef enum
{
  LIFEBOAT_HOST_KIND_LOCAL,        /* /var/run/docker.sock */
  LIFEBOAT_HOST_KIND_DOCKER_HOST,  /* $DOCKER_HOST */
  LIFEBOAT_HOST_KIND_CONTEXT,      /* a docker context */
  LIFEBOAT_HOST_KIND_ROOTLESS,     /* $XDG_RUNTIME_DIR/docker.sock */
  LIFEBOAT_HOST_KIND_PODMAN,       /* $XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock */
  LIFEBOAT_HOST_KIND_SAVED,        /* saved by the user (usually ssh://) */
} LifeboatHostKind;

#define LIFEBOAT_HOSTS_LOCAL_SOCKET "/var/run/docker.sock"

#define LIFEBOAT_TYPE_HOST_KIND (lifeboat_host_kind_get_type ())
GType       lifeboat_host_kind_get_type  (void) G_GNUC_CONST;
/* "local", "docker-host", "context", "rootless", "podman", "saved" */
const char *lifeboat_host_kind_to_string (LifeboatHostKind kind);

#define LIFEBOAT_TYPE_HOST (lifeboat_host_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatHost, lifeboat_host, LIFEBOAT, HOST, GObject)

LifeboatHost     *lifeboat_host_new             (LifeboatHostKind  kind,
                                                 const char       *name,
                                                 const char       *uri,
                                                 const char       *description);
LifeboatHostKind  lifeboat_host_get_kind        (LifeboatHost     *self);
/* what to pass to --host / lifeboat_hosts_open_client(): the context or saved name, else uri */
const char       *lifeboat_host_get_name        (LifeboatHost     *self);
const char       *lifeboat_host_get_uri         (LifeboatHost     *self);
const char       *lifeboat_host_get_description (LifeboatHost     *self);
/* the one used when no --host is given (property "is-default") */
gboolean          lifeboat_host_get_is_default  (LifeboatHost     *self);

/*
 * All engines found: DOCKER_HOST, the local socket, rootless Docker, Podman (user and system),
 * docker contexts, saved hosts — sockets only when they exist, configured ones always.
 * A GListStore of LifeboatHost; entries with the same URI are listed once (the first wins,
 * except that a named entry replaces an unnamed one).
 */
GListModel *lifeboat_hosts_discover (void);

/* the address used when none is given, and where it came from ("DOCKER_HOST",
 * "docker context NAME", "local socket") */
char       *lifeboat_hosts_resolve_default (char    **origin,
                                            GError  **error);
/* an address or a name (NULL: the default) → an address; LIFEBOAT_ERROR_INVALID_URI when
 * it is neither a known address form nor a context or saved host */
char       *lifeboat_hosts_resolve         (const char  *uri_or_name,
                                            GError     **error);

/* docker contexts */
char       *lifeboat_hosts_get_docker_config_dir (void);
/* DOCKER_CONTEXT, else config.json currentContext; NULL for "default"/none */
char       *lifeboat_hosts_get_current_context   (void);
char       *lifeboat_hosts_get_context_uri       (const char  *name,
                                                  GError     **error);

/* saved hosts: g_get_user_config_dir()/lifeboat/hosts.ini, one group per host:
 *   [host NAME]
 *   uri=ssh://admin@cvat.example.org
 *   description=Annotation server                                                           */
char       *lifeboat_hosts_get_saved_path (void);
/* a GListStore of LifeboatHost (kind SAVED); empty when the file does not exist */
GListModel *lifeboat_hosts_list_saved     (GError     **error);
gboolean    lifeboat_hosts_save           (const char  *name,
                                           const char  *uri,
                                           const char  *description,
                                           GError     **error);
/* FALSE with LIFEBOAT_ERROR_NOT_FOUND when no host has that name */
gboolean    lifeboat_hosts_forget         (const char  *name,
                                           GError     **error);

/*
 * A connected client for @uri_or_context (NULL: the default). ssh:// goes through a shared
 * LifeboatSshTunnel that the client keeps alive (lifeboat_docker_client_set_keepalive); the
 * client's display name is what was asked for. Blocking: call from a thread or the CLI.
 */
LifeboatDockerClient *lifeboat_hosts_open_client        (const char          *uri_or_context,
                                                         GCancellable        *cancellable,
                                                         GError             **error);
void                  lifeboat_hosts_open_client_async  (const char          *uri_or_context,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
LifeboatDockerClient *lifeboat_hosts_open_client_finish (GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
