/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * What the files of docker/ssh/ share, not for use outside it:
 *   lifeboat-ssh-uri.c        ssh command lines for a parsed ssh:// address
 *   lifeboat-ssh-errors.c     ssh's stderr → one LifeboatError per cause
 *   lifeboat-ssh-process.c    one supervised ssh process, and bounded one-off runs
 *   lifeboat-ssh-readiness.c  the /_ping through ssh's socket, the probe of the remote socket
 *   lifeboat-ssh-relay.c      copying connections to ssh's socket (splice threads)
 *   lifeboat-ssh-host-keys.c  scanning and accepting host keys
 *   lifeboat-ssh-tunnel.c     the tunnel object that ties them together
 */

#include <gio/gio.h>

G_BEGIN_DECLS

/* lifeboat-ssh-uri.c */

/* "ssh -o BatchMode=yes -o ControlPath=none [-p PORT] [-l USER]"; the caller adds its own
 * options, then _lifeboat_ssh_argv_finish() adds $LIFEBOAT_SSH_OPTIONS, "--" and the host */
GPtrArray *_lifeboat_ssh_argv_new      (const char  *user,
                                        guint        port);
gboolean   _lifeboat_ssh_argv_finish   (GPtrArray   *argv,
                                        const char  *host,
                                        GError     **error);
/* "host", "host:2222" or "[::1]:2222", for messages */
char      *_lifeboat_ssh_host_display  (const char  *host,
                                        guint        port);

/* lifeboat-ssh-errors.c */

/* the last non-empty line of ssh's stderr, without the "Permanently added" noise */
char      *_lifeboat_ssh_last_line        (const char *text);
/* the first "SHA256:..." in @text, or NULL */
char      *_lifeboat_ssh_find_fingerprint (const char *text);

/* lifeboat-ssh-process.c */

typedef struct _LifeboatSshProc LifeboatSshProc;

/* called in the process's watch thread when ssh ended without being stopped, with a strong
 * reference to the owner (skipped when the owner is gone) */
typedef void (*LifeboatSshProcExitedFunc) (GObject         *owner,
                                           LifeboatSshProc *proc);

LifeboatSshProc *_lifeboat_ssh_proc_spawn        (char                      **argv,
                                                  GObject                    *owner,
                                                  LifeboatSshProcExitedFunc   exited,
                                                  GError                    **error);
LifeboatSshProc *_lifeboat_ssh_proc_ref          (LifeboatSshProc  *proc);
void             _lifeboat_ssh_proc_unref        (LifeboatSshProc  *proc);
char            *_lifeboat_ssh_proc_dup_stderr   (LifeboatSshProc  *proc);
gboolean         _lifeboat_ssh_proc_has_exited   (LifeboatSshProc  *proc);
GPid             _lifeboat_ssh_proc_get_pid      (LifeboatSshProc  *proc);
GSubprocess     *_lifeboat_ssh_proc_get_subprocess (LifeboatSshProc *proc);
/* waits until ssh exits, @timeout_us passes or @cancellable is cancelled; TRUE if it exited */
gboolean         _lifeboat_ssh_proc_wait         (LifeboatSshProc  *proc,
                                                  gint64            timeout_us,
                                                  GCancellable     *cancellable);
/* SIGTERM, then SIGKILL after 3 s; returns when ssh is reaped (or after the bound) */
void             _lifeboat_ssh_proc_stop         (LifeboatSshProc  *proc);
/* for an exit handler: SIGTERM without waiting, and no "exited" call */
void             _lifeboat_ssh_proc_kill_at_exit (LifeboatSshProc  *proc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatSshProc, _lifeboat_ssh_proc_unref)

/* runs @argv (stdout and stderr silenced) and returns its exit status; -1 when it could not
 * run, was killed, was cancelled or did not end within @timeout_s (then it is killed) */
int    _lifeboat_ssh_run_bounded (const char * const  *argv,
                                  guint                timeout_s,
                                  GCancellable        *cancellable);
/* runs @argv with @input on stdin, returns its stdout; an error names its last stderr line */
char  *_lifeboat_ssh_run_capture (const char * const  *argv,
                                  const char          *input,
                                  GCancellable        *cancellable,
                                  GError             **error);

/* lifeboat-ssh-readiness.c */

typedef enum
{
  LIFEBOAT_SSH_PING_OK,
  LIFEBOAT_SSH_PING_NO_CONNECT,  /* the socket does not accept (yet) */
  LIFEBOAT_SSH_PING_CLOSED,      /* accepted, then closed unanswered: ssh cannot open the remote */
  LIFEBOAT_SSH_PING_BAD,         /* answered, but not 200 */
} LifeboatSshPing;

LifeboatSshPing _lifeboat_ssh_ping_socket          (const char    *path,
                                                    GCancellable  *cancellable,
                                                    char         **answer);
/* runs `test -S` on the host: NO_SOCKET, PERMISSION_DENIED, SSH (forwarding refused) or NULL
 * when it cannot tell */
GError         *_lifeboat_ssh_probe_remote_socket  (const char    *user,
                                                    const char    *host,
                                                    guint          port,
                                                    const char    *remote_socket,
                                                    GCancellable  *cancellable);

/* lifeboat-ssh-host-keys.c */

/* HOST_KEY_UNKNOWN naming the scanned fingerprint and how to accept it */
GError         *_lifeboat_ssh_host_key_unknown_error (const char   *uri,
                                                      GCancellable *cancellable);

/* lifeboat-ssh-relay.c */

typedef struct _LifeboatSshRelays LifeboatSshRelays;

LifeboatSshRelays *_lifeboat_ssh_relays_new   (void);
void               _lifeboat_ssh_relays_unref (LifeboatSshRelays  *relays);
/* copies @client ↔ @ssh until either side ends */
gboolean           _lifeboat_ssh_relays_start (LifeboatSshRelays  *relays,
                                               GSocketConnection  *client,
                                               GSocketConnection  *ssh,
                                               GError            **error);
/* ends every relay and waits (bounded) for their threads */
void               _lifeboat_ssh_relays_stop  (LifeboatSshRelays  *relays);

G_END_DECLS
