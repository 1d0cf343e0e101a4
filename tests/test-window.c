/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

/*
 * The window against the real test engine (tests/harness/engine-up): it lists a CVAT-shaped
 * stack made by tests/harness/make-cvat-stack with the volumes' sizes, backs it up, shows the
 * backup in the history, sends a notification (observed on the session bus through dunst),
 * and opens the restore summary when a folder made with the guide's own commands is dropped.
 * Run under `xvfb-run -a dbus-run-session`. Skips when no engine is configured, unless
 * LIFEBOAT_REQUIRE_ENGINE=1.
 *
 * With LIFEBOAT_SCREENSHOT_DIR set it also saves screenshots of the X root window there
 * (project page, backup in progress, history, restore summary).
 *
 * One long file on purpose: the tests share one window and one engine, in order (each starts
 * where the one before left the window), which is what a user's session looks like.
 */

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lifeboat-application.h"
#include "lifeboat-history.h"
#include "lifeboat-progress-bar.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-window-private.h"

static char *docker_host;
static char *skip_reason;
static char *project;
static char *tmpdir;
static char *harness_dir;
static const char *screenshot_dir;
static LifeboatApplication *app;
static LifeboatWindow *window;
static GSubprocess *dunst;
static char *backup_folder;
static char *guide_folder;
static gboolean not_busy (gpointer data);

/* ---------------------------------------------------------------------------------------- */

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

/* iterates the main loop until @cond holds, at most @seconds */
static gboolean
wait_until (Condition cond,
            gpointer  data,
            double    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint tick = g_timeout_add (50, tick_cb, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return ok;
}

static void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint tick = g_timeout_add (20, tick_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static gboolean
run_command (const char * const *argv,
             char              **out,
             GError            **error)
{
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s", argv[0], err ? err : "");
      return FALSE;
    }
  return TRUE;
}

static void
screenshot (const char *name)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (screenshot_dir == NULL)
    return;

  spin (1.5);   /* let the frame clock draw */
  path = g_build_filename (screenshot_dir, name, NULL);
  {
    const char *argv[] = { "import", "-window", "root", path, NULL };

    if (!run_command (argv, NULL, &error))
      g_test_message ("screenshot %s failed: %s", name, error->message);
    else
      g_test_message ("screenshot: %s", path);
  }
}

/* KEY=VALUE lines of the harness's env.sh ("export K=V") into the environment */
static void
load_env_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;

      if (g_str_has_prefix (line, "export "))
        line += strlen ("export ");
      if (line[0] == '#' || (eq = strchr (line, '=')) == NULL)
        continue;
      *eq = '\0';
      if (g_getenv (line) == NULL)
        {
          g_autofree char *value = g_shell_unquote (eq + 1, NULL);

          g_setenv (line, value ? value : eq + 1, TRUE);
        }
    }
}

/* the engine's own answer: volume name -> size in bytes, read with python3 from the socket,
 * not through Lifeboat's client */
static const char df_script[] =
  "import socket, sys\n"
  "s = socket.socket(socket.AF_UNIX)\n"
  "s.settimeout(60)\n"
  "s.connect(sys.argv[1])\n"
  "s.sendall(b'GET /v1.41/system/df HTTP/1.0\\r\\nHost: engine\\r\\n\\r\\n')\n"
  "data = b''\n"
  "while True:\n"
  "    chunk = s.recv(65536)\n"
  "    if not chunk:\n"
  "        break\n"
  "    data += chunk\n"
  "head, body = data.split(b'\\r\\n\\r\\n', 1)\n"
  "assert b' 200 ' in head.split(b'\\r\\n')[0], head\n"
  "sys.stdout.write(body.decode())\n";

static GHashTable *
engine_volume_sizes (void)
{
  g_autofree char *socket = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GHashTable *sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *volumes;

  g_assert_true (g_str_has_prefix (docker_host, "unix://"));
  socket = g_strdup (docker_host + strlen ("unix://"));
  {
    const char *argv[] = { "python3", "-c", df_script, socket, NULL };

    g_assert_true (run_command (argv, &out, &error));
    g_assert_no_error (error);
  }
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  volumes = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "Volumes");
  for (guint i = 0; i < json_array_get_length (volumes); i++)
    {
      JsonObject *v = json_array_get_object_element (volumes, i);
      JsonObject *usage = json_object_get_object_member (v, "UsageData");

      g_hash_table_insert (sizes, g_strdup (json_object_get_string_member (v, "Name")),
                           GSIZE_TO_POINTER ((gsize) json_object_get_int_member (usage, "Size")));
    }
  return sizes;
}

static guint
dunst_count (void)
{
  const char *kinds[] = { "displayed", "history", "waiting" };
  guint total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const char *argv[] = { "dunstctl", "count", kinds[i], NULL };
      g_autofree char *out = NULL;

      if (!run_command (argv, &out, NULL))
        return G_MAXUINT;
      total += (guint) g_ascii_strtoull (out, NULL, 10);
    }
  return total;
}

static gboolean
dunst_answers (gpointer data)
{
  return dunst_count () != G_MAXUINT;
}

/* ---------------------------------------------------------------------------------------- */

static gboolean
skip_if_no_engine (void)
{
  if (skip_reason == NULL)
    return FALSE;
  if (g_strcmp0 (g_getenv ("LIFEBOAT_REQUIRE_ENGINE"), "1") == 0)
    {
      g_test_message ("LIFEBOAT_REQUIRE_ENGINE=1 but %s", skip_reason);
      g_test_fail ();
    }
  else
    g_test_skip (skip_reason);
  return TRUE;
}

static gboolean
project_listed (gpointer data)
{
  g_auto(GStrv) names = NULL;

  if (_lifeboat_window_is_busy (window))
    return FALSE;
  names = _lifeboat_window_dup_project_names (window);
  return g_strv_contains ((const char * const *) names, project);
}

static gboolean
on_project_page (gpointer data)
{
  LifeboatProject *p = lifeboat_project_view_get_project (window->project_view);

  return g_strcmp0 (_lifeboat_window_get_page (window), "project") == 0 &&
         p != NULL && g_strcmp0 (lifeboat_project_get_name (p), project) == 0;
}

static void
test_project_page (void)
{
  g_autoptr(GHashTable) sizes = NULL;
  g_auto(GStrv) rows = NULL;
  const char *expected[] = { "cvat_cache_db", "cvat_data", "cvat_db", "cvat_events_db",
                             "cvat_inmem_db", "cvat_keys", "cvat_logs", NULL };
  gint64 largest = 0;

  if (skip_if_no_engine ())
    return;

  if (!wait_until (project_listed, NULL, 120))
    g_error ("project %s not listed after 120 s; page %s, status \"%s\", last toast \"%s\"",
             project, _lifeboat_window_get_page (window),
             _lifeboat_window_get_status_title (window),
             _lifeboat_window_get_last_toast (window));

  g_assert_true (_lifeboat_window_select_project (window, project));
  g_assert_true (wait_until (on_project_page, NULL, 10));

  sizes = engine_volume_sizes ();
  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s_%s", project, expected[i]);

      largest = MAX (largest, (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (sizes, name)));
    }

  rows = _lifeboat_project_view_dup_volume_rows (window->project_view);
  g_assert_cmpuint (g_strv_length (rows), ==, g_strv_length ((char **) expected));

  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);
      g_autofree char *name = NULL;
      g_autofree char *want_size = NULL;
      gint64 size;
      double level;

      g_test_message ("volume row: %s", rows[i]);
      g_assert_cmpuint (g_strv_length (cols), ==, 4);
      g_assert_true (g_strv_contains (expected, cols[0]));

      name = g_strdup_printf ("%s_%s", project, cols[0]);
      g_assert_true (g_hash_table_contains (sizes, name));
      size = (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (sizes, name));
      want_size = g_format_size ((guint64) size);
      /* the size shown is the engine's */
      g_assert_cmpstr (cols[1], ==, want_size);
      /* the bar is relative to the largest volume */
      level = g_ascii_strtod (cols[2], NULL);
      g_assert_cmpfloat_with_epsilon (level, (double) size / (double) largest, 0.002);
      /* CVAT's cache is left out by default, everything else is in */
      g_assert_cmpstr (cols[3], ==, g_str_equal (cols[0], "cvat_cache_db") ? "0" : "1");
    }

  /* the containers with their image and state; CVAT's server image names the version */
  {
    g_auto(GStrv) containers = _lifeboat_project_view_dup_container_rows (window->project_view);
    gboolean server_seen = FALSE;

    g_assert_cmpuint (g_strv_length (containers), ==, 6);
    for (guint i = 0; containers[i] != NULL; i++)
      {
        g_auto(GStrv) cols = g_strsplit (containers[i], "\t", -1);

        g_test_message ("container row: %s", containers[i]);
        g_assert_cmpuint (g_strv_length (cols), ==, 3);
        g_assert_cmpstr (cols[2], ==, _("Running"));
        if (g_str_equal (cols[0], "cvat_server"))
          {
            g_assert_cmpstr (cols[1], ==, "cvat/server:v2.22.0");
            server_seen = TRUE;
          }
      }
    g_assert_true (server_seen);
  }

  screenshot ("project-page.png");
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

/* A window that shows nothing new lays nothing out. GTK 4.8 runs the animation of a spinning
 * GtkSpinner on a page that is not shown, and every frame of it laid the whole window out
 * again (on X11 with round trips to the display server): 60 times a second, for as long as
 * the window was open. */
static gboolean
space_estimated (gpointer data)
{
  return _lifeboat_window_get_space_updates (window) > 0;
}

static void
test_idle (void)
{
  GdkFrameClock *clock;
  guint layouts = 0, paints = 0;
  gulong layout_id, paint_id;

  if (skip_if_no_engine ())
    return;
  g_assert_true (on_project_page (NULL));
  /* what the project page still loads (the space estimate next to Destination), and the
   * animations its arrival starts (the overlay scrollbar fading out) */
  g_assert_true (wait_until (space_estimated, NULL, 10));
  spin (1.5);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_assert_nonnull (clock);
  layout_id = g_signal_connect (clock, "layout", G_CALLBACK (count_cb), &layouts);
  paint_id = g_signal_connect (clock, "paint", G_CALLBACK (count_cb), &paints);
  spin (1.0);
  g_signal_handler_disconnect (clock, layout_id);
  g_signal_handler_disconnect (clock, paint_id);

  g_test_message ("idle for 1 s: %u layouts, %u frames painted (discovering %d, %u looks for "
                  "engine events, %u space estimates, sidebar %s)", layouts, paints,
                  window->discovering, window->live_updates,
                  _lifeboat_window_get_space_updates (window),
                  gtk_stack_get_visible_child_name (window->projects_stack));
  g_assert_cmpuint (layouts, <=, 2);
  g_assert_cmpuint (paints, <=, 2);
}

/* Counts the frames of @bar's window that laid something out and that painted while
 * @set_fraction moves @bar from 0 to 1 in 20 steps, one every 20 ms. */
static void
count_progress_frames (GtkWidget *bar,
                       void     (*set_fraction) (GtkWidget *bar, double fraction),
                       guint     *layouts,
                       guint     *paints)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (bar);
  gulong layout_id, paint_id;

  g_assert_nonnull (clock);
  *layouts = *paints = 0;
  layout_id = g_signal_connect (clock, "layout", G_CALLBACK (count_cb), layouts);
  paint_id = g_signal_connect (clock, "paint", G_CALLBACK (count_cb), paints);
  for (int i = 1; i <= 20; i++)
    {
      set_fraction (bar, i / 20.0);
      spin (0.02);
    }
  spin (0.1);
  g_signal_handler_disconnect (clock, layout_id);
  g_signal_handler_disconnect (clock, paint_id);
}

static void
set_lifeboat_fraction (GtkWidget *bar,
                       double     fraction)
{
  lifeboat_progress_bar_set_fraction (LIFEBOAT_PROGRESS_BAR (bar), fraction);
}

static void
set_gtk_fraction (GtkWidget *bar,
                  double     fraction)
{
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), fraction);
}

static void
record_time_cb (AdwToast *toast,
                gint64   *when)
{
  *when = g_get_monotonic_time ();
}

static gboolean
time_recorded (gpointer data)
{
  return *(gint64 *) data != 0;
}

/* libadwaita 1.2 crashes (a use after free, a SIGSEGV whenever malloc perturbs freed memory,
 * as meson test makes it) when a toast that replaced another is dismissed while its show
 * animation runs. The sequence that crashed the window test: a message on screen, a busy
 * toast queued behind it, the message closed (the busy toast replaces it), the busy toast
 * dismissed at once. The window dismisses it only once its animation is over. No engine. */
static void
test_toasts (void)
{
  AdwToast *busy;
  gint64 shown, dismissed = 0;

  /* what earlier subtests left on screen goes first */
  for (guint i = 0; i < 10 && window->toast != NULL; i++)
    {
      spin (0.9);
      if (window->toast != NULL)
        adw_toast_dismiss (window->toast);
      spin (0.1);
    }
  g_assert_null (window->toast);

  lifeboat_window_show_toast (window, "A message");
  g_assert_nonnull (window->toast);
  _lifeboat_window_show_busy_toast (window, "Reading the backup…");
  /* one toast at a time in the overlay: the busy one waits */
  g_assert_cmpstr (adw_toast_get_title (window->toast), ==, "A message");
  spin (1.0);

  adw_toast_dismiss (window->toast);   /* as its close button does */
  busy = window->toast;
  g_assert_nonnull (busy);
  g_assert_cmpstr (adw_toast_get_title (busy), ==, "Reading the backup…");
  shown = g_get_monotonic_time ();
  g_signal_connect (busy, "dismissed", G_CALLBACK (record_time_cb), &dismissed);
  spin (0.05);
  _lifeboat_window_dismiss_busy_toast (window);
  g_assert_cmpint (dismissed, ==, 0);
  g_assert_true (wait_until (time_recorded, &dismissed, 5));
  g_test_message ("busy toast dismissed %.2f s after it was shown", (dismissed - shown) / 1e6);
  g_assert_cmpint (dismissed - shown, >=, 700 * 1000);
  /* past both animations: a use after free would have crashed by now */
  spin (1.0);
  g_assert_null (window->toast);
}

/* The job page's bars show a new fraction by drawing again, where GtkProgressBar (4.8) queues
 * an allocation and so a layout of the whole window at every new fraction. Needs no engine. */
static void
test_progress_bar (void)
{
  GtkWidget *win = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *bar = lifeboat_progress_bar_new ();
  GtkWidget *reference = gtk_progress_bar_new ();
  const char *percent_45 = "45 %";
  guint layouts, paints, ref_layouts, ref_paints;

  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), reference);
  gtk_window_set_child (GTK_WINDOW (win), box);
  gtk_window_set_default_size (GTK_WINDOW (win), 400, 100);
  gtk_window_present (GTK_WINDOW (win));
  spin (0.5);

  count_progress_frames (bar, set_lifeboat_fraction, &layouts, &paints);
  count_progress_frames (reference, set_gtk_fraction, &ref_layouts, &ref_paints);
  g_test_message ("20 new fractions: LifeboatProgressBar %u layouts, %u frames painted; "
                  "GtkProgressBar %u layouts, %u frames painted",
                  layouts, paints, ref_layouts, ref_paints);
  g_assert_cmpuint (paints, >=, 10);
  g_assert_cmpuint (layouts, ==, 0);

  g_assert_cmpfloat (lifeboat_progress_bar_get_fraction (LIFEBOAT_PROGRESS_BAR (bar)), ==, 1.0);
  lifeboat_progress_bar_set_fraction (LIFEBOAT_PROGRESS_BAR (bar), 7.0);
  g_assert_cmpfloat (lifeboat_progress_bar_get_fraction (LIFEBOAT_PROGRESS_BAR (bar)), ==, 1.0);
  lifeboat_progress_bar_set_fraction (LIFEBOAT_PROGRESS_BAR (bar), 0.454);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                       0.454);
  /* not a literal: the macro pastes its arguments into a printf format */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       percent_45);

  gtk_window_destroy (GTK_WINDOW (win));
}

typedef struct
{
  gint64   start;
  gint64   last;
  gint64   worst;
  gint64   worst_by_phase[LIFEBOAT_JOB_PHASE_FINISHED + 2];  /* [0]: no job yet */
  GString *log;     /* gaps over 50 ms: when, how long, in which phase */
  guint64  last_run_ns, last_wait_ns;
  guint64  start_run_ns;   /* the main thread's CPU time when the probe started */
  double   page_ms;        /* ... and what it used until the job left its first phase */
  guint    transfer_layouts, transfer_paints;   /* frames while the volumes stream */
  gint64   transfer_start, transfer_end;
  GdkFrameClock *clock;
  gulong   layout_id, paint_id;
  guint    id;
} StallProbe;

static gboolean
job_is_transferring (void)
{
  return window->job != NULL &&
         lifeboat_job_get_phase (window->job) == LIFEBOAT_JOB_PHASE_TRANSFERRING;
}

static void
probe_layout_cb (GdkFrameClock *clock,
                 StallProbe    *probe)
{
  if (job_is_transferring ())
    probe->transfer_layouts++;
}

static void
probe_paint_cb (GdkFrameClock *clock,
                StallProbe    *probe)
{
  if (job_is_transferring ())
    probe->transfer_paints++;
}

/* the main thread's time on a CPU and waiting for one, from /proc/thread-self/schedstat: tells
 * a gap spent working from one spent waiting for a core from one spent blocked */
static gboolean
read_schedstat (guint64 *run_ns,
                guint64 *wait_ns)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL))
    return FALSE;
  return sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, run_ns, wait_ns) == 2;
}

static gboolean
stall_probe_cb (gpointer data)
{
  StallProbe *probe = data;
  gint64 now = g_get_monotonic_time ();
  guint64 run_ns = 0, wait_ns = 0;
  gboolean have_schedstat = read_schedstat (&run_ns, &wait_ns);

  if (probe->page_ms == 0 && window->job != NULL &&
      lifeboat_job_get_phase (window->job) != LIFEBOAT_JOB_PHASE_PREPARING)
    probe->page_ms = (run_ns - probe->start_run_ns) / 1e6;
  if (job_is_transferring ())
    {
      if (probe->transfer_start == 0)
        probe->transfer_start = now;
      probe->transfer_end = now;
    }
  if (probe->last != 0)
    {
      guint slot = window->job ? (guint) lifeboat_job_get_phase (window->job) + 1 : 0;

      probe->worst = MAX (probe->worst, now - probe->last);
      if (slot < G_N_ELEMENTS (probe->worst_by_phase))
        probe->worst_by_phase[slot] = MAX (probe->worst_by_phase[slot], now - probe->last);
      if (now - probe->last > 50000)
        {
          g_string_append_printf (probe->log, " [at %.2f s: %.0f ms, phase %d",
                                  (probe->last - probe->start) / 1e6,
                                  (now - probe->last) / 1e3,
                                  window->job ? (int) lifeboat_job_get_phase (window->job) : -1);
          if (have_schedstat && probe->last_run_ns != 0)
            g_string_append_printf (probe->log, ", main thread ran %.0f ms, waited for a core %.0f ms",
                                    (run_ns - probe->last_run_ns) / 1e6,
                                    (wait_ns - probe->last_wait_ns) / 1e6);
          g_string_append_c (probe->log, ']');
        }
    }
  probe->last = now;
  probe->last_run_ns = run_ns;
  probe->last_wait_ns = wait_ns;
  return G_SOURCE_CONTINUE;
}

static void
stall_probe_start (StallProbe *probe)
{
  memset (probe, 0, sizeof *probe);
  probe->start = g_get_monotonic_time ();
  {
    guint64 wait_ns;

    read_schedstat (&probe->start_run_ns, &wait_ns);
  }
  probe->log = g_string_new (NULL);
  probe->clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (window)));
  probe->layout_id = g_signal_connect (probe->clock, "layout", G_CALLBACK (probe_layout_cb), probe);
  probe->paint_id = g_signal_connect (probe->clock, "paint", G_CALLBACK (probe_paint_cb), probe);
  probe->id = g_timeout_add (10, stall_probe_cb, probe);
}

/* Reports the worst gaps of @probe and checks the bounds. The UI never waits for the engine or
 * the disk: a stall of a second would be a bug. The target is 50 ms; with two cores and the
 * engine busy the measured worst is 30-55 ms, at the job's start (where the main thread waits
 * for a core behind the engine's processes: the log says so); while the volumes stream, the
 * job's threads run at nice 10 and the gaps stay near 20-40 ms. The bounds asserted leave room
 * for a slow CI machine. */
static void
stall_probe_finish (StallProbe *probe,
                    const char *what)
{
  static const char * const names[] = { "preparing", "checking", "stopping", "safety-backup",
                                         "transferring", "syncing", "starting",
                                         "rolling-back", "finished" };
  g_autoptr(GString) phases = g_string_new (NULL);

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == LIFEBOAT_JOB_PHASE_FINISHED + 1);
  g_source_remove (probe->id);
  g_signal_handler_disconnect (probe->clock, probe->layout_id);
  g_signal_handler_disconnect (probe->clock, probe->paint_id);
  g_clear_object (&probe->clock);
  g_test_message ("while the volumes streamed (%.1f s): %u layouts, %u frames painted",
                  (probe->transfer_end - probe->transfer_start) / 1e6, probe->transfer_layouts,
                  probe->transfer_paints);
  g_test_message ("worst main-loop stall during the %s: %.1f ms (10 ms probe)", what,
                  probe->worst / 1000.0);
  g_test_message ("gaps over 50 ms:%s", probe->log->len ? probe->log->str : " none");
  g_test_message ("the main thread's CPU time from the click to the job's second phase: %.1f ms",
                  probe->page_ms);
  for (guint i = 1; i < G_N_ELEMENTS (probe->worst_by_phase); i++)
    if (probe->worst_by_phase[i] > 0)
      g_string_append_printf (phases, " %s %.1f ms;", names[i - 1],
                              probe->worst_by_phase[i] / 1000.0);
  g_test_message ("worst stall in each phase of the %s:%s", what, phases->str);
  g_string_free (probe->log, TRUE);

  if (screenshot_dir == NULL)
    {
      g_assert_cmpint (probe->worst, <, 1000 * 1000);
      g_assert_cmpint (probe->worst_by_phase[LIFEBOAT_JOB_PHASE_TRANSFERRING + 1], <, 250 * 1000);
      /* progress is drawn, not laid out: a GtkProgressBar, a GtkLabel for the phase and the
       * theme's row transitions laid the window out at every frame (46 of 46 in 2 s at 512 MB;
       * 29 of 30 in this test's 0.5 s); now a few, when the current volume changes */
      g_assert_cmpuint (probe->transfer_layouts, <=, 10 + probe->transfer_paints / 4);
    }
}

static gboolean
job_started (gpointer data)
{
  return window->job != NULL && window->job_running;
}

static gboolean
job_ended (gpointer data)
{
  return window->job != NULL && !window->job_running;
}

static gboolean
job_half_way (gpointer data)
{
  return !window->job_running ||
         (lifeboat_job_get_phase (window->job) == LIFEBOAT_JOB_PHASE_TRANSFERRING &&
          lifeboat_job_get_fraction (window->job) > 0.15);
}

static gboolean
history_has_backup (gpointer data)
{
  g_auto(GStrv) rows = _lifeboat_history_view_dup_rows (window->history_view);

  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);

      if (g_strv_length (cols) >= 3 && g_strcmp0 (cols[2], backup_folder) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
notification_seen (gpointer data)
{
  guint before = GPOINTER_TO_UINT (data);
  guint now = dunst_count ();

  return now != G_MAXUINT && now > before;
}

static gboolean
backup_folder_gone (gpointer data)
{
  return !g_file_test (backup_folder, G_FILE_TEST_EXISTS) && !history_has_backup (NULL);
}

/* One report of a job's outcome: its page, and a notification only when the window is not
 * in front. Checks that the window notified exactly then, and with @title. */
static gboolean
check_job_notification (guint       before,
                        const char *title)
{
  g_test_message ("window active at the job's end: %d, notified: %d",
                  gtk_window_is_active (GTK_WINDOW (window)), window->job_notified);
  if (!window->job_notified)
    {
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)) &&
                     gtk_window_is_active (GTK_WINDOW (window)));
      g_assert_cmpuint (_lifeboat_window_get_n_notifications (window), ==, before);
      return FALSE;
    }
  g_assert_cmpuint (_lifeboat_window_get_n_notifications (window), ==, before + 1);
  g_assert_true (g_str_has_prefix (_lifeboat_window_get_last_notification (window), title));
  return TRUE;
}

static gboolean
toast_is_verify_result (gpointer data)
{
  const char *toast = _lifeboat_window_get_last_toast (window);

  return toast != NULL &&
         (g_str_has_prefix (toast, "All ") || g_str_has_prefix (toast, "Verification failed"));
}

static void
test_backup (void)
{
  g_autofree char *dest_path = NULL;
  g_autoptr(GFile) dest = NULL;
  StallProbe probe;
  guint notifications_before, dunst_before;
  const GError *job_error;
  g_autofree char *manifest = NULL;
  g_auto(GStrv) rows = NULL;
  const char *keys[] = { "cvat_data", "cvat_db", "cvat_events_db", "cvat_inmem_db",
                         "cvat_keys", "cvat_logs", NULL };

  if (skip_if_no_engine ())
    return;
  g_assert_true (on_project_page (NULL));

  dest_path = g_build_filename (tmpdir, "backups", NULL);
  dest = g_file_new_for_path (dest_path);
  notifications_before = _lifeboat_window_get_n_notifications (window);
  dunst_before = dunst_count ();
  g_assert_cmpuint (dunst_before, !=, G_MAXUINT);

  stall_probe_start (&probe);
  _lifeboat_window_start_backup (window, dest);
  g_assert_true (wait_until (job_started, NULL, 30));
  g_assert_cmpstr (_lifeboat_window_get_page (window), ==, "job");

  if (screenshot_dir != NULL)
    {
      wait_until (job_half_way, NULL, 300);
      if (window->job_running)
        screenshot ("backup-in-progress.png");
    }

  if (!wait_until (job_ended, NULL, 600))
    g_error ("the backup did not end within 600 s");

  job_error = lifeboat_job_get_error (window->job);
  if (job_error != NULL)
    g_test_message ("job error: %s", job_error->message);
  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  /* in lifeboat-cli (LIFEBOAT_CLI), not in the window's process */
  g_assert_true (lifeboat_job_get_in_worker (window->job));

  stall_probe_finish (&probe, "backup");

  /* the finished backup folder: under the destination, with its manifest and one archive
   * per checked volume, and without the cache that was left out */
  g_assert_nonnull (lifeboat_job_get_folder (window->job));
  backup_folder = g_file_get_path (lifeboat_job_get_folder (window->job));
  g_assert_true (g_str_has_prefix (backup_folder, dest_path));
  manifest = g_build_filename (backup_folder, "lifeboat.json", NULL);
  g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.tar.gz", keys[i]);
      g_autofree char *path = g_build_filename (backup_folder, name, NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  {
    g_autofree char *cache = g_build_filename (backup_folder, "cvat_cache_db.tar.gz", NULL);

    g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  }

  /* the job page shows the result */
  {
    g_autofree char *text = _lifeboat_job_view_dup_text (window->job_view);

    g_test_message ("job view: %s", text);
    g_assert_true (g_str_has_prefix (text, _("Backup Complete")));
  }

  /* a notification, sent by the window and shown by the notification server */
  if (check_job_notification (notifications_before, _("Backup complete")) &&
      !wait_until (notification_seen, GUINT_TO_POINTER (dunst_before), 15))
    g_error ("the notification server did not get the notification (dunstctl count stayed %u)",
             dunst_before);

  /* the history lists it */
  if (!wait_until (history_has_backup, NULL, 60))
    {
      rows = _lifeboat_history_view_dup_rows (window->history_view);
      for (guint i = 0; rows[i] != NULL; i++)
        g_test_message ("history row: %s", rows[i]);
      g_error ("the backup %s is not in the history", backup_folder);
    }
  rows = _lifeboat_history_view_dup_rows (window->history_view);
  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);

      g_test_message ("history row: %s", rows[i]);
      if (g_strcmp0 (cols[2], backup_folder) == 0)
        {
          g_assert_cmpstr (cols[0], ==, lifeboat_job_kind_to_string (LIFEBOAT_JOB_KIND_BACKUP));
          g_assert_cmpstr (cols[1], ==,
                           lifeboat_job_outcome_to_string (LIFEBOAT_JOB_OUTCOME_SUCCEEDED));
          for (guint k = 0; keys[k] != NULL; k++)
            g_assert_nonnull (strstr (cols[3], keys[k]));
        }
    }

  /* back to the project, then the history page */
  g_signal_emit_by_name (window->job_view, "done");
  g_assert_true (wait_until (on_project_page, NULL, 60));
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  g_assert_true (wait_until (history_has_backup, NULL, 60));
  /* Verify on the history row re-reads every archive against the manifest ... */
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  g_clear_pointer (&window->last_toast, g_free);
  g_assert_true (_lifeboat_history_view_click_verify (window->history_view, backup_folder));
  if (!wait_until (toast_is_verify_result, NULL, 120))
    g_error ("no verification result; last toast: %s", _lifeboat_window_get_last_toast (window));
  g_test_message ("verify: %s", _lifeboat_window_get_last_toast (window));
  g_assert_true (g_str_has_prefix (_lifeboat_window_get_last_toast (window),
                                   "All 6 archives match the manifest ("));
  screenshot ("history.png");
  /* ... and finds a damaged one */
  {
    g_autofree char *archive = g_build_filename (backup_folder, "cvat_logs.tar.gz", NULL);
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (archive, &contents, &length, NULL));
    g_assert_cmpuint (length, >, 100);
    contents[length / 2] ^= 0x55;
    g_assert_true (g_file_set_contents (archive, contents, length, NULL));
  }
  g_clear_pointer (&window->last_toast, g_free);
  g_assert_true (_lifeboat_history_view_click_verify (window->history_view, backup_folder));
  if (!wait_until (toast_is_verify_result, NULL, 120))
    g_error ("no verification result; last toast: %s", _lifeboat_window_get_last_toast (window));
  g_test_message ("verify of a damaged backup: %s", _lifeboat_window_get_last_toast (window));
  g_assert_true (g_str_has_prefix (_lifeboat_window_get_last_toast (window),
                                   "Verification failed"));
  g_assert_nonnull (strstr (_lifeboat_window_get_last_toast (window), "cvat_logs.tar.gz"));

  /* Delete asks first, then forgets the entry and moves the folder to the trash */
  {
    AdwMessageDialog *dialog = _lifeboat_history_view_click_delete (window->history_view,
                                                                    backup_folder);

    g_assert_nonnull (dialog);
    g_assert_true (adw_message_dialog_has_response (dialog, "trash"));
    g_assert_true (g_file_test (backup_folder, G_FILE_TEST_IS_DIR));
    /* what a click on the dialog's button does: respond, then close */
    adw_message_dialog_response (dialog, "trash");
    gtk_window_close (GTK_WINDOW (dialog));
    if (!wait_until (backup_folder_gone, NULL, 60))
      g_error ("the backup folder is still there or still listed; last toast: %s",
               _lifeboat_window_get_last_toast (window));
  }

  if (screenshot_dir != NULL)
    spin (18);   /* the toasts time out before the next screenshot */

  adw_view_stack_set_visible_child_name (window->view_stack, "overview");
}

static gboolean
on_restore_page (gpointer data)
{
  return g_strcmp0 (_lifeboat_window_get_page (window), "restore") == 0;
}

static gboolean
not_planning (gpointer data)
{
  return !window->planning;
}

static void
test_drop_guide_backup (void)
{
  g_autofree char *folder = g_build_filename (tmpdir, "guide", "backup", NULL);
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_auto(GStrv) rows = NULL;
  GSList *files = NULL;
  const char *ubuntu = g_getenv ("LIFEBOAT_TEST_UBUNTU_IMAGE");
  const char *docker = g_getenv ("LIFEBOAT_TEST_DOCKER");
  const char *busybox = g_getenv ("LIFEBOAT_TEST_BUSYBOX_IMAGE");

  if (skip_if_no_engine ())
    return;

  g_free (guide_folder);
  guide_folder = g_strdup (folder);

  /* the guide's own backup commands, for two of the volumes */
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  script = g_strdup_printf (
    "set -e\n"
    "export DOCKER_HOST='%s'\n"
    "D='%s'\n"
    "cd '%s/..'\n"
    "$D stop $($D ps -q --filter label=com.docker.compose.project=%s) >/dev/null\n"
    "$D run --rm --name temp_backup --volumes-from cvat_db -v $(pwd)/backup:/backup '%s' "
    "  tar -czvf /backup/cvat_db.tar.gz /var/lib/postgresql/data >/dev/null\n"
    "$D run --rm --name temp_backup --volumes-from cvat_server -v $(pwd)/backup:/backup '%s' "
    "  tar -czvf /backup/cvat_keys.tar.gz /home/django/keys >/dev/null\n"
    "$D start $($D ps -aq --filter label=com.docker.compose.project=%s) >/dev/null\n"
    /* a change after the backup, which the restore must undo */
    "$D run --rm --network none -v %s_cvat_keys:/k '%s' sh -c 'echo changed > /k/after-backup'\n",
    docker_host, docker ? docker : "docker", folder, project,
    ubuntu ? ubuntu : "ubuntu:latest", ubuntu ? ubuntu : "ubuntu:latest", project,
    project, busybox ? busybox : "lifeboat-test/busybox:latest");
  {
    const char *argv[] = { "bash", "-c", script, NULL };

    if (!run_command (argv, NULL, &error))
      g_error ("the guide's backup commands failed: %s", error->message);
  }

  file = g_file_new_for_path (folder);
  files = g_slist_prepend (files, file);
  g_assert_true (_lifeboat_window_drop_files (window, files));
  g_slist_free (files);

  if (!wait_until (on_restore_page, NULL, 120))
    g_error ("no restore summary after the drop; last toast: \"%s\"",
             _lifeboat_window_get_last_toast (window));
  g_assert_true (wait_until (not_planning, NULL, 5));

  rows = _lifeboat_restore_view_dup_rows (window->restore_view);
  g_assert_cmpuint (g_strv_length (rows), ==, 2);
  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);
      g_autofree char *key = NULL;
      g_autofree char *volume = NULL;
      g_autofree char *archive = NULL;
      g_autofree char *want_size = NULL;
      GStatBuf st;

      g_test_message ("restore row: %s", rows[i]);
      g_assert_cmpuint (g_strv_length (cols), ==, 4);
      g_assert_true (g_str_has_suffix (cols[0], ".tar.gz"));
      key = g_strndup (cols[0], strlen (cols[0]) - strlen (".tar.gz"));
      g_assert_true (g_str_equal (key, "cvat_db") || g_str_equal (key, "cvat_keys"));
      /* a guide backup has no manifest: it goes into the project on screen */
      volume = g_strdup_printf ("%s_%s", project, key);
      g_assert_cmpstr (cols[1], ==, volume);
      archive = g_build_filename (folder, cols[0], NULL);
      g_assert_cmpint (g_stat (archive, &st), ==, 0);
      want_size = g_format_size ((guint64) st.st_size);
      g_assert_cmpstr (cols[2], ==, want_size);
    }
  /* the versions cannot be compared (no manifest): restoring is allowed */
  g_assert_true (_lifeboat_restore_view_can_restore (window->restore_view));

  screenshot ("restore-summary.png");

  g_signal_emit_by_name (window->restore_view, "cancelled");
  g_assert_true (wait_until (on_project_page, NULL, 30));
}

static gboolean
history_has_restore (gpointer data)
{
  g_auto(GStrv) rows = _lifeboat_history_view_dup_rows (window->history_view);

  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);

      if (g_strv_length (cols) >= 3 &&
          g_strcmp0 (cols[0], lifeboat_job_kind_to_string (LIFEBOAT_JOB_KIND_RESTORE)) == 0 &&
          g_strcmp0 (cols[2], guide_folder) == 0)
        return TRUE;
    }
  return FALSE;
}

/* the restore summary's Restore button restores: the change made after the backup is gone */
static void
test_restore_guide_backup (void)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  GSList *files = NULL;
  guint notifications_before;
  gboolean closed_while_running;
  StallProbe probe;
  const GError *job_error;
  const char *docker = g_getenv ("LIFEBOAT_TEST_DOCKER");
  const char *busybox = g_getenv ("LIFEBOAT_TEST_BUSYBOX_IMAGE");

  if (skip_if_no_engine ())
    return;
  g_assert_nonnull (guide_folder);
  g_assert_true (on_project_page (NULL));

  file = g_file_new_for_path (guide_folder);
  files = g_slist_prepend (files, file);
  g_assert_true (_lifeboat_window_drop_files (window, files));
  g_slist_free (files);
  if (!wait_until (on_restore_page, NULL, 120))
    g_error ("no restore summary after the drop; last toast: \"%s\"",
             _lifeboat_window_get_last_toast (window));
  g_assert_true (wait_until (not_planning, NULL, 5));

  notifications_before = _lifeboat_window_get_n_notifications (window);
  stall_probe_start (&probe);
  _lifeboat_restore_view_click_restore (window->restore_view);
  g_assert_true (wait_until (job_started, NULL, 30));
  g_assert_cmpint (lifeboat_job_get_kind (window->job), ==, LIFEBOAT_JOB_KIND_RESTORE);

  /* closing the window while the job runs hides it; the application holds itself and the
   * job goes on */
  g_assert_cmpuint (lifeboat_application_get_n_jobs (app), ==, 1);
  closed_while_running = window->job_running;
  gtk_window_close (GTK_WINDOW (window));
  spin (0.3);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (window->job_running || lifeboat_job_get_outcome (window->job) ==
                                        LIFEBOAT_JOB_OUTCOME_SUCCEEDED);

  if (!wait_until (job_ended, NULL, 600))
    g_error ("the restore did not end within 600 s");
  stall_probe_finish (&probe, "restore");
  g_assert_cmpuint (lifeboat_application_get_n_jobs (app), ==, 0);
  /* what the notification's default action does */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-window", NULL);
  spin (0.3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  job_error = lifeboat_job_get_error (window->job);
  if (job_error != NULL)
    g_test_message ("job error: %s", job_error->message);
  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  g_assert_true (lifeboat_job_get_in_worker (window->job));
  /* the window was hidden when the restore ended: the notification is its report */
  if (closed_while_running)
    g_assert_true (window->job_notified);
  check_job_notification (notifications_before, _("Restore complete"));

  script = g_strdup_printf ("DOCKER_HOST='%s' '%s' run --rm --network none -v %s_cvat_keys:/k '%s' "
                            "sh -c 'test ! -e /k/after-backup && ls /k'",
                            docker_host, docker ? docker : "docker", project,
                            busybox ? busybox : "lifeboat-test/busybox:latest");
  {
    const char *argv[] = { "bash", "-c", script, NULL };
    g_autofree char *out = NULL;

    if (!run_command (argv, &out, &error))
      g_error ("the volume still holds the change made after the backup: %s", error->message);
    g_test_message ("cvat_keys after the restore: %s", out);
  }

  if (!wait_until (history_has_restore, NULL, 60))
    g_error ("the restore is not in the history");

  g_signal_emit_by_name (window->job_view, "done");
  g_assert_true (wait_until (on_project_page, NULL, 60));
}


/* ---------------------------------------------------------------------------------------- */
/* A restic repository as the destination (issue 16): the backup runs in lifeboat-cli with the
 * password through a pipe; History lists it once, verifies it (restic check, then the tar
 * streams) and opens the same restore summary for it. Two small volumes, to keep it short. */

static char *repo_password;
static char *repo_backup;   /* "<repository>#<ID>" */

/* the Secret Service's part: the password the window keeps for the repository */
static char *
test_password_lookup (const char *location)
{
  return g_strdup (repo_password);
}

static gboolean
history_has_repo_backup (gpointer data)
{
  g_auto(GStrv) rows = _lifeboat_history_view_dup_rows (window->history_view);

  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);

      if (g_strv_length (cols) >= 6 && g_strcmp0 (cols[2], repo_backup) == 0 &&
          g_strcmp0 (cols[1], lifeboat_job_outcome_to_string (LIFEBOAT_JOB_OUTCOME_SUCCEEDED)) == 0)
        return strstr (cols[5], "(missing)") == NULL;
    }
  return FALSE;
}

static void
test_repository (void)
{
  const char *keys[] = { "cvat_data", "cvat_db", "cvat_events_db", "cvat_inmem_db",
                         "cvat_keys", "cvat_logs", NULL };
  g_autofree char *restic = g_find_program_in_path ("restic");
  g_autofree char *repo_path = NULL;
  g_autofree char *pw_file = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autoptr(GFile) dest = NULL;
  g_autoptr(GError) error = NULL;
  const GError *job_error;
  GFile *folder;
  gint64 t0 = g_get_monotonic_time ();

  if (skip_if_no_engine ())
    return;
  if (restic == NULL)
    {
      g_test_skip ("restic is not installed (apt-get install restic)");
      return;
    }
  g_assert_true (on_project_page (NULL));

  repo_path = g_build_filename (tmpdir, "repo", NULL);
  pw_file = g_build_filename (tmpdir, "repo-pw", NULL);
  repo_password = g_strdup_printf ("lbt-window-%d-%u", (int) getpid (), g_random_int ());
  g_assert_true (g_file_set_contents (pw_file, repo_password, -1, NULL));
  {
    const char *argv[] = { "restic", "-q", "-r", repo_path, "--password-file", pw_file,
                           "init", NULL };

    if (!run_command (argv, NULL, &error))
      g_error ("restic init: %s", error->message);
  }
  /* the window's own lookup asks the Secret Service, which this session has not */
  lifeboat_restic_set_password_lookup (test_password_lookup);
  repo = lifeboat_restic_repository_new (repo_path);
  dest = lifeboat_restic_repository_get_file (repo, NULL);

  for (guint i = 0; keys[i] != NULL; i++)
    _lifeboat_project_view_set_checked (window->project_view, keys[i],
                                        g_str_equal (keys[i], "cvat_keys") ||
                                        g_str_equal (keys[i], "cvat_logs"));

  /* the backup, in lifeboat-cli */
  g_test_message ("repository: ready after %.1f s", (g_get_monotonic_time () - t0) / 1e6);
  _lifeboat_window_start_backup (window, dest);
  g_assert_true (wait_until (job_started, NULL, 30));
  if (!wait_until (job_ended, NULL, 300))
    g_error ("the backup into the repository did not end within 300 s");
  job_error = lifeboat_job_get_error (window->job);
  if (job_error != NULL)
    g_test_message ("job error: %s", job_error->message);
  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  g_assert_true (lifeboat_job_get_in_worker (window->job));
  folder = lifeboat_job_get_folder (window->job);
  g_assert_nonnull (folder);
  g_assert_nonnull (lifeboat_restic_file_get_repository (folder));
  repo_backup = g_file_get_parse_name (folder);
  g_test_message ("backup: %s", repo_backup);
  g_assert_true (g_str_has_prefix (repo_backup, repo_path));
  g_assert_true (repo_backup[strlen (repo_path)] == '#');

  for (guint i = 0; keys[i] != NULL; i++)
    _lifeboat_project_view_set_checked (window->project_view, keys[i], TRUE);
  g_signal_emit_by_name (window->job_view, "done");
  g_assert_true (wait_until (on_project_page, NULL, 60));

  g_test_message ("repository: backup after %.1f s", (g_get_monotonic_time () - t0) / 1e6);
  /* History: once, with Verify and Restore… */
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  if (!wait_until (history_has_repo_backup, NULL, 60))
    {
      g_auto(GStrv) rows = _lifeboat_history_view_dup_rows (window->history_view);

      for (guint i = 0; rows[i] != NULL; i++)
        g_test_message ("history row: %s", rows[i]);
      g_error ("the repository's backup %s is not in the history", repo_backup);
    }
  {
    g_auto(GStrv) rows = _lifeboat_history_view_dup_rows (window->history_view);
    guint n = 0;

    for (guint i = 0; rows[i] != NULL; i++)
      n += strstr (rows[i], repo_backup) != NULL;
    g_assert_cmpuint (n, ==, 1);
  }
  g_clear_pointer (&window->last_toast, g_free);
  g_assert_true (_lifeboat_history_view_click_verify (window->history_view, repo_backup));
  if (!wait_until (toast_is_verify_result, NULL, 120))
    g_error ("no verification result; last toast: %s", _lifeboat_window_get_last_toast (window));
  g_test_message ("verify: %s", _lifeboat_window_get_last_toast (window));
  g_assert_true (g_str_has_prefix (_lifeboat_window_get_last_toast (window),
                                   "All 2 tar streams in the repository match the manifest ("));
  g_assert_true (g_str_has_suffix (_lifeboat_window_get_last_toast (window),
                                   "; restic check passed"));

  g_test_message ("repository: verify after %.1f s", (g_get_monotonic_time () - t0) / 1e6);
  /* Restore… opens the same restore summary, planned from the repository's manifest (the
   * restore itself, in lifeboat-cli with the password through the pipe, is run the window's
   * way by tests/integration/restic-retention.sh: here it would take too long) */
  g_assert_true (_lifeboat_history_view_click_restore (window->history_view, repo_backup));
  if (!wait_until (on_restore_page, NULL, 120))
    g_error ("no restore summary for %s; last toast: \"%s\"", repo_backup,
             _lifeboat_window_get_last_toast (window));
  g_assert_true (wait_until (not_planning, NULL, 30));
  {
    g_auto(GStrv) rows = _lifeboat_restore_view_dup_rows (window->restore_view);

    g_assert_cmpuint (g_strv_length (rows), ==, 2);
    for (guint i = 0; rows[i] != NULL; i++)
      {
        g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);
        g_autofree char *keys_volume = g_strdup_printf ("%s_cvat_keys", project);
        g_autofree char *logs_volume = g_strdup_printf ("%s_cvat_logs", project);

        g_test_message ("restore row: %s", rows[i]);
        g_assert_cmpuint (g_strv_length (cols), ==, 4);
        g_assert_true (g_str_equal (cols[1], keys_volume) || g_str_equal (cols[1], logs_volume));
      }
  }
  g_assert_true (_lifeboat_restore_view_can_restore (window->restore_view));
  g_assert_true (LIFEBOAT_IS_RESTORE_JOB (lifeboat_restore_view_get_job (window->restore_view)));
  g_signal_emit_by_name (window->restore_view, "cancelled");
  g_assert_true (wait_until (on_project_page, NULL, 30));
  adw_view_stack_set_visible_child_name (window->view_stack, "overview");
  g_test_message ("repository: backup, verify and restore summary in %.1f s",
                  (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
}

static gboolean
shows_unreachable (gpointer data)
{
  return g_strcmp0 (_lifeboat_window_get_page (window), "status") == 0 &&
         g_strcmp0 (_lifeboat_window_get_status_title (window), _("No Engine Reachable")) == 0;
}

static gboolean
job_transferring (gpointer data)
{
  return !window->job_running ||
         lifeboat_job_get_phase (window->job) == LIFEBOAT_JOB_PHASE_TRANSFERRING;
}

static gboolean
all_running (gpointer data)
{
  g_auto(GStrv) containers = NULL;

  if (_lifeboat_window_is_busy (window) || !on_project_page (NULL))
    return FALSE;
  containers = _lifeboat_project_view_dup_container_rows (window->project_view);
  for (guint i = 0; containers[i] != NULL; i++)
    if (!g_str_has_suffix (containers[i], _("Running")))
      return FALSE;
  return containers[0] != NULL;
}

/* Cancel during the transfer: the job ends cancelled, says what it left, leaves no backup
 * folder that looks complete, starts the containers again and sends a notification */
static void
test_cancel_backup (void)
{
  g_autofree char *dest_path = g_build_filename (tmpdir, "backups-cancelled", NULL);
  g_autoptr(GFile) dest = g_file_new_for_path (dest_path);
  g_autofree char *text = NULL;
  guint notifications_before;
  GDir *dir;
  const char *name;

  if (skip_if_no_engine ())
    return;
  g_assert_true (on_project_page (NULL));

  notifications_before = _lifeboat_window_get_n_notifications (window);
  _lifeboat_window_start_backup (window, dest);
  g_assert_true (wait_until (job_started, NULL, 30));
  g_assert_true (wait_until (job_transferring, NULL, 120));
  if (!window->job_running)
    {
      g_test_skip ("the backup ended before it could be cancelled");
      g_signal_emit_by_name (window->job_view, "done");
      return;
    }
  _lifeboat_job_view_click_cancel (window->job_view);
  if (!wait_until (job_ended, NULL, 300))
    g_error ("the cancelled backup did not end within 300 s");

  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_CANCELLED);
  text = _lifeboat_job_view_dup_text (window->job_view);
  g_test_message ("job view: %s", text);
  g_assert_true (g_str_has_prefix (text, _("Backup Cancelled")));
  /* what the job left as it was */
  g_assert_nonnull (lifeboat_job_get_aftermath (window->job));
  g_assert_nonnull (strstr (text, lifeboat_job_get_aftermath (window->job)));
  check_job_notification (notifications_before, _("Backup cancelled"));

  /* no folder that looks like a finished backup */
  dir = g_dir_open (dest_path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *manifest = g_build_filename (dest_path, name, "lifeboat.json", NULL);

      g_test_message ("left in the destination: %s", name);
      g_assert_false (g_file_test (manifest, G_FILE_TEST_EXISTS));
    }
  g_clear_pointer (&dir, g_dir_close);

  g_signal_emit_by_name (window->job_view, "done");
  if (!wait_until (all_running, NULL, 120))
    g_error ("the containers are not all running again after the cancel");
}

static gboolean
shows_version (gpointer data)
{
  LifeboatProject *p = lifeboat_project_view_get_project (window->project_view);
  g_autofree char *label = NULL;

  if (_lifeboat_window_is_busy (window) || p == NULL)
    return FALSE;
  label = lifeboat_project_dup_app_label (p);
  return g_strcmp0 (label, data) == 0;
}

/* a Lifeboat backup of CVAT v2.22.0 dropped on a v2.23.0 stack: the guide's warning, and the
 * Restore button only works after the explicit override */
static void
test_version_mismatch (void)
{
  g_autofree char *dest_path = NULL;
  g_autoptr(GFile) dest = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  GSList *files = NULL;
  const char *warning;

  if (skip_if_no_engine ())
    return;
  g_assert_true (on_project_page (NULL));

  dest_path = g_build_filename (tmpdir, "backups-versions", NULL);
  dest = g_file_new_for_path (dest_path);
  /* the compression chosen in the preferences is the one the backup uses */
  g_assert_nonnull (lifeboat_application_get_settings (app));
  g_settings_set_string (lifeboat_application_get_settings (app), "compression", "zstd");
  _lifeboat_window_start_backup (window, dest);
  g_assert_true (wait_until (job_started, NULL, 30));
  if (!wait_until (job_ended, NULL, 600))
    g_error ("the backup did not end within 600 s");
  if (lifeboat_job_get_error (window->job) != NULL)
    g_test_message ("job error: %s", lifeboat_job_get_error (window->job)->message);
  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  folder = g_object_ref (lifeboat_job_get_folder (window->job));
  g_signal_emit_by_name (window->job_view, "done");
  g_settings_reset (lifeboat_application_get_settings (app), "compression");
  {
    g_autofree char *path = g_file_get_path (folder);
    g_autofree char *zst = g_build_filename (path, "cvat_db.tar.zst", NULL);
    g_autofree char *gz = g_build_filename (path, "cvat_db.tar.gz", NULL);

    g_assert_true (g_file_test (zst, G_FILE_TEST_IS_REGULAR));
    g_assert_false (g_file_test (gz, G_FILE_TEST_EXISTS));
  }

  /* the same volumes under containers of a newer CVAT */
  script = g_strdup_printf ("set -e\n"
                            "'%s/remove-cvat-stack' --containers-only %s >&2\n"
                            "'%s/make-cvat-stack' --cvat-version v2.23.0 current %s >&2\n",
                            harness_dir, project, harness_dir, project);
  {
    const char *argv[] = { "bash", "-c", script, NULL };

    if (!run_command (argv, NULL, &error))
      g_error ("recreating the containers failed: %s", error->message);
  }
  _lifeboat_window_refresh (window);
  if (!wait_until (shows_version, (gpointer) "CVAT v2.23.0", 120))
    g_error ("the project page does not show CVAT v2.23.0 after a refresh");

  files = g_slist_prepend (files, folder);
  g_assert_true (_lifeboat_window_drop_files (window, files));
  g_slist_free (files);
  if (!wait_until (on_restore_page, NULL, 120))
    g_error ("no restore summary after the drop; last toast: \"%s\"",
             _lifeboat_window_get_last_toast (window));
  g_assert_true (wait_until (not_planning, NULL, 5));

  warning = _lifeboat_restore_view_get_version_warning (window->restore_view);
  g_assert_nonnull (warning);
  g_assert_cmpstr (warning, ==, lifeboat_restore_version_warning ());
  g_test_message ("version warning: %s", warning);
  g_assert_false (_lifeboat_restore_view_can_restore (window->restore_view));
  /* a click on the insensitive button does nothing */
  _lifeboat_restore_view_click_restore (window->restore_view);
  spin (0.3);
  g_assert_false (window->job_running);
  g_assert_cmpstr (_lifeboat_window_get_page (window), ==, "restore");

  _lifeboat_restore_view_set_override (window->restore_view, TRUE);
  g_assert_true (_lifeboat_restore_view_can_restore (window->restore_view));
  g_assert_true (lifeboat_restore_view_get_ignore_version (window->restore_view));
  screenshot ("restore-version-mismatch.png");

  g_signal_emit_by_name (window->restore_view, "cancelled");
  g_assert_true (wait_until (on_project_page, NULL, 30));
}

/* an engine that is not there: the status page says why and what to do; needs no engine */
static void
test_unreachable_engine (void)
{
  const char *description;
  GtkListBoxRow *previous = gtk_list_box_get_selected_row (window->hosts_list);

  _lifeboat_window_add_host (window, "unix:///nonexistent/lifeboat-test.sock", TRUE);
  if (!wait_until (shows_unreachable, NULL, 30))
    g_error ("no \"No Engine Reachable\" page; page %s, title \"%s\"",
             _lifeboat_window_get_page (window), _lifeboat_window_get_status_title (window));
  description = adw_status_page_get_description (window->status_page);
  g_test_message ("status page: %s", description);
  g_assert_nonnull (strstr (description, "unix:///nonexistent/lifeboat-test.sock"));
  /* the reason, then what to do */
  g_assert_nonnull (strstr (description, "\n\n"));
  screenshot ("no-engine.png");

  /* nothing of the previous engine's project stays on screen */
  g_assert_null (lifeboat_project_view_get_project (window->project_view));

  if (previous != NULL)
    gtk_list_box_select_row (window->hosts_list, previous);
}

static gboolean
host_unreachable (gpointer data)
{
  g_autofree char *row = _lifeboat_window_dup_host_row (window, data);

  return row != NULL && strstr (row, "\tunreachable\t") != NULL;
}

static char *
read_hosts_ini (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "lifeboat", "hosts.ini",
                                            NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

/* an SSH engine typed into the sidebar: remembered in hosts.ini (shared with lifeboat-cli),
 * shown unreachable with the reason, and forgotten by its remove button; needs no engine */
static void
test_add_remove_host (void)
{
  const char *uri = "ssh://nobody@127.0.0.1:1";
  g_autofree char *row = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *after = NULL;
  GtkListBoxRow *previous = gtk_list_box_get_selected_row (window->hosts_list);

  GtkListBoxRow *first_row = gtk_list_box_get_row_at_index (window->hosts_list, 0);
  GtkListBoxRow *new_row;
  guint n_hosts = g_list_model_get_n_items (G_LIST_MODEL (window->hosts));

  gtk_editable_set_text (GTK_EDITABLE (window->add_host_row), "nobody@127.0.0.1:1");
  g_signal_emit_by_name (window->add_host_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->add_host_row)), ==, "");
  /* one more item in the hosts model, its row made from it */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->hosts)), ==, n_hosts + 1);
  new_row = gtk_list_box_get_row_at_index (window->hosts_list, (int) n_hosts);
  g_assert_nonnull (new_row);

  if (!wait_until (host_unreachable, (gpointer) uri, 60))
    {
      row = _lifeboat_window_dup_host_row (window, uri);
      g_error ("the SSH host is not shown unreachable: %s", row ? row : "(no row)");
    }
  /* the state changed the rows in place: the same widgets, the new one says it failed */
  g_assert_true (gtk_list_box_get_row_at_index (window->hosts_list, 0) == first_row);
  g_assert_true (gtk_list_box_get_row_at_index (window->hosts_list, (int) n_hosts) == new_row);
  g_assert_true (gtk_widget_has_css_class (g_object_get_data (G_OBJECT (new_row), "state-icon"),
                                           "error"));
  row = _lifeboat_window_dup_host_row (window, uri);
  g_test_message ("host row: %s", row);
  saved = read_hosts_ini ();
  g_assert_nonnull (strstr (saved, uri));

  g_assert_true (_lifeboat_window_click_remove_host (window, uri));
  g_assert_null (_lifeboat_window_dup_host_row (window, uri));
  after = read_hosts_ini ();
  g_assert_null (strstr (after, uri));

  if (previous != NULL && gtk_widget_get_parent (GTK_WIDGET (previous)) != NULL)
    gtk_list_box_select_row (window->hosts_list, previous);
}

/* ---------------------------------------------------------------------------------------- */

static gboolean
not_busy (gpointer data)
{
  return !_lifeboat_window_is_busy (window) && !window->job_running;
}

static gboolean
not_busy_discovering (gpointer data)
{
  return !window->discovering;
}

/* ---------------------------------------------------------------------------------------- */
/* Issue 14: live state, history per engine, space before stopping, after a job, narrow     */

static char *cli_folder;       /* a backup recorded by lifeboat-cli on the first engine */
static char *engine2_dir;      /* the second private engine's work dir, stopped at the end */
static char *engine2_host;

static char *
docker_out (const char *host,
            const char *args)
{
  g_autofree char *script = g_strdup_printf ("DOCKER_HOST='%s' \"${LIFEBOAT_TEST_DOCKER:-docker}\" %s",
                                             host, args);
  const char *argv[] = { "bash", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (!run_command (argv, &out, &error))
    g_error ("docker %s: %s", args, error->message);
  return out;
}

/* "name StartedAt running" of the project's containers, sorted: a container stopped and
 * started again has a new StartedAt */
static char *
containers_started (const char *host)
{
  g_autofree char *args = g_strdup_printf ("ps -aq --filter label=com.docker.compose.project=%s "
                                           "| xargs \"${LIFEBOAT_TEST_DOCKER:-docker}\" inspect "
                                           "-f '{{.Name}} {{.State.StartedAt}} {{.State.Running}}' "
                                           "| sort", project);

  return docker_out (host, args);
}

static gboolean
history_lists (gpointer data)
{
  g_auto(GStrv) rows = _lifeboat_history_view_dup_rows (window->history_view);

  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);

      if (g_strv_length (cols) >= 3 && g_strcmp0 (cols[2], data) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
history_row_for (const char *folder)
{
  g_auto(GStrv) rows = _lifeboat_history_view_dup_rows (window->history_view);

  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);

      if (g_strv_length (cols) >= 3 && g_strcmp0 (cols[2], folder) == 0)
        return g_strdup (rows[i]);
    }
  return NULL;
}

/* runs lifeboat-cli on @host; returns its last line of stdout */
static char *
cli_run (const char *host,
         const char *args)
{
  const char *cli = g_getenv ("LIFEBOAT_CLI");
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_nonnull (cli);
  script = g_strdup_printf ("'%s' --host '%s' %s </dev/null", cli, host, args);
  {
    const char *argv[] = { "bash", "-c", script, NULL };

    if (!run_command (argv, &out, &error))
      g_error ("lifeboat-cli %s: %s", args, error->message);
  }
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  n = g_strv_length (lines);
  return g_strdup (n > 0 ? lines[n - 1] : "");
}

static gboolean
live_updated (gpointer data)
{
  return window->live_updates > GPOINTER_TO_UINT (data);
}

static gboolean
all_running_again (gpointer data)
{
  g_autofree char *started = containers_started (data);

  return strstr (started, " false") == NULL;
}

static gboolean
container_row_says (gpointer data)
{
  const char **want = data;   /* { name, state } */
  g_auto(GStrv) rows = _lifeboat_project_view_dup_container_rows (window->project_view);
  g_autofree char *prefix = g_strdup_printf ("%s\t", want[0]);

  for (guint i = 0; rows[i] != NULL; i++)
    if (g_str_has_prefix (rows[i], prefix))
      return g_str_has_suffix (rows[i], want[1]);
  return FALSE;
}

/* A container stopped and started behind the window's back (docker stop, as an admin would):
 * the engine's events change that container's row in place. The page is not rebuilt: the same
 * project object, the same row widgets, the user's unchecked volume and the scroll position
 * stay. */
static void
test_live_in_place (void)
{
  const char *stopped[] = { "cvat_clickhouse", NULL };
  const char *running[] = { "cvat_clickhouse", NULL };
  LifeboatProject *shown;
  GtkWidget *container_row, *volume_row, *sidebar_row;
  GtkScrolledWindow *scrolled;
  GtkAdjustment *vadj;
  g_autofree char *out = NULL;
  double scroll;

  if (skip_if_no_engine ())
    return;
  g_assert_true (wait_until (on_project_page, NULL, 60));
  adw_view_stack_set_visible_child_name (window->view_stack, "overview");
  stopped[1] = _("Stopped");
  running[1] = _("Running");
  g_assert_true (container_row_says (running));

  shown = lifeboat_project_view_get_project (window->project_view);
  container_row = _lifeboat_project_view_get_row (window->project_view, "cvat_clickhouse");
  volume_row = _lifeboat_project_view_get_row (window->project_view, "cvat_logs");
  sidebar_row = gtk_list_box_get_selected_row (window->projects_list)
                  ? GTK_WIDGET (gtk_list_box_get_selected_row (window->projects_list)) : NULL;
  g_assert_nonnull (container_row);
  g_assert_nonnull (volume_row);
  g_assert_nonnull (sidebar_row);
  _lifeboat_project_view_set_checked (window->project_view, "cvat_logs", FALSE);
  g_assert_null (strstr (_lifeboat_project_view_get_total (window->project_view), "in all"));

  scrolled = _lifeboat_project_view_get_scrolled (window->project_view);
  g_assert_nonnull (scrolled);
  vadj = gtk_scrolled_window_get_vadjustment (scrolled);
  spin (0.3);
  scroll = MIN (120.0, gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj));
  gtk_adjustment_set_value (vadj, scroll);
  spin (0.3);
  scroll = gtk_adjustment_get_value (vadj);
  g_test_message ("scrolled to %.0f", scroll);

  out = docker_out (docker_host, "stop -t 1 cvat_clickhouse");
  if (!wait_until (container_row_says, stopped, 30))
    g_error ("the stopped container's row does not say so: %s",
             g_strjoinv (" | ", _lifeboat_project_view_dup_container_rows (window->project_view)));

  /* the same page, changed in place */
  g_assert_true (lifeboat_project_view_get_project (window->project_view) == shown);
  g_assert_true (_lifeboat_project_view_get_row (window->project_view, "cvat_clickhouse") ==
                 container_row);
  g_assert_true (_lifeboat_project_view_get_row (window->project_view, "cvat_logs") == volume_row);
  g_assert_true (GTK_WIDGET (gtk_list_box_get_selected_row (window->projects_list)) == sidebar_row);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (vadj), scroll, 0.5);
  {
    g_auto(GStrv) keys = lifeboat_project_view_dup_selected_volumes (window->project_view);

    g_assert_false (g_strv_contains ((const char * const *) keys, "cvat_logs"));
    g_assert_true (g_strv_contains ((const char * const *) keys, "cvat_db"));
  }
  screenshot ("live-stopped.png");

  g_free (out);
  out = docker_out (docker_host, "start cvat_clickhouse");
  if (!wait_until (container_row_says, running, 30))
    g_error ("the started container's row does not say so");
  g_assert_true (_lifeboat_project_view_get_row (window->project_view, "cvat_clickhouse") ==
                 container_row);
  _lifeboat_project_view_set_checked (window->project_view, "cvat_logs", TRUE);
  gtk_adjustment_set_value (vadj, 0);
}

/* a job run by lifeboat-cli (as cron would) appears in the open window's history without
 * F5, and the engine's events (the CLI stops and starts the containers) update the window */
static void
test_cli_job_appears (void)
{
  g_autofree char *dest = NULL;
  g_autofree char *args = NULL;
  g_autofree char *row = NULL;
  guint loads, live;

  if (skip_if_no_engine ())
    return;
  g_assert_true (wait_until (on_project_page, NULL, 60));
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  loads = _lifeboat_history_view_get_loads (window->history_view);
  live = window->live_updates;

  dest = g_build_filename (tmpdir, "cli-backups", NULL);
  args = g_strdup_printf ("backup %s --to '%s' --volumes cvat_keys,cvat_logs", project, dest);
  cli_folder = cli_run (docker_host, args);
  g_assert_true (g_file_test (cli_folder, G_FILE_TEST_IS_DIR));

  if (!wait_until (history_lists, cli_folder, 15))
    g_error ("the backup %s recorded by lifeboat-cli is not in the open window's history", cli_folder);
  g_assert_cmpuint (_lifeboat_history_view_get_loads (window->history_view), >, loads);
  row = history_row_for (cli_folder);
  g_test_message ("history row: %s", row);
  /* which engine, and the size labelled */
  g_assert_nonnull (strstr (row, "\nOn "));
  g_assert_nonnull (strstr (row, " on disk"));
  /* the CLI stopped and started containers: the engine's events made the window look again
   * (the main loop did not run while the CLI ran: the events wait in the stream) */
  if (!wait_until (live_updated, GUINT_TO_POINTER (live), 10))
    g_error ("the engine's events did not update the window");
  g_assert_true (wait_until (on_project_page, NULL, 30));
  adw_view_stack_set_visible_child_name (window->view_stack, "overview");
}

static gboolean
job_shown (gpointer data)
{
  return g_strcmp0 (lifeboat_history_view_get_shown_id (window->history_view), data) == 0 &&
         g_strcmp0 (adw_view_stack_get_visible_child_name (window->view_stack), "history") == 0;
}

static gboolean
toast_says (gpointer data)
{
  const char *toast = _lifeboat_window_get_last_toast (window);

  return toast != NULL && strstr (toast, data) != NULL;
}

/* `lifeboat --job ID`, what a notification's action runs (lifeboat-cli monitor): the running
 * window, reached over the session bus, shows that job's row on its project's History page */
static void
test_show_job (void)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GSubprocess) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_build_filename (BUILD_DIR, "src", "gui", "lifeboat", NULL);
  g_autofree char *arg = NULL;
  const char *id = NULL;

  if (skip_if_no_engine ())
    return;
  g_assert_nonnull (cli_folder);
  entries = lifeboat_history_list (lifeboat_history_get_default (), project, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len && id == NULL; i++)
    if (g_strcmp0 (lifeboat_history_entry_get_folder (g_ptr_array_index (entries, i)), cli_folder) == 0)
      id = lifeboat_history_entry_get_id (g_ptr_array_index (entries, i));
  g_assert_nonnull (id);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "overview");

  arg = g_strconcat ("--job=", id, NULL);
  other = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, program, arg, NULL);
  g_assert_no_error (error);
  if (!wait_until (job_shown, (gpointer) id, 20))
    g_error ("lifeboat --job %s did not show the job in the running window", id);
  g_assert_true (g_subprocess_wait (other, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (other));
  g_assert_cmpint (g_subprocess_get_exit_status (other), ==, 0);   /* it handed over and left */
  g_assert_cmpstr (lifeboat_project_get_name (lifeboat_project_view_get_project (window->project_view)),
                   ==, project);

  /* a job the history no longer has: said, nothing else changes */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-job",
                                  g_variant_new_string ("no-such-job"));
  if (!wait_until (toast_says, (gpointer) "no longer in the history", 5))
    g_error ("an unknown job was not said");
  adw_view_stack_set_visible_child_name (window->view_stack, "overview");
}

static gboolean
space_says (gpointer data)
{
  const char *text = _lifeboat_project_view_get_space (window->project_view);

  return text != NULL && strstr (text, data) != NULL;
}

/* a destination too small: the window says so next to Destination, and the backup is refused
 * before any container stops: every container keeps running, never stopped */
static void
test_space_refused (void)
{
  g_autofree char *small = g_build_filename (tmpdir, "small-disk", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GFile) dest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_dest = NULL;
  guint updates;

  if (skip_if_no_engine ())
    return;
  g_assert_true (wait_until (on_project_page, NULL, 60));

  g_assert_cmpint (g_mkdir_with_parents (small, 0700), ==, 0);
  {
    const char *argv[] = { "mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small, NULL };

    if (!run_command (argv, NULL, &error))
      {
        g_autofree char *reason = g_strdup_printf ("cannot mount a small tmpfs (needs root): %s",
                                                   error->message);

        if (g_strcmp0 (g_getenv ("LIFEBOAT_REQUIRE_ENGINE"), "1") == 0)
          g_error ("%s", reason);
        g_test_skip (reason);
        return;
      }
  }

  /* the estimate next to Destination: the project's 8 MB do not fit in 2 MB */
  old_dest = g_settings_get_string (window->settings, "default-destination");
  dest = g_file_new_for_path (small);
  updates = _lifeboat_window_get_space_updates (window);
  _lifeboat_window_set_destination (window, dest);
  if (!wait_until (space_says, (gpointer) "not enough space", 15))
    g_error ("no space warning next to Destination: \"%s\"",
             _lifeboat_project_view_get_space (window->project_view));
  g_assert_cmpuint (_lifeboat_window_get_space_updates (window), >, updates);
  g_test_message ("destination: %s", _lifeboat_project_view_get_space (window->project_view));
  g_assert_true (space_says ((gpointer) "needs about"));
  screenshot ("space-warning.png");

  before = containers_started (docker_host);
  g_assert_null (strstr (before, " false"));
  _lifeboat_window_start_backup (window, dest);
  g_assert_true (wait_until (job_started, NULL, 30));
  if (!wait_until (job_ended, NULL, 120))
    g_error ("the refused backup did not end");
  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_FAILED);
  text = _lifeboat_job_view_dup_text (window->job_view);
  g_test_message ("job view: %s", text);
  g_assert_nonnull (strstr (text, "not enough space for the backup"));
  g_assert_nonnull (strstr (text, "the containers were not touched"));
  /* the result's sentence is not repeated in a toast */
  g_assert_true (_lifeboat_window_get_last_toast (window) == NULL ||
                 strstr (_lifeboat_window_get_last_toast (window), "not enough space") == NULL);

  after = containers_started (docker_host);
  g_assert_cmpstr (before, ==, after);
  /* nothing was left stopped: no "start again" */
  spin (2);
  g_assert_null (_lifeboat_job_view_get_stopped (window->job_view));
  screenshot ("backup-refused-space.png");

  g_signal_emit_by_name (window->job_view, "done");
  g_settings_set_string (window->settings, "default-destination", old_dest);
  {
    const char *argv[] = { "umount", small, NULL };

    run_command (argv, NULL, NULL);
  }
  g_assert_true (wait_until (on_project_page, NULL, 60));
}

static gboolean
stopped_shown (gpointer data)
{
  return _lifeboat_job_view_get_stopped (window->job_view) != NULL;
}

/* a job that left containers stopped (here: "restart containers" off) offers to start them
 * again, by name */
static void
test_start_again (void)
{
  g_autofree char *dest = g_build_filename (tmpdir, "backups-no-restart", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (dest);
  const char *stopped;

  if (skip_if_no_engine ())
    return;
  g_assert_true (wait_until (on_project_page, NULL, 60));

  g_settings_set_boolean (window->settings, "restart-containers", FALSE);
  _lifeboat_project_view_set_checked (window->project_view, "cvat_data", FALSE);
  _lifeboat_window_start_backup (window, file);
  g_assert_true (wait_until (job_started, NULL, 30));
  if (!wait_until (job_ended, NULL, 300))
    g_error ("the backup did not end");
  g_settings_set_boolean (window->settings, "restart-containers", TRUE);
  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);

  if (!wait_until (stopped_shown, NULL, 30))
    g_error ("the containers the backup left stopped are not offered to start again");
  stopped = _lifeboat_job_view_get_stopped (window->job_view);
  g_test_message ("job page: %s", stopped);
  g_assert_nonnull (strstr (stopped, "cvat_db"));
  g_assert_null (strstr (stopped, "lbtwin"));   /* names, not IDs or volume names */
  screenshot ("start-again.png");

  _lifeboat_job_view_click_start_again (window->job_view);
  if (!wait_until (all_running_again, docker_host, 60))
    g_error ("the containers did not start again: %s", containers_started (docker_host));
  spin (1);
  g_signal_emit_by_name (window->job_view, "done");
  g_assert_true (wait_until (on_project_page, NULL, 60));
  _lifeboat_project_view_set_checked (window->project_view, "cvat_data", TRUE);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
host_state_cb (LifeboatHostItem *host,
               GParamSpec       *pspec,
               guint            *connects)
{
  if (lifeboat_host_item_get_state (host) == HOST_CONNECTED)
    (*connects)++;
}

/* connected again (@data: the count of connections), its recovery on contact done */
static gboolean
recovered_on_contact (gpointer data)
{
  return *(guint *) data > 0 && window->current_host != NULL &&
         window->current_host->state == HOST_CONNECTED && window->recovering == 0 &&
         !_lifeboat_window_is_busy (window);
}

static gboolean
engine_socket_gone (gpointer data)
{
  return !g_file_test (docker_host + strlen ("unix://"), G_FILE_TEST_EXISTS);
}

static void
restart_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **error = user_data;

  if (g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static gboolean
restart_ended (gpointer data)
{
  return *(GError **) data != NULL;
}

/* starts tests/harness/engine-restart on the test engine (root, or sudo without a password);
 * restart_ended() holds once it ended, "done" when it succeeded */
static GSubprocess *
restart_engine_async (GError **result)
{
  g_autofree char *restart = g_build_filename (harness_dir, "engine-restart", NULL);
  const char *work = g_getenv ("LIFEBOAT_TEST_WORK");
  const char *as_root[] = { restart, work, NULL };
  const char *with_sudo[] = { "sudo", "-n", restart, work, NULL };
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (work);
  process = g_subprocess_newv (getuid () == 0 ? as_root : with_sudo, G_SUBPROCESS_FLAGS_NONE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, restart_done_cb, result);
  return process;
}

/* The engine restarts in the middle of a backup (dockerd stopped and started again: an upgrade,
 * a crash): the volume being streamed is cut, the backup fails. The job page says so with a
 * failed bar and container names, not IDs; whatever the restart left stopped is offered to
 * start again, and the button starts it on the engine. */
static void
test_engine_restart_mid_backup (void)
{
  g_autofree char *dest = g_build_filename (tmpdir, "backups-engine-restart", NULL);
  g_autofree char *pause = g_build_filename (tmpdir, "pause-engine-restart", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (dest);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) restart = NULL;
  g_autoptr(LifeboatHostItem) host = NULL;
  guint connects = 0;
  g_autofree char *text = NULL;
  g_autofree char *bars = NULL;
  g_autofree char *ids = NULL;
  g_auto(GStrv) id_list = NULL;
  const GError *job_error;
  gint64 t0 = g_get_monotonic_time ();

  if (skip_if_no_engine ())
    return;
  if (getuid () != 0 && !g_file_test ("/usr/bin/sudo", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("engine-restart needs root or sudo");
      return;
    }
  g_assert_true (wait_until (on_project_page, NULL, 60));
  ids = docker_out (docker_host, g_strdup_printf ("ps -aq --no-trunc --filter "
                                                  "label=com.docker.compose.project=%s", project));
  id_list = g_strsplit (g_strstrip (ids), "\n", -1);
  g_assert_cmpuint (g_strv_length (id_list), ==, 6);

  /* the job's worker stops with a megabyte of a volume streamed (lifeboat-job.c) */
  g_unlink (pause);
  g_setenv ("LIFEBOAT_TEST_PAUSE_AT", "volume-streaming", TRUE);
  g_setenv ("LIFEBOAT_TEST_PAUSE_FILE", pause, TRUE);
  _lifeboat_window_start_backup (window, file);
  g_assert_true (wait_until (job_started, NULL, 30));
  if (!wait_until (file_exists, pause, 60))
    g_error ("the backup did not reach a volume's stream");
  g_unsetenv ("LIFEBOAT_TEST_PAUSE_AT");
  g_unsetenv ("LIFEBOAT_TEST_PAUSE_FILE");
  /* a volume half read: its total is the estimate, said so */
  screenshot ("backup-mid-stream.png");

  /* the job goes on while the engine is down (it stops its containers, ten seconds): what it
   * stopped it cannot start again */
  host = g_object_ref (window->current_host);
  g_signal_connect (host, "notify::state", G_CALLBACK (host_state_cb), &connects);
  restart = restart_engine_async (&error);
  if (!wait_until (engine_socket_gone, NULL, 30))
    g_error ("the engine did not stop");
  g_unlink (pause);
  if (!wait_until (job_ended, NULL, 120))
    g_error ("the backup did not end after the engine restart");
  g_test_message ("job ended, engine %s", engine_socket_gone (NULL) ? "down" : "up");
  if (!wait_until (restart_ended, &error, 120))
    g_error ("engine-restart did not end");
  g_assert_cmpstr (error->message, ==, "done");

  text = _lifeboat_job_view_dup_text (window->job_view);
  bars = _lifeboat_job_view_dup_failed_bars (window->job_view);
  job_error = lifeboat_job_get_error (window->job);
  g_test_message ("job page after the engine restart: %s; failed bars: %s; aftermath: %s",
                  text, bars, lifeboat_job_get_aftermath (window->job));
  g_assert_cmpint (lifeboat_job_get_outcome (window->job), ==, LIFEBOAT_JOB_OUTCOME_FAILED);
  g_assert_nonnull (job_error);
  /* a failed bar looks failed: the job's and every volume's */
  {
    guint failed = 0, all = 0;

    g_assert_cmpint (sscanf (bars, "%u of %u", &failed, &all), ==, 2);
    g_assert_cmpuint (all, >=, 2);
    g_assert_cmpuint (failed, ==, all);
  }
  /* what it stopped and could not start, by name (the engine's message names an ID); the
   * restart cuts a volume's stream, or comes after the streams and only the start fails */
  if (strstr (text, "cvat_clickhouse") == NULL && strstr (text, "cvat_server") == NULL)
    g_error ("the job page names no container: %s", text);
  for (guint i = 0; id_list[i] != NULL; i++)
    {
      g_autofree char *short_id = g_strndup (id_list[i], 12);

      if (strstr (text, short_id) != NULL)
        g_error ("the job page names a container by its ID %s: %s", short_id, text);
    }
  screenshot ("engine-restart-failed.png");

  /* the engine back: the recovery on contact starts what the job could not, and only then
   * does the window say what does not run (nothing: no start-again for running containers) */
  if (!wait_until (recovered_on_contact, &connects, 90))
    g_error ("the window did not connect to the engine again and recover");
  g_signal_handlers_disconnect_by_func (host, host_state_cb, &connects);
  g_test_message ("recovery banner: %s", gtk_label_get_text (window->recovery_label));
  g_assert_true (gtk_revealer_get_reveal_child (window->recovery_revealer));
  if (!wait_until (all_running_again, docker_host, 60))
    g_error ("the containers did not run again: %s", containers_started (docker_host));
  g_assert_true (wait_until (not_busy_discovering, NULL, 60));
  spin (1);
  if (stopped_shown (NULL))
    g_error ("running containers are offered to start again: %s",
             _lifeboat_job_view_get_stopped (window->job_view));
  screenshot ("engine-restart-recovered.png");
  g_test_message ("engine restart mid-backup: %.1f s", (g_get_monotonic_time () - t0) / 1e6);
  spin (1);
  g_signal_emit_by_name (window->job_view, "done");
  g_assert_true (wait_until (on_project_page, NULL, 60));
}

static gboolean
leaflet_folded (gpointer data)
{
  return adw_leaflet_get_folded (window->leaflet) == GPOINTER_TO_INT (data);
}

static gboolean
content_visible (gpointer data)
{
  return adw_leaflet_get_visible_child (window->leaflet) == window->content;
}

static gboolean
sidebar_visible (gpointer data)
{
  return adw_leaflet_get_visible_child (window->leaflet) == window->sidebar;
}

/* about 400 px wide: one pane at a time; a click on the project (also on the one selected
 * already) shows it, Back returns to the sidebar */
static void
test_narrow (void)
{
  int width, height;

  if (skip_if_no_engine ())
    return;
  g_assert_true (wait_until (on_project_page, NULL, 60));

  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 760);
  if (!wait_until (leaflet_folded, GINT_TO_POINTER (TRUE), 10))
    g_error ("the window is not folded at 400 px (width %d)",
             gtk_widget_get_width (GTK_WIDGET (window)));

  adw_leaflet_navigate (window->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  g_assert_true (wait_until (sidebar_visible, NULL, 5));
  screenshot ("narrow-sidebar.png");
  /* the selected project, activated again */
  g_assert_true (_lifeboat_window_activate_project (window, project));
  g_assert_true (wait_until (content_visible, NULL, 5));
  screenshot ("narrow-project.png");
  /* a new look at the engine's projects does not pull the content forward */
  adw_leaflet_navigate (window->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  g_assert_true (wait_until (sidebar_visible, NULL, 5));
  _lifeboat_window_rediscover (window);
  g_assert_true (wait_until (not_busy_discovering, NULL, 60));
  spin (0.5);
  g_assert_true (sidebar_visible (NULL));
  g_assert_true (_lifeboat_window_activate_project (window, project));
  g_assert_true (wait_until (content_visible, NULL, 5));

  gtk_window_set_default_size (GTK_WINDOW (window), width > 0 ? width : 1280,
                               height > 0 ? height : 800);
  g_assert_true (wait_until (leaflet_folded, GINT_TO_POINTER (FALSE), 10));
}

static gboolean
host_state_is (gpointer data)
{
  const char **want = data;   /* { uri, "\tconnected\t" } */
  g_autofree char *row = _lifeboat_window_dup_host_row (window, want[0]);

  return row != NULL && strstr (row, want[1]) != NULL;
}

static void
silent_accept_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GSocketConnection **conn = user_data;

  /* kept open and never answered: an SSH server that does not speak */
  *conn = g_socket_listener_accept_finish (G_SOCKET_LISTENER (object), result, NULL, NULL);
}

static gboolean
shows_connecting (gpointer data)
{
  return g_strcmp0 (_lifeboat_window_get_page (window), "status") == 0 &&
         g_strcmp0 (_lifeboat_window_get_status_title (window), _("Connecting…")) == 0 &&
         gtk_widget_get_visible (window->status_button);
}

/* connecting to an SSH server that never answers can be cancelled from the window, at once */
static void
test_cancel_connect (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = NULL;
  g_autofree char *uri = NULL;
  const char *want[2];
  GtkListBoxRow *previous = gtk_list_box_get_selected_row (window->hosts_list);
  gint64 cancelled_at;

  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, silent_accept_cb, &conn);
  uri = g_strdup_printf ("ssh://nobody@127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  _lifeboat_window_add_host (window, uri, TRUE);
  if (!wait_until (shows_connecting, NULL, 10))
    g_error ("no Connecting page with a Cancel button; page %s, title \"%s\"",
             _lifeboat_window_get_page (window), _lifeboat_window_get_status_title (window));
  spin (1);
  g_assert_true (shows_connecting (NULL));   /* still waiting for the silent server */
  screenshot ("connecting.png");

  cancelled_at = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate (window->status_button));
  want[0] = uri;
  want[1] = "\tunreachable\t";
  g_assert_true (wait_until (host_state_is, want, 2));
  g_test_message ("cancelled after %.2f s: %s",
                  (g_get_monotonic_time () - cancelled_at) / (double) G_USEC_PER_SEC,
                  _lifeboat_window_dup_host_row (window, uri));
  g_assert_nonnull (strstr (_lifeboat_window_dup_host_row (window, uri), "cancelled"));
  g_assert_true (wait_until (shows_unreachable, NULL, 2));

  g_assert_true (_lifeboat_window_click_remove_host (window, uri));
  if (previous != NULL && gtk_widget_get_parent (GTK_WIDGET (previous)) != NULL)
    gtk_list_box_select_row (window->hosts_list, previous);
  g_socket_listener_close (listener);
  spin (0.2);
  g_clear_object (&conn);
}

static gboolean
project_page_on_engine2 (gpointer data)
{
  return on_project_page (NULL) && window->current_host != NULL &&
         g_strcmp0 (window->current_host->uri, engine2_host) == 0 &&
         !_lifeboat_window_is_busy (window);
}

/* Two engines, each with a project of the same name: each one's History shows its own
 * backups only, and says which engine; restoring the other engine's backup says so before
 * anything runs; then the second engine stops while the window is idle: it shows as gone
 * within seconds, with the reason */
static void
test_two_engines (void)
{
  g_autofree char *up = NULL;
  g_autofree char *script = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *args = NULL;
  g_autofree char *folder2 = NULL;
  g_autofree char *row = NULL;
  g_autoptr(GError) error = NULL;
  const char *connected[2], *unreachable[2];
  g_autoptr(GFile) other = NULL;
  GtkListBoxRow *first_host;
  gint64 stopped_at;

  if (skip_if_no_engine ())
    return;
  g_assert_nonnull (cli_folder);
  if (getuid () != 0)
    {
      if (g_strcmp0 (g_getenv ("LIFEBOAT_REQUIRE_ENGINE"), "1") == 0)
        g_error ("a second private engine needs root");
      g_test_skip ("a second private engine needs root (tests/harness/engine-up)");
      return;
    }
  first_host = gtk_list_box_get_selected_row (window->hosts_list);

  /* the second engine, and the same project on it */
  engine2_dir = g_build_filename (tmpdir, "lbe2", NULL);
  engine2_host = g_strdup_printf ("unix://%s/docker.sock", engine2_dir);
  /* stopped by a guard once this process is gone, also when a failed assertion aborts it */
  {
    g_autofree char *guard = g_strdup_printf ("while kill -0 %d 2>/dev/null; do sleep 1; done; "
                                              "'%s/engine-down' '%s' >/dev/null 2>&1",
                                              (int) getpid (), harness_dir, engine2_dir);
    const char *argv[] = { "setsid", "bash", "-c", guard, NULL };

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                                  G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, &error));
  }
  script = g_strdup_printf ("'%s/engine-up' '%s' >&2 && "
                            "LIFEBOAT_TEST_DOCKER_HOST='%s' '%s/make-cvat-stack' --data-mb 2 current %s >&2",
                            harness_dir, engine2_dir, engine2_host, harness_dir, project);
  {
    const char *argv[] = { "bash", "-c", script, NULL };

    if (!run_command (argv, NULL, &error))
      g_error ("cannot start a second engine: %s", error->message);
  }
  dest = g_build_filename (tmpdir, "engine2-backups", NULL);
  args = g_strdup_printf ("backup %s --to '%s' --volumes cvat_keys", project, dest);
  folder2 = cli_run (engine2_host, args);
  g_assert_true (g_file_test (folder2, G_FILE_TEST_IS_DIR));

  /* the window on the second engine */
  _lifeboat_window_add_host (window, engine2_host, TRUE);
  connected[0] = engine2_host;
  connected[1] = "\tconnected\t";
  if (!wait_until (host_state_is, connected, 60))
    g_error ("the second engine is not connected");
  if (!wait_until (project_listed, NULL, 60))
    g_error ("project %s not listed on the second engine", project);
  g_assert_true (_lifeboat_window_select_project (window, project));
  g_assert_true (wait_until (project_page_on_engine2, NULL, 30));

  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  if (!wait_until (history_lists, folder2, 30))
    g_error ("the second engine's backup is not in its history");
  spin (1);
  /* not the first engine's backup of the project with the same name */
  g_assert_false (history_lists (cli_folder));
  row = history_row_for (folder2);
  g_test_message ("engine 2 history row: %s", row);
  g_assert_nonnull (strstr (row, "\nOn "));
  screenshot ("history-engine2.png");

  /* the first engine's backup, restored here: the summary says so before anything runs */
  other = g_file_new_for_path (cli_folder);
  _lifeboat_window_begin_restore (window, &other, 1);
  if (!wait_until (on_restore_page, NULL, 60))
    g_error ("no restore summary; last toast: %s", _lifeboat_window_get_last_toast (window));
  g_assert_true (wait_until (not_planning, NULL, 5));
  g_assert_nonnull (_lifeboat_restore_view_get_engine_warning (window->restore_view));
  g_test_message ("restore summary: %s", _lifeboat_restore_view_get_engine_warning (window->restore_view));
  g_assert_nonnull (strstr (_lifeboat_restore_view_get_engine_warning (window->restore_view),
                            "another engine"));
  g_assert_false (window->job_running);
  screenshot ("restore-other-engine.png");
  /* Escape leaves the summary, which opens at its top the next time */
  spin (0.5);
  _lifeboat_restore_view_scroll_to_end (window->restore_view);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.leave-restore", NULL));
  g_assert_true (wait_until (on_project_page, NULL, 30));
  _lifeboat_window_begin_restore (window, &other, 1);
  g_assert_true (wait_until (on_restore_page, NULL, 60));
  g_assert_true (wait_until (not_planning, NULL, 5));
  g_assert_cmpfloat (_lifeboat_restore_view_get_scroll (window->restore_view), ==, 0.0);
  g_signal_emit_by_name (window->restore_view, "cancelled");
  g_assert_true (wait_until (on_project_page, NULL, 30));
  adw_view_stack_set_visible_child_name (window->view_stack, "overview");

  /* the second engine stops while the window is idle (engine-down, in the background: the
   * window's main loop runs meanwhile, as it would while an admin stops dockerd) */
  g_assert_true (wait_until (not_busy, NULL, 60));
  stopped_at = g_get_monotonic_time ();
  {
    g_autofree char *down = g_strdup_printf ("'%s/engine-down' '%s' >/dev/null 2>&1", harness_dir,
                                             engine2_dir);
    const char *argv[] = { "bash", "-c", down, NULL };

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                  NULL, &error));
  }
  unreachable[0] = engine2_host;
  unreachable[1] = "\tunreachable\t";
  /* engine-down ends when the engine has stopped its containers (seconds); the window must
   * know at most a few seconds after it closed its API */
  if (!wait_until (host_state_is, unreachable, 6))
    g_error ("the stopped engine is still shown: %s", _lifeboat_window_dup_host_row (window, engine2_host));
  g_test_message ("engine gone, seen %.1f s after engine-down started: %s",
                  (g_get_monotonic_time () - stopped_at) / (double) G_USEC_PER_SEC,
                  _lifeboat_window_dup_host_row (window, engine2_host));
  g_assert_true (wait_until (shows_unreachable, NULL, 5));
  g_test_message ("status: %s", adw_status_page_get_description (window->status_page));
  screenshot ("engine-gone.png");

  /* back to the first engine */
  if (first_host != NULL)
    gtk_list_box_select_row (window->hosts_list, first_host);
  g_assert_true (wait_until (project_listed, NULL, 60));
  g_assert_true (_lifeboat_window_select_project (window, project));
  g_assert_true (wait_until (on_project_page, NULL, 30));
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  g_assert_true (wait_until (history_lists, cli_folder, 30));
  g_assert_false (history_lists (folder2));
  adw_view_stack_set_visible_child_name (window->view_stack, "overview");
}


/* last: nothing keeps the window alive once it is destroyed (no reference leaked by a
 * callback, a signal handler or a pending task) */
static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_destroy_finalizes (void)
{
  gpointer weak = window;
  gint64 start;

  /* let the worker threads (discovery, history) finish first */
  g_assert_true (wait_until (not_busy, NULL, 120));

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  start = g_get_monotonic_time ();
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&window);
  /* what the window started ends on its cancellable: nothing keeps it alive */
  if (!wait_until (pointer_cleared, &weak, 20))
    g_error ("the window is not finalized 20 s after it was destroyed");
  g_test_message ("window finalized %.2f s after its destroy",
                  (g_get_monotonic_time () - start) / 1e6);
}

static void
setup_engine (void)
{
  const char *env_file = g_getenv ("LIFEBOAT_TEST_ENV");
  g_autofree char *work_env = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  const char *data_mb = g_getenv ("LIFEBOAT_TEST_WINDOW_DATA_MB");

  if (env_file == NULL && g_getenv ("LIFEBOAT_TEST_WORK") != NULL)
    env_file = work_env = g_build_filename (g_getenv ("LIFEBOAT_TEST_WORK"), "env.sh", NULL);
  if (env_file != NULL)
    load_env_file (env_file);

  docker_host = g_strdup (g_getenv ("LIFEBOAT_TEST_DOCKER_HOST"));
  if (docker_host == NULL || docker_host[0] == '\0')
    {
      skip_reason = g_strdup ("no test engine: LIFEBOAT_TEST_DOCKER_HOST, LIFEBOAT_TEST_ENV and "
                              "LIFEBOAT_TEST_WORK are unset (start one with "
                              "tests/harness/engine-up)");
      return;
    }

  harness_dir = g_build_filename (g_getenv ("LIFEBOAT_SOURCE_DIR") ? g_getenv ("LIFEBOAT_SOURCE_DIR")
                                                                   : SOURCE_DIR,
                                  "tests", "harness", NULL);
  /* LIFEBOAT_TEST_WINDOW_PROJECT names the stack, e.g. "cvat" for screenshots */
  if (g_getenv ("LIFEBOAT_TEST_WINDOW_PROJECT") != NULL)
    project = g_strdup (g_getenv ("LIFEBOAT_TEST_WINDOW_PROJECT"));
  else
    project = g_strdup_printf ("lbtwin%d", (int) getpid ());
  /* a stack left over by an earlier run of this test that crashed is removed first */
  script = g_strdup_printf ("set -e\n"
                            "export LIFEBOAT_TEST_DOCKER_HOST='%s'\n"
                            "for p in $(DOCKER_HOST='%s' \"${LIFEBOAT_TEST_DOCKER:-docker}\" ps -a "
                            "    --format '{{.Label \"com.docker.compose.project\"}}' | grep '^lbtwin' | sort -u); do\n"
                            "  '%s/remove-cvat-stack' \"$p\" >&2\n"
                            "done\n"
                            "'%s/make-cvat-stack' --data-mb %s current %s >&2\n",
                            docker_host, docker_host, harness_dir, harness_dir,
                            data_mb ? data_mb : "8", project);
  {
    const char *argv[] = { "bash", "-c", script, NULL };

    /* the engine is there: a fixture that cannot be made is a failure, not a skip */
    if (!run_command (argv, NULL, &error))
      g_error ("the test engine at %s cannot make the fixture stack: %s",
               docker_host, error->message);
  }
}

static void
teardown_engine (void)
{
  g_autofree char *script = NULL;

  if (project == NULL)
    return;
  script = g_strdup_printf ("'%s/remove-cvat-stack' %s >&2", harness_dir, project);
  {
    const char *argv[] = { "bash", "-c", script, NULL };
    g_autoptr(GError) error = NULL;

    if (!run_command (argv, NULL, &error))
      g_printerr ("removing the fixture stack %s failed: %s\n", project, error->message);
  }
}

static void
start_dunst (void)
{
  g_autoptr(GError) error = NULL;

  if (dunst_answers (NULL))
    return;
  dunst = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error, "dunst", NULL);
  if (dunst == NULL)
    g_error ("cannot start dunst to observe notifications: %s", error->message);
  if (!wait_until (dunst_answers, NULL, 15))
    g_error ("dunst does not answer dunstctl after 15 s");
}

/* A crash of the window test (seen once in CI, never here) leaves its backtrace: gdb attaches
 * to this process from the signal handler and prints every thread's stack to stderr (the test
 * log), then the signal kills the test as it would have. Without gdb nothing changes. */
static char crash_pid[32];

static void
crash_handler (int sig)
{
  pid_t child = fork ();

  if (child == 0)
    {
      char *argv[] = { "gdb", "-nx", "-batch", "-p", crash_pid,
                       "-ex", "thread apply all bt", NULL };

      dup2 (2, 1);
      execvp ("gdb", argv);
      _exit (127);
    }
  else if (child > 0)
    waitpid (child, NULL, 0);
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
backtrace_on_crash (void)
{
  g_snprintf (crash_pid, sizeof crash_pid, "%d", (int) getpid ());
  prctl (PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  signal (SIGSEGV, crash_handler);
  signal (SIGBUS, crash_handler);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  backtrace_on_crash ();

  /* a private history, config and hosts.ini: nothing of the user's is read or changed */
  tmpdir = g_dir_make_tmp ("lifeboat-test-window-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *data = g_build_filename (tmpdir, "data", NULL);
    g_autofree char *config = g_build_filename (tmpdir, "config", NULL);

    g_setenv ("XDG_DATA_HOME", data, TRUE);
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    {
      g_autofree char *schemas = g_build_filename (BUILD_DIR, "data", NULL);

      g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
    }
  g_unsetenv ("DOCKER_HOST");
  /* Xvfb has no GPU: the GL renderer on llvmpipe spends 100-300 ms on each frame, which the
   * stall probe below would measure instead of Lifeboat's own main-loop work */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);

  g_test_init (&argc, &argv, NULL);
  screenshot_dir = g_getenv ("LIFEBOAT_SCREENSHOT_DIR");

  setup_engine ();

  if (skip_reason == NULL)
    {
      g_setenv ("LIFEBOAT_DEMO_HOST", docker_host, TRUE);
      start_dunst ();
    }

  app = lifeboat_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  window = g_object_ref_sink (lifeboat_window_new (app));
  if (screenshot_dir != NULL)
    gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/lifeboat/window/project-page", test_project_page);
  g_test_add_func ("/lifeboat/window/idle", test_idle);
  g_test_add_func ("/lifeboat/window/progress-bar", test_progress_bar);
  g_test_add_func ("/lifeboat/window/toasts", test_toasts);
  g_test_add_func ("/lifeboat/window/backup", test_backup);
  g_test_add_func ("/lifeboat/window/drop-guide-backup", test_drop_guide_backup);
  g_test_add_func ("/lifeboat/window/restore-guide-backup", test_restore_guide_backup);
  g_test_add_func ("/lifeboat/window/repository", test_repository);
  g_test_add_func ("/lifeboat/window/cancel-backup", test_cancel_backup);
  g_test_add_func ("/lifeboat/window/version-mismatch", test_version_mismatch);
  g_test_add_func ("/lifeboat/window/unreachable-engine", test_unreachable_engine);
  g_test_add_func ("/lifeboat/window/add-remove-host", test_add_remove_host);
  g_test_add_func ("/lifeboat/window/cli-job-appears", test_cli_job_appears);
  g_test_add_func ("/lifeboat/window/show-job", test_show_job);
  g_test_add_func ("/lifeboat/window/live-in-place", test_live_in_place);
  g_test_add_func ("/lifeboat/window/space-refused", test_space_refused);
  g_test_add_func ("/lifeboat/window/start-again", test_start_again);
  g_test_add_func ("/lifeboat/window/engine-restart-mid-backup", test_engine_restart_mid_backup);
  g_test_add_func ("/lifeboat/window/narrow", test_narrow);
  g_test_add_func ("/lifeboat/window/two-engines", test_two_engines);
  g_test_add_func ("/lifeboat/window/cancel-connect", test_cancel_connect);
  g_test_add_func ("/lifeboat/window/destroy-finalizes", test_destroy_finalizes);

  ret = g_test_run ();

  if (window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_clear_object (&window);
    }
  g_clear_object (&app);
  if (dunst != NULL)
    g_subprocess_force_exit (dunst);
  teardown_engine ();
  if (engine2_dir != NULL)
    {
      g_autofree char *down = g_strdup_printf ("'%s/engine-down' '%s' >&2", harness_dir, engine2_dir);
      const char *down_argv[] = { "bash", "-c", down, NULL };

      run_command (down_argv, NULL, NULL);
    }
  {
    const char *rm[] = { "rm", "-rf", tmpdir, NULL };

    run_command (rm, NULL, NULL);
  }

  return ret;
}
