/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-project.h"

G_BEGIN_DECLS

struct _LifeboatContainer
{
  GObject                parent_instance;
  char                  *id;
  char                  *name;
  char                  *service;
  char                  *image;
  char                  *image_id;
  LifeboatContainerState state;
  char                 **depends_on;
  int                    stop_timeout;
  GHashTable            *mounts;  /* volume name -> destination */
  char                  *working_dir;
  char                  *config_files;
};

struct _LifeboatVolume
{
  GObject     parent_instance;
  char       *name;
  char       *key;
  char       *driver;
  JsonObject *labels;
  char       *mount_path;
  GPtrArray  *containers;  /* names, NULL-terminated */
  gint64      size;
  gboolean    exists;
  gboolean    default_selected;
  char       *note;
  char       *archive_name;
};

struct _LifeboatProject
{
  GObject     parent_instance;
  char       *name;
  char       *working_dir;
  char      **config_files;
  GListStore *containers;
  GListStore *volumes;
  char       *app_profile;
  char       *app_version;
};

LifeboatContainer *_lifeboat_container_new (void);
LifeboatVolume    *_lifeboat_volume_new    (void);
LifeboatProject   *_lifeboat_project_new   (const char *name);

G_END_DECLS
