/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An archive as the uncompressed tar stream that a PUT sends: a producer thread fills a
 * bounded queue that reads pull from (restore)
 */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "lifeboat-archive-private.h"
#include "lifeboat-error.h"

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

  /* see _lifeboat_tar_write_cb () on why this never fails */
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

  _lifeboat_tar_read_context_init (&rctx, self->source, self->stop);
  rctx.gunzip_allowed = TRUE;
  _lifeboat_tar_hostile_check_init (&check, self->root);

  r = _lifeboat_tar_reader_new (TRUE);
  if (archive_read_open (r, &rctx, NULL, _lifeboat_tar_read_cb, NULL) != ARCHIVE_OK)
    {
      _lifeboat_tar_propagate_read_error (error, r, &rctx, self->what);
      goto out;
    }

  if (!_lifeboat_tar_detect_compression (r, &rctx, &compression, error))
    goto out;

  w = _lifeboat_tar_gnutar_writer_new ();
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
          _lifeboat_tar_propagate_read_error (error, r, &rctx, self->what);
          goto out;
        }

      if (!_lifeboat_tar_hostile_check_entry (&check, entry, &path, &link, error))
        goto out;

      is_dir = archive_entry_filetype (entry) == AE_IFDIR;
      rel = _lifeboat_tar_path_relative_to (path, self->root);
      if (rel[0] == '\0' && !is_dir && link == NULL)
        {
          g_autofree char *name = _lifeboat_tar_display_name (archive_entry_pathname (entry));
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       "%s: the root entry “%s” is not a directory", self->what, name);
          goto out;
        }

      new_path = _lifeboat_tar_renamed_path (self->dest_name, rel, is_dir);
      archive_entry_set_pathname (entry, new_path);
      if (link != NULL)
        {
          g_autofree char *new_link = NULL;

          new_link = _lifeboat_tar_renamed_path (self->dest_name,
                                                 _lifeboat_tar_path_relative_to (link,
                                                                                 self->root),
                                                 FALSE);
          archive_entry_set_hardlink (entry, new_link);
        }

      if (archive_write_header (w, entry) < ARCHIVE_WARN || self->write_error != NULL)
        {
          producer_write_error (self, w, error);
          goto out;
        }

      switch (_lifeboat_tar_copy_entry_data (r, w, &self->write_error, self->stop, error))
        {
        case COPY_OK:
          break;
        case COPY_READ_FAILED:
          _lifeboat_tar_propagate_read_error (error, r, &rctx, self->what);
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
  if (!_lifeboat_tar_hostile_check_finish (&check, self->root, error))
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
  _lifeboat_tar_hostile_check_clear (&check);
  _lifeboat_tar_read_context_clear (&rctx);

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
  self->root = _lifeboat_tar_normalize_path (root, &dotdot_root);
  self->dest_name = _lifeboat_tar_normalize_path (dest_name, &dotdot_dest);
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
