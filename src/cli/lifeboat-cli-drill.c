/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* lifeboat-cli drill BACKUP_DIR: a restore drill (src/engine/jobs/lifeboat-drill.c) */

#include "config.h"

#include <inttypes.h>
#include <signal.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "lifeboat-drill.h"
#include "lifeboat-format.h"

#include "lifeboat-cli-private.h"

typedef struct
{
  GMainLoop            *loop;
  GCancellable         *cancellable;
  LifeboatDockerClient *client;
  GFile                *folder;
  LifeboatDrillResult  *result;
  GError               *error;
} Drill;

static gpointer
drill_thread (gpointer data)
{
  Drill *drill = data;

  lifeboat_drill_run_sync (drill->client, drill->folder, &drill->result, drill->cancellable,
                           &drill->error);
  g_main_loop_quit (drill->loop);
  return NULL;
}

static gboolean
on_signal (gpointer data)
{
  Drill *drill = data;

  g_printerr ("%s\n", _("Cancelling the drill and removing its scratch volumes…"));
  g_cancellable_cancel (drill->cancellable);
  return G_SOURCE_CONTINUE;
}

int
_lifeboat_cli_drill (int    argc,
                     char **argv)
{
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  Drill drill = { 0 };
  guint signals[3];
  int status = EXIT_OK;

  if (!parse_command_options ("drill", "BACKUP_DIR", NULL, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“drill” needs exactly one BACKUP_DIR"));

  if (!(client = open_client (&error)))
    return fail (error, _("Nothing was changed."));

  drill.loop = g_main_loop_new (NULL, FALSE);
  drill.cancellable = g_cancellable_new ();
  drill.client = client;
  drill.folder = g_file_new_for_commandline_arg (argv[1]);
  signals[0] = g_unix_signal_add (SIGINT, on_signal, &drill);
  signals[1] = g_unix_signal_add (SIGTERM, on_signal, &drill);
  signals[2] = g_unix_signal_add (SIGHUP, on_signal, &drill);

  g_printerr (_("Drilling %s: verifying, restoring into scratch volumes, starting the database…\n"),
              argv[1]);
  thread = g_thread_new ("lifeboat-drill", drill_thread, &drill);
  g_main_loop_run (drill.loop);
  g_thread_join (g_steal_pointer (&thread));

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    g_source_remove (signals[i]);
  g_main_loop_unref (drill.loop);
  g_object_unref (drill.cancellable);
  g_object_unref (drill.folder);

  if (drill.result == NULL)
    {
      status = fail (drill.error, _("Nothing was changed."));
      g_clear_error (&drill.error);
      return status;
    }

  if (globals.json)
    {
      g_autoptr(GFile) folder = g_file_new_for_commandline_arg (argv[1]);
      g_autoptr(GFile) file = g_file_get_child (folder, LIFEBOAT_DRILL_RESULT_NAME);
      g_autofree char *text = NULL;

      if (g_file_load_contents (file, NULL, &text, NULL, NULL, NULL))
        g_print ("%s\n", text);
    }

  if (!drill.result->ok)
    {
      g_printerr (_("lifeboat-cli: The drill failed: %s. Its scratch volumes and containers were "
                    "removed; the backup and the project were left as they were.\n"),
                  drill.result->error);
      lifeboat_drill_result_free (drill.result);
      return EXIT_FAILED;
    }

  if (!globals.json)
    {
      g_autofree char *took = lifeboat_format_duration (drill.result->seconds);

      g_print (_("Restored %u volumes into scratch volumes in %s.\n"), drill.result->volumes, took);
      if (drill.result->database != NULL)
        g_print (_("The database (%s, %s) started and accepted connections (%s).\n"),
                 drill.result->database, drill.result->image, drill.result->check);
      else
        g_print (_("The backup has no PostgreSQL database to start.\n"));
      if (drill.result->rows >= 0)
        g_print (_("Rows counted: %" PRIi64 "\n"), drill.result->rows);
    }
  lifeboat_drill_result_free (drill.result);
  return EXIT_OK;
}
