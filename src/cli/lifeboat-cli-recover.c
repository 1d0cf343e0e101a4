/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli recover [PROJECT]: finish or roll back what an interrupted job left */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-history.h"
#include "lifeboat-recovery.h"

#include "lifeboat-cli-private.h"

int
_lifeboat_cli_recover (int    argc,
                       char **argv)
{
  gboolean break_lock = FALSE;
  GOptionEntry entries[] = {
    { "break-lock", 0, 0, G_OPTION_ARG_NONE, &break_lock,
      N_("Also take over a lock whose owner on another machine may still be alive"), NULL },
    { NULL }
  };
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("recover", "[PROJECT]", entries, &argc, &argv, &status))
    return status;
  if (argc > 2)
    return usage_error (_("“recover” takes at most one PROJECT"));

  globals.no_recovery = TRUE;
  if (!(client = open_client (&error)))
    return fail (error, _("Nothing was changed."));
  findings = lifeboat_recovery_run_sync (client, argc == 2 ? argv[1] : NULL,
                                         lifeboat_history_get_default (), break_lock, NULL,
                                         &error);
  if (findings == NULL)
    return fail (error, _("Nothing was changed."));

  if (globals.json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      static const char * const states[] = { "recovered", "busy", "failed" };

      for (guint i = 0; i < findings->len; i++)
        {
          LifeboatRecoveryFinding *f = g_ptr_array_index (findings, i);
          JsonObject *o = json_object_new ();

          json_object_set_string_member (o, "project", f->project);
          json_object_set_string_member (o, "state", states[f->state]);
          json_object_set_string_member (o, "message", f->message);
          json_array_add_object_element (array, o);
        }
      print_json_array (array);
    }
  else if (findings->len == 0)
    g_print (argc == 2 ? _("Nothing to recover in project “%s”.\n")
                       : _("Nothing to recover on this engine.\n"), argc == 2 ? argv[1] : "");
  else
    for (guint i = 0; i < findings->len; i++)
      g_print ("%s\n", ((LifeboatRecoveryFinding *) g_ptr_array_index (findings, i))->message);

  for (guint i = 0; i < findings->len; i++)
    if (((LifeboatRecoveryFinding *) g_ptr_array_index (findings, i))->state != LIFEBOAT_RECOVERY_RECOVERED)
      status = EXIT_FAILED;
  return status;
}
