/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-verify"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-verify.h"

gboolean
lifeboat_verify_archive (GFile                  *folder,
                         const char             *name,
                         LifeboatManifestVolume *expected,
                         LifeboatArchiveInfo    *info_out,
                         GCancellable           *cancellable,
                         GError                **error)
{
  g_autoptr(GFile) file = NULL;
  g_auto(LifeboatArchiveInfo) info = { 0 };
  g_autofree char *have = NULL;
  g_autofree char *want = NULL;

  g_return_val_if_fail (G_IS_FILE (folder), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  file = g_file_get_child (folder, name);
  if (!lifeboat_archive_scan (file, expected ? expected->archive_root : NULL, &info,
                              NULL, NULL, cancellable, error))
    {
      g_prefix_error (error, _("%s is damaged: "), name);
      return FALSE;
    }

  if (expected != NULL)
    {
      if (expected->archive_bytes != info.file_bytes)
        {
          have = g_strdup_printf ("%" G_GUINT64_FORMAT, info.file_bytes);
          want = g_strdup_printf ("%" G_GUINT64_FORMAT, expected->archive_bytes);
          /* Translators: "cvat_db.tar.gz has 1000 bytes, the manifest says 1024" */
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                       _("%s has %s bytes, the manifest says %s"), name, have, want);
          return FALSE;
        }
      if (expected->sha256 == NULL || g_ascii_strcasecmp (expected->sha256, info.sha256) != 0)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                       _("%s does not match its SHA-256 in the manifest"), name);
          return FALSE;
        }
      if (expected->entries != info.entries)
        {
          have = g_strdup_printf ("%" G_GUINT64_FORMAT, info.entries);
          want = g_strdup_printf ("%" G_GUINT64_FORMAT, expected->entries);
          /* Translators: "cvat_db.tar.gz has 1000 entries, the manifest says 1024" */
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                       _("%s has %s entries, the manifest says %s"), name, have, want);
          return FALSE;
        }
      if (expected->archive_root != NULL && g_strcmp0 (info.root, expected->archive_root) != 0)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                       _("%s: its entries lie under “%s”, the manifest says “%s”"), name,
                       info.root, expected->archive_root);
          return FALSE;
        }
    }

  if (info_out != NULL)
    {
      *info_out = info;
      memset (&info, 0, sizeof info);  /* ownership of root moved */
    }
  return TRUE;
}

void
lifeboat_verify_result_free (LifeboatVerifyResult *result)
{
  if (result == NULL)
    return;
  g_free (result->archive);
  g_free (result->problem);
  g_free (result);
}

static LifeboatVerifyResult *
verify_one (GFile                  *folder,
            const char             *name,
            LifeboatManifestVolume *expected,
            GCancellable           *cancellable,
            GError                **error)
{
  g_autoptr(LifeboatVerifyResult) result = g_new0 (LifeboatVerifyResult, 1);
  g_auto(LifeboatArchiveInfo) info = { 0 };
  g_autoptr(GError) local_error = NULL;

  result->archive = g_strdup (name);
  if (!lifeboat_verify_archive (folder, name, expected, &info, cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      result->problem = g_strdup (local_error->message);
      return g_steal_pointer (&result);
    }
  memcpy (result->sha256, info.sha256, sizeof result->sha256);
  result->entries = info.entries;
  result->tar_bytes = info.tar_bytes;
  result->file_bytes = info.file_bytes;
  return g_steal_pointer (&result);
}

GPtrArray *
lifeboat_verify_folder (GFile         *folder,
                        gboolean      *has_manifest,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(LifeboatManifest) manifest = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  manifest = lifeboat_manifest_load (folder, cancellable, &local_error);
  if (manifest == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (has_manifest != NULL)
    *has_manifest = manifest != NULL;

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_verify_result_free);
  if (manifest != NULL)
    {
      for (guint i = 0; i < manifest->volumes->len; i++)
        {
          LifeboatManifestVolume *mv = g_ptr_array_index (manifest->volumes, i);
          LifeboatVerifyResult *result = verify_one (folder, mv->archive, mv, cancellable, error);

          if (result == NULL)
            return NULL;
          g_ptr_array_add (results, result);
        }
    }
  else
    {
      names = lifeboat_archive_list_folder (folder, cancellable, error);
      if (names == NULL)
        return NULL;
      for (guint i = 0; i < names->len; i++)
        {
          LifeboatVerifyResult *result = verify_one (folder, g_ptr_array_index (names, i), NULL,
                                                     cancellable, error);

          if (result == NULL)
            return NULL;
          g_ptr_array_add (results, result);
        }
    }

  if (results->len == 0)
    {
      g_autofree char *display = g_file_get_parse_name (folder);

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                   _("%s holds no archives and no lifeboat.json: it is not a backup"), display);
      return NULL;
    }
  return g_steal_pointer (&results);
}
