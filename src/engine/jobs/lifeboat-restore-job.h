/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-job.h"

G_BEGIN_DECLS

/* One archive -> one volume, as planned before anything is changed. */
typedef struct
{
  char    *archive_path;   /* the .tar.gz / .tar.zst / .tar file */
  char    *key;            /* volume key, e.g. "cvat_db" */
  char    *volume_name;    /* e.g. "cvat_cvat_db" */
  char    *mount_path;     /* e.g. "/var/lib/postgresql/data" */
  char    *archive_root;   /* root inside the archive, known after check */
  guint64  archive_bytes;
  guint64  tar_bytes;      /* uncompressed, 0 until checked */
  gint64   current_size;   /* size of the volume now, -1 unknown */
  gboolean volume_exists;  /* FALSE: it will be created with its compose labels */
  char    *expected_sha256; /* from the manifest, or NULL */
} LifeboatRestoreItem;

#define LIFEBOAT_TYPE_RESTORE_JOB (lifeboat_restore_job_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatRestoreJob, lifeboat_restore_job, LIFEBOAT, RESTORE_JOB, LifeboatJob)

/* @source: a Lifeboat backup folder, a folder made with the guide's commands, or one archive */
LifeboatRestoreJob *lifeboat_restore_job_new          (LifeboatDockerClient *client,
                                                       GFile                *source);
/* more single archives (drag and drop of several .tar.gz) */
void                lifeboat_restore_job_add_archive  (LifeboatRestoreJob   *self,
                                                       GFile                *archive);
/* target project; default: the manifest's, else "cvat" for CVAT archives */
void                lifeboat_restore_job_set_project  (LifeboatRestoreJob   *self,
                                                       const char           *project);
/* only these keys; NULL = all in the backup */
void                lifeboat_restore_job_set_volumes  (LifeboatRestoreJob   *self,
                                                       const char * const   *volumes);
void                lifeboat_restore_job_set_ignore_version (LifeboatRestoreJob *self,
                                                             gboolean            ignore);
/* an archive without entries may empty a volume that holds data (default: refused) */
void                lifeboat_restore_job_set_allow_empty (LifeboatRestoreJob *self,
                                                          gboolean            allow);
/* the named project may not exist yet: its volumes are created (default: refused, so that a
 * mistyped name does not create a new project's volumes) */
void                lifeboat_restore_job_set_new_project (LifeboatRestoreJob *self,
                                                          gboolean            new_project);
/* where safety backups go; default $XDG_DATA_HOME/lifeboat/safety */
void                lifeboat_restore_job_set_safety_dir (LifeboatRestoreJob *self,
                                                         GFile              *dir);

/* safety backups older than this are removed after a successful restore; default 14, 0 = keep */
void                lifeboat_restore_job_set_keep_safety_days (LifeboatRestoreJob *self,
                                                               guint               days);

/*
 * Works out what would happen without changing anything: maps archives to volumes, reads
 * the manifest and compares the CVAT version. Blocking (engine calls), so call it in a
 * thread or use the async variant. Errors: not a backup, no archive matches a volume.
 */
gboolean            lifeboat_restore_job_plan_sync    (LifeboatRestoreJob   *self,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void                lifeboat_restore_job_plan_async   (LifeboatRestoreJob   *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            lifeboat_restore_job_plan_finish  (LifeboatRestoreJob   *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* after planning: LifeboatRestoreItem* owned by the job */
GPtrArray          *lifeboat_restore_job_get_items    (LifeboatRestoreJob   *self);
const char         *lifeboat_restore_job_get_target_project (LifeboatRestoreJob *self);
/* CVAT versions; NULL when unknown */
const char         *lifeboat_restore_job_get_backup_app_version (LifeboatRestoreJob *self);
const char         *lifeboat_restore_job_get_target_app_version (LifeboatRestoreJob *self);
/* FALSE when both are known and differ */
gboolean            lifeboat_restore_job_get_version_matches    (LifeboatRestoreJob *self);
/* names of the containers that will be stopped and started again */
const char * const *lifeboat_restore_job_get_containers_to_stop (LifeboatRestoreJob *self);
/* the guide's warning, translated */
const char         *lifeboat_restore_version_warning (void);

G_END_DECLS
