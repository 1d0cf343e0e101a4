/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Is the tunnel ready: a /_ping through ssh's socket, and a probe of the remote socket that
 * tells a missing engine from a forbidden one */
#define G_LOG_DOMAIN "lifeboat-ssh"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-private.h"

#define PING_TIMEOUT_S     10
#define PROBE_TIMEOUT_S    15

/*
 * A hand-written /_ping rather than the docker client's SoupSession: the start must tell a
 * socket that does not accept yet from one that accepts and closes at once (ssh could not open
 * the remote socket), which libsoup reports alike; and the client is made only once the
 * tunnel stands.
 */
LifeboatSshPing
_lifeboat_ssh_ping_socket (const char    *path,
                           GCancellable  *cancellable,
                           char         **answer)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) conn = NULL;
  static const char request[] = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
  GOutputStream *out;
  GInputStream *in;
  char buf[512];
  gsize got = 0;

  g_socket_client_set_timeout (client, PING_TIMEOUT_S);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), cancellable, NULL);
  if (conn == NULL)
    return LIFEBOAT_SSH_PING_NO_CONNECT;
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  if (!g_output_stream_write_all (out, request, sizeof request - 1, NULL, cancellable, NULL))
    return LIFEBOAT_SSH_PING_CLOSED;
  while (got < sizeof buf - 1)
    {
      gssize n = g_input_stream_read (in, buf + got, sizeof buf - 1 - got, cancellable, NULL);

      if (n <= 0)
        break;
      got += n;
    }
  buf[got] = '\0';
  if (got == 0)
    return LIFEBOAT_SSH_PING_CLOSED;
  if (answer)
    *answer = g_strndup (buf, strcspn (buf, "\r\n"));
  if (g_str_has_prefix (buf, "HTTP/1.") && strstr (buf, " 200 ") != NULL)
    return LIFEBOAT_SSH_PING_OK;
  return LIFEBOAT_SSH_PING_BAD;
}

/* runs a one-off ssh command on the host to tell a missing socket from a forbidden one */
GError *
_lifeboat_ssh_probe_remote_socket (const char   *user,
                                   const char   *host,
                                   guint         port,
                                   const char   *remote_socket,
                                   GCancellable *cancellable)
{
  g_autoptr(GPtrArray) argv = _lifeboat_ssh_argv_new (user, port);
  g_autofree char *quoted = g_shell_quote (remote_socket);
  g_autofree char *script = NULL;
  g_autofree char *where = _lifeboat_ssh_host_display (host, port);
  int status;

  g_ptr_array_add (argv, g_strdup ("-T"));
  if (!_lifeboat_ssh_argv_finish (argv, host, NULL))
    return NULL;
  script = g_strdup_printf ("test -S %s || exit 3; test -r %s -a -w %s || exit 4; exit 0",
                            quoted, quoted, quoted);
  g_ptr_array_add (argv, g_steal_pointer (&script));
  g_ptr_array_add (argv, NULL);

  status = _lifeboat_ssh_run_bounded ((const char * const *) argv->pdata, PROBE_TIMEOUT_S,
                                      cancellable);
  if (status == 3)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SOCKET,
                        _("There is no engine socket %s on %s (is Docker running there? Else "
                          "give its socket in the address: ssh://host/path/docker.sock)"),
                        remote_socket, where);
  if (status == 4)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_PERMISSION_DENIED,
                        _("The SSH user on %s may not use the engine socket %s "
                          "(is the user in the docker group?)"),
                        where, remote_socket);
  if (status == 0)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                        _("The SSH server on %s refused to forward the engine socket %s (it "
                          "exists and the user may use it): its sshd_config must allow it "
                          "(AllowStreamLocalForwarding yes, no DisableForwarding)"),
                        where, remote_socket);
  return NULL;
}
