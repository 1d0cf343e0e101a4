/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * The engine's enums. gnome.mkenums_simple() makes their GTypes (lifeboat-enums.h:
 * LIFEBOAT_TYPE_COMPRESSION, LIFEBOAT_TYPE_JOB_KIND, ...) for g_param_spec_enum(); each
 * value's nick ("gzip", "safety-backup", "succeeded", "running") is the string that
 * lifeboat.json, the history and lifeboat-cli use, read and written by the functions below.
 */

typedef enum
{
  LIFEBOAT_COMPRESSION_GZIP,
  LIFEBOAT_COMPRESSION_ZSTD,
  LIFEBOAT_COMPRESSION_NONE,
} LifeboatCompression;

typedef enum
{
  LIFEBOAT_JOB_KIND_BACKUP,
  LIFEBOAT_JOB_KIND_RESTORE,
  LIFEBOAT_JOB_KIND_SAFETY_BACKUP,
  LIFEBOAT_JOB_KIND_RECOVERY,
  LIFEBOAT_JOB_KIND_DRILL,          /* a restore into scratch volumes (lifeboat-drill.c) */
} LifeboatJobKind;

typedef enum
{
  LIFEBOAT_JOB_PHASE_PREPARING,
  LIFEBOAT_JOB_PHASE_CHECKING,
  LIFEBOAT_JOB_PHASE_STOPPING,
  LIFEBOAT_JOB_PHASE_SAFETY_BACKUP,
  LIFEBOAT_JOB_PHASE_TRANSFERRING,
  LIFEBOAT_JOB_PHASE_SYNCING,
  LIFEBOAT_JOB_PHASE_STARTING,
  LIFEBOAT_JOB_PHASE_ROLLING_BACK,
  LIFEBOAT_JOB_PHASE_FINISHED,
} LifeboatJobPhase;

typedef enum
{
  LIFEBOAT_JOB_OUTCOME_RUNNING,
  LIFEBOAT_JOB_OUTCOME_SUCCEEDED,
  LIFEBOAT_JOB_OUTCOME_FAILED,
  LIFEBOAT_JOB_OUTCOME_CANCELLED,
  LIFEBOAT_JOB_OUTCOME_INTERRUPTED,   /* ended by a signal, a crash or the engine; recovered later */
  LIFEBOAT_JOB_OUTCOME_PRUNED,      /* a backup that retention removed (lifeboat-retention.c) */
} LifeboatJobOutcome;

typedef enum
{
  LIFEBOAT_CONTAINER_STATE_UNKNOWN,
  LIFEBOAT_CONTAINER_STATE_CREATED,
  LIFEBOAT_CONTAINER_STATE_RUNNING,
  LIFEBOAT_CONTAINER_STATE_PAUSED,
  LIFEBOAT_CONTAINER_STATE_RESTARTING,
  LIFEBOAT_CONTAINER_STATE_EXITED,
  LIFEBOAT_CONTAINER_STATE_DEAD,
} LifeboatContainerState;

/* the nick of @value in the enum @type, NULL when it has none; and back */
const char          *lifeboat_enum_to_nick              (GType                type,
                                                         int                  value);
gboolean             lifeboat_enum_from_nick            (GType                type,
                                                         const char          *nick,
                                                         int                 *value);

const char          *lifeboat_compression_to_string     (LifeboatCompression  compression);
gboolean             lifeboat_compression_from_string   (const char          *str,
                                                         LifeboatCompression *compression);
const char          *lifeboat_compression_get_extension (LifeboatCompression  compression);
const char          *lifeboat_job_kind_to_string        (LifeboatJobKind      kind);
gboolean             lifeboat_job_kind_from_string      (const char          *str,
                                                         LifeboatJobKind     *kind);
const char          *lifeboat_job_outcome_to_string     (LifeboatJobOutcome   outcome);
gboolean             lifeboat_job_outcome_from_string   (const char          *str,
                                                         LifeboatJobOutcome  *outcome);
LifeboatContainerState lifeboat_container_state_from_string (const char *str);
const char          *lifeboat_container_state_to_string (LifeboatContainerState state);

G_END_DECLS

#include "lifeboat-enums.h"
