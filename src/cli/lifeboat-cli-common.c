/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/* What every command of lifeboat-cli shares: its options, its output (usage errors,
 * one-sentence failures, JSON), the engine it talks to and the backup it names. */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lifeboat-history.h"
#include "lifeboat-hosts.h"
#include "lifeboat-recovery.h"
#include "lifeboat-restic-repository.h"

#include "lifeboat-cli-private.h"

int
usage_error (const char *format,
             ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("lifeboat-cli: %s\n", msg);
  g_printerr (_("Run “lifeboat-cli --help” for usage.\n"));
  return EXIT_USAGE;
}

int
fail (const GError *error,
      const char   *aftermath)
{
  gsize len = strlen (error->message);
  /* one sentence: a full stop unless the message ends in its own */
  const char *stop = len > 0 && strchr (".?!", error->message[len - 1]) ? "" : ".";

  if (aftermath != NULL)
    g_printerr ("lifeboat-cli: %s%s %s\n", error->message, stop, aftermath);
  else
    g_printerr ("lifeboat-cli: %s%s\n", error->message, stop);
  return EXIT_FAILED;
}

void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* a list (projects, history, recovery findings) as one JSON array */
void
print_json_array (JsonArray *array)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (root, array);
  print_json (root);
}

/* Recovery on contact: whatever interrupted jobs left on the engine is put right (or said)
 * before the command does anything else. */
static void
recover_on_contact (LifeboatDockerClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) findings = lifeboat_recovery_run_sync (client, NULL,
                                                              lifeboat_history_get_default (),
                                                              FALSE, NULL, &error);

  if (findings == NULL)
    {
      g_debug ("Looking for interrupted jobs: %s", error->message);
      return;
    }
  for (guint i = 0; i < findings->len; i++)
    {
      LifeboatRecoveryFinding *f = g_ptr_array_index (findings, i);

      /* a job that is running is no news */
      if (f->state != LIFEBOAT_RECOVERY_BUSY)
        g_printerr ("lifeboat-cli: %s\n", f->message);
    }
}

LifeboatDockerClient *
open_client (GError **error)
{
  LifeboatDockerClient *client = lifeboat_hosts_open_client (globals.host, NULL, error);

  /* interrupted jobs and drills are put right before anything else */
  if (client != NULL && !globals.no_recovery)
    recover_on_contact (client);
  return client;
}

/* A restic repository at @location with the password of --password-file, if one was given
 * (otherwise restic's RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND); not opened yet */
LifeboatResticRepository *
repository_new (const char *location)
{
  LifeboatResticRepository *repo = lifeboat_restic_repository_new (location);

  if (globals.password_file != NULL)
    lifeboat_restic_repository_set_password_file (repo, globals.password_file);
  return repo;
}

/* --password-file for what reads repositories by itself (the history's list of what exists, a
 * scheduled run's child): restic's own variable, never a command line */
void
export_password_file (void)
{
  if (globals.password_file != NULL)
    g_setenv ("RESTIC_PASSWORD_FILE", globals.password_file, TRUE);
}

/* A restic repository at @location, opened (created when @create and there is none). */
LifeboatResticRepository *
open_repository (const char  *location,
                 gboolean     create,
                 GError     **error)
{
  g_autoptr(LifeboatResticRepository) repo = repository_new (location);
  gboolean created = FALSE;

  if (!lifeboat_restic_repository_open_sync (repo, create, &created, NULL, error))
    return NULL;
  if (created)
    g_printerr (_("Created a new restic repository at %s.\n"), location);
  return g_steal_pointer (&repo);
}

/* BACKUP: a folder (or archive), or REPO#ID; *@repo_out is set for a repository */
GFile *
open_backup (const char                 *arg,
             LifeboatResticRepository  **repo_out,
             GError                    **error)
{
  g_autofree char *location = NULL;
  g_autofree char *id = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  GFile *file;

  if (!lifeboat_restic_split_backup_name (arg, &location, &id) ||
      !lifeboat_restic_location_is_repository (location))
    return g_file_new_for_commandline_arg (arg);

  repo = open_repository (location, FALSE, error);
  if (repo == NULL)
    return NULL;
  file = lifeboat_restic_repository_get_file (repo, id);
  if (!g_file_query_exists (file, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The restic repository %s holds no complete backup %s"), location, id);
      g_object_unref (file);
      return NULL;
    }
  if (repo_out != NULL)
    *repo_out = g_steal_pointer (&repo);
  return file;
}

/* ---------------------------------------------------------------------------------------- */
/* Option parsing per command; --host and --json are accepted after the command too */

static GOptionEntry global_entries[] = {
  { "host", 'H', 0, G_OPTION_ARG_STRING, &globals.host,
    N_("Engine: unix:///path, ssh://user@host, tcp://host:port or a docker context"), "URI" },
  { "json", 0, 0, G_OPTION_ARG_NONE, &globals.json, N_("Print results as JSON"), NULL },
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &globals.password_file,
    N_("A file holding the restic repository's password"), "FILE" },
  { NULL }
};

gboolean
parse_command_options (const char    *command,
                       const char    *parameter,
                       GOptionEntry  *entries,
                       int           *argc,
                       char        ***argv,
                       int           *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = g_strdup_printf ("lifeboat-cli %s", command);

  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, FALSE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error ("%s", error->message);
      return FALSE;
    }

  /* an option-looking leftover (after --) is still a usage error */
  for (int i = 1; i < *argc; i++)
    if ((*argv)[i][0] == '-' && (*argv)[i][1] != '\0')
      {
        *status = usage_error (_("Unknown option “%s”"), (*argv)[i]);
        return FALSE;
      }

  return TRUE;
}

char **
split_volumes (const char *list)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  if (list == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  parts = g_strsplit (list, ",", -1);
  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

/* --volumes of backup and restore: NULL when not given, a usage error when it names none */
gboolean
parse_volumes_option (const char   *list,
                      char       ***volumes,
                      int          *status)
{
  *volumes = split_volumes (list);
  if (*volumes != NULL && (*volumes)[0] == NULL)
    {
      *status = usage_error (_("--volumes needs at least one volume"));
      return FALSE;
    }
  return TRUE;
}

/* this program's own path, for the units and runs that start it again */
char *
dup_self_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  return self ? g_steal_pointer (&self) : g_strdup ("lifeboat-cli");
}
