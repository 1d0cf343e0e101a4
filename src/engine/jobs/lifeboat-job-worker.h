/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The worker: a job run in a process of its own (lifeboat_job_set_worker()), so that its
 * threads share the CPU with the window as a group of their own. The whole protocol lives in
 * lifeboat-job-worker.c:
 *
 *   window → worker, its stdin: one line of JSON,
 *       {"protocol": 1, "host": URI, "host_name": NAME, "job": SETTINGS}
 *     where SETTINGS is what the job's class wrote of itself (LifeboatJobClass.dup_settings),
 *     then lines "cancel"; the end of stdin (the window went away) cancels too.
 *   worker → window, its stdout: one line of JSON with the job's state each time it changes,
 *     the last one with its outcome and error; exit status 0 when the job succeeded.
 *
 * The worker program is lifeboat-cli with the hidden first argument LIFEBOAT_WORKER_ARG; it
 * knows nothing of jobs but calls lifeboat_job_worker_main().
 */

#define LIFEBOAT_WORKER_ARG "--job-worker"

/* the worker program: $LIFEBOAT_CLI (tests, the build tree), else LIFEBOAT_WORKER_PATH from
 * config.h, else lifeboat-cli beside this program or in the build tree's src/cli; NULL when
 * none is there (jobs then run in this process) */
char *lifeboat_job_worker_find (void);

/* the worker's side: reads the first line from stdin, runs the job, writes its states to
 * stdout; returns the exit status */
int   lifeboat_job_worker_main (void);

G_END_DECLS
