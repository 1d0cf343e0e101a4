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
