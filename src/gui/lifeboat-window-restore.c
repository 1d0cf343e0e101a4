/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Restoring from the window: a backup folder or archives, dropped on the window, opened with
 * the application (lifeboat_window_open_files) or chosen in the history, planned in a thread,
 * shown as the restore summary (lifeboat-restore-view.c) and started once confirmed.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-restore-job.h"
#include "lifeboat-window-private.h"

typedef struct
{
  LifeboatRestoreJob *job;
  char               *fallback_project;
  GFile              *source;
} PlanData;

static void
plan_data_free (PlanData *data)
{
  g_clear_object (&data->job);
  g_clear_object (&data->source);
  g_free (data->fallback_project);
  g_free (data);
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PlanData *data = task_data;
  g_autoptr(GError) error = NULL;

  /* A guide-made folder or loose archives have no manifest naming their project: they go
   * into the project the user is looking at. A Lifeboat backup goes where its manifest says. */
  if (data->fallback_project != NULL)
    {
      g_autoptr(GFile) manifest = g_file_get_child (data->source, "lifeboat.json");

      if (g_file_query_file_type (data->source, G_FILE_QUERY_INFO_NONE, cancellable)
            != G_FILE_TYPE_DIRECTORY ||
          !g_file_query_exists (manifest, cancellable))
        lifeboat_restore_job_set_project (data->job, data->fallback_project);
    }

  if (!lifeboat_restore_job_plan_sync (data->job, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
plan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LifeboatWindow) self = user_data;
  PlanData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = NULL;
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->planning = FALSE;
      _lifeboat_window_update_actions (self);
      name = g_file_get_basename (data->source);
      /* Translators: "Cannot restore from cvat-20261124-2210: <reason>" */
      message = g_strdup_printf (_("Cannot restore from %s: %s"), name, error->message);
      lifeboat_window_show_toast (self, message);
      return;
    }

  self->planning = FALSE;
  _lifeboat_window_dismiss_busy_toast (self);
  lifeboat_restore_view_set_job (self->restore_view, data->job, data->source,
                                 lifeboat_settings_get_int (self->settings, "keep-safety-days", 14));
  gtk_stack_set_visible_child_name (self->content_stack, "restore");
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), FALSE);
  adw_view_switcher_title_set_title (self->switcher_title, _("Restore"));
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->content);
  _lifeboat_window_update_actions (self);
}

void
_lifeboat_window_begin_restore (LifeboatWindow  *self,
                                GFile          **files,
                                guint            n_files)
{
  g_autoptr(GTask) task = NULL;
  LifeboatProject *project;
  PlanData *data;

  g_return_if_fail (LIFEBOAT_IS_WINDOW (self));

  if (n_files == 0)
    return;
  if (self->job_running)
    {
      lifeboat_window_show_toast (self, _("A job is running. Restore when it has ended."));
      return;
    }
  if (self->current_host == NULL || self->current_host->state != HOST_CONNECTED)
    {
      lifeboat_window_show_toast (self, _("Connect to a Docker engine first, then restore"));
      return;
    }

  data = g_new0 (PlanData, 1);
  data->source = g_object_ref (files[0]);
  data->job = lifeboat_restore_job_new (self->current_host->client, files[0]);
  for (guint i = 1; i < n_files; i++)
    lifeboat_restore_job_add_archive (data->job, files[i]);
  project = lifeboat_project_view_get_project (self->project_view);
  if (project != NULL)
    data->fallback_project = g_strdup (lifeboat_project_get_name (project));

  self->planning = TRUE;
  _lifeboat_window_update_actions (self);
  _lifeboat_window_show_busy_toast (self, _("Reading the backup…"));

  task = g_task_new (NULL, self->cancellable, plan_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, _lifeboat_window_begin_restore);
  g_task_set_task_data (task, data, (GDestroyNotify) plan_data_free);
  g_task_run_in_thread (task, plan_thread);
}

static void
restore_confirmed_cb (LifeboatWindow *self)
{
  LifeboatRestoreJob *job = lifeboat_restore_view_get_job (self->restore_view);

  if (job == NULL || self->job_running)
    return;

  lifeboat_restore_job_set_ignore_version (job,
                                           lifeboat_restore_view_get_ignore_version (self->restore_view));
  lifeboat_restore_job_set_keep_safety_days (job,
                                             MAX (0, lifeboat_settings_get_int (self->settings,
                                                                                "keep-safety-days",
                                                                                14)));
  _lifeboat_window_start_job (self, LIFEBOAT_JOB (job));
  lifeboat_restore_view_set_job (self->restore_view, NULL, NULL, 0);
}

static void
restore_cancelled_cb (LifeboatWindow *self)
{
  lifeboat_restore_view_set_job (self->restore_view, NULL, NULL, 0);
  _lifeboat_window_leave_page (self);
}

static void
history_restore_cb (LifeboatWindow *self,
                    GFile          *folder)
{
  _lifeboat_window_begin_restore (self, &folder, 1);
}

void
lifeboat_window_open_files (LifeboatWindow  *self,
                            GFile          **files,
                            int              n_files)
{
  g_return_if_fail (LIFEBOAT_IS_WINDOW (self));

  if (self->current_host != NULL && self->current_host->state == HOST_CONNECTED &&
      !self->discovering)
    {
      _lifeboat_window_begin_restore (self, files, n_files);
      return;
    }

  g_clear_pointer (&self->pending_files, g_ptr_array_unref);
  self->pending_files = g_ptr_array_new_with_free_func (g_object_unref);
  for (int i = 0; i < n_files; i++)
    g_ptr_array_add (self->pending_files, g_object_ref (files[i]));
}

/* drag and drop: a backup folder, or .tar.gz archives */
static gboolean
drop_cb (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         LifeboatWindow *self)
{
  GSList *list;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);

  if (files->len == 0)
    return FALSE;

  _lifeboat_window_begin_restore (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

static GdkDragAction
drop_enter_cb (GtkDropTarget  *target,
               double          x,
               double          y,
               LifeboatWindow *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, TRUE);
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget  *target,
               LifeboatWindow *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);
}

void
_lifeboat_window_drop_init (LifeboatWindow *self)
{
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (self->drop_target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (self->drop_target, "leave", G_CALLBACK (drop_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drop_target));
}

void
_lifeboat_window_restore_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, history_restore_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_confirmed_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_cancelled_cb);
}
