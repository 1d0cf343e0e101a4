/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Moving a volume's contents aside and back inside the volume: see
 * lifeboat-volume-swap-private.h.
 */
#define G_LOG_DOMAIN "lifeboat-volume-swap"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-container-ops-private.h"
#include "lifeboat-error.h"
#include "lifeboat-volume-swap-private.h"

/* The scripts keep each volume root's mtime (which a rename or rmdir in it changes) in the
 * helper's own /.lifeboat-mtime, and the root's owner, mode and mtime on the folder aside. */

/* Exit status of the move-aside script when every volume was empty: nothing to keep. */
#define SCRIPT_ALL_EMPTY 100

/* sh -c SCRIPT sh ASIDE DIR...; exits SCRIPT_ALL_EMPTY when it moved nothing */
static const char move_aside_script[] =
  "set -e\n"
  "aside=$1; shift; empty=1\n"
  "for d in \"$@\"; do\n"
  "  cd \"$d\"\n"
  "  touch -r . /.lifeboat-mtime\n"
  "  mkdir \"$aside\"\n"
  "  chown \"$(stat -c %u:%g .)\" \"$aside\"\n"
  "  chmod \"$(stat -c %a .)\" \"$aside\"\n"
  "  touch -r /.lifeboat-mtime \"$aside\"\n"
  "  for f in * .[!.]* ..?*; do\n"
  "    if [ -e \"$f\" ] || [ -L \"$f\" ]; then\n"
  "      if [ \"$f\" != \"$aside\" ]; then mv -- \"$f\" \"$aside/\"; empty=0; fi\n"
  "    fi\n"
  "  done\n"
  "  touch -r /.lifeboat-mtime \"$aside\"\n"
  "done\n"
  "[ $empty = 0 ] || exit " G_STRINGIFY (SCRIPT_ALL_EMPTY) "\n";

/* sh -c SCRIPT sh ASIDE DIR... */
static const char remove_aside_script[] =
  "aside=$1; shift; status=0\n"
  "for d in \"$@\"; do\n"
  "  touch -r \"$d\" /.lifeboat-mtime\n"
  "  rm -rf -- \"$d/$aside\" \"$d/$aside.back\"\n"
  "  if [ -e \"$d/$aside\" ] || [ -e \"$d/$aside.back\" ]; then status=1; else touch -r /.lifeboat-mtime \"$d\"; fi\n"
  "done\n"
  "exit $status\n";

/*
 * sh -c SCRIPT sh CLEAN ASIDE DIR...: per folder, in two phases, so that running it again after
 * an interruption never removes what it already put back: (1) with CLEAN=1 remove everything
 * next to ASIDE, then rename ASIDE to ASIDE.back (the mark that the folder is clean); (2) move
 * the contents of ASIDE.back back and remove it.
 */
static const char move_back_script[] =
  "clean=$1; aside=$2; shift 2; status=0\n"
  "for d in \"$@\"; do\n"
  "  cd \"$d\" || { status=1; continue; }\n"
  "  if [ -d \"$aside\" ]; then\n"
  "    ok=1\n"
  "    if [ \"$clean\" = 1 ]; then\n"
  "      for f in * .[!.]* ..?*; do\n"
  "        if [ -e \"$f\" ] || [ -L \"$f\" ]; then\n"
  "          [ \"$f\" = \"$aside\" ] || [ \"$f\" = \"$aside.back\" ] || rm -rf -- \"$f\" || ok=0\n"
  "        fi\n"
  "      done\n"
  "    fi\n"
  "    if [ $ok = 1 ] && [ ! -e \"$aside.back\" ]; then mv -- \"$aside\" \"$aside.back\" || ok=0; fi\n"
  "    [ $ok = 1 ] || { status=1; continue; }\n"
  "  fi\n"
  "  [ -d \"$aside.back\" ] || continue\n"
  "  touch -r \"$aside.back\" /.lifeboat-mtime || status=1\n"
  "  for f in \"$aside.back\"/* \"$aside.back\"/.[!.]* \"$aside.back\"/..?*; do\n"
  "    if [ -e \"$f\" ] || [ -L \"$f\" ]; then mv -- \"$f\" . || status=1; fi\n"
  "  done\n"
  "  chown \"$(stat -c %u:%g \"$aside.back\")\" . && chmod \"$(stat -c %a \"$aside.back\")\" . &&\n"
  "    rmdir \"$aside.back\" && touch -r /.lifeboat-mtime . || status=1\n"
  "done\n"
  "exit $status\n";

/* sh -c SCRIPT sh DIR: the hidden folders of restores at its top */
static const char find_asides_script[] =
  "cd \"$1\" || exit 1\n"
  "for f in " LIFEBOAT_ASIDE_PREFIX "*; do [ -e \"$f\" ] && printf '%s ' \"$f\"; done\n"
  "exit 0\n";

char *
_lifeboat_swap_new_aside_name (void)
{
  return g_strdup_printf (LIFEBOAT_ASIDE_PREFIX "%08x%08x", g_random_int (), g_random_int ());
}

/* Runs @script in a helper with @binds on @args + @dirs; FALSE with a worded error unless it
 * exits 0 (or SCRIPT_ALL_EMPTY, when @all_empty_out asks for it). */
static gboolean
run_script (LifeboatDockerClient  *client,
            const char            *image,
            GPtrArray             *binds,
            const char            *script,
            const char * const    *args,
            GPtrArray             *dirs,
            const char            *what,
            gboolean              *all_empty_out,
            gboolean              *started_out,
            GCancellable          *cancellable,
            GError               **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autoptr(GPtrArray) bind_list = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autofree char *helper = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) "/bin/sh");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) script);
  g_ptr_array_add (argv, (char *) "sh");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  for (guint i = 0; i < dirs->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (dirs, i));
  for (guint i = 0; i < binds->len; i++)
    if (g_ptr_array_index (binds, i) != NULL)
      g_ptr_array_add (bind_list, g_ptr_array_index (binds, i));

  helper = _lifeboat_run_helper (client, image, (const char * const *) bind_list->pdata,
                                 (const char * const *) argv->pdata, &status, cancellable, error);
  if (started_out != NULL)
    *started_out = helper != NULL || status != -1;
  if (helper == NULL)
    return FALSE;
  _lifeboat_remove_helper (client, helper);

  if (all_empty_out != NULL)
    *all_empty_out = status == SCRIPT_ALL_EMPTY;
  if (status != 0 && !(all_empty_out != NULL && status == SCRIPT_ALL_EMPTY))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("Could not %s: the helper container (image %s) exited with status %d; it "
                     "needs /bin/sh, mkdir, mv, rm, stat, chown, chmod and touch"),
                   what, image, status);
      return FALSE;
    }
  return TRUE;
}

gboolean
_lifeboat_swap_move_aside (LifeboatDockerClient *client,
                           const char           *image,
                           GPtrArray            *binds,
                           const char           *aside,
                           GPtrArray            *dirs,
                           gboolean             *all_empty_out,
                           gboolean             *started_out,
                           GCancellable         *cancellable,
                           GError              **error)
{
  const char *args[] = { aside, NULL };

  return run_script (client, image, binds, move_aside_script, args, dirs,
                     _("move the volumes’ contents aside"), all_empty_out, started_out,
                     cancellable, error);
}

gboolean
_lifeboat_swap_move_back (LifeboatDockerClient *client,
                          const char           *image,
                          GPtrArray            *binds,
                          const char           *aside,
                          gboolean              clean,
                          GPtrArray            *dirs,
                          GError              **error)
{
  const char *args[] = { clean ? "1" : "0", aside, NULL };

  return run_script (client, image, binds, move_back_script, args, dirs,
                     _("put the previous contents back"), NULL, NULL, NULL, error);
}

gboolean
_lifeboat_swap_remove_aside (LifeboatDockerClient *client,
                             const char           *image,
                             GPtrArray            *binds,
                             const char           *aside,
                             GPtrArray            *dirs,
                             GError              **error)
{
  const char *args[] = { aside, NULL };

  return run_script (client, image, binds, remove_aside_script, args, dirs,
                     _("remove the previous contents"), NULL, NULL, NULL, error);
}

char *
_lifeboat_swap_find_asides (LifeboatDockerClient *client,
                            const char           *image,
                            const char           *volume,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_autofree char *bind = g_strdup_printf ("%s:" LIFEBOAT_SWAP_ROOT "/0", volume);
  const char *binds[] = { bind, NULL };
  const char *argv[] = { "/bin/sh", "-c", find_asides_script, "sh", LIFEBOAT_SWAP_ROOT "/0",
                         NULL };
  g_autofree char *helper = NULL;
  g_autoptr(GInputStream) logs = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  int status = -1;

  helper = _lifeboat_run_helper (client, image, binds, argv, &status, cancellable, error);
  if (helper == NULL)
    return NULL;
  {
    g_autofree char *path = g_strdup_printf ("/containers/%s/logs?stdout=1", helper);
    guint8 buf[4096];
    gssize n;

    logs = lifeboat_docker_client_get_stream_sync (client, path, cancellable, error);
    while (logs != NULL && (n = g_input_stream_read (logs, buf, sizeof buf, cancellable, NULL)) > 0)
      {
        /* the multiplexed log: 8-byte frame headers, then the text */
        gssize i = 0;

        while (i + 8 <= n)
          {
            guint32 len = ((guint32) buf[i + 4] << 24) | ((guint32) buf[i + 5] << 16) |
                          ((guint32) buf[i + 6] << 8) | buf[i + 7];

            i += 8;
            g_string_append_len (out, (const char *) buf + i, MIN ((gssize) len, n - i));
            i += len;
          }
      }
  }
  _lifeboat_remove_helper (client, helper);
  if (logs == NULL)
    return NULL;
  if (status != 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("Could not look into volume %s: the helper exited with status %d"), volume,
                   status);
      return NULL;
    }
  return g_strdup (g_strstrip (out->str));
}
