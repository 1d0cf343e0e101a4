/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker, both of its sides: see lifeboat-job-worker.h for the protocol. The window's side
 * (_lifeboat_job_run_in_worker) starts the worker, writes the job's settings and "cancel", and
 * applies the states it reads back to the job; the worker's side (lifeboat_job_worker_main)
 * makes the job from its settings, runs it and writes its states. What a state line holds is
 * the job's own (lifeboat-job.c: _lifeboat_job_dup_state_json, _lifeboat_job_apply_state).
 */
#define G_LOG_DOMAIN "lifeboat-job-worker"

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lifeboat-backup-job-private.h"
#include "lifeboat-error.h"
#include "lifeboat-history.h"
#include "lifeboat-hosts.h"
#include "lifeboat-job-private.h"
#include "lifeboat-job-worker.h"
#include "lifeboat-recovery.h"
#include "lifeboat-restore-job-private.h"
#include "lifeboat-ssh-tunnel.h"

#define PROTOCOL 1

char *
lifeboat_job_worker_find (void)
{
  const char *env = g_getenv ("LIFEBOAT_CLI");
  g_autofree char *exe = NULL;
  g_autofree char *dir = NULL;
  const char *candidates[3] = { NULL };

  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (env) : NULL;
  if (g_file_test (LIFEBOAT_WORKER_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (LIFEBOAT_WORKER_PATH);

  /* not installed: in the build tree, src/cli next to src/gui */
  exe = g_file_read_link ("/proc/self/exe", NULL);
  dir = exe ? g_path_get_dirname (exe) : NULL;
  if (dir == NULL)
    return NULL;
  candidates[0] = "lifeboat-cli";
  candidates[1] = "../cli/lifeboat-cli";
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, candidates[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&path);
    }
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The window's side */

typedef struct
{
  GOutputStream *input;   /* the worker's stdin */
  gboolean       asked;
} WorkerCancel;

/* "cancel" on the worker's stdin; it cancels on the end of its stdin too, when this process
 * goes away */
static void
worker_cancel_cb (GCancellable *cancellable,
                  gpointer      data)
{
  WorkerCancel *wc = data;

  if (wc->asked)
    return;
  wc->asked = TRUE;
  g_output_stream_write_all (wc->input, "cancel\n", 7, NULL, NULL, NULL);
  g_output_stream_flush (wc->input, NULL, NULL);
}

static void
worker_child_setup (gpointer data)
{
  /* a session, and so a scheduling autogroup, of its own. With autogroups (Linux's default
   * for desktops without cgroup slices) a nice value only ranks threads within their group;
   * the group's own nice is what the window's group is weighed against */
  setsid ();
  if (GPOINTER_TO_INT (data))
    {
      int fd = open ("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);

      if (fd >= 0)
        {
          (void) write (fd, "10", 2);
          close (fd);
        }
      setpriority (PRIO_PROCESS, 0, 10);
    }
}

static char *
first_line (LifeboatJob *job,
            JsonObject  *settings)
{
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  GObject *tunnel = lifeboat_docker_client_get_keepalive (client);
  g_autoptr(JsonObject) o = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_object_set_int_member (o, "protocol", PROTOCOL);
  /* an SSH host through a tunnel of its own: this process's tunnel would go with this
   * process, and the job could then not put back what it moved aside */
  json_object_set_string_member (o, "host", LIFEBOAT_IS_SSH_TUNNEL (tunnel)
                                              ? lifeboat_ssh_tunnel_get_uri (LIFEBOAT_SSH_TUNNEL (tunnel))
                                              : lifeboat_docker_client_get_uri (client));
  json_object_set_string_member (o, "host_name", lifeboat_docker_client_get_display_name (client));
  json_object_set_object_member (o, "job", json_object_ref (settings));
  json_node_set_object (root, o);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

gboolean
_lifeboat_job_run_in_worker (LifeboatJob   *self,
                             const char    *worker,
                             JsonObject    *settings,
                             gboolean       background,
                             GCancellable  *cancellable,
                             GError       **error)
{
  const char *argv[] = { worker, LIFEBOAT_WORKER_ARG, NULL };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) job_error = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autofree char *hello = first_line (self, settings);
  LifeboatJobOutcome outcome = LIFEBOAT_JOB_OUTCOME_RUNNING;
  WorkerCancel wc = { 0 };
  gulong cancel_id = 0;
  char *line;

  /* a "cancel" written after the process ended must not end this one (GSocket, which the
   * window's connections load, does the same) */
  signal (SIGPIPE, SIG_IGN);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, worker_child_setup,
                                         GINT_TO_POINTER (background), NULL);
  if (LIFEBOAT_JOB_GET_CLASS (self)->prepare_worker != NULL &&
      !LIFEBOAT_JOB_GET_CLASS (self)->prepare_worker (self, launcher, error))
    {
      _lifeboat_job_set_aftermath (self, _("Nothing was changed."));
      return FALSE;
    }
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    {
      g_prefix_error (error, _("Could not start %s: "), worker);
      _lifeboat_job_set_aftermath (self, _("Nothing was changed."));
      return FALSE;
    }

  wc.input = g_subprocess_get_stdin_pipe (process);
  if (!g_output_stream_write_all (wc.input, hello, strlen (hello), NULL, NULL, error) ||
      !g_output_stream_write_all (wc.input, "\n", 1, NULL, NULL, error) ||
      !g_output_stream_flush (wc.input, NULL, error))
    {
      g_prefix_error (error, _("Could not start %s: "), worker);
      _lifeboat_job_set_aftermath (self, _("Nothing was changed."));
      g_subprocess_force_exit (process);
      return FALSE;
    }
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (worker_cancel_cb), &wc, NULL);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  /* a state line is a few hundred bytes per volume */
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (lines), 64 * 1024);
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &read_error)) != NULL)
    {
      JsonNode *root;

      if (json_parser_load_from_data (parser, line, -1, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
        _lifeboat_job_apply_state (self, json_node_get_object (root), &outcome, &job_error);
      else
        g_debug ("Not a state line from %s: %s", worker, line);
      g_free (line);
    }

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);
  g_output_stream_close (wc.input, NULL, NULL);
  g_subprocess_wait (process, NULL, NULL);

  if (outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED && g_subprocess_get_if_exited (process) &&
      g_subprocess_get_exit_status (process) == 0)
    return TRUE;

  if (outcome == LIFEBOAT_JOB_OUTCOME_CANCELLED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           job_error ? job_error->message : _("Cancelled"));
      return FALSE;
    }
  if (outcome == LIFEBOAT_JOB_OUTCOME_FAILED && job_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job_error));
      return FALSE;
    }

  /* it ended without saying how: a crash, or a signal from outside */
  if (g_subprocess_get_if_signaled (process))
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                 _("The job’s process (%s) ended with signal %d before the job did"),
                 worker, g_subprocess_get_term_sig (process));
  else
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                 _("The job’s process (%s) ended with status %d before the job did%s%s"),
                 worker, g_subprocess_get_exit_status (process),
                 read_error ? ": " : "", read_error ? read_error->message : "");
  if (lifeboat_job_get_aftermath (self) == NULL)
    _lifeboat_job_set_aftermath (self, _("The job’s process could not say what it left: check "
                                         "the containers, and the volumes or the backup "
                                         "folder."));
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* The worker's side */

typedef struct
{
  GMainLoop    *loop;
  LifeboatJob  *job;
  GCancellable *reading;   /* stdin, until the job is over */
  gboolean      done;
  gboolean      ok;
} WorkerRun;

static void
print_line (const char *line)
{
  g_print ("%s\n", line);
  fflush (stdout);
}

static void
on_progress (LifeboatJob *job,
             gpointer     data)
{
  g_autofree char *line = _lifeboat_job_dup_state_json (job);

  print_line (line);
}

/* "cancel" on stdin cancels; its end means the window went away, so the job cancels (the
 * containers start again) and records itself in the history */
static void
on_window_line (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  WorkerRun *run = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                     result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the job is over */
  if (line == NULL)
    {
      lifeboat_job_set_records_history (run->job, TRUE);
      lifeboat_job_cancel (run->job);
      return;
    }
  if (g_str_equal (g_strstrip (line), "cancel"))
    lifeboat_job_cancel (run->job);
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (object), G_PRIORITY_DEFAULT,
                                       run->reading, on_window_line, run);
}

/* SIGHUP too: a closed session is a cancel, not a kill */
static gboolean
on_signal (gpointer data)
{
  WorkerRun *run = data;

  lifeboat_job_cancel (run->job);
  return G_SOURCE_CONTINUE;
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  WorkerRun *run = data;

  run->ok = lifeboat_job_run_finish (LIFEBOAT_JOB (object), result, NULL);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

/* a failure before the job ran, as the window's last state line */
static int
fail_early (const GError *error)
{
  g_autofree char *line = _lifeboat_job_dup_failure_json (error, _("Nothing was changed."));

  print_line (line);
  return 1;
}

static LifeboatJob *
job_from_settings (LifeboatDockerClient  *client,
                   JsonObject            *settings,
                   GError               **error)
{
  const char *kind = json_object_get_string_member_with_default (settings, "kind", "");

  if (g_str_equal (kind, "backup"))
    return _lifeboat_backup_job_new_from_settings (client, settings, error);
  if (g_str_equal (kind, "restore"))
    return _lifeboat_restore_job_new_from_settings (client, settings, error);
  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
               _("The window asked for a job of a kind this program does not know (“%s”)"), kind);
  return NULL;
}

int
lifeboat_job_worker_main (void)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (in);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(LifeboatJob) job = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hello = NULL;
  WorkerRun run = { 0 };
  JsonObject *o = NULL;
  JsonNode *root;
  const char *host;
  const char *host_name;
  guint sigint, sigterm, sighup;
  gulong handler;

  /* when the window dies, writing a state line must not kill this process mid-restore: it
   * learns of it from its stdin and rolls back */
  signal (SIGPIPE, SIG_IGN);

  hello = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (hello != NULL && json_parser_load_from_data (parser, hello, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    o = json_node_get_object (root);
  if (o == NULL || json_object_get_int_member_with_default (o, "protocol", 0) != PROTOCOL ||
      !json_object_has_member (o, "job") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "job")))
    {
      g_clear_error (&error);
      g_set_error_literal (&error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("The window and its job’s program are of different versions of "
                             "Lifeboat"));
      return fail_early (error);
    }
  host = json_object_get_string_member_with_default (o, "host", NULL);
  host_name = json_object_get_string_member_with_default (o, "host_name", NULL);

  client = lifeboat_hosts_open_client (host, NULL, &error);
  if (client == NULL)
    return fail_early (error);
  if (host_name != NULL)
    lifeboat_docker_client_set_display_name (client, host_name);

  /* what an interrupted job left, put right before this one looks at the project */
  findings = lifeboat_recovery_run_sync (client, NULL, lifeboat_history_get_default (), FALSE,
                                         NULL, &error);
  if (findings == NULL)
    g_debug ("Looking for interrupted jobs: %s", error->message);
  g_clear_error (&error);

  job = job_from_settings (client, json_object_get_object_member (o, "job"), &error);
  if (job == NULL)
    return fail_early (error);

  /* the window records it */
  lifeboat_job_set_records_history (job, FALSE);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.job = job;
  run.reading = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &run);
  sighup = g_unix_signal_add (SIGHUP, on_signal, &run);
  handler = g_signal_connect (job, "progress", G_CALLBACK (on_progress), NULL);
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, run.reading, on_window_line,
                                       &run);

  lifeboat_job_run_async (job, NULL, on_done, &run);
  while (!run.done)
    g_main_loop_run (run.loop);

  /* the last state, with the outcome */
  on_progress (job, NULL);
  g_cancellable_cancel (run.reading);
  g_clear_object (&run.reading);
  g_signal_handler_disconnect (job, handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sighup);
  g_main_loop_unref (run.loop);

  return run.ok ? 0 : 1;
}
