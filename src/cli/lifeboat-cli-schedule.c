/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/*
 * lifeboat-cli schedule add, list and remove: backups that run by themselves. One run of a
 * schedule is lifeboat-cli-schedule-run.c, its retention lifeboat-cli-prune.c.
 *
 * The monitor is a hidden command of lifeboat-cli rather than a program of its own: it needs
 * the same engine library, the same option parsing and the same path to itself that every
 * scheduled run takes (`lifeboat-cli schedule run ID`, which runs `lifeboat-cli backup` like a
 * user would, so the run takes the project's lock like any job), and one binary is one thing
 * to install and keep in step. XDG autostart starts it with the session
 * (data/io.github.lifeboat.Lifeboat.Monitor.desktop).
 */

#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lifeboat-retention.h"
#include "lifeboat-schedule.h"

#include "lifeboat-cli-private.h"

static gboolean
parse_weekday (const char *str,
               guint      *weekday)
{
  static const char * const names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strncasecmp (str, names[i], 3) == 0)
      {
        *weekday = i + 1;
        return TRUE;
      }
  if (g_ascii_isdigit (str[0]) && str[1] == '\0' && str[0] >= '1' && str[0] <= '7')
    {
      *weekday = str[0] - '0';
      return TRUE;
    }
  return FALSE;
}

static gboolean
parse_at (const char *str,
          guint      *hour,
          guint      *minute)
{
  unsigned h = 0, m = 0;
  char end = 0;

  if (sscanf (str, "%u:%u%c", &h, &m, &end) != 2 || h > 23 || m > 59)
    return FALSE;
  *hour = h;
  *minute = m;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* schedule */

static int
schedule_add (int    argc,
              char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *every_str = NULL;
  g_autofree char *at = NULL;
  g_autofree char *day = NULL;
  g_autofree char *compression_str = NULL;
  g_autofree char *volumes_str = NULL;
  g_autofree char *unit_dir = NULL;
  int minutes = 0, keep_last = 0, keep_daily = 0, keep_weekly = 0, keep_monthly = 0;
  int drill_every = 0;
  gboolean system = FALSE, crontab = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to,
      N_("Folder or restic repository to write the backups into"), "DIR|REPO" },
    { "every", 0, 0, G_OPTION_ARG_STRING, &every_str,
      N_("off, hourly, daily (default) or weekly"), "WHEN" },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("Time of day (daily, weekly) or :MM (hourly)"), "HH:MM" },
    { "day", 0, 0, G_OPTION_ARG_STRING, &day, N_("Day of the week (weekly)"), "DAY" },
    { "every-minutes", 0, 0, G_OPTION_ARG_INT, &minutes, N_("Every N minutes instead"), "N" },
    { "compression", 0, 0, G_OPTION_ARG_STRING, &compression_str, N_("gzip, zstd or none"), "KIND" },
    { "volumes", 0, 0, G_OPTION_ARG_STRING, &volumes_str, N_("Only these volumes"), "KEY,..." },
    { "keep-last", 0, 0, G_OPTION_ARG_INT, &keep_last, N_("After each run keep the newest N"), "N" },
    { "keep-daily", 0, 0, G_OPTION_ARG_INT, &keep_daily, N_("… and one a day for N days"), "N" },
    { "keep-weekly", 0, 0, G_OPTION_ARG_INT, &keep_weekly, N_("… and one a week for N weeks"), "N" },
    { "keep-monthly", 0, 0, G_OPTION_ARG_INT, &keep_monthly, N_("… and one a month for N months"), "N" },
    { "drill-every", 0, 0, G_OPTION_ARG_INT, &drill_every, N_("Drill every Nth good backup"), "N" },
    { "system", 0, 0, G_OPTION_ARG_NONE, &system,
      N_("Write a systemd service and timer (or print a crontab line) instead of the desktop monitor"), NULL },
    { "unit-dir", 0, 0, G_OPTION_ARG_FILENAME, &unit_dir,
      N_("Where --system writes the units (default /etc/systemd/system as root)"), "DIR" },
    { "crontab", 0, 0, G_OPTION_ARG_NONE, &crontab, N_("With --system: print a crontab line"), NULL },
    { NULL }
  };
  g_autoptr(LifeboatSchedule) schedule = lifeboat_schedule_new ();
  g_autoptr(GPtrArray) schedules = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autofree char *what = NULL;
  g_autofree char *id = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("schedule add", "PROJECT", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“schedule add” needs exactly one PROJECT"));
  if (to == NULL)
    return usage_error (_("“schedule add” needs --to DIR, the folder to write the backups into"));
  if (every_str != NULL && !lifeboat_schedule_every_from_string (every_str, &schedule->every))
    return usage_error (_("Unknown --every “%s”: use off, hourly, daily or weekly"), every_str);
  if (minutes > 0)
    {
      schedule->every = LIFEBOAT_SCHEDULE_MINUTES;
      schedule->interval = minutes;
    }
  else if (schedule->every == LIFEBOAT_SCHEDULE_MINUTES)
    return usage_error (_("Use --every-minutes N for a schedule in minutes"));
  if (at != NULL)
    {
      if (schedule->every == LIFEBOAT_SCHEDULE_HOURLY && at[0] == ':')
        {
          g_autofree char *full = g_strconcat ("00", at, NULL);

          if (!parse_at (full, &schedule->hour, &schedule->minute))
            return usage_error (_("--at takes HH:MM, or :MM for hourly"));
        }
      else if (!parse_at (at, &schedule->hour, &schedule->minute))
        return usage_error (_("--at takes HH:MM, or :MM for hourly"));
    }
  if (day != NULL && !parse_weekday (day, &schedule->weekday))
    return usage_error (_("--day takes a day of the week: mon, tue, … sun"));
  if (compression_str != NULL && !lifeboat_compression_from_string (compression_str, &schedule->compression))
    return usage_error (_("Unknown compression “%s”: use gzip, zstd or none"), compression_str);
  if (keep_last < 0 || keep_daily < 0 || keep_weekly < 0 || keep_monthly < 0 || drill_every < 0)
    return usage_error (_("--keep-… and --drill-every take a number, 0 or more"));

  schedule->project = g_strdup (argv[1]);
  destination = g_file_new_for_commandline_arg (to);
  /* a restic repository as restic spells it; a folder by its path */
  if (lifeboat_restic_location_is_repository (to))
    schedule->destination = g_strdup (to);
  else
    schedule->destination = g_file_get_path (destination);
  if (schedule->destination == NULL)
    schedule->destination = g_file_get_uri (destination);
  schedule->volumes = split_volumes (volumes_str);
  schedule->retention.last = keep_last;
  schedule->retention.daily = keep_daily;
  schedule->retention.weekly = keep_weekly;
  schedule->retention.monthly = keep_monthly;
  schedule->drill_every = drill_every;
  schedule->host = g_strdup (globals.host);

  /* the engine's identity: the schedule belongs to this engine, however it is reached */
  if (!(client = open_client (&error)))
    return fail (error, _("No schedule was added."));
  schedule->engine_id = g_strdup (lifeboat_docker_client_get_engine_id (client));

  if (!(schedules = lifeboat_schedules_load (NULL, &error)))
    return fail (error, _("No schedule was added."));

  what = lifeboat_schedule_describe (schedule);
  id = g_strdup (schedule->id);

  if (system)
    {
      g_autofree char *self_path = dup_self_path ();
      g_autofree char *quoted_host = globals.host ? g_shell_quote (globals.host) : NULL;
      g_autofree char *command = NULL;
      struct passwd *pw = getpwuid (getuid ());
      const char *user = pw ? pw->pw_name : g_get_user_name ();
      gboolean has_systemd = g_file_test ("/run/systemd/system", G_FILE_TEST_IS_DIR) ||
                             g_find_program_in_path ("systemctl") != NULL;

      /* the unit runs as this user with this user's files, whatever its environment */
      command = g_strdup_printf ("/usr/bin/env XDG_CONFIG_HOME=%s XDG_DATA_HOME=%s XDG_STATE_HOME=%s "
                                 "%s%s%s schedule run %s",
                                 g_get_user_config_dir (), g_get_user_data_dir (),
                                 g_get_user_state_dir (), self_path,
                                 quoted_host ? " --host " : "", quoted_host ? quoted_host : "",
                                 schedule->id);

      if (schedule->every == LIFEBOAT_SCHEDULE_OFF)
        return usage_error (_("--system needs a schedule that is not off"));

      if (crontab || (!has_systemd && unit_dir == NULL))
        {
          g_autofree char *line = lifeboat_schedule_dup_crontab (schedule, command);

          g_print (_("# No systemd here: add this line with “crontab -e” as %s\n"), user);
          g_print ("%s\n", line);
        }
      else
        {
          g_autofree char *dir_path = NULL;
          g_autoptr(GFile) dir = NULL;

          if (unit_dir != NULL)
            dir_path = g_strdup (unit_dir);
          else if (getuid () == 0)
            dir_path = g_strdup ("/etc/systemd/system");
          else
            dir_path = g_build_filename (g_get_user_config_dir (), "lifeboat", "systemd", NULL);
          dir = g_file_new_for_commandline_arg (dir_path);

          if (!lifeboat_schedule_write_systemd_units (schedule, dir, command, user, &error))
            return fail (error, _("No schedule was added."));

          g_print (_("Wrote lifeboat-schedule-%s.service and .timer into %s.\n"), id, dir_path);
          if (getuid () != 0 && unit_dir == NULL)
            g_print (_("Copy them into /etc/systemd/system as root, then run:\n"));
          else
            g_print (_("To start the timer, run:\n"));
          g_print ("  systemctl daemon-reload && systemctl enable --now lifeboat-schedule-%s.timer\n", id);
        }
    }

  g_ptr_array_add (schedules, g_steal_pointer (&schedule));
  if (!lifeboat_schedules_save (schedules, NULL, &error))
    return fail (error, _("No schedule was added."));

  g_print (_("Schedule %s: %s, %s\n"), id, argv[1], what);
  return EXIT_OK;
}

static int
schedule_list (int    argc,
               char **argv)
{
  g_autoptr(GPtrArray) schedules = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonArray) array = json_array_new ();
  int status = EXIT_OK;

  if (!parse_command_options ("schedule list", "[PROJECT]", NULL, &argc, &argv, &status))
    return status;

  if (!(schedules = lifeboat_schedules_load (NULL, &error)))
    return fail (error, NULL);

  if (schedules->len == 0 && !globals.json)
    g_print ("%s\n", _("No schedules."));

  for (guint i = 0; i < schedules->len; i++)
    {
      LifeboatSchedule *s = g_ptr_array_index (schedules, i);
      g_autoptr(LifeboatScheduleState) state = lifeboat_schedule_state_load (s->id);
      g_autofree char *what = lifeboat_schedule_describe (s);
      g_autofree char *keep = lifeboat_retention_to_string (&s->retention);
      g_autoptr(GDateTime) next = lifeboat_schedule_next_after (s, state->last_run ? state->last_run : s->created);
      gboolean overdue = lifeboat_schedule_is_overdue (s, state->last_success, now);

      if (argc == 2 && g_strcmp0 (argv[1], s->project) != 0)
        continue;

      if (globals.json)
        {
          JsonNode *node = lifeboat_schedule_to_json (s);
          JsonObject *o = json_node_get_object (node);

          if (state->last_run)
            json_object_set_string_member (o, "last_run", g_date_time_format_iso8601 (state->last_run));
          if (state->last_success)
            json_object_set_string_member (o, "last_success",
                                           g_date_time_format_iso8601 (state->last_success));
          if (state->last_error)
            json_object_set_string_member (o, "last_error", state->last_error);
          json_object_set_int_member (o, "runs", state->runs);
          json_object_set_boolean_member (o, "overdue", overdue);
          json_array_add_element (array, node);
          continue;
        }

      g_print ("%.8s  %-14s %-24s → %s\n", s->id, s->project, what, s->destination);
      g_print ("          %s: %s", _("keep"), keep);
      if (s->drill_every > 0)
        g_print (_(", drill every %u"), s->drill_every);
      if (s->host != NULL)
        g_print (", --host %s", s->host);
      g_print ("\n");
      if (state->last_success != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (state->last_success);
          g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");

          g_print ("          %s %s\n", _("last good backup"), when);
        }
      if (next != NULL && s->every != LIFEBOAT_SCHEDULE_OFF)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (next);
          g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");

          g_print ("          %s %s\n", _("next"), when);
        }
      if (state->last_error != NULL)
        g_print ("          %s %s\n", _("last run failed:"), state->last_error);
      if (overdue)
        g_print ("          %s\n", _("overdue: no backup succeeded in twice its interval"));
    }

  if (globals.json)
    print_json_array (array);
  return EXIT_OK;
}

static int
schedule_remove (int    argc,
                 char **argv)
{
  g_autofree char *unit_dir = NULL;
  GOptionEntry entries[] = {
    { "unit-dir", 0, 0, G_OPTION_ARG_FILENAME, &unit_dir,
      N_("Also remove the units --system wrote there"), "DIR" },
    { NULL }
  };
  g_autoptr(GPtrArray) schedules = NULL;
  g_autoptr(GError) error = NULL;
  LifeboatSchedule *s;
  g_autofree char *id = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("schedule remove", "ID", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“schedule remove” needs exactly one ID"));
  if (!(schedules = lifeboat_schedules_load (NULL, &error)))
    return fail (error, _("No schedule was removed."));
  if (!(s = lifeboat_schedules_find (schedules, argv[1])))
    {
      g_printerr (_("lifeboat-cli: There is no schedule %s; nothing was removed.\n"), argv[1]);
      return EXIT_FAILED;
    }

  id = g_strdup (s->id);
  for (guint d = 0; d < 3; d++)
    {
      const char *dirs[] = {
        unit_dir, getuid () == 0 ? "/etc/systemd/system" : NULL,
        NULL,
      };
      g_autofree char *user_dir = g_build_filename (g_get_user_config_dir (), "lifeboat", "systemd", NULL);
      const char *dir = d < 2 ? dirs[d] : user_dir;

      for (guint k = 0; dir != NULL && k < 2; k++)
        {
          g_autofree char *name = g_strdup_printf ("lifeboat-schedule-%s.%s", id, k ? "timer" : "service");
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (g_unlink (path) == 0)
            g_print (_("Removed %s (run “systemctl daemon-reload”)\n"), path);
        }
    }

  g_ptr_array_remove (schedules, s);
  if (!lifeboat_schedules_save (schedules, NULL, &error))
    return fail (error, _("No schedule was removed."));
  g_print (_("Removed schedule %s.\n"), id);
  return EXIT_OK;
}

int
_lifeboat_cli_schedule (int    argc,
                        char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return schedule_add (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return schedule_list (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "remove"))
    return schedule_remove (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "run"))
    return _lifeboat_cli_schedule_run (argc - 1, argv + 1);
  if (argc < 2)
    return schedule_list (argc, argv);
  return usage_error (_("“schedule” takes add, list, remove or run"));
}
