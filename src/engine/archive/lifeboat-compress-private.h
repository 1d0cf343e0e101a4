/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-compress.h"

G_BEGIN_DECLS

#define LIFEBOAT_GZIP_LEVEL 1
#define LIFEBOAT_ZSTD_LEVEL 1
#define LIFEBOAT_GZIP_BLOCK_SIZE (1024 * 1024)

guint          _lifeboat_compress_resolve_threads (guint          n_threads);
/* the parallel gzip stream with a chosen block size and level, for tests and benchmarks */
GOutputStream *_lifeboat_gzip_output_stream_new   (GOutputStream *base,
                                                   guint          n_threads,
                                                   gsize          block_size,
                                                   int            level);
GOutputStream *_lifeboat_zstd_output_stream_new   (GOutputStream *base,
                                                   guint          n_threads);

G_END_DECLS
