/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
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

/* ---------------------------------------------------------------------------------------- */
/* PUT with a streamed body, against a fake engine on a socket of the test's own: the body
 * arrives whole in large chunks, and the engine's refusals come back as its own words */

typedef enum
{
  FAKE_ACCEPT,          /* reads the whole body, answers 200 */
  FAKE_REFUSE_EARLY,    /* answers 404 after the headers, without reading the body */
  FAKE_FAIL_CHUNKED,    /* reads the whole body, answers 500 with a chunked JSON body */
  FAKE_DROP,            /* reads the body, closes without an answer */
} FakeMode;

typedef struct
{
  FakeMode         mode;
  GSocketListener *listener;
  char            *request_line;
  gboolean         chunked;
  gboolean         complete;      /* the terminating zero-size chunk arrived */
  guint64          body_bytes;
  gsize            largest_chunk;
  GChecksum       *sha256;
  GThread         *thread;
  char            *dir;
} FakeEngine;

static gpointer
fake_engine_thread (gpointer data)
{
  FakeEngine *fake = data;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  GOutputStream *out;
  g_autofree guint8 *buf = g_malloc (1 << 20);

  conn = g_socket_listener_accept (fake->listener, NULL, NULL, NULL);
  g_assert_nonnull (conn);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  fake->request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);

      if (line == NULL || *line == '\0')
        break;
      if (g_ascii_strcasecmp (line, "Transfer-Encoding: chunked") == 0)
        fake->chunked = TRUE;
    }

  if (fake->mode == FAKE_REFUSE_EARLY)
    {
      static const char json[] = "{\"message\":\"No such container: abc\"}\n";
      g_autofree char *answer =
        g_strdup_printf ("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\n\r\n%s", strlen (json), json);

      g_output_stream_write_all (out, answer, strlen (answer), NULL, NULL, NULL);
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      return NULL;
    }

  /* the chunked body: "<hex size>\r\n<data>\r\n" ... "0\r\n\r\n" (bounded: 100 000 chunks) */
  for (guint i = 0; fake->chunked && i < 100000; i++)
    {
      g_autofree char *size_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
      guint64 size = size_line ? g_ascii_strtoull (size_line, NULL, 16) : 0;
      gsize got = 0;

      if (size_line == NULL)
        break;
      if (size == 0)
        {
          g_free (g_data_input_stream_read_line (in, NULL, NULL, NULL));
          fake->complete = TRUE;
          break;
        }
      g_assert_cmpuint (size, <=, 1 << 20);
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), buf, size, &got, NULL, NULL) ||
          got != size)
        break;
      g_checksum_update (fake->sha256, buf, got);
      fake->body_bytes += got;
      fake->largest_chunk = MAX (fake->largest_chunk, got);
      g_free (g_data_input_stream_read_line (in, NULL, NULL, NULL));
    }

  if (fake->mode == FAKE_ACCEPT && fake->complete)
    {
      static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

      g_output_stream_write_all (out, answer, strlen (answer), NULL, NULL, NULL);
    }
  else if (fake->mode == FAKE_FAIL_CHUNKED && fake->complete)
    {
      /* the JSON in several chunks, as Go's server may send it */
      /* the first chunk longer than one read of the answer */
      g_autofree char *spaces = g_strnfill (6000, ' ');
      g_autofree char *first = g_strconcat ("{", spaces, "\"message\":\"write /", NULL);
      const char *pieces[] = { first, "data/x: no space left ", "on device\"}\n", "" };
      g_autoptr(GString) answer =
        g_string_new ("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n");

      for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
        g_string_append_printf (answer, "%zx\r\n%s\r\n", strlen (pieces[i]), pieces[i]);
      g_output_stream_write_all (out, answer->str, answer->len, NULL, NULL, NULL);
    }
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return NULL;
}

static LifeboatDockerClient *
fake_engine_start (FakeEngine *fake,
                   FakeMode    mode)
{
  char *dir = g_dir_make_tmp ("lifeboat-client-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "docker.sock", NULL);
  g_autofree char *uri = g_strconcat ("unix://", path, NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;
  LifeboatDockerClient *client;

  memset (fake, 0, sizeof *fake);
  fake->mode = mode;
  fake->dir = dir;
  fake->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  fake->listener = g_socket_listener_new ();
  g_socket_listener_add_address (fake->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  fake->thread = g_thread_new ("fake-engine", fake_engine_thread, fake);

  client = lifeboat_docker_client_new (uri, &error);
  g_assert_no_error (error);
  return client;
}

/* waits until the fake engine has handled its one connection */
static void
fake_engine_join (FakeEngine *fake)
{
  if (fake->thread != NULL)
    g_thread_join (g_steal_pointer (&fake->thread));
}

static void
fake_engine_stop (FakeEngine *fake)
{
  g_autofree char *path = g_build_filename (fake->dir, "docker.sock", NULL);

  fake_engine_join (fake);
  g_socket_listener_close (fake->listener);
  g_clear_object (&fake->listener);
  g_checksum_free (fake->sha256);
  g_free (fake->request_line);
  g_unlink (path);
  g_rmdir (fake->dir);
  g_free (fake->dir);
}

/* 5 MiB and a bit of bytes that do not repeat */
static GBytes *
make_body (void)
{
  gsize n = 5 * 1024 * 1024 + 123;
  guint8 *data = g_malloc (n);
  guint32 x = 2463534242u;

  for (gsize i = 0; i < n; i++)
    {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      data[i] = (guint8) x;
    }
  return g_bytes_new_take (data, n);
}

static void
test_put_stream (void)
{
  FakeEngine fake;
  g_autoptr(GBytes) body = make_body ();
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (body);
  g_autoptr(LifeboatDockerClient) client = fake_engine_start (&fake, FAKE_ACCEPT);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);

  g_assert_true (lifeboat_docker_client_put_archive_sync (client, "abc", "/data", stream, NULL,
                                                          &error));
  g_assert_no_error (error);
  fake_engine_join (&fake);

  g_assert_true (g_str_has_prefix (fake.request_line, "PUT /v"));
  g_assert_nonnull (strstr (fake.request_line, "/containers/abc/archive?path="));
  g_assert_true (g_str_has_suffix (fake.request_line, " HTTP/1.1"));
  g_assert_true (fake.chunked);
  g_assert_true (fake.complete);
  g_assert_cmpuint (fake.body_bytes, ==, g_bytes_get_size (body));
  g_assert_cmpstr (g_checksum_get_string (fake.sha256), ==, expected);
  /* the point of writing the PUT by hand: not libsoup's 8 KiB pieces */
  g_assert_cmpuint (fake.largest_chunk, >=, 64 * 1024);
  fake_engine_stop (&fake);
}

/* A PUT the fake engine refuses in @mode: the error carries the engine's own words. */
static void
check_put_refused (FakeMode    mode,
                   int         code,
                   const char *words,
                   const char *status)
{
  FakeEngine fake;
  g_autoptr(GBytes) body = make_body ();
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (body);
  g_autoptr(LifeboatDockerClient) client = fake_engine_start (&fake, mode);
  g_autoptr(GError) error = NULL;

  g_assert_false (lifeboat_docker_client_put_archive_sync (client, "abc", "/data", stream, NULL,
                                                           &error));
  g_assert_error (error, LIFEBOAT_ERROR, code);
  g_assert_nonnull (strstr (error->message, words));
  g_assert_nonnull (strstr (error->message, status));
  fake_engine_stop (&fake);
}

/* the engine refuses before reading the body (no such container) and closes: its words, not
 * the broken pipe */
static void
test_put_refused_early (void)
{
  check_put_refused (FAKE_REFUSE_EARLY, LIFEBOAT_ERROR_NOT_FOUND, "No such container: abc",
                     "HTTP 404");
}

/* the engine fails while writing and says why in a chunked answer */
static void
test_put_engine_error (void)
{
  check_put_refused (FAKE_FAIL_CHUNKED, LIFEBOAT_ERROR_ENGINE,
                     "write /data/x: no space left on device", "HTTP 500");
}

/* the engine closes without an answer: an error, never a success */
static void
test_put_no_answer (void)
{
  FakeEngine fake;
  g_autoptr(GBytes) body = make_body ();
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (body);
  g_autoptr(LifeboatDockerClient) client = fake_engine_start (&fake, FAKE_DROP);
  g_autoptr(GError) error = NULL;

  g_assert_false (lifeboat_docker_client_put_archive_sync (client, "abc", "/data", stream, NULL,
                                                           &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  fake_engine_join (&fake);
  g_assert_true (fake.complete);
  fake_engine_stop (&fake);
}

/* a body that fails halfway (a broken archive): its own error, and the engine never sees the
 * end of the body, so it keeps nothing of it */
static void
test_put_body_fails (void)
{
  FakeEngine fake;
  g_autoptr(GBytes) body = make_body ();
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (body);
  g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new (raw, G_CONVERTER (gunzip));
  g_autoptr(LifeboatDockerClient) client = fake_engine_start (&fake, FAKE_ACCEPT);
  g_autoptr(GError) error = NULL;

  g_assert_false (lifeboat_docker_client_put_archive_sync (client, "abc", "/data", stream, NULL,
                                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  fake_engine_join (&fake);
  g_assert_false (fake.complete);
  fake_engine_stop (&fake);
}

/* unix:// addresses, parsed with g_uri_split_with_user() */
static void
test_unix_uri (void)
{
  const struct { const char *uri; const char *path; } good[] = {
    { "unix:///var/run/docker.sock", "/var/run/docker.sock" },
    { "unix:///run/user/1000/podman/podman.sock", "/run/user/1000/podman/podman.sock" },
    { "unix:///tmp/with%20space.sock", "/tmp/with space.sock" },
  };
  const char *bad[] = {
    "unix://", "unix://relative/docker.sock", "unix://host/x", "unix:///x?y", "unix:///x#y",
    "unix:///bad%zzescape", "tcp://host:2375",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = lifeboat_unix_uri_dup_path (good[i].uri, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (path, ==, good[i].path);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = lifeboat_unix_uri_dup_path (bad[i], &error);

      g_test_message ("%s", bad[i]);
      g_assert_null (path);
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lifeboat/docker-client/invalid-uri", test_invalid_uri);
  g_test_add_func ("/lifeboat/docker-client/unix-uri", test_unix_uri);
  g_test_add_func ("/lifeboat/docker-client/no-socket", test_no_socket);
  g_test_add_func ("/lifeboat/docker-client/refused", test_refused);
  g_test_add_func ("/lifeboat/docker-client/cancelled", test_cancelled);
  g_test_add_func ("/lifeboat/docker-client/put-stream", test_put_stream);
  g_test_add_func ("/lifeboat/docker-client/put-refused-early", test_put_refused_early);
  g_test_add_func ("/lifeboat/docker-client/put-engine-error", test_put_engine_error);
  g_test_add_func ("/lifeboat/docker-client/put-no-answer", test_put_no_answer);
  g_test_add_func ("/lifeboat/docker-client/put-body-fails", test_put_body_fails);

  return g_test_run ();
}
