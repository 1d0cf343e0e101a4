/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-window-private.h"

/*
 * Live state: each connected engine is watched through its event stream
 * (LifeboatEngineWatch). A container or volume that changed makes the window look at the
 * engine's projects again; an engine that goes away shows as gone at once, with the reason;
 * when it answers again the window connects to it again. Jobs are left alone: they see the
 * engine's state themselves, and the window looks again when they end.
 */

static void
watch_changed_cb (LifeboatEngineWatch *watch,
                  Host                *host)
{
  LifeboatWindow *self = host->window;

  if (self == NULL || host->row == NULL || host != self->current_host ||
      host->state != HOST_CONNECTED || self->job_running || self->planning)
    return;

  self->live_updates++;
  _lifeboat_window_rediscover (self);
}

static void
watch_gone_cb (LifeboatEngineWatch *watch,
               GParamSpec          *pspec,
               Host                *host)
{
  LifeboatWindow *self = host->window;

  if (self == NULL || host->row == NULL)
    return;

  if (lifeboat_engine_watch_get_gone (watch))
    {
      if (host->state != HOST_CONNECTED)
        return;
      host->state = HOST_UNREACHABLE;
      g_free (host->reason);
      host->reason = g_strdup (lifeboat_engine_watch_get_reason (watch));
      g_free (host->advice);
      host->advice = g_strdup (_("Lifeboat connects again by itself as soon as the engine "
                                 "answers."));
      _lifeboat_window_host_update_row (host);
      if (host == self->current_host)
        _lifeboat_window_show_current (self);
      _lifeboat_window_update_actions (self);
    }
  else if (host->state == HOST_UNREACHABLE)
    {
      /* back: a new client, then the projects again */
      _lifeboat_window_host_connect (self, host);
    }
}

void
_lifeboat_window_watch_host (LifeboatWindow *self,
                             Host           *host)
{
  _lifeboat_window_unwatch_host (host);
  if (host->client == NULL)
    return;

  host->window = self;
  host->watch = lifeboat_engine_watch_new (host->client);
  g_signal_connect (host->watch, "changed", G_CALLBACK (watch_changed_cb), host);
  g_signal_connect (host->watch, "notify::gone", G_CALLBACK (watch_gone_cb), host);
}

void
_lifeboat_window_unwatch_host (Host *host)
{
  if (host->watch == NULL)
    return;
  g_signal_handlers_disconnect_by_data (host->watch, host);
  lifeboat_engine_watch_stop (host->watch);
  g_clear_object (&host->watch);
}
