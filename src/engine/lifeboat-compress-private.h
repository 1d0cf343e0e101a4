/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-compress.h"

G_BEGIN_DECLS

#define LIFEBOAT_GZIP_LEVEL 6
#define LIFEBOAT_ZSTD_LEVEL 3

guint _lifeboat_compress_resolve_threads (guint n_threads);

G_END_DECLS
