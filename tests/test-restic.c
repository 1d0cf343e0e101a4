/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lifeboat-error.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restic-private.h"
#include "lifeboat-restic-repository.h"

/*
 * A restic repository seen as a folder of backup folders (src/engine/restic/), with Debian's
 * restic on a local repository: written through a .partial backup and completed by renaming,
 * read back through restic dump, abandoned backups forgotten, retention, wrong password.
 */

static gboolean
have_restic (void)
{
  g_autofree char *restic = g_find_program_in_path ("restic");

  if (restic == NULL)
    g_test_skip ("restic is not installed (apt-get install restic)");
  return restic != NULL;
}

/* every repository and restic's cache below one folder, removed at the end */
static char *test_dir;

static char *
make_location (void)
{
  static guint n;

  return g_strdup_printf ("local:%s/repo-%u", test_dir, ++n);
}

static LifeboatResticRepository *
new_repository (const char *location,
                const char *password)
{
  LifeboatResticRepository *repo = lifeboat_restic_repository_new (location);

  lifeboat_restic_repository_set_password (repo, password);
  return repo;
}

/* writes backup @id with one volume "vol.tar" holding @data; returns the complete backup */
static GFile *
write_backup (LifeboatResticRepository *repo,
              const char               *id,
              GBytes                   *data)
{
  g_autoptr(GFile) root = lifeboat_restic_repository_get_file (repo, NULL);
  g_autofree char *partial_name = g_strconcat (id, ".partial", NULL);
  g_autoptr(GFile) partial = g_file_get_child (root, partial_name);
  g_autoptr(GFile) final = g_file_get_child (root, id);
  g_autoptr(GFile) vol = g_file_get_child (partial, "vol.tar");
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(LifeboatManifest) m = lifeboat_manifest_new ();
  LifeboatManifestVolume *mv = lifeboat_manifest_volume_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (g_file_query_exists (final, NULL));
  g_file_make_directory (partial, NULL, &error);
  g_assert_no_error (error);

  out = g_file_create (vol, G_FILE_CREATE_PRIVATE, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (G_OUTPUT_STREAM (out), g_bytes_get_data (data, NULL),
                             g_bytes_get_size (data), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (_lifeboat_restic_backup_stream_get_snapshot (out));

  m->created = g_strdup ("2026-12-06T20:00:00Z");
  m->project = g_strdup ("proj");
  m->engine_id = g_strdup ("AAAA:BBBB");
  m->app_profile = g_strdup ("cvat");
  m->app_version = g_strdup ("v2.22.0");
  mv->key = g_strdup ("vol");
  mv->name = g_strdup ("proj_vol");
  mv->archive = g_strdup ("vol.tar");
  mv->mount_path = g_strdup ("/data");
  mv->archive_root = g_strdup ("data");
  mv->compression = LIFEBOAT_COMPRESSION_NONE;
  mv->archive_bytes = mv->tar_bytes = g_bytes_get_size (data);
  mv->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  g_ptr_array_add (m->volumes, mv);
  lifeboat_manifest_write (m, partial, NULL, &error);
  g_assert_no_error (error);

  /* not a backup until it is renamed */
  g_assert_false (g_file_query_exists (final, NULL));
  g_file_move (partial, final, G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
               NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_query_exists (final, NULL));
  return g_steal_pointer (&final);
}

static GBytes *
random_bytes (gsize size)
{
  guint8 *buf = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    buf[i] = g_random_int () & 0xff;
  return g_bytes_new_take (buf, size);
}

static void
test_write_read (void)
{
  g_autofree char *location = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GFile) backup = NULL;
  g_autoptr(GFile) vol = NULL;
  g_autoptr(LifeboatManifest) loaded = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  gboolean created = FALSE;
  gsize len;

  if (!have_restic ())
    return;

  location = make_location ();
  repo = new_repository (location, "pipe-password");   /* through a pipe, not a file */
  lifeboat_restic_repository_open_sync (repo, TRUE, &created, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (created);

  data = random_bytes (3 * 1024 * 1024 + 17);
  backup = write_backup (repo, "proj-20261206-200000", data);
  name = g_file_get_parse_name (backup);
  g_assert_true (g_str_has_suffix (name, "#proj-20261206-200000"));

  backups = lifeboat_restic_repository_list_backups_sync (repo, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (backups->len, ==, 1);
  g_assert_cmpstr (((LifeboatResticBackup *) g_ptr_array_index (backups, 0))->id, ==,
                   "proj-20261206-200000");
  g_assert_cmpstr (((LifeboatResticBackup *) g_ptr_array_index (backups, 0))->project, ==, "proj");
  g_assert_cmpstr (((LifeboatResticBackup *) g_ptr_array_index (backups, 0))->engine_id, ==,
                   "AAAA:BBBB");
  g_assert_cmpstr (((LifeboatResticBackup *) g_ptr_array_index (backups, 0))->app_version, ==,
                   "cvat:v2.22.0");

  /* the backup reads like a backup folder */
  loaded = lifeboat_manifest_load (backup, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->volumes->len, ==, 1);
  vol = g_file_get_child (backup, "vol.tar");
  g_file_load_contents (vol, NULL, &contents, &len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, g_bytes_get_size (data));
  g_assert_true (memcmp (contents, g_bytes_get_data (data, NULL), len) == 0);

  /* a file the backup does not have */
  {
    g_autoptr(GFile) none = g_file_get_child (backup, "other.tar");
    g_autoptr(GFileInputStream) in = g_file_read (none, NULL, &error);

    g_assert_null (in);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
}

static void
test_abandoned (void)
{
  g_autofree char *location = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autoptr(GFile) root = NULL;
  g_autoptr(GFile) partial = NULL;
  g_autoptr(GFile) final = NULL;
  g_autoptr(GFile) vol = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GBytes) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  const char *list[] = { "snapshots", "--json", NULL };
  GFileInfo *info;
  GFile *child;

  if (!have_restic ())
    return;

  location = make_location ();
  repo = new_repository (location, "x");
  lifeboat_restic_repository_open_sync (repo, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);

  root = lifeboat_restic_repository_get_file (repo, NULL);
  partial = g_file_get_child (root, "proj-20261206-200000.partial");
  final = g_file_get_child (root, "proj-20261206-200000");
  g_file_make_directory (partial, NULL, &error);
  g_assert_no_error (error);
  vol = g_file_get_child (partial, "vol.tar");
  out = g_file_create (vol, G_FILE_CREATE_PRIVATE, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (G_OUTPUT_STREAM (out), "abc", 3, NULL, NULL, &error);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);

  /* without its manifest, it cannot be completed */
  g_assert_false (g_file_move (partial, final, G_FILE_COPY_NO_FALLBACK_FOR_MOVE, NULL, NULL, NULL,
                               &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP);
  g_clear_error (&error);

  /* removed as the backup job removes a .partial folder: the volume's snapshot is forgotten */
  e = g_file_enumerate_children (partial, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);
  g_assert_no_error (error);
  while (g_file_enumerator_iterate (e, &info, &child, NULL, NULL) && info != NULL)
    {
      g_file_delete (child, NULL, &error);
      g_assert_no_error (error);
    }
  g_file_delete (partial, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_query_exists (partial, NULL));

  _lifeboat_restic_run (repo, list, &snapshots, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (snapshots, NULL), MIN (g_bytes_get_size (snapshots), 2),
                   "[]", 2);
}

static void
test_wrong_password (void)
{
  g_autofree char *location = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autoptr(LifeboatResticRepository) wrong = NULL;
  g_autoptr(LifeboatResticRepository) empty = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_restic ())
    return;

  location = make_location ();
  repo = new_repository (location, "right");
  lifeboat_restic_repository_open_sync (repo, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);

  wrong = new_repository (location, "wrong");
  g_assert_false (lifeboat_restic_repository_open_sync (wrong, TRUE, NULL, NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "is wrong"));
  g_clear_error (&error);

  /* nothing there, and not asked to create one */
  {
    g_autofree char *other = make_location ();

    empty = new_repository (other, "x");
    g_assert_false (lifeboat_restic_repository_open_sync (empty, FALSE, NULL, NULL, &error));
    g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "There is no restic repository at"));
  }
}

static void
test_forget (void)
{
  g_autofree char *location = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  LifeboatResticKeep keep = { .last = 1 };
  const char *ids[] = { "proj-20261206-200001", "proj-20261206-200002", "proj-20261206-200003" };

  if (!have_restic ())
    return;

  location = make_location ();
  repo = new_repository (location, "x");
  lifeboat_restic_repository_open_sync (repo, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(GBytes) data = random_bytes (4096);
      g_autoptr(GFile) backup = write_backup (repo, ids[i], data);
    }

  /* a backup that never completed, newest of all: its volume's snapshot must not take the
   * place the policy keeps for the newest complete backup's */
  {
    g_autoptr(GFile) root = lifeboat_restic_repository_get_file (repo, NULL);
    g_autoptr(GFile) partial = g_file_get_child (root, "proj-20261206-200004.partial");
    g_autoptr(GFile) vol = g_file_get_child (partial, "vol.tar");
    g_autoptr(GFileOutputStream) out = NULL;

    g_file_make_directory (partial, NULL, &error);
    g_assert_no_error (error);
    out = g_file_create (vol, G_FILE_CREATE_PRIVATE, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_write_all (G_OUTPUT_STREAM (out), "never completed", 15, NULL, NULL, &error);
    g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
    g_assert_no_error (error);
  }

  lifeboat_restic_repository_forget_sync (repo, "proj", &keep, TRUE, &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report, "Would remove 2 backups"));
  g_clear_pointer (&report, g_free);
  lifeboat_restic_repository_forget_sync (repo, "proj", &keep, FALSE, &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report, "Removed 2 backups (4 snapshots, 0 of"));
  backups = lifeboat_restic_repository_list_backups_sync (repo, "proj", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (backups->len, ==, 1);
  g_assert_cmpstr (((LifeboatResticBackup *) g_ptr_array_index (backups, 0))->id, ==, ids[2]);

  /* and the newest one still reads whole */
  {
    g_autoptr(GFile) root = lifeboat_restic_repository_get_file (repo, ids[2]);
    g_autoptr(GFile) vol = g_file_get_child (root, "vol.tar");
    g_autofree char *contents = NULL;
    gsize len;

    g_file_load_contents (vol, NULL, &contents, &len, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (len, ==, 4096);
    g_free (g_steal_pointer (&contents));
  }
  /* the older ones are gone, whole */
  {
    g_autoptr(GFile) root = lifeboat_restic_repository_get_file (repo, ids[0]);

    g_assert_false (g_file_query_exists (root, NULL));
  }
}

static void
test_names (void)
{
  g_autofree char *location = NULL;
  g_autofree char *id = NULL;

  g_assert_true (lifeboat_restic_location_is_repository ("sftp:u@h:/srv/repo"));
  g_assert_true (lifeboat_restic_location_is_repository ("rest:http://127.0.0.1:8000/"));
  g_assert_true (lifeboat_restic_location_is_repository ("local:/srv/repo"));
  g_assert_false (lifeboat_restic_location_is_repository ("/nonexistent/folder"));
  g_assert_true (lifeboat_restic_split_backup_name ("sftp:u@h:/r#cvat-20261206-200000",
                                                    &location, &id));
  g_assert_cmpstr (location, ==, "sftp:u@h:/r");
  g_assert_cmpstr (id, ==, "cvat-20261206-200000");
  g_assert_false (lifeboat_restic_split_backup_name ("/srv/backups/cvat-20261206-200000", NULL,
                                                     NULL));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  test_dir = g_dir_make_tmp ("lifeboat-restic-XXXXXX", NULL);
  g_assert_nonnull (test_dir);
  /* restic's cache in the test's own folder */
  cache = g_build_filename (test_dir, "cache", NULL);
  g_setenv ("RESTIC_CACHE_DIR", cache, TRUE);
  g_unsetenv ("RESTIC_PASSWORD");
  g_unsetenv ("RESTIC_PASSWORD_FILE");
  g_unsetenv ("RESTIC_PASSWORD_COMMAND");

  g_test_add_func ("/lifeboat/restic/names", test_names);
  g_test_add_func ("/lifeboat/restic/write-read", test_write_read);
  g_test_add_func ("/lifeboat/restic/abandoned", test_abandoned);
  g_test_add_func ("/lifeboat/restic/wrong-password", test_wrong_password);
  g_test_add_func ("/lifeboat/restic/forget", test_forget);
  status = g_test_run ();

  {
    const char *argv_rm[] = { "rm", "-rf", test_dir, NULL };

    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  NULL, NULL);
  }
  g_free (test_dir);
  return status;
}
