/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-compress"

#include "config.h"

#include <string.h>

#include <libdeflate.h>

#include "lifeboat-compress-private.h"
#include "lifeboat-compressor-output-stream-private.h"

/*
 * Parallel gzip
 *
 * The input is cut into blocks that worker threads compress with libdeflate, each into gzip
 * members of its own; the caller's thread writes the members in order. Concatenated members
 * are one gzip file to `gzip -d`, GNU tar and libarchive (RFC 1952, 2.2). Within a block,
 * stretches of GZ_SUB_CHUNK that look incompressible (byte histogram close to uniform:
 * compressed media) become members of stored deflate blocks, written here without spending
 * CPU on them. At most max_in_flight blocks exist at once: write() waits for the oldest when
 * that many are queued, so memory does not grow with the input.
 */

#define GZ_SUB_CHUNK    (32 * 1024)
#define GZ_HEADER_SIZE  10
#define GZ_TRAILER_SIZE 8
#define GZ_STORED_MAX   65535

typedef struct
{
  guint8   *in;
  gsize     in_len;

  /* set by the worker; read after done under the stream's mutex */
  guint8   *out;
  gsize     out_len;
  gsize     out_alloc;
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
                      LIFEBOAT, GZIP_OUTPUT_STREAM, LifeboatCompressorOutputStream)

struct _LifeboatGzipOutputStream
{
  LifeboatCompressorOutputStream  parent_instance;

  GzShared                        shared;
  GThreadPool                    *pool;
  GQueue                          in_flight;      /* GzJob, oldest first */
  guint                           max_in_flight;
  gsize                           block_size;

  GzJob                          *current;        /* being filled by write() */
  GQueue                          spare;          /* written blocks whose buffers are reused */
  guint64                         total_in;
  gboolean                        submitted;
};

G_DEFINE_FINAL_TYPE (LifeboatGzipOutputStream, lifeboat_gzip_output_stream,
                     LIFEBOAT_TYPE_COMPRESSOR_OUTPUT_STREAM)

static void
gz_job_free (GzJob *job)
{
  g_free (job->in);
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
  guint32 hist[4][256] = { { 0 } };
  guint64 sum_sq = 0;
  gsize i = 0;

  if (len < 4096)
    return FALSE;

  /* four tables: consecutive equal bytes do not wait on each other's increment */
  for (; i + 4 <= len; i += 4)
    {
      hist[0][data[i]]++;
      hist[1][data[i + 1]]++;
      hist[2][data[i + 2]]++;
      hist[3][data[i + 3]]++;
    }
  for (; i < len; i++)
    hist[0][data[i]]++;
  for (guint b = 0; b < 256; b++)
    {
      guint64 h = (guint64) hist[0][b] + hist[1][b] + hist[2][b] + hist[3][b];

      sum_sq += h * h;
    }

  /* len² / Σh² > 240  ⇔  len² > 240 Σh² */
  return (guint64) len * len > 240 * sum_sq;
}

static guint8 *
gz_put_le32 (guint8  *p,
             guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
  return p + 4;
}

static gsize
gz_stored_member_bound (gsize len)
{
  return GZ_HEADER_SIZE + len + 5 * (len / GZ_STORED_MAX + 1) + GZ_TRAILER_SIZE;
}

/* One gzip member of stored deflate blocks holding @data; returns its size. */
static gsize
gz_stored_member (const guint8 *data,
                  gsize         len,
                  guint8       *out)
{
  /* magic, deflate, no flags, no mtime, no extra flags, OS = Unix */
  static const guint8 header[GZ_HEADER_SIZE] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
  guint8 *p = out;
  gsize pos = 0;

  memcpy (p, header, sizeof header);
  p += sizeof header;

  do
    {
      gsize n = MIN (len - pos, GZ_STORED_MAX);

      *p++ = pos + n == len ? 1 : 0;            /* BFINAL, BTYPE 00 = stored */
      p[0] = n & 0xff;
      p[1] = n >> 8;
      p[2] = ~n & 0xff;
      p[3] = (~n >> 8) & 0xff;
      p += 4;
      memcpy (p, data + pos, n);
      p += n;
      pos += n;
    }
  while (pos < len);

  p = gz_put_le32 (p, libdeflate_crc32 (0, data, len));
  p = gz_put_le32 (p, (guint32) len);

  return p - out;
}

static void
gz_compress_job (GzJob *job,
                 int    level)
{
  struct libdeflate_compressor *compressor = NULL;
  gsize n_chunks = (job->in_len + GZ_SUB_CHUNK - 1) / GZ_SUB_CHUNK;
  g_autofree gboolean *stored = g_new (gboolean, MAX (n_chunks, 1));
  gsize out_cap = 0;
  gsize chunk = 0;

  for (gsize i = 0; i < n_chunks; i++)
    {
      gsize start = i * GZ_SUB_CHUNK;

      stored[i] = gz_looks_incompressible (job->in + start, MIN (GZ_SUB_CHUNK, job->in_len - start));
    }

  /* the worst case of either kind of member for every run, plus one per run */
  compressor = libdeflate_alloc_compressor (level);
  if (compressor == NULL)
    {
      job->error = g_strdup ("Could not start the gzip compressor");
      return;
    }
  out_cap = MAX (libdeflate_gzip_compress_bound (compressor, job->in_len),
                 gz_stored_member_bound (job->in_len)) + n_chunks * 64;
  if (job->out_alloc < out_cap)
    {
      g_free (job->out);
      job->out = g_malloc (out_cap);
      job->out_alloc = out_cap;
    }
  job->out_len = 0;

  /* runs of chunks of one kind, each one member */
  do
    {
      gsize first = chunk;
      gsize start = first * GZ_SUB_CHUNK;
      gsize len;

      while (chunk < n_chunks && stored[chunk] == stored[first])
        chunk++;
      len = MIN (chunk * GZ_SUB_CHUNK, job->in_len) - start;

      if (n_chunks > 0 && stored[first])
        job->out_len += gz_stored_member (job->in + start, len, job->out + job->out_len);
      else
        {
          gsize n = libdeflate_gzip_compress (compressor, job->in + start, len,
                                              job->out + job->out_len, out_cap - job->out_len);

          if (n == 0)
            {
              job->error = g_strdup ("gzip compression failed: no room for the output");
              break;
            }
          job->out_len += n;
        }
    }
  while (chunk < n_chunks);

  libdeflate_free_compressor (compressor);
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

      if (!g_output_stream_write_all (base, job->out, job->out_len, NULL, cancellable, error))
        {
          gz_job_free (job);
          return FALSE;
        }

      self->total_in += job->in_len;
      /* the same few buffers for the whole stream: memory stays flat however long it is */
      if (self->spare.length < self->max_in_flight)
        {
          job->in_len = 0;
          job->out_len = 0;
          job->done = FALSE;
          g_queue_push_tail (&self->spare, job);
        }
      else
        gz_job_free (job);
    }
}

static GzJob *
gz_job_new (LifeboatGzipOutputStream *self)
{
  GzJob *job = g_queue_pop_head (&self->spare);

  if (job != NULL)
    return job;
  job = g_new0 (GzJob, 1);
  job->in = g_malloc (self->block_size);
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

  self->submitted = TRUE;
  g_queue_push_tail (&self->in_flight, job);
  if (self->pool == NULL || !g_thread_pool_push (self->pool, job, NULL))
    gz_worker (job, &self->shared);   /* no thread could be started: compress it here */

  if (!last)
    self->current = gz_job_new (self);

  return gz_drain (self, self->max_in_flight - 1, cancellable, error);
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
  g_queue_clear_full (&self->spare, (GDestroyNotify) gz_job_free);
  g_clear_pointer (&self->current, gz_job_free);
}

static gboolean
lifeboat_gzip_output_stream_compress (LifeboatCompressorOutputStream  *stream,
                                      const void                      *buffer,
                                      gsize                            count,
                                      GCancellable                    *cancellable,
                                      GError                         **error)
{
  LifeboatGzipOutputStream *self = LIFEBOAT_GZIP_OUTPUT_STREAM (stream);
  const guint8 *data = buffer;
  gsize pos = 0;

  while (pos < count)
    {
      GzJob *job = self->current;
      gsize n = MIN (count - pos, self->block_size - job->in_len);

      memcpy (job->in + job->in_len, data + pos, n);
      job->in_len += n;
      pos += n;

      if (job->in_len == self->block_size &&
          (g_cancellable_set_error_if_cancelled (cancellable, error) ||
           !gz_submit (self, FALSE, cancellable, error)))
        return FALSE;
    }

  return TRUE;
}

static gboolean
lifeboat_gzip_output_stream_flush_compressed (LifeboatCompressorOutputStream  *stream,
                                              GCancellable                    *cancellable,
                                              GError                         **error)
{
  LifeboatGzipOutputStream *self = LIFEBOAT_GZIP_OUTPUT_STREAM (stream);

  /* close() flushes first; then the last block is written by close itself */
  if (self->current == NULL || g_output_stream_is_closing (G_OUTPUT_STREAM (stream)))
    return TRUE;

  return (self->current->in_len == 0 || gz_submit (self, FALSE, cancellable, error)) &&
         gz_drain (self, 0, cancellable, error);
}

static gboolean
lifeboat_gzip_output_stream_finish (LifeboatCompressorOutputStream  *stream,
                                    GCancellable                    *cancellable,
                                    GError                         **error)
{
  LifeboatGzipOutputStream *self = LIFEBOAT_GZIP_OUTPUT_STREAM (stream);

  /* the last block, unless it is empty and something came before (an empty input still
   * makes one empty member: a gzip file has at least one) */
  if (self->current->in_len == 0 && self->submitted)
    g_clear_pointer (&self->current, gz_job_free);
  else if (!gz_submit (self, TRUE, cancellable, error))
    return FALSE;

  return gz_drain (self, 0, cancellable, error);
}

static void
lifeboat_gzip_output_stream_shutdown (LifeboatCompressorOutputStream *stream)
{
  gz_shutdown (LIFEBOAT_GZIP_OUTPUT_STREAM (stream));
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
  LifeboatCompressorOutputStreamClass *compressor_class =
    LIFEBOAT_COMPRESSOR_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_gzip_output_stream_finalize;
  compressor_class->compress = lifeboat_gzip_output_stream_compress;
  compressor_class->flush_compressed = lifeboat_gzip_output_stream_flush_compressed;
  compressor_class->finish = lifeboat_gzip_output_stream_finish;
  compressor_class->shutdown = lifeboat_gzip_output_stream_shutdown;
}

static void
lifeboat_gzip_output_stream_init (LifeboatGzipOutputStream *self)
{
  g_mutex_init (&self->shared.mutex);
  g_cond_init (&self->shared.cond);
  g_queue_init (&self->in_flight);
  g_queue_init (&self->spare);
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
  /* exclusive: its threads are started by this thread and take over its CPU priority (see
   * lifeboat_job_set_background()); GLib starts shared pool threads from a thread of its own */
  self->pool = g_thread_pool_new (gz_worker, &self->shared, n_threads, TRUE, NULL);
  self->current = gz_job_new (self);

  return G_OUTPUT_STREAM (self);
}
