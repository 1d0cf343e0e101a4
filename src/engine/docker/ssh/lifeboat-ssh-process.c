/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One supervised ssh process: spawned so that it dies with the program, its stderr collected
 * by a watch thread that also reaps it and tells the owner when it ended on its own; and
 * bounded one-off runs of ssh and its tools.
 */
#define G_LOG_DOMAIN "lifeboat-ssh"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-private.h"

#define STOP_TIMEOUT_US (3 * G_USEC_PER_SEC)

struct _LifeboatSshProc
{
  gatomicrefcount            ref;
  GMutex                     lock;
  GCond                      cond;
  GSubprocess               *proc;
  GPid                       pid;
  GString                   *err;
  gboolean                   exited;
  gboolean                   stopping;   /* we ended it: no "exited" call */
  GWeakRef                   owner;
  LifeboatSshProcExitedFunc  exited_func;
};

LifeboatSshProc *
_lifeboat_ssh_proc_ref (LifeboatSshProc *sp)
{
  g_atomic_ref_count_inc (&sp->ref);
  return sp;
}

void
_lifeboat_ssh_proc_unref (LifeboatSshProc *sp)
{
  if (g_atomic_ref_count_dec (&sp->ref))
    {
      g_clear_object (&sp->proc);
      g_string_free (sp->err, TRUE);
      g_weak_ref_clear (&sp->owner);
      g_mutex_clear (&sp->lock);
      g_cond_clear (&sp->cond);
      g_free (sp);
    }
}

char *
_lifeboat_ssh_proc_dup_stderr (LifeboatSshProc *sp)
{
  char *ret;

  g_mutex_lock (&sp->lock);
  ret = g_strdup (sp->err->str);
  g_mutex_unlock (&sp->lock);
  return ret;
}

gboolean
_lifeboat_ssh_proc_has_exited (LifeboatSshProc *sp)
{
  gboolean ret;

  g_mutex_lock (&sp->lock);
  ret = sp->exited;
  g_mutex_unlock (&sp->lock);
  return ret;
}

GPid
_lifeboat_ssh_proc_get_pid (LifeboatSshProc *sp)
{
  return sp->pid;
}

GSubprocess *
_lifeboat_ssh_proc_get_subprocess (LifeboatSshProc *sp)
{
  return sp->proc;
}

/* reads ssh's stderr until it closes, then reaps ssh */
static gpointer
watch_thread (gpointer data)
{
  g_autoptr(LifeboatSshProc) sp = data;
  GInputStream *err = g_subprocess_get_stderr_pipe (sp->proc);
  char buf[1024];
  gboolean stopping;

  for (;;)
    {
      gssize n = g_input_stream_read (err, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      g_mutex_lock (&sp->lock);
      /* ssh's first lines and its last say what happened */
      if (sp->err->len < 64 * 1024)
        g_string_append_len (sp->err, buf, n);
      g_mutex_unlock (&sp->lock);
    }

  g_subprocess_wait (sp->proc, NULL, NULL);

  g_mutex_lock (&sp->lock);
  sp->exited = TRUE;
  stopping = sp->stopping;
  g_cond_broadcast (&sp->cond);
  g_mutex_unlock (&sp->lock);

  g_debug ("ssh %d exited (status %d)%s", (int) sp->pid, g_subprocess_get_status (sp->proc),
           stopping ? ", as asked" : "");

  if (!stopping && sp->exited_func != NULL)
    {
      g_autoptr(GObject) owner = g_weak_ref_get (&sp->owner);

      if (owner != NULL)
        sp->exited_func (owner, sp);
    }
  return NULL;
}

static void
wake_waiters (GCancellable *cancellable,
              gpointer      data)
{
  LifeboatSshProc *sp = data;

  g_mutex_lock (&sp->lock);
  g_cond_broadcast (&sp->cond);
  g_mutex_unlock (&sp->lock);
}

gboolean
_lifeboat_ssh_proc_wait (LifeboatSshProc *sp,
                         gint64           timeout_us,
                         GCancellable    *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gulong handler = 0;
  gboolean exited;

  /* connected before the lock: the callback runs at once when already cancelled */
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_waiters), sp, NULL);
  g_mutex_lock (&sp->lock);
  while (!sp->exited && !g_cancellable_is_cancelled (cancellable))
    if (!g_cond_wait_until (&sp->cond, &sp->lock, deadline))
      break;
  exited = sp->exited;
  g_mutex_unlock (&sp->lock);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  return exited;
}

void
_lifeboat_ssh_proc_stop (LifeboatSshProc *sp)
{
  gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_US;

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

void
_lifeboat_ssh_proc_kill_at_exit (LifeboatSshProc *sp)
{
  g_mutex_lock (&sp->lock);
  sp->stopping = TRUE;
  if (!sp->exited && sp->pid > 0)
    kill (sp->pid, SIGTERM);
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
child_setup (gpointer user_data)
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
      g_subprocess_launcher_set_child_setup (launcher, child_setup,
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
spawn_from_spawner (char    **argv,
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

LifeboatSshProc *
_lifeboat_ssh_proc_spawn (char                      **argv,
                          GObject                    *owner,
                          LifeboatSshProcExitedFunc   exited,
                          GError                    **error)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GThread) thread = NULL;
  const char *ident;
  LifeboatSshProc *sp;

  proc = spawn_from_spawner (argv, &local_error);
  if (proc == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   _("Cannot run “%s” for the SSH tunnel: %s"), argv[0], local_error->message);
      return NULL;
    }

  sp = g_new0 (LifeboatSshProc, 1);
  g_atomic_ref_count_init (&sp->ref);
  g_mutex_init (&sp->lock);
  g_cond_init (&sp->cond);
  sp->proc = g_steal_pointer (&proc);
  ident = g_subprocess_get_identifier (sp->proc);
  sp->pid = ident ? (GPid) atoi (ident) : 0;
  sp->err = g_string_new (NULL);
  g_weak_ref_init (&sp->owner, owner);
  sp->exited_func = exited;

  thread = g_thread_new ("lifeboat-ssh-watch", watch_thread, _lifeboat_ssh_proc_ref (sp));
  return sp;
}

/* ------------------------------------------------------------------------------------------ */
/* one-off runs                                                                                */

typedef struct
{
  gboolean done;
  gboolean timed_out;
} RunState;

static void
run_waited_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  RunState *state = data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  state->done = TRUE;
}

static gboolean
run_timeout_cb (gpointer data)
{
  RunState *state = data;

  state->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
run_cancelled_cb (GCancellable *cancellable,
                  gpointer      data)
{
  return run_timeout_cb (data);
}

int
_lifeboat_ssh_run_bounded (const char * const *argv,
                           guint               timeout_s,
                           GCancellable       *cancellable)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GSource) timeout = NULL;
  RunState state = { FALSE, FALSE };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, NULL);
  if (proc == NULL)
    return -1;

  /* in a context of our own: callable from any thread, with or without a main loop */
  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (proc, NULL, run_waited_cb, &state);
  timeout = g_timeout_source_new_seconds (timeout_s);
  g_source_set_callback (timeout, run_timeout_cb, &state, NULL);
  g_source_attach (timeout, context);
  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

      g_source_set_callback (cancelled, G_SOURCE_FUNC (run_cancelled_cb), &state, NULL);
      g_source_attach (cancelled, context);
      while (!state.done && !state.timed_out)
        g_main_context_iteration (context, TRUE);
      g_source_destroy (cancelled);
    }
  else
    while (!state.done && !state.timed_out)
      g_main_context_iteration (context, TRUE);

  if (!state.done)
    {
      g_subprocess_force_exit (proc);
      /* the async wait ends now that the process is gone */
      while (!state.done)
        g_main_context_iteration (context, TRUE);
    }
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (state.timed_out || !g_subprocess_get_if_exited (proc))
    return -1;
  return g_subprocess_get_exit_status (proc);
}

char *
_lifeboat_ssh_run_capture (const char * const  *argv,
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
    {
      g_subprocess_force_exit (proc);
      return NULL;
    }
  if (!g_subprocess_get_successful (proc))
    {
      g_autofree char *line = _lifeboat_ssh_last_line (err);

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH, _("%s failed%s%s"), argv[0],
                   line ? ": " : "", line ? line : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}
