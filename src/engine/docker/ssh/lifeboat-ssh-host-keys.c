/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SSH host keys: scanned with ssh-keyscan, accepted into the known_hosts file ssh reads */
#define G_LOG_DOMAIN "lifeboat-ssh"

#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-private.h"
#include "lifeboat-ssh-tunnel.h"

/* what ssh will really use for @host (`ssh -G`: ~/.ssh/config, -F ... of
 * LIFEBOAT_SSH_OPTIONS): the host name to connect to, the port and the first
 * UserKnownHostsFile (~ expanded). Out parameters may be NULL. */
static gboolean
ssh_effective_config (const char    *user,
                      const char    *host,
                      guint          port,
                      char         **real_host,
                      guint         *real_port,
                      char         **known_hosts,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GPtrArray) argv = _lifeboat_ssh_argv_new (user, port);
  g_autofree char *config = NULL;
  g_autofree char *kh = NULL;
  g_autofree char *hn = NULL;
  g_auto(GStrv) lines = NULL;
  guint p = port ? port : 22;

  g_ptr_array_insert (argv, 1, g_strdup ("-G"));
  if (!_lifeboat_ssh_argv_finish (argv, host, error))
    return FALSE;
  g_ptr_array_add (argv, NULL);
  config = _lifeboat_ssh_run_capture ((const char * const *) argv->pdata, NULL, cancellable, error);
  if (config == NULL)
    return FALSE;
  lines = g_strsplit (config, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "userknownhostsfile ") && kh == NULL)
        {
          g_auto(GStrv) files = g_strsplit (lines[i] + strlen ("userknownhostsfile "), " ", -1);
          const char *first = files[0];

          if (first == NULL || *first == '\0')
            continue;
          if (g_str_has_prefix (first, "~/"))
            {
              struct passwd *pw = getpwuid (getuid ());
              const char *home = pw && pw->pw_dir ? pw->pw_dir : g_get_home_dir ();

              kh = g_build_filename (home, first + 2, NULL);
            }
          else
            kh = g_strdup (first);
        }
      else if (g_str_has_prefix (lines[i], "hostname ") && hn == NULL)
        hn = g_strstrip (g_strdup (lines[i] + strlen ("hostname ")));
      else if (g_str_has_prefix (lines[i], "port "))
        {
          guint64 v;

          if (g_ascii_string_to_unsigned (g_strstrip (lines[i] + strlen ("port ")), 10, 1,
                                          65535, &v, NULL))
            p = (guint) v;
        }
    }
  if (real_host)
    *real_host = hn && *hn ? g_steal_pointer (&hn) : g_strdup (host);
  if (real_port)
    *real_port = p;
  if (known_hosts)
    *known_hosts = kh ? g_steal_pointer (&kh)
                      : g_build_filename (g_get_home_dir (), ".ssh", "known_hosts", NULL);
  return TRUE;
}

char *
lifeboat_ssh_scan_host_key_sync (const char    *uri,
                                 char         **known_hosts_lines,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *real_host = NULL;
  g_autofree char *port_str = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GString) fps = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint port = 0;

  if (!lifeboat_ssh_uri_parse (uri, &user, &host, &port, NULL, error))
    return NULL;
  /* ssh-keyscan reads no ssh config: ask ssh which host and port it really uses */
  if (!ssh_effective_config (user, host, port, &real_host, &port, NULL, cancellable, error))
    return NULL;
  g_free (host);
  host = g_steal_pointer (&real_host);
  port_str = g_strdup_printf ("%u", port);

  {
    const char *argv[] = { "ssh-keyscan", "-T", "10", "-p", port_str, "--", host, NULL };

    keys = _lifeboat_ssh_run_capture (argv, NULL, cancellable, error);
  }
  if (keys == NULL)
    return NULL;
  if (*keys == '\0')
    {
      g_autofree char *where = _lifeboat_ssh_host_display (host, port);

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                   _("ssh-keyscan got no host key from %s"), where);
      return NULL;
    }
  {
    const char *argv[] = { "ssh-keygen", "-l", "-f", "-", NULL };

    listing = _lifeboat_ssh_run_capture (argv, keys, cancellable, error);
  }
  if (listing == NULL)
    return NULL;

  /* "256 SHA256:xxxx [127.0.0.1]:2222 (ED25519)" */
  lines = g_strsplit (listing, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      guint n = g_strv_length (fields);

      if (n < 3 || !g_str_has_prefix (fields[1], "SHA256:"))
        continue;
      if (fps->len > 0)
        g_string_append (fps, ", ");
      g_string_append (fps, fields[1]);
      if (fields[n - 1][0] == '(')
        g_string_append_printf (fps, " %s", fields[n - 1]);
    }
  if (fps->len == 0)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   _("ssh-keygen listed no fingerprint for the scanned keys"));
      return NULL;
    }
  if (known_hosts_lines)
    *known_hosts_lines = g_steal_pointer (&keys);
  return g_string_free (g_steal_pointer (&fps), FALSE);
}

gboolean
lifeboat_ssh_accept_host_key_sync (const char    *uri,
                                   const char    *expected_fingerprint,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *fps = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *file = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GFile) gfile = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  guint port = 0;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (!lifeboat_ssh_uri_parse (uri, &user, &host, &port, NULL, error))
    return FALSE;
  fps = lifeboat_ssh_scan_host_key_sync (uri, &keys, cancellable, error);
  if (fps == NULL)
    return FALSE;
  if (expected_fingerprint != NULL)
    {
      g_autofree char *want = _lifeboat_ssh_find_fingerprint (expected_fingerprint);
      g_auto(GStrv) got = g_strsplit (fps, ", ", -1);
      gboolean found = FALSE;

      for (guint i = 0; got[i] != NULL && want != NULL; i++)
        {
          g_autofree char *fp = _lifeboat_ssh_find_fingerprint (got[i]);

          if (g_strcmp0 (fp, want) == 0)
            found = TRUE;
        }
      if (!found)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_CHANGED,
                       _("The server now shows %s, not the fingerprint %s that was accepted: "
                         "nothing added to known_hosts"), fps, expected_fingerprint);
          return FALSE;
        }
    }

  if (!ssh_effective_config (user, host, port, NULL, NULL, &file, cancellable, error))
    return FALSE;
  dir = g_path_get_dirname (file);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH, _("Cannot create %s: %s"), dir,
                   g_strerror (saved));
      return FALSE;
    }
  gfile = g_file_new_for_path (file);
  out = g_file_append_to (gfile, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (out == NULL)
    return FALSE;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), keys, strlen (keys), NULL,
                                  cancellable, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error))
    {
      g_prefix_error (error, _("Cannot add the host key to %s: "), file);
      return FALSE;
    }
  g_message ("Added the host key of %s (%s) to %s", host, fps, file);
  return TRUE;
}

typedef struct
{
  char *uri;
  char *fingerprint;
} AcceptData;

static void
accept_data_free (gpointer data)
{
  AcceptData *ad = data;

  g_free (ad->uri);
  g_free (ad->fingerprint);
  g_free (ad);
}

static void
accept_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AcceptData *ad = task_data;
  GError *error = NULL;

  if (lifeboat_ssh_accept_host_key_sync (ad->uri, ad->fingerprint, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lifeboat_ssh_accept_host_key_async (const char          *uri,
                                    const char          *expected_fingerprint,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  AcceptData *ad = g_new0 (AcceptData, 1);

  g_return_if_fail (uri != NULL);

  ad->uri = g_strdup (uri);
  ad->fingerprint = g_strdup (expected_fingerprint);
  g_task_set_source_tag (task, lifeboat_ssh_accept_host_key_async);
  g_task_set_task_data (task, ad, accept_data_free);
  g_task_run_in_thread (task, accept_thread);
}

gboolean
lifeboat_ssh_accept_host_key_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GError *
_lifeboat_ssh_host_key_unknown_error (const char   *uri,
                                      GCancellable *cancellable)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *where = NULL;
  g_autofree char *port_arg = NULL;
  g_autofree char *fp = NULL;
  g_autofree char *fp_word = NULL;
  guint port = 0;

  if (!lifeboat_ssh_uri_parse (uri, &user, &host, &port, NULL, NULL))
    g_assert_not_reached ();
  where = _lifeboat_ssh_host_display (host, port);
  port_arg = port ? g_strdup_printf ("-p %u ", port) : g_strdup ("");
  fp = lifeboat_ssh_scan_host_key_sync (uri, NULL, cancellable, NULL);
  /* "SHA256:abc (ED25519), ..." → "SHA256:abc", a word for a command line */
  fp_word = fp ? g_strndup (fp, strcspn (fp, " ,")) : NULL;
  return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_UNKNOWN,
                      _("The host key of %s is not known yet: its fingerprint is %s. Compare "
                        "it with the server’s (ssh-keygen -lf "
                        "/etc/ssh/ssh_host_ed25519_key.pub there), then accept it: "
                        "“lifeboat-cli hosts trust %s %s”, or connect once with "
                        "“ssh %s%s%s%s”"),
                      where, fp ? fp : _("unknown (ssh-keyscan failed)"), uri,
                      fp_word ? fp_word : "SHA256:…", port_arg,
                      user ? user : "", user ? "@" : "", host);
}
