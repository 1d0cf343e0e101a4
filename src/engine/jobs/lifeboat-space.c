/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-space"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-format.h"
#include "lifeboat-manifest.h"
#include "lifeboat-space.h"

/*
 * A tar archive is a little larger than the files it holds: a 512-byte header per entry and
 * each file padded to 512 bytes. The engine's volume sizes do not count the entries, so the
 * estimate adds 2 % and 64 KiB per volume, and 256 KiB for the manifest and the folder.
 */
#define TAR_OVERHEAD_PERCENT  2
#define TAR_OVERHEAD_VOLUME   (64 * 1024)
#define FOLDER_OVERHEAD       (256 * 1024)

/* The manifest of the project's newest finished backup on @engine_id whose folder is still
 * there, or NULL. */
static LifeboatManifest *
load_last_manifest (LifeboatHistory *history,
                    const char      *engine_id,
                    const char      *project_name,
                    GCancellable    *cancellable)
{
  g_autoptr(GPtrArray) entries = NULL;

  if (history == NULL || project_name == NULL)
    return NULL;

  entries = lifeboat_history_list_for_engine (history, engine_id, project_name, NULL);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      LifeboatHistoryEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GFile) folder = NULL;
      LifeboatManifest *manifest;

      if (lifeboat_history_entry_get_kind (entry) != LIFEBOAT_JOB_KIND_BACKUP ||
          lifeboat_history_entry_get_outcome (entry) != LIFEBOAT_JOB_OUTCOME_SUCCEEDED ||
          lifeboat_history_entry_get_folder (entry) == NULL)
        continue;

      folder = g_file_new_for_commandline_arg (lifeboat_history_entry_get_folder (entry));
      manifest = lifeboat_manifest_load (folder, cancellable, NULL);
      if (manifest != NULL)
        return manifest;
    }

  return NULL;
}

/* archive bytes per tar byte of @key in @manifest with @compression; < 0 when not known */
static double
manifest_ratio (LifeboatManifest    *manifest,
                const char          *key,
                LifeboatCompression  compression)
{
  if (manifest == NULL)
    return -1;

  for (guint i = 0; i < manifest->volumes->len; i++)
    {
      LifeboatManifestVolume *v = g_ptr_array_index (manifest->volumes, i);

      if (g_strcmp0 (v->key, key) == 0 && v->compression == compression && v->tar_bytes > 0)
        return (double) v->archive_bytes / (double) v->tar_bytes;
    }
  return -1;
}

/* the free bytes of the file system that holds @file, or of its nearest existing parent */
static gboolean
query_free (GFile        *file,
            GCancellable *cancellable,
            guint64      *free_bytes)
{
  g_autoptr(GFile) at = g_object_ref (file);

  for (guint depth = 0; at != NULL && depth < 64; depth++)
    {
      g_autoptr(GFileInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      GFile *parent;

      info = g_file_query_filesystem_info (at, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, cancellable,
                                           &error);
      if (info != NULL &&
          g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
        {
          *free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
          return TRUE;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return FALSE;

      parent = g_file_get_parent (at);
      g_object_unref (at);
      at = parent;
    }

  return FALSE;
}

void
lifeboat_space_estimate_backup (LifeboatHistory       *history,
                                const char            *engine_id,
                                const char            *project_name,
                                GPtrArray             *volumes,
                                LifeboatCompression    compression,
                                GFile                 *destination,
                                GCancellable          *cancellable,
                                LifeboatSpaceEstimate *estimate)
{
  g_autoptr(LifeboatManifest) last = NULL;
  guint64 needed = FOLDER_OVERHEAD;
  gboolean known = TRUE;

  g_return_if_fail (history == NULL || LIFEBOAT_IS_HISTORY (history));
  g_return_if_fail (volumes != NULL);
  g_return_if_fail (G_IS_FILE (destination));
  g_return_if_fail (estimate != NULL);

  memset (estimate, 0, sizeof *estimate);
  last = load_last_manifest (history, engine_id, project_name, cancellable);

  for (guint i = 0; i < volumes->len; i++)
    {
      LifeboatVolume *v = g_ptr_array_index (volumes, i);
      gint64 size = lifeboat_volume_get_size (v);
      double ratio = manifest_ratio (last, lifeboat_volume_get_key (v), compression);
      double tar;

      if (size < 0)
        {
          known = FALSE;
          continue;
        }

      tar = (double) size * (100 + TAR_OVERHEAD_PERCENT) / 100 + TAR_OVERHEAD_VOLUME;
      if (ratio >= 0)
        estimate->n_ratios++;
      else
        {
          /* unknown data compresses unknowably (CVAT's media hardly at all): count it whole,
           * and a compressed stream of incompressible data grows a little */
          ratio = compression == LIFEBOAT_COMPRESSION_NONE ? 1.0 : 1.01;
        }
      needed += (guint64) (tar * ratio);
    }

  estimate->needed = needed;
  estimate->needed_known = known;
  estimate->free_known = query_free (destination, cancellable, &estimate->free);
}

char *
lifeboat_space_estimate_describe (const LifeboatSpaceEstimate *estimate)
{
  g_autofree char *needed = NULL;
  g_autofree char *free_str = NULL;

  g_return_val_if_fail (estimate != NULL, NULL);

  if (estimate->needed_known)
    needed = lifeboat_format_size ((gint64) estimate->needed);
  if (estimate->free_known)
    free_str = lifeboat_format_size ((gint64) estimate->free);

  if (needed != NULL && free_str != NULL)
    /* Translators: next to the backup's destination: "needs about 1.2 GB, 40 GB free" */
    return g_strdup_printf (_("needs about %s, %s free"), needed, free_str);
  if (needed != NULL)
    return g_strdup_printf (_("needs about %s"), needed);
  if (free_str != NULL)
    return g_strdup_printf (_("%s free"), free_str);
  return NULL;
}

gboolean
lifeboat_space_check_backup (LifeboatHistory  *history,
                             const char       *engine_id,
                             const char       *project_name,
                             GPtrArray        *volumes,
                             LifeboatCompression compression,
                             GFile            *destination,
                             GCancellable     *cancellable,
                             GError          **error)
{
  LifeboatSpaceEstimate estimate;
  g_autofree char *needed = NULL;
  g_autofree char *free_str = NULL;
  g_autofree char *where = NULL;

  lifeboat_space_estimate_backup (history, engine_id, project_name, volumes, compression,
                                  destination, cancellable, &estimate);

  if (!estimate.needed_known || !estimate.free_known || estimate.needed <= estimate.free)
    return TRUE;

  needed = lifeboat_format_size ((gint64) estimate.needed);
  free_str = lifeboat_format_size ((gint64) estimate.free);
  where = g_file_get_parse_name (destination);
  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SPACE,
               _("There is not enough space for the backup: it needs about %s, but %s has "
                 "only %s free"),
               needed, where, free_str);
  return FALSE;
}

gboolean
lifeboat_space_check_restore (LifeboatDockerClient  *client,
                              guint64                bytes,
                              gboolean              *checked,
                              GCancellable          *cancellable,
                              GError               **error)
{
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(GFile) root = NULL;
  g_autofree char *needed = NULL;
  g_autofree char *free_str = NULL;
  const char *uri;
  const char *root_dir;
  guint64 free_bytes = 0;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), FALSE);

  *checked = FALSE;

  /* only an engine on this machine: an SSH tunnel's socket is local, its engine is not */
  uri = lifeboat_docker_client_get_uri (client);
  if (uri == NULL || !g_str_has_prefix (uri, "unix://") ||
      lifeboat_docker_client_get_keepalive (client) != NULL)
    return TRUE;

  info = lifeboat_docker_client_request_json_sync (client, "GET", "/info", NULL, 30,
                                                   cancellable, NULL);
  if (info == NULL || !JSON_NODE_HOLDS_OBJECT (info))
    return TRUE;
  root_dir = json_object_get_string_member_with_default (json_node_get_object (info),
                                                         "DockerRootDir", NULL);
  if (root_dir == NULL || !g_path_is_absolute (root_dir))
    return TRUE;

  /* volumes/ can be a file system of its own */
  root = g_file_new_build_filename (root_dir, "volumes", NULL);
  if (!query_free (root, cancellable, &free_bytes))
    return TRUE;

  *checked = TRUE;
  if (bytes <= free_bytes)
    return TRUE;

  needed = lifeboat_format_size ((gint64) bytes);
  free_str = lifeboat_format_size ((gint64) free_bytes);
  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SPACE,
               _("There is not enough space for the restore: it writes about %s, but the "
                 "engine’s volumes have only %s free"),
               needed, free_str);
  return FALSE;
}

gboolean
lifeboat_space_check_restore_job (LifeboatDockerClient *client,
                                  GFile                *safety_dir,
                                  guint64               volume_bytes,
                                  guint64               tar_bytes,
                                  GCancellable         *cancellable,
                                  GError              **error)
{
  guint64 free_bytes = 0;
  gboolean checked;

  /* the safety backup: what the volumes hold now, counted whole as for a backup */
  if (safety_dir != NULL && volume_bytes > 0 && query_free (safety_dir, cancellable, &free_bytes))
    {
      guint64 needed = volume_bytes * (100 + TAR_OVERHEAD_PERCENT) / 100 + FOLDER_OVERHEAD;

      if (needed > free_bytes)
        {
          g_autofree char *needed_str = lifeboat_format_size ((gint64) needed);
          g_autofree char *free_str = lifeboat_format_size ((gint64) free_bytes);
          g_autofree char *where = g_file_get_parse_name (safety_dir);

          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SPACE,
                       _("There is not enough space for the safety backup of the volumes: it "
                         "needs about %s, but %s has only %s free"),
                       needed_str, where, free_str);
          return FALSE;
        }
    }

  return lifeboat_space_check_restore (client, tar_bytes, &checked, cancellable, error);
}

char *
lifeboat_restore_dup_other_engine_warning (GFile                *folder,
                                           LifeboatDockerClient *client)
{
  g_autoptr(LifeboatManifest) manifest = NULL;
  const char *here;

  g_return_val_if_fail (G_IS_FILE (folder), NULL);
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);

  here = lifeboat_docker_client_get_engine_id (client);
  manifest = lifeboat_manifest_load (folder, NULL, NULL);
  if (manifest == NULL || manifest->engine_id == NULL || here == NULL ||
      g_strcmp0 (manifest->engine_id, here) == 0)
    return NULL;

  /* Translators: engine names can be the same (two engines on one machine): the IDs differ */
  return g_strdup_printf (_("This backup was taken on another engine, “%s” (ID %.14s), not on "
                            "“%s” (ID %.14s) where it is restored."),
                          manifest->engine_name ? manifest->engine_name : _("unnamed"),
                          manifest->engine_id,
                          lifeboat_docker_client_get_engine_name (client)
                            ? lifeboat_docker_client_get_engine_name (client) : _("this engine"),
                          here);
}
