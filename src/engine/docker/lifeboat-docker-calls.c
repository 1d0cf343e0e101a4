/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Engine API calls Lifeboat makes: containers, volumes and their sizes, archives */
#define G_LOG_DOMAIN "lifeboat-docker"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-docker-client-private.h"
#include "lifeboat-error.h"
#include "lifeboat-util-private.h"

static char *
escape (const char *s)
{
  return g_uri_escape_string (s, NULL, FALSE);
}

static JsonArray *
expect_array (JsonNode  *node,
              GError   **error)
{
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE,
                   _("The Docker engine sent a list Lifeboat cannot read"));
      return NULL;
    }
  return json_array_ref (json_node_get_array (node));
}

static JsonObject *
expect_object (JsonNode  *node,
               GError   **error)
{
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE,
                   _("The Docker engine sent an object Lifeboat cannot read"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

JsonArray *
lifeboat_docker_client_list_containers_sync (LifeboatDockerClient  *self,
                                             GCancellable          *cancellable,
                                             GError               **error)
{
  g_autoptr(JsonNode) node =
    lifeboat_docker_client_request_json_sync (self, "GET", "/containers/json?all=1", NULL, 60,
                                              cancellable, error);
  return expect_array (node, error);
}

JsonObject *
lifeboat_docker_client_inspect_container_sync (LifeboatDockerClient  *self,
                                               const char            *id,
                                               GCancellable          *cancellable,
                                               GError               **error)
{
  g_autofree char *e = escape (id);
  g_autofree char *path = g_strdup_printf ("/containers/%s/json", e);
  g_autoptr(JsonNode) node =
    lifeboat_docker_client_request_json_sync (self, "GET", path, NULL, 60, cancellable, error);
  return expect_object (node, error);
}

JsonArray *
lifeboat_docker_client_list_volumes_sync (LifeboatDockerClient  *self,
                                          GCancellable          *cancellable,
                                          GError               **error)
{
  g_autoptr(JsonNode) node =
    lifeboat_docker_client_request_json_sync (self, "GET", "/volumes", NULL, 60,
                                              cancellable, error);
  g_autoptr(JsonObject) obj = expect_object (node, error);
  JsonNode *volumes;

  if (obj == NULL)
    return NULL;

  volumes = json_object_get_member (obj, "Volumes");
  if (volumes == NULL || JSON_NODE_HOLDS_NULL (volumes))
    return json_array_new ();

  return expect_array (volumes, error);
}

JsonObject *
lifeboat_docker_client_inspect_volume_sync (LifeboatDockerClient  *self,
                                            const char            *name,
                                            GCancellable          *cancellable,
                                            GError               **error)
{
  g_autofree char *e = escape (name);
  g_autofree char *path = g_strdup_printf ("/volumes/%s", e);
  g_autoptr(JsonNode) node =
    lifeboat_docker_client_request_json_sync (self, "GET", path, NULL, 60, cancellable, error);
  return expect_object (node, error);
}

GHashTable *
lifeboat_docker_client_volume_sizes_sync (LifeboatDockerClient  *self,
                                          guint                  timeout_seconds,
                                          GCancellable          *cancellable,
                                          GError               **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) sizes = NULL;
  JsonObject *obj;
  JsonArray *volumes;
  const char *path;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);

  /* API 1.42 can restrict /system/df to volumes */
  if (_lifeboat_docker_client_api_at_least (self, "1.42"))
    path = "/system/df?type=volume";
  else
    path = "/system/df";

  node = lifeboat_docker_client_request_json_sync (self, "GET", path, NULL, timeout_seconds,
                                                   cancellable, error);
  if (node == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE,
                   _("The Docker engine sent disk usage Lifeboat cannot read"));
      return NULL;
    }

  sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  obj = json_node_get_object (node);
  if (!json_object_has_member (obj, "Volumes") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "Volumes")))
    return g_steal_pointer (&sizes);

  volumes = json_object_get_array_member (obj, "Volumes");
  for (guint i = 0; i < json_array_get_length (volumes); i++)
    {
      JsonNode *vn = json_array_get_element (volumes, i);
      JsonObject *v, *usage;
      gint64 size = -1;

      if (!JSON_NODE_HOLDS_OBJECT (vn))
        continue;
      v = json_node_get_object (vn);
      if (json_object_has_member (v, "UsageData") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (v, "UsageData")))
        {
          usage = json_object_get_object_member (v, "UsageData");
          size = json_object_get_int_member_with_default (usage, "Size", -1);
        }

      g_hash_table_insert (sizes,
                           g_strdup (json_object_get_string_member_with_default (v, "Name", "")),
                           g_memdup2 (&size, sizeof size));
    }

  return g_steal_pointer (&sizes);
}

gboolean
lifeboat_docker_client_stop_container_sync (LifeboatDockerClient  *self,
                                            const char            *id,
                                            int                    timeout_seconds,
                                            GCancellable          *cancellable,
                                            GError               **error)
{
  g_autofree char *e = escape (id);
  g_autofree char *path = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  guint status = 0;

  if (timeout_seconds >= 0)
    path = g_strdup_printf ("/containers/%s/stop?t=%d", e, timeout_seconds);
  else
    path = g_strdup_printf ("/containers/%s/stop", e);

  stream = _lifeboat_docker_client_send_request (self, "POST", path, empty, "application/json",
                                                 MAX (timeout_seconds, 10) + 60, &status,
                                                 cancellable, error);
  if (stream == NULL)
    {
      g_prefix_error (error, _("Could not stop container %s: "), id);
      return FALSE;
    }
  /* 304: already stopped */
  return TRUE;
}

gboolean
lifeboat_docker_client_start_container_sync (LifeboatDockerClient  *self,
                                             const char            *id,
                                             GCancellable          *cancellable,
                                             GError               **error)
{
  g_autofree char *e = escape (id);
  g_autofree char *path = g_strdup_printf ("/containers/%s/start", e);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GError) local_error = NULL;
  guint status = 0;

  stream = _lifeboat_docker_client_send_request (self, "POST", path, empty, "application/json",
                                                 120, &status, cancellable, &local_error);
  /* 304: it runs already, which is what was asked */
  if (stream == NULL && status != SOUP_STATUS_NOT_MODIFIED)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not start container %s: "), id);
      return FALSE;
    }
  return TRUE;
}

char *
lifeboat_docker_client_create_container_sync (LifeboatDockerClient  *self,
                                              const char            *name,
                                              JsonNode              *config,
                                              GCancellable          *cancellable,
                                              GError               **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (name != NULL)
    {
      g_autofree char *e = escape (name);
      path = g_strdup_printf ("/containers/create?name=%s", e);
    }
  else
    path = g_strdup ("/containers/create");

  node = lifeboat_docker_client_request_json_sync (self, "POST", path, config, 120,
                                                   cancellable, error);
  if (node == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      json_object_get_string_member_with_default (json_node_get_object (node), "Id", NULL) == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE,
                   _("The Docker engine created a container but did not say its ID"));
      return NULL;
    }

  return g_strdup (json_object_get_string_member (json_node_get_object (node), "Id"));
}

gboolean
lifeboat_docker_client_remove_container_sync (LifeboatDockerClient  *self,
                                              const char            *id,
                                              gboolean               force,
                                              GCancellable          *cancellable,
                                              GError               **error)
{
  g_autofree char *e = escape (id);
  g_autofree char *path = g_strdup_printf ("/containers/%s?v=0&force=%d", e, force ? 1 : 0);
  g_autoptr(GInputStream) stream = NULL;

  stream = _lifeboat_docker_client_send_request (self, "DELETE", path, NULL, NULL, 120, NULL,
                                                 cancellable, error);
  return stream != NULL;
}

gboolean
lifeboat_docker_client_wait_container_sync (LifeboatDockerClient  *self,
                                            const char            *id,
                                            int                   *exit_code,
                                            GCancellable          *cancellable,
                                            GError               **error)
{
  g_autofree char *e = escape (id);
  g_autofree char *path = g_strdup_printf ("/containers/%s/wait", e);
  g_autoptr(JsonNode) node = NULL;

  node = lifeboat_docker_client_request_json_sync (self, "POST", path, NULL, 0,
                                                   cancellable, error);
  if (node == NULL)
    return FALSE;

  if (exit_code != NULL)
    *exit_code = JSON_NODE_HOLDS_OBJECT (node)
      ? (int) json_object_get_int_member_with_default (json_node_get_object (node), "StatusCode", -1)
      : -1;

  return TRUE;
}

gboolean
lifeboat_docker_client_create_volume_sync (LifeboatDockerClient  *self,
                                           const char            *name,
                                           const char            *driver,
                                           JsonObject            *labels,
                                           GCancellable          *cancellable,
                                           GError               **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "Driver");
  json_builder_add_string_value (builder, driver ? driver : "local");
  if (labels != NULL)
    {
      JsonNode *ln = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (ln, labels);
      json_builder_set_member_name (builder, "Labels");
      json_builder_add_value (builder, ln);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  node = lifeboat_docker_client_request_json_sync (self, "POST", "/volumes/create", body, 120,
                                                   cancellable, error);
  if (node == NULL)
    {
      g_prefix_error (error, _("Could not create volume %s: "), name);
      return FALSE;
    }
  return TRUE;
}

GInputStream *
lifeboat_docker_client_get_archive_sync (LifeboatDockerClient  *self,
                                         const char            *id,
                                         const char            *path,
                                         GCancellable          *cancellable,
                                         GError               **error)
{
  g_autofree char *e = escape (id);
  g_autofree char *p = escape (path);
  g_autofree char *url = g_strdup_printf ("/containers/%s/archive?path=%s", e, p);
  GInputStream *stream;

  stream = lifeboat_docker_client_get_stream_sync (self, url, cancellable, error);
  if (stream == NULL)
    g_prefix_error (error, _("Could not read %s from container %s: "), path, id);
  return stream;
}

/* errors name neither @id nor @path (a helper's, as Lifeboat uses it): the caller says
 * which volume was written */
gboolean
lifeboat_docker_client_put_archive_sync (LifeboatDockerClient  *self,
                                         const char            *id,
                                         const char            *path,
                                         GInputStream          *tar,
                                         GCancellable          *cancellable,
                                         GError               **error)
{
  g_autofree char *e = escape (id);
  g_autofree char *p = escape (path);
  g_autofree char *url = g_strdup_printf ("/containers/%s/archive?path=%s", e, p);

  return _lifeboat_docker_client_put_stream (self, url, "application/x-tar",
                                            _("the upload of the archive"), tar, cancellable,
                                            error);
}
