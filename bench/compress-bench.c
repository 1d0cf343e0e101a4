/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-bench"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "lifeboat-compress.h"
#include "lifeboat-compress-private.h"

/*
 * Microbenchmark of the compressors alone: CVAT-shaped data (20 % PostgreSQL-like 8 KiB pages,
 * 74 % random "media", 6 % small text files) generated in memory, compressed into a counting
 * sink. Prints MB/s and the output size for each compression and thread count.
 *
 *   compress-bench [SIZE_MIB] [THREADS [DATA_FILE]]
 *   compress-bench --pipe gzip|zstd|none THREADS      stdin to stdout
 */

static GBytes *
make_cvat_like (gsize size)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 *data = g_malloc0 (size);
  gsize pos = 0;
  gsize made[3] = { 0, 0, 0 };
  const double share[3] = { 0.20, 0.74, 0.06 };

  while (pos < size)
    {
      guint r = 0;
      gsize len;

      /* the kind furthest below its share of the bytes so far comes next */
      for (guint k = 1; k < 3; k++)
        if (share[k] * pos - made[k] > share[r] * pos - made[r])
          r = k;

      if (r == 0)
        {
          /* a run of 8 KiB "heap pages": header, line pointers, tuples of ints and short text,
           * zeroed free space in the middle */
          len = (gsize) 8192 * g_rand_int_range (rand, 1, 64);
          len = MIN (size - pos, len);
          for (gsize p = 0; p < len; p += 8192)
            {
              gsize page = MIN (8192, len - p);
              gsize used = page / 2 + g_rand_int_range (rand, 0, page / 2);
              for (gsize i = 0; i < used; i++)
                {
                  guint k = g_rand_int_range (rand, 0, 16);
                  data[pos + p + page - 1 - i] =
                    k < 6 ? "abcdefghijklmnopqrstuvwxyz_{}\":,0123456789"[g_rand_int_range (rand, 0, 42)]
                          : k < 12 ? (i & 0xff) : 0;
                }
            }
        }
      else if (r == 1)
        {
          len = g_rand_int_range (rand, 64 * 1024, 2 * 1024 * 1024);
          len = MIN (size - pos, len);
          for (gsize i = 0; i + 4 <= len; i += 4)
            {
              guint32 v = g_rand_int (rand);
              memcpy (data + pos + i, &v, 4);
            }
        }
      else
        {
          len = g_rand_int_range (rand, 100, 16 * 1024);
          len = MIN (size - pos, len);
          for (gsize i = 0; i < len; i++)
            data[pos + i] = "{\"frame\": 12, \"label\": \"car\", \"points\": [1.5, 2.25]}\n"
                              [i % 52];
        }
      made[r] += len;
      pos += len;
    }

  return g_bytes_new_take (data, size);
}

typedef struct { GOutputStream parent; guint64 n; } Sink;
typedef struct { GOutputStreamClass parent_class; } SinkClass;
static GType sink_get_type (void);
G_DEFINE_TYPE (Sink, sink, G_TYPE_OUTPUT_STREAM)

static gssize
sink_write (GOutputStream *stream, const void *buffer, gsize count,
            GCancellable *cancellable, GError **error)
{
  ((Sink *) stream)->n += count;
  return count;
}

static void sink_class_init (SinkClass *klass) { G_OUTPUT_STREAM_CLASS (klass)->write_fn = sink_write; }
static void sink_init (Sink *self) { }

static void
run (const char          *name,
     GBytes              *input,
     LifeboatCompression  compression,
     guint                threads)
{
  g_autoptr(GError) error = NULL;
  Sink *sink = g_object_new (sink_get_type (), NULL);
  GOutputStream *stream = lifeboat_compress_output_stream_new (G_OUTPUT_STREAM (sink),
                                                               compression, threads);
  gsize size;
  const guint8 *data = g_bytes_get_data (input, &size);
  gint64 start = g_get_monotonic_time ();
  double secs;

  /* 64 KiB writes, like the archive stream's */
  for (gsize pos = 0; pos < size; pos += 65536)
    if (!g_output_stream_write_all (stream, data + pos, MIN (65536, size - pos), NULL, NULL, &error))
      g_error ("%s", error->message);
  if (!g_output_stream_close (stream, NULL, &error))
    g_error ("%s", error->message);
  secs = (g_get_monotonic_time () - start) / 1e6;

  g_print ("| %-6s | %7u | %8.2f | %8.1f | %12" G_GUINT64_FORMAT " | %6.3f |\n", name, threads,
           secs, size / 1e6 / secs, sink->n, (double) sink->n / size);
  g_object_unref (stream);
  g_object_unref (sink);
}

/* compress-bench --pipe gzip|zstd|none THREADS: stdin compressed to stdout, for memory checks */
static int
pipe_mode (const char *codec,
           guint       threads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (1, FALSE);
  g_autoptr(GOutputStream) stream = NULL;
  LifeboatCompression compression;

  if (!lifeboat_compression_from_string (codec, &compression))
    g_error ("unknown compression %s", codec);
  stream = lifeboat_compress_output_stream_new (out, compression, threads);
  if (g_output_stream_splice (stream, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error) < 0)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  gsize mib = argc > 1 ? strtoul (argv[1], NULL, 10) : 256;
  guint n = argc > 2 ? strtoul (argv[2], NULL, 10) : g_get_num_processors ();
  g_autoptr(GBytes) input = NULL;

  if (argc == 4 && g_str_equal (argv[1], "--pipe"))
    return pipe_mode (argv[2], strtoul (argv[3], NULL, 10));

  input = make_cvat_like (mib * 1024 * 1024);
  if (argc > 3)
    {
      /* write the data set for external comparisons (gzip -6, zstd) */
      g_file_set_contents (argv[3], g_bytes_get_data (input, NULL), g_bytes_get_size (input), NULL);
    }

  g_print ("| codec  | threads | seconds |     MB/s |  output bytes |  ratio |\n");
  g_print ("|--------|---------|---------|----------|---------------|--------|\n");
  run ("gzip", input, LIFEBOAT_COMPRESSION_GZIP, 1);
  if (n > 1)
    run ("gzip", input, LIFEBOAT_COMPRESSION_GZIP, n);
  run ("zstd", input, LIFEBOAT_COMPRESSION_ZSTD, 1);
  if (n > 1)
    run ("zstd", input, LIFEBOAT_COMPRESSION_ZSTD, n);
  return 0;
}
