/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading an archive file for libarchive: a read-ahead thread that also hashes, our own
 * gunzip (libdeflate, whole members), and the libarchive reader
 */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "lifeboat-archive-private.h"
#include "lifeboat-error.h"

void
_lifeboat_tar_read_context_init (ReadContext  *ctx,
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
void
_lifeboat_tar_read_context_start_read_ahead (ReadContext *ctx)
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

void
_lifeboat_tar_read_context_clear (ReadContext *ctx)
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
gssize
_lifeboat_tar_read_context_fill (ReadContext *ctx)
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

la_ssize_t
_lifeboat_tar_read_cb (struct archive *a,
                       void           *user_data,
                       const void    **buffer)
{
  ReadContext *ctx = user_data;
  gssize n = _lifeboat_tar_read_context_fill (ctx);

  if (n < 0)
    {
      archive_set_error (a, EIO, "%s", ctx->error->message);
      return -1;
    }

  *buffer = ctx->buffer;
  return n;
}

/* A read failure: the stream's own error when there is one, else the archive is bad. */
void
_lifeboat_tar_propagate_read_error (GError         **error,
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

struct archive *
_lifeboat_tar_reader_new (gboolean read_to_end)
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

gboolean
_lifeboat_tar_detect_compression (struct archive       *a,
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
