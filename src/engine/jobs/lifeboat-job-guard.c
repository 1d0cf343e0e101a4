/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Restart policies off and every writer stopped while a job holds a project: see
 * lifeboat-job-guard-private.h.
 */
#define G_LOG_DOMAIN "lifeboat-job-guard"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-container-ops-private.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-job-guard-private.h"
#include "lifeboat-util-private.h"

void
_lifeboat_guard_clear (LifeboatGuard *guard)
{
  g_clear_pointer (&guard->stopped, g_ptr_array_unref);
  g_clear_pointer (&guard->outsiders, g_ptr_array_unref);
  g_clear_pointer (&guard->policies, json_array_unref);
}

static gboolean
is_lifeboats_own (JsonObject *summary)
{
  JsonObject *labels = json_object_has_member (summary, "Labels") &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (summary, "Labels"))
                       ? json_object_get_object_member (summary, "Labels") : NULL;

  return labels != NULL && (json_object_has_member (labels, "io.github.lifeboat.helper") ||
                            json_object_has_member (labels, LIFEBOAT_LOCK_LABEL) ||
                            json_object_has_member (labels, "io.github.lifeboat.drill"));
}

static const char *
summary_name (JsonObject *summary)
{
  JsonArray *names = json_object_has_member (summary, "Names")
                     ? json_object_get_array_member (summary, "Names") : NULL;
  const char *name = names && json_array_get_length (names) > 0
                     ? json_array_get_string_element (names, 0) : NULL;

  if (name == NULL)
    return json_object_get_string_member_with_default (summary, "Id", "?");
  return name[0] == '/' ? name + 1 : name;
}

/* Every container (summaries of /containers/json?all=1) that mounts one of @volume_names and is
 * not Lifeboat's own; keyed by id. */
static GHashTable *
list_mounting (LifeboatDockerClient *client,
               GPtrArray            *volume_names,
               GCancellable         *cancellable,
               GError              **error)
{
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) json_object_unref);

  for (guint i = 0; i < volume_names->len; i++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) filter = NULL;
      g_autoptr(JsonNode) list = NULL;
      g_autofree char *text = NULL;
      g_autofree char *escaped = NULL;
      g_autofree char *path = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "volume");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, g_ptr_array_index (volume_names, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      filter = json_builder_get_root (b);
      text = json_to_string (filter, FALSE);
      escaped = g_uri_escape_string (text, NULL, FALSE);
      path = g_strdup_printf ("/containers/json?all=1&filters=%s", escaped);
      list = lifeboat_docker_client_request_json_sync (client, "GET", path, NULL, 60, cancellable,
                                                       error);
      if (list == NULL)
        return NULL;
      if (!JSON_NODE_HOLDS_ARRAY (list))
        continue;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (list)); j++)
        {
          JsonObject *c = json_array_get_object_element (json_node_get_array (list), j);
          const char *id = json_object_get_string_member_with_default (c, "Id", NULL);

          if (id != NULL && !is_lifeboats_own (c) && !g_hash_table_contains (found, id))
            g_hash_table_insert (found, g_strdup (id), json_object_ref (c));
        }
    }
  return g_steal_pointer (&found);
}

static gboolean
set_policy (LifeboatDockerClient *client,
            const char           *id,
            JsonObject           *policy,
            GError              **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *e = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/containers/%s/update", e);
  g_autoptr(GError) local_error = NULL;

  json_object_set_object_member (body, "RestartPolicy", json_object_ref (policy));
  json_node_set_object (node, body);
  answer = lifeboat_docker_client_request_json_sync (client, "POST", path, node, 60, NULL,
                                                     &local_error);
  if (answer == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
_lifeboat_guard_hold (LifeboatGuard    *guard,
                      LifeboatJobLock  *lock,
                      LifeboatProject  *project,
                      GPtrArray        *volume_names,
                      gboolean          stop,
                      GCancellable     *cancellable,
                      GError          **error)
{
  LifeboatDockerClient *client = _lifeboat_job_lock_get_client (lock);
  g_autoptr(GHashTable) mounting = NULL;
  g_autoptr(GHashTable) members = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) details = json_object_new ();
  g_autoptr(JsonArray) stopping_names = json_array_new ();
  g_autoptr(JsonArray) outsider_ids = json_array_new ();
  g_autoptr(GPtrArray) outsiders_running = g_ptr_array_new_with_free_func (g_free);
  JsonArray *policies = json_array_new ();
  GListModel *containers = project ? lifeboat_project_get_containers (project) : NULL;
  GHashTableIter iter;
  gpointer key, value;

  guard->stopped = g_ptr_array_new_with_free_func (g_free);
  guard->outsiders = g_ptr_array_new_with_free_func (g_free);
  guard->policies = policies;

  mounting = list_mounting (client, volume_names, cancellable, error);
  if (mounting == NULL)
    return FALSE;

  for (guint i = 0; containers && i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, i);

      g_hash_table_add (members, (gpointer) lifeboat_container_get_id (c));
      g_ptr_array_add (ids, g_strdup (lifeboat_container_get_id (c)));
      if (stop && lifeboat_container_is_running (c))
        json_array_add_string_element (stopping_names, lifeboat_container_get_name (c));
    }
  g_hash_table_iter_init (&iter, mounting);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_hash_table_contains (members, key))
        continue;
      g_ptr_array_add (ids, g_strdup (key));
      if (stop && g_strcmp0 (json_object_get_string_member_with_default (value, "State", NULL),
                             "running") == 0)
        {
          g_ptr_array_add (outsiders_running, g_strdup (key));
          json_array_add_string_element (outsider_ids, key);
        }
    }

  /* 1. the restart policies to switch off, journaled with their values first */
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(JsonObject) inspect = NULL;
      JsonObject *host_config, *policy;
      const char *name;

      inspect = lifeboat_docker_client_inspect_container_sync (client, id, cancellable, error);
      if (inspect == NULL)
        return FALSE;
      host_config = json_object_get_object_member (inspect, "HostConfig");
      policy = host_config && json_object_has_member (host_config, "RestartPolicy")
               ? json_object_get_object_member (host_config, "RestartPolicy") : NULL;
      name = policy ? json_object_get_string_member_with_default (policy, "Name", "") : "";
      if (*name == '\0' || g_str_equal (name, "no"))
        continue;
      {
        JsonObject *saved = json_object_new ();
        const char *cname = json_object_get_string_member_with_default (inspect, "Name", id);

        json_object_set_string_member (saved, "id", id);
        json_object_set_string_member (saved, "name", cname[0] == '/' ? cname + 1 : cname);
        json_object_set_object_member (saved, "policy", json_object_ref (policy));
        json_array_add_object_element (policies, saved);
      }
    }
  if (json_array_get_length (policies) > 0)
    {
      g_autoptr(JsonObject) entry = json_object_new ();

      json_object_set_array_member (entry, "containers", json_array_ref (policies));
      if (!_lifeboat_job_lock_journal (lock, "policies", entry, error))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (policies); i++)
        {
          JsonObject *saved = json_array_get_object_element (policies, i);
          g_autoptr(JsonObject) off = json_object_new ();

          json_object_set_string_member (off, "Name", "no");
          json_object_set_int_member (off, "MaximumRetryCount", 0);
          if (!set_policy (client, json_object_get_string_member (saved, "id"), off, error))
            {
              g_prefix_error (error, _("Could not switch off the restart policy of %s: "),
                              json_object_get_string_member (saved, "name"));
              return FALSE;
            }
        }
    }

  if (!stop)
    return TRUE;

  /* 2. every writer, journaled before it is stopped */
  json_object_set_array_member (details, "containers", json_array_ref (stopping_names));
  json_object_set_array_member (details, "outsiders", json_array_ref (outsider_ids));
  if (!_lifeboat_job_lock_journal (lock, "stopping", details, error))
    return FALSE;

  for (guint i = 0; i < outsiders_running->len; i++)
    {
      const char *id = g_ptr_array_index (outsiders_running, i);
      JsonObject *summary = g_hash_table_lookup (mounting, id);

      g_ptr_array_add (guard->outsiders, g_strdup (id));
      if (!lifeboat_docker_client_stop_container_sync (client, id, LIFEBOAT_DEFAULT_STOP_TIMEOUT,
                                                       cancellable, error))
        {
          g_prefix_error (error, _("Could not stop %s, which also uses the volumes: "),
                          summary_name (summary));
          return FALSE;
        }
    }

  /* what ran when the job took the project runs again after it, whoever stops it meanwhile
   * (an engine restart while these stop stops the rest itself) */
  for (guint i = 0; i < json_array_get_length (stopping_names); i++)
    g_ptr_array_add (guard->stopped, g_strdup (json_array_get_string_element (stopping_names, i)));
  if (project != NULL)
    {
      g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);

      if (!_lifeboat_stop_project (client, project, done, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

/* those of @names that are containers of @project and do not run */
static GPtrArray *
not_running_in (LifeboatProject *project,
                GPtrArray       *names)
{
  GPtrArray *down = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; project != NULL && i < names->len; i++)
    {
      LifeboatContainer *c = lifeboat_project_find_container (project, g_ptr_array_index (names, i));

      if (c != NULL && !lifeboat_container_is_running (c))
        g_ptr_array_add (down, g_strdup (g_ptr_array_index (names, i)));
    }
  return down;
}

/* those of @names that do not run now */
static GPtrArray *
not_running (LifeboatDockerClient *client,
             const char           *project_name,
             GPtrArray            *names)
{
  g_autoptr(LifeboatProject) project = lifeboat_discover_project_sync (client, project_name, FALSE,
                                                                       NULL, NULL);

  return not_running_in (project, names);
}

gboolean
_lifeboat_guard_start_project_settled (LifeboatDockerClient *client,
                                       const char           *project_name,
                                       GPtrArray            *names,
                                       GError              **error)
{
  guint settle = MAX (1, _lifeboat_env_seconds ("LIFEBOAT_SETTLE_SECONDS", 3, 0, 3600));

  if (names == NULL || names->len == 0)
    return TRUE;
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GPtrArray) down = NULL;

      if (!_lifeboat_guard_start_project (client, project_name, names, error))
        return FALSE;
      g_usleep ((gulong) settle * G_USEC_PER_SEC);
      down = not_running (client, project_name, names);
      if (down->len == 0)
        return TRUE;
      g_debug ("%u containers stopped again after the engine restart; starting them again",
               down->len);
    }
  return _lifeboat_guard_start_project (client, project_name, names, error);
}

gboolean
_lifeboat_guard_start_ids (LifeboatDockerClient *client,
                           JsonArray            *ids,
                           GError              **error)
{
  g_autoptr(GError) first = NULL;

  for (guint i = 0; ids != NULL && i < json_array_get_length (ids); i++)
    {
      const char *id = json_array_get_string_element (ids, i);
      g_autoptr(JsonObject) inspect = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonObject *state;

      inspect = lifeboat_docker_client_inspect_container_sync (client, id, NULL, &local_error);
      if (inspect == NULL)
        {
          /* removed meanwhile: nothing to start */
          if (!g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND) &&
              first == NULL)
            first = g_steal_pointer (&local_error);
          continue;
        }
      state = json_object_get_object_member (inspect, "State");
      if (state != NULL && json_object_get_boolean_member_with_default (state, "Running", FALSE))
        continue;
      if (!lifeboat_docker_client_start_container_sync (client, id, NULL, &local_error) &&
          first == NULL)
        {
          const char *name = json_object_get_string_member_with_default (inspect, "Name", id);

          g_prefix_error (&local_error, _("Could not start %s: "), name[0] == '/' ? name + 1 : name);
          first = g_steal_pointer (&local_error);
        }
    }
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

gboolean
_lifeboat_guard_start_outsiders (LifeboatGuard        *guard,
                                 LifeboatDockerClient *client,
                                 GError              **error)
{
  g_autoptr(JsonArray) ids = json_array_new ();

  for (guint i = 0; guard->outsiders != NULL && i < guard->outsiders->len; i++)
    json_array_add_string_element (ids, g_ptr_array_index (guard->outsiders, i));
  return _lifeboat_guard_start_ids (client, ids, error);
}

gboolean
_lifeboat_guard_restore_policies (LifeboatDockerClient *client,
                                  JsonArray            *policies,
                                  GError              **error)
{
  g_autoptr(GError) first = NULL;

  for (guint i = 0; policies != NULL && i < json_array_get_length (policies); i++)
    {
      JsonObject *saved = json_array_get_object_element (policies, i);
      g_autoptr(GError) local_error = NULL;

      if (!set_policy (client, json_object_get_string_member (saved, "id"),
                       json_object_get_object_member (saved, "policy"), &local_error) &&
          !g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND) &&
          first == NULL)
        {
          g_prefix_error (&local_error, _("Could not put back the restart policy of %s: "),
                          json_object_get_string_member (saved, "name"));
          first = g_steal_pointer (&local_error);
        }
    }
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

gboolean
_lifeboat_guard_start_project (LifeboatDockerClient *client,
                               const char           *project_name,
                               GPtrArray            *names,
                               GError              **error)
{
  g_autoptr(LifeboatProject) project = NULL;
  g_autoptr(GPtrArray) todo = NULL;

  if (names == NULL || names->len == 0)
    return TRUE;
  /* as they are now: a container started early may have been stopped since (an engine
   * restart, with its restart policy off) */
  project = lifeboat_discover_project_sync (client, project_name, FALSE, NULL, error);
  if (project == NULL)
    return FALSE;
  todo = not_running_in (project, names);
  if (todo->len == 0)
    return TRUE;
  return _lifeboat_start_containers (client, project, todo, error);
}

/*
 * 3: the containers it started must stay running for LIFEBOAT_SETTLE_SECONDS (default 3), and
 * those whose image defines a healthcheck must be healthy (within LIFEBOAT_HEALTH_SECONDS,
 * default 120). FALSE with a sentence naming the first that did not.
 */
gboolean
_lifeboat_guard_wait_running (LifeboatDockerClient *client,
                              GPtrArray            *names,
                              GCancellable         *cancellable,
                              GError              **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 settle = start + (gint64) _lifeboat_env_seconds ("LIFEBOAT_SETTLE_SECONDS", 3, 0, 3600) *
                  G_USEC_PER_SEC;
  guint health_seconds = _lifeboat_env_seconds ("LIFEBOAT_HEALTH_SECONDS", 120, 0, 3600);
  gint64 health = start + (gint64) health_seconds * G_USEC_PER_SEC;

  for (guint round = 0; round < 100000; round++)
    {
      gboolean all_up = TRUE;
      gint64 now;

      for (guint i = 0; i < names->len; i++)
        {
          const char *name = g_ptr_array_index (names, i);
          g_autoptr(JsonObject) inspect = NULL;
          JsonObject *state, *h;
          const char *status;

          inspect = lifeboat_docker_client_inspect_container_sync (client, name, NULL, error);
          if (inspect == NULL)
            return FALSE;
          state = json_object_get_object_member (inspect, "State");
          if (state == NULL || !json_object_get_boolean_member_with_default (state, "Running", FALSE))
            {
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("%s did not stay running on the restored volumes (it exited with "
                             "status %d)"), name,
                           state ? (int) json_object_get_int_member_with_default (state, "ExitCode", -1) : -1);
              return FALSE;
            }
          h = json_object_has_member (state, "Health") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (state, "Health"))
              ? json_object_get_object_member (state, "Health") : NULL;
          status = h ? json_object_get_string_member_with_default (h, "Status", NULL) : NULL;
          if (g_strcmp0 (status, "unhealthy") == 0)
            {
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("%s is unhealthy on the restored volumes"), name);
              return FALSE;
            }
          if (status != NULL && g_strcmp0 (status, "healthy") != 0)
            all_up = FALSE;
        }
      now = g_get_monotonic_time ();
      if (all_up && now >= settle)
        return TRUE;
      if (now >= health)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                       _("The containers did not become healthy within %u seconds on the "
                         "restored volumes"), health_seconds);
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (G_USEC_PER_SEC / 4);
    }
  return TRUE;
}

void
_lifeboat_guard_stop_names (LifeboatDockerClient *client,
                            GPtrArray            *names)
{
  for (guint i = names->len; i > 0; i--)
    {
      g_autoptr(GError) error = NULL;

      if (!lifeboat_docker_client_stop_container_sync (client, g_ptr_array_index (names, i - 1),
                                                       LIFEBOAT_DEFAULT_STOP_TIMEOUT, NULL,
                                                       &error))
        g_debug ("Stopping %s: %s", (char *) g_ptr_array_index (names, i - 1), error->message);
    }
}
