/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-container-ops"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-container-ops-private.h"
#include "lifeboat-error.h"
#include "lifeboat-parallel-private.h"

#define HELPER_JOB_KEY "lifeboat-helper-job"

void
_lifeboat_helpers_set_job (LifeboatDockerClient *client,
                           const char           *job_id)
{
  g_object_set_data_full (G_OBJECT (client), HELPER_JOB_KEY, g_strdup (job_id), g_free);
}

static gboolean
names_contain (GPtrArray  *names,
               const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), name) == 0)
      return TRUE;
  return FALSE;
}

/*
 * Starting and stopping in waves, as compose does: every container whose dependencies are
 * already up (for a start) or whose dependents are already down (for a stop) is handled at the
 * same time as the others of its wave, each on a thread of its own (lifeboat-parallel.c;
 * libsoup 3.2 sends from any thread). A CVAT stack stops in two or three waves instead of a dozen stop timeouts in a row.
 */

typedef struct
{
  LifeboatDockerClient *client;
  gboolean              start;
} ContainerCalls;

static gboolean
container_call (gpointer       item,
                guint          index,
                guint          worker,
                GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  LifeboatContainer *container = item;
  ContainerCalls *calls = user_data;
  const char *id = lifeboat_container_get_id (container);
  int timeout = lifeboat_container_get_stop_timeout (container);

  if (timeout < 0)
    timeout = LIFEBOAT_DEFAULT_STOP_TIMEOUT;
  /* a start is not cancellable: containers that ran must run again */
  if (calls->start)
    return lifeboat_docker_client_start_container_sync (calls->client, id, NULL, error);
  return lifeboat_docker_client_stop_container_sync (calls->client, id, timeout, cancellable,
                                                     error);
}

/* Does @a depend on @b (by compose service)? */
static gboolean
depends_on (LifeboatContainer *a,
            LifeboatContainer *b)
{
  const char * const *deps = lifeboat_container_get_depends_on (a);
  const char *service = lifeboat_container_get_service (b);

  if (service == NULL || a == b)
    return FALSE;
  for (guint i = 0; deps[i]; i++)
    if (g_str_equal (deps[i], service))
      return TRUE;
  return FALSE;
}

/*
 * Starts (or stops) every container of @todo, in waves. Returns the first error; a start goes
 * on after an error (containers that ran must run again), a stop does not.
 */
static gboolean
run_in_waves (LifeboatDockerClient  *client,
              GPtrArray             *todo,
              gboolean               start,
              GPtrArray             *stopped,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) first_error = NULL;
  ContainerCalls calls = { client, start };
  LifeboatParallel how = {
    .thread_name = "lifeboat-container",
    .flags = LIFEBOAT_PARALLEL_KEEP_GOING,
    .func = container_call,
    .user_data = &calls,
  };

  for (guint i = 0; i < todo->len; i++)
    g_ptr_array_add (left, g_object_ref (g_ptr_array_index (todo, i)));

  for (guint guard = 0; left->len > 0 && guard <= todo->len; guard++)
    {
      g_autoptr(GPtrArray) wave = g_ptr_array_new_with_free_func (g_object_unref);

      if (!start && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      for (guint i = 0; i < left->len; i++)
        {
          LifeboatContainer *c = g_ptr_array_index (left, i);
          gboolean ready = TRUE;

          /* a start waits for what it depends on, a stop for what depends on it */
          for (guint j = 0; j < left->len && ready; j++)
            {
              LifeboatContainer *o = g_ptr_array_index (left, j);

              if (start ? depends_on (c, o) : depends_on (o, c))
                ready = FALSE;
            }
          if (ready)
            g_ptr_array_add (wave, g_object_ref (c));
        }

      /* a dependency cycle: the rest, one after the other in the project's order */
      if (wave->len == 0)
        g_ptr_array_add (wave, g_object_ref (g_ptr_array_index (left, start ? 0 : left->len - 1)));

      /* recorded before the calls: a stop that fails halfway may still have stopped it */
      for (guint i = 0; stopped != NULL && i < wave->len; i++)
        g_ptr_array_add (stopped,
                         g_strdup (lifeboat_container_get_name (g_ptr_array_index (wave, i))));

      /* the whole wave at once; one call's failure does not stop the others' */
      how.n_workers = wave->len;
      if (!_lifeboat_parallel_run (&how, wave, cancellable, first_error ? NULL : &first_error) &&
          !start)
        break;
      for (guint i = 0; i < wave->len; i++)
        g_ptr_array_remove (left, g_ptr_array_index (wave, i));
    }

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
_lifeboat_stop_project (LifeboatDockerClient  *client,
                        LifeboatProject       *project,
                        GPtrArray             *stopped,
                        GCancellable          *cancellable,
                        GError               **error)
{
  GListModel *containers = lifeboat_project_get_containers (project);
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, i);

      if (lifeboat_container_is_running (c))
        g_ptr_array_add (running, g_steal_pointer (&c));
    }

  return run_in_waves (client, running, FALSE, stopped, cancellable, error);
}

gboolean
_lifeboat_start_containers (LifeboatDockerClient  *client,
                            LifeboatProject       *project,
                            GPtrArray             *names,
                            GError               **error)
{
  GListModel *containers = lifeboat_project_get_containers (project);
  g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, i);

      if (names_contain (names, lifeboat_container_get_name (c)))
        g_ptr_array_add (todo, g_steal_pointer (&c));
    }

  /* not cancellable: containers that were running must run again */
  return run_in_waves (client, todo, TRUE, NULL, NULL, error);
}

GPtrArray *
_lifeboat_startable_containers (LifeboatProject *project,
                                GPtrArray       *waiting,
                                GHashTable      *busy_volumes)
{
  GPtrArray *ready = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < waiting->len; i++)
    {
      LifeboatContainer *c = lifeboat_project_find_container (project,
                                                              g_ptr_array_index (waiting, i));
      GHashTable *mounts;
      GHashTableIter iter;
      gpointer volume;
      gboolean ok = c != NULL;

      if (!ok)
        continue;
      mounts = lifeboat_container_get_mounts (c);
      if (mounts != NULL)
        {
          g_hash_table_iter_init (&iter, mounts);
          while (ok && g_hash_table_iter_next (&iter, &volume, NULL))
            ok = !g_hash_table_contains (busy_volumes, volume);
        }
      for (guint j = 0; ok && j < waiting->len; j++)
        {
          LifeboatContainer *o = lifeboat_project_find_container (project,
                                                                  g_ptr_array_index (waiting, j));

          ok = o == NULL || !depends_on (c, o);
        }
      if (ok)
        g_ptr_array_add (ready, g_strdup (g_ptr_array_index (waiting, i)));
    }

  return ready;
}

char *
_lifeboat_pick_helper_image (LifeboatDockerClient  *client,
                             LifeboatProject       *project,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autoptr(JsonNode) images = NULL;

  if (project != NULL)
    {
      GListModel *containers = lifeboat_project_get_containers (project);

      if (g_list_model_get_n_items (containers) > 0)
        {
          g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, 0);

          if (lifeboat_container_get_image_id (c) != NULL)
            return g_strdup (lifeboat_container_get_image_id (c));
        }
    }

  images = lifeboat_docker_client_request_json_sync (client, "GET", "/images/json", NULL, 60,
                                                     cancellable, error);
  if (images == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_ARRAY (images) && json_array_get_length (json_node_get_array (images)) > 0)
    {
      JsonNode *first = json_array_get_element (json_node_get_array (images), 0);

      if (JSON_NODE_HOLDS_OBJECT (first))
        return g_strdup (json_object_get_string_member_with_default (json_node_get_object (first),
                                                                     "Id", NULL));
    }

  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
               _("The engine has no image at all to make a helper container from"));
  return NULL;
}

void
_lifeboat_json_add_offline_binds (JsonBuilder        *b,
                                  const char * const *binds)
{
  json_builder_set_member_name (b, "NetworkDisabled");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "HostConfig");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Binds");
  json_builder_begin_array (b);
  for (guint i = 0; binds[i]; i++)
    json_builder_add_string_value (b, binds[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "NetworkMode");
  json_builder_add_string_value (b, "none");
  json_builder_end_object (b);
}

char *
_lifeboat_create_helper_binds (LifeboatDockerClient  *client,
                               const char            *image,
                               const char * const    *binds,
                               const char * const    *argv,
                               GCancellable          *cancellable,
                               GError               **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) config = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Image");
  json_builder_add_string_value (b, image);
  json_builder_set_member_name (b, "User");
  json_builder_add_string_value (b, "0:0");
  if (argv != NULL && argv[0] != NULL)
    {
      json_builder_set_member_name (b, "Entrypoint");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, argv[0]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "Cmd");
      json_builder_begin_array (b);
      for (guint i = 1; argv[i]; i++)
        json_builder_add_string_value (b, argv[i]);
      json_builder_end_array (b);
    }
  else
    {
      /* never started; some images have no default command, which create refuses */
      json_builder_set_member_name (b, "Entrypoint");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, "/lifeboat-never-runs");
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "Labels");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "io.github.lifeboat.helper");
  json_builder_add_string_value (b, "true");
  if (g_object_get_data (G_OBJECT (client), HELPER_JOB_KEY) != NULL)
    {
      /* so that the recovery of an interrupted job finds the helpers it left */
      json_builder_set_member_name (b, "io.github.lifeboat.job");
      json_builder_add_string_value (b, g_object_get_data (G_OBJECT (client), HELPER_JOB_KEY));
    }
  json_builder_end_object (b);
  _lifeboat_json_add_offline_binds (b, binds);
  json_builder_end_object (b);
  config = json_builder_get_root (b);

  return lifeboat_docker_client_create_container_sync (client, NULL, config, cancellable, error);
}

char *
_lifeboat_create_helper (LifeboatDockerClient  *client,
                         const char            *image,
                         const char            *volume_name,
                         const char            *mount_path,
                         const char * const    *argv,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autofree char *bind = g_strdup_printf ("%s:%s", volume_name, mount_path);
  const char * const binds[] = { bind, NULL };

  return _lifeboat_create_helper_binds (client, image, binds, argv, cancellable, error);
}

char *
_lifeboat_run_helper (LifeboatDockerClient  *client,
                      const char            *image,
                      const char * const    *binds,
                      const char * const    *argv,
                      int                   *status,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autofree char *helper = NULL;

  *status = -1;
  helper = _lifeboat_create_helper_binds (client, image, binds, argv, cancellable, error);
  if (helper == NULL)
    return NULL;

  if (!lifeboat_docker_client_start_container_sync (client, helper, cancellable, error))
    {
      _lifeboat_remove_helper (client, helper);
      return NULL;
    }
  *status = -2;
  if (!lifeboat_docker_client_wait_container_sync (client, helper, status, cancellable, error))
    {
      _lifeboat_remove_helper (client, helper);
      return NULL;
    }

  return g_steal_pointer (&helper);
}

void
_lifeboat_remove_helper (LifeboatDockerClient *client,
                         const char           *id)
{
  g_autoptr(GError) error = NULL;

  if (id == NULL)
    return;
  if (!lifeboat_docker_client_remove_container_sync (client, id, TRUE, NULL, &error) &&
      !g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
    g_warning ("Could not remove helper container %s: %s", id, error->message);
}

char *
_lifeboat_join_names (GPtrArray *names)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append (s, i + 1 == names->len ? _(" and ") : ", ");
      g_string_append (s, g_ptr_array_index (names, i));
    }
  return g_string_free (s, FALSE);
}
