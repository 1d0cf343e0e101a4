/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Writing GNU tar as GNU tar does: the write callback, copying an entry's data, renaming
 */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "lifeboat-archive-private.h"
#include "lifeboat-error.h"

/*
 * The write callbacks never report failure to libarchive: a writer in the FATAL state
 * leaks its buffers in libarchive 3.6. Once a write failed (or the caller gave up), the
 * rest is discarded and the caller checks for the error after each libarchive call.
 */

la_ssize_t
_lifeboat_tar_write_cb (struct archive *a,
                        void           *user_data,
                        const void     *buffer,
                        size_t          length)
{
  WriteContext *ctx = user_data;
  gsize written = 0;

  if (ctx->error != NULL || ctx->discard)
    return length;

  if (!g_output_stream_write_all (ctx->stream, buffer, length, &written,
                                  ctx->cancellable, &ctx->error))
    return length;

  ctx->bytes += written;
  if (ctx->progress != NULL)
    ctx->progress (ctx->bytes, ctx->user_data);

  return written;
}

static const char zero_block[TAR_BYTES_PER_BLOCK];

CopyResult
_lifeboat_tar_copy_entry_data (struct archive  *in,
                               struct archive  *out,
                               GError         **write_error,
                               GCancellable    *cancellable,
                               GError         **error)
{
  la_int64_t position = 0;

  for (;;)
    {
      const void *buffer;
      size_t size;
      la_int64_t offset;
      int r;

      r = archive_read_data_block (in, &buffer, &size, &offset);
      if (r == ARCHIVE_EOF)
        return COPY_OK;
      if (r < ARCHIVE_WARN)
        return COPY_READ_FAILED;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return COPY_CANCELLED;

      /* sparse entries: fill the holes */
      while (position < offset)
        {
          size_t n = MIN ((la_int64_t) sizeof zero_block, offset - position);

          if (archive_write_data (out, zero_block, n) < 0 || *write_error != NULL)
            return COPY_WRITE_FAILED;
          position += n;
        }

      if (size > 0 && (archive_write_data (out, buffer, size) < 0 || *write_error != NULL))
        return COPY_WRITE_FAILED;
      position = offset + size;
    }
}

struct archive *
_lifeboat_tar_gnutar_writer_new (void)
{
  struct archive *w = archive_write_new ();

  archive_write_set_format_gnutar (w);
  archive_write_add_filter_none (w);
  /* written in blocks of 60 KiB, but padded at the end to a 10240-byte record as GNU tar does */
  archive_write_set_bytes_per_block (w, TAR_BYTES_PER_BLOCK);
  archive_write_set_bytes_in_last_block (w, TAR_RECORD_SIZE);

  return w;
}

/* "root/rel" (+ "/" for directories) */
char *
_lifeboat_tar_renamed_path (const char *dest_root,
                            const char *rel,
                            gboolean    is_dir)
{
  return g_strconcat (dest_root,
                      *rel != '\0' ? "/" : "", rel,
                      is_dir ? "/" : "",
                      NULL);
}
