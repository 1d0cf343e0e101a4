/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A tether to one run of the engine: see lifeboat-engine-tether.h.
 *
 * Why: an engine restart (dockerd SIGTERM, as an upgrade or `systemctl restart docker` does)
 * while a backup reads its volumes. dockerd first closes its listening socket, lets the
 * requests it is serving run on, and unmounts the containers' volumes as it shuts down; the
 * `tar` it runs for an archive request then skips what it can no longer find and ends the
 * archive properly. Seen on the test engine: a volume's archive with no entry at all, from an
 * answer that looked complete. The archive cannot tell; the tether can.
 */
#define G_LOG_DOMAIN "lifeboat-engine-tether"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-engine-tether.h"
#include "lifeboat-error.h"

/* events of type "daemon" are rare (a configuration reload): the connection stays quiet */
#define TETHER_PATH "/events?filters=%7B%22type%22%3A%5B%22daemon%22%5D%7D"
#define CHECK_TIMEOUT_S 15
#define MAX_EVENT_READS 64

struct _LifeboatEngineTether
{
  LifeboatDockerClient *client;
  GInputStream         *events;
};

LifeboatEngineTether *
lifeboat_engine_tether_new_sync (LifeboatDockerClient  *client,
                                 GCancellable          *cancellable,
                                 GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInputStream) events = NULL;
  LifeboatEngineTether *self;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);

  events = lifeboat_docker_client_get_stream_sync (client, TETHER_PATH, cancellable, &local_error);
  if (events == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_debug ("No tether to the engine: %s", local_error->message);
      return NULL;
    }
  if (!G_IS_POLLABLE_INPUT_STREAM (events) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (events)))
    {
      g_debug ("No tether to the engine: its /events stream cannot be polled");
      return NULL;
    }

  self = g_new0 (LifeboatEngineTether, 1);
  self->client = g_object_ref (client);
  self->events = g_steal_pointer (&events);
  return self;
}

static void
set_broken (GError    **error,
            const char *why)
{
  g_debug ("The tether to the engine broke: %s", why);
  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE_RESTARTED,
               _("The engine stopped or restarted while the volumes were being transferred, so "
                 "what it sent or received may be incomplete"));
}

gboolean
lifeboat_engine_tether_check_sync (LifeboatEngineTether  *self,
                                   GCancellable          *cancellable,
                                   GError               **error)
{
  g_autoptr(JsonNode) version = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  /* a fresh request: an engine that has begun to stop no longer accepts one, and a new engine
   * that answers it started after the old one had exited and closed the tether */
  version = lifeboat_docker_client_request_json_sync (self->client, "GET", "/version", NULL,
                                                      CHECK_TIMEOUT_S, cancellable, &local_error);
  if (version == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      set_broken (error, local_error->message);
      return FALSE;
    }

  for (guint i = 0; i < MAX_EVENT_READS; i++)
    {
      char buffer[4096];
      gssize n;

      g_clear_error (&local_error);
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->events),
                                                    buffer, sizeof buffer, NULL, &local_error);
      if (n > 0)
        continue;  /* an event (a reload): the engine is still there */
      if (n == 0)
        {
          set_broken (error, "end of the stream");
          return FALSE;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;
      set_broken (error, local_error->message);
      return FALSE;
    }

  /* an engine that reloads its configuration 64 times in a row: not proof of a restart */
  return TRUE;
}

void
lifeboat_engine_tether_free (LifeboatEngineTether *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_free (self);
}
