/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * Output streams that compress what is written to them and write the result to a base
 * stream. Closing the returned stream finishes the compressed stream and closes @base.
 * gzip output is readable by `gzip -d` and `tar -xz` (GNU tar's restore in the guide).
 * @n_threads 0 means "as many as there are cores".
 */
GOutputStream *lifeboat_compress_output_stream_new (GOutputStream       *base,
                                                    LifeboatCompression  compression,
                                                    guint                n_threads);

/*
 * A pass-through output stream that counts the bytes written and computes their SHA-256;
 * lifeboat_hash_output_stream_sync() flushes and fsync()s the file below when it has a fd.
 */
#define LIFEBOAT_TYPE_HASH_OUTPUT_STREAM (lifeboat_hash_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatHashOutputStream, lifeboat_hash_output_stream,
                      LIFEBOAT, HASH_OUTPUT_STREAM, GFilterOutputStream)

GOutputStream *lifeboat_hash_output_stream_new        (GOutputStream            *base);
guint64        lifeboat_hash_output_stream_get_bytes  (LifeboatHashOutputStream *self);
/* valid after close; lowercase hex */
const char    *lifeboat_hash_output_stream_get_sha256 (LifeboatHashOutputStream *self);
/* flushes @self (or, once @self is closed, its base), then fsync()s the first
 * file-descriptor-based stream below it, if any; works after close with close-base-stream FALSE */
gboolean       lifeboat_hash_output_stream_sync       (LifeboatHashOutputStream  *self,
                                                       GCancellable              *cancellable,
                                                       GError                   **error);

G_END_DECLS
