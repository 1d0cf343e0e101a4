/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli projects: compose projects, their containers and volumes */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-discovery.h"
#include "lifeboat-format.h"

#include "lifeboat-cli-private.h"

int
_lifeboat_cli_projects (int    argc,
                        char **argv)
{
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(GListModel) projects = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;
  guint n;

  if (!parse_command_options ("projects", "", NULL, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (_("“projects” takes no arguments"));

  if (!(client = open_client (&error)) ||
      !(projects = lifeboat_discover_projects_sync (client, TRUE, NULL, &error)))
    return fail (error, NULL);

  n = g_list_model_get_n_items (projects);

  if (globals.json)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LifeboatProject) p = g_list_model_get_item (projects, i);
          json_array_add_element (array, lifeboat_project_to_json (p));
        }
      print_json_array (array);
      return EXIT_OK;
    }

  if (n == 0)
    {
      g_print (_("No compose projects on %s.\n"), lifeboat_docker_client_get_display_name (client));
      return EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatProject) p = g_list_model_get_item (projects, i);
      g_autofree char *app = lifeboat_project_dup_app_label (p);
      g_autofree char *total = lifeboat_format_size (lifeboat_project_get_total_size (p));
      GListModel *containers = lifeboat_project_get_containers (p);
      GListModel *volumes = lifeboat_project_get_volumes (p);

      if (i > 0)
        g_print ("\n");
      g_print ("%s%s%s%s  %s\n", lifeboat_project_get_name (p), app ? "  (" : "", app ? app : "",
               app ? ")" : "", total);
      if (lifeboat_project_get_working_dir (p) != NULL)
        g_print ("  %s\n", lifeboat_project_get_working_dir (p));

      g_print ("  %s\n", _("Containers:"));
      for (guint j = 0; j < g_list_model_get_n_items (containers); j++)
        {
          g_autoptr(LifeboatContainer) c = g_list_model_get_item (containers, j);

          g_print ("    %-26s %-10s %s\n", lifeboat_container_get_name (c),
                   lifeboat_container_state_to_string (lifeboat_container_get_state (c)),
                   lifeboat_container_get_image (c));
        }

      g_print ("  %s\n", _("Volumes:"));
      for (guint j = 0; j < g_list_model_get_n_items (volumes); j++)
        {
          g_autoptr(LifeboatVolume) v = g_list_model_get_item (volumes, j);
          g_autofree char *size = lifeboat_format_size (lifeboat_volume_get_size (v));
          const char *mount = lifeboat_volume_get_mount_path (v);

          g_print ("    %-18s %-26s %10s  %s\n", lifeboat_volume_get_key (v),
                   lifeboat_volume_get_name (v), size, mount ? mount : _("(not mounted)"));
          if (lifeboat_volume_get_note (v) != NULL)
            g_print ("      %s\n", lifeboat_volume_get_note (v));
        }
    }

  return EXIT_OK;
}
