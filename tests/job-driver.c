/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * job-driver HOST PROJECT DEST [VOLUME,…]: backs PROJECT up into DEST the way the window does —
 * a job at background priority run in lifeboat-cli ($LIFEBOAT_CLI, lifeboat_job_set_worker()) —
 * for the integration tests of that path over SSH and into restic repositories. Prints "in_worker=0|1 outcome=N folder=PATH" and the
 * error; exits 0 when the backup succeeded.
 *
 * DEST may be a restic repository: its password is read from $JOB_DRIVER_PASSWORD_FILE and kept
 * in memory, as the window keeps the Secret Service's (restic's own variables unset), so that it
 * reaches lifeboat-cli only through lifeboat_restic_prepare_worker()'s pipe.
 *
 * job-driver HOST --restore REPO#ID: restores that backup of a repository the same way (in
 * lifeboat-cli, the password through the pipe), into the project its manifest names.
 */

#include "config.h"

#include <stdio.h>

#include "lifeboat-backup-job.h"
#include "lifeboat-hosts.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-restore-job.h"

static void
done (GObject      *object,
      GAsyncResult *result,
      gpointer      data)
{
  g_autoptr(GError) error = NULL;
  LifeboatJob *job = LIFEBOAT_JOB (object);
  GFile *folder = lifeboat_job_get_folder (job);
  gboolean ok = lifeboat_job_run_finish (job, result, &error);

  g_print ("in_worker=%d outcome=%d folder=%s\n", lifeboat_job_get_in_worker (job),
           lifeboat_job_get_outcome (job),
           folder ? (g_file_peek_path (folder) ? g_file_peek_path (folder)
                                               : g_file_get_parse_name (folder)) : "-");
  if (error != NULL)
    g_printerr ("job-driver: %s\n", error->message);
  *(int *) data = ok ? 0 : 1;
}

/* a restic repository's file (@backup_id NULL: the repository), its password kept in memory as
 * the window keeps the Secret Service's */
static GFile *
repository_file (const char  *location,
                 const char  *backup_id,
                 GError     **error)
{
  g_autoptr(LifeboatResticRepository) repo = lifeboat_restic_repository_new (location);
  g_autofree char *password = NULL;
  const char *file = g_getenv ("JOB_DRIVER_PASSWORD_FILE");

  if (file == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "no password for %s: JOB_DRIVER_PASSWORD_FILE is not set", location);
      return NULL;
    }
  if (!g_file_get_contents (file, &password, NULL, error))
    return NULL;
  g_strchomp (password);
  g_unsetenv ("JOB_DRIVER_PASSWORD_FILE");
  g_unsetenv ("RESTIC_PASSWORD_FILE");
  g_unsetenv ("RESTIC_PASSWORD_COMMAND");
  g_unsetenv ("RESTIC_PASSWORD");
  lifeboat_restic_repository_set_password (repo, password);
  return lifeboat_restic_repository_get_file (repo, backup_id);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(LifeboatJob) job = NULL;
  g_autoptr(GFile) dest = NULL;
  g_autofree char *location = NULL;
  g_autofree char *backup_id = NULL;
  gboolean restore = argc == 4 && g_str_equal (argv[2], "--restore");
  int status = -1;

  if ((argc != 4 && argc != 5) || g_getenv ("LIFEBOAT_CLI") == NULL)
    {
      g_printerr ("usage: LIFEBOAT_CLI=PATH job-driver HOST PROJECT DEST [VOLUME,…]\n"
                  "       LIFEBOAT_CLI=PATH job-driver HOST --restore REPO#ID\n");
      return 2;
    }
  client = lifeboat_hosts_open_client (argv[1], NULL, &error);
  if (client == NULL)
    {
      g_printerr ("job-driver: %s\n", error->message);
      return 1;
    }

  if (restore)
    {
      if (!lifeboat_restic_split_backup_name (argv[3], &location, &backup_id))
        {
          g_printerr ("job-driver: --restore takes REPO#ID\n");
          return 2;
        }
      dest = repository_file (location, backup_id, &error);
    }
  else if (lifeboat_restic_location_is_repository (argv[3]))
    dest = repository_file (argv[3], NULL, &error);
  else
    dest = g_file_new_for_commandline_arg (argv[3]);
  if (dest == NULL)
    {
      g_printerr ("job-driver: %s\n", error->message);
      return 2;
    }

  if (restore)
    job = LIFEBOAT_JOB (lifeboat_restore_job_new (client, dest));
  else
    {
      job = LIFEBOAT_JOB (lifeboat_backup_job_new (client, argv[2], dest));
      if (argc == 5)
        {
          g_auto(GStrv) volumes = g_strsplit (argv[4], ",", -1);

          lifeboat_backup_job_set_volumes (LIFEBOAT_BACKUP_JOB (job),
                                           (const char * const *) volumes);
        }
    }
  lifeboat_job_set_background (job, TRUE);
  lifeboat_job_set_worker (job, g_getenv ("LIFEBOAT_CLI"));
  lifeboat_job_run_async (job, NULL, done, &status);
  while (status < 0)
    g_main_context_iteration (NULL, TRUE);
  return status;
}
