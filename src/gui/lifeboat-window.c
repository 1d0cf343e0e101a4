/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window: the chosen engine's projects in the sidebar, which page the content pane
 * shows (show_current), and the window's setup, template and teardown. Its other parts share
 * the struct through lifeboat-window-private.h, a file each: -hosts.c (the sidebar's engines),
 * -jobs.c (running a job, its notification), -restore.c (restore, drag and drop),
 * -destination.c, -space.c, -live.c (engine events), -recovery.c, -actions.c, -toasts.c,
 * -testing.c.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-discovery.h"
#include "lifeboat-history.h"
#include "lifeboat-window-private.h"

G_DEFINE_FINAL_TYPE (LifeboatWindow, lifeboat_window, ADW_TYPE_APPLICATION_WINDOW)

static void show_current (LifeboatWindow *self);

/* ---------------------------------------------------------------------------------------- */
/* Projects                                                                                 */

/* "CVAT v2.22.0 · 3 volumes · 6.4 MB", following the project */
static void
project_subtitle_changed_cb (GtkLabel *label)
{
  LifeboatProject *project = g_object_get_data (G_OBJECT (label), "project");
  g_autofree char *app = lifeboat_project_dup_app_label (project);
  g_autofree char *subtitle = NULL;
  gint64 size = lifeboat_project_get_total_size (project);
  guint n_volumes = g_list_model_get_n_items (lifeboat_project_get_volumes (project));
  g_autofree char *vols = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u volume",
                                                        "%u volumes", n_volumes), n_volumes);

  if (size >= 0)
    {
      g_autofree char *size_str = lifeboat_format_size (size);

      subtitle = g_strdup_printf ("%s%s%s · %s", app ? app : "", app ? " · " : "", vols, size_str);
    }
  else
    subtitle = g_strdup_printf ("%s%s%s", app ? app : "", app ? " · " : "", vols);
  gtk_label_set_text (label, subtitle);
}

static GtkWidget *
create_project_row (LifeboatProject *project)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label;
  g_autofree char *app = lifeboat_project_dup_app_label (project);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box),
                  gtk_image_new_from_icon_name (app ? "applications-science-symbolic"
                                                    : "application-x-addon-symbolic"));
  label = gtk_label_new (lifeboat_project_get_name (project));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (labels), label);
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  /* bound to the project: its size and its volumes change the subtitle in place */
  g_object_set_data_full (G_OBJECT (label), "project", g_object_ref (project), g_object_unref);
  g_signal_connect_object (project, "notify::total-size", G_CALLBACK (project_subtitle_changed_cb),
                           label, G_CONNECT_SWAPPED);
  g_signal_connect_object (project, "notify::app-version",
                           G_CALLBACK (project_subtitle_changed_cb), label, G_CONNECT_SWAPPED);
  g_signal_connect_object (lifeboat_project_get_volumes (project), "items-changed",
                           G_CALLBACK (project_subtitle_changed_cb), label, G_CONNECT_SWAPPED);
  project_subtitle_changed_cb (GTK_LABEL (label));
  gtk_box_append (GTK_BOX (labels), label);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "project", g_object_ref (project), g_object_unref);

  return row;
}

static GtkWidget *
create_project_row_cb (gpointer item,
                       gpointer user_data)
{
  return create_project_row (item);
}

static void
discover_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HostClosure) closure = user_data;
  LifeboatWindow *self = closure->self;
  g_autoptr(GListModel) projects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wanted = NULL;
  GtkListBoxRow *select = NULL;
  GtkListBoxRow *first = NULL;

  projects = lifeboat_discover_projects_finish (LIFEBOAT_DOCKER_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      closure->host != self->current_host)
    return;

  self->discovering = FALSE;

  if (projects == NULL)
    {
      Host *host = closure->host;

      host->state = HOST_UNREACHABLE;
      g_clear_pointer (&host->reason, g_free);
      g_clear_pointer (&host->advice, g_free);
      _lifeboat_window_explain_error (error, host->uri, &host->reason, &host->advice);
      if (host->listed)
        _lifeboat_window_host_update_row (host);
      show_current (self);
      _lifeboat_window_update_actions (self);
      return;
    }

  /* keep what the user looked at */
  if (self->wanted_project != NULL)
    wanted = g_strdup (self->wanted_project);
  else if (lifeboat_project_view_get_project (self->project_view) != NULL)
    wanted = g_strdup (lifeboat_project_get_name (lifeboat_project_view_get_project (self->project_view)));
  else
    wanted = lifeboat_settings_dup_string (self->settings, "last-project", "");

  /* the same engine looked at again: its projects model takes the new state in place, so the
   * rows stay (selection, check boxes, scroll) and only what changed changes */
  if (self->projects != NULL && G_IS_LIST_STORE (self->projects))
    {
      LifeboatProject *shown = lifeboat_project_view_get_project (self->project_view);
      guint position;

      lifeboat_projects_update_from (G_LIST_STORE (self->projects), projects);
      if (g_list_model_get_n_items (self->projects) > 0)
        gtk_stack_set_visible_child_name (self->projects_stack, "list");
      /* the project shown stays shown, unless it went */
      if (shown != NULL && g_list_store_find (G_LIST_STORE (self->projects), shown, &position))
        {
          g_clear_pointer (&self->wanted_project, g_free);
          show_current (self);
          _lifeboat_window_update_actions (self);
          _lifeboat_window_check_stopped (self);
          _lifeboat_window_live_discovered (self);
          goto pending;
        }
      lifeboat_project_view_set_project (self->project_view, NULL);
    }
  else
    {
      g_set_object (&self->projects, projects);
      /* the sidebar's rows are the projects model's */
      gtk_list_box_bind_model (self->projects_list, projects, create_project_row_cb, NULL, NULL);
    }

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->projects_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LifeboatProject *project = g_object_get_data (G_OBJECT (row), "project");

      if (project == NULL)
        continue;
      /* the wanted project, else the first */
      if (first == NULL)
        first = GTK_LIST_BOX_ROW (row);
      if (g_strcmp0 (wanted, lifeboat_project_get_name (project)) == 0)
        select = GTK_LIST_BOX_ROW (row);
    }
  if (select == NULL)
    select = first;

  if (g_list_model_get_n_items (projects) == 0)
    {
      g_autofree char *text = g_strdup_printf (_("No compose project on %s"),
                                               closure->host->title);

      gtk_label_set_text (self->projects_empty_label, text);
      gtk_stack_set_visible_child_name (self->projects_stack, "empty");
    }
  else
    gtk_stack_set_visible_child_name (self->projects_stack, "list");

  if (select != NULL)
    gtk_list_box_select_row (self->projects_list, select);
  else
    show_current (self);

  g_clear_pointer (&self->wanted_project, g_free);
  _lifeboat_window_update_actions (self);
  _lifeboat_window_check_stopped (self);
  _lifeboat_window_live_discovered (self);

pending:
  /* files given on the command line wait for an engine */
  if (self->pending_files != NULL && self->pending_files->len > 0)
    {
      g_autoptr(GPtrArray) files = g_steal_pointer (&self->pending_files);

      _lifeboat_window_begin_restore (self, (GFile **) files->pdata, files->len);
    }
}

void
_lifeboat_window_discover (LifeboatWindow *self)
{
  HostClosure *closure;

  g_return_if_fail (self->current_host != NULL);
  g_return_if_fail (self->current_host->client != NULL);

  g_cancellable_cancel (self->discover_cancellable);
  g_clear_object (&self->discover_cancellable);
  self->discover_cancellable = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), self->discover_cancellable,
                           G_CONNECT_SWAPPED);

  self->discovering = TRUE;
  if (self->projects == NULL)
    gtk_stack_set_visible_child_name (self->projects_stack, "loading");
  show_current (self);

  closure = g_new0 (HostClosure, 1);
  closure->self = g_object_ref (self);
  closure->host = g_object_ref (self->current_host);
  lifeboat_discover_projects_async (self->current_host->client, TRUE,
                                    self->discover_cancellable, discover_done_cb, closure);
}

static void
project_selected_cb (LifeboatWindow *self,
                     GtkListBoxRow  *row)
{
  LifeboatProject *project = row ? g_object_get_data (G_OBJECT (row), "project") : NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  lifeboat_project_view_set_project (self->project_view, project);
  if (project != NULL)
    {
      /* a project's name is unique only on one engine: its history is this engine's */
      if (self->current_host != NULL && self->current_host->client != NULL)
        lifeboat_history_view_set_engine (self->history_view,
                                          lifeboat_docker_client_get_engine_id (self->current_host->client));
      lifeboat_history_view_set_project (self->history_view, lifeboat_project_get_name (project));
      if (self->settings != NULL)
        g_settings_set_string (self->settings, "last-project", lifeboat_project_get_name (project));
    }
  show_current (self);
  _lifeboat_window_update_actions (self);
}

/* A click or Enter on a project, also on the one selected already: in the narrow layout the
 * content comes forward. (A selection alone does not navigate: the window selects the project
 * again each time it looks at the engine's projects again.) */
static void
project_activated_cb (LifeboatWindow *self,
                      GtkListBoxRow  *row)
{
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (!gtk_list_box_row_is_selected (row))
    gtk_list_box_select_row (self->projects_list, row);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->content);
}

/* which page the content pane shows, from the state */
static void
show_current (LifeboatWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->content_stack);
  Host *host = self->current_host;
  gboolean on_project;

  /* a job or a restore summary stays until the user leaves it */
  if (g_strcmp0 (page, "job") == 0 || g_strcmp0 (page, "restore") == 0)
    return;

  on_project = FALSE;
  gtk_spinner_set_spinning (self->status_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), FALSE);
  gtk_widget_set_visible (self->status_button, FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->status_button), "win.refresh");

  if (host == NULL)
    {
      adw_status_page_set_icon_name (self->status_page, "network-server-symbolic");
      adw_status_page_set_title (self->status_page, _("No Engine"));
      adw_status_page_set_description (self->status_page,
                                       _("Add a Docker engine in the sidebar: its ssh:// address, "
                                         "e.g. ssh://admin@cvat.example.org"));
    }
  else if (host->state == HOST_CONNECTING)
    {
      adw_status_page_set_icon_name (self->status_page, "network-server-symbolic");
      adw_status_page_set_title (self->status_page, _("Connecting…"));
      adw_status_page_set_description (self->status_page, host->title);
      gtk_spinner_set_spinning (self->status_spinner, TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), TRUE);
      /* an SSH server that does not answer can take a while: the user may stop waiting */
      gtk_button_set_label (GTK_BUTTON (self->status_button), _("_Cancel"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->status_button), "win.cancel-connect");
      gtk_widget_set_visible (self->status_button, TRUE);
    }
  else if (host->state == HOST_UNREACHABLE)
    {
      g_autofree char *text = g_markup_printf_escaped ("<b>%s</b>\n%s\n\n%s", host->title,
                                                       host->reason ? host->reason : "",
                                                       host->advice ? host->advice : "");

      adw_status_page_set_icon_name (self->status_page, "network-offline-symbolic");
      adw_status_page_set_title (self->status_page, _("No Engine Reachable"));
      gtk_button_set_label (GTK_BUTTON (self->status_button), _("_Try Again"));
      adw_status_page_set_description (self->status_page, text);
      gtk_widget_set_visible (self->status_button, TRUE);
    }
  else if (lifeboat_project_view_get_project (self->project_view) != NULL)
    on_project = TRUE;
  else if (self->discovering)
    {
      adw_status_page_set_icon_name (self->status_page, "system-search-symbolic");
      adw_status_page_set_title (self->status_page, _("Looking for Projects…"));
      adw_status_page_set_description (self->status_page,
                                       _("Reading the containers and volumes, and measuring the "
                                         "volumes' sizes"));
      gtk_spinner_set_spinning (self->status_spinner, TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), TRUE);
    }
  else if (self->projects != NULL && g_list_model_get_n_items (self->projects) == 0)
    {
      adw_status_page_set_icon_name (self->status_page, "folder-symbolic");
      adw_status_page_set_title (self->status_page, _("No Projects"));
      gtk_button_set_label (GTK_BUTTON (self->status_button), _("_Refresh"));
      adw_status_page_set_description (self->status_page,
                                       _("No compose project with volumes runs on this engine. "
                                         "Start your stack (docker compose up -d), then refresh "
                                         "with F5. To restore a backup, drop its folder here."));
      gtk_widget_set_visible (self->status_button, TRUE);
    }
  else
    {
      adw_status_page_set_icon_name (self->status_page, "folder-symbolic");
      adw_status_page_set_title (self->status_page, _("No Project Selected"));
      adw_status_page_set_description (self->status_page, _("Choose a project in the sidebar"));
    }

  gtk_stack_set_visible_child_name (self->content_stack, on_project ? "project" : "status");
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, on_project);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), on_project);
  if (on_project)
    adw_view_switcher_title_set_title (self->switcher_title,
                                       lifeboat_project_get_name (
                                         lifeboat_project_view_get_project (self->project_view)));
  else
    adw_view_switcher_title_set_title (self->switcher_title, _("Lifeboat"));
}

void
_lifeboat_window_rediscover (LifeboatWindow *self)
{
  if (self->current_host != NULL && self->current_host->state == HOST_CONNECTED &&
      self->current_host->client != NULL)
    _lifeboat_window_discover (self);
}

void
_lifeboat_window_show_current (LifeboatWindow *self)
{
  show_current (self);
}

void
_lifeboat_window_leave_page (LifeboatWindow *self)
{
  gtk_stack_set_visible_child_name (self->content_stack, "status");
  show_current (self);
  _lifeboat_window_update_actions (self);
}

void
_lifeboat_window_refresh (LifeboatWindow *self)
{
  Host *host = self->current_host;

  if (host == NULL)
    return;

  if (host->state == HOST_UNREACHABLE || host->client == NULL)
    {
      _lifeboat_window_host_connect (self, host);
      show_current (self);
    }
  else if (host->state == HOST_CONNECTED)
    _lifeboat_window_discover (self);

  lifeboat_history_view_reload (self->history_view);
}

/* ---------------------------------------------------------------------------------------- */
/* Toasts: lifeboat-window-toasts.c                                                         */

static void
view_message_cb (LifeboatWindow *self,
                 const char     *message,
                 gboolean        busy)
{
  if (!busy)
    {
      lifeboat_window_show_toast (self, message);
      return;
    }
  _lifeboat_window_show_busy_toast (self, message);
}

/* ---------------------------------------------------------------------------------------- */

static void
selection_changed_cb (LifeboatWindow *self)
{
  _lifeboat_window_update_actions (self);
  _lifeboat_window_update_space (self);
}

static void
back_clicked_cb (LifeboatWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static gboolean
close_request_cb (LifeboatWindow *self)
{
  if (self->settings != NULL)
    {
      gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_boolean (self->settings, "window-maximized", maximized);
      if (!maximized && width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }

  if (self->job_running)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
      g_autoptr(GNotification) notification = g_notification_new (_("Lifeboat keeps working"));

      /* hide-on-close is set while a job runs: the window hides, the job goes on */
      g_notification_set_body (notification,
                               _("The job goes on in the background. You get a notification "
                                 "when it ends."));
      g_notification_set_default_action (notification, "app.show-window");
      if (app != NULL)
        g_application_send_notification (app, "lifeboat-background", notification);
    }

  return FALSE;
}

/* after construction: "application" is not set yet in constructed() */
static void
lifeboat_window_setup (LifeboatWindow *self)
{
  GtkApplication *app;

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (app != NULL && lifeboat_application_get_settings (LIFEBOAT_APPLICATION (app)) != NULL)
    self->settings = g_object_ref (lifeboat_application_get_settings (LIFEBOAT_APPLICATION (app)));

  if (self->settings != NULL)
    {
      int width = g_settings_get_int (self->settings, "window-width");
      int height = g_settings_get_int (self->settings, "window-height");

      if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_signal_connect_object (self->settings, "changed::default-destination",
                               G_CALLBACK (_lifeboat_window_destination_changed), self, G_CONNECT_SWAPPED);
      /* the estimate next to Destination depends on the compression */
      g_signal_connect_object (self->settings, "changed::compression",
                               G_CALLBACK (_lifeboat_window_update_space), self,
                               G_CONNECT_SWAPPED);
    }

  _lifeboat_window_destination_changed (self);
  _lifeboat_window_live_init (self);
  _lifeboat_window_add_initial_hosts (self);
  _lifeboat_window_update_actions (self);
}

static void
lifeboat_window_dispose (GObject *object)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->discover_cancellable);
  g_cancellable_cancel (self->job_cancellable);
  g_cancellable_cancel (self->space_cancellable);
  g_clear_handle_id (&self->live_source, g_source_remove);
  /* a job not started yet ends at once, cancelled, and lets the application go */
  _lifeboat_window_run_pending_job (self);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  for (guint i = 0; self->hosts != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->hosts)); i++)
    {
      g_autoptr(LifeboatHostItem) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      host->listed = FALSE;
      _lifeboat_window_unwatch_host (host);
      host->window = NULL;
    }
  self->current_host = NULL;
  if (self->hosts_list != NULL)
    gtk_list_box_bind_model (self->hosts_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->hosts);
  g_clear_pointer (&self->pending_files, g_ptr_array_unref);
  g_clear_object (&self->projects);
  g_clear_object (&self->destination);
  g_clear_object (&self->settings);
  /* before the overlay goes: its dismissal of the toasts must not show the next */
  _lifeboat_window_toasts_dispose (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LIFEBOAT_TYPE_WINDOW);

  G_OBJECT_CLASS (lifeboat_window_parent_class)->dispose (object);
}

static void
lifeboat_window_finalize (GObject *object)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (object);

  g_clear_object (&self->job);
  g_clear_object (&self->held_app);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->recovery_cancellable);
  g_clear_object (&self->discover_cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->space_cancellable);
  g_clear_pointer (&self->wanted_project, g_free);
  g_clear_pointer (&self->ran_before, g_strfreev);
  g_clear_pointer (&self->last_notification, g_free);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (lifeboat_window_parent_class)->finalize (object);
}

static void
lifeboat_window_class_init (LifeboatWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_window_dispose;
  object_class->finalize = lifeboat_window_finalize;

  g_type_ensure (LIFEBOAT_TYPE_PROJECT_VIEW);
  g_type_ensure (LIFEBOAT_TYPE_HISTORY_VIEW);
  g_type_ensure (LIFEBOAT_TYPE_JOB_VIEW);
  g_type_ensure (LIFEBOAT_TYPE_RESTORE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lifeboat/Lifeboat/lifeboat-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, drop_revealer);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, pane_separator);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, content);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, hosts_list);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, add_host_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, projects_stack);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, projects_list);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, projects_empty_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, backup_header_button);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, status_button);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, project_view);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, history_view);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, job_view);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, restore_view);
  gtk_widget_class_bind_template_callback (widget_class, gtk_spinner_start);
  gtk_widget_class_bind_template_callback (widget_class, gtk_spinner_stop);
  gtk_widget_class_bind_template_callback (widget_class, project_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_message_cb);
  gtk_widget_class_bind_template_callback (widget_class, project_activated_cb);

  _lifeboat_window_class_actions_init (widget_class);
  _lifeboat_window_recovery_class_init (widget_class);
  _lifeboat_window_hosts_class_init (widget_class);
  _lifeboat_window_jobs_class_init (widget_class);
  _lifeboat_window_restore_class_init (widget_class);
}

static void
lifeboat_window_init (LifeboatWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  _lifeboat_window_toasts_init (self);

  self->cancellable = g_cancellable_new ();
  _lifeboat_window_hosts_init (self);

  adw_leaflet_page_set_navigatable (adw_leaflet_get_page (self->leaflet, self->pane_separator),
                                    FALSE);

  _lifeboat_window_drop_init (self);

  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  g_signal_connect_swapped (self->content_stack, "notify::visible-child-name",
                            G_CALLBACK (_lifeboat_window_update_actions), self);
}

LifeboatWindow *
lifeboat_window_new (LifeboatApplication *application)
{
  LifeboatWindow *self;

  g_return_val_if_fail (LIFEBOAT_IS_APPLICATION (application), NULL);

  self = g_object_new (LIFEBOAT_TYPE_WINDOW,
                       "application", application,
                       NULL);
  lifeboat_window_setup (self);
  return self;
}
