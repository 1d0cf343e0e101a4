/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-host-item"

#include "config.h"

#include <glib/gi18n.h>

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
