/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-docker-client.h"
#include "lifeboat-job-lock-private.h"

G_BEGIN_DECLS

#define LIFEBOAT_JOURNAL_MOUNT "/j"
#define LIFEBOAT_JOURNAL_HEARTBEAT "heartbeat"

/* Writes @names with @contents (NULL-terminated, text) into @dir below the journal volume of
 * @container, in one PUT. */
gboolean    _lifeboat_journal_put_files (LifeboatDockerClient *client,
                                         const char           *container,
                                         const char           *dir,
                                         const char * const   *names,
                                         const char * const   *contents,
                                         GError              **error);
/* Every job's journal in the volume, keyed by job id (LifeboatJournal); the heartbeats (job ->
 * gint64 unix seconds) into @heartbeats when not NULL. A newest entry that does not parse (half
 * written) is left out. */
GHashTable *_lifeboat_journal_read_all  (LifeboatDockerClient *client,
                                         const char           *container,
                                         GHashTable           *heartbeats,
                                         GCancellable         *cancellable,
                                         GError              **error);
/* for g_ptr_array_sort: the oldest journal first */
int         _lifeboat_journal_compare   (gconstpointer         a,
                                         gconstpointer         b);

G_END_DECLS
