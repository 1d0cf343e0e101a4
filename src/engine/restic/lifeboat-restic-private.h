/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "lifeboat-archive.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restic-repository.h"

G_BEGIN_DECLS

#define LIFEBOAT_RESTIC_MANIFEST_PATH "/lifeboat.json"

/* ---- lifeboat-restic-repository.c: running restic ---- */

/* the location without a password in it, for messages */
const char  *_lifeboat_restic_get_display (LifeboatResticRepository  *self);
/* the password set on the repository (or its lookup's), or NULL; and its password file */
char        *_lifeboat_restic_dup_password      (LifeboatResticRepository  *self);
const char  *_lifeboat_restic_get_password_file (LifeboatResticRepository  *self);

/* restic ARGS... with the repository and the password in its environment (never its argv) */
GSubprocess *_lifeboat_restic_spawn     (LifeboatResticRepository  *self,
                                         GSubprocessFlags           flags,
                                         const char * const        *args,
                                         GError                   **error);
/* runs restic ARGS... to its end; its stdout in *@out (optional); an exit status other than
 * 0 is an error worded from its stderr */
gboolean     _lifeboat_restic_run       (LifeboatResticRepository  *self,
                                         const char * const        *args,
                                         GBytes                   **out,
                                         GCancellable              *cancellable,
                                         GError                   **error);
/* one sentence from what restic wrote on stderr when it failed */
void         _lifeboat_restic_set_error (LifeboatResticRepository  *self,
                                         GError                   **error,
                                         const char                *what,
                                         const char                *stderr_text);

/* the backup's manifest as stored (with its "restic" member naming each file's snapshot);
 * cached; NULL with G_IO_ERROR_NOT_FOUND when there is no complete backup @id */
JsonObject  *_lifeboat_restic_dup_manifest (LifeboatResticRepository  *self,
                                            const char                *id,
                                            GCancellable              *cancellable,
                                            GError                   **error);
/* the ID of backup @id's manifest snapshot; NULL with G_IO_ERROR_NOT_FOUND */
char        *_lifeboat_restic_dup_manifest_snapshot (LifeboatResticRepository  *self,
                                                     const char                *id,
                                                     GCancellable              *cancellable,
                                                     GError                   **error);
/* forgets what was cached about the repository's backups */
void         _lifeboat_restic_invalidate   (LifeboatResticRepository  *self);

/* ---- lifeboat-restic-stream.c: a snapshot's file as a stream ---- */

typedef void (*LifeboatResticProgressFunc) (guint64  bytes_done,
                                            gpointer user_data);

/*
 * `restic backup --stdin --stdin-filename @filename --tag …`: what is written is stored; close()
 * waits for restic and fails unless it made the snapshot. @progress gets restic's own
 * bytes_done (its --json status) from a thread. Cancelling @cancellable ends restic.
 */
GFileOutputStream *_lifeboat_restic_backup_stream_new (LifeboatResticRepository  *repo,
                                                       const char                *filename,
                                                       const char * const        *tags,
                                                       LifeboatResticProgressFunc progress,
                                                       gpointer                   user_data,
                                                       GCancellable              *cancellable,
                                                       GError                   **error);
/* closed, and restic made its snapshot */
gboolean           _lifeboat_restic_backup_stream_is_complete    (GFileOutputStream *stream);
/* the snapshot's ID (also when the stream failed but restic made one) and its data_added */
const char        *_lifeboat_restic_backup_stream_get_snapshot   (GFileOutputStream *stream);
guint64            _lifeboat_restic_backup_stream_get_data_added (GFileOutputStream *stream);

/* `restic dump @snapshot @path`: read() returns an error, not the end, unless restic
 * ended well */
GFileInputStream  *_lifeboat_restic_dump_stream_new   (LifeboatResticRepository  *repo,
                                                       const char                *snapshot,
                                                       const char                *path,
                                                       GError                   **error);

/* ---- lifeboat-restic-file.c: the repository as a GFile ---- */

#define LIFEBOAT_TYPE_RESTIC_FILE (lifeboat_restic_file_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatResticFile, lifeboat_restic_file, LIFEBOAT, RESTIC_FILE, GObject)

GFile *_lifeboat_restic_file_new (LifeboatResticRepository *repo,
                                  const char               *backup,
                                  const char               *name);

/* For LifeboatBackupJob: is @file in a repository; and there, the stream a volume's tar goes
 * into, whose @progress is restic's own (the bytes it has stored), not the tar's */
gboolean           _lifeboat_restic_is_file             (GFile                       *file);
GFileOutputStream *_lifeboat_restic_file_create_volume  (GFile                       *file,
                                                         LifeboatArchiveProgressFunc  progress,
                                                         gpointer                     user_data,
                                                         GCancellable                *cancellable,
                                                         GError                     **error);

G_END_DECLS
