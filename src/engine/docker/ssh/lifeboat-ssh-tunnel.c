/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-ssh"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <stdlib.h>

#include <glib/gstdio.h>
#include <gio/gunixconnection.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <gio/gunixsocketaddress.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-tunnel.h"

#define START_TIMEOUT_US   (15 * G_USEC_PER_SEC)
#define PING_TIMEOUT_S     10
#define POLL_INTERVAL_US   (50 * 1000)

/* One ssh process. Shared by the tunnel and the thread that reads its stderr and reaps it. */
typedef struct
{
  gatomicrefcount  ref;
  GMutex           lock;
  GCond            cond;
  GSubprocess     *proc;
  GPid             pid;
  GString         *err;
  gboolean         exited;
  gboolean         stopping;   /* we ended it: no "closed" */
  int              status;
  GWeakRef         tunnel;
  GMainContext    *context;    /* where "closed" is emitted */
} SshProc;

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
  SshProc      *proc;           /* current ssh, or NULL */
  char         *close_reason;
  guint         n_starts;
  GMainContext *owner_context;

  /* the proxy thread */
  GThread          *proxy_thread;
  GMainContext     *proxy_context;
  gint              proxy_quit;  /* atomic */
  GSocketListener  *listener;
  GCancellable     *proxy_cancellable;
  struct _Relays   *relays;     /* the connections being copied */
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

/* ------------------------------------------------------------------------------------------ */
/* URIs and command lines                                                                      */

gboolean
lifeboat_ssh_uri_parse (const char  *uri,
                        char       **user,
                        char       **host,
                        guint       *port,
                        char       **remote_socket,
                        GError     **error)
{
  g_autofree char *u = NULL;
  g_autofree char *h = NULL;
  g_autofree char *path = NULL;
  g_autofree char *authority = NULL;
  const char *rest;
  const char *slash;
  const char *at;
  const char *hostport;
  guint p = 0;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (!g_str_has_prefix (uri, "ssh://"))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   "“%s” is not an ssh:// address (ssh://[user@]host[:port][/remote/socket])",
                   uri);
      return FALSE;
    }

  rest = uri + strlen ("ssh://");
  slash = strchr (rest, '/');
  authority = slash ? g_strndup (rest, slash - rest) : g_strdup (rest);
  if (slash != NULL && slash[1] != '\0')
    path = g_uri_unescape_string (slash, NULL);
  else
    path = g_strdup (LIFEBOAT_SSH_DEFAULT_REMOTE_SOCKET);
  if (path == NULL || strchr (path, '\n') != NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   "“%s”: the remote socket path is not valid", uri);
      return FALSE;
    }

  at = strrchr (authority, '@');
  if (at != NULL)
    {
      u = g_uri_unescape_segment (authority, at, NULL);
      hostport = at + 1;
      if (u == NULL || *u == '\0' || u[0] == '-' || strpbrk (u, " \t\n/:") != NULL)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       "“%s”: the user name is not valid", uri);
          return FALSE;
        }
    }
  else
    hostport = authority;

  if (hostport[0] == '[')
    {
      const char *close = strchr (hostport, ']');

      if (close == NULL)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       "“%s”: missing “]” after the IPv6 address", uri);
          return FALSE;
        }
      h = g_strndup (hostport + 1, close - hostport - 1);
      hostport = close + 1;
      if (*hostport != '\0' && *hostport != ':')
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       "“%s”: unexpected text after the IPv6 address", uri);
          return FALSE;
        }
    }
  else
    {
      const char *colon = strchr (hostport, ':');

      h = colon ? g_strndup (hostport, colon - hostport) : g_strdup (hostport);
      hostport = colon ? colon : hostport + strlen (hostport);
    }

  if (*hostport == ':')
    {
      guint64 v = 0;

      if (!g_ascii_string_to_unsigned (hostport + 1, 10, 1, 65535, &v, NULL))
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                       "“%s”: the port must be a number from 1 to 65535", uri);
          return FALSE;
        }
      p = (guint) v;
    }

  if (h == NULL || *h == '\0' || h[0] == '-' || strpbrk (h, " \t\n/@") != NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI,
                   "“%s” names no valid host (ssh://[user@]host[:port][/remote/socket])", uri);
      return FALSE;
    }

  if (user)
    *user = g_steal_pointer (&u);
  if (host)
    *host = g_steal_pointer (&h);
  if (port)
    *port = p;
  if (remote_socket)
    *remote_socket = g_steal_pointer (&path);
  return TRUE;
}

static gboolean
append_extra_options (GPtrArray  *argv,
                      GError    **error)
{
  const char *opts = g_getenv ("LIFEBOAT_SSH_OPTIONS");
  g_auto(GStrv) extra = NULL;
  g_autoptr(GError) local_error = NULL;

  if (opts == NULL || *opts == '\0')
    return TRUE;
  if (!g_shell_parse_argv (opts, NULL, &extra, &local_error))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   "LIFEBOAT_SSH_OPTIONS cannot be parsed: %s", local_error->message);
      return FALSE;
    }
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  return TRUE;
}

/* ssh [our options] [-p PORT] [-l USER] [$LIFEBOAT_SSH_OPTIONS] -- HOST; NULL-terminated
 * later by the caller, after it adds what it needs before the "--" */
static GPtrArray *
ssh_argv_new (const char *user,
              guint       port)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *ssh = g_getenv ("LIFEBOAT_SSH");

  g_ptr_array_add (argv, g_strdup (ssh && *ssh ? ssh : "ssh"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("BatchMode=yes"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("ControlPath=none"));
  if (port != 0)
    {
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", port));
    }
  if (user != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-l"));
      g_ptr_array_add (argv, g_strdup (user));
    }
  return argv;
}

static gboolean
ssh_argv_finish (GPtrArray   *argv,
                 const char  *host,
                 GError     **error)
{
  if (!append_extra_options (argv, error))
    return FALSE;
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (host));
  return TRUE;
}

static char *
host_display (const char *host,
              guint       port)
{
  if (port == 0)
    return g_strdup (host);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}

/* the last non-empty line of ssh's stderr, without the warning noise */
static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (int i = (int) g_strv_length (lines) - 1; i >= 0; i--)
    {
      g_strstrip (lines[i]);
      if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "Warning: Permanently added"))
        return g_strdup (lines[i]);
    }
  return NULL;
}

static char *
find_fingerprint (const char *text)
{
  const char *p = text ? strstr (text, "SHA256:") : NULL;
  const char *end;

  if (p == NULL)
    return NULL;
  end = p + strlen ("SHA256:");
  while (*end != '\0' && (g_ascii_isalnum (*end) || *end == '+' || *end == '/' || *end == '='))
    end++;
  return g_strndup (p, end - p);
}

GError *
lifeboat_ssh_error_from_stderr (const char *ssh_stderr,
                                const char *host,
                                const char *remote_socket)
{
  g_autofree char *line = NULL;

  if (ssh_stderr == NULL || *ssh_stderr == '\0')
    return NULL;

  line = last_line (ssh_stderr);
  if (host == NULL)
    host = "the server";
  if (remote_socket == NULL)
    remote_socket = LIFEBOAT_SSH_DEFAULT_REMOTE_SOCKET;

  if (strstr (ssh_stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") != NULL)
    {
      g_autofree char *fp = find_fingerprint (ssh_stderr);

      return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_CHANGED,
                          "The host key of %s has changed (it now shows %s): refusing to "
                          "connect; this can be an attack. If the server was reinstalled, "
                          "remove its old key with “ssh-keygen -R” and check the new one",
                          host, fp ? fp : "an unknown key");
    }
  if (strstr (ssh_stderr, "Host key verification failed") != NULL ||
      strstr (ssh_stderr, "host key is known for") != NULL)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_UNKNOWN,
                        "The host key of %s is not known yet; check its fingerprint and "
                        "accept it before connecting", host);
  if (strstr (ssh_stderr, "Permission denied (") != NULL ||
      strstr (ssh_stderr, "Too many authentication failures") != NULL)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_AUTH_FAILED,
                        "SSH login to %s was refused (ssh: “%s”); check the user name and "
                        "that your key is in the server's authorized_keys",
                        host, line ? line : "Permission denied");
  if (strstr (ssh_stderr, "Connection refused") != NULL ||
      strstr (ssh_stderr, "No route to host") != NULL ||
      strstr (ssh_stderr, "Could not resolve hostname") != NULL ||
      strstr (ssh_stderr, "Name or service not known") != NULL ||
      strstr (ssh_stderr, "Temporary failure in name resolution") != NULL ||
      strstr (ssh_stderr, "Network is unreachable") != NULL ||
      strstr (ssh_stderr, "timed out") != NULL ||
      strstr (ssh_stderr, "Timeout, server") != NULL ||
      strstr (ssh_stderr, "Connection closed by") != NULL ||
      strstr (ssh_stderr, "Connection reset") != NULL)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                        "Cannot reach %s over SSH: %s", host, line);
  if (strstr (ssh_stderr, "open failed") != NULL ||
      strstr (ssh_stderr, "connect failed") != NULL)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SOCKET,
                        "The engine socket %s on %s cannot be opened over SSH (ssh: “%s”; "
                        "is the engine running there, and is the user in the docker group?)",
                        remote_socket, host, line);
  if (strstr (ssh_stderr, "forwarding") != NULL)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                        "SSH to %s could not forward the engine socket: %s", host, line);
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* ssh processes                                                                               */

static SshProc *
ssh_proc_ref (SshProc *sp)
{
  g_atomic_ref_count_inc (&sp->ref);
  return sp;
}

static void
ssh_proc_unref (SshProc *sp)
{
  if (g_atomic_ref_count_dec (&sp->ref))
    {
      g_clear_object (&sp->proc);
      g_string_free (sp->err, TRUE);
      g_weak_ref_clear (&sp->tunnel);
      g_clear_pointer (&sp->context, g_main_context_unref);
      g_mutex_clear (&sp->lock);
      g_cond_clear (&sp->cond);
      g_free (sp);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshProc, ssh_proc_unref)

static char *
ssh_proc_dup_err (SshProc *sp)
{
  char *ret;

  g_mutex_lock (&sp->lock);
  ret = g_strdup (sp->err->str);
  g_mutex_unlock (&sp->lock);
  return ret;
}

static gboolean
ssh_proc_has_exited (SshProc *sp)
{
  gboolean ret;

  g_mutex_lock (&sp->lock);
  ret = sp->exited;
  g_mutex_unlock (&sp->lock);
  return ret;
}

typedef struct
{
  GWeakRef  tunnel;
  SshProc  *sp;
} ClosedNotify;

static void
closed_notify_free (gpointer data)
{
  ClosedNotify *cn = data;

  g_weak_ref_clear (&cn->tunnel);
  ssh_proc_unref (cn->sp);
  g_free (cn);
}

static gboolean
emit_closed_cb (gpointer data)
{
  ClosedNotify *cn = data;
  g_autoptr(LifeboatSshTunnel) self = g_weak_ref_get (&cn->tunnel);
  g_autofree char *reason = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  reason = lifeboat_ssh_tunnel_dup_close_reason (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason ? reason : "ssh ended");
  return G_SOURCE_REMOVE;
}

static void tunnel_proc_exited (LifeboatSshTunnel *self,
                                SshProc           *sp);

/* reads ssh's stderr until it closes, then reaps ssh */
static gpointer
ssh_proc_watch_thread (gpointer data)
{
  g_autoptr(SshProc) sp = data;
  GInputStream *err = g_subprocess_get_stderr_pipe (sp->proc);
  char buf[1024];
  gboolean stopping;

  for (;;)
    {
      gssize n = g_input_stream_read (err, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      g_mutex_lock (&sp->lock);
      /* keep the tail: ssh's first lines and its last say what happened */
      if (sp->err->len < 64 * 1024)
        g_string_append_len (sp->err, buf, n);
      g_mutex_unlock (&sp->lock);
    }

  g_subprocess_wait (sp->proc, NULL, NULL);

  g_mutex_lock (&sp->lock);
  sp->exited = TRUE;
  sp->status = g_subprocess_get_status (sp->proc);
  stopping = sp->stopping;
  g_cond_broadcast (&sp->cond);
  g_mutex_unlock (&sp->lock);

  g_debug ("ssh %d exited (status %d)%s", (int) sp->pid, sp->status,
           stopping ? ", as asked" : "");

  if (!stopping)
    {
      g_autoptr(LifeboatSshTunnel) tunnel = g_weak_ref_get (&sp->tunnel);

      gboolean current = FALSE;

      if (tunnel != NULL)
        {
          g_mutex_lock (&tunnel->lock);
          current = tunnel->proc == sp;
          g_mutex_unlock (&tunnel->lock);
        }
      /* an ssh that dies while starting is reported by the start, not as "closed" */
      if (current)
        {
          ClosedNotify *cn = g_new0 (ClosedNotify, 1);

          tunnel_proc_exited (tunnel, sp);
          g_weak_ref_init (&cn->tunnel, tunnel);
          cn->sp = ssh_proc_ref (sp);
          g_main_context_invoke_full (sp->context, G_PRIORITY_DEFAULT, emit_closed_cb, cn,
                                      closed_notify_free);
        }
    }
  return NULL;
}

/* asks ssh to end and waits for it (bounded) */
static void
ssh_proc_stop (SshProc *sp)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  g_mutex_lock (&sp->lock);
  sp->stopping = TRUE;
  if (!sp->exited)
    g_subprocess_send_signal (sp->proc, SIGTERM);
  while (!sp->exited)
    {
      if (!g_cond_wait_until (&sp->cond, &sp->lock, deadline))
        {
          if (!sp->exited)
            g_subprocess_force_exit (sp->proc);
          break;
        }
    }
  g_mutex_unlock (&sp->lock);
}

/*
 * ssh must end with the program even when the program is killed (SIGKILL, a crash): the child
 * asks for SIGTERM when its parent dies (PR_SET_PDEATHSIG). Linux sends that signal when the
 * *thread* that forked exits, so every ssh is forked by one thread that never exits.
 */
typedef struct
{
  char        **argv;
  GSubprocess  *proc;
  GError       *error;
  gboolean      done;
} SpawnRequest;

static GMutex spawn_lock;
static GCond spawn_cond;
static GAsyncQueue *spawn_queue;

static void
ssh_child_setup (gpointer user_data)
{
  /* a session of its own: a Ctrl-C or a closed terminal signals Lifeboat, which then still
   * needs the tunnel to put everything back; ssh goes when Lifeboat goes */
  setsid ();
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  /* the parent died before prctl: end now */
  if (getppid () != (pid_t) GPOINTER_TO_INT (user_data))
    _exit (1);
}

static gpointer
spawner_thread (gpointer data)
{
  for (;;)
    {
      SpawnRequest *req = g_async_queue_pop (spawn_queue);
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      GSubprocess *proc;
      GError *error = NULL;

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                            G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      /* ssh's messages are matched in English */
      g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
      g_subprocess_launcher_set_child_setup (launcher, ssh_child_setup,
                                             GINT_TO_POINTER ((int) getpid ()), NULL);
      proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) req->argv, &error);

      g_mutex_lock (&spawn_lock);
      req->proc = proc;
      req->error = error;
      req->done = TRUE;
      g_cond_broadcast (&spawn_cond);
      g_mutex_unlock (&spawn_lock);
    }
  return NULL;
}

static GSubprocess *
spawn_ssh (char    **argv,
           GError  **error)
{
  static gsize started;
  SpawnRequest req = { argv, NULL, NULL, FALSE };

  if (g_once_init_enter (&started))
    {
      spawn_queue = g_async_queue_new ();
      g_thread_unref (g_thread_new ("lifeboat-ssh-spawn", spawner_thread, NULL));
      g_once_init_leave (&started, 1);
    }

  g_async_queue_push (spawn_queue, &req);
  g_mutex_lock (&spawn_lock);
  while (!req.done)
    g_cond_wait (&spawn_cond, &spawn_lock);
  g_mutex_unlock (&spawn_lock);

  if (req.proc == NULL)
    g_propagate_error (error, req.error);
  return req.proc;
}

static SshProc *
ssh_proc_spawn (LifeboatSshTunnel  *self,
                char              **argv,
                GError            **error)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GThread) thread = NULL;
  const char *ident;
  SshProc *sp;

  proc = spawn_ssh (argv, &local_error);
  if (proc == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   "Cannot run “%s” for the SSH tunnel: %s", argv[0], local_error->message);
      return NULL;
    }

  sp = g_new0 (SshProc, 1);
  g_atomic_ref_count_init (&sp->ref);
  g_mutex_init (&sp->lock);
  g_cond_init (&sp->cond);
  sp->proc = g_steal_pointer (&proc);
  ident = g_subprocess_get_identifier (sp->proc);
  sp->pid = ident ? (GPid) atoi (ident) : 0;
  sp->err = g_string_new (NULL);
  g_weak_ref_init (&sp->tunnel, self);
  sp->context = g_main_context_ref (self->owner_context);

  thread = g_thread_new ("lifeboat-ssh-watch", ssh_proc_watch_thread, ssh_proc_ref (sp));
  return sp;
}

/* ------------------------------------------------------------------------------------------ */
/* readiness                                                                                   */

typedef enum
{
  PING_OK,
  PING_NO_CONNECT,   /* the socket does not accept (yet) */
  PING_CLOSED,       /* accepted, then closed without an answer: ssh could not open the remote */
  PING_BAD,          /* answered, but not 200 */
} PingResult;

static PingResult
ping_socket (const char    *path,
             GCancellable  *cancellable,
             char         **answer)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) conn = NULL;
  static const char request[] = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
  GOutputStream *out;
  GInputStream *in;
  char buf[512];
  gsize got = 0;

  g_socket_client_set_timeout (client, PING_TIMEOUT_S);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), cancellable, NULL);
  if (conn == NULL)
    return PING_NO_CONNECT;
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  if (!g_output_stream_write_all (out, request, sizeof request - 1, NULL, cancellable, NULL))
    return PING_CLOSED;
  while (got < sizeof buf - 1)
    {
      gssize n = g_input_stream_read (in, buf + got, sizeof buf - 1 - got, cancellable, NULL);

      if (n <= 0)
        break;
      got += n;
    }
  buf[got] = '\0';
  if (got == 0)
    return PING_CLOSED;
  if (answer)
    *answer = g_strndup (buf, strcspn (buf, "\r\n"));
  if (g_str_has_prefix (buf, "HTTP/1.") && strstr (buf, " 200 ") != NULL)
    return PING_OK;
  return PING_BAD;
}

/* runs a one-off ssh command on the host to tell a missing socket from a forbidden one */
static GError *
probe_remote_socket (LifeboatSshTunnel *self,
                     GCancellable      *cancellable)
{
  g_autoptr(GPtrArray) argv = ssh_argv_new (self->user, self->port);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *quoted = g_shell_quote (self->remote_socket);
  g_autofree char *script = NULL;
  g_autofree char *where = host_display (self->host, self->port);
  int status;

  g_ptr_array_add (argv, g_strdup ("-T"));
  if (!ssh_argv_finish (argv, self->host, NULL))
    return NULL;
  script = g_strdup_printf ("test -S %s || exit 3; test -r %s -a -w %s || exit 4; exit 0",
                            quoted, quoted, quoted);
  g_ptr_array_add (argv, g_steal_pointer (&script));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, NULL);
  if (proc == NULL)
    return NULL;

  /* bounded: the probe gets 15 s */
  for (int i = 0; i < 15 * 20; i++)
    {
      if (g_subprocess_get_identifier (proc) == NULL)
        break;
      if (g_cancellable_is_cancelled (cancellable))
        break;
      g_usleep (POLL_INTERVAL_US);
    }
  if (g_subprocess_get_identifier (proc) != NULL)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
      return NULL;
    }
  g_subprocess_wait (proc, NULL, NULL);
  if (!g_subprocess_get_if_exited (proc))
    return NULL;
  status = g_subprocess_get_exit_status (proc);
  if (status == 3)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SOCKET,
                        "There is no engine socket %s on %s (is Docker running there? Else "
                        "give its socket in the address: ssh://host/path/docker.sock)",
                        self->remote_socket, where);
  if (status == 4)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_PERMISSION_DENIED,
                        "The SSH user on %s may not use the engine socket %s "
                        "(is the user in the docker group?)",
                        where, self->remote_socket);
  if (status == 0)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                        "The SSH server on %s refused to forward the engine socket %s (it "
                        "exists and the user may use it): its sshd_config must allow it "
                        "(AllowStreamLocalForwarding yes, no DisableForwarding)",
                        where, self->remote_socket);
  return NULL;
}

/* starts ssh and waits until a ping through its socket answers */
static SshProc *
tunnel_start_ssh (LifeboatSshTunnel  *self,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autoptr(GPtrArray) argv = ssh_argv_new (self->user, self->port);
  g_autoptr(SshProc) sp = NULL;
  g_autofree char *where = host_display (self->host, self->port);
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
  if (!ssh_argv_finish (argv, self->host, error))
    return NULL;
  g_ptr_array_add (argv, NULL);

  g_unlink (self->ssh_socket);
  sp = ssh_proc_spawn (self, (char **) argv->pdata, error);
  if (sp == NULL)
    return NULL;

  deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  for (;;)
    {
      g_autoptr(GError) classified = NULL;
      g_autofree char *err = NULL;
      g_autofree char *answer = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ssh_proc_stop (sp);
          return NULL;
        }

      if (ssh_proc_has_exited (sp))
        {
          g_autofree char *line = NULL;

          err = ssh_proc_dup_err (sp);
          classified = lifeboat_ssh_error_from_stderr (err, where, self->remote_socket);
          if (classified != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&classified));
              return NULL;
            }
          line = last_line (err);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                       "SSH to %s ended (exit status %d)%s%s", where,
                       g_subprocess_get_exit_status (sp->proc),
                       line ? ": " : "", line ? line : "");
          return NULL;
        }

      if (g_file_test (self->ssh_socket, G_FILE_TEST_EXISTS))
        {
          switch (ping_socket (self->ssh_socket, cancellable, &answer))
            {
            case PING_OK:
              return g_steal_pointer (&sp);

            case PING_CLOSED:
              {
                /* ssh prints "open failed" a moment after closing our connection */
                g_usleep (300 * 1000);
                classified = probe_remote_socket (self, cancellable);
                if (classified == NULL)
                  {
                    err = ssh_proc_dup_err (sp);
                    classified = lifeboat_ssh_error_from_stderr (err, where, self->remote_socket);
                  }
                if (classified == NULL)
                  classified = g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                                            "The engine socket %s on %s closed the connection "
                                            "without answering", self->remote_socket, where);
                ssh_proc_stop (sp);
                g_propagate_error (error, g_steal_pointer (&classified));
                return NULL;
              }

            case PING_BAD:
              ssh_proc_stop (sp);
              g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,
                           "%s on %s does not answer like a Docker engine (“%s”)",
                           self->remote_socket, where, answer ? answer : "");
              return NULL;

            case PING_NO_CONNECT:
            default:
              break;
            }
        }

      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *line = NULL;

          err = ssh_proc_dup_err (sp);
          line = last_line (err);
          ssh_proc_stop (sp);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                       "SSH to %s did not open the tunnel to %s within %d s%s%s", where,
                       self->remote_socket, (int) (START_TIMEOUT_US / G_USEC_PER_SEC),
                       line ? ": " : "", line ? line : "");
          return NULL;
        }
      g_usleep (POLL_INTERVAL_US);
    }
}

static void
tunnel_proc_exited (LifeboatSshTunnel *self,
                    SshProc           *sp)
{
  g_autofree char *err = ssh_proc_dup_err (sp);
  g_autofree char *where = host_display (self->host, self->port);
  g_autoptr(GError) classified = lifeboat_ssh_error_from_stderr (err, where,
                                                                  self->remote_socket);
  g_autofree char *line = last_line (err);
  char *reason;

  if (classified != NULL)
    reason = g_strdup (classified->message);
  else if (g_subprocess_get_if_signaled (sp->proc))
    reason = g_strdup_printf ("The SSH tunnel to %s closed: ssh was killed by signal %d",
                              where, g_subprocess_get_term_sig (sp->proc));
  else if (line != NULL)
    reason = g_strdup_printf ("The SSH tunnel to %s closed: %s", where, line);
  else
    reason = g_strdup_printf ("The SSH tunnel to %s closed: ssh ended with exit status %d",
                              where, g_subprocess_get_exit_status (sp->proc));

  g_mutex_lock (&self->lock);
  g_free (self->close_reason);
  self->close_reason = reason;
  g_mutex_unlock (&self->lock);
  g_message ("%s", reason);
}

/* the current ssh, (re)started when it is gone; any thread */
static SshProc *
tunnel_ensure_ssh (LifeboatSshTunnel  *self,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_autoptr(SshProc) old = NULL;
  SshProc *sp;

  g_mutex_lock (&self->lock);
  if (self->proc != NULL && !ssh_proc_has_exited (self->proc))
    {
      sp = ssh_proc_ref (self->proc);
      g_mutex_unlock (&self->lock);
      return sp;
    }
  old = g_steal_pointer (&self->proc);
  g_mutex_unlock (&self->lock);

  if (old != NULL)
    ssh_proc_stop (old);

  sp = tunnel_start_ssh (self, cancellable, error);
  if (sp == NULL)
    return NULL;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->proc, ssh_proc_unref);
  self->proc = ssh_proc_ref (sp);
  self->n_starts++;
  g_clear_pointer (&self->close_reason, g_free);
  g_mutex_unlock (&self->lock);

  if (self->n_starts > 1)
    g_debug ("SSH tunnel to %s started again", self->uri);
  return sp;
}

/* ------------------------------------------------------------------------------------------ */
/* the proxy                                                                                   */

/*
 * Each connection to the local socket is copied to and from a connection to ssh's socket by
 * two threads with splice(2) (no copy through user space): twice the throughput of
 * g_io_stream_splice_async() here. Relays outlive the tunnel only as long as their threads run.
 */
typedef struct _Relays
{
  gatomicrefcount  ref;
  GMutex           lock;
  GCond            cond;
  GPtrArray       *active;      /* Relay* */
} Relays;

typedef struct
{
  gatomicrefcount     ref;
  Relays             *relays;
  GSocketConnection  *a;        /* the client */
  GSocketConnection  *b;        /* ssh */
  int                 fa;
  int                 fb;
  gint                running;  /* directions still copying */
} Relay;

typedef struct
{
  Relay *relay;
  int    from;
  int    to;
} RelayDirection;

static Relays *
relays_new (void)
{
  Relays *r = g_new0 (Relays, 1);

  g_atomic_ref_count_init (&r->ref);
  g_mutex_init (&r->lock);
  g_cond_init (&r->cond);
  r->active = g_ptr_array_new ();
  return r;
}

static Relays *
relays_ref (Relays *r)
{
  g_atomic_ref_count_inc (&r->ref);
  return r;
}

static void
relays_unref (Relays *r)
{
  if (g_atomic_ref_count_dec (&r->ref))
    {
      g_ptr_array_unref (r->active);
      g_mutex_clear (&r->lock);
      g_cond_clear (&r->cond);
      g_free (r);
    }
}

static void
relay_unref (Relay *relay)
{
  if (g_atomic_ref_count_dec (&relay->ref))
    {
      g_io_stream_close (G_IO_STREAM (relay->a), NULL, NULL);
      g_io_stream_close (G_IO_STREAM (relay->b), NULL, NULL);
      g_object_unref (relay->a);
      g_object_unref (relay->b);
      relays_unref (relay->relays);
      g_free (relay);
    }
}

static gboolean
set_blocking (int fd)
{
  int flags = fcntl (fd, F_GETFL);

  return flags >= 0 && fcntl (fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
}

/* copies one direction until EOF or an error, then passes the EOF on */
static gpointer
relay_direction_thread (gpointer data)
{
  RelayDirection *dir = data;
  Relay *relay = dir->relay;
  gboolean clean = FALSE;
  sigset_t set;
  int p[2];

  /* splice(2) into a socket whose peer went away raises SIGPIPE (there is no MSG_NOSIGNAL):
   * blocked in this thread, it only makes the call fail with EPIPE */
  sigemptyset (&set);
  sigaddset (&set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &set, NULL);

  if (pipe2 (p, O_CLOEXEC) == 0)
    {
      fcntl (p[1], F_SETPIPE_SZ, 1024 * 1024);
      for (;;)
        {
          ssize_t n = splice (dir->from, NULL, p[1], NULL, 1024 * 1024,
                              SPLICE_F_MOVE | SPLICE_F_MORE);

          if (n < 0 && errno == EINTR)
            continue;
          if (n == 0)
            clean = TRUE;
          if (n <= 0)
            break;
          while (n > 0)
            {
              ssize_t m = splice (p[0], NULL, dir->to, NULL, n, SPLICE_F_MOVE | SPLICE_F_MORE);

              if (m < 0 && errno == EINTR)
                continue;
              if (m <= 0)
                goto out;
              n -= m;
            }
        }
out:
      close (p[0]);
      close (p[1]);
    }

  if (clean)
    shutdown (dir->to, SHUT_WR);
  else
    {
      /* an error on one side ends both */
      shutdown (dir->from, SHUT_RDWR);
      shutdown (dir->to, SHUT_RDWR);
    }

  if (g_atomic_int_dec_and_test (&relay->running))
    {
      Relays *relays = relay->relays;

      g_mutex_lock (&relays->lock);
      g_ptr_array_remove_fast (relays->active, relay);
      g_cond_broadcast (&relays->cond);
      g_mutex_unlock (&relays->lock);
    }
  relay_unref (relay);
  g_free (dir);
  return NULL;
}

static gboolean
relay_start (Relays             *relays,
             GSocketConnection  *client,
             GSocketConnection  *ssh,
             GError            **error)
{
  Relay *relay;
  int fa = g_socket_get_fd (g_socket_connection_get_socket (client));
  int fb = g_socket_get_fd (g_socket_connection_get_socket (ssh));

  if (!set_blocking (fa) || !set_blocking (fb))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return FALSE;
    }

  relay = g_new0 (Relay, 1);
  g_atomic_ref_count_init (&relay->ref);
  relay->relays = relays_ref (relays);
  relay->a = g_object_ref (client);
  relay->b = g_object_ref (ssh);
  relay->fa = fa;
  relay->fb = fb;
  relay->running = 2;
  g_atomic_ref_count_inc (&relay->ref);   /* one reference per thread */

  g_mutex_lock (&relays->lock);
  g_ptr_array_add (relays->active, relay);
  g_mutex_unlock (&relays->lock);

  for (guint i = 0; i < 2; i++)
    {
      RelayDirection *dir = g_new0 (RelayDirection, 1);

      dir->relay = relay;
      dir->from = i == 0 ? fa : fb;
      dir->to = i == 0 ? fb : fa;
      g_thread_unref (g_thread_new ("lifeboat-ssh-relay", relay_direction_thread, dir));
    }
  return TRUE;
}

/* ends every relay and waits (bounded) for their threads */
static void
relays_stop (Relays *relays)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  g_mutex_lock (&relays->lock);
  for (guint i = 0; i < relays->active->len; i++)
    {
      Relay *relay = g_ptr_array_index (relays->active, i);

      shutdown (relay->fa, SHUT_RDWR);
      shutdown (relay->fb, SHUT_RDWR);
    }
  while (relays->active->len > 0)
    if (!g_cond_wait_until (&relays->cond, &relays->lock, deadline))
      break;
  g_mutex_unlock (&relays->lock);
}

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
  g_autoptr(SshProc) sp = NULL;

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
      g_clear_pointer (&sp, ssh_proc_unref);
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
            g_clear_pointer (&self->proc, ssh_proc_unref);
          g_mutex_unlock (&self->lock);
          ssh_proc_stop (sp);
        }
    }

  if (outgoing == NULL)
    {
      g_warning ("SSH tunnel %s: %s", self->uri, error ? error->message : "no connection");
      g_io_stream_close (G_IO_STREAM (incoming), NULL, NULL);
    }
  else if (!relay_start (self->relays, incoming, outgoing, &error))
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
  self->relays = relays_new ();
  self->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &local_error))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   "Cannot listen on %s for the SSH tunnel: %s", self->local_socket,
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
  g_autoptr(SshProc) sp = NULL;

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
      relays_stop (self->relays);
      g_clear_pointer (&self->relays, relays_unref);
    }

  g_mutex_lock (&self->lock);
  sp = g_steal_pointer (&self->proc);
  g_mutex_unlock (&self->lock);
  if (sp != NULL)
    ssh_proc_stop (sp);

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
                   "Cannot create %s for the SSH tunnel: %s", dir, g_strerror (saved));
      return NULL;
    }
  if (g_lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid ())
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   "%s is not a folder of this user: not putting the SSH tunnel there", dir);
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
      if (self->proc != NULL && self->proc->pid > 0 && !ssh_proc_has_exited (self->proc))
        {
          self->proc->stopping = TRUE;
          kill (self->proc->pid, SIGTERM);
        }
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
  g_autoptr(SshProc) sp = NULL;
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
      g_autoptr(GError) scan_error = NULL;
      g_autofree char *fp = NULL;
      g_autofree char *fp_word = NULL;

      /* an unknown key: say which key, so it can be compared and accepted */
      if (error && *error && g_error_matches (*error, LIFEBOAT_ERROR,
                                              LIFEBOAT_ERROR_HOST_KEY_UNKNOWN))
        {
          g_autofree char *where = host_display (self->host, self->port);
          g_autofree char *port_arg = self->port ? g_strdup_printf ("-p %u ", self->port)
                                                 : g_strdup ("");

          fp = lifeboat_ssh_scan_host_key_sync (uri, NULL, cancellable, &scan_error);
          /* "SHA256:abc (ED25519), ..." → "SHA256:abc", a word for a command line */
          fp_word = fp ? g_strndup (fp, strcspn (fp, " ,")) : NULL;
          g_clear_error (error);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_UNKNOWN,
                       "The host key of %s is not known yet: its fingerprint is %s. Compare "
                       "it with the server's (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub "
                       "there), then accept it: “lifeboat-cli hosts trust %s %s”, or connect once with "
                       "“ssh %s%s%s%s”",
                       where, fp ? fp : "unknown (ssh-keyscan failed)", uri,
                       fp_word ? fp_word : "SHA256:…", port_arg,
                       self->user ? self->user : "", self->user ? "@" : "", self->host);
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

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
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
  ret = self->proc != NULL && !ssh_proc_has_exited (self->proc);
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
  if (self->proc != NULL && !ssh_proc_has_exited (self->proc))
    ret = self->proc->pid;
  g_mutex_unlock (&self->lock);
  return ret;
}

/* ------------------------------------------------------------------------------------------ */
/* host keys                                                                                   */

static char *
run_capture (const char * const  *argv,
             const char          *input,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        (input ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0));
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (proc == NULL)
    return NULL;
  if (!g_subprocess_communicate_utf8 (proc, input, cancellable, &out, &err, error))
    return NULL;
  if (!g_subprocess_get_successful (proc))
    {
      g_autofree char *line = last_line (err);

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH, "%s failed%s%s", argv[0],
                   line ? ": " : "", line ? line : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* what ssh will really use for @host (`ssh -G`: ~/.ssh/config, -F ... of
 * LIFEBOAT_SSH_OPTIONS): the host name to connect to, the port and the first
 * UserKnownHostsFile (~ expanded). Out parameters may be NULL. */
static gboolean
ssh_effective_config (const char    *user,
                      const char    *host,
                      guint          port,
                      char         **real_host,
                      guint         *real_port,
                      char         **known_hosts,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GPtrArray) argv = ssh_argv_new (user, port);
  g_autofree char *config = NULL;
  g_autofree char *kh = NULL;
  g_autofree char *hn = NULL;
  g_auto(GStrv) lines = NULL;
  guint p = port ? port : 22;

  g_ptr_array_insert (argv, 1, g_strdup ("-G"));
  if (!ssh_argv_finish (argv, host, error))
    return FALSE;
  g_ptr_array_add (argv, NULL);
  config = run_capture ((const char * const *) argv->pdata, NULL, cancellable, error);
  if (config == NULL)
    return FALSE;
  lines = g_strsplit (config, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "userknownhostsfile ") && kh == NULL)
        {
          g_auto(GStrv) files = g_strsplit (lines[i] + strlen ("userknownhostsfile "), " ", -1);
          const char *first = files[0];

          if (first == NULL || *first == '\0')
            continue;
          if (g_str_has_prefix (first, "~/"))
            {
              struct passwd *pw = getpwuid (getuid ());
              const char *home = pw && pw->pw_dir ? pw->pw_dir : g_get_home_dir ();

              kh = g_build_filename (home, first + 2, NULL);
            }
          else
            kh = g_strdup (first);
        }
      else if (g_str_has_prefix (lines[i], "hostname ") && hn == NULL)
        hn = g_strstrip (g_strdup (lines[i] + strlen ("hostname ")));
      else if (g_str_has_prefix (lines[i], "port "))
        {
          guint64 v;

          if (g_ascii_string_to_unsigned (g_strstrip (lines[i] + strlen ("port ")), 10, 1,
                                          65535, &v, NULL))
            p = (guint) v;
        }
    }
  if (real_host)
    *real_host = hn && *hn ? g_steal_pointer (&hn) : g_strdup (host);
  if (real_port)
    *real_port = p;
  if (known_hosts)
    *known_hosts = kh ? g_steal_pointer (&kh)
                      : g_build_filename (g_get_home_dir (), ".ssh", "known_hosts", NULL);
  return TRUE;
}

char *
lifeboat_ssh_scan_host_key_sync (const char    *uri,
                                 char         **known_hosts_lines,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *real_host = NULL;
  g_autofree char *port_str = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GString) fps = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint port = 0;

  if (!lifeboat_ssh_uri_parse (uri, &user, &host, &port, NULL, error))
    return NULL;
  /* ssh-keyscan reads no ssh config: ask ssh which host and port it really uses */
  if (!ssh_effective_config (user, host, port, &real_host, &port, NULL, cancellable, error))
    return NULL;
  g_free (host);
  host = g_steal_pointer (&real_host);
  port_str = g_strdup_printf ("%u", port);

  {
    const char *argv[] = { "ssh-keyscan", "-T", "10", "-p", port_str, "--", host, NULL };

    keys = run_capture (argv, NULL, cancellable, error);
  }
  if (keys == NULL)
    return NULL;
  if (*keys == '\0')
    {
      g_autofree char *where = host_display (host, port);

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                   "ssh-keyscan got no host key from %s", where);
      return NULL;
    }
  {
    const char *argv[] = { "ssh-keygen", "-l", "-f", "-", NULL };

    listing = run_capture (argv, keys, cancellable, error);
  }
  if (listing == NULL)
    return NULL;

  /* "256 SHA256:xxxx [127.0.0.1]:2222 (ED25519)" */
  lines = g_strsplit (listing, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      guint n = g_strv_length (fields);

      if (n < 3 || !g_str_has_prefix (fields[1], "SHA256:"))
        continue;
      if (fps->len > 0)
        g_string_append (fps, ", ");
      g_string_append (fps, fields[1]);
      if (fields[n - 1][0] == '(')
        g_string_append_printf (fps, " %s", fields[n - 1]);
    }
  if (fps->len == 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   "ssh-keygen listed no fingerprint for the scanned keys");
      return NULL;
    }
  if (known_hosts_lines)
    *known_hosts_lines = g_steal_pointer (&keys);
  return g_string_free (g_steal_pointer (&fps), FALSE);
}

gboolean
lifeboat_ssh_accept_host_key_sync (const char    *uri,
                                   const char    *expected_fingerprint,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *fps = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *file = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GFile) gfile = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  guint port = 0;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (!lifeboat_ssh_uri_parse (uri, &user, &host, &port, NULL, error))
    return FALSE;
  fps = lifeboat_ssh_scan_host_key_sync (uri, &keys, cancellable, error);
  if (fps == NULL)
    return FALSE;
  if (expected_fingerprint != NULL)
    {
      g_autofree char *want = find_fingerprint (expected_fingerprint);
      g_auto(GStrv) got = g_strsplit (fps, ", ", -1);
      gboolean found = FALSE;

      for (guint i = 0; got[i] != NULL && want != NULL; i++)
        {
          g_autofree char *fp = find_fingerprint (got[i]);

          if (g_strcmp0 (fp, want) == 0)
            found = TRUE;
        }
      if (!found)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_CHANGED,
                       "The server now shows %s, not the fingerprint %s that was accepted: "
                       "nothing added to known_hosts", fps, expected_fingerprint);
          return FALSE;
        }
    }

  if (!ssh_effective_config (user, host, port, NULL, NULL, &file, cancellable, error))
    return FALSE;
  dir = g_path_get_dirname (file);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH, "Cannot create %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  gfile = g_file_new_for_path (file);
  out = g_file_append_to (gfile, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (out == NULL)
    return FALSE;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), keys, strlen (keys), NULL,
                                  cancellable, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error))
    {
      g_prefix_error (error, "Cannot add the host key to %s: ", file);
      return FALSE;
    }
  g_message ("Added the host key of %s (%s) to %s", host, fps, file);
  return TRUE;
}

typedef struct
{
  char *uri;
  char *fingerprint;
} AcceptData;

static void
accept_data_free (gpointer data)
{
  AcceptData *ad = data;

  g_free (ad->uri);
  g_free (ad->fingerprint);
  g_free (ad);
}

static void
accept_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AcceptData *ad = task_data;
  GError *error = NULL;

  if (lifeboat_ssh_accept_host_key_sync (ad->uri, ad->fingerprint, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lifeboat_ssh_accept_host_key_async (const char          *uri,
                                    const char          *expected_fingerprint,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  AcceptData *ad = g_new0 (AcceptData, 1);

  g_return_if_fail (uri != NULL);

  ad->uri = g_strdup (uri);
  ad->fingerprint = g_strdup (expected_fingerprint);
  g_task_set_source_tag (task, lifeboat_ssh_accept_host_key_async);
  g_task_set_task_data (task, ad, accept_data_free);
  g_task_run_in_thread (task, accept_thread);
}

gboolean
lifeboat_ssh_accept_host_key_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
lifeboat_ssh_error_dup_fingerprint (const GError *error)
{
  if (error == NULL || error->domain != LIFEBOAT_ERROR ||
      (error->code != LIFEBOAT_ERROR_HOST_KEY_UNKNOWN &&
       error->code != LIFEBOAT_ERROR_HOST_KEY_CHANGED))
    return NULL;
  return find_fingerprint (error->message);
}
