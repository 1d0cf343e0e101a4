/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-types"

#include "config.h"

#include <string.h>

#include "lifeboat-types.h"

const char *
lifeboat_compression_to_string (LifeboatCompression compression)
{
  switch (compression)
    {
    case LIFEBOAT_COMPRESSION_GZIP: return "gzip";
    case LIFEBOAT_COMPRESSION_ZSTD: return "zstd";
    case LIFEBOAT_COMPRESSION_NONE: return "none";
    default: g_return_val_if_reached ("gzip");
    }
}

gboolean
lifeboat_compression_from_string (const char          *str,
                                  LifeboatCompression *compression)
{
  g_return_val_if_fail (compression != NULL, FALSE);

  if (g_strcmp0 (str, "gzip") == 0)
    *compression = LIFEBOAT_COMPRESSION_GZIP;
  else if (g_strcmp0 (str, "zstd") == 0)
    *compression = LIFEBOAT_COMPRESSION_ZSTD;
  else if (g_strcmp0 (str, "none") == 0)
    *compression = LIFEBOAT_COMPRESSION_NONE;
  else
    return FALSE;

  return TRUE;
}

const char *
lifeboat_compression_get_extension (LifeboatCompression compression)
{
  switch (compression)
    {
    case LIFEBOAT_COMPRESSION_GZIP: return ".tar.gz";
    case LIFEBOAT_COMPRESSION_ZSTD: return ".tar.zst";
    case LIFEBOAT_COMPRESSION_NONE: return ".tar";
    default: g_return_val_if_reached (".tar.gz");
    }
}

const char *
lifeboat_job_kind_to_string (LifeboatJobKind kind)
{
  switch (kind)
    {
    case LIFEBOAT_JOB_KIND_BACKUP: return "backup";
    case LIFEBOAT_JOB_KIND_RESTORE: return "restore";
    case LIFEBOAT_JOB_KIND_SAFETY_BACKUP: return "safety-backup";
    case LIFEBOAT_JOB_KIND_RECOVERY: return "recovery";
    case LIFEBOAT_JOB_KIND_DRILL: return "drill";
    default: g_return_val_if_reached ("backup");
    }
}

const char *
lifeboat_job_outcome_to_string (LifeboatJobOutcome outcome)
{
  switch (outcome)
    {
    case LIFEBOAT_JOB_OUTCOME_RUNNING: return "running";
    case LIFEBOAT_JOB_OUTCOME_SUCCEEDED: return "succeeded";
    case LIFEBOAT_JOB_OUTCOME_FAILED: return "failed";
    case LIFEBOAT_JOB_OUTCOME_CANCELLED: return "cancelled";
    case LIFEBOAT_JOB_OUTCOME_INTERRUPTED: return "interrupted";
    case LIFEBOAT_JOB_OUTCOME_PRUNED: return "pruned";
    default: g_return_val_if_reached ("failed");
    }
}

static const char * const container_states[] = {
  [LIFEBOAT_CONTAINER_STATE_UNKNOWN] = "unknown",
  [LIFEBOAT_CONTAINER_STATE_CREATED] = "created",
  [LIFEBOAT_CONTAINER_STATE_RUNNING] = "running",
  [LIFEBOAT_CONTAINER_STATE_PAUSED] = "paused",
  [LIFEBOAT_CONTAINER_STATE_RESTARTING] = "restarting",
  [LIFEBOAT_CONTAINER_STATE_EXITED] = "exited",
  [LIFEBOAT_CONTAINER_STATE_DEAD] = "dead",
};

LifeboatContainerState
lifeboat_container_state_from_string (const char *str)
{
  for (guint i = 0; i < G_N_ELEMENTS (container_states); i++)
    if (g_strcmp0 (str, container_states[i]) == 0)
      return i;
  return LIFEBOAT_CONTAINER_STATE_UNKNOWN;
}

const char *
lifeboat_container_state_to_string (LifeboatContainerState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (container_states), "unknown");
  return container_states[state];
}
