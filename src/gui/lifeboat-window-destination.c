/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where backups go: the destination (the settings' default-destination, shown on the project
 * page) and the further locations whose backup folders the history lists.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-history.h"
#include "lifeboat-window-private.h"

void
_lifeboat_window_set_destination (LifeboatWindow *self,
                                  GFile          *destination)
{
  if (destination != NULL && self->settings != NULL)
    {
      g_autofree char *path = g_file_get_path (destination);
      g_autofree char *uri = path ? NULL : g_file_get_uri (destination);

      /* changed:: updates self->destination */
      g_settings_set_string (self->settings, "default-destination", path ? path : uri);
      return;
    }
  if (destination == NULL)
    {
      g_clear_object (&self->destination);
      self->destination = lifeboat_settings_dup_destination (self->settings);
    }
  else
    g_set_object (&self->destination, destination);
  lifeboat_project_view_set_destination (self->project_view, self->destination);
  _lifeboat_window_update_space (self);
}

void
_lifeboat_window_destination_changed (LifeboatWindow *self)
{
  g_clear_object (&self->destination);
  self->destination = lifeboat_settings_dup_destination (self->settings);
  lifeboat_project_view_set_destination (self->project_view, self->destination);
  _lifeboat_window_update_space (self);
}

static void
add_location_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!lifeboat_history_add_location (lifeboat_history_get_default (), task_data, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
add_location_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(LifeboatWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GFile *location = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Cannot add the location: %s"), error->message);
      lifeboat_window_show_toast (self, message);
      return;
    }

  if (self->settings != NULL)
    {
      g_auto(GStrv) old = g_settings_get_strv (self->settings, "backup-locations");
      g_autofree char *path = g_file_get_path (location);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) locations = NULL;

      if (path != NULL && !g_strv_contains ((const char * const *) old, path))
        {
          g_strv_builder_addv (builder, (const char **) old);
          g_strv_builder_add (builder, path);
          locations = g_strv_builder_end (builder);
          g_settings_set_strv (self->settings, "backup-locations",
                               (const char * const *) locations);
        }
    }

  lifeboat_window_show_toast (self, _("Location added; its backups are listed in the history"));
  lifeboat_history_view_reload (self->history_view);
}

void
_lifeboat_window_add_location (LifeboatWindow *self,
                               GFile          *location)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, add_location_done_cb,
                                      g_object_ref (self));

  g_task_set_source_tag (task, _lifeboat_window_add_location);
  g_task_set_task_data (task, g_object_ref (location), g_object_unref);
  g_task_run_in_thread (task, add_location_thread);
}
