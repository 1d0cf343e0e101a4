/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-window-private.h"

/*
 * Live state: each connected engine is watched through its event stream
 * (LifeboatEngineWatch). A container or volume that changed makes the window look at the
 * engine's projects again; an engine that goes away shows as gone at once, with the reason;
 * when it answers again the window connects to it again. Jobs are left alone: they see the
 * engine's state themselves, and the window looks again when they end.
 */

/* a look at the projects measures the volumes (/system/df, seconds on a large host): one at
 * a time, and the events that come meanwhile make one more when it is done */
#define LIVE_AGAIN_MS 2000

static gboolean
live_again_cb (gpointer data)
{
  LifeboatWindow *self = data;

  self->live_source = 0;
  if (self->current_host != NULL && self->current_host->state == HOST_CONNECTED &&
      !self->job_running && !self->planning)
    {
      self->live_updates++;
      _lifeboat_window_rediscover (self);
    }
  return G_SOURCE_REMOVE;
}

static void
watch_changed_cb (LifeboatEngineWatch *watch,
                  Host                *host)
{
  LifeboatWindow *self = host->window;

  if (self == NULL || !host->listed || host != self->current_host ||
      host->state != HOST_CONNECTED || self->job_running || self->planning)
    return;

  if (self->discovering)
    {
      self->live_pending = TRUE;
      return;
    }
  self->live_updates++;
  _lifeboat_window_rediscover (self);
}

/* the projects were looked at: once more if the engine changed meanwhile */
void
_lifeboat_window_live_discovered (LifeboatWindow *self)
{
  if (!self->live_pending || self->live_source != 0)
    return;
  self->live_pending = FALSE;
  self->live_source = g_timeout_add (LIVE_AGAIN_MS, live_again_cb, self);
}

static void
watch_gone_cb (LifeboatEngineWatch *watch,
               GParamSpec          *pspec,
               Host                *host)
{
  LifeboatWindow *self = host->window;

  if (self == NULL || !host->listed)
    return;

  if (lifeboat_engine_watch_get_gone (watch))
    {
      if (host->state != HOST_CONNECTED)
        return;
      host->state = HOST_UNREACHABLE;
      g_free (host->reason);
      host->reason = g_strdup (lifeboat_engine_watch_get_reason (watch));
      g_free (host->advice);
      host->advice = g_strdup (_("Lifeboat connects again by itself as soon as the engine "
                                 "answers."));
      _lifeboat_window_host_update_row (host);
      if (host == self->current_host)
        {
          g_autofree char *text = g_strdup_printf (_("%s is gone"), host->title);

          /* nothing of the gone engine stays on screen as if it were there */
          g_cancellable_cancel (self->discover_cancellable);
          self->discovering = FALSE;
          gtk_list_box_bind_model (self->projects_list, NULL, NULL, NULL, NULL);
          g_clear_object (&self->projects);
          lifeboat_project_view_set_project (self->project_view, NULL);
          gtk_label_set_text (self->projects_empty_label, text);
          gtk_stack_set_visible_child_name (self->projects_stack, "empty");
          _lifeboat_window_show_current (self);
        }
      _lifeboat_window_update_actions (self);
    }
  else if (host->state == HOST_UNREACHABLE)
    {
      /* back: a new client, then the projects again */
      _lifeboat_window_host_connect (self, host);
    }
}

void
_lifeboat_window_watch_host (LifeboatWindow *self,
                             Host           *host)
{
  _lifeboat_window_unwatch_host (host);
  if (host->client == NULL)
    return;

  host->window = self;
  host->watch = lifeboat_engine_watch_new (host->client);
  g_signal_connect (host->watch, "changed", G_CALLBACK (watch_changed_cb), host);
  g_signal_connect (host->watch, "notify::gone", G_CALLBACK (watch_gone_cb), host);
}

void
_lifeboat_window_unwatch_host (Host *host)
{
  if (host->watch == NULL)
    return;
  g_signal_handlers_disconnect_by_data (host->watch, host);
  lifeboat_engine_watch_stop (host->watch);
  g_clear_object (&host->watch);
}

/* ---------------------------------------------------------------------------------------- */
/* After a job: the containers it left stopped, and a way to start them again              */

static LifeboatProject *
find_project (LifeboatWindow *self,
              const char     *name)
{
  for (guint i = 0; self->projects != NULL && i < g_list_model_get_n_items (self->projects); i++)
    {
      g_autoptr(LifeboatProject) project = g_list_model_get_item (self->projects, i);

      if (g_strcmp0 (lifeboat_project_get_name (project), name) == 0)
        return project;   /* the model keeps it */
    }
  return NULL;
}

void
_lifeboat_window_job_started (LifeboatWindow *self,
                              LifeboatJob    *job)
{
  LifeboatProject *project = find_project (self, lifeboat_job_get_project_name (job));
  g_autoptr(GStrvBuilder) running = g_strv_builder_new ();
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GListModel *containers;

  g_clear_pointer (&self->ran_before, g_strfreev);
  if (project == NULL)
    {
      lifeboat_job_view_set_container_names (self->job_view, NULL);
      return;
    }

  containers = lifeboat_project_get_containers (project);
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, i);

      if (lifeboat_container_is_running (c))
        g_strv_builder_add (running, lifeboat_container_get_name (c));
      if (lifeboat_container_get_id (c) != NULL)
        g_hash_table_insert (names, g_strdup (lifeboat_container_get_id (c)),
                             g_strdup (lifeboat_container_get_name (c)));
    }
  self->ran_before = g_strv_builder_end (running);
  lifeboat_job_view_set_container_names (self->job_view, names);
}

/* once the projects were looked at again after a job: which of the containers that ran
 * before it do not run now */
void
_lifeboat_window_check_stopped (LifeboatWindow *self)
{
  g_autoptr(GStrvBuilder) stopped = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  LifeboatProject *project;

  /* while the recovery on contact runs, what it starts would be shown stopped */
  if (self->job == NULL || self->job_running || self->ran_before == NULL ||
      self->recovering > 0 || lifeboat_job_view_get_job (self->job_view) != self->job)
    return;

  project = find_project (self, lifeboat_job_get_project_name (self->job));
  if (project == NULL)
    return;

  for (guint i = 0; self->ran_before[i] != NULL; i++)
    {
      GListModel *containers = lifeboat_project_get_containers (project);
      gboolean runs = FALSE;

      for (guint k = 0; k < g_list_model_get_n_items (containers); k++)
        {
          g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, k);

          if (g_strcmp0 (lifeboat_container_get_name (c), self->ran_before[i]) == 0)
            runs = lifeboat_container_is_running (c);
        }
      if (!runs)
        g_strv_builder_add (stopped, self->ran_before[i]);
    }

  names = g_strv_builder_end (stopped);
  lifeboat_job_view_set_stopped (self->job_view, (const char * const *) names);
}

typedef struct
{
  LifeboatDockerClient *client;
  char                **names;
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_object (&data->client);
  g_strfreev (data->names);
  g_free (data);
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StartData *data = task_data;
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autoptr(GError) first = NULL;

  for (guint i = 0; data->names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!lifeboat_docker_client_start_container_sync (data->client, data->names[i],
                                                        cancellable, &error))
        {
          g_string_append_printf (failed, "%s%s", failed->len ? ", " : "", data->names[i]);
          if (first == NULL)
            first = g_steal_pointer (&error);
        }
    }

  if (first != NULL)
    g_task_return_new_error (task, first->domain, first->code,
                             /* Translators: "Could not start cvat_server: <reason>" */
                             _("Could not start %s: %s"), failed->str, first->message);
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LifeboatWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      lifeboat_window_show_toast (self, error->message);
    }
  else
    lifeboat_window_show_toast (self, _("The containers run again"));
  _lifeboat_window_rediscover (self);
}

static void
start_again_cb (LifeboatWindow *self)
{
  g_autoptr(GTask) task = NULL;
  StartData *data;
  const char *text = _lifeboat_job_view_get_stopped (self->job_view);
  LifeboatProject *project;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (text == NULL || self->job == NULL || self->current_host == NULL ||
      self->current_host->client == NULL || self->current_host->state != HOST_CONNECTED)
    {
      lifeboat_window_show_toast (self, _("Connect to the engine first, then start the "
                                          "containers again"));
      lifeboat_job_view_set_stopped (self->job_view, NULL);
      _lifeboat_window_check_stopped (self);
      return;
    }

  /* the ones that still do not run, in the order they ran before */
  project = find_project (self, lifeboat_job_get_project_name (self->job));
  for (guint i = 0; project != NULL && self->ran_before[i] != NULL; i++)
    {
      GListModel *containers = lifeboat_project_get_containers (project);

      for (guint k = 0; k < g_list_model_get_n_items (containers); k++)
        {
          g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, k);

          if (g_strcmp0 (lifeboat_container_get_name (c), self->ran_before[i]) == 0 &&
              !lifeboat_container_is_running (c))
            g_strv_builder_add (names, self->ran_before[i]);
        }
    }

  data = g_new0 (StartData, 1);
  data->client = g_object_ref (self->current_host->client);
  data->names = g_strv_builder_end (names);
  task = g_task_new (NULL, self->cancellable, start_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_again_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
  g_task_run_in_thread (task, start_thread);
}

void
_lifeboat_window_live_init (LifeboatWindow *self)
{
  g_signal_connect_object (self->job_view, "start-again", G_CALLBACK (start_again_cb), self,
                           G_CONNECT_SWAPPED);
}
