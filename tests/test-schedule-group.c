/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-schedule-group"

/*
 * The Schedule group of the project page (issue 15), on a folder of fake backups and a saved
 * schedule: "last good backup 3 hours ago", the overdue warning, the preview of what a policy
 * would remove before it is saved, saving, and the drill badge of History. Under
 * xvfb-run dbus-run-session; with $LIFEBOAT_SCREENSHOT set, it shows the group in a window and
 * takes a screenshot of the screen into that file (import -window root).
 */

#include "config.h"

#include <glib/gstdio.h>

#include <adwaita.h>

#include "lifeboat-drill.h"
#include "lifeboat-history.h"
#include "lifeboat-project-private.h"
#include "lifeboat-schedule-group.h"
#include "lifeboat-schedule.h"

static char *tmpdir;
static char *dest;

static void
write_backup (const char *name,
              GDateTime  *created,
              gboolean    drilled)
{
  g_autofree char *folder = g_build_filename (dest, name, NULL);
  g_autofree char *manifest = g_build_filename (folder, "lifeboat.json", NULL);
  g_autofree char *iso = g_date_time_format_iso8601 (created);
  g_autofree char *text = g_strdup_printf (
    "{\"format\":1,\"created\":\"%s\",\"project\":{\"name\":\"p\"},"
    "\"volumes\":[{\"key\":\"data\",\"archive\":\"data.tar.gz\",\"archive_bytes\":1}]}", iso);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (manifest, text, -1, NULL));
  if (drilled)
    {
      g_autofree char *drill = g_build_filename (folder, LIFEBOAT_DRILL_RESULT_NAME, NULL);
      g_autofree char *json = g_strdup_printf ("{\"ok\":true,\"id\":\"x\",\"started\":\"%s\","
                                               "\"rows\":42,\"database\":\"cvat_db\"}", iso);

      g_assert_true (g_file_set_contents (drill, json, -1, NULL));
    }
}

static void
setup_backups (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GFile) dest_file = NULL;

  dest = g_build_filename (tmpdir, "backups", NULL);
  /* the newest 3 hours ago, then one a day for 9 days */
  for (int i = 0; i < 10; i++)
    {
      g_autoptr(GDateTime) t = g_date_time_add_hours (now, -3 - 24 * i);
      g_autofree char *name = g_date_time_format (t, "p-%Y%m%d-%H%M%S");

      write_backup (name, t, i == 0);
    }
  dest_file = g_file_new_for_path (dest);
  g_assert_true (lifeboat_history_add_location (lifeboat_history_get_default (), dest_file, NULL));
}

static void
test_group (void)
{
  g_autoptr(LifeboatProject) project = _lifeboat_project_new ("p");
  g_autoptr(GPtrArray) schedules = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_schedule_free);
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(LifeboatScheduleState) state = g_new0 (LifeboatScheduleState, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  LifeboatSchedule *s = lifeboat_schedule_new ();
  LifeboatScheduleGroup *group;
  GtkWidget *window;
  const char *status, *preview;

  /* a daily schedule made a week ago whose last good run was 3 days ago: overdue */
  s->project = g_strdup ("p");
  s->engine_id = g_strdup ("ENGINE:ID");
  s->every = LIFEBOAT_SCHEDULE_DAILY;
  s->destination = g_strdup (dest);
  g_date_time_unref (s->created);
  s->created = g_date_time_add_days (now, -7);
  g_ptr_array_add (schedules, s);
  g_assert_true (lifeboat_schedules_save (schedules, NULL, NULL));
  state->last_run = g_date_time_add_days (now, -3);
  state->last_success = g_date_time_add_days (now, -3);
  g_assert_true (lifeboat_schedule_state_save (s->id, state, NULL));

  group = g_object_new (LIFEBOAT_TYPE_SCHEDULE_GROUP, NULL);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 760);
  {
    GtkWidget *page = adw_preferences_page_new ();

    adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
    gtk_window_set_child (GTK_WINDOW (window), page);
  }
  lifeboat_schedule_group_set_engine (group, "ENGINE:ID", NULL);
  lifeboat_schedule_group_set_project (group, project);

  /* the backups' history knows one 3 hours ago, newer than the schedule's last success */
  status = _lifeboat_schedule_group_get_status (group);
  g_test_message ("status: %s", status);
  g_assert_true (g_str_has_prefix (status, "3 hours ago"));
  g_assert_true (_lifeboat_schedule_group_get_overdue (group));
  g_assert_nonnull (strstr (status, "Overdue"));

  /* the preview, before anything is saved: keep the last 4 of 10 */
  _lifeboat_schedule_group_set_form (group, "daily", dest, 4, 0, 0, 0);
  preview = _lifeboat_schedule_group_get_preview (group);
  g_test_message ("preview: %s", preview);
  g_assert_true (g_str_has_prefix (preview, "would remove 6 of 10 backups:"));
  {
    g_autoptr(GPtrArray) before = lifeboat_schedules_load (NULL, NULL);

    g_assert_cmpuint (((LifeboatSchedule *) g_ptr_array_index (before, 0))->retention.last, ==, 0);
  }
  /* nothing was removed by looking */
  {
    g_autoptr(GDir) d = g_dir_open (dest, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (d) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 10);
  }
  _lifeboat_schedule_group_set_form (group, "daily", dest, 2, 3, 0, 0);
  preview = _lifeboat_schedule_group_get_preview (group);
  g_assert_true (g_str_has_prefix (preview, "would remove 7 of 10 backups:"));
  _lifeboat_schedule_group_set_form (group, "daily", dest, 0, 0, 0, 0);
  g_assert_cmpstr (_lifeboat_schedule_group_get_preview (group), ==, "Every backup is kept");

  /* saved: the same schedule (one per project and engine), with the new policy */
  _lifeboat_schedule_group_set_form (group, "weekly", dest, 2, 7, 4, 6);
  g_assert_true (lifeboat_schedule_group_save (group, NULL));
  saved = lifeboat_schedules_load (NULL, NULL);
  g_assert_cmpuint (saved->len, ==, 1);
  s = g_ptr_array_index (saved, 0);
  g_assert_cmpint (s->every, ==, LIFEBOAT_SCHEDULE_WEEKLY);
  g_assert_cmpuint (s->retention.last, ==, 2);
  g_assert_cmpuint (s->retention.daily, ==, 7);
  g_assert_cmpuint (s->retention.weekly, ==, 4);
  g_assert_cmpuint (s->retention.monthly, ==, 6);
  g_assert_cmpstr (s->engine_id, ==, "ENGINE:ID");
  g_assert_cmpstr (s->destination, ==, dest);

  if (g_getenv ("LIFEBOAT_SCREENSHOT") != NULL)
    {
      const char *argv[] = { "import", "-window", "root", g_getenv ("LIFEBOAT_SCREENSHOT"), NULL };
      gint64 until;

      _lifeboat_schedule_group_set_form (group, "weekly", dest, 2, 3, 0, 0);
      _lifeboat_schedule_group_set_expanded (group, TRUE);
      gtk_window_present (GTK_WINDOW (window));
      until = g_get_monotonic_time () + G_USEC_PER_SEC;
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   NULL, NULL, NULL, NULL));
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

static void
spin (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* shown and left alone, the group lays nothing out (test-window's idle test, for this group) */
static void
test_idle (void)
{
  g_autoptr(LifeboatProject) project = _lifeboat_project_new ("p");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  LifeboatScheduleGroup *group = g_object_new (LIFEBOAT_TYPE_SCHEDULE_GROUP, NULL);
  GdkFrameClock *clock;
  guint layouts = 0;
  gulong id;

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 500);
  lifeboat_schedule_group_set_project (group, project);
  gtk_window_present (GTK_WINDOW (window));
  spin (g_getenv ("TMPSPIN") ? g_ascii_strtod (g_getenv ("TMPSPIN"), NULL) : 1.0);
  clock = gtk_widget_get_frame_clock (window);
  id = g_signal_connect (clock, "layout", G_CALLBACK (count_cb), &layouts);
  spin (1.5);
  g_signal_handler_disconnect (clock, id);
  g_test_message ("idle for 1.5 s: %u layouts", layouts);
  g_assert_cmpuint (layouts, <=, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_badge (void)
{
  g_autoptr(GDir) d = g_dir_open (dest, 0, NULL);
  const char *name;
  guint badges = 0, empty = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *folder = g_build_filename (dest, name, NULL);
      GtkWidget *badge = g_object_ref_sink (_lifeboat_drill_badge_new (folder));

      if (GTK_IS_LABEL (badge))
        {
          const char *text = gtk_label_get_text (GTK_LABEL (badge));

          g_assert_true (g_str_has_prefix (text, "restored and started on "));
          g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (badge), "42 rows"));
          badges++;
        }
      else
        empty++;
      g_object_unref (badge);
    }
  g_assert_cmpuint (badges, ==, 1);
  g_assert_cmpuint (empty, ==, 9);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  tmpdir = g_dir_make_tmp ("lifeboat-test-schedule-group-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *data = g_build_filename (tmpdir, "data", NULL);
    g_autofree char *config = g_build_filename (tmpdir, "config", NULL);
    g_autofree char *state = g_build_filename (tmpdir, "state", NULL);

    g_setenv ("XDG_DATA_HOME", data, TRUE);
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
    g_setenv ("XDG_STATE_HOME", state, TRUE);
  }
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setup_backups ();

  g_test_add_func ("/lifeboat/schedule-group/status-preview-save", test_group);
  g_test_add_func ("/lifeboat/schedule-group/drill-badge", test_badge);
  g_test_add_func ("/lifeboat/schedule-group/idle", test_idle);

  return g_test_run ();
}
