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

typedef struct
{
  char    *archive;    /* the file name, e.g. "cvat_db.tar.gz" */
  char    *problem;    /* one translated sentence; NULL when the archive is whole */
  char     sha256[65]; /* of the file, lowercase hex ("" when it could not be read) */
  guint64  entries;
  guint64  tar_bytes;  /* uncompressed */
  guint64  file_bytes; /* what the archive occupies on disk */
} LifeboatVerifyResult;

void lifeboat_verify_result_free (LifeboatVerifyResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatVerifyResult, lifeboat_verify_result_free)

/*
 * Verifies a backup folder, for the window and `lifeboat-cli verify` alike: every archive
 * its lifeboat.json lists, against the manifest; a folder without one (made with the guide's
 * commands) has every archive it holds (lifeboat_archive_name_is_archive()) read to its end.
 * Returns one LifeboatVerifyResult per archive, in order, failures included (each archive is
 * checked even after one failed); *@has_manifest says which kind of folder it was. NULL with
 * @error when the folder or its manifest cannot be read, it holds no archive
 * (LIFEBOAT_ERROR_INVALID_BACKUP), or @cancellable was cancelled. Blocking.
 */
GPtrArray *lifeboat_verify_folder (GFile         *folder,
                                   gboolean      *has_manifest,
                                   GCancellable  *cancellable,
                                   GError       **error);

G_END_DECLS
