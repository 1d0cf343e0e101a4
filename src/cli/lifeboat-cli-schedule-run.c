/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli schedule run ID: one run of a schedule, as its timer or the monitor starts it:
 * `lifeboat-cli backup` in a child, then retention and a drill, one JSON line for the caller */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "lifeboat-history.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-retention.h"
#include "lifeboat-schedule.h"

#include "lifeboat-cli-private.h"

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
  repo = repository_new (location);
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

/* `lifeboat-cli [--host HOST] COMMAND`: the start of a command line for a run of @s, on the
 * engine it was made for, however it is reached */
static GPtrArray *
self_args_new (const LifeboatSchedule *s,
               const char             *command)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, dup_self_path ());
  if (s->host != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--host"));
      g_ptr_array_add (args, g_strdup (s->host));
    }
  g_ptr_array_add (args, g_strdup (command));
  return args;
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

/* schedule run ID: one run of a schedule now. Prints
 * one JSON line: {ok, schedule, project, folder, bytes, seconds, error, pruned, drill, job} */
int
_lifeboat_cli_schedule_run (int    argc,
                            char **argv)
{
  g_autoptr(GPtrArray) schedules = NULL;
  g_autoptr(LifeboatScheduleState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
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
  export_password_file ();

  lock_fd = take_local_lock (s);
  state = lifeboat_schedule_state_load (s->id);
  g_clear_pointer (&state->last_run, g_date_time_unref);
  state->last_run = g_date_time_new_now_utc ();
  state->runs++;
  if (!lifeboat_schedule_state_save (s->id, state, &error))
    g_warning ("%s", error->message);
  g_clear_error (&error);
  t0 = g_get_monotonic_time ();

  args = self_args_new (s, "backup");
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
          g_autoptr(GPtrArray) drill_args = self_args_new (s, "drill");
          g_autofree char *drill_error = NULL;

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
