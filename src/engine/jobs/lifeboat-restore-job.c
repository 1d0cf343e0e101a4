/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restore"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-archive.h"
#include "lifeboat-backup-job.h"
#include "lifeboat-backup-job-private.h"
#include "lifeboat-container-ops-private.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-job-journal-private.h"
#include "lifeboat-job-private.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restore-job.h"
#include "lifeboat-restore-job-private.h"
#include "lifeboat-util-private.h"
#include "lifeboat-volume-swap-private.h"

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
  gboolean             root_declared; /* archive_root is the manifest's: the archive must match */
  int                  fd;            /* the archive, opened for the check: what is written */
  struct stat          checked;       /* ... and its state then */
  guint64              entries;       /* entries found by the check */
  char                *foreign_owner; /* the volume exists and belongs to this other project
                                       * ("" for none): not a target */
} Item;

struct _LifeboatRestoreJob
{
  LifeboatJob       parent_instance;

  GFile            *source;
  GPtrArray        *extra_archives;   /* GFile */
  char             *project_name;
  char            **volumes;
  gboolean          ignore_version;
  gboolean          allow_empty;
  gboolean          new_project;
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
  g_free (item->foreign_owner);
  if (item->fd >= 0)
    close (item->fd);
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

  item->item.archive_path = g_file_get_path (archive);
  item->item.key = g_strdup (key);
  item->item.current_size = -1;
  item->fd = -1;
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
              g_autoptr(GFile) file = NULL;
              Item *item;

              /* the manifest names files in its own folder, nothing else */
              if (mv->archive == NULL || strchr (mv->archive, '/') != NULL ||
                  mv->archive[0] == '.' || mv->key == NULL || *mv->key == '\0')
                {
                  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                               _("The manifest of %s names an archive outside its folder"),
                               display);
                  return FALSE;
                }
              file = g_file_get_child (self->source, mv->archive);
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
              item->root_declared = mv->archive_root != NULL;
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
          if (inspect != NULL)
            {
              JsonObject *labels = json_object_has_member (inspect, "Labels") &&
                                   JSON_NODE_HOLDS_OBJECT (json_object_get_member (inspect, "Labels"))
                                   ? json_object_get_object_member (inspect, "Labels") : NULL;
              const char *owner = labels ? json_object_get_string_member_with_default (
                                             labels, "com.docker.compose.project", NULL) : NULL;

              /* a volume of another project (or of none) is never a restore's target */
              if (g_strcmp0 (owner, project_name) != 0)
                item->foreign_owner = g_strdup (owner ? owner : "");
            }

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
        g_autoptr(GFile) f = g_file_new_for_path (item->item.archive_path);
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

/* The archive, by its path (so that messages name it): item_unchanged() then makes sure that
 * the path still leads to the file the check opened, as it was. */
static GFile *
item_open_file (Item *item)
{
  return g_file_new_for_path (item->item.archive_path);
}

static gboolean
same_state (const struct stat *a,
            const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
         a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Is the archive still the one the check read? (its bytes unchanged, and no other file renamed
 * over its name) */
static gboolean
item_unchanged (Item    *item,
                GError **error)
{
  struct stat now, at_path;

  if (item->fd < 0 || fstat (item->fd, &now) != 0 || !same_state (&now, &item->checked) ||
      stat (item->item.archive_path, &at_path) != 0 || !same_state (&at_path, &item->checked))
    {
      g_autofree char *name = g_path_get_basename (item->item.archive_path);

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                   _("%s changed after it was checked, so what would be written is not what "
                     "was checked"), name);
      return FALSE;
    }
  return TRUE;
}

static void
check_one (gpointer data,
           gpointer user_data)
{
  guint i = GPOINTER_TO_UINT (data) - 1;
  CheckData *check = user_data;
  Item *item = g_ptr_array_index (check->self->items, i);
  g_autoptr(GFile) file = NULL;
  g_auto(LifeboatArchiveInfo) info = { 0 };
  g_autofree char *expected_root = g_strdup (item->item.archive_root);
  g_autofree char *name = g_path_get_basename (item->item.archive_path);
  LifeboatVolumeProgress progress;   /* in the archive's bytes, read so far */
  GError *error = NULL;

  if (expected_root == NULL)
    expected_root = g_strdup (item->item.mount_path + strspn (item->item.mount_path, "/"));

  _lifeboat_job_set_current_volume (LIFEBOAT_JOB (check->self), (int) i);
  progress.job = LIFEBOAT_JOB (check->self);
  progress.index = i;
  if (item->fd >= 0)
    close (item->fd);
  item->fd = open (item->item.archive_path, O_RDONLY | O_CLOEXEC);
  if (item->fd < 0 || fstat (item->fd, &item->checked) != 0)
    {
      int saved = errno;

      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open %s: %s"), name, g_strerror (saved));
    }
  else if (file = item_open_file (item),
           !lifeboat_archive_scan (file, expected_root, &info, _lifeboat_job_volume_progress,
                                   &progress, check->cancellable, &error))
    g_prefix_error (&error, _("%s cannot be restored: "), name);
  else if (item->item.expected_sha256 != NULL &&
           g_ascii_strcasecmp (item->item.expected_sha256, info.sha256) != 0)
    g_set_error (&error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                 _("%s is not the archive the manifest describes: its SHA-256 is %s, the "
                   "manifest says %s"), name, info.sha256, item->item.expected_sha256);
  else if (item->root_declared && g_strcmp0 (info.root, item->item.archive_root) != 0)
    g_set_error (&error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                 _("%s does not have the layout its manifest declares: its entries lie under "
                   "“%s”, not “%s”"), name, info.root ? info.root : "", item->item.archive_root);
  else if (!item_unchanged (item, &error))
    ;
  else
    {
      g_free (item->item.archive_root);
      item->item.archive_root = g_strdup (info.root);
      item->item.tar_bytes = info.tar_bytes;
      item->entries = info.entries;
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

/* ---------------------------------------------------------------------------------------- */
/* Writing the volumes
 *
 * Every step that changes the engine is journaled on the engine first (lifeboat-job-lock.c), so
 * that whatever ends this process, the next Lifeboat finishes or undoes it (lifeboat-recovery.c):
 *
 *  1. the previous contents of each existing volume move into a hidden folder inside that same
 *     volume (a rename: instant, and the data never leave the volume; lifeboat-volume-swap.c);
 *  2. the archives are written into the volumes (PUT, two at a time, the largest first), read
 *     through the descriptors the check opened; an archive that changed since is a failure;
 *  3. "written-all": from here the new contents stay. The containers start again, and while
 *     they must stay running (and healthy) for a settle time, the previous contents are kept as
 *     the safety backup (GET from the hidden folders, a nested backup job): the downtime ends
 *     before the safety copy does;
 *  4. the hidden folders are removed.
 * A failure or a cancel before the safety copy is complete — also the containers not staying
 * up — removes what was written and moves the previous contents back.
 */

typedef struct
{
  LifeboatJobLock *lock;
  LifeboatGuard    guard;
  char            *image;
  char            *aside;
  GPtrArray       *binds;      /* "volume:/lifeboat/<i>", NULL-terminated */
  GPtrArray       *existing;   /* "/lifeboat/<i>" of the volumes that existed */
  GPtrArray       *existing_names;
  gboolean         moved;      /* the move-aside started: it may have moved some */
  gboolean         all_empty;  /* ... and every existing volume was empty */
  gboolean         writing;    /* a PUT began */
  gboolean         written;    /* "written-all" */
  gboolean         running;    /* the containers were started on the new contents */
} RestoreRun;

static void
restore_run_clear (RestoreRun *run)
{
  _lifeboat_guard_clear (&run->guard);
  g_clear_pointer (&run->image, g_free);
  g_clear_pointer (&run->aside, g_free);
  g_clear_pointer (&run->binds, g_ptr_array_unref);
  g_clear_pointer (&run->existing, g_ptr_array_unref);
  g_clear_pointer (&run->existing_names, g_ptr_array_unref);
}

gboolean
_lifeboat_restore_keep_safety (LifeboatDockerClient *client,
                               const char           *project_name,
                               const char           *image,
                               const char           *aside,
                               GPtrArray            *volume_names,
                               GFile                *safety_dir,
                               LifeboatHistory      *history,
                               GCancellable         *cancellable,
                               GFile               **folder_out,
                               GError              **error)
{
  g_autoptr(GPtrArray) binds = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autoptr(LifeboatBackupJob) backup = NULL;
  g_autofree char *reader = NULL;
  gboolean ok;

  for (guint i = 0; i < volume_names->len; i++)
    g_ptr_array_add (binds, g_strdup_printf ("%s:" LIFEBOAT_SWAP_ROOT "/%u",
                                             (char *) g_ptr_array_index (volume_names, i), i));
  /* a container of its own: the engine locks a container for each archive call */
  reader = _lifeboat_create_helper_binds (client, image, (const char * const *) binds->pdata,
                                          NULL, cancellable, error);
  if (reader == NULL)
    return FALSE;

  backup = lifeboat_backup_job_new (client, project_name, safety_dir);
  for (guint i = 0; i < volume_names->len; i++)
    {
      g_autofree char *path = g_strdup_printf (LIFEBOAT_SWAP_ROOT "/%u/%s", i, aside);

      g_ptr_array_add (names, g_ptr_array_index (volume_names, i));
      _lifeboat_backup_job_set_source (backup, g_ptr_array_index (volume_names, i), reader, path);
    }
  lifeboat_backup_job_set_volumes (backup, (const char * const *) names->pdata);
  lifeboat_backup_job_set_stop (backup, FALSE);
  lifeboat_backup_job_set_restart (backup, FALSE);
  lifeboat_backup_job_set_safety (backup, TRUE);
  /* uncompressed: it is made on the same cores that restart the application */
  lifeboat_backup_job_set_compression (backup, LIFEBOAT_COMPRESSION_NONE);
  _lifeboat_job_set_history (LIFEBOAT_JOB (backup), history);

  ok = _lifeboat_job_run_sync (LIFEBOAT_JOB (backup), cancellable, error);
  if (ok && folder_out != NULL)
    *folder_out = g_object_ref (lifeboat_job_get_folder (LIFEBOAT_JOB (backup)));
  _lifeboat_remove_helper (client, reader);
  return ok;
}

typedef struct
{
  LifeboatRestoreJob *self;
  RestoreRun         *run;
  GCancellable       *cancellable;   /* cancelled when the settle check fails */
  GFile              *folder;        /* out */
  GError             *error;         /* out */
} SafetyData;

static gpointer
safety_thread (gpointer data)
{
  SafetyData *safety = data;
  LifeboatRestoreJob *self = safety->self;

  if (!_lifeboat_restore_keep_safety (lifeboat_job_get_client (LIFEBOAT_JOB (self)),
                                      lifeboat_job_get_project_name (LIFEBOAT_JOB (self)),
                                      safety->run->image, safety->run->aside,
                                      safety->run->existing_names, self->safety_dir,
                                      _lifeboat_job_get_history (LIFEBOAT_JOB (self)),
                                      safety->cancellable, &safety->folder, &safety->error))
    g_prefix_error (&safety->error, _("Could not keep a safety copy of the previous contents: "));
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
      archive = item_open_file (item);
      dest_name = g_strdup_printf ("%u", i);
      if (!item_unchanged (item, &error))
        {
          g_prefix_error (&error, _("Restoring volume %s failed: "), item->item.key);
          g_mutex_lock (&queue->mutex);
          _lifeboat_keep_first_failure (&queue->error, g_steal_pointer (&error));
          g_mutex_unlock (&queue->mutex);
          g_cancellable_cancel (queue->cancellable);
          continue;
        }

      _lifeboat_job_set_current_volume (job, i);
      /* into LIFEBOAT_SWAP_ROOT as "<i>/...", which also restores the root's owner and mode */
      tar = lifeboat_archive_open_tar_stream (archive, item->item.archive_root, dest_name,
                                              _lifeboat_job_volume_progress, &progress,
                                              &error);
      if (tar != NULL &&
          lifeboat_docker_client_put_archive_sync (client, slot->helper, LIFEBOAT_SWAP_ROOT, tar,
                                                   queue->cancellable, &error) &&
          item_unchanged (item, &error))
        {
          g_input_stream_close (tar, NULL, NULL);
          _lifeboat_job_finish_volume (job, i);
          _lifeboat_test_point ("volume-written");
          continue;
        }

      if (tar != NULL)
        g_input_stream_close (tar, NULL, NULL);
      if (error->domain == LIFEBOAT_ERROR)
        {
          /* the engine's words name paths in the helper ("write /lifeboat/0/data/x: ..."):
           * in the volume, they are "data/x" */
          g_autofree char *dir = g_strdup_printf (LIFEBOAT_SWAP_ROOT "/%u/", i);
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

static JsonObject *
volumes_details (LifeboatRestoreJob *self)
{
  JsonObject *o = json_object_new ();
  JsonArray *volumes = json_array_new ();

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      JsonObject *v = json_object_new ();

      json_object_set_string_member (v, "key", item->item.key);
      json_object_set_string_member (v, "name", item->item.volume_name);
      json_object_set_boolean_member (v, "existed", item->item.volume_exists);
      json_object_set_int_member (v, "index", i);
      json_array_add_object_element (volumes, v);
    }
  json_object_set_array_member (o, "volumes", volumes);
  return o;
}

/* 1 and 2: aside, then the archives; "written-all" at the end */
static gboolean
write_volumes (LifeboatRestoreJob  *self,
               RestoreRun          *run,
               GCancellable        *cancellable,
               GError             **error)
{
  LifeboatJob *job = LIFEBOAT_JOB (self);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  g_autoptr(GCancellable) work = g_cancellable_new ();
  g_autoptr(JsonObject) aside_details = NULL;
  g_autofree char *writer1 = NULL;
  g_autofree char *writer2 = NULL;
  GError *put_error = NULL;
  gulong cancel_id = 0;

  run->aside = _lifeboat_swap_new_aside_name ();
  run->binds = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  run->existing = g_ptr_array_new_with_free_func (g_free);
  run->existing_names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (!item->item.volume_exists)
        {
          g_autoptr(JsonObject) created = json_object_new ();

          json_object_set_string_member (created, "name", item->item.volume_name);
          if (!_lifeboat_job_lock_journal (run->lock, "create-volume", created, error))
            return FALSE;
          if (!lifeboat_docker_client_create_volume_sync (client, item->item.volume_name,
                                                          item->driver, item->labels,
                                                          cancellable, error))
            return FALSE;
          item->created = TRUE;
          item->touched = TRUE;
        }
      else
        {
          g_ptr_array_add (run->existing, g_strdup_printf (LIFEBOAT_SWAP_ROOT "/%u", i));
          g_ptr_array_add (run->existing_names, g_strdup (item->item.volume_name));
        }
      g_ptr_array_add (run->binds, g_strdup_printf ("%s:" LIFEBOAT_SWAP_ROOT "/%u",
                                                    item->item.volume_name, i));
    }

  /* 1. the previous contents aside, within each volume */
  if (run->existing->len > 0)
    {
      aside_details = volumes_details (self);
      json_object_set_string_member (aside_details, "aside", run->aside);
      json_object_set_string_member (aside_details, "image", run->image);
      if (!_lifeboat_job_lock_journal (run->lock, "aside", aside_details, error))
        return FALSE;
      for (guint i = 0; i < self->items->len; i++)
        ((Item *) g_ptr_array_index (self->items, i))->touched |=
          ((Item *) g_ptr_array_index (self->items, i))->item.volume_exists;
      if (!_lifeboat_swap_move_aside (client, run->image, run->binds, run->aside, run->existing,
                                      &run->all_empty, &run->moved, cancellable, error))
        return FALSE;
    }

  /* 2. the archives, two at a time through two helpers (the engine locks a container for each
   * archive call), the largest first */
  if (!_lifeboat_job_lock_journal (run->lock, "writing", NULL, error))
    return FALSE;
  run->writing = TRUE;
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (_lifeboat_cancel_other), work, NULL);

  writer1 = _lifeboat_create_helper_binds (client, run->image,
                                           (const char * const *) run->binds->pdata, NULL, work,
                                           &put_error);
  if (writer1 != NULL && self->items->len > 1)
    writer2 = _lifeboat_create_helper_binds (client, run->image,
                                             (const char * const *) run->binds->pdata, NULL,
                                             work, &put_error);
  if (put_error == NULL)
    {
      PutQueue queue = { .self = self, .cancellable = work };
      GThread *second = NULL;

      queue.slots[0].queue = queue.slots[1].queue = &queue;
      queue.slots[0].helper = writer1;
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
  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);
  _lifeboat_remove_helper (client, writer1);
  _lifeboat_remove_helper (client, writer2);

  if (put_error != NULL)
    {
      /* the user cancelled: say so, not what the cancellation broke */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&put_error);
          g_cancellable_set_error_if_cancelled (cancellable, &put_error);
        }
      g_propagate_error (error, put_error);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!_lifeboat_job_lock_journal (run->lock, "written-all", NULL, error))
    return FALSE;
  run->written = TRUE;
  return TRUE;
}

/* Puts the previous contents back (what was written goes), removes the volumes the restore
 * created. FALSE when a volume could not be put back: the journal then stays for the recovery. */
static gboolean
roll_back (LifeboatRestoreJob *self,
           RestoreRun         *run,
           GError            **error)
{
  LifeboatJob *job = LIFEBOAT_JOB (self);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_ROLLING_BACK);
  if (run->moved &&
      (!_lifeboat_job_lock_journal (run->lock, "rolling-back", NULL, error) ||
       !_lifeboat_swap_move_back (client, run->image, run->binds, run->aside, run->writing,
                                  run->existing, error)))
    return FALSE;

  /* volumes the restore created go again: leaving them would be a change */
  for (guint i = 0; i < self->items->len; i++)
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
  return _lifeboat_job_lock_journal (run->lock, "rolled-back", NULL, error);
}

static guint
env_seconds (const char *name,
             guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, 3600, &n, NULL))
    return fallback;
  return (guint) n;
}

/*
 * 3: the containers it started must stay running for LIFEBOAT_SETTLE_SECONDS (default 3), and
 * those whose image defines a healthcheck must be healthy (within LIFEBOAT_HEALTH_SECONDS,
 * default 120). FALSE with a sentence naming the first that did not.
 */
static gboolean
wait_running (LifeboatDockerClient *client,
              GPtrArray            *names,
              GCancellable         *cancellable,
              GError              **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 settle = start + (gint64) env_seconds ("LIFEBOAT_SETTLE_SECONDS", 3) * G_USEC_PER_SEC;
  guint health_seconds = env_seconds ("LIFEBOAT_HEALTH_SECONDS", 120);
  gint64 health = start + (gint64) health_seconds * G_USEC_PER_SEC;

  for (guint round = 0; round < 100000; round++)
    {
      gboolean all_up = TRUE;
      gint64 now;

      for (guint i = 0; i < names->len; i++)
        {
          const char *name = g_ptr_array_index (names, i);
          g_autoptr(JsonObject) inspect = NULL;
          JsonObject *state, *h;
          const char *status;

          inspect = lifeboat_docker_client_inspect_container_sync (client, name, NULL, error);
          if (inspect == NULL)
            return FALSE;
          state = json_object_get_object_member (inspect, "State");
          if (state == NULL || !json_object_get_boolean_member_with_default (state, "Running", FALSE))
            {
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("%s did not stay running on the restored volumes (it exited with "
                             "status %d)"), name,
                           state ? (int) json_object_get_int_member_with_default (state, "ExitCode", -1) : -1);
              return FALSE;
            }
          h = json_object_has_member (state, "Health") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (state, "Health"))
              ? json_object_get_object_member (state, "Health") : NULL;
          status = h ? json_object_get_string_member_with_default (h, "Status", NULL) : NULL;
          if (g_strcmp0 (status, "unhealthy") == 0)
            {
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("%s is unhealthy on the restored volumes"), name);
              return FALSE;
            }
          if (status != NULL && g_strcmp0 (status, "healthy") != 0)
            all_up = FALSE;
        }
      now = g_get_monotonic_time ();
      if (all_up && now >= settle)
        return TRUE;
      if (now >= health)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                       _("The containers did not become healthy within %u seconds on the "
                         "restored volumes"), health_seconds);
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (G_USEC_PER_SEC / 4);
    }
  return TRUE;
}

static void
stop_names (LifeboatDockerClient *client,
            GPtrArray            *names)
{
  for (guint i = names->len; i > 0; i--)
    {
      g_autoptr(GError) error = NULL;

      if (!lifeboat_docker_client_stop_container_sync (client, g_ptr_array_index (names, i - 1),
                                                       10, NULL, &error))
        g_debug ("Stopping %s: %s", (char *) g_ptr_array_index (names, i - 1), error->message);
    }
}

static gboolean
start_stopped (LifeboatRestoreJob *self,
               RestoreRun         *run,
               GError            **error)
{
  LifeboatDockerClient *client = lifeboat_job_get_client (LIFEBOAT_JOB (self));
  g_autoptr(GError) outsiders_error = NULL;
  gboolean ok = TRUE;

  _lifeboat_job_set_phase (LIFEBOAT_JOB (self), LIFEBOAT_JOB_PHASE_STARTING);
  if (run->guard.stopped != NULL && run->guard.stopped->len > 0)
    ok = _lifeboat_start_containers (client, self->project, run->guard.stopped, error);
  if (!_lifeboat_guard_start_outsiders (&run->guard, client, &outsiders_error) && ok)
    {
      g_propagate_error (error, g_steal_pointer (&outsiders_error));
      ok = FALSE;
    }
  return ok;
}

static gboolean
lifeboat_restore_job_run (LifeboatJob   *job,
                          GCancellable  *cancellable,
                          GError       **error)
{
  LifeboatRestoreJob *self = LIFEBOAT_RESTORE_JOB (job);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autoptr(GPtrArray) volume_names = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFile) safety_folder = NULL;
  g_autoptr(JsonObject) begin = NULL;
  g_autofree gint64 *totals = NULL;
  g_autofree char *recovered = NULL;
  RestoreRun run = { 0 };
  gboolean ok = FALSE;
  gboolean journal_ok = TRUE;   /* FALSE: the journal stays for the recovery */
  const char *project_name;

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_PREPARING);
  _lifeboat_job_set_folder (job, self->source);

  if (!self->planned && !plan (self, cancellable, error))
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  project_name = lifeboat_job_get_project_name (job);

  if (!lifeboat_restore_job_get_version_matches (self) && !self->ignore_version)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_VERSION_MISMATCH,
                   _("The backup is of CVAT %s, but project “%s” runs CVAT %s. %s"),
                   self->backup_version, project_name, self->target_version,
                   lifeboat_restore_version_warning ());
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }

  /* only into the project asked for, and only its own volumes */
  if (self->project_name != NULL && self->project == NULL && !self->new_project)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                   _("There is no compose project “%s” on this engine; to create its volumes "
                     "for a new project, say so (--new-project)"), project_name);
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->foreign_owner != NULL)
        {
          if (*item->foreign_owner != '\0')
            g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                         _("Volume %s belongs to project “%s”, not “%s”; Lifeboat restores only "
                           "into the target project’s volumes"), item->item.volume_name,
                         item->foreign_owner, project_name);
          else
            g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                         _("Volume %s exists but belongs to no compose project “%s”; Lifeboat "
                           "will not overwrite it"), item->item.volume_name, project_name);
          _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
          return FALSE;
        }
      g_ptr_array_add (keys, item->item.key);
      if (item->item.volume_exists)
        g_ptr_array_add (volume_names, item->item.volume_name);
    }
  if (self->backup_version != NULL)
    _lifeboat_job_set_app_version (job, self->backup_version);

  /* one job per project: the lock, and what an earlier job left */
  for (guint i = 0; i < self->items->len && run.image == NULL; i++)
    run.image = g_strdup (((Item *) g_ptr_array_index (self->items, i))->helper_image);
  if (run.image == NULL &&
      !(run.image = _lifeboat_pick_helper_image (client, self->project, cancellable, error)))
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  run.lock = _lifeboat_job_take_project (job, project_name, run.image, &recovered, cancellable,
                                         error);
  if (run.lock == NULL)
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      restore_run_clear (&run);
      return FALSE;
    }
  begin = volumes_details (self);
  {
    g_autofree char *source = g_file_get_path (self->source);
    g_autofree char *safety = g_file_get_path (self->safety_dir);

    json_object_set_string_member (begin, "source", source);
    json_object_set_string_member (begin, "safety_dir", safety);
  }
  if (!_lifeboat_job_begin (job, run.lock, begin, &local_error))
    goto out;

  /* 1. check every archive completely before anything is touched; its progress is in the
   * archives' bytes, the writing's in the volumes' */
  totals = g_new0 (gint64, self->items->len);
  for (guint i = 0; i < self->items->len; i++)
    totals[i] = (gint64) ((Item *) g_ptr_array_index (self->items, i))->item.archive_bytes;
  _lifeboat_job_set_volumes (job, (const char * const *) keys->pdata, totals);
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_CHECKING);
  if (!check_archives (self, cancellable, &local_error))
    goto out;
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      totals[i] = item->item.tar_bytes;
      /* an archive without entries would empty a volume that holds data */
      if (item->entries <= 1 && item->item.volume_exists && item->item.current_size != 0 &&
          !self->allow_empty)
        {
          g_autofree char *name = g_path_get_basename (item->item.archive_path);

          g_set_error (&local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       _("%s holds no files, and restoring it would empty volume %s, which "
                         "holds data; to do that, say so (--allow-empty)"), name,
                       item->item.volume_name);
          goto out;
        }
    }
  _lifeboat_job_set_volumes (job, (const char * const *) keys->pdata, totals);

  /* 2. stop every container that uses the volumes, restart policies off */
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STOPPING);
  if (!_lifeboat_guard_hold (&run.guard, run.lock, self->project, volume_names, TRUE, cancellable,
                             &local_error))
    goto out;

  /* 3. write, keeping a way back */
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_TRANSFERRING);
  if (!write_volumes (self, &run, cancellable, &local_error))
    goto out;

  /* 4. the containers run again; meanwhile the safety copy, and the settle check */
  {
    g_autoptr(GCancellable) work = g_cancellable_new ();
    g_autoptr(GError) check_error = NULL;
    g_autoptr(GPtrArray) started = g_ptr_array_new_with_free_func (g_free);
    SafetyData safety = { self, &run, work };
    GThread *thread = NULL;
    gulong cancel_id = 0;

    for (guint i = 0; run.guard.stopped && i < run.guard.stopped->len; i++)
      g_ptr_array_add (started, g_strdup (g_ptr_array_index (run.guard.stopped, i)));
    for (guint i = 0; run.guard.outsiders && i < run.guard.outsiders->len; i++)
      g_ptr_array_add (started, g_strdup (g_ptr_array_index (run.guard.outsiders, i)));

    if (cancellable != NULL)
      cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (_lifeboat_cancel_other), work,
                                         NULL);
    if (run.existing->len > 0 && !run.all_empty)
      thread = g_thread_new ("lifeboat-safety", safety_thread, &safety);

    if (started->len > 0)
      {
        if (!_lifeboat_job_lock_journal (run.lock, "starting", NULL, &check_error) ||
            !start_stopped (self, &run, &check_error))
          g_cancellable_cancel (work);
        else
          {
            run.running = TRUE;
            if (!wait_running (client, started, work, &check_error))
              g_cancellable_cancel (work);
          }
      }
    _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_SAFETY_BACKUP);
    if (thread != NULL)
      g_thread_join (thread);
    if (cancel_id != 0)
      g_cancellable_disconnect (cancellable, cancel_id);

    if (check_error == NULL && safety.error == NULL)
      {
        if (safety.folder != NULL)
          {
            g_autoptr(JsonObject) done = json_object_new ();
            g_autofree char *path = g_file_get_path (safety.folder);

            json_object_set_string_member (done, "folder", path);
            _lifeboat_job_lock_journal (run.lock, "safety-done", done, NULL);
            safety_folder = g_steal_pointer (&safety.folder);
          }
      }
    else
      {
        /* the previous contents come back: stop what was started on the new ones */
        if (g_cancellable_is_cancelled (cancellable))
          g_cancellable_set_error_if_cancelled (cancellable, &local_error);
        else if (check_error != NULL)
          local_error = g_steal_pointer (&check_error);
        else
          local_error = g_steal_pointer (&safety.error);
        if (run.running)
          {
            _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STOPPING);
            _lifeboat_job_lock_journal (run.lock, "stopping-again", NULL, NULL);
            stop_names (client, started);
            run.running = FALSE;
          }
        run.written = FALSE;
        g_clear_object (&safety.folder);
        g_clear_error (&safety.error);
        goto out;
      }
    g_clear_error (&safety.error);
  }

  /* 5. the previous contents are in the safety backup now; no container may see them */
  if (run.existing->len > 0)
    {
      g_autoptr(GError) remove_error = NULL;

      if (!_lifeboat_job_lock_journal (run.lock, "removing-aside", NULL, &remove_error) ||
          !_lifeboat_swap_remove_aside (client, run.image, run.binds, run.aside, run.existing,
                                        &remove_error))
        {
          g_autofree char *msg =
            g_strdup_printf (_("The restore is complete, but the previous contents are still in "
                               "a folder named %s inside the volumes (%s); they are also in the "
                               "safety backup, and the next Lifeboat to reach this engine "
                               "removes the folder."), run.aside, remove_error->message);

          _lifeboat_job_set_aftermath (job, msg);
          journal_ok = FALSE;
        }
      else
        _lifeboat_job_lock_journal (run.lock, "aside-removed", NULL, NULL);
    }

  {
    guint64 total_bytes = 0;

    for (guint i = 0; i < self->items->len; i++)
      total_bytes += ((Item *) g_ptr_array_index (self->items, i))->item.archive_bytes;
    _lifeboat_job_set_result_bytes (job, total_bytes);
  }
  ok = TRUE;
  prune_safety_backups (self, safety_folder);

out:
  if (!ok && run.lock != NULL)
    {
      g_autoptr(GError) back_error = NULL;

      if (run.moved || run.writing)
        {
          if (roll_back (self, &run, &back_error))
            _lifeboat_job_set_aftermath (job, _("The volumes were put back as they were before "
                                                "the restore."));
          else
            {
              g_autofree char *msg =
                g_strdup_printf (_("Some volumes could not be put back yet (%s). Their previous "
                                   "contents are in a folder named %s inside each volume; the "
                                   "next Lifeboat to reach this engine puts them back "
                                   "(lifeboat-cli recover %s)."), back_error->message, run.aside,
                                 project_name);

              _lifeboat_job_set_aftermath (job, msg);
              journal_ok = FALSE;
            }
        }
      else if (lifeboat_job_get_aftermath (job) == NULL)
        _lifeboat_job_set_aftermath (job, _("No volume was changed."));
    }
  else if (!ok && lifeboat_job_get_aftermath (job) == NULL)
    _lifeboat_job_set_aftermath (job, _("No volume was changed."));

  /* the containers that ran run again: on the new contents, or on the old ones put back */
  if (run.lock != NULL && !run.running && journal_ok &&
      ((run.guard.stopped && run.guard.stopped->len > 0) ||
       (run.guard.outsiders && run.guard.outsiders->len > 0)))
    {
      g_autoptr(GError) start_error = NULL;

      if (!start_stopped (self, &run, &start_error))
        {
          g_autofree char *names = run.guard.stopped ? _lifeboat_join_names (run.guard.stopped)
                                                     : g_strdup ("");
          const char *before = lifeboat_job_get_aftermath (job);
          g_autofree char *msg = g_strdup_printf (_("%s%sNot all of %s started again: %s"),
                                                  before ? before : "", before ? " " : "",
                                                  names, start_error->message);

          _lifeboat_job_set_aftermath (job, msg);
          if (ok)
            {
              ok = FALSE;
              local_error = g_steal_pointer (&start_error);
            }
        }
    }

  /* what ran runs now: an engine restart since the start (their restart policies were off)
   * stopped them again */
  if (run.lock != NULL && run.running && journal_ok)
    {
      g_autoptr(GError) again_error = NULL;

      if (!_lifeboat_guard_start_project (client, project_name, run.guard.stopped, &again_error) ||
          !_lifeboat_guard_start_outsiders (&run.guard, client, &again_error))
        {
          const char *before = lifeboat_job_get_aftermath (job);
          g_autofree char *msg = g_strdup_printf ("%s%s%s", before ? before : "",
                                                  before ? " " : "", again_error->message);

          _lifeboat_job_set_aftermath (job, msg);
          journal_ok = FALSE;
        }
    }

  if (run.lock != NULL)
    _lifeboat_job_end (job, run.lock, &run.guard, ok, journal_ok);
  restore_run_clear (&run);

  if (recovered != NULL)
    {
      const char *after = lifeboat_job_get_aftermath (job);
      g_autofree char *msg = g_strdup_printf ("%s%s%s", recovered, after ? " " : "",
                                              after ? after : "");

      _lifeboat_job_set_aftermath (job, msg);
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
  if (self->allow_empty)
    g_strv_builder_add (args, "--allow-empty");
  /* the window's plan found no such project and showed that the volumes will be created */
  if (self->new_project || (self->planned && self->project == NULL && self->project_name == NULL))
    g_strv_builder_add (args, "--new-project");
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
lifeboat_restore_job_set_allow_empty (LifeboatRestoreJob *self,
                                      gboolean            allow)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->allow_empty = !!allow;
}

void
lifeboat_restore_job_set_new_project (LifeboatRestoreJob *self,
                                      gboolean            new_project)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->new_project = !!new_project;
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
