/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-archive.h"
#include "lifeboat-manifest.h"

G_BEGIN_DECLS

/*
 * Reads archive @name of the backup @folder to its end (decompressed, checked as a tar,
 * hashed) and compares it with what the manifest recorded in @expected: size, SHA-256, entry
 * count and the root its entries lie under. @expected NULL (a folder made with the guide's
 * commands) checks only that the archive is whole. A mismatch is
 * LIFEBOAT_ERROR_CHECKSUM_MISMATCH naming the archive; @info (optional) gets what was read.
 * Blocking.
 */
gboolean lifeboat_verify_archive (GFile                  *folder,
                                  const char             *name,
                                  LifeboatManifestVolume *expected,
                                  LifeboatArchiveInfo    *info,
                                  GCancellable           *cancellable,
                                  GError                **error);

G_END_DECLS
