/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-application"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-application.h"
#include "lifeboat-preferences-window.h"
#include "lifeboat-restic-dialog.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-window.h"

struct _LifeboatApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  guint           n_jobs;
};

G_DEFINE_FINAL_TYPE (LifeboatApplication, lifeboat_application, ADW_TYPE_APPLICATION)

LifeboatApplication *
lifeboat_application_new (void)
{
  return g_object_new (LIFEBOAT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/lifeboat/Lifeboat",
                       NULL);
}

GSettings *
lifeboat_application_get_settings (LifeboatApplication *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_APPLICATION (self), NULL);

  return self->settings;
}

void
lifeboat_application_job_started (LifeboatApplication *self)
{
  g_return_if_fail (LIFEBOAT_IS_APPLICATION (self));

  self->n_jobs++;
  g_application_hold (G_APPLICATION (self));
}

void
lifeboat_application_job_finished (LifeboatApplication *self)
{
  g_return_if_fail (LIFEBOAT_IS_APPLICATION (self));
  g_return_if_fail (self->n_jobs > 0);

  self->n_jobs--;
  g_application_release (G_APPLICATION (self));
}

guint
lifeboat_application_get_n_jobs (LifeboatApplication *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_APPLICATION (self), 0);

  return self->n_jobs;
}

static gboolean
has_key (GSettings  *settings,
         const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (settings == NULL)
    return FALSE;
  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

char *
lifeboat_settings_dup_string (GSettings  *settings,
                              const char *key,
                              const char *fallback)
{
  if (!has_key (settings, key))
    return g_strdup (fallback);
  return g_settings_get_string (settings, key);
}

gboolean
lifeboat_settings_get_boolean (GSettings  *settings,
                               const char *key,
                               gboolean    fallback)
{
  if (!has_key (settings, key))
    return fallback;
  return g_settings_get_boolean (settings, key);
}

int
lifeboat_settings_get_int (GSettings  *settings,
                           const char *key,
                           int         fallback)
{
  if (!has_key (settings, key))
    return fallback;
  return g_settings_get_int (settings, key);
}

GFile *
lifeboat_settings_dup_destination (GSettings *settings)
{
  g_autofree char *path = lifeboat_settings_dup_string (settings, "default-destination", "");

  if (path == NULL || path[0] == '\0')
    /* Translators: the folder in the home folder where backups go by default */
    return g_file_new_build_filename (g_get_home_dir (), _("Lifeboat backups"), NULL);
  /* a restic repository (its password from the Secret Service) */
  if (lifeboat_restic_location_is_repository (path))
    return lifeboat_restic_destination_new (path);
  if (strstr (path, "://") != NULL)
    return g_file_new_for_uri (path);
  return g_file_new_for_path (path);
}

static LifeboatWindow *
get_window (LifeboatApplication *self,
            gboolean             create)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

      if (windows != NULL)
        window = windows->data;
    }
  if (window == NULL && create)
    window = GTK_WINDOW (lifeboat_window_new (self));

  return window ? LIFEBOAT_WINDOW (window) : NULL;
}

static void
lifeboat_application_activate (GApplication *app)
{
  LifeboatWindow *window = get_window (LIFEBOAT_APPLICATION (app), TRUE);

  gtk_window_present (GTK_WINDOW (window));
}

static void
lifeboat_application_open (GApplication  *app,
                           GFile        **files,
                           int            n_files,
                           const char    *hint)
{
  LifeboatWindow *window = get_window (LIFEBOAT_APPLICATION (app), TRUE);

  gtk_window_present (GTK_WINDOW (window));
  /* `lifeboat BACKUP_DIR` opens the restore summary once an engine is connected */
  lifeboat_window_open_files (window, files, n_files);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  LifeboatApplication *self = user_data;

  if (self->n_jobs > 0)
    {
      LifeboatWindow *window = get_window (self, TRUE);

      /* quitting would abandon a job half way: containers stopped, a volume half restored */
      gtk_window_present (GTK_WINDOW (window));
      lifeboat_window_show_toast (window, _("A job is running. Cancel it first, then quit."));
      return;
    }

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_destroy (window);
    }
  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  LifeboatApplication *self = user_data;
  static const char *developers[] = { "The Lifeboat authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_window (self, FALSE),
                        "application-name", _("Lifeboat"),
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Lifeboat authors"),
                        "developers", developers,
                        "comments", _("Back up and restore the Docker volumes of a compose project, "
                                      "first of all CVAT, in the format of CVAT's backup guide."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  LifeboatApplication *self = user_data;
  LifeboatWindow *window = get_window (self, FALSE);
  LifeboatPreferencesWindow *prefs;

  prefs = lifeboat_preferences_window_new (self->settings);
  if (window != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
show_uri_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LifeboatApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error))
    {
      LifeboatWindow *window = get_window (self, FALSE);
      g_autofree char *message = g_strdup_printf (_("Could not open the folder: %s"),
                                                  error->message);

      if (window != NULL)
        lifeboat_window_show_toast (window, message);
      else
        g_warning ("%s", message);
    }
}

static void
open_folder_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  LifeboatApplication *self = user_data;
  const char *path = g_variant_get_string (param, NULL);
  LifeboatWindow *window = get_window (self, FALSE);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (path == NULL || path[0] == '\0')
    return;
  file = strstr (path, "://") ? g_file_new_for_uri (path) : g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  /* GtkFileLauncher is GTK 4.10; gtk_show_uri_full goes through the portal or GAppInfo and,
   * unlike gtk_show_uri, says when nothing could open the folder */
  gtk_show_uri_full (window ? GTK_WINDOW (window) : NULL, uri, GDK_CURRENT_TIME, NULL,
                     show_uri_done_cb, g_object_ref (self));
}

static void
show_window_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  LifeboatApplication *self = user_data;

  gtk_window_present (GTK_WINDOW (get_window (self, TRUE)));
}

/* `lifeboat --job ID` and a notification's action: the window, on that job of the history */
static void
show_job_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  LifeboatApplication *self = user_data;
  LifeboatWindow *window = get_window (self, TRUE);

  gtk_window_present (GTK_WINDOW (window));
  lifeboat_window_show_job (window, g_variant_get_string (param, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "open-folder", open_folder_action, "s" },
  { "show-window", show_window_action },
  { "show-job", show_job_action, "s" },
};

static void
lifeboat_application_startup (GApplication *app)
{
  LifeboatApplication *self = LIFEBOAT_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (lifeboat_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  /* restic repositories' passwords: the Secret Service */
  lifeboat_restic_set_password_lookup (lifeboat_restic_password_lookup);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (APPLICATION_ID);
  else
    g_warning ("GSettings schema %s is not installed; settings will not be remembered",
               APPLICATION_ID);

  gtk_window_set_default_icon_name (APPLICATION_ID);
}

static void
lifeboat_application_dispose (GObject *object)
{
  LifeboatApplication *self = LIFEBOAT_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lifeboat_application_parent_class)->dispose (object);
}

/* --job ID: to the running Lifeboat when there is one, else to this one once it runs */
static int
lifeboat_application_handle_local_options (GApplication *app,
                                           GVariantDict *options)
{
  const char *job = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_variant_dict_lookup (options, "job", "&s", &job))
    return -1;
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("lifeboat: %s\n", error->message);
      return 1;
    }
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-job", g_variant_new_string (job));
  return g_application_get_is_remote (app) ? 0 : -1;
}

static void
lifeboat_application_class_init (LifeboatApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lifeboat_application_dispose;

  app_class->startup = lifeboat_application_startup;
  app_class->activate = lifeboat_application_activate;
  app_class->open = lifeboat_application_open;
  app_class->handle_local_options = lifeboat_application_handle_local_options;
}

static void
lifeboat_application_init (LifeboatApplication *self)
{
  const GOptionEntry entries[] = {
    { "job", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Open the window on this job of the history (as a notification does)"), N_("ID") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}
