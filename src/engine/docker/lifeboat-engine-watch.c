/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-engine-watch"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lifeboat-engine-watch.h"

#define CHANGED_DELAY_MS  400
#define BACKOFF_MIN_S     1
#define BACKOFF_MAX_S     30
#define PING_INTERVAL_S   3
#define PING_TIMEOUT_S    5

struct _LifeboatEngineWatch
{
  GObject                   parent_instance;

  LifeboatDockerClient     *client;
  SoupSession              *session;     /* of its own: no I/O timeout, the stream is quiet */
  SoupSession              *ping_session; /* /_ping with a timeout */
  char                     *url;
  char                     *ping_url;
  guint                     ping_source;
  GCancellable             *cancellable; /* of the current connection */
  GDataInputStream         *lines;
  LifeboatEngineWatchState  state;
  char                     *reason;
  guint                     backoff;     /* seconds before the next attempt */
  guint                     retry_source;
  guint                     changed_source;
  guint                     n_events;
  gboolean                  stopped;
};

G_DEFINE_FINAL_TYPE (LifeboatEngineWatch, lifeboat_engine_watch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_GONE,
  PROP_REASON,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void watch_connect (LifeboatEngineWatch *self);

static void
set_state (LifeboatEngineWatch      *self,
           LifeboatEngineWatchState  state,
           const char               *reason)
{
  gboolean was_gone = self->state == LIFEBOAT_ENGINE_WATCH_GONE;

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->reason, reason) != 0)
    {
      g_free (self->reason);
      self->reason = g_strdup (reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      if (was_gone != (state == LIFEBOAT_ENGINE_WATCH_GONE))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GONE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
changed_cb (gpointer data)
{
  LifeboatEngineWatch *self = data;

  self->changed_source = 0;
  g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cb (gpointer data)
{
  LifeboatEngineWatch *self = data;

  self->retry_source = 0;
  watch_connect (self);
  return G_SOURCE_REMOVE;
}

/* the stream ended or could not start: gone, and again after the back-off */
static void
lost (LifeboatEngineWatch *self,
      const GError        *error)
{
  g_autofree char *reason = NULL;

  /* the stream too, when a ping found the engine gone */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->lines);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->ping_source, g_source_remove);

  if (error != NULL)
    /* Translators: why an engine is shown as gone; %s is the system's reason */
    reason = g_strdup_printf (_("The engine stopped answering (%s)"), error->message);
  else
    reason = g_strdup (_("The engine closed its connection: it stopped or restarted"));

  g_debug ("%s: %s; again in %u s", self->url, reason, self->backoff);
  set_state (self, LIFEBOAT_ENGINE_WATCH_GONE, reason);

  if (self->stopped)
    return;
  self->retry_source = g_timeout_add_seconds (self->backoff, retry_cb, self);
  self->backoff = MIN (self->backoff * 2, BACKOFF_MAX_S);
}

static void read_next (LifeboatEngineWatch *self);

/* A stopping engine closes its API at once but keeps the event stream open until its
 * containers have stopped (ten seconds and more): a ping every few seconds sees it first. */
static void
ping_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LifeboatEngineWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stopped ||
      self->state != LIFEBOAT_ENGINE_WATCH_WATCHING)
    return;
  if (body == NULL)
    lost (self, error);
}

static gboolean
ping_cb (gpointer data)
{
  LifeboatEngineWatch *self = data;
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, self->ping_url);

  if (msg != NULL && self->cancellable != NULL)
    soup_session_send_and_read_async (self->ping_session, msg, G_PRIORITY_DEFAULT,
                                      self->cancellable, ping_done_cb, g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LifeboatEngineWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    &length, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stopped)
    return;
  if (line == NULL)
    {
      lost (self, error);
      return;
    }

  if (length > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      /* one JSON object per line: {"Type":"container","Action":"die",...} */
      if (json_parser_load_from_data (parser, line, (gssize) length, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          self->n_events++;
          if (self->changed_source == 0)
            self->changed_source = g_timeout_add (CHANGED_DELAY_MS, changed_cb, self);
        }
    }

  read_next (self);
}

static void
read_next (LifeboatEngineWatch *self)
{
  if (self->stopped || self->lines == NULL)
    return;
  g_data_input_stream_read_line_async (self->lines, G_PRIORITY_DEFAULT, self->cancellable,
                                       line_read_cb, g_object_ref (self));
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LifeboatEngineWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SoupMessage *msg;
  guint status;
  gboolean again;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stopped)
    return;
  if (stream == NULL)
    {
      lost (self, error);
      return;
    }

  msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK)
    {
      g_autoptr(GError) http_error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u %s",
                                                 status, soup_message_get_reason_phrase (msg));

      lost (self, http_error);
      return;
    }

  again = self->state == LIFEBOAT_ENGINE_WATCH_GONE;
  self->backoff = BACKOFF_MIN_S;
  self->lines = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (self->lines, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (self->lines), 16 * 1024);
  set_state (self, LIFEBOAT_ENGINE_WATCH_WATCHING, NULL);
  /* whoever follows the state may have stopped the watch (an engine back is connected to
   * again, with a new watch) */
  if (self->stopped)
    return;
  g_clear_handle_id (&self->ping_source, g_source_remove);
  self->ping_source = g_timeout_add_seconds (PING_INTERVAL_S, ping_cb, self);
  /* what changed while the stream was down is not in it: look again */
  if (again && self->changed_source == 0)
    self->changed_source = g_timeout_add (CHANGED_DELAY_MS, changed_cb, self);
  read_next (self);
}

static void
watch_connect (LifeboatEngineWatch *self)
{
  g_autoptr(SoupMessage) msg = NULL;

  if (self->stopped)
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->state != LIFEBOAT_ENGINE_WATCH_GONE)
    set_state (self, LIFEBOAT_ENGINE_WATCH_CONNECTING, NULL);

  msg = soup_message_new (SOUP_METHOD_GET, self->url);
  if (msg == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             "Bad URL %s", self->url);

      lost (self, error);
      return;
    }
  soup_session_send_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                           sent_cb, g_object_ref (self));
}

static void
lifeboat_engine_watch_dispose (GObject *object)
{
  LifeboatEngineWatch *self = LIFEBOAT_ENGINE_WATCH (object);

  lifeboat_engine_watch_stop (self);
  g_clear_object (&self->session);
  g_clear_object (&self->ping_session);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (lifeboat_engine_watch_parent_class)->dispose (object);
}

static void
lifeboat_engine_watch_finalize (GObject *object)
{
  LifeboatEngineWatch *self = LIFEBOAT_ENGINE_WATCH (object);

  g_free (self->url);
  g_free (self->ping_url);
  g_free (self->reason);

  G_OBJECT_CLASS (lifeboat_engine_watch_parent_class)->finalize (object);
}

static void
lifeboat_engine_watch_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LifeboatEngineWatch *self = LIFEBOAT_ENGINE_WATCH (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    case PROP_GONE:
      g_value_set_boolean (value, self->state == LIFEBOAT_ENGINE_WATCH_GONE);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_engine_watch_class_init (LifeboatEngineWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lifeboat_engine_watch_dispose;
  object_class->finalize = lifeboat_engine_watch_finalize;
  object_class->get_property = lifeboat_engine_watch_get_property;

  /* LifeboatEngineWatchState */
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL, LIFEBOAT_ENGINE_WATCH_CONNECTING,
                       LIFEBOAT_ENGINE_WATCH_GONE, LIFEBOAT_ENGINE_WATCH_CONNECTING, ro);
  properties[PROP_GONE] =
    g_param_spec_boolean ("gone", NULL, NULL, FALSE, ro);
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* containers or volumes changed (also: the stream came back after a gap) */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lifeboat_engine_watch_init (LifeboatEngineWatch *self)
{
  self->backoff = BACKOFF_MIN_S;
}

LifeboatEngineWatch *
lifeboat_engine_watch_new (LifeboatDockerClient *client)
{
  LifeboatEngineWatch *self;
  const char *uri;
  const char *api;
  g_autofree char *filters = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);

  self = g_object_new (LIFEBOAT_TYPE_ENGINE_WATCH, NULL);
  self->client = g_object_ref (client);
  uri = lifeboat_docker_client_get_uri (client);
  api = lifeboat_docker_client_get_api_version (client);

  if (g_str_has_prefix (uri, "unix://"))
    {
      g_autoptr(GSocketAddress) address = g_unix_socket_address_new (uri + strlen ("unix://"));

      base = g_strdup ("http://docker");
      self->session = g_object_new (SOUP_TYPE_SESSION, "remote-connectable", address,
                                    "timeout", 0, "idle-timeout", 0, NULL);
      self->ping_session = g_object_new (SOUP_TYPE_SESSION, "remote-connectable", address,
                                         "timeout", PING_TIMEOUT_S, NULL);
    }
  else
    {
      const char *rest = strstr (uri, "://");
      g_autofree char *hostport = g_strndup (rest ? rest + 3 : uri,
                                             strcspn (rest ? rest + 3 : uri, "/"));

      base = g_strdup_printf ("http://%s", hostport);
      self->session = g_object_new (SOUP_TYPE_SESSION, "timeout", 0, "idle-timeout", 0, NULL);
      self->ping_session = g_object_new (SOUP_TYPE_SESSION, "timeout", PING_TIMEOUT_S, NULL);
    }
  soup_session_set_user_agent (self->session, "Lifeboat/" PACKAGE_VERSION);

  filters = g_uri_escape_string ("{\"type\":[\"container\",\"volume\"]}", NULL, FALSE);
  self->url = g_strdup_printf ("%s/v%s/events?filters=%s", base,
                               api ? api : LIFEBOAT_DOCKER_API_MIN, filters);
  self->ping_url = g_strdup_printf ("%s/_ping", base);

  watch_connect (self);
  return self;
}

void
lifeboat_engine_watch_stop (LifeboatEngineWatch *self)
{
  g_return_if_fail (LIFEBOAT_IS_ENGINE_WATCH (self));

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->lines);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->changed_source, g_source_remove);
  g_clear_handle_id (&self->ping_source, g_source_remove);
}

LifeboatEngineWatchState
lifeboat_engine_watch_get_state (LifeboatEngineWatch *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_ENGINE_WATCH (self), LIFEBOAT_ENGINE_WATCH_GONE);
  return self->state;
}

gboolean
lifeboat_engine_watch_get_gone (LifeboatEngineWatch *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_ENGINE_WATCH (self), TRUE);
  return self->state == LIFEBOAT_ENGINE_WATCH_GONE;
}

const char *
lifeboat_engine_watch_get_reason (LifeboatEngineWatch *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_ENGINE_WATCH (self), NULL);
  return self->reason;
}

guint
lifeboat_engine_watch_get_n_events (LifeboatEngineWatch *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_ENGINE_WATCH (self), 0);
  return self->n_events;
}
