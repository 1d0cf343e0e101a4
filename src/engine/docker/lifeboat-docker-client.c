/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP client of one engine (libsoup): the object, requests with their deadlines and the
 * wording of their errors, and the connect that negotiates the API version. The Engine API
 * calls are in lifeboat-docker-calls.c, the measured upload in lifeboat-docker-upload.c.
 * A little over 800 lines: requests, deadlines and the connect share the client's fields.
 */
#define G_LOG_DOMAIN "lifeboat-docker"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>
#include <libsoup/soup.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-docker-client-private.h"
#include "lifeboat-error.h"
#include "lifeboat-util-private.h"

struct _LifeboatDockerClient
{
  GObject      parent_instance;

  char        *uri;
  char        *display_name;
  char        *socket_path;    /* unix sockets */
  char        *base_url;       /* "http://docker" or "http://host:port" */
  SoupSession *session;
  GObject     *keepalive;

  GMutex       mutex;
  char        *api_version;
  JsonObject  *version;
  char        *engine_name;
  char        *engine_id;
  char        *engine_kind;
};

G_DEFINE_FINAL_TYPE (LifeboatDockerClient, lifeboat_docker_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_DISPLAY_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------------------------- */
/* Timeouts for sync calls made from any thread: a timer thread cancels a linked cancellable */

static gpointer
timer_thread (gpointer data)
{
  g_autoptr(GMainLoop) loop = data;

  g_main_loop_run (loop);
  return NULL;
}

static GMainContext *
timer_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *ctx = g_main_context_new ();

      g_thread_unref (g_thread_new ("lifeboat-timer", timer_thread, g_main_loop_new (ctx, FALSE)));
      g_once_init_leave (&context, ctx);
    }

  return context;
}

typedef struct
{
  GCancellable *cancellable;   /* the one the request uses */
  GCancellable *parent;
  gulong        parent_handler;
  GSource      *timeout_source;
  gboolean      timed_out;
} Deadline;

static gboolean
deadline_fire (gpointer data)
{
  Deadline *deadline = data;

  g_atomic_int_set (&deadline->timed_out, TRUE);
  g_cancellable_cancel (deadline->cancellable);
  return G_SOURCE_REMOVE;
}

static void
deadline_parent_cancelled (GCancellable *parent,
                           gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
deadline_init (Deadline     *deadline,
               GCancellable *parent,
               guint         seconds)
{
  memset (deadline, 0, sizeof *deadline);
  deadline->cancellable = g_cancellable_new ();

  if (parent != NULL)
    {
      deadline->parent = g_object_ref (parent);
      deadline->parent_handler = g_cancellable_connect (parent,
                                                        G_CALLBACK (deadline_parent_cancelled),
                                                        deadline->cancellable, NULL);
    }

  if (seconds > 0)
    {
      deadline->timeout_source = g_timeout_source_new_seconds (seconds);
      g_source_set_callback (deadline->timeout_source, deadline_fire, deadline, NULL);
      g_source_attach (deadline->timeout_source, timer_context ());
    }
}

static void
deadline_clear (Deadline *deadline)
{
  if (deadline->timeout_source != NULL)
    {
      g_source_destroy (deadline->timeout_source);
      g_clear_pointer (&deadline->timeout_source, g_source_unref);
    }
  if (deadline->parent != NULL)
    {
      g_cancellable_disconnect (deadline->parent, deadline->parent_handler);
      g_clear_object (&deadline->parent);
    }
  g_clear_object (&deadline->cancellable);
}

/* ---------------------------------------------------------------------------------------- */

static void
lifeboat_docker_client_finalize (GObject *object)
{
  LifeboatDockerClient *self = (LifeboatDockerClient *) object;

  g_clear_object (&self->session);
  g_clear_object (&self->keepalive);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->socket_path, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->api_version, g_free);
  g_clear_pointer (&self->version, json_object_unref);
  g_clear_pointer (&self->engine_name, g_free);
  g_clear_pointer (&self->engine_id, g_free);
  g_clear_pointer (&self->engine_kind, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (lifeboat_docker_client_parent_class)->finalize (object);
}

static void
lifeboat_docker_client_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  LifeboatDockerClient *self = LIFEBOAT_DOCKER_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, lifeboat_docker_client_get_display_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_docker_client_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  LifeboatDockerClient *self = LIFEBOAT_DOCKER_CLIENT (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      lifeboat_docker_client_set_display_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_docker_client_class_init (LifeboatDockerClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lifeboat_docker_client_finalize;
  object_class->get_property = lifeboat_docker_client_get_property;
  object_class->set_property = lifeboat_docker_client_set_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lifeboat_docker_client_init (LifeboatDockerClient *self)
{
  g_mutex_init (&self->mutex);
}

char *
lifeboat_unix_uri_dup_path (const char  *uri,
                            GError     **error)
{
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  g_autofree char *fragment = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  if (!g_str_has_prefix (uri, "unix://") ||
      !g_uri_split_with_user (uri, G_URI_FLAGS_NONE, NULL, NULL, NULL, NULL, &host, NULL, &path,
                              &query, &fragment, NULL) ||
      (host != NULL && *host != '\0') || path[0] != '/' || query != NULL || fragment != NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   _("“%s” is not a socket address: a unix:// address needs an absolute path "
                     "(unix:///run/docker.sock)"), uri);
      return NULL;
    }
  return g_steal_pointer (&path);
}

LifeboatDockerClient *
lifeboat_docker_client_new (const char  *uri,
                            GError     **error)
{
  g_autoptr(LifeboatDockerClient) self = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (LIFEBOAT_TYPE_DOCKER_CLIENT, NULL);
  self->uri = g_strdup (uri);

  if (g_str_has_prefix (uri, "unix://"))
    {
      g_autoptr(GSocketAddress) address = NULL;

      self->socket_path = lifeboat_unix_uri_dup_path (uri, error);
      if (self->socket_path == NULL)
        return NULL;
      self->base_url = g_strdup ("http://docker");
      address = g_unix_socket_address_new (self->socket_path);
      self->session = g_object_new (SOUP_TYPE_SESSION,
                                    "remote-connectable", address,
                                    "max-conns", 16,
                                    "max-conns-per-host", 16,
                                    "idle-timeout", 30,
                                    NULL);
    }
  else if (g_str_has_prefix (uri, "tcp://") || g_str_has_prefix (uri, "http://"))
    {
      const char *rest = strchr (uri, ':') + 3;
      g_autofree char *hostport = g_strndup (rest, strcspn (rest, "/"));

      if (*hostport == '\0')
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       _("“%s” names no host"), uri);
          return NULL;
        }
      self->base_url = g_strdup_printf ("http://%s", hostport);
      self->session = g_object_new (SOUP_TYPE_SESSION,
                                    "max-conns", 16,
                                    "max-conns-per-host", 16,
                                    "idle-timeout", 30,
                                    NULL);
    }
  else
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   _("“%s” is not an engine address Lifeboat understands "
                     "(unix:///path/docker.sock, tcp://host:port or ssh://user@host)"),
                   uri);
      return NULL;
    }

  soup_session_set_user_agent (self->session, "Lifeboat/" PACKAGE_VERSION);
  /* no "Accept-Encoding: gzip": dockerd would gzip every archive stream on the fly, on one
   * core, and the stream would crawl at a seventh of its speed */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_CONTENT_DECODER);

  return g_steal_pointer (&self);
}

const char *
lifeboat_docker_client_get_uri (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->uri;
}

const char *
lifeboat_docker_client_get_display_name (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->display_name ? self->display_name : self->uri;
}

void
lifeboat_docker_client_set_display_name (LifeboatDockerClient *self,
                                         const char           *name)
{
  g_return_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self));

  if (_lifeboat_set_str (&self->display_name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

void
lifeboat_docker_client_set_keepalive (LifeboatDockerClient *self,
                                      GObject              *object)
{
  g_return_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self));
  g_set_object (&self->keepalive, object);
}

GObject *
lifeboat_docker_client_get_keepalive (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->keepalive;
}

/* ---------------------------------------------------------------------------------------- */
/* Requests */

static char *
build_url (LifeboatDockerClient *self,
           const char           *path,
           gboolean              versioned)
{
  g_autofree char *api = NULL;

  if (!versioned)
    return g_strconcat (self->base_url, path, NULL);

  g_mutex_lock (&self->mutex);
  api = g_strdup (self->api_version ? self->api_version : LIFEBOAT_DOCKER_API_MIN);
  g_mutex_unlock (&self->mutex);

  return g_strconcat (self->base_url, "/v", api, path, NULL);
}

/* Turns a transport error into one a user understands. */
static void
translate_transport_error (LifeboatDockerClient  *self,
                           Deadline              *deadline,
                           GCancellable          *cancellable,
                           GError               **error)
{
  GError *e = *error;
  const char *where = self->socket_path ? self->socket_path : self->base_url;

  /* an error of a request body (e.g. a refused archive) is already worded */
  if (e->domain == LIFEBOAT_ERROR)
    return;

  if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (deadline != NULL && g_atomic_int_get (&deadline->timed_out) &&
          !g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (error);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                       _("The Docker engine at %s did not answer in time"), where);
        }
      return;
    }

  if (self->socket_path != NULL && !g_file_test (self->socket_path, G_FILE_TEST_EXISTS))
    {
      g_clear_error (error);
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SOCKET,
                   _("There is no Docker socket at %s: is the engine running?"),
                   self->socket_path);
      return;
    }

  if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
      (self->socket_path != NULL && access (self->socket_path, R_OK | W_OK) != 0 && errno == EACCES))
    {
      g_clear_error (error);
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_PERMISSION_DENIED,
                   _("Permission denied on the Docker socket %s: is your user in the “docker” group?"),
                   where);
      return;
    }

  if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      g_clear_error (error);
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                   _("Nothing answers on %s: the Docker engine is not running"), where);
      return;
    }

  if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_clear_error (error);
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                   _("The Docker engine at %s did not answer in time"), where);
      return;
    }

  g_prefix_error (error, _("Lost the connection to the Docker engine at %s: "), where);
}

/* Reads a JSON error body { "message": "..." } and sets @error from the HTTP status. */
static void
set_engine_error (guint          status,
                  const char    *reason,
                  GInputStream  *body,
                  const char    *what,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *message = NULL;
  int code;

  if (body != NULL && json_parser_load_from_stream (parser, body, cancellable, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        message = g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                                        "message", NULL));
    }

  if (message == NULL)
    message = g_strdup (reason != NULL ? reason : "");

  switch (status)
    {
    case SOUP_STATUS_NOT_FOUND:
      code = LIFEBOAT_ERROR_NOT_FOUND;
      break;
    case SOUP_STATUS_CONFLICT:
      code = LIFEBOAT_ERROR_CONFLICT;
      break;
    default:
      code = LIFEBOAT_ERROR_ENGINE;
    }

  g_set_error (error, LIFEBOAT_ERROR, code,
               _("The Docker engine refused %s: %s (HTTP %u)"), what, message, status);
}

const char *
_lifeboat_docker_client_get_socket_path (LifeboatDockerClient *self)
{
  return self->socket_path;
}

const char *
_lifeboat_docker_client_get_base_url (LifeboatDockerClient *self)
{
  return self->base_url;
}

char *
_lifeboat_docker_client_build_url (LifeboatDockerClient *self,
                                   const char           *path)
{
  return build_url (self, path, TRUE);
}

void
_lifeboat_docker_client_translate_error (LifeboatDockerClient  *self,
                                         GCancellable          *cancellable,
                                         GError               **error)
{
  translate_transport_error (self, NULL, cancellable, error);
}

void
_lifeboat_docker_client_set_engine_error (guint          status,
                                          const char    *reason,
                                          GInputStream  *body,
                                          const char    *what,
                                          GCancellable  *cancellable,
                                          GError       **error)
{
  set_engine_error (status, reason, body, what, cancellable, error);
}

static void
set_http_error (SoupMessage   *msg,
                GInputStream  *body,
                const char    *what,
                GCancellable  *cancellable,
                GError       **error)
{
  set_engine_error (soup_message_get_status (msg), soup_message_get_reason_phrase (msg), body,
                    what, cancellable, error);
}

static GInputStream *
send_request (LifeboatDockerClient  *self,
              const char            *method,
              const char            *path,
              gboolean               versioned,
              GBytes                *body_bytes,
              GInputStream          *body_stream,
              const char            *content_type,
              guint                  timeout_seconds,
              guint                 *status_out,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autofree char *url = build_url (self, path, versioned);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *what = NULL;
  Deadline deadline;
  guint status;

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   _("Cannot make a request for %s"), path);
      return NULL;
    }

  if (body_bytes != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body_bytes);
  else if (body_stream != NULL)
    soup_message_set_request_body (msg, content_type, body_stream, -1);

  deadline_init (&deadline, cancellable, timeout_seconds);
  stream = soup_session_send (self->session, msg, deadline.cancellable, error);
  if (stream == NULL)
    {
      translate_transport_error (self, &deadline, cancellable, error);
      deadline_clear (&deadline);
      return NULL;
    }
  deadline_clear (&deadline);

  status = soup_message_get_status (msg);
  if (status_out != NULL)
    *status_out = status;

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *short_path = g_strndup (path, strcspn (path, "?"));

      what = g_strdup_printf ("%s %s", method, short_path);
      set_http_error (msg, stream, what, cancellable, error);
      return NULL;
    }

  return g_steal_pointer (&stream);
}

static JsonNode *
parse_json_stream (GInputStream  *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_stream (parser, stream, cancellable, error))
    {
      g_prefix_error (error, _("The Docker engine sent an answer Lifeboat cannot read: "));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    return json_node_new (JSON_NODE_NULL);

  return json_node_copy (root);
}

JsonNode *
lifeboat_docker_client_request_json_sync (LifeboatDockerClient  *self,
                                          const char            *method,
                                          const char            *path,
                                          JsonNode              *body,
                                          guint                  timeout_seconds,
                                          GCancellable          *cancellable,
                                          GError               **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (body != NULL)
    {
      gsize len = 0;
      char *text = json_to_string (body, FALSE);

      len = strlen (text);
      bytes = g_bytes_new_take (text, len);
    }
  else if (g_str_equal (method, "POST"))
    {
      bytes = g_bytes_new_static ("", 0);
    }

  stream = send_request (self, method, path, TRUE, bytes, NULL, "application/json",
                         timeout_seconds, NULL, cancellable, error);
  if (stream == NULL)
    return NULL;

  return parse_json_stream (stream, cancellable, error);
}

GInputStream *
lifeboat_docker_client_get_stream_sync (LifeboatDockerClient  *self,
                                        const char            *path,
                                        GCancellable          *cancellable,
                                        GError               **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return send_request (self, "GET", path, TRUE, NULL, NULL, NULL, 0, NULL, cancellable, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Connect and negotiate */

static int
compare_api_versions (const char *a,
                      const char *b)
{
  guint amaj = 0, amin = 0, bmaj = 0, bmin = 0;

  sscanf (a, "%u.%u", &amaj, &amin);
  sscanf (b, "%u.%u", &bmaj, &bmin);
  if (amaj != bmaj)
    return amaj < bmaj ? -1 : 1;
  if (amin != bmin)
    return amin < bmin ? -1 : 1;
  return 0;
}

gboolean
lifeboat_docker_client_connect_sync (LifeboatDockerClient  *self,
                                     GCancellable          *cancellable,
                                     GError               **error)
{
  g_autoptr(GInputStream) ping = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(JsonNode) version = NULL;
  g_autoptr(JsonNode) info = NULL;
  JsonObject *obj;
  const char *engine_api;
  const char *kind = "Docker";
  g_autofree char *api = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), FALSE);

  if (self->socket_path != NULL && !g_file_test (self->socket_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SOCKET,
                   _("There is no Docker socket at %s: is the engine running?"),
                   self->socket_path);
      return FALSE;
    }

  ping = send_request (self, "GET", "/_ping", FALSE, NULL, NULL, NULL, 15, NULL,
                       cancellable, error);
  if (ping == NULL)
    return FALSE;

  stream = send_request (self, "GET", "/version", FALSE, NULL, NULL, NULL, 15, NULL,
                         cancellable, error);
  if (stream == NULL)
    return FALSE;
  version = parse_json_stream (stream, cancellable, error);
  if (version == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (version))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,
                   _("%s does not answer like a Docker engine"), self->uri);
      return FALSE;
    }

  obj = json_node_get_object (version);
  engine_api = json_object_get_string_member_with_default (obj, "ApiVersion", NULL);
  if (engine_api == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,
                   _("%s does not answer like a Docker engine (no API version)"), self->uri);
      return FALSE;
    }

  if (compare_api_versions (engine_api, LIFEBOAT_DOCKER_API_MIN) < 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,
                   _("The engine at %s speaks Docker API %s; Lifeboat needs %s "
                     "(Docker 20.10) or newer"),
                   self->uri, engine_api, LIFEBOAT_DOCKER_API_MIN);
      return FALSE;
    }

  if (compare_api_versions (engine_api, LIFEBOAT_DOCKER_API_MAX) > 0)
    api = g_strdup (LIFEBOAT_DOCKER_API_MAX);
  else
    api = g_strdup (engine_api);

  if (json_object_has_member (obj, "Components") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "Components")))
    {
      JsonArray *components = json_object_get_array_member (obj, "Components");

      for (guint i = 0; i < json_array_get_length (components); i++)
        {
          JsonNode *c = json_array_get_element (components, i);

          if (JSON_NODE_HOLDS_OBJECT (c) &&
              strstr (json_object_get_string_member_with_default (json_node_get_object (c),
                                                                  "Name", ""), "Podman"))
            kind = "Podman";
        }
    }

  g_mutex_lock (&self->mutex);
  _lifeboat_set_str (&self->api_version, api);
  g_clear_pointer (&self->version, json_object_unref);
  self->version = json_object_ref (obj);
  _lifeboat_set_str (&self->engine_kind, kind);
  g_mutex_unlock (&self->mutex);

  info = lifeboat_docker_client_request_json_sync (self, "GET", "/info", NULL, 30,
                                                   cancellable, error);
  if (info == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_OBJECT (info))
    {
      JsonObject *io = json_node_get_object (info);

      g_mutex_lock (&self->mutex);
      _lifeboat_set_str (&self->engine_name, json_object_get_string_member_with_default (io, "Name", NULL));
      _lifeboat_set_str (&self->engine_id, json_object_get_string_member_with_default (io, "ID", NULL));
      g_mutex_unlock (&self->mutex);
    }

  g_debug ("Connected to %s: %s API %s (engine API %s)", self->uri, kind, api, engine_api);

  return TRUE;
}

static void
connect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  if (lifeboat_docker_client_connect_sync (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lifeboat_docker_client_connect_async (LifeboatDockerClient *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lifeboat_docker_client_connect_async);
  g_task_run_in_thread (task, connect_thread);
}

gboolean
lifeboat_docker_client_connect_finish (LifeboatDockerClient  *self,
                                       GAsyncResult          *result,
                                       GError               **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lifeboat_docker_client_is_connected (LifeboatDockerClient *self)
{
  gboolean ret;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), FALSE);

  g_mutex_lock (&self->mutex);
  ret = self->api_version != NULL;
  g_mutex_unlock (&self->mutex);

  return ret;
}

const char *
lifeboat_docker_client_get_api_version (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->api_version;
}

JsonObject *
lifeboat_docker_client_get_version (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->version;
}

const char *
lifeboat_docker_client_get_engine_name (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->engine_name;
}

const char *
lifeboat_docker_client_get_engine_id (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->engine_id;
}

const char *
lifeboat_docker_client_get_engine_kind (LifeboatDockerClient *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (self), NULL);
  return self->engine_kind ? self->engine_kind : "Docker";
}

GInputStream *
_lifeboat_docker_client_send_request (LifeboatDockerClient  *self,
                                      const char            *method,
                                      const char            *path,
                                      GBytes                *body,
                                      const char            *content_type,
                                      guint                  timeout_seconds,
                                      guint                 *status_out,
                                      GCancellable          *cancellable,
                                      GError               **error)
{
  return send_request (self, method, path, TRUE, body, NULL, content_type, timeout_seconds,
                       status_out, cancellable, error);
}

gboolean
_lifeboat_docker_client_api_at_least (LifeboatDockerClient *self,
                                      const char           *version)
{
  gboolean ret;

  g_mutex_lock (&self->mutex);
  ret = self->api_version != NULL && compare_api_versions (self->api_version, version) >= 0;
  g_mutex_unlock (&self->mutex);
  return ret;
}
