/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-types"

#include "config.h"

#include "lifeboat-types.h"

const char *
lifeboat_enum_to_nick (GType type,
                       int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  /* the class of a static type is never finalised: its nicks stay */
  g_type_class_unref (klass);
  return v != NULL ? v->value_nick : NULL;
}

gboolean
lifeboat_enum_from_nick (GType       type,
                         const char *nick,
                         int        *value)
{
  GEnumClass *klass;
  GEnumValue *v;

  if (nick == NULL)
    return FALSE;
  klass = g_type_class_ref (type);
  v = g_enum_get_value_by_nick (klass, nick);
  if (v != NULL)
    *value = v->value;
  g_type_class_unref (klass);
  return v != NULL;
}

const char *
lifeboat_compression_to_string (LifeboatCompression compression)
{
  const char *nick = lifeboat_enum_to_nick (LIFEBOAT_TYPE_COMPRESSION, compression);

  g_return_val_if_fail (nick != NULL, "gzip");
  return nick;
}

gboolean
lifeboat_compression_from_string (const char          *str,
                                  LifeboatCompression *compression)
{
  int value;

  g_return_val_if_fail (compression != NULL, FALSE);

  if (!lifeboat_enum_from_nick (LIFEBOAT_TYPE_COMPRESSION, str, &value))
    return FALSE;
  *compression = value;
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
  const char *nick = lifeboat_enum_to_nick (LIFEBOAT_TYPE_JOB_KIND, kind);

  g_return_val_if_fail (nick != NULL, "backup");
  return nick;
}

gboolean
lifeboat_job_kind_from_string (const char      *str,
                               LifeboatJobKind *kind)
{
  int value;

  if (!lifeboat_enum_from_nick (LIFEBOAT_TYPE_JOB_KIND, str, &value))
    return FALSE;
  *kind = value;
  return TRUE;
}

const char *
lifeboat_job_outcome_to_string (LifeboatJobOutcome outcome)
{
  const char *nick = lifeboat_enum_to_nick (LIFEBOAT_TYPE_JOB_OUTCOME, outcome);

  g_return_val_if_fail (nick != NULL, "failed");
  return nick;
}

gboolean
lifeboat_job_outcome_from_string (const char         *str,
                                  LifeboatJobOutcome *outcome)
{
  int value;

  if (!lifeboat_enum_from_nick (LIFEBOAT_TYPE_JOB_OUTCOME, str, &value))
    return FALSE;
  *outcome = value;
  return TRUE;
}

LifeboatContainerState
lifeboat_container_state_from_string (const char *str)
{
  int value;

  if (!lifeboat_enum_from_nick (LIFEBOAT_TYPE_CONTAINER_STATE, str, &value))
    return LIFEBOAT_CONTAINER_STATE_UNKNOWN;
  return value;
}

const char *
lifeboat_container_state_to_string (LifeboatContainerState state)
{
  const char *nick = lifeboat_enum_to_nick (LIFEBOAT_TYPE_CONTAINER_STATE, state);

  g_return_val_if_fail (nick != NULL, "unknown");
  return nick;
}
