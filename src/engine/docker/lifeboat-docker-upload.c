/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-docker"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>
#include <libsoup/soup.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-docker-client-private.h"
#include "lifeboat-error.h"

/*
 * The measured chunked upload: a PUT whose body is a stream, written by hand on a connection
 * of its own.
 *
 * libsoup 3 copies a request body through GIO's 8 KiB splice buffer and sends each piece as a
 * chunk of three writes (size line, data, CRLF): a 1 GB archive became 390 000 sends, each
 * waking the engine, and a restore's writes ran at half the speed of `curl -T`. Here each chunk
 * is up to PUT_CHUNK bytes in one writev(). The answer is read once the body is sent (or the
 * engine stopped reading it); "Connection: close" ends the connection with it.
 */

#define PUT_CHUNK      (512 * 1024)
#define ANSWER_MAX     (64 * 1024)   /* of an error's JSON body */
#define ANSWER_MAX_LINES 200         /* of its headers; also bounds the reads of its body */

static GIOStream *
connect_own (LifeboatDockerClient  *self,
             GCancellable          *cancellable,
             GError               **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) address = NULL;
  const char *socket_path = _lifeboat_docker_client_get_socket_path (self);
  const char *base_url = _lifeboat_docker_client_get_base_url (self);

  if (socket_path != NULL)
    address = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (socket_path));
  else if (!(address = g_network_address_parse (base_url + strlen ("http://"), 80, error)))
    return NULL;

  return G_IO_STREAM (g_socket_client_connect (client, address, cancellable, error));
}

/* The body of an error answer, at most ANSWER_MAX bytes, as a stream for set_engine_error() */
static GInputStream *
read_answer_body (GDataInputStream *in,
                  gint64            length,
                  gboolean          chunked,
                  GCancellable     *cancellable)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 buf[4096];
  /* what is left of the current chunk, or of the whole body (-1: up to its end) */
  gint64 left = chunked ? 0 : length;

  for (guint round = 0; body->len < ANSWER_MAX && round < ANSWER_MAX_LINES; round++)
    {
      gsize want = sizeof buf;
      gsize got = 0;

      if (chunked && left == 0)
        {
          g_autofree char *line = g_data_input_stream_read_line (in, NULL, cancellable, NULL);

          left = line != NULL ? (gint64) g_ascii_strtoull (line, NULL, 16) : 0;
          if (left <= 0)
            break;
        }
      if (left >= 0)
        want = MIN ((guint64) left, want);
      want = MIN (want, ANSWER_MAX - body->len);
      if (want == 0 ||
          !g_input_stream_read_all (G_INPUT_STREAM (in), buf, want, &got, cancellable, NULL) ||
          got == 0)
        break;
      g_byte_array_append (body, buf, got);
      if (left >= 0)
        left -= got;
      if (chunked && left == 0)
        g_free (g_data_input_stream_read_line (in, NULL, cancellable, NULL));  /* CRLF after it */
    }

  {
    g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&body));

    return g_memory_input_stream_new_from_bytes (bytes);
  }
}

/* TRUE: an answer was read (*status_out, and @error set unless it is a success) */
static gboolean
read_answer (GInputStream  *stream,
             const char    *what,
             guint         *status_out,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (stream);
  g_autofree char *status_line = NULL;
  g_autofree char *reason = NULL;
  gint64 length = -1;
  gboolean chunked = FALSE;
  guint status = 0;
  const char *p;

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);

  /* informational answers (100 Continue) come before the real one */
  for (guint round = 0; round < 8 && (status == 0 || status / 100 == 1); round++)
    {
      g_clear_pointer (&status_line, g_free);
      status_line = g_data_input_stream_read_line (in, NULL, cancellable, NULL);
      if (status_line == NULL || !g_str_has_prefix (status_line, "HTTP/1.") ||
          (p = strchr (status_line, ' ')) == NULL ||
          (status = (guint) g_ascii_strtoull (p + 1, NULL, 10)) < 100 || status > 599)
        return FALSE;
      g_clear_pointer (&reason, g_free);
      reason = g_strdup (strchr (p + 1, ' ') ? strchr (p + 1, ' ') + 1 : "");

      for (guint i = 0; ; i++)
        {
          g_autofree char *line = g_data_input_stream_read_line (in, NULL, cancellable, NULL);

          if (line == NULL || i >= ANSWER_MAX_LINES)
            return FALSE;
          if (*line == '\0')
            break;
          if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
            length = (gint64) g_ascii_strtoull (line + 15, NULL, 10);
          else if (g_ascii_strncasecmp (line, "Transfer-Encoding:", 18) == 0)
            chunked = strstr (line + 18, "chunked") != NULL;
        }
    }

  *status_out = status;
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr(GInputStream) body = read_answer_body (in, length, chunked, cancellable);

      _lifeboat_docker_client_set_engine_error (status, reason, body, what, cancellable, error);
    }
  return TRUE;
}

/* @what: the request as errors name it */
gboolean
_lifeboat_docker_client_put_stream (LifeboatDockerClient  *self,
                                    const char            *path,
                                    const char            *content_type,
                                    const char            *what,
                                    GInputStream          *body,
                                    GCancellable          *cancellable,
                                    GError               **error)
{
  const char *socket_path = _lifeboat_docker_client_get_socket_path (self);
  const char *base_url = _lifeboat_docker_client_get_base_url (self);
  g_autofree char *url = NULL;
  g_autofree char *head = NULL;
  g_autofree guint8 *buf = NULL;
  g_autoptr(GIOStream) conn = NULL;
  g_autoptr(GError) write_error = NULL;
  GOutputStream *out;
  guint status = 0;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (body), FALSE);

  url = _lifeboat_docker_client_build_url (self, path);

  if (!(conn = connect_own (self, cancellable, error)))
    {
      _lifeboat_docker_client_translate_error (self, cancellable, error);
      return FALSE;
    }
  out = g_io_stream_get_output_stream (conn);

  head = g_strdup_printf ("PUT %s HTTP/1.1\r\n"
                          "Host: %s\r\n"
                          "User-Agent: Lifeboat/" PACKAGE_VERSION "\r\n"
                          "Content-Type: %s\r\n"
                          "Transfer-Encoding: chunked\r\n"
                          "Connection: close\r\n"
                          "\r\n",
                          url + strlen (base_url),
                          socket_path ? "docker" : base_url + strlen ("http://"),
                          content_type);
  buf = g_malloc (PUT_CHUNK);

  if (g_output_stream_write_all (out, head, strlen (head), NULL, cancellable, &write_error))
    {
      for (;;)
        {
          char size_line[24];
          gsize got = 0;

          /* a failing body (a refused or broken archive) ends the upload without its last
           * chunk: the engine drops what it got, and the body's own error is the one to tell */
          if (!g_input_stream_read_all (body, buf, PUT_CHUNK, &got, cancellable, error))
            return FALSE;
          if (got == 0)
            {
              g_output_stream_write_all (out, "0\r\n\r\n", 5, NULL, cancellable, &write_error);
              break;
            }

          {
            GOutputVector vectors[] = {
              { size_line, (gsize) g_snprintf (size_line, sizeof size_line, "%zx\r\n", got) },
              { buf, got },
              { "\r\n", 2 },
            };

            if (!g_output_stream_writev_all (out, vectors, G_N_ELEMENTS (vectors), NULL,
                                             cancellable, &write_error))
              break;
          }
        }
    }

  /* the engine may have answered (and stopped reading) before the end of the body: its answer
   * says why better than the broken pipe */
  if (read_answer (g_io_stream_get_input_stream (conn), what, &status, cancellable, error))
    {
      if (!SOUP_STATUS_IS_SUCCESSFUL (status))
        return FALSE;
      if (write_error == NULL)
        return TRUE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (write_error == NULL)
    g_set_error (&write_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE,
                 _("The Docker engine did not answer %s"), what);
  g_propagate_error (error, g_steal_pointer (&write_error));
  _lifeboat_docker_client_translate_error (self, cancellable, error);
  return FALSE;
}

gboolean
lifeboat_docker_client_put_stream_sync (LifeboatDockerClient  *self,
                                        const char            *path,
                                        const char            *content_type,
                                        GInputStream          *body,
                                        GCancellable          *cancellable,
                                        GError               **error)
{
  g_autofree char *what = g_strdup_printf ("PUT %.*s", (int) strcspn (path, "?"), path);

  return _lifeboat_docker_client_put_stream (self, path, content_type, what, body, cancellable,
                                             error);
}
