/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-archive"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "lifeboat-archive.h"
#include "lifeboat-compress.h"
#include "lifeboat-error.h"

#define PG_ROOT "var/lib/postgresql/data"
#define NON_UTF8_NAME "caf\xe9"

/* {{{ Helpers: archives built and read with libarchive */

typedef struct
{
  const char *path;
  mode_t      type;       /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFBLK, AE_IFIFO */
  guint       perm;
  gint64      uid;
  gint64      gid;
  gsize       size;       /* regular files: generated content */
  const char *symlink;
  const char *hardlink;
} Spec;

static void
fill_content (guint8     *buf,
              gsize       size,
              const char *seed)
{
  guint32 x = g_str_hash (seed) | 1;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      buf[i] = x & 0xff;
    }
}

static la_ssize_t
append_cb (struct archive *a,
           void           *user_data,
           const void     *buffer,
           size_t          length)
{
  g_byte_array_append (user_data, buffer, length);
  return length;
}

static GBytes *
build_tar (int         format,
           int         filter,
           const Spec *specs,
           gsize       n_specs)
{
  GByteArray *out = g_byte_array_new ();
  struct archive *w = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();

  g_assert_cmpint (archive_write_set_format (w, format), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_add_filter (w, filter), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open (w, out, NULL, append_cb, NULL), ==, ARCHIVE_OK);

  for (gsize i = 0; i < n_specs; i++)
    {
      const Spec *s = &specs[i];
      int r;

      archive_entry_clear (entry);
      archive_entry_set_pathname (entry, s->path);
      archive_entry_set_filetype (entry, s->type);
      archive_entry_set_perm (entry, s->perm != 0 ? s->perm : 0644);
      archive_entry_set_uid (entry, s->uid);
      archive_entry_set_gid (entry, s->gid);
      archive_entry_set_mtime (entry, 1700000000 + i, 0);
      if (s->type == AE_IFCHR || s->type == AE_IFBLK)
        archive_entry_set_rdev (entry, makedev (1, 3));
      if (s->symlink != NULL)
        archive_entry_set_symlink (entry, s->symlink);
      if (s->hardlink != NULL)
        archive_entry_set_hardlink (entry, s->hardlink);
      archive_entry_set_size (entry, s->type == AE_IFREG && s->hardlink == NULL ? s->size : 0);

      r = archive_write_header (w, entry);
      g_assert_cmpint (r, >=, ARCHIVE_WARN);

      if (s->type == AE_IFREG && s->hardlink == NULL && s->size > 0)
        {
          g_autofree guint8 *data = g_malloc (s->size);

          fill_content (data, s->size, s->path);
          g_assert_cmpint (archive_write_data (w, data, s->size), ==, (la_ssize_t) s->size);
        }
    }

  g_assert_cmpint (archive_write_close (w), ==, ARCHIVE_OK);
  archive_write_free (w);
  archive_entry_free (entry);

  return g_byte_array_free_to_bytes (out);
}

typedef struct
{
  char   *path;
  char   *symlink;
  char   *hardlink;
  mode_t  type;
  guint   perm;
  gint64  uid;
  gint64  gid;
  gint64  mtime;
  gint64  size;
  char   *sha256;
} ReadEntry;

static void
read_entry_free (gpointer data)
{
  ReadEntry *e = data;

  g_free (e->path);
  g_free (e->symlink);
  g_free (e->hardlink);
  g_free (e->sha256);
  g_free (e);
}

static GPtrArray *
read_entries_from (struct archive *a)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func (read_entry_free);
  struct archive_entry *entry;
  int r;

  while ((r = archive_read_next_header (a, &entry)) != ARCHIVE_EOF)
    {
      ReadEntry *e = g_new0 (ReadEntry, 1);
      GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
      const void *buf;
      size_t size;
      la_int64_t offset;

      g_assert_cmpint (r, >=, ARCHIVE_WARN);
      e->path = g_strdup (archive_entry_pathname (entry));
      e->symlink = g_strdup (archive_entry_symlink (entry));
      e->hardlink = g_strdup (archive_entry_hardlink (entry));
      e->type = archive_entry_filetype (entry);
      e->perm = archive_entry_perm (entry);
      e->uid = archive_entry_uid (entry);
      e->gid = archive_entry_gid (entry);
      e->mtime = archive_entry_mtime (entry);
      e->size = archive_entry_size (entry);

      while ((r = archive_read_data_block (a, &buf, &size, &offset)) != ARCHIVE_EOF)
        {
          g_assert_cmpint (r, >=, ARCHIVE_WARN);
          g_checksum_update (sum, buf, size);
        }
      e->sha256 = g_strdup (g_checksum_get_string (sum));
      g_checksum_free (sum);

      g_ptr_array_add (entries, e);
    }

  return entries;
}

static GPtrArray *
read_tar_bytes (GBytes *bytes)
{
  struct archive *a = archive_read_new ();
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);
  GPtrArray *entries;

  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  g_assert_cmpint (archive_read_open_memory (a, data, len), ==, ARCHIVE_OK);
  entries = read_entries_from (a);
  archive_read_free (a);

  return entries;
}

/* renames a leading path component @from to @to, as Lifeboat does */
static char *
rename_path (const char *path,
             const char *from,
             const char *to)
{
  gsize len = strlen (from);

  if (path == NULL)
    return NULL;
  g_assert_true (g_str_has_prefix (path, from));
  g_assert_true (path[len] == '\0' || path[len] == '/');
  return g_strconcat (to, path + len, NULL);
}

static void
assert_entries_renamed (GPtrArray  *original,
                        GPtrArray  *actual,
                        const char *from,
                        const char *to)
{
  g_assert_cmpuint (actual->len, ==, original->len);

  for (guint i = 0; i < original->len; i++)
    {
      ReadEntry *o = g_ptr_array_index (original, i);
      ReadEntry *a = g_ptr_array_index (actual, i);
      g_autofree char *path = rename_path (o->path, from, to);
      g_autofree char *hardlink = rename_path (o->hardlink, from, to);

      g_assert_cmpstr (a->path, ==, path);
      g_assert_cmpstr (a->hardlink, ==, hardlink);
      g_assert_cmpstr (a->symlink, ==, o->symlink);
      g_assert_cmpuint (a->type, ==, o->type);
      g_assert_cmpuint (a->perm, ==, o->perm);
      g_assert_cmpint (a->uid, ==, o->uid);
      g_assert_cmpint (a->gid, ==, o->gid);
      g_assert_cmpint (a->mtime, ==, o->mtime);
      if (o->type == AE_IFREG && o->hardlink == NULL)
        g_assert_cmpint (a->size, ==, o->size);
      g_assert_cmpstr (a->sha256, ==, o->sha256);
    }
}

static GBytes *
read_stream_fully (GInputStream  *stream,
                   GError       **error)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lifeboat-test-archive-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_temp_dir (const char *dir)
{
  const char *argv[] = { "rm", "-rf", "--", dir, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (strstr (dir, "lifeboat-test-archive-") != NULL);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
}

static void
run (const char *cwd,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) first);
  va_start (args, first);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (cwd, (char **) argv->pdata, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s: %s", first, error->message, err);
}

static void
write_file (const char *path,
            GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static GBytes *
load_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data;
  gsize len;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* }}} */

/* {{{ The Docker GET archive stream */

static const char long_dir[] =
  "data/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
  "dddddddddddddddddddddddddddddddddd/";
static const char long_file[] =
  "data/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
  "dddddddddddddddddddddddddddddddddd/ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
  "ffffffffffffffffffff";

static const Spec docker_specs[] = {
  { "data/", AE_IFDIR, 0700, 70, 70 },
  { "data/PG_VERSION", AE_IFREG, 0600, 70, 70, 3 },
  { "data/base/", AE_IFDIR, 0700, 70, 70 },
  { "data/base/big", AE_IFREG, 0600, 70, 70, 700001 },
  { "data/empty/", AE_IFDIR, 0750, 70, 70 },
  { "data/link", AE_IFLNK, 0777, 70, 70, 0, "PG_VERSION" },
  { "data/abs-link", AE_IFLNK, 0777, 70, 70, 0, "/var/lib/postgresql/data/PG_VERSION" },
  { "data/hard", AE_IFREG, 0600, 70, 70, 0, NULL, "data/PG_VERSION" },
  { "data/" NON_UTF8_NAME, AE_IFREG, 0640, 0, 0, 17 },
  { "data/big-uid", AE_IFREG, 0644, 3000000, 3000001, 5 },
  { "data/fifo", AE_IFIFO, 0600, 70, 70 },
  { long_dir, AE_IFDIR, 0755, 70, 70 },
  { long_file, AE_IFREG, 0644, 70, 70, 12345 },
};

/* Go's archive/tar (Docker) writes PAX, like libarchive's restricted pax */
static GBytes *
build_docker_stream (void)
{
  return build_tar (ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE,
                    docker_specs, G_N_ELEMENTS (docker_specs));
}

static guint64 last_progress;

static void
record_progress (guint64  bytes,
                 gpointer user_data)
{
  g_assert_cmpuint (bytes, >=, last_progress);
  last_progress = bytes;
}

static GBytes *
rewrite_bytes (GBytes                    *input,
               const char                *source_root,
               const char                *dest_root,
               LifeboatArchiveWriteStats *stats,
               GError                   **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (input);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  last_progress = 0;
  if (!lifeboat_archive_rewrite_tar (in, source_root, dest_root, out, record_progress, NULL,
                                     stats, NULL, error))
    return NULL;

  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
test_rewrite_entries (void)
{
  g_autoptr(GBytes) input = build_docker_stream ();
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GPtrArray) original = NULL;
  g_autoptr(GPtrArray) actual = NULL;
  g_autoptr(GError) error = NULL;
  LifeboatArchiveWriteStats stats = { 0 };
  const guint8 *data;
  gsize len;

  output = rewrite_bytes (input, "data", PG_ROOT, &stats, &error);
  g_assert_no_error (error);

  data = g_bytes_get_data (output, &len);
  /* GNU format, padded to GNU tar's 10240-byte records */
  g_assert_cmpuint (len % 10240, ==, 0);
  g_assert_cmpmem (data + 257, 8, "ustar  ", 8);
  g_assert_cmpmem (data, strlen (PG_ROOT "/") + 1, PG_ROOT "/", strlen (PG_ROOT "/") + 1);
  g_assert_cmpuint (stats.tar_bytes, ==, len);
  g_assert_cmpuint (stats.entries, ==, G_N_ELEMENTS (docker_specs));
  g_assert_cmpuint (last_progress, ==, len);

  original = read_tar_bytes (input);
  actual = read_tar_bytes (output);
  g_assert_cmpuint (original->len, ==, G_N_ELEMENTS (docker_specs));
  assert_entries_renamed (original, actual, "data", PG_ROOT);

  /* spot checks against the specs, so the comparison is not of two equal mistakes */
  g_assert_cmpstr (((ReadEntry *) actual->pdata[8])->path, ==, PG_ROOT "/" NON_UTF8_NAME);
  g_assert_cmpstr (((ReadEntry *) actual->pdata[7])->hardlink, ==, PG_ROOT "/PG_VERSION");
  g_assert_cmpint (((ReadEntry *) actual->pdata[3])->size, ==, 700001);
  g_assert_cmpint (((ReadEntry *) actual->pdata[9])->uid, ==, 3000000);
  g_assert_cmpuint (strlen (((ReadEntry *) actual->pdata[12])->path), >, 255);
}

/* {{{ A tar stream as Go writes it: PAX records with raw (non-UTF-8) bytes, no hdrcharset */

static void
put_octal (char   *field,
           gsize   width,
           guint64 value)
{
  char tmp[32];

  g_snprintf (tmp, sizeof tmp, "%0*" G_GINT64_MODIFIER "o", (int) width - 1, value);
  memcpy (field, tmp, width - 1);
  field[width - 1] = '\0';
}

static void
append_padded (GByteArray *out,
               const void *data,
               gsize       len)
{
  static const guint8 zeros[512];

  g_byte_array_append (out, data, len);
  if (len % 512 != 0)
    g_byte_array_append (out, zeros, 512 - len % 512);
}

static void
append_header (GByteArray *out,
               const char *name,
               char        type,
               guint64     size,
               guint       mode)
{
  char h[512] = { 0 };
  guint sum = 0;

  memcpy (h, name, MIN (strlen (name), 100));
  put_octal (h + 100, 8, mode);
  put_octal (h + 108, 8, 1000);
  put_octal (h + 116, 8, 1000);
  put_octal (h + 124, 12, size);
  put_octal (h + 136, 12, 1700000000);
  memset (h + 148, ' ', 8);
  h[156] = type;
  memcpy (h + 257, "ustar\0" "00", 8);

  for (guint i = 0; i < 512; i++)
    sum += (guint8) h[i];
  put_octal (h + 148, 7, sum);
  h[155] = ' ';

  g_byte_array_append (out, (guint8 *) h, 512);
}

static char *
pax_record (const char *key,
            const char *value)
{
  gsize base = strlen (key) + strlen (value) + 3;
  gsize len = base + 1;

  /* the length counts its own digits */
  for (guint i = 0; i < 4; i++)
    {
      char digits[32];

      g_snprintf (digits, sizeof digits, "%" G_GSIZE_FORMAT, len);
      len = base + strlen (digits);
    }

  return g_strdup_printf ("%" G_GSIZE_FORMAT " %s=%s\n", len, key, value);
}

static GBytes *
build_go_stream (void)
{
  GByteArray *out = g_byte_array_new ();
  g_autofree char *rec = pax_record ("path", "data/" NON_UTF8_NAME "-go");
  static const guint8 zeros[1024];

  append_header (out, "data/", '5', 0, 0755);
  append_header (out, "data/PaxHeaders.0/caf-go", 'x', strlen (rec), 0644);
  append_padded (out, rec, strlen (rec));
  /* Go puts an ASCII-only approximation in the USTAR name field */
  append_header (out, "data/caf-go", '0', 5, 0644);
  append_padded (out, "hello", 5);
  g_byte_array_append (out, zeros, sizeof zeros);

  return g_byte_array_free_to_bytes (out);
}

/* }}} */

static void
test_rewrite_go_non_utf8 (void)
{
  const char *locales[] = { "C", "C.UTF-8" };

  for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      g_autoptr(GBytes) input = build_go_stream ();
      g_autoptr(GBytes) output = NULL;
      g_autoptr(GPtrArray) actual = NULL;
      g_autoptr(GError) error = NULL;

      if (setlocale (LC_ALL, locales[i]) == NULL)
        {
          g_test_message ("locale %s not available", locales[i]);
          continue;
        }

      output = rewrite_bytes (input, "data", PG_ROOT, NULL, &error);
      g_assert_no_error (error);

      /* a small archive is one GNU tar record */
      g_assert_cmpuint (g_bytes_get_size (output), ==, 10240);
      actual = read_tar_bytes (output);
      g_assert_cmpuint (actual->len, ==, 2);
      g_assert_cmpstr (((ReadEntry *) actual->pdata[0])->path, ==, PG_ROOT "/");
      g_assert_cmpstr (((ReadEntry *) actual->pdata[1])->path, ==,
                       PG_ROOT "/" NON_UTF8_NAME "-go");
      g_assert_cmpint (((ReadEntry *) actual->pdata[1])->size, ==, 5);
    }

  setlocale (LC_ALL, "C");
}

static void
test_rewrite_invalid (void)
{
  g_autoptr(GBytes) input = build_docker_stream ();
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (input, 0, 200000);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("this is not a tar archive at all, no no no", 42);
  const Spec outside[] = {
    { "data/", AE_IFDIR, 0700 },
    { "other/file", AE_IFREG, 0600, 0, 0, 3 },
  };
  g_autoptr(GBytes) outside_input = build_tar (ARCHIVE_FORMAT_TAR_PAX_RESTRICTED,
                                               ARCHIVE_FILTER_NONE, outside, 2);
  GBytes *inputs[] = { truncated, garbage, outside_input };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GBytes) output = NULL;
      g_autoptr(GError) error = NULL;

      output = rewrite_bytes (inputs[i], "data", PG_ROOT, NULL, &error);
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE);
      g_assert_null (output);
      g_test_message ("%s", error->message);
    }
}

/* {{{ An output stream that runs out of space */

#define TEST_TYPE_FULL_STREAM (test_full_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestFullStream, test_full_stream, TEST, FULL_STREAM, GOutputStream)

struct _TestFullStream
{
  GOutputStream parent_instance;
  gsize         limit;
  gsize         written;
};

G_DEFINE_FINAL_TYPE (TestFullStream, test_full_stream, G_TYPE_OUTPUT_STREAM)

static gssize
test_full_stream_write (GOutputStream  *stream,
                        const void     *buffer,
                        gsize           count,
                        GCancellable   *cancellable,
                        GError        **error)
{
  TestFullStream *self = TEST_FULL_STREAM (stream);
  gsize n = MIN (count, self->limit - self->written);

  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No space left on device");
      return -1;
    }

  self->written += n;
  return n;
}

static void
test_full_stream_class_init (TestFullStreamClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = test_full_stream_write;
}

static void
test_full_stream_init (TestFullStream *self)
{
}

/* }}} */

static void
test_rewrite_no_space (void)
{
  g_autoptr(GBytes) input = build_docker_stream ();
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (input);
  g_autoptr(TestFullStream) out = g_object_new (TEST_TYPE_FULL_STREAM, NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  out->limit = 100000;
  ok = lifeboat_archive_rewrite_tar (in, "data", PG_ROOT, G_OUTPUT_STREAM (out),
                                     NULL, NULL, NULL, NULL, &error);
  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_true (g_str_has_prefix (error->message, "Could not write the archive: "));
  g_assert_true (g_str_has_suffix (error->message, "No space left on device"));
  g_assert_cmpuint (out->written, ==, 100000);
}

static void
cancel_on_progress (guint64  bytes,
                    gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_rewrite_cancel (void)
{
  g_autoptr(GBytes) input = build_docker_stream ();
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (input);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = lifeboat_archive_rewrite_tar (in, "data", PG_ROOT, out, cancel_on_progress, cancellable,
                                     NULL, cancellable, &error);
  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* stopped early: the input is far from consumed */
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), <,
                    g_bytes_get_size (input) / 2);
}

/* }}} */

/* {{{ Scan and tar stream */

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (guint64) st.st_size;
}

static void
scan_ok (const char          *path,
         const char          *expected_root,
         LifeboatArchiveInfo *info)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  last_progress = 0;
  lifeboat_archive_scan (file, expected_root, info, record_progress, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last_progress, ==, info->file_bytes);
  g_assert_cmpuint (info->file_bytes, ==, file_size (path));
}

static GBytes *
tar_stream_bytes (const char  *path,
                  const char  *root,
                  const char  *dest_name,
                  GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GInputStream) stream = NULL;

  last_progress = 0;
  stream = lifeboat_archive_open_tar_stream (file, root, dest_name, record_progress, NULL, error);
  if (stream == NULL)
    return NULL;

  return read_stream_fully (stream, error);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "cvat_db.tar.gz", NULL);
  g_autofree char *extract = g_build_filename (dir, "extract", NULL);
  g_autoptr(GBytes) input = build_docker_stream ();
  g_autoptr(GBytes) file_bytes = NULL;
  g_autoptr(GBytes) streamed = NULL;
  g_autoptr(GPtrArray) original = NULL;
  g_autoptr(GPtrArray) actual = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(LifeboatArchiveInfo) info = { 0 };
  LifeboatArchiveWriteStats stats = { 0 };
  g_autofree char *sha = NULL;
  struct stat st, st2;

  /* backup: Docker stream → rewritten → gzip file */
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GFileOutputStream) fout = g_file_replace (file, NULL, FALSE, 0, NULL, &error);
    g_autoptr(GZlibCompressor) gz = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
    g_autoptr(GOutputStream) out = NULL;
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (input);

    g_assert_no_error (error);
    out = g_converter_output_stream_new (G_OUTPUT_STREAM (fout), G_CONVERTER (gz));
    lifeboat_archive_rewrite_tar (in, "data", PG_ROOT, out, NULL, NULL, &stats, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_close (out, NULL, &error);
    g_assert_no_error (error);
  }

  /* scan */
  scan_ok (path, PG_ROOT, &info);
  file_bytes = load_file (path);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, file_bytes);
  g_assert_cmpstr (info.root, ==, PG_ROOT);
  g_assert_cmpint (info.compression, ==, LIFEBOAT_COMPRESSION_GZIP);
  g_assert_cmpuint (info.entries, ==, G_N_ELEMENTS (docker_specs));
  g_assert_cmpuint (info.tar_bytes, ==, stats.tar_bytes);
  g_assert_cmpuint (info.file_bytes, ==, g_bytes_get_size (file_bytes));
  g_assert_cmpstr (info.sha256, ==, sha);

  /* the same without expected root: the first entry is the root */
  {
    g_auto(LifeboatArchiveInfo) info2 = { 0 };

    scan_ok (path, NULL, &info2);
    g_assert_cmpstr (info2.root, ==, PG_ROOT);
  }

  /* restore: the stream gives back Docker's own entries */
  streamed = tar_stream_bytes (path, info.root, "data", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last_progress, ==, g_bytes_get_size (streamed));
  original = read_tar_bytes (input);
  actual = read_tar_bytes (streamed);
  assert_entries_renamed (original, actual, "data", "data");

  /* and the guide's restore command works on it */
  g_assert_cmpint (g_mkdir (extract, 0700), ==, 0);
  run (extract, "tar", "--no-same-owner", "-xzf", path, "--strip", "4", NULL);
  {
    g_autofree char *pg_version = g_build_filename (extract, "PG_VERSION", NULL);
    g_autofree char *hard = g_build_filename (extract, "hard", NULL);
    g_autofree char *link = g_build_filename (extract, "link", NULL);
    g_autofree char *odd = g_build_filename (extract, NON_UTF8_NAME, NULL);
    g_autofree char *empty = g_build_filename (extract, "empty", NULL);
    g_autofree char *target = NULL;
    const char *long_name = long_file + strlen ("data/");
    g_autofree char *long_path = g_build_filename (extract, long_name, NULL);

    g_assert_cmpint (lstat (pg_version, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
    g_assert_cmpint (st.st_size, ==, 3);
    g_assert_cmpint (st.st_mtime, ==, 1700000001);
    g_assert_cmpint (lstat (hard, &st2), ==, 0);
    g_assert_cmpuint (st.st_ino, ==, st2.st_ino);
    target = g_file_read_link (link, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (target, ==, "PG_VERSION");
    g_assert_true (g_file_test (odd, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (empty, G_FILE_TEST_IS_DIR));
    g_assert_cmpint (lstat (long_path, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, 12345);
  }

  remove_temp_dir (dir);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A tree like a PostgreSQL data directory, archived by GNU tar as the guide does */
static void
make_tree (const char *top)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_build_filename (top, "base", "1", NULL);
  g_autofree char *empty = g_build_filename (top, "empty", NULL);
  g_autofree char *pg_version = g_build_filename (top, "PG_VERSION", NULL);
  g_autofree char *big = g_build_filename (base, "16384", NULL);
  g_autofree char *odd = g_build_filename (top, NON_UTF8_NAME, NULL);
  g_autofree char *link = g_build_filename (top, "link", NULL);
  g_autofree guint8 *data = g_malloc (400000);

  g_assert_cmpint (g_mkdir_with_parents (base, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  g_file_set_contents (pg_version, "15\n", -1, &error);
  g_assert_no_error (error);
  fill_content (data, 400000, "big");
  g_file_set_contents (big, (char *) data, 400000, &error);
  g_assert_no_error (error);
  g_file_set_contents (odd, "odd", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (symlink ("PG_VERSION", link), ==, 0);
}

static void
test_scan_gnu_tar (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *src = g_build_filename (dir, "src", NULL);
  g_autofree char *top = g_build_filename (src, PG_ROOT, NULL);
  g_autofree char *guide = g_build_filename (dir, "cvat_db.tar.gz", NULL);
  g_autofree char *dot = g_build_filename (dir, "dot.tgz", NULL);
  g_autofree char *zst = g_build_filename (dir, "z.tar.zst", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.tar", NULL);
  g_autofree char *multi = g_build_filename (dir, "multi.tar.gz", NULL);
  g_autoptr(GError) error = NULL;

  make_tree (top);
  /* the guide: tar -czvf /backup/cvat_db.tar.gz /var/lib/postgresql/data (run in "/") */
  run (src, "tar", "-czvf", guide, PG_ROOT, NULL);
  run (top, "tar", "-czf", dot, ".", NULL);
  run (src, "tar", "--zstd", "-cf", zst, PG_ROOT, NULL);
  run (src, "tar", "-cf", plain, PG_ROOT, NULL);

  {
    g_auto(LifeboatArchiveInfo) info = { 0 };

    scan_ok (guide, NULL, &info);
    g_assert_cmpstr (info.root, ==, PG_ROOT);
    g_assert_cmpint (info.compression, ==, LIFEBOAT_COMPRESSION_GZIP);
    g_assert_cmpuint (info.entries, ==, 8);
  }

  {
    g_auto(LifeboatArchiveInfo) info = { 0 };
    g_autoptr(GBytes) streamed = NULL;
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new ();
    g_autofree char *joined = NULL;

    scan_ok (dot, PG_ROOT, &info);
    g_assert_cmpstr (info.root, ==, ".");
    g_assert_cmpuint (info.entries, ==, 8);

    streamed = tar_stream_bytes (dot, info.root, "data", &error);
    g_assert_no_error (error);
    entries = read_tar_bytes (streamed);
    for (guint i = 0; i < entries->len; i++)
      g_ptr_array_add (names, ((ReadEntry *) entries->pdata[i])->path);
    g_ptr_array_sort (names, compare_strings);
    g_ptr_array_add (names, NULL);
    joined = g_strjoinv (" ", (char **) names->pdata);
    g_assert_cmpstr (joined, ==,
                     "data/ data/PG_VERSION data/base/ data/base/1/ data/base/1/16384 "
                     "data/" NON_UTF8_NAME " data/empty/ data/link");
  }

  {
    g_auto(LifeboatArchiveInfo) info = { 0 };

    scan_ok (zst, NULL, &info);
    g_assert_cmpstr (info.root, ==, PG_ROOT);
    g_assert_cmpint (info.compression, ==, LIFEBOAT_COMPRESSION_ZSTD);
  }

  {
    g_auto(LifeboatArchiveInfo) info = { 0 };
    g_autoptr(GBytes) plain_bytes = load_file (plain);
    gsize half = g_bytes_get_size (plain_bytes) / 2;
    g_autoptr(GBytes) a = g_bytes_new_from_bytes (plain_bytes, 0, half);
    g_autoptr(GBytes) b = g_bytes_new_from_bytes (plain_bytes, half,
                                                  g_bytes_get_size (plain_bytes) - half);
    g_autoptr(GBytes) ga = NULL;
    g_autoptr(GBytes) gb = NULL;
    g_autoptr(GByteArray) cat = g_byte_array_new ();
    g_autoptr(GBytes) cat_bytes = NULL;
    g_autofree char *pa = g_build_filename (dir, "a", NULL);
    g_autofree char *pb = g_build_filename (dir, "b", NULL);
    g_autofree char *pa_gz = g_build_filename (dir, "a.gz", NULL);
    g_autofree char *pb_gz = g_build_filename (dir, "b.gz", NULL);

    scan_ok (plain, NULL, &info);
    g_assert_cmpstr (info.root, ==, PG_ROOT);
    g_assert_cmpint (info.compression, ==, LIFEBOAT_COMPRESSION_NONE);
    g_assert_cmpuint (info.tar_bytes, ==, g_bytes_get_size (plain_bytes));
    g_assert_cmpuint (info.file_bytes, ==, g_bytes_get_size (plain_bytes));

    /* two gzip members, as parallel compressors write them */
    write_file (pa, a);
    write_file (pb, b);
    run (dir, "gzip", "-n", pa, NULL);
    run (dir, "gzip", "-n", pb, NULL);
    ga = load_file (pa_gz);
    gb = load_file (pb_gz);
    g_byte_array_append (cat, g_bytes_get_data (ga, NULL), g_bytes_get_size (ga));
    g_byte_array_append (cat, g_bytes_get_data (gb, NULL), g_bytes_get_size (gb));
    cat_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&cat));
    write_file (multi, cat_bytes);

    lifeboat_archive_info_clear (&info);
    scan_ok (multi, NULL, &info);
    g_assert_cmpstr (info.root, ==, PG_ROOT);
    g_assert_cmpint (info.compression, ==, LIFEBOAT_COMPRESSION_GZIP);
    g_assert_cmpuint (info.entries, ==, 8);
    g_assert_cmpuint (info.tar_bytes, ==, g_bytes_get_size (plain_bytes));
  }

  remove_temp_dir (dir);
}

static void
test_scan_expected_root (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "x.tar", NULL);
  /* no directory entry first: only the expected root says where the volume is */
  const Spec specs[] = {
    { PG_ROOT "/PG_VERSION", AE_IFREG, 0600, 70, 70, 3 },
    { PG_ROOT "/base/", AE_IFDIR, 0700, 70, 70 },
  };
  g_autoptr(GBytes) bytes = build_tar (ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_NONE, specs, 2);
  g_auto(LifeboatArchiveInfo) info = { 0 };
  g_autoptr(GBytes) streamed = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  write_file (path, bytes);

  scan_ok (path, PG_ROOT, &info);
  g_assert_cmpstr (info.root, ==, PG_ROOT);
  lifeboat_archive_info_clear (&info);

  scan_ok (path, "/" PG_ROOT, &info);
  g_assert_cmpstr (info.root, ==, PG_ROOT);
  lifeboat_archive_info_clear (&info);

  scan_ok (path, "home/django/data", &info);
  g_assert_cmpstr (info.root, ==, "");
  lifeboat_archive_info_clear (&info);

  scan_ok (path, NULL, &info);
  g_assert_cmpstr (info.root, ==, "");

  /* root "": every entry is prefixed */
  streamed = tar_stream_bytes (path, "", "data", &error);
  g_assert_no_error (error);
  entries = read_tar_bytes (streamed);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((ReadEntry *) entries->pdata[0])->path, ==, "data/" PG_ROOT "/PG_VERSION");

  remove_temp_dir (dir);
}

static void
test_scan_invalid (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(GBytes) input = build_docker_stream ();
  g_autoptr(GBytes) plain = rewrite_bytes (input, "data", PG_ROOT, NULL, NULL);
  g_autofree char *plain_path = g_build_filename (dir, "x.tar", NULL);
  g_autofree char *gz_path = g_build_filename (dir, "x.tar.gz", NULL);
  g_autoptr(GBytes) gz = NULL;
  gsize gz_len;
  struct { const char *what; GBytes *bytes; } cases[6];

  write_file (plain_path, plain);
  run (dir, "gzip", "-k", "-n", plain_path, NULL);
  gz = load_file (gz_path);
  gz_len = g_bytes_get_size (gz);

  cases[0].what = "gzip cut in half";
  cases[0].bytes = g_bytes_new_from_bytes (gz, 0, gz_len / 2);
  cases[1].what = "gzip without its trailer";
  cases[1].bytes = g_bytes_new_from_bytes (gz, 0, gz_len - 8);
  cases[2].what = "gzip without the last byte";
  cases[2].bytes = g_bytes_new_from_bytes (gz, 0, gz_len - 1);
  cases[3].what = "tar cut inside a file";
  cases[3].bytes = g_bytes_new_from_bytes (plain, 0, 300000);
  cases[4].what = "tar cut inside a header";
  cases[4].bytes = g_bytes_new_from_bytes (plain, 0, 700);
  cases[5].what = "not an archive";
  cases[5].bytes = g_bytes_new_static ("Hello, this is not an archive.\n", 31);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, "bad", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GBytes) streamed = NULL;
      g_auto(LifeboatArchiveInfo) info = { 0 };

      write_file (path, cases[i].bytes);
      g_assert_false (lifeboat_archive_scan (file, NULL, &info, NULL, NULL, NULL, &error));
      g_test_message ("%s: %s", cases[i].what, error->message);
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE);
      g_assert_null (info.root);
      g_clear_error (&error);

      streamed = tar_stream_bytes (path, PG_ROOT, "data", &error);
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE);
      g_bytes_unref (cases[i].bytes);
    }

  /* the intact file passes */
  {
    g_auto(LifeboatArchiveInfo) info = { 0 };

    scan_ok (gz_path, NULL, &info);
    g_assert_cmpuint (info.tar_bytes, ==, g_bytes_get_size (plain));
  }

  remove_temp_dir (dir);
}

/* The tar bytes of a tree with a large incompressible file (Lifeboat's gzip stores it) and a
 * large compressible one (deflated), 12 MB in all: more than one of Lifeboat's blocks, and a
 * single `gzip` member larger than what the scanner decodes whole. */
static GBytes *
build_big_tar (const char *dir)
{
  g_autofree char *top = g_build_filename (dir, "big", NULL);
  g_autofree char *media = g_build_filename (top, "media.jpg", NULL);
  g_autofree char *text = g_build_filename (top, "log.txt", NULL);
  g_autofree char *tar_path = g_build_filename (dir, "big.tar", NULL);
  guint8 *random = g_malloc (7 * 1024 * 1024);
  GString *lines = g_string_new (NULL);
  g_autoptr(GBytes) media_bytes = NULL;
  g_autoptr(GBytes) text_bytes = NULL;

  g_assert_cmpint (g_mkdir (top, 0755), ==, 0);
  fill_content (random, 7 * 1024 * 1024, "media");
  media_bytes = g_bytes_new_take (random, 7 * 1024 * 1024);
  write_file (media, media_bytes);
  for (guint i = 0; lines->len < 5 * 1024 * 1024; i++)
    g_string_append_printf (lines, "%u annotation frame %u label %u\n", i, i * 7, i % 13);
  text_bytes = g_string_free_to_bytes (lines);
  write_file (text, text_bytes);
  run (dir, "tar", "--format=gnu", "-cf", tar_path, "big", NULL);
  return load_file (tar_path);
}

static GBytes *
lifeboat_gzip (GBytes *input)
{
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) gz = lifeboat_compress_output_stream_new (mem, LIFEBOAT_COMPRESSION_GZIP, 2);
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (gz, g_bytes_get_data (input, NULL), g_bytes_get_size (input), NULL,
                             NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (gz, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

static GBytes *
concat_bytes (GBytes       *a,
              const void   *b,
              gsize         b_len)
{
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  g_byte_array_append (out, b, b_len);
  return g_byte_array_free_to_bytes (out);
}

/*
 * Every form of gzip decodes to the same tar, in scan and in the restore's tar stream:
 * Lifeboat's members (decoded whole), one `gzip` member for everything (streamed), both in
 * one file, and zeros after the end (as `gzip -d` takes them). Damage anywhere is an error:
 * a changed byte in stored data (the CRC-32), data after the end, a cut.
 */
static void
test_scan_gzip_forms (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(GBytes) tar = build_big_tar (dir);
  gsize tar_len = g_bytes_get_size (tar);
  g_autofree char *tar_path = g_build_filename (dir, "big.tar", NULL);
  g_autofree char *single_path = g_build_filename (dir, "big.tar.gz", NULL);
  g_autoptr(GBytes) ours = lifeboat_gzip (tar);
  g_autoptr(GBytes) single = NULL;
  g_autoptr(GBytes) head = g_bytes_new_from_bytes (tar, 0, 3 * 1024 * 1024 + 5);
  g_autoptr(GBytes) head_gz = lifeboat_gzip (head);
  g_autofree char *tail_path = g_build_filename (dir, "tail", NULL);
  g_autoptr(GBytes) tail_gz = NULL;
  static const guint8 zeros[1000] = { 0 };
  struct { const char *what; GBytes *bytes; gboolean ok; } cases[8];
  gsize ours_len = g_bytes_get_size (ours);
  guint8 *damaged;

  run (dir, "gzip", "-k", "-n", "-6", tar_path, NULL);
  single = load_file (single_path);
  {
    g_autoptr(GBytes) rest = g_bytes_new_from_bytes (tar, g_bytes_get_size (head),
                                                     tar_len - g_bytes_get_size (head));
    g_autofree char *tail_gz_path = g_strconcat (tail_path, ".gz", NULL);

    write_file (tail_path, rest);
    run (dir, "gzip", "-n", tail_path, NULL);
    tail_gz = load_file (tail_gz_path);
  }

  cases[0].what = "Lifeboat's gzip";
  cases[0].bytes = g_bytes_ref (ours);
  cases[0].ok = TRUE;
  cases[1].what = "one gzip member";
  cases[1].bytes = g_bytes_ref (single);
  cases[1].ok = TRUE;
  cases[2].what = "Lifeboat's members, then one large gzip member";
  cases[2].bytes = concat_bytes (head_gz, g_bytes_get_data (tail_gz, NULL),
                                 g_bytes_get_size (tail_gz));
  cases[2].ok = TRUE;
  cases[3].what = "zeros after the end";
  cases[3].bytes = concat_bytes (ours, zeros, sizeof zeros);
  cases[3].ok = TRUE;
  cases[4].what = "a byte changed in stored data";
  damaged = g_memdup2 (g_bytes_get_data (ours, NULL), ours_len);
  /* the media file's bytes are stored as they are: find a stretch of them to change */
  {
    g_autofree guint8 *media = g_malloc (1024 * 1024 + 64);
    const guint8 *hit;

    /* 1 MiB into the media file */
    fill_content (media, 1024 * 1024 + 64, "media");
    hit = memmem (damaged, ours_len, media + 1024 * 1024, 64);

    g_assert_nonnull (hit);
    damaged[hit - damaged + 10] ^= 0x5a;
  }
  cases[4].bytes = g_bytes_new_take (damaged, ours_len);
  cases[4].ok = FALSE;
  cases[5].what = "data after the end";
  cases[5].bytes = concat_bytes (ours, "garbage\n", 8);
  cases[5].ok = FALSE;
  cases[6].what = "Lifeboat's gzip cut in a member";
  cases[6].bytes = g_bytes_new_from_bytes (ours, 0, ours_len - 100000);
  cases[6].ok = FALSE;
  cases[7].what = "the large member cut";
  cases[7].bytes = g_bytes_new_from_bytes (cases[2].bytes, 0, g_bytes_get_size (cases[2].bytes) - 3);
  cases[7].ok = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, "case.tar.gz", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) streamed = NULL;
      g_auto(LifeboatArchiveInfo) info = { 0 };
      gboolean ok;

      write_file (path, cases[i].bytes);
      ok = lifeboat_archive_scan (file, NULL, &info, NULL, NULL, NULL, &error);
      g_test_message ("%s: %s", cases[i].what, ok ? "read" : error->message);
      streamed = tar_stream_bytes (path, "big", "data", ok ? &error : NULL);
      if (cases[i].ok)
        {
          g_autoptr(GPtrArray) original = read_tar_bytes (tar);
          g_autoptr(GPtrArray) actual = NULL;

          g_assert_no_error (error);
          g_assert_cmpint (info.compression, ==, LIFEBOAT_COMPRESSION_GZIP);
          g_assert_cmpuint (info.tar_bytes, ==, tar_len);
          g_assert_cmpuint (info.file_bytes, ==, g_bytes_get_size (cases[i].bytes));
          g_assert_cmpuint (info.entries, ==, 3);
          g_assert_nonnull (streamed);
          actual = read_tar_bytes (streamed);
          assert_entries_renamed (original, actual, "big", "data");
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE);
          g_assert_null (streamed);
        }
      g_bytes_unref (cases[i].bytes);
    }

  remove_temp_dir (dir);
}

typedef struct
{
  const char *name;
  const char *culprit;    /* appears in the error message */
  Spec        specs[4];
} HostileCase;

#define ROOT_DIR { PG_ROOT "/", AE_IFDIR, 0700 }

static const HostileCase hostile_cases[] = {
  { "absolute", "/etc/evil", { ROOT_DIR, { "/etc/evil", AE_IFREG, 0644, 0, 0, 4 } } },
  { "dotdot", "evil", { ROOT_DIR, { PG_ROOT "/../../../../etc/evil", AE_IFREG, 0644, 0, 0, 4 } } },
  { "hardlink-absolute", "h",
    { ROOT_DIR, { PG_ROOT "/h", AE_IFREG, 0644, 0, 0, 0, NULL, "/etc/passwd" } } },
  { "hardlink-dotdot", "h",
    { ROOT_DIR, { PG_ROOT "/h", AE_IFREG, 0644, 0, 0, 0, NULL, PG_ROOT "/../../../../etc/passwd" } } },
  { "symlink-absolute", "s", { ROOT_DIR, { PG_ROOT "/s", AE_IFLNK, 0777, 0, 0, 0, "/etc" } } },
  { "symlink-absolute-prefix", "s",
    { ROOT_DIR, { PG_ROOT "/s", AE_IFLNK, 0777, 0, 0, 0, "/" PG_ROOT "-other/x" } } },
  { "symlink-escapes", "sub/s",
    { ROOT_DIR, { PG_ROOT "/sub/", AE_IFDIR, 0700 },
      { PG_ROOT "/sub/s", AE_IFLNK, 0777, 0, 0, 0, "../../x" } } },
  { "symlink-chain", PG_ROOT "/a",
    { ROOT_DIR, { PG_ROOT "/a", AE_IFLNK, 0777, 0, 0, 0, "d/l2/../../x" },
      { PG_ROOT "/d/", AE_IFDIR, 0700 },
      { PG_ROOT "/d/l2", AE_IFLNK, 0777, 0, 0, 0, ".." } } },
  { "below-symlink", "s/evil",
    { ROOT_DIR, { PG_ROOT "/sub/", AE_IFDIR, 0700 },
      { PG_ROOT "/s", AE_IFLNK, 0777, 0, 0, 0, "sub" },
      { PG_ROOT "/s/evil", AE_IFREG, 0644, 0, 0, 4 } } },
  { "char-device", "null", { ROOT_DIR, { PG_ROOT "/null", AE_IFCHR, 0666 } } },
  { "block-device", "sda", { ROOT_DIR, { PG_ROOT "/sda", AE_IFBLK, 0660 } } },
};

static gsize
count_specs (const Spec *specs,
             gsize       max)
{
  gsize n = 0;

  while (n < max && specs[n].path != NULL)
    n++;
  return n;
}

static void
test_scan_hostile (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "hostile.tar.gz", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      const HostileCase *c = &hostile_cases[i];
      g_autoptr(GBytes) bytes = build_tar (ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_GZIP,
                                           c->specs, count_specs (c->specs, 4));
      g_auto(LifeboatArchiveInfo) info = { 0 };
      g_autoptr(GBytes) streamed = NULL;
      g_autoptr(GError) error = NULL;

      write_file (path, bytes);

      g_assert_false (lifeboat_archive_scan (file, PG_ROOT, &info, NULL, NULL, NULL, &error));
      g_test_message ("%s: %s", c->name, error->message);
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOSTILE_ARCHIVE);
      g_assert_nonnull (strstr (error->message, c->culprit));
      g_clear_error (&error);

      streamed = tar_stream_bytes (path, PG_ROOT, "data", &error);
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOSTILE_ARCHIVE);
      g_assert_null (streamed);
    }

  remove_temp_dir (dir);
}

static void
test_scan_safe_links (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "links.tar", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  /* links that stay inside the volume, and a hard link to a file outside the root */
  const Spec specs[] = {
    ROOT_DIR,
    { PG_ROOT "/sub/", AE_IFDIR, 0700 },
    { PG_ROOT "/sub/file", AE_IFREG, 0600, 0, 0, 3 },
    { PG_ROOT "/abs", AE_IFLNK, 0777, 0, 0, 0, "/" PG_ROOT "/sub/file" },
    { PG_ROOT "/rel", AE_IFLNK, 0777, 0, 0, 0, "sub/../sub/./file" },
    { PG_ROOT "/sub/up", AE_IFLNK, 0777, 0, 0, 0, "../abs" },
    { PG_ROOT "/sub/hard", AE_IFREG, 0600, 0, 0, 0, NULL, PG_ROOT "/sub/file" },
  };
  const Spec outside[] = {
    ROOT_DIR,
    { PG_ROOT "/h", AE_IFREG, 0644, 0, 0, 0, NULL, "etc/passwd" },
  };
  g_autoptr(GBytes) bytes = build_tar (ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_NONE,
                                       specs, G_N_ELEMENTS (specs));
  g_autoptr(GBytes) outside_bytes = build_tar (ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_NONE,
                                               outside, G_N_ELEMENTS (outside));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) streamed = NULL;

  {
    g_auto(LifeboatArchiveInfo) info = { 0 };

    write_file (path, bytes);
    scan_ok (path, NULL, &info);
    g_assert_cmpstr (info.root, ==, PG_ROOT);
    streamed = tar_stream_bytes (path, PG_ROOT, "data", &error);
    g_assert_no_error (error);
    g_clear_pointer (&streamed, g_bytes_unref);
  }

  {
    g_auto(LifeboatArchiveInfo) info = { 0 };

    /* relative to the archive's top the hard link stays inside, but it names no earlier
     * entry: it would link to whatever the volume has at etc/passwd */
    write_file (path, outside_bytes);
    g_assert_false (lifeboat_archive_scan (file, PG_ROOT, &info, NULL, NULL, NULL, &error));
    g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOSTILE_ARCHIVE);
    g_clear_error (&error);
    /* and not below the volume's folder either */
    streamed = tar_stream_bytes (path, PG_ROOT, "data", &error);
    g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOSTILE_ARCHIVE);
    g_clear_error (&error);

    /* an entry outside the given root */
    streamed = tar_stream_bytes (path, PG_ROOT "/sub", "data", &error);
    g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOSTILE_ARCHIVE);
  }

  remove_temp_dir (dir);
}

static void
test_scan_cancel (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "x.tar", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) input = build_docker_stream ();
  g_autoptr(GBytes) plain = rewrite_bytes (input, "data", PG_ROOT, NULL, NULL);

  write_file (path, plain);

  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_auto(LifeboatArchiveInfo) info = { 0 };
    g_autoptr(GError) error = NULL;

    g_cancellable_cancel (cancellable);
    g_assert_false (lifeboat_archive_scan (file, NULL, &info, NULL, NULL, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_auto(LifeboatArchiveInfo) info = { 0 };
    g_autoptr(GError) error = NULL;

    /* cancelled by the first progress report, in the middle of the big file */
    g_assert_false (lifeboat_archive_scan (file, NULL, &info, cancel_on_progress, cancellable,
                                           cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  remove_temp_dir (dir);
}

static void
test_tar_stream_close_early (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "big.tar", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  const Spec specs[] = {
    ROOT_DIR,
    { PG_ROOT "/big", AE_IFREG, 0600, 0, 0, 8 * 1024 * 1024 },
  };
  g_autoptr(GBytes) bytes = build_tar (ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_NONE, specs, 2);
  char buffer[1000];

  write_file (path, bytes);

  /* close after the first read: the producer is blocked on the full queue and must stop */
  {
    g_autoptr(GError) error = NULL;
    GInputStream *stream = lifeboat_archive_open_tar_stream (file, PG_ROOT, "data",
                                                             NULL, NULL, &error);
    gint64 start = g_get_monotonic_time ();

    g_assert_no_error (error);
    g_assert_cmpint (g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error), ==,
                     sizeof buffer);
    g_assert_no_error (error);
    g_usleep (100 * 1000);
    g_assert_true (g_input_stream_close (stream, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
    g_assert_finalize_object (stream);
  }

  /* dropped without close */
  {
    g_autoptr(GError) error = NULL;
    GInputStream *stream = lifeboat_archive_open_tar_stream (file, PG_ROOT, "data",
                                                             NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (g_input_stream_read (stream, buffer, 1, NULL, &error), ==, 1);
    g_assert_finalize_object (stream);
  }

  /* a read that is cancelled */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GInputStream) stream = lifeboat_archive_open_tar_stream (file, PG_ROOT, "data",
                                                                       NULL, NULL, &error);

    g_assert_no_error (error);
    g_cancellable_cancel (cancellable);
    g_assert_cmpint (g_input_stream_read (stream, buffer, sizeof buffer, cancellable, &error),
                     ==, -1);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  /* missing file: an error right away */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/lifeboat/x.tar.gz");

    g_assert_null (lifeboat_archive_open_tar_stream (missing, PG_ROOT, "data",
                                                     NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }

  remove_temp_dir (dir);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lifeboat/archive/rewrite/entries", test_rewrite_entries);
  g_test_add_func ("/lifeboat/archive/rewrite/go-non-utf8", test_rewrite_go_non_utf8);
  g_test_add_func ("/lifeboat/archive/rewrite/invalid", test_rewrite_invalid);
  g_test_add_func ("/lifeboat/archive/rewrite/no-space", test_rewrite_no_space);
  g_test_add_func ("/lifeboat/archive/rewrite/cancel", test_rewrite_cancel);
  g_test_add_func ("/lifeboat/archive/round-trip", test_round_trip);
  g_test_add_func ("/lifeboat/archive/scan/gnu-tar", test_scan_gnu_tar);
  g_test_add_func ("/lifeboat/archive/scan/expected-root", test_scan_expected_root);
  g_test_add_func ("/lifeboat/archive/scan/invalid", test_scan_invalid);
  g_test_add_func ("/lifeboat/archive/scan/gzip-forms", test_scan_gzip_forms);
  g_test_add_func ("/lifeboat/archive/scan/hostile", test_scan_hostile);
  g_test_add_func ("/lifeboat/archive/scan/safe-links", test_scan_safe_links);
  g_test_add_func ("/lifeboat/archive/scan/cancel", test_scan_cancel);
  g_test_add_func ("/lifeboat/archive/tar-stream/close-early", test_tar_stream_close_early);

  return g_test_run ();
}
