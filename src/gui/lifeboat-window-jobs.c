/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's jobs: a backup started (its destination prepared in a thread), a job run in
 * the worker once its page has been drawn, its end shown and, when the window is not in
 * front, notified. And the window opened on one job of the history (`lifeboat --job ID`, a
 * notification's action): its project selected, the History page shown and the job's row
 * selected there.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-backup-job.h"
#include "lifeboat-format.h"
#include "lifeboat-history.h"
#include "lifeboat-job-worker.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-window-private.h"
static void
send_job_notification (LifeboatWindow *self,
                       LifeboatJob    *job)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  LifeboatJobOutcome outcome = lifeboat_job_get_outcome (job);
  gboolean restore = lifeboat_job_get_kind (job) == LIFEBOAT_JOB_KIND_RESTORE;
  const char *project = lifeboat_job_get_project_name (job);
  GFile *folder = lifeboat_job_get_folder (job);
  const GError *error = lifeboat_job_get_error (job);
  const char *aftermath = lifeboat_job_get_aftermath (job);
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  const char *title;

  if (app == NULL)
    return;

  switch (outcome)
    {
    case LIFEBOAT_JOB_OUTCOME_SUCCEEDED:
      title = restore ? _("Restore complete") : _("Backup complete");
      break;
    case LIFEBOAT_JOB_OUTCOME_CANCELLED:
      title = restore ? _("Restore cancelled") : _("Backup cancelled");
      break;
    case LIFEBOAT_JOB_OUTCOME_FAILED:
    case LIFEBOAT_JOB_OUTCOME_RUNNING:
    default:
      title = restore ? _("Restore failed") : _("Backup failed");
      break;
    }

  if (project != NULL)
    /* Translators: the compose project a job worked on */
    g_string_append_printf (body, _("Project %s. "), project);
  if (outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED)
    {
      g_autofree char *took = lifeboat_format_duration (lifeboat_job_get_elapsed (job));
      g_autofree char *size = lifeboat_format_size ((gint64) lifeboat_job_get_result_bytes (job));

      /* Translators: "5.9 MB on disk, in 2 min 5 s." (what the archives occupy, as in History) */
      g_string_append_printf (body, restore ? _("%s of archives, in %s.") : _("%s on disk, in %s."),
                              size, took);
    }
  else
    {
      if (error != NULL && outcome == LIFEBOAT_JOB_OUTCOME_FAILED)
        g_string_append_printf (body, "%s. ", error->message);
      if (aftermath != NULL)
        g_string_append (body, aftermath);
    }

  notification = g_notification_new (title);
  g_notification_set_body (notification, body->str);
  if (outcome == LIFEBOAT_JOB_OUTCOME_FAILED)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);

  /* a restic repository's backup has no folder to open */
  if (outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED && !restore && folder != NULL &&
      lifeboat_restic_file_get_repository (folder) == NULL)
    {
      g_autofree char *path = g_file_get_path (folder);

      if (path == NULL)
        path = g_file_get_uri (folder);
      g_notification_set_default_action_and_target (notification, "app.open-folder", "s", path);
      g_notification_add_button_with_target (notification, _("Open Folder"),
                                             "app.open-folder", "s", path);
    }
  else
    g_notification_set_default_action (notification, "app.show-window");

  g_application_send_notification (app, "lifeboat-job", notification);
  self->n_notifications++;
  g_free (self->last_notification);
  self->last_notification = g_strdup_printf ("%s\t%s", title, body->str);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LifeboatWindow) self = user_data;
  LifeboatJob *job = LIFEBOAT_JOB (object);
  g_autoptr(LifeboatApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  lifeboat_job_run_finish (job, result, &error);

  if (job != self->job)
    return;

  self->job_running = FALSE;
  /* the hold taken when the job started, released last: it may be the application's last */
  app = g_steal_pointer (&self->held_app);

  /* the window went away while the job ran (it cancelled it): nothing left to show */
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      if (app != NULL)
        lifeboat_application_job_finished (app);
      return;
    }

  gtk_window_set_hide_on_close (GTK_WINDOW (self), FALSE);

  lifeboat_job_view_update (self->job_view);
  /* one report of the outcome: the job's page; a notification too only when the window is
   * not in front (hidden, or another window has the focus) */
  self->job_notified = !gtk_widget_get_visible (GTK_WIDGET (self)) ||
                       !gtk_window_is_active (GTK_WINDOW (self));
  if (self->job_notified)
    send_job_notification (self, job);

  /* sizes and container states changed; the history has a new entry */
  lifeboat_history_view_reload (self->history_view);
  if (self->current_host != NULL && self->current_host->state == HOST_CONNECTED)
    _lifeboat_window_discover (self);
  _lifeboat_window_update_actions (self);

  if (app != NULL)
    lifeboat_application_job_finished (app);
}

/* The job starts once its page has been drawn. That first frame lays out the whole page
 * (20-40 ms with software rendering); started at once, the job's first burst (the engine
 * stopping containers: runc and its shims take both cores for a tenth of a second) took the
 * cores from it and the main loop stalled for 70 ms. For the same reason the content stack
 * switches pages without a crossfade: its 200 ms of frames, each drawing two pages, cost the
 * main thread 70-140 ms of CPU just when the engine stops the containers. A timeout starts the
 * job anyway when the window draws no frames (hidden). */
void
_lifeboat_window_run_pending_job (LifeboatWindow *self)
{
  if (self->job_start_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->job_start_tick);
      self->job_start_tick = 0;
    }
  g_clear_handle_id (&self->job_start_timeout, g_source_remove);
  if (!self->job_pending)
    return;
  self->job_pending = FALSE;

  /* the window's main loop comes first: see lifeboat_job_set_background() and
   * lifeboat_job_set_worker() */
  lifeboat_job_set_background (self->job, TRUE);
  {
    g_autofree char *worker = lifeboat_job_worker_find ();

    if (worker != NULL)
      lifeboat_job_set_worker (self->job, worker);
  }
  lifeboat_job_run_async (self->job, self->job_cancellable, job_done_cb, g_object_ref (self));
}

static gboolean
job_start_tick_cb (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       data)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (widget);

  /* the first tick is the frame that draws the job page; the second comes after it */
  if (++self->job_start_frames < 2)
    return G_SOURCE_CONTINUE;
  self->job_start_tick = 0;
  _lifeboat_window_run_pending_job (self);
  return G_SOURCE_REMOVE;
}

static gboolean
job_start_timeout_cb (gpointer data)
{
  LifeboatWindow *self = data;

  self->job_start_timeout = 0;
  _lifeboat_window_run_pending_job (self);
  return G_SOURCE_REMOVE;
}

void
_lifeboat_window_start_job (LifeboatWindow *self,
                            LifeboatJob    *job)
{
  LifeboatApplication *app;

  g_set_object (&self->job, job);
  g_clear_object (&self->job_cancellable);
  self->job_cancellable = g_cancellable_new ();
  self->job_running = TRUE;

  lifeboat_job_view_set_job (self->job_view, job);
  _lifeboat_window_job_started (self, job);
  gtk_stack_set_visible_child_name (self->content_stack, "job");
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), FALSE);
  adw_view_switcher_title_set_title (self->switcher_title,
                                     lifeboat_job_get_project_name (job)
                                       ? lifeboat_job_get_project_name (job) : _("Lifeboat"));

  /* closing the window hides it; the application keeps running until the job ends */
  app = LIFEBOAT_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  if (app != NULL)
    {
      lifeboat_application_job_started (app);
      g_set_object (&self->held_app, app);
    }
  gtk_window_set_hide_on_close (GTK_WINDOW (self), TRUE);

  _lifeboat_window_update_actions (self);

  self->job_pending = TRUE;
  self->job_start_frames = 0;
  self->job_start_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), job_start_tick_cb,
                                                       NULL, NULL);
  self->job_start_timeout = g_timeout_add (250, job_start_timeout_cb, self);
}

static void
job_view_done_cb (LifeboatWindow *self)
{
  if (self->job_running)
    return;
  lifeboat_job_view_set_job (self->job_view, NULL);
  _lifeboat_window_leave_page (self);
}

typedef struct
{
  GFile *destination;
  char  *error_message;
} PrepareData;

static void
prepare_data_free (PrepareData *data)
{
  g_clear_object (&data->destination);
  g_free (data->error_message);
  g_free (data);
}

static void
prepare_destination_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  PrepareData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_make_directory_with_parents (data->destination, cancellable, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);

  /* the destination holds backup folders: the history rescans it */
  if (!lifeboat_history_add_location (lifeboat_history_get_default (), data->destination, &error))
    g_debug ("Could not remember the location: %s", error->message);

  g_task_return_boolean (task, TRUE);
}

static void
destination_ready_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(LifeboatWindow) self = user_data;
  PrepareData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  LifeboatProject *project;
  g_autoptr(LifeboatBackupJob) job = NULL;
  g_auto(GStrv) volumes = NULL;
  g_autofree char *compression_str = NULL;
  LifeboatCompression compression = LIFEBOAT_COMPRESSION_GZIP;

  self->planning = FALSE;
  _lifeboat_window_update_actions (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = NULL;
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      name = g_file_get_parse_name (data->destination);
      message = g_strdup_printf (_("Cannot write to %s: %s"), name, error->message);
      lifeboat_window_show_toast (self, message);
      return;
    }

  project = lifeboat_project_view_get_project (self->project_view);
  if (project == NULL || self->current_host == NULL || self->job_running)
    return;

  volumes = lifeboat_project_view_dup_selected_volumes (self->project_view);
  job = lifeboat_backup_job_new (self->current_host->client,
                                 lifeboat_project_get_name (project),
                                 data->destination);
  lifeboat_backup_job_set_volumes (job, (const char * const *) volumes);
  compression_str = lifeboat_settings_dup_string (self->settings, "compression", "gzip");
  if (!lifeboat_compression_from_string (compression_str, &compression))
    compression = LIFEBOAT_COMPRESSION_GZIP;
  lifeboat_backup_job_set_compression (job, compression);
  lifeboat_backup_job_set_restart (job,
                                   lifeboat_settings_get_boolean (self->settings,
                                                                  "restart-containers", TRUE));

  _lifeboat_window_start_job (self, LIFEBOAT_JOB (job));
}

void
_lifeboat_window_start_backup (LifeboatWindow *self,
                               GFile          *destination)
{
  g_autoptr(GTask) task = NULL;
  PrepareData *data;

  g_return_if_fail (LIFEBOAT_IS_WINDOW (self));

  if (self->job_running)
    {
      lifeboat_window_show_toast (self, _("A job is running already"));
      return;
    }
  if (lifeboat_project_view_get_project (self->project_view) == NULL ||
      self->current_host == NULL || self->current_host->state != HOST_CONNECTED)
    {
      lifeboat_window_show_toast (self, _("Choose a project on a connected engine first"));
      return;
    }
  if (lifeboat_project_view_get_n_selected (self->project_view) == 0)
    {
      lifeboat_window_show_toast (self, _("Check at least one volume to back up"));
      return;
    }

  if (destination == NULL)
    destination = self->destination;

  data = g_new0 (PrepareData, 1);
  data->destination = g_object_ref (destination);
  self->planning = TRUE;
  _lifeboat_window_update_actions (self);

  task = g_task_new (NULL, self->cancellable, destination_ready_cb, g_object_ref (self));
  g_task_set_source_tag (task, _lifeboat_window_start_backup);
  g_task_set_task_data (task, data, (GDestroyNotify) prepare_data_free);
  g_task_run_in_thread (task, prepare_destination_thread);
}

void
_lifeboat_window_jobs_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, job_view_done_cb);
}

/* ---------------------------------------------------------------------------------------- */
/* The window opened on one job of the history                                              */

static LifeboatHistoryEntry *
find_entry (const char *id)
{
  g_autoptr(GPtrArray) entries = lifeboat_history_list (lifeboat_history_get_default (), NULL,
                                                        NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (entries, i);

      if (g_strcmp0 (lifeboat_history_entry_get_id (e), id) == 0)
        return g_object_ref (e);
    }
  return NULL;
}

void
lifeboat_window_show_job (LifeboatWindow *self,
                          const char     *id)
{
  g_autoptr(LifeboatHistoryEntry) entry = NULL;
  LifeboatDockerClient *client;
  const char *project;
  const char *engine_id;

  g_return_if_fail (LIFEBOAT_IS_WINDOW (self));
  g_return_if_fail (id != NULL);

  entry = find_entry (id);
  if (entry == NULL)
    {
      lifeboat_window_show_toast (self, _("That job is no longer in the history."));
      return;
    }

  project = lifeboat_history_entry_get_project (entry);
  engine_id = lifeboat_history_entry_get_engine_id (entry);
  client = self->current_host != NULL ? self->current_host->client : NULL;
  if (client != NULL && engine_id != NULL && lifeboat_docker_client_get_engine_id (client) != NULL &&
      g_strcmp0 (lifeboat_docker_client_get_engine_id (client), engine_id) != 0)
    {
      g_autofree char *message = g_strdup_printf (_("That job ran on %s: connect to that engine "
                                                    "to see it in its project’s history."),
                                                  lifeboat_history_entry_get_engine (entry));

      lifeboat_window_show_toast (self, message);
      return;
    }

  /* the project now, or once the engine's projects are known */
  g_free (self->wanted_project);
  self->wanted_project = g_strdup (project);
  if (project != NULL)
    _lifeboat_window_select_project (self, project);
  adw_view_stack_set_visible_child_name (self->view_stack, "history");
  lifeboat_history_view_show_entry (self->history_view, id);
}
