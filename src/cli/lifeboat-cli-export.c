/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli export BACKUP --to DIR: a guide-compatible folder of .tar.gz */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-restic-export.h"

#include "lifeboat-cli-private.h"

int
_lifeboat_cli_export (int    argc,
                      char **argv)
{
  g_autofree char *to = NULL;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, N_("Folder to write the backup folder into"), "DIR" },
    { NULL }
  };
  g_autoptr(GFile) backup = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("export", "BACKUP", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“export” needs exactly one BACKUP"));
  if (to == NULL)
    return usage_error (_("“export” needs --to DIR, the folder to write the backup folder into"));

  if (!(backup = open_backup (argv[1], NULL, &error)))
    return fail (error, _("Nothing was written."));
  destination = g_file_new_for_commandline_arg (to);
  if (!lifeboat_export_backup_sync (backup, destination, &folder, NULL, &error))
    return fail (error, _("Nothing was written."));

  g_print ("%s\n", g_file_peek_path (folder));
  return EXIT_OK;
}
