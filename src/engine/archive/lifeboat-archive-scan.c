/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An archive read to its end: hashed, decompressed, its root found, hostile entries refused
 */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "lifeboat-archive-private.h"
#include "lifeboat-error.h"

void
lifeboat_archive_info_clear (LifeboatArchiveInfo *info)
{
  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->root, g_free);
  memset (info, 0, sizeof *info);
}

typedef struct
{
  char     *first_dir;        /* normalised, or NULL when the first entry is not a directory */
  gboolean  first_dot;        /* the first entry was "." or "./" */
  gboolean  under_first;
  char     *expected;         /* normalised, or NULL */
  gboolean  under_expected;
  gboolean  seen_first;
} RootDetector;

static void
root_detector_add (RootDetector *det,
                   const char   *raw,
                   const char   *path,
                   gboolean      is_dir)
{
  if (!det->seen_first)
    {
      det->seen_first = TRUE;
      if (is_dir)
        {
          det->first_dir = g_strdup (path);
          det->first_dot = path[0] == '\0' && raw[0] == '.';
          det->under_first = TRUE;
        }
    }
  else if (det->first_dir != NULL && det->under_first)
    det->under_first = _lifeboat_tar_path_is_under (path, det->first_dir);

  if (det->expected != NULL && det->under_expected)
    det->under_expected = _lifeboat_tar_path_is_under (path, det->expected);
}

static char *
root_detector_finish (RootDetector *det)
{
  if (det->first_dir != NULL && det->under_first)
    return g_strdup (det->first_dot ? "." : det->first_dir);
  if (det->expected != NULL && det->under_expected && det->seen_first)
    return g_strdup (det->expected);
  return g_strdup ("");
}

gboolean
lifeboat_archive_scan (GFile                       *file,
                       const char                  *expected_root,
                       LifeboatArchiveInfo         *info,
                       LifeboatArchiveProgressFunc  progress,
                       gpointer                     user_data,
                       GCancellable                *cancellable,
                       GError                     **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *what = NULL;
  struct archive *a = NULL;
  ReadContext rctx;
  HostileCheck check;
  RootDetector det = { 0 };
  LifeboatCompression compression = LIFEBOAT_COMPRESSION_NONE;
  g_autofree char *root = NULL;
  g_autofree char *root_norm = NULL;
  guint64 entries = 0;
  guint64 last_progress = 0;
  gboolean dotdot;
  gboolean ret = FALSE;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autofree char *name = g_file_get_parse_name (file);
    what = g_strdup_printf ("Could not read the archive “%s”", name);
  }

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    {
      g_prefix_error (error, "%s: ", what);
      return FALSE;
    }

  _lifeboat_tar_read_context_init (&rctx, G_INPUT_STREAM (stream), cancellable);
  rctx.hash = TRUE;
  rctx.gunzip_allowed = TRUE;
  sha256_init (&rctx.sha);
  _lifeboat_tar_read_context_start_read_ahead (&rctx);
  _lifeboat_tar_hostile_check_init (&check, NULL);
  if (expected_root != NULL)
    {
      det.expected = _lifeboat_tar_normalize_path (expected_root, &dotdot);
      det.under_expected = !dotdot;
    }

  a = _lifeboat_tar_reader_new (TRUE);
  if (archive_read_open (a, &rctx, NULL, _lifeboat_tar_read_cb, NULL) != ARCHIVE_OK)
    {
      _lifeboat_tar_propagate_read_error (error, a, &rctx, what);
      goto out;
    }

  if (!_lifeboat_tar_detect_compression (a, &rctx, &compression, error))
    goto out;

  for (;;)
    {
      struct archive_entry *entry;
      g_autofree char *path = NULL;
      g_autofree char *link = NULL;
      int res;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      res = archive_read_next_header (a, &entry);
      if (res == ARCHIVE_EOF)
        break;
      if (res < ARCHIVE_WARN)
        {
          _lifeboat_tar_propagate_read_error (error, a, &rctx, what);
          goto out;
        }

      if (!_lifeboat_tar_hostile_check_entry (&check, entry, &path, &link, error))
        goto out;

      root_detector_add (&det, archive_entry_pathname (entry), path,
                         archive_entry_filetype (entry) == AE_IFDIR);
      if (link != NULL)
        root_detector_add (&det, archive_entry_hardlink (entry), link, FALSE);

      for (;;)
        {
          const void *buffer;
          size_t size;
          la_int64_t offset;
          guint64 done;

          res = archive_read_data_block (a, &buffer, &size, &offset);
          if (res == ARCHIVE_EOF)
            break;
          if (res < ARCHIVE_WARN)
            {
              _lifeboat_tar_propagate_read_error (error, a, &rctx, what);
              goto out;
            }
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;

          done = rctx.bytes;
          if (progress != NULL && done - last_progress >= PROGRESS_INTERVAL)
            {
              last_progress = done;
              progress (done, user_data);
            }
        }

      entries++;
    }

  root = root_detector_finish (&det);
  root_norm = _lifeboat_tar_normalize_path (root, &dotdot);
  if (!_lifeboat_tar_hostile_check_finish (&check, root_norm, error))
    goto out;

  /* hash whatever libarchive did not ask for (nothing, normally) */
  while (!rctx.eof)
    {
      if (_lifeboat_tar_read_context_fill (&rctx) < 0)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&rctx.error), "%s: ", what);
          goto out;
        }
    }

  g_free (info->root);
  info->root = g_steal_pointer (&root);
  info->compression = compression;
  info->entries = entries;
  info->tar_bytes = archive_filter_bytes (a, 0);
  info->file_bytes = rctx.bytes;
  _lifeboat_sha256_finish_hex (&rctx.sha, info->sha256);

  if (progress != NULL)
    progress (info->file_bytes, user_data);

  ret = TRUE;

out:
  if (a != NULL)
    archive_read_free (a);
  _lifeboat_tar_hostile_check_clear (&check);
  g_free (det.first_dir);
  g_free (det.expected);
  _lifeboat_tar_read_context_clear (&rctx);
  g_input_stream_close (G_INPUT_STREAM (stream), NULL, NULL);

  return ret;
}
