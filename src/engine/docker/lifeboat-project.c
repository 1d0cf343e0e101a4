/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-project"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-app-profile.h"
#include "lifeboat-project-private.h"

/* ---------------------------------------------------------------------------------------- */
/* LifeboatContainer */

G_DEFINE_FINAL_TYPE (LifeboatContainer, lifeboat_container, G_TYPE_OBJECT)

enum {
  CONTAINER_PROP_0,
  CONTAINER_PROP_NAME,
  CONTAINER_PROP_IMAGE,
  CONTAINER_PROP_STATE,
  CONTAINER_PROP_RUNNING,
  CONTAINER_N_PROPS
};

static GParamSpec *container_properties[CONTAINER_N_PROPS];

static void
lifeboat_container_finalize (GObject *object)
{
  LifeboatContainer *self = (LifeboatContainer *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->service, g_free);
  g_clear_pointer (&self->image, g_free);
  g_clear_pointer (&self->image_id, g_free);
  g_clear_pointer (&self->depends_on, g_strfreev);
  g_clear_pointer (&self->mounts, g_hash_table_unref);
  g_clear_pointer (&self->working_dir, g_free);
  g_clear_pointer (&self->config_files, g_free);

  G_OBJECT_CLASS (lifeboat_container_parent_class)->finalize (object);
}

static void
lifeboat_container_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LifeboatContainer *self = LIFEBOAT_CONTAINER (object);

  switch (prop_id)
    {
    case CONTAINER_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case CONTAINER_PROP_IMAGE:
      g_value_set_string (value, self->image);
      break;
    case CONTAINER_PROP_STATE:
      g_value_set_string (value, lifeboat_container_state_to_string (self->state));
      break;
    case CONTAINER_PROP_RUNNING:
      g_value_set_boolean (value, lifeboat_container_is_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_container_class_init (LifeboatContainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lifeboat_container_finalize;
  object_class->get_property = lifeboat_container_get_property;

  container_properties[CONTAINER_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  container_properties[CONTAINER_PROP_IMAGE] =
    g_param_spec_string ("image", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  container_properties[CONTAINER_PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  container_properties[CONTAINER_PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, CONTAINER_N_PROPS, container_properties);
}

static void
lifeboat_container_init (LifeboatContainer *self)
{
  self->mounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->stop_timeout = -1;
}

LifeboatContainer *
_lifeboat_container_new (void)
{
  return g_object_new (LIFEBOAT_TYPE_CONTAINER, NULL);
}

const char *
lifeboat_container_get_id (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), NULL);
  return self->id;
}

const char *
lifeboat_container_get_name (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), NULL);
  return self->name;
}

const char *
lifeboat_container_get_service (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), NULL);
  return self->service;
}

const char *
lifeboat_container_get_image (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), NULL);
  return self->image;
}

const char *
lifeboat_container_get_image_id (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), NULL);
  return self->image_id;
}

LifeboatContainerState
lifeboat_container_get_state (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), LIFEBOAT_CONTAINER_STATE_UNKNOWN);
  return self->state;
}

gboolean
lifeboat_container_is_running (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), FALSE);
  return self->state == LIFEBOAT_CONTAINER_STATE_RUNNING ||
         self->state == LIFEBOAT_CONTAINER_STATE_RESTARTING ||
         self->state == LIFEBOAT_CONTAINER_STATE_PAUSED;
}

const char * const *
lifeboat_container_get_depends_on (LifeboatContainer *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), NULL);
  return self->depends_on ? (const char * const *) self->depends_on : none;
}

int
lifeboat_container_get_stop_timeout (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), -1);
  return self->stop_timeout;
}

GHashTable *
lifeboat_container_get_mounts (LifeboatContainer *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_CONTAINER (self), NULL);
  return self->mounts;
}

/* ---------------------------------------------------------------------------------------- */
/* LifeboatVolume */

G_DEFINE_FINAL_TYPE (LifeboatVolume, lifeboat_volume, G_TYPE_OBJECT)

enum {
  VOLUME_PROP_0,
  VOLUME_PROP_NAME,
  VOLUME_PROP_KEY,
  VOLUME_PROP_MOUNT_PATH,
  VOLUME_PROP_SIZE,
  VOLUME_PROP_DEFAULT_SELECTED,
  VOLUME_PROP_NOTE,
  VOLUME_N_PROPS
};

static GParamSpec *volume_properties[VOLUME_N_PROPS];

static void
lifeboat_volume_finalize (GObject *object)
{
  LifeboatVolume *self = (LifeboatVolume *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->driver, g_free);
  g_clear_pointer (&self->labels, json_object_unref);
  g_clear_pointer (&self->mount_path, g_free);
  g_clear_pointer (&self->containers, g_ptr_array_unref);
  g_clear_pointer (&self->note, g_free);
  g_clear_pointer (&self->archive_name, g_free);

  G_OBJECT_CLASS (lifeboat_volume_parent_class)->finalize (object);
}

static void
lifeboat_volume_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LifeboatVolume *self = LIFEBOAT_VOLUME (object);

  switch (prop_id)
    {
    case VOLUME_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case VOLUME_PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case VOLUME_PROP_MOUNT_PATH:
      g_value_set_string (value, self->mount_path);
      break;
    case VOLUME_PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case VOLUME_PROP_DEFAULT_SELECTED:
      g_value_set_boolean (value, self->default_selected);
      break;
    case VOLUME_PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_volume_class_init (LifeboatVolumeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lifeboat_volume_finalize;
  object_class->get_property = lifeboat_volume_get_property;

  volume_properties[VOLUME_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  volume_properties[VOLUME_PROP_KEY] =
    g_param_spec_string ("key", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  volume_properties[VOLUME_PROP_MOUNT_PATH] =
    g_param_spec_string ("mount-path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  volume_properties[VOLUME_PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  volume_properties[VOLUME_PROP_DEFAULT_SELECTED] =
    g_param_spec_boolean ("default-selected", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  volume_properties[VOLUME_PROP_NOTE] =
    g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, VOLUME_N_PROPS, volume_properties);
}

static void
lifeboat_volume_init (LifeboatVolume *self)
{
  self->containers = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->size = -1;
  self->default_selected = TRUE;
}

LifeboatVolume *
_lifeboat_volume_new (void)
{
  return g_object_new (LIFEBOAT_TYPE_VOLUME, NULL);
}

const char *
lifeboat_volume_get_name (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->name;
}

const char *
lifeboat_volume_get_key (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->key ? self->key : self->name;
}

const char *
lifeboat_volume_get_driver (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->driver ? self->driver : "local";
}

JsonObject *
lifeboat_volume_get_labels (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->labels;
}

const char *
lifeboat_volume_get_mount_path (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->mount_path;
}

const char *
lifeboat_volume_get_container (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->containers->len > 0 ? g_ptr_array_index (self->containers, 0) : NULL;
}

const char * const *
lifeboat_volume_get_containers (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return (const char * const *) self->containers->pdata;
}

gint64
lifeboat_volume_get_size (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), -1);
  return self->size;
}

gboolean
lifeboat_volume_get_exists (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), FALSE);
  return self->exists;
}

gboolean
lifeboat_volume_get_default_selected (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), FALSE);
  return self->default_selected;
}

const char *
lifeboat_volume_get_note (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->note;
}

const char *
lifeboat_volume_get_archive_name (LifeboatVolume *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_VOLUME (self), NULL);
  return self->archive_name ? self->archive_name : lifeboat_volume_get_key (self);
}

/* ---------------------------------------------------------------------------------------- */
/* LifeboatProject */

G_DEFINE_FINAL_TYPE (LifeboatProject, lifeboat_project, G_TYPE_OBJECT)

enum {
  PROJECT_PROP_0,
  PROJECT_PROP_NAME,
  PROJECT_PROP_APP_VERSION,
  PROJECT_PROP_TOTAL_SIZE,
  PROJECT_N_PROPS
};

static GParamSpec *project_properties[PROJECT_N_PROPS];

static void
lifeboat_project_dispose (GObject *object)
{
  LifeboatProject *self = (LifeboatProject *) object;

  g_clear_object (&self->containers);
  g_clear_object (&self->volumes);

  G_OBJECT_CLASS (lifeboat_project_parent_class)->dispose (object);
}

static void
lifeboat_project_finalize (GObject *object)
{
  LifeboatProject *self = (LifeboatProject *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->working_dir, g_free);
  g_clear_pointer (&self->config_files, g_strfreev);
  g_clear_pointer (&self->app_profile, g_free);
  g_clear_pointer (&self->app_version, g_free);

  G_OBJECT_CLASS (lifeboat_project_parent_class)->finalize (object);
}

static void
lifeboat_project_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LifeboatProject *self = LIFEBOAT_PROJECT (object);

  switch (prop_id)
    {
    case PROJECT_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROJECT_PROP_APP_VERSION:
      g_value_set_string (value, self->app_version);
      break;
    case PROJECT_PROP_TOTAL_SIZE:
      g_value_set_int64 (value, lifeboat_project_get_total_size (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_project_class_init (LifeboatProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lifeboat_project_dispose;
  object_class->finalize = lifeboat_project_finalize;
  object_class->get_property = lifeboat_project_get_property;

  project_properties[PROJECT_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  project_properties[PROJECT_PROP_APP_VERSION] =
    g_param_spec_string ("app-version", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  project_properties[PROJECT_PROP_TOTAL_SIZE] =
    g_param_spec_int64 ("total-size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, PROJECT_N_PROPS, project_properties);
}

static void
lifeboat_project_init (LifeboatProject *self)
{
  self->containers = g_list_store_new (LIFEBOAT_TYPE_CONTAINER);
  self->volumes = g_list_store_new (LIFEBOAT_TYPE_VOLUME);
}

LifeboatProject *
_lifeboat_project_new (const char *name)
{
  LifeboatProject *self = g_object_new (LIFEBOAT_TYPE_PROJECT, NULL);

  self->name = g_strdup (name);
  return self;
}

const char *
lifeboat_project_get_name (LifeboatProject *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  return self->name;
}

const char *
lifeboat_project_get_working_dir (LifeboatProject *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  return self->working_dir;
}

const char * const *
lifeboat_project_get_config_files (LifeboatProject *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  return self->config_files ? (const char * const *) self->config_files : none;
}

GListModel *
lifeboat_project_get_containers (LifeboatProject *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  return G_LIST_MODEL (self->containers);
}

GListModel *
lifeboat_project_get_volumes (LifeboatProject *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  return G_LIST_MODEL (self->volumes);
}

LifeboatVolume *
lifeboat_project_find_volume (LifeboatProject *self,
                              const char      *key_or_name)
{
  guint n;

  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  g_return_val_if_fail (key_or_name != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->volumes));
  /* keys first: "cvat_db" is a key in project "cvat" and could be another volume's name */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(LifeboatVolume) v = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);
        const char *cmp = pass == 0 ? lifeboat_volume_get_key (v) : v->name;

        if (g_strcmp0 (cmp, key_or_name) == 0)
          return v;  /* the store keeps it alive */
      }

  return NULL;
}

LifeboatContainer *
lifeboat_project_find_container (LifeboatProject *self,
                                 const char      *name_or_id)
{
  guint n;

  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->containers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatContainer) c = g_list_model_get_item (G_LIST_MODEL (self->containers), i);

      if (g_strcmp0 (c->name, name_or_id) == 0 || g_strcmp0 (c->id, name_or_id) == 0)
        return c;
    }

  return NULL;
}

const char *
lifeboat_project_get_app_profile (LifeboatProject *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  return self->app_profile;
}

const char *
lifeboat_project_get_app_version (LifeboatProject *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);
  return self->app_version;
}

char *
lifeboat_project_dup_app_label (LifeboatProject *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);

  return lifeboat_app_profile_dup_label (self->app_profile, self->app_version);
}

gint64
lifeboat_project_get_total_size (LifeboatProject *self)
{
  guint n;
  gint64 total = 0;

  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), -1);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->volumes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatVolume) v = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);

      if (v->size < 0)
        return -1;
      total += v->size;
    }

  return total;
}

JsonNode *
lifeboat_project_to_json (LifeboatProject *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n;

  g_return_val_if_fail (LIFEBOAT_IS_PROJECT (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, self->name);
  json_builder_set_member_name (b, "working_dir");
  json_builder_add_string_value (b, self->working_dir);
  json_builder_set_member_name (b, "config_files");
  json_builder_begin_array (b);
  for (guint i = 0; self->config_files && self->config_files[i]; i++)
    json_builder_add_string_value (b, self->config_files[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "app");
  if (self->app_profile != NULL)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "profile");
      json_builder_add_string_value (b, self->app_profile);
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, self->app_version);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "containers");
  json_builder_begin_array (b);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->containers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatContainer) c = g_list_model_get_item (G_LIST_MODEL (self->containers), i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, c->name);
      json_builder_set_member_name (b, "service");
      json_builder_add_string_value (b, c->service);
      json_builder_set_member_name (b, "image");
      json_builder_add_string_value (b, c->image);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, lifeboat_container_state_to_string (c->state));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "volumes");
  json_builder_begin_array (b);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->volumes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatVolume) v = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, lifeboat_volume_get_key (v));
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, v->name);
      json_builder_set_member_name (b, "driver");
      json_builder_add_string_value (b, lifeboat_volume_get_driver (v));
      json_builder_set_member_name (b, "mount_path");
      json_builder_add_string_value (b, v->mount_path);
      json_builder_set_member_name (b, "containers");
      json_builder_begin_array (b);
      for (guint j = 0; j < v->containers->len; j++)
        json_builder_add_string_value (b, g_ptr_array_index (v->containers, j));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "size");
      if (v->size >= 0)
        json_builder_add_int_value (b, v->size);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "default_selected");
      json_builder_add_boolean_value (b, v->default_selected);
      json_builder_set_member_name (b, "note");
      json_builder_add_string_value (b, v->note);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
