/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh's stderr read as one LifeboatError per cause (see lifeboat-error.h) */
#define G_LOG_DOMAIN "lifeboat-ssh"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-ssh-private.h"
#include "lifeboat-ssh-tunnel.h"

char *
_lifeboat_ssh_last_line (const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (int i = (int) g_strv_length (lines) - 1; i >= 0; i--)
    {
      g_strstrip (lines[i]);
      if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "Warning: Permanently added"))
        return g_strdup (lines[i]);
    }
  return NULL;
}

char *
_lifeboat_ssh_find_fingerprint (const char *text)
{
  const char *p = text ? strstr (text, "SHA256:") : NULL;
  const char *end;

  if (p == NULL)
    return NULL;
  end = p + strlen ("SHA256:");
  while (*end != '\0' && (g_ascii_isalnum (*end) || *end == '+' || *end == '/' || *end == '='))
    end++;
  return g_strndup (p, end - p);
}

static gboolean
contains_any (const char         *text,
              const char * const *needles)
{
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (text, needles[i]) != NULL)
      return TRUE;
  return FALSE;
}

GError *
lifeboat_ssh_error_from_stderr (const char *ssh_stderr,
                                const char *host,
                                const char *remote_socket)
{
  static const char * const unknown_key[] = {
    "Host key verification failed", "host key is known for", NULL
  };
  static const char * const auth[] = {
    "Permission denied (", "Too many authentication failures", NULL
  };
  static const char * const name[] = {
    "Could not resolve hostname", "Name or service not known",
    "Temporary failure in name resolution", "No address associated with hostname", NULL
  };
  static const char * const refused[] = { "Connection refused", NULL };
  static const char * const timeout[] = { "timed out", "Timeout, server", NULL };
  static const char * const unreachable[] = {
    "No route to host", "Network is unreachable", "Connection closed by", "Connection reset",
    NULL
  };
  static const char * const no_remote[] = { "open failed", "connect failed", NULL };
  g_autofree char *line = NULL;

  if (ssh_stderr == NULL || *ssh_stderr == '\0')
    return NULL;

  line = _lifeboat_ssh_last_line (ssh_stderr);
  if (host == NULL)
    host = _("the server");
  if (remote_socket == NULL)
    remote_socket = LIFEBOAT_SSH_DEFAULT_REMOTE_SOCKET;

  if (strstr (ssh_stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") != NULL)
    {
      g_autofree char *fp = _lifeboat_ssh_find_fingerprint (ssh_stderr);

      return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_CHANGED,
                          _("The host key of %s has changed (it now shows %s): refusing to "
                            "connect; this can be an attack. If the server was reinstalled, "
                            "remove its old key with “ssh-keygen -R” and check the new one"),
                          host, fp ? fp : _("an unknown key"));
    }
  if (contains_any (ssh_stderr, unknown_key))
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_UNKNOWN,
                        _("The host key of %s is not known yet; check its fingerprint and "
                          "accept it before connecting"), host);
  if (contains_any (ssh_stderr, auth))
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_AUTH_FAILED,
                        _("SSH login to %s was refused (ssh: “%s”); check the user name and "
                          "that your key is in the server’s authorized_keys"),
                        host, line ? line : "Permission denied");
  if (contains_any (ssh_stderr, name))
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NAME_RESOLUTION,
                        _("The host name of %s cannot be resolved to an address (ssh: “%s”); "
                          "check its spelling and the network’s name service"), host, line);
  if (contains_any (ssh_stderr, refused))
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_CONNECTION_REFUSED,
                        _("%s refused the SSH connection (ssh: “%s”); check the port and "
                          "that sshd runs there"), host, line);
  if (contains_any (ssh_stderr, timeout))
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_TIMED_OUT,
                        _("%s did not answer over SSH in time (ssh: “%s”); check the address, "
                          "a firewall on the way, and that the host is up"), host, line);
  if (contains_any (ssh_stderr, unreachable))
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_UNREACHABLE,
                        _("Cannot reach %s over SSH (ssh: “%s”); check the network between "
                          "here and the host"), host, line);
  if (contains_any (ssh_stderr, no_remote))
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SOCKET,
                        _("The engine socket %s on %s cannot be opened over SSH (ssh: “%s”; "
                          "is the engine running there, and is the user in the docker group?)"),
                        remote_socket, host, line);
  if (strstr (ssh_stderr, "forwarding") != NULL)
    return g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_SSH,
                        _("SSH to %s could not forward the engine socket: %s"), host, line);
  return NULL;
}

char *
lifeboat_ssh_error_dup_fingerprint (const GError *error)
{
  if (error == NULL || error->domain != LIFEBOAT_ERROR ||
      (error->code != LIFEBOAT_ERROR_HOST_KEY_UNKNOWN &&
       error->code != LIFEBOAT_ERROR_HOST_KEY_CHANGED))
    return NULL;
  return _lifeboat_ssh_find_fingerprint (error->message);
}
