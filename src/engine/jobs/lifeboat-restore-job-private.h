/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-history.h"
#include "lifeboat-restore-job.h"

G_BEGIN_DECLS

/* The safety backup of a restore: the contents moved aside into @aside inside each of
 * @volume_names (of @project_name), read through a helper from @image, as a backup folder in
 * @safety_dir that @history records. Also used by the recovery to finish an interrupted
 * restore's safety copy. */
gboolean _lifeboat_restore_keep_safety (LifeboatDockerClient *client,
                                        const char           *project_name,
                                        const char           *image,
                                        const char           *aside,
                                        GPtrArray            *volume_names,
                                        GFile                *safety_dir,
                                        LifeboatHistory      *history,
                                        GCancellable         *cancellable,
                                        GFile               **folder_out,
                                        GError              **error);

G_END_DECLS
