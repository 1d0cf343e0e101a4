/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sidebar's engines: a row per engine (lifeboat-host-item.c) found on this machine
 * (lifeboat_hosts_discover) or added by its address, connecting to each, an unknown SSH host
 * key shown to be trusted, the engine's errors in plain words with what to do about them,
 * removing an engine, and the choice of the engine whose projects the window shows.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-error.h"
#include "lifeboat-hosts.h"
#include "lifeboat-ssh-tunnel.h"
#include "lifeboat-window-private.h"

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

void
_lifeboat_window_host_closure_free (HostClosure *closure)
{
  g_clear_object (&closure->cancellable);
  g_clear_object (&closure->self);
  g_clear_pointer (&closure->host, host_unref);
  g_free (closure);
}

/* the engine's error in plain words, and what to do about it */
void
_lifeboat_window_explain_error (const GError  *error,
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
  _lifeboat_window_host_closure_free (data->closure);
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
      _lifeboat_window_explain_error (error, host->uri, &host->reason, &host->advice);
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
        _lifeboat_window_discover (self);
      else
        _lifeboat_window_show_current (self);
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
    _lifeboat_window_show_current (self);
}

Host *
_lifeboat_window_find_host (LifeboatWindow *self,
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

  if ((host = _lifeboat_window_find_host (self, uri)) != NULL)
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
  Host *host = _lifeboat_window_find_host (self, uri);

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
    _lifeboat_window_discover (self);
  else
    _lifeboat_window_show_current (self);
  _lifeboat_window_update_actions (self);
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
  _lifeboat_window_show_current (self);
  _lifeboat_window_update_actions (self);
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
    _lifeboat_window_show_current (self);
}

void
_lifeboat_window_add_initial_hosts (LifeboatWindow *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, hosts_discovered_cb,
                                      g_object_ref (self));

  g_task_set_source_tag (task, _lifeboat_window_add_initial_hosts);
  g_task_run_in_thread (task, hosts_discover_thread);
}

void
_lifeboat_window_hosts_init (LifeboatWindow *self)
{
  /* the sidebar's engines: rows bound to the items */
  self->hosts = g_list_store_new (LIFEBOAT_TYPE_HOST_ITEM);
  gtk_list_box_bind_model (self->hosts_list, G_LIST_MODEL (self->hosts), create_host_row, self,
                           NULL);
}

void
_lifeboat_window_hosts_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, host_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_host_apply_cb);
}
