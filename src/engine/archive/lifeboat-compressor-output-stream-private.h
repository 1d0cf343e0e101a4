/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The one write/flush/close skeleton of the compressing output streams (gzip, zstd): a
 * failure or a cancel makes the stream unusable ("failed earlier") and shuts the compressor
 * down; close() ends the compressed stream unless it failed, always closes the base stream,
 * and reports the first error. A subclass compresses, flushes, finishes and shuts down.
 */
#define LIFEBOAT_TYPE_COMPRESSOR_OUTPUT_STREAM (lifeboat_compressor_output_stream_get_type ())
G_DECLARE_DERIVABLE_TYPE (LifeboatCompressorOutputStream, lifeboat_compressor_output_stream,
                          LIFEBOAT, COMPRESSOR_OUTPUT_STREAM, GFilterOutputStream)

struct _LifeboatCompressorOutputStreamClass
{
  GFilterOutputStreamClass parent_class;

  /* compresses all of @buffer, writing to the base stream what is ready */
  gboolean (*compress) (LifeboatCompressorOutputStream  *self,
                        const void                      *buffer,
                        gsize                            count,
                        GCancellable                    *cancellable,
                        GError                         **error);
  /* writes everything compressed so far to the base stream (before the base is flushed) */
  gboolean (*flush_compressed) (LifeboatCompressorOutputStream  *self,
                                GCancellable                    *cancellable,
                                GError                         **error);
  /* ends the compressed stream (close, when nothing failed) */
  gboolean (*finish) (LifeboatCompressorOutputStream  *self,
                      GCancellable                    *cancellable,
                      GError                         **error);
  /* drops workers and buffers after a failure and at close; may be NULL */
  void     (*shutdown) (LifeboatCompressorOutputStream *self);
};

G_END_DECLS
