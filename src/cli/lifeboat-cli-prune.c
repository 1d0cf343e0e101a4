/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli prune PROJECT --keep-…: old backups removed as restic forget --keep-* would;
 * prune_project() is also a schedule's retention after a good run */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-history.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-retention.h"

#include "lifeboat-cli-private.h"

static int
print_plan (GPtrArray *items,
            gboolean   dry_run)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dry_run");
  json_builder_add_boolean_value (b, dry_run);
  json_builder_set_member_name (b, "backups");
  json_builder_begin_array (b);
  for (guint i = 0; i < items->len; i++)
    {
      LifeboatRetentionItem *item = g_ptr_array_index (items, i);
      g_autofree char *when = item->created ? g_date_time_format (item->created, "%Y-%m-%d %H:%M")
                                            : g_strdup ("?");

      if (globals.json)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "folder");
          json_builder_add_string_value (b, item->path);
          json_builder_set_member_name (b, "keep");
          json_builder_add_boolean_value (b, item->keep);
          if (item->reason != NULL)
            {
              json_builder_set_member_name (b, "reason");
              json_builder_add_string_value (b, item->reason);
            }
          json_builder_end_object (b);
        }
      else if (item->keep)
        g_print ("keep    %s  %s  (%s)\n", when, item->path, item->reason);
      else
        g_print ("%s  %s  %s\n", dry_run ? "remove " : "removed", when, item->path);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  if (globals.json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      print_json (root);
    }
  return EXIT_OK;
}

/* the work of prune, shared with schedule run; prints nothing. A restic repository among
 * @destinations is pruned by whole backups (lifeboat_retention_remove_from_repository()); one
 * policy decides over all of them, as over several folders. */
GPtrArray *
prune_project (const char              *project,
               const char * const      *destinations,
               const LifeboatRetention *policy,
               gboolean                 dry_run,
               GError                 **error)
{
  LifeboatHistory *history = lifeboat_history_get_default ();
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) repositories = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean any_folder = destinations == NULL;

  for (guint i = 0; destinations != NULL && destinations[i] != NULL; i++)
    {
      if (lifeboat_restic_location_is_repository (destinations[i]))
        {
          LifeboatResticRepository *repo = repository_new (destinations[i]);

          g_ptr_array_add (repositories, repo);
          /* the password checked before anything is decided */
          if (!lifeboat_restic_repository_open_sync (repo, FALSE, NULL, NULL, error))
            return NULL;
        }
      else
        any_folder = TRUE;
    }

  if (any_folder)
    items = lifeboat_retention_scan (history, project, destinations, NULL, error);
  else
    items = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_retention_item_free);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < repositories->len; i++)
    if (!lifeboat_retention_scan_repository (history, g_ptr_array_index (repositories, i),
                                             project, items, NULL, error))
      return NULL;
  lifeboat_retention_decide (policy, items);

  if (!dry_run)
    {
      for (guint i = 0; i < items->len; i++)
        {
          LifeboatRetentionItem *item = g_ptr_array_index (items, i);

          if (!item->keep && item->backup_id == NULL &&
              !lifeboat_retention_remove (history, item, NULL, error))
            return NULL;
        }
      for (guint i = 0; i < repositories->len; i++)
        if (!lifeboat_retention_remove_from_repository (history,
                                                        g_ptr_array_index (repositories, i),
                                                        items, NULL, error))
          return NULL;
    }

  return g_steal_pointer (&items);
}

int
_lifeboat_cli_prune (int    argc,
                     char **argv)
{
  g_auto(GStrv) to = NULL;
  int keep_last = 0, keep_daily = 0, keep_weekly = 0, keep_monthly = 0;
  gboolean dry_run = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &to,
      N_("A folder or restic repository that holds the project's backups (default: every folder "
         "the history knows)"), "DIR|REPO" },
    { "keep-last", 0, 0, G_OPTION_ARG_INT, &keep_last, N_("Keep the newest N backups"), "N" },
    { "keep-daily", 0, 0, G_OPTION_ARG_INT, &keep_daily, N_("Keep the last backup of N days"), "N" },
    { "keep-weekly", 0, 0, G_OPTION_ARG_INT, &keep_weekly, N_("Keep the last backup of N weeks"), "N" },
    { "keep-monthly", 0, 0, G_OPTION_ARG_INT, &keep_monthly,
      N_("Keep the last backup of N months"), "N" },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("Only list what would be removed"), NULL },
    { NULL }
  };
  LifeboatRetention policy = { 0 };
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("prune", "PROJECT", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“prune” needs exactly one PROJECT"));
  if (keep_last < 0 || keep_daily < 0 || keep_weekly < 0 || keep_monthly < 0)
    return usage_error (_("--keep-… take a number of backups, 0 or more"));

  policy.last = keep_last;
  policy.daily = keep_daily;
  policy.weekly = keep_weekly;
  policy.monthly = keep_monthly;
  if (lifeboat_retention_is_empty (&policy))
    return usage_error (_("“prune” needs at least one of --keep-last, --keep-daily, --keep-weekly "
                          "and --keep-monthly"));

  items = prune_project (argv[1], (const char * const *) to, &policy, dry_run, &error);
  if (items == NULL)
    return fail (error, _("The backups not yet removed were left as they were."));

  return print_plan (items, dry_run);
}
