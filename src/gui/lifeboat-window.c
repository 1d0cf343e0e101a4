/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-backup-job.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-format.h"
#include "lifeboat-history.h"
#include "lifeboat-hosts.h"
#include "lifeboat-job-worker.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-restore-job.h"
#include "lifeboat-ssh-tunnel.h"
#include "lifeboat-window-private.h"

G_DEFINE_FINAL_TYPE (LifeboatWindow, lifeboat_window, ADW_TYPE_APPLICATION_WINDOW)

static void show_current (LifeboatWindow *self);
static void discover     (LifeboatWindow *self);

/* ---------------------------------------------------------------------------------------- */
/* Hosts                                                                                    */

static Host *
host_ref (Host *host)
{
  return g_object_ref (host);
}

static void
host_unref (Host *host)
{
  g_object_unref (host);
}

typedef struct
{
  LifeboatWindow *self;
  Host           *host;
  GCancellable   *cancellable;   /* the connect attempt's */
} HostClosure;

static void
host_closure_free (HostClosure *closure)
{
  g_clear_object (&closure->cancellable);
  g_clear_object (&closure->self);
  g_clear_pointer (&closure->host, host_unref);
  g_free (closure);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostClosure, host_closure_free)

/* the engine's error in plain words, and what to do about it */
static void
explain_error (const GError  *error,
               const char    *uri,
               char         **reason,
               char         **advice)
{
  gboolean is_ssh = uri != NULL && g_str_has_prefix (uri, "ssh://");

  *reason = g_strdup (error->message);

  if (error->domain != LIFEBOAT_ERROR)
    {
      *advice = g_strdup (_("Check that Docker runs on that machine, then try again."));
      return;
    }

  switch ((LifeboatError) error->code)
    {
    case LIFEBOAT_ERROR_NO_SOCKET:
      if (is_ssh)
        *advice = g_strdup (_("Docker does not seem to run on that server. Start it there, or "
                              "give its socket in the address (ssh://host/path/docker.sock)."));
      else
        *advice = g_strdup (_("Docker does not seem to run here. Start it "
                              "(sudo systemctl start docker), or add a remote engine "
                              "with its ssh:// address."));
      break;
    case LIFEBOAT_ERROR_PERMISSION_DENIED:
      if (is_ssh)
        {
          *advice = g_strdup (_("The SSH user may not use Docker on that server. Add it to the "
                                "docker group there, or connect as a user who is in it."));
          break;
        }
      *advice = g_strdup (_("Your account may not use the Docker socket. Add it to the "
                            "docker group (sudo usermod -aG docker $USER), log out and in "
                            "again."));
      break;
    case LIFEBOAT_ERROR_NOT_RESPONDING:
      *advice = g_strdup (_("The engine accepted the connection but did not answer. Check "
                            "that dockerd is healthy (systemctl status docker)."));
      break;
    case LIFEBOAT_ERROR_UNSUPPORTED_ENGINE:
      *advice = g_strdup (_("Lifeboat needs Docker Engine API 1.41 (Docker 20.10) or newer."));
      break;
    case LIFEBOAT_ERROR_INVALID_URI:
      *advice = g_strdup (_("Use unix:///path/to/docker.sock, tcp://host:port or "
                            "ssh://user@host."));
      break;
    case LIFEBOAT_ERROR_HOST_KEY_UNKNOWN:
      *advice = g_strdup (_("Compare the fingerprint with the server’s key, then choose Try "
                            "Again and trust it."));
      break;
    case LIFEBOAT_ERROR_HOST_KEY_CHANGED:
      *advice = g_strdup (_("The server’s key is not the one you trusted before. Lifeboat will "
                            "not connect until you find out why."));
      break;
    case LIFEBOAT_ERROR_AUTH_FAILED:
      *advice = g_strdup (_("Check the user name, and that your key is in the server’s "
                            "authorized_keys or loaded in your SSH agent."));
      break;
    case LIFEBOAT_ERROR_NAME_RESOLUTION:
      *advice = g_strdup (_("Check the spelling of the host name, or use its IP address."));
      break;
    case LIFEBOAT_ERROR_CONNECTION_REFUSED:
      *advice = g_strdup (_("Check the port, and that the SSH server runs on that machine."));
      break;
    case LIFEBOAT_ERROR_TIMED_OUT:
      *advice = g_strdup (_("Check that the machine is on and that no firewall drops the "
                            "connection."));
      break;
    case LIFEBOAT_ERROR_HOST_UNREACHABLE:
      *advice = g_strdup (_("Check the network between this computer and the server."));
      break;
    case LIFEBOAT_ERROR_SSH:
      *advice = g_strdup (_("Check that you can log in without a password prompt: "
                            "ssh user@host docker version"));
      break;
    case LIFEBOAT_ERROR_FAILED:
    case LIFEBOAT_ERROR_NOT_FOUND:
    case LIFEBOAT_ERROR_ENGINE:
    case LIFEBOAT_ERROR_INVALID_ARCHIVE:
    case LIFEBOAT_ERROR_HOSTILE_ARCHIVE:
    case LIFEBOAT_ERROR_CHECKSUM_MISMATCH:
    case LIFEBOAT_ERROR_VERSION_MISMATCH:
    case LIFEBOAT_ERROR_NO_SPACE:
    case LIFEBOAT_ERROR_INVALID_BACKUP:
    default:
      *advice = g_strdup (_("Check that Docker runs on that machine, then try again."));
      break;
    }
}

static void
host_update_row (Host *host)
{
  /* the item's properties change; its row is bound to them */
  lifeboat_host_item_changed (host);
}

static void host_connect (LifeboatWindow *self,
                          Host           *host);

typedef struct
{
  HostClosure *closure;
  char        *fingerprint;
} TrustData;

static void
trust_data_free (TrustData *data)
{
  host_closure_free (data->closure);
  g_free (data->fingerprint);
  g_free (data);
}

static void
trust_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TrustData *data = user_data;
  LifeboatWindow *self = data->closure->self;
  g_autoptr(GError) error = NULL;

  if (lifeboat_ssh_accept_host_key_finish (result, &error))
    {
      if (data->closure->host->listed)
        host_connect (self, data->closure->host);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: "Could not trust the host key: <reason>" */
      g_autofree char *message = g_strdup_printf (_("Could not trust the host key: %s"),
                                                  error->message);
      lifeboat_window_show_toast (self, message);
    }

  trust_data_free (data);
}

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  TrustData *data = user_data;
  LifeboatWindow *self = data->closure->self;

  if (g_strcmp0 (response, "trust") != 0)
    {
      trust_data_free (data);
      return;
    }

  /* accepted only if the server still shows the fingerprint the user compared */
  lifeboat_ssh_accept_host_key_async (data->closure->host->uri, data->fingerprint,
                                      self->cancellable, trust_done_cb, data);
}

/* An unknown SSH host key: show its fingerprint and let the user trust it once. Never
 * skips the check; a changed key is only reported. */
static void
ask_trust_host_key (LifeboatWindow *self,
                    Host           *host,
                    const GError   *error)
{
  g_autofree char *fingerprint = lifeboat_ssh_error_dup_fingerprint (error);
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  TrustData *data;

  if (fingerprint == NULL || !g_str_has_prefix (host->uri, "ssh://"))
    return;

  /* Translators: %s: ssh://admin@server, %s: SHA256:… fingerprint */
  body = g_strdup_printf (_("Lifeboat has not connected to %s before. The server’s key has the "
                            "fingerprint\n\n%s\n\nCompare it with the key on the server "
                            "(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before you "
                            "trust it."),
                          host->uri, fingerprint);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Trust This Server?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust and Connect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  data = g_new0 (TrustData, 1);
  data->closure = g_new0 (HostClosure, 1);
  data->closure->self = g_object_ref (self);
  data->closure->host = host_ref (host);
  data->fingerprint = g_steal_pointer (&fingerprint);
  g_signal_connect (dialog, "response", G_CALLBACK (trust_response_cb), data);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
connect_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HostClosure) closure = user_data;
  LifeboatWindow *self = closure->self;
  Host *host = closure->host;
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;

  client = lifeboat_hosts_open_client_finish (result, &error);
  /* the window went away, or the user cancelled (the host shows so already), or a newer
   * attempt replaced this one */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      closure->cancellable != host->connect_cancellable)
    return;

  g_clear_pointer (&host->reason, g_free);
  g_clear_pointer (&host->advice, g_free);
  g_clear_object (&host->client);
  if (client == NULL)
    {
      host->state = HOST_UNREACHABLE;
      explain_error (error, host->uri, &host->reason, &host->advice);
      if (g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_UNKNOWN) &&
          host->listed)
        ask_trust_host_key (self, host, error);
    }
  else
    {
      host->state = HOST_CONNECTED;
      host->client = g_steal_pointer (&client);
      /* what interrupted jobs left on this engine is put right first, and said */
      _lifeboat_window_recover (self, host, FALSE);
      /* from now on the engine's events keep the window up to date */
      if (host->listed)
        _lifeboat_window_watch_host (self, host);
    }

  if (!host->listed)   /* removed meanwhile */
    return;

  host_update_row (host);

  if (host == self->current_host)
    {
      if (host->state == HOST_CONNECTED)
        discover (self);
      else
        show_current (self);
    }
  _lifeboat_window_update_actions (self);
}

static void
host_connect (LifeboatWindow *self,
              Host           *host)
{
  HostClosure *closure;

  _lifeboat_window_unwatch_host (host);
  g_clear_object (&host->client);
  g_clear_pointer (&host->reason, g_free);
  g_clear_pointer (&host->advice, g_free);

  host->state = HOST_CONNECTING;
  host_update_row (host);

  /* one attempt at a time; Cancel on the status page cancels it, so does the window going */
  g_cancellable_cancel (host->connect_cancellable);
  g_clear_object (&host->connect_cancellable);
  host->connect_cancellable = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), host->connect_cancellable,
                           G_CONNECT_SWAPPED);

  /* ssh:// goes through a tunnel, names are docker contexts or saved hosts */
  closure = g_new0 (HostClosure, 1);
  closure->self = g_object_ref (self);
  closure->host = host_ref (host);
  closure->cancellable = g_object_ref (host->connect_cancellable);
  lifeboat_hosts_open_client_async (host->name ? host->name : host->uri,
                                    host->connect_cancellable, connect_done_cb, closure);
}

static void
remove_host_clicked_cb (GtkButton      *button,
                        LifeboatWindow *self)
{
  Host *host = g_object_get_data (G_OBJECT (button), "host");
  gboolean was_current = host == self->current_host;
  guint position;

  if (host->saved_name != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lifeboat_hosts_forget (host->saved_name, &error) &&
          !g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
        {
          g_autofree char *message = g_strdup_printf (_("Cannot forget the engine: %s"),
                                                      error->message);

          lifeboat_window_show_toast (self, message);
          return;
        }
    }

  /* its row goes with it */
  host->listed = FALSE;
  _lifeboat_window_unwatch_host (host);
  if (was_current)
    self->current_host = NULL;
  if (g_list_store_find (self->hosts, host, &position))
    g_list_store_remove (self->hosts, position);

  if (was_current && g_list_model_get_n_items (G_LIST_MODEL (self->hosts)) > 0)
    gtk_list_box_select_row (self->hosts_list, gtk_list_box_get_row_at_index (self->hosts_list, 0));
  else if (was_current)
    show_current (self);
}

static Host *
find_host (LifeboatWindow *self,
           const char     *uri)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->hosts)); i++)
    {
      g_autoptr(LifeboatHostItem) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      if (g_strcmp0 (host->uri, uri) == 0)
        return host;   /* the model keeps it */
    }
  return NULL;
}

/* selects @host's row, as a click would */
static void
select_host (LifeboatWindow *self,
             Host           *host)
{
  guint position;

  if (g_list_store_find (self->hosts, host, &position))
    gtk_list_box_select_row (self->hosts_list,
                             gtk_list_box_get_row_at_index (self->hosts_list, (int) position));
}

/* a row of the sidebar's engines (lifeboat-host-item.c), bound to its item */
static GtkWidget *
create_host_row (gpointer item,
                 gpointer user_data)
{
  return lifeboat_host_item_create_row (item, G_CALLBACK (remove_host_clicked_cb), user_data);
}

static Host *
add_host (LifeboatWindow *self,
          const char     *uri,
          const char     *name,
          const char     *title,
          const char     *icon_name,
          const char     *saved_name)
{
  Host *host;

  if ((host = find_host (self, uri)) != NULL)
    return host;

  host = lifeboat_host_item_new (uri, name, title, icon_name, saved_name);
  host->listed = TRUE;
  /* its row comes from the model (create_host_row) */
  g_list_store_append (self->hosts, host);
  g_object_unref (host);   /* the model keeps it */

  host_connect (self, host);

  return host;
}

/* "ssh://admin@cvat.example.org:2222" -> "cvat.example.org" */
static char *
name_for_uri (const char *uri)
{
  g_autoptr(GUri) guri = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  if (guri != NULL && g_uri_get_host (guri) != NULL && g_uri_get_host (guri)[0] != '\0')
    return g_strdup (g_uri_get_host (guri));
  return g_strdup (uri);
}

void
_lifeboat_window_add_host (LifeboatWindow *self,
                           const char     *uri,
                           gboolean        select)
{
  Host *host = find_host (self, uri);

  if (host == NULL)
    {
      g_autofree char *name = name_for_uri (uri);
      g_autoptr(GError) error = NULL;
      const char *saved = NULL;

      /* remembered in hosts.ini, shared with lifeboat-cli --host NAME */
      if (g_str_has_prefix (uri, "ssh://") || g_str_has_prefix (uri, "tcp://"))
        {
          if (lifeboat_hosts_save (name, uri, NULL, &error))
            saved = name;
          else
            {
              g_autofree char *message = g_strdup_printf (_("The engine is not remembered: %s"),
                                                          error->message);

              lifeboat_window_show_toast (self, message);
            }
        }
      host = add_host (self, uri, NULL, saved ? name : uri, "network-server-symbolic", saved);
    }

  if (select)
    select_host (self, host);
}

static void
add_host_apply_cb (LifeboatWindow *self)
{
  g_autofree char *uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->add_host_row))));

  if (uri[0] == '\0')
    return;
  if (strstr (uri, "://") == NULL)
    {
      /* "user@host" means ssh */
      g_autofree char *tmp = g_steal_pointer (&uri);

      uri = g_strconcat ("ssh://", tmp, NULL);
    }
  if (!g_str_has_prefix (uri, "ssh://") && !g_str_has_prefix (uri, "unix://") &&
      !g_str_has_prefix (uri, "tcp://") && !g_str_has_prefix (uri, "http://"))
    {
      lifeboat_window_show_toast (self, _("An engine address starts with ssh://, unix:// or tcp://"));
      return;
    }

  _lifeboat_window_add_host (self, uri, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->add_host_row), "");
}

static void
host_selected_cb (LifeboatWindow *self,
                  GtkListBoxRow  *row)
{
  Host *host = row ? g_object_get_data (G_OBJECT (row), "host") : NULL;

  /* rows go away while the window is disposed */
  if (g_cancellable_is_cancelled (self->cancellable) || host == self->current_host)
    return;

  self->current_host = host;
  g_cancellable_cancel (self->discover_cancellable);
  g_clear_object (&self->discover_cancellable);
  g_clear_object (&self->projects);
  self->discovering = FALSE;
  gtk_list_box_bind_model (self->projects_list, NULL, NULL, NULL, NULL);
  lifeboat_project_view_set_project (self->project_view, NULL);

  if (host != NULL && self->settings != NULL)
    g_settings_set_string (self->settings, "last-host", host->uri);

  if (host != NULL && host->state == HOST_CONNECTED)
    discover (self);
  else
    show_current (self);
  _lifeboat_window_update_actions (self);
}

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
      g_autofree char *size_str = g_format_size ((guint64) size);

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
      explain_error (error, host->uri, &host->reason, &host->advice);
      if (host->listed)
        host_update_row (host);
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

static void
discover (LifeboatWindow *self)
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
  closure->host = host_ref (self->current_host);
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
_lifeboat_window_cancel_connect (LifeboatWindow *self)
{
  Host *host = self->current_host;

  if (host == NULL || host->state != HOST_CONNECTING)
    return;

  g_cancellable_cancel (host->connect_cancellable);
  g_clear_object (&host->connect_cancellable);
  host->state = HOST_UNREACHABLE;
  g_free (host->reason);
  host->reason = g_strdup (_("Connecting was cancelled"));
  g_free (host->advice);
  host->advice = g_strdup (_("Choose Try Again to connect."));
  host_update_row (host);
  show_current (self);
  _lifeboat_window_update_actions (self);
}

void
_lifeboat_window_rediscover (LifeboatWindow *self)
{
  if (self->current_host != NULL && self->current_host->state == HOST_CONNECTED &&
      self->current_host->client != NULL)
    discover (self);
}

void
_lifeboat_window_show_current (LifeboatWindow *self)
{
  show_current (self);
}

void
_lifeboat_window_host_update_row (Host *host)
{
  host_update_row (host);
}

void
_lifeboat_window_host_connect (LifeboatWindow *self,
                               Host           *host)
{
  host_connect (self, host);
}

static void
leave_page (LifeboatWindow *self)
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
      host_connect (self, host);
      show_current (self);
    }
  else if (host->state == HOST_CONNECTED)
    discover (self);

  lifeboat_history_view_reload (self->history_view);
}

/* ---------------------------------------------------------------------------------------- */
/* Jobs                                                                                     */

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
      g_autofree char *size = g_format_size (lifeboat_job_get_result_bytes (job));

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
    discover (self);
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
static void
run_pending_job (LifeboatWindow *self)
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
  run_pending_job (self);
  return G_SOURCE_REMOVE;
}

static gboolean
job_start_timeout_cb (gpointer data)
{
  LifeboatWindow *self = data;

  self->job_start_timeout = 0;
  run_pending_job (self);
  return G_SOURCE_REMOVE;
}

static void
start_job (LifeboatWindow *self,
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
  leave_page (self);
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

  start_job (self, LIFEBOAT_JOB (job));
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

/* ---------------------------------------------------------------------------------------- */
/* Restore                                                                                  */

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

static gboolean
dismiss_toast_cb (gpointer data)
{
  adw_toast_dismiss (ADW_TOAST (data));
  return G_SOURCE_REMOVE;
}

/* libadwaita 1.2 frees a toast dismissed while its show animation still runs (up to
 * 500 ms when it replaces another) and then crashes when that animation ends: a busy
 * toast is dismissed no sooner than 800 ms after it was added. */
static void
dismiss_busy_toast (LifeboatWindow *self)
{
  gint64 age;

  if (self->busy_toast == NULL)
    return;

  age = (g_get_monotonic_time () - self->busy_toast_added) / 1000;
  if (age >= 800)
    adw_toast_dismiss (self->busy_toast);
  else
    g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (800 - age), dismiss_toast_cb,
                        g_object_ref (self->busy_toast), g_object_unref);
  g_clear_object (&self->busy_toast);
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
  dismiss_busy_toast (self);
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
  start_job (self, LIFEBOAT_JOB (job));
  lifeboat_restore_view_set_job (self->restore_view, NULL, NULL, 0);
}

static void
restore_cancelled_cb (LifeboatWindow *self)
{
  lifeboat_restore_view_set_job (self->restore_view, NULL, NULL, 0);
  leave_page (self);
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

/* ---------------------------------------------------------------------------------------- */

static void
toast_details_cb (AdwToast       *toast,
                  LifeboatWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                              g_object_get_data (G_OBJECT (toast), "title"),
                                              g_object_get_data (G_OBJECT (toast), "message"));

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* "Reading the backup…", "Verifying the backup…": shown until the next message */
void
_lifeboat_window_show_busy_toast (LifeboatWindow *self,
                                  const char     *message)
{
  dismiss_busy_toast (self);
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  self->busy_toast = adw_toast_new (message);
  self->busy_toast_added = g_get_monotonic_time ();
  adw_toast_set_timeout (self->busy_toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->busy_toast));
}

void
lifeboat_window_show_toast (LifeboatWindow *self,
                            const char     *message)
{
  AdwToast *toast;

  g_return_if_fail (LIFEBOAT_IS_WINDOW (self));

  dismiss_busy_toast (self);

  g_free (self->last_toast);
  self->last_toast = g_strdup (message);

  /* a long message (an error with a path in it) would be cut off: the toast says what
   * happened, "Details" shows all of it */
  if (g_utf8_strlen (message, -1) > 80)
    {
      const char *colon = strstr (message, ": ");
      g_autofree char *title = NULL;

      if (colon != NULL && g_utf8_strlen (message, colon - message) <= 80)
        title = g_strndup (message, colon - message);
      else
        {
          g_autofree char *start = g_utf8_substring (message, 0, 70);

          title = g_strconcat (start, "…", NULL);
        }
      toast = adw_toast_new (title);
      adw_toast_set_button_label (toast, _("_Details"));
      g_object_set_data_full (G_OBJECT (toast), "message", g_strdup (message), g_free);
      g_object_set_data_full (G_OBJECT (toast), "title", g_strdup (title), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_details_cb), self, 0);
      adw_toast_set_timeout (toast, 10);
    }
  else
    {
      toast = adw_toast_new (message);
      adw_toast_set_timeout (toast, 6);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

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

static void
selection_changed_cb (LifeboatWindow *self)
{
  _lifeboat_window_update_actions (self);
  _lifeboat_window_update_space (self);
}

guint
_lifeboat_window_get_space_updates (LifeboatWindow *self)
{
  return self->space_updates;
}

static void
back_clicked_cb (LifeboatWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

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

static void
destination_changed_cb (LifeboatWindow *self)
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

/* ---------------------------------------------------------------------------------------- */
/* Test hooks                                                                               */

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
  Host *host = find_host (self, uri);
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
  Host *host = find_host (self, uri);
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

/* ---------------------------------------------------------------------------------------- */

static const char *
host_kind_icon (LifeboatHostKind kind)
{
  switch (kind)
    {
    case LIFEBOAT_HOST_KIND_LOCAL:
    case LIFEBOAT_HOST_KIND_ROOTLESS:
    case LIFEBOAT_HOST_KIND_PODMAN:
      return "computer-symbolic";
    case LIFEBOAT_HOST_KIND_DOCKER_HOST:
    case LIFEBOAT_HOST_KIND_CONTEXT:
    case LIFEBOAT_HOST_KIND_SAVED:
    default:
      return "network-server-symbolic";
    }
}

static char *
host_title (LifeboatHost *lhost)
{
  switch (lifeboat_host_get_kind (lhost))
    {
    case LIFEBOAT_HOST_KIND_LOCAL:
      return g_strdup (_("This Computer"));
    case LIFEBOAT_HOST_KIND_ROOTLESS:
      return g_strdup (_("Rootless Docker"));
    case LIFEBOAT_HOST_KIND_PODMAN:
      return g_strdup (_("Podman"));
    case LIFEBOAT_HOST_KIND_DOCKER_HOST:
      return g_strdup ("DOCKER_HOST");
    case LIFEBOAT_HOST_KIND_CONTEXT:
      /* Translators: a docker context */
      return g_strdup_printf (_("Context %s"), lifeboat_host_get_name (lhost));
    case LIFEBOAT_HOST_KIND_SAVED:
    default:
      return g_strdup (lifeboat_host_get_name (lhost));
    }
}

static void
hosts_discover_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  g_task_return_pointer (task, lifeboat_hosts_discover (), g_object_unref);
}

static void
hosts_discovered_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LifeboatWindow) self = user_data;
  g_autoptr(GListModel) hosts = g_task_propagate_pointer (G_TASK (result), NULL);
  const char *demo = g_getenv ("LIFEBOAT_DEMO_HOST");
  g_autofree char *last = NULL;
  Host *select = NULL;
  Host *fallback = NULL;
  Host *host;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  last = lifeboat_settings_dup_string (self->settings, "last-host", "");

  /* an explicit engine for demos and tests comes first and is chosen */
  if (demo != NULL && demo[0] != '\0')
    select = add_host (self, demo, NULL, NULL, "network-server-symbolic", NULL);

  for (guint i = 0; hosts != NULL && i < g_list_model_get_n_items (hosts); i++)
    {
      g_autoptr(LifeboatHost) lhost = g_list_model_get_item (hosts, i);
      g_autofree char *title = host_title (lhost);
      LifeboatHostKind kind = lifeboat_host_get_kind (lhost);

      host = add_host (self, lifeboat_host_get_uri (lhost), lifeboat_host_get_name (lhost),
                       title, host_kind_icon (kind),
                       kind == LIFEBOAT_HOST_KIND_SAVED ? lifeboat_host_get_name (lhost) : NULL);
      if (lifeboat_host_get_is_default (lhost) && fallback == NULL)
        fallback = host;
      if (select == NULL && last[0] != '\0' && g_strcmp0 (last, host->uri) == 0)
        select = host;
    }

  if (select == NULL)
    select = fallback;
  if (select != NULL)
    select_host (self, select);
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->hosts)) > 0)
    gtk_list_box_select_row (self->hosts_list, gtk_list_box_get_row_at_index (self->hosts_list, 0));
  else
    show_current (self);
}

static void
add_initial_hosts (LifeboatWindow *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, hosts_discovered_cb,
                                      g_object_ref (self));

  g_task_set_source_tag (task, add_initial_hosts);
  g_task_run_in_thread (task, hosts_discover_thread);
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
                               G_CALLBACK (destination_changed_cb), self, G_CONNECT_SWAPPED);
      /* the estimate next to Destination depends on the compression */
      g_signal_connect_object (self->settings, "changed::compression",
                               G_CALLBACK (_lifeboat_window_update_space), self,
                               G_CONNECT_SWAPPED);
    }

  destination_changed_cb (self);
  _lifeboat_window_live_init (self);
  add_initial_hosts (self);
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
  run_pending_job (self);

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
  g_clear_object (&self->busy_toast);

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
  gtk_widget_class_bind_template_callback (widget_class, host_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_host_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, project_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_restore_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_message_cb);
  gtk_widget_class_bind_template_callback (widget_class, job_view_done_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_confirmed_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_cancelled_cb);
  gtk_widget_class_bind_template_callback (widget_class, project_activated_cb);

  _lifeboat_window_class_actions_init (widget_class);
  _lifeboat_window_recovery_class_init (widget_class);
}

static void
lifeboat_window_init (LifeboatWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  /* the sidebar's engines: rows bound to the items */
  self->hosts = g_list_store_new (LIFEBOAT_TYPE_HOST_ITEM);
  gtk_list_box_bind_model (self->hosts_list, G_LIST_MODEL (self->hosts), create_host_row, self,
                           NULL);

  adw_leaflet_page_set_navigatable (adw_leaflet_get_page (self->leaflet, self->pane_separator),
                                    FALSE);

  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (self->drop_target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (self->drop_target, "leave", G_CALLBACK (drop_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drop_target));

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
