/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli history [PROJECT]: past jobs on this engine (or on every one) */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-history.h"

#include "lifeboat-cli-private.h"

int
_lifeboat_cli_history (int    argc,
                       char **argv)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;
  gboolean all_engines = FALSE;
  const char *engine_id = NULL;
  int status = EXIT_OK;
  GOptionEntry entries_opts[] = {
    { "all-engines", 0, 0, G_OPTION_ARG_NONE, &all_engines,
      N_("The jobs of every engine, not only of the --host engine"), NULL },
    { NULL }
  };

  if (!parse_command_options ("history", "[PROJECT]", entries_opts, &argc, &argv, &status))
    return status;
  /* the backups in a restic repository among the locations: restic's own variable */
  export_password_file ();
  if (argc > 2)
    return usage_error (_("“history” takes at most one PROJECT"));

  /* the jobs of this engine (its /info ID), as a project's name is only unique on one engine */
  if (!all_engines)
    {
      g_autoptr(GError) connect_error = NULL;

      client = open_client (&connect_error);
      if (client != NULL && lifeboat_docker_client_connect_sync (client, NULL, &connect_error))
        engine_id = lifeboat_docker_client_get_engine_id (client);
      if (engine_id == NULL)
        {
          g_printerr (_("lifeboat-cli: Could not reach the engine (%s); these are the jobs of "
                        "every engine.\n"),
                      connect_error != NULL ? connect_error->message : _("it has no ID"));
          all_engines = TRUE;
        }
    }

  entries = lifeboat_history_list_for_engine (lifeboat_history_get_default (), engine_id,
                                              argc == 2 ? argv[1] : NULL, &error);
  if (entries == NULL)
    return fail (error, NULL);

  if (globals.json)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < entries->len; i++)
        json_array_add_element (array, lifeboat_history_entry_to_json (g_ptr_array_index (entries, i)));
      print_json_array (array);
      return EXIT_OK;
    }

  if (entries->len == 0)
    {
      g_print ("%s\n", _("No jobs yet."));
      return EXIT_OK;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (entries, i);
      GDateTime *started = lifeboat_history_entry_get_started (e);
      g_autoptr(GDateTime) local = started ? g_date_time_to_local (started) : NULL;
      g_autofree char *when = local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
      g_autofree char *size = lifeboat_format_size ((gint64) lifeboat_history_entry_get_bytes (e));
      g_autofree char *took = lifeboat_format_duration (lifeboat_history_entry_get_seconds (e));
      const char * const *vols = lifeboat_history_entry_get_volumes (e);
      g_autofree char *volumes = vols ? g_strjoinv (",", (char **) vols) : g_strdup ("");

      const char *engine = lifeboat_history_entry_get_engine (e);
      const char *id = lifeboat_history_entry_get_engine_id (e);

      g_print ("%s  %-13s %-10s %-12s %9s %8s  %s\n", when,
               lifeboat_job_kind_to_string (lifeboat_history_entry_get_kind (e)),
               lifeboat_job_outcome_to_string (lifeboat_history_entry_get_outcome (e)),
               lifeboat_history_entry_get_project (e) ? lifeboat_history_entry_get_project (e) : "",
               size, took, volumes);
      /* Translators: "engine: NAME (ID)"; the size above is what the archives occupy on disk */
      if (id != NULL)
        g_print (_("    engine: %s (%.12s)\n"), engine ? engine : _("unnamed"), id);
      else
        g_print ("    %s\n", _("engine: not recorded"));
      if (lifeboat_history_entry_get_folder (e) != NULL)
        g_print ("    %s\n", lifeboat_history_entry_get_folder (e));
      if (lifeboat_history_entry_get_error (e) != NULL)
        g_print ("    %s\n", lifeboat_history_entry_get_error (e));
    }

  return EXIT_OK;
}
