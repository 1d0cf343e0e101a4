/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * Archive streaming: the guide-compatible .tar(.gz|.zst) files of a backup.
 *
 * Entry layout is the guide's: the volume's mount path without its leading slash,
 * e.g. "var/lib/postgresql/data/", "var/lib/postgresql/data/PG_VERSION".
 * Owners (numeric), modes, mtimes, symlinks, hard links, empty directories, non-UTF-8
 * names and long paths survive. Written in GNU tar format, as GNU tar writes it.
 */

typedef void (*LifeboatArchiveProgressFunc) (guint64  tar_bytes_done,
                                            gpointer user_data);

typedef struct
{
  guint64 tar_bytes;      /* uncompressed tar bytes written */
  guint64 entries;        /* number of entries */
} LifeboatArchiveWriteStats;

/*
 * Reads the tar stream that GET /containers/{id}/archive?path=P returns (its entries are
 * rooted at basename(P): "data/", "data/PG_VERSION", ...), renames the root @source_root
 * ("data") to @dest_root ("var/lib/postgresql/data") and writes an uncompressed tar stream
 * to @tar_out (the caller puts a compressor and a hashing stream behind it).
 * Blocking; run it in a thread. Never holds more than a buffer of data in memory.
 */
gboolean lifeboat_archive_rewrite_tar (GInputStream                *tar_in,
                                       const char                  *source_root,
                                       const char                  *dest_root,
                                       GOutputStream               *tar_out,
                                       LifeboatArchiveProgressFunc  progress,
                                       gpointer                     user_data,
                                       LifeboatArchiveWriteStats   *stats,
                                       GCancellable                *cancellable,
                                       GError                     **error);

typedef struct
{
  char                *root;            /* detected root to strip, e.g. "var/lib/postgresql/data",
                                         * "." or "" (entries are relative already) */
  LifeboatCompression  compression;     /* detected from the content, not the name */
  guint64              entries;
  guint64              tar_bytes;       /* uncompressed tar bytes */
  guint64              file_bytes;      /* bytes of the archive file */
  char                 sha256[65];      /* of the archive file, lowercase hex */
} LifeboatArchiveInfo;

void lifeboat_archive_info_clear (LifeboatArchiveInfo *info);

/*
 * Reads the whole archive at @file: hashes it, decompresses it (gzip incl. concatenated
 * members, zstd or none, detected by content), checks that it is a well-formed tar to its
 * end (a truncated or corrupt archive is LIFEBOAT_ERROR_INVALID_ARCHIVE), detects the root
 * to strip (the first entry when it is a directory that every other entry lies under; or
 * @expected_root when every entry lies under it; else "" ) and refuses hostile entries
 * (LIFEBOAT_ERROR_HOSTILE_ARCHIVE): absolute paths, "..", entries outside the root, hard
 * links to outside, symlinks that lead outside the volume, entries below a symlink,
 * device nodes. @progress is called with the bytes of @file read so far (not tar bytes: a
 * check's progress is the reading of the file), the last time with its size. Blocking.
 */
gboolean lifeboat_archive_scan (GFile                       *file,
                                const char                  *expected_root,
                                LifeboatArchiveInfo         *info,
                                LifeboatArchiveProgressFunc  progress,
                                gpointer                     user_data,
                                GCancellable                *cancellable,
                                GError                     **error);

/*
 * Opens a stream of an uncompressed tar for PUT /containers/{id}/archive?path=PARENT:
 * the entries of @file below @root are renamed to lie below @dest_name (the basename of the
 * mount path, e.g. "data"), with the same hostile-entry checks as scan. A producer thread
 * fills a bounded buffer; reading the returned stream pulls from it; an error of the
 * producer is returned by the stream's read(). @progress is called from the producer thread
 * with the uncompressed bytes produced so far.
 */
GInputStream *lifeboat_archive_open_tar_stream (GFile                       *file,
                                                const char                  *root,
                                                const char                  *dest_name,
                                                LifeboatArchiveProgressFunc  progress,
                                                gpointer                     user_data,
                                                GError                     **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LifeboatArchiveInfo, lifeboat_archive_info_clear)

/* The one list of the archive names Lifeboat reads (lifeboat-archive-names.c): the suffixes
 * ".tar.gz", ".tgz", ".tar.zst" and ".tar", NULL-terminated */
const char * const *lifeboat_archive_get_suffixes  (void);
/* "cvat_db.tar.gz" → "cvat_db", the volume key an archive's name gives; NULL when @basename
 * has none of the suffixes or nothing before it */
char               *lifeboat_archive_name_dup_key  (const char *basename);
/* TRUE when lifeboat_archive_name_dup_key() gives a key */
gboolean            lifeboat_archive_name_is_archive (const char *basename);
/* The archives of a folder made without a manifest (the guide's commands): the names of its
 * regular files that lifeboat_archive_name_is_archive() takes, sorted by name */
GPtrArray          *lifeboat_archive_list_folder   (GFile         *folder,
                                                    GCancellable  *cancellable,
                                                    GError       **error);

G_END_DECLS
