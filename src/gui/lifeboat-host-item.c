/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-host-item"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "lifeboat-window-private.h"

G_DEFINE_FINAL_TYPE (LifeboatHostItem, lifeboat_host_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_TITLE,
  PROP_ICON_NAME,
  PROP_REMOVABLE,
  PROP_STATE,
  PROP_SUBTITLE,
  PROP_TOOLTIP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lifeboat_host_item_dispose (GObject *object)
{
  LifeboatHostItem *self = LIFEBOAT_HOST_ITEM (object);

  _lifeboat_window_unwatch_host (self);
  g_clear_object (&self->connect_cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (lifeboat_host_item_parent_class)->dispose (object);
}

static void
lifeboat_host_item_finalize (GObject *object)
{
  LifeboatHostItem *self = LIFEBOAT_HOST_ITEM (object);

  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->saved_name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->icon_name, g_free);
  g_clear_pointer (&self->reason, g_free);
  g_clear_pointer (&self->advice, g_free);
  g_clear_pointer (&self->subtitle, g_free);
  g_clear_pointer (&self->tooltip, g_free);

  G_OBJECT_CLASS (lifeboat_host_item_parent_class)->finalize (object);
}

static void
lifeboat_host_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LifeboatHostItem *self = LIFEBOAT_HOST_ITEM (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, self->icon_name);
      break;
    case PROP_REMOVABLE:
      g_value_set_boolean (value, self->removable);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_TOOLTIP:
      g_value_set_string (value, self->tooltip);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_host_item_class_init (LifeboatHostItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lifeboat_host_item_dispose;
  object_class->finalize = lifeboat_host_item_finalize;
  object_class->get_property = lifeboat_host_item_get_property;

  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_ICON_NAME] = g_param_spec_string ("icon-name", NULL, NULL, NULL, ro);
  properties[PROP_REMOVABLE] = g_param_spec_boolean ("removable", NULL, NULL, FALSE, ro);
  /* a HostState */
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, HOST_CONNECTING,
                                             HOST_UNREACHABLE, HOST_CONNECTING, ro);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, ro);
  properties[PROP_TOOLTIP] = g_param_spec_string ("tooltip", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lifeboat_host_item_init (LifeboatHostItem *self)
{
}

LifeboatHostItem *
lifeboat_host_item_new (const char *uri,
                        const char *name,
                        const char *title,
                        const char *icon_name,
                        const char *saved_name)
{
  LifeboatHostItem *self = g_object_new (LIFEBOAT_TYPE_HOST_ITEM, NULL);

  self->uri = g_strdup (uri);
  self->name = g_strdup (name);
  self->saved_name = g_strdup (saved_name);
  self->title = g_strdup (title ? title : uri);
  self->icon_name = g_strdup (icon_name);
  self->removable = saved_name != NULL;
  self->state = HOST_CONNECTING;
  self->last_state = HOST_CONNECTING;
  self->subtitle = g_strdup (_("Connecting…"));

  return self;
}

HostState
lifeboat_host_item_get_state (LifeboatHostItem *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST_ITEM (self), HOST_UNREACHABLE);

  return self->state;
}

const char *
lifeboat_host_item_get_subtitle (LifeboatHostItem *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST_ITEM (self), NULL);

  return self->subtitle;
}

const char *
lifeboat_host_item_get_title (LifeboatHostItem *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST_ITEM (self), NULL);

  return self->title;
}

static void
set_string (LifeboatHostItem  *self,
            char             **field,
            char              *value,
            guint              prop)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
lifeboat_host_item_changed (LifeboatHostItem *self)
{
  char *subtitle = NULL;
  char *tooltip = NULL;

  g_return_if_fail (LIFEBOAT_IS_HOST_ITEM (self));

  switch (self->state)
    {
    case HOST_CONNECTING:
      subtitle = g_strdup (_("Connecting…"));
      tooltip = g_strdup (self->uri);
      break;

    case HOST_CONNECTED:
      {
        JsonObject *version = self->client ? lifeboat_docker_client_get_version (self->client)
                                           : NULL;
        const char *ver = version && json_object_has_member (version, "Version")
                            ? json_object_get_string_member (version, "Version") : NULL;

        /* Translators: "Connected · Docker 20.10.24" */
        subtitle = g_strdup_printf (_("Connected · %s %s"),
                                    self->client
                                      ? lifeboat_docker_client_get_engine_kind (self->client)
                                      : "",
                                    ver ? ver : "");
        tooltip = g_strdup (self->uri);
      }
      break;

    case HOST_UNREACHABLE:
    default:
      /* Translators: "Unreachable: <reason>" */
      subtitle = g_strdup_printf (_("Unreachable: %s"), self->reason ? self->reason : "");
      tooltip = g_strdup (self->reason ? self->reason : self->uri);
      break;
    }

  /* the state last, so that a row following it sees the new subtitle */
  set_string (self, &self->subtitle, subtitle, PROP_SUBTITLE);
  set_string (self, &self->tooltip, tooltip, PROP_TOOLTIP);
  if (self->last_state != self->state)
    {
      self->last_state = self->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
host_state_changed_cb (LifeboatHostItem *host,
                       GParamSpec       *pspec,
                       GtkWidget        *row)
{
  GtkWidget *spinner = g_object_get_data (G_OBJECT (row), "spinner");
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "state-icon");

  gtk_spinner_set_spinning (GTK_SPINNER (spinner), host->state == HOST_CONNECTING);
  gtk_widget_set_visible (spinner, host->state == HOST_CONNECTING);
  gtk_widget_set_visible (icon, host->state != HOST_CONNECTING);
  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "error");
  if (host->state == HOST_CONNECTED)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "emblem-ok-symbolic");
      gtk_widget_add_css_class (icon, "success");
    }
  else if (host->state == HOST_UNREACHABLE)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-error-symbolic");
      gtk_widget_add_css_class (icon, "error");
    }
}

/* A row of the sidebar's engines, bound to the item's properties: a state that changes
 * changes this row, nothing else. A removable engine's row has a remove button whose "clicked"
 * goes to @remove_cb (with the item as the button's "host" data). */
GtkWidget *
lifeboat_host_item_create_row (LifeboatHostItem *host,
                               GCallback         remove_cb,
                               gpointer          user_data)
{
  GtkWidget *row, *box, *labels, *label, *icon, *subtitle, *spinner, *state_icon;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  icon = gtk_image_new ();
  g_object_bind_property (host, "icon-name", icon, "icon-name", G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (box), icon);

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (labels, TRUE);
  label = gtk_label_new (NULL);
  g_object_bind_property (host, "title", label, "label", G_BINDING_SYNC_CREATE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (labels), label);
  subtitle = gtk_label_new (NULL);
  g_object_bind_property (host, "subtitle", subtitle, "label", G_BINDING_SYNC_CREATE);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (subtitle), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (subtitle), 3);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (labels), subtitle);
  gtk_box_append (GTK_BOX (box), labels);

  spinner = gtk_spinner_new ();
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), spinner);
  state_icon = gtk_image_new ();
  gtk_widget_set_valign (state_icon, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), state_icon);

  row = gtk_list_box_row_new ();
  if (host->removable)
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "circular");
      gtk_widget_set_tooltip_text (remove, _("Remove Engine"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Remove Engine"), -1);
      g_object_set_data_full (G_OBJECT (remove), "host", g_object_ref (host), g_object_unref);
      g_signal_connect_object (remove, "clicked", remove_cb, user_data, 0);
      gtk_box_append (GTK_BOX (box), remove);
      g_object_set_data (G_OBJECT (row), "remove-button", remove);
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_bind_property (host, "tooltip", row, "tooltip-text", G_BINDING_SYNC_CREATE);
  g_object_set_data_full (G_OBJECT (row), "host", g_object_ref (host), g_object_unref);
  g_object_set_data (G_OBJECT (row), "subtitle", subtitle);
  g_object_set_data (G_OBJECT (row), "spinner", spinner);
  g_object_set_data (G_OBJECT (row), "state-icon", state_icon);
  g_signal_connect_object (host, "notify::state", G_CALLBACK (host_state_changed_cb), row, 0);
  host_state_changed_cb (host, NULL, row);

  return row;
}
