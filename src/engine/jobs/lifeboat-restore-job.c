/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A restore's writing, with every step journaled on the engine (lifeboat-job-lock.c) so that
 * any interruption is recovered (lifeboat-recovery.c); its plan and check are in
 * lifeboat-restore-plan.c, moving contents aside and back in lifeboat-volume-swap.c, its
 * safety backups in lifeboat-restore-safety.c. Its steps share one RestoreRun state and the
 * run reads top to bottom as the journal's steps, which is why it stays one file (about 1k
 * lines, with the settings it writes for a worker and reads back).
 */
#define G_LOG_DOMAIN "lifeboat-restore"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-archive.h"
#include "lifeboat-backup-job.h"
#include "lifeboat-backup-job-private.h"
#include "lifeboat-container-ops-private.h"
#include "lifeboat-discovery.h"
#include "lifeboat-engine-tether.h"
#include "lifeboat-error.h"
#include "lifeboat-job-journal-private.h"
#include "lifeboat-job-private.h"
#include "lifeboat-manifest.h"
#include "lifeboat-parallel-private.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-restore-job.h"
#include "lifeboat-restore-job-private.h"
#include "lifeboat-retention.h"
#include "lifeboat-space.h"
#include "lifeboat-util-private.h"
#include "lifeboat-volume-swap-private.h"

G_DEFINE_FINAL_TYPE (LifeboatRestoreJob, lifeboat_restore_job, LIFEBOAT_TYPE_JOB)

/* ---------------------------------------------------------------------------------------- */
/* Writing the volumes
 *
 * Every step that changes the engine is journaled on the engine first (lifeboat-job-lock.c), so
 * that whatever ends this process, the next Lifeboat finishes or undoes it (lifeboat-recovery.c):
 *
 *  1. the previous contents of each existing volume move into a hidden folder inside that same
 *     volume (a rename: instant, and the data never leave the volume; lifeboat-volume-swap.c);
 *  2. the archives are written into the volumes (PUT, two at a time, the largest first), read
 *     through the descriptors the check opened; an archive that changed since is a failure;
 *  3. "written-all": from here the new contents stay. The containers start again, and while
 *     they must stay running (and healthy) for a settle time, the previous contents are kept as
 *     the safety backup (GET from the hidden folders, a nested backup job): the downtime ends
 *     before the safety copy does;
 *  4. the hidden folders are removed.
 * A failure or a cancel before the safety copy is complete — also the containers not staying
 * up — removes what was written and moves the previous contents back.
 */

typedef struct
{
  LifeboatJobLock *lock;
  LifeboatGuard    guard;
  char            *image;
  char            *aside;
  GPtrArray       *binds;      /* "volume:/lifeboat/<i>", NULL-terminated */
  GPtrArray       *existing;   /* "/lifeboat/<i>" of the volumes that existed */
  GPtrArray       *existing_names;
  gboolean         moved;      /* the move-aside started: it may have moved some */
  gboolean         all_empty;  /* ... and every existing volume was empty */
  gboolean         writing;    /* a PUT began */
  gboolean         written;    /* "written-all" */
  gboolean         engine_restarted;  /* seen by the tether while writing */
  gboolean         running;    /* the containers were started on the new contents */
} RestoreRun;

static void
restore_run_clear (RestoreRun *run)
{
  _lifeboat_guard_clear (&run->guard);
  g_clear_pointer (&run->image, g_free);
  g_clear_pointer (&run->aside, g_free);
  g_clear_pointer (&run->binds, g_ptr_array_unref);
  g_clear_pointer (&run->existing, g_ptr_array_unref);
  g_clear_pointer (&run->existing_names, g_ptr_array_unref);
}

typedef struct
{
  LifeboatRestoreJob *self;
  RestoreRun         *run;
  GCancellable       *cancellable;   /* cancelled when the settle check fails */
  GFile              *folder;        /* out */
  GError             *error;         /* out */
} SafetyData;

static gpointer
safety_thread (gpointer data)
{
  SafetyData *safety = data;
  LifeboatRestoreJob *self = safety->self;

  if (!_lifeboat_restore_keep_safety (lifeboat_job_get_client (LIFEBOAT_JOB (self)),
                                      lifeboat_job_get_project_name (LIFEBOAT_JOB (self)),
                                      safety->run->image, safety->run->aside,
                                      safety->run->existing_names, self->safety_dir,
                                      _lifeboat_job_get_history (LIFEBOAT_JOB (self)),
                                      safety->cancellable, &safety->folder, &safety->error))
    g_prefix_error (&safety->error, _("Could not keep a safety copy of the previous contents: "));
  return NULL;
}

typedef struct
{
  LifeboatRestoreJob *self;
  const char         *helpers[2];   /* one per worker: the engine locks a container for each
                                     * archive call */
} PutRun;

static int
compare_put_sizes (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  guint64 sa = ((const Item *) a)->item.tar_bytes;
  guint64 sb = ((const Item *) b)->item.tar_bytes;

  if (sa != sb)
    return sa > sb ? -1 : 1;
  return 0;
}

static gboolean
put_one (gpointer       data,
         guint          i,
         guint          worker,
         GCancellable  *cancellable,
         gpointer       user_data,
         GError       **error)
{
  Item *item = data;
  PutRun *put = user_data;
  LifeboatJob *job = LIFEBOAT_JOB (put->self);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  LifeboatVolumeProgress progress = { job, i };
  g_autoptr(GFile) archive = _lifeboat_restore_item_open_file (item);
  g_autoptr(GInputStream) tar = NULL;
  g_autofree char *dest_name = g_strdup_printf ("%u", i);
  GError *local_error = NULL;

  if (!_lifeboat_restore_item_unchanged (item, &local_error))
    {
      g_prefix_error (&local_error, _("Restoring volume %s failed: "), item->item.key);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  _lifeboat_job_set_current_volume (job, i);
  /* into LIFEBOAT_SWAP_ROOT as "<i>/...", which also restores the root's owner and mode */
  tar = lifeboat_archive_open_tar_stream (archive, item->item.archive_root, dest_name,
                                          _lifeboat_job_volume_progress, &progress, &local_error);
  if (tar != NULL &&
      lifeboat_docker_client_put_archive_sync (client, put->helpers[worker], LIFEBOAT_SWAP_ROOT,
                                               tar, cancellable, &local_error) &&
      _lifeboat_restore_item_unchanged (item, &local_error))
    {
      g_input_stream_close (tar, NULL, NULL);
      _lifeboat_job_finish_volume (job, i);
      _lifeboat_test_point ("volume-written");
      return TRUE;
    }

  if (tar != NULL)
    g_input_stream_close (tar, NULL, NULL);
  if (local_error->domain == LIFEBOAT_ERROR)
    {
      /* the engine's words name paths in the helper ("write /lifeboat/0/data/x: ..."):
       * in the volume, they are "data/x" */
      g_autofree char *dir = g_strdup_printf (LIFEBOAT_SWAP_ROOT "/%u/", i);
      GString *message = g_string_new (local_error->message);

      g_string_replace (message, dir, "", 0);
      g_free (local_error->message);
      local_error->message = g_string_free (message, FALSE);
    }
  g_prefix_error (&local_error, _("Restoring volume %s failed: "), item->item.key);
  g_propagate_error (error, local_error);
  return FALSE;
}

static JsonObject *
volumes_details (LifeboatRestoreJob *self)
{
  JsonObject *o = json_object_new ();
  JsonArray *volumes = json_array_new ();

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      JsonObject *v = json_object_new ();

      json_object_set_string_member (v, "key", item->item.key);
      json_object_set_string_member (v, "name", item->item.volume_name);
      json_object_set_boolean_member (v, "existed", item->item.volume_exists);
      json_object_set_int_member (v, "index", i);
      json_array_add_object_element (volumes, v);
    }
  json_object_set_array_member (o, "volumes", volumes);
  return o;
}

/* 1 and 2: aside, then the archives; "written-all" at the end */
static gboolean
write_volumes (LifeboatRestoreJob  *self,
               RestoreRun          *run,
               GCancellable        *cancellable,
               GError             **error)
{
  LifeboatJob *job = LIFEBOAT_JOB (self);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  g_autoptr(JsonObject) aside_details = NULL;
  g_autoptr(LifeboatEngineTether) tether = NULL;
  g_autofree char *writer1 = NULL;
  g_autofree char *writer2 = NULL;
  GError *put_error = NULL;

  run->aside = _lifeboat_swap_new_aside_name ();
  run->binds = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  run->existing = g_ptr_array_new_with_free_func (g_free);
  run->existing_names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (!item->item.volume_exists)
        {
          g_autoptr(JsonObject) created = json_object_new ();

          json_object_set_string_member (created, "name", item->item.volume_name);
          if (!_lifeboat_job_lock_journal (run->lock, "create-volume", created, error))
            return FALSE;
          if (!lifeboat_docker_client_create_volume_sync (client, item->item.volume_name,
                                                          item->driver, item->labels,
                                                          cancellable, error))
            return FALSE;
          item->created = TRUE;
          item->touched = TRUE;
        }
      else
        {
          g_ptr_array_add (run->existing, g_strdup_printf (LIFEBOAT_SWAP_ROOT "/%u", i));
          g_ptr_array_add (run->existing_names, g_strdup (item->item.volume_name));
        }
      g_ptr_array_add (run->binds, g_strdup_printf ("%s:" LIFEBOAT_SWAP_ROOT "/%u",
                                                    item->item.volume_name, i));
    }

  /* 1. the previous contents aside, within each volume */
  if (run->existing->len > 0)
    {
      aside_details = volumes_details (self);
      json_object_set_string_member (aside_details, "aside", run->aside);
      json_object_set_string_member (aside_details, "image", run->image);
      if (!_lifeboat_job_lock_journal (run->lock, "aside", aside_details, error))
        return FALSE;
      for (guint i = 0; i < self->items->len; i++)
        ((Item *) g_ptr_array_index (self->items, i))->touched |=
          ((Item *) g_ptr_array_index (self->items, i))->item.volume_exists;
      if (!_lifeboat_swap_move_aside (client, run->image, run->binds, run->aside, run->existing,
                                      &run->all_empty, &run->moved, cancellable, error))
        return FALSE;
    }

  /* 2. the archives, two at a time through two helpers (the engine locks a container for each
   * archive call), the largest first */
  if (!_lifeboat_job_lock_journal (run->lock, "writing", NULL, error))
    return FALSE;
  run->writing = TRUE;
  /* an engine that stops while it unpacks may answer "done" for an archive it unpacked only
   * in part: the tether tells (lifeboat-engine-tether.c), and the restore then rolls back */
  tether = lifeboat_engine_tether_new_sync (client, cancellable, &put_error);
  if (put_error != NULL)
    {
      g_propagate_error (error, put_error);
      return FALSE;
    }
  /* not cancellable: a create cancelled after the engine made the container would leak it
   * (the recovery would find it by its label, but only after this job) */
  writer1 = _lifeboat_create_helper_binds (client, run->image,
                                           (const char * const *) run->binds->pdata, NULL, NULL,
                                           &put_error);
  if (writer1 != NULL && self->items->len > 1)
    writer2 = _lifeboat_create_helper_binds (client, run->image,
                                             (const char * const *) run->binds->pdata, NULL,
                                             NULL, &put_error);
  if (put_error == NULL)
    {
      PutRun put = { self, { writer1, writer2 } };
      LifeboatParallel how = {
        .thread_name = "lifeboat-put",
        .n_workers = writer2 != NULL ? 2 : 1,
        .order = compare_put_sizes,
        .func = put_one,
        .user_data = &put,
      };

      _lifeboat_parallel_run (&how, self->items, cancellable, &put_error);
    }
  _lifeboat_remove_helper (client, writer1);
  _lifeboat_remove_helper (client, writer2);

  if (put_error != NULL)
    {
      /* the user cancelled: say so, not what the cancellation broke */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&put_error);
          g_cancellable_set_error_if_cancelled (cancellable, &put_error);
        }
      g_propagate_error (error, put_error);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (tether != NULL && !lifeboat_engine_tether_check_sync (tether, cancellable, error))
    {
      run->engine_restarted = TRUE;
      return FALSE;
    }

  if (!_lifeboat_job_lock_journal (run->lock, "written-all", NULL, error))
    return FALSE;
  run->written = TRUE;
  return TRUE;
}

/* Puts the previous contents back (what was written goes), removes the volumes the restore
 * created. FALSE when a volume could not be put back: the journal then stays for the recovery. */
static gboolean
roll_back (LifeboatRestoreJob *self,
           RestoreRun         *run,
           GError            **error)
{
  LifeboatJob *job = LIFEBOAT_JOB (self);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_ROLLING_BACK);
  if (run->moved &&
      (!_lifeboat_job_lock_journal (run->lock, "rolling-back", NULL, error) ||
       !_lifeboat_swap_move_back (client, run->image, run->binds, run->aside, run->writing,
                                  run->existing, error)))
    return FALSE;

  /* volumes the restore created go again: leaving them would be a change */
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      g_autofree char *e = NULL;
      g_autofree char *path = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) delete_error = NULL;

      if (!item->created)
        continue;
      e = g_uri_escape_string (item->item.volume_name, NULL, FALSE);
      path = g_strdup_printf ("/volumes/%s", e);
      /* an empty answer (204) may read as a parse error, which is fine */
      node = lifeboat_docker_client_request_json_sync (client, "DELETE", path, NULL, 60, NULL,
                                                       &delete_error);
      if (delete_error != NULL)
        g_debug ("Removing volume %s: %s", item->item.volume_name, delete_error->message);
    }
  return _lifeboat_job_lock_journal (run->lock, "rolled-back", NULL, error);
}

static gboolean
start_stopped (LifeboatRestoreJob *self,
               RestoreRun         *run,
               GError            **error)
{
  LifeboatDockerClient *client = lifeboat_job_get_client (LIFEBOAT_JOB (self));
  g_autoptr(GError) outsiders_error = NULL;
  gboolean ok = TRUE;

  _lifeboat_job_set_phase (LIFEBOAT_JOB (self), LIFEBOAT_JOB_PHASE_STARTING);
  if (run->guard.stopped != NULL && run->guard.stopped->len > 0)
    ok = _lifeboat_start_containers (client, self->project, run->guard.stopped, error);
  if (!_lifeboat_guard_start_outsiders (&run->guard, client, &outsiders_error) && ok)
    {
      g_propagate_error (error, g_steal_pointer (&outsiders_error));
      ok = FALSE;
    }
  return ok;
}

static gboolean
lifeboat_restore_job_run (LifeboatJob   *job,
                          GCancellable  *cancellable,
                          GError       **error)
{
  LifeboatRestoreJob *self = LIFEBOAT_RESTORE_JOB (job);
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autoptr(GPtrArray) volume_names = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFile) safety_folder = NULL;
  g_autoptr(JsonObject) begin = NULL;
  g_autofree gint64 *totals = NULL;
  g_autofree char *recovered = NULL;
  RestoreRun run = { 0 };
  g_autoptr(GFile) in_use = NULL;
  gboolean ok = FALSE;
  gboolean journal_ok = TRUE;   /* FALSE: the journal stays for the recovery */
  const char *project_name;

  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_PREPARING);
  _lifeboat_job_set_folder (job, self->source);

  if (!self->planned && !_lifeboat_restore_plan (self, cancellable, error))
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  project_name = lifeboat_job_get_project_name (job);

  if (!lifeboat_restore_job_get_version_matches (self) && !self->ignore_version)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_VERSION_MISMATCH,
                   _("The backup is of CVAT %s, but project “%s” runs CVAT %s. %s"),
                   self->backup_version, project_name, self->target_version,
                   lifeboat_restore_version_warning ());
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }

  /* only into the project asked for, and only its own volumes */
  if (self->project_name != NULL && self->project == NULL && !self->new_project)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                   _("There is no compose project “%s” on this engine; to create its volumes "
                     "for a new project, say so (--new-project)"), project_name);
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->foreign_owner != NULL)
        {
          if (*item->foreign_owner != '\0')
            g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                         _("Volume %s belongs to project “%s”, not “%s”; Lifeboat restores only "
                           "into the target project’s volumes"), item->item.volume_name,
                         item->foreign_owner, project_name);
          else
            g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                         _("Volume %s exists but belongs to no compose project “%s”; Lifeboat "
                           "will not overwrite it"), item->item.volume_name, project_name);
          _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
          return FALSE;
        }
      g_ptr_array_add (keys, item->item.key);
      if (item->item.volume_exists)
        g_ptr_array_add (volume_names, item->item.volume_name);
    }
  if (self->backup_version != NULL)
    _lifeboat_job_set_app_version (job, self->backup_version);

  /* one job per project: the lock, and what an earlier job left */
  for (guint i = 0; i < self->items->len && run.image == NULL; i++)
    run.image = g_strdup (((Item *) g_ptr_array_index (self->items, i))->helper_image);
  if (run.image == NULL &&
      !(run.image = _lifeboat_pick_helper_image (client, self->project, cancellable, error)))
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      return FALSE;
    }
  run.lock = _lifeboat_job_take_project (job, project_name, run.image, &recovered, cancellable,
                                         error);
  if (run.lock == NULL)
    {
      _lifeboat_job_set_aftermath (job, _("Nothing was changed."));
      restore_run_clear (&run);
      return FALSE;
    }
  /* no prune removes the backup while this reads it */
  in_use = lifeboat_retention_mark_in_use (_lifeboat_job_get_history (job), self->source);
  begin = volumes_details (self);
  {
    g_autofree char *source = g_file_get_parse_name (self->source);
    g_autofree char *safety = g_file_get_path (self->safety_dir);

    json_object_set_string_member (begin, "source", source);
    if (safety != NULL)
      json_object_set_string_member (begin, "safety_dir", safety);
  }
  if (!_lifeboat_job_begin (job, run.lock, begin, &local_error))
    goto out;

  /* 1. check every archive completely before anything is touched; its progress is in the
   * archives' bytes, the writing's in the volumes' */
  totals = g_new0 (gint64, self->items->len);
  for (guint i = 0; i < self->items->len; i++)
    totals[i] = (gint64) ((Item *) g_ptr_array_index (self->items, i))->item.archive_bytes;
  _lifeboat_job_set_volumes (job, (const char * const *) keys->pdata, totals);
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_CHECKING);
  if (!_lifeboat_restore_check (self, cancellable, &local_error))
    goto out;
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      totals[i] = item->item.tar_bytes;
      /* an archive without entries would empty a volume that holds data */
      if (item->entries <= 1 && item->item.volume_exists && item->item.current_size != 0 &&
          !self->allow_empty)
        {
          g_autofree char *name = g_path_get_basename (item->item.archive_path);

          g_set_error (&local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                       _("%s holds no files, and restoring it would empty volume %s, which "
                         "holds data; to do that, say so (--allow-empty)"), name,
                       item->item.volume_name);
          goto out;
        }
    }
  _lifeboat_job_set_volumes (job, (const char * const *) keys->pdata, totals);

  /* room for the safety backup and, where the engine's volumes can be measured, for the
   * archives' contents: checked before anything stops */
  {
    guint64 now = 0, writes = 0;

    for (guint i = 0; i < self->items->len; i++)
      {
        Item *item = g_ptr_array_index (self->items, i);

        now += (guint64) MAX (item->item.current_size, 0);
        writes += item->item.tar_bytes;
      }
    if (!lifeboat_space_check_restore_job (client, self->safety_dir, now, writes, cancellable,
                                           &local_error))
      goto out;
  }

  /* 2. stop every container that uses the volumes, restart policies off */
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STOPPING);
  if (!_lifeboat_guard_hold (&run.guard, run.lock, self->project, volume_names, TRUE, cancellable,
                             &local_error))
    goto out;

  /* 3. write, keeping a way back */
  _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_TRANSFERRING);
  if (!write_volumes (self, &run, cancellable, &local_error))
    goto out;

  /* 4. the containers run again; meanwhile the safety copy, and the settle check */
  {
    g_autoptr(GCancellable) work = g_cancellable_new ();
    g_autoptr(GError) check_error = NULL;
    g_autoptr(GPtrArray) started = g_ptr_array_new_with_free_func (g_free);
    SafetyData safety = { self, &run, work };
    GThread *thread = NULL;
    gulong cancel_id = 0;

    for (guint i = 0; run.guard.stopped && i < run.guard.stopped->len; i++)
      g_ptr_array_add (started, g_strdup (g_ptr_array_index (run.guard.stopped, i)));
    for (guint i = 0; run.guard.outsiders && i < run.guard.outsiders->len; i++)
      g_ptr_array_add (started, g_strdup (g_ptr_array_index (run.guard.outsiders, i)));

    if (cancellable != NULL)
      cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (_lifeboat_cancel_other), work,
                                         NULL);
    if (run.existing->len > 0 && !run.all_empty)
      thread = g_thread_new ("lifeboat-safety", safety_thread, &safety);

    if (started->len > 0)
      {
        if (!_lifeboat_job_lock_journal (run.lock, "starting", NULL, &check_error) ||
            !start_stopped (self, &run, &check_error))
          g_cancellable_cancel (work);
        else
          {
            run.running = TRUE;
            if (!_lifeboat_guard_wait_running (client, started, work, &check_error))
              g_cancellable_cancel (work);
          }
      }
    _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_SAFETY_BACKUP);
    if (thread != NULL)
      g_thread_join (thread);
    if (cancel_id != 0)
      g_cancellable_disconnect (cancellable, cancel_id);

    if (check_error == NULL && safety.error == NULL)
      {
        if (safety.folder != NULL)
          {
            g_autoptr(JsonObject) done = json_object_new ();
            g_autofree char *path = g_file_get_path (safety.folder);

            json_object_set_string_member (done, "folder", path);
            _lifeboat_job_lock_journal (run.lock, "safety-done", done, NULL);
            safety_folder = g_steal_pointer (&safety.folder);
          }
      }
    else
      {
        /* the previous contents come back: stop what was started on the new ones */
        if (g_cancellable_is_cancelled (cancellable))
          g_cancellable_set_error_if_cancelled (cancellable, &local_error);
        else if (check_error != NULL)
          local_error = g_steal_pointer (&check_error);
        else
          local_error = g_steal_pointer (&safety.error);
        if (run.running)
          {
            _lifeboat_job_set_phase (job, LIFEBOAT_JOB_PHASE_STOPPING);
            _lifeboat_job_lock_journal (run.lock, "stopping-again", NULL, NULL);
            _lifeboat_guard_stop_names (client, started);
            run.running = FALSE;
          }
        run.written = FALSE;
        g_clear_object (&safety.folder);
        g_clear_error (&safety.error);
        goto out;
      }
    g_clear_error (&safety.error);
  }

  /* 5. the previous contents are in the safety backup now; no container may see them */
  if (run.existing->len > 0)
    {
      g_autoptr(GError) remove_error = NULL;

      if (!_lifeboat_job_lock_journal (run.lock, "removing-aside", NULL, &remove_error) ||
          !_lifeboat_swap_remove_aside (client, run.image, run.binds, run.aside, run.existing,
                                        &remove_error))
        {
          g_autofree char *msg =
            g_strdup_printf (_("The restore is complete, but the previous contents are still in "
                               "a folder named %s inside the volumes (%s); they are also in the "
                               "safety backup, and the next Lifeboat to reach this engine "
                               "removes the folder."), run.aside, remove_error->message);

          _lifeboat_job_set_aftermath (job, msg);
          journal_ok = FALSE;
        }
      else
        _lifeboat_job_lock_journal (run.lock, "aside-removed", NULL, NULL);
    }

  {
    guint64 total_bytes = 0;

    for (guint i = 0; i < self->items->len; i++)
      total_bytes += ((Item *) g_ptr_array_index (self->items, i))->item.archive_bytes;
    _lifeboat_job_set_result_bytes (job, total_bytes);
  }
  ok = TRUE;
  _lifeboat_restore_prune_safety (self->safety_dir, self->keep_safety_days, safety_folder);

out:
  if (!ok && run.lock != NULL)
    {
      g_autoptr(GError) back_error = NULL;

      if (run.moved || run.writing)
        {
          if (roll_back (self, &run, &back_error))
            _lifeboat_job_set_aftermath (job, _("The volumes were put back as they were before "
                                                "the restore."));
          else
            {
              g_autofree char *msg =
                g_strdup_printf (_("Some volumes could not be put back yet (%s). Their previous "
                                   "contents are in a folder named %s inside each volume; the "
                                   "next Lifeboat to reach this engine puts them back "
                                   "(lifeboat-cli recover %s)."), back_error->message, run.aside,
                                 project_name);

              _lifeboat_job_set_aftermath (job, msg);
              journal_ok = FALSE;
            }
        }
      else if (lifeboat_job_get_aftermath (job) == NULL)
        _lifeboat_job_set_aftermath (job, _("No volume was changed."));
    }
  else if (!ok && lifeboat_job_get_aftermath (job) == NULL)
    _lifeboat_job_set_aftermath (job, _("No volume was changed."));

  /* the containers that ran run again: on the new contents, or on the old ones put back */
  if (run.lock != NULL && !run.running && journal_ok &&
      ((run.guard.stopped && run.guard.stopped->len > 0) ||
       (run.guard.outsiders && run.guard.outsiders->len > 0)))
    {
      g_autoptr(GError) start_error = NULL;

      if (!start_stopped (self, &run, &start_error))
        {
          g_autofree char *names = run.guard.stopped ? _lifeboat_join_names (run.guard.stopped)
                                                     : g_strdup ("");
          const char *before = lifeboat_job_get_aftermath (job);
          g_autofree char *msg = g_strdup_printf (_("%s%sNot all of %s started again: %s"),
                                                  before ? before : "", before ? " " : "",
                                                  names, start_error->message);

          _lifeboat_job_set_aftermath (job, msg);
          if (ok)
            {
              ok = FALSE;
              local_error = g_steal_pointer (&start_error);
            }
        }
    }

  /* what ran runs now: an engine restart since the start (their restart policies were off)
   * stopped them again */
  if (run.lock != NULL && run.running && journal_ok)
    {
      g_autoptr(GError) again_error = NULL;

      if (!_lifeboat_guard_start_project (client, project_name, run.guard.stopped, &again_error) ||
          !_lifeboat_guard_start_outsiders (&run.guard, client, &again_error))
        {
          const char *before = lifeboat_job_get_aftermath (job);
          g_autofree char *msg = g_strdup_printf ("%s%s%s", before ? before : "",
                                                  before ? " " : "", again_error->message);

          _lifeboat_job_set_aftermath (job, msg);
          journal_ok = FALSE;
        }
    }

  /* after an engine restart what was started may be stopped again at once */
  if (run.lock != NULL && run.engine_restarted && journal_ok)
    {
      g_autoptr(GError) settle_error = NULL;

      if (!_lifeboat_guard_start_project_settled (client, project_name, run.guard.stopped,
                                                  &settle_error))
        g_debug ("Starting the containers again after the engine restart: %s",
                 settle_error->message);
    }

  if (run.lock != NULL)
    _lifeboat_job_end (job, run.lock, &run.guard, ok, journal_ok);
  restore_run_clear (&run);
  if (in_use != NULL)
    lifeboat_retention_unmark_in_use (in_use);

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

/* ---------------------------------------------------------------------------------------- */

static void
lifeboat_restore_job_finalize (GObject *object)
{
  LifeboatRestoreJob *self = (LifeboatRestoreJob *) object;

  g_clear_object (&self->source);
  g_clear_pointer (&self->extra_archives, g_ptr_array_unref);
  g_clear_pointer (&self->project_name, g_free);
  g_clear_pointer (&self->volumes, g_strfreev);
  g_clear_object (&self->safety_dir);
  g_clear_object (&self->project);
  g_clear_pointer (&self->manifest, lifeboat_manifest_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->backup_version, g_free);
  g_clear_pointer (&self->target_version, g_free);
  g_clear_pointer (&self->to_stop, g_ptr_array_unref);

  G_OBJECT_CLASS (lifeboat_restore_job_parent_class)->finalize (object);
}

/* what the worker needs to make the same job (lifeboat-job-worker.h); read back below */
static JsonObject *
lifeboat_restore_job_dup_settings (LifeboatJob *job)
{
  LifeboatRestoreJob *self = LIFEBOAT_RESTORE_JOB (job);
  /* a backup in a restic repository by its name, "<location>#<ID>" (its password:
   * lifeboat_restore_job_prepare_worker) */
  g_autofree char *source = lifeboat_restic_file_get_repository (self->source) != NULL
                              ? g_file_get_parse_name (self->source)
                              : g_file_get_path (self->source);
  g_autofree char *safety = g_file_get_path (self->safety_dir);
  g_autofree char *default_safety = g_build_filename (g_get_user_data_dir (), "lifeboat",
                                                      "safety", NULL);
  g_autoptr(JsonObject) o = NULL;
  JsonArray *archives;
  const char *project = lifeboat_job_get_project_name (job);

  /* a safety folder of its own (tests) or a folder without a local path: here */
  if (source == NULL || g_strcmp0 (safety, default_safety) != 0)
    return NULL;

  o = json_object_new ();
  json_object_set_string_member (o, "kind", "restore");
  json_object_set_string_member (o, "source", source);
  archives = json_array_new ();
  json_object_set_array_member (o, "archives", archives);
  for (guint i = 0; self->extra_archives != NULL && i < self->extra_archives->len; i++)
    {
      g_autofree char *path = g_file_get_path (g_ptr_array_index (self->extra_archives, i));

      if (path == NULL)
        return NULL;
      json_array_add_string_element (archives, path);
    }
  json_object_set_int_member (o, "keep_safety_days", self->keep_safety_days);
  if (project != NULL)
    json_object_set_string_member (o, "project", project);
  if (self->volumes != NULL && self->volumes[0] != NULL)
    {
      JsonArray *volumes = json_array_new ();

      for (guint i = 0; self->volumes[i] != NULL; i++)
        json_array_add_string_element (volumes, self->volumes[i]);
      json_object_set_array_member (o, "volumes", volumes);
    }
  json_object_set_boolean_member (o, "ignore_version", self->ignore_version);
  json_object_set_boolean_member (o, "allow_empty", self->allow_empty);
  /* the window's plan found no such project and showed that the volumes will be created */
  json_object_set_boolean_member (o, "new_project",
                                  self->new_project || (self->planned && self->project == NULL &&
                                                        self->project_name == NULL));
  return g_steal_pointer (&o);
}

/* planned as the window planned it; a version that differs is refused unless the window's
 * user chose to restore anyway */
LifeboatJob *
_lifeboat_restore_job_new_from_settings (LifeboatDockerClient  *client,
                                         JsonObject            *settings,
                                         GError               **error)
{
  const char *source = json_object_get_string_member_with_default (settings, "source", NULL);
  const char *project = json_object_get_string_member_with_default (settings, "project", NULL);
  gint64 days = json_object_get_int_member_with_default (settings, "keep_safety_days", 14);
  gboolean ignore_version = json_object_get_boolean_member_with_default (settings,
                                                                         "ignore_version", FALSE);
  g_auto(GStrv) archives = _lifeboat_json_dup_strv (settings, "archives");
  g_auto(GStrv) volumes = _lifeboat_json_dup_strv (settings, "volumes");
  g_autoptr(GFile) folder = NULL;
  g_autoptr(LifeboatRestoreJob) self = NULL;

  if (source == NULL)
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("The window asked for a restore this program cannot read"));
      return NULL;
    }
  folder = lifeboat_restic_open_place_sync (source, NULL, error);
  if (folder == NULL)
    return NULL;
  self = lifeboat_restore_job_new (client, folder);
  for (guint i = 0; archives != NULL && archives[i] != NULL; i++)
    {
      g_autoptr(GFile) archive = g_file_new_for_path (archives[i]);

      lifeboat_restore_job_add_archive (self, archive);
    }
  if (project != NULL)
    lifeboat_restore_job_set_project (self, project);
  lifeboat_restore_job_set_volumes (self, (const char * const *) volumes);
  lifeboat_restore_job_set_ignore_version (self, ignore_version);
  lifeboat_restore_job_set_allow_empty (self,
                                        json_object_get_boolean_member_with_default (settings,
                                                                                     "allow_empty",
                                                                                     FALSE));
  lifeboat_restore_job_set_new_project (self,
                                        json_object_get_boolean_member_with_default (settings,
                                                                                     "new_project",
                                                                                     FALSE));
  lifeboat_restore_job_set_keep_safety_days (self, (guint) CLAMP (days, 0, G_MAXINT));

  if (!lifeboat_restore_job_plan_sync (self, NULL, error))
    return NULL;
  if (!ignore_version && !lifeboat_restore_job_get_version_matches (self))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_VERSION_MISMATCH,
                   _("The backup is of CVAT %s, but the project runs CVAT %s. %s"),
                   lifeboat_restore_job_get_backup_app_version (self),
                   lifeboat_restore_job_get_target_app_version (self),
                   lifeboat_restore_version_warning ());
      return NULL;
    }
  return LIFEBOAT_JOB (g_steal_pointer (&self));
}

static gboolean
lifeboat_restore_job_prepare_worker (LifeboatJob          *job,
                                     GSubprocessLauncher  *launcher,
                                     GError              **error)
{
  return lifeboat_restic_prepare_worker (LIFEBOAT_RESTORE_JOB (job)->source, launcher, error);
}

static void
lifeboat_restore_job_class_init (LifeboatRestoreJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LifeboatJobClass *job_class = LIFEBOAT_JOB_CLASS (klass);

  object_class->finalize = lifeboat_restore_job_finalize;
  job_class->run = lifeboat_restore_job_run;
  job_class->dup_settings = lifeboat_restore_job_dup_settings;
  job_class->prepare_worker = lifeboat_restore_job_prepare_worker;
}

static void
lifeboat_restore_job_init (LifeboatRestoreJob *self)
{
  self->extra_archives = g_ptr_array_new_with_free_func (g_object_unref);
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) _lifeboat_restore_item_free);
  self->to_stop = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->keep_safety_days = 14;
}

LifeboatRestoreJob *
lifeboat_restore_job_new (LifeboatDockerClient *client,
                          GFile                *source)
{
  LifeboatRestoreJob *self;
  g_autofree char *safety = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_FILE (source), NULL);

  self = g_object_new (LIFEBOAT_TYPE_RESTORE_JOB, "client", client, NULL);
  self->source = g_object_ref (source);
  safety = g_build_filename (g_get_user_data_dir (), "lifeboat", "safety", NULL);
  self->safety_dir = g_file_new_for_path (safety);
  _lifeboat_job_set_kind (LIFEBOAT_JOB (self), LIFEBOAT_JOB_KIND_RESTORE);

  return self;
}

void
lifeboat_restore_job_add_archive (LifeboatRestoreJob *self,
                                  GFile              *archive)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  g_return_if_fail (G_IS_FILE (archive));

  g_ptr_array_add (self->extra_archives, g_object_ref (archive));
  self->planned = FALSE;
}

void
lifeboat_restore_job_set_project (LifeboatRestoreJob *self,
                                  const char         *project)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));

  _lifeboat_set_str (&self->project_name, project);
  self->planned = FALSE;
}

void
lifeboat_restore_job_set_volumes (LifeboatRestoreJob *self,
                                  const char * const *volumes)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));

  g_strfreev (self->volumes);
  self->volumes = g_strdupv ((char **) volumes);
  self->planned = FALSE;
}

void
lifeboat_restore_job_set_ignore_version (LifeboatRestoreJob *self,
                                         gboolean            ignore)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->ignore_version = !!ignore;
}

void
lifeboat_restore_job_set_allow_empty (LifeboatRestoreJob *self,
                                      gboolean            allow)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->allow_empty = !!allow;
}

void
lifeboat_restore_job_set_new_project (LifeboatRestoreJob *self,
                                      gboolean            new_project)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->new_project = !!new_project;
}

void
lifeboat_restore_job_set_safety_dir (LifeboatRestoreJob *self,
                                     GFile              *dir)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  g_return_if_fail (G_IS_FILE (dir));

  g_set_object (&self->safety_dir, dir);
}

void
lifeboat_restore_job_set_keep_safety_days (LifeboatRestoreJob *self,
                                           guint               days)
{
  g_return_if_fail (LIFEBOAT_IS_RESTORE_JOB (self));
  self->keep_safety_days = days;
}
