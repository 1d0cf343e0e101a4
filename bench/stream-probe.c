/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "stream-probe"

/*
 * stream-probe soup|raw SOCKET CONTAINER PATH
 *
 * Reads GET /containers/CONTAINER/archive?path=PATH from the engine at the unix SOCKET and
 * discards it, printing the byte count and the speed:
 *   soup  through libsoup 3 (soup_session_send + g_input_stream_read of 128 KiB), as
 *         LifeboatDockerClient does
 *   raw   HTTP/1.1 written by hand on a GSocketConnection, the chunked body decoded through
 *         a 256 KiB GBufferedInputStream
 * libsoup's session advertises "Accept-Encoding: gzip" unless its content decoder is removed,
 * and dockerd then gzips the archive on one core: about 30 MB/s instead of 200 MB/s. Like
 * LifeboatDockerClient, the probe removes the decoder.
 */

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <libsoup/soup.h>

static guint64
read_soup (const char *socket_path,
           const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (socket_path);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("remote-connectable", addr,
                                                                  NULL);
  /* as LifeboatDockerClient: without it dockerd gzips the stream on one core */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GInputStream) stream = soup_session_send (session, msg, NULL, &error);
  g_autofree char *buf = g_malloc (128 * 1024);
  guint64 total = 0;
  gssize n;

  if (stream == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_error ("GET failed: %s", error ? error->message : soup_message_get_reason_phrase (msg));
  while ((n = g_input_stream_read (stream, buf, 128 * 1024, NULL, &error)) > 0)
    total += n;
  if (n < 0)
    g_error ("read failed: %s", error->message);
  return total;
}

static guint64
read_raw (const char *socket_path,
          const char *path_and_query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (socket_path);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *request = NULL;
  g_autofree char *buf = g_malloc (1024 * 1024);
  gboolean chunked = FALSE;
  guint64 total = 0;
  char *line;

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  if (conn == NULL)
    g_error ("connect: %s", error->message);
  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n",
                             path_and_query);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request,
                                  strlen (request), NULL, NULL, &error))
    g_error ("write: %s", error->message);

  buffered = g_buffered_input_stream_new_sized (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                                                256 * 1024);
  data = g_data_input_stream_new (buffered);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);

  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  if (line == NULL || strstr (line, " 200 ") == NULL)
    g_error ("bad status line: %s", line ? line : error->message);
  g_free (line);
  while ((line = g_data_input_stream_read_line (data, NULL, NULL, &error)) != NULL && *line)
    {
      if (g_ascii_strncasecmp (line, "Transfer-Encoding: chunked", 26) == 0)
        chunked = TRUE;
      g_free (line);
    }
  g_free (line);

  for (;;)
    {
      gsize chunk = G_MAXSIZE;

      if (chunked)
        {
          line = g_data_input_stream_read_line (data, NULL, NULL, &error);
          if (line == NULL)
            g_error ("truncated chunked body");
          chunk = strtoul (line, NULL, 16);
          g_free (line);
          if (chunk == 0)
            break;
        }
      while (chunk > 0)
        {
          gssize n = g_input_stream_read (G_INPUT_STREAM (data), buf, MIN (chunk, 1024 * 1024),
                                          NULL, &error);
          if (n < 0)
            g_error ("read: %s", error->message);
          if (n == 0)
            {
              if (chunked)
                g_error ("truncated chunk");
              return total;
            }
          chunk -= n;
          total += n;
        }
      g_free (g_data_input_stream_read_line (data, NULL, NULL, NULL));
    }

  return total;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *escaped = NULL;
  g_autofree char *path_and_query = NULL;
  g_autofree char *url = NULL;
  gint64 start;
  guint64 total;
  double secs;

  if (argc != 5 || (!g_str_equal (argv[1], "soup") && !g_str_equal (argv[1], "raw")))
    {
      g_printerr ("usage: stream-probe soup|raw SOCKET CONTAINER PATH\n");
      return 2;
    }

  escaped = g_uri_escape_string (argv[4], NULL, FALSE);
  path_and_query = g_strdup_printf ("/v1.41/containers/%s/archive?path=%s", argv[3], escaped);
  url = g_strconcat ("http://localhost", path_and_query, NULL);

  start = g_get_monotonic_time ();
  total = g_str_equal (argv[1], "soup") ? read_soup (argv[2], url)
                                        : read_raw (argv[2], path_and_query);
  secs = (g_get_monotonic_time () - start) / 1e6;
  g_print ("%s %" G_GUINT64_FORMAT " bytes %.3f s %.1f MB/s\n", argv[1], total, secs,
           total / 1e6 / secs);
  return 0;
}
