/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tunnel: one ssh process (lifeboat-ssh-process.c) forwarding a private socket to the
 * remote engine's, started when needed and checked with a /_ping before it is handed out; a
 * socket of our own served by a proxy thread whose connections are relayed to ssh's
 * (lifeboat-ssh-relay.c); tunnels shared per URI, and ended at exit. A little over 800 lines:
 * the start, the proxy and the registry share the tunnel's lock and fields.
 */
#define G_LOG_DOMAIN "lifeboat-ssh"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixconnection.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <gio/gunixsocketaddress.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-private.h"
#include "lifeboat-ssh-tunnel.h"

#define START_TIMEOUT_US   (15 * G_USEC_PER_SEC)
/* how often the start looks for ssh's socket; ssh's exit and a cancel end the wait at once */
#define POLL_INTERVAL_US   (50 * 1000)

struct _LifeboatSshTunnel
{
  GObject       parent_instance;

  char         *uri;
  char         *user;
  char         *host;
  guint         port;
  char         *remote_socket;
  char         *local_socket;   /* ours, handed to clients */
  char         *local_uri;
  char         *ssh_socket;     /* ssh's -L end */

  GMutex        lock;
  LifeboatSshProc *proc;        /* current ssh, or NULL */
  char         *close_reason;
  guint         n_starts;
  GMainContext *owner_context;

  /* the proxy thread */
  GThread          *proxy_thread;
  GMainContext     *proxy_context;
  gint              proxy_quit;  /* atomic */
  GSocketListener  *listener;
  GCancellable     *proxy_cancellable;
  LifeboatSshRelays *relays;    /* the connections being copied */
};

G_DEFINE_FINAL_TYPE (LifeboatSshTunnel, lifeboat_ssh_tunnel, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_LOCAL_URI,
  PROP_OPEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* open tunnels, for the exit handler: an ssh must not outlive the program even when a
 * reference to its tunnel was leaked */
static GMutex live_lock;
static GHashTable *live_tunnels;

/* uri -> GWeakRef* to the open tunnel */
static GMutex registry_lock;
static GHashTable *registry;
static guint tunnel_counter;

static void tunnel_proc_exited (GObject         *owner,
                                LifeboatSshProc *sp);

/* why ssh ended while starting: one sentence per cause */
static GError *
start_error (LifeboatSshTunnel *self,
             LifeboatSshProc   *sp)
{
  g_autofree char *err = _lifeboat_ssh_proc_dup_stderr (sp);
  g_autofree char *where = _lifeboat_ssh_host_display (self->host, self->port);
  g_autofree char *line = NULL;
  GError *classified = lifeboat_ssh_error_from_stderr (err, where, self->remote_socket);

  if (classified != NULL)
    return classified;
  line = _lifeboat_ssh_last_line (err);
  return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH, _("SSH to %s ended (exit status %d)%s%s"),
                      where, g_subprocess_get_exit_status (_lifeboat_ssh_proc_get_subprocess (sp)),
                      line ? ": " : "", line ? line : "");
}

/* starts ssh and waits until a ping through its socket answers; a cancel ends ssh at once */
static LifeboatSshProc *
tunnel_start_ssh (LifeboatSshTunnel  *self,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autoptr(GPtrArray) argv = _lifeboat_ssh_argv_new (self->user, self->port);
  g_autoptr(LifeboatSshProc) sp = NULL;
  g_autofree char *where = _lifeboat_ssh_host_display (self->host, self->port);
  gint64 deadline;

  g_ptr_array_add (argv, g_strdup ("-N"));
  g_ptr_array_add (argv, g_strdup ("-L"));
  g_ptr_array_add (argv, g_strdup_printf ("%s:%s", self->ssh_socket, self->remote_socket));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("ExitOnForwardFailure=yes"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("ServerAliveInterval=10"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("ServerAliveCountMax=3"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("StreamLocalBindUnlink=yes"));
  if (!_lifeboat_ssh_argv_finish (argv, self->host, error))
    return NULL;
  g_ptr_array_add (argv, NULL);

  g_unlink (self->ssh_socket);
  sp = _lifeboat_ssh_proc_spawn ((char **) argv->pdata, G_OBJECT (self), tunnel_proc_exited,
                                 error);
  if (sp == NULL)
    return NULL;

  deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  for (;;)
    {
      g_autoptr(GError) classified = NULL;
      g_autofree char *answer = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          _lifeboat_ssh_proc_stop (sp);
          return NULL;
        }

      if (_lifeboat_ssh_proc_has_exited (sp))
        {
          g_propagate_error (error, start_error (self, sp));
          return NULL;
        }

      if (g_file_test (self->ssh_socket, G_FILE_TEST_EXISTS))
        {
          switch (_lifeboat_ssh_ping_socket (self->ssh_socket, cancellable, &answer))
            {
            case LIFEBOAT_SSH_PING_OK:
              return g_steal_pointer (&sp);

            case LIFEBOAT_SSH_PING_CLOSED:
              if (g_cancellable_is_cancelled (cancellable))
                continue;
              /* ssh prints "open failed" a moment after closing our connection */
              _lifeboat_ssh_proc_wait (sp, 300 * 1000, cancellable);
              classified = _lifeboat_ssh_probe_remote_socket (self->user, self->host, self->port,
                                                              self->remote_socket, cancellable);
              if (classified == NULL)
                {
                  g_autofree char *err = _lifeboat_ssh_proc_dup_stderr (sp);

                  classified = lifeboat_ssh_error_from_stderr (err, where, self->remote_socket);
                }
              if (classified == NULL)
                classified = g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                                          _("The engine socket %s on %s closed the connection "
                                            "without answering"), self->remote_socket, where);
              _lifeboat_ssh_proc_stop (sp);
              g_propagate_error (error, g_steal_pointer (&classified));
              return NULL;

            case LIFEBOAT_SSH_PING_BAD:
              _lifeboat_ssh_proc_stop (sp);
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,
                           _("%s on %s does not answer like a Docker engine (“%s”)"),
                           self->remote_socket, where, answer ? answer : "");
              return NULL;

            case LIFEBOAT_SSH_PING_NO_CONNECT:
            default:
              break;
            }
        }

      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *err = _lifeboat_ssh_proc_dup_stderr (sp);
          g_autofree char *line = _lifeboat_ssh_last_line (err);

          _lifeboat_ssh_proc_stop (sp);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_TIMED_OUT,
                       _("SSH to %s did not open the tunnel to %s within %d s%s%s"), where,
                       self->remote_socket, (int) (START_TIMEOUT_US / G_USEC_PER_SEC),
                       line ? ": " : "", line ? line : "");
          return NULL;
        }
      /* ends early when ssh exits or the caller cancels */
      _lifeboat_ssh_proc_wait (sp, POLL_INTERVAL_US, cancellable);
    }
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static gboolean
emit_closed_cb (gpointer data)
{
  g_autoptr(LifeboatSshTunnel) self = g_weak_ref_get (data);
  g_autofree char *reason = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  reason = lifeboat_ssh_tunnel_dup_close_reason (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason ? reason : _("ssh ended"));
  return G_SOURCE_REMOVE;
}


/* in ssh's watch thread: ssh ended on its own; record why and emit "closed" in the owner's
 * context, unless this ssh was still starting (the start reports that) */
static void
tunnel_proc_exited (GObject         *owner,
                    LifeboatSshProc *sp)
{
  LifeboatSshTunnel *self = LIFEBOAT_SSH_TUNNEL (owner);
  GSubprocess *proc = _lifeboat_ssh_proc_get_subprocess (sp);
  g_autofree char *err = NULL;
  g_autofree char *where = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) classified = NULL;
  GWeakRef *weak;
  gboolean current;
  char *reason;

  g_mutex_lock (&self->lock);
  current = self->proc == sp;
  g_mutex_unlock (&self->lock);
  if (!current)
    return;

  err = _lifeboat_ssh_proc_dup_stderr (sp);
  where = _lifeboat_ssh_host_display (self->host, self->port);
  classified = lifeboat_ssh_error_from_stderr (err, where, self->remote_socket);
  line = _lifeboat_ssh_last_line (err);
  if (classified != NULL)
    reason = g_strdup (classified->message);
  else if (g_subprocess_get_if_signaled (proc))
    reason = g_strdup_printf (_("The SSH tunnel to %s closed: ssh was killed by signal %d"),
                              where, g_subprocess_get_term_sig (proc));
  else if (line != NULL)
    reason = g_strdup_printf (_("The SSH tunnel to %s closed: %s"), where, line);
  else
    reason = g_strdup_printf (_("The SSH tunnel to %s closed: ssh ended with exit status %d"),
                              where, g_subprocess_get_exit_status (proc));

  g_mutex_lock (&self->lock);
  g_free (self->close_reason);
  self->close_reason = reason;
  g_mutex_unlock (&self->lock);
  g_message ("%s", reason);

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT, emit_closed_cb, weak,
                              weak_ref_free);
}

/* the current ssh, (re)started when it is gone; any thread */
static LifeboatSshProc *
tunnel_ensure_ssh (LifeboatSshTunnel  *self,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_autoptr(LifeboatSshProc) old = NULL;
  LifeboatSshProc *sp;

  g_mutex_lock (&self->lock);
  if (self->proc != NULL && !_lifeboat_ssh_proc_has_exited (self->proc))
    {
      sp = _lifeboat_ssh_proc_ref (self->proc);
      g_mutex_unlock (&self->lock);
      return sp;
    }
  old = g_steal_pointer (&self->proc);
  g_mutex_unlock (&self->lock);

  if (old != NULL)
    _lifeboat_ssh_proc_stop (old);

  sp = tunnel_start_ssh (self, cancellable, error);
  if (sp == NULL)
    return NULL;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->proc, _lifeboat_ssh_proc_unref);
  self->proc = _lifeboat_ssh_proc_ref (sp);
  self->n_starts++;
  g_clear_pointer (&self->close_reason, g_free);
  g_mutex_unlock (&self->lock);

  if (self->n_starts > 1)
    g_debug ("SSH tunnel to %s started again", self->uri);
  return sp;
}

/* ------------------------------------------------------------------------------------------ */
/* the proxy                                                                                   */

static void accept_next (LifeboatSshTunnel *self);

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LifeboatSshTunnel *self = user_data;
  g_autoptr(GSocketConnection) incoming = NULL;
  g_autoptr(GSocketConnection) outgoing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatSshProc) sp = NULL;

  incoming = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  if (incoming == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("SSH tunnel %s: accepting a connection failed: %s", self->uri,
                     error->message);
          accept_next (self);
        }
      return;
    }

  for (int attempt = 0; attempt < 2 && outgoing == NULL; attempt++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketAddress) address = NULL;

      g_clear_error (&error);
      g_clear_pointer (&sp, _lifeboat_ssh_proc_unref);
      sp = tunnel_ensure_ssh (self, self->proxy_cancellable, &error);
      if (sp == NULL)
        break;
      address = g_unix_socket_address_new (self->ssh_socket);
      outgoing = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address),
                                          self->proxy_cancellable, &error);
      if (outgoing == NULL)
        {
          /* ssh is gone or hung: end it so the next attempt starts a new one */
          g_mutex_lock (&self->lock);
          if (self->proc == sp)
            g_clear_pointer (&self->proc, _lifeboat_ssh_proc_unref);
          g_mutex_unlock (&self->lock);
          _lifeboat_ssh_proc_stop (sp);
        }
    }

  if (outgoing == NULL)
    {
      g_warning ("SSH tunnel %s: %s", self->uri, error ? error->message : "no connection");
      g_io_stream_close (G_IO_STREAM (incoming), NULL, NULL);
    }
  else if (!_lifeboat_ssh_relays_start (self->relays, incoming, outgoing, &error))
    {
      g_warning ("SSH tunnel %s: %s", self->uri, error->message);
      g_io_stream_close (G_IO_STREAM (incoming), NULL, NULL);
    }

  accept_next (self);
}

static void
accept_next (LifeboatSshTunnel *self)
{
  if (g_cancellable_is_cancelled (self->proxy_cancellable))
    return;
  g_socket_listener_accept_async (self->listener, self->proxy_cancellable, accept_cb, self);
}

static gpointer
proxy_thread_func (gpointer data)
{
  LifeboatSshTunnel *self = data;   /* dispose joins this thread first */

  g_main_context_push_thread_default (self->proxy_context);
  accept_next (self);
  /* not a GMainLoop: a quit asked before the loop ran would be lost */
  while (!g_atomic_int_get (&self->proxy_quit))
    g_main_context_iteration (self->proxy_context, TRUE);

  /* let the cancelled accept finish */
  g_cancellable_cancel (self->proxy_cancellable);
  while (g_main_context_iteration (self->proxy_context, FALSE))
    ;

  g_main_context_pop_thread_default (self->proxy_context);
  return NULL;
}

static gboolean
tunnel_start_proxy (LifeboatSshTunnel  *self,
                    GError            **error)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (self->local_socket);
  g_autoptr(GError) local_error = NULL;

  g_unlink (self->local_socket);
  self->proxy_context = g_main_context_new ();
  self->proxy_cancellable = g_cancellable_new ();
  self->relays = _lifeboat_ssh_relays_new ();
  self->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &local_error))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   _("Cannot listen on %s for the SSH tunnel: %s"), self->local_socket,
                   local_error->message);
      return FALSE;
    }
  g_chmod (self->local_socket, 0600);
  self->proxy_thread = g_thread_new ("lifeboat-ssh-proxy", proxy_thread_func, self);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* GObject                                                                                     */

static void
lifeboat_ssh_tunnel_dispose (GObject *object)
{
  LifeboatSshTunnel *self = LIFEBOAT_SSH_TUNNEL (object);
  g_autoptr(LifeboatSshProc) sp = NULL;

  g_debug ("closing the SSH tunnel to %s", self->uri);
  g_mutex_lock (&live_lock);
  if (live_tunnels != NULL)
    g_hash_table_remove (live_tunnels, self);
  g_mutex_unlock (&live_lock);
  g_mutex_lock (&registry_lock);
  if (registry != NULL && self->uri != NULL)
    {
      GWeakRef *wr = g_hash_table_lookup (registry, self->uri);

      if (wr != NULL)
        {
          g_autoptr(GObject) cur = g_weak_ref_get (wr);

          if (cur == NULL || cur == object)
            g_hash_table_remove (registry, self->uri);
        }
    }
  g_mutex_unlock (&registry_lock);

  if (self->proxy_thread != NULL)
    {
      g_atomic_int_set (&self->proxy_quit, TRUE);
      g_cancellable_cancel (self->proxy_cancellable);
      g_main_context_wakeup (self->proxy_context);
      g_thread_join (g_steal_pointer (&self->proxy_thread));
    }
  if (self->listener != NULL)
    g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  if (self->relays != NULL)
    {
      _lifeboat_ssh_relays_stop (self->relays);
      g_clear_pointer (&self->relays, _lifeboat_ssh_relays_unref);
    }

  g_mutex_lock (&self->lock);
  sp = g_steal_pointer (&self->proc);
  g_mutex_unlock (&self->lock);
  if (sp != NULL)
    _lifeboat_ssh_proc_stop (sp);

  if (self->local_socket != NULL)
    g_unlink (self->local_socket);
  if (self->ssh_socket != NULL)
    g_unlink (self->ssh_socket);

  G_OBJECT_CLASS (lifeboat_ssh_tunnel_parent_class)->dispose (object);
}

static void
lifeboat_ssh_tunnel_finalize (GObject *object)
{
  LifeboatSshTunnel *self = LIFEBOAT_SSH_TUNNEL (object);

  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->remote_socket, g_free);
  g_clear_pointer (&self->local_socket, g_free);
  g_clear_pointer (&self->local_uri, g_free);
  g_clear_pointer (&self->ssh_socket, g_free);
  g_clear_pointer (&self->close_reason, g_free);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_clear_pointer (&self->proxy_context, g_main_context_unref);
  g_clear_object (&self->proxy_cancellable);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lifeboat_ssh_tunnel_parent_class)->finalize (object);
}

static void
lifeboat_ssh_tunnel_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LifeboatSshTunnel *self = LIFEBOAT_SSH_TUNNEL (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;

    case PROP_LOCAL_URI:
      g_value_set_string (value, self->local_uri);
      break;

    case PROP_OPEN:
      g_value_set_boolean (value, lifeboat_ssh_tunnel_is_open (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_ssh_tunnel_class_init (LifeboatSshTunnelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lifeboat_ssh_tunnel_dispose;
  object_class->finalize = lifeboat_ssh_tunnel_finalize;
  object_class->get_property = lifeboat_ssh_tunnel_get_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCAL_URI] =
    g_param_spec_string ("local-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPEN] =
    g_param_spec_boolean ("open", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LifeboatSshTunnel::closed:
   * @reason: one sentence: why ssh ended
   *
   * ssh ended without being asked to (network lost, server gone, killed). Jobs running through
   * the tunnel fail; the next connection starts ssh again.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lifeboat_ssh_tunnel_init (LifeboatSshTunnel *self)
{
  g_mutex_init (&self->lock);
}

/* $XDG_RUNTIME_DIR/lifeboat, 0700 and ours */
static char *
ensure_runtime_dir (GError **error)
{
  const char *base = g_get_user_runtime_dir ();
  g_autofree char *dir = NULL;
  struct stat st;

  dir = g_build_filename (base, "lifeboat", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0 && errno != EEXIST)
    {
      int saved = errno;

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   _("Cannot create %s for the SSH tunnel: %s"), dir, g_strerror (saved));
      return NULL;
    }
  if (g_lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid ())
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   _("%s is not a folder of this user: not putting the SSH tunnel there"), dir);
      return NULL;
    }
  if ((st.st_mode & 0077) != 0)
    g_chmod (dir, 0700);
  return g_steal_pointer (&dir);
}

static void
close_live_tunnels_at_exit (void)
{
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&live_lock);
  g_hash_table_iter_init (&iter, live_tunnels);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      LifeboatSshTunnel *self = key;

      g_mutex_lock (&self->lock);
      if (self->proc != NULL)
        _lifeboat_ssh_proc_kill_at_exit (self->proc);
      g_mutex_unlock (&self->lock);
      g_unlink (self->local_socket);
      g_unlink (self->ssh_socket);
    }
  g_mutex_unlock (&live_lock);
}

/*
 * The tunnel's threads must not be the first to register a GType: GLib 2.74 can deadlock when
 * one thread registers GTask (g_type_add_interface_static) while another, inside a class_init
 * (libsoup's), waits for GTask's g_once (seen as a hung `lifeboat-cli backup`). Register what
 * they use here, in the caller's thread, before any of them starts.
 */
static void
ensure_types (void)
{
  g_type_ensure (G_TYPE_TASK);
  g_type_ensure (G_TYPE_CANCELLABLE);
  g_type_ensure (G_TYPE_SUBPROCESS);
  g_type_ensure (G_TYPE_SUBPROCESS_LAUNCHER);
  g_type_ensure (G_TYPE_SOCKET);
  g_type_ensure (G_TYPE_SOCKET_CLIENT);
  g_type_ensure (G_TYPE_SOCKET_LISTENER);
  g_type_ensure (G_TYPE_SOCKET_CONNECTION);
  g_type_ensure (G_TYPE_UNIX_CONNECTION);
  g_type_ensure (G_TYPE_TCP_CONNECTION);
  g_type_ensure (G_TYPE_UNIX_SOCKET_ADDRESS);
  g_type_ensure (G_TYPE_UNIX_INPUT_STREAM);
  g_type_ensure (G_TYPE_UNIX_OUTPUT_STREAM);
  g_type_ensure (G_TYPE_MEMORY_INPUT_STREAM);
  g_type_ensure (G_TYPE_MEMORY_OUTPUT_STREAM);
}

static LifeboatSshTunnel *
tunnel_open (const char    *uri,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(LifeboatSshTunnel) self = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(LifeboatSshProc) sp = NULL;
  guint n;

  ensure_types ();
  self = g_object_new (LIFEBOAT_TYPE_SSH_TUNNEL, NULL);

  if (!lifeboat_ssh_uri_parse (uri, &self->user, &self->host, &self->port,
                               &self->remote_socket, error))
    return NULL;
  self->uri = g_strdup (uri);
  self->owner_context = g_main_context_ref_thread_default ();

  dir = ensure_runtime_dir (error);
  if (dir == NULL)
    return NULL;
  n = g_atomic_int_add (&tunnel_counter, 1);
  self->local_socket = g_strdup_printf ("%s/ssh-%d-%u.sock", dir, (int) getpid (), n);
  self->ssh_socket = g_strdup_printf ("%s/ssh-%d-%u.ssh.sock", dir, (int) getpid (), n);
  self->local_uri = g_strconcat ("unix://", self->local_socket, NULL);

  sp = tunnel_ensure_ssh (self, cancellable, error);
  if (sp == NULL)
    {
      /* an unknown key: say which key, so it can be compared and accepted */
      if (error && *error && g_error_matches (*error, LIFEBOAT_ERROR,
                                              LIFEBOAT_ERROR_HOST_KEY_UNKNOWN))
        {
          g_clear_error (error);
          g_propagate_error (error, _lifeboat_ssh_host_key_unknown_error (uri, cancellable));
        }
      return NULL;
    }
  if (!tunnel_start_proxy (self, error))
    return NULL;

  g_mutex_lock (&live_lock);
  if (live_tunnels == NULL)
    {
      live_tunnels = g_hash_table_new (NULL, NULL);
      atexit (close_live_tunnels_at_exit);
    }
  g_hash_table_add (live_tunnels, self);
  g_mutex_unlock (&live_lock);

  return g_steal_pointer (&self);
}

LifeboatSshTunnel *
lifeboat_ssh_tunnel_acquire_sync (const char    *uri,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  LifeboatSshTunnel *tunnel = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lifeboat_ssh_uri_parse (uri, NULL, NULL, NULL, NULL, error))
    return NULL;

  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weak_ref_free);
  {
    GWeakRef *wr = g_hash_table_lookup (registry, uri);

    if (wr != NULL)
      tunnel = g_weak_ref_get (wr);
  }
  g_mutex_unlock (&registry_lock);

  if (tunnel != NULL)
    return tunnel;

  tunnel = tunnel_open (uri, cancellable, error);
  if (tunnel == NULL)
    return NULL;

  g_mutex_lock (&registry_lock);
  {
    GWeakRef *wr = g_new0 (GWeakRef, 1);

    g_weak_ref_init (wr, tunnel);
    g_hash_table_replace (registry, g_strdup (uri), wr);
  }
  g_mutex_unlock (&registry_lock);

  return tunnel;
}

static void
acquire_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  LifeboatSshTunnel *tunnel = lifeboat_ssh_tunnel_acquire_sync (task_data, cancellable, &error);

  if (tunnel == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tunnel, g_object_unref);
}

void
lifeboat_ssh_tunnel_acquire_async (const char         *uri,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lifeboat_ssh_tunnel_acquire_async);
  g_task_set_task_data (task, g_strdup (uri), g_free);
  g_task_run_in_thread (task, acquire_thread);
}

LifeboatSshTunnel *
lifeboat_ssh_tunnel_acquire_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
lifeboat_ssh_tunnel_get_uri (LifeboatSshTunnel *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), NULL);
  return self->uri;
}

const char *
lifeboat_ssh_tunnel_get_local_uri (LifeboatSshTunnel *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), NULL);
  return self->local_uri;
}

const char *
lifeboat_ssh_tunnel_get_local_socket (LifeboatSshTunnel *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), NULL);
  return self->local_socket;
}

const char *
lifeboat_ssh_tunnel_get_remote_socket (LifeboatSshTunnel *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), NULL);
  return self->remote_socket;
}

gboolean
lifeboat_ssh_tunnel_is_open (LifeboatSshTunnel *self)
{
  gboolean ret;

  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), FALSE);
  g_mutex_lock (&self->lock);
  ret = self->proc != NULL && !_lifeboat_ssh_proc_has_exited (self->proc);
  g_mutex_unlock (&self->lock);
  return ret;
}

char *
lifeboat_ssh_tunnel_dup_close_reason (LifeboatSshTunnel *self)
{
  char *ret;

  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), NULL);
  g_mutex_lock (&self->lock);
  ret = g_strdup (self->close_reason);
  g_mutex_unlock (&self->lock);
  return ret;
}

guint
lifeboat_ssh_tunnel_get_n_starts (LifeboatSshTunnel *self)
{
  guint ret;

  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), 0);
  g_mutex_lock (&self->lock);
  ret = self->n_starts;
  g_mutex_unlock (&self->lock);
  return ret;
}

GPid
lifeboat_ssh_tunnel_get_ssh_pid (LifeboatSshTunnel *self)
{
  GPid ret = 0;

  g_return_val_if_fail (LIFEBOAT_IS_SSH_TUNNEL (self), 0);
  g_mutex_lock (&self->lock);
  if (self->proc != NULL && !_lifeboat_ssh_proc_has_exited (self->proc))
    ret = _lifeboat_ssh_proc_get_pid (self->proc);
  g_mutex_unlock (&self->lock);
  return ret;
}
