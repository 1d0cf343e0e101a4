/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli backup PROJECT --to DIR|REPO: a project's volumes into a backup folder */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-backup-job.h"
#include "lifeboat-restic-repository.h"

#include "lifeboat-cli-private.h"

int
_lifeboat_cli_backup (int    argc,
                      char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *compression_str = NULL;
  g_autofree char *volumes_str = NULL;
  gboolean no_stop = FALSE, no_restart = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to,
      N_("Folder to write the backup folder into, or a restic repository"), "DIR|REPO" },
    { "compression", 0, 0, G_OPTION_ARG_STRING, &compression_str,
      N_("gzip (default, as the guide), zstd or none"), "KIND" },
    { "volumes", 0, 0, G_OPTION_ARG_STRING, &volumes_str,
      N_("Only these volumes (compose keys or names)"), "KEY,..." },
    { "no-stop", 0, 0, G_OPTION_ARG_NONE, &no_stop,
      N_("Do not stop the containers (the copy may be inconsistent)"), NULL },
    { "no-restart", 0, 0, G_OPTION_ARG_NONE, &no_restart,
      N_("Leave the containers stopped after the backup"), NULL },
    { NULL }
  };
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(LifeboatBackupJob) job = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) volumes = NULL;
  LifeboatCompression compression = LIFEBOAT_COMPRESSION_GZIP;
  int status = EXIT_OK;

  if (!parse_command_options ("backup", "PROJECT", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“backup” needs exactly one PROJECT"));
  if (to == NULL)
    return usage_error (_("“backup” needs --to DIR, the folder to write the backup into"));
  if (compression_str != NULL && !lifeboat_compression_from_string (compression_str, &compression))
    return usage_error (_("Unknown compression “%s”: use gzip, zstd or none"), compression_str);

  if (!parse_volumes_option (volumes_str, &volumes, &status))
    return status;

  if (lifeboat_restic_location_is_repository (to))
    {
      g_autoptr(LifeboatResticRepository) repo = NULL;

      /* restic compresses and deduplicates: it gets the plain tar streams */
      if (compression_str != NULL && compression != LIFEBOAT_COMPRESSION_NONE)
        return usage_error (_("A restic repository compresses by itself: leave out --compression"));
      compression = LIFEBOAT_COMPRESSION_NONE;
      if (!(repo = open_repository (to, TRUE, &error)))
        return fail (error, _("Nothing was changed."));
      destination = lifeboat_restic_repository_get_file (repo, NULL);
    }
  else
    destination = g_file_new_for_commandline_arg (to);

  if (!(client = open_client (&error)))
    return fail (error, _("Nothing was changed."));

  job = lifeboat_backup_job_new (client, argv[1], destination);
  lifeboat_backup_job_set_compression (job, compression);
  lifeboat_backup_job_set_volumes (job, (const char * const *) volumes);
  lifeboat_backup_job_set_stop (job, !no_stop);
  lifeboat_backup_job_set_restart (job, !no_restart);

  status = run_job (LIFEBOAT_JOB (job));
  if (status == EXIT_OK)
    {
      GFile *folder = lifeboat_job_get_folder (LIFEBOAT_JOB (job));
      g_autofree char *path = g_file_get_path (folder);
      g_autofree char *uri = path ? NULL : g_file_get_uri (folder);

      g_print ("%s\n", path ? path : uri);
    }

  return status;
}
