/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-project"

#include "config.h"

#include "lifeboat-project-private.h"

/*
 * A project looked at again: the objects a view is bound to stay, and take the new state.
 * A container or volume that stays keeps its object, which notifies only the properties that
 * changed; the ones that went are removed from their model, the new ones inserted where the
 * newer look has them. A row bound to a container that stopped changes its badge; nothing
 * else is rebuilt. The main thread's work, like the views that follow it.
 */

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* by name: the GParamSpecs are lifeboat-project.c's; only what changed is notified */
static void
notify (gpointer    object,
        const char *name)
{
  g_object_notify (G_OBJECT (object), name);
}

static void
container_update (LifeboatContainer *self,
                  LifeboatContainer *newer)
{
  gboolean was_running = lifeboat_container_is_running (self);
  gboolean state_changed = self->state != newer->state;
  gboolean image_changed;

  /* a container created again under the same name has a new ID */
  replace_string (&self->id, newer->id);
  replace_string (&self->service, newer->service);
  image_changed = replace_string (&self->image, newer->image);
  replace_string (&self->image_id, newer->image_id);
  replace_string (&self->working_dir, newer->working_dir);
  replace_string (&self->config_files, newer->config_files);
  g_strfreev (self->depends_on);
  self->depends_on = g_strdupv (newer->depends_on);
  self->stop_timeout = newer->stop_timeout;
  g_hash_table_remove_all (self->mounts);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, newer->mounts);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_hash_table_insert (self->mounts, g_strdup (key), g_strdup (value));
  }
  self->state = newer->state;

  if (image_changed)
    notify (self, "image");
  if (state_changed)
    notify (self, "state");
  if (was_running != lifeboat_container_is_running (self))
    notify (self, "running");
}

static void
volume_update (LifeboatVolume *self,
               LifeboatVolume *newer)
{
  gboolean size_changed = self->size != newer->size;
  gboolean mount_changed, note_changed;
  gboolean selected_changed = self->default_selected != newer->default_selected;

  replace_string (&self->driver, newer->driver);
  g_clear_pointer (&self->labels, json_object_unref);
  self->labels = newer->labels ? json_object_ref (newer->labels) : NULL;
  mount_changed = replace_string (&self->mount_path, newer->mount_path);
  g_ptr_array_set_size (self->containers, 0);
  for (guint i = 0; i < newer->containers->len; i++)
    g_ptr_array_add (self->containers, g_strdup (g_ptr_array_index (newer->containers, i)));
  self->exists = newer->exists;
  note_changed = replace_string (&self->note, newer->note);
  replace_string (&self->archive_name, newer->archive_name);
  self->size = newer->size;
  self->default_selected = newer->default_selected;

  if (size_changed)
    notify (self, "size");
  if (mount_changed)
    notify (self, "mount-path");
  if (note_changed)
    notify (self, "note");
  if (selected_changed)
    notify (self, "default-selected");
}

typedef const char *(*KeyFunc)    (gpointer item);
typedef void        (*UpdateFunc) (gpointer item,
                                   gpointer newer);

static const char *
container_key (gpointer item)
{
  return lifeboat_container_get_name (item);
}

static const char *
volume_key (gpointer item)
{
  return lifeboat_volume_get_name (item);
}

static const char *
project_key (gpointer item)
{
  return lifeboat_project_get_name (item);
}

/* @store takes the items of @newer, in its order: the ones with the same key stay (updated),
 * the others go or come. Only what changed is signalled. */
static void
store_update (GListStore *store,
              GListModel *newer,
              KeyFunc     key_func,
              UpdateFunc  update_func)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_newer = g_list_model_get_n_items (newer);

  for (guint i = 0; i < n_newer; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (newer, i);

      g_hash_table_add (wanted, (gpointer) key_func (item));   /* newer keeps the strings */
    }

  /* what went */
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (store)); i > 0; i--)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i - 1);

      if (!g_hash_table_contains (wanted, key_func (item)))
        g_list_store_remove (store, i - 1);
    }

  /* what stays, in its new place, and what came */
  for (guint i = 0; i < n_newer; i++)
    {
      g_autoptr(GObject) fresh = g_list_model_get_item (newer, i);
      const char *key = key_func (fresh);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
      guint found = n;

      for (guint k = i; k < n; k++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), k);

          if (g_strcmp0 (key_func (item), key) == 0)
            {
              found = k;
              break;
            }
        }

      if (found == n)
        g_list_store_insert (store, i, fresh);
      else
        {
          g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), found);

          update_func (item, fresh);
          if (found != i)   /* moved: rare (a new dependency) */
            {
              g_list_store_remove (store, found);
              g_list_store_insert (store, i, item);
            }
        }
    }

  /* duplicates of a key in @newer would leave more behind: none are kept */
  while (g_list_model_get_n_items (G_LIST_MODEL (store)) > n_newer)
    g_list_store_remove (store, n_newer);
}

void
lifeboat_project_update_from (LifeboatProject *self,
                              LifeboatProject *newer)
{
  gint64 total;
  gboolean version_changed;

  g_return_if_fail (LIFEBOAT_IS_PROJECT (self));
  g_return_if_fail (LIFEBOAT_IS_PROJECT (newer));

  if (self == newer)
    return;

  total = lifeboat_project_get_total_size (self);
  replace_string (&self->working_dir, newer->working_dir);
  g_strfreev (self->config_files);
  self->config_files = g_strdupv (newer->config_files);
  replace_string (&self->app_profile, newer->app_profile);
  version_changed = replace_string (&self->app_version, newer->app_version);

  store_update (self->volumes, G_LIST_MODEL (newer->volumes), volume_key,
                (UpdateFunc) volume_update);
  store_update (self->containers, G_LIST_MODEL (newer->containers), container_key,
                (UpdateFunc) container_update);

  if (version_changed)
    notify (self, "app-version");
  if (total != lifeboat_project_get_total_size (self))
    notify (self, "total-size");
}

void
lifeboat_projects_update_from (GListStore *projects,
                               GListModel *newer)
{
  g_return_if_fail (G_IS_LIST_STORE (projects));
  g_return_if_fail (G_IS_LIST_MODEL (newer));
  g_return_if_fail (g_list_model_get_item_type (G_LIST_MODEL (projects)) == LIFEBOAT_TYPE_PROJECT);

  store_update (projects, newer, project_key, (UpdateFunc) lifeboat_project_update_from);
}
