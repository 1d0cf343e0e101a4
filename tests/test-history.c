/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-history"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "lifeboat-history.h"
#include "lifeboat-manifest.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static GDateTime *
utc (int y, int mo, int d, int h, int mi, double s)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();

  return g_date_time_new (tz, y, mo, d, h, mi, s);
}

static LifeboatHistoryEntry *
make_entry (LifeboatJobKind  kind,
            const char      *project,
            GDateTime       *started,
            const char      *folder)
{
  LifeboatHistoryEntry *entry = lifeboat_history_entry_new (kind);
  const char * const volumes[] = { "cvat_db", "cvat_data", NULL };

  lifeboat_history_entry_set_outcome (entry, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  lifeboat_history_entry_set_started (entry, started);
  lifeboat_history_entry_set_seconds (entry, 12.5);
  lifeboat_history_entry_set_engine (entry, "local");
  lifeboat_history_entry_set_project (entry, project);
  lifeboat_history_entry_set_volumes (entry, volumes);
  lifeboat_history_entry_set_bytes (entry, 123456789012);
  lifeboat_history_entry_set_folder (entry, folder);
  lifeboat_history_entry_set_app_version (entry, "v2.22.0");

  return entry;
}

static char *
history_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "lifeboat", NULL);
}

static LifeboatHistory *
new_history (void)
{
  g_autofree char *dir = history_dir ();
  g_autoptr(GFile) file = g_file_new_for_path (dir);

  return lifeboat_history_new (file);
}

static guint
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  for (const char *p = contents; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

static void
test_entry_properties (void)
{
  g_autoptr(LifeboatHistoryEntry) entry = lifeboat_history_entry_new (LIFEBOAT_JOB_KIND_RESTORE);
  g_autoptr(LifeboatHistoryEntry) other = lifeboat_history_entry_new (LIFEBOAT_JOB_KIND_BACKUP);
  g_autoptr(GDateTime) started = utc (2026, 1, 2, 3, 4, 5);
  g_autoptr(GDateTime) got_started = NULL;
  g_auto(GStrv) got_volumes = NULL;
  g_autofree char *got_folder = NULL;
  const char * const volumes[] = { "cvat_db", NULL };
  guint64 got_bytes = 0;
  guint got_outcome = 0;
  guint outcome_notifies = 0;
  guint any_notifies = 0;

  g_assert_true (g_uuid_string_is_valid (lifeboat_history_entry_get_id (entry)));
  g_assert_cmpstr (lifeboat_history_entry_get_id (entry), !=,
                   lifeboat_history_entry_get_id (other));
  g_assert_cmpint (lifeboat_history_entry_get_kind (entry), ==, LIFEBOAT_JOB_KIND_RESTORE);
  g_assert_cmpint (lifeboat_history_entry_get_outcome (entry), ==, LIFEBOAT_JOB_OUTCOME_RUNNING);
  g_assert_false (lifeboat_history_entry_get_rescanned (entry));

  g_signal_connect (entry, "notify::outcome", G_CALLBACK (count_notify), &outcome_notifies);
  g_signal_connect (entry, "notify", G_CALLBACK (count_notify), &any_notifies);

  lifeboat_history_entry_set_outcome (entry, LIFEBOAT_JOB_OUTCOME_FAILED);
  lifeboat_history_entry_set_outcome (entry, LIFEBOAT_JOB_OUTCOME_FAILED);
  g_assert_cmpuint (outcome_notifies, ==, 1);

  lifeboat_history_entry_set_started (entry, started);
  lifeboat_history_entry_set_seconds (entry, 3.25);
  lifeboat_history_entry_set_engine (entry, "ssh://admin@cvat-host");
  lifeboat_history_entry_set_project (entry, "cvat");
  lifeboat_history_entry_set_volumes (entry, volumes);
  lifeboat_history_entry_set_bytes (entry, G_GUINT64_CONSTANT (5000000000));
  lifeboat_history_entry_set_error (entry, "No space left on device");
  lifeboat_history_entry_set_folder (entry, "/backups/cvat-20260102-030405");
  lifeboat_history_entry_set_app_version (entry, "v2.22.0");
  g_assert_cmpuint (any_notifies, ==, 10);

  /* same values again: no notification */
  lifeboat_history_entry_set_project (entry, "cvat");
  lifeboat_history_entry_set_volumes (entry, volumes);
  lifeboat_history_entry_set_bytes (entry, G_GUINT64_CONSTANT (5000000000));
  g_assert_cmpuint (any_notifies, ==, 10);

  g_object_get (entry,
                "outcome", &got_outcome,
                "started", &got_started,
                "volumes", &got_volumes,
                "bytes", &got_bytes,
                "folder", &got_folder,
                NULL);
  g_assert_cmpuint (got_outcome, ==, LIFEBOAT_JOB_OUTCOME_FAILED);
  g_assert_true (g_date_time_equal (got_started, started));
  g_assert_cmpstrv (got_volumes, volumes);
  g_assert_cmpuint (got_bytes, ==, G_GUINT64_CONSTANT (5000000000));
  g_assert_cmpstr (got_folder, ==, "/backups/cvat-20260102-030405");

  g_object_set (entry, "seconds", 9.0, "app-version", "v2.23.0", NULL);
  g_assert_cmpfloat (lifeboat_history_entry_get_seconds (entry), ==, 9.0);
  g_assert_cmpstr (lifeboat_history_entry_get_app_version (entry), ==, "v2.23.0");
  g_assert_cmpuint (any_notifies, ==, 12);
}

static void
test_entry_json (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+02:00");
  g_autoptr(GDateTime) started = g_date_time_new (tz, 2026, 11, 24, 23, 30, 15.25);
  g_autoptr(LifeboatHistoryEntry) entry = make_entry (LIFEBOAT_JOB_KIND_SAFETY_BACKUP, "cvat",
                                                      started, "/b/cvat-x");
  g_autoptr(LifeboatHistoryEntry) copy = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  lifeboat_history_entry_set_error (entry, "It failed “badly”");
  node = lifeboat_history_entry_to_json (entry);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "started"), ==,
                   "2026-11-24T21:30:15.250000Z");
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "safety-backup");
  g_assert_cmpstr (json_object_get_string_member (object, "outcome"), ==, "succeeded");

  copy = lifeboat_history_entry_new_from_json (object);
  g_assert_nonnull (copy);
  g_assert_cmpstr (lifeboat_history_entry_get_id (copy), ==, lifeboat_history_entry_get_id (entry));
  g_assert_cmpint (lifeboat_history_entry_get_kind (copy), ==, LIFEBOAT_JOB_KIND_SAFETY_BACKUP);
  g_assert_cmpint (lifeboat_history_entry_get_outcome (copy), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  g_assert_true (g_date_time_equal (lifeboat_history_entry_get_started (copy), started));
  g_assert_cmpfloat (lifeboat_history_entry_get_seconds (copy), ==, 12.5);
  g_assert_cmpstr (lifeboat_history_entry_get_engine (copy), ==, "local");
  g_assert_cmpstr (lifeboat_history_entry_get_project (copy), ==, "cvat");
  g_assert_cmpstrv (lifeboat_history_entry_get_volumes (copy),
                    ((const char * const[]) { "cvat_db", "cvat_data", NULL }));
  g_assert_cmpuint (lifeboat_history_entry_get_bytes (copy), ==, 123456789012);
  g_assert_cmpstr (lifeboat_history_entry_get_error (copy), ==, "It failed “badly”");
  g_assert_cmpstr (lifeboat_history_entry_get_folder (copy), ==, "/b/cvat-x");
  g_assert_cmpstr (lifeboat_history_entry_get_app_version (copy), ==, "v2.22.0");
  g_assert_false (lifeboat_history_entry_get_rescanned (copy));

  /* without an id it is not an entry */
  json_object_remove_member (object, "id");
  g_assert_null (lifeboat_history_entry_new_from_json (object));
}

static void
test_record_list_forget (void)
{
  g_autoptr(LifeboatHistory) history = new_history ();
  g_autofree char *dir = history_dir ();
  g_autofree char *journal = g_build_filename (dir, "history.jsonl", NULL);
  g_autoptr(GDateTime) t1 = utc (2026, 1, 1, 10, 0, 0);
  g_autoptr(GDateTime) t2 = utc (2026, 1, 2, 10, 0, 0);
  g_autoptr(GDateTime) t3 = utc (2026, 1, 3, 10, 0, 0);
  g_autoptr(LifeboatHistoryEntry) a = make_entry (LIFEBOAT_JOB_KIND_BACKUP, "cvat", t1, "/b/1");
  g_autoptr(LifeboatHistoryEntry) b = make_entry (LIFEBOAT_JOB_KIND_RESTORE, "cvat", t3, "/b/1");
  g_autoptr(LifeboatHistoryEntry) c = make_entry (LIFEBOAT_JOB_KIND_BACKUP, "other", t2, "/b/2");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  /* nothing yet, and no folder made just for reading */
  list = lifeboat_history_list (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  lifeboat_history_entry_set_outcome (a, LIFEBOAT_JOB_OUTCOME_RUNNING);
  g_assert_true (lifeboat_history_record (history, a, &error));
  g_assert_no_error (error);
  g_assert_true (lifeboat_history_record (history, b, &error));
  g_assert_true (lifeboat_history_record (history, c, &error));
  g_assert_no_error (error);

  /* secrets live here: 0700 folder, 0600 file */
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (journal, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  /* newest first */
  list = lifeboat_history_list (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (lifeboat_history_entry_get_id (list->pdata[0]), ==, lifeboat_history_entry_get_id (b));
  g_assert_cmpstr (lifeboat_history_entry_get_id (list->pdata[1]), ==, lifeboat_history_entry_get_id (c));
  g_assert_cmpstr (lifeboat_history_entry_get_id (list->pdata[2]), ==, lifeboat_history_entry_get_id (a));
  g_assert_cmpint (lifeboat_history_entry_get_outcome (list->pdata[2]), ==,
                   LIFEBOAT_JOB_OUTCOME_RUNNING);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* the job ends: its later line replaces the "running" one */
  lifeboat_history_entry_set_outcome (a, LIFEBOAT_JOB_OUTCOME_FAILED);
  lifeboat_history_entry_set_error (a, "Could not stop cvat_db");
  g_assert_true (lifeboat_history_record (history, a, &error));
  list = lifeboat_history_list (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (lifeboat_history_entry_get_outcome (list->pdata[2]), ==,
                   LIFEBOAT_JOB_OUTCOME_FAILED);
  g_assert_cmpstr (lifeboat_history_entry_get_error (list->pdata[2]), ==, "Could not stop cvat_db");
  g_assert_cmpuint (count_lines (journal), ==, 4);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* project filter */
  list = lifeboat_history_list (history, "other", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (lifeboat_history_entry_get_id (list->pdata[0]), ==, lifeboat_history_entry_get_id (c));
  g_clear_pointer (&list, g_ptr_array_unref);
  list = lifeboat_history_list (history, "nope", &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* forget: a tombstone line */
  g_assert_true (lifeboat_history_forget (history, lifeboat_history_entry_get_id (b), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_lines (journal), ==, 5);
  list = lifeboat_history_list (history, NULL, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (lifeboat_history_entry_get_id (list->pdata[0]), ==, lifeboat_history_entry_get_id (c));
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_false (lifeboat_history_forget (history, lifeboat_history_entry_get_id (b), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* recorded again after being forgotten: back, once */
  g_assert_true (lifeboat_history_record (history, b, &error));
  list = lifeboat_history_list (history, NULL, &error);
  g_assert_cmpuint (list->len, ==, 3);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* a line torn by a crash costs that line only */
  {
    FILE *f = fopen (journal, "a");
    g_autoptr(LifeboatHistoryEntry) d = make_entry (LIFEBOAT_JOB_KIND_BACKUP, "cvat", t1, "/b/3");

    g_assert_nonnull (f);
    fputs ("{\"id\":\"torn\",\"kind\":\"bac", f);
    fclose (f);
    g_assert_true (lifeboat_history_record (history, d, &error));
    g_assert_no_error (error);
    list = lifeboat_history_list (history, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 4);
  }
}

static gpointer
record_many (gpointer data)
{
  LifeboatHistory *history = data;

  for (guint i = 0; i < 25; i++)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(LifeboatHistoryEntry) entry = make_entry (LIFEBOAT_JOB_KIND_BACKUP, "cvat",
                                                          now, NULL);
      g_autoptr(GError) error = NULL;

      lifeboat_history_record (history, entry, &error);
      g_assert_no_error (error);
    }

  return NULL;
}

static void
test_record_threads (void)
{
  g_autoptr(LifeboatHistory) history = new_history ();
  g_autofree char *dir = history_dir ();
  g_autofree char *journal = g_build_filename (dir, "history.jsonl", NULL);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("record", record_many, history);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (count_lines (journal), ==, 100);
  list = lifeboat_history_list (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 100);
}

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* the manifest's documented shape (CONTRACTS.md §3), written by hand */
static const char manifest_json[] =
  "{\"format\": 1, \"lifeboat_version\": \"0.1.0\", \"created\": \"2026-03-01T08:00:00Z\","
  " \"seconds\": 42.5,"
  " \"engine\": {\"name\": \"cvat-host\", \"id\": \"ABCD\"},"
  " \"project\": {\"name\": \"cvat\", \"working_dir\": \"/opt/cvat\"},"
  " \"app\": {\"profile\": \"cvat\", \"version\": \"v2.22.0\"},"
  " \"volumes\": ["
  "   {\"key\": \"cvat_db\", \"archive\": \"cvat_db.tar.gz\", \"archive_bytes\": 1000},"
  "   {\"key\": \"cvat_data\", \"archive\": \"cvat_data.tar.gz\", \"archive_bytes\": 20000}"
  " ]}";

static void
test_rescan (void)
{
  g_autoptr(LifeboatHistory) history = new_history ();
  g_autofree char *loc = g_build_filename (g_get_user_cache_dir (), "backups", NULL);
  g_autofree char *hand = g_build_filename (loc, "cvat-20260301-080000", NULL);
  g_autofree char *partial = g_build_filename (loc, "cvat-20260302-080000.partial", NULL);
  g_autofree char *written = g_build_filename (loc, "other-20260303-080000", NULL);
  g_autofree char *journaled = g_build_filename (loc, "cvat-20260201-080000", NULL);
  g_autofree char *junk = g_build_filename (loc, "junk", NULL);
  g_autofree char *broken = g_build_filename (loc, "broken", NULL);
  g_autofree char *dir = history_dir ();
  g_autofree char *locations_path = g_build_filename (dir, "locations", NULL);
  g_autoptr(GFile) loc_file = g_file_new_for_path (loc);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) locations = NULL;
  g_autoptr(GDateTime) t = utc (2026, 2, 1, 8, 0, 0);
  g_autoptr(LifeboatHistoryEntry) backup = make_entry (LIFEBOAT_JOB_KIND_BACKUP, "cvat", t,
                                                       journaled);
  g_autoptr(GDateTime) t_restore = utc (2026, 3, 10, 8, 0, 0);
  g_autoptr(LifeboatHistoryEntry) restore = make_entry (LIFEBOAT_JOB_KIND_RESTORE, "cvat",
                                                        t_restore, hand);
  LifeboatHistoryEntry *e;
  struct stat st;

  write_text (hand, "lifeboat.json", manifest_json);
  write_text (partial, "lifeboat.json", manifest_json);
  write_text (journaled, "lifeboat.json", manifest_json);
  write_text (junk, "notes.txt", "not a backup");
  write_text (broken, "lifeboat.json", "{ this is not json");
  write_text (loc, "stray-file", "x");

  /* one written by the manifest code itself */
  {
    g_autoptr(LifeboatManifest) m = lifeboat_manifest_new ();
    g_autoptr(GFile) folder = g_file_new_for_path (written);
    LifeboatManifestVolume *v = lifeboat_manifest_volume_new ();

    g_assert_cmpint (g_mkdir_with_parents (written, 0700), ==, 0);
    m->created = g_strdup ("2026-03-03T08:00:00Z");
    m->seconds = 7;
    m->engine_name = g_strdup ("local");
    m->project = g_strdup ("other");
    v->key = g_strdup ("redis");
    v->archive = g_strdup ("redis.tar.zst");
    v->archive_bytes = 77;
    g_ptr_array_add (m->volumes, v);
    lifeboat_manifest_write (m, folder, NULL, &error);
    g_assert_no_error (error);
  }

  g_assert_true (lifeboat_history_record (history, backup, &error));
  g_assert_true (lifeboat_history_record (history, restore, &error));
  g_assert_true (lifeboat_history_add_location (history, loc_file, &error));
  g_assert_true (lifeboat_history_add_location (history, loc_file, &error));
  g_assert_no_error (error);

  locations = lifeboat_history_dup_locations (history);
  g_assert_cmpuint (g_strv_length (locations), ==, 1);
  g_assert_cmpstr (locations[0], ==, loc);
  g_assert_cmpuint (count_lines (locations_path), ==, 1);
  g_assert_cmpint (g_stat (locations_path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  list = lifeboat_history_list (history, NULL, &error);
  g_assert_no_error (error);
  /* restore (03-10), other (03-03), hand (03-01), journaled backup (02-01) */
  g_assert_cmpuint (list->len, ==, 4);

  e = list->pdata[0];
  g_assert_cmpint (lifeboat_history_entry_get_kind (e), ==, LIFEBOAT_JOB_KIND_RESTORE);
  g_assert_false (lifeboat_history_entry_get_rescanned (e));

  e = list->pdata[1];
  g_assert_true (lifeboat_history_entry_get_rescanned (e));
  g_assert_cmpstr (lifeboat_history_entry_get_folder (e), ==, written);
  g_assert_cmpstr (lifeboat_history_entry_get_project (e), ==, "other");
  g_assert_cmpuint (lifeboat_history_entry_get_bytes (e), ==, 77);

  e = list->pdata[2];
  g_assert_true (lifeboat_history_entry_get_rescanned (e));
  g_assert_true (g_uuid_string_is_valid (lifeboat_history_entry_get_id (e)));
  g_assert_cmpint (lifeboat_history_entry_get_kind (e), ==, LIFEBOAT_JOB_KIND_BACKUP);
  g_assert_cmpint (lifeboat_history_entry_get_outcome (e), ==, LIFEBOAT_JOB_OUTCOME_SUCCEEDED);
  g_assert_cmpstr (lifeboat_history_entry_get_folder (e), ==, hand);
  g_assert_cmpstr (lifeboat_history_entry_get_project (e), ==, "cvat");
  g_assert_cmpstr (lifeboat_history_entry_get_engine (e), ==, "cvat-host");
  g_assert_cmpstr (lifeboat_history_entry_get_app_version (e), ==, "v2.22.0");
  g_assert_cmpfloat (lifeboat_history_entry_get_seconds (e), ==, 42.5);
  g_assert_cmpuint (lifeboat_history_entry_get_bytes (e), ==, 21000);
  g_assert_cmpstrv (lifeboat_history_entry_get_volumes (e),
                    ((const char * const[]) { "cvat_db", "cvat_data", NULL }));
  {
    g_autoptr(GDateTime) created = utc (2026, 3, 1, 8, 0, 0);
    g_assert_true (g_date_time_equal (lifeboat_history_entry_get_started (e), created));
  }

  /* the journal knows this folder: its entry, not a rescanned copy */
  e = list->pdata[3];
  g_assert_false (lifeboat_history_entry_get_rescanned (e));
  g_assert_cmpstr (lifeboat_history_entry_get_id (e), ==, lifeboat_history_entry_get_id (backup));

  /* the same folder keeps its id from one listing to the next */
  again = lifeboat_history_list (history, "cvat", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 3);
  g_assert_cmpstr (lifeboat_history_entry_get_id (again->pdata[1]), ==,
                   lifeboat_history_entry_get_id (list->pdata[2]));

  /* per engine: the manifests name engine ABCD; the journaled backup's record predates the
   * engine's ID and gets it from its folder's manifest; the restore's engine is not known */
  {
    g_autoptr(GPtrArray) here = NULL;
    g_autoptr(GPtrArray) there = NULL;
    g_autoptr(GDateTime) t_other = utc (2026, 3, 11, 8, 0, 0);
    g_autoptr(LifeboatHistoryEntry) other = make_entry (LIFEBOAT_JOB_KIND_BACKUP, "cvat", t_other,
                                                        "/elsewhere/cvat-20260311-080000");

    lifeboat_history_entry_set_engine_id (other, "OTHER");
    g_assert_true (lifeboat_history_record (history, other, &error));
    g_assert_no_error (error);

    here = lifeboat_history_list_for_engine (history, "ABCD", "cvat", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (here->len, ==, 3);
    g_assert_cmpint (lifeboat_history_entry_get_kind (here->pdata[0]), ==, LIFEBOAT_JOB_KIND_RESTORE);
    g_assert_null (lifeboat_history_entry_get_engine_id (here->pdata[0]));
    g_assert_cmpstr (lifeboat_history_entry_get_folder (here->pdata[1]), ==, hand);
    g_assert_cmpstr (lifeboat_history_entry_get_engine_id (here->pdata[1]), ==, "ABCD");
    g_assert_cmpstr (lifeboat_history_entry_get_folder (here->pdata[2]), ==, journaled);
    g_assert_cmpstr (lifeboat_history_entry_get_engine_id (here->pdata[2]), ==, "ABCD");

    there = lifeboat_history_list_for_engine (history, "OTHER", "cvat", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (there->len, ==, 2);
    g_assert_cmpstr (lifeboat_history_entry_get_id (there->pdata[0]), ==,
                     lifeboat_history_entry_get_id (other));
    g_assert_cmpint (lifeboat_history_entry_get_kind (there->pdata[1]), ==, LIFEBOAT_JOB_KIND_RESTORE);

    g_assert_true (lifeboat_history_forget (history, lifeboat_history_entry_get_id (other), &error));
    g_assert_no_error (error);
  }

  /* Forget: a rescanned backup, and a journaled one whose folder is in a location; the rescan
   * brings neither back, and their folders stay */
  g_assert_true (lifeboat_history_forget (history, lifeboat_history_entry_get_id (list->pdata[2]),
                                          &error));
  g_assert_no_error (error);
  g_assert_true (lifeboat_history_forget (history, lifeboat_history_entry_get_id (backup), &error));
  g_assert_no_error (error);
  g_assert_false (lifeboat_history_forget (history, "00000000-0000-4000-8000-000000000000",
                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (g_file_test (hand, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (journaled, G_FILE_TEST_IS_DIR));

  /* a location that went away (an unplugged disk) is no error */
  {
    g_autoptr(GFile) gone = g_file_new_for_path ("/nonexistent/lifeboat-backups");
    g_autoptr(GPtrArray) list2 = NULL;

    g_assert_true (lifeboat_history_add_location (history, gone, &error));
    list2 = lifeboat_history_list (history, NULL, &error);
    g_assert_no_error (error);
    /* the restore and the other project's backup */
    g_assert_cmpuint (list2->len, ==, 2);
    g_assert_cmpint (lifeboat_history_entry_get_kind (list2->pdata[0]), ==, LIFEBOAT_JOB_KIND_RESTORE);
    g_assert_cmpstr (lifeboat_history_entry_get_folder (list2->pdata[1]), ==, written);
  }
}

static void
test_default (void)
{
  LifeboatHistory *history = lifeboat_history_get_default ();
  g_autofree char *expected = history_dir ();
  g_autofree char *path = g_file_get_path (lifeboat_history_get_dir (history));

  g_assert_true (history == lifeboat_history_get_default ());
  g_assert_cmpstr (path, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lifeboat/history/entry/properties", test_entry_properties);
  g_test_add_func ("/lifeboat/history/entry/json", test_entry_json);
  g_test_add_func ("/lifeboat/history/record-list-forget", test_record_list_forget);
  g_test_add_func ("/lifeboat/history/record-threads", test_record_threads);
  g_test_add_func ("/lifeboat/history/rescan", test_rescan);
  g_test_add_func ("/lifeboat/history/default", test_default);

  return g_test_run ();
}
