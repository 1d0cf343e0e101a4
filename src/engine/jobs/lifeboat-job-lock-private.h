/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * One job per project per engine, and a write-ahead journal of what it changes, both kept on
 * the engine so that every Lifeboat that reaches it sees them (CONTRACTS.md §5).
 *
 * The lock is a container named "lifeboat-lock-<project>" that never runs: the engine creates
 * a name once and answers 409 to every later create until it is removed, so taking the lock is
 * atomic. Its labels name the owner (host, user, process, job, since when) and what makes it
 * possible to tell that the owner is gone: on the same machine (same host name, boot and PID
 * namespace) the owner's process and its start time; elsewhere a heartbeat that the owner
 * writes into the journal every LIFEBOAT_LOCK_HEARTBEAT seconds (stale after
 * LIFEBOAT_LOCK_STALE_SECONDS, 300 by default, as restic's locks). A stale lock is taken over
 * by removing exactly that container (by its ID, so that two Lifeboats taking over at once
 * cannot remove each other's new lock) and creating the name again.
 *
 * The journal is a volume, "lifeboat-journal-<project>", mounted in the lock container at /j,
 * written through PUT /containers/{lock}/archive without running anything: one new small file
 * per step, "/j/<job>/<NNNN>-<step>.json", written before the step is taken. A half-written
 * newest file is ignored. A job's journal is finished when it holds an "end" step; the lock and
 * the volume are removed only then. Every entry is mirrored in a local file beside the history
 * (journal/<job>.jsonl) until the job ends.
 */

#define LIFEBOAT_LOCK_LABEL          "io.github.lifeboat.lock"
#define LIFEBOAT_JOB_LABEL           "io.github.lifeboat.job"
#define LIFEBOAT_LOCK_NAME_PREFIX    "lifeboat-lock-"
#define LIFEBOAT_JOURNAL_NAME_PREFIX "lifeboat-journal-"

typedef struct
{
  char   *host;
  char   *user;
  char   *program;
  int     pid;
  char   *job;
  char   *kind;
  char   *since;          /* ISO 8601 UTC */
  char   *boot_id;
  char   *pid_ns;
  char   *pid_start;
} LifeboatLockOwner;

/* The calling process as the owner of a job of @kind (@job: its id, may be NULL). The same
 * owner labels mark a lock and a drill's scratch containers and volumes. */
LifeboatLockOwner *_lifeboat_lock_owner_new_self    (LifeboatJobKind          kind,
                                                     const char              *job);
LifeboatLockOwner *_lifeboat_lock_owner_from_labels (JsonObject              *labels);
/* the owner's labels (io.github.lifeboat.owner.*), a new object */
JsonObject        *_lifeboat_lock_owner_to_labels   (const LifeboatLockOwner *owner);
/* TRUE when @owner ran on this machine and its process is gone (or the machine has booted
 * since); an owner on another machine is never judged by this */
gboolean           _lifeboat_lock_owner_process_gone (const LifeboatLockOwner *owner);
void               _lifeboat_lock_owner_free        (LifeboatLockOwner       *owner);
/* "a restore by alice on desk (lifeboat-cli, process 1234) since 14:02:11" */
char              *_lifeboat_lock_owner_describe    (const LifeboatLockOwner *owner);

/* One job's journal, read back: its entries in order. */
typedef struct
{
  char      *job;
  GPtrArray *entries;     /* JsonObject */
} LifeboatJournal;

void        _lifeboat_journal_free      (LifeboatJournal *journal);
/* the newest entry with this step, or NULL */
JsonObject *_lifeboat_journal_find      (LifeboatJournal *journal,
                                         const char      *step);
gboolean    _lifeboat_journal_has       (LifeboatJournal *journal,
                                         const char      *step);
/* the "begin" entry's string member, or NULL */
const char *_lifeboat_journal_get_begin (LifeboatJournal *journal,
                                         const char      *member);
/* whether the job ended (an "end" step) */
gboolean    _lifeboat_journal_is_finished (LifeboatJournal *journal);

typedef struct _LifeboatJobLock LifeboatJobLock;

/*
 * Takes the lock of @project. When it is held by a live owner: FALSE with LIFEBOAT_ERROR_BUSY
 * naming the owner and since when. A stale lock is taken over. @image: an image on the engine
 * to create the (never started) lock container from. @job_id may be NULL (a new one).
 * @mirror_dir: where the local mirror of the journal goes (may be NULL).
 */
LifeboatJobLock *_lifeboat_job_lock_acquire (LifeboatDockerClient *client,
                                             const char           *project,
                                             const char           *image,
                                             LifeboatJobKind       kind,
                                             const char           *job_id,
                                             GFile                *mirror_dir,
                                             GCancellable         *cancellable,
                                             GError              **error);
const char      *_lifeboat_job_lock_get_job_id   (LifeboatJobLock *lock);
const char      *_lifeboat_job_lock_get_project  (LifeboatJobLock *lock);
LifeboatDockerClient *_lifeboat_job_lock_get_client (LifeboatJobLock *lock);
/* the container's image (to make helpers from when the project has none) */
const char      *_lifeboat_job_lock_get_image    (LifeboatJobLock *lock);

/* The journals of earlier jobs of this project that did not end (interrupted), oldest first;
 * read when the lock was taken. A GPtrArray of LifeboatJournal, owned by the lock. */
GPtrArray       *_lifeboat_job_lock_get_unfinished (LifeboatJobLock *lock);
/* marks an earlier job's journal as finished (after its recovery): an "end" entry in it */
gboolean         _lifeboat_job_lock_finish_other (LifeboatJobLock *lock,
                                                  const char      *job_id,
                                                  const char      *outcome,
                                                  GError         **error);

/*
 * Appends one entry {"step": @step, "seq": N, "time": ..., members of @details} to this job's
 * journal on the engine (and the local mirror), before the step is taken. Never cancelled.
 * With LIFEBOAT_TEST_PAUSE_AT=@step in the environment it then writes "paused <step>" to
 * $LIFEBOAT_TEST_PAUSE_FILE and waits (at most 120 s) for the file to be removed: the
 * fault-injection tests kill or signal the job there.
 */
gboolean         _lifeboat_job_lock_journal (LifeboatJobLock *lock,
                                             const char      *step,
                                             JsonObject      *details,
                                             GError         **error);

/* The lock and the journal go (after this job's "end" entry). A lock whose job did not write
 * "end" is left for the next Lifeboat to recover. Frees @lock. */
void             _lifeboat_job_lock_release (LifeboatJobLock *lock);

/* A test point that is not a journal step (mid-stream and the like). */
void             _lifeboat_test_point       (const char      *step);

/*
 * Every lock (and orphaned journal volume) on the engine, for recovery on contact: a GPtrArray
 * of project names.
 */
GPtrArray       *_lifeboat_job_lock_list_projects (LifeboatDockerClient *client,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* The owner of @project's lock, or NULL (no lock; or @error). @stale_out: whether it is stale. */
LifeboatLockOwner *_lifeboat_job_lock_get_owner (LifeboatDockerClient *client,
                                                 const char           *project,
                                                 gboolean             *stale_out,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatLockOwner, _lifeboat_lock_owner_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatJournal, _lifeboat_journal_free)

G_END_DECLS
