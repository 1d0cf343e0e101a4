/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The compressing output stream for a LifeboatCompression: gzip
 * (lifeboat-gzip-output-stream.c), zstd (lifeboat-zstd-output-stream.c) or a pass-through.
 * The hashing stream is in lifeboat-hash-output-stream.c.
 */
#define G_LOG_DOMAIN "lifeboat-compress"

#include "config.h"

#include "lifeboat-compress.h"
#include "lifeboat-compress-private.h"

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
      return _lifeboat_zstd_output_stream_new (base, n_threads);

    case LIFEBOAT_COMPRESSION_GZIP:
      return _lifeboat_gzip_output_stream_new (base, n_threads, LIFEBOAT_GZIP_BLOCK_SIZE,
                                               LIFEBOAT_GZIP_LEVEL);

    default:
      g_return_val_if_reached (NULL);
    }
}
