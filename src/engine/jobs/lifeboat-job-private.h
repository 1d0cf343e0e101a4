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
/* runs the job in the calling thread (used for nested jobs such as safety backups) */
gboolean _lifeboat_job_run_sync          (LifeboatJob          *self,
                                          GCancellable         *cancellable,
                                          GError              **error);

G_END_DECLS
