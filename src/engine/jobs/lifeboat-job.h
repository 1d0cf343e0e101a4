/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * A long-running job (backup, restore) run in a worker thread. Its progress is read with
 * the getters below from the thread that created the job; the "progress" signal (no
 * arguments, at most ~10 times a second) and "notify" for phase/outcome are emitted on the
 * GMainContext that was the thread-default when the job was created.
 */

#define LIFEBOAT_TYPE_JOB (lifeboat_job_get_type ())
G_DECLARE_DERIVABLE_TYPE (LifeboatJob, lifeboat_job, LIFEBOAT, JOB, GObject)

struct _LifeboatJobClass
{
  GObjectClass parent_class;

  /* runs in the worker thread; report with the _lifeboat_job_* functions in lifeboat-job-private.h */
  gboolean (*run) (LifeboatJob   *self,
                   GCancellable  *cancellable,
                   GError       **error);

  /* optional: the job's settings as JSON, for running it in a worker (lifeboat-job-worker.h),
   * which makes the same job from them; NULL when this job cannot run there */
  JsonObject *(*dup_settings) (LifeboatJob *self);
  /* optional: readies the worker's launcher (a restic repository's password, which goes
   * through an inherited pipe: lifeboat_restic_prepare_worker()) */
  gboolean (*prepare_worker) (LifeboatJob          *self,
                              GSubprocessLauncher  *launcher,
                              GError              **error);
};

LifeboatJobKind     lifeboat_job_get_kind            (LifeboatJob *self);
LifeboatDockerClient *lifeboat_job_get_client        (LifeboatJob *self);
const char         *lifeboat_job_get_project_name    (LifeboatJob *self);
LifeboatJobPhase    lifeboat_job_get_phase           (LifeboatJob *self);
/* translated, e.g. "Stopping containers", "Volume 2 of 5: cvat_data" */
char               *lifeboat_job_dup_phase_label     (LifeboatJob *self);
LifeboatJobOutcome  lifeboat_job_get_outcome         (LifeboatJob *self);
/* the error of a failed job */
const GError       *lifeboat_job_get_error           (LifeboatJob *self);
/* backup: the finished backup folder; restore: the source folder */
GFile              *lifeboat_job_get_folder          (LifeboatJob *self);
/* volume keys the job works on, in order; NULL-terminated; set once when the job starts
 * (before the first "progress"), valid as long as the job */
const char * const *lifeboat_job_get_volume_keys     (LifeboatJob *self);
guint               lifeboat_job_get_n_volumes       (LifeboatJob *self);
/* 0-based index of the volume being transferred, or -1 */
int                 lifeboat_job_get_current_volume  (LifeboatJob *self);
guint64             lifeboat_job_get_volume_bytes_done  (LifeboatJob *self,
                                                         guint        index);
/* -1 when unknown; never below the bytes done. A backup's is an estimate (the volume's size on
 * the engine) until the volume was read, then what was read */
gint64              lifeboat_job_get_volume_bytes_total (LifeboatJob *self,
                                                         guint        index);
gboolean            lifeboat_job_get_volume_total_is_estimate (LifeboatJob *self,
                                                               guint        index);
/* TRUE while any volume's total is an estimate */
gboolean            lifeboat_job_get_total_is_estimate (LifeboatJob *self);
guint64             lifeboat_job_get_bytes_done      (LifeboatJob *self);
gint64              lifeboat_job_get_bytes_total     (LifeboatJob *self);
/* 0.0 .. 1.0 */
double              lifeboat_job_get_fraction        (LifeboatJob *self);
double              lifeboat_job_get_fraction_for_volume (LifeboatJob *self,
                                                          guint        index);
/* bytes per second over the last seconds, 0 when unknown */
double              lifeboat_job_get_rate            (LifeboatJob *self);
/* -1 when unknown */
gint64              lifeboat_job_get_seconds_left    (LifeboatJob *self);
double              lifeboat_job_get_elapsed         (LifeboatJob *self);
/* when it succeeded: what the archives occupy (backup: written, restore: read), as the
 * history records it */
guint64             lifeboat_job_get_result_bytes    (LifeboatJob *self);
/* one sentence: what the job left as it was after a failure or cancel; NULL otherwise */
const char         *lifeboat_job_get_aftermath       (LifeboatJob *self);

/* before running: the job's threads run at a lower CPU priority (nice 10), for a window
 * whose main loop must stay responsive while the job keeps every core busy */
void                lifeboat_job_set_background      (LifeboatJob         *self,
                                                      gboolean             background);
/*
 * before running: do the work in a separate process, @program (the worker,
 * lifeboat_job_worker_find()), in a session of its own: its threads then share the CPU with the
 * window's process as a group of their own (the kernel's autogroup), instead of inside the
 * window's, where they made its main loop wait. The job's state comes back as lines of JSON
 * and is read with the same getters; cancelling asks the process to cancel, and the process
 * cancels by itself when the window goes away. The job is recorded in the history here, as
 * in-process. Ignored for jobs whose class cannot write their settings (dup_settings), and with
 * LIFEBOAT_JOBS_IN_PROCESS=1 in the environment. The protocol: lifeboat-job-worker.h.
 */
void                lifeboat_job_set_worker          (LifeboatJob         *self,
                                                      const char          *program);
/* whether the job runs (or ran) in the separate process of lifeboat_job_set_worker() */
gboolean            lifeboat_job_get_in_worker       (LifeboatJob         *self);
/* whether the job records itself in the history when it ends (default: TRUE) */
void                lifeboat_job_set_records_history (LifeboatJob         *self,
                                                      gboolean             records);
void                lifeboat_job_run_async           (LifeboatJob         *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean            lifeboat_job_run_finish          (LifeboatJob         *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* cancels a running job (the cancellable given to run_async) */
void                lifeboat_job_cancel              (LifeboatJob         *self);

G_END_DECLS
