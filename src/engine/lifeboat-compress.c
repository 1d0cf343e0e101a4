/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-compress"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>
#include <gio/gfiledescriptorbased.h>
#include <zstd.h>

#include "lifeboat-compress.h"
#include "lifeboat-compress-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Hash stream                                                                                  */
/* ------------------------------------------------------------------------------------------ */

struct _LifeboatHashOutputStream
{
  GFilterOutputStream  parent_instance;

  GChecksum           *checksum;
  guint64              bytes;
  char                *sha256;
};

G_DEFINE_FINAL_TYPE (LifeboatHashOutputStream, lifeboat_hash_output_stream,
                     G_TYPE_FILTER_OUTPUT_STREAM)

static gssize
lifeboat_hash_output_stream_write (GOutputStream  *stream,
                                   const void     *buffer,
                                   gsize           count,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatHashOutputStream *self = LIFEBOAT_HASH_OUTPUT_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
  gssize n;

  n = g_output_stream_write (base, buffer, count, cancellable, error);
  if (n > 0)
    {
      /* Only what the base stream took is part of the output; the caller writes the rest again. */
      g_checksum_update (self->checksum, buffer, n);
      self->bytes += n;
    }

  return n;
}

static gboolean
lifeboat_hash_output_stream_close (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatHashOutputStream *self = LIFEBOAT_HASH_OUTPUT_STREAM (stream);

  if (self->sha256 == NULL)
    self->sha256 = g_strdup (g_checksum_get_string (self->checksum));

  /* GFilterOutputStream closes the base stream unless close-base-stream is FALSE */
  return G_OUTPUT_STREAM_CLASS (lifeboat_hash_output_stream_parent_class)->close_fn (stream,
                                                                                     cancellable,
                                                                                     error);
}

static void
lifeboat_hash_output_stream_finalize (GObject *object)
{
  LifeboatHashOutputStream *self = LIFEBOAT_HASH_OUTPUT_STREAM (object);

  g_clear_pointer (&self->checksum, g_checksum_free);
  g_clear_pointer (&self->sha256, g_free);

  G_OBJECT_CLASS (lifeboat_hash_output_stream_parent_class)->finalize (object);
}

static void
lifeboat_hash_output_stream_class_init (LifeboatHashOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_hash_output_stream_finalize;
  stream_class->write_fn = lifeboat_hash_output_stream_write;
  stream_class->close_fn = lifeboat_hash_output_stream_close;
}

static void
lifeboat_hash_output_stream_init (LifeboatHashOutputStream *self)
{
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
}

GOutputStream *
lifeboat_hash_output_stream_new (GOutputStream *base)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base), NULL);

  return g_object_new (LIFEBOAT_TYPE_HASH_OUTPUT_STREAM,
                       "base-stream", base,
                       NULL);
}

guint64
lifeboat_hash_output_stream_get_bytes (LifeboatHashOutputStream *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HASH_OUTPUT_STREAM (self), 0);

  return self->bytes;
}

const char *
lifeboat_hash_output_stream_get_sha256 (LifeboatHashOutputStream *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HASH_OUTPUT_STREAM (self), NULL);

  return self->sha256;
}

gboolean
lifeboat_hash_output_stream_sync (LifeboatHashOutputStream  *self,
                                  GCancellable              *cancellable,
                                  GError                   **error)
{
  GOutputStream *stream;

  g_return_val_if_fail (LIFEBOAT_IS_HASH_OUTPUT_STREAM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Usually called after the compressor above has closed this stream (keeping the file open) */
  stream = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));
  if (!g_output_stream_is_closed (G_OUTPUT_STREAM (self)))
    {
      if (!g_output_stream_flush (G_OUTPUT_STREAM (self), cancellable, error))
        return FALSE;
    }
  else if (!g_output_stream_is_closed (stream))
    {
      if (!g_output_stream_flush (stream, cancellable, error))
        return FALSE;
    }

  while (stream != NULL && !G_IS_FILE_DESCRIPTOR_BASED (stream) &&
         G_IS_FILTER_OUTPUT_STREAM (stream))
    stream = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));

  if (stream != NULL && G_IS_FILE_DESCRIPTOR_BASED (stream))
    {
      int fd = g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (stream));
      int res;

      do
        res = fsync (fd);
      while (res != 0 && errno == EINTR);

      /* EINVAL/EROFS: the fd is a pipe or a special file that cannot be synced */
      if (res != 0 && errno != EINVAL && errno != EROFS)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Could not write the backup to disk: %s", g_strerror (errsv));
          return FALSE;
        }
    }

  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Pass-through stream (no compression)                                                        */
/* ------------------------------------------------------------------------------------------ */

#define LIFEBOAT_TYPE_PASSTHROUGH_OUTPUT_STREAM (lifeboat_passthrough_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatPassthroughOutputStream, lifeboat_passthrough_output_stream,
                      LIFEBOAT, PASSTHROUGH_OUTPUT_STREAM, GFilterOutputStream)

struct _LifeboatPassthroughOutputStream
{
  GFilterOutputStream parent_instance;
};

G_DEFINE_FINAL_TYPE (LifeboatPassthroughOutputStream, lifeboat_passthrough_output_stream,
                     G_TYPE_FILTER_OUTPUT_STREAM)

static gssize
lifeboat_passthrough_output_stream_write (GOutputStream  *stream,
                                          const void     *buffer,
                                          gsize           count,
                                          GCancellable   *cancellable,
                                          GError        **error)
{
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));

  return g_output_stream_write (base, buffer, count, cancellable, error);
}

static void
lifeboat_passthrough_output_stream_class_init (LifeboatPassthroughOutputStreamClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = lifeboat_passthrough_output_stream_write;
}

static void
lifeboat_passthrough_output_stream_init (LifeboatPassthroughOutputStream *self)
{
}

/* ------------------------------------------------------------------------------------------ */
/* zstd                                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define LIFEBOAT_TYPE_ZSTD_OUTPUT_STREAM (lifeboat_zstd_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatZstdOutputStream, lifeboat_zstd_output_stream,
                      LIFEBOAT, ZSTD_OUTPUT_STREAM, GFilterOutputStream)

struct _LifeboatZstdOutputStream
{
  GFilterOutputStream  parent_instance;

  ZSTD_CCtx           *cctx;
  guint8              *out;
  gsize                out_size;
  gboolean             failed;
  gboolean             finished;
};

G_DEFINE_FINAL_TYPE (LifeboatZstdOutputStream, lifeboat_zstd_output_stream,
                     G_TYPE_FILTER_OUTPUT_STREAM)

static gboolean
zstd_check_usable (LifeboatZstdOutputStream  *self,
                   GError                   **error)
{
  if (self->failed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The compressed stream failed earlier");
      return FALSE;
    }
  return TRUE;
}

/* Runs ZSTD_compressStream2 until @input is consumed and, for flush/end, until zstd is done. */
static gboolean
zstd_run (LifeboatZstdOutputStream  *self,
          ZSTD_inBuffer             *input,
          ZSTD_EndDirective          mode,
          GCancellable              *cancellable,
          GError                   **error)
{
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));

  for (;;)
    {
      ZSTD_outBuffer output = { self->out, self->out_size, 0 };
      size_t remaining;

      remaining = ZSTD_compressStream2 (self->cctx, &output, input, mode);
      if (ZSTD_isError (remaining))
        {
          self->failed = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "zstd compression failed: %s", ZSTD_getErrorName (remaining));
          return FALSE;
        }

      if (output.pos > 0 &&
          !g_output_stream_write_all (base, self->out, output.pos, NULL, cancellable, error))
        {
          self->failed = TRUE;
          return FALSE;
        }

      if (mode == ZSTD_e_continue)
        {
          if (input->pos == input->size)
            return TRUE;
        }
      else if (remaining == 0 && input->pos == input->size)
        return TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          self->failed = TRUE;
          return FALSE;
        }
    }
}

static gssize
lifeboat_zstd_output_stream_write (GOutputStream  *stream,
                                   const void     *buffer,
                                   gsize           count,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (stream);
  ZSTD_inBuffer input = { buffer, count, 0 };

  if (!zstd_check_usable (self, error))
    return -1;

  if (!zstd_run (self, &input, ZSTD_e_continue, cancellable, error))
    return -1;

  return count;
}

static gboolean
lifeboat_zstd_output_stream_flush (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
  ZSTD_inBuffer input = { NULL, 0, 0 };

  if (!zstd_check_usable (self, error))
    return FALSE;

  if (!zstd_run (self, &input, ZSTD_e_flush, cancellable, error))
    return FALSE;

  return g_output_stream_flush (base, cancellable, error);
}

static gboolean
lifeboat_zstd_output_stream_close (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (stream);
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;

  if (!self->failed && !self->finished)
    {
      ZSTD_inBuffer input = { NULL, 0, 0 };

      ok = zstd_run (self, &input, ZSTD_e_end, cancellable, &local_error);
      self->finished = ok;
    }
  else if (self->failed)
    {
      ok = zstd_check_usable (self, &local_error);
    }

  /* Always close the base stream, also after an error, but report the first error. */
  if (!G_OUTPUT_STREAM_CLASS (lifeboat_zstd_output_stream_parent_class)->close_fn (stream,
                                                                                   cancellable,
                                                                                   ok ? error : NULL))
    ok = FALSE;

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ok;
}

static void
lifeboat_zstd_output_stream_finalize (GObject *object)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (object);

  g_clear_pointer (&self->cctx, ZSTD_freeCCtx);
  g_clear_pointer (&self->out, g_free);

  G_OBJECT_CLASS (lifeboat_zstd_output_stream_parent_class)->finalize (object);
}

static void
lifeboat_zstd_output_stream_class_init (LifeboatZstdOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_zstd_output_stream_finalize;
  stream_class->write_fn = lifeboat_zstd_output_stream_write;
  stream_class->flush = lifeboat_zstd_output_stream_flush;
  stream_class->close_fn = lifeboat_zstd_output_stream_close;
}

static void
lifeboat_zstd_output_stream_init (LifeboatZstdOutputStream *self)
{
  self->cctx = ZSTD_createCCtx ();
  self->out_size = ZSTD_CStreamOutSize ();
  self->out = g_malloc (self->out_size);
}

static GOutputStream *
lifeboat_zstd_output_stream_new (GOutputStream *base,
                                 guint          n_threads)
{
  LifeboatZstdOutputStream *self;
  ZSTD_bounds bounds;
  int workers = 0;

  self = g_object_new (LIFEBOAT_TYPE_ZSTD_OUTPUT_STREAM, "base-stream", base, NULL);
  g_assert (self->cctx != NULL);

  ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_compressionLevel, LIFEBOAT_ZSTD_LEVEL);
  ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_checksumFlag, 1);

  /* nbWorkers > 0 runs the compression on zstd's own threads; only when the library has them */
  bounds = ZSTD_cParam_getBounds (ZSTD_c_nbWorkers);
  if (!ZSTD_isError (bounds.error) && bounds.upperBound > 0 && n_threads > 1)
    workers = MIN ((int) n_threads, bounds.upperBound);
  if (workers > 0 && ZSTD_isError (ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_nbWorkers, workers)))
    ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_nbWorkers, 0);

  return G_OUTPUT_STREAM (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Public                                                                                       */
/* ------------------------------------------------------------------------------------------ */

guint
_lifeboat_compress_resolve_threads (guint n_threads)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  return CLAMP (n_threads, 1, 64);
}

GOutputStream *
lifeboat_compress_output_stream_new (GOutputStream       *base,
                                     LifeboatCompression  compression,
                                     guint                n_threads)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base), NULL);

  n_threads = _lifeboat_compress_resolve_threads (n_threads);

  switch (compression)
    {
    case LIFEBOAT_COMPRESSION_NONE:
      return g_object_new (LIFEBOAT_TYPE_PASSTHROUGH_OUTPUT_STREAM, "base-stream", base, NULL);

    case LIFEBOAT_COMPRESSION_ZSTD:
      return lifeboat_zstd_output_stream_new (base, n_threads);

    case LIFEBOAT_COMPRESSION_GZIP:
      {
        g_autoptr(GZlibCompressor) compressor = NULL;

        compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, LIFEBOAT_GZIP_LEVEL);
        return g_converter_output_stream_new (base, G_CONVERTER (compressor));
      }

    default:
      g_return_val_if_reached (NULL);
    }
}
