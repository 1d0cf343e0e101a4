/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli verify BACKUP: every archive re-read against the manifest
 * (lifeboat_verify_folder(), as the window's Verify) */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "lifeboat-restic-repository.h"
#include "lifeboat-verify.h"

#include "lifeboat-cli-private.h"

int
_lifeboat_cli_verify (int    argc,
                      char **argv)
{
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *display = NULL;
  gboolean has_manifest = FALSE;
  int status = EXIT_OK;
  guint failures = 0;

  if (!parse_command_options ("verify", "BACKUP_DIR", NULL, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“verify” needs exactly one BACKUP_DIR"));

  if (!(folder = open_backup (argv[1], &repo, &error)))
    return fail (error, _("Nothing was changed."));
  display = g_file_get_parse_name (folder);

  /* a repository's own structure first, then every tar stream against the manifest */
  if (repo != NULL)
    {
      if (!lifeboat_restic_repository_check_sync (repo, FALSE, NULL, &error))
        return fail (error, _("The repository was left as it is."));
      if (!globals.json)
        g_print (_("ok      %s (restic check)\n"), lifeboat_restic_repository_get_location (repo));
    }
  /* the window's Verify does the same: lifeboat_verify_folder() */
  results = lifeboat_verify_folder (folder, &has_manifest, NULL, &error);
  if (results == NULL)
    return fail (error, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "folder");
  json_builder_add_string_value (b, display);
  json_builder_set_member_name (b, "manifest");
  json_builder_add_boolean_value (b, has_manifest);
  json_builder_set_member_name (b, "volumes");
  json_builder_begin_array (b);

  for (guint i = 0; i < results->len; i++)
    {
      LifeboatVerifyResult *r = g_ptr_array_index (results, i);

      if (r->problem != NULL)
        failures++;

      if (!globals.json)
        {
          if (r->problem == NULL)
            g_print (_("ok      %s (%s, %" PRIu64 " entries)\n"), r->archive,
                     r->sha256, (uint64_t) r->entries);
          else
            g_print (_("FAILED  %s\n"), r->problem);
        }

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "archive");
      json_builder_add_string_value (b, r->archive);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, r->problem == NULL);
      json_builder_set_member_name (b, "problem");
      json_builder_add_string_value (b, r->problem);
      json_builder_end_object (b);
    }

  json_builder_end_array (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, failures == 0);
  json_builder_end_object (b);

  if (globals.json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      print_json (root);
    }

  if (failures > 0 && has_manifest)
    {
      g_printerr (_("lifeboat-cli: %u of %u archives in %s do not match the manifest; the backup "
                    "was left as it is.\n"), failures, results->len, display);
      return EXIT_FAILED;
    }
  if (failures > 0)
    {
      g_printerr (_("lifeboat-cli: %u of %u archives in %s are damaged; the folder was left as "
                    "it is.\n"), failures, results->len, display);
      return EXIT_FAILED;
    }

  if (!globals.json && has_manifest)
    g_print (_("%s is whole: every archive matches the manifest.\n"), display);
  else if (!globals.json)
    g_print (_("%s: every archive is complete and readable; there is no lifeboat.json to "
               "compare them with (a folder made with the guide’s commands).\n"), display);
  return EXIT_OK;
}
