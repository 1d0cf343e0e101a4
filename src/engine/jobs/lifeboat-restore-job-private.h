/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/stat.h>

#include "lifeboat-history.h"
#include "lifeboat-manifest.h"
#include "lifeboat-project.h"
#include "lifeboat-restore-job.h"

G_BEGIN_DECLS

/* Shared by the restore's plan and check (lifeboat-restore-plan.c) and its writing
 * (lifeboat-restore-job.c). */

typedef struct
{
  LifeboatRestoreItem  item;          /* public part, must stay first */
  GFile               *archive;       /* a file, or one in a restic repository (no path) */
  JsonObject          *labels;        /* for a volume that has to be created */
  char                *driver;
  char                *helper_image;  /* image of a container that mounts the volume */
  gboolean             created;       /* the job created the volume */
  gboolean             touched;       /* the job moved aside or wrote into the volume */
  gboolean             root_declared; /* archive_root is the manifest's: the archive must match */
  int                  fd;            /* the archive, opened for the check: what is written */
  struct stat          checked;       /* ... and its state then */
  guint64              entries;       /* entries found by the check */
  char                *foreign_owner; /* the volume exists and belongs to this other project
                                       * ("" for none): not a target */
} Item;

struct _LifeboatRestoreJob
{
  LifeboatJob       parent_instance;

  GFile            *source;
  GPtrArray        *extra_archives;   /* GFile */
  char             *project_name;
  char            **volumes;
  gboolean          ignore_version;
  gboolean          allow_empty;
  gboolean          new_project;
  GFile            *safety_dir;
  guint             keep_safety_days;

  gboolean          planned;
  LifeboatProject  *project;          /* NULL if the project has no containers or volumes */
  LifeboatManifest *manifest;
  GPtrArray        *items;            /* Item* */
  char             *backup_version;
  char             *target_version;
  GPtrArray        *to_stop;          /* names, NULL-terminated */
};

void      _lifeboat_restore_item_free      (Item                *item);
/* Maps the archives to the target project's volumes; changes nothing. */
gboolean  _lifeboat_restore_plan           (LifeboatRestoreJob  *self,
                                            GCancellable        *cancellable,
                                            GError             **error);
/* Reads every archive completely (hostile entries, checksums, the declared layout) through
 * descriptors it keeps open, as many at once as there are cores. */
gboolean  _lifeboat_restore_check          (LifeboatRestoreJob  *self,
                                            GCancellable        *cancellable,
                                            GError             **error);
/* The archive to write from, and whether it is still what the check read. */
GFile    *_lifeboat_restore_item_open_file (Item                *item);
gboolean  _lifeboat_restore_item_unchanged (Item                *item,
                                            GError             **error);

/* The safety backup of a restore: the contents moved aside into @aside inside each of
 * @volume_names (of @project_name), read through a helper from @image, as a backup folder in
 * @safety_dir that @history records. Also used by the recovery to finish an interrupted
 * restore's safety copy. */
gboolean _lifeboat_restore_keep_safety (LifeboatDockerClient *client,
                                        const char           *project_name,
                                        const char           *image,
                                        const char           *aside,
                                        GPtrArray            *volume_names,
                                        GFile                *safety_dir,
                                        LifeboatHistory      *history,
                                        GCancellable         *cancellable,
                                        GFile               **folder_out,
                                        GError              **error);

/* Removes the safety backups in @dir older than @keep_days (0: keeps all), never @keep. */
void      _lifeboat_restore_prune_safety   (GFile               *dir,
                                            guint                keep_days,
                                            GFile               *keep);

G_END_DECLS
