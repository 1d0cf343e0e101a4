/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli restore BACKUP|ARCHIVE...: a backup into a project, after its plan is shown */

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-restore-job.h"
#include "lifeboat-space.h"

#include "lifeboat-cli-private.h"

static gboolean
confirm (void)
{
  char answer[16] = { 0 };

  g_printerr ("%s ", _("Restore now? [y/N]"));
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  return answer[0] == 'y' || answer[0] == 'Y';
}

static void
print_restore_plan (LifeboatRestoreJob *job)
{
  GPtrArray *items = lifeboat_restore_job_get_items (job);
  const char * const *to_stop = lifeboat_restore_job_get_containers_to_stop (job);
  const char *backup_version = lifeboat_restore_job_get_backup_app_version (job);
  const char *target_version = lifeboat_restore_job_get_target_app_version (job);

  g_printerr (_("Restore into project “%s”:\n"), lifeboat_restore_job_get_target_project (job));
  for (guint i = 0; i < items->len; i++)
    {
      LifeboatRestoreItem *item = g_ptr_array_index (items, i);
      g_autofree char *base = g_path_get_basename (item->archive_path);
      g_autofree char *size = lifeboat_format_size ((gint64) item->archive_bytes);

      g_printerr ("  %-24s %10s  →  %s%s\n", base, size, item->volume_name,
                  item->volume_exists ? "" : _(" (will be created)"));
    }
  if (backup_version != NULL || target_version != NULL)
    g_printerr (_("CVAT version: backup %s, target %s\n"),
                backup_version ? backup_version : _("unknown"),
                target_version ? target_version : _("unknown"));
  if (to_stop != NULL && to_stop[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", (char **) to_stop);
      g_printerr (_("These containers will be stopped and started again: %s\n"), names);
    }
  g_printerr ("%s\n", _("The volumes’ current contents are kept as a safety backup first."));
}

int
_lifeboat_cli_restore (int    argc,
                       char **argv)
{
  g_autofree char *project = NULL;
  g_autofree char *volumes_str = NULL;
  gboolean yes = FALSE, ignore_version = FALSE, allow_empty = FALSE, new_project = FALSE;
  GOptionEntry entries[] = {
    { "project", 0, 0, G_OPTION_ARG_STRING, &project,
      N_("Compose project to restore into (default: the backup's)"), "NAME" },
    { "volumes", 0, 0, G_OPTION_ARG_STRING, &volumes_str,
      N_("Only these volumes (compose keys)"), "KEY,..." },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask for confirmation"), NULL },
    { "ignore-version", 0, 0, G_OPTION_ARG_NONE, &ignore_version,
      N_("Restore even into a different CVAT version"), NULL },
    { "allow-empty", 0, 0, G_OPTION_ARG_NONE, &allow_empty,
      N_("Let an archive without files empty a volume that holds data"), NULL },
    { "new-project", 0, 0, G_OPTION_ARG_NONE, &new_project,
      N_("The project named with --project does not exist yet: create its volumes"), NULL },
    { NULL }
  };
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(LifeboatRestoreJob) job = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) volumes = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("restore", "BACKUP_DIR|ARCHIVE...", entries, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return usage_error (_("“restore” needs a BACKUP_DIR or archives"));

  if (!parse_volumes_option (volumes_str, &volumes, &status))
    return status;

  if (!yes && !isatty (STDIN_FILENO))
    return usage_error (_("“restore” overwrites volumes: pass --yes to confirm when not on a "
                          "terminal"));

  if (!(client = open_client (&error)))
    return fail (error, _("Nothing was changed."));

  if (!(source = open_backup (argv[1], NULL, &error)))
    return fail (error, _("Nothing was changed."));
  job = lifeboat_restore_job_new (client, source);
  for (int i = 2; i < argc; i++)
    {
      g_autoptr(GFile) archive = g_file_new_for_commandline_arg (argv[i]);
      lifeboat_restore_job_add_archive (job, archive);
    }
  if (project != NULL)
    lifeboat_restore_job_set_project (job, project);
  lifeboat_restore_job_set_volumes (job, (const char * const *) volumes);
  lifeboat_restore_job_set_ignore_version (job, ignore_version);
  lifeboat_restore_job_set_allow_empty (job, allow_empty);
  lifeboat_restore_job_set_new_project (job, new_project);

  if (!lifeboat_restore_job_plan_sync (job, NULL, &error))
    return fail (error, _("Nothing was changed."));

  {
    g_autofree char *other = lifeboat_restore_dup_other_engine_warning (source, client);

    print_restore_plan (job);
    if (other != NULL)
      g_printerr ("%s\n", other);
  }

  if (!lifeboat_restore_job_get_version_matches (job))
    {
      if (!ignore_version)
        {
          g_printerr (_("lifeboat-cli: The backup is of CVAT %s, but the project runs CVAT %s. "
                        "%s Pass --ignore-version to restore anyway. Nothing was changed.\n"),
                      lifeboat_restore_job_get_backup_app_version (job),
                      lifeboat_restore_job_get_target_app_version (job),
                      lifeboat_restore_version_warning ());
          return EXIT_FAILED;
        }
      g_printerr (_("Warning: %s\n"), lifeboat_restore_version_warning ());
    }

  if (!yes && !confirm ())
    {
      g_printerr ("%s\n", _("Nothing was changed."));
      return EXIT_FAILED;
    }

  status = run_job (LIFEBOAT_JOB (job));
  if (status == EXIT_OK)
    g_print (_("Restored %s into project “%s”.\n"),
             g_file_peek_path (source) ? g_file_peek_path (source) : argv[1],
             lifeboat_restore_job_get_target_project (job));
  return status;
}
