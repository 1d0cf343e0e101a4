/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * What discovery found on an engine: compose projects, their containers and volumes.
 * Plain GObjects with read-only properties (named like the getters) for views to bind.
 */

#define LIFEBOAT_TYPE_CONTAINER (lifeboat_container_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatContainer, lifeboat_container, LIFEBOAT, CONTAINER, GObject)

const char            *lifeboat_container_get_id        (LifeboatContainer *self);
const char            *lifeboat_container_get_name      (LifeboatContainer *self);  /* no leading '/' */
const char            *lifeboat_container_get_service   (LifeboatContainer *self);  /* compose service or NULL */
const char            *lifeboat_container_get_image     (LifeboatContainer *self);  /* e.g. "cvat/server:v2.22.0" */
const char            *lifeboat_container_get_image_id  (LifeboatContainer *self);
LifeboatContainerState lifeboat_container_get_state     (LifeboatContainer *self);
gboolean               lifeboat_container_is_running    (LifeboatContainer *self);
/* services this one depends on (com.docker.compose.depends_on), NULL-terminated */
const char * const    *lifeboat_container_get_depends_on (LifeboatContainer *self);
int                    lifeboat_container_get_stop_timeout (LifeboatContainer *self);
/* the volumes it mounts: volume name -> mount path (destination) */
GHashTable            *lifeboat_container_get_mounts    (LifeboatContainer *self);

#define LIFEBOAT_TYPE_VOLUME (lifeboat_volume_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatVolume, lifeboat_volume, LIFEBOAT, VOLUME, GObject)

const char *lifeboat_volume_get_name        (LifeboatVolume *self);   /* "cvat_cvat_db" */
const char *lifeboat_volume_get_key         (LifeboatVolume *self);   /* "cvat_db" (compose key, else name) */
const char *lifeboat_volume_get_driver      (LifeboatVolume *self);
JsonObject *lifeboat_volume_get_labels      (LifeboatVolume *self);
/* absolute mount path in the containers, e.g. "/var/lib/postgresql/data"; NULL if unmounted */
const char *lifeboat_volume_get_mount_path  (LifeboatVolume *self);
/* the container to read it from (mounts it), NULL if none */
const char *lifeboat_volume_get_container   (LifeboatVolume *self);
/* every container that mounts it, NULL-terminated */
const char * const *lifeboat_volume_get_containers (LifeboatVolume *self);
/* bytes, -1 = unknown */
gint64      lifeboat_volume_get_size        (LifeboatVolume *self);
gboolean    lifeboat_volume_get_exists      (LifeboatVolume *self);
/* included in a backup by default (FALSE for caches an application profile marks) */
gboolean    lifeboat_volume_get_default_selected (LifeboatVolume *self);
/* why it is left out by default, or NULL */
const char *lifeboat_volume_get_note        (LifeboatVolume *self);
/* the archive's base name, e.g. "cvat_db" -> "cvat_db.tar.gz" */
const char *lifeboat_volume_get_archive_name (LifeboatVolume *self);

#define LIFEBOAT_TYPE_PROJECT (lifeboat_project_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatProject, lifeboat_project, LIFEBOAT, PROJECT, GObject)

const char *lifeboat_project_get_name         (LifeboatProject *self);
const char *lifeboat_project_get_working_dir  (LifeboatProject *self);
/* NULL-terminated */
const char * const *lifeboat_project_get_config_files (LifeboatProject *self);
/* GListModel of LifeboatContainer, in stop order reversed (dependencies first) */
GListModel *lifeboat_project_get_containers   (LifeboatProject *self);
/* GListModel of LifeboatVolume */
GListModel *lifeboat_project_get_volumes      (LifeboatProject *self);
LifeboatVolume    *lifeboat_project_find_volume    (LifeboatProject *self,
                                                    const char      *key_or_name);
LifeboatContainer *lifeboat_project_find_container (LifeboatProject *self,
                                                    const char      *name_or_id);
/* "cvat" when the CVAT profile recognised it, else NULL */
const char *lifeboat_project_get_app_profile  (LifeboatProject *self);
/* e.g. "v2.22.0"; NULL if unknown */
const char *lifeboat_project_get_app_version  (LifeboatProject *self);
/* "CVAT v2.22.0", "CVAT (version unknown)" or NULL */
char       *lifeboat_project_dup_app_label    (LifeboatProject *self);
gint64      lifeboat_project_get_total_size   (LifeboatProject *self);
JsonNode   *lifeboat_project_to_json          (LifeboatProject *self);

/* lifeboat-project-update.c: @self takes the state of @newer (the same project looked at
 * again). Containers (by name) and volumes (by name) that stay keep their objects, which
 * notify what changed ("state", "running", "size", ...); the others leave or enter the models.
 * Views bound to the models change in place. Main thread only. */
void        lifeboat_project_update_from      (LifeboatProject *self,
                                               LifeboatProject *newer);
/* the same for a GListStore of projects (by name) and the newer look's list */
void        lifeboat_projects_update_from     (GListStore      *projects,
                                               GListModel      *newer);

G_END_DECLS
