/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

#include "config.h"

#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "lifeboat-archive.h"
#include "lifeboat-backup-job.h"
#include "lifeboat-discovery.h"
#include "lifeboat-error.h"
#include "lifeboat-format.h"
#include "lifeboat-history.h"
#include "lifeboat-hosts.h"
#include "lifeboat-job-worker.h"
#include "lifeboat-manifest.h"
#include "lifeboat-recovery.h"
#include "lifeboat-restic-export.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-restore-job.h"
#include "lifeboat-space.h"
#include "lifeboat-ssh-tunnel.h"
#include "lifeboat-verify.h"

#include "lifeboat-cli-private.h"

Globals globals;

static const char *usage_text =
  N_("Usage: lifeboat-cli [--host URI] [--json] COMMAND ...\n"
     "\n"
     "Commands:\n"
     "  hosts                                 engines Lifeboat can reach\n"
     "  hosts add NAME URI | remove NAME       save or forget an engine (e.g. ssh://admin@server)\n"
     "  hosts trust URI FINGERPRINT           accept an SSH host key after comparing it\n"
     "  projects                              compose projects, their containers and volumes\n"
     "  backup PROJECT --to DIR|REPO [--compression gzip|zstd|none] [--volumes KEY,...]\n"
     "         [--no-stop] [--no-restart]     back up a project's volumes\n"
     "  restore BACKUP|ARCHIVE...    [--project NAME] [--volumes KEY,...] [--yes]\n"
     "         [--ignore-version] [--allow-empty] [--new-project]\n"
     "                                        restore a backup into a project\n"
     "  verify BACKUP                         re-read every archive against the manifest\n"
     "  export BACKUP --to DIR                a guide-compatible folder of .tar.gz\n"
     "  history [PROJECT] [--all-engines]     past jobs on this engine (or on every one)\n"
     "  recover [PROJECT] [--break-lock]      finish or roll back what an interrupted job left\n"
     "                                        (a kill, a crash, a lost SSH session, an engine\n"
     "                                        restart) and start the containers that ran;\n"
     "                                        every command does this first by itself\n"
     "  schedule add PROJECT --to DIR|REPO [--every hourly|daily|weekly] [--at HH:MM] [--day DAY]\n"
     "         [--keep-…] [--drill-every N] [--system [--unit-dir DIR] [--crontab]] | list | remove ID\n"
     "                                        backups that run by themselves\n"
     "  prune PROJECT [--to DIR|REPO] [--keep-last N] [--keep-daily N] [--keep-weekly N]\n"
     "         [--keep-monthly N] [--dry-run] remove old backups as restic forget --keep-*\n"
     "  drill BACKUP_DIR                      restore into scratch volumes, start the database\n"
     "\n"
     "--host takes unix:///path/docker.sock, ssh://[user@]host[:port][/remote/socket],\n"
     "tcp://host:port or a docker context name; without it DOCKER_HOST, then the current\n"
     "docker context, then /var/run/docker.sock.\n"
     "\n"
     "REPO is a restic repository as restic spells it (/srv/repo, sftp:user@host:/srv/repo,\n"
     "rest:http://host:8000/, s3:..., rclone:...); its password comes from --password-file FILE\n"
     "or restic's RESTIC_PASSWORD_FILE / RESTIC_PASSWORD_COMMAND, never the command line.\n"
     "A backup in a repository is named REPO#ID (ID as a backup folder's name), as printed by\n"
     "backup; BACKUP is a backup folder or REPO#ID.\n");

int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

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

/* the engine's words for sizes and durations (lifeboat-format.h), as the window's */
char *
format_size (gint64 size)
{
  return lifeboat_format_size (size);
}

char *
format_duration (double seconds)
{
  return lifeboat_format_duration (seconds);
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

/* A restic repository at @location, opened (created when @create and there is none). */
static LifeboatResticRepository *
open_repository (const char  *location,
                 gboolean     create,
                 GError     **error)
{
  g_autoptr(LifeboatResticRepository) repo = lifeboat_restic_repository_new (location);
  gboolean created = FALSE;

  if (globals.password_file != NULL)
    lifeboat_restic_repository_set_password_file (repo, globals.password_file);
  if (!lifeboat_restic_repository_open_sync (repo, create, &created, NULL, error))
    return NULL;
  if (created)
    g_printerr (_("Created a new restic repository at %s.\n"), location);
  return g_steal_pointer (&repo);
}

/* BACKUP: a folder (or archive), or REPO#ID; *@repo_out is set for a repository */
static GFile *
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
/* Running a job with progress on stderr and cancel on SIGINT/SIGTERM */

typedef struct
{
  GMainLoop   *loop;
  LifeboatJob *job;
  gboolean     tty;
  gboolean     done;
  gboolean     ok;
  GError      *error;
  char        *last_label;
  gint64       last_line;
  guint        bar_width;
} JobRun;

static gboolean
on_signal (gpointer data)
{
  JobRun *run = data;

  /* after a SIGHUP the terminal is gone: the message may go nowhere, which is fine (SIGPIPE is
   * ignored) */
  g_printerr (run->tty ? "\n%s\n" : "%s\n", _("Cancelling…"));
  lifeboat_job_cancel (run->job);
  return G_SOURCE_CONTINUE;
}

static void
on_progress (LifeboatJob *job,
             JobRun      *run)
{
  g_autofree char *label = lifeboat_job_dup_phase_label (job);
  g_autofree char *done = g_format_size (lifeboat_job_get_bytes_done (job));
  g_autofree char *total = lifeboat_format_size (lifeboat_job_get_bytes_total (job));
  g_autofree char *rate = NULL;
  g_autofree char *left = NULL;
  double fraction = lifeboat_job_get_fraction (job);
  gint64 seconds_left = lifeboat_job_get_seconds_left (job);
  gint64 now = g_get_monotonic_time ();

  if (lifeboat_job_get_rate (job) > 0)
    {
      g_autofree char *r = g_format_size ((guint64) lifeboat_job_get_rate (job));
      rate = g_strdup_printf ("%s/s", r);
    }
  if (seconds_left >= 0)
    left = lifeboat_format_time_left (seconds_left);

  if (run->tty)
    {
      guint filled = (guint) (fraction * 24 + 0.5);
      g_autoptr(GString) bar = g_string_new (NULL);

      for (guint i = 0; i < 24; i++)
        g_string_append (bar, i < filled ? "#" : "-");
      g_printerr ("\r\033[K[%s] %3d%% %s  %s / %s%s%s%s%s", bar->str, (int) (fraction * 100),
                  label, done, total, rate ? "  " : "", rate ? rate : "",
                  left ? "  " : "", left ? left : "");
    }
  else if (g_strcmp0 (label, run->last_label) != 0 || now - run->last_line > 5 * G_USEC_PER_SEC)
    {
      g_printerr ("%s: %d%% (%s of %s%s%s)\n", label, (int) (fraction * 100), done, total,
                  rate ? ", " : "", rate ? rate : "");
      g_free (run->last_label);
      run->last_label = g_strdup (label);
      run->last_line = now;
    }
}

static void
on_job_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  JobRun *run = data;

  run->ok = lifeboat_job_run_finish (LIFEBOAT_JOB (object), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

static int
run_job (LifeboatJob *job)
{
  JobRun run = { 0 };
  guint sigint, sigterm, sighup;
  gulong handler;
  int ret;

  run.loop = g_main_loop_new (NULL, FALSE);
  run.job = job;
  run.tty = isatty (STDERR_FILENO);

  /* SIGHUP too: a closed terminal or SSH session is a cancel, not a kill */
  sigint = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &run);
  sighup = g_unix_signal_add (SIGHUP, on_signal, &run);
  handler = g_signal_connect (job, "progress", G_CALLBACK (on_progress), &run);
  lifeboat_job_run_async (job, NULL, on_job_done, &run);
  while (!run.done)
    g_main_loop_run (run.loop);

  /* the last progress, then a newline after a bar */
  on_progress (job, &run);
  if (run.tty)
    g_printerr ("\n");

  g_signal_handler_disconnect (job, handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sighup);

  if (run.ok)
    ret = EXIT_OK;
  else
    ret = fail (run.error, lifeboat_job_get_aftermath (job));

  g_clear_error (&run.error);
  g_free (run.last_label);
  g_main_loop_unref (run.loop);
  return ret;
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

/* ---------------------------------------------------------------------------------------- */
/* hosts */

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

static int
cmd_hosts (int    argc,
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

/* ---------------------------------------------------------------------------------------- */
/* projects */

static int
cmd_projects (int    argc,
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
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LifeboatProject) p = g_list_model_get_item (projects, i);
          json_array_add_element (array, lifeboat_project_to_json (p));
        }
      json_node_set_array (root, array);
      print_json (root);
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

/* ---------------------------------------------------------------------------------------- */
/* backup */

static int
cmd_backup (int    argc,
            char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *compression_str = NULL;
  g_autofree char *volumes_str = NULL;
  gboolean no_stop = FALSE, no_restart = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to,
      N_("Folder to write the backup folder into, or a restic repository"), "DIR|REPO" },
    { "compression", 0, 0, G_OPTION_ARG_STRING, &compression_str,
      N_("gzip (default, as the guide), zstd or none"), "KIND" },
    { "volumes", 0, 0, G_OPTION_ARG_STRING, &volumes_str,
      N_("Only these volumes (compose keys or names)"), "KEY,..." },
    { "no-stop", 0, 0, G_OPTION_ARG_NONE, &no_stop,
      N_("Do not stop the containers (the copy may be inconsistent)"), NULL },
    { "no-restart", 0, 0, G_OPTION_ARG_NONE, &no_restart,
      N_("Leave the containers stopped after the backup"), NULL },
    { NULL }
  };
  g_autoptr(LifeboatDockerClient) client = NULL;
  g_autoptr(LifeboatBackupJob) job = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) volumes = NULL;
  LifeboatCompression compression = LIFEBOAT_COMPRESSION_GZIP;
  int status = EXIT_OK;

  if (!parse_command_options ("backup", "PROJECT", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“backup” needs exactly one PROJECT"));
  if (to == NULL)
    return usage_error (_("“backup” needs --to DIR, the folder to write the backup into"));
  if (compression_str != NULL && !lifeboat_compression_from_string (compression_str, &compression))
    return usage_error (_("Unknown compression “%s”: use gzip, zstd or none"), compression_str);

  volumes = split_volumes (volumes_str);
  if (volumes != NULL && volumes[0] == NULL)
    return usage_error (_("--volumes needs at least one volume"));

  if (lifeboat_restic_location_is_repository (to))
    {
      g_autoptr(LifeboatResticRepository) repo = NULL;

      /* restic compresses and deduplicates: it gets the plain tar streams */
      if (compression_str != NULL && compression != LIFEBOAT_COMPRESSION_NONE)
        return usage_error (_("A restic repository compresses by itself: leave out --compression"));
      compression = LIFEBOAT_COMPRESSION_NONE;
      if (!(repo = open_repository (to, TRUE, &error)))
        return fail (error, _("Nothing was changed."));
      destination = lifeboat_restic_repository_get_file (repo, NULL);
    }
  else
    destination = g_file_new_for_commandline_arg (to);

  if (!(client = open_client (&error)))
    return fail (error, _("Nothing was changed."));

  job = lifeboat_backup_job_new (client, argv[1], destination);
  lifeboat_backup_job_set_compression (job, compression);
  lifeboat_backup_job_set_volumes (job, (const char * const *) volumes);
  lifeboat_backup_job_set_stop (job, !no_stop);
  lifeboat_backup_job_set_restart (job, !no_restart);

  status = run_job (LIFEBOAT_JOB (job));
  if (status == EXIT_OK)
    {
      GFile *folder = lifeboat_job_get_folder (LIFEBOAT_JOB (job));
      g_autofree char *path = g_file_get_path (folder);
      g_autofree char *uri = path ? NULL : g_file_get_uri (folder);

      g_print ("%s\n", path ? path : uri);
    }

  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* restore */

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
      g_autofree char *size = g_format_size (item->archive_bytes);

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

static int
cmd_restore (int    argc,
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

  volumes = split_volumes (volumes_str);
  if (volumes != NULL && volumes[0] == NULL)
    return usage_error (_("--volumes needs at least one volume"));

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

/* ---------------------------------------------------------------------------------------- */
/* verify */

static int
cmd_verify (int    argc,
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

/* ---------------------------------------------------------------------------------------- */
/* export */

static int
cmd_export (int    argc,
            char **argv)
{
  g_autofree char *to = NULL;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, N_("Folder to write the backup folder into"), "DIR" },
    { NULL }
  };
  g_autoptr(GFile) backup = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command_options ("export", "BACKUP", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (_("“export” needs exactly one BACKUP"));
  if (to == NULL)
    return usage_error (_("“export” needs --to DIR, the folder to write the backup folder into"));

  if (!(backup = open_backup (argv[1], NULL, &error)))
    return fail (error, _("Nothing was written."));
  destination = g_file_new_for_commandline_arg (to);
  if (!lifeboat_export_backup_sync (backup, destination, &folder, NULL, &error))
    return fail (error, _("Nothing was written."));

  g_print ("%s\n", g_file_peek_path (folder));
  return EXIT_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* history */

static int
cmd_history (int    argc,
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
  if (globals.password_file != NULL)
    g_setenv ("RESTIC_PASSWORD_FILE", globals.password_file, TRUE);
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
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < entries->len; i++)
        json_array_add_element (array, lifeboat_history_entry_to_json (g_ptr_array_index (entries, i)));
      json_node_set_array (root, array);
      print_json (root);
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
      g_autofree char *size = g_format_size (lifeboat_history_entry_get_bytes (e));
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

/* ---------------------------------------------------------------------------------------- */
/* recover */

static int
cmd_recover (int    argc,
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
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
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
      json_node_set_array (root, array);
      print_json (root);
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

/* ---------------------------------------------------------------------------------------- */

static const struct {
  const char *name;
  int (*func) (int argc, char **argv);
} commands[] = {
  { "hosts", cmd_hosts },
  { "projects", cmd_projects },
  { "backup", cmd_backup },
  { "restore", cmd_restore },
  { "verify", cmd_verify },
  { "export", cmd_export },
  { "history", cmd_history },
  { "recover", cmd_recover },
  { "schedule", _lifeboat_cli_schedule },
  { "prune", _lifeboat_cli_prune },
  { "drill", _lifeboat_cli_drill },
  { "monitor", _lifeboat_cli_monitor },   /* the background monitor; not in --help */
};

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  const char *command = NULL;

  /* backups hold secrets: every folder Lifeboat creates is 0700 and every file 0600, whatever
   * the umask it was started with */
  umask (0077);
  /* the name other Lifeboats see on a lock this process holds */
  g_set_prgname ("lifeboat-cli");
  /* a terminal or an SSH session that goes away must not kill a job with a write to it: the
   * job learns of it (SIGHUP) and cancels, which puts everything back */
  signal (SIGPIPE, SIG_IGN);
  /* the window's worker: a restic repository's password through an inherited pipe */
  lifeboat_restic_take_worker_password ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* the window's jobs run here (lifeboat-job-worker.h); not in --help */
  if (argc == 2 && g_str_equal (argv[1], LIFEBOAT_WORKER_ARG))
    return lifeboat_job_worker_main ();

  /* global options before the command */
  g_ptr_array_add (rest, argv[0]);
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (command != NULL)
        g_ptr_array_add (rest, argv[i]);
      else if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h") || g_str_equal (arg, "help"))
        {
          g_print ("%s", _(usage_text));
          return EXIT_OK;
        }
      else if (g_str_equal (arg, "--version"))
        {
          g_print ("lifeboat-cli %s\n", PACKAGE_VERSION);
          return EXIT_OK;
        }
      else if (g_str_equal (arg, "--json"))
        globals.json = TRUE;
      else if (g_str_equal (arg, "--host") || g_str_equal (arg, "-H"))
        {
          if (i + 1 >= argc)
            return usage_error (_("--host needs an address"));
          g_free (globals.host);
          globals.host = g_strdup (argv[++i]);
        }
      else if (g_str_equal (arg, "--password-file"))
        {
          if (i + 1 >= argc)
            return usage_error (_("--password-file needs a file"));
          g_free (globals.password_file);
          globals.password_file = g_strdup (argv[++i]);
        }
      else if (g_str_has_prefix (arg, "--host="))
        {
          g_free (globals.host);
          globals.host = g_strdup (arg + strlen ("--host="));
        }
      else if (arg[0] == '-')
        return usage_error (_("Unknown option “%s”"), arg);
      else
        {
          command = arg;
          g_ptr_array_add (rest, argv[i]);
        }
    }

  if (command == NULL)
    {
      g_printerr ("%s", _(usage_text));
      return EXIT_USAGE;
    }


  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, command))
      {
        /* the command's own name stands where argv[0] would */
        g_ptr_array_remove_index (rest, 0);
        g_ptr_array_add (rest, NULL);
        return commands[i].func ((int) rest->len - 1, (char **) rest->pdata);
      }

  return usage_error (_("Unknown command “%s”"), command);
}
