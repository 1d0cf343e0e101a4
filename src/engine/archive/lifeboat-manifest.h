/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-project.h"
#include "lifeboat-types.h"

G_BEGIN_DECLS

/*
 * lifeboat.json, the manifest of a backup folder (CONTRACTS.md §3), written last.
 * Modelled on PostgreSQL's backup_manifest: format version, what made it, and per volume
 * enough to verify every archive (size, SHA-256, entries) and to restore it (mount path,
 * archive root, labels).
 */

#define LIFEBOAT_MANIFEST_NAME    "lifeboat.json"
#define LIFEBOAT_MANIFEST_FORMAT  1

typedef struct
{
  char                *key;
  char                *name;
  char                *driver;
  JsonObject          *labels;
  char                *mount_path;     /* "/var/lib/postgresql/data" */
  char                *archive_root;   /* "var/lib/postgresql/data" */
  char                *archive;        /* "cvat_db.tar.gz" */
  LifeboatCompression  compression;
  guint64              tar_bytes;
  guint64              archive_bytes;
  char                *sha256;
  guint64              entries;
  double               seconds;
} LifeboatManifestVolume;

typedef struct
{
  int         format;
  char       *lifeboat_version;
  char       *created;            /* ISO 8601 UTC */
  double      seconds;
  char       *engine_name;
  char       *engine_id;
  char       *engine_kind;
  char       *docker_version;
  char       *api_version;
  char       *engine_uri;
  char       *project;
  char       *working_dir;
  char      **config_files;
  char       *app_profile;        /* "cvat" or NULL */
  char       *app_version;        /* "v2.22.0" or NULL */
  JsonArray  *containers;         /* [{name, service, image, image_id, was_running}] */
  GPtrArray  *volumes;            /* LifeboatManifestVolume* */
} LifeboatManifest;

LifeboatManifest       *lifeboat_manifest_new         (void);
void                    lifeboat_manifest_free        (LifeboatManifest       *manifest);
LifeboatManifestVolume *lifeboat_manifest_volume_new  (void);
void                    lifeboat_manifest_volume_free (LifeboatManifestVolume *volume);

/* fills engine and project fields */
void                    lifeboat_manifest_set_source  (LifeboatManifest       *manifest,
                                                       LifeboatDockerClient   *client,
                                                       LifeboatProject        *project);
JsonNode               *lifeboat_manifest_to_json     (LifeboatManifest       *manifest);
/* writes @folder/lifeboat.json (0600) and fsyncs it */
gboolean                lifeboat_manifest_write       (LifeboatManifest       *manifest,
                                                       GFile                  *folder,
                                                       GCancellable           *cancellable,
                                                       GError                **error);
/* NULL with G_IO_ERROR_NOT_FOUND when there is no manifest, LIFEBOAT_ERROR_INVALID_BACKUP when
 * it cannot be read */
LifeboatManifest       *lifeboat_manifest_load        (GFile                  *folder,
                                                       GCancellable           *cancellable,
                                                       GError                **error);
LifeboatManifestVolume *lifeboat_manifest_find_volume (LifeboatManifest       *manifest,
                                                       const char             *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatManifest, lifeboat_manifest_free)

G_END_DECLS
