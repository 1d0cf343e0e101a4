/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a restore will write, found out without changing anything: the archives of a Lifeboat
 * backup folder, of a folder made with the guide's commands, or single archives, mapped to the
 * target project's volumes (only its own); then each archive read completely and checked
 * (hostile entries, the manifest's checksum and layout) through a descriptor that stays open,
 * so that the writing can tell when a file changed after its check.
 */
#define G_LOG_DOMAIN "lifeboat-restore"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-app-profile.h"
#include "lifeboat-archive.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-job-private.h"
#include "lifeboat-manifest.h"
#include "lifeboat-parallel-private.h"
#include "lifeboat-restore-job-private.h"


void
_lifeboat_restore_item_free (Item *item)
{
  g_clear_object (&item->archive);
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
  item->fd = -1;
  g_ptr_array_add (self->items, item);
  return item;
}

/* The archives of a folder made by the guide's commands: every *.tar.gz and friends. */
static gboolean
collect_folder_archives (LifeboatRestoreJob  *self,
                         GFile               *folder,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GPtrArray) names = lifeboat_archive_list_folder (folder, cancellable, error);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *key = lifeboat_archive_name_dup_key (name);
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
      g_autofree char *key = lifeboat_archive_name_dup_key (basename);

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

gboolean
_lifeboat_restore_plan (LifeboatRestoreJob  *self,
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
      for (guint i = 0; i < self->items->len && project_name == NULL; i++)
        {
          Item *it = g_ptr_array_index (self->items, i);

          project_name = lifeboat_app_profile_get_default_project (
            lifeboat_app_profile_for_volume_key (it->item.key));
        }
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
        item->item.mount_path = g_strdup (lifeboat_app_profile_get_mount_path (
                                            lifeboat_app_profile_for_volume_key (item->item.key),
                                            item->item.key));
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
 * SHA-256 against the manifest), as many at once as there are cores, four at most */

/* The archive, by its path (so that messages name it): item_unchanged() then makes sure that
 * the path still leads to the file the check opened, as it was. */
GFile *
_lifeboat_restore_item_open_file (Item *item)
{
  return g_object_ref (item->archive);
}

/* An archive in a restic repository has no path: restic authenticates every piece it reads
 * back, so what is written is what was checked without a descriptor to keep. */
static gboolean
item_is_local (Item *item)
{
  return g_file_is_native (item->archive);
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
gboolean
_lifeboat_restore_item_unchanged (Item    *item,
                                  GError **error)
{
  struct stat now, at_path;

  if (!item_is_local (item))
    return TRUE;
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

/* Checks archive @i, so that the writing can trust it; on worker @worker of the check */
static gboolean
check_one (gpointer       data,
           guint          i,
           guint          worker,
           GCancellable  *cancellable,
           gpointer       user_data,
           GError       **out_error)
{
  LifeboatRestoreJob *self = user_data;
  Item *item = data;
  g_autoptr(GFile) file = NULL;
  g_auto(LifeboatArchiveInfo) info = { 0 };
  g_autofree char *expected_root = g_strdup (item->item.archive_root);
  g_autofree char *name = g_path_get_basename (item->item.archive_path);
  LifeboatVolumeProgress progress;   /* in the archive's bytes, read so far */
  GError *error = NULL;

  if (expected_root == NULL)
    expected_root = g_strdup (item->item.mount_path + strspn (item->item.mount_path, "/"));

  _lifeboat_job_set_current_volume (LIFEBOAT_JOB (self), (int) i);
  progress.job = LIFEBOAT_JOB (self);
  progress.index = i;
  if (item->fd >= 0)
    close (item->fd);
  item->fd = item_is_local (item) ? open (item->item.archive_path, O_RDONLY | O_CLOEXEC) : -2;
  if (item->fd == -1 || (item->fd >= 0 && fstat (item->fd, &item->checked) != 0))
    {
      int saved = errno;

      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open %s: %s"), name, g_strerror (saved));
    }
  else if (file = _lifeboat_restore_item_open_file (item),
           !lifeboat_archive_scan (file, expected_root, &info, _lifeboat_job_volume_progress,
                                   &progress, cancellable, &error))
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
  else if (!_lifeboat_restore_item_unchanged (item, &error))
    ;
  else
    {
      g_free (item->item.archive_root);
      item->item.archive_root = g_strdup (info.root);
      item->item.tar_bytes = info.tar_bytes;
      item->entries = info.entries;
    }

  _lifeboat_job_finish_volume (LIFEBOAT_JOB (self), i);
  if (error != NULL)
    {
      g_propagate_error (out_error, error);
      return FALSE;
    }
  return TRUE;
}

/* the largest first, so that it does not start last */
static int
compare_archive_sizes (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  const Item *ia = a;
  const Item *ib = b;

  if (ia->item.archive_bytes != ib->item.archive_bytes)
    return ia->item.archive_bytes > ib->item.archive_bytes ? -1 : 1;
  return 0;
}

/* Every archive is checked (a failure does not stop the others), up to four at a time; the
 * first failure in the archives' order is the one reported */
gboolean
_lifeboat_restore_check (LifeboatRestoreJob  *self,
                         GCancellable        *cancellable,
                         GError             **error)
{
  LifeboatParallel how = {
    .thread_name = "lifeboat-check",
    .n_workers = MAX (1, MIN (g_get_num_processors (), 4)),
    .flags = LIFEBOAT_PARALLEL_KEEP_GOING,
    .order = compare_archive_sizes,
    .func = check_one,
    .user_data = self,
  };

  return _lifeboat_parallel_run (&how, self->items, cancellable, error);
}

/* ---------------------------------------------------------------------------------------- */

gboolean
lifeboat_restore_job_plan_sync (LifeboatRestoreJob  *self,
                                GCancellable        *cancellable,
                                GError             **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_JOB (self), FALSE);
  return _lifeboat_restore_plan (self, cancellable, error);
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (_lifeboat_restore_plan (source_object, cancellable, &error))
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
