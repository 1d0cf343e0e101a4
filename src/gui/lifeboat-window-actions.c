/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-restic-dialog.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-window-private.h"

typedef enum
{
  CHOOSE_DESTINATION,
  CHOOSE_RESTORE,
  CHOOSE_LOCATION,
} ChooserPurpose;

static void
chooser_response_cb (GtkFileChooserNative *chooser,
                     int                   response,
                     LifeboatWindow       *self)
{
  ChooserPurpose purpose = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "purpose"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  if (self->chooser == chooser)
    g_clear_object (&self->chooser);

  if (file == NULL)
    return;

  switch (purpose)
    {
    case CHOOSE_DESTINATION:
      _lifeboat_window_set_destination (self, file);
      break;
    case CHOOSE_RESTORE:
      _lifeboat_window_begin_restore (self, &file, 1);
      break;
    case CHOOSE_LOCATION:
      _lifeboat_window_add_location (self, file);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
show_chooser (LifeboatWindow *self,
              ChooserPurpose  purpose,
              const char     *title,
              const char     *accept,
              GFile          *initial)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_object_set_data (G_OBJECT (self->chooser), "purpose", GINT_TO_POINTER (purpose));
  if (initial != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), initial, NULL);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
backup_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  _lifeboat_window_start_backup (LIFEBOAT_WINDOW (widget), NULL);
}

static void
choose_destination_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (widget);
  g_autoptr(GFile) parent = self->destination ? g_file_get_parent (self->destination) : NULL;

  show_chooser (self, CHOOSE_DESTINATION, _("Back Up To"), _("_Select"), parent);
}

static void
repository_chosen_cb (GFile    *repository,
                      gpointer  window)
{
  _lifeboat_window_set_destination (LIFEBOAT_WINDOW (window), repository);
}

/* a restic repository beside a folder: lifeboat-restic-dialog.c */
static void
choose_repository_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (widget);
  g_autofree char *current = self->destination ? g_file_get_parse_name (self->destination) : NULL;

  if (current != NULL && !lifeboat_restic_location_is_repository (current))
    g_clear_pointer (&current, g_free);
  lifeboat_restic_dialog_present (GTK_WINDOW (self), current, repository_chosen_cb, self);
}

static void
restore_folder_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (widget);

  show_chooser (self, CHOOSE_RESTORE, _("Restore From Backup Folder"), _("_Open"),
                self->destination);
}

static void
add_location_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (widget);

  show_chooser (self, CHOOSE_LOCATION, _("Add Backup Location"), _("_Add"), NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  _lifeboat_window_refresh (LIFEBOAT_WINDOW (widget));
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  gtk_widget_activate_action (widget, "app.preferences", NULL);
}

static void
cancel_connect_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  _lifeboat_window_cancel_connect (LIFEBOAT_WINDOW (widget));
}

/* Escape on the restore summary: back, as its Back and Cancel buttons */
static void
leave_restore_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (widget);

  g_signal_emit_by_name (self->restore_view, "cancelled");
}

void
_lifeboat_window_update_actions (LifeboatWindow *self)
{
  gboolean connected, idle, has_project, on_project;
  const char *page;

  /* nothing to update while the window is disposed */
  if (self->project_view == NULL || self->content_stack == NULL ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  connected = self->current_host != NULL && self->current_host->state == HOST_CONNECTED;
  idle = !self->job_running && !self->planning;
  has_project = lifeboat_project_view_get_project (self->project_view) != NULL;
  page = gtk_stack_get_visible_child_name (self->content_stack);
  on_project = g_strcmp0 (page, "project") == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.backup",
                                 connected && idle && has_project && on_project &&
                                 lifeboat_project_view_get_n_selected (self->project_view) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restore-folder", connected && idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", self->current_host != NULL);
  gtk_widget_set_visible (self->backup_header_button, on_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave-restore",
                                 g_strcmp0 (page, "restore") == 0);
}

void
_lifeboat_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.backup", NULL, backup_action);
  gtk_widget_class_install_action (widget_class, "win.choose-destination", NULL,
                                   choose_destination_action);
  gtk_widget_class_install_action (widget_class, "win.choose-repository", NULL,
                                   choose_repository_action);
  gtk_widget_class_install_action (widget_class, "win.restore-folder", NULL,
                                   restore_folder_action);
  gtk_widget_class_install_action (widget_class, "win.add-location", NULL, add_location_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.leave-restore", NULL, leave_restore_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-connect", NULL, cancel_connect_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK,
                                       "win.backup", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.restore-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK,
                                       "win.preferences", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.leave-restore", NULL);
}
