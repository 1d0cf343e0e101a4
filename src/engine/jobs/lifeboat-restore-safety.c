/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A restore's safety backups: the previous contents, read from the hidden folder they were
 * moved into inside each volume, kept as a backup folder that the history records; and their
 * expiry.
 */
#define G_LOG_DOMAIN "lifeboat-restore"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-backup-job.h"
#include "lifeboat-backup-job-private.h"
#include "lifeboat-container-ops-private.h"
#include "lifeboat-job-private.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restore-job-private.h"
#include "lifeboat-volume-swap-private.h"

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

/* Removes safety backups (complete folders with a manifest) older than the kept days;
 * never the one just made. */
void
_lifeboat_restore_prune_safety (GFile *dir,
                                guint  keep_days,
                                GFile *keep)
{
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 limit = g_date_time_to_unix (now) - (gint64) keep_days * 24 * 3600;

  if (keep_days == 0)
    return;

  e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
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
