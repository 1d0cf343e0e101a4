/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-hosts"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lifeboat-error.h"
#include "lifeboat-hosts.h"
#include "lifeboat-hosts-private.h"
#include "lifeboat-ssh-tunnel.h"

G_DEFINE_ENUM_TYPE (LifeboatHostKind, lifeboat_host_kind,
  G_DEFINE_ENUM_VALUE (LIFEBOAT_HOST_KIND_LOCAL, "local"),
  G_DEFINE_ENUM_VALUE (LIFEBOAT_HOST_KIND_DOCKER_HOST, "docker-host"),
  G_DEFINE_ENUM_VALUE (LIFEBOAT_HOST_KIND_CONTEXT, "context"),
  G_DEFINE_ENUM_VALUE (LIFEBOAT_HOST_KIND_ROOTLESS, "rootless"),
  G_DEFINE_ENUM_VALUE (LIFEBOAT_HOST_KIND_PODMAN, "podman"),
  G_DEFINE_ENUM_VALUE (LIFEBOAT_HOST_KIND_SAVED, "saved"))

const char *
lifeboat_host_kind_to_string (LifeboatHostKind kind)
{
  switch (kind)
    {
    case LIFEBOAT_HOST_KIND_LOCAL:       return "local";
    case LIFEBOAT_HOST_KIND_DOCKER_HOST: return "docker-host";
    case LIFEBOAT_HOST_KIND_CONTEXT:     return "context";
    case LIFEBOAT_HOST_KIND_ROOTLESS:    return "rootless";
    case LIFEBOAT_HOST_KIND_PODMAN:      return "podman";
    case LIFEBOAT_HOST_KIND_SAVED:       return "saved";
    default:                             return "unknown";
    }
}

struct _LifeboatHost
{
  GObject           parent_instance;
  LifeboatHostKind  kind;
  char             *name;
  char             *uri;
  char             *description;
  gboolean          is_default;
};

G_DEFINE_FINAL_TYPE (LifeboatHost, lifeboat_host, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_NAME,
  PROP_URI,
  PROP_DESCRIPTION,
  PROP_IS_DEFAULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lifeboat_host_finalize (GObject *object)
{
  LifeboatHost *self = LIFEBOAT_HOST (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (lifeboat_host_parent_class)->finalize (object);
}

static void
lifeboat_host_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LifeboatHost *self = LIFEBOAT_HOST (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_IS_DEFAULT:
      g_value_set_boolean (value, self->is_default);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_host_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LifeboatHost *self = LIFEBOAT_HOST (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    case PROP_URI:
      g_free (self->uri);
      self->uri = g_value_dup_string (value);
      break;
    case PROP_DESCRIPTION:
      g_free (self->description);
      self->description = g_value_dup_string (value);
      break;
    case PROP_IS_DEFAULT:
      if (self->is_default != g_value_get_boolean (value))
        {
          self->is_default = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_host_class_init (LifeboatHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lifeboat_host_finalize;
  object_class->get_property = lifeboat_host_get_property;
  object_class->set_property = lifeboat_host_set_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, LIFEBOAT_TYPE_HOST_KIND, LIFEBOAT_HOST_KIND_LOCAL,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_DEFAULT] =
    g_param_spec_boolean ("is-default", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lifeboat_host_init (LifeboatHost *self)
{
}

LifeboatHost *
lifeboat_host_new (LifeboatHostKind  kind,
                   const char       *name,
                   const char       *uri,
                   const char       *description)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return g_object_new (LIFEBOAT_TYPE_HOST,
                       "kind", kind,
                       "name", name ? name : uri,
                       "uri", uri,
                       "description", description ? description : "",
                       NULL);
}

LifeboatHostKind
lifeboat_host_get_kind (LifeboatHost *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST (self), LIFEBOAT_HOST_KIND_LOCAL);
  return self->kind;
}

const char *
lifeboat_host_get_name (LifeboatHost *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST (self), NULL);
  return self->name;
}

const char *
lifeboat_host_get_uri (LifeboatHost *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST (self), NULL);
  return self->uri;
}

const char *
lifeboat_host_get_description (LifeboatHost *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST (self), NULL);
  return self->description;
}

gboolean
lifeboat_host_get_is_default (LifeboatHost *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HOST (self), FALSE);
  return self->is_default;
}

/* ------------------------------------------------------------------------------------------ */
/* addresses                                                                                   */

static gboolean
is_address (const char *s)
{
  return g_str_has_prefix (s, "unix://") || g_str_has_prefix (s, "tcp://") ||
         g_str_has_prefix (s, "http://") || g_str_has_prefix (s, "ssh://");
}

/* checks the form of an address; a bare absolute path becomes unix:// */
static char *
normalize_address (const char  *uri,
                   GError     **error)
{
  if (uri[0] == '/')
    return g_strconcat ("unix://", uri, NULL);
  if (g_str_has_prefix (uri, "unix://"))
    {
      g_autofree char *path = lifeboat_unix_uri_dup_path (uri, error);

      return path != NULL ? g_strdup (uri) : NULL;
    }
  if (g_str_has_prefix (uri, "ssh://"))
    {
      if (!lifeboat_ssh_uri_parse (uri, NULL, NULL, NULL, NULL, error))
        return NULL;
      return g_strdup (uri);
    }
  if (g_str_has_prefix (uri, "tcp://") || g_str_has_prefix (uri, "http://"))
    {
      const char *hp = strstr (uri, "://") + 3;

      if (*hp == '\0' || *hp == '/' || *hp == ':')
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       "“%s” names no host (tcp://host:2375)", uri);
          return NULL;
        }
      return g_strdup (uri);
    }
  if (strstr (uri, "://") != NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   "“%s”: Lifeboat speaks unix://, tcp://, http:// and ssh:// addresses", uri);
      return NULL;
    }
  return NULL;
}

static gboolean
is_socket (const char *path)
{
  struct stat st;

  return path != NULL && g_stat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

/* $XDG_RUNTIME_DIR (GLib falls back to the cache dir when it is unset) */
static const char *
runtime_dir (void)
{
  return g_get_user_runtime_dir ();
}

/* ------------------------------------------------------------------------------------------ */
/* saved hosts                                                                                 */

#define SAVED_GROUP_PREFIX "host "

char *
lifeboat_hosts_get_saved_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "lifeboat", "hosts.ini", NULL);
}

static GKeyFile *
load_saved (GError **error)
{
  g_autofree char *path = lifeboat_hosts_get_saved_path ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   "Cannot read the saved hosts in %s: %s", path, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&kf);
}

static gboolean
store_saved (GKeyFile  *kf,
             GError   **error)
{
  g_autofree char *path = lifeboat_hosts_get_saved_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED, "Cannot create %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (!g_key_file_save_to_file (kf, path, &local_error))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   "Cannot save the hosts in %s: %s", path, local_error->message);
      return FALSE;
    }
  g_chmod (path, 0600);
  return TRUE;
}

GListModel *
lifeboat_hosts_list_saved (GError **error)
{
  g_autoptr(GKeyFile) kf = load_saved (error);
  g_autoptr(GListStore) store = NULL;
  g_auto(GStrv) groups = NULL;

  if (kf == NULL)
    return NULL;
  store = g_list_store_new (LIFEBOAT_TYPE_HOST);
  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *uri = NULL;
      g_autofree char *description = NULL;
      g_autoptr(LifeboatHost) host = NULL;
      const char *name;

      if (!g_str_has_prefix (groups[i], SAVED_GROUP_PREFIX))
        continue;
      name = groups[i] + strlen (SAVED_GROUP_PREFIX);
      uri = g_key_file_get_string (kf, groups[i], "uri", NULL);
      if (uri == NULL || *name == '\0')
        continue;
      description = g_key_file_get_string (kf, groups[i], "description", NULL);
      host = lifeboat_host_new (LIFEBOAT_HOST_KIND_SAVED, name, uri, description);
      g_list_store_append (store, host);
    }
  return G_LIST_MODEL (g_steal_pointer (&store));
}

static gboolean
valid_name (const char *name)
{
  return name != NULL && *name != '\0' && strpbrk (name, "[]\n\r/") == NULL &&
         strstr (name, "://") == NULL && name[0] != '-' && g_utf8_validate (name, -1, NULL) &&
         !g_str_equal (name, "default");
}

gboolean
lifeboat_hosts_save (const char  *name,
                     const char  *uri,
                     const char  *description,
                     GError     **error)
{
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *group = NULL;
  g_autofree char *normal = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  if (!valid_name (name))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   "“%s” cannot name a saved host (no “/”, “[”, “]”, “://”, not “default”)",
                   name);
      return FALSE;
    }
  normal = normalize_address (uri, &local_error);
  if (normal == NULL)
    {
      if (local_error == NULL)
        g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                     "“%s” is not an address (ssh://[user@]host[:port][/socket], unix://, "
                     "tcp://)", uri);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  kf = load_saved (error);
  if (kf == NULL)
    return FALSE;
  group = g_strconcat (SAVED_GROUP_PREFIX, name, NULL);
  g_key_file_set_string (kf, group, "uri", normal);
  if (description != NULL && *description != '\0')
    g_key_file_set_string (kf, group, "description", description);
  else
    g_key_file_remove_key (kf, group, "description", NULL);
  return store_saved (kf, error);
}

gboolean
lifeboat_hosts_forget (const char  *name,
                       GError     **error)
{
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *group = NULL;

  g_return_val_if_fail (name != NULL, FALSE);

  kf = load_saved (error);
  if (kf == NULL)
    return FALSE;
  group = g_strconcat (SAVED_GROUP_PREFIX, name, NULL);
  if (!g_key_file_has_group (kf, group))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                   "There is no saved host “%s”", name);
      return FALSE;
    }
  g_key_file_remove_group (kf, group, NULL);
  return store_saved (kf, error);
}

static char *
saved_uri (const char *name)
{
  g_autoptr(GKeyFile) kf = load_saved (NULL);
  g_autofree char *group = NULL;

  if (kf == NULL)
    return NULL;
  group = g_strconcat (SAVED_GROUP_PREFIX, name, NULL);
  return g_key_file_get_string (kf, group, "uri", NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* resolving                                                                                   */

char *
lifeboat_hosts_resolve_default (char    **origin,
                                GError  **error)
{
  const char *env = _lifeboat_hosts_nonempty_env ("DOCKER_HOST");
  g_autofree char *context = NULL;

  if (env != NULL)
    {
      g_autofree char *uri = normalize_address (env, NULL);

      if (uri == NULL)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       "DOCKER_HOST=%s is not an address Lifeboat can use (unix://, tcp://, "
                       "ssh://)", env);
          return NULL;
        }
      if (origin)
        *origin = g_strdup ("DOCKER_HOST");
      return g_steal_pointer (&uri);
    }

  context = lifeboat_hosts_get_current_context ();
  if (context != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *uri = lifeboat_hosts_get_context_uri (context, &local_error);

      if (uri == NULL)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       "The current docker context “%s” cannot be used: %s", context,
                       local_error->message);
          return NULL;
        }
      if (origin)
        *origin = g_strdup_printf ("docker context %s", context);
      return g_steal_pointer (&uri);
    }

  if (origin)
    *origin = g_strdup ("local socket");
  return g_strdup ("unix://" LIFEBOAT_HOSTS_LOCAL_SOCKET);
}

char *
lifeboat_hosts_resolve (const char  *uri_or_name,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *digest = NULL;

  if (uri_or_name == NULL || *uri_or_name == '\0')
    return lifeboat_hosts_resolve_default (NULL, error);

  uri = normalize_address (uri_or_name, &local_error);
  if (uri != NULL)
    return g_steal_pointer (&uri);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* a name: a docker context, else a saved host */
  uri = lifeboat_hosts_get_context_uri (uri_or_name, &local_error);
  if (uri != NULL)
    return g_steal_pointer (&uri);
  if (!g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  uri = saved_uri (uri_or_name);
  if (uri != NULL)
    return g_steal_pointer (&uri);

  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
               "“%s” is neither an address (unix:///path, tcp://host:port, "
               "ssh://[user@]host[:port][/socket]) nor a docker context or saved host "
               "(see “lifeboat-cli hosts”)", uri_or_name);
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* discovery                                                                                   */

static gboolean
kind_is_found (LifeboatHostKind kind)
{
  return kind == LIFEBOAT_HOST_KIND_LOCAL || kind == LIFEBOAT_HOST_KIND_ROOTLESS ||
         kind == LIFEBOAT_HOST_KIND_PODMAN;
}

/* Sockets found on disk are listed once per address; configured entries (DOCKER_HOST,
 * contexts, saved hosts) always, and they replace a found socket with the same address */
static void
add_host (GListStore       *store,
          LifeboatHostKind  kind,
          const char       *name,
          const char       *uri,
          const char       *description)
{
  g_autoptr(LifeboatHost) host = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatHost) other = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (other->uri, uri) != 0)
        continue;
      if (kind_is_found (kind))
        return;
      if (kind_is_found (other->kind))
        {
          host = lifeboat_host_new (kind, name, uri, description);
          g_list_store_splice (store, i, 1, (gpointer *) &host, 1);
          return;
        }
    }
  host = lifeboat_host_new (kind, name, uri, description);
  g_list_store_append (store, host);
}

GListModel *
lifeboat_hosts_discover (void)
{
  g_autoptr(GListStore) store = g_list_store_new (LIFEBOAT_TYPE_HOST);
  g_autoptr(GPtrArray) contexts = _lifeboat_hosts_list_contexts ();
  g_autoptr(GListModel) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *current = lifeboat_hosts_get_current_context ();
  g_autofree char *default_uri = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *rootless = NULL;
  g_autofree char *podman_user = NULL;
  const char *env = _lifeboat_hosts_nonempty_env ("DOCKER_HOST");
  guint n;

  if (env != NULL)
    {
      g_autofree char *uri = normalize_address (env, NULL);

      add_host (store, LIFEBOAT_HOST_KIND_DOCKER_HOST, uri ? uri : env, uri ? uri : env,
                uri ? "DOCKER_HOST" : "DOCKER_HOST (not an address Lifeboat can use)");
    }

  if (is_socket (LIFEBOAT_HOSTS_LOCAL_SOCKET))
    add_host (store, LIFEBOAT_HOST_KIND_LOCAL, NULL, "unix://" LIFEBOAT_HOSTS_LOCAL_SOCKET,
              "Docker on this computer");

  rootless = g_build_filename (runtime_dir (), "docker.sock", NULL);
  if (is_socket (rootless))
    {
      g_autofree char *uri = g_strconcat ("unix://", rootless, NULL);

      add_host (store, LIFEBOAT_HOST_KIND_ROOTLESS, NULL, uri, "rootless Docker of this user");
    }

  podman_user = g_build_filename (runtime_dir (), "podman", "podman.sock", NULL);
  if (is_socket (podman_user))
    {
      g_autofree char *uri = g_strconcat ("unix://", podman_user, NULL);

      add_host (store, LIFEBOAT_HOST_KIND_PODMAN, NULL, uri, "Podman of this user");
    }
  if (is_socket ("/run/podman/podman.sock"))
    add_host (store, LIFEBOAT_HOST_KIND_PODMAN, NULL, "unix:///run/podman/podman.sock",
              "Podman (system)");

  for (guint i = 0; i < contexts->len; i++)
    {
      LifeboatContextInfo *info = g_ptr_array_index (contexts, i);
      g_autofree char *description = NULL;

      description = g_strdup_printf ("docker context%s%s%s",
                                     g_strcmp0 (current, info->name) == 0 ? " (current)" : "",
                                     info->description && *info->description ? ": " : "",
                                     info->description ? info->description : "");
      add_host (store, LIFEBOAT_HOST_KIND_CONTEXT, info->name, info->uri, description);
    }

  saved = lifeboat_hosts_list_saved (&error);
  if (saved == NULL)
    g_warning ("%s", error->message);
  n = saved ? g_list_model_get_n_items (saved) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatHost) host = g_list_model_get_item (saved, i);

      add_host (store, LIFEBOAT_HOST_KIND_SAVED, host->name, host->uri,
                host->description && *host->description ? host->description : "saved host");
    }

  /* the default: the entry it comes from */
  default_uri = lifeboat_hosts_resolve_default (&origin, NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n && default_uri != NULL; i++)
    {
      g_autoptr(LifeboatHost) host = g_list_model_get_item (G_LIST_MODEL (store), i);
      gboolean match;

      if (g_strcmp0 (origin, "DOCKER_HOST") == 0)
        match = host->kind == LIFEBOAT_HOST_KIND_DOCKER_HOST;
      else if (current != NULL)
        match = host->kind == LIFEBOAT_HOST_KIND_CONTEXT && g_strcmp0 (host->name, current) == 0;
      else
        match = g_strcmp0 (host->uri, default_uri) == 0;
      if (match)
        {
          g_object_set (host, "is-default", TRUE, NULL);
          break;
        }
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

/* ------------------------------------------------------------------------------------------ */
/* clients                                                                                     */

LifeboatDockerClient *
lifeboat_hosts_open_client (const char    *uri_or_context,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *uri = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(LifeboatSshTunnel) tunnel = NULL;

  uri = lifeboat_hosts_resolve (uri_or_context, error);
  if (uri == NULL)
    return NULL;

  if (g_str_has_prefix (uri, "ssh://"))
    {
      tunnel = lifeboat_ssh_tunnel_acquire_sync (uri, cancellable, error);
      if (tunnel == NULL)
        return NULL;
      client = lifeboat_docker_client_new (lifeboat_ssh_tunnel_get_local_uri (tunnel), error);
      if (client == NULL)
        return NULL;
      lifeboat_docker_client_set_keepalive (client, G_OBJECT (tunnel));
    }
  else
    {
      client = lifeboat_docker_client_new (uri, error);
      if (client == NULL)
        return NULL;
    }

  if (uri_or_context != NULL && *uri_or_context != '\0' && !is_address (uri_or_context) &&
      uri_or_context[0] != '/')
    {
      g_autofree char *display = g_strdup_printf ("%s (%s)", uri_or_context, uri);

      lifeboat_docker_client_set_display_name (client, display);
    }
  else
    lifeboat_docker_client_set_display_name (client, uri);

  if (!lifeboat_docker_client_connect_sync (client, cancellable, error))
    return NULL;

  if (g_strcmp0 (lifeboat_docker_client_get_engine_kind (client), "Podman") == 0)
    g_debug ("%s is Podman (API %s)", uri, lifeboat_docker_client_get_api_version (client));

  return g_steal_pointer (&client);
}

static void
open_client_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  LifeboatDockerClient *client = lifeboat_hosts_open_client (task_data, cancellable, &error);

  if (client == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, client, g_object_unref);
}

void
lifeboat_hosts_open_client_async (const char          *uri_or_context,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lifeboat_hosts_open_client_async);
  g_task_set_task_data (task, g_strdup (uri_or_context), g_free);
  g_task_run_in_thread (task, open_client_thread);
}

LifeboatDockerClient *
lifeboat_hosts_open_client_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
