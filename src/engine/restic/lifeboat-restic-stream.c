/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restic"

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>

#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-restic-private.h"

/*
 * A snapshot's one file as a stream: what is written goes to `restic backup --stdin`, what is
 * read comes from `restic dump`. Each owns its restic; both end in an error, never in a
 * quiet short stream, unless restic ended well.
 */

#define STDERR_KEPT (64 * 1024)

/* collects a restic's stderr on a thread of its own, so that it never blocks restic */
typedef struct
{
  GInputStream *stream;
  GString      *text;
  GThread      *thread;
} StderrReader;

static gpointer
stderr_thread (gpointer data)
{
  StderrReader *r = data;
  char buf[4096];
  gssize n;

  while ((n = g_input_stream_read (r->stream, buf, sizeof buf, NULL, NULL)) > 0)
    if (r->text->len < STDERR_KEPT)
      g_string_append_len (r->text, buf, n);
  return NULL;
}

static void
stderr_reader_start (StderrReader *r,
                     GSubprocess  *process)
{
  r->stream = g_subprocess_get_stderr_pipe (process);
  r->text = g_string_new (NULL);
  r->thread = g_thread_new ("lifeboat-restic-err", stderr_thread, r);
}

static const char *
stderr_reader_join (StderrReader *r)
{
  if (r->thread != NULL)
    g_thread_join (g_steal_pointer (&r->thread));
  return r->text != NULL ? r->text->str : "";
}

static void
stderr_reader_clear (StderrReader *r)
{
  stderr_reader_join (r);
  if (r->text != NULL)
    g_string_free (g_steal_pointer (&r->text), TRUE);
}

/* SIGINT, not SIGKILL: restic then removes its lock from the repository before it exits */
static void
end_restic (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGINT);
}

static gboolean
exited_well (GSubprocess *process)
{
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

/* ---------------------------------------------------------------------------------------- */
/* restic backup --stdin */

#define LIFEBOAT_TYPE_RESTIC_BACKUP_STREAM (lifeboat_restic_backup_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatResticBackupStream, lifeboat_restic_backup_stream,
                      LIFEBOAT, RESTIC_BACKUP_STREAM, GFileOutputStream)

struct _LifeboatResticBackupStream
{
  GFileOutputStream          parent_instance;

  LifeboatResticRepository  *repo;
  GSubprocess               *process;
  GCancellable              *cancellable;   /* the job's: a cancel is reported as such */
  StderrReader               err;
  GThread                   *reader;        /* restic's --json lines */
  LifeboatResticProgressFunc progress;
  gpointer                   user_data;
  char                      *snapshot;      /* from its summary; set by the reader */
  guint64                    data_added;
  gboolean                   finished;
  gboolean                   complete;      /* restic ended well with a snapshot */
};

G_DEFINE_FINAL_TYPE (LifeboatResticBackupStream, lifeboat_restic_backup_stream,
                     G_TYPE_FILE_OUTPUT_STREAM)

static gpointer
json_reader_thread (gpointer data)
{
  LifeboatResticBackupStream *self = data;
  g_autoptr(GDataInputStream) lines =
    g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  char *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *owned = line;
      JsonNode *root;
      JsonObject *o;
      const char *type;

      if (!json_parser_load_from_data (parser, owned, -1, NULL) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      o = json_node_get_object (root);
      type = json_object_get_string_member_with_default (o, "message_type", "");
      if (g_str_equal (type, "status") && self->progress != NULL)
        self->progress ((guint64) json_object_get_int_member_with_default (o, "bytes_done", 0),
                        self->user_data);
      else if (g_str_equal (type, "summary"))
        {
          gint64 total = json_object_get_int_member_with_default (o, "total_bytes_processed", 0);

          g_free (self->snapshot);
          self->snapshot = g_strdup (json_object_get_string_member_with_default (o, "snapshot_id",
                                                                                 NULL));
          self->data_added = json_object_get_int_member_with_default (o, "data_added", 0);
          if (self->progress != NULL)
            self->progress ((guint64) total, self->user_data);
        }
    }
  return NULL;
}

/* waits for restic after its stdin closed or broke; an error unless it made the snapshot */
static gboolean
backup_stream_finish (LifeboatResticBackupStream  *self,
                      GError                     **error)
{
  const char *text;

  if (self->finished)
    return self->complete;
  self->finished = TRUE;

  g_output_stream_close (g_subprocess_get_stdin_pipe (self->process), NULL, NULL);
  if (self->reader != NULL)
    g_thread_join (g_steal_pointer (&self->reader));
  text = stderr_reader_join (&self->err);
  g_subprocess_wait (self->process, NULL, NULL);

  /* a snapshot restic made all the same stays named, to be forgotten */
  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  if (!exited_well (self->process) || self->snapshot == NULL)
    {
      g_debug ("restic backup: %s", text);
      _lifeboat_restic_set_error (self->repo, error, _("writing a backup"), text);
      return FALSE;
    }
  self->complete = TRUE;
  return TRUE;
}

static gssize
backup_stream_write (GOutputStream  *stream,
                     const void     *buffer,
                     gsize           count,
                     GCancellable   *cancellable,
                     GError        **error)
{
  LifeboatResticBackupStream *self = LIFEBOAT_RESTIC_BACKUP_STREAM (stream);
  g_autoptr(GError) local_error = NULL;
  gssize n;

  if (self->finished)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "restic has ended");
      return -1;
    }

  n = g_output_stream_write (g_subprocess_get_stdin_pipe (self->process), buffer, count,
                             cancellable, &local_error);
  if (n >= 0)
    return n;

  /* cancelled: close() ends restic's stdin */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  /* a broken pipe: restic ended; its own words say why */
  if (!backup_stream_finish (self, error))
    return -1;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return -1;
}

static gboolean
backup_stream_close (GOutputStream  *stream,
                     GCancellable   *cancellable,
                     GError        **error)
{
  return backup_stream_finish (LIFEBOAT_RESTIC_BACKUP_STREAM (stream), error);
}

static void
lifeboat_restic_backup_stream_finalize (GObject *object)
{
  LifeboatResticBackupStream *self = (LifeboatResticBackupStream *) object;

  if (!self->finished)
    backup_stream_finish (self, NULL);
  stderr_reader_clear (&self->err);
  g_clear_object (&self->process);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->repo);
  g_clear_pointer (&self->snapshot, g_free);

  G_OBJECT_CLASS (lifeboat_restic_backup_stream_parent_class)->finalize (object);
}

static void
lifeboat_restic_backup_stream_class_init (LifeboatResticBackupStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_restic_backup_stream_finalize;
  stream_class->write_fn = backup_stream_write;
  stream_class->close_fn = backup_stream_close;
}

static void
lifeboat_restic_backup_stream_init (LifeboatResticBackupStream *self)
{
}

GFileOutputStream *
_lifeboat_restic_backup_stream_new (LifeboatResticRepository  *repo,
                                    const char                *filename,
                                    const char * const        *tags,
                                    LifeboatResticProgressFunc progress,
                                    gpointer                   user_data,
                                    GCancellable              *cancellable,
                                    GError                   **error)
{
  g_autoptr(LifeboatResticBackupStream) self = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_null_terminated (16, g_free, TRUE);

  g_ptr_array_add (args, g_strdup ("backup"));
  g_ptr_array_add (args, g_strdup ("--json"));
  g_ptr_array_add (args, g_strdup ("--stdin"));
  g_ptr_array_add (args, g_strdup ("--stdin-filename"));
  g_ptr_array_add (args, g_strdup (filename));
  for (guint i = 0; tags != NULL && tags[i]; i++)
    {
      g_ptr_array_add (args, g_strdup ("--tag"));
      g_ptr_array_add (args, g_strdup (tags[i]));
    }

  self = g_object_new (LIFEBOAT_TYPE_RESTIC_BACKUP_STREAM, NULL);
  self->repo = g_object_ref (repo);
  self->progress = progress;
  self->user_data = user_data;
  self->process = _lifeboat_restic_spawn (repo, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                          (const char * const *) args->pdata, error);
  if (self->process == NULL)
    {
      self->finished = TRUE;
      return NULL;
    }
  stderr_reader_start (&self->err, self->process);
  self->reader = g_thread_new ("lifeboat-restic-json", json_reader_thread, self);
#ifdef F_SETPIPE_SZ
  /* restic's chunker reads its stdin in large blocks: with the pipe's default 64 KiB both
   * sides wait on each other far more often (a 736 MB backup measured 13.5 s against 15.0 s,
   * median of 3); where the system allows no more, the default stays */
  {
    GOutputStream *in = g_subprocess_get_stdin_pipe (self->process);

    fcntl (g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (in)), F_SETPIPE_SZ, 1024 * 1024);
  }
#endif
  /* a cancel ends the writes (they wait on @cancellable), then close() ends restic's stdin: it
   * stores what it got and exits on its own, taking its lock away with it; the snapshot is
   * forgotten with the backup that will not be. A signal could reach restic before it can
   * clean up, and leave its lock behind. */
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;

  return G_FILE_OUTPUT_STREAM (g_steal_pointer (&self));
}

gboolean
_lifeboat_restic_backup_stream_is_complete (GFileOutputStream *stream)
{
  return LIFEBOAT_RESTIC_BACKUP_STREAM (stream)->complete;
}

const char *
_lifeboat_restic_backup_stream_get_snapshot (GFileOutputStream *stream)
{
  return LIFEBOAT_RESTIC_BACKUP_STREAM (stream)->snapshot;
}

guint64
_lifeboat_restic_backup_stream_get_data_added (GFileOutputStream *stream)
{
  return LIFEBOAT_RESTIC_BACKUP_STREAM (stream)->data_added;
}

/* ---------------------------------------------------------------------------------------- */
/* restic dump */

#define LIFEBOAT_TYPE_RESTIC_DUMP_STREAM (lifeboat_restic_dump_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatResticDumpStream, lifeboat_restic_dump_stream,
                      LIFEBOAT, RESTIC_DUMP_STREAM, GFileInputStream)

struct _LifeboatResticDumpStream
{
  GFileInputStream          parent_instance;

  LifeboatResticRepository *repo;
  GSubprocess              *process;
  StderrReader              err;
  gboolean                  finished;
};

G_DEFINE_FINAL_TYPE (LifeboatResticDumpStream, lifeboat_restic_dump_stream,
                     G_TYPE_FILE_INPUT_STREAM)

static gssize
dump_stream_read (GInputStream  *stream,
                  void          *buffer,
                  gsize          count,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LifeboatResticDumpStream *self = LIFEBOAT_RESTIC_DUMP_STREAM (stream);
  gssize n;

  if (self->finished)
    return 0;

  n = g_input_stream_read (g_subprocess_get_stdout_pipe (self->process), buffer, count,
                           cancellable, error);
  if (n != 0)
    return n;

  /* the end of its output is the end of the file only if restic says so */
  self->finished = TRUE;
  g_subprocess_wait (self->process, NULL, NULL);
  if (!exited_well (self->process))
    {
      const char *text = stderr_reader_join (&self->err);

      g_debug ("restic dump: %s", text);
      _lifeboat_restic_set_error (self->repo, error, _("reading a backup"), text);
      return -1;
    }
  return 0;
}

static gboolean
dump_stream_close (GInputStream  *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  LifeboatResticDumpStream *self = LIFEBOAT_RESTIC_DUMP_STREAM (stream);

  if (!self->finished)
    {
      self->finished = TRUE;
      end_restic (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  return TRUE;
}

static void
lifeboat_restic_dump_stream_finalize (GObject *object)
{
  LifeboatResticDumpStream *self = (LifeboatResticDumpStream *) object;

  if (self->process != NULL && !self->finished)
    {
      end_restic (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  stderr_reader_clear (&self->err);
  g_clear_object (&self->process);
  g_clear_object (&self->repo);

  G_OBJECT_CLASS (lifeboat_restic_dump_stream_parent_class)->finalize (object);
}

static void
lifeboat_restic_dump_stream_class_init (LifeboatResticDumpStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = lifeboat_restic_dump_stream_finalize;
  stream_class->read_fn = dump_stream_read;
  stream_class->close_fn = dump_stream_close;
}

static void
lifeboat_restic_dump_stream_init (LifeboatResticDumpStream *self)
{
}

GFileInputStream *
_lifeboat_restic_dump_stream_new (LifeboatResticRepository  *repo,
                                  const char                *snapshot,
                                  const char                *path,
                                  GError                   **error)
{
  g_autoptr(LifeboatResticDumpStream) self = NULL;
  const char *args[] = { "dump", snapshot, path, NULL };

  self = g_object_new (LIFEBOAT_TYPE_RESTIC_DUMP_STREAM, NULL);
  self->repo = g_object_ref (repo);
  self->process = _lifeboat_restic_spawn (repo, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE, args, error);
  if (self->process == NULL)
    {
      self->finished = TRUE;
      return NULL;
    }
  stderr_reader_start (&self->err, self->process);
  return G_FILE_INPUT_STREAM (g_steal_pointer (&self));
}
