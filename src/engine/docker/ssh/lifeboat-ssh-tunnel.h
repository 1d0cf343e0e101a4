/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * An SSH tunnel to a remote engine's unix socket, made with the system `ssh`:
 *
 *   ssh -N -L LOCAL.ssh:REMOTE -o ExitOnForwardFailure=yes -o BatchMode=yes
 *       -o ServerAliveInterval=10 -o ServerAliveCountMax=3 -o StreamLocalBindUnlink=yes
 *       -o ControlPath=none [-p PORT] [-l USER] [$LIFEBOAT_SSH_OPTIONS] -- HOST
 *
 * The socket handed to clients (lifeboat_ssh_tunnel_get_local_uri()) is a private socket in
 * $XDG_RUNTIME_DIR/lifeboat/ (folder 0700; g_get_user_runtime_dir() when unset) that the
 * tunnel serves itself (an accept thread; each connection copied to ssh's socket by two threads
 * with splice(2), as fast as ssh's own socket). When `ssh` dies
 * (network gone, killed), the tunnel emits "closed" with ssh's reason, and the next connection
 * made to the local socket starts `ssh` again (bounded by the same ~15 s start timeout), so a
 * job that failed because the tunnel died can still start the containers it stopped.
 *
 * Host keys are checked by ssh as always (never disabled). An unknown host key gives
 * LIFEBOAT_ERROR_HOST_KEY_UNKNOWN, whose message carries the key's SHA256 fingerprint;
 * after the user has compared it, lifeboat_ssh_accept_host_key_sync() appends the scanned
 * key to the known_hosts file ssh reads (`ssh -G` → userknownhostsfile, normally
 * ~/.ssh/known_hosts). A changed key gives LIFEBOAT_ERROR_HOST_KEY_CHANGED and is refused.
 *
 * Environment:
 *   LIFEBOAT_SSH_OPTIONS  extra arguments for every ssh (not ssh-keyscan): parsed like a shell
 *                         command line (g_shell_parse_argv) and put before the host, e.g.
 *                         "-F /tmp/t/ssh_config" or "-i key -o UserKnownHostsFile=/tmp/kh".
 *   LIFEBOAT_SSH          the ssh program (default "ssh" from PATH).
 *
 * Tunnels are shared: lifeboat_ssh_tunnel_acquire_sync() returns the open tunnel for a URI
 * when there is one (a new reference), else opens one. The last unref closes it: ssh is
 * killed and both sockets are unlinked.
 */

#define LIFEBOAT_SSH_DEFAULT_REMOTE_SOCKET "/var/run/docker.sock"

#define LIFEBOAT_TYPE_SSH_TUNNEL (lifeboat_ssh_tunnel_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatSshTunnel, lifeboat_ssh_tunnel, LIFEBOAT, SSH_TUNNEL, GObject)

/*
 * Parses "ssh://[user@]host[:port][/remote/socket]". Out parameters may be NULL; @user is NULL
 * when the URI names none, @port 0 when it names none, @remote_socket defaults to
 * LIFEBOAT_SSH_DEFAULT_REMOTE_SOCKET. IPv6 literals go in brackets: ssh://[::1]:2222/x.
 * Errors are LIFEBOAT_ERROR_INVALID_URI.
 */
gboolean lifeboat_ssh_uri_parse (const char  *uri,
                                 char       **user,
                                 char       **host,
                                 guint       *port,
                                 char       **remote_socket,
                                 GError     **error);

/* the shared, open tunnel for @uri (new reference), starting ssh when needed */
LifeboatSshTunnel *lifeboat_ssh_tunnel_acquire_sync   (const char         *uri,
                                                       GCancellable       *cancellable,
                                                       GError            **error);
void               lifeboat_ssh_tunnel_acquire_async  (const char         *uri,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
LifeboatSshTunnel *lifeboat_ssh_tunnel_acquire_finish (GAsyncResult       *result,
                                                       GError            **error);

/* the ssh:// URI it was opened for */
const char *lifeboat_ssh_tunnel_get_uri          (LifeboatSshTunnel *self);
/* "unix:///run/user/1000/lifeboat/ssh-....sock": give this to lifeboat_docker_client_new() */
const char *lifeboat_ssh_tunnel_get_local_uri    (LifeboatSshTunnel *self);
const char *lifeboat_ssh_tunnel_get_local_socket (LifeboatSshTunnel *self);
const char *lifeboat_ssh_tunnel_get_remote_socket (LifeboatSshTunnel *self);
/* TRUE while an ssh process serves the tunnel (property "open", notified in the main context
 * the tunnel was acquired in) */
gboolean    lifeboat_ssh_tunnel_is_open          (LifeboatSshTunnel *self);
/* why ssh ended last (ssh's last error line or its exit status), NULL while it runs */
char       *lifeboat_ssh_tunnel_dup_close_reason (LifeboatSshTunnel *self);
/* how many times ssh was started (1 after acquire, +1 per restart) */
guint       lifeboat_ssh_tunnel_get_n_starts     (LifeboatSshTunnel *self);
/* pid of the current ssh, 0 when none */
GPid        lifeboat_ssh_tunnel_get_ssh_pid      (LifeboatSshTunnel *self);

/*
 * Host keys. lifeboat_ssh_scan_host_key_sync() runs `ssh-keyscan -p PORT HOST` and
 * `ssh-keygen -lf -`; it returns the known_hosts lines (for @known_hosts_lines) and the
 * fingerprints, one "SHA256:... (ED25519)" per key, joined by ", ".
 * lifeboat_ssh_accept_host_key_sync() scans again and appends the keys to the known_hosts
 * file ssh uses, but only when @expected_fingerprint (what the user saw, as given in the
 * HOST_KEY_UNKNOWN error) is among the scanned ones; NULL accepts what the scan returns.
 */
char    *lifeboat_ssh_scan_host_key_sync   (const char    *uri,
                                            char         **known_hosts_lines,
                                            GCancellable  *cancellable,
                                            GError       **error);
gboolean lifeboat_ssh_accept_host_key_sync (const char    *uri,
                                            const char    *expected_fingerprint,
                                            GCancellable  *cancellable,
                                            GError       **error);
/* the same in a thread, for the window */
void     lifeboat_ssh_accept_host_key_async  (const char          *uri,
                                              const char          *expected_fingerprint,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean lifeboat_ssh_accept_host_key_finish (GAsyncResult        *result,
                                              GError             **error);
/* the "SHA256:..." fingerprint a HOST_KEY_UNKNOWN or HOST_KEY_CHANGED error names, or NULL */
char    *lifeboat_ssh_error_dup_fingerprint  (const GError        *error);

/*
 * Maps ssh's stderr to a LifeboatError (NULL when it shows no known failure). Exposed for
 * tests. @remote_socket is named in the messages about the remote socket.
 */
GError  *lifeboat_ssh_error_from_stderr    (const char    *ssh_stderr,
                                            const char    *host,
                                            const char    *remote_socket);

G_END_DECLS
