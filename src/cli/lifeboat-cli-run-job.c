/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* A job run in the terminal: its progress on stderr (a bar on a terminal, a line now and
 * then otherwise), cancelled on SIGINT, SIGTERM and SIGHUP */

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "lifeboat-format.h"

#include "lifeboat-cli-private.h"

typedef struct
{
  GMainLoop   *loop;
  LifeboatJob *job;
  gboolean     tty;
  gboolean     done;
  gboolean     ok;
  GError      *error;
  char        *last_label;
  gint64       last_line;
  guint        bar_width;
} JobRun;

static gboolean
on_signal (gpointer data)
{
  JobRun *run = data;

  /* after a SIGHUP the terminal is gone: the message may go nowhere, which is fine (SIGPIPE is
   * ignored) */
  g_printerr (run->tty ? "\n%s\n" : "%s\n", _("Cancelling…"));
  lifeboat_job_cancel (run->job);
  return G_SOURCE_CONTINUE;
}

static void
on_progress (LifeboatJob *job,
             JobRun      *run)
{
  g_autofree char *label = lifeboat_job_dup_phase_label (job);
  g_autofree char *done = lifeboat_format_size ((gint64) lifeboat_job_get_bytes_done (job));
  g_autofree char *total = lifeboat_format_size (lifeboat_job_get_bytes_total (job));
  g_autofree char *rate = lifeboat_format_rate (lifeboat_job_get_rate (job));
  g_autofree char *left = NULL;
  double fraction = lifeboat_job_get_fraction (job);
  gint64 seconds_left = lifeboat_job_get_seconds_left (job);
  gint64 now = g_get_monotonic_time ();

  if (seconds_left >= 0)
    left = lifeboat_format_time_left (seconds_left);

  if (run->tty)
    {
      guint filled = (guint) (fraction * 24 + 0.5);
      g_autoptr(GString) bar = g_string_new (NULL);

      for (guint i = 0; i < 24; i++)
        g_string_append (bar, i < filled ? "#" : "-");
      g_printerr ("\r\033[K[%s] %3d%% %s  %s / %s%s%s%s%s", bar->str, (int) (fraction * 100),
                  label, done, total, rate ? "  " : "", rate ? rate : "",
                  left ? "  " : "", left ? left : "");
    }
  else if (g_strcmp0 (label, run->last_label) != 0 || now - run->last_line > 5 * G_USEC_PER_SEC)
    {
      g_printerr ("%s: %d%% (%s of %s%s%s)\n", label, (int) (fraction * 100), done, total,
                  rate ? ", " : "", rate ? rate : "");
      g_free (run->last_label);
      run->last_label = g_strdup (label);
      run->last_line = now;
    }
}

static void
on_job_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  JobRun *run = data;

  run->ok = lifeboat_job_run_finish (LIFEBOAT_JOB (object), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

int
run_job (LifeboatJob *job)
{
  JobRun run = { 0 };
  guint sigint, sigterm, sighup;
  gulong handler;
  int ret;

  run.loop = g_main_loop_new (NULL, FALSE);
  run.job = job;
  run.tty = isatty (STDERR_FILENO);

  /* SIGHUP too: a closed terminal or SSH session is a cancel, not a kill */
  sigint = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &run);
  sighup = g_unix_signal_add (SIGHUP, on_signal, &run);
  handler = g_signal_connect (job, "progress", G_CALLBACK (on_progress), &run);
  lifeboat_job_run_async (job, NULL, on_job_done, &run);
  while (!run.done)
    g_main_loop_run (run.loop);

  /* the last progress, then a newline after a bar */
  on_progress (job, &run);
  if (run.tty)
    g_printerr ("\n");

  g_signal_handler_disconnect (job, handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sighup);

  if (run.ok)
    ret = EXIT_OK;
  else
    ret = fail (run.error, lifeboat_job_get_aftermath (job));

  g_clear_error (&run.error);
  g_free (run.last_label);
  g_main_loop_unref (run.loop);
  return ret;
}
