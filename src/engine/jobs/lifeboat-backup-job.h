/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-job.h"

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_BACKUP_JOB (lifeboat_backup_job_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatBackupJob, lifeboat_backup_job, LIFEBOAT, BACKUP_JOB, LifeboatJob)

/* writes <destination>/<project>-<YYYYMMDD-HHMMSS>/ (via .partial) */
LifeboatBackupJob *lifeboat_backup_job_new             (LifeboatDockerClient *client,
                                                        const char           *project_name,
                                                        GFile                *destination);
/* volume keys or names; NULL = the project's defaults (CVAT's cache left out) */
void               lifeboat_backup_job_set_volumes     (LifeboatBackupJob    *self,
                                                        const char * const   *volumes);
void               lifeboat_backup_job_set_compression (LifeboatBackupJob    *self,
                                                        LifeboatCompression   compression);
/* default TRUE: stop the running containers first, as `docker compose stop` */
void               lifeboat_backup_job_set_stop        (LifeboatBackupJob    *self,
                                                        gboolean              stop);
/* default TRUE: start again the containers that were running */
void               lifeboat_backup_job_set_restart     (LifeboatBackupJob    *self,
                                                        gboolean              restart);
/* internal use by restores: a safety backup (recorded as such in the history) */
void               lifeboat_backup_job_set_safety      (LifeboatBackupJob    *self,
                                                        gboolean              safety);

G_END_DECLS
