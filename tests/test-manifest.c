/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "lifeboat-error.h"
#include "lifeboat-manifest.h"

static GFile *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *path = g_dir_make_tmp ("lifeboat-manifest-XXXXXX", &error);

  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
write_manifest_text (GFile      *dir,
                     const char *text)
{
  g_autoptr(GFile) file = g_file_get_child (dir, LIFEBOAT_MANIFEST_NAME);
  g_autoptr(GError) error = NULL;

  g_file_replace_contents (file, text, strlen (text), NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                           NULL, &error);
  g_assert_no_error (error);
}

static void
test_round_trip (void)
{
  g_autoptr(GFile) dir = make_dir ();
  g_autoptr(LifeboatManifest) m = lifeboat_manifest_new ();
  g_autoptr(LifeboatManifest) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_get_child (dir, LIFEBOAT_MANIFEST_NAME);
  g_autofree char *path = g_file_get_path (file);
  LifeboatManifestVolume *v = lifeboat_manifest_volume_new ();
  LifeboatManifestVolume *lv;
  GStatBuf st;

  m->created = g_strdup ("2026-11-24T10:00:00Z");
  m->seconds = 12.5;
  m->engine_name = g_strdup ("server");
  m->docker_version = g_strdup ("20.10.24");
  m->api_version = g_strdup ("1.41");
  m->project = g_strdup ("cvat");
  m->app_profile = g_strdup ("cvat");
  m->app_version = g_strdup ("v2.22.0");
  v->key = g_strdup ("cvat_db");
  v->name = g_strdup ("cvat_cvat_db");
  v->driver = g_strdup ("local");
  v->labels = json_object_new ();
  json_object_set_string_member (v->labels, "com.docker.compose.volume", "cvat_db");
  v->mount_path = g_strdup ("/var/lib/postgresql/data");
  v->archive_root = g_strdup ("var/lib/postgresql/data");
  v->archive = g_strdup ("cvat_db.tar.zst");
  v->compression = LIFEBOAT_COMPRESSION_ZSTD;
  v->tar_bytes = 10240;
  v->archive_bytes = 321;
  v->sha256 = g_strdup ("ab12");
  v->entries = 7;
  v->seconds = 1.25;
  g_ptr_array_add (m->volumes, v);

  g_assert_true (lifeboat_manifest_write (m, dir, NULL, &error));
  g_assert_no_error (error);

  /* secrets: the manifest is private */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* written once: a second write does not replace a finished manifest */
  g_assert_false (lifeboat_manifest_write (m, dir, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  loaded = lifeboat_manifest_load (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpint (loaded->format, ==, LIFEBOAT_MANIFEST_FORMAT);
  g_assert_cmpstr (loaded->lifeboat_version, ==, PACKAGE_VERSION);
  g_assert_cmpstr (loaded->created, ==, "2026-11-24T10:00:00Z");
  g_assert_cmpstr (loaded->project, ==, "cvat");
  g_assert_cmpstr (loaded->app_version, ==, "v2.22.0");
  g_assert_cmpstr (loaded->engine_name, ==, "server");
  g_assert_cmpuint (loaded->volumes->len, ==, 1);

  lv = lifeboat_manifest_find_volume (loaded, "cvat_db");
  g_assert_nonnull (lv);
  g_assert_true (lv == lifeboat_manifest_find_volume (loaded, "cvat_cvat_db"));
  g_assert_null (lifeboat_manifest_find_volume (loaded, "cvat_data"));
  g_assert_cmpstr (lv->archive, ==, "cvat_db.tar.zst");
  g_assert_cmpint (lv->compression, ==, LIFEBOAT_COMPRESSION_ZSTD);
  g_assert_cmpuint (lv->tar_bytes, ==, 10240);
  g_assert_cmpuint (lv->archive_bytes, ==, 321);
  g_assert_cmpuint (lv->entries, ==, 7);
  g_assert_cmpstr (lv->sha256, ==, "ab12");
  g_assert_cmpstr (lv->mount_path, ==, "/var/lib/postgresql/data");
  g_assert_cmpstr (lv->archive_root, ==, "var/lib/postgresql/data");
  g_assert_cmpstr (json_object_get_string_member (lv->labels, "com.docker.compose.volume"), ==,
                   "cvat_db");
  g_assert_cmpfloat_with_epsilon (lv->seconds, 1.25, 0.001);
}

static void
test_missing (void)
{
  g_autoptr(GFile) dir = make_dir ();
  g_autoptr(GError) error = NULL;

  g_assert_null (lifeboat_manifest_load (dir, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_refused (void)
{
  static const char * const bad[] = {
    "not json at all",
    "[1, 2]",
    "{\"format\": 99, \"volumes\": []}",
    "{\"format\": 1}",
    /* an archive name that would lead out of the folder */
    "{\"format\": 1, \"volumes\": [{\"key\": \"cvat_db\", \"archive\": \"../etc/passwd\"}]}",
    "{\"format\": 1, \"volumes\": [{\"key\": \"cvat_db\", \"archive\": \"..\"}]}",
    "{\"format\": 1, \"volumes\": [{\"archive\": \"cvat_db.tar.gz\"}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GFile) dir = make_dir ();
      g_autoptr(GError) error = NULL;

      write_manifest_text (dir, bad[i]);
      g_assert_null (lifeboat_manifest_load (dir, NULL, &error));
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP);
      g_test_message ("refused %s: %s", bad[i], error->message);
    }
}

static void
test_guide_defaults (void)
{
  g_autoptr(GFile) dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatManifest) m = NULL;
  LifeboatManifestVolume *v;

  /* the least a manifest may say: compression defaults to the guide's gzip */
  write_manifest_text (dir, "{\"format\": 1, \"volumes\": [{\"key\": \"cvat_data\", "
                            "\"archive\": \"cvat_data.tar.gz\"}]}");
  m = lifeboat_manifest_load (dir, NULL, &error);
  g_assert_no_error (error);
  v = g_ptr_array_index (m->volumes, 0);
  g_assert_cmpint (v->compression, ==, LIFEBOAT_COMPRESSION_GZIP);
  g_assert_null (v->sha256);
  g_assert_null (m->app_version);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lifeboat/manifest/round-trip", test_round_trip);
  g_test_add_func ("/lifeboat/manifest/missing", test_missing);
  g_test_add_func ("/lifeboat/manifest/refused", test_refused);
  g_test_add_func ("/lifeboat/manifest/guide-defaults", test_guide_defaults);

  return g_test_run ();
}
