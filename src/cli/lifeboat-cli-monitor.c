/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-monitor"

/*
 * lifeboat-cli monitor: the background monitor that XDG autostart starts with the session
 * (data/io.github.lifeboat.Lifeboat.Monitor.desktop). It runs due schedules through
 * `lifeboat-cli schedule run ID` (a `lifeboat-cli backup` underneath, so each run takes the
 * project's lock like any job), never two at once for one engine and project, and tells the
 * user through org.freedesktop.Notifications: what, how big and how long when a run
 * succeeds; the one sentence when it fails, with a default action that opens Lifeboat on the
 * job (`lifeboat --job ID`, the history id that `schedule run` reports). A
 * schedule whose last run failed, or that has not succeeded in twice its interval, is
 * reported again when the monitor starts and every hour until a run succeeds.
 *
 * $LIFEBOAT_MINUTE_SECONDS (tests) makes a minute last that many seconds, here and in the
 * schedules' due times.
 */

#include "config.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "lifeboat-format.h"
#include "lifeboat-schedule.h"

#include "lifeboat-cli-private.h"

#define APP_ID "io.github.lifeboat.Lifeboat"

typedef struct
{
  GMainLoop       *loop;
  GDBusConnection *bus;
  GHashTable      *busy;        /* engine/project keys with a run going */
  GHashTable      *notified;    /* schedule id → notification id (guint) */
  GHashTable      *jobs;        /* notification id (guint) → the job it tells of (history id) */
  GHashTable      *reminded;    /* schedule id → monotonic time of the last reminder */
  char            *self_path;
  gint64           remind_every;  /* µs */
} Monitor;

typedef struct
{
  Monitor *monitor;
  char    *key;
  char    *id;
  char    *project;
} Run;

static char *
run_key (const LifeboatSchedule *s)
{
  return g_strdup_printf ("%s/%s/%s", s->engine_id ? s->engine_id : "",
                          s->host ? s->host : "", s->project);
}

static void
notify (Monitor    *monitor,
        const char *id,
        const char *job,
        const char *summary,
        const char *body,
        gboolean    urgent)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder actions;
  GVariantBuilder hints;
  guint replaces = GPOINTER_TO_UINT (g_hash_table_lookup (monitor->notified, id));
  guint new_id = 0;

  if (monitor->bus == NULL)
    {
      g_message ("%s: %s", summary, body);
      return;
    }

  g_variant_builder_init (&actions, G_VARIANT_TYPE ("as"));
  g_variant_builder_add (&actions, "s", "default");
  g_variant_builder_add (&actions, "s", _("Open Lifeboat"));
  g_variant_builder_init (&hints, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (urgent ? 2 : 1));

  reply = g_dbus_connection_call_sync (monitor->bus, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "Notify",
                                       g_variant_new ("(susssasa{sv}i)", "Lifeboat", replaces,
                                                      APP_ID, summary, body, &actions, &hints,
                                                      urgent ? 0 : -1),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 10000,
                                       NULL, &error);
  if (reply == NULL)
    {
      g_message ("Could not show a notification (%s): %s: %s", error->message, summary, body);
      return;
    }
  g_variant_get (reply, "(u)", &new_id);
  g_hash_table_replace (monitor->notified, g_strdup (id), GUINT_TO_POINTER (new_id));
  if (job != NULL)
    g_hash_table_replace (monitor->jobs, GUINT_TO_POINTER (new_id), g_strdup (job));
  else
    g_hash_table_remove (monitor->jobs, GUINT_TO_POINTER (new_id));
}

static void
on_action_invoked (GDBusConnection *bus,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         data)
{
  Monitor *monitor = data;
  GHashTableIter iter;
  gpointer value;
  guint id = 0;
  const char *action = NULL;
  gboolean ours = FALSE;

  g_variant_get (parameters, "(u&s)", &id, &action);
  g_hash_table_iter_init (&iter, monitor->notified);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ours |= GPOINTER_TO_UINT (value) == id;
  if (!ours)
    return;

  /* the window, on the job the notification tells of (`lifeboat --job ID`) */
  {
    g_autoptr(GError) error = NULL;
    const char *job = g_hash_table_lookup (monitor->jobs, GUINT_TO_POINTER (id));
    g_autofree char *job_arg = job ? g_strconcat ("--job=", job, NULL) : NULL;
    const char *argv[] = { "lifeboat", job_arg, NULL };

    if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &error))
      g_message ("Could not open Lifeboat: %s", error->message);
  }
}

static void
on_run_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  GSubprocess *child = G_SUBPROCESS (object);
  Run *run = data;
  Monitor *monitor = run->monitor;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  JsonObject *o = NULL;
  const char *job;

  if (g_subprocess_communicate_utf8_finish (child, result, &out, NULL, &error) && out != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
      guint n = g_strv_length (lines);

      if (n > 0 && json_parser_load_from_data (parser, lines[n - 1], -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        o = json_node_get_object (json_parser_get_root (parser));
    }

  job = o ? json_object_get_string_member_with_default (o, "job", NULL) : NULL;
  if (o != NULL && json_object_get_boolean_member_with_default (o, "ok", FALSE))
    {
      g_autofree char *size = lifeboat_format_size (json_object_get_int_member_with_default (o, "bytes", 0));
      g_autofree char *took = lifeboat_format_duration (json_object_get_double_member_with_default (o, "seconds", 0));
      g_autofree char *summary = g_strdup_printf (_("Backed up %s"), run->project);
      const char *drill = json_object_get_string_member_with_default (o, "drill", NULL);
      g_autofree char *body = NULL;

      if (drill == NULL)
        body = g_strdup_printf (_("%s in %s, by its schedule."), size, took);
      else if (g_str_equal (drill, "ok"))
        body = g_strdup_printf (_("%s in %s, by its schedule. A restore drill of it started the "
                                  "database."), size, took);
      else
        body = g_strdup_printf (_("%s in %s, by its schedule. Its restore drill failed: %s"),
                                size, took, drill);

      notify (monitor, run->id, job, summary, body, FALSE);
      g_hash_table_remove (monitor->reminded, run->id);
    }
  else
    {
      const char *why = o ? json_object_get_string_member_with_default (o, "error", NULL) : NULL;
      g_autofree char *summary = g_strdup_printf (_("Scheduled backup of %s failed"), run->project);

      notify (monitor, run->id, job, summary,
              why ? why : (error ? error->message : _("The backup ended without saying why.")),
              TRUE);
      g_hash_table_replace (monitor->reminded, g_strdup (run->id),
                            g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)));
    }

  g_hash_table_remove (monitor->busy, run->key);
  g_free (run->key);
  g_free (run->id);
  g_free (run->project);
  g_free (run);
}

static void
start_run (Monitor          *monitor,
           LifeboatSchedule *s)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  Run *run;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            monitor->self_path, "schedule", "run", s->id, NULL);
  if (child == NULL)
    {
      g_warning ("Could not start the schedule %s: %s", s->id, error->message);
      return;
    }

  run = g_new0 (Run, 1);
  run->monitor = monitor;
  run->key = run_key (s);
  run->id = g_strdup (s->id);
  run->project = g_strdup (s->project);
  g_hash_table_add (monitor->busy, g_strdup (run->key));
  g_message ("Running schedule %s (%s)", s->id, s->project);
  g_subprocess_communicate_utf8_async (child, NULL, NULL, on_run_done, run);
}

static void
remind (Monitor               *monitor,
        LifeboatSchedule      *s,
        LifeboatScheduleState *state,
        GDateTime             *now)
{
  gint64 *last = g_hash_table_lookup (monitor->reminded, s->id);
  gint64 t = g_get_monotonic_time ();
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;

  if (last != NULL && t - *last < monitor->remind_every)
    return;

  if (state->last_error != NULL)
    {
      summary = g_strdup_printf (_("Scheduled backup of %s failed"), s->project);
      body = g_strdup (state->last_error);
    }
  else if (lifeboat_schedule_is_overdue (s, state->last_success, now))
    {
      summary = g_strdup_printf (_("Backups of %s are overdue"), s->project);
      body = g_strdup (_("No scheduled backup has succeeded in twice its interval."));
    }
  else
    return;

  notify (monitor, s->id, NULL, summary, body, TRUE);
  g_hash_table_replace (monitor->reminded, g_strdup (s->id), g_memdup2 (&t, sizeof t));
}

static gboolean
tick (gpointer data)
{
  Monitor *monitor = data;
  g_autoptr(GPtrArray) schedules = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  schedules = lifeboat_schedules_load (NULL, &error);
  if (schedules == NULL)
    {
      g_warning ("%s", error->message);
      return G_SOURCE_CONTINUE;
    }

  for (guint i = 0; i < schedules->len; i++)
    {
      LifeboatSchedule *s = g_ptr_array_index (schedules, i);
      g_autoptr(LifeboatScheduleState) state = NULL;
      g_autofree char *key = run_key (s);

      if (s->every == LIFEBOAT_SCHEDULE_OFF || g_hash_table_contains (monitor->busy, key))
        continue;

      state = lifeboat_schedule_state_load (s->id);
      if (lifeboat_schedule_is_due (s, state->last_run, now))
        start_run (monitor, s);
      else
        remind (monitor, s, state, now);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
_lifeboat_cli_monitor (int    argc,
                       char **argv)
{
  Monitor monitor = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *lock_dir = g_build_filename (g_get_user_runtime_dir (), "lifeboat", NULL);
  g_autofree char *lock_path = g_build_filename (lock_dir, "monitor.lock", NULL);
  double minute = lifeboat_schedule_get_minute_seconds ();
  guint interval_ms = (guint) CLAMP (minute * 1000 / 4, 250, 30000);
  int status = EXIT_OK;
  int lock_fd;

  if (!parse_command_options ("monitor", "", NULL, &argc, &argv, &status))
    return status;

  /* one monitor per user */
  g_mkdir_with_parents (lock_dir, 0700);
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_printerr (_("lifeboat-cli: Another monitor runs already; this one did nothing.\n"));
      return EXIT_FAILED;
    }

  monitor.loop = g_main_loop_new (NULL, FALSE);
  monitor.busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  monitor.notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  monitor.jobs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  monitor.reminded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  monitor.self_path = g_file_read_link ("/proc/self/exe", NULL);
  monitor.remind_every = (gint64) (60 * minute * G_USEC_PER_SEC);
  if (monitor.self_path == NULL)
    monitor.self_path = g_strdup (argv[0]);

  monitor.bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (monitor.bus == NULL)
    g_message ("No session bus, so no notifications: %s", error->message);
  else
    g_dbus_connection_signal_subscribe (monitor.bus, "org.freedesktop.Notifications",
                                        "org.freedesktop.Notifications", "ActionInvoked",
                                        "/org/freedesktop/Notifications", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_action_invoked, &monitor,
                                        NULL);

  g_unix_signal_add (SIGINT, on_quit_signal, monitor.loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, monitor.loop);
  g_unix_signal_add (SIGHUP, on_quit_signal, monitor.loop);

  tick (&monitor);
  g_timeout_add (interval_ms, tick, &monitor);
  g_main_loop_run (monitor.loop);

  g_clear_object (&monitor.bus);
  g_hash_table_unref (monitor.busy);
  g_hash_table_unref (monitor.notified);
  g_hash_table_unref (monitor.jobs);
  g_hash_table_unref (monitor.reminded);
  g_main_loop_unref (monitor.loop);
  g_free (monitor.self_path);
  close (lock_fd);
  return EXIT_OK;
}
