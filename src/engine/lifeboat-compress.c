/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-compress"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gfiledescriptorbased.h>
#include <zlib.h>
#include <zstd.h>

#include "lifeboat-compress.h"
#include "lifeboat-compress-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Hash stream                                                                                  */
/* ------------------------------------------------------------------------------------------ */

struct _LifeboatHashOutputStream
{
  GFilterOutputStream  parent_instance;

  GChecksum           *checksum;
  guint64              bytes;
  char                *sha256;
};

G_DEFINE_FINAL_TYPE (LifeboatHashOutputStream, lifeboat_hash_output_stream,
                     G_TYPE_FILTER_OUTPUT_STREAM)

static gssize
lifeboat_hash_output_stream_write (GOutputStream  *stream,
                                   const void     *buffer,
                                   gsize           count,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatHashOutputStream *self = LIFEBOAT_HASH_OUTPUT_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
  gssize n;

  n = g_output_stream_write (base, buffer, count, cancellable, error);
  if (n > 0)
    {
      /* Only what the base stream took is part of the output; the caller writes the rest again. */
      g_checksum_update (self->checksum, buffer, n);
      self->bytes += n;
    }

  return n;
}

static gboolean
lifeboat_hash_output_stream_close (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatHashOutputStream *self = LIFEBOAT_HASH_OUTPUT_STREAM (stream);

  if (self->sha256 == NULL)
    self->sha256 = g_strdup (g_checksum_get_string (self->checksum));

  /* GFilterOutputStream closes the base stream unless close-base-stream is FALSE */
  return G_OUTPUT_STREAM_CLASS (lifeboat_hash_output_stream_parent_class)->close_fn (stream,
                                                                                     cancellable,
                                                                                     error);
}

static void
lifeboat_hash_output_stream_finalize (GObject *object)
{
  LifeboatHashOutputStream *self = LIFEBOAT_HASH_OUTPUT_STREAM (object);

  g_clear_pointer (&self->checksum, g_checksum_free);
  g_clear_pointer (&self->sha256, g_free);

  G_OBJECT_CLASS (lifeboat_hash_output_stream_parent_class)->finalize (object);
}

static void
lifeboat_hash_output_stream_class_init (LifeboatHashOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_hash_output_stream_finalize;
  stream_class->write_fn = lifeboat_hash_output_stream_write;
  stream_class->close_fn = lifeboat_hash_output_stream_close;
}

static void
lifeboat_hash_output_stream_init (LifeboatHashOutputStream *self)
{
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
}

GOutputStream *
lifeboat_hash_output_stream_new (GOutputStream *base)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base), NULL);

  return g_object_new (LIFEBOAT_TYPE_HASH_OUTPUT_STREAM,
                       "base-stream", base,
                       NULL);
}

guint64
lifeboat_hash_output_stream_get_bytes (LifeboatHashOutputStream *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HASH_OUTPUT_STREAM (self), 0);

  return self->bytes;
}

const char *
lifeboat_hash_output_stream_get_sha256 (LifeboatHashOutputStream *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HASH_OUTPUT_STREAM (self), NULL);

  return self->sha256;
}

gboolean
lifeboat_hash_output_stream_sync (LifeboatHashOutputStream  *self,
                                  GCancellable              *cancellable,
                                  GError                   **error)
{
  GOutputStream *stream;

  g_return_val_if_fail (LIFEBOAT_IS_HASH_OUTPUT_STREAM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Usually called after the compressor above has closed this stream (keeping the file open) */
  stream = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));
  if (!g_output_stream_is_closed (G_OUTPUT_STREAM (self)))
    {
      if (!g_output_stream_flush (G_OUTPUT_STREAM (self), cancellable, error))
        return FALSE;
    }
  else if (!g_output_stream_is_closed (stream))
    {
      if (!g_output_stream_flush (stream, cancellable, error))
        return FALSE;
    }

  while (stream != NULL && !G_IS_FILE_DESCRIPTOR_BASED (stream) &&
         G_IS_FILTER_OUTPUT_STREAM (stream))
    stream = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));

  if (stream != NULL && G_IS_FILE_DESCRIPTOR_BASED (stream))
    {
      int fd = g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (stream));
      int res;

      do
        res = fsync (fd);
      while (res != 0 && errno == EINTR);

      /* EINVAL/EROFS: the fd is a pipe or a special file that cannot be synced */
      if (res != 0 && errno != EINVAL && errno != EROFS)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Could not write the backup to disk: %s", g_strerror (errsv));
          return FALSE;
        }
    }

  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Pass-through stream (no compression)                                                        */
/* ------------------------------------------------------------------------------------------ */

#define LIFEBOAT_TYPE_PASSTHROUGH_OUTPUT_STREAM (lifeboat_passthrough_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatPassthroughOutputStream, lifeboat_passthrough_output_stream,
                      LIFEBOAT, PASSTHROUGH_OUTPUT_STREAM, GFilterOutputStream)

struct _LifeboatPassthroughOutputStream
{
  GFilterOutputStream parent_instance;
};

G_DEFINE_FINAL_TYPE (LifeboatPassthroughOutputStream, lifeboat_passthrough_output_stream,
                     G_TYPE_FILTER_OUTPUT_STREAM)

static gssize
lifeboat_passthrough_output_stream_write (GOutputStream  *stream,
                                          const void     *buffer,
                                          gsize           count,
                                          GCancellable   *cancellable,
                                          GError        **error)
{
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));

  return g_output_stream_write (base, buffer, count, cancellable, error);
}

static void
lifeboat_passthrough_output_stream_class_init (LifeboatPassthroughOutputStreamClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = lifeboat_passthrough_output_stream_write;
}

static void
lifeboat_passthrough_output_stream_init (LifeboatPassthroughOutputStream *self)
{
}

/* ------------------------------------------------------------------------------------------ */
/* zstd                                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define LIFEBOAT_TYPE_ZSTD_OUTPUT_STREAM (lifeboat_zstd_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatZstdOutputStream, lifeboat_zstd_output_stream,
                      LIFEBOAT, ZSTD_OUTPUT_STREAM, GFilterOutputStream)

struct _LifeboatZstdOutputStream
{
  GFilterOutputStream  parent_instance;

  ZSTD_CCtx           *cctx;
  guint8              *out;
  gsize                out_size;
  gboolean             failed;
  gboolean             finished;
};

G_DEFINE_FINAL_TYPE (LifeboatZstdOutputStream, lifeboat_zstd_output_stream,
                     G_TYPE_FILTER_OUTPUT_STREAM)

static gboolean
zstd_check_usable (LifeboatZstdOutputStream  *self,
                   GError                   **error)
{
  if (self->failed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The compressed stream failed earlier");
      return FALSE;
    }
  return TRUE;
}

/* Runs ZSTD_compressStream2 until @input is consumed and, for flush/end, until zstd is done. */
static gboolean
zstd_run (LifeboatZstdOutputStream  *self,
          ZSTD_inBuffer             *input,
          ZSTD_EndDirective          mode,
          GCancellable              *cancellable,
          GError                   **error)
{
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));

  for (;;)
    {
      ZSTD_outBuffer output = { self->out, self->out_size, 0 };
      size_t remaining;

      remaining = ZSTD_compressStream2 (self->cctx, &output, input, mode);
      if (ZSTD_isError (remaining))
        {
          self->failed = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "zstd compression failed: %s", ZSTD_getErrorName (remaining));
          return FALSE;
        }

      if (output.pos > 0 &&
          !g_output_stream_write_all (base, self->out, output.pos, NULL, cancellable, error))
        {
          self->failed = TRUE;
          return FALSE;
        }

      if (mode == ZSTD_e_continue)
        {
          if (input->pos == input->size)
            return TRUE;
        }
      else if (remaining == 0 && input->pos == input->size)
        return TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          self->failed = TRUE;
          return FALSE;
        }
    }
}

static gssize
lifeboat_zstd_output_stream_write (GOutputStream  *stream,
                                   const void     *buffer,
                                   gsize           count,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (stream);
  ZSTD_inBuffer input = { buffer, count, 0 };

  if (!zstd_check_usable (self, error))
    return -1;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      self->failed = TRUE;
      return -1;
    }

  if (!zstd_run (self, &input, ZSTD_e_continue, cancellable, error))
    return -1;

  return count;
}

static gboolean
lifeboat_zstd_output_stream_flush (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
  ZSTD_inBuffer input = { NULL, 0, 0 };

  if (!zstd_check_usable (self, error))
    return FALSE;

  if (!zstd_run (self, &input, ZSTD_e_flush, cancellable, error))
    return FALSE;

  return g_output_stream_flush (base, cancellable, error);
}

static gboolean
lifeboat_zstd_output_stream_close (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (stream);
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;

  if (!self->failed && !self->finished)
    {
      ZSTD_inBuffer input = { NULL, 0, 0 };

      ok = zstd_run (self, &input, ZSTD_e_end, cancellable, &local_error);
      self->finished = ok;
    }
  else if (self->failed)
    {
      ok = zstd_check_usable (self, &local_error);
    }

  /* Always close the base stream, also after an error, but report the first error. */
  if (!G_OUTPUT_STREAM_CLASS (lifeboat_zstd_output_stream_parent_class)->close_fn (stream,
                                                                                   cancellable,
                                                                                   ok ? error : NULL))
    ok = FALSE;

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ok;
}

static void
lifeboat_zstd_output_stream_finalize (GObject *object)
{
  LifeboatZstdOutputStream *self = LIFEBOAT_ZSTD_OUTPUT_STREAM (object);

  g_clear_pointer (&self->cctx, ZSTD_freeCCtx);
  g_clear_pointer (&self->out, g_free);

  G_OBJECT_CLASS (lifeboat_zstd_output_stream_parent_class)->finalize (object);
}

static void
lifeboat_zstd_output_stream_class_init (LifeboatZstdOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_zstd_output_stream_finalize;
  stream_class->write_fn = lifeboat_zstd_output_stream_write;
  stream_class->flush = lifeboat_zstd_output_stream_flush;
  stream_class->close_fn = lifeboat_zstd_output_stream_close;
}

static void
lifeboat_zstd_output_stream_init (LifeboatZstdOutputStream *self)
{
  self->cctx = ZSTD_createCCtx ();
  self->out_size = ZSTD_CStreamOutSize ();
  self->out = g_malloc (self->out_size);
}

static GOutputStream *
lifeboat_zstd_output_stream_new (GOutputStream *base,
                                 guint          n_threads)
{
  LifeboatZstdOutputStream *self;
  ZSTD_bounds bounds;
  int workers = 0;

  self = g_object_new (LIFEBOAT_TYPE_ZSTD_OUTPUT_STREAM, "base-stream", base, NULL);
  g_assert (self->cctx != NULL);

  ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_compressionLevel, LIFEBOAT_ZSTD_LEVEL);
  ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_checksumFlag, 1);

  /* nbWorkers > 0 runs the compression on zstd's own threads; only when the library has them */
  bounds = ZSTD_cParam_getBounds (ZSTD_c_nbWorkers);
  if (!ZSTD_isError (bounds.error) && bounds.upperBound > 0 && n_threads > 1)
    workers = MIN ((int) n_threads, bounds.upperBound);
  if (workers > 0 && ZSTD_isError (ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_nbWorkers, workers)))
    ZSTD_CCtx_setParameter (self->cctx, ZSTD_c_nbWorkers, 0);

  return G_OUTPUT_STREAM (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Parallel gzip                                                                               */
/*                                                                                             */
/* Like pigz: the input is cut into blocks that worker threads compress as raw deflate, each   */
/* primed with the 32 KiB before it (deflateSetDictionary) and ended with a sync flush, so the  */
/* blocks join into one deflate stream; the last block ends it. The caller's thread writes the */
/* gzip header, the blocks in order and the trailer (CRC-32 combined with crc32_combine).      */
/* At most max_in_flight blocks exist at once: write() waits for the oldest when that many are */
/* queued, so memory does not grow with the input. Stretches that look incompressible (byte    */
/* histogram close to uniform: compressed media) are emitted as stored blocks.                 */
/* ------------------------------------------------------------------------------------------ */

#define GZ_WINDOW    (32 * 1024)
#define GZ_SUB_CHUNK (32 * 1024)

typedef struct
{
  guint8   *in;
  gsize     in_len;
  guint8   *dict;
  gsize     dict_len;
  gboolean  last;

  /* set by the worker; read after done under the stream's mutex */
  guint8   *out;
  gsize     out_len;
  gsize     out_cap;
  guint32   crc;
  char     *error;
  gboolean  done;
} GzJob;

typedef struct
{
  GMutex        mutex;
  GCond         cond;
  gint          abort;   /* atomic: workers skip the work once set */
  int           level;
} GzShared;

#define LIFEBOAT_TYPE_GZIP_OUTPUT_STREAM (lifeboat_gzip_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatGzipOutputStream, lifeboat_gzip_output_stream,
                      LIFEBOAT, GZIP_OUTPUT_STREAM, GFilterOutputStream)

struct _LifeboatGzipOutputStream
{
  GFilterOutputStream  parent_instance;

  GzShared             shared;
  GThreadPool         *pool;
  GQueue               in_flight;      /* GzJob, oldest first */
  guint                max_in_flight;
  gsize                block_size;

  GzJob               *current;        /* being filled by write() */
  guint8               window[GZ_WINDOW]; /* the last input bytes before current */
  gsize                window_len;

  guint32              crc;
  guint64              total_in;
  gboolean             header_written;
  gboolean             failed;
  gboolean             finished;
};

G_DEFINE_FINAL_TYPE (LifeboatGzipOutputStream, lifeboat_gzip_output_stream,
                     G_TYPE_FILTER_OUTPUT_STREAM)

static void
gz_job_free (GzJob *job)
{
  g_free (job->in);
  g_free (job->dict);
  g_free (job->out);
  g_free (job->error);
  g_free (job);
}

/* Rényi-2 "effective alphabet" of the bytes: close to 256 only for data that is already
 * compressed or encrypted, where deflate cannot gain more than a percent or two. */
static gboolean
gz_looks_incompressible (const guint8 *data,
                         gsize         len)
{
  guint32 hist[256] = { 0 };
  guint64 sum_sq = 0;

  if (len < 4096)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    hist[data[i]]++;
  for (guint i = 0; i < 256; i++)
    sum_sq += (guint64) hist[i] * hist[i];

  /* len² / Σh² > 240  ⇔  len² > 240 Σh² */
  return (guint64) len * len > 240 * sum_sq;
}

static void
gz_job_reserve (GzJob    *job,
                z_stream *strm,
                gsize     min_free)
{
  gsize used = strm->next_out - job->out;

  if (strm->avail_out >= min_free)
    return;

  job->out_cap = MAX (job->out_cap * 2, used + min_free);
  job->out = g_realloc (job->out, job->out_cap);
  strm->next_out = job->out + used;
  strm->avail_out = job->out_cap - used;
}

static gboolean
gz_deflate (GzJob    *job,
            z_stream *strm,
            int       flush)
{
  for (guint guard = 0; guard < 1000000; guard++)
    {
      int ret;

      gz_job_reserve (job, strm, 1024);
      ret = deflate (strm, flush);
      if (ret == Z_STREAM_ERROR)
        return FALSE;
      if (flush == Z_FINISH)
        {
          if (ret == Z_STREAM_END)
            return TRUE;
        }
      else if (strm->avail_in == 0 && strm->avail_out > 0)
        return TRUE;
    }
  return FALSE;
}

static void
gz_compress_job (GzJob *job,
                 int    level)
{
  z_stream strm = { 0 };
  int current_level = level;
  gsize pos = 0;

  job->crc = crc32 (0, job->in, job->in_len);

  if (deflateInit2 (&strm, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    {
      job->error = g_strdup ("Could not start the gzip compressor");
      return;
    }

  if (job->dict_len > 0)
    deflateSetDictionary (&strm, job->dict, job->dict_len);

  job->out_cap = deflateBound (&strm, job->in_len) + 5 * (job->in_len / GZ_SUB_CHUNK + 2) + 64;
  job->out = g_malloc (job->out_cap);
  job->out_len = 0;
  strm.next_out = job->out;
  strm.avail_out = job->out_cap;

  do
    {
      gsize chunk = MIN (GZ_SUB_CHUNK, job->in_len - pos);
      gboolean end = pos + chunk == job->in_len;
      int want = gz_looks_incompressible (job->in + pos, chunk) ? Z_NO_COMPRESSION : level;
      int flush = end ? (job->last ? Z_FINISH : Z_SYNC_FLUSH) : Z_NO_FLUSH;

      if (want != current_level)
        {
          int ret = Z_BUF_ERROR;

          /* deflateParams() emits what is pending with the old level first */
          for (guint tries = 0; tries < 16 && ret == Z_BUF_ERROR; tries++)
            {
              gz_job_reserve (job, &strm, 2 * GZ_SUB_CHUNK + 1024);
              ret = deflateParams (&strm, want, Z_DEFAULT_STRATEGY);
            }
          if (ret == Z_OK)
            current_level = want;
        }

      strm.next_in = job->in + pos;
      strm.avail_in = chunk;
      if (!gz_deflate (job, &strm, flush))
        {
          job->error = g_strdup_printf ("gzip compression failed: %s",
                                        strm.msg ? strm.msg : "internal error");
          break;
        }
      pos += chunk;
    }
  while (pos < job->in_len);

  job->out_len = strm.next_out - job->out;
  deflateEnd (&strm);
}

static void
gz_worker (gpointer data,
           gpointer user_data)
{
  GzJob *job = data;
  GzShared *shared = user_data;

  if (!g_atomic_int_get (&shared->abort))
    gz_compress_job (job, shared->level);

  g_mutex_lock (&shared->mutex);
  job->done = TRUE;
  g_cond_broadcast (&shared->cond);
  g_mutex_unlock (&shared->mutex);
}

static gboolean
gz_write_header (LifeboatGzipOutputStream  *self,
                 GCancellable              *cancellable,
                 GError                   **error)
{
  /* magic, deflate, no flags, no mtime, no extra flags, OS = Unix */
  static const guint8 header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));

  if (self->header_written)
    return TRUE;
  if (!g_output_stream_write_all (base, header, sizeof header, NULL, cancellable, error))
    return FALSE;
  self->header_written = TRUE;
  return TRUE;
}

/* Writes finished blocks in order; waits for the oldest while more than @keep are in flight. */
static gboolean
gz_drain (LifeboatGzipOutputStream  *self,
          guint                      keep,
          GCancellable              *cancellable,
          GError                   **error)
{
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));

  for (;;)
    {
      GzJob *job = g_queue_peek_head (&self->in_flight);
      gboolean done;

      if (job == NULL)
        return TRUE;

      g_mutex_lock (&self->shared.mutex);
      if (self->in_flight.length > keep)
        {
          while (!job->done)
            g_cond_wait (&self->shared.cond, &self->shared.mutex);
        }
      done = job->done;
      g_mutex_unlock (&self->shared.mutex);

      if (!done)
        return TRUE;

      g_queue_pop_head (&self->in_flight);

      if (job->error != NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, job->error);
          gz_job_free (job);
          return FALSE;
        }

      if (!gz_write_header (self, cancellable, error) ||
          !g_output_stream_write_all (base, job->out, job->out_len, NULL, cancellable, error))
        {
          gz_job_free (job);
          return FALSE;
        }

      self->crc = crc32_combine (self->crc, job->crc, job->in_len);
      self->total_in += job->in_len;
      gz_job_free (job);
    }
}

static GzJob *
gz_job_new (LifeboatGzipOutputStream *self)
{
  GzJob *job = g_new0 (GzJob, 1);

  job->in = g_malloc (self->block_size);
  if (self->window_len > 0)
    {
      job->dict = g_memdup2 (self->window + GZ_WINDOW - self->window_len, self->window_len);
      job->dict_len = self->window_len;
    }
  return job;
}

/* Hands the current block to the workers and starts a new one. */
static gboolean
gz_submit (LifeboatGzipOutputStream  *self,
           gboolean                   last,
           GCancellable              *cancellable,
           GError                   **error)
{
  GzJob *job = g_steal_pointer (&self->current);
  gsize keep;

  job->last = last;

  /* the next block's dictionary: the last 32 KiB of input so far */
  keep = MIN (job->in_len, GZ_WINDOW);
  if (keep < GZ_WINDOW)
    {
      gsize old = MIN (self->window_len, GZ_WINDOW - keep);

      memmove (self->window + GZ_WINDOW - keep - old, self->window + GZ_WINDOW - old, old);
      self->window_len = old + keep;
    }
  else
    self->window_len = GZ_WINDOW;
  memcpy (self->window + GZ_WINDOW - keep, job->in + job->in_len - keep, keep);

  g_queue_push_tail (&self->in_flight, job);
  if (!g_thread_pool_push (self->pool, job, NULL))
    gz_worker (job, &self->shared);   /* no thread could be started: compress it here */

  if (!last)
    self->current = gz_job_new (self);

  return gz_drain (self, self->max_in_flight - 1, cancellable, error);
}

static gboolean
gz_check_usable (LifeboatGzipOutputStream  *self,
                 GError                   **error)
{
  if (self->failed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The compressed stream failed earlier");
      return FALSE;
    }
  return TRUE;
}

/* Stops the workers, waits for them and drops every block. */
static void
gz_shutdown (LifeboatGzipOutputStream *self)
{
  GzJob *job;

  g_atomic_int_set (&self->shared.abort, TRUE);
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  while ((job = g_queue_pop_head (&self->in_flight)))
    gz_job_free (job);
  g_clear_pointer (&self->current, gz_job_free);
}

static gssize
lifeboat_gzip_output_stream_write (GOutputStream  *stream,
                                   const void     *buffer,
                                   gsize           count,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatGzipOutputStream *self = LIFEBOAT_GZIP_OUTPUT_STREAM (stream);
  const guint8 *data = buffer;
  gsize pos = 0;

  if (!gz_check_usable (self, error))
    return -1;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      self->failed = TRUE;
      gz_shutdown (self);
      return -1;
    }

  while (pos < count)
    {
      GzJob *job = self->current;
      gsize n = MIN (count - pos, self->block_size - job->in_len);

      memcpy (job->in + job->in_len, data + pos, n);
      job->in_len += n;
      pos += n;

      if (job->in_len == self->block_size)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !gz_submit (self, FALSE, cancellable, error))
            {
              self->failed = TRUE;
              gz_shutdown (self);
              return -1;
            }
        }
    }

  return count;
}

static gboolean
lifeboat_gzip_output_stream_flush (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatGzipOutputStream *self = LIFEBOAT_GZIP_OUTPUT_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));

  if (!gz_check_usable (self, error))
    return FALSE;

  /* close() flushes first; then the last block is written by close itself */
  if (self->current != NULL && !g_output_stream_is_closing (stream))
    {
      if ((self->current->in_len > 0 && !gz_submit (self, FALSE, cancellable, error)) ||
          !gz_drain (self, 0, cancellable, error))
        {
          self->failed = TRUE;
          gz_shutdown (self);
          return FALSE;
        }
    }

  return g_output_stream_flush (base, cancellable, error);
}

static gboolean
gz_finish (LifeboatGzipOutputStream  *self,
           GCancellable              *cancellable,
           GError                   **error)
{
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));
  guint8 trailer[8];

  if (!gz_submit (self, TRUE, cancellable, error) ||
      !gz_drain (self, 0, cancellable, error) ||
      !gz_write_header (self, cancellable, error))
    return FALSE;

  trailer[0] = self->crc & 0xff;
  trailer[1] = (self->crc >> 8) & 0xff;
  trailer[2] = (self->crc >> 16) & 0xff;
  trailer[3] = (self->crc >> 24) & 0xff;
  trailer[4] = self->total_in & 0xff;
  trailer[5] = (self->total_in >> 8) & 0xff;
  trailer[6] = (self->total_in >> 16) & 0xff;
  trailer[7] = (self->total_in >> 24) & 0xff;

  return g_output_stream_write_all (base, trailer, sizeof trailer, NULL, cancellable, error);
}

static gboolean
lifeboat_gzip_output_stream_close (GOutputStream  *stream,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  LifeboatGzipOutputStream *self = LIFEBOAT_GZIP_OUTPUT_STREAM (stream);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (self->failed)
    ok = gz_check_usable (self, &local_error);
  else
    {
      ok = gz_finish (self, cancellable, &local_error);
      self->finished = ok;
      self->failed = !ok;
    }

  gz_shutdown (self);

  /* Always close the base stream, also after an error, but report the first error. */
  if (!G_OUTPUT_STREAM_CLASS (lifeboat_gzip_output_stream_parent_class)->close_fn (stream,
                                                                                   cancellable,
                                                                                   ok ? error : NULL))
    ok = FALSE;

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ok;
}

static void
lifeboat_gzip_output_stream_finalize (GObject *object)
{
  LifeboatGzipOutputStream *self = LIFEBOAT_GZIP_OUTPUT_STREAM (object);

  gz_shutdown (self);
  g_mutex_clear (&self->shared.mutex);
  g_cond_clear (&self->shared.cond);

  G_OBJECT_CLASS (lifeboat_gzip_output_stream_parent_class)->finalize (object);
}

static void
lifeboat_gzip_output_stream_class_init (LifeboatGzipOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_gzip_output_stream_finalize;
  stream_class->write_fn = lifeboat_gzip_output_stream_write;
  stream_class->flush = lifeboat_gzip_output_stream_flush;
  stream_class->close_fn = lifeboat_gzip_output_stream_close;
}

static void
lifeboat_gzip_output_stream_init (LifeboatGzipOutputStream *self)
{
  g_mutex_init (&self->shared.mutex);
  g_cond_init (&self->shared.cond);
  g_queue_init (&self->in_flight);
  self->crc = crc32 (0, NULL, 0);
}

GOutputStream *
_lifeboat_gzip_output_stream_new (GOutputStream *base,
                                  guint          n_threads,
                                  gsize          block_size,
                                  int            level)
{
  LifeboatGzipOutputStream *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base), NULL);
  g_return_val_if_fail (block_size >= 1024, NULL);
  g_return_val_if_fail (level >= 0 && level <= 9, NULL);

  self = g_object_new (LIFEBOAT_TYPE_GZIP_OUTPUT_STREAM, "base-stream", base, NULL);
  n_threads = _lifeboat_compress_resolve_threads (n_threads);
  self->shared.level = level;
  self->block_size = block_size;
  self->max_in_flight = 2 * n_threads + 2;
  self->pool = g_thread_pool_new (gz_worker, &self->shared, n_threads, FALSE, NULL);
  self->current = gz_job_new (self);

  return G_OUTPUT_STREAM (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Public                                                                                       */
/* ------------------------------------------------------------------------------------------ */

guint
_lifeboat_compress_resolve_threads (guint n_threads)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  return CLAMP (n_threads, 1, 64);
}

GOutputStream *
lifeboat_compress_output_stream_new (GOutputStream       *base,
                                     LifeboatCompression  compression,
                                     guint                n_threads)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base), NULL);

  n_threads = _lifeboat_compress_resolve_threads (n_threads);

  switch (compression)
    {
    case LIFEBOAT_COMPRESSION_NONE:
      return g_object_new (LIFEBOAT_TYPE_PASSTHROUGH_OUTPUT_STREAM, "base-stream", base, NULL);

    case LIFEBOAT_COMPRESSION_ZSTD:
      return lifeboat_zstd_output_stream_new (base, n_threads);

    case LIFEBOAT_COMPRESSION_GZIP:
      return _lifeboat_gzip_output_stream_new (base, n_threads, LIFEBOAT_GZIP_BLOCK_SIZE,
                                               LIFEBOAT_GZIP_LEVEL);

    default:
      g_return_val_if_reached (NULL);
    }
}
