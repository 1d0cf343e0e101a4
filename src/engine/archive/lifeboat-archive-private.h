/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * What the archive files share, not for use outside archive/:
 *   lifeboat-archive-paths.c    path safety: normalising entry paths, refusing hostile entries
 *   lifeboat-archive-reader.c   reading an archive file: read-ahead thread, hashing, our own
 *                               gunzip, the libarchive reader and its read callback
 *   lifeboat-archive-writer.c   writing GNU tar: the write callback, entry copies, renames
 *   lifeboat-archive-rewrite.c  the engine's tar stream → the guide's layout (backup)
 *   lifeboat-archive-scan.c     checking an archive to its end (restore, verify)
 *   lifeboat-tar-stream.c       an archive as the tar stream a PUT sends (restore)
 *
 * Everything streams: libarchive reads through callbacks that pull from a GInputStream
 * and writes through callbacks that push to a GOutputStream (or a bounded queue), one block
 * at a time. Pathnames are kept as raw bytes: only the non-wide libarchive accessors are
 * used and the writer has no charset conversion, so non-UTF-8 names survive byte for byte.
 */

#include <archive.h>
#include <archive_entry.h>

#include "lifeboat-archive.h"
#include "lifeboat-compress-private.h"
#include "lifeboat-sha256-private.h"

G_BEGIN_DECLS

#define READ_BUFFER_SIZE      (128 * 1024)
#define READ_AHEAD_SIZE       (512 * 1024)
#define READ_AHEAD_COUNT      4
#define GUNZIP_LOOKAHEAD      (2 * 1024 * 1024)   /* raw bytes kept ahead: whole members fit */
#define GUNZIP_OUT_SIZE       (2 * 1024 * 1024)
/* a member of Lifeboat's gzip holds at most one block's input, stored or deflated */
G_STATIC_ASSERT (GUNZIP_OUT_SIZE >= LIFEBOAT_GZIP_BLOCK_SIZE);
G_STATIC_ASSERT (GUNZIP_LOOKAHEAD >= LIFEBOAT_GZIP_BLOCK_SIZE + LIFEBOAT_GZIP_BLOCK_SIZE / 8);
#define TAR_RECORD_SIZE       10240       /* GNU tar's default record size */
#define TAR_BYTES_PER_BLOCK   (6 * TAR_RECORD_SIZE)
#define MAX_SYMLINK_HOPS      40
#define PROGRESS_INTERVAL     (256 * 1024)
#define STREAM_CHUNK_SIZE     (64 * 1024)
#define STREAM_MAX_QUEUED     (8 * STREAM_CHUNK_SIZE)

/* lifeboat-archive-paths.c */

typedef struct
{
  char       *root;          /* normalised root of the volume, NULL while unknown (scan) */
  GHashTable *symlinks;      /* normalised path → raw target */
  GPtrArray  *symlink_order; /* normalised paths, in archive order (owned by @symlinks) */
  GHashTable *seen;          /* 64-bit hashes of the normalised paths of earlier entries, as
                              * pointers: a hard link must name one (millions of entries cost
                              * tens of MB, not their paths) */
} HostileCheck;

char *_lifeboat_tar_normalize_path (const char *path,
                                    gboolean   *has_dotdot);
gboolean _lifeboat_tar_path_is_under (const char *path,
                                      const char *root);
const char *_lifeboat_tar_path_relative_to (const char *path,
                                            const char *root);
char *_lifeboat_tar_display_name (const char *raw);
void _lifeboat_tar_hostile_check_init (HostileCheck *check,
                                       const char   *root);
void _lifeboat_tar_hostile_check_clear (HostileCheck *check);
gboolean _lifeboat_tar_hostile_check_entry (HostileCheck          *check,
                                            struct archive_entry  *entry,
                                            char                 **out_path,
                                            char                 **out_link,
                                            GError               **error);
gboolean _lifeboat_tar_hostile_check_finish (HostileCheck  *check,
                                             const char    *root,
                                             GError       **error);

/* lifeboat-archive-reader.c */

/* a buffer of the read-ahead thread: what one read gave (n > 0), the end (0) or a failure */
typedef struct
{
  guchar *data;
  gssize  n;
  GError *error;
} ReadChunk;

typedef struct _Gunzip Gunzip;

typedef struct
{
  GInputStream *stream;
  GCancellable *cancellable;
  gboolean      hash;           /* SHA-256 of what was read into sha */
  struct sha256_ctx sha;
  guint64       bytes;
  gboolean      eof;
  GError       *error;
  guchar       *buffer;         /* what read_cb hands to libarchive */
  guchar       *own_buffer;
  gboolean      raw_eof;        /* the stream itself ended (eof: what fill() gives ended) */

  /* gzip decoded here (see gunzip_fill) when allowed and the stream begins like gzip */
  gboolean      gunzip_allowed;
  gboolean      gunzip_decided;
  Gunzip       *gz;

  /* read-ahead: a thread reads (and hashes) READ_AHEAD_COUNT buffers ahead */
  GThread      *thread;
  GAsyncQueue  *free_chunks;
  GAsyncQueue  *full_chunks;
  ReadChunk    *current;        /* handed to libarchive, back to free_chunks on the next fill */
  ReadChunk     chunks[READ_AHEAD_COUNT];
  gint          stop;           /* atomic */
} ReadContext;

void _lifeboat_tar_read_context_init (ReadContext  *ctx,
                                      GInputStream *stream,
                                      GCancellable *cancellable);
void _lifeboat_tar_read_context_start_read_ahead (ReadContext *ctx);
void _lifeboat_tar_read_context_clear (ReadContext *ctx);
gssize _lifeboat_tar_read_context_fill (ReadContext *ctx);
la_ssize_t _lifeboat_tar_read_cb (struct archive *a,
                                  void           *user_data,
                                  const void    **buffer);
void _lifeboat_tar_propagate_read_error (GError         **error,
                                         struct archive  *a,
                                         ReadContext     *ctx,
                                         const char      *what);
struct archive *_lifeboat_tar_reader_new (gboolean read_to_end);
gboolean _lifeboat_tar_detect_compression (struct archive       *a,
                                           ReadContext          *ctx,
                                           LifeboatCompression  *compression,
                                           GError              **error);

/* lifeboat-archive-writer.c */

typedef struct
{
  GOutputStream               *stream;
  GCancellable                *cancellable;
  LifeboatArchiveProgressFunc  progress;
  gpointer                     user_data;
  guint64                      bytes;
  GError                      *error;
  gboolean                     discard;
} WriteContext;

/*
 * Copies the data of the current entry block by block. Read and write failures are left
 * to the caller to report; @write_error is where the write callback stores its error.
 */
typedef enum
{
  COPY_OK,
  COPY_READ_FAILED,
  COPY_WRITE_FAILED,
  COPY_CANCELLED,
} CopyResult;

la_ssize_t _lifeboat_tar_write_cb (struct archive *a,
                                   void           *user_data,
                                   const void     *buffer,
                                   size_t          length);
CopyResult _lifeboat_tar_copy_entry_data (struct archive  *in,
                                          struct archive  *out,
                                          GError         **write_error,
                                          GCancellable    *cancellable,
                                          GError         **error);
struct archive *_lifeboat_tar_gnutar_writer_new (void);
char *_lifeboat_tar_renamed_path (const char *dest_root,
                                  const char *rel,
                                  gboolean    is_dir);

G_END_DECLS
