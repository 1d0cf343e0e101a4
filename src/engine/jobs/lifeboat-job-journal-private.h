/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-job-guard-private.h"
#include "lifeboat-job-lock-private.h"
#include "lifeboat-job.h"

G_BEGIN_DECLS

/*
 * What every job that changes an engine does around its steps (backup, restore):
 * _lifeboat_job_take_project() takes the project's lock and first recovers what an interrupted
 * job left (a sentence about it in @recovered_out); _lifeboat_job_begin() journals who runs what;
 * _lifeboat_job_end() puts the restart policies back, journals the end and lets the lock go —
 * unless @journal_ok is FALSE (something could not be put back), when the journal stays for the
 * next Lifeboat to recover.
 */
LifeboatJobLock *_lifeboat_job_take_project (LifeboatJob      *job,
                                             const char       *project,
                                             const char       *image,
                                             char            **recovered_out,
                                             GCancellable     *cancellable,
                                             GError          **error);
gboolean         _lifeboat_job_begin        (LifeboatJob      *job,
                                             LifeboatJobLock  *lock,
                                             JsonObject       *details,
                                             GError          **error);
void             _lifeboat_job_end          (LifeboatJob      *job,
                                             LifeboatJobLock  *lock,
                                             LifeboatGuard    *guard,
                                             gboolean          ok,
                                             gboolean          journal_ok);

G_END_DECLS
