/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-schedule"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lifeboat-error.h"
#include "lifeboat-schedule.h"
#include "lifeboat-util-private.h"

static const char * const every_names[] = {
  [LIFEBOAT_SCHEDULE_OFF] = "off",
  [LIFEBOAT_SCHEDULE_HOURLY] = "hourly",
  [LIFEBOAT_SCHEDULE_DAILY] = "daily",
  [LIFEBOAT_SCHEDULE_WEEKLY] = "weekly",
  [LIFEBOAT_SCHEDULE_MINUTES] = "minutes",
};

/* systemd's and cron's names, Monday first as ISO 8601 and g_date_time_get_day_of_week */
static const char * const weekday_names[] = { NULL, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

LifeboatSchedule *
lifeboat_schedule_new (void)
{
  LifeboatSchedule *self = g_new0 (LifeboatSchedule, 1);

  self->id = g_uuid_string_random ();
  self->every = LIFEBOAT_SCHEDULE_DAILY;
  self->hour = 2;
  self->minute = 0;
  self->weekday = 7;
  self->interval = 60;
  self->compression = LIFEBOAT_COMPRESSION_GZIP;
  self->created = g_date_time_new_now_utc ();
  return self;
}

void
lifeboat_schedule_free (LifeboatSchedule *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->project);
  g_free (self->engine_id);
  g_free (self->host);
  g_free (self->destination);
  g_strfreev (self->volumes);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_free (self);
}

const char *
lifeboat_schedule_every_to_string (LifeboatScheduleEvery every)
{
  g_return_val_if_fail (every < G_N_ELEMENTS (every_names), "off");
  return every_names[every];
}

gboolean
lifeboat_schedule_every_from_string (const char            *str,
                                     LifeboatScheduleEvery *every)
{
  for (guint i = 0; i < G_N_ELEMENTS (every_names); i++)
    if (g_strcmp0 (str, every_names[i]) == 0)
      {
        *every = i;
        return TRUE;
      }
  return FALSE;
}

char *
lifeboat_schedule_describe (const LifeboatSchedule *self)
{
  g_autoptr(GDateTime) monday = g_date_time_new_local (2024, 1, 1, 0, 0, 0);   /* a Monday */
  g_autoptr(GDateTime) day = NULL;
  g_autofree char *day_name = NULL;

  switch (self->every)
    {
    case LIFEBOAT_SCHEDULE_HOURLY:
      return g_strdup_printf (_("hourly at :%02u"), self->minute);
    case LIFEBOAT_SCHEDULE_DAILY:
      return g_strdup_printf (_("daily at %02u:%02u"), self->hour, self->minute);
    case LIFEBOAT_SCHEDULE_WEEKLY:
      day = g_date_time_add_days (monday, (int) CLAMP (self->weekday, 1, 7) - 1);
      day_name = g_date_time_format (day, "%A");
      return g_strdup_printf (_("weekly on %s at %02u:%02u"), day_name, self->hour, self->minute);
    case LIFEBOAT_SCHEDULE_MINUTES:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "every %u minute", "every %u minutes",
                                           self->interval), self->interval);
    case LIFEBOAT_SCHEDULE_OFF:
    default:
      return g_strdup (_("off"));
    }
}

/* ---------------------------------------------------------------------------------------- */
/* JSON */

static guint
get_uint (JsonObject *object,
          const char *name,
          guint       fallback)
{
  gint64 v = json_object_get_int_member_with_default (object, name, fallback);

  return v < 0 || v > G_MAXUINT ? fallback : (guint) v;
}

LifeboatSchedule *
lifeboat_schedule_new_from_json (JsonObject  *object,
                                 GError     **error)
{
  g_autoptr(LifeboatSchedule) self = lifeboat_schedule_new ();
  const char *id = json_object_get_string_member_with_default (object, "id", NULL);
  const char *project = json_object_get_string_member_with_default (object, "project", NULL);
  const char *created;
  JsonObject *keep;

  if (id == NULL || project == NULL ||
      !lifeboat_schedule_every_from_string (json_object_get_string_member_with_default (object, "every", NULL),
                                            &self->every))
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("A schedule has no id, project or kind"));
      return NULL;
    }

  g_free (self->id);
  self->id = g_strdup (id);
  self->project = g_strdup (project);
  self->engine_id = g_strdup (json_object_get_string_member_with_default (object, "engine_id", NULL));
  self->host = g_strdup (json_object_get_string_member_with_default (object, "host", NULL));
  self->hour = MIN (get_uint (object, "hour", 2), 23);
  self->minute = MIN (get_uint (object, "minute", 0), 59);
  self->weekday = CLAMP (get_uint (object, "weekday", 7), 1, 7);
  self->interval = MAX (get_uint (object, "interval", 60), 1);
  self->destination = g_strdup (json_object_get_string_member_with_default (object, "destination", NULL));
  if (!lifeboat_compression_from_string (json_object_get_string_member_with_default (object, "compression", "gzip"),
                                         &self->compression))
    self->compression = LIFEBOAT_COMPRESSION_GZIP;
  self->volumes = _lifeboat_json_dup_strv (object, "volumes");
  if (json_object_has_member (object, "keep") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "keep")))
    {
      keep = json_object_get_object_member (object, "keep");
      self->retention.last = get_uint (keep, "last", 0);
      self->retention.daily = get_uint (keep, "daily", 0);
      self->retention.weekly = get_uint (keep, "weekly", 0);
      self->retention.monthly = get_uint (keep, "monthly", 0);
    }
  self->drill_every = get_uint (object, "drill_every", 0);
  created = json_object_get_string_member_with_default (object, "created", NULL);
  if (created != NULL)
    {
      GDateTime *t = g_date_time_new_from_iso8601 (created, NULL);

      if (t != NULL)
        {
          g_date_time_unref (self->created);
          self->created = t;
        }
    }

  return g_steal_pointer (&self);
}

JsonNode *
lifeboat_schedule_to_json (const LifeboatSchedule *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *created = g_date_time_format_iso8601 (self->created);

#define STR(name, value) \
  G_STMT_START { if ((value) != NULL) { json_builder_set_member_name (b, name); \
                                        json_builder_add_string_value (b, value); } } G_STMT_END
#define INT(name, value) \
  G_STMT_START { json_builder_set_member_name (b, name); \
                 json_builder_add_int_value (b, value); } G_STMT_END

  json_builder_begin_object (b);
  STR ("id", self->id);
  STR ("project", self->project);
  STR ("engine_id", self->engine_id);
  STR ("host", self->host);
  STR ("every", lifeboat_schedule_every_to_string (self->every));
  INT ("hour", self->hour);
  INT ("minute", self->minute);
  INT ("weekday", self->weekday);
  INT ("interval", self->interval);
  STR ("destination", self->destination);
  STR ("compression", lifeboat_compression_to_string (self->compression));
  if (self->volumes != NULL)
    {
      json_builder_set_member_name (b, "volumes");
      json_builder_begin_array (b);
      for (guint i = 0; self->volumes[i] != NULL; i++)
        json_builder_add_string_value (b, self->volumes[i]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "keep");
  json_builder_begin_object (b);
  INT ("last", self->retention.last);
  INT ("daily", self->retention.daily);
  INT ("weekly", self->retention.weekly);
  INT ("monthly", self->retention.monthly);
  json_builder_end_object (b);
  INT ("drill_every", self->drill_every);
  STR ("created", created);
  json_builder_end_object (b);

#undef STR
#undef INT

  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------------------------------- */
/* Time */

double
lifeboat_schedule_get_minute_seconds (void)
{
  const char *env = g_getenv ("LIFEBOAT_MINUTE_SECONDS");
  double v;

  if (env == NULL)
    return 60;
  v = g_ascii_strtod (env, NULL);
  return v > 0 && v <= 60 ? v : 60;
}

gint64
lifeboat_schedule_get_interval (const LifeboatSchedule *self)
{
  double minute = lifeboat_schedule_get_minute_seconds ();

  switch (self->every)
    {
    case LIFEBOAT_SCHEDULE_HOURLY: return (gint64) (60 * minute);
    case LIFEBOAT_SCHEDULE_DAILY: return (gint64) (24 * 60 * minute);
    case LIFEBOAT_SCHEDULE_WEEKLY: return (gint64) (7 * 24 * 60 * minute);
    case LIFEBOAT_SCHEDULE_MINUTES: return MAX ((gint64) (self->interval * minute), 1);
    case LIFEBOAT_SCHEDULE_OFF:
    default: return 0;
    }
}

/* @day at hour:minute, local time */
static GDateTime *
at_time (GDateTime *day,
         guint      hour,
         guint      minute)
{
  return g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                g_date_time_get_day_of_month (day), hour, minute, 0);
}

GDateTime *
lifeboat_schedule_next_after (const LifeboatSchedule *self,
                              GDateTime              *after)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) candidate = NULL;

  g_return_val_if_fail (self != NULL && after != NULL, NULL);

  local = g_date_time_to_local (after);

  switch (self->every)
    {
    case LIFEBOAT_SCHEDULE_HOURLY:
      candidate = g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local),
                                         g_date_time_get_day_of_month (local),
                                         g_date_time_get_hour (local), self->minute, 0);
      if (g_date_time_compare (candidate, local) <= 0)
        {
          GDateTime *next = g_date_time_add_hours (candidate, 1);

          g_date_time_unref (candidate);
          candidate = next;
        }
      return g_steal_pointer (&candidate);

    case LIFEBOAT_SCHEDULE_DAILY:
    case LIFEBOAT_SCHEDULE_WEEKLY:
      {
        int days = 0;

        if (self->every == LIFEBOAT_SCHEDULE_WEEKLY)
          days = ((int) CLAMP (self->weekday, 1, 7) - g_date_time_get_day_of_week (local) + 7) % 7;
        for (guint tries = 0; tries < 3; tries++)
          {
            g_autoptr(GDateTime) day = g_date_time_add_days (local, days);

            g_clear_pointer (&candidate, g_date_time_unref);
            candidate = at_time (day, self->hour, self->minute);
            if (candidate != NULL && g_date_time_compare (candidate, local) > 0)
              return g_steal_pointer (&candidate);
            days += self->every == LIFEBOAT_SCHEDULE_WEEKLY ? 7 : 1;
          }
        return NULL;
      }

    case LIFEBOAT_SCHEDULE_MINUTES:
      return g_date_time_add_seconds (local, (double) lifeboat_schedule_get_interval (self));

    case LIFEBOAT_SCHEDULE_OFF:
    default:
      return NULL;
    }
}

gboolean
lifeboat_schedule_is_due (const LifeboatSchedule *self,
                          GDateTime              *last_run,
                          GDateTime              *now)
{
  g_autoptr(GDateTime) next = NULL;

  g_return_val_if_fail (self != NULL && now != NULL, FALSE);

  if (self->every == LIFEBOAT_SCHEDULE_OFF)
    return FALSE;
  /* one slot after the last run (however many passed since): once, as anacron */
  next = lifeboat_schedule_next_after (self, last_run != NULL ? last_run : self->created);
  return next != NULL && g_date_time_compare (next, now) <= 0;
}

gboolean
lifeboat_schedule_is_overdue (const LifeboatSchedule *self,
                              GDateTime              *last_success,
                              GDateTime              *now)
{
  GDateTime *since = last_success != NULL ? last_success : self->created;
  gint64 interval = lifeboat_schedule_get_interval (self);

  if (interval == 0)
    return FALSE;
  return g_date_time_difference (now, since) / G_TIME_SPAN_SECOND > 2 * interval;
}

/* ---------------------------------------------------------------------------------------- */
/* systemd and cron */

char *
lifeboat_schedule_dup_on_calendar (const LifeboatSchedule *self)
{
  switch (self->every)
    {
    case LIFEBOAT_SCHEDULE_HOURLY:
      return g_strdup_printf ("*-*-* *:%02u:00", self->minute);
    case LIFEBOAT_SCHEDULE_DAILY:
      return g_strdup_printf ("*-*-* %02u:%02u:00", self->hour, self->minute);
    case LIFEBOAT_SCHEDULE_WEEKLY:
      return g_strdup_printf ("%s *-*-* %02u:%02u:00", weekday_names[CLAMP (self->weekday, 1, 7)],
                              self->hour, self->minute);
    case LIFEBOAT_SCHEDULE_MINUTES:
      if (self->interval < 60)
        return g_strdup_printf ("*-*-* *:00/%u:00", self->interval);
      return g_strdup_printf ("*-*-* 00/%u:00:00", MAX (self->interval / 60, 1));
    case LIFEBOAT_SCHEDULE_OFF:
    default:
      return NULL;
    }
}

char *
lifeboat_schedule_dup_crontab (const LifeboatSchedule *self,
                               const char             *command)
{
  switch (self->every)
    {
    case LIFEBOAT_SCHEDULE_HOURLY:
      return g_strdup_printf ("%u * * * * %s", self->minute, command);
    case LIFEBOAT_SCHEDULE_DAILY:
      return g_strdup_printf ("%u %u * * * %s", self->minute, self->hour, command);
    case LIFEBOAT_SCHEDULE_WEEKLY:
      return g_strdup_printf ("%u %u * * %u %s", self->minute, self->hour, self->weekday % 7, command);
    case LIFEBOAT_SCHEDULE_MINUTES:
      return g_strdup_printf ("*/%u * * * * %s", MIN (self->interval, 59), command);
    case LIFEBOAT_SCHEDULE_OFF:
    default:
      return NULL;
    }
}

static gboolean
write_private (GFile       *file,
               const char  *text,
               mode_t       mode,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);

  if (!g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &local_error) ||
      !g_file_set_attribute_uint32 (file, G_FILE_ATTRIBUTE_UNIX_MODE, mode,
                                    G_FILE_QUERY_INFO_NONE, NULL, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not write %s: %s"), name, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static char *
escape_percent (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "%", -1);

  return g_strjoinv ("%%", parts);
}

gboolean
lifeboat_schedule_write_systemd_units (const LifeboatSchedule  *self,
                                       GFile                   *dir,
                                       const char              *command,
                                       const char              *user,
                                       GError                 **error)
{
  g_autofree char *calendar = lifeboat_schedule_dup_on_calendar (self);
  g_autofree char *what = lifeboat_schedule_describe (self);
  g_autofree char *base = g_strdup_printf ("lifeboat-schedule-%s", self->id);
  g_autofree char *service_name = g_strconcat (base, ".service", NULL);
  g_autofree char *timer_name = g_strconcat (base, ".timer", NULL);
  g_autoptr(GFile) service = g_file_get_child (dir, service_name);
  g_autoptr(GFile) timer = g_file_get_child (dir, timer_name);
  g_autofree char *service_text = NULL;
  g_autofree char *timer_text = NULL;
  g_autofree char *project = NULL;
  g_autofree char *exec = NULL;

  if (calendar == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A schedule that is off has no timer"));
      return FALSE;
    }

  /* systemd expands %-specifiers in these; a literal % is %% */
  project = escape_percent (self->project);
  exec = escape_percent (command);

  service_text = g_strdup_printf (
    "# Written by lifeboat-cli schedule add --system; remove with lifeboat-cli schedule remove\n"
    "[Unit]\n"
    "Description=Lifeboat backup of %s (%s)\n"
    "Wants=network-online.target\n"
    "After=network-online.target docker.service\n"
    "\n"
    "[Service]\n"
    "Type=oneshot\n"
    "User=%s\n"
    "ExecStart=%s\n"
    "Nice=10\n"
    "IOSchedulingClass=idle\n",
    project, what, user, exec);

  timer_text = g_strdup_printf (
    "# Written by lifeboat-cli schedule add --system\n"
    "[Unit]\n"
    "Description=Lifeboat backup of %s, %s\n"
    "\n"
    "[Timer]\n"
    "OnCalendar=%s\n"
    "Persistent=true\n"
    "RandomizedDelaySec=60\n"
    "Unit=%s\n"
    "\n"
    "[Install]\n"
    "WantedBy=timers.target\n",
    project, what, calendar, service_name);

  if (g_mkdir_with_parents (g_file_peek_path (dir), 0755) != 0)
    {
      int saved = errno;
      g_autofree char *name = g_file_get_parse_name (dir);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create %s: %s"), name, g_strerror (saved));
      return FALSE;
    }

  return write_private (service, service_text, 0644, error) &&
         write_private (timer, timer_text, 0644, error);
}

/* ---------------------------------------------------------------------------------------- */
/* The file */

GFile *
lifeboat_schedules_get_default_file (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "lifeboat",
                                            "schedules.json", NULL);

  return g_file_new_for_path (path);
}

GPtrArray *
lifeboat_schedules_load (GFile   *file,
                         GError **error)
{
  g_autoptr(GFile) default_file = file ? NULL : lifeboat_schedules_get_default_file ();
  g_autoptr(GPtrArray) schedules = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_schedule_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  JsonNode *root;
  JsonArray *array;

  if (file == NULL)
    file = default_file;

  if (!g_file_load_contents (file, NULL, &text, &len, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return g_steal_pointer (&schedules);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not read the schedules: "));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, text, len, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not read the schedules: "));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "schedules") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "schedules")))
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("Could not read the schedules: the file has no list of schedules"));
      return NULL;
    }

  array = json_object_get_array_member (json_node_get_object (root), "schedules");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GError) item_error = NULL;
      LifeboatSchedule *schedule;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      schedule = lifeboat_schedule_new_from_json (json_node_get_object (node), &item_error);
      if (schedule == NULL)
        g_warning ("Skipping schedule %u: %s", i, item_error->message);
      else
        g_ptr_array_add (schedules, schedule);
    }

  return g_steal_pointer (&schedules);
}

gboolean
lifeboat_schedules_save (GPtrArray  *schedules,
                         GFile      *file,
                         GError    **error)
{
  g_autoptr(GFile) default_file = file ? NULL : lifeboat_schedules_get_default_file ();
  g_autoptr(GFile) parent = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  if (file == NULL)
    file = default_file;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "schedules");
  json_builder_begin_array (b);
  for (guint i = 0; i < schedules->len; i++)
    json_builder_add_value (b, lifeboat_schedule_to_json (g_ptr_array_index (schedules, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  parent = g_file_get_parent (file);
  if (g_mkdir_with_parents (g_file_peek_path (parent), 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create %s: %s"), g_file_peek_path (parent), g_strerror (saved));
      return FALSE;
    }

  return write_private (file, text, 0600, error);
}

LifeboatSchedule *
lifeboat_schedules_find (GPtrArray  *schedules,
                         const char *id)
{
  for (guint i = 0; i < schedules->len; i++)
    {
      LifeboatSchedule *s = g_ptr_array_index (schedules, i);

      /* a unique prefix is enough, as with git */
      if (g_str_has_prefix (s->id, id) && strlen (id) >= 4)
        return s;
    }
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* State */

static GFile *
state_file (const char *id)
{
  g_autofree char *name = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "lifeboat", "schedules",
                                            name, NULL);

  return g_file_new_for_path (path);
}

void
lifeboat_schedule_state_free (LifeboatScheduleState *state)
{
  if (state == NULL)
    return;
  g_clear_pointer (&state->last_run, g_date_time_unref);
  g_clear_pointer (&state->last_success, g_date_time_unref);
  g_free (state->last_error);
  g_free (state->last_folder);
  g_free (state);
}

static GDateTime *
get_time (JsonObject *object,
          const char *name)
{
  const char *text = json_object_get_string_member_with_default (object, name, NULL);

  return text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

LifeboatScheduleState *
lifeboat_schedule_state_load (const char *id)
{
  LifeboatScheduleState *state = g_new0 (LifeboatScheduleState, 1);
  g_autoptr(GFile) file = state_file (id);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  JsonNode *root;
  JsonObject *object;

  if (!g_file_load_contents (file, NULL, &text, &len, NULL, NULL) ||
      !json_parser_load_from_data (parser, text, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return state;

  object = json_node_get_object (root);
  state->last_run = get_time (object, "last_run");
  state->last_success = get_time (object, "last_success");
  state->last_error = g_strdup (json_object_get_string_member_with_default (object, "last_error", NULL));
  state->last_folder = g_strdup (json_object_get_string_member_with_default (object, "last_folder", NULL));
  state->runs = get_uint (object, "runs", 0);
  state->successes = get_uint (object, "successes", 0);
  return state;
}

gboolean
lifeboat_schedule_state_save (const char             *id,
                              LifeboatScheduleState  *state,
                              GError                **error)
{
  g_autoptr(GFile) file = state_file (id);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  if (state->last_run != NULL)
    {
      g_autofree char *t = g_date_time_format_iso8601 (state->last_run);
      json_builder_set_member_name (b, "last_run");
      json_builder_add_string_value (b, t);
    }
  if (state->last_success != NULL)
    {
      g_autofree char *t = g_date_time_format_iso8601 (state->last_success);
      json_builder_set_member_name (b, "last_success");
      json_builder_add_string_value (b, t);
    }
  _lifeboat_json_add_string_if (b, "last_error", state->last_error);
  _lifeboat_json_add_string_if (b, "last_folder", state->last_folder);
  json_builder_set_member_name (b, "runs");
  json_builder_add_int_value (b, state->runs);
  json_builder_set_member_name (b, "successes");
  json_builder_add_int_value (b, state->successes);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  if (g_mkdir_with_parents (g_file_peek_path (parent), 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create %s: %s"), g_file_peek_path (parent), g_strerror (saved));
      return FALSE;
    }
  return write_private (file, text, 0600, error);
}
