/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-docker-client.h"

G_BEGIN_DECLS

/*
 * Watches one engine through the Engine API's event stream (GET /events, container and volume
 * events), on a connection of its own that waits as long as the engine is quiet. "changed" is
 * emitted (at most every CHANGED_DELAY ms) when a container or volume changed; when the stream
 * ends (the engine stopped, the socket went away, the SSH tunnel dropped) "gone" becomes TRUE
 * at once with the reason (a ping every few seconds notices an engine that closed its API
 * before its event stream), and the watch reconnects with back-off (1 s, 2 s, 4 s … 30 s);
 * "gone" becomes FALSE again when the engine answers. Signals and notifications are emitted on
 * the thread-default main context of the thread that called _new().
 */

typedef enum
{
  LIFEBOAT_ENGINE_WATCH_CONNECTING,
  LIFEBOAT_ENGINE_WATCH_WATCHING,
  LIFEBOAT_ENGINE_WATCH_GONE,
} LifeboatEngineWatchState;

#define LIFEBOAT_TYPE_ENGINE_WATCH (lifeboat_engine_watch_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatEngineWatch, lifeboat_engine_watch, LIFEBOAT, ENGINE_WATCH, GObject)

/* starts watching at once; stops when the last reference goes (or with _stop()) */
LifeboatEngineWatch     *lifeboat_engine_watch_new        (LifeboatDockerClient *client);
void                     lifeboat_engine_watch_stop       (LifeboatEngineWatch  *self);
/* properties "state", "gone" (state == GONE), "reason" (translated, why it is gone) */
LifeboatEngineWatchState lifeboat_engine_watch_get_state  (LifeboatEngineWatch  *self);
gboolean                 lifeboat_engine_watch_get_gone   (LifeboatEngineWatch  *self);
const char              *lifeboat_engine_watch_get_reason (LifeboatEngineWatch  *self);
/* events seen (tests) */
guint                    lifeboat_engine_watch_get_n_events (LifeboatEngineWatch *self);

G_END_DECLS
