/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A job run in a separate process (lifeboat_job_set_worker): the window's side of the protocol
 * (lifeboat-job-worker.h). The worker here is a shell script that answers as lifeboat-cli
 * --job-worker would (the real worker runs against the real engine in the window test): the
 * job's settings reach it on its first line, the state lines reach the getters, the last line
 * decides the outcome, a cancel reaches the worker, a worker that dies without a last line is
 * a clear failure, and the job is recorded in the history here. The settings a job writes make
 * the same job again (what the worker does with them).
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "lifeboat-backup-job.h"
#include "lifeboat-error.h"
#include "lifeboat-history.h"
#include "lifeboat-job-private.h"
#include "lifeboat-job-worker.h"

typedef struct
{
  char *dir;
  char *worker;     /* the script */
  char *args_file;  /* where it writes its arguments, one per line */
  char *hello_file; /* where it writes the first line of its stdin */
  LifeboatHistory *history;
} Fixture;

/* @body runs after the script has written its arguments */
static void
write_worker (Fixture    *fx,
              const char *body)
{
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\n"
                                             "for a in \"$@\"; do echo \"$a\"; done > '%s'\n"
                                             "IFS= read -r hello; printf '%%s\\n' \"$hello\" > '%s'\n"
                                             "%s\n", fx->args_file, fx->hello_file, body);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (fx->worker, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (fx->worker, 0755), ==, 0);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) history_dir = NULL;

  fx->dir = g_dir_make_tmp ("lifeboat-test-job-XXXXXX", &error);
  g_assert_no_error (error);
  fx->worker = g_build_filename (fx->dir, "worker.sh", NULL);
  fx->args_file = g_build_filename (fx->dir, "args", NULL);
  fx->hello_file = g_build_filename (fx->dir, "hello", NULL);
  history_dir = g_file_new_build_filename (fx->dir, "history", NULL);
  fx->history = lifeboat_history_new (history_dir);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fx->dir);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_clear_object (&fx->history);
  g_free (fx->dir);
  g_free (fx->worker);
  g_free (fx->args_file);
  g_free (fx->hello_file);
}

static LifeboatJob *
new_backup_job (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client = lifeboat_docker_client_new ("unix:///nowhere/docker.sock",
                                                                       &error);
  g_autoptr(GFile) dest = g_file_new_build_filename (fx->dir, "backups", NULL);
  const char * const volumes[] = { "cvat_db", "cvat_data", NULL };
  LifeboatBackupJob *job;

  g_assert_no_error (error);
  lifeboat_docker_client_set_display_name (client, "cvat.example.org");
  job = lifeboat_backup_job_new (client, "cvat", dest);
  lifeboat_backup_job_set_compression (job, LIFEBOAT_COMPRESSION_ZSTD);
  lifeboat_backup_job_set_volumes (job, volumes);
  lifeboat_backup_job_set_restart (job, FALSE);
  _lifeboat_job_set_history (LIFEBOAT_JOB (job), fx->history);
  lifeboat_job_set_worker (LIFEBOAT_JOB (job), fx->worker);
  return LIFEBOAT_JOB (job);
}

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
  guint      progress;
} RunData;

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  RunData *run = data;

  run->ok = lifeboat_job_run_finish (LIFEBOAT_JOB (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

static void
count_progress (LifeboatJob *job,
                RunData     *run)
{
  run->progress++;
}

static gboolean
run_timeout (gpointer data)
{
  g_error ("the job did not end in 30 s");
  return G_SOURCE_REMOVE;
}

/* runs @job to its end; @cancel_after_ms >= 0 cancels it then */
static void
run_job (LifeboatJob *job,
         int          cancel_after_ms,
         RunData     *run)
{
  guint timeout = g_timeout_add_seconds (30, run_timeout, NULL);
  gulong handler = g_signal_connect (job, "progress", G_CALLBACK (count_progress), run);

  run->loop = g_main_loop_new (NULL, FALSE);
  lifeboat_job_run_async (job, NULL, run_done, run);
  if (cancel_after_ms >= 0)
    g_timeout_add_once (cancel_after_ms, (GSourceOnceFunc) lifeboat_job_cancel, job);
  g_main_loop_run (run->loop);
  g_signal_handler_disconnect (job, handler);
  g_source_remove (timeout);
  g_main_loop_unref (run->loop);
}

static char **
read_args (Fixture *fx)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (fx->args_file, &text, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (text);
  return g_strsplit (text, "\n", -1);
}

static guint
history_length (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = lifeboat_history_list (fx->history, NULL, &error);

  g_assert_no_error (error);
  return entries->len;
}

#define STATE_TRANSFER \
  "{\"phase\":4,\"outcome\":0,\"current\":1,\"volumes\":[" \
  "{\"key\":\"cvat_db\",\"total\":1000,\"done\":1000,\"active\":false}," \
  "{\"key\":\"cvat_data\",\"total\":3000,\"done\":1500,\"active\":true}]," \
  "\"result_bytes\":0,\"app_version\":\"v2.22.0\"}"

static void
test_worker_succeeds (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(LifeboatJob) job = new_backup_job (fx);
  g_autofree char *folder = g_build_filename (fx->dir, "backups", "cvat-20261125-070000", NULL);
  g_autofree char *body = g_strdup_printf (
      "echo '" STATE_TRANSFER "'\n"
      "sleep 0.3\n"
      "echo 'not a state line'\n"
      "echo '{\"phase\":8,\"outcome\":1,\"current\":1,\"volumes\":["
      "{\"key\":\"cvat_db\",\"total\":1000,\"done\":1000,\"active\":false},"
      "{\"key\":\"cvat_data\",\"total\":3000,\"done\":3000,\"active\":false}],"
      "\"result_bytes\":2500,\"folder\":\"%s\",\"app_version\":\"v2.22.0\"}'\n", folder);
  g_auto(GStrv) args = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  RunData run = { 0 };
  LifeboatHistoryEntry *entry;

  write_worker (fx, body);
  run_job (job, -1, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.progress, >, 0);

  /* what the worker was asked to do: no command line but its one argument, and the job's
   * settings on its first line */
  args = read_args (fx);
  g_assert_cmpstr (args[0], ==, LIFEBOAT_WORKER_ARG);
  g_assert_null (args[1]);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *hello = NULL;
    JsonObject *o;
    JsonObject *settings;
    JsonArray *volumes;

    g_assert_true (g_file_get_contents (fx->hello_file, &hello, NULL, NULL));
    g_assert_true (json_parser_load_from_data (parser, hello, -1, &error));
    g_assert_no_error (error);
    o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (o, "protocol"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (o, "host"), ==, "unix:///nowhere/docker.sock");
    g_assert_cmpstr (json_object_get_string_member (o, "host_name"), ==, "cvat.example.org");
    settings = json_object_get_object_member (o, "job");
    g_assert_cmpstr (json_object_get_string_member (settings, "kind"), ==, "backup");
    g_assert_cmpstr (json_object_get_string_member (settings, "project"), ==, "cvat");
    g_assert_cmpstr (json_object_get_string_member (settings, "compression"), ==, "zstd");
    volumes = json_object_get_array_member (settings, "volumes");
    g_assert_cmpuint (json_array_get_length (volumes), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (volumes, 1), ==, "cvat_data");
    g_assert_false (json_object_get_boolean_member (settings, "restart"));
    g_assert_true (json_object_get_boolean_member (settings, "stop"));
  }

  /* the state, through the usual getters */
  g_assert_true (lifeboat_job_get_in_worker (job));
  g_assert_cmpint (lifeboat_job_get_outcome (job), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  g_assert_cmpuint (lifeboat_job_get_n_volumes (job), ==, 2);
  g_assert_cmpstr (lifeboat_job_get_volume_keys (job)[1], ==, "cvat_data");
  g_assert_cmpuint (lifeboat_job_get_bytes_done (job), ==, 4000);
  g_assert_nonnull (lifeboat_job_get_folder (job));
  {
    g_autofree char *path = g_file_get_path (lifeboat_job_get_folder (job));

    g_assert_cmpstr (path, ==, folder);
  }

  /* recorded here, once */
  entries = lifeboat_history_list (fx->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpint (lifeboat_history_entry_get_outcome (entry), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  g_assert_cmpuint (lifeboat_history_entry_get_bytes (entry), ==, 2500);
  g_assert_cmpstr (lifeboat_history_entry_get_folder (entry), ==, folder);
  g_assert_cmpstr (lifeboat_history_entry_get_app_version (entry), ==, "v2.22.0");
  g_assert_cmpstr (lifeboat_history_entry_get_engine (entry), ==, "cvat.example.org");
}

static void
test_worker_fails (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(LifeboatJob) job = new_backup_job (fx);
  g_autofree char *body = g_strdup_printf (
      "echo '" STATE_TRANSFER "'\n"
      "echo '{\"phase\":8,\"outcome\":2,\"current\":-1,\"volumes\":[],"
      "\"aftermath\":\"No backup was written.\","
      "\"error\":{\"domain\":\"%s\",\"code\":%d,\"message\":\"The disk is full\"}}'\n"
      "exit 1\n", g_quark_to_string (LIFEBOAT_ERROR), LIFEBOAT_ERROR_NO_SPACE);
  RunData run = { 0 };

  write_worker (fx, body);
  run_job (job, -1, &run);
  g_assert_false (run.ok);
  g_assert_error (run.error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SPACE);
  g_assert_cmpstr (run.error->message, ==, "The disk is full");
  g_assert_cmpint (lifeboat_job_get_outcome (job), ==, LIFEBOAT_JOB_OUTCOME_FAILED);
  g_assert_cmpstr (lifeboat_job_get_aftermath (job), ==, "No backup was written.");
  /* the volumes of the last line that had them */
  g_assert_cmpuint (lifeboat_job_get_n_volumes (job), ==, 2);
  g_assert_cmpuint (history_length (fx), ==, 1);
  g_clear_error (&run.error);
}

static void
test_worker_dies (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(LifeboatJob) job = new_backup_job (fx);
  RunData run = { 0 };

  write_worker (fx, "echo '" STATE_TRANSFER "'\nkill -KILL $$\n");
  run_job (job, -1, &run);
  g_assert_false (run.ok);
  g_assert_error (run.error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED);
  g_assert_nonnull (strstr (run.error->message, "signal 9"));
  g_assert_cmpint (lifeboat_job_get_outcome (job), ==, LIFEBOAT_JOB_OUTCOME_FAILED);
  g_assert_nonnull (lifeboat_job_get_aftermath (job));
  g_clear_error (&run.error);

  /* and one that exits without a last line */
  {
    g_autoptr(LifeboatJob) job2 = new_backup_job (fx);
    RunData run2 = { 0 };

    write_worker (fx, "echo '" STATE_TRANSFER "'\nexit 3\n");
    run_job (job2, -1, &run2);
    g_assert_false (run2.ok);
    g_assert_error (run2.error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED);
    g_assert_nonnull (strstr (run2.error->message, "status 3"));
    g_clear_error (&run2.error);
  }
}

static void
test_worker_cancel (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(LifeboatJob) job = new_backup_job (fx);
  g_autofree char *marker = g_build_filename (fx->dir, "cancel-seen", NULL);
  g_autofree char *body = g_strdup_printf (
      "echo '" STATE_TRANSFER "'\n"
      "read line\n"
      "echo \"$line\" > '%s'\n"
      "echo '{\"phase\":8,\"outcome\":3,\"current\":-1,\"volumes\":[],"
      "\"aftermath\":\"No backup was written; the containers run again.\","
      "\"error\":{\"domain\":\"g-io-error-quark\",\"code\":%d,\"message\":\"Operation was cancelled\"}}'\n"
      "exit 1\n", marker, G_IO_ERROR_CANCELLED);
  g_autofree char *seen = NULL;
  RunData run = { 0 };

  write_worker (fx, body);
  run_job (job, 300, &run);
  g_assert_false (run.ok);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (lifeboat_job_get_outcome (job), ==, LIFEBOAT_JOB_OUTCOME_CANCELLED);
  g_assert_cmpstr (lifeboat_job_get_aftermath (job), ==,
                   "No backup was written; the containers run again.");
  g_assert_true (g_file_get_contents (marker, &seen, NULL, NULL));
  g_assert_cmpstr (g_strstrip (seen), ==, "cancel");
  g_assert_cmpuint (history_length (fx), ==, 1);
  g_clear_error (&run.error);
}

static void
test_worker_missing (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(LifeboatJob) job = new_backup_job (fx);
  RunData run = { 0 };

  /* never written: the program is not there */
  run_job (job, -1, &run);
  g_assert_false (run.ok);
  g_assert_nonnull (run.error);
  g_assert_nonnull (strstr (run.error->message, fx->worker));
  g_assert_cmpstr (lifeboat_job_get_aftermath (job), ==, "Nothing was changed.");
  g_clear_error (&run.error);
}

/* the settings a backup writes make the same backup: what the worker does with them */
static void
test_settings_round_trip (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(LifeboatJob) job = new_backup_job (fx);
  g_autoptr(JsonObject) settings = LIFEBOAT_JOB_GET_CLASS (job)->dup_settings (job);
  g_autoptr(LifeboatJob) again = NULL;
  g_autoptr(JsonObject) settings_again = NULL;
  g_autoptr(JsonNode) a = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) b = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (settings);
  again = _lifeboat_backup_job_new_from_settings (lifeboat_job_get_client (job), settings, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lifeboat_job_get_kind (again), ==, LIFEBOAT_JOB_KIND_BACKUP);
  g_assert_cmpstr (lifeboat_job_get_project_name (again), ==, "cvat");
  settings_again = LIFEBOAT_JOB_GET_CLASS (again)->dup_settings (again);
  json_node_set_object (a, settings);
  json_node_set_object (b, settings_again);
  g_assert_true (json_node_equal (a, b));

  /* what this program cannot read is one sentence, not a crash */
  json_object_remove_member (settings, "project");
  g_assert_null (_lifeboat_backup_job_new_from_settings (lifeboat_job_get_client (job), settings,
                                                         &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED);
}

/* A backup's volume total is the volume's size on the engine (112 bytes of files) until the
 * volume was read, then what its tar stream held (10 kB with headers and padding): the user sees
 * one total, "about" until it is exact, never below what is done, and neither the volume's bar
 * nor the job's goes backwards or shows full before the volume was read to its end. */
static void
test_estimated_totals (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(LifeboatJob) job = new_backup_job (fx);
  const char * const keys[] = { "cvat_keys", "cvat_db", NULL };
  const gint64 totals[] = { 112, 100000 };
  const guint64 steps[] = { 0, 100, 112, 5000, 10240 };
  double last_volume = 0, last_job = 0;

  _lifeboat_job_set_volumes (job, keys, totals);
  g_assert_true (lifeboat_job_get_total_is_estimate (job));
  g_assert_true (lifeboat_job_get_volume_total_is_estimate (job, 0));
  g_assert_cmpint (lifeboat_job_get_volume_bytes_total (job, 0), ==, 112);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      double volume, whole;

      _lifeboat_job_set_volume_bytes_done (job, 0, steps[i]);
      volume = lifeboat_job_get_fraction_for_volume (job, 0);
      whole = lifeboat_job_get_fraction (job);
      /* the total shown is never below what is done */
      g_assert_cmpint (lifeboat_job_get_volume_bytes_total (job, 0), >=, (gint64) steps[i]);
      g_assert_cmpint (lifeboat_job_get_bytes_total (job), >=,
                       (gint64) lifeboat_job_get_bytes_done (job));
      g_assert_cmpfloat (volume, >=, last_volume);
      g_assert_cmpfloat (whole, >=, last_job);
      g_assert_cmpfloat (volume, <, 1.0);   /* not read to its end yet */
      last_volume = volume;
      last_job = whole;
    }

  _lifeboat_job_finish_volume (job, 0);
  g_assert_false (lifeboat_job_get_volume_total_is_estimate (job, 0));
  g_assert_cmpint (lifeboat_job_get_volume_bytes_total (job, 0), ==, 10240);
  g_assert_cmpfloat (lifeboat_job_get_fraction_for_volume (job, 0), ==, 1.0);
  g_assert_cmpfloat (lifeboat_job_get_fraction (job), >=, last_job);
  /* the other volume still has its estimate */
  g_assert_true (lifeboat_job_get_total_is_estimate (job));

  /* the state passes from the worker to the window with what is exact */
  {
    g_autofree char *state = _lifeboat_job_dup_state_json (job);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonArray *volumes;

    g_assert_true (json_parser_load_from_data (parser, state, -1, &error));
    g_assert_no_error (error);
    volumes = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "volumes");
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (volumes, 0),
                                                   "exact"));
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (volumes, 1),
                                                    "exact"));
  }

  _lifeboat_job_set_volume_bytes_done (job, 1, 90000);
  _lifeboat_job_finish_volume (job, 1);
  g_assert_false (lifeboat_job_get_total_is_estimate (job));
  g_assert_cmpint (lifeboat_job_get_bytes_total (job), ==, 10240 + 90000);
  g_assert_cmpfloat (lifeboat_job_get_fraction (job), ==, 1.0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_unsetenv ("LIFEBOAT_JOBS_IN_PROCESS");

  g_test_add ("/job/estimated-totals", Fixture, NULL, fixture_set_up, test_estimated_totals,
              fixture_tear_down);
  g_test_add ("/job/worker/succeeds", Fixture, NULL, fixture_set_up, test_worker_succeeds,
              fixture_tear_down);
  g_test_add ("/job/worker/fails", Fixture, NULL, fixture_set_up, test_worker_fails,
              fixture_tear_down);
  g_test_add ("/job/worker/dies", Fixture, NULL, fixture_set_up, test_worker_dies,
              fixture_tear_down);
  g_test_add ("/job/worker/cancel", Fixture, NULL, fixture_set_up, test_worker_cancel,
              fixture_tear_down);
  g_test_add ("/job/worker/missing", Fixture, NULL, fixture_set_up, test_worker_missing,
              fixture_tear_down);
  g_test_add ("/job/worker/settings", Fixture, NULL, fixture_set_up, test_settings_round_trip,
              fixture_tear_down);

  return g_test_run ();
}
