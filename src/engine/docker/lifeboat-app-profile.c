/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-profile"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-app-profile.h"

/* CVAT: containers named like these, or an image cvat/server:TAG, make a CVAT stack */
static const char * const cvat_container_names[] = {
  "cvat_server", "cvat_db", "cvat_worker_import", "cvat_worker_export",
  "cvat_worker_annotation", "cvat_ui", "cvat_clickhouse", "cvat_opa", NULL
};

#define CVAT_SERVER_IMAGE  "cvat/server"
#define CVAT_VOLUME_PREFIX "cvat_"

/* Where CVAT mounts its volumes (CONTRACTS.md §1), both the older guide's layout
 * (cvat_events: Elasticsearch) and the current one (cvat_events_db: ClickHouse) */
static const struct {
  const char *key;
  const char *mount_path;
} cvat_mounts[] = {
  { "cvat_db", "/var/lib/postgresql/data" },
  { "cvat_data", "/home/django/data" },
  { "cvat_keys", "/home/django/keys" },
  { "cvat_logs", "/home/django/logs" },
  { "cvat_events_db", "/var/lib/clickhouse" },
  { "cvat_events", "/usr/share/elasticsearch/data" },
  { "cvat_inmem_db", "/data" },
  { "cvat_cache_db", "/var/lib/kvrocks" },
};

/* "cvat/server:v2.22.0@sha256:..." → "v2.22.0" */
static char *
image_tag (const char *image)
{
  const char *colon, *slash;

  if (image == NULL)
    return NULL;
  colon = strrchr (image, ':');
  slash = strrchr (image, '/');
  if (colon == NULL || (slash != NULL && slash > colon))
    return NULL;
  return g_strndup (colon + 1, strcspn (colon + 1, "@"));
}

const char *
lifeboat_app_profile_for_container (const char  *container_name,
                                    const char  *image,
                                    char       **version)
{
  gboolean is_cvat = FALSE;

  if (image != NULL && g_str_has_prefix (image, CVAT_SERVER_IMAGE))
    {
      g_autofree char *tag = image_tag (image);

      is_cvat = TRUE;
      if (version != NULL && g_strcmp0 (tag, "latest") != 0 && g_strcmp0 (tag, "dev") != 0)
        *version = g_steal_pointer (&tag);
    }
  if (container_name != NULL && g_strv_contains (cvat_container_names, container_name))
    is_cvat = TRUE;

  return is_cvat ? LIFEBOAT_APP_PROFILE_CVAT : NULL;
}

const char *
lifeboat_app_profile_for_volume_key (const char *volume_key)
{
  if (volume_key != NULL && g_str_has_prefix (volume_key, CVAT_VOLUME_PREFIX))
    return LIFEBOAT_APP_PROFILE_CVAT;
  return NULL;
}

const char *
lifeboat_app_profile_get_default_project (const char *profile)
{
  if (g_strcmp0 (profile, LIFEBOAT_APP_PROFILE_CVAT) == 0)
    return "cvat";
  return NULL;
}

const char *
lifeboat_app_profile_get_main_container (const char *profile)
{
  if (g_strcmp0 (profile, LIFEBOAT_APP_PROFILE_CVAT) == 0)
    return "cvat_server";
  return NULL;
}

gboolean
lifeboat_app_profile_volume_is_optional (const char  *profile,
                                         const char  *volume_key,
                                         const char **note)
{
  if (g_strcmp0 (profile, LIFEBOAT_APP_PROFILE_CVAT) == 0 &&
      g_strcmp0 (volume_key, "cvat_cache_db") == 0)
    {
      if (note != NULL)
        *note = _("CVAT’s media cache: CVAT rebuilds it, and it can hold tens of "
                  "gigabytes, so it is left out unless you choose it");
      return TRUE;
    }
  return FALSE;
}

const char *
lifeboat_app_profile_get_mount_path (const char *profile,
                                     const char *volume_key)
{
  if (g_strcmp0 (profile, LIFEBOAT_APP_PROFILE_CVAT) != 0)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (cvat_mounts); i++)
    if (g_strcmp0 (cvat_mounts[i].key, volume_key) == 0)
      return cvat_mounts[i].mount_path;
  return NULL;
}

char *
lifeboat_app_profile_dup_label (const char *profile,
                                const char *version)
{
  if (g_strcmp0 (profile, LIFEBOAT_APP_PROFILE_CVAT) != 0)
    return NULL;
  if (version != NULL)
    return g_strdup_printf ("CVAT %s", version);
  return g_strdup (_("CVAT (version unknown)"));
}
