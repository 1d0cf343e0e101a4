/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lifeboat-retention.h"
#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * Backups that run by themselves: one schedule per project, engine (the engine's /info ID)
 * and host URI, kept in $XDG_CONFIG_HOME/lifeboat/schedules.json. What each schedule did
 * last (its state) is kept apart, in $XDG_STATE_HOME/lifeboat/schedules/<id>.json, so the
 * monitor never rewrites the file the user edits.
 *
 * Due times follow anacron and systemd's Persistent=true: a schedule is due when one of its
 * slots has passed since its last run; however many slots passed while the machine was off,
 * it runs once.
 */

typedef enum
{
  LIFEBOAT_SCHEDULE_OFF,
  LIFEBOAT_SCHEDULE_HOURLY,     /* every hour at :minute */
  LIFEBOAT_SCHEDULE_DAILY,      /* every day at hour:minute */
  LIFEBOAT_SCHEDULE_WEEKLY,     /* on weekday at hour:minute */
  LIFEBOAT_SCHEDULE_MINUTES,    /* every interval minutes after the last run */
} LifeboatScheduleEvery;

typedef struct
{
  char                  *id;
  char                  *project;
  char                  *engine_id;       /* the engine's /info ID, NULL when unknown */
  char                  *host;            /* --host URI, NULL for the default engine */
  LifeboatScheduleEvery  every;
  guint                  hour;
  guint                  minute;
  guint                  weekday;         /* 1 Monday … 7 Sunday */
  guint                  interval;        /* minutes, for LIFEBOAT_SCHEDULE_MINUTES */
  char                  *destination;
  LifeboatCompression    compression;
  char                 **volumes;         /* NULL: all */
  LifeboatRetention      retention;
  guint                  drill_every;     /* drill every Nth good run; 0 never */
  GDateTime             *created;
} LifeboatSchedule;

typedef struct
{
  GDateTime *last_run;        /* when the last run started */
  GDateTime *last_success;    /* when the last good run started */
  char      *last_error;      /* the sentence of the last failed run; NULL after a success */
  char      *last_folder;
  guint      runs;
  guint      successes;
} LifeboatScheduleState;

LifeboatSchedule      *lifeboat_schedule_new             (void);
void                   lifeboat_schedule_free            (LifeboatSchedule       *self);
LifeboatSchedule      *lifeboat_schedule_new_from_json   (JsonObject             *object,
                                                          GError                **error);
JsonNode              *lifeboat_schedule_to_json         (const LifeboatSchedule *self);
const char            *lifeboat_schedule_every_to_string (LifeboatScheduleEvery   every);
gboolean               lifeboat_schedule_every_from_string (const char           *str,
                                                          LifeboatScheduleEvery  *every);
/* "daily at 02:30", "weekly on Monday at 03:00", "off" */
char                  *lifeboat_schedule_describe        (const LifeboatSchedule *self);

/* how long a minute lasts in seconds: 60, or $LIFEBOAT_MINUTE_SECONDS for tests */
double                 lifeboat_schedule_get_minute_seconds (void);
/* the nominal time between runs, in seconds (minutes scaled as above); 0 when off */
gint64                 lifeboat_schedule_get_interval    (const LifeboatSchedule *self);
/* the first slot strictly after @after, NULL when off */
GDateTime             *lifeboat_schedule_next_after      (const LifeboatSchedule *self,
                                                          GDateTime              *after);
/*
 * Whether a run is due at @now, given the last run's start (@last_run, NULL when it never ran:
 * then the slots count from the schedule's creation).
 */
gboolean               lifeboat_schedule_is_due          (const LifeboatSchedule *self,
                                                          GDateTime              *last_run,
                                                          GDateTime              *now);
/* TRUE when no run succeeded in twice the interval (from creation when none ever did) */
gboolean               lifeboat_schedule_is_overdue      (const LifeboatSchedule *self,
                                                          GDateTime              *last_success,
                                                          GDateTime              *now);

/* systemd's OnCalendar= for the schedule, or NULL when it has no calendar form */
char                  *lifeboat_schedule_dup_on_calendar (const LifeboatSchedule *self);
/* a crontab line that runs @command */
char                  *lifeboat_schedule_dup_crontab     (const LifeboatSchedule *self,
                                                          const char             *command);
/* writes lifeboat-schedule-<id>.service and .timer into @dir, running @command as @user */
gboolean               lifeboat_schedule_write_systemd_units (const LifeboatSchedule *self,
                                                          GFile                  *dir,
                                                          const char             *command,
                                                          const char             *user,
                                                          GError                **error);

/* the list in the config file; @file NULL: $XDG_CONFIG_HOME/lifeboat/schedules.json */
GFile                 *lifeboat_schedules_get_default_file (void);
GPtrArray             *lifeboat_schedules_load           (GFile                  *file,
                                                          GError                **error);
gboolean               lifeboat_schedules_save           (GPtrArray              *schedules,
                                                          GFile                  *file,
                                                          GError                **error);
LifeboatSchedule      *lifeboat_schedules_find           (GPtrArray              *schedules,
                                                          const char             *id);

LifeboatScheduleState *lifeboat_schedule_state_load      (const char             *id);
gboolean               lifeboat_schedule_state_save      (const char             *id,
                                                          LifeboatScheduleState  *state,
                                                          GError                **error);
void                   lifeboat_schedule_state_free      (LifeboatScheduleState  *state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatSchedule, lifeboat_schedule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatScheduleState, lifeboat_schedule_state_free)

G_END_DECLS
