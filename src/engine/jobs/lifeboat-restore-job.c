/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restore"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-archive.h"
#include "lifeboat-backup-job.h"
#include "lifeboat-backup-job-private.h"
#include "lifeboat-container-ops-private.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-job-private.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restore-job.h"
#include "lifeboat-util-private.h"

/* Where CVAT mounts its volumes (CONTRACTS.md §1): used when neither a manifest nor a
 * container says where a volume belongs. */
static const struct {
  const char *key;
  const char *mount_path;
} cvat_mounts[] = {
  { "cvat_db", "/var/lib/postgresql/data" },
  { "cvat_data", "/home/django/data" },
  { "cvat_keys", "/home/django/keys" },
  { "cvat_logs", "/home/django/logs" },
  { "cvat_events_db", "/var/lib/clickhouse" },
  { "cvat_events", "/usr/share/elasticsearch/data" },
  { "cvat_inmem_db", "/data" },
  { "cvat_cache_db", "/var/lib/kvrocks" },
};

static const char * const archive_suffixes[] = { ".tar.gz", ".tgz", ".tar.zst", ".tar", NULL };

typedef struct
{
  LifeboatRestoreItem  item;          /* public part, must stay first */
  JsonObject          *labels;        /* for a volume that has to be created */
  char                *driver;
  char                *helper_image;  /* image of a container that mounts the volume */
  gboolean             created;       /* the job created the volume */
  gboolean             touched;       /* the job moved aside or wrote into the volume */
  GFile               *archive;       /* a file, or one in a restic repository (no path) */
} Item;

struct _LifeboatRestoreJob
{
  LifeboatJob       parent_instance;

  GFile            *source;
  GPtrArray        *extra_archives;   /* GFile */
  char             *project_name;
  char            **volumes;
  gboolean          ignore_version;
  GFile            *safety_dir;
  guint             keep_safety_days;

  gboolean          planned;
  LifeboatProject  *project;          /* NULL if the project has no containers or volumes */
  LifeboatManifest *manifest;
  GPtrArray        *items;            /* Item* */
  char             *backup_version;
  char             *target_version;
  GPtrArray        *to_stop;          /* names, NULL-terminated */
};

G_DEFINE_FINAL_TYPE (LifeboatRestoreJob, lifeboat_restore_job, LIFEBOAT_TYPE_JOB)

static void
item_free (Item *item)
{
  g_free (item->item.archive_path);
  g_free (item->item.key);
  g_free (item->item.volume_name);
  g_free (item->item.mount_path);
  g_free (item->item.archive_root);
  g_free (item->item.expected_sha256);
  g_clear_pointer (&item->labels, json_object_unref);
  g_free (item->driver);
  g_free (item->helper_image);
  g_clear_object (&item->archive);
  g_free (item);
}

const char *
lifeboat_restore_version_warning (void)
{
  return _("Use exactly the same CVAT version to restore the database. Otherwise it will not "
           "work, because the layout of the database can change between CVAT releases. You can "
           "always upgrade CVAT later; it will take care to migrate your data properly.");
}

static char *
key_from_archive_name (const char *basename)
{
  for (guint i = 0; archive_suffixes[i]; i++)
    if (g_str_has_suffix (basename, archive_suffixes[i]) &&
        strlen (basename) > strlen (archive_suffixes[i]))
      return g_strndup (basename, strlen (basename) - strlen (archive_suffixes[i]));
  return NULL;
}

static const char *
cvat_mount_path (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (cvat_mounts); i++)
    if (g_strcmp0 (cvat_mounts[i].key, key) == 0)
      return cvat_mounts[i].mount_path;
  return NULL;
}

static Item *
add_item (LifeboatRestoreJob *self,
          GFile              *archive,
          const char         *key)
{
  Item *item = g_new0 (Item, 1);

  item->archive = g_object_ref (archive);
  item->item.archive_path = g_file_get_path (archive);
  if (item->item.archive_path == NULL)
    item->item.archive_path = g_file_get_parse_name (archive);
  item->item.key = g_strdup (key);
  item->item.current_size = -1;
  g_ptr_array_add (self->items, item);
  return item;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* The archives of a folder made by the guide's commands: every *.tar.gz and friends. */
static gboolean
collect_folder_archives (LifeboatRestoreJob  *self,
                         GFile               *folder,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  e = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                 G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                 G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (e == NULL)
    return FALSE;

  while (TRUE)
    {
      GFileInfo *info;

      if (!g_file_enumerator_iterate (e, &info, NULL, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          key_from_archive_name (g_file_info_get_name (info)) != NULL)
        g_ptr_array_add (names, g_strdup (g_file_info_get_name (info)));
    }

  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *key = key_from_archive_name (name);
      g_autoptr(GFile) file = g_file_get_child (folder, name);

      add_item (self, file, key);
    }

  return TRUE;
}

static gboolean
collect_archives (LifeboatRestoreJob  *self,
                  GCancellable        *cancellable,
                  GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = g_file_get_parse_name (self->source);
  GFileType type = g_file_query_file_type (self->source, G_FILE_QUERY_INFO_NONE, cancellable);

  if (type == G_FILE_TYPE_DIRECTORY)
    {
      self->manifest = lifeboat_manifest_load (self->source, cancellable, &local_error);
      if (self->manifest != NULL)
        {
          for (guint i = 0; i < self->manifest->volumes->len; i++)
            {
              LifeboatManifestVolume *mv = g_ptr_array_index (self->manifest->volumes, i);
              g_autoptr(GFile) file = g_file_get_child (self->source, mv->archive);
              Item *item;

              if (!g_file_query_exists (file, cancellable))
                {
                  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                               _("The backup %s is incomplete: its manifest lists %s, which is "
                                 "not there"), display, mv->archive);
                  return FALSE;
                }
              item = add_item (self, file, mv->key);
              item->item.expected_sha256 = g_strdup (mv->sha256);
              item->item.archive_root = g_strdup (mv->archive_root);
              item->item.archive_bytes = mv->archive_bytes;
              item->item.tar_bytes = mv->tar_bytes;
              item->item.mount_path = g_strdup (mv->mount_path);
              item->item.volume_name = g_strdup (mv->name);
              item->labels = mv->labels ? json_object_ref (mv->labels) : NULL;
              item->driver = g_strdup (mv->driver);
            }
        }
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          if (!collect_folder_archives (self, self->source, cancellable, error))
            return FALSE;
        }
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  else if (type == G_FILE_TYPE_REGULAR)
    {
      g_ptr_array_insert (self->extra_archives, 0, g_object_ref (self->source));
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no backup folder or archive at %s"), display);
      return FALSE;
    }

  for (guint i = 0; i < self->extra_archives->len; i++)
    {
      GFile *file = g_ptr_array_index (self->extra_archives, i);
      g_autofree char *basename = g_file_get_basename (file);
      g_autofree char *key = key_from_archive_name (basename);

      if (key == NULL)
        {
          g_autofree char *name = g_file_get_parse_name (file);

          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                       _("%s is not an archive Lifeboat restores (.tar.gz, .tgz, .tar.zst or "
                         ".tar named after its volume)"), name);
          return FALSE;
        }
      if (!g_file_query_exists (file, cancellable))
        {
          g_autofree char *name = g_file_get_parse_name (file);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no archive at %s"),
                       name);
          return FALSE;
        }
      add_item (self, file, key);
    }

  if (self->items->len == 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                   _("%s holds no archives to restore"), display);
      return FALSE;
    }

  return TRUE;
}

static gboolean
plan (LifeboatRestoreJob  *self,
      GCancellable        *cancellable,
      GError             **error)
{
  LifeboatDockerClient *client = lifeboat_job_get_client (LIFEBOAT_JOB (self));
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) sizes = NULL;
  const char *project_name = self->project_name;

  g_ptr_array_set_size (self->items, 0);
  g_clear_pointer (&self->manifest, lifeboat_manifest_free);
  g_clear_object (&self->project);

  if (!lifeboat_docker_client_is_connected (client) &&
      !lifeboat_docker_client_connect_sync (client, cancellable, error))
    return FALSE;

  /* Podman 4.x's PUT /containers/{id}/archive does not keep the owners in the tar (files
   * land as root), so PostgreSQL would refuse the restored database: refuse, not restore
   * wrongly. Backups from Podman work. */
  if (g_strcmp0 (lifeboat_docker_client_get_engine_kind (client), "Podman") == 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,
                   _("Lifeboat cannot restore into a Podman engine yet: Podman’s archive API "
                     "does not keep the files’ owners, and a database restored that way would "
                     "not start"));
      return FALSE;
    }

  if (!collect_archives (self, cancellable, error))
    return FALSE;

  /* only the volumes asked for */
  if (self->volumes != NULL)
    {
      for (guint i = 0; self->volumes[i]; i++)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < self->items->len && !found; j++)
            found = g_strcmp0 (((Item *) g_ptr_array_index (self->items, j))->item.key,
                               self->volumes[i]) == 0;
          if (!found)
            {
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                           _("The backup has no archive for volume “%s”"), self->volumes[i]);
              return FALSE;
            }
        }
      for (guint j = self->items->len; j > 0; j--)
        if (!g_strv_contains ((const char * const *) self->volumes,
                              ((Item *) g_ptr_array_index (self->items, j - 1))->item.key))
          g_ptr_array_remove_index (self->items, j - 1);
    }

  /* which project */
  if (project_name == NULL && self->manifest != NULL)
    project_name = self->manifest->project;
  if (project_name == NULL)
    {
      for (guint i = 0; i < self->items->len; i++)
        if (g_str_has_prefix (((Item *) g_ptr_array_index (self->items, i))->item.key, "cvat_"))
          project_name = "cvat";
    }
  if (project_name == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                   _("The backup does not say which compose project it belongs to; name the "
                     "project to restore into"));
      return FALSE;
    }
  _lifeboat_job_set_project_name (LIFEBOAT_JOB (self), project_name);

  /* restoring into another project: the manifest's volume names are not the target's */
  if (self->manifest != NULL && g_strcmp0 (self->manifest->project, project_name) != 0)
    for (guint i = 0; i < self->items->len; i++)
      g_clear_pointer (&((Item *) g_ptr_array_index (self->items, i))->item.volume_name, g_free);

  self->project = lifeboat_discover_project_sync (client, project_name, TRUE, cancellable,
                                                  &local_error);
  if (self->project == NULL && !g_error_matches (local_error, LIFEBOAT_ERROR,
                                                 LIFEBOAT_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&local_error);

  /* map archives to volumes */
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      LifeboatVolume *v = self->project ? lifeboat_project_find_volume (self->project,
                                                                        item->item.key) : NULL;

      if (v != NULL)
        {
          g_free (item->item.volume_name);
          item->item.volume_name = g_strdup (lifeboat_volume_get_name (v));
          item->item.volume_exists = lifeboat_volume_get_exists (v);
          item->item.current_size = lifeboat_volume_get_size (v);
          if (lifeboat_volume_get_mount_path (v) != NULL)
            {
              g_free (item->item.mount_path);
              item->item.mount_path = g_strdup (lifeboat_volume_get_mount_path (v));
            }
          if (lifeboat_volume_get_container (v) != NULL)
            {
              LifeboatContainer *c = lifeboat_project_find_container (self->project,
                                                                      lifeboat_volume_get_container (v));

              if (c != NULL)
                item->helper_image = g_strdup (lifeboat_container_get_image_id (c));
            }
          if (item->labels == NULL && lifeboat_volume_get_labels (v) != NULL)
            item->labels = json_object_ref (lifeboat_volume_get_labels (v));
        }
      else
        {
          g_autoptr(JsonObject) inspect = NULL;

          if (item->item.volume_name == NULL)
            item->item.volume_name = g_strdup_printf ("%s_%s", project_name, item->item.key);
          inspect = lifeboat_docker_client_inspect_volume_sync (client, item->item.volume_name,
                                                                cancellable, &local_error);
          if (inspect == NULL && !g_error_matches (local_error, LIFEBOAT_ERROR,
                                                   LIFEBOAT_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_clear_error (&local_error);
          item->item.volume_exists = inspect != NULL;

          if (item->labels == NULL)
            item->labels = json_object_new ();
          /* so that `docker compose up` adopts the volume */
          json_object_set_string_member (item->labels, "com.docker.compose.project", project_name);
          json_object_set_string_member (item->labels, "com.docker.compose.volume", item->item.key);
        }

      if (item->item.mount_path == NULL)
        item->item.mount_path = g_strdup (cvat_mount_path (item->item.key));
      if (item->item.mount_path == NULL)
        item->item.mount_path = g_strconcat ("/volumes/", item->item.key, NULL);

      {
        GFile *f = item->archive;
        g_autoptr(GFileInfo) info = g_file_query_info (f, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                       G_FILE_QUERY_INFO_NONE, cancellable, NULL);

        if (info != NULL)
          item->item.archive_bytes = g_file_info_get_size (info);
      }
    }

  /* versions */
  g_clear_pointer (&self->backup_version, g_free);
  g_clear_pointer (&self->target_version, g_free);
  if (self->manifest != NULL)
    self->backup_version = g_strdup (self->manifest->app_version);
  if (self->project != NULL)
    self->target_version = g_strdup (lifeboat_project_get_app_version (self->project));

  /* containers to stop */
  g_ptr_array_set_size (self->to_stop, 0);
  if (self->project != NULL)
    {
      GListModel *containers = lifeboat_project_get_containers (self->project);

      for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
        {
          g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, i);

          if (lifeboat_container_is_running (c))
            g_ptr_array_add (self->to_stop, g_strdup (lifeboat_container_get_name (c)));
        }
    }

  self->planned = TRUE;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Checking the archives: each one read completely (every entry, the hostile checks, the
 * SHA-256 against the manifest), as many at once as there are cores */

typedef struct
{
  LifeboatRestoreJob *self;
  GCancellable       *cancellable;
  GMutex              mutex;
  GError            **errors;      /* one per item, under mutex */
} CheckData;

static void
check_one (gpointer data,
           gpointer user_data)
{
  guint i = GPOINTER_TO_UINT (data) - 1;
  CheckData *check = user_data;
  Item *item = g_ptr_array_index (check->self->items, i);
  g_autoptr(GFile) file = g_object_ref (item->archive);
  g_auto(LifeboatArchiveInfo) info = { 0 };
  g_autofree char *expected_root = g_strdup (item->item.archive_root);
  g_autofree char *name = g_file_get_basename (file);
  LifeboatVolumeProgress progress;   /* in the archive's bytes, read so far */
  GError *error = NULL;

  if (expected_root == NULL)
    expected_root = g_strdup (item->item.mount_path + strspn (item->item.mount_path, "/"));

  _lifeboat_job_set_current_volume (LIFEBOAT_JOB (check->self), (int) i);
  progress.job = LIFEBOAT_JOB (check->self);
  progress.index = i;
  if (!lifeboat_archive_scan (file, expected_root, &info, _lifeboat_job_volume_progress, &progress,
                              check->cancellable, &error))
    g_prefix_error (&error, _("%s cannot be restored: "), name);
  else if (item->item.expected_sha256 != NULL &&
           g_ascii_strcasecmp (item->item.expected_sha256, info.sha256) != 0)
    g_set_error (&error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                 _("%s is not the archive the manifest describes: its SHA-256 is %s, the "
                   "manifest says %s"), name, info.sha256, item->item.expected_sha256);
  else
    {
      g_free (item->item.archive_root);
      item->item.archive_root = g_strdup (info.root);
      item->item.tar_bytes = info.tar_bytes;
    }

  g_mutex_lock (&check->mutex);
  check->errors[i] = error;
  g_mutex_unlock (&check->mutex);
  _lifeboat_job_finish_volume (LIFEBOAT_JOB (check->self), i);
}

static int
compare_archive_sizes (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  LifeboatRestoreJob *self = user_data;
  Item *ia = g_ptr_array_index (self->items, GPOINTER_TO_UINT (a) - 1);
  Item *ib = g_ptr_array_index (self->items, GPOINTER_TO_UINT (b) - 1);

  if (ia->item.archive_bytes != ib->item.archive_bytes)
    return ia->item.archive_bytes > ib->item.archive_bytes ? -1 : 1;
  return GPOINTER_TO_UINT (a) < GPOINTER_TO_UINT (b) ? -1 : 1;
}

static gboolean
check_archives (LifeboatRestoreJob  *self,
                GCancellable        *cancellable,
                GError             **error)
{
  CheckData check = { self, cancellable };
  GThreadPool *pool;
  GError *first = NULL;

  g_mutex_init (&check.mutex);
  check.errors = g_new0 (GError *, self->items->len);

  pool = g_thread_pool_new (check_one, &check, MAX (1, MIN (g_get_num_processors (), 4)), TRUE,
                            NULL);
  /* the largest first, so that it does not start last */
  if (pool != NULL)
    g_thread_pool_set_sort_function (pool, compare_archive_sizes, self);
  for (guint i = 0; i < self->items->len; i++)
    {
      if (pool == NULL || !g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL))
        check_one (GUINT_TO_POINTER (i + 1), &check);
    }
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, TRUE);

  /* the first failure in the order of the archives */
  for (guint i = 0; i < self->items->len; i++)
    {
      if (first == NULL)
        first = g_steal_pointer (&check.errors[i]);
      else
        g_clear_error (&check.errors[i]);
    }
  g_free (check.errors);
  g_mutex_clear (&check.mutex);

  if (first != NULL)
    {
      g_propagate_error (error, first);
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Writing the volumes
 *
 * One helper container mounts every volume of the restore at /lifeboat/<index>. It first moves
 * each existing volume's contents into a folder with a random name inside that same volume (a
 * rename: instant, and the data never leaves the volume), giving the folder the volume root's
 * owner and mode. Then two things happen at the same time: the archives are written into the
 * volumes (PUT), and the previous contents are archived from the moved-aside folders as the
 * safety backup (GET, a nested backup job on a thread of its own). When both are complete the
 * folders are removed. When anything fails or the job is cancelled, what was written is
 * removed and the folders' contents move back: the way back does not depend on the safety
 * backup, which stays as a second one.
 */

#define HELPER_ROOT "/lifeboat"

/* The scripts keep each volume root's mtime (which a rename or rmdir in it changes) in the
 * helper's own /.lifeboat-mtime, and the root's owner, mode and mtime on the folder aside. */

/* Exit status of the move-aside script when every volume was empty: nothing to keep. */
#define SCRIPT_ALL_EMPTY 100

/* sh -c SCRIPT sh ASIDE DIR...; exits SCRIPT_ALL_EMPTY when it moved nothing */
static const char move_aside_script[] =
  "set -e\n"
  "aside=$1; shift; empty=1\n"
  "for d in \"$@\"; do\n"
  "  cd \"$d\"\n"
  "  touch -r . /.lifeboat-mtime\n"
  "  mkdir \"$aside\"\n"
  "  chown \"$(stat -c %u:%g .)\" \"$aside\"\n"
  "  chmod \"$(stat -c %a .)\" \"$aside\"\n"
  "  for f in * .[!.]* ..?*; do\n"
  "    if [ -e \"$f\" ] || [ -L \"$f\" ]; then\n"
  "      if [ \"$f\" != \"$aside\" ]; then mv -- \"$f\" \"$aside/\"; empty=0; fi\n"
  "    fi\n"
  "  done\n"
  "  touch -r /.lifeboat-mtime \"$aside\"\n"
  "done\n"
  "[ $empty = 0 ] || exit " G_STRINGIFY (SCRIPT_ALL_EMPTY) "\n";

/* sh -c SCRIPT sh ASIDE DIR... */
static const char remove_aside_script[] =
  "aside=$1; shift; status=0\n"
  "for d in \"$@\"; do\n"
  "  touch -r \"$d\" /.lifeboat-mtime\n"
  "  rm -rf -- \"$d/$aside\"\n"
  "  if [ -e \"$d/$aside\" ]; then status=1; else touch -r /.lifeboat-mtime \"$d\"; fi\n"
  "done\n"
  "exit $status\n";

/* sh -c SCRIPT sh CLEAN ASIDE DIR...: CLEAN=1 removes what was written next to the folder
 * first (only once the move completed; before, everything next to it is still the old data) */
static const char move_back_script[] =
  "clean=$1; aside=$2; shift 2; status=0\n"
  "for d in \"$@\"; do\n"
  "  cd \"$d\" || { status=1; continue; }\n"
  "  [ -d \"$aside\" ] || continue\n"
  "  if [ \"$clean\" = 1 ]; then\n"
  "    for f in * .[!.]* ..?*; do\n"
  "      if [ -e \"$f\" ] || [ -L \"$f\" ]; then [ \"$f\" = \"$aside\" ] || rm -rf -- \"$f\" || status=1; fi\n"
  "    done\n"
  "  fi\n"
  "  touch -r \"$aside\" /.lifeboat-mtime || status=1\n"
  "  for f in \"$aside\"/* \"$aside\"/.[!.]* \"$aside\"/..?*; do\n"
  "    if [ -e \"$f\" ] || [ -L \"$f\" ]; then mv -- \"$f\" . || status=1; fi\n"
  "  done\n"
  "  chown \"$(stat -c %u:%g \"$aside\")\" . && chmod \"$(stat -c %a \"$aside\")\" . &&\n"
  "    rmdir \"$aside\" && touch -r /.lifeboat-mtime . || status=1\n"
  "done\n"
  "exit $status\n";

/* Runs @script in a helper with @binds on @args; FALSE with a worded error unless it exits 0
 * (or SCRIPT_ALL_EMPTY, when @all_empty_out asks for it). @started_out: whether the script
 * started at all (it may have done part of its work even when this fails). */
static gboolean
run_script (LifeboatDockerClient  *client,
            const char            *image,
            GPtrArray             *binds,
            const char            *script,
            const char * const    *args,
            GPtrArray             *dirs,
            const char            *what,
            gboolean              *all_empty_out,
            gboolean              *started_out,
            char                 **helper_out,
            GCancellable          *cancellable,
            GError               **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autofree char *helper = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) "/bin/sh");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) script);
  g_ptr_array_add (argv, (char *) "sh");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  for (guint i = 0; i < dirs->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (dirs, i));

  helper = _lifeboat_run_helper (client, image, (const char * const *) binds->pdata,
                                 (const char * const *) argv->pdata, &status, cancellable, error);
  if (started_out != NULL)
    *started_out = helper != NULL || status != -1;
  if (helper == NULL)
    return FALSE;

  if (all_empty_out != NULL)
    *all_empty_out = status == SCRIPT_ALL_EMPTY;
  if (status != 0 && !(all_empty_out != NULL && status == SCRIPT_ALL_EMPTY))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("Could not %s: the helper container (image %s) exited with status %d; it "
                     "needs /bin/sh, mkdir, mv, rm, stat, chown, chmod and touch"),
                   what, image, status);
      _lifeboat_remove_helper (client, helper);
      return FALSE;
    }

  if (helper_out != NULL)
    *helper_out = g_steal_pointer (&helper);
  else
    _lifeboat_remove_helper (client, helper);
  return TRUE;
}

typedef struct
{
  LifeboatRestoreJob *self;
  const char         *helper;
  const char         *aside;
  GCancellable       *cancellable;   /* cancelled when this fails, to stop the writing too */
  GFile              *folder;        /* out */
  GError             *error;         /* out */
} SafetyData;

/* The previous contents of every existing volume, from the moved-aside folders, as a backup
 * folder in the safety directory that the history records. */
static gpointer
safety_thread (gpointer data)
{
  SafetyData *safety = data;
  LifeboatRestoreJob *self = safety->self;
  LifeboatDockerClient *client = lifeboat_job_get_client (LIFEBOAT_JOB (self));
  g_autoptr(LifeboatBackupJob) backup = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (8, NULL, TRUE);

  backup = lifeboat_backup_job_new (client, lifeboat_project_get_name (self->project),
                                    self->safety_dir);
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      g_autofree char *path = NULL;

      if (!item->item.volume_exists)
        continue;
      path = g_strdup_printf (HELPER_ROOT "/%u/%s", i, safety->aside);
      g_ptr_array_add (names, item->item.volume_name);
      _lifeboat_backup_job_set_source (backup, item->item.volume_name, safety->helper, path);
    }

  lifeboat_backup_job_set_volumes (backup, (const char * const *) names->pdata);
  lifeboat_backup_job_set_stop (backup, FALSE);
  lifeboat_backup_job_set_restart (backup, FALSE);
  lifeboat_backup_job_set_safety (backup, TRUE);
  /* uncompressed: the containers are down while it is made (measured with bench/run: the
   * restore takes about 10 % less than with gzip; CVAT's media do not compress anyway) */
  lifeboat_backup_job_set_compression (backup, LIFEBOAT_COMPRESSION_NONE);
  _lifeboat_job_set_history (LIFEBOAT_JOB (backup), _lifeboat_job_get_history (LIFEBOAT_JOB (self)));

  if (_lifeboat_job_run_sync (LIFEBOAT_JOB (backup), safety->cancellable, &safety->error))
    safety->folder = g_object_ref (lifeboat_job_get_folder (LIFEBOAT_JOB (backup)));
  else
    {
      g_prefix_error (&safety->error, _("Could not keep a safety copy, so nothing was restored: "));
      g_cancellable_cancel (safety->cancellable);
    }

  return NULL;
}

typedef struct _PutQueue PutQueue;

typedef struct
{
  PutQueue   *queue;
  const char *helper;
} PutSlot;

struct _PutQueue
{
  LifeboatRestoreJob *self;
  GCancellable       *cancellable;   /* cancelled by the first failure */
  PutSlot             slots[2];
  GMutex              mutex;
  guint              *order;         /* item indices, largest archive first */
  guint               next;          /* under mutex */
  GError             *error;         /* the first real failure; under mutex */
};

static int
compare_put_sizes (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  LifeboatRestoreJob *self = user_data;
  guint ia = *(const guint *) a, ib = *(const guint *) b;
  guint64 sa = ((Item *) g_ptr_array_index (self->items, ia))->item.tar_bytes;
  guint64 sb = ((Item *) g_ptr_array_index (self->items, ib))->item.tar_bytes;

  if (sa != sb)
    return sa > sb ? -1 : 1;
  return ia < ib ? -1 : 1;
}

static gpointer
put_worker (gpointer data)
{
  PutSlot *slot = data;
  PutQueue *queue = slot->queue;
  LifeboatJob *job = LIFEBOAT_JOB (queue->self);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);

  for (;;)
    {
      Item *item;
      guint i;
      LifeboatVolumeProgress progress;
      g_autoptr(GFile) archive = NULL;
      g_autoptr(GInputStream) tar = NULL;
      g_autofree char *dest_name = NULL;
      GError *error = NULL;

      g_mutex_lock (&queue->mutex);
      if (queue->next >= queue->self->items->len || queue->error != NULL)
        {
          g_mutex_unlock (&queue->mutex);
          return NULL;
        }
      i = queue->order[queue->next++];
      g_mutex_unlock (&queue->mutex);

      item = g_ptr_array_index (queue->self->items, i);
      progress.job = job;
      progress.index = i;
      archive = g_object_ref (item->archive);
      dest_name = g_strdup_printf ("%u", i);

      _lifeboat_job_set_current_volume (job, i);
      /* into HELPER_ROOT as "<i>/...", which also restores the volume root's owner and mode */
      tar = lifeboat_archive_open_tar_stream (archive, item->item.archive_root, dest_name,
                                              _lifeboat_job_volume_progress, &progress,
                                              &error);
      if (tar != NULL &&
          lifeboat_docker_client_put_archive_sync (client, slot->helper, HELPER_ROOT, tar,
                                                   queue->cancellable, &error))
        {
          g_input_stream_close (tar, NULL, NULL);
          _lifeboat_job_finish_volume (job, i);
          continue;
        }

      if (tar != NULL)
        g_input_stream_close (tar, NULL, NULL);
      if (error->domain == LIFEBOAT_ERROR)
        {
          /* the engine's words name paths in the helper ("write /lifeboat/0/data/x: ..."):
           * in the volume, they are "data/x" */
          g_autofree char *dir = g_strdup_printf (HELPER_ROOT "/%u/", i);
          GString *message = g_string_new (error->message);

          g_string_replace (message, dir, "", 0);
          g_free (error->message);
          error->message = g_string_free (message, FALSE);
        }
      g_prefix_error (&error, _("Restoring volume %s failed: "), item->item.key);
      g_mutex_lock (&queue->mutex);
      _lifeboat_keep_first_failure (&queue->error, g_steal_pointer (&error));
      g_mutex_unlock (&queue->mutex);
      g_cancellable_cancel (queue->cancellable);
    }
}

static gboolean
write_volumes (LifeboatRestoreJob  *self,
               GFile              **safety_folder_out,
               GCancellable        *cancellable,
               GError             **error)
{
  LifeboatJob *job = LIFEBOAT_JOB (self);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  g_autoptr(GPtrArray) existing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GCancellable) work = g_cancellable_new ();
  g_autoptr(GError) put_error = NULL;
  g_autofree char *image = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *helper = NULL;
  g_autofree char *reader = NULL;
  g_autofree char *writer2 = NULL;
  SafetyData safety = { 0 };
  GThread *thread = NULL;
  gulong cancel_id = 0;
  gboolean moved = FALSE;     /* the move-aside script started: it may have moved some */
  gboolean all_empty = FALSE; /* ... and found every existing volume empty */
  gboolean written = FALSE;   /* a PUT began */
  gboolean ok = FALSE;
  guint64 total_bytes = 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->item.volume_exists && self->project == NULL)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                       _("Volume %s exists but belongs to no compose project “%s”; Lifeboat will "
                         "not overwrite it"), item->item.volume_name,
                       lifeboat_job_get_project_name (job));
          return FALSE;
        }
      if (image == NULL && item->helper_image != NULL)
        image = g_strdup (item->helper_image);
    }

  if (image == NULL &&
      !(image = _lifeboat_pick_helper_image (client, self->project, cancellable, error)))
    return FALSE;

  aside = g_strdup_printf (".lifeboat-restore-%08x%08x", g_random_int (), g_random_int ());

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (!item->item.volume_exists)
        {
          if (!lifeboat_docker_client_create_volume_sync (client, item->item.volume_name,
                                                          item->driver, item->labels,
                                                          cancellable, &put_error))
            goto out;
          item->created = TRUE;
          item->touched = TRUE;
        }
      else
        g_ptr_array_add (existing, g_strdup_printf (HELPER_ROOT "/%u", i));
      g_ptr_array_add (binds, g_strdup_printf ("%s:" HELPER_ROOT "/%u", item->item.volume_name, i));
    }

  /* 1. the previous contents aside, within each volume */
  if (existing->len > 0)
    {
      const char *args[] = { aside, NULL };

      for (guint i = 0; i < self->items->len; i++)
        {
          Item *item = g_ptr_array_index (self->items, i);

          item->touched |= item->item.volume_exists;
        }
      if (!run_script (client, image, binds, move_aside_script, args, existing,
                       _("move the volumes’ contents aside"), &all_empty, &moved, &helper,
                       cancellable, &put_error))
        goto out;
    }
  else if (!(helper = _lifeboat_create_helper_binds (client, image,
                                                     (const char * const *) binds->pdata, NULL,
                                                     cancellable, &put_error)))
    goto out;

  /* 2. the safety backup from there, while 3. the archives are written; when every volume was
   * empty (a new server) there is nothing to keep */
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (_lifeboat_cancel_other), work, NULL);
  if (existing->len > 0 && !all_empty)
    {
      /* a container of its own: the engine locks a container for each archive call, so a GET
       * and a PUT through the same one would take turns */
      reader = _lifeboat_create_helper_binds (client, image, (const char * const *) binds->pdata,
                                              NULL, cancellable, &put_error);
      if (reader == NULL)
        goto out;
      safety.self = self;
      safety.helper = reader;
      safety.aside = aside;
      safety.cancellable = work;
      thread = g_thread_new ("lifeboat-safety", safety_thread, &safety);
    }

  /* the archives, two at a time through two helpers (the engine locks a container for each
   * archive call), the largest first */
  written = TRUE;
  if (self->items->len > 1)
    {
      writer2 = _lifeboat_create_helper_binds (client, image, (const char * const *) binds->pdata,
                                               NULL, work, &put_error);
      if (writer2 == NULL)
        g_cancellable_cancel (work);
    }
  if (put_error == NULL)
    {
      PutQueue queue = { .self = self, .cancellable = work };
      GThread *second = NULL;

      queue.slots[0].queue = queue.slots[1].queue = &queue;
      queue.slots[0].helper = helper;
      queue.slots[1].helper = writer2;
      g_mutex_init (&queue.mutex);
      queue.order = g_new (guint, self->items->len);
      for (guint i = 0; i < self->items->len; i++)
        queue.order[i] = i;
      g_qsort_with_data (queue.order, self->items->len, sizeof (guint), compare_put_sizes, self);
      if (writer2 != NULL)
        second = g_thread_new ("lifeboat-put", put_worker, &queue.slots[1]);
      put_worker (&queue.slots[0]);
      if (second != NULL)
        g_thread_join (second);
      put_error = g_steal_pointer (&queue.error);
      g_free (queue.order);
      g_mutex_clear (&queue.mutex);
    }
  for (guint i = 0; put_error == NULL && i < self->items->len; i++)
    total_bytes += ((Item *) g_ptr_array_index (self->items, i))->item.archive_bytes;

  if (thread != NULL)
    {
      if (put_error == NULL)
        _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_SAFETY_BACKUP);
      g_thread_join (thread);
    }

  if (safety.error != NULL)
    _lifeboat_keep_first_failure (&put_error, g_steal_pointer (&safety.error));
  if (put_error != NULL)
    {
      /* the user cancelled: say so, not what the cancellation broke */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&put_error);
          g_cancellable_set_error_if_cancelled (cancellable, &put_error);
        }
      goto out;
    }

  /* 4. the previous contents are in the safety backup now; no container may see them */
  if (existing->len > 0)
    {
      const char *args[] = { aside, NULL };
      g_autoptr(GError) remove_error = NULL;

      if (!run_script (client, image, binds, remove_aside_script, args, existing,
                       _("remove the previous contents"), NULL, NULL, NULL, NULL, &remove_error))
        {
          g_autofree char *msg =
            g_strdup_printf (_("The restore is complete, but the previous contents are still in "
                               "a folder named %s inside the volumes (%s); they are also in the "
                               "safety backup, so the folder can be removed."),
                             aside, remove_error->message);

          _lifeboat_job_set_aftermath (job, msg);
        }
    }

  _lifeboat_job_set_result_bytes (job, total_bytes);
  if (safety.folder != NULL)
    *safety_folder_out = g_object_ref (safety.folder);
  ok = TRUE;

out:
  /* before @work goes: the handler cancels it */
  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  if (!ok && moved)
    {
      const char *args[] = { written ? "1" : "0", aside, NULL };
      g_autoptr(GError) back_error = NULL;

      _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_ROLLING_BACK);
      if (run_script (client, image, binds, move_back_script, args, existing,
                      _("put the previous contents back"), NULL, NULL, NULL, NULL, &back_error))
        _lifeboat_job_set_aftermath (job, _("The volumes were put back as they were before the "
                                            "restore."));
      else
        {
          g_autofree char *where = safety.folder ? g_file_get_parse_name (safety.folder) : NULL;
          g_autofree char *msg = NULL;

          if (where != NULL)
            msg = g_strdup_printf (_("Some volumes could not be put back (%s). Their previous "
                                     "contents are in a folder named %s inside each volume, and "
                                     "in the safety backup %s."), back_error->message, aside,
                                   where);
          else
            msg = g_strdup_printf (_("Some volumes could not be put back (%s). Their previous "
                                     "contents are in a folder named %s inside each volume."),
                                   back_error->message, aside);
          _lifeboat_job_set_aftermath (job, msg);
        }
    }
  else if (!ok)
    {
      gboolean any_created = FALSE;

      for (guint i = 0; i < self->items->len; i++)
        any_created |= ((Item *) g_ptr_array_index (self->items, i))->created;
      _lifeboat_job_set_aftermath (job, any_created ? _("No existing volume was changed.")
                                                    : _("No volume was changed."));
    }

  if (helper != NULL)
    _lifeboat_remove_helper (client, helper);
  if (reader != NULL)
    _lifeboat_remove_helper (client, reader);
  if (writer2 != NULL)
    _lifeboat_remove_helper (client, writer2);

  /* volumes the restore created go again: leaving them would be a change */
  for (guint i = 0; !ok && i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      g_autofree char *e = NULL;
      g_autofree char *path = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) delete_error = NULL;

      if (!item->created)
        continue;
      e = g_uri_escape_string (item->item.volume_name, NULL, FALSE);
      path = g_strdup_printf ("/volumes/%s", e);
      /* an empty answer (204) may read as a parse error, which is fine */
      node = lifeboat_docker_client_request_json_sync (client, "DELETE", path, NULL, 60, NULL,
                                                       &delete_error);
      if (delete_error != NULL)
        g_debug ("Removing volume %s: %s", item->item.volume_name, delete_error->message);
    }

  g_clear_object (&safety.folder);
  g_clear_error (&safety.error);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&put_error));
  return ok;
}

/* Removes safety backups (complete folders with a manifest) older than the kept days;
 * never the one just made. */
static void
prune_safety_backups (LifeboatRestoreJob *self,
                      GFile              *keep)
{
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 limit = g_date_time_to_unix (now) - (gint64) self->keep_safety_days * 24 * 3600;

  if (self->keep_safety_days == 0)
    return;

  e = g_file_enumerate_children (self->safety_dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                 G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (e != NULL)
    {
      GFileInfo *info;
      GFile *child;
      g_autoptr(GFile) manifest = NULL;

      if (!g_file_enumerator_iterate (e, &info, &child, NULL, NULL) || info == NULL)
        break;
      if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY ||
          (keep != NULL && g_file_equal (child, keep)) ||
          (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) >= limit)
        continue;

      manifest = g_file_get_child (child, LIFEBOAT_MANIFEST_NAME);
      if (!g_file_query_exists (manifest, NULL))
        continue;  /* not one of ours */

      {
        g_autoptr(GFileEnumerator) files =
          g_file_enumerate_children (child, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                     G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
        GFileInfo *finfo;
        GFile *file;

        while (files != NULL && g_file_enumerator_iterate (files, &finfo, &file, NULL, NULL) &&
               finfo != NULL)
          g_file_delete (file, NULL, NULL);
        g_file_delete (child, NULL, NULL);
      }
    }
}

static gboolean
lifeboat_restore_job_run (LifeboatJob   *job,
                          GCancellable  *cancellable,
                          GError       **error)
{
  LifeboatRestoreJob *self = LIFEBOAT_RESTORE_JOB (job);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autoptr(GPtrArray) stopped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFile) safety_folder = NULL;
  g_autofree gint64 *totals = NULL;
  gboolean ok = FALSE;

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_PREPARING);
  _lifeboat_job_set_folder (job, self->source);

  if (!self->planned && !plan (self, cancellable, error))
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }

  if (!lifeboat_restore_job_get_version_matches (self) && !self->ignore_version)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_VERSION_MISMATCH,
                   _("The backup is of CVAT %s, but project “%s” runs CVAT %s. %s"),
                   self->backup_version, lifeboat_job_get_project_name (job),
                   self->target_version, lifeboat_restore_version_warning ());
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  if (self->backup_version != NULL)
    _lifeboat_job_set_app_version (job, self->backup_version);

  /* 1. check every archive completely before anything is touched; its progress is in the
   * archives' bytes, the writing's in the volumes' */
  totals = g_new0 (gint64, self->items->len);
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      g_ptr_array_add (keys, item->item.key);
      totals[i] = (gint64) item->item.archive_bytes;
    }
  _lifeboat_job_set_volumes (job, (const char * const *) keys->pdata, totals);
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_CHECKING);
  if (!check_archives (self, cancellable, error))
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  for (guint i = 0; i < self->items->len; i++)
    totals[i] = ((Item *) g_ptr_array_index (self->items, i))->item.tar_bytes;
  _lifeboat_job_set_volumes (job, (const char * const *) keys->pdata, totals);

  /* 2. stop the project */
  if (self->project != NULL)
    {
      _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STOPPING);
      if (!_lifeboat_stop_project (client, self->project, stopped, cancellable, &local_error))
        goto out;
    }

  /* 3. write, keeping a way back */
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_TRANSFERRING);
  if (!write_volumes (self, &safety_folder, cancellable, &local_error))
    goto out;

  ok = TRUE;
  prune_safety_backups (self, safety_folder);

out:
  if (!ok && lifeboat_job_get_aftermath (job) == NULL)
    _lifeboat_job_set_aftermath (job, _("No volume was changed."));

  if (stopped->len > 0)
    {
      g_autoptr(GError) start_error = NULL;

      _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STARTING);
      if (!_lifeboat_start_containers (client, self->project, stopped, &start_error))
        {
          g_autofree char *names = _lifeboat_join_names (stopped);
          const char *before = lifeboat_job_get_aftermath (job);
          g_autofree char *msg = g_strdup_printf (_("%s%sNot all of %s started again: %s"),
                                                  before ? before : "", before ? " " : "",
                                                  names, start_error->message);

          _lifeboat_job_set_aftermath (job, msg);
          if (ok)
            {
              g_propagate_error (error, g_steal_pointer (&start_error));
              return FALSE;
            }
        }
    }

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */

static void
lifeboat_restore_job_finalize (GObject *object)
{
  LifeboatRestoreJob *self = (LifeboatRestoreJob *) object;

  g_clear_object (&self->source);
  g_clear_pointer (&self->extra_archives, g_ptr_array_unref);
  g_clear_pointer (&self->project_name, g_free);
  g_clear_pointer (&self->volumes, g_strfreev);
  g_clear_object (&self->safety_dir);
  g_clear_object (&self->project);
  g_clear_pointer (&self->manifest, lifeboat_manifest_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->backup_version, g_free);
  g_clear_pointer (&self->target_version, g_free);
  g_clear_pointer (&self->to_stop, g_ptr_array_unref);

  G_OBJECT_CLASS (lifeboat_restore_job_parent_class)->finalize (object);
}

/* lifeboat-cli restore with the same settings; --yes, for the window has asked. The process
 * plans again: the same folder, project and volumes give the same plan. */
static char **
lifeboat_restore_job_dup_worker_args (LifeboatJob *job)
{
  LifeboatRestoreJob *self = LIFEBOAT_RESTORE_JOB (job);
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_autofree char *source = g_file_get_path (self->source);
  g_autofree char *safety = g_file_get_path (self->safety_dir);
  g_autofree char *default_safety = g_build_filename (g_get_user_data_dir (), "lifeboat",
                                                      "safety", NULL);
  g_autofree char *days = g_strdup_printf ("%u", self->keep_safety_days);
  const char *project = lifeboat_job_get_project_name (job);

  /* a safety folder of its own (tests) or a folder without a local path: here */
  if (source == NULL || g_strcmp0 (safety, default_safety) != 0)
    return NULL;

  g_strv_builder_add_many (args, "restore", source, NULL);
  for (guint i = 0; self->extra_archives != NULL && i < self->extra_archives->len; i++)
    {
      g_autofree char *path = g_file_get_path (g_ptr_array_index (self->extra_archives, i));

      if (path == NULL)
        return NULL;
      g_strv_builder_add (args, path);
    }
  g_strv_builder_add_many (args, "--yes", "--keep-safety-days", days, NULL);
  if (project != NULL)
    g_strv_builder_add_many (args, "--project", project, NULL);
  if (self->volumes != NULL && self->volumes[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (",", self->volumes);

      g_strv_builder_add_many (args, "--volumes", list, NULL);
    }
  if (self->ignore_version)
    g_strv_builder_add (args, "--ignore-version");
  return g_strv_builder_end (args);
}

static void
lifeboat_restore_job_class_init (LifeboatRestoreJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LifeboatJobClass *job_class = LIFEBOAT_JOB_CLASS (klass);

  object_class->finalize = lifeboat_restore_job_finalize;
  job_class->run = lifeboat_restore_job_run;
  job_class->dup_worker_args = lifeboat_restore_job_dup_worker_args;
}

static void
lifeboat_restore_job_init (LifeboatRestoreJob *self)
{
  self->extra_archives = g_ptr_array_new_with_free_func (g_object_unref);
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  self->to_stop = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->keep_safety_days = 14;
}

LifeboatRestoreJob *
lifeboat_restore_job_new (LifeboatDockerClient *client,
                          GFile                *source)
{
  LifeboatRestoreJob *self;
  g_autofree char *safety = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_FILE (source), NULL);

  self = g_object_new (LIFEBOAT_TYPE_RESTORE_JOB, "client", client, NULL);
  self->source = g_object_ref (source);
  safety = g_build_filename (g_get_user_data_dir (), "lifeboat", "safety", NULL);
  self->safety_dir = g_file_new_for_path (safety);
  _lifeboat_job_set_kind (LIFEBOAT_JOB (self), LIFEBOAT_JOB_KIND_RESTORE);

  return self;
}

void
lifeboat_restore_job_add_archive (LifeboatRestoreJob *self,
                                  GFile              *archive)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  g_return_if_fail (G_IS_FILE (archive));

  g_ptr_array_add (self->extra_archives, g_object_ref (archive));
  self->planned = FALSE;
}

void
lifeboat_restore_job_set_project (LifeboatRestoreJob *self,
                                  const char         *project)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));

  _lifeboat_set_str (&self->project_name, project);
  self->planned = FALSE;
}

void
lifeboat_restore_job_set_volumes (LifeboatRestoreJob *self,
                                  const char * const *volumes)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));

  g_strfreev (self->volumes);
  self->volumes = g_strdupv ((char **) volumes);
  self->planned = FALSE;
}

void
lifeboat_restore_job_set_ignore_version (LifeboatRestoreJob *self,
                                         gboolean            ignore)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->ignore_version = !!ignore;
}

void
lifeboat_restore_job_set_safety_dir (LifeboatRestoreJob *self,
                                     GFile              *dir)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  g_return_if_fail (G_IS_FILE (dir));

  g_set_object (&self->safety_dir, dir);
}

void
lifeboat_restore_job_set_keep_safety_days (LifeboatRestoreJob *self,
                                           guint               days)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->keep_safety_days = days;
}

gboolean
lifeboat_restore_job_plan_sync (LifeboatRestoreJob  *self,
                                GCancellable        *cancellable,
                                GError             **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), FALSE);
  return plan (self, cancellable, error);
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (plan (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lifeboat_restore_job_plan_async (LifeboatRestoreJob  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lifeboat_restore_job_plan_async);
  g_task_run_in_thread (task, plan_thread);
}

gboolean
lifeboat_restore_job_plan_finish (LifeboatRestoreJob  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

GPtrArray *
lifeboat_restore_job_get_items (LifeboatRestoreJob *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), NULL);
  return self->items;
}

const char *
lifeboat_restore_job_get_target_project (LifeboatRestoreJob *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), NULL);
  return lifeboat_job_get_project_name (LIFEBOAT_JOB (self));
}

const char *
lifeboat_restore_job_get_backup_app_version (LifeboatRestoreJob *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), NULL);
  return self->backup_version;
}

const char *
lifeboat_restore_job_get_target_app_version (LifeboatRestoreJob *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), NULL);
  return self->target_version;
}

gboolean
lifeboat_restore_job_get_version_matches (LifeboatRestoreJob *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), TRUE);

  if (self->backup_version == NULL || self->target_version == NULL)
    return TRUE;
  return g_strcmp0 (self->backup_version, self->target_version) == 0;
}

const char * const *
lifeboat_restore_job_get_containers_to_stop (LifeboatRestoreJob *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), NULL);
  return (const char * const *) self->to_stop->pdata;
}
