/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lifeboat-project.h"

G_BEGIN_DECLS

/*
 * The "Schedule" group of the project page: when the project is backed up by itself
 * (lifeboat-schedule.h), where to, how long backups are kept (with a preview of what the
 * policy would remove, before it is saved), a drill every Nth backup; and the last good
 * backup, with a warning when a schedule is overdue.
 */

#define LIFEBOAT_TYPE_SCHEDULE_GROUP (lifeboat_schedule_group_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatScheduleGroup, lifeboat_schedule_group, LIFEBOAT, SCHEDULE_GROUP,
                      AdwPreferencesGroup)

LifeboatProject *lifeboat_schedule_group_get_project (LifeboatScheduleGroup *self);
void             lifeboat_schedule_group_set_project (LifeboatScheduleGroup *self,
                                                      LifeboatProject       *project);
/* the engine the schedule is for: its /info ID and how it is reached (NULL: the default) */
void             lifeboat_schedule_group_set_engine  (LifeboatScheduleGroup *self,
                                                      const char            *engine_id,
                                                      const char            *host);
/* reads the form into the schedules file, replacing this project's and engine's */
gboolean         lifeboat_schedule_group_save        (LifeboatScheduleGroup *self,
                                                      GError               **error);

/* for History: "restored and started on 6 Dec" on a backup whose last drill succeeded, "drill
 * failed on 6 Dec" on one whose last drill failed, nothing (an empty box) on one never drilled */
GtkWidget       *_lifeboat_drill_badge_new (const char *folder);

/* tests: the texts shown */
const char      *_lifeboat_schedule_group_get_status  (LifeboatScheduleGroup *self);
const char      *_lifeboat_schedule_group_get_preview (LifeboatScheduleGroup *self);
gboolean         _lifeboat_schedule_group_get_overdue (LifeboatScheduleGroup *self);
void             _lifeboat_schedule_group_set_expanded (LifeboatScheduleGroup *self,
                                                        gboolean               expanded);
void             _lifeboat_schedule_group_set_form    (LifeboatScheduleGroup *self,
                                                       const char            *every,
                                                       const char            *destination,
                                                       guint                  keep_last,
                                                       guint                  keep_daily,
                                                       guint                  keep_weekly,
                                                       guint                  keep_monthly);

G_END_DECLS
