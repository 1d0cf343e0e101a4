/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The write/flush/close skeleton shared by the gzip and zstd output streams */
#define G_LOG_DOMAIN "lifeboat-compress"

#include "config.h"

#include "lifeboat-compressor-output-stream-private.h"

typedef struct
{
  gboolean failed;
} LifeboatCompressorOutputStreamPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LifeboatCompressorOutputStream,
                                     lifeboat_compressor_output_stream,
                                     G_TYPE_FILTER_OUTPUT_STREAM)

static gboolean
check_usable (LifeboatCompressorOutputStream  *self,
              GError                         **error)
{
  LifeboatCompressorOutputStreamPrivate *priv =
    lifeboat_compressor_output_stream_get_instance_private (self);

  if (priv->failed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The compressed stream failed earlier");
      return FALSE;
    }
  return TRUE;
}

static void
fail (LifeboatCompressorOutputStream *self)
{
  LifeboatCompressorOutputStreamPrivate *priv =
    lifeboat_compressor_output_stream_get_instance_private (self);
  LifeboatCompressorOutputStreamClass *klass = LIFEBOAT_COMPRESSOR_OUTPUT_STREAM_GET_CLASS (self);

  priv->failed = TRUE;
  if (klass->shutdown != NULL)
    klass->shutdown (self);
}

static gssize
lifeboat_compressor_output_stream_write (GOutputStream  *stream,
                                         const void     *buffer,
                                         gsize           count,
                                         GCancellable   *cancellable,
                                         GError        **error)
{
  LifeboatCompressorOutputStream *self = LIFEBOAT_COMPRESSOR_OUTPUT_STREAM (stream);

  if (!check_usable (self, error))
    return -1;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !LIFEBOAT_COMPRESSOR_OUTPUT_STREAM_GET_CLASS (self)->compress (self, buffer, count,
                                                                     cancellable, error))
    {
      fail (self);
      return -1;
    }

  return count;
}

static gboolean
lifeboat_compressor_output_stream_flush (GOutputStream  *stream,
                                         GCancellable   *cancellable,
                                         GError        **error)
{
  LifeboatCompressorOutputStream *self = LIFEBOAT_COMPRESSOR_OUTPUT_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));

  if (!check_usable (self, error))
    return FALSE;

  if (!LIFEBOAT_COMPRESSOR_OUTPUT_STREAM_GET_CLASS (self)->flush_compressed (self, cancellable,
                                                                             error))
    {
      fail (self);
      return FALSE;
    }

  return g_output_stream_flush (base, cancellable, error);
}

static gboolean
lifeboat_compressor_output_stream_close (GOutputStream  *stream,
                                         GCancellable   *cancellable,
                                         GError        **error)
{
  LifeboatCompressorOutputStream *self = LIFEBOAT_COMPRESSOR_OUTPUT_STREAM (stream);
  LifeboatCompressorOutputStreamPrivate *priv =
    lifeboat_compressor_output_stream_get_instance_private (self);
  LifeboatCompressorOutputStreamClass *klass = LIFEBOAT_COMPRESSOR_OUTPUT_STREAM_GET_CLASS (self);
  GOutputStreamClass *parent =
    G_OUTPUT_STREAM_CLASS (lifeboat_compressor_output_stream_parent_class);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (priv->failed)
    ok = check_usable (self, &local_error);
  else
    {
      ok = klass->finish (self, cancellable, &local_error);
      priv->failed = !ok;
    }

  if (klass->shutdown != NULL)
    klass->shutdown (self);

  /* Always close the base stream, also after an error, but report the first error. */
  if (!parent->close_fn (stream, cancellable, ok ? error : NULL))
    ok = FALSE;

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ok;
}

static void
lifeboat_compressor_output_stream_class_init (LifeboatCompressorOutputStreamClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = lifeboat_compressor_output_stream_write;
  stream_class->flush = lifeboat_compressor_output_stream_flush;
  stream_class->close_fn = lifeboat_compressor_output_stream_close;
}

static void
lifeboat_compressor_output_stream_init (LifeboatCompressorOutputStream *self)
{
}
