/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-schedule"

#include "config.h"

#include <glib/gstdio.h>

#include "lifeboat-history.h"
#include "lifeboat-retention.h"
#include "lifeboat-schedule.h"

/* ---------------------------------------------------------------------------------------- */
/* Retention: the policy */

/* newest first, as the expectations below are written */
static const char * const dates[] = {
  "2026-06-30T12:00:00Z",   /* 0 Tue: last, daily, weekly (W27), monthly (06) */
  "2026-06-30T03:00:00Z",   /* 1: last */
  "2026-06-29T03:00:00Z",   /* 2 Mon, same ISO week: daily */
  "2026-06-28T03:00:00Z",   /* 3 Sun, W26: daily, weekly */
  "2026-06-27T03:00:00Z",   /* 4 */
  "2026-06-20T03:00:00Z",   /* 5 */
  "2026-06-13T03:00:00Z",   /* 6 */
  "2026-05-31T03:00:00Z",   /* 7: monthly (05) */
  "2026-05-15T03:00:00Z",   /* 8 */
  "2026-04-30T03:00:00Z",   /* 9: monthly (04) */
  "2026-03-31T03:00:00Z",   /* 10 */
  "2026-02-28T03:00:00Z",   /* 11 */
  "2026-01-31T03:00:00Z",   /* 12 */
  "2025-12-31T03:00:00Z",   /* 13 */
};
static const gboolean expected_keep[] = {
  TRUE, TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, TRUE, FALSE, TRUE, FALSE, FALSE, FALSE, FALSE,
};

static GPtrArray *
make_items (void)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_retention_item_free);

  /* in a scrambled order: decide sorts them */
  for (guint k = 0; k < G_N_ELEMENTS (dates); k++)
    {
      guint i = (k * 5) % G_N_ELEMENTS (dates);
      g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (dates[i], NULL);
      g_autofree char *name = g_strdup_printf ("/backups/p-%02u", i);
      g_autoptr(GFile) folder = g_file_new_for_path (name);

      g_ptr_array_add (items, lifeboat_retention_item_new (folder, t));
    }
  return items;
}

static guint
index_of (LifeboatRetentionItem *item)
{
  g_autofree char *base = g_file_get_basename (item->folder);

  return (guint) g_ascii_strtoull (base + 2, NULL, 10);
}

static void
test_retention_gfs (void)
{
  LifeboatRetention policy = { .last = 2, .daily = 3, .weekly = 2, .monthly = 3 };
  g_autoptr(GPtrArray) items = make_items ();

  lifeboat_retention_decide (&policy, items);

  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (dates));
  for (guint i = 0; i < items->len; i++)
    {
      LifeboatRetentionItem *item = g_ptr_array_index (items, i);

      g_assert_cmpuint (index_of (item), ==, i);   /* sorted newest first */
      if (item->keep != expected_keep[i])
        g_error ("backup %u (%s): keep %d, expected %d", i, dates[i], item->keep, expected_keep[i]);
      g_assert_true (item->keep == (item->reason != NULL));
    }
  g_assert_nonnull (strstr (((LifeboatRetentionItem *) g_ptr_array_index (items, 7))->reason, "monthly"));
}

static void
test_retention_safety_rules (void)
{
  LifeboatRetention none = { 0 };
  LifeboatRetention monthly_only = { .monthly = 1 };
  LifeboatRetention last_one = { .last = 1 };
  g_autoptr(GPtrArray) items = make_items ();

  /* an empty policy removes nothing */
  lifeboat_retention_decide (&none, items);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (((LifeboatRetentionItem *) g_ptr_array_index (items, i))->keep);

  /* a protected backup (in use) stays whatever the policy says */
  ((LifeboatRetentionItem *) g_ptr_array_index (items, 5))->protected = TRUE;
  lifeboat_retention_decide (&last_one, items);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (((LifeboatRetentionItem *) g_ptr_array_index (items, i))->keep == (i == 0 || i == 5));

  /* one month: the newest of June only */
  ((LifeboatRetentionItem *) g_ptr_array_index (items, 5))->protected = FALSE;
  lifeboat_retention_decide (&monthly_only, items);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (((LifeboatRetentionItem *) g_ptr_array_index (items, i))->keep == (i == 0));
}

/* ---------------------------------------------------------------------------------------- */
/* Retention: folders */

static void
write_fake_backup (const char *dir,
                   const char *project,
                   const char *name,
                   const char *created)
{
  g_autofree char *folder = g_build_filename (dir, name, NULL);
  g_autofree char *manifest = g_build_filename (folder, "lifeboat.json", NULL);
  g_autofree char *archive = g_build_filename (folder, "data.tar.gz", NULL);
  g_autofree char *sub = g_build_filename (folder, "nested", NULL);
  g_autofree char *nested = g_build_filename (sub, "file", NULL);
  g_autofree char *text = g_strdup_printf (
    "{\"format\":1,\"created\":\"%s\",\"project\":{\"name\":\"%s\"},"
    "\"volumes\":[{\"key\":\"data\",\"archive\":\"data.tar.gz\",\"archive_bytes\":3}]}",
    created, project);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (manifest, text, -1, NULL));
  g_assert_true (g_file_set_contents (archive, "abc", -1, NULL));
  g_assert_true (g_file_set_contents (nested, "x", -1, NULL));
}

static void
test_retention_remove (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("lifeboat-retention-XXXXXX", NULL);
  g_autofree char *history_dir = g_build_filename (tmp, "history", NULL);
  g_autofree char *dest = g_build_filename (tmp, "dest", NULL);
  g_autoptr(GFile) history_file = g_file_new_for_path (history_dir);
  g_autoptr(LifeboatHistory) history = lifeboat_history_new (history_file);
  const char *dests[] = { dest, NULL };
  LifeboatRetention policy = { .last = 2, .daily = 3, .weekly = 2, .monthly = 3 };
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GFile) in_use_marker = NULL;
  g_autoptr(GFile) dest_file = g_file_new_for_path (dest);
  guint pruned = 0;

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *name = g_strdup_printf ("p-%02u", i);

      write_fake_backup (dest, "p", name, dates[i]);
    }
  /* another project's backup and a half-written one are never candidates */
  write_fake_backup (dest, "other", "other-1", "2020-01-01T00:00:00Z");
  {
    g_autofree char *partial = g_build_filename (dest, "p-99.partial", NULL);
    g_assert_cmpint (g_mkdir_with_parents (partial, 0700), ==, 0);
  }
  g_assert_true (lifeboat_history_add_location (history, dest_file, NULL));

  /* p-05 is read by a running restore */
  {
    g_autofree char *p05 = g_build_filename (dest, "p-05", NULL);
    g_autoptr(GFile) f = g_file_new_for_path (p05);

    in_use_marker = lifeboat_retention_mark_in_use (history, f);
    g_assert_nonnull (in_use_marker);
    g_assert_true (lifeboat_retention_folder_in_use (history, f));
  }

  items = lifeboat_retention_scan (history, "p", dests, NULL, NULL);
  g_assert_nonnull (items);
  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (dates));
  lifeboat_retention_decide (&policy, items);

  for (guint i = 0; i < items->len; i++)
    {
      LifeboatRetentionItem *item = g_ptr_array_index (items, i);

      if (!item->keep)
        {
          g_assert_true (lifeboat_retention_remove (history, item, NULL, NULL));
          pruned++;
        }
    }
  g_assert_cmpuint (pruned, ==, 7);   /* 8 by the policy, less the one in use */

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *name = g_strdup_printf ("p-%02u", i);
      g_autofree char *path = g_build_filename (dest, name, NULL);
      g_autofree char *aside = g_strconcat (path, ".pruned.partial", NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS) == (expected_keep[i] || i == 5));
      g_assert_false (g_file_test (aside, G_FILE_TEST_EXISTS));
    }
  {
    g_autofree char *other = g_build_filename (dest, "other-1", "lifeboat.json", NULL);
    g_autofree char *partial = g_build_filename (dest, "p-99.partial", NULL);

    g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (partial, G_FILE_TEST_IS_DIR));
  }

  /* the history shows the removed ones as pruned */
  entries = lifeboat_history_list (history, "p", NULL);
  {
    guint n_pruned = 0, n_ok = 0;

    for (guint i = 0; i < entries->len; i++)
      {
        LifeboatJobOutcome o = lifeboat_history_entry_get_outcome (g_ptr_array_index (entries, i));

        n_pruned += o == LIFEBOAT_JOB_OUTCOME_PRUNED;
        n_ok += o == LIFEBOAT_JOB_OUTCOME_SUCCEEDED;
      }
    g_assert_cmpuint (n_pruned, ==, 7);
    g_assert_cmpuint (n_ok, ==, G_N_ELEMENTS (dates) - 7);
  }

  /* once the restore is over, p-05 can go */
  lifeboat_retention_unmark_in_use (in_use_marker);
  {
    g_autofree char *p05 = g_build_filename (dest, "p-05", NULL);
    g_autoptr(GFile) f = g_file_new_for_path (p05);

    g_assert_false (lifeboat_retention_folder_in_use (history, f));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Schedules: due times with a test clock */

static GDateTime *
t (const char *iso)
{
  GDateTime *d = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (d);
  return d;
}

static void
assert_next (LifeboatSchedule *s,
             const char       *after,
             const char       *expected)
{
  g_autoptr(GDateTime) a = t (after);
  g_autoptr(GDateTime) e = t (expected);
  g_autoptr(GDateTime) next = lifeboat_schedule_next_after (s, a);

  g_assert_nonnull (next);
  if (!g_date_time_equal (next, e))
    {
      g_autofree char *got = g_date_time_format_iso8601 (next);
      g_error ("after %s expected %s, got %s", after, expected, got);
    }
}

static void
test_schedule_next (void)
{
  g_autoptr(LifeboatSchedule) s = lifeboat_schedule_new ();

  s->every = LIFEBOAT_SCHEDULE_DAILY;
  s->hour = 2;
  s->minute = 30;
  assert_next (s, "2026-12-01T10:00:00Z", "2026-12-02T02:30:00Z");
  assert_next (s, "2026-12-02T02:29:59Z", "2026-12-02T02:30:00Z");
  assert_next (s, "2026-12-02T02:30:00Z", "2026-12-03T02:30:00Z");
  assert_next (s, "2026-12-31T23:00:00Z", "2027-01-01T02:30:00Z");

  s->every = LIFEBOAT_SCHEDULE_WEEKLY;
  s->weekday = 1;   /* Monday */
  s->hour = 3;
  s->minute = 0;
  assert_next (s, "2026-12-06T12:00:00Z", "2026-12-07T03:00:00Z");   /* a Sunday */
  assert_next (s, "2026-12-07T03:00:00Z", "2026-12-14T03:00:00Z");
  assert_next (s, "2026-12-07T02:59:00Z", "2026-12-07T03:00:00Z");

  s->every = LIFEBOAT_SCHEDULE_HOURLY;
  s->minute = 15;
  assert_next (s, "2026-12-06T10:15:00Z", "2026-12-06T11:15:00Z");
  assert_next (s, "2026-12-06T10:14:00Z", "2026-12-06T10:15:00Z");
  assert_next (s, "2026-12-06T23:20:00Z", "2026-12-07T00:15:00Z");

  s->every = LIFEBOAT_SCHEDULE_MINUTES;
  s->interval = 90;
  assert_next (s, "2026-12-06T10:00:00Z", "2026-12-06T11:30:00Z");

  s->every = LIFEBOAT_SCHEDULE_OFF;
  {
    g_autoptr(GDateTime) a = t ("2026-12-06T10:00:00Z");
    g_assert_null (lifeboat_schedule_next_after (s, a));
    g_assert_false (lifeboat_schedule_is_due (s, NULL, a));
  }
}

static void
test_schedule_due_once (void)
{
  g_autoptr(LifeboatSchedule) s = lifeboat_schedule_new ();
  g_autoptr(GDateTime) created = t ("2026-12-01T10:00:00Z");
  g_autoptr(GDateTime) before = t ("2026-12-02T02:29:00Z");
  g_autoptr(GDateTime) at = t ("2026-12-02T02:30:00Z");
  g_autoptr(GDateTime) back = t ("2026-12-06T08:00:00Z");   /* after 4 days switched off */
  g_autoptr(GDateTime) hour_later = t ("2026-12-06T09:00:00Z");
  g_autoptr(GDateTime) next_night = t ("2026-12-07T02:30:00Z");

  s->every = LIFEBOAT_SCHEDULE_DAILY;
  s->hour = 2;
  s->minute = 30;
  g_date_time_unref (s->created);
  s->created = g_date_time_ref (created);

  /* never ran: the first slot after its creation */
  g_assert_false (lifeboat_schedule_is_due (s, NULL, before));
  g_assert_true (lifeboat_schedule_is_due (s, NULL, at));
  /* ran at 02:30, machine off until the 6th: four slots missed, due once */
  g_assert_true (lifeboat_schedule_is_due (s, at, back));
  /* that one run at 08:00 satisfied it: not again until the next slot */
  g_assert_false (lifeboat_schedule_is_due (s, back, hour_later));
  g_assert_true (lifeboat_schedule_is_due (s, back, next_night));

  /* overdue: no success in twice the interval */
  g_assert_true (lifeboat_schedule_is_overdue (s, at, back));
  g_assert_false (lifeboat_schedule_is_overdue (s, back, next_night));
  g_assert_true (lifeboat_schedule_is_overdue (s, NULL, back));   /* from creation */
}

static void
test_schedule_minute_switch (void)
{
  g_autoptr(LifeboatSchedule) s = lifeboat_schedule_new ();
  g_autoptr(GDateTime) last = t ("2026-12-06T10:00:00Z");
  g_autoptr(GDateTime) later = t ("2026-12-06T10:00:03Z");

  s->every = LIFEBOAT_SCHEDULE_MINUTES;
  s->interval = 3;
  g_setenv ("LIFEBOAT_MINUTE_SECONDS", "1", TRUE);
  g_assert_cmpint (lifeboat_schedule_get_interval (s), ==, 3);
  g_assert_true (lifeboat_schedule_is_due (s, last, later));
  g_unsetenv ("LIFEBOAT_MINUTE_SECONDS");
  g_assert_cmpint (lifeboat_schedule_get_interval (s), ==, 180);
  g_assert_false (lifeboat_schedule_is_due (s, last, later));
}

static void
test_schedule_calendar (void)
{
  g_autoptr(LifeboatSchedule) s = lifeboat_schedule_new ();
  g_autofree char *daily = NULL, *weekly = NULL, *hourly = NULL, *cron = NULL;

  s->every = LIFEBOAT_SCHEDULE_DAILY;
  s->hour = 2;
  s->minute = 30;
  daily = lifeboat_schedule_dup_on_calendar (s);
  g_assert_cmpstr (daily, ==, "*-*-* 02:30:00");
  s->every = LIFEBOAT_SCHEDULE_WEEKLY;
  s->weekday = 7;
  weekly = lifeboat_schedule_dup_on_calendar (s);
  g_assert_cmpstr (weekly, ==, "Sun *-*-* 02:30:00");
  cron = lifeboat_schedule_dup_crontab (s, "/usr/bin/lifeboat-cli schedule run x");
  g_assert_cmpstr (cron, ==, "30 2 * * 0 /usr/bin/lifeboat-cli schedule run x");
  s->every = LIFEBOAT_SCHEDULE_HOURLY;
  s->minute = 5;
  hourly = lifeboat_schedule_dup_on_calendar (s);
  g_assert_cmpstr (hourly, ==, "*-*-* *:05:00");
}

static void
test_schedule_file (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("lifeboat-schedule-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "sub", "schedules.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_schedule_free);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  LifeboatSchedule *s = lifeboat_schedule_new ();
  LifeboatSchedule *r;
  GStatBuf st;

  s->project = g_strdup ("cvat");
  s->engine_id = g_strdup ("ABCD:EFGH");
  s->host = g_strdup ("ssh://admin@server");
  s->every = LIFEBOAT_SCHEDULE_WEEKLY;
  s->weekday = 3;
  s->hour = 4;
  s->minute = 45;
  s->destination = g_strdup ("/srv/backups");
  s->compression = LIFEBOAT_COMPRESSION_ZSTD;
  s->volumes = g_strsplit ("cvat_db,cvat_data", ",", -1);
  s->retention.last = 3;
  s->retention.monthly = 6;
  s->drill_every = 4;
  g_ptr_array_add (list, s);

  missing = lifeboat_schedules_load (file, NULL);
  g_assert_nonnull (missing);
  g_assert_cmpuint (missing->len, ==, 0);

  g_assert_true (lifeboat_schedules_save (list, file, NULL));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  loaded = lifeboat_schedules_load (file, NULL);
  g_assert_cmpuint (loaded->len, ==, 1);
  r = lifeboat_schedules_find (loaded, s->id);
  g_assert_nonnull (r);
  g_assert_cmpstr (r->project, ==, "cvat");
  g_assert_cmpstr (r->engine_id, ==, "ABCD:EFGH");
  g_assert_cmpstr (r->host, ==, "ssh://admin@server");
  g_assert_cmpint (r->every, ==, LIFEBOAT_SCHEDULE_WEEKLY);
  g_assert_cmpuint (r->weekday, ==, 3);
  g_assert_cmpuint (r->hour, ==, 4);
  g_assert_cmpuint (r->minute, ==, 45);
  g_assert_cmpstr (r->destination, ==, "/srv/backups");
  g_assert_cmpint (r->compression, ==, LIFEBOAT_COMPRESSION_ZSTD);
  g_assert_cmpstrv (r->volumes, s->volumes);
  g_assert_cmpuint (r->retention.last, ==, 3);
  g_assert_cmpuint (r->retention.monthly, ==, 6);
  g_assert_cmpuint (r->drill_every, ==, 4);
  g_assert_true (g_date_time_equal (r->created, s->created));
}

int
main (int    argc,
      char **argv)
{
  /* the test clock's times are UTC; the policy and the slots work in local time */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lifeboat/retention/gfs", test_retention_gfs);
  g_test_add_func ("/lifeboat/retention/safety-rules", test_retention_safety_rules);
  g_test_add_func ("/lifeboat/retention/remove", test_retention_remove);
  g_test_add_func ("/lifeboat/schedule/next", test_schedule_next);
  g_test_add_func ("/lifeboat/schedule/due-once", test_schedule_due_once);
  g_test_add_func ("/lifeboat/schedule/minute-switch", test_schedule_minute_switch);
  g_test_add_func ("/lifeboat/schedule/calendar", test_schedule_calendar);
  g_test_add_func ("/lifeboat/schedule/file", test_schedule_file);

  return g_test_run ();
}
