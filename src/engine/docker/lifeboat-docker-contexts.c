/* SPDX-License-Identifier: GPL-3.0-or-later */
/* docker contexts as the docker CLI keeps them: $DOCKER_CONFIG/config.json (currentContext)
 * and contexts/meta/<sha256 of the name>/meta.json */
#define G_LOG_DOMAIN "lifeboat-hosts"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "lifeboat-error.h"
#include "lifeboat-hosts.h"
#include "lifeboat-hosts-private.h"

const char *
_lifeboat_hosts_nonempty_env (const char *name)
{
  const char *v = g_getenv (name);

  return v != NULL && *v != '\0' ? v : NULL;
}

char *
lifeboat_hosts_get_docker_config_dir (void)
{
  const char *dir = _lifeboat_hosts_nonempty_env ("DOCKER_CONFIG");

  if (dir != NULL)
    return g_strdup (dir);
  return g_build_filename (g_get_home_dir (), ".docker", NULL);
}

static JsonNode *
load_json (const char  *path,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED, "%s holds no JSON object",
                   path);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

char *
lifeboat_hosts_get_current_context (void)
{
  const char *env = _lifeboat_hosts_nonempty_env ("DOCKER_CONTEXT");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *name;

  if (env != NULL)
    return g_str_equal (env, "default") ? NULL : g_strdup (env);

  dir = lifeboat_hosts_get_docker_config_dir ();
  path = g_build_filename (dir, "config.json", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  root = load_json (path, NULL);
  if (root == NULL)
    {
      g_warning ("%s cannot be read as JSON: ignoring its currentContext", path);
      return NULL;
    }
  name = json_object_get_string_member_with_default (json_node_get_object (root),
                                                     "currentContext", NULL);
  if (name == NULL || *name == '\0' || g_str_equal (name, "default"))
    return NULL;
  return g_strdup (name);
}

void
_lifeboat_context_info_free (LifeboatContextInfo *info)
{
  g_free (info->name);
  g_free (info->uri);
  g_free (info->description);
  g_free (info);
}

static LifeboatContextInfo *
read_context_meta (const char  *path,
                   GError     **error)
{
  g_autoptr(JsonNode) root = load_json (path, error);
  JsonObject *obj;
  JsonObject *endpoints;
  JsonObject *docker;
  JsonObject *metadata;
  const char *name;
  const char *host;
  LifeboatContextInfo *info;

  if (root == NULL)
    return NULL;
  obj = json_node_get_object (root);
  name = json_object_get_string_member_with_default (obj, "Name", NULL);
  endpoints = json_object_get_object_member (obj, "Endpoints");
  docker = endpoints && json_object_has_member (endpoints, "docker") ?
           json_object_get_object_member (endpoints, "docker") : NULL;
  host = docker ? json_object_get_string_member_with_default (docker, "Host", NULL) : NULL;
  if (name == NULL || host == NULL || *host == '\0')
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   "%s names no context or no Endpoints.docker.Host", path);
      return NULL;
    }
  info = g_new0 (LifeboatContextInfo, 1);
  info->name = g_strdup (name);
  info->uri = g_strdup (host);
  metadata = json_object_has_member (obj, "Metadata") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "Metadata")) ?
             json_object_get_object_member (obj, "Metadata") : NULL;
  if (metadata != NULL)
    info->description = g_strdup (json_object_get_string_member_with_default (metadata,
                                                                              "Description",
                                                                              NULL));
  return info;
}

static int
compare_context (gconstpointer a,
                 gconstpointer b)
{
  const LifeboatContextInfo *ia = *(LifeboatContextInfo * const *) a;
  const LifeboatContextInfo *ib = *(LifeboatContextInfo * const *) b;

  return g_strcmp0 (ia->name, ib->name);
}

GPtrArray *
_lifeboat_hosts_list_contexts (void)
{
  g_autofree char *config = lifeboat_hosts_get_docker_config_dir ();
  g_autofree char *meta = g_build_filename (config, "contexts", "meta", NULL);
  g_autoptr(GDir) dir = g_dir_open (meta, 0, NULL);
  GPtrArray *ret = g_ptr_array_new_with_free_func ((GDestroyNotify) _lifeboat_context_info_free);
  const char *entry;

  if (dir == NULL)
    return ret;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (meta, entry, "meta.json", NULL);
      g_autoptr(GError) error = NULL;
      LifeboatContextInfo *info;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      info = read_context_meta (path, &error);
      if (info == NULL)
        {
          g_warning ("Ignoring docker context: %s", error->message);
          continue;
        }
      g_ptr_array_add (ret, info);
    }
  g_ptr_array_sort (ret, compare_context);
  return ret;
}

char *
lifeboat_hosts_get_context_uri (const char  *name,
                                GError     **error)
{
  g_autofree char *config = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *path = NULL;
  LifeboatContextInfo *info;
  char *uri;

  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "default"))
    {
      const char *env = _lifeboat_hosts_nonempty_env ("DOCKER_HOST");

      return g_strdup (env ? env : "unix://" LIFEBOAT_HOSTS_LOCAL_SOCKET);
    }

  config = lifeboat_hosts_get_docker_config_dir ();
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  path = g_build_filename (config, "contexts", "meta", digest, "meta.json", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                   "There is no docker context “%s” (looked for %s)", name, path);
      return NULL;
    }
  info = read_context_meta (path, error);
  if (info == NULL)
    return NULL;
  uri = g_steal_pointer (&info->uri);
  _lifeboat_context_info_free (info);
  return uri;
}
