/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-discovery"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-app-profile.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-project-private.h"

#define LABEL_PROJECT      "com.docker.compose.project"
#define LABEL_SERVICE      "com.docker.compose.service"
#define LABEL_WORKING_DIR  "com.docker.compose.project.working_dir"
#define LABEL_CONFIG_FILES "com.docker.compose.project.config_files"
#define LABEL_VOLUME       "com.docker.compose.volume"
#define LABEL_DEPENDS_ON   "com.docker.compose.depends_on"
#define LABEL_ONEOFF       "com.docker.compose.oneoff"

#define DF_TIMEOUT_SECONDS 15

static const char *
get_label (JsonObject *labels,
           const char *name)
{
  JsonNode *node;

  if (labels == NULL || !json_object_has_member (labels, name))
    return NULL;
  node = json_object_get_member (labels, name);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *obj,
            const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return NULL;
  node = json_object_get_member (obj, member);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *obj,
           const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return NULL;
  node = json_object_get_member (obj, member);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_string (JsonObject *obj,
            const char *member)
{
  if (obj == NULL)
    return NULL;
  return json_object_get_string_member_with_default (obj, member, NULL);
}

static char **
parse_depends_on (const char *label)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (label == NULL || *label == '\0')
    return NULL;

  parts = g_strsplit (label, ",", -1);
  for (guint i = 0; parts[i]; i++)
    {
      g_autofree char *service = g_strndup (parts[i], strcspn (parts[i], ":"));

      g_strstrip (service);
      if (*service != '\0')
        g_strv_builder_add (builder, service);
    }

  return g_strv_builder_end (builder);
}

static LifeboatContainer *
container_from_inspect (JsonObject *inspect)
{
  LifeboatContainer *c = _lifeboat_container_new ();
  JsonObject *config = get_object (inspect, "Config");
  JsonObject *state = get_object (inspect, "State");
  JsonObject *labels = get_object (config, "Labels");
  JsonArray *mounts = get_array (inspect, "Mounts");
  const char *name = get_string (inspect, "Name");

  c->id = g_strdup (get_string (inspect, "Id"));
  c->name = g_strdup (name && name[0] == '/' ? name + 1 : name);
  c->service = g_strdup (get_label (labels, LABEL_SERVICE));
  c->image = g_strdup (get_string (config, "Image"));
  c->image_id = g_strdup (get_string (inspect, "Image"));
  c->state = lifeboat_container_state_from_string (get_string (state, "Status"));
  c->depends_on = parse_depends_on (get_label (labels, LABEL_DEPENDS_ON));
  c->working_dir = g_strdup (get_label (labels, LABEL_WORKING_DIR));
  c->config_files = g_strdup (get_label (labels, LABEL_CONFIG_FILES));
  if (config != NULL && json_object_has_member (config, "StopTimeout") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (config, "StopTimeout")))
    c->stop_timeout = (int) json_object_get_int_member (config, "StopTimeout");

  for (guint i = 0; mounts && i < json_array_get_length (mounts); i++)
    {
      JsonNode *mn = json_array_get_element (mounts, i);
      JsonObject *m;

      if (!JSON_NODE_HOLDS_OBJECT (mn))
        continue;
      m = json_node_get_object (mn);
      if (g_strcmp0 (get_string (m, "Type"), "volume") != 0 || get_string (m, "Name") == NULL)
        continue;
      g_hash_table_insert (c->mounts,
                           g_strdup (get_string (m, "Name")),
                           g_strdup (get_string (m, "Destination")));
    }

  return c;
}

/* Dependencies first: a topological order by service, ties by name. */
static void
sort_containers (GPtrArray *containers)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GHashTable) placed = g_hash_table_new (g_str_hash, g_str_equal);
  guint guard = 0;

  while (sorted->len < containers->len && guard++ <= containers->len)
    {
      gboolean progress = FALSE;

      for (guint i = 0; i < containers->len; i++)
        {
          LifeboatContainer *c = g_ptr_array_index (containers, i);
          const char * const *deps = lifeboat_container_get_depends_on (c);
          gboolean ready = TRUE;

          if (g_hash_table_contains (placed, c->name))
            continue;

          /* ready when every container of every service it depends on is placed (a
           * dependency that is not in the project does not hold it back) */
          for (guint d = 0; deps[d]; d++)
            for (guint j = 0; j < containers->len; j++)
              {
                LifeboatContainer *o = g_ptr_array_index (containers, j);

                if (g_strcmp0 (o->service, deps[d]) == 0 &&
                    !g_hash_table_contains (placed, o->name))
                  ready = FALSE;
              }

          if (ready)
            {
              g_ptr_array_add (sorted, c);
              g_hash_table_add (placed, c->name);
              progress = TRUE;
            }
        }

      if (!progress)
        break;
    }

  /* a dependency cycle: keep the rest in name order */
  for (guint i = 0; i < containers->len; i++)
    {
      LifeboatContainer *c = g_ptr_array_index (containers, i);

      if (!g_hash_table_contains (placed, c->name))
        {
          g_ptr_array_add (sorted, c);
          g_hash_table_add (placed, c->name);
        }
    }

  for (guint i = 0; i < sorted->len; i++)
    containers->pdata[i] = sorted->pdata[i];
}

static int
compare_containers_by_name (gconstpointer a,
                            gconstpointer b)
{
  LifeboatContainer *ca = *(LifeboatContainer **) a;
  LifeboatContainer *cb = *(LifeboatContainer **) b;

  return g_strcmp0 (ca->name, cb->name);
}

static int
compare_volumes_by_key (gconstpointer a,
                        gconstpointer b,
                        gpointer      user_data)
{
  return g_strcmp0 (lifeboat_volume_get_key ((LifeboatVolume *) a),
                    lifeboat_volume_get_key ((LifeboatVolume *) b));
}

static int
compare_projects (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return g_strcmp0 (lifeboat_project_get_name ((LifeboatProject *) a),
                    lifeboat_project_get_name ((LifeboatProject *) b));
}

/* the application profile (lifeboat-app-profile.c) that the containers show, if any */
static void
apply_app_profile (LifeboatProject *project,
                   GPtrArray       *containers)
{
  const char *profile = NULL;
  g_autofree char *version = NULL;
  guint n;

  for (guint i = 0; i < containers->len; i++)
    {
      LifeboatContainer *c = g_ptr_array_index (containers, i);
      const char *found = lifeboat_app_profile_for_container (c->name, c->image,
                                                              version == NULL ? &version : NULL);

      if (found != NULL)
        profile = found;
    }

  if (profile == NULL)
    return;

  project->app_profile = g_strdup (profile);
  project->app_version = g_steal_pointer (&version);

  n = g_list_model_get_n_items (G_LIST_MODEL (project->volumes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatVolume) v = g_list_model_get_item (G_LIST_MODEL (project->volumes), i);
      const char *note = NULL;

      if (lifeboat_app_profile_volume_is_optional (profile, lifeboat_volume_get_key (v), &note))
        {
          v->default_selected = FALSE;
          g_free (v->note);
          v->note = g_strdup (note);
        }
    }
}

/* The container to read a volume from, first in the list: one named after the key
 * (cvat_db for cvat_db), then the profile's main container (the guide's --volumes-from
 * cvat_server), then by name. */
static void
order_volume_containers (LifeboatVolume *v,
                         const char     *profile)
{
  const char *key = lifeboat_volume_get_key (v);
  const char *main_container = lifeboat_app_profile_get_main_container (profile);
  guint best = 0;
  int best_rank = G_MAXINT;

  for (guint i = 0; i < v->containers->len; i++)
    {
      const char *name = g_ptr_array_index (v->containers, i);
      int rank = 3;

      if (g_strcmp0 (name, key) == 0)
        rank = 0;
      else if (main_container != NULL && g_strcmp0 (name, main_container) == 0)
        rank = 1;
      if (rank < best_rank)
        {
          best_rank = rank;
          best = i;
        }
    }

  if (best != 0)
    {
      gpointer tmp = v->containers->pdata[0];

      v->containers->pdata[0] = v->containers->pdata[best];
      v->containers->pdata[best] = tmp;
    }
}

static LifeboatVolume *
ensure_volume (GHashTable  *volumes_by_name,
               GHashTable  *project_volumes,
               const char  *name)
{
  LifeboatVolume *v = g_hash_table_lookup (project_volumes, name);
  JsonObject *info;

  if (v != NULL)
    return v;

  v = _lifeboat_volume_new ();
  v->name = g_strdup (name);
  info = g_hash_table_lookup (volumes_by_name, name);
  if (info != NULL)
    {
      JsonObject *labels = get_object (info, "Labels");

      v->exists = TRUE;
      v->driver = g_strdup (get_string (info, "Driver"));
      v->key = g_strdup (get_label (labels, LABEL_VOLUME));
      v->labels = labels ? json_object_ref (labels) : json_object_new ();
    }
  else
    {
      v->labels = json_object_new ();
    }
  g_hash_table_insert (project_volumes, g_strdup (name), v);

  return v;
}

GListModel *
lifeboat_discover_projects_sync (LifeboatDockerClient  *client,
                                 gboolean               with_sizes,
                                 GCancellable          *cancellable,
                                 GError               **error)
{
  g_autoptr(JsonArray) containers = NULL;
  g_autoptr(JsonArray) volumes = NULL;
  g_autoptr(GHashTable) sizes = NULL;
  g_autoptr(GHashTable) volumes_by_name = NULL;
  g_autoptr(GHashTable) project_containers = NULL;   /* project -> GPtrArray<Container> */
  g_autoptr(GListStore) store = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);

  if (!lifeboat_docker_client_is_connected (client) &&
      !lifeboat_docker_client_connect_sync (client, cancellable, error))
    return NULL;

  containers = lifeboat_docker_client_list_containers_sync (client, cancellable, error);
  if (containers == NULL)
    return NULL;
  volumes = lifeboat_docker_client_list_volumes_sync (client, cancellable, error);
  if (volumes == NULL)
    return NULL;

  if (with_sizes)
    {
      g_autoptr(GError) df_error = NULL;

      sizes = lifeboat_docker_client_volume_sizes_sync (client, DF_TIMEOUT_SECONDS,
                                                        cancellable, &df_error);
      if (sizes == NULL)
        {
          if (g_error_matches (df_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&df_error));
              return NULL;
            }
          g_debug ("Volume sizes unknown: %s", df_error->message);
        }
    }

  volumes_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) json_object_unref);
  for (guint i = 0; i < json_array_get_length (volumes); i++)
    {
      JsonNode *vn = json_array_get_element (volumes, i);
      JsonObject *v;

      if (!JSON_NODE_HOLDS_OBJECT (vn))
        continue;
      v = json_node_get_object (vn);
      if (get_string (v, "Name") != NULL)
        g_hash_table_insert (volumes_by_name, (gpointer) get_string (v, "Name"),
                             json_object_ref (v));
    }

  project_containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < json_array_get_length (containers); i++)
    {
      JsonNode *cn = json_array_get_element (containers, i);
      JsonObject *summary, *labels;
      const char *project, *id;
      g_autoptr(JsonObject) inspect = NULL;
      g_autoptr(GError) local_error = NULL;
      GPtrArray *list;

      if (!JSON_NODE_HOLDS_OBJECT (cn))
        continue;
      summary = json_node_get_object (cn);
      labels = get_object (summary, "Labels");
      project = get_label (labels, LABEL_PROJECT);
      id = get_string (summary, "Id");
      if (project == NULL || id == NULL)
        continue;
      if (g_strcmp0 (get_label (labels, LABEL_ONEOFF), "True") == 0)
        continue;  /* `docker compose run` leftovers are not part of the stack */

      inspect = lifeboat_docker_client_inspect_container_sync (client, id, cancellable,
                                                               &local_error);
      if (inspect == NULL)
        {
          /* removed while we looked: not an error */
          if (g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      list = g_hash_table_lookup (project_containers, project);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_object_unref);
          g_hash_table_insert (project_containers, g_strdup (project), list);
        }
      g_ptr_array_add (list, container_from_inspect (inspect));
    }

  /* volumes labelled with a project that has no containers still make a project */
  g_hash_table_iter_init (&iter, volumes_by_name);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *project = get_label (get_object (value, "Labels"), LABEL_PROJECT);

      if (project != NULL && !g_hash_table_contains (project_containers, project))
        g_hash_table_insert (project_containers, g_strdup (project),
                             g_ptr_array_new_with_free_func (g_object_unref));
    }

  store = g_list_store_new (LIFEBOAT_TYPE_PROJECT);

  g_hash_table_iter_init (&iter, project_containers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      GPtrArray *list = value;
      g_autoptr(LifeboatProject) project = _lifeboat_project_new (name);
      g_autoptr(GHashTable) project_volumes =
        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      GHashTableIter viter;
      gpointer vkey, vvalue;

      g_ptr_array_sort (list, compare_containers_by_name);
      sort_containers (list);

      for (guint i = 0; i < list->len; i++)
        {
          LifeboatContainer *c = g_ptr_array_index (list, i);
          GHashTableIter miter;
          gpointer mname, mpath;

          g_list_store_append (project->containers, c);

          g_hash_table_iter_init (&miter, c->mounts);
          while (g_hash_table_iter_next (&miter, &mname, &mpath))
            {
              LifeboatVolume *v = ensure_volume (volumes_by_name, project_volumes, mname);

              if (v->mount_path == NULL)
                v->mount_path = g_strdup (mpath);
              g_ptr_array_add (v->containers, g_strdup (c->name));
            }
        }

      /* the project's working dir and config files, from its first container with them */
      for (guint i = 0; i < list->len && project->working_dir == NULL; i++)
        {
          LifeboatContainer *c = g_ptr_array_index (list, i);

          project->working_dir = g_strdup (c->working_dir);
          if (c->config_files != NULL && project->config_files == NULL)
            project->config_files = g_strsplit (c->config_files, ",", -1);
        }

      /* volumes labelled for this project that no container mounts */
      g_hash_table_iter_init (&viter, volumes_by_name);
      while (g_hash_table_iter_next (&viter, &vkey, &vvalue))
        if (g_strcmp0 (get_label (get_object (vvalue, "Labels"), LABEL_PROJECT), name) == 0)
          ensure_volume (volumes_by_name, project_volumes, vkey);

      g_hash_table_iter_init (&viter, project_volumes);
      while (g_hash_table_iter_next (&viter, &vkey, &vvalue))
        {
          LifeboatVolume *v = vvalue;

          if (sizes != NULL && g_hash_table_contains (sizes, v->name))
            v->size = *(gint64 *) g_hash_table_lookup (sizes, v->name);
          g_list_store_insert_sorted (project->volumes, v, compare_volumes_by_key, NULL);
        }

      apply_app_profile (project, list);
      g_hash_table_iter_init (&viter, project_volumes);
      while (g_hash_table_iter_next (&viter, &vkey, &vvalue))
        order_volume_containers (vvalue, project->app_profile);
      g_list_store_insert_sorted (store, project, compare_projects, NULL);
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

LifeboatProject *
lifeboat_discover_project_sync (LifeboatDockerClient  *client,
                                const char            *name,
                                gboolean               with_sizes,
                                GCancellable          *cancellable,
                                GError               **error)
{
  g_autoptr(GListModel) projects = NULL;
  guint n;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  projects = lifeboat_discover_projects_sync (client, with_sizes, cancellable, error);
  if (projects == NULL)
    return NULL;

  n = g_list_model_get_n_items (projects);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatProject) p = g_list_model_get_item (projects, i);

      if (g_strcmp0 (lifeboat_project_get_name (p), name) == 0)
        return g_steal_pointer (&p);
    }

  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
               _("There is no compose project “%s” on %s"), name,
               lifeboat_docker_client_get_display_name (client));
  return NULL;
}

static void
discover_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *projects;

  projects = lifeboat_discover_projects_sync (source_object, GPOINTER_TO_INT (task_data),
                                              cancellable, &error);
  if (projects == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, projects, g_object_unref);
}

void
lifeboat_discover_projects_async (LifeboatDockerClient *client,
                                  gboolean              with_sizes,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, lifeboat_discover_projects_async);
  g_task_set_task_data (task, GINT_TO_POINTER (with_sizes), NULL);
  g_task_run_in_thread (task, discover_thread);
}

GListModel *
lifeboat_discover_projects_finish (LifeboatDockerClient  *client,
                                   GAsyncResult          *result,
                                   GError               **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
