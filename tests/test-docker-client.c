/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-error.h"

static void
test_invalid_uri (void)
{
  static const char * const bad[] = { "docker.sock", "unix://relative.sock", "ftp://x", "tcp://" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LifeboatDockerClient) client = lifeboat_docker_client_new (bad[i], &error);

      g_assert_null (client);
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
    }
}

static void
test_no_socket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client =
    lifeboat_docker_client_new ("unix:///nonexistent/lifeboat-test/docker.sock", &error);

  g_assert_no_error (error);
  g_assert_false (lifeboat_docker_client_connect_sync (client, NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SOCKET);
  g_assert_nonnull (strstr (error->message, "/nonexistent/lifeboat-test/docker.sock"));
  g_assert_false (lifeboat_docker_client_is_connected (client));
}

/* a socket file nobody listens on: the engine is not running */
static void
test_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lifeboat-client-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "docker.sock", NULL);
  g_autofree char *uri = g_strconcat ("unix://", path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  close (fd);  /* bound, never listened: connect() is refused */

  client = lifeboat_docker_client_new (uri, &error);
  g_assert_no_error (error);
  g_assert_false (lifeboat_docker_client_connect_sync (client, NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING);
  g_test_message ("%s", error->message);

  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
  return G_SOURCE_REMOVE;
}

static gpointer
run_loop (gpointer data)
{
  g_autoptr(GMainLoop) loop = data;

  g_main_loop_run (loop);
  return NULL;
}

/* a listener that accepts and never answers: a cancel, not a hang */
static void
test_cancelled (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lifeboat-client-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "docker.sock", NULL);
  g_autofree char *uri = g_strconcat ("unix://", path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);

  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 4), ==, 0);

  client = lifeboat_docker_client_new (uri, &error);
  g_assert_no_error (error);

  /* cancel from another thread after a moment: connect must return, cancelled */
  g_timeout_add_seconds (1, cancel_cb, cancellable);
  g_thread_unref (g_thread_new ("main-loop", run_loop, g_main_loop_new (NULL, FALSE)));
  g_assert_false (lifeboat_docker_client_connect_sync (client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  close (fd);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lifeboat/docker-client/invalid-uri", test_invalid_uri);
  g_test_add_func ("/lifeboat/docker-client/no-socket", test_no_socket);
  g_test_add_func ("/lifeboat/docker-client/refused", test_refused);
  g_test_add_func ("/lifeboat/docker-client/cancelled", test_cancelled);

  return g_test_run ();
}
