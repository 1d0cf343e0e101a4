/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <libdeflate.h>
#include <zlib.h>

#include "lifeboat-archive.h"
#include "lifeboat-compress-private.h"
#include "lifeboat-error.h"
#include "lifeboat-sha256-private.h"

/*
 * Everything here streams: libarchive reads through callbacks that pull from a GInputStream
 * and writes through callbacks that push to a GOutputStream (or a bounded queue), one block
 * at a time. Pathnames are kept as raw bytes: only the non-wide libarchive accessors are
 * used and the writer has no charset conversion, so non-UTF-8 names survive byte for byte.
 */

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

/* {{{ Paths */

/*
 * Normalises an archive path: drops empty and "." components (so "./a//b/" is "a/b") and
 * reports a ".." component. The root of an archive ("./", ".") normalises to "".
 */
static char *
normalize_path (const char *path,
                gboolean   *has_dotdot)
{
  GString *out = g_string_new (NULL);
  const char *p = path;

  *has_dotdot = FALSE;

  while (*p != '\0')
    {
      const char *end = strchr (p, '/');
      gsize len = end != NULL ? (gsize) (end - p) : strlen (p);

      if (len == 0 || (len == 1 && p[0] == '.'))
        ; /* skip */
      else if (len == 2 && p[0] == '.' && p[1] == '.')
        *has_dotdot = TRUE;
      else
        {
          if (out->len > 0)
            g_string_append_c (out, '/');
          g_string_append_len (out, p, len);
        }

      p += len;
      if (*p == '/')
        p++;
    }

  return g_string_free (out, FALSE);
}

/* both normalised; "" is the root of everything */
static gboolean
path_is_under (const char *path,
               const char *root)
{
  gsize len;

  if (*root == '\0')
    return TRUE;

  len = strlen (root);
  return strncmp (path, root, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* @path must lie under @root */
static const char *
path_relative_to (const char *path,
                  const char *root)
{
  gsize len;

  if (*root == '\0')
    return path;

  len = strlen (root);
  return path[len] == '/' ? path + len + 1 : path + len;
}

static guint
count_components (const char *normalized)
{
  guint n = 0;

  if (*normalized == '\0')
    return 0;

  for (const char *p = normalized; *p != '\0'; p++)
    if (*p == '/')
      n++;

  return n + 1;
}

/* A name fit for an error message, whatever bytes the entry holds. */
static char *
display_name (const char *raw)
{
  if (raw == NULL)
    return g_strdup ("(unnamed entry)");
  return g_utf8_make_valid (raw, -1);
}

/* }}} */

/* {{{ Hostile entry checks */

typedef struct
{
  char       *root;          /* normalised root of the volume, NULL while unknown (scan) */
  GHashTable *symlinks;      /* normalised path → raw target */
  GPtrArray  *symlink_order; /* normalised paths, in archive order (owned by @symlinks) */
  GHashTable *seen;          /* 64-bit hashes of the normalised paths of earlier entries, as
                              * pointers: a hard link must name one (millions of entries cost
                              * tens of MB, not their paths) */
} HostileCheck;

static void
hostile_check_init (HostileCheck *check,
                    const char   *root)
{
  check->root = g_strdup (root);
  check->symlinks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  check->symlink_order = g_ptr_array_new ();
  check->seen = g_hash_table_new (g_direct_hash, g_direct_equal);
}

/* FNV-1a, 64 bits; 0 is never returned so that it can be stored as a pointer key */
static gpointer
path_key (const char *normalized)
{
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037);

  for (const guchar *p = (const guchar *) normalized; *p; p++)
    {
      h ^= *p;
      h *= G_GUINT64_CONSTANT (1099511628211);
    }
  return GSIZE_TO_POINTER ((gsize) (h ? h : 1));
}

static void
hostile_check_clear (HostileCheck *check)
{
  g_clear_pointer (&check->seen, g_hash_table_unref);
  g_clear_pointer (&check->root, g_free);
  g_clear_pointer (&check->symlink_order, g_ptr_array_unref);
  g_clear_pointer (&check->symlinks, g_hash_table_unref);
}

/* The earlier symlink entry that @normalized goes through, or NULL. */
static const char *
find_symlink_prefix (HostileCheck *check,
                     const char   *normalized)
{
  g_autofree char *copy = NULL;

  if (g_hash_table_size (check->symlinks) == 0)
    return NULL;

  copy = g_strdup (normalized);
  for (char *p = strchr (copy, '/'); p != NULL; p = strchr (p + 1, '/'))
    {
      gpointer key = NULL;

      *p = '\0';
      /* return the key stored in the table, which outlives @copy */
      if (g_hash_table_lookup_extended (check->symlinks, copy, &key, NULL))
        return key;
      *p = '/';
    }

  return NULL;
}

static void
push_components (GPtrArray  *stack,
                 const char *normalized)
{
  g_auto(GStrv) parts = NULL;

  if (*normalized == '\0')
    return;

  parts = g_strsplit (normalized, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    g_ptr_array_add (stack, g_strdup (parts[i]));
}

/*
 * Queues the components of a symlink target on @pending (a stack: last element next).
 * An absolute target is only acceptable when it lies under "/" + root, the mount path.
 */
static gboolean
queue_target (GPtrArray  *stack,
              GPtrArray  *pending,
              const char *root,
              const char *target)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (target[0] == '/')
    {
      gsize root_len = strlen (root);

      if (root_len == 0 ||
          strncmp (target + 1, root, root_len) != 0 ||
          (target[1 + root_len] != '\0' && target[1 + root_len] != '/'))
        return FALSE;

      g_ptr_array_set_size (stack, 0);
      push_components (stack, root);
      target += 1 + root_len;
    }

  parts = g_strsplit (target, "/", -1);
  n = g_strv_length (parts);
  for (guint i = n; i > 0; i--)
    {
      const char *part = parts[i - 1];

      if (part[0] == '\0' || strcmp (part, ".") == 0)
        continue;
      g_ptr_array_add (pending, g_strdup (part));
    }

  return TRUE;
}

static char *
join_components (GPtrArray *stack)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < stack->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, '/');
      g_string_append (s, g_ptr_array_index (stack, i));
    }

  return g_string_free (s, FALSE);
}

/*
 * Resolves the symlink at @link_path (normalised) to @target inside the volume @root,
 * following the other symlinks of the archive on the way; FALSE when it leads outside.
 */
static gboolean
symlink_stays_inside (HostileCheck *check,
                      const char   *root,
                      const char   *link_path,
                      const char   *target)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  guint root_depth = count_components (root);
  guint hops = 0;

  push_components (stack, link_path);
  if (stack->len > 0)
    g_ptr_array_set_size (stack, stack->len - 1);

  if (!queue_target (stack, pending, root, target))
    return FALSE;

  while (pending->len > 0)
    {
      g_autofree char *comp = g_ptr_array_steal_index (pending, pending->len - 1);

      if (strcmp (comp, "..") == 0)
        {
          if (stack->len <= root_depth)
            return FALSE;
          g_ptr_array_set_size (stack, stack->len - 1);
        }
      else
        {
          g_autofree char *joined = NULL;
          const char *next;

          g_ptr_array_add (stack, g_steal_pointer (&comp));
          joined = join_components (stack);
          next = g_hash_table_lookup (check->symlinks, joined);
          if (next != NULL)
            {
              if (++hops > MAX_SYMLINK_HOPS)
                return FALSE;
              g_ptr_array_set_size (stack, stack->len - 1);
              if (!queue_target (stack, pending, root, next))
                return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
hostile_error (GError    **error,
               const char *raw,
               const char *format,
               ...) G_GNUC_PRINTF (3, 4);

static gboolean
hostile_error (GError    **error,
               const char *raw,
               const char *format,
               ...)
{
  g_autofree char *name = display_name (raw);
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOSTILE_ARCHIVE,
               "The archive is unsafe: entry “%s” %s", name, why);
  return FALSE;
}

/*
 * Checks one entry. On success sets @out_path to its normalised path and @out_link to the
 * normalised hard link target (or NULL).
 */
static gboolean
hostile_check_entry (HostileCheck          *check,
                     struct archive_entry  *entry,
                     char                 **out_path,
                     char                 **out_link,
                     GError               **error)
{
  const char *raw = archive_entry_pathname (entry);
  const char *hardlink = archive_entry_hardlink (entry);
  mode_t type = archive_entry_filetype (entry);
  g_autofree char *path = NULL;
  g_autofree char *link = NULL;
  const char *through;
  gboolean dotdot;

  if (raw == NULL || raw[0] == '\0')
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                           "The archive holds an entry without a name");
      return FALSE;
    }

  if (raw[0] == '/')
    return hostile_error (error, raw, "has an absolute path");

  path = normalize_path (raw, &dotdot);
  if (dotdot)
    return hostile_error (error, raw, "contains “..”");

  if (type == AE_IFCHR || type == AE_IFBLK)
    return hostile_error (error, raw, "is a device node");

  if (check->root != NULL && !path_is_under (path, check->root))
    return hostile_error (error, raw, "lies outside the volume’s folder “%s”", check->root);

  if ((through = find_symlink_prefix (check, path)) != NULL)
    {
      g_autofree char *link_name = display_name (through);
      return hostile_error (error, raw, "lies below the symbolic link “%s”", link_name);
    }

  if (g_hash_table_contains (check->symlinks, path) && type != AE_IFLNK)
    return hostile_error (error, raw, "replaces an earlier symbolic link");

  if (hardlink != NULL)
    {
      if (hardlink[0] == '/')
        return hostile_error (error, raw, "is a hard link to an absolute path");

      link = normalize_path (hardlink, &dotdot);
      if (dotdot || link[0] == '\0')
        return hostile_error (error, raw, "is a hard link to a path with “..”");

      if (check->root != NULL && !path_is_under (link, check->root))
        return hostile_error (error, raw, "is a hard link to outside the volume’s folder");

      if ((through = find_symlink_prefix (check, link)) != NULL)
        return hostile_error (error, raw, "is a hard link below a symbolic link");

      /* tar links to an entry written before it; anything else would link to whatever the
       * volume (or the engine) has at that path */
      if (!g_hash_table_contains (check->seen, path_key (link)))
        return hostile_error (error, raw, "is a hard link to “%s”, which is not in the archive "
                              "before it", link);
    }
  else if (type == AE_IFLNK)
    {
      const char *target = archive_entry_symlink (entry);

      if (target == NULL)
        target = "";

      if (check->root != NULL && !symlink_stays_inside (check, check->root, path, target))
        return hostile_error (error, raw, "is a symbolic link that leads outside the volume");

      if (!g_hash_table_contains (check->symlinks, path))
        {
          char *key = g_strdup (path);

          g_hash_table_insert (check->symlinks, key, g_strdup (target));
          g_ptr_array_add (check->symlink_order, key);
        }
    }

  g_hash_table_add (check->seen, path_key (path));

  *out_path = g_steal_pointer (&path);
  *out_link = g_steal_pointer (&link);
  return TRUE;
}

/* Re-checks every symlink against the final root, now that all symlinks are known. */
static gboolean
hostile_check_finish (HostileCheck  *check,
                      const char    *root,
                      GError       **error)
{
  for (guint i = 0; i < check->symlink_order->len; i++)
    {
      const char *path = g_ptr_array_index (check->symlink_order, i);
      const char *target = g_hash_table_lookup (check->symlinks, path);

      if (!symlink_stays_inside (check, root, path, target))
        return hostile_error (error, path, "is a symbolic link that leads outside the volume");
    }

  return TRUE;
}

/* }}} */

/* {{{ libarchive callbacks */

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

static void
read_context_init (ReadContext  *ctx,
                   GInputStream *stream,
                   GCancellable *cancellable)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->stream = stream;
  ctx->cancellable = cancellable;
  ctx->buffer = ctx->own_buffer = g_malloc (READ_BUFFER_SIZE);
}

static gpointer
read_ahead_thread (gpointer data)
{
  ReadContext *ctx = data;

  for (;;)
    {
      ReadChunk *chunk = g_async_queue_pop (ctx->free_chunks);

      if (g_atomic_int_get (&ctx->stop))
        return NULL;

      chunk->n = g_input_stream_read (ctx->stream, chunk->data, READ_AHEAD_SIZE,
                                      ctx->cancellable, &chunk->error);
      if (ctx->hash && chunk->n > 0)
        sha256_update (&ctx->sha, chunk->n, chunk->data);
      g_async_queue_push (ctx->full_chunks, chunk);
      if (chunk->n <= 0)
        return NULL;
    }
}

/*
 * From here on a thread of its own reads and hashes the stream while libarchive decompresses
 * and parses what was read before, so that the SHA-256 and the decoding (each about half of
 * the work on one core) overlap. ctx->sha may be read once fill() has reported the end.
 */
static void
read_context_start_read_ahead (ReadContext *ctx)
{
  ctx->free_chunks = g_async_queue_new ();
  ctx->full_chunks = g_async_queue_new ();
  for (guint i = 0; i < READ_AHEAD_COUNT; i++)
    {
      ctx->chunks[i].data = g_malloc (READ_AHEAD_SIZE);
      g_async_queue_push (ctx->free_chunks, &ctx->chunks[i]);
    }
  ctx->thread = g_thread_new ("lifeboat-read", read_ahead_thread, ctx);
}

static void gunzip_free (Gunzip *gz);

static void
read_context_clear (ReadContext *ctx)
{
  if (ctx->thread != NULL)
    {
      /* wake the thread if it waits for a free buffer; a read under way ends by itself */
      g_atomic_int_set (&ctx->stop, 1);
      g_async_queue_push (ctx->free_chunks, &ctx->chunks[0]);
      g_thread_join (ctx->thread);
      ctx->thread = NULL;
    }
  for (guint i = 0; i < READ_AHEAD_COUNT; i++)
    {
      g_clear_pointer (&ctx->chunks[i].data, g_free);
      g_clear_error (&ctx->chunks[i].error);
    }
  g_clear_pointer (&ctx->free_chunks, g_async_queue_unref);
  g_clear_pointer (&ctx->full_chunks, g_async_queue_unref);
  g_clear_pointer (&ctx->own_buffer, g_free);
  g_clear_pointer (&ctx->gz, gunzip_free);
  ctx->buffer = NULL;
  g_clear_error (&ctx->error);
}

/* The stream's next bytes into ctx->buffer: their count, 0 at its end, -1 with ctx->error. */
static gssize
read_context_fill_raw (ReadContext *ctx)
{
  gssize n;

  if (ctx->error != NULL)
    return -1;
  if (ctx->raw_eof)
    return 0;

  if (ctx->thread != NULL)
    {
      ReadChunk *chunk;

      if (ctx->current != NULL)
        g_async_queue_push (ctx->free_chunks, g_steal_pointer (&ctx->current));
      chunk = g_async_queue_pop (ctx->full_chunks);
      n = chunk->n;
      if (n < 0)
        {
          ctx->error = g_steal_pointer (&chunk->error);
          return -1;
        }
      ctx->current = chunk;
      ctx->buffer = chunk->data;
      if (n == 0)
        ctx->raw_eof = TRUE;
      ctx->bytes += n;
      return n;
    }

  ctx->buffer = ctx->own_buffer;
  n = g_input_stream_read (ctx->stream, ctx->buffer, READ_BUFFER_SIZE,
                           ctx->cancellable, &ctx->error);
  if (n < 0)
    return -1;
  if (n == 0)
    ctx->raw_eof = TRUE;

  if (ctx->hash && n > 0)
    sha256_update (&ctx->sha, n, ctx->buffer);
  ctx->bytes += n;

  return n;
}

/*
 * gzip, decoded here rather than by libarchive's zlib filter: Lifeboat's own archives are
 * members of at most LIFEBOAT_GZIP_BLOCK_SIZE (lifeboat-compress.c), which libdeflate decodes
 * whole, in about half zlib's time (and a third on database pages: measured on bench/run's
 * stack), CRC-32 and length checked. A member that does not fit (the guide's `tar -czf`
 * writes one member for the whole archive) and everything after it goes through zlib's
 * streaming inflate, which checks the same. Either way a truncated or damaged stream is an
 * error; after the last member only the end of the file may follow.
 */
struct _Gunzip
{
  struct libdeflate_decompressor *decompressor;
  z_stream  zs;
  gboolean  zlib;          /* streaming from here on */
  gboolean  zs_ready;      /* zs was initialised */
  gboolean  in_member;     /* zlib: inside a member (the end of input would truncate it) */
  guchar   *in;            /* raw bytes not decoded yet: in[in_start..in_end) */
  gsize     in_start;
  gsize     in_end;
  guchar   *out;
};

static void
gunzip_free (Gunzip *gz)
{
  if (gz->decompressor != NULL)
    libdeflate_free_decompressor (gz->decompressor);
  if (gz->zs_ready)
    inflateEnd (&gz->zs);
  g_free (gz->in);
  g_free (gz->out);
  g_free (gz);
}

static gssize
gunzip_error (ReadContext *ctx,
              const char  *message)
{
  g_set_error_literal (&ctx->error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE, message);
  return -1;
}

/* Tops the raw bytes up to @want (or the end of the stream); FALSE on a read error. */
static gboolean
gunzip_top_up (ReadContext *ctx,
               gsize        want)
{
  Gunzip *gz = ctx->gz;

  if (gz->in_start > 0 && gz->in_end - gz->in_start < want)
    {
      memmove (gz->in, gz->in + gz->in_start, gz->in_end - gz->in_start);
      gz->in_end -= gz->in_start;
      gz->in_start = 0;
    }
  while (gz->in_end - gz->in_start < want && !ctx->raw_eof)
    {
      gssize n = read_context_fill_raw (ctx);

      if (n < 0)
        return FALSE;
      /* in holds GUNZIP_LOOKAHEAD plus one raw read */
      memcpy (gz->in + gz->in_end, ctx->buffer, n);
      gz->in_end += n;
    }
  return TRUE;
}

/* Past the last member: the end of the file, or zeros up to it (as `gzip -d` takes them). */
static gssize
gunzip_trailer (ReadContext *ctx)
{
  Gunzip *gz = ctx->gz;

  for (;;)
    {
      for (gsize i = gz->in_start; i < gz->in_end; i++)
        if (gz->in[i] != 0)
          return gunzip_error (ctx, "There is data after the end of the gzip stream");
      gz->in_start = gz->in_end;
      if (ctx->raw_eof)
        return 0;
      if (!gunzip_top_up (ctx, 1))
        return -1;
    }
}

/* Decoded bytes into gz->out: their count, 0 at the end, -1 with ctx->error. */
static gssize
gunzip_fill (ReadContext *ctx)
{
  Gunzip *gz = ctx->gz;

  for (;;)
    {
      gsize avail;

      if (!gz->zlib)
        {
          size_t used = 0, produced = 0;
          enum libdeflate_result r;

          if (!gunzip_top_up (ctx, GUNZIP_LOOKAHEAD))
            return -1;
          avail = gz->in_end - gz->in_start;
          if (avail == 0)
            return 0;
          if (avail < 2 || gz->in[gz->in_start] != 0x1f || gz->in[gz->in_start + 1] != 0x8b)
            return gunzip_trailer (ctx);

          r = libdeflate_gzip_decompress_ex (gz->decompressor, gz->in + gz->in_start, avail,
                                             gz->out, GUNZIP_OUT_SIZE, &used, &produced);
          if (r == LIBDEFLATE_SUCCESS)
            {
              gz->in_start += used;
              if (produced == 0)
                continue;
              return produced;
            }
          /* too large for a whole decode, or damaged: zlib finds out and says which */
          gz->zlib = TRUE;
        }

      if (!gz->zs_ready)
        {
          if (inflateInit2 (&gz->zs, 16 + MAX_WBITS) != Z_OK)
            return gunzip_error (ctx, "Could not start the gzip decoder");
          gz->zs_ready = TRUE;
        }

      if (gz->in_start == gz->in_end && !gunzip_top_up (ctx, 1))
        return -1;
      avail = gz->in_end - gz->in_start;
      if (avail == 0)
        {
          if (gz->in_member)
            return gunzip_error (ctx, "The gzip stream is truncated");
          return 0;
        }
      if (!gz->in_member &&
          (avail < 2 || gz->in[gz->in_start] != 0x1f || gz->in[gz->in_start + 1] != 0x8b))
        {
          /* the second byte of the magic may be in the next read */
          if (avail < 2 && !ctx->raw_eof)
            {
              if (!gunzip_top_up (ctx, 2))
                return -1;
              continue;
            }
          return gunzip_trailer (ctx);
        }

      gz->zs.next_in = gz->in + gz->in_start;
      gz->zs.avail_in = avail;
      gz->zs.next_out = gz->out;
      gz->zs.avail_out = GUNZIP_OUT_SIZE;
      gz->in_member = TRUE;
      switch (inflate (&gz->zs, Z_NO_FLUSH))
        {
        case Z_STREAM_END:
          gz->in_member = FALSE;
          inflateReset (&gz->zs);
          break;
        case Z_OK:
        case Z_BUF_ERROR:   /* needs more input */
          break;
        default:
          return gunzip_error (ctx, "The gzip data is damaged");
        }
      gz->in_start = gz->in_end - gz->zs.avail_in;
      if (GUNZIP_OUT_SIZE - gz->zs.avail_out > 0)
        return GUNZIP_OUT_SIZE - gz->zs.avail_out;
      if (gz->in_start == gz->in_end && ctx->raw_eof && gz->in_member)
        return gunzip_error (ctx, "The gzip stream is truncated");
    }
}

/* What libarchive reads next into ctx->buffer: the stream itself, or gzip decoded from it. */
static gssize
read_context_fill (ReadContext *ctx)
{
  gssize n;

  if (ctx->error != NULL)
    return -1;
  if (ctx->eof)
    return 0;

  if (ctx->gunzip_allowed && !ctx->gunzip_decided)
    {
      ctx->gunzip_decided = TRUE;
      n = read_context_fill_raw (ctx);
      if (n < 0)
        return -1;
      if (n >= 3 && ctx->buffer[0] == 0x1f && ctx->buffer[1] == 0x8b && ctx->buffer[2] == 8)
        {
          ctx->gz = g_new0 (Gunzip, 1);
          ctx->gz->decompressor = libdeflate_alloc_decompressor ();
          ctx->gz->zlib = ctx->gz->decompressor == NULL;
          ctx->gz->in = g_malloc (GUNZIP_LOOKAHEAD + MAX (READ_BUFFER_SIZE, READ_AHEAD_SIZE));
          ctx->gz->out = g_malloc (GUNZIP_OUT_SIZE);
          memcpy (ctx->gz->in, ctx->buffer, n);
          ctx->gz->in_end = n;
        }
      else
        {
          if (n == 0)
            ctx->eof = TRUE;
          return n;
        }
    }

  if (ctx->gz != NULL)
    {
      n = gunzip_fill (ctx);
      if (n < 0)
        return -1;
      ctx->buffer = ctx->gz->out;
    }
  else
    n = read_context_fill_raw (ctx);

  if (n == 0)
    ctx->eof = TRUE;
  return n;
}

static la_ssize_t
read_cb (struct archive *a,
         void           *user_data,
         const void    **buffer)
{
  ReadContext *ctx = user_data;
  gssize n = read_context_fill (ctx);

  if (n < 0)
    {
      archive_set_error (a, EIO, "%s", ctx->error->message);
      return -1;
    }

  *buffer = ctx->buffer;
  return n;
}

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
 * The write callbacks never report failure to libarchive: a writer in the FATAL state
 * leaks its buffers in libarchive 3.6. Once a write failed (or the caller gave up), the
 * rest is discarded and the caller checks for the error after each libarchive call.
 */

static la_ssize_t
write_cb (struct archive *a,
          void           *user_data,
          const void     *buffer,
          size_t          length)
{
  WriteContext *ctx = user_data;
  gsize written = 0;

  if (ctx->error != NULL || ctx->discard)
    return length;

  if (!g_output_stream_write_all (ctx->stream, buffer, length, &written,
                                  ctx->cancellable, &ctx->error))
    return length;

  ctx->bytes += written;
  if (ctx->progress != NULL)
    ctx->progress (ctx->bytes, ctx->user_data);

  return written;
}

/* A read failure: the stream's own error when there is one, else the archive is bad. */
static void
propagate_read_error (GError         **error,
                      struct archive  *a,
                      ReadContext     *ctx,
                      const char      *what)
{
  if (ctx->error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&ctx->error), "%s: ", what);
      return;
    }

  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
               "%s: %s", what,
               archive_error_string (a) != NULL ? archive_error_string (a)
                                                : "the archive is truncated or corrupt");
}

static struct archive *
tar_reader_new (gboolean read_to_end)
{
  struct archive *a = archive_read_new ();

  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);    /* v7, ustar, pax and GNU */
  /*
   * Read past the end-of-archive blocks to the end of the (decompressed) data, like GNU tar
   * -i: it makes libarchive consume the compressed stream to its very end, so a truncated
   * gzip or zstd trailer is an error and not silently ignored.
   */
  if (read_to_end)
    archive_read_set_format_option (a, "tar", "read_concatenated_archives", "1");

  return a;
}

static gboolean
detect_compression (struct archive       *a,
                    ReadContext          *ctx,
                    LifeboatCompression  *compression,
                    GError              **error)
{
  int n = archive_filter_count (a);
  /* gzip that read_context_fill() decodes itself */
  gboolean found = ctx->gz != NULL;

  *compression = found ? LIFEBOAT_COMPRESSION_GZIP : LIFEBOAT_COMPRESSION_NONE;

  for (int i = 0; i < n; i++)
    {
      int code = archive_filter_code (a, i);
      LifeboatCompression c;

      if (code == ARCHIVE_FILTER_NONE)
        continue;
      else if (code == ARCHIVE_FILTER_GZIP)
        c = LIFEBOAT_COMPRESSION_GZIP;
      else if (code == ARCHIVE_FILTER_ZSTD)
        c = LIFEBOAT_COMPRESSION_ZSTD;
      else
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       "The archive is compressed with %s; Lifeboat reads gzip, zstd or "
                       "uncompressed tar archives", archive_filter_name (a, i));
          return FALSE;
        }

      if (found)
        {
          g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                               "The archive is compressed twice");
          return FALSE;
        }

      found = TRUE;
      *compression = c;
    }

  return TRUE;
}

static const char zero_block[TAR_BYTES_PER_BLOCK];

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

static CopyResult
copy_entry_data (struct archive  *in,
                 struct archive  *out,
                 GError         **write_error,
                 GCancellable    *cancellable,
                 GError         **error)
{
  la_int64_t position = 0;

  for (;;)
    {
      const void *buffer;
      size_t size;
      la_int64_t offset;
      int r;

      r = archive_read_data_block (in, &buffer, &size, &offset);
      if (r == ARCHIVE_EOF)
        return COPY_OK;
      if (r < ARCHIVE_WARN)
        return COPY_READ_FAILED;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return COPY_CANCELLED;

      /* sparse entries: fill the holes */
      while (position < offset)
        {
          size_t n = MIN ((la_int64_t) sizeof zero_block, offset - position);

          if (archive_write_data (out, zero_block, n) < 0 || *write_error != NULL)
            return COPY_WRITE_FAILED;
          position += n;
        }

      if (size > 0 && (archive_write_data (out, buffer, size) < 0 || *write_error != NULL))
        return COPY_WRITE_FAILED;
      position = offset + size;
    }
}

static struct archive *
gnutar_writer_new (void)
{
  struct archive *w = archive_write_new ();

  archive_write_set_format_gnutar (w);
  archive_write_add_filter_none (w);
  /* written in blocks of 60 KiB, but padded at the end to a 10240-byte record as GNU tar does */
  archive_write_set_bytes_per_block (w, TAR_BYTES_PER_BLOCK);
  archive_write_set_bytes_in_last_block (w, TAR_RECORD_SIZE);

  return w;
}

/* "root/rel" (+ "/" for directories) */
static char *
renamed_path (const char *dest_root,
              const char *rel,
              gboolean    is_dir)
{
  return g_strconcat (dest_root,
                      *rel != '\0' ? "/" : "", rel,
                      is_dir ? "/" : "",
                      NULL);
}

/* }}} */

/* {{{ Rewrite */

static void
propagate_write_error (GError         **error,
                       struct archive  *w,
                       WriteContext    *ctx)
{
  if (ctx->error != NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&ctx->error),
                                "Could not write the archive: ");
  else
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                 "Could not write the archive: %s",
                 archive_error_string (w) != NULL ? archive_error_string (w) : "unknown error");
}

gboolean
lifeboat_archive_rewrite_tar (GInputStream                *tar_in,
                              const char                  *source_root,
                              const char                  *dest_root,
                              GOutputStream               *tar_out,
                              LifeboatArchiveProgressFunc  progress,
                              gpointer                     user_data,
                              LifeboatArchiveWriteStats   *stats,
                              GCancellable                *cancellable,
                              GError                     **error)
{
  const char *what_read = "Could not read the volume’s tar stream";
  struct archive *r = NULL;
  struct archive *w = NULL;
  ReadContext rctx;
  WriteContext wctx = { 0 };
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  guint64 entries = 0;
  gboolean dotdot;
  gboolean ret = FALSE;

  g_return_val_if_fail (G_IS_INPUT_STREAM (tar_in), FALSE);
  g_return_val_if_fail (source_root != NULL, FALSE);
  g_return_val_if_fail (dest_root != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (tar_out), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  src = normalize_path (source_root, &dotdot);
  dst = normalize_path (dest_root, &dotdot);
  g_return_val_if_fail (!dotdot && dst[0] != '\0', FALSE);

  read_context_init (&rctx, tar_in, cancellable);
  wctx.stream = tar_out;
  wctx.cancellable = cancellable;
  wctx.progress = progress;
  wctx.user_data = user_data;

  r = tar_reader_new (FALSE);
  if (archive_read_open (r, &rctx, NULL, read_cb, NULL) != ARCHIVE_OK)
    {
      propagate_read_error (error, r, &rctx, what_read);
      goto out;
    }

  w = gnutar_writer_new ();
  if (archive_write_open (w, &wctx, NULL, write_cb, NULL) != ARCHIVE_OK)
    {
      propagate_write_error (error, w, &wctx);
      goto out;
    }

  for (;;)
    {
      struct archive_entry *entry;
      g_autofree char *path = NULL;
      g_autofree char *new_path = NULL;
      const char *raw;
      const char *hardlink;
      int res;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      res = archive_read_next_header (r, &entry);
      if (res == ARCHIVE_EOF)
        break;
      if (res < ARCHIVE_WARN)
        {
          propagate_read_error (error, r, &rctx, what_read);
          goto out;
        }
      if (res == ARCHIVE_WARN)
        g_debug ("%s", archive_error_string (r));

      raw = archive_entry_pathname (entry);
      if (raw == NULL || raw[0] == '/')
        {
          g_autofree char *name = display_name (raw);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       "%s: unexpected entry “%s”", what_read, name);
          goto out;
        }

      path = normalize_path (raw, &dotdot);
      if (dotdot || !path_is_under (path, src))
        {
          g_autofree char *name = display_name (raw);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       "%s: entry “%s” is not below “%s”", what_read, name, source_root);
          goto out;
        }

      /* a job's hidden folder is never data: its restore was interrupted and not recovered */
      if (g_str_has_prefix (path_relative_to (path, src), ".lifeboat-restore-"))
        {
          g_autofree char *name = display_name (raw);

          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NEEDS_RECOVERY,
                       "%s holds “%s”, the hidden folder of an interrupted restore, which a "
                       "backup must not take for data; run “lifeboat-cli recover” first",
                       what_read, name);
          goto out;
        }

      new_path = renamed_path (dst, path_relative_to (path, src),
                               archive_entry_filetype (entry) == AE_IFDIR);
      archive_entry_set_pathname (entry, new_path);

      hardlink = archive_entry_hardlink (entry);
      if (hardlink != NULL)
        {
          g_autofree char *link = normalize_path (hardlink, &dotdot);
          g_autofree char *new_link = NULL;

          if (hardlink[0] == '/' || dotdot || !path_is_under (link, src))
            {
              g_autofree char *name = display_name (raw);
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                           "%s: hard link “%s” points outside “%s”", what_read, name,
                           source_root);
              goto out;
            }

          new_link = renamed_path (dst, path_relative_to (link, src), FALSE);
          archive_entry_set_hardlink (entry, new_link);
        }

      /* numeric owners only, as the guide's tar writes them: a restore by GNU tar must not
       * map "postgres" to whatever uid that name has in the restoring container */
      archive_entry_set_uname (entry, NULL);
      archive_entry_set_gname (entry, NULL);

      res = archive_write_header (w, entry);
      if (res < ARCHIVE_WARN || wctx.error != NULL)
        {
          propagate_write_error (error, w, &wctx);
          goto out;
        }

      switch (copy_entry_data (r, w, &wctx.error, cancellable, error))
        {
        case COPY_OK:
          break;
        case COPY_READ_FAILED:
          propagate_read_error (error, r, &rctx, what_read);
          goto out;
        case COPY_WRITE_FAILED:
          propagate_write_error (error, w, &wctx);
          goto out;
        case COPY_CANCELLED:
        default:
          goto out;
        }

      entries++;
    }

  if (archive_write_close (w) != ARCHIVE_OK || wctx.error != NULL)
    {
      propagate_write_error (error, w, &wctx);
      goto out;
    }

  if (stats != NULL)
    {
      stats->tar_bytes = wctx.bytes;
      stats->entries = entries;
    }

  ret = TRUE;

out:
  if (w != NULL)
    {
      /* no end-of-archive marker after a failure */
      wctx.discard = TRUE;
      archive_write_free (w);
    }
  if (r != NULL)
    archive_read_free (r);
  g_clear_error (&wctx.error);
  read_context_clear (&rctx);

  return ret;
}

/* }}} */

/* {{{ Scan */

void
lifeboat_archive_info_clear (LifeboatArchiveInfo *info)
{
  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->root, g_free);
  memset (info, 0, sizeof *info);
}

typedef struct
{
  char     *first_dir;        /* normalised, or NULL when the first entry is not a directory */
  gboolean  first_dot;        /* the first entry was "." or "./" */
  gboolean  under_first;
  char     *expected;         /* normalised, or NULL */
  gboolean  under_expected;
  gboolean  seen_first;
} RootDetector;

static void
root_detector_add (RootDetector *det,
                   const char   *raw,
                   const char   *path,
                   gboolean      is_dir)
{
  if (!det->seen_first)
    {
      det->seen_first = TRUE;
      if (is_dir)
        {
          det->first_dir = g_strdup (path);
          det->first_dot = path[0] == '\0' && raw[0] == '.';
          det->under_first = TRUE;
        }
    }
  else if (det->first_dir != NULL && det->under_first)
    det->under_first = path_is_under (path, det->first_dir);

  if (det->expected != NULL && det->under_expected)
    det->under_expected = path_is_under (path, det->expected);
}

static char *
root_detector_finish (RootDetector *det)
{
  if (det->first_dir != NULL && det->under_first)
    return g_strdup (det->first_dot ? "." : det->first_dir);
  if (det->expected != NULL && det->under_expected && det->seen_first)
    return g_strdup (det->expected);
  return g_strdup ("");
}

gboolean
lifeboat_archive_scan (GFile                       *file,
                       const char                  *expected_root,
                       LifeboatArchiveInfo         *info,
                       LifeboatArchiveProgressFunc  progress,
                       gpointer                     user_data,
                       GCancellable                *cancellable,
                       GError                     **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *what = NULL;
  struct archive *a = NULL;
  ReadContext rctx;
  HostileCheck check;
  RootDetector det = { 0 };
  LifeboatCompression compression = LIFEBOAT_COMPRESSION_NONE;
  g_autofree char *root = NULL;
  g_autofree char *root_norm = NULL;
  guint64 entries = 0;
  guint64 last_progress = 0;
  gboolean dotdot;
  gboolean ret = FALSE;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autofree char *name = g_file_get_parse_name (file);
    what = g_strdup_printf ("Could not read the archive “%s”", name);
  }

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    {
      g_prefix_error (error, "%s: ", what);
      return FALSE;
    }

  read_context_init (&rctx, G_INPUT_STREAM (stream), cancellable);
  rctx.hash = TRUE;
  rctx.gunzip_allowed = TRUE;
  sha256_init (&rctx.sha);
  read_context_start_read_ahead (&rctx);
  hostile_check_init (&check, NULL);
  if (expected_root != NULL)
    {
      det.expected = normalize_path (expected_root, &dotdot);
      det.under_expected = !dotdot;
    }

  a = tar_reader_new (TRUE);
  if (archive_read_open (a, &rctx, NULL, read_cb, NULL) != ARCHIVE_OK)
    {
      propagate_read_error (error, a, &rctx, what);
      goto out;
    }

  if (!detect_compression (a, &rctx, &compression, error))
    goto out;

  for (;;)
    {
      struct archive_entry *entry;
      g_autofree char *path = NULL;
      g_autofree char *link = NULL;
      int res;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      res = archive_read_next_header (a, &entry);
      if (res == ARCHIVE_EOF)
        break;
      if (res < ARCHIVE_WARN)
        {
          propagate_read_error (error, a, &rctx, what);
          goto out;
        }

      if (!hostile_check_entry (&check, entry, &path, &link, error))
        goto out;

      root_detector_add (&det, archive_entry_pathname (entry), path,
                         archive_entry_filetype (entry) == AE_IFDIR);
      if (link != NULL)
        root_detector_add (&det, archive_entry_hardlink (entry), link, FALSE);

      for (;;)
        {
          const void *buffer;
          size_t size;
          la_int64_t offset;
          guint64 done;

          res = archive_read_data_block (a, &buffer, &size, &offset);
          if (res == ARCHIVE_EOF)
            break;
          if (res < ARCHIVE_WARN)
            {
              propagate_read_error (error, a, &rctx, what);
              goto out;
            }
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;

          done = rctx.bytes;
          if (progress != NULL && done - last_progress >= PROGRESS_INTERVAL)
            {
              last_progress = done;
              progress (done, user_data);
            }
        }

      entries++;
    }

  root = root_detector_finish (&det);
  root_norm = normalize_path (root, &dotdot);
  if (!hostile_check_finish (&check, root_norm, error))
    goto out;

  /* hash whatever libarchive did not ask for (nothing, normally) */
  while (!rctx.eof)
    {
      if (read_context_fill (&rctx) < 0)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&rctx.error), "%s: ", what);
          goto out;
        }
    }

  g_free (info->root);
  info->root = g_steal_pointer (&root);
  info->compression = compression;
  info->entries = entries;
  info->tar_bytes = archive_filter_bytes (a, 0);
  info->file_bytes = rctx.bytes;
  _lifeboat_sha256_finish_hex (&rctx.sha, info->sha256);

  if (progress != NULL)
    progress (info->file_bytes, user_data);

  ret = TRUE;

out:
  if (a != NULL)
    archive_read_free (a);
  hostile_check_clear (&check);
  g_free (det.first_dir);
  g_free (det.expected);
  read_context_clear (&rctx);
  g_input_stream_close (G_INPUT_STREAM (stream), NULL, NULL);

  return ret;
}

/* }}} */

/* {{{ Tar stream */

#define LIFEBOAT_TYPE_TAR_STREAM (lifeboat_tar_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatTarStream, lifeboat_tar_stream, LIFEBOAT, TAR_STREAM, GInputStream)

struct _LifeboatTarStream
{
  GInputStream                 parent_instance;

  /* set before the producer starts, read-only afterwards */
  GInputStream                *source;
  GCancellable                *stop;       /* cancelled to stop the producer */
  char                        *what;
  char                        *root;       /* normalised */
  char                        *dest_name;  /* normalised */
  LifeboatArchiveProgressFunc  progress;
  gpointer                     user_data;
  GThread                     *thread;

  /* protected by mutex */
  GMutex                       mutex;
  GCond                        cond;
  GQueue                       chunks;      /* GBytes */
  gsize                        queued;
  gsize                        head_offset; /* bytes of the head chunk already read */
  guint64                      produced;
  GError                      *error;
  guint                        finished : 1;
  guint                        stopping : 1;

  /* producer thread only */
  GError                      *write_error;
  gboolean                     discard;
};

G_DEFINE_FINAL_TYPE (LifeboatTarStream, lifeboat_tar_stream, G_TYPE_INPUT_STREAM)

static la_ssize_t
producer_write_cb (struct archive *a,
                   void           *user_data,
                   const void     *buffer,
                   size_t          length)
{
  LifeboatTarStream *self = user_data;
  guint64 produced;

  /* see write_cb () on why this never fails */
  if (self->discard || self->write_error != NULL)
    return length;

  g_mutex_lock (&self->mutex);
  while (!self->stopping && self->queued > 0 && self->queued + length > STREAM_MAX_QUEUED)
    g_cond_wait (&self->cond, &self->mutex);

  if (self->stopping)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error_literal (&self->write_error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "The stream was closed");
      return length;
    }

  g_queue_push_tail (&self->chunks, g_bytes_new (buffer, length));
  self->queued += length;
  self->produced += length;
  produced = self->produced;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (self->progress != NULL)
    self->progress (produced, self->user_data);

  return length;
}

static void
producer_write_error (LifeboatTarStream  *self,
                      struct archive     *w,
                      GError            **error)
{
  if (self->write_error != NULL)
    g_propagate_error (error, g_steal_pointer (&self->write_error));
  else
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED, "%s: %s",
                 self->what, archive_error_string (w));
}

static gboolean
produce (LifeboatTarStream  *self,
         GError            **error)
{
  struct archive *r = NULL;
  struct archive *w = NULL;
  ReadContext rctx;
  HostileCheck check;
  LifeboatCompression compression;
  gboolean ret = FALSE;

  read_context_init (&rctx, self->source, self->stop);
  rctx.gunzip_allowed = TRUE;
  hostile_check_init (&check, self->root);

  r = tar_reader_new (TRUE);
  if (archive_read_open (r, &rctx, NULL, read_cb, NULL) != ARCHIVE_OK)
    {
      propagate_read_error (error, r, &rctx, self->what);
      goto out;
    }

  if (!detect_compression (r, &rctx, &compression, error))
    goto out;

  w = gnutar_writer_new ();
  if (archive_write_open (w, self, NULL, producer_write_cb, NULL) != ARCHIVE_OK)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED, "%s: %s",
                   self->what, archive_error_string (w));
      goto out;
    }

  for (;;)
    {
      struct archive_entry *entry;
      g_autofree char *path = NULL;
      g_autofree char *link = NULL;
      g_autofree char *new_path = NULL;
      const char *rel;
      gboolean is_dir;
      int res;

      if (g_cancellable_set_error_if_cancelled (self->stop, error))
        goto out;

      res = archive_read_next_header (r, &entry);
      if (res == ARCHIVE_EOF)
        break;
      if (res < ARCHIVE_WARN)
        {
          propagate_read_error (error, r, &rctx, self->what);
          goto out;
        }

      if (!hostile_check_entry (&check, entry, &path, &link, error))
        goto out;

      is_dir = archive_entry_filetype (entry) == AE_IFDIR;
      rel = path_relative_to (path, self->root);
      if (rel[0] == '\0' && !is_dir && link == NULL)
        {
          g_autofree char *name = display_name (archive_entry_pathname (entry));
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       "%s: the root entry “%s” is not a directory", self->what, name);
          goto out;
        }

      new_path = renamed_path (self->dest_name, rel, is_dir);
      archive_entry_set_pathname (entry, new_path);
      if (link != NULL)
        {
          g_autofree char *new_link = NULL;

          new_link = renamed_path (self->dest_name, path_relative_to (link, self->root), FALSE);
          archive_entry_set_hardlink (entry, new_link);
        }

      if (archive_write_header (w, entry) < ARCHIVE_WARN || self->write_error != NULL)
        {
          producer_write_error (self, w, error);
          goto out;
        }

      switch (copy_entry_data (r, w, &self->write_error, self->stop, error))
        {
        case COPY_OK:
          break;
        case COPY_READ_FAILED:
          propagate_read_error (error, r, &rctx, self->what);
          goto out;
        case COPY_WRITE_FAILED:
          producer_write_error (self, w, error);
          goto out;
        case COPY_CANCELLED:
        default:
          goto out;
        }
    }

  /* every symlink again, now that the later ones are known too; before the end marker */
  if (!hostile_check_finish (&check, self->root, error))
    goto out;

  if (archive_write_close (w) != ARCHIVE_OK || self->write_error != NULL)
    {
      producer_write_error (self, w, error);
      goto out;
    }

  ret = TRUE;

out:
  if (w != NULL)
    {
      /* no end-of-archive marker after a failure */
      self->discard = TRUE;
      archive_write_free (w);
    }
  g_clear_error (&self->write_error);
  if (r != NULL)
    archive_read_free (r);
  hostile_check_clear (&check);
  read_context_clear (&rctx);

  return ret;
}

static gpointer
producer_thread (gpointer data)
{
  LifeboatTarStream *self = data;
  GError *local_error = NULL;
  gboolean ok;

  ok = produce (self, &local_error);

  g_mutex_lock (&self->mutex);
  if (!ok)
    {
      g_assert (local_error != NULL);
      self->error = local_error;
    }
  self->finished = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  return NULL;
}

static void
on_read_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  LifeboatTarStream *self = user_data;

  g_mutex_lock (&self->mutex);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static gssize
lifeboat_tar_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  LifeboatTarStream *self = LIFEBOAT_TAR_STREAM (stream);
  gulong handler = 0;
  gssize ret = -1;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_read_cancelled), self, NULL);

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      if (self->error != NULL)
        {
          g_propagate_error (error, g_error_copy (self->error));
          break;
        }

      if (!g_queue_is_empty (&self->chunks))
        {
          gsize done = 0;

          while (done < count && !g_queue_is_empty (&self->chunks))
            {
              GBytes *head = g_queue_peek_head (&self->chunks);
              gsize size;
              const guint8 *data = g_bytes_get_data (head, &size);
              gsize n = MIN (count - done, size - self->head_offset);

              memcpy ((guint8 *) buffer + done, data + self->head_offset, n);
              done += n;
              self->head_offset += n;
              self->queued -= n;

              if (self->head_offset == size)
                {
                  g_bytes_unref (g_queue_pop_head (&self->chunks));
                  self->head_offset = 0;
                }
            }

          g_cond_broadcast (&self->cond);
          ret = done;
          break;
        }

      if (self->finished)
        {
          ret = 0;
          break;
        }

      g_cond_wait (&self->cond, &self->mutex);
    }
  g_mutex_unlock (&self->mutex);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  return ret;
}

static void
lifeboat_tar_stream_stop (LifeboatTarStream *self)
{
  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_cancellable_cancel (self->stop);
  g_thread_join (g_steal_pointer (&self->thread));

  g_mutex_lock (&self->mutex);
  g_queue_clear_full (&self->chunks, (GDestroyNotify) g_bytes_unref);
  self->queued = 0;
  self->head_offset = 0;
  g_mutex_unlock (&self->mutex);
}

static gboolean
lifeboat_tar_stream_close (GInputStream  *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  LifeboatTarStream *self = LIFEBOAT_TAR_STREAM (stream);

  lifeboat_tar_stream_stop (self);

  return g_input_stream_close (self->source, NULL, error);
}

static void
lifeboat_tar_stream_dispose (GObject *object)
{
  LifeboatTarStream *self = LIFEBOAT_TAR_STREAM (object);

  /* GInputStream's dispose closes the stream, which stops the producer; be sure anyway */
  G_OBJECT_CLASS (lifeboat_tar_stream_parent_class)->dispose (object);
  lifeboat_tar_stream_stop (self);

  g_clear_object (&self->source);
  g_clear_object (&self->stop);
}

static void
lifeboat_tar_stream_finalize (GObject *object)
{
  LifeboatTarStream *self = LIFEBOAT_TAR_STREAM (object);

  g_queue_clear_full (&self->chunks, (GDestroyNotify) g_bytes_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->what, g_free);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->dest_name, g_free);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (lifeboat_tar_stream_parent_class)->finalize (object);
}

static void
lifeboat_tar_stream_class_init (LifeboatTarStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->dispose = lifeboat_tar_stream_dispose;
  object_class->finalize = lifeboat_tar_stream_finalize;

  stream_class->read_fn = lifeboat_tar_stream_read;
  stream_class->close_fn = lifeboat_tar_stream_close;
}

static void
lifeboat_tar_stream_init (LifeboatTarStream *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->chunks);
  self->stop = g_cancellable_new ();
}

GInputStream *
lifeboat_archive_open_tar_stream (GFile                       *file,
                                  const char                  *root,
                                  const char                  *dest_name,
                                  LifeboatArchiveProgressFunc  progress,
                                  gpointer                     user_data,
                                  GError                     **error)
{
  g_autoptr(LifeboatTarStream) self = NULL;
  g_autoptr(GFileInputStream) source = NULL;
  g_autofree char *name = NULL;
  gboolean dotdot_root, dotdot_dest;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (dest_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_file_get_parse_name (file);

  source = g_file_read (file, NULL, error);
  if (source == NULL)
    {
      g_prefix_error (error, "Could not read the archive “%s”: ", name);
      return NULL;
    }

  self = g_object_new (LIFEBOAT_TYPE_TAR_STREAM, NULL);
  self->source = G_INPUT_STREAM (g_steal_pointer (&source));
  self->what = g_strdup_printf ("Could not read the archive “%s”", name);
  self->root = normalize_path (root, &dotdot_root);
  self->dest_name = normalize_path (dest_name, &dotdot_dest);
  self->progress = progress;
  self->user_data = user_data;

  if (dotdot_root || dotdot_dest || self->dest_name[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid root “%s” or destination “%s”", root, dest_name);
      return NULL;
    }

  self->thread = g_thread_try_new ("lifeboat-tar-stream", producer_thread, self, error);
  if (self->thread == NULL)
    return NULL;

  return G_INPUT_STREAM (g_steal_pointer (&self));
}

/* }}} */
