/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-history.h"
#include "lifeboat-job.h"

G_BEGIN_DECLS

/* Called by subclasses, from the worker thread, to report progress. */
void     _lifeboat_job_set_kind          (LifeboatJob          *self,
                                          LifeboatJobKind       kind);
void     _lifeboat_job_set_project_name  (LifeboatJob          *self,
                                          const char           *name);
void     _lifeboat_job_set_phase         (LifeboatJob          *self,
                                          LifeboatJobPhase      phase);
/* the volumes, with expected bytes each (-1 unknown) */
void     _lifeboat_job_set_volumes       (LifeboatJob          *self,
                                          const char * const   *keys,
                                          const gint64         *totals);
void     _lifeboat_job_set_current_volume (LifeboatJob         *self,
                                           int                  index);
void     _lifeboat_job_set_volume_bytes_done (LifeboatJob      *self,
                                              guint             index,
                                              guint64           done);
/* a volume is done: its total becomes what was done */
/* progress of volume @index of @job, for a LifeboatArchiveProgressFunc (bytes, user_data) */
typedef struct
{
  LifeboatJob *job;
  guint        index;
} LifeboatVolumeProgress;

void     _lifeboat_job_volume_progress   (guint64               bytes,
                                          gpointer              volume_progress);
void     _lifeboat_job_finish_volume     (LifeboatJob          *self,
                                          guint                 index);
void     _lifeboat_job_set_folder        (LifeboatJob          *self,
                                          GFile                *folder);
void     _lifeboat_job_set_aftermath     (LifeboatJob          *self,
                                          const char           *aftermath);
/* for the history record */
void     _lifeboat_job_set_app_version   (LifeboatJob          *self,
                                          const char           *version);
void     _lifeboat_job_set_result_bytes  (LifeboatJob          *self,
                                          guint64               bytes);
/* where the job records itself; default lifeboat_history_get_default() */
void     _lifeboat_job_set_history       (LifeboatJob          *self,
                                          LifeboatHistory      *history);
LifeboatHistory *_lifeboat_job_get_history (LifeboatJob        *self);
/* The job's state as one line of JSON, what a worker sends; the line for a failure before the
 * job ran (no engine, no such project); and a state line applied to this job (in its thread):
 * the last line's outcome and error are the worker's result. See lifeboat-job-worker.h. */
char    *_lifeboat_job_dup_state_json    (LifeboatJob          *self);
char    *_lifeboat_job_dup_failure_json  (const GError         *error,
                                          const char           *aftermath);
void     _lifeboat_job_apply_state       (LifeboatJob          *self,
                                          JsonObject           *state,
                                          LifeboatJobOutcome   *outcome,
                                          GError              **job_error);
/* lifeboat-job-worker.c: the job run in @worker, made there from @settings */
gboolean _lifeboat_job_run_in_worker     (LifeboatJob          *self,
                                          const char           *worker,
                                          JsonObject           *settings,
                                          gboolean              background,
                                          GCancellable         *cancellable,
                                          GError              **error);
/* made from what dup_settings wrote (in the worker) */
LifeboatJob *_lifeboat_backup_job_new_from_settings  (LifeboatDockerClient *client,
                                                      JsonObject           *settings,
                                                      GError              **error);
LifeboatJob *_lifeboat_restore_job_new_from_settings (LifeboatDockerClient *client,
                                                      JsonObject           *settings,
                                                      GError              **error);
/* runs the job in the calling thread (used for nested jobs such as safety backups) */
gboolean _lifeboat_job_run_sync          (LifeboatJob          *self,
                                          GCancellable         *cancellable,
                                          GError              **error);

G_END_DECLS
