/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-manifest"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-manifest.h"

LifeboatManifest *
lifeboat_manifest_new (void)
{
  LifeboatManifest *m = g_new0 (LifeboatManifest, 1);

  m->format = LIFEBOAT_MANIFEST_FORMAT;
  m->lifeboat_version = g_strdup (PACKAGE_VERSION);
  m->containers = json_array_new ();
  m->volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_manifest_volume_free);
  return m;
}

void
lifeboat_manifest_free (LifeboatManifest *m)
{
  if (m == NULL)
    return;
  g_free (m->lifeboat_version);
  g_free (m->created);
  g_free (m->engine_name);
  g_free (m->engine_id);
  g_free (m->engine_kind);
  g_free (m->docker_version);
  g_free (m->api_version);
  g_free (m->engine_uri);
  g_free (m->project);
  g_free (m->working_dir);
  g_strfreev (m->config_files);
  g_free (m->app_profile);
  g_free (m->app_version);
  g_clear_pointer (&m->containers, json_array_unref);
  g_clear_pointer (&m->volumes, g_ptr_array_unref);
  g_free (m);
}

LifeboatManifestVolume *
lifeboat_manifest_volume_new (void)
{
  return g_new0 (LifeboatManifestVolume, 1);
}

void
lifeboat_manifest_volume_free (LifeboatManifestVolume *v)
{
  if (v == NULL)
    return;
  g_free (v->key);
  g_free (v->name);
  g_free (v->driver);
  g_clear_pointer (&v->labels, json_object_unref);
  g_free (v->mount_path);
  g_free (v->archive_root);
  g_free (v->archive);
  g_free (v->sha256);
  g_free (v);
}

void
lifeboat_manifest_set_source (LifeboatManifest     *m,
                              LifeboatDockerClient *client,
                              LifeboatProject      *project)
{
  JsonObject *version = lifeboat_docker_client_get_version (client);

  m->engine_name = g_strdup (lifeboat_docker_client_get_engine_name (client));
  m->engine_id = g_strdup (lifeboat_docker_client_get_engine_id (client));
  m->engine_kind = g_strdup (lifeboat_docker_client_get_engine_kind (client));
  m->engine_uri = g_strdup (lifeboat_docker_client_get_display_name (client));
  m->api_version = g_strdup (lifeboat_docker_client_get_api_version (client));
  if (version != NULL)
    m->docker_version = g_strdup (json_object_get_string_member_with_default (version, "Version",
                                                                              NULL));
  m->project = g_strdup (lifeboat_project_get_name (project));
  m->working_dir = g_strdup (lifeboat_project_get_working_dir (project));
  m->config_files = g_strdupv ((char **) lifeboat_project_get_config_files (project));
  m->app_profile = g_strdup (lifeboat_project_get_app_profile (project));
  m->app_version = g_strdup (lifeboat_project_get_app_version (project));
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_double (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, ((gint64) (value * 1000 + 0.5)) / 1000.0);
}

JsonNode *
lifeboat_manifest_to_json (LifeboatManifest *m)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_int (b, "format", m->format);
  add_string (b, "lifeboat_version", m->lifeboat_version);
  add_string (b, "created", m->created);
  add_double (b, "seconds", m->seconds);

  json_builder_set_member_name (b, "engine");
  json_builder_begin_object (b);
  add_string (b, "name", m->engine_name);
  add_string (b, "id", m->engine_id);
  add_string (b, "kind", m->engine_kind);
  add_string (b, "docker_version", m->docker_version);
  add_string (b, "api_version", m->api_version);
  add_string (b, "uri", m->engine_uri);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "project");
  json_builder_begin_object (b);
  add_string (b, "name", m->project);
  add_string (b, "working_dir", m->working_dir);
  json_builder_set_member_name (b, "config_files");
  json_builder_begin_array (b);
  for (guint i = 0; m->config_files && m->config_files[i]; i++)
    json_builder_add_string_value (b, m->config_files[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "app");
  if (m->app_profile != NULL)
    {
      json_builder_begin_object (b);
      add_string (b, "profile", m->app_profile);
      add_string (b, "version", m->app_version);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "containers");
  {
    JsonNode *node = json_node_new (JSON_NODE_ARRAY);

    json_node_set_array (node, m->containers);
    json_builder_add_value (b, node);
  }

  json_builder_set_member_name (b, "volumes");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->volumes->len; i++)
    {
      LifeboatManifestVolume *v = g_ptr_array_index (m->volumes, i);
      JsonNode *labels = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (labels, v->labels ? v->labels : json_object_new ());
      if (v->labels == NULL)
        json_object_unref (json_node_get_object (labels));  /* node holds the only ref */

      json_builder_begin_object (b);
      add_string (b, "key", v->key);
      add_string (b, "name", v->name);
      add_string (b, "driver", v->driver);
      json_builder_set_member_name (b, "labels");
      json_builder_add_value (b, labels);
      add_string (b, "mount_path", v->mount_path);
      add_string (b, "archive_root", v->archive_root);
      add_string (b, "archive", v->archive);
      add_string (b, "compression", lifeboat_compression_to_string (v->compression));
      add_int (b, "tar_bytes", v->tar_bytes);
      add_int (b, "archive_bytes", v->archive_bytes);
      add_string (b, "sha256", v->sha256);
      add_int (b, "entries", v->entries);
      add_double (b, "seconds", v->seconds);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

gboolean
lifeboat_manifest_write (LifeboatManifest  *m,
                         GFile             *folder,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autoptr(JsonNode) node = lifeboat_manifest_to_json (m);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GFile) file = g_file_get_child (folder, LIFEBOAT_MANIFEST_NAME);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  gsize len;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &len);

  out = g_file_create (file, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (out == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (out), text, len, NULL, cancellable, error) ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (out), "\n", 1, NULL, cancellable, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error))
    {
      g_prefix_error (error, _("Could not write the manifest: "));
      return FALSE;
    }

  path = g_file_get_path (file);
  if (path != NULL)
    {
      int fd = open (path, O_RDONLY | O_CLOEXEC);

      if (fd >= 0)
        {
          if (fsync (fd) != 0)
            {
              int saved = errno;

              close (fd);
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("Could not write the manifest to disk: %s"), g_strerror (saved));
              return FALSE;
            }
          close (fd);
        }
    }

  return TRUE;
}

static char *
dup_member (JsonObject *o,
            const char *name)
{
  if (o == NULL || !json_object_has_member (o, name) ||
      !JSON_NODE_HOLDS_VALUE (json_object_get_member (o, name)))
    return NULL;
  return g_strdup (json_object_get_string_member (o, name));
}

static JsonObject *
object_member (JsonObject *o,
               const char *name)
{
  if (o == NULL || !json_object_has_member (o, name) ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, name)))
    return NULL;
  return json_object_get_object_member (o, name);
}

LifeboatManifest *
lifeboat_manifest_load (GFile         *folder,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GFile) file = g_file_get_child (folder, LIFEBOAT_MANIFEST_NAME);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LifeboatManifest) m = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *display = g_file_get_parse_name (file);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *o, *engine, *project, *app;
  JsonArray *volumes;
  gsize len;

  if (!g_file_load_contents (file, cancellable, &contents, &len, NULL, error))
    return NULL;

  if (!json_parser_load_from_data (parser, contents, len, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                   _("The manifest %s is damaged: %s"), display,
                   local_error ? local_error->message : _("not a JSON object"));
      return NULL;
    }

  o = json_node_get_object (root);
  m = lifeboat_manifest_new ();
  m->format = json_object_get_int_member_with_default (o, "format", 0);
  if (m->format < 1 || m->format > LIFEBOAT_MANIFEST_FORMAT)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                   _("The manifest %s has format %d, which this Lifeboat does not know"),
                   display, m->format);
      return NULL;
    }

  g_free (m->lifeboat_version);
  m->lifeboat_version = dup_member (o, "lifeboat_version");
  m->created = dup_member (o, "created");
  m->seconds = json_object_get_double_member_with_default (o, "seconds", 0);
  engine = object_member (o, "engine");
  m->engine_name = dup_member (engine, "name");
  m->engine_id = dup_member (engine, "id");
  m->engine_kind = dup_member (engine, "kind");
  m->docker_version = dup_member (engine, "docker_version");
  m->api_version = dup_member (engine, "api_version");
  m->engine_uri = dup_member (engine, "uri");
  project = object_member (o, "project");
  m->project = dup_member (project, "name");
  m->working_dir = dup_member (project, "working_dir");
  app = object_member (o, "app");
  m->app_profile = dup_member (app, "profile");
  m->app_version = dup_member (app, "version");
  if (json_object_has_member (o, "containers") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "containers")))
    {
      json_array_unref (m->containers);
      m->containers = json_array_ref (json_object_get_array_member (o, "containers"));
    }

  if (!json_object_has_member (o, "volumes") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "volumes")))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                   _("The manifest %s lists no volumes"), display);
      return NULL;
    }

  volumes = json_object_get_array_member (o, "volumes");
  for (guint i = 0; i < json_array_get_length (volumes); i++)
    {
      JsonNode *vn = json_array_get_element (volumes, i);
      JsonObject *vo, *labels;
      LifeboatManifestVolume *v;

      if (!JSON_NODE_HOLDS_OBJECT (vn))
        continue;
      vo = json_node_get_object (vn);
      v = lifeboat_manifest_volume_new ();
      v->key = dup_member (vo, "key");
      v->name = dup_member (vo, "name");
      v->driver = dup_member (vo, "driver");
      labels = object_member (vo, "labels");
      v->labels = labels ? json_object_ref (labels) : json_object_new ();
      v->mount_path = dup_member (vo, "mount_path");
      v->archive_root = dup_member (vo, "archive_root");
      v->archive = dup_member (vo, "archive");
      {
        g_autofree char *c = dup_member (vo, "compression");

        if (!lifeboat_compression_from_string (c, &v->compression))
          v->compression = LIFEBOAT_COMPRESSION_GZIP;
      }
      v->tar_bytes = json_object_get_int_member_with_default (vo, "tar_bytes", 0);
      v->archive_bytes = json_object_get_int_member_with_default (vo, "archive_bytes", 0);
      v->sha256 = dup_member (vo, "sha256");
      v->entries = json_object_get_int_member_with_default (vo, "entries", 0);
      v->seconds = json_object_get_double_member_with_default (vo, "seconds", 0);

      if (v->key == NULL || v->archive == NULL || strchr (v->archive, '/') != NULL ||
          g_str_equal (v->archive, "..") || g_str_equal (v->archive, "."))
        {
          lifeboat_manifest_volume_free (v);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                       _("The manifest %s has a volume without a key or with a bad archive name"),
                       display);
          return NULL;
        }
      g_ptr_array_add (m->volumes, v);
    }

  return g_steal_pointer (&m);
}

LifeboatManifestVolume *
lifeboat_manifest_find_volume (LifeboatManifest *m,
                               const char       *key)
{
  for (guint i = 0; i < m->volumes->len; i++)
    {
      LifeboatManifestVolume *v = g_ptr_array_index (m->volumes, i);

      if (g_strcmp0 (v->key, key) == 0 || g_strcmp0 (v->name, key) == 0)
        return v;
    }
  return NULL;
}
