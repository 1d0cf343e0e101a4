/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-docker-client.h"

G_BEGIN_DECLS

/*
 * A tether to one run of the engine: a quiet /events connection held open while a job reads or
 * writes volumes. dockerd closes it only when it exits, and while it shuts down it may still
 * finish an archive it is sending from volumes it has already unmounted: a well-formed tar that
 * lacks files. A job that holds a tether checks it after its transfers; see
 * lifeboat_engine_tether_check_sync().
 */
typedef struct _LifeboatEngineTether LifeboatEngineTether;

/* NULL without an error when the engine has no /events (the job then goes on without) */
LifeboatEngineTether *lifeboat_engine_tether_new_sync   (LifeboatDockerClient  *client,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
/* TRUE when the engine answering now is the one that answered when @self was made, and it has
 * not begun to stop in between: a fresh request must succeed (the listener of an engine that
 * is shutting down is closed) and the tether must still be open */
gboolean              lifeboat_engine_tether_check_sync (LifeboatEngineTether  *self,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
void                  lifeboat_engine_tether_free       (LifeboatEngineTether  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatEngineTether, lifeboat_engine_tether_free)

G_END_DECLS
