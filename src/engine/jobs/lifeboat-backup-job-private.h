/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-backup-job.h"

G_BEGIN_DECLS

/*
 * Reads volume @volume_name from @path in @container instead of from where the project mounts
 * it; the archive keeps the volume's own mount path as its root. The restore job uses it to
 * archive a volume's previous contents after it moved them aside within the volume.
 */
void _lifeboat_backup_job_set_source (LifeboatBackupJob *self,
                                      const char        *volume_name,
                                      const char        *container,
                                      const char        *path);

G_END_DECLS
