/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-export"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-compress.h"
#include "lifeboat-error.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restic-export.h"
#include "lifeboat-sha256-private.h"

static gboolean
make_private_dir (GFile         *dir,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return g_file_make_directory (dir, cancellable, error) &&
         g_file_set_attribute_uint32 (dir, G_FILE_ATTRIBUTE_UNIX_MODE, 0700,
                                      G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, error);
}

static void
remove_folder (GFile *folder)
{
  g_autoptr(GFileEnumerator) e = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                            NULL, NULL);
  GFileInfo *info;
  GFile *child;

  while (e != NULL && g_file_enumerator_iterate (e, &info, &child, NULL, NULL) && info != NULL)
    g_file_delete (child, NULL, NULL);
  g_file_delete (folder, NULL, NULL);
}

/* one volume: its archive as .tar.gz, the manifest entry updated */
static gboolean
export_volume (GFile                  *backup,
               GFile                  *folder,
               LifeboatManifestVolume *mv,
               GCancellable           *cancellable,
               GError                **error)
{
  g_autoptr(GFile) source = g_file_get_child (backup, mv->archive);
  g_autofree char *key = g_strdup (mv->archive);
  g_autofree char *name = NULL;
  g_autoptr(GFile) target = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileOutputStream) file_out = NULL;
  g_autoptr(GOutputStream) hash_out = NULL;
  g_autoptr(GOutputStream) compress_out = NULL;
  g_autofree guint8 *buf = g_malloc (256 * 1024);
  struct sha256_ctx sha;
  char read_sha[LIFEBOAT_SHA256_HEX_SIZE];
  GOutputStream *top;
  guint64 copied = 0;
  gssize n;
  gboolean gzip_already = mv->compression == LIFEBOAT_COMPRESSION_GZIP;

  if (mv->compression != LIFEBOAT_COMPRESSION_NONE && !gzip_already)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s is compressed with %s; export reads uncompressed or gzip archives"),
                   mv->archive, lifeboat_compression_to_string (mv->compression));
      return FALSE;
    }

  /* "cvat_db.tar" -> "cvat_db.tar.gz" */
  name = gzip_already ? g_strdup (mv->archive) : g_strconcat (mv->archive, ".gz", NULL);
  if (g_str_has_suffix (mv->archive, ".tar"))
    key[strlen (key) - strlen (".tar")] = '\0';
  target = g_file_get_child (folder, name);

  in = g_file_read (source, cancellable, error);
  if (in == NULL)
    return FALSE;
  file_out = g_file_create (target, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (file_out == NULL)
    return FALSE;

  hash_out = lifeboat_hash_output_stream_new (G_OUTPUT_STREAM (file_out));
  g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (hash_out), FALSE);
  if (gzip_already)
    top = hash_out;
  else
    top = compress_out = lifeboat_compress_output_stream_new (hash_out,
                                                              LIFEBOAT_COMPRESSION_GZIP, 0);

  /* what is read is hashed here, to hold against the manifest */
  sha256_init (&sha);
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 256 * 1024, cancellable, error)) > 0)
    {
      sha256_update (&sha, n, buf);
      copied += n;
      if (!g_output_stream_write_all (top, buf, n, NULL, cancellable, error))
        {
          n = -1;
          break;
        }
    }
  _lifeboat_sha256_finish_hex (&sha, read_sha);
  g_input_stream_close (G_INPUT_STREAM (in), NULL, NULL);

  if (n < 0 ||
      !g_output_stream_close (top, cancellable, error) ||
      !lifeboat_hash_output_stream_sync (LIFEBOAT_HASH_OUTPUT_STREAM (hash_out), cancellable,
                                         error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (file_out), cancellable, error))
    {
      g_prefix_error (error, _("Could not export %s: "), mv->archive);
      return FALSE;
    }

  if (copied != mv->archive_bytes || mv->sha256 == NULL ||
      g_ascii_strcasecmp (read_sha, mv->sha256) != 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                   _("%s does not match its SHA-256 and size in the manifest"), mv->archive);
      return FALSE;
    }

  g_free (mv->archive);
  mv->archive = g_steal_pointer (&name);
  mv->compression = LIFEBOAT_COMPRESSION_GZIP;
  {
    LifeboatHashOutputStream *hash = LIFEBOAT_HASH_OUTPUT_STREAM (hash_out);

    mv->archive_bytes = lifeboat_hash_output_stream_get_bytes (hash);
    g_free (mv->sha256);
    mv->sha256 = g_strdup (lifeboat_hash_output_stream_get_sha256 (hash));
  }
  return TRUE;
}

gboolean
lifeboat_export_backup_sync (GFile         *backup,
                             GFile         *destination,
                             GFile        **folder_out,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(LifeboatManifest) manifest = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base = g_file_get_basename (backup);
  g_autofree char *partial_name = g_strconcat (base, ".partial", NULL);
  g_autoptr(GFile) partial = g_file_get_child (destination, partial_name);
  g_autoptr(GFile) final = g_file_get_child (destination, base);
  gboolean ok = FALSE;

  g_return_val_if_fail (G_IS_FILE (backup) && G_IS_FILE (destination), FALSE);

  manifest = lifeboat_manifest_load (backup, cancellable, error);
  if (manifest == NULL)
    return FALSE;

  if (g_file_query_exists (final, cancellable))
    {
      g_autofree char *display = g_file_get_parse_name (final);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s exists already"), display);
      return FALSE;
    }
  if (!g_file_make_directory_with_parents (destination, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!make_private_dir (partial, cancellable, error))
    return FALSE;

  for (guint i = 0; i < manifest->volumes->len; i++)
    if (!export_volume (backup, partial, g_ptr_array_index (manifest->volumes, i), cancellable,
                        error))
      goto out;

  if (!lifeboat_manifest_write (manifest, partial, cancellable, error) ||
      !g_file_move (partial, final,
                    G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                    cancellable, NULL, NULL, error))
    goto out;

  ok = TRUE;
  if (folder_out != NULL)
    *folder_out = g_steal_pointer (&final);

out:
  if (!ok)
    remove_folder (partial);
  return ok;
}
