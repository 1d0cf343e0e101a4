/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh:// addresses and the ssh command lines made from them */
#define G_LOG_DOMAIN "lifeboat-ssh"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-private.h"
#include "lifeboat-ssh-tunnel.h"

#define URI_FORM "ssh://[user@]host[:port][/remote/socket]"

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI, message);
  return FALSE;
}

gboolean
lifeboat_ssh_uri_parse (const char  *uri,
                        char       **user,
                        char       **host,
                        guint       *port,
                        char       **remote_socket,
                        GError     **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *u = NULL;
  g_autofree char *h = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  g_autofree char *fragment = NULL;
  g_autofree char *message = NULL;
  gint p = -1;
  gsize authority_len;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (!g_str_has_prefix (uri, "ssh://"))
    {
      message = g_strdup_printf (_("“%s” is not an ssh:// address (%s)"), uri, URI_FORM);
      return invalid (error, message);
    }
  /* "ssh://host:" is a port left out, not the default port */
  authority_len = strcspn (uri + strlen ("ssh://"), "/?#");
  if (authority_len > 0 && uri[strlen ("ssh://") + authority_len - 1] == ':')
    {
      message = g_strdup_printf (_("“%s”: the port must be a number from 1 to 65535"), uri);
      return invalid (error, message);
    }

  if (!g_uri_split_with_user (uri, G_URI_FLAGS_NONE, &scheme, &u, NULL, NULL, &h, &p, &path,
                              &query, &fragment, NULL))
    {
      message = g_strdup_printf (_("“%s” is not a valid address (%s)"), uri, URI_FORM);
      return invalid (error, message);
    }

  /* nothing ssh would read as an option, nothing that splits a command line */
  if (u != NULL && (*u == '\0' || u[0] == '-' || strpbrk (u, " \t\n/:@") != NULL))
    {
      message = g_strdup_printf (_("“%s”: the user name is not valid"), uri);
      return invalid (error, message);
    }
  if (h == NULL || *h == '\0' || h[0] == '-' || strpbrk (h, " \t\n/@") != NULL)
    {
      message = g_strdup_printf (_("“%s” names no valid host (%s)"), uri, URI_FORM);
      return invalid (error, message);
    }
  if (p == 0)
    {
      message = g_strdup_printf (_("“%s”: the port must be a number from 1 to 65535"), uri);
      return invalid (error, message);
    }
  if (query != NULL || fragment != NULL || strchr (path, '\n') != NULL)
    {
      message = g_strdup_printf (_("“%s”: the remote socket path is not valid"), uri);
      return invalid (error, message);
    }
  if (path[0] == '\0' || g_str_equal (path, "/"))
    {
      g_free (path);
      path = g_strdup (LIFEBOAT_SSH_DEFAULT_REMOTE_SOCKET);
    }

  if (user)
    *user = g_steal_pointer (&u);
  if (host)
    *host = g_steal_pointer (&h);
  if (port)
    *port = p > 0 ? (guint) p : 0;
  if (remote_socket)
    *remote_socket = g_steal_pointer (&path);
  return TRUE;
}

static gboolean
append_extra_options (GPtrArray  *argv,
                      GError    **error)
{
  const char *opts = g_getenv ("LIFEBOAT_SSH_OPTIONS");
  g_auto(GStrv) extra = NULL;
  g_autoptr(GError) local_error = NULL;

  if (opts == NULL || *opts == '\0')
    return TRUE;
  if (!g_shell_parse_argv (opts, NULL, &extra, &local_error))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                   _("LIFEBOAT_SSH_OPTIONS cannot be parsed: %s"), local_error->message);
      return FALSE;
    }
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  return TRUE;
}

GPtrArray *
_lifeboat_ssh_argv_new (const char *user,
                        guint       port)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *ssh = g_getenv ("LIFEBOAT_SSH");

  g_ptr_array_add (argv, g_strdup (ssh && *ssh ? ssh : "ssh"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("BatchMode=yes"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("ControlPath=none"));
  if (port != 0)
    {
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", port));
    }
  if (user != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-l"));
      g_ptr_array_add (argv, g_strdup (user));
    }
  return argv;
}

gboolean
_lifeboat_ssh_argv_finish (GPtrArray   *argv,
                           const char  *host,
                           GError     **error)
{
  if (!append_extra_options (argv, error))
    return FALSE;
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (host));
  return TRUE;
}

char *
_lifeboat_ssh_host_display (const char *host,
                            guint       port)
{
  if (port == 0)
    return g_strdup (host);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}
