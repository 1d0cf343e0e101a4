/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "lifeboat-docker-client.h"

G_BEGIN_DECLS

/* What lifeboat-cli.c shares with the commands in the other files of src/cli/ */

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

int                   usage_error           (const char    *format,
                                             ...) G_GNUC_PRINTF (1, 2);
int                   fail                  (const GError  *error,
                                             const char    *aftermath);
void                  print_json            (JsonNode      *node);
char                 *format_size           (gint64         size);
char                 *format_duration       (double         seconds);
LifeboatDockerClient *open_client           (GError       **error);
gboolean              parse_command_options (const char    *command,
                                             const char    *parameter,
                                             GOptionEntry  *entries,
                                             int           *argc,
                                             char        ***argv,
                                             int           *status);
char                **split_volumes         (const char    *list);

/* lifeboat-cli-drill.c */
int                   _lifeboat_cli_drill    (int argc, char **argv);

/* lifeboat-cli-schedule.c: schedule, prune; lifeboat-cli-monitor.c: monitor */
int                   _lifeboat_cli_schedule (int argc, char **argv);
int                   _lifeboat_cli_prune    (int argc, char **argv);
int                   _lifeboat_cli_monitor  (int argc, char **argv);

G_END_DECLS
