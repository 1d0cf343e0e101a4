/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Every fact Lifeboat knows about an application it backs up (today CVAT), in one place:
 * how its stack is recognised, its version, the container whose volumes the guide reads,
 * the volumes left out by default, and where each volume is mounted. Callers ask here and
 * never spell the facts themselves.
 */

#define LIFEBOAT_APP_PROFILE_CVAT "cvat"

/* LIFEBOAT_APP_PROFILE_CVAT when a container of this name or image belongs to a CVAT stack,
 * else NULL; *version (may be NULL) gets the tag of a cvat/server image unless it is
 * "latest" or "dev" */
const char *lifeboat_app_profile_for_container    (const char  *container_name,
                                                   const char  *image,
                                                   char       **version);
/* the profile whose volumes are keyed like @volume_key ("cvat_db" → "cvat"), or NULL */
const char *lifeboat_app_profile_for_volume_key   (const char  *volume_key);
/* the compose project the guide's stack is called ("cvat"), or NULL */
const char *lifeboat_app_profile_get_default_project (const char *profile);
/* the container the guide reads every volume from (--volumes-from), or NULL */
const char *lifeboat_app_profile_get_main_container (const char *profile);
/* TRUE when the volume is left out of a backup unless chosen; *note: why, translated */
gboolean    lifeboat_app_profile_volume_is_optional (const char  *profile,
                                                     const char  *volume_key,
                                                     const char **note);
/* where the application mounts the volume @volume_key, or NULL */
const char *lifeboat_app_profile_get_mount_path   (const char  *profile,
                                                   const char  *volume_key);
/* "CVAT 2.22.0", "CVAT (version unknown)"; NULL for no or an unknown profile */
char       *lifeboat_app_profile_dup_label        (const char  *profile,
                                                   const char  *version);

G_END_DECLS
