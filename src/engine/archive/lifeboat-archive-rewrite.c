/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The engine's tar stream of a volume rewritten to the guide's layout (backup)
 */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <archive.h>
#include <errno.h>
#include <string.h>

#include "lifeboat-archive-private.h"
#include "lifeboat-error.h"

static void
propagate_write_error (GError         **error,
                       struct archive  *w,
                       WriteContext    *ctx)
{
  if (ctx->error != NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&ctx->error),
                                "Could not write the archive: ");
  else
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                 "Could not write the archive: %s",
                 archive_error_string (w) != NULL ? archive_error_string (w) : "unknown error");
}

/*
 * The engine's stream must end as a tar ends: with two zero blocks. When dockerd shuts down (an
 * engine restart) it may end the HTTP response cleanly in the middle of a volume; a stream cut
 * at an entry's boundary would otherwise read as a complete, shorter archive.
 */
#define TAR_END_BYTES 1024

typedef struct
{
  ReadContext *rctx;
  guint8       tail[TAR_END_BYTES];
  gsize        tail_len;
} TailContext;

static la_ssize_t
tail_read_cb (struct archive *a,
              void           *user_data,
              const void    **buffer)
{
  TailContext *tc = user_data;
  la_ssize_t n = _lifeboat_tar_read_cb (a, tc->rctx, buffer);

  if (n >= TAR_END_BYTES)
    {
      memcpy (tc->tail, (const guint8 *) *buffer + n - TAR_END_BYTES, TAR_END_BYTES);
      tc->tail_len = TAR_END_BYTES;
    }
  else if (n > 0)
    {
      gsize keep = MIN (tc->tail_len, (gsize) (TAR_END_BYTES - n));

      memmove (tc->tail, tc->tail + tc->tail_len - keep, keep);
      memcpy (tc->tail + keep, *buffer, (gsize) n);
      tc->tail_len = keep + (gsize) n;
    }
  return n;
}

static gboolean
tail_is_tar_end (TailContext *tc)
{
  if (tc->tail_len < TAR_END_BYTES)
    return FALSE;
  for (gsize i = 0; i < TAR_END_BYTES; i++)
    if (tc->tail[i] != 0)
      return FALSE;
  return TRUE;
}

gboolean
lifeboat_archive_rewrite_tar (GInputStream                *tar_in,
                              const char                  *source_root,
                              const char                  *dest_root,
                              GOutputStream               *tar_out,
                              LifeboatArchiveProgressFunc  progress,
                              gpointer                     user_data,
                              LifeboatArchiveWriteStats   *stats,
                              GCancellable                *cancellable,
                              GError                     **error)
{
  const char *what_read = "Could not read the volume’s tar stream";
  struct archive *r = NULL;
  struct archive *w = NULL;
  ReadContext rctx;
  TailContext tail = { &rctx };
  WriteContext wctx = { 0 };
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  guint64 entries = 0;
  gboolean dotdot;
  gboolean ret = FALSE;

  g_return_val_if_fail (G_IS_INPUT_STREAM (tar_in), FALSE);
  g_return_val_if_fail (source_root != NULL, FALSE);
  g_return_val_if_fail (dest_root != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (tar_out), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  src = _lifeboat_tar_normalize_path (source_root, &dotdot);
  dst = _lifeboat_tar_normalize_path (dest_root, &dotdot);
  g_return_val_if_fail (!dotdot && dst[0] != '\0', FALSE);

  _lifeboat_tar_read_context_init (&rctx, tar_in, cancellable);
  wctx.stream = tar_out;
  wctx.cancellable = cancellable;
  wctx.progress = progress;
  wctx.user_data = user_data;

  r = _lifeboat_tar_reader_new (FALSE);
  if (archive_read_open (r, &tail, NULL, tail_read_cb, NULL) != ARCHIVE_OK)
    {
      _lifeboat_tar_propagate_read_error (error, r, &rctx, what_read);
      goto out;
    }

  w = _lifeboat_tar_gnutar_writer_new ();
  if (archive_write_open (w, &wctx, NULL, _lifeboat_tar_write_cb, NULL) != ARCHIVE_OK)
    {
      propagate_write_error (error, w, &wctx);
      goto out;
    }

  for (;;)
    {
      struct archive_entry *entry;
      g_autofree char *path = NULL;
      g_autofree char *new_path = NULL;
      const char *raw;
      const char *hardlink;
      int res;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      res = archive_read_next_header (r, &entry);
      if (res == ARCHIVE_EOF)
        {
          /* read what libarchive left after the end (its read-ahead stops at the zero blocks) */
          const void *rest;

          while (tail_read_cb (r, &tail, &rest) > 0)
            ;
          if (rctx.error == NULL && !tail_is_tar_end (&tail))
            {
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                           "%s: the engine's stream ended before the end of the archive (did "
                           "the engine stop or restart?)", what_read);
              goto out;
            }
          break;
        }
      if (res < ARCHIVE_WARN)
        {
          _lifeboat_tar_propagate_read_error (error, r, &rctx, what_read);
          goto out;
        }
      if (res == ARCHIVE_WARN)
        g_debug ("%s", archive_error_string (r));

      raw = archive_entry_pathname (entry);
      if (raw == NULL || raw[0] == '/')
        {
          g_autofree char *name = _lifeboat_tar_display_name (raw);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       "%s: unexpected entry “%s”", what_read, name);
          goto out;
        }

      path = _lifeboat_tar_normalize_path (raw, &dotdot);
      if (dotdot || !_lifeboat_tar_path_is_under (path, src))
        {
          g_autofree char *name = _lifeboat_tar_display_name (raw);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       "%s: entry “%s” is not below “%s”", what_read, name, source_root);
          goto out;
        }

      /* a job's hidden folder is never data: its restore was interrupted and not recovered */
      if (g_str_has_prefix (_lifeboat_tar_path_relative_to (path, src), ".lifeboat-restore-"))
        {
          g_autofree char *name = _lifeboat_tar_display_name (raw);

          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NEEDS_RECOVERY,
                       "%s holds “%s”, the hidden folder of an interrupted restore, which a "
                       "backup must not take for data; run “lifeboat-cli recover” first",
                       what_read, name);
          goto out;
        }

      new_path = _lifeboat_tar_renamed_path (dst, _lifeboat_tar_path_relative_to (path, src),
                                             archive_entry_filetype (entry) == AE_IFDIR);
      archive_entry_set_pathname (entry, new_path);

      hardlink = archive_entry_hardlink (entry);
      if (hardlink != NULL)
        {
          g_autofree char *link = _lifeboat_tar_normalize_path (hardlink, &dotdot);
          g_autofree char *new_link = NULL;

          if (hardlink[0] == '/' || dotdot || !_lifeboat_tar_path_is_under (link, src))
            {
              g_autofree char *name = _lifeboat_tar_display_name (raw);
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                           "%s: hard link “%s” points outside “%s”", what_read, name,
                           source_root);
              goto out;
            }

          new_link = _lifeboat_tar_renamed_path (dst, _lifeboat_tar_path_relative_to (link, src),
                                                 FALSE);
          archive_entry_set_hardlink (entry, new_link);
        }

      /* numeric owners only, as the guide's tar writes them: a restore by GNU tar must not
       * map "postgres" to whatever uid that name has in the restoring container */
      archive_entry_set_uname (entry, NULL);
      archive_entry_set_gname (entry, NULL);

      res = archive_write_header (w, entry);
      if (res < ARCHIVE_WARN || wctx.error != NULL)
        {
          propagate_write_error (error, w, &wctx);
          goto out;
        }

      switch (_lifeboat_tar_copy_entry_data (r, w, &wctx.error, cancellable, error))
        {
        case COPY_OK:
          break;
        case COPY_READ_FAILED:
          _lifeboat_tar_propagate_read_error (error, r, &rctx, what_read);
          goto out;
        case COPY_WRITE_FAILED:
          propagate_write_error (error, w, &wctx);
          goto out;
        case COPY_CANCELLED:
        default:
          goto out;
        }

      entries++;
    }

  if (archive_write_close (w) != ARCHIVE_OK || wctx.error != NULL)
    {
      propagate_write_error (error, w, &wctx);
      goto out;
    }

  if (stats != NULL)
    {
      stats->tar_bytes = wctx.bytes;
      stats->entries = entries;
    }

  ret = TRUE;

out:
  if (w != NULL)
    {
      /* no end-of-archive marker after a failure */
      wctx.discard = TRUE;
      archive_write_free (w);
    }
  if (r != NULL)
    archive_read_free (r);
  g_clear_error (&wctx.error);
  _lifeboat_tar_read_context_clear (&rctx);

  return ret;
}
