/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lifeboat-job.h"

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_JOB_VIEW (lifeboat_job_view_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatJobView, lifeboat_job_view, LIFEBOAT, JOB_VIEW, AdwBin)

/* shows @job's progress; "done" is emitted when the user closes the finished job's page */
LifeboatJob *lifeboat_job_view_get_job (LifeboatJobView *self);
void         lifeboat_job_view_set_job (LifeboatJobView *self,
                                        LifeboatJob     *job);
/* re-reads everything from the job (called on "progress" and when the job ends) */
void         lifeboat_job_view_update  (LifeboatJobView *self);

/* "TITLE\tPHASE\tBYTES\tRATE\tRESULT" (tests) */
char        *_lifeboat_job_view_dup_text (LifeboatJobView *self);
void         _lifeboat_job_view_click_cancel (LifeboatJobView *self);

G_END_DECLS
