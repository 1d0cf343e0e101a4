/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

/*
 * lifeboat-cli: the global options, the usage text and the table of commands. Each command is
 * a file of its own (lifeboat-cli-COMMAND.c); what they share (option parsing, output, the
 * engine and the backup a command names) is lifeboat-cli-common.c, a job run with progress
 * lifeboat-cli-run-job.c.
 */

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>

#include "lifeboat-job-worker.h"
#include "lifeboat-restic-repository.h"

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

static const struct {
  const char *name;
  int (*func) (int argc, char **argv);
} commands[] = {
  { "hosts", _lifeboat_cli_hosts },
  { "projects", _lifeboat_cli_projects },
  { "backup", _lifeboat_cli_backup },
  { "restore", _lifeboat_cli_restore },
  { "verify", _lifeboat_cli_verify },
  { "export", _lifeboat_cli_export },
  { "history", _lifeboat_cli_history },
  { "recover", _lifeboat_cli_recover },
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

