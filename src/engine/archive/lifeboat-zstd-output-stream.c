/* SPDX-License-Identifier: GPL-3.0-or-later */
/* zstd output stream: libzstd's streaming compressor, on zstd's own threads with many cores */
#define G_LOG_DOMAIN "lifeboat-compress"

#include "config.h"

#include <zstd.h>

#include "lifeboat-compress-private.h"
#include "lifeboat-compressor-output-stream-private.h"

#define LIFEBOAT_TYPE_ZSTD_OUTPUT_STREAM (lifeboat_zstd_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatZstdOutputStream, lifeboat_zstd_output_stream,
                      LIFEBOAT, ZSTD_OUTPUT_STREAM, LifeboatCompressorOutputStream)

struct _LifeboatZstdOutputStream
{
  LifeboatCompressorOutputStream  parent_instance;

  ZSTD_CCtx                      *cctx;
  guint8                         *out;
  gsize                           out_size;
};

G_DEFINE_FINAL_TYPE (LifeboatZstdOutputStream, lifeboat_zstd_output_stream,
                     LIFEBOAT_TYPE_COMPRESSOR_OUTPUT_STREAM)

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
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "zstd compression failed: %s", ZSTD_getErrorName (remaining));
          return FALSE;
        }

      if (output.pos > 0 &&
          !g_output_stream_write_all (base, self->out, output.pos, NULL, cancellable, error))
        return FALSE;

      if (mode == ZSTD_e_continue)
        {
          if (input->pos == input->size)
            return TRUE;
        }
      else if (remaining == 0 && input->pos == input->size)
        return TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
}

static gboolean
lifeboat_zstd_output_stream_compress (LifeboatCompressorOutputStream  *stream,
                                      const void                      *buffer,
                                      gsize                            count,
                                      GCancellable                    *cancellable,
                                      GError                         **error)
{
  ZSTD_inBuffer input = { buffer, count, 0 };

  return zstd_run (LIFEBOAT_ZSTD_OUTPUT_STREAM (stream), &input, ZSTD_e_continue, cancellable,
                   error);
}

static gboolean
lifeboat_zstd_output_stream_flush_compressed (LifeboatCompressorOutputStream  *stream,
                                              GCancellable                    *cancellable,
                                              GError                         **error)
{
  ZSTD_inBuffer input = { NULL, 0, 0 };

  return zstd_run (LIFEBOAT_ZSTD_OUTPUT_STREAM (stream), &input, ZSTD_e_flush, cancellable,
                   error);
}

static gboolean
lifeboat_zstd_output_stream_finish (LifeboatCompressorOutputStream  *stream,
                                    GCancellable                    *cancellable,
                                    GError                         **error)
{
  ZSTD_inBuffer input = { NULL, 0, 0 };

  return zstd_run (LIFEBOAT_ZSTD_OUTPUT_STREAM (stream), &input, ZSTD_e_end, cancellable, error);
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
  LifeboatCompressorOutputStreamClass *compressor_class =
    LIFEBOAT_COMPRESSOR_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_zstd_output_stream_finalize;
  compressor_class->compress = lifeboat_zstd_output_stream_compress;
  compressor_class->flush_compressed = lifeboat_zstd_output_stream_flush_compressed;
  compressor_class->finish = lifeboat_zstd_output_stream_finish;
}

static void
lifeboat_zstd_output_stream_init (LifeboatZstdOutputStream *self)
{
  self->cctx = ZSTD_createCCtx ();
  self->out_size = ZSTD_CStreamOutSize ();
  self->out = g_malloc (self->out_size);
}

GOutputStream *
_lifeboat_zstd_output_stream_new (GOutputStream *base,
                                  guint          n_threads)
{
  LifeboatZstdOutputStream *self;
  ZSTD_bounds bounds;
  int workers = 0;

  self = g_object_new (LIFEBOAT_TYPE_ZSTD_OUTPUT_STREAM, "base-stream", base, NULL);
  g_assert (self->cctx != NULL);

  ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_compressionLevel, LIFEBOAT_ZSTD_LEVEL);
  ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_checksumFlag, 1);

  /*
   * nbWorkers > 0 runs the compression on zstd's own threads (only when the library has them).
   * Measured on 2 cores (bench/run): level 1 on the reader's thread is as fast as with two
   * workers, the engine's stream being the limit, and needs 19 MB of memory instead of 35;
   * with more cores, up to two workers keep up with a database-heavy stream.
   */
  bounds = ZSTD_cParam_getBounds (ZSTD_c_nbWorkers);
  if (!ZSTD_isError (bounds.error) && bounds.upperBound > 0 && n_threads > 2)
    workers = MIN (MIN ((int) n_threads - 1, 2), bounds.upperBound);
  if (workers > 0 && ZSTD_isError (ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_nbWorkers, workers)))
    ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_nbWorkers, 0);

  return G_OUTPUT_STREAM (self);
}
