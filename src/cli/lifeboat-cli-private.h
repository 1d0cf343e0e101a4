/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "lifeboat-docker-client.h"
#include "lifeboat-job.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-retention.h"

G_BEGIN_DECLS

/* What the files of src/cli/ share: lifeboat-cli.c (globals), lifeboat-cli-common.c (options,
 * output, the engine and the backup a command names), lifeboat-cli-run-job.c, and each command */

#define EXIT_OK     0
#define EXIT_FAILED 1
#define EXIT_USAGE  2

typedef struct
{
  char     *host;
  gboolean  json;
  gboolean  no_recovery;  /* recover: it recovers itself, with its own options */
  char     *password_file; /* --password-file: a restic repository's */
} Globals;

extern Globals globals;

/* lifeboat-cli-common.c */
int                   usage_error           (const char    *format,
                                             ...) G_GNUC_PRINTF (1, 2);
int                   fail                  (const GError  *error,
                                             const char    *aftermath);
void                  print_json            (JsonNode      *node);
void                  print_json_array      (JsonArray     *array);
LifeboatDockerClient *open_client           (GError       **error);
LifeboatResticRepository *
                      repository_new        (const char    *location);
void                  export_password_file  (void);
LifeboatResticRepository *
                      open_repository       (const char    *location,
                                             gboolean       create,
                                             GError       **error);
GFile                *open_backup           (const char                 *arg,
                                             LifeboatResticRepository  **repo_out,
                                             GError                    **error);
gboolean              parse_command_options (const char    *command,
                                             const char    *parameter,
                                             GOptionEntry  *entries,
                                             int           *argc,
                                             char        ***argv,
                                             int           *status);
char                **split_volumes         (const char    *list);
gboolean              parse_volumes_option  (const char    *list,
                                             char        ***volumes,
                                             int           *status);
char                 *dup_self_path         (void);

/* lifeboat-cli-run-job.c */
int                   run_job               (LifeboatJob   *job);

/* lifeboat-cli-prune.c: the work of prune, shared with schedule run */
GPtrArray            *prune_project         (const char              *project,
                                             const char * const      *destinations,
                                             const LifeboatRetention *policy,
                                             gboolean                 dry_run,
                                             GError                 **error);

/* the commands, one file each (lifeboat-cli-COMMAND.c) */
int                   _lifeboat_cli_hosts        (int argc, char **argv);
int                   _lifeboat_cli_projects     (int argc, char **argv);
int                   _lifeboat_cli_backup       (int argc, char **argv);
int                   _lifeboat_cli_restore      (int argc, char **argv);
int                   _lifeboat_cli_verify       (int argc, char **argv);
int                   _lifeboat_cli_export       (int argc, char **argv);
int                   _lifeboat_cli_history      (int argc, char **argv);
int                   _lifeboat_cli_recover      (int argc, char **argv);
int                   _lifeboat_cli_drill        (int argc, char **argv);
int                   _lifeboat_cli_schedule     (int argc, char **argv);
int                   _lifeboat_cli_schedule_run (int argc, char **argv);
int                   _lifeboat_cli_prune        (int argc, char **argv);
int                   _lifeboat_cli_monitor      (int argc, char **argv);

G_END_DECLS
