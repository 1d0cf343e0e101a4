/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Why an SSH engine cannot be used, one LifeboatError code per cause, with the real `ssh`:
 * without a server on loopback (a closed port, a name that does not resolve, a port that
 * never answers, a cancel while connecting), and — run by tests/integration/ssh-tunnel.sh
 * with a real sshd and engine — a wrong key, an unknown and a changed host key, no engine
 * socket on the far side, a user who may not use it.
 */
#define G_LOG_DOMAIN "test-ssh"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-tunnel.h"

/* the loopback port of a socket that is bound, then closed: nothing listens there */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

/* a listening loopback socket that never accepts: the kernel completes the TCP handshake,
 * then no SSH banner ever comes */
static GSocket *
silent_listener (guint16 *port)
{
  GSocket *socket;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

/* how many ssh processes are children of this test */
static guint
count_ssh_children (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *close;
      int ppid = 0;
      char state;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid ..." */
      close = strrchr (stat, ')');
      if (close == NULL || sscanf (close + 1, " %c %d", &state, &ppid) != 2)
        continue;
      if (ppid == getpid () && strstr (stat, "(ssh)") != NULL && state != 'Z')
        n++;
    }
  return n;
}

static gboolean
skip_without_ssh (void)
{
  g_autofree char *ssh = g_find_program_in_path ("ssh");

  if (ssh == NULL)
    {
      g_test_skip ("no ssh client (apt-get install openssh-client)");
      return TRUE;
    }
  return FALSE;
}

/* acquiring @uri fails with @code within @max_s seconds, and the message says @must_contain */
static void
expect_cause (const char *uri,
              int         code,
              const char *must_contain,
              double      max_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatSshTunnel) tunnel = NULL;
  gint64 start = g_get_monotonic_time ();
  double took;

  tunnel = lifeboat_ssh_tunnel_acquire_sync (uri, NULL, &error);
  took = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_null (tunnel);
  g_assert_nonnull (error);
  g_test_message ("%s (%.1f s): %s", uri, took, error->message);
  g_assert_error (error, LIFEBOAT_ERROR, code);
  g_assert_nonnull (strstr (error->message, must_contain));
  g_assert_cmpfloat (took, <, max_s);
  g_assert_cmpuint (count_ssh_children (), ==, 0);
}

static void
set_plain_ssh_options (void)
{
  /* no user configuration; a short bound for a host that never answers */
  g_setenv ("LIFEBOAT_SSH_OPTIONS", "-F /dev/null -o ConnectTimeout=2 "
            "-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null", TRUE);
}

static void
test_refused (void)
{
  g_autofree char *uri = NULL;
  g_autofree char *where = NULL;
  guint16 port;

  if (skip_without_ssh ())
    return;
  set_plain_ssh_options ();
  port = closed_port ();
  uri = g_strdup_printf ("ssh://root@127.0.0.1:%u/var/run/docker.sock", port);
  where = g_strdup_printf ("127.0.0.1:%u refused", port);
  expect_cause (uri, LIFEBOAT_ERROR_CONNECTION_REFUSED, where, 10);
}

static void
test_name_resolution (void)
{
  if (skip_without_ssh ())
    return;
  set_plain_ssh_options ();
  expect_cause ("ssh://root@nosuchhost.invalid", LIFEBOAT_ERROR_NAME_RESOLUTION,
                "nosuchhost.invalid cannot be resolved", 20);
}

static void
test_timeout (void)
{
  g_autoptr(GSocket) listener = NULL;
  g_autofree char *uri = NULL;
  guint16 port;

  if (skip_without_ssh ())
    return;
  set_plain_ssh_options ();
  listener = silent_listener (&port);
  uri = g_strdup_printf ("ssh://root@127.0.0.1:%u", port);
  /* ConnectTimeout=2 bounds the banner exchange */
  expect_cause (uri, LIFEBOAT_ERROR_TIMED_OUT, "did not answer over SSH in time", 10);
}

typedef struct
{
  GError   *error;
  gboolean  done;
} AcquireResult;

static void
acquired_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  AcquireResult *res = data;
  g_autoptr(LifeboatSshTunnel) tunnel = lifeboat_ssh_tunnel_acquire_finish (result,
                                                                            &res->error);

  g_assert_null (tunnel);
  res->done = TRUE;
}

static gboolean
cancel_cb (gpointer data)
{
  g_assert_cmpuint (count_ssh_children (), ==, 1);
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* a cancel while ssh waits for a host that never answers ends ssh at once */
static void
test_cancel_connecting (void)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *uri = NULL;
  AcquireResult res = { NULL, FALSE };
  gint64 cancelled_at;
  guint16 port;

  if (skip_without_ssh ())
    return;
  g_setenv ("LIFEBOAT_SSH_OPTIONS", "-F /dev/null -o ConnectTimeout=60 "
            "-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null", TRUE);
  listener = silent_listener (&port);
  uri = g_strdup_printf ("ssh://root@127.0.0.1:%u", port);

  lifeboat_ssh_tunnel_acquire_async (uri, cancellable, acquired_cb, &res);
  g_timeout_add (500, cancel_cb, cancellable);
  /* bounded: the 60 s ConnectTimeout must not be what ends it */
  for (guint i = 0; i < 200 && !g_cancellable_is_cancelled (cancellable); i++)
    g_main_context_iteration (NULL, TRUE);
  cancelled_at = g_get_monotonic_time ();
  while (!res.done && g_get_monotonic_time () - cancelled_at < 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (res.done);
  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("cancelled after %.2f s", (g_get_monotonic_time () - cancelled_at) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_ssh_children (), ==, 0);
  g_clear_error (&res.error);
}

/* ------------------------------------------------------------------------------------------ */
/* with a real sshd (tests/integration/ssh-tunnel.sh)                                           */

static void
test_live_causes (void)
{
  const char *uri = g_getenv ("LIFEBOAT_TEST_SSH_URI");
  const char *config = g_getenv ("LIFEBOAT_TEST_SSH_CONFIG");
  const char *wrong_key = g_getenv ("LIFEBOAT_TEST_SSH_CONFIG_WRONG_KEY");
  const char *changed_key = g_getenv ("LIFEBOAT_TEST_SSH_CONFIG_CHANGED_KEY");
  const char *unknown_key = g_getenv ("LIFEBOAT_TEST_SSH_CONFIG_UNKNOWN_KEY");
  const char *fingerprint = g_getenv ("LIFEBOAT_TEST_SSH_HOST_FINGERPRINT");
  const char *nobody_uri = g_getenv ("LIFEBOAT_TEST_SSH_NOBODY_URI");
  const char *no_socket_uri = g_getenv ("LIFEBOAT_TEST_SSH_NO_SOCKET_URI");
  g_autofree char *options = NULL;

  if (uri == NULL || config == NULL || wrong_key == NULL || changed_key == NULL ||
      unknown_key == NULL || fingerprint == NULL || nobody_uri == NULL || no_socket_uri == NULL)
    {
      g_test_skip ("LIFEBOAT_TEST_SSH_* not set (tests/integration/ssh-tunnel.sh sets them)");
      return;
    }

  options = g_strdup_printf ("-F %s", wrong_key);
  g_setenv ("LIFEBOAT_SSH_OPTIONS", options, TRUE);
  expect_cause (uri, LIFEBOAT_ERROR_AUTH_FAILED, "Permission denied (publickey)", 20);

  g_free (options);
  options = g_strdup_printf ("-F %s", changed_key);
  g_setenv ("LIFEBOAT_SSH_OPTIONS", options, TRUE);
  expect_cause (uri, LIFEBOAT_ERROR_HOST_KEY_CHANGED, fingerprint, 20);

  g_free (options);
  options = g_strdup_printf ("-F %s", unknown_key);
  g_setenv ("LIFEBOAT_SSH_OPTIONS", options, TRUE);
  expect_cause (uri, LIFEBOAT_ERROR_HOST_KEY_UNKNOWN, fingerprint, 30);

  g_free (options);
  options = g_strdup_printf ("-F %s", config);
  g_setenv ("LIFEBOAT_SSH_OPTIONS", options, TRUE);
  expect_cause (no_socket_uri, LIFEBOAT_ERROR_NO_SOCKET, "There is no engine socket", 30);
  expect_cause (nobody_uri, LIFEBOAT_ERROR_PERMISSION_DENIED, "may not use the engine socket",
                30);

  /* and with everything right, the same options connect */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LifeboatSshTunnel) tunnel = lifeboat_ssh_tunnel_acquire_sync (uri, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (lifeboat_ssh_tunnel_is_open (tunnel));
  }
  g_assert_cmpuint (count_ssh_children (), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* a tunnel's ssh gets SIGTERM when the test ends; nothing else here needs SIGPIPE */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/lifeboat/ssh/cause/refused", test_refused);
  g_test_add_func ("/lifeboat/ssh/cause/name-resolution", test_name_resolution);
  g_test_add_func ("/lifeboat/ssh/cause/timeout", test_timeout);
  g_test_add_func ("/lifeboat/ssh/cause/cancel-connecting", test_cancel_connecting);
  g_test_add_func ("/lifeboat/ssh/live/causes", test_live_causes);

  return g_test_run ();
}
