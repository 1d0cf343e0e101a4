/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test hooks: what tests/test-window.c reads from the window and the clicks and drops it
 * makes as a user would, declared in lifeboat-window-private.h.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include "lifeboat-window-private.h"

const char *
_lifeboat_window_get_page (LifeboatWindow *self)
{
  return gtk_stack_get_visible_child_name (self->content_stack);
}

const char *
_lifeboat_window_get_status_title (LifeboatWindow *self)
{
  return adw_status_page_get_title (self->status_page);
}

gboolean
_lifeboat_window_is_busy (LifeboatWindow *self)
{
  return self->discovering || self->planning ||
         (self->current_host != NULL && self->current_host->state == HOST_CONNECTING);
}

char **
_lifeboat_window_dup_project_names (LifeboatWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->projects && i < g_list_model_get_n_items (self->projects); i++)
    {
      g_autoptr(LifeboatProject) project = g_list_model_get_item (self->projects, i);

      g_strv_builder_add (builder, lifeboat_project_get_name (project));
    }
  return g_strv_builder_end (builder);
}

gboolean
_lifeboat_window_select_project (LifeboatWindow *self,
                                 const char     *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->projects_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      LifeboatProject *project = g_object_get_data (G_OBJECT (child), "project");

      if (project != NULL && g_strcmp0 (lifeboat_project_get_name (project), name) == 0)
        {
          gtk_list_box_select_row (self->projects_list, GTK_LIST_BOX_ROW (child));
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
_lifeboat_window_activate_project (LifeboatWindow *self,
                                   const char     *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->projects_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LifeboatProject *project = g_object_get_data (G_OBJECT (row), "project");

      if (project != NULL && g_strcmp0 (lifeboat_project_get_name (project), name) == 0)
        {
          /* what a click does: GtkListBox emits row-activated for it */
          g_signal_emit_by_name (self->projects_list, "row-activated", row);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
_lifeboat_window_drop_files (LifeboatWindow *self,
                             GSList         *files)
{
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (self->drop_target, "drop", &value, 10.0, 10.0, &handled);
  return handled;
}

char *
_lifeboat_window_dup_host_row (LifeboatWindow *self,
                               const char     *uri)
{
  Host *host = _lifeboat_window_find_host (self, uri);
  static const char *states[] = { "connecting", "connected", "unreachable" };
  GtkListBoxRow *row;
  guint position;

  if (host == NULL || !g_list_store_find (self->hosts, host, &position))
    return NULL;
  /* what the row shows, bound to the item */
  row = gtk_list_box_get_row_at_index (self->hosts_list, (int) position);
  if (row == NULL || g_object_get_data (G_OBJECT (row), "host") != host)
    return NULL;
  return g_strdup_printf ("%s\t%s\t%s", host->title, states[host->state],
                          gtk_label_get_text (g_object_get_data (G_OBJECT (row), "subtitle")));
}

gboolean
_lifeboat_window_click_remove_host (LifeboatWindow *self,
                                    const char     *uri)
{
  Host *host = _lifeboat_window_find_host (self, uri);
  GtkListBoxRow *row;
  GtkWidget *remove;
  guint position;

  if (host == NULL || !g_list_store_find (self->hosts, host, &position))
    return FALSE;
  row = gtk_list_box_get_row_at_index (self->hosts_list, (int) position);
  remove = row ? g_object_get_data (G_OBJECT (row), "remove-button") : NULL;
  if (remove == NULL)
    return FALSE;
  g_signal_emit_by_name (remove, "clicked");
  return TRUE;
}

guint
_lifeboat_window_get_n_notifications (LifeboatWindow *self)
{
  return self->n_notifications;
}

const char *
_lifeboat_window_get_last_notification (LifeboatWindow *self)
{
  return self->last_notification;
}

const char *
_lifeboat_window_get_last_toast (LifeboatWindow *self)
{
  return self->last_toast;
}

guint
_lifeboat_window_get_space_updates (LifeboatWindow *self)
{
  return self->space_updates;
}
