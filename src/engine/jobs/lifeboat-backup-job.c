/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One backup: the project's lock and journal, the stop, each volume streamed into its archive
 * (two at a time, the database first, through ../lifeboat-parallel.c), the containers started
 * as soon as the volumes they mount are read, the manifest, the rename of the .partial folder.
 * Longer than most files because the early starts share the job's state and are read with it;
 * the archive side is in ../archive/, the lock, journal and guard in lifeboat-job-*.c.
 */
#define G_LOG_DOMAIN "lifeboat-backup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lifeboat-archive.h"
#include "lifeboat-engine-tether.h"
#include "lifeboat-backup-job.h"
#include "lifeboat-backup-job-private.h"
#include "lifeboat-compress.h"
#include "lifeboat-container-ops-private.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-job-journal-private.h"
#include "lifeboat-job-private.h"
#include "lifeboat-manifest.h"
#include "lifeboat-parallel-private.h"
#include "lifeboat-space.h"
#include "lifeboat-restic-private.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-util-private.h"

struct _LifeboatBackupJob
{
  LifeboatJob          parent_instance;

  char                *project_name;
  GFile               *destination;
  char               **volumes;
  LifeboatCompression  compression;
  gboolean             stop;
  gboolean             restart;
  gboolean             safety;
  GHashTable          *sources;   /* volume name -> SourceOverride, see _lifeboat_backup_job_set_source() */
};

typedef struct
{
  char *container;
  char *path;
} SourceOverride;

static void
source_override_free (SourceOverride *o)
{
  g_free (o->container);
  g_free (o->path);
  g_free (o);
}

G_DEFINE_FINAL_TYPE (LifeboatBackupJob, lifeboat_backup_job, LIFEBOAT_TYPE_JOB)

/* ---------------------------------------------------------------------------------------- */

/* fsync a local file or directory by path; other GFile locations have no fd to sync */
static gboolean
sync_file (GFile   *file,
           GError **error)
{
  g_autofree char *path = g_file_get_path (file);
  int fd;

  if (path == NULL)
    return TRUE;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return TRUE;
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s to disk: %s"), path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Removes a folder and what is in it (one level: a backup folder holds plain files). */
static void
remove_partial (GFile *folder)
{
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GError) error = NULL;

  e = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (e != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (e, &info, &child, NULL, NULL) && info != NULL)
        g_file_delete (child, NULL, NULL);
    }

  if (!g_file_delete (folder, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *name = g_file_get_parse_name (folder);

      /* a repository that cannot be reached (the reason the job failed) keeps the unfinished
       * snapshots: without their manifest they are never taken for a backup, and retention
       * forgets them; a folder on a disk is said, and the recovery removes it */
      if (g_file_is_native (folder))
        g_warning ("Could not remove %s: %s", name, error->message);
      else
        g_debug ("Could not remove %s: %s", name, error->message);
    }
}

static gboolean
make_private_dir (GFile         *dir,
                  GCancellable  *cancellable,
                  GError       **error)
{
  if (!g_file_make_directory (dir, cancellable, error))
    return FALSE;

  /* 0700: backups hold the database and the Django secret key */
  return g_file_set_attribute_uint32 (dir, G_FILE_ATTRIBUTE_UNIX_MODE, 0700,
                                      G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, error);
}

/* Streams one volume into @folder/@archive_name. */
static gboolean
backup_volume (LifeboatBackupJob      *self,
               LifeboatDockerClient   *client,
               const char             *container,
               const char             *source_path,
               GFile                  *folder,
               LifeboatManifestVolume *mv,
               guint                   index,
               GCancellable           *cancellable,
               GError                **error)
{
  g_autoptr(GFile) file = g_file_get_child (folder, mv->archive);
  g_autoptr(GFileOutputStream) file_out = NULL;
  g_autoptr(GOutputStream) hash_out = NULL;
  g_autoptr(GOutputStream) compress_out = NULL;
  g_autoptr(GInputStream) tar_in = NULL;
  g_autofree char *source_root = g_path_get_basename (source_path);
  LifeboatArchiveWriteStats stats = { 0 };
  LifeboatVolumeProgress progress = { LIFEBOAT_JOB (self), index };
  gint64 started = g_get_monotonic_time ();

  /* into a restic repository (src/engine/restic/): the progress is restic's, not the tar's */
  gboolean restic = _lifeboat_restic_is_file (file);

  tar_in = lifeboat_docker_client_get_archive_sync (client, container, source_path,
                                                    cancellable, error);
  if (tar_in == NULL)
    return FALSE;

  file_out = restic ? _lifeboat_restic_file_create_volume (file, _lifeboat_job_volume_progress,
                                                           &progress, cancellable, error)
                    : g_file_create (file, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (file_out == NULL)
    return FALSE;

  hash_out = lifeboat_hash_output_stream_new (G_OUTPUT_STREAM (file_out));
  g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (hash_out), FALSE);
  compress_out = lifeboat_compress_output_stream_new (hash_out, mv->compression, 0);

  if (!lifeboat_archive_rewrite_tar (tar_in, source_root, mv->archive_root, compress_out,
                                     restic ? NULL : _lifeboat_job_volume_progress, &progress,
                                     &stats, cancellable, error))
    {
      g_output_stream_close (compress_out, NULL, NULL);
      g_output_stream_close (G_OUTPUT_STREAM (file_out), NULL, NULL);
      return FALSE;
    }

  if (!g_output_stream_close (compress_out, cancellable, error) ||
      !lifeboat_hash_output_stream_sync (LIFEBOAT_HASH_OUTPUT_STREAM (hash_out), cancellable,
                                         error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (file_out), cancellable, error))
    {
      g_prefix_error (error, _("Could not write %s: "), mv->archive);
      g_output_stream_close (G_OUTPUT_STREAM (file_out), NULL, NULL);
      return FALSE;
    }

  g_input_stream_close (tar_in, NULL, NULL);

  mv->tar_bytes = stats.tar_bytes;
  mv->entries = stats.entries;
  mv->archive_bytes = lifeboat_hash_output_stream_get_bytes (LIFEBOAT_HASH_OUTPUT_STREAM (hash_out));
  mv->sha256 = g_strdup (lifeboat_hash_output_stream_get_sha256 (LIFEBOAT_HASH_OUTPUT_STREAM (hash_out)));
  mv->seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;

  _lifeboat_job_set_volume_bytes_done (LIFEBOAT_JOB (self), index, stats.tar_bytes);
  _lifeboat_job_finish_volume (LIFEBOAT_JOB (self), index);

  return TRUE;
}

/*
 * Early start. A container the backup stopped runs again as soon as every volume of this backup
 * that it mounts has been read and whatever it depends on runs again: the database while the
 * media still stream. The backup stays what it was at the stop: a volume changes only through
 * a container that mounts it, and every such container stays stopped until that volume has been
 * read, so each archive holds its volume as it was when everything stopped. What has not
 * started when the volumes are read (or when the backup fails) starts at the end, as before.
 */
typedef struct
{
  LifeboatDockerClient *client;
  LifeboatProject      *project;
  GMutex                mutex;
  GCond                 cond;
  GPtrArray            *waiting;     /* names of stopped containers not started; under mutex */
  GPtrArray            *starting;    /* names being started; under mutex */
  GHashTable           *unread;      /* names of the backup's volumes not read yet; under mutex */
  gboolean              failed;      /* a start failed: the rest waits for the end; under mutex */
  gboolean              quit;        /* under mutex */
  GThread              *thread;
} EarlyStart;

typedef struct
{
  EarlyStart *early;
  char       *name;
} EarlyCall;

/* One container's start, on a thread of its own: a container whose volumes are read does not
 * wait for another's start (each takes most of a second on a busy engine). */
static gpointer
early_call_thread (gpointer data)
{
  EarlyCall *call = data;
  EarlyStart *early = call->early;
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  guint index;

  g_ptr_array_add (one, call->name);
  if (!_lifeboat_start_containers (early->client, early->project, one, &error))
    g_debug ("Starting %s early: %s (tried again at the end)", call->name, error->message);

  g_mutex_lock (&early->mutex);
  if (g_ptr_array_find_with_equal_func (early->starting, call->name, g_str_equal, &index))
    g_ptr_array_remove_index_fast (early->starting, index);
  /* what did not start is tried again at the end, with the same error reporting as ever */
  if (error != NULL)
    {
      g_ptr_array_add (early->waiting, g_strdup (call->name));
      early->failed = TRUE;
    }
  g_cond_broadcast (&early->cond);
  g_mutex_unlock (&early->mutex);

  g_free (call->name);
  g_free (call);
  return NULL;
}

static gpointer
early_start_thread (gpointer data)
{
  EarlyStart *early = data;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();

  g_mutex_lock (&early->mutex);
  while (!early->quit)
    {
      g_autoptr(GPtrArray) blockers = g_ptr_array_new ();
      g_autoptr(GPtrArray) ready = NULL;
      guint started = 0;

      /* a container waits for what it depends on, also while that one is being started */
      if (!early->failed)
        {
          for (guint i = 0; i < early->waiting->len; i++)
            g_ptr_array_add (blockers, g_ptr_array_index (early->waiting, i));
          for (guint i = 0; i < early->starting->len; i++)
            g_ptr_array_add (blockers, g_ptr_array_index (early->starting, i));
          ready = _lifeboat_startable_containers (early->project, blockers, early->unread);
        }
      for (guint i = 0; ready != NULL && i < ready->len; i++)
        {
          const char *name = g_ptr_array_index (ready, i);
          guint index;
          EarlyCall *call;

          if (!g_ptr_array_find_with_equal_func (early->waiting, name, g_str_equal, &index))
            continue;   /* being started already */
          g_ptr_array_remove_index_fast (early->waiting, index);
          g_ptr_array_add (early->starting, g_strdup (name));
          call = g_new0 (EarlyCall, 1);
          call->early = early;
          call->name = g_strdup (name);
          g_ptr_array_add (threads, g_thread_new ("lifeboat-start", early_call_thread, call));
          started++;
        }
      if (started == 0)
        g_cond_wait (&early->cond, &early->mutex);
    }
  g_mutex_unlock (&early->mutex);

  /* the starts under way end before the job looks at what is left */
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  return NULL;
}

/* Stops the early starts (waiting for one under way); returns the names still to start. */
static GPtrArray *
early_start_finish (EarlyStart *early)
{
  GPtrArray *left;

  g_mutex_lock (&early->mutex);
  early->quit = TRUE;
  g_cond_signal (&early->cond);
  g_mutex_unlock (&early->mutex);
  g_thread_join (early->thread);

  left = g_steal_pointer (&early->waiting);
  g_ptr_array_unref (early->starting);
  g_hash_table_unref (early->unread);
  g_mutex_clear (&early->mutex);
  g_cond_clear (&early->cond);
  return left;
}

static void
early_start_volume_read (EarlyStart *early,
                         const char *volume)
{
  if (early == NULL)
    return;
  g_mutex_lock (&early->mutex);
  g_hash_table_remove (early->unread, volume);
  g_cond_signal (&early->cond);
  g_mutex_unlock (&early->mutex);
}

/*
 * The volumes are read LIFEBOAT_PARALLEL_VOLUMES at a time, the largest first
 * (lifeboat-parallel.c): while the engine streams one volume (its own work, and the disk's),
 * the other's compression has the cores. Each volume still has its own archive, progress and
 * error; the first failure stops the others.
 */
#define LIFEBOAT_PARALLEL_VOLUMES 2

typedef struct
{
  guint                   index;
  LifeboatManifestVolume *mv;        /* the manifest's */
  char                   *container;
  char                   *source_path;
  gint64                  size;
} VolumeTask;

static void
volume_task_free (VolumeTask *task)
{
  g_free (task->container);
  g_free (task->source_path);
  g_free (task);
}

typedef struct
{
  LifeboatBackupJob    *self;
  LifeboatDockerClient *client;
  GFile                *folder;
  EarlyStart           *early;       /* or NULL */
} VolumeRun;

static gboolean
backup_task (gpointer       item,
             guint          index,
             guint          worker,
             GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  VolumeTask *task = item;
  VolumeRun *run = user_data;

  _lifeboat_job_set_current_volume (LIFEBOAT_JOB (run->self), task->index);
  if (!backup_volume (run->self, run->client, task->container, task->source_path, run->folder,
                      task->mv, task->index, cancellable, error))
    {
      g_prefix_error (error, _("Backing up volume %s failed: "), task->mv->key);
      return FALSE;
    }
  early_start_volume_read (run->early, task->mv->name);
  _lifeboat_test_point ("volume-read");
  return TRUE;
}

/* the engine locks a container for each archive call, so two volumes of one container would
 * only take turns: a worker takes the largest left whose container is not being read */
static const char *
task_container (gpointer item)
{
  return ((VolumeTask *) item)->container;
}

/* The database's volume: CVAT's key cvat_db, or a volume mounted where PostgreSQL keeps its
 * data directory. (The app profile, src/engine/docker/lifeboat-app-profile.c, is to say this.) */
static gboolean
task_is_database (const VolumeTask *t)
{
  return g_strcmp0 (t->mv->key, "cvat_db") == 0 ||
         g_strcmp0 (t->mv->mount_path, "/var/lib/postgresql/data") == 0;
}

/* The database's volume first, whatever its size, then the largest first: a worker takes it
 * at once and nothing else until it is read, so the database container (stopped last) is down
 * for its own volume's stream and the stop and start, not behind the media's. */
static int
compare_task_sizes (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  const VolumeTask *ta = a;
  const VolumeTask *tb = b;
  gboolean da = task_is_database (ta);
  gboolean db = task_is_database (tb);

  if (da != db)
    return da ? -1 : 1;
  if (ta->size != tb->size)
    return ta->size > tb->size ? -1 : 1;
  return 0;
}

static gboolean
backup_volumes (LifeboatBackupJob     *self,
                LifeboatDockerClient  *client,
                GPtrArray             *tasks,
                GFile                 *folder,
                EarlyStart            *early,
                GCancellable          *cancellable,
                GError               **error)
{
  VolumeRun run = { self, client, folder, early };
  LifeboatParallel how = {
    .thread_name = "lifeboat-volume",
    .n_workers = LIFEBOAT_PARALLEL_VOLUMES,
    .order = compare_task_sizes,
    .turns = task_container,
    .func = backup_task,
    .user_data = &run,
  };

  return _lifeboat_parallel_run (&how, tasks, cancellable, error);
}

static GFile *
new_partial_folder (LifeboatBackupJob  *self,
                    GFile             **final_out,
                    GCancellable       *cancellable,
                    GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autoptr(GError) local_error = NULL;

  if (!g_file_make_directory_with_parents (self->destination, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_autofree char *name = g_file_get_parse_name (self->destination);

      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not create the destination %s: %s"), name, local_error->message);
      return NULL;
    }

  /* two backups in the same second get -2, -3, ... */
  for (guint attempt = 1; attempt <= 50; attempt++)
    {
      g_autofree char *base = attempt == 1
        ? g_strdup_printf ("%s-%s", self->project_name, stamp)
        : g_strdup_printf ("%s-%s-%u", self->project_name, stamp, attempt);
      g_autofree char *partial_name = g_strconcat (base, ".partial", NULL);
      g_autoptr(GFile) final = g_file_get_child (self->destination, base);
      g_autoptr(GFile) partial = g_file_get_child (self->destination, partial_name);

      if (g_file_query_exists (final, cancellable))
        continue;

      g_clear_error (&local_error);
      if (make_private_dir (partial, cancellable, &local_error))
        {
          *final_out = g_steal_pointer (&final);
          return g_steal_pointer (&partial);
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("Could not create the backup folder: "));
          return NULL;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("Could not find a free name for the backup folder"));
  return NULL;
}

static gboolean
lifeboat_backup_job_run (LifeboatJob   *job,
                         GCancellable  *cancellable,
                         GError       **error)
{
  LifeboatBackupJob *self = LIFEBOAT_BACKUP_JOB (job);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  g_autoptr(LifeboatProject) project = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) stopped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) to_start = NULL;      /* of @stopped, what did not start early */
  g_autoptr(GPtrArray) helpers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LifeboatEngineTether) tether = NULL;
  gboolean engine_restarted = FALSE;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) volume_task_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  g_autoptr(GHashTable) archive_names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(LifeboatManifest) manifest = NULL;
  g_autoptr(GFile) partial = NULL;
  g_autoptr(GFile) final = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDateTime) created = NULL;
  g_autofree gint64 *totals = NULL;
  g_autofree char *helper_image = NULL;
  gint64 started = g_get_monotonic_time ();
  guint64 total_archive_bytes = 0;
  GListModel *volumes, *containers;
  EarlyStart early = { 0 };
  LifeboatJobLock *lock = NULL;
  LifeboatGuard guard = { 0 };
  g_autofree char *recovered = NULL;
  gboolean volumes_ok;
  gboolean ok = FALSE;

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_PREPARING);
  /* restic compresses and deduplicates: a repository gets the plain tar streams */
  if (_lifeboat_restic_is_file (self->destination))
    self->compression = LIFEBOAT_COMPRESSION_NONE;

  if (!lifeboat_docker_client_is_connected (client) &&
      !lifeboat_docker_client_connect_sync (client, cancellable, error))
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }

  /* Podman 4.x's GET /containers/{id}/archive does not report the files' real owners (uid 70,
   * PostgreSQL's, reads as 0): a backup through it would restore a database that cannot start */
  if (g_strcmp0 (lifeboat_docker_client_get_engine_kind (client), "Podman") == 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,
                   _("Lifeboat cannot back up from a Podman engine yet: Podman’s archive API "
                     "does not report the files’ owners, so the backup would not restore "
                     "faithfully"));
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }

  project = lifeboat_discover_project_sync (client, self->project_name, TRUE, cancellable, error);
  if (project == NULL)
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }

  _lifeboat_job_set_app_version (job, lifeboat_project_get_app_version (project));
  volumes = lifeboat_project_get_volumes (project);
  containers = lifeboat_project_get_containers (project);

  /* which volumes */
  if (self->volumes != NULL)
    {
      for (guint i = 0; self->volumes[i]; i++)
        {
          LifeboatVolume *v = lifeboat_project_find_volume (project, self->volumes[i]);

          if (v == NULL)
            {
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                           _("Project “%s” has no volume “%s”"), self->project_name,
                           self->volumes[i]);
              _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
              return FALSE;
            }
          if (!g_ptr_array_find (chosen, v, NULL))
            g_ptr_array_add (chosen, g_object_ref (v));
        }
    }
  else
    {
      for (guint i = 0; i < g_list_model_get_n_items (volumes); i++)
        {
          g_autoptr(LifeboatVolume) v = g_list_model_get_item (volumes, i);

          if (lifeboat_volume_get_default_selected (v) && lifeboat_volume_get_exists (v))
            g_ptr_array_add (chosen, g_object_ref (v));
        }
    }

  if (chosen->len == 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                   _("Project “%s” has no volumes to back up"), self->project_name);
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }

  totals = g_new0 (gint64, chosen->len);
  for (guint i = 0; i < chosen->len; i++)
    {
      LifeboatVolume *v = g_ptr_array_index (chosen, i);

      g_ptr_array_add (keys, g_strdup (lifeboat_volume_get_key (v)));
      totals[i] = lifeboat_volume_get_size (v);
    }
  _lifeboat_job_set_volumes (job, (const char * const *) keys->pdata, totals);

  /* the manifest, filled as we go */
  manifest = lifeboat_manifest_new ();
  lifeboat_manifest_set_source (manifest, client, project);
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, i);
      g_autoptr(JsonObject) o = json_object_new ();

      json_object_set_string_member (o, "name", lifeboat_container_get_name (c));
      json_object_set_string_member (o, "service", lifeboat_container_get_service (c));
      json_object_set_string_member (o, "image", lifeboat_container_get_image (c));
      json_object_set_string_member (o, "image_id", lifeboat_container_get_image_id (c));
      json_object_set_boolean_member (o, "was_running", lifeboat_container_is_running (c));
      json_array_add_object_element (manifest->containers, g_steal_pointer (&o));
    }

  /* one job per project: the lock (a safety backup runs inside its restore's), and what an
   * interrupted job left */
  if (!self->safety)
    {
      g_autoptr(JsonObject) begin = json_object_new ();
      g_autofree char *destination = g_file_is_native (self->destination)
                                     ? g_file_get_path (self->destination)
                                     : g_file_get_uri (self->destination);

      if (!(helper_image = _lifeboat_pick_helper_image (client, project, cancellable, error)))
        {
          _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
          return FALSE;
        }
      lock = _lifeboat_job_take_project (job, self->project_name, helper_image, &recovered,
                                         cancellable, error);
      if (lock == NULL)
        {
          _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
          return FALSE;
        }
      if (recovered != NULL)
        {
          /* the recovery changed the project: read it again */
          g_clear_object (&project);
          project = lifeboat_discover_project_sync (client, self->project_name, TRUE, cancellable,
                                                    &local_error);
          if (project == NULL)
            goto out;
          containers = lifeboat_project_get_containers (project);
        }
      json_object_set_string_member (begin, "destination", destination);
      if (!_lifeboat_job_begin (job, lock, begin, &local_error))
        goto out;
    }

  partial = new_partial_folder (self, &final, cancellable, &local_error);
  if (partial == NULL)
    goto out;
  if (lock != NULL)
    {
      g_autoptr(JsonObject) where = json_object_new ();
      g_autofree char *path = g_file_get_path (partial);

      /* a folder on this machine: the recovery removes it (a repository's unfinished snapshots
       * are restic's, forgotten by retention) */
      if (path != NULL)
        json_object_set_string_member (where, "path", path);
      if (!_lifeboat_job_lock_journal (lock, "partial", where, &local_error))
        goto out;
    }

  /* room at the destination for what the backup writes, checked before anything stops */
  if (!lifeboat_space_check_backup (_lifeboat_job_get_history (job),
                                    lifeboat_docker_client_get_engine_id (client),
                                    self->project_name, chosen, self->compression,
                                    self->destination, cancellable, &local_error))
    goto out;

  if (self->stop)
    {
      g_autoptr(GPtrArray) volume_names = g_ptr_array_new ();

      for (guint i = 0; i < chosen->len; i++)
        g_ptr_array_add (volume_names,
                         (gpointer) lifeboat_volume_get_name (g_ptr_array_index (chosen, i)));
      _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STOPPING);
      if (lock != NULL)
        {
          if (!_lifeboat_guard_hold (&guard, lock, project, volume_names, TRUE, cancellable,
                                     &local_error))
            {
              for (guint i = 0; guard.stopped && i < guard.stopped->len; i++)
                g_ptr_array_add (stopped, g_strdup (g_ptr_array_index (guard.stopped, i)));
              goto out;
            }
          for (guint i = 0; i < guard.stopped->len; i++)
            g_ptr_array_add (stopped, g_strdup (g_ptr_array_index (guard.stopped, i)));
        }
      else if (!_lifeboat_stop_project (client, project, stopped, cancellable, &local_error))
        goto out;
    }

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_TRANSFERRING);
  for (guint i = 0; i < chosen->len; i++)
    {
      LifeboatVolume *v = g_ptr_array_index (chosen, i);
      LifeboatManifestVolume *mv = lifeboat_manifest_volume_new ();
      const char *container = lifeboat_volume_get_container (v);
      const char *mount_path = lifeboat_volume_get_mount_path (v);
      const char *source_path;
      SourceOverride *source = self->sources ? g_hash_table_lookup (self->sources,
                                                                     lifeboat_volume_get_name (v))
                                             : NULL;
      g_autofree char *fallback_mount = NULL;
      char *helper = NULL;  /* owned by helpers */
      const char *base = lifeboat_volume_get_archive_name (v);

      g_ptr_array_add (manifest->volumes, mv);
      mv->key = g_strdup (lifeboat_volume_get_key (v));
      mv->name = g_strdup (lifeboat_volume_get_name (v));
      mv->driver = g_strdup (lifeboat_volume_get_driver (v));
      mv->labels = lifeboat_volume_get_labels (v) ? json_object_ref (lifeboat_volume_get_labels (v))
                                                  : json_object_new ();
      mv->compression = self->compression;

      /* two volumes with the same key (from different projects) keep apart by name */
      if (g_hash_table_contains (archive_names, base))
        base = lifeboat_volume_get_name (v);
      g_hash_table_add (archive_names, (gpointer) base);
      mv->archive = g_strconcat (base, lifeboat_compression_get_extension (self->compression), NULL);

      if (mount_path == NULL)
        {
          fallback_mount = g_strconcat ("/volumes/", lifeboat_volume_get_key (v), NULL);
          mount_path = fallback_mount;
        }
      source_path = mount_path;

      if (source != NULL)
        {
          container = source->container;
          source_path = source->path;
        }
      else if (container == NULL || fallback_mount != NULL)
        {
          /* a volume no container mounts: read it through a helper that is never started */
          if (helper_image == NULL &&
              !(helper_image = _lifeboat_pick_helper_image (client, project, cancellable,
                                                            &local_error)))
            goto out;
          helper = _lifeboat_create_helper (client, helper_image, lifeboat_volume_get_name (v),
                                            mount_path, NULL, cancellable, &local_error);
          if (helper == NULL)
            goto out;
          g_ptr_array_add (helpers, helper);
          container = helper;
        }

      mv->mount_path = g_strdup (mount_path);
      mv->archive_root = g_strdup (mount_path + strspn (mount_path, "/"));
      if (*mv->archive_root == '\0')
        {
          g_set_error (&local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                       _("Volume %s is mounted at “/”, which Lifeboat cannot back up"),
                       mv->name);
          goto out;
        }

      {
        VolumeTask *task = g_new0 (VolumeTask, 1);

        task->index = i;
        task->mv = mv;
        task->container = g_strdup (container);
        task->source_path = g_strdup (source_path);
        task->size = lifeboat_volume_get_size (v);
        g_ptr_array_add (tasks, task);
      }
    }

  if (self->restart && stopped->len > 0)
    {
      early.client = client;
      early.project = project;
      g_mutex_init (&early.mutex);
      g_cond_init (&early.cond);
      early.waiting = g_ptr_array_new_with_free_func (g_free);
      early.starting = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < stopped->len; i++)
        g_ptr_array_add (early.waiting, g_strdup (g_ptr_array_index (stopped, i)));
      early.unread = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < tasks->len; i++)
        g_hash_table_add (early.unread,
                          g_strdup (((VolumeTask *) g_ptr_array_index (tasks, i))->mv->name));
      early.thread = g_thread_new ("lifeboat-start", early_start_thread, &early);
    }

  /* an engine that stops while it sends may end an archive properly without all its files:
   * the tether tells (lifeboat-engine-tether.c) */
  tether = lifeboat_engine_tether_new_sync (client, cancellable, &local_error);
  volumes_ok = local_error == NULL &&
               backup_volumes (self, client, tasks, partial, early.thread ? &early : NULL,
                               cancellable, &local_error);
  if (early.thread != NULL)
    to_start = early_start_finish (&early);
  if (!volumes_ok)
    goto out;
  if (tether != NULL && !lifeboat_engine_tether_check_sync (tether, cancellable, &local_error))
    {
      engine_restarted = TRUE;
      goto out;
    }
  for (guint i = 0; i < tasks->len; i++)
    total_archive_bytes += ((VolumeTask *) g_ptr_array_index (tasks, i))->mv->archive_bytes;

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_SYNCING);
  created = g_date_time_new_now_utc ();
  manifest->created = g_date_time_format (created, "%Y-%m-%dT%H:%M:%SZ");
  manifest->seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
  if (!lifeboat_manifest_write (manifest, partial, cancellable, &local_error) ||
      !sync_file (partial, &local_error))
    goto out;

  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto out;

  _lifeboat_test_point ("before-rename");
  if (!g_file_move (partial, final, G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                    NULL, NULL, NULL, &local_error))
    {
      g_prefix_error (&local_error, _("Could not give the backup folder its final name: "));
      goto out;
    }
  sync_file (self->destination, NULL);

  _lifeboat_job_set_folder (job, final);
  _lifeboat_job_set_result_bytes (job, total_archive_bytes);
  ok = TRUE;

  /* so that the history finds this folder's backups again when it is rebuilt */
  if (!self->safety)
    {
      g_autoptr(GError) location_error = NULL;

      if (!lifeboat_history_add_location (_lifeboat_job_get_history (job), self->destination,
                                          &location_error))
        g_warning ("Could not remember %s as a backup location: %s",
                   g_file_peek_path (self->destination), location_error->message);
    }

out:
  for (guint i = 0; i < helpers->len; i++)
    _lifeboat_remove_helper (client, g_ptr_array_index (helpers, i));

  if (!ok && partial != NULL)
    remove_partial (partial);

  {
    gboolean started_all = TRUE;
    g_autoptr(GError) outsiders_error = NULL;

    if (stopped->len > 0 && (self->restart || !ok))
      {
        g_autoptr(GError) start_error = NULL;
        g_autofree char *names = _lifeboat_join_names (stopped);
        _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STARTING);
        /* every container it stopped, as they are now: what started early may have been
         * stopped again by an engine restart */
        if (!(engine_restarted
              ? _lifeboat_guard_start_project_settled (client, self->project_name, stopped,
                                                       &start_error)
              : _lifeboat_guard_start_project (client, self->project_name, stopped,
                                               &start_error)))
          {
            g_autofree char *msg = NULL;

            started_all = FALSE;
            if (ok)
              {
                g_autofree char *path = g_file_get_parse_name (final);

                /* the error says which container and why; this, what is done */
                msg = g_strdup_printf (_("The backup itself is complete in %s."), path);
                local_error = g_steal_pointer (&start_error);
                ok = FALSE;
              }
            else
              msg = g_strdup_printf (_("No backup was written. Lifeboat stopped %s and could "
                                       "not start all of them again: %s"), names,
                                     start_error->message);
            _lifeboat_job_set_aftermath (job, msg);
          }
        else if (!ok)
          {
            g_autofree char *msg = g_strdup_printf (_("No backup was written; %s, stopped for "
                                                      "the backup, run again."), names);
            _lifeboat_job_set_aftermath (job, msg);
          }
      }
    else if (!ok)
      {
        _lifeboat_job_set_aftermath (job, _("No backup was written; the containers were not "
                                            "touched."));
      }

    /* other containers that used the volumes run again too */
    if ((self->restart || !ok) && !_lifeboat_guard_start_outsiders (&guard, client,
                                                                    &outsiders_error))
      {
        const char *before = lifeboat_job_get_aftermath (job);
        g_autofree char *msg = g_strdup_printf ("%s%s%s", before ? before : "",
                                                before ? " " : "", outsiders_error->message);

        started_all = FALSE;
        _lifeboat_job_set_aftermath (job, msg);
      }

    /* what could not start is tried again by the next Lifeboat: the journal stays */
    if (lock != NULL)
      _lifeboat_job_end (job, lock, &guard, ok, started_all);
    _lifeboat_guard_clear (&guard);
  }

  if (recovered != NULL)
    {
      const char *after = lifeboat_job_get_aftermath (job);
      g_autofree char *msg = g_strdup_printf ("%s%s%s", recovered, after ? " " : "",
                                              after ? after : "");

      _lifeboat_job_set_aftermath (job, msg);
    }

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static void
lifeboat_backup_job_finalize (GObject *object)
{
  LifeboatBackupJob *self = (LifeboatBackupJob *) object;

  g_clear_pointer (&self->project_name, g_free);
  g_clear_object (&self->destination);
  g_clear_pointer (&self->volumes, g_strfreev);
  g_clear_pointer (&self->sources, g_hash_table_unref);

  G_OBJECT_CLASS (lifeboat_backup_job_parent_class)->finalize (object);
}

/* lifeboat-cli backup with the same settings; not for a restore's safety backup, which reads
 * from a helper of its own */
/* what the worker needs to make the same job (lifeboat-job-worker.h); read back below */
static JsonObject *
lifeboat_backup_job_dup_settings (LifeboatJob *job)
{
  LifeboatBackupJob *self = LIFEBOAT_BACKUP_JOB (job);
  /* a restic repository by its location (its password: lifeboat_backup_job_prepare_worker) */
  g_autofree char *to = _lifeboat_restic_is_file (self->destination)
                          ? g_file_get_parse_name (self->destination)
                          : g_file_get_path (self->destination);
  JsonObject *o;

  /* a safety backup runs inside its restore; a repository or another source: here */
  if (self->safety || (self->sources != NULL && g_hash_table_size (self->sources) > 0) ||
      to == NULL)
    return NULL;

  o = json_object_new ();
  json_object_set_string_member (o, "kind", "backup");
  json_object_set_string_member (o, "project", self->project_name);
  json_object_set_string_member (o, "destination", to);
  /* restic compresses by itself: a repository gets the plain tar streams */
  json_object_set_string_member (o, "compression",
                                 lifeboat_compression_to_string (self->compression));
  if (self->volumes != NULL)
    {
      JsonArray *volumes = json_array_new ();

      for (guint i = 0; self->volumes[i] != NULL; i++)
        json_array_add_string_element (volumes, self->volumes[i]);
      json_object_set_array_member (o, "volumes", volumes);
    }
  json_object_set_boolean_member (o, "stop", self->stop);
  json_object_set_boolean_member (o, "restart", self->restart);
  return o;
}

LifeboatJob *
_lifeboat_backup_job_new_from_settings (LifeboatDockerClient  *client,
                                        JsonObject            *settings,
                                        GError               **error)
{
  const char *project = json_object_get_string_member_with_default (settings, "project", NULL);
  const char *to = json_object_get_string_member_with_default (settings, "destination", NULL);
  const char *compression = json_object_get_string_member_with_default (settings, "compression",
                                                                        "gzip");
  g_auto(GStrv) volumes = _lifeboat_json_dup_strv (settings, "volumes");
  g_autoptr(GFile) destination = NULL;
  LifeboatBackupJob *self;
  LifeboatCompression c;

  if (project == NULL || to == NULL || !lifeboat_compression_from_string (compression, &c))
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("The window asked for a backup this program cannot read"));
      return NULL;
    }
  destination = lifeboat_restic_open_place_sync (to, NULL, error);
  if (destination == NULL)
    return NULL;
  self = lifeboat_backup_job_new (client, project, destination);
  lifeboat_backup_job_set_compression (self, c);
  lifeboat_backup_job_set_volumes (self, (const char * const *) volumes);
  lifeboat_backup_job_set_stop (self,
                                json_object_get_boolean_member_with_default (settings, "stop",
                                                                             TRUE));
  lifeboat_backup_job_set_restart (self,
                                   json_object_get_boolean_member_with_default (settings,
                                                                                "restart", TRUE));
  return LIFEBOAT_JOB (self);
}

static gboolean
lifeboat_backup_job_prepare_worker (LifeboatJob          *job,
                                    GSubprocessLauncher  *launcher,
                                    GError              **error)
{
  return lifeboat_restic_prepare_worker (LIFEBOAT_BACKUP_JOB (job)->destination, launcher, error);
}

static void
lifeboat_backup_job_class_init (LifeboatBackupJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LifeboatJobClass *job_class = LIFEBOAT_JOB_CLASS (klass);

  object_class->finalize = lifeboat_backup_job_finalize;
  job_class->run = lifeboat_backup_job_run;
  job_class->dup_settings = lifeboat_backup_job_dup_settings;
  job_class->prepare_worker = lifeboat_backup_job_prepare_worker;
}

static void
lifeboat_backup_job_init (LifeboatBackupJob *self)
{
  self->compression = LIFEBOAT_COMPRESSION_GZIP;
  self->stop = TRUE;
  self->restart = TRUE;
}

LifeboatBackupJob *
lifeboat_backup_job_new (LifeboatDockerClient *client,
                         const char           *project_name,
                         GFile                *destination)
{
  LifeboatBackupJob *self;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);
  g_return_val_if_fail (project_name != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (destination), NULL);

  self = g_object_new (LIFEBOAT_TYPE_BACKUP_JOB, "client", client, NULL);
  self->project_name = g_strdup (project_name);
  self->destination = g_object_ref (destination);
  _lifeboat_job_set_kind (LIFEBOAT_JOB (self), LIFEBOAT_JOB_KIND_BACKUP);
  _lifeboat_job_set_project_name (LIFEBOAT_JOB (self), project_name);

  return self;
}

void
lifeboat_backup_job_set_volumes (LifeboatBackupJob  *self,
                                 const char * const *volumes)
{
  g_return_if_fail (LIFEBOAT_IS_BACKUP_JOB (self));

  g_strfreev (self->volumes);
  self->volumes = g_strdupv ((char **) volumes);
  /* the job backs them up in this order: known now, a view can show their rows before the job
   * runs, instead of building them while the engine stops the containers */
  if (volumes != NULL && volumes[0] != NULL)
    _lifeboat_job_set_volumes (LIFEBOAT_JOB (self), volumes, NULL);
}

void
lifeboat_backup_job_set_compression (LifeboatBackupJob   *self,
                                     LifeboatCompression  compression)
{
  g_return_if_fail (LIFEBOAT_IS_BACKUP_JOB (self));
  self->compression = compression;
}

void
lifeboat_backup_job_set_stop (LifeboatBackupJob *self,
                              gboolean           stop)
{
  g_return_if_fail (LIFEBOAT_IS_BACKUP_JOB (self));
  self->stop = !!stop;
}

void
lifeboat_backup_job_set_restart (LifeboatBackupJob *self,
                                 gboolean           restart)
{
  g_return_if_fail (LIFEBOAT_IS_BACKUP_JOB (self));
  self->restart = !!restart;
}

void
lifeboat_backup_job_set_safety (LifeboatBackupJob *self,
                                gboolean           safety)
{
  g_return_if_fail (LIFEBOAT_IS_BACKUP_JOB (self));
  self->safety = !!safety;
  _lifeboat_job_set_kind (LIFEBOAT_JOB (self),
                          safety ? LIFEBOAT_JOB_KIND_SAFETY_BACKUP : LIFEBOAT_JOB_KIND_BACKUP);
}

void
_lifeboat_backup_job_set_source (LifeboatBackupJob *self,
                                 const char        *volume_name,
                                 const char        *container,
                                 const char        *path)
{
  SourceOverride *o;

  g_return_if_fail (LIFEBOAT_IS_BACKUP_JOB (self));
  g_return_if_fail (volume_name != NULL && container != NULL && path != NULL);

  if (self->sources == NULL)
    self->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) source_override_free);
  o = g_new0 (SourceOverride, 1);
  o->container = g_strdup (container);
  o->path = g_strdup (path);
  g_hash_table_insert (self->sources, g_strdup (volume_name), o);
}
