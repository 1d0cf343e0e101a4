/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lifeboat-docker-client.h"

G_BEGIN_DECLS

/*
 * A restore drill: proves that a backup restores and its database starts, without touching
 * the project. The archives are verified, restored into scratch volumes on the same engine
 * (lifeboat-drill-<id>-<key>, labelled io.github.lifeboat.drill=<id> and with their owner's
 * labels, as a lock carries them: io.github.lifeboat.owner.*), the database container's image is started on the scratch database
 * volume with no network until it accepts connections (PostgreSQL: pg_isready, then its rows
 * counted; other images: their healthcheck, else still running after a while), and every
 * scratch volume and container is removed, also when cancelled. What a killed drill left is
 * removed by lifeboat_drill_remove_leftovers_sync() on the next contact.
 */

#define LIFEBOAT_DRILL_LABEL        "io.github.lifeboat.drill"
#define LIFEBOAT_DRILL_RESULT_NAME  "drill.json"

typedef struct
{
  gboolean   ok;
  char      *id;
  GDateTime *started;
  double     seconds;
  guint      volumes;        /* archives restored */
  char      *database;       /* the database volume's key, NULL when the backup has none */
  char      *image;          /* the image started on it */
  char      *check;          /* "pg_isready", "healthcheck" or "running 10 s" */
  gint64     rows;           /* rows counted, -1 when not counted */
  char      *error;          /* the one sentence when it failed */
} LifeboatDrillResult;

void                 lifeboat_drill_result_free (LifeboatDrillResult *result);
/* @folder/drill.json, NULL when the backup was never drilled */
LifeboatDrillResult *lifeboat_drill_result_load (GFile               *folder);

/*
 * Runs a drill of the backup @folder on @client's engine. Returns FALSE only when the drill
 * could not be run at all; a drill that ran and failed returns TRUE with @result->ok FALSE.
 * The result is written to @folder/drill.json and recorded in the history. Blocking.
 */
gboolean  lifeboat_drill_run_sync                  (LifeboatDockerClient  *client,
                                                    GFile                 *folder,
                                                    LifeboatDrillResult  **result,
                                                    GCancellable          *cancellable,
                                                    GError               **error);

/* Removes scratch volumes and containers of drills whose owner on this host is gone (its
 * process ended, or the machine rebooted since). Blocking. */
gboolean  lifeboat_drill_remove_leftovers_sync     (LifeboatDockerClient  *client,
                                                    GCancellable          *cancellable,
                                                    GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LifeboatDrillResult, lifeboat_drill_result_free)

G_END_DECLS
