/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * A restic repository as a backup destination (issue 16): the location as restic spells it
 * ("/srv/repo", "local:/srv/repo", "sftp:user@host:/srv/repo", "rest:http://host:8000/",
 * "s3:…", "rclone:remote:path", …). Debian's `restic` (0.14) does the work; this object owns
 * its command lines (the only place that knows them, see lifeboat-restic-repository.c).
 *
 * A Lifeboat backup in a repository is one snapshot per volume (the volume's uncompressed tar
 * stream in the guide's layout, stored as /<key>.tar by `restic backup --stdin`) and, written
 * last, one snapshot of its manifest (/lifeboat.json). They carry the tags
 *   lifeboat, lifeboat-backup=<ID>, lifeboat-project=<project>, lifeboat-engine=<engine ID>
 * and the manifest's also lifeboat-manifest and lifeboat-app=<profile>:<version>. A backup is
 * complete when its manifest snapshot exists (as a backup folder is when lifeboat.json is).
 * <ID> is what the backup folder would be called: "<project>-<YYYYMMDD-HHMMSS>".
 *
 * A backup is named "<location>#<ID>" wherever Lifeboat takes a backup folder (restore,
 * verify, export): lifeboat_restic_repository_get_file() returns a GFile for it that reads
 * like a backup folder holding lifeboat.json and <key>.tar files (through `restic dump`).
 *
 * The password never goes on a command line: restic gets it from RESTIC_PASSWORD_FILE, from a
 * pipe (a password set here, e.g. from the Secret Service) or from the caller's own
 * RESTIC_PASSWORD_FILE / RESTIC_PASSWORD_COMMAND.
 */

#define LIFEBOAT_TYPE_RESTIC_REPOSITORY (lifeboat_restic_repository_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatResticRepository, lifeboat_restic_repository,
                      LIFEBOAT, RESTIC_REPOSITORY, GObject)

/* TRUE for a restic spelling (a backend prefix such as sftp:, or a local folder that holds a
 * restic repository); FALSE for a plain folder */
gboolean     lifeboat_restic_location_is_repository (const char *location);
/* "<location>#<ID>" -> location and ID; FALSE when @spec names no backup in a repository */
gboolean     lifeboat_restic_split_backup_name      (const char  *spec,
                                                     char       **location,
                                                     char       **backup_id);

/*
 * Where a repository's password comes from when none was set on it: the window looks it up in
 * the Secret Service. Returns a newly allocated password or NULL. Called from any thread.
 */
typedef char *(*LifeboatResticPasswordLookup) (const char *location);
void         lifeboat_restic_set_password_lookup    (LifeboatResticPasswordLookup lookup);

/* a backup location as the history keeps it: a restic repository (see above) or a folder */
GFile       *lifeboat_restic_location_new_file      (const char *location);

LifeboatResticRepository *lifeboat_restic_repository_new (const char *location);
const char  *lifeboat_restic_repository_get_location      (LifeboatResticRepository *self);
/* a file holding the password (restic's --password-file, through the environment) */
void         lifeboat_restic_repository_set_password_file (LifeboatResticRepository *self,
                                                           const char               *path);
/* the password itself, kept in memory and handed to each restic through a pipe */
void         lifeboat_restic_repository_set_password      (LifeboatResticRepository *self,
                                                           const char               *password);
/* TRUE when a password is known (set here or in restic's environment variables) */
gboolean     lifeboat_restic_repository_has_password      (LifeboatResticRepository *self);

/*
 * Opens the repository (checks the password); when there is none at the location and @create
 * is TRUE, creates it (`restic init`) and sets *@created. Errors are one sentence: wrong
 * password, no repository, locked, unreachable, restic missing. Blocking.
 */
gboolean     lifeboat_restic_repository_open_sync  (LifeboatResticRepository  *self,
                                                    gboolean                   create,
                                                    gboolean                  *created,
                                                    GCancellable              *cancellable,
                                                    GError                   **error);

typedef struct
{
  char      *id;            /* "cvat-20261206-201500" */
  char      *project;
  char      *engine_id;
  char      *app_version;   /* "cvat:v2.22.0" or NULL */
  GDateTime *time;          /* the manifest snapshot's */
  char      *manifest_snapshot;
} LifeboatResticBackup;

void         lifeboat_restic_backup_free (LifeboatResticBackup *backup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatResticBackup, lifeboat_restic_backup_free)

/* the complete backups, oldest first; @project NULL = all. Blocking. */
GPtrArray   *lifeboat_restic_repository_list_backups_sync (LifeboatResticRepository  *self,
                                                           const char                *project,
                                                           GCancellable              *cancellable,
                                                           GError                   **error);

/* `restic check` (the repository's structure; with @read_data also every pack). Blocking. */
gboolean     lifeboat_restic_repository_check_sync (LifeboatResticRepository  *self,
                                                    gboolean                   read_data,
                                                    GCancellable              *cancellable,
                                                    GError                   **error);

typedef struct
{
  guint last;
  guint daily;
  guint weekly;
  guint monthly;
} LifeboatResticKeep;

/*
 * Retention by whole backups: `restic forget --keep-…` decides on the project's manifests, then
 * every snapshot of each backup it drops is forgotten and `restic prune` frees their data.
 * @report gets one line naming what went. Blocking.
 */
gboolean     lifeboat_restic_repository_forget_sync (LifeboatResticRepository  *self,
                                                     const char                *project,
                                                     const LifeboatResticKeep  *keep,
                                                     gboolean                   dry_run,
                                                     char                     **report,
                                                     GCancellable              *cancellable,
                                                     GError                   **error);

/*
 * Whole backups removed, as retention chose them: every snapshot of each backup in @ids (and the
 * volumes' snapshots, older than a day, of backups that never completed) is forgotten, then
 * `restic prune` frees their data. *@forgotten is set once the snapshots are gone (a failing
 * prune after it leaves only unreferenced data, which the next prune frees). With @dry_run
 * only the counts are set. Blocking.
 */
gboolean     lifeboat_restic_repository_forget_backups_sync (LifeboatResticRepository  *self,
                                                             const char                *project,
                                                             const char * const        *ids,
                                                             gboolean                   dry_run,
                                                             guint                     *n_snapshots,
                                                             guint                     *n_orphans,
                                                             gboolean                  *forgotten,
                                                             GCancellable              *cancellable,
                                                             GError                   **error);

/*
 * A GFile for the repository (@backup_id NULL: a destination for LifeboatBackupJob, which
 * writes <ID>.partial into it and renames it to <ID> when complete) or for one backup in it
 * (a source for restores, verify and export).
 */
GFile       *lifeboat_restic_repository_get_file   (LifeboatResticRepository  *self,
                                                    const char                *backup_id);

/* the repository of a GFile from lifeboat_restic_repository_get_file() (NULL for any other
 * file), and the ID of the backup it names (NULL for the repository itself) */
LifeboatResticRepository *lifeboat_restic_file_get_repository (GFile *file);
const char  *lifeboat_restic_file_get_backup_id (GFile *file);

/*
 * A job the window runs in its worker (lifeboat-job-worker.h) on a repository: the
 * password known here (the Secret Service's) goes to that process through a pipe it inherits,
 * named by LIFEBOAT_RESTIC_PASSWORD_FD, never on its command line or in its environment; a
 * password file is named by RESTIC_PASSWORD_FILE. Nothing for a @file not in a repository.
 */
gboolean     lifeboat_restic_prepare_worker (GFile                *file,
                                             GSubprocessLauncher  *launcher,
                                             GError              **error);
/* In lifeboat-cli at its start: the password of LIFEBOAT_RESTIC_PASSWORD_FD read (the pipe
 * closed, the variable unset) and kept as the password lookup's answer for its repository. */
void         lifeboat_restic_take_worker_password (void);
/* In the worker, a place a job's settings name: a restic repository ("LOCATION"), one backup
 * in it ("LOCATION#ID"), opened (its password as above); else the folder at that path */
GFile       *lifeboat_restic_open_place_sync (const char    *place,
                                              GCancellable  *cancellable,
                                              GError       **error);

G_END_DECLS
