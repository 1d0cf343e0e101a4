/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-application.h"
#include "lifeboat-history.h"
#include "lifeboat-space.h"
#include "lifeboat-window-private.h"

/*
 * Next to Destination: what the checked volumes' backup needs, about, and what the
 * destination has free ("needs about 1.2 GB, 40 GB free"), estimated as the backup job does
 * before it stops anything (lifeboat-space.c), in a thread, again whenever the project, the
 * check boxes or the destination change.
 */

typedef struct
{
  GPtrArray            *volumes;     /* LifeboatVolume */
  GFile                *destination;
  char                 *engine_id;
  char                 *project;
  LifeboatCompression   compression;
  LifeboatSpaceEstimate estimate;
} SpaceData;

static void
space_data_free (SpaceData *data)
{
  g_clear_pointer (&data->volumes, g_ptr_array_unref);
  g_clear_object (&data->destination);
  g_free (data->engine_id);
  g_free (data->project);
  g_free (data);
}

static void
space_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SpaceData *data = task_data;

  lifeboat_space_estimate_backup (lifeboat_history_get_default (), data->engine_id,
                                  data->project, data->volumes, data->compression,
                                  data->destination, cancellable, &data->estimate);
  g_task_return_boolean (task, TRUE);
}

static void
space_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LifeboatWindow) self = user_data;
  SpaceData *data = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = NULL;
  gboolean enough;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) ||
      g_task_get_cancellable (G_TASK (result)) != self->space_cancellable)
    return;

  text = lifeboat_space_estimate_describe (&data->estimate);
  enough = !data->estimate.needed_known || !data->estimate.free_known ||
           data->estimate.needed <= data->estimate.free;
  if (!enough)
    {
      /* Translators: "needs about 11.0 MB, 2.1 MB free: not enough space" */
      g_autofree char *more = g_strdup_printf (_("%s: not enough space"), text);

      g_free (text);
      text = g_steal_pointer (&more);
    }
  lifeboat_project_view_set_space (self->project_view, text, enough);
  self->space_updates++;
}

void
_lifeboat_window_update_space (LifeboatWindow *self)
{
  LifeboatProject *project = lifeboat_project_view_get_project (self->project_view);
  g_auto(GStrv) keys = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *compression_str = NULL;
  SpaceData *data;

  g_cancellable_cancel (self->space_cancellable);
  g_clear_object (&self->space_cancellable);

  if (project == NULL || self->destination == NULL || self->current_host == NULL ||
      self->current_host->client == NULL)
    {
      lifeboat_project_view_set_space (self->project_view, NULL, TRUE);
      return;
    }

  data = g_new0 (SpaceData, 1);
  data->volumes = g_ptr_array_new_with_free_func (g_object_unref);
  keys = lifeboat_project_view_dup_selected_volumes (self->project_view);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      LifeboatVolume *volume = lifeboat_project_find_volume (project, keys[i]);

      if (volume != NULL)
        g_ptr_array_add (data->volumes, g_object_ref (volume));
    }
  data->destination = g_object_ref (self->destination);
  data->engine_id = g_strdup (lifeboat_docker_client_get_engine_id (self->current_host->client));
  data->project = g_strdup (lifeboat_project_get_name (project));
  compression_str = lifeboat_settings_dup_string (self->settings, "compression", "gzip");
  if (!lifeboat_compression_from_string (compression_str, &data->compression))
    data->compression = LIFEBOAT_COMPRESSION_GZIP;

  self->space_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->space_cancellable, space_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, _lifeboat_window_update_space);
  g_task_set_task_data (task, data, (GDestroyNotify) space_data_free);
  g_task_run_in_thread (task, space_thread);
}
