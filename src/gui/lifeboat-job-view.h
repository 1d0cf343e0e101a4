/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lifeboat-format.h"
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

/* the containers the job left stopped (names), with a "Start the Containers Again" button
 * that emits "start-again"; NULL or empty hides them */
void         lifeboat_job_view_set_stopped (LifeboatJobView    *self,
                                            const char * const *names);
/* container ID -> name: the errors shown name containers, not IDs */
void         lifeboat_job_view_set_container_names (LifeboatJobView *self,
                                                    GHashTable      *names);

/* "TITLE\tPHASE\tBYTES\tRATE\tRESULT" (tests) */
char        *_lifeboat_job_view_dup_text (LifeboatJobView *self);
void         _lifeboat_job_view_click_cancel (LifeboatJobView *self);
/* the "stopped" sentence, or NULL when hidden; clicks Start the Containers Again */
const char  *_lifeboat_job_view_get_stopped (LifeboatJobView *self);
void         _lifeboat_job_view_click_start_again (LifeboatJobView *self);
/* "FAILED of ALL": the bars (the job's and its volumes') that look failed */
char        *_lifeboat_job_view_dup_failed_bars (LifeboatJobView *self);

G_END_DECLS
