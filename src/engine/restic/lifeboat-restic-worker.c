/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restic"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "lifeboat-error.h"
#include "lifeboat-restic-private.h"
#include "lifeboat-restic-repository.h"

/*
 * A repository's password for the window's worker (lifeboat-job-worker.h): the window
 * knows it from the Secret Service; the worker gets it through a pipe it inherits as
 * WORKER_FD, written before it starts and closed on this side, so it is on no command line, in
 * no environment and in no file. The pipe holds "<location>\n<password>"; the worker answers
 * the password lookup with it for that location only.
 */

#define WORKER_FD 3
#define WORKER_FD_VARIABLE "LIFEBOAT_RESTIC_PASSWORD_FD"

gboolean
lifeboat_restic_prepare_worker (GFile                *file,
                                GSubprocessLauncher  *launcher,
                                GError              **error)
{
  LifeboatResticRepository *repo = lifeboat_restic_file_get_repository (file);
  g_autofree char *password = NULL;
  g_autofree char *text = NULL;
  const char *password_file;
  gsize len;
  int fds[2];

  g_return_val_if_fail (G_IS_SUBPROCESS_LAUNCHER (launcher), FALSE);

  g_subprocess_launcher_unsetenv (launcher, WORKER_FD_VARIABLE);
  if (repo == NULL)
    return TRUE;

  password_file = _lifeboat_restic_get_password_file (repo);
  if (password_file != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "RESTIC_PASSWORD_FILE", password_file, TRUE);
      return TRUE;
    }
  password = _lifeboat_restic_dup_password (repo);
  if (password == NULL)
    return TRUE;   /* restic's own variables, inherited, or none: the worker says so */

  text = g_strdup_printf ("%s\n%s", lifeboat_restic_repository_get_location (repo), password);
  memset (password, 0, strlen (password));
  len = strlen (text);
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    {
      memset (text, 0, len);
      return FALSE;
    }
  /* it fits the pipe's buffer: written whole before the worker starts */
  if (len >= 4096 || write (fds[1], text, len) != (gssize) len)
    {
      memset (text, 0, len);
      close (fds[0]);
      close (fds[1]);
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("Could not hand the repository’s password to lifeboat-cli"));
      return FALSE;
    }
  memset (text, 0, len);
  close (fds[1]);
  g_subprocess_launcher_take_fd (launcher, fds[0], WORKER_FD);
  g_subprocess_launcher_setenv (launcher, WORKER_FD_VARIABLE, G_STRINGIFY (WORKER_FD), TRUE);
  return TRUE;
}

static char *worker_location;
static char *worker_password;

static char *
worker_lookup (const char *location)
{
  if (worker_password == NULL || g_strcmp0 (location, worker_location) != 0)
    return NULL;
  return g_strdup (worker_password);
}

void
lifeboat_restic_take_worker_password (void)
{
  const char *value = g_getenv (WORKER_FD_VARIABLE);
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[512];
  char *newline;
  struct stat st;
  gint64 fd;

  if (value == NULL)
    return;
  fd = g_ascii_strtoll (value, NULL, 10);
  g_unsetenv (WORKER_FD_VARIABLE);
  /* only the pipe lifeboat_restic_prepare_worker() made (nothing that could block) */
  if (fd < 3 || fd > 1024 || fstat ((int) fd, &st) != 0 || !S_ISFIFO (st.st_mode))
    return;

  for (guint i = 0; i < 16; i++)
    {
      gssize n = read ((int) fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
    }
  memset (buffer, 0, sizeof buffer);
  close ((int) fd);

  newline = strchr (text->str, '\n');
  if (newline != NULL)
    {
      g_clear_pointer (&worker_location, g_free);
      worker_location = g_strndup (text->str, newline - text->str);
      worker_password = g_strdup (newline + 1);
      lifeboat_restic_set_password_lookup (worker_lookup);
    }
  memset (text->str, 0, text->len);
}

GFile *
lifeboat_restic_open_place_sync (const char    *place,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autofree char *location = NULL;
  g_autofree char *id = NULL;
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (place != NULL, NULL);

  if (lifeboat_restic_location_is_repository (place))
    location = g_strdup (place);
  else if (!lifeboat_restic_split_backup_name (place, &location, &id) ||
           !lifeboat_restic_location_is_repository (location))
    return g_file_new_for_path (place);

  repo = lifeboat_restic_repository_new (location);
  if (!lifeboat_restic_repository_open_sync (repo, FALSE, NULL, cancellable, error))
    return NULL;
  file = lifeboat_restic_repository_get_file (repo, id);
  if (id != NULL && !g_file_query_exists (file, cancellable))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The restic repository %s holds no complete backup %s"), location, id);
      return NULL;
    }
  return g_steal_pointer (&file);
}
