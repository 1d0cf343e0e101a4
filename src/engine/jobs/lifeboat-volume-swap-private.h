/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-docker-client.h"

G_BEGIN_DECLS

/*
 * Swapping a volume's contents without letting them leave the volume: a restore moves each
 * volume's current contents into a hidden folder inside that same volume (a rename), writes
 * the new contents next to it, and either removes the folder (done) or moves its contents back
 * (rolled back). The scripts run in a short helper container from @image that mounts the
 * volumes (@binds, "volume:/lifeboat/<i>") and is given the folders in it (@dirs). Each script
 * is safe to run again after an interruption at any point: that is what the recovery does.
 */

#define LIFEBOAT_SWAP_ROOT "/lifeboat"
#define LIFEBOAT_ASIDE_PREFIX ".lifeboat-restore-"

/* a new hidden folder name, ".lifeboat-restore-<random>" */
char     *_lifeboat_swap_new_aside_name (void);

/* Moves the contents of every folder in @dirs into @aside inside it. @all_empty_out: every
 * folder was empty (nothing to keep). @started_out: the script started (it may have moved some
 * even when this fails). */
gboolean  _lifeboat_swap_move_aside     (LifeboatDockerClient *client,
                                         const char           *image,
                                         GPtrArray            *binds,
                                         const char           *aside,
                                         GPtrArray            *dirs,
                                         gboolean             *all_empty_out,
                                         gboolean             *started_out,
                                         GCancellable         *cancellable,
                                         GError              **error);
/* Puts @aside's contents back in every folder of @dirs; @clean: first remove what was written
 * next to it (only once writing began: before, everything next to it is still the old data).
 * A folder without @aside is left alone. Not cancellable. */
gboolean  _lifeboat_swap_move_back      (LifeboatDockerClient *client,
                                         const char           *image,
                                         GPtrArray            *binds,
                                         const char           *aside,
                                         gboolean              clean,
                                         GPtrArray            *dirs,
                                         GError              **error);
/* Removes @aside from every folder of @dirs. Not cancellable. */
gboolean  _lifeboat_swap_remove_aside   (LifeboatDockerClient *client,
                                         const char           *image,
                                         GPtrArray            *binds,
                                         const char           *aside,
                                         GPtrArray            *dirs,
                                         GError              **error);
/* Lists the hidden folders of interrupted restores at the top of @volume ("" when none,
 * else the names, space separated). */
char     *_lifeboat_swap_find_asides    (LifeboatDockerClient *client,
                                         const char           *image,
                                         const char           *volume,
                                         GCancellable         *cancellable,
                                         GError              **error);

G_END_DECLS
