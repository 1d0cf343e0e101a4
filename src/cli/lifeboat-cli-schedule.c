/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/*
 * lifeboat-cli schedule, prune and monitor: backups that run by themselves.
 *
 * The monitor is a hidden command of lifeboat-cli rather than a program of its own: it needs
 * the same engine library, the same option parsing and the same path to itself that every
 * scheduled run takes (`lifeboat-cli schedule run ID`, which runs `lifeboat-cli backup` like a
 * user would, so the run takes the project's lock like any job), and one binary is one thing
 * to install and keep in step. XDG autostart starts it with the session
 * (data/io.github.lifeboat.Lifeboat.Monitor.desktop).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "lifeboat-history.h"
#include "lifeboat-manifest.h"
#include "lifeboat-retention.h"
#include "lifeboat-schedule.h"

#include "lifeboat-cli-private.h"

#define APP_ID "io.github.lifeboat.Lifeboat"

static char *
dup_self_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  return self ? g_steal_pointer (&self) : g_strdup ("lifeboat-cli");
}

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
/* prune */

static int
print_plan (GPtrArray *items,
            gboolean   dry_run)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dry_run");
  json_builder_add_boolean_value (b, dry_run);
  json_builder_set_member_name (b, "backups");
  json_builder_begin_array (b);
  for (guint i = 0; i < items->len; i++)
    {
      LifeboatRetentionItem *item = g_ptr_array_index (items, i);
      g_autofree char *when = item->created ? g_date_time_format (item->created, "%Y-%m-%d %H:%M")
                                            : g_strdup ("?");

      if (globals.json)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "folder");
          json_builder_add_string_value (b, item->path);
          json_builder_set_member_name (b, "keep");
          json_builder_add_boolean_value (b, item->keep);
          if (item->reason != NULL)
            {
              json_builder_set_member_name (b, "reason");
              json_builder_add_string_value (b, item->reason);
            }
          json_builder_end_object (b);
        }
      else if (item->keep)
        g_print ("keep    %s  %s  (%s)\n", when, item->path, item->reason);
      else
        g_print ("%s  %s  %s\n", dry_run ? "remove " : "removed", when, item->path);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  if (globals.json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      print_json (root);
    }
  return EXIT_OK;
}

/* the work of prune, shared with schedule run; prints nothing. A restic repository among
 * @destinations is pruned by whole backups (lifeboat_retention_remove_from_repository()); one
 * policy decides over all of them, as over several folders. */
static GPtrArray *
prune_project (const char              *project,
               const char * const      *destinations,
               const LifeboatRetention *policy,
               gboolean                 dry_run,
               GError                 **error)
{
  LifeboatHistory *history = lifeboat_history_get_default ();
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) repositories = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean any_folder = destinations == NULL;

  for (guint i = 0; destinations != NULL && destinations[i] != NULL; i++)
    {
      if (lifeboat_restic_location_is_repository (destinations[i]))
        {
          LifeboatResticRepository *repo = lifeboat_restic_repository_new (destinations[i]);

          g_ptr_array_add (repositories, repo);
          if (globals.password_file != NULL)
            lifeboat_restic_repository_set_password_file (repo, globals.password_file);
          /* the password checked before anything is decided */
          if (!lifeboat_restic_repository_open_sync (repo, FALSE, NULL, NULL, error))
            return NULL;
        }
      else
        any_folder = TRUE;
    }

  if (any_folder)
    items = lifeboat_retention_scan (history, project, destinations, NULL, error);
  else
    items = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_retention_item_free);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < repositories->len; i++)
    if (!lifeboat_retention_scan_repository (history, g_ptr_array_index (repositories, i),
                                             project, items, NULL, error))
      return NULL;
  lifeboat_retention_decide (policy, items);

  if (!dry_run)
    {
      for (guint i = 0; i < items->len; i++)
        {
          LifeboatRetentionItem *item = g_ptr_array_index (items, i);

          if (!item->keep && item->backup_id == NULL &&
              !lifeboat_retention_remove (history, item, NULL, error))
            return NULL;
        }
      for (guint i = 0; i < repositories->len; i++)
        if (!lifeboat_retention_remove_from_repository (history,
                                                        g_ptr_array_index (repositories, i),
                                                        items, NULL, error))
          return NULL;
    }

  return g_steal_pointer (&items);
}

int
_lifeboat_cli_prune (int    argc,
                     char **argv)
{
  g_auto(GStrv) to = NULL;
  int keep_last = 0, keep_daily = 0, keep_weekly = 0, keep_monthly = 0;
  gboolean dry_run = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &to,
      N_("A folder or restic repository that holds the project's backups (default: every folder "
         "the history knows)"), "DIR|REPO" },
    { "keep-last", 0, 0, G_OPTION_ARG_INT, &keep_last, N_("Keep the newest N backups"), "N" },
    { "keep-daily", 0, 0, G_OPTION_ARG_INT, &keep_daily, N_("Keep the last backup of N days"), "N" },
    { "keep-weekly", 0, 0, G_OPTION_ARG_INT, &keep_weekly, N_("Keep the last backup of N weeks"), "N" },
    { "keep-monthly", 0, 0, G_OPTION_ARG_INT, &keep_monthly,
      N_("Keep the last backup of N months"), "N" },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("Only list what would be removed"), NULL },
    { NULL }
  };
  LifeboatRetention policy = { 0 };
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("prune", "PROJECT", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“prune” needs exactly one PROJECT"));
  if (keep_last < 0 || keep_daily < 0 || keep_weekly < 0 || keep_monthly < 0)
    return usage_error (_("--keep-… take a number of backups, 0 or more"));

  policy.last = keep_last;
  policy.daily = keep_daily;
  policy.weekly = keep_weekly;
  policy.monthly = keep_monthly;
  if (lifeboat_retention_is_empty (&policy))
    return usage_error (_("“prune” needs at least one of --keep-last, --keep-daily, --keep-weekly "
                          "and --keep-monthly"));

  items = prune_project (argv[1], (const char * const *) to, &policy, dry_run, &error);
  if (items == NULL)
    return fail (error, _("The backups not yet removed were left as they were."));

  return print_plan (items, dry_run);
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
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (root, array);
      print_json (root);
    }
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

/* a lock per engine and project on this machine, so that a timer and the monitor never run two
 * backups of one project at once; the engine-side lock of the jobs does the same across
 * machines */
static int
take_local_lock (const LifeboatSchedule *s)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", s->engine_id ? s->engine_id : "", s->project);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "lifeboat", NULL);
  g_autofree char *name = g_strconcat (sum, ".lock", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd;

  g_mkdir_with_parents (dir, 0700);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && flock (fd, LOCK_EX) != 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

/* the backup a run made: a folder, or "<location>#<ID>" in a restic repository */
static GFile *
open_backup_file (const char *name)
{
  g_autofree char *location = NULL;
  g_autofree char *id = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;

  if (!lifeboat_restic_split_backup_name (name, &location, &id) ||
      !lifeboat_restic_location_is_repository (location))
    return g_file_new_for_commandline_arg (name);
  repo = lifeboat_restic_repository_new (location);
  if (globals.password_file != NULL)
    lifeboat_restic_repository_set_password_file (repo, globals.password_file);
  return lifeboat_restic_repository_get_file (repo, id);
}

static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  guint n = g_strv_length (lines);

  for (guint i = n; i > 0; i--)
    if (g_strstrip (lines[i - 1])[0] != '\0')
      return g_strdup (lines[i - 1]);
  return NULL;
}

/* runs `lifeboat-cli ARGS`; its stderr passes through and its last line is the error */
static gboolean
run_self (GPtrArray  *args,
          char      **out_stdout,
          char      **out_error)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (args, NULL);
  child = g_subprocess_newv ((const char * const *) args->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                             G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error);
  if (child == NULL || !g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error))
    {
      *out_error = g_strdup (error->message);
      return FALSE;
    }
  if (err != NULL)
    g_printerr ("%s", err);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (g_subprocess_get_if_exited (child) && g_subprocess_get_exit_status (child) == 0)
    return TRUE;

  *out_error = last_line (err);
  if (*out_error != NULL && g_str_has_prefix (*out_error, "lifeboat-cli: "))
    memmove (*out_error, *out_error + strlen ("lifeboat-cli: "),
             strlen (*out_error) - strlen ("lifeboat-cli: ") + 1);
  if (*out_error == NULL)
    *out_error = g_strdup (_("The backup ended without saying why."));
  return FALSE;
}

/* the id of the newest backup of @s's project on its engine recorded since @since, or NULL
 * (a run that failed before it reached the engine records none) */
static char *
backup_record_since (const LifeboatSchedule *s,
                     GDateTime              *since)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GDateTime) from = g_date_time_add_seconds (since, -2);

  entries = lifeboat_history_list_for_engine (lifeboat_history_get_default (), s->engine_id,
                                              s->project, NULL);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (entries, i);
      GDateTime *started = lifeboat_history_entry_get_started (e);

      if (lifeboat_history_entry_get_kind (e) == LIFEBOAT_JOB_KIND_BACKUP && started != NULL &&
          g_date_time_compare (started, from) >= 0)
        return g_strdup (lifeboat_history_entry_get_id (e));
    }
  return NULL;
}

/* schedule run ID: one run of a schedule now, as its timer or the monitor starts it. Prints
 * one JSON line: {ok, schedule, project, folder, bytes, seconds, error, pruned, drill, job} */
static int
schedule_run (int    argc,
              char **argv)
{
  g_autoptr(GPtrArray) schedules = NULL;
  g_autoptr(LifeboatScheduleState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *self_path = dup_self_path ();
  g_autofree char *out = NULL;
  g_autofree char *run_error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *line = NULL;
  g_autofree char *drill = NULL;
  g_autoptr(GDateTime) run_started = NULL;
  g_autofree char *job = NULL;
  LifeboatSchedule *s;
  guint64 bytes = 0;
  guint pruned = 0;
  gint64 t0;
  gboolean ok;
  int lock_fd;
  int status = EXIT_OK;

  if (!parse_command_options ("schedule run", "ID", NULL, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“schedule run” needs exactly one ID"));
  if (!(schedules = lifeboat_schedules_load (NULL, &error)))
    return fail (error, _("Nothing was backed up."));
  if (!(s = lifeboat_schedules_find (schedules, argv[1])))
    {
      g_printerr (_("lifeboat-cli: There is no schedule %s; nothing was backed up.\n"), argv[1]);
      return EXIT_FAILED;
    }

  /* a restic repository's password, for the backup run below and retention: restic's own
   * variable, which the child inherits (never a command line) */
  if (globals.password_file != NULL)
    g_setenv ("RESTIC_PASSWORD_FILE", globals.password_file, TRUE);

  lock_fd = take_local_lock (s);
  state = lifeboat_schedule_state_load (s->id);
  g_clear_pointer (&state->last_run, g_date_time_unref);
  state->last_run = g_date_time_new_now_utc ();
  state->runs++;
  if (!lifeboat_schedule_state_save (s->id, state, &error))
    g_warning ("%s", error->message);
  g_clear_error (&error);
  t0 = g_get_monotonic_time ();

  g_ptr_array_add (args, g_strdup (self_path));
  if (s->host != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--host"));
      g_ptr_array_add (args, g_strdup (s->host));
    }
  g_ptr_array_add (args, g_strdup ("backup"));
  g_ptr_array_add (args, g_strdup (s->project));
  g_ptr_array_add (args, g_strdup ("--to"));
  g_ptr_array_add (args, g_strdup (s->destination));
  /* a restic repository compresses by itself */
  if (!lifeboat_restic_location_is_repository (s->destination))
    {
      g_ptr_array_add (args, g_strdup ("--compression"));
      g_ptr_array_add (args, g_strdup (lifeboat_compression_to_string (s->compression)));
    }
  if (s->volumes != NULL && s->volumes[0] != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--volumes"));
      g_ptr_array_add (args, g_strjoinv (",", s->volumes));
    }

  /* the schedule belongs to one engine: the same one however it is reached */
  if (s->engine_id != NULL)
    {
      g_autoptr(LifeboatDockerClient) client = NULL;
      g_autofree char *saved_host = globals.host;

      globals.host = s->host;
      client = open_client (&error);
      globals.host = g_steal_pointer (&saved_host);
      if (client == NULL)
        run_error = g_strdup_printf (_("Could not reach the engine: %s"), error->message);
      else if (g_strcmp0 (lifeboat_docker_client_get_engine_id (client), s->engine_id) != 0)
        run_error = g_strdup (_("The engine is not the one the schedule was made for, so nothing "
                                "was backed up"));
    }

  run_started = g_date_time_new_now_utc ();
  ok = run_error == NULL && run_self (args, &out, &run_error);
  /* the backup's own record, so that a notification can open Lifeboat on it */
  job = backup_record_since (s, run_started);
  if (ok)
    {
      g_autoptr(GFile) file = NULL;
      g_autoptr(LifeboatManifest) manifest = NULL;

      folder = last_line (out);
      file = folder ? open_backup_file (folder) : NULL;
      manifest = file ? lifeboat_manifest_load (file, NULL, NULL) : NULL;
      for (guint i = 0; manifest != NULL && i < manifest->volumes->len; i++)
        bytes += ((LifeboatManifestVolume *) g_ptr_array_index (manifest->volumes, i))->archive_bytes;

      state->successes++;
      g_clear_pointer (&state->last_success, g_date_time_unref);
      state->last_success = g_date_time_ref (state->last_run);
      g_clear_pointer (&state->last_error, g_free);
      g_free (state->last_folder);
      state->last_folder = g_strdup (folder);

      /* retention, only after a good backup, only in this schedule's destination */
      if (!lifeboat_retention_is_empty (&s->retention))
        {
          const char *dests[] = { s->destination, NULL };
          g_autoptr(GPtrArray) items = prune_project (s->project, dests, &s->retention, FALSE, &error);

          for (guint i = 0; items != NULL && i < items->len; i++)
            pruned += !((LifeboatRetentionItem *) g_ptr_array_index (items, i))->keep;
          if (items == NULL)
            {
              g_printerr ("lifeboat-cli: %s\n", error->message);
              g_clear_error (&error);
            }
        }

      /* a restore drill of every Nth good backup */
      if (s->drill_every > 0 && folder != NULL && state->successes % s->drill_every == 0)
        {
          g_autoptr(GPtrArray) drill_args = g_ptr_array_new_with_free_func (g_free);
          g_autofree char *drill_error = NULL;

          g_ptr_array_add (drill_args, g_strdup (self_path));
          if (s->host != NULL)
            {
              g_ptr_array_add (drill_args, g_strdup ("--host"));
              g_ptr_array_add (drill_args, g_strdup (s->host));
            }
          g_ptr_array_add (drill_args, g_strdup ("drill"));
          g_ptr_array_add (drill_args, g_strdup (folder));
          drill = run_self (drill_args, NULL, &drill_error) ? g_strdup ("ok") : g_steal_pointer (&drill_error);
        }
    }
  else
    {
      g_free (state->last_error);
      state->last_error = g_strdup (run_error);
    }

  if (!lifeboat_schedule_state_save (s->id, state, &error))
    g_warning ("%s", error->message);
  if (lock_fd >= 0)
    close (lock_fd);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  json_builder_set_member_name (b, "schedule");
  json_builder_add_string_value (b, s->id);
  json_builder_set_member_name (b, "project");
  json_builder_add_string_value (b, s->project);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, (gint64) bytes);
  json_builder_set_member_name (b, "pruned");
  json_builder_add_int_value (b, pruned);
  if (folder != NULL)
    {
      json_builder_set_member_name (b, "folder");
      json_builder_add_string_value (b, folder);
    }
  if (run_error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, run_error);
    }
  if (drill != NULL)
    {
      json_builder_set_member_name (b, "drill");
      json_builder_add_string_value (b, drill);
    }
  if (job != NULL)
    {
      json_builder_set_member_name (b, "job");
      json_builder_add_string_value (b, job);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);

  return ok ? EXIT_OK : EXIT_FAILED;
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
    return schedule_run (argc - 1, argv + 1);
  if (argc < 2)
    return schedule_list (argc, argv);
  return usage_error (_("“schedule” takes add, list, remove or run"));
}
