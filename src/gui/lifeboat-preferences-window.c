/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-application.h"
#include "lifeboat-preferences-window.h"

struct _LifeboatPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GtkFileChooserNative *chooser;

  AdwPreferencesPage   *page;
  AdwPreferencesGroup  *backups_group;
  AdwActionRow         *destination_row;
  AdwComboRow          *compression_row;
  GtkSwitch            *restart_switch;
  GtkSpinButton        *keep_days_spin;
  AdwPreferencesGroup  *locations_group;
  GtkListBox           *locations_list;
};

G_DEFINE_FINAL_TYPE (LifeboatPreferencesWindow, lifeboat_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

static const char *compressions[] = { "gzip", "zstd", "none" };

static gboolean
compression_get_mapping (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  const char *str = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (compressions); i++)
    if (g_strcmp0 (str, compressions[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
compression_set_mapping (const GValue       *value,
                         const GVariantType *type,
                         gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  if (i >= G_N_ELEMENTS (compressions))
    i = 0;
  return g_variant_new_string (compressions[i]);
}

static void
update_destination (LifeboatPreferencesWindow *self)
{
  g_autoptr(GFile) dest = lifeboat_settings_dup_destination (self->settings);
  g_autofree char *name = g_file_get_parse_name (dest);

  adw_action_row_set_subtitle (self->destination_row, name);
}

static void
update_locations (LifeboatPreferencesWindow *self)
{
  g_auto(GStrv) locations = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->locations_list))) != NULL)
    gtk_list_box_remove (self->locations_list, child);

  if (self->settings != NULL)
    locations = g_settings_get_strv (self->settings, "backup-locations");

  for (guint i = 0; locations != NULL && locations[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), locations[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("folder-symbolic"));
      gtk_list_box_append (self->locations_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->locations_list),
                          locations != NULL && locations[0] != NULL);
}

static void
chooser_response_cb (LifeboatPreferencesWindow *self,
                     int                        response,
                     GtkFileChooserNative      *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (folder != NULL && self->settings != NULL)
        {
          g_autofree char *path = g_file_get_path (folder);
          g_autofree char *uri = NULL;

          if (path == NULL)
            uri = g_file_get_uri (folder);
          g_settings_set_string (self->settings, "default-destination", path ? path : uri);
        }
    }
  g_clear_object (&self->chooser);
}

static void
choose_destination_cb (LifeboatPreferencesWindow *self)
{
  g_autoptr(GFile) dest = lifeboat_settings_dup_destination (self->settings);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Default Backup Destination"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (g_file_query_exists (dest, NULL))
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), dest, NULL);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
reset_destination_cb (LifeboatPreferencesWindow *self)
{
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "default-destination", "");
}

static void
lifeboat_preferences_window_dispose (GObject *object)
{
  LifeboatPreferencesWindow *self = LIFEBOAT_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lifeboat_preferences_window_parent_class)->dispose (object);
}

static void
lifeboat_preferences_window_class_init (LifeboatPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lifeboat/Lifeboat/lifeboat-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, page);
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, backups_group);
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, destination_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, compression_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, restart_switch);
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, keep_days_spin);
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, locations_group);
  gtk_widget_class_bind_template_child (widget_class, LifeboatPreferencesWindow, locations_list);
  gtk_widget_class_bind_template_callback (widget_class, choose_destination_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_destination_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lifeboat_preferences_window_init (LifeboatPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

LifeboatPreferencesWindow *
lifeboat_preferences_window_new (GSettings *settings)
{
  LifeboatPreferencesWindow *self = g_object_new (LIFEBOAT_TYPE_PREFERENCES_WINDOW, NULL);

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self->settings = settings ? g_object_ref (settings) : NULL;

  if (settings == NULL)
    {
      adw_preferences_group_set_description (self->backups_group,
                                            _("Settings cannot be saved: the GSettings schema "
                                              "io.github.lifeboat.Lifeboat is not installed."));
      gtk_adjustment_set_value (gtk_spin_button_get_adjustment (self->keep_days_spin), 14);
      gtk_switch_set_active (self->restart_switch, TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->compression_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->restart_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->keep_days_spin), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->destination_row), FALSE);
    }
  else
    {
      g_settings_bind_with_mapping (settings, "compression",
                                    self->compression_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT,
                                    compression_get_mapping, compression_set_mapping,
                                    NULL, NULL);
      g_settings_bind (settings, "restart-containers",
                       self->restart_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "keep-safety-days",
                       gtk_spin_button_get_adjustment (self->keep_days_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (settings, "changed::default-destination",
                               G_CALLBACK (update_destination), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::backup-locations",
                               G_CALLBACK (update_locations), self, G_CONNECT_SWAPPED);
    }

  update_destination (self);
  update_locations (self);

  return self;
}
