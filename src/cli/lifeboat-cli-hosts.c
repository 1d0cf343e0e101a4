/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli hosts: the engines Lifeboat can reach; hosts add, remove and trust */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-hosts.h"
#include "lifeboat-ssh-tunnel.h"

#include "lifeboat-cli-private.h"

/* hosts add NAME URI, hosts remove NAME, hosts trust URI FINGERPRINT */
static int
hosts_manage (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *verb = argv[1];

  if (g_str_equal (verb, "add"))
    {
      if (argc != 4)
        return usage_error (_("“hosts add” needs a NAME and a URI"));
      if (!lifeboat_hosts_save (argv[2], argv[3], NULL, &error))
        return fail (error, NULL);
      g_print (_("Saved %s as %s.\n"), argv[3], argv[2]);
      return EXIT_OK;
    }

  if (g_str_equal (verb, "remove"))
    {
      if (argc != 3)
        return usage_error (_("“hosts remove” needs a NAME"));
      if (!lifeboat_hosts_forget (argv[2], &error))
        return fail (error, NULL);
      g_print (_("Forgot %s.\n"), argv[2]);
      return EXIT_OK;
    }

  if (g_str_equal (verb, "trust"))
    {
      g_autofree char *uri = NULL;

      /* the fingerprint the user compared: the key is accepted only if it is still that one */
      if (argc != 4)
        return usage_error (_("“hosts trust” needs an ssh:// URI (or host name) and the key’s "
                              "SHA256 fingerprint"));
      uri = lifeboat_hosts_resolve (argv[2], &error);
      if (uri == NULL)
        return fail (error, NULL);
      if (!g_str_has_prefix (uri, "ssh://"))
        return usage_error (_("“%s” is not an SSH host"), argv[2]);
      if (!lifeboat_ssh_accept_host_key_sync (uri, argv[3], NULL, &error))
        return fail (error, NULL);
      g_print (_("The host key of %s is now known.\n"), uri);
      return EXIT_OK;
    }

  return usage_error (_("Unknown “hosts” command “%s”: use add, remove or trust"), verb);
}

int
_lifeboat_cli_hosts (int    argc,
                     char **argv)
{
  g_autoptr(GListModel) hosts = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  int status = EXIT_OK;
  guint n;

  if (!parse_command_options ("hosts", "[add NAME URI | remove NAME | trust URI FINGERPRINT]",
                              NULL, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return hosts_manage (argc, argv);

  hosts = lifeboat_hosts_discover ();
  n = g_list_model_get_n_items (hosts);

  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LifeboatHost) host = g_list_model_get_item (hosts, i);
      const char *uri = lifeboat_host_get_uri (host);
      g_autoptr(LifeboatDockerClient) client = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *state = NULL;
      const char *api = NULL;

      /* SSH hosts are not dialled just to list them */
      if (g_str_has_prefix (uri, "ssh://"))
        state = g_strdup (_("not checked (SSH)"));
      else if ((client = lifeboat_docker_client_new (uri, &error)) != NULL &&
               lifeboat_docker_client_connect_sync (client, NULL, &error))
        {
          api = lifeboat_docker_client_get_api_version (client);
          state = g_strdup_printf (_("reachable (%s, API %s)"),
                                   lifeboat_docker_client_get_engine_kind (client), api);
        }
      else
        state = g_strdup_printf (_("unreachable: %s"), error->message);

      if (globals.json)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, lifeboat_host_get_name (host));
          json_builder_set_member_name (b, "uri");
          json_builder_add_string_value (b, uri);
          json_builder_set_member_name (b, "kind");
          json_builder_add_string_value (b, lifeboat_host_kind_to_string (lifeboat_host_get_kind (host)));
          json_builder_set_member_name (b, "default");
          json_builder_add_boolean_value (b, lifeboat_host_get_is_default (host));
          json_builder_set_member_name (b, "description");
          json_builder_add_string_value (b, lifeboat_host_get_description (host));
          json_builder_set_member_name (b, "reachable");
          json_builder_add_boolean_value (b, api != NULL);
          json_builder_set_member_name (b, "api_version");
          json_builder_add_string_value (b, api);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, state);
          json_builder_end_object (b);
        }
      else
        {
          g_print ("%s %-24s %-12s %s\n    %s\n",
                   lifeboat_host_get_is_default (host) ? "*" : " ",
                   lifeboat_host_get_name (host) ? lifeboat_host_get_name (host) : uri,
                   lifeboat_host_kind_to_string (lifeboat_host_get_kind (host)), uri, state);
        }
    }
  json_builder_end_array (b);

  if (globals.json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      print_json (root);
    }
  else if (n == 0)
    g_print ("%s\n", _("No engines found."));

  return EXIT_OK;
}
