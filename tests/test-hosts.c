/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hosts"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "lifeboat-error.h"
#include "lifeboat-hosts.h"
#include "lifeboat-ssh-tunnel.h"

/* ------------------------------------------------------------------------------------------ */
/* helpers                                                                                     */

static void
write_file (const char *path,
            const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* a docker context as `docker context create NAME --docker host=URI` writes it */
static void
write_context (const char *config_dir,
               const char *name,
               const char *uri,
               const char *description)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  g_autofree char *path = g_build_filename (config_dir, "contexts", "meta", digest,
                                            "meta.json", NULL);
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"Name\":\"%s\",\"Metadata\":{\"Description\":\"%s\"},"
                          "\"Endpoints\":{\"docker\":{\"Host\":\"%s\","
                          "\"SkipTLSVerify\":false}}}", name, description, uri);
  write_file (path, json);
}

static char *
docker_dir (void)
{
  return g_build_filename (g_get_home_dir (), ".docker", NULL);
}

/* a listening unix socket at @path (the caller keeps it open) */
static GSocket *
make_socket (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                       &error);
  g_assert_no_error (error);
  g_socket_bind (sock, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (sock, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&sock);
}

static LifeboatHost *
find_host (GListModel *model,
           const char *uri)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LifeboatHost) host = g_list_model_get_item (model, i);

      if (g_strcmp0 (lifeboat_host_get_uri (host), uri) == 0)
        return g_steal_pointer (&host);
    }
  return NULL;
}

static void
clear_env (void)
{
  g_unsetenv ("DOCKER_HOST");
  g_unsetenv ("DOCKER_CONTEXT");
  g_unsetenv ("DOCKER_CONFIG");
}

/* ------------------------------------------------------------------------------------------ */
/* ssh:// parsing and ssh's messages                                                           */

static void
test_ssh_uri_parse (void)
{
  struct {
    const char *uri;
    const char *user;
    const char *host;
    guint port;
    const char *socket;
  } good[] = {
    { "ssh://cvat.example.org", NULL, "cvat.example.org", 0, "/var/run/docker.sock" },
    { "ssh://admin@cvat.example.org", "admin", "cvat.example.org", 0, "/var/run/docker.sock" },
    { "ssh://root@127.0.0.1:2222/run/test/docker.sock", "root", "127.0.0.1", 2222,
      "/run/test/docker.sock" },
    { "ssh://host:22/", NULL, "host", 22, "/var/run/docker.sock" },
    { "ssh://u@[::1]:2200/run/user/1000/docker.sock", "u", "::1", 2200,
      "/run/user/1000/docker.sock" },
    { "ssh://[fe80::1]", NULL, "fe80::1", 0, "/var/run/docker.sock" },
    { "ssh://me@h/tmp/with%20space.sock", "me", "h", 0, "/tmp/with space.sock" },
  };
  const char *bad[] = {
    "ssh://", "ssh://@host", "ssh://user@", "ssh://host:0", "ssh://host:65536",
    "ssh://host:abc", "ssh://[::1", "ssh://[::1]x", "ssh://-oProxyCommand=evil",
    "ssh://-l@host", "tcp://host:2375", "host", "ssh://host:", "ssh://a:b@h", "ssh://h/x%0Ay",
    "ssh://h?x=1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *user = NULL;
      g_autofree char *host = NULL;
      g_autofree char *socket = NULL;
      g_autoptr(GError) error = NULL;
      guint port = 99;

      g_test_message ("good: %s", good[i].uri);
      g_assert_true (lifeboat_ssh_uri_parse (good[i].uri, &user, &host, &port, &socket, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (user, ==, good[i].user);
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpuint (port, ==, good[i].port);
      g_assert_cmpstr (socket, ==, good[i].socket);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("bad: %s", bad[i]);
      g_assert_false (lifeboat_ssh_uri_parse (bad[i], NULL, NULL, NULL, NULL, &error));
      g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
      g_assert_true (strstr (error->message, bad[i]) != NULL);
    }
}

/* what OpenSSH 9.2 prints, captured from real runs */
static void
test_ssh_stderr (void)
{
  struct {
    const char *text;
    int code;
    const char *must_contain;
  } cases[] = {
    { "Host key verification failed.\r\n", LIFEBOAT_ERROR_HOST_KEY_UNKNOWN, "not known" },
    { "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
      "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
      "The fingerprint for the ED25519 key sent by the remote host is\n"
      "SHA256:koOxDTTVFna7VYP/8wHTjtwon83exIXnKxwXE5oI1XE.\n"
      "Host key for [127.0.0.1]:45947 has changed and you have requested strict checking.\n"
      "Host key verification failed.\n", LIFEBOAT_ERROR_HOST_KEY_CHANGED,
      "SHA256:koOxDTTVFna7VYP/8wHTjtwon83exIXnKxwXE5oI1XE" },
    { "nobody@127.0.0.1: Permission denied (publickey).\n", LIFEBOAT_ERROR_AUTH_FAILED,
      "Permission denied (publickey)" },
    { "ssh: connect to host 127.0.0.1 port 1: Connection refused\n",
      LIFEBOAT_ERROR_CONNECTION_REFUSED, "Connection refused" },
    { "ssh: Could not resolve hostname nonexistent.invalid: Name or service not known\n",
      LIFEBOAT_ERROR_NAME_RESOLUTION, "nonexistent.invalid" },
    { "ssh: Could not resolve hostname nosuchhost.invalid: "
      "Temporary failure in name resolution\r\n",
      LIFEBOAT_ERROR_NAME_RESOLUTION, "nosuchhost.invalid" },
    { "ssh: connect to host 10.9.9.9 port 22: No route to host\n",
      LIFEBOAT_ERROR_HOST_UNREACHABLE, "No route to host" },
    { "ssh: connect to host 10.9.9.9 port 22: Connection timed out\n",
      LIFEBOAT_ERROR_TIMED_OUT, "timed out" },
    { "Connection timed out during banner exchange\r\n"
      "Connection to UNKNOWN port 65535 timed out\r\n",
      LIFEBOAT_ERROR_TIMED_OUT, "timed out" },
    { "kex_exchange_identification: Connection closed by remote host\r\n",
      LIFEBOAT_ERROR_HOST_UNREACHABLE, "Connection closed" },
    { "channel 1: open failed: connect failed: open failed\n", LIFEBOAT_ERROR_NO_SOCKET,
      "docker group" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = lifeboat_ssh_error_from_stderr (cases[i].text, "h:22",
                                                               "/srv/docker.sock");

      g_test_message ("case %u", i);
      g_assert_nonnull (error);
      g_assert_cmpint (error->domain, ==, LIFEBOAT_ERROR);
      g_assert_cmpint (error->code, ==, cases[i].code);
      g_assert_true (strstr (error->message, cases[i].must_contain) != NULL);
      g_assert_true (strstr (error->message, "h:22") != NULL);
    }
  {
    g_autoptr(GError) error = lifeboat_ssh_error_from_stderr ("channel 3: open failed: "
                                                              "connect failed: open failed\n",
                                                              "h", "/srv/docker.sock");

    g_assert_true (strstr (error->message, "/srv/docker.sock") != NULL);
  }
  {
    g_autoptr(GError) changed = lifeboat_ssh_error_from_stderr (cases[1].text, "h", NULL);
    g_autoptr(GError) other = g_error_new (LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED, "SHA256:abc");
    g_autofree char *fp = lifeboat_ssh_error_dup_fingerprint (changed);

    g_assert_cmpstr (fp, ==, "SHA256:koOxDTTVFna7VYP/8wHTjtwon83exIXnKxwXE5oI1XE");
    g_assert_null (lifeboat_ssh_error_dup_fingerprint (other));
  }
  g_assert_null (lifeboat_ssh_error_from_stderr ("", "h", NULL));
  g_assert_null (lifeboat_ssh_error_from_stderr ("Warning: Permanently added '[h]:22'\n",
                                                 "h", NULL));
}

/* ------------------------------------------------------------------------------------------ */
/* defaults, contexts, names                                                                   */

static void
test_resolve_default (void)
{
  g_autofree char *docker = docker_dir ();
  g_autofree char *config = g_build_filename (docker, "config.json", NULL);
  g_autoptr(GError) error = NULL;
  char *origin = NULL;
  char *uri;

  clear_env ();

  /* nothing configured: the local socket */
  uri = lifeboat_hosts_resolve_default (&origin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///var/run/docker.sock");
  g_assert_cmpstr (origin, ==, "local socket");
  g_clear_pointer (&uri, g_free);
  g_clear_pointer (&origin, g_free);

  /* a current context beats the local socket */
  write_context (docker, "cvat-prod", "ssh://admin@cvat.example.org", "prod");
  write_file (config, "{\"auths\":{},\"currentContext\":\"cvat-prod\"}");
  uri = lifeboat_hosts_resolve_default (&origin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "ssh://admin@cvat.example.org");
  g_assert_cmpstr (origin, ==, "docker context cvat-prod");
  g_clear_pointer (&uri, g_free);
  g_clear_pointer (&origin, g_free);

  /* DOCKER_CONTEXT beats config.json */
  write_context (docker, "other", "unix:///srv/other.sock", "");
  g_setenv ("DOCKER_CONTEXT", "other", TRUE);
  uri = lifeboat_hosts_resolve_default (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///srv/other.sock");
  g_clear_pointer (&uri, g_free);
  g_unsetenv ("DOCKER_CONTEXT");

  /* DOCKER_HOST beats everything */
  g_setenv ("DOCKER_HOST", "tcp://127.0.0.1:2375", TRUE);
  uri = lifeboat_hosts_resolve_default (&origin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "tcp://127.0.0.1:2375");
  g_assert_cmpstr (origin, ==, "DOCKER_HOST");
  g_clear_pointer (&uri, g_free);
  g_clear_pointer (&origin, g_free);

  /* an empty DOCKER_HOST is unset */
  g_setenv ("DOCKER_HOST", "", TRUE);
  uri = lifeboat_hosts_resolve_default (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "ssh://admin@cvat.example.org");
  g_clear_pointer (&uri, g_free);

  /* a DOCKER_HOST Lifeboat cannot use is an error, not silently another engine */
  g_setenv ("DOCKER_HOST", "npipe:////./pipe/docker_engine", TRUE);
  uri = lifeboat_hosts_resolve_default (NULL, &error);
  g_assert_null (uri);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_assert_true (strstr (error->message, "DOCKER_HOST") != NULL);
  g_clear_error (&error);
  g_unsetenv ("DOCKER_HOST");

  /* a current context that does not exist is an error naming it */
  write_file (config, "{\"currentContext\":\"gone\"}");
  uri = lifeboat_hosts_resolve_default (NULL, &error);
  g_assert_null (uri);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_assert_true (strstr (error->message, "gone") != NULL);
  g_clear_error (&error);

  /* "default" as current context: the local socket */
  write_file (config, "{\"currentContext\":\"default\"}");
  uri = lifeboat_hosts_resolve_default (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///var/run/docker.sock");
  g_free (uri);
}

static void
test_docker_config_env (void)
{
  g_autofree char *elsewhere = g_build_filename (g_get_user_config_dir (), "dockercfg", NULL);
  g_autofree char *config = g_build_filename (elsewhere, "config.json", NULL);
  g_autofree char *home_docker = docker_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *current = NULL;
  g_autofree char *dir = NULL;

  clear_env ();
  write_context (home_docker, "in-home", "unix:///home.sock", "");
  write_context (elsewhere, "in-config", "unix:///config.sock", "");
  write_file (config, "{\"currentContext\":\"in-config\"}");

  g_setenv ("DOCKER_CONFIG", elsewhere, TRUE);
  dir = lifeboat_hosts_get_docker_config_dir ();
  g_assert_cmpstr (dir, ==, elsewhere);
  current = lifeboat_hosts_get_current_context ();
  g_assert_cmpstr (current, ==, "in-config");
  uri = lifeboat_hosts_get_context_uri ("in-config", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///config.sock");
  g_clear_pointer (&uri, g_free);

  /* contexts of ~/.docker are not seen while DOCKER_CONFIG points elsewhere */
  uri = lifeboat_hosts_get_context_uri ("in-home", &error);
  g_assert_null (uri);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_unsetenv ("DOCKER_CONFIG");
  uri = lifeboat_hosts_get_context_uri ("in-home", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///home.sock");
}

static void
test_resolve_names (void)
{
  g_autofree char *docker = docker_dir ();
  g_autoptr(GError) error = NULL;
  char *uri;

  clear_env ();
  write_context (docker, "staging", "ssh://deploy@staging.example.org:2222", "");
  g_assert_true (lifeboat_hosts_save ("lab", "ssh://root@lab.example.org/run/docker.sock",
                                      "the lab", &error));
  g_assert_no_error (error);
  /* a context wins over a saved host of the same name, as with the docker CLI */
  g_assert_true (lifeboat_hosts_save ("staging", "ssh://nobody@wrong.example.org", NULL,
                                      &error));
  g_assert_no_error (error);

  uri = lifeboat_hosts_resolve ("staging", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "ssh://deploy@staging.example.org:2222");
  g_free (uri);

  uri = lifeboat_hosts_resolve ("lab", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "ssh://root@lab.example.org/run/docker.sock");
  g_free (uri);

  uri = lifeboat_hosts_resolve ("/srv/engine/docker.sock", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///srv/engine/docker.sock");
  g_free (uri);

  uri = lifeboat_hosts_resolve ("unix:///x.sock", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///x.sock");
  g_free (uri);

  g_setenv ("DOCKER_HOST", "unix:///from-env.sock", TRUE);
  uri = lifeboat_hosts_resolve ("default", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///from-env.sock");
  g_free (uri);
  uri = lifeboat_hosts_resolve (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "unix:///from-env.sock");
  g_free (uri);
  g_unsetenv ("DOCKER_HOST");

  uri = lifeboat_hosts_resolve ("nosuchthing", &error);
  g_assert_null (uri);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_assert_true (strstr (error->message, "nosuchthing") != NULL);
  g_clear_error (&error);

  uri = lifeboat_hosts_resolve ("npipe:////./pipe/docker", &error);
  g_assert_null (uri);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);

  uri = lifeboat_hosts_resolve ("unix://relative.sock", &error);
  g_assert_null (uri);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);

  uri = lifeboat_hosts_resolve ("ssh://host:99999", &error);
  g_assert_null (uri);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);
}

/* ------------------------------------------------------------------------------------------ */
/* saved hosts                                                                                 */

static void
test_saved_hosts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(LifeboatHost) host = NULL;
  g_autofree char *path = lifeboat_hosts_get_saved_path ();
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "lifeboat",
                                                "hosts.ini", NULL);
  g_autofree char *contents = NULL;
  struct stat st;

  g_assert_cmpstr (path, ==, expected);

  /* no file: an empty list */
  list = lifeboat_hosts_list_saved (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_clear_object (&list);

  g_assert_true (lifeboat_hosts_save ("cvat-prod", "ssh://admin@cvat.example.org",
                                      "Annotation server", &error));
  g_assert_no_error (error);
  g_assert_true (lifeboat_hosts_save ("lab", "ssh://root@10.0.0.5:2222/run/docker.sock", NULL,
                                      &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (strstr (contents, "[host cvat-prod]") != NULL);
  g_assert_true (strstr (contents, "uri=ssh://admin@cvat.example.org") != NULL);

  list = lifeboat_hosts_list_saved (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  host = g_list_model_get_item (list, 0);
  g_assert_cmpint (lifeboat_host_get_kind (host), ==, LIFEBOAT_HOST_KIND_SAVED);
  g_assert_cmpstr (lifeboat_host_get_name (host), ==, "cvat-prod");
  g_assert_cmpstr (lifeboat_host_get_uri (host), ==, "ssh://admin@cvat.example.org");
  g_assert_cmpstr (lifeboat_host_get_description (host), ==, "Annotation server");
  g_clear_object (&host);
  g_clear_object (&list);

  /* saving again replaces */
  g_assert_true (lifeboat_hosts_save ("cvat-prod", "ssh://backup@cvat.example.org", NULL,
                                      &error));
  g_assert_no_error (error);
  list = lifeboat_hosts_list_saved (&error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  host = g_list_model_get_item (list, 0);
  g_assert_cmpstr (lifeboat_host_get_uri (host), ==, "ssh://backup@cvat.example.org");
  g_assert_cmpstr (lifeboat_host_get_description (host), ==, "");
  g_clear_object (&host);
  g_clear_object (&list);

  /* bad names and addresses are refused and change nothing */
  g_assert_false (lifeboat_hosts_save ("a/b", "ssh://h", NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);
  g_assert_false (lifeboat_hosts_save ("default", "ssh://h", NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);
  g_assert_false (lifeboat_hosts_save ("x", "cvat.example.org", NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);
  g_assert_false (lifeboat_hosts_save ("x", "ssh://:22", NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);

  g_assert_true (lifeboat_hosts_forget ("lab", &error));
  g_assert_no_error (error);
  g_assert_false (lifeboat_hosts_forget ("lab", &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = lifeboat_hosts_list_saved (&error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* discovery                                                                                   */

static void
test_discover (void)
{
  const char *runtime = g_get_user_runtime_dir ();
  g_autofree char *rootless = g_build_filename (runtime, "docker.sock", NULL);
  g_autofree char *podman = g_build_filename (runtime, "podman", "podman.sock", NULL);
  g_autofree char *docker = docker_dir ();
  g_autofree char *config = g_build_filename (docker, "config.json", NULL);
  g_autofree char *rootless_uri = g_strconcat ("unix://", rootless, NULL);
  g_autofree char *podman_uri = g_strconcat ("unix://", podman, NULL);
  g_autoptr(GSocket) s1 = NULL;
  g_autoptr(GSocket) s2 = NULL;
  g_autoptr(GListModel) hosts = NULL;
  g_autoptr(LifeboatHost) host = NULL;
  g_autoptr(GError) error = NULL;
  guint n_default = 0;
  guint n_env_uri = 0;

  g_assert_nonnull (runtime);
  clear_env ();

  /* nothing there yet: no rootless or podman entry */
  hosts = lifeboat_hosts_discover ();
  g_assert_null (find_host (hosts, rootless_uri));
  g_assert_null (find_host (hosts, podman_uri));
  g_clear_object (&hosts);

  /* a plain file is not a socket */
  write_file (rootless, "");
  hosts = lifeboat_hosts_discover ();
  g_assert_null (find_host (hosts, rootless_uri));
  g_clear_object (&hosts);
  g_unlink (rootless);

  s1 = make_socket (rootless);
  s2 = make_socket (podman);
  write_context (docker, "ctx-a", "unix:///nonexistent/a.sock", "first");
  write_context (docker, "ctx-b", rootless_uri, "same as rootless");
  write_context (docker, "ctx-env", "ssh://env@envhost.example.org", "");
  write_file (config, "{\"currentContext\":\"ctx-a\"}");
  g_assert_true (lifeboat_hosts_save ("remote", "ssh://admin@cvat.example.org", NULL, &error));
  g_assert_no_error (error);
  g_setenv ("DOCKER_HOST", "ssh://env@envhost.example.org", TRUE);

  hosts = lifeboat_hosts_discover ();

  host = find_host (hosts, "ssh://env@envhost.example.org");
  g_assert_nonnull (host);
  g_assert_cmpint (lifeboat_host_get_kind (host), ==, LIFEBOAT_HOST_KIND_DOCKER_HOST);
  g_assert_true (lifeboat_host_get_is_default (host));
  g_clear_object (&host);

  /* the rootless socket is also context ctx-b: listed once, under the name one can type */
  host = find_host (hosts, rootless_uri);
  g_assert_nonnull (host);
  g_assert_cmpstr (lifeboat_host_get_name (host), ==, "ctx-b");
  g_assert_cmpint (lifeboat_host_get_kind (host), ==, LIFEBOAT_HOST_KIND_CONTEXT);
  g_clear_object (&host);

  host = find_host (hosts, podman_uri);
  g_assert_nonnull (host);
  g_assert_cmpint (lifeboat_host_get_kind (host), ==, LIFEBOAT_HOST_KIND_PODMAN);
  g_clear_object (&host);

  /* a configured context is offered even when its socket is not there */
  host = find_host (hosts, "unix:///nonexistent/a.sock");
  g_assert_nonnull (host);
  g_assert_cmpstr (lifeboat_host_get_name (host), ==, "ctx-a");
  g_assert_true (strstr (lifeboat_host_get_description (host), "(current)") != NULL);
  g_assert_false (lifeboat_host_get_is_default (host));
  g_clear_object (&host);

  host = find_host (hosts, "ssh://admin@cvat.example.org");
  g_assert_nonnull (host);
  g_assert_cmpstr (lifeboat_host_get_name (host), ==, "remote");
  g_assert_cmpint (lifeboat_host_get_kind (host), ==, LIFEBOAT_HOST_KIND_SAVED);
  g_clear_object (&host);

  for (guint i = 0; i < g_list_model_get_n_items (hosts); i++)
    {
      g_autoptr(LifeboatHost) h = g_list_model_get_item (hosts, i);

      n_default += lifeboat_host_get_is_default (h);
      n_env_uri += g_str_equal (lifeboat_host_get_uri (h), "ssh://env@envhost.example.org");
      for (guint j = i + 1; j < g_list_model_get_n_items (hosts); j++)
        {
          g_autoptr(LifeboatHost) o = g_list_model_get_item (hosts, j);

          /* a found socket is never listed twice */
          if (lifeboat_host_get_kind (o) == LIFEBOAT_HOST_KIND_PODMAN ||
              lifeboat_host_get_kind (o) == LIFEBOAT_HOST_KIND_ROOTLESS ||
              lifeboat_host_get_kind (o) == LIFEBOAT_HOST_KIND_LOCAL)
            g_assert_cmpstr (lifeboat_host_get_uri (h), !=, lifeboat_host_get_uri (o));
        }
    }
  g_assert_cmpuint (n_default, ==, 1);
  /* DOCKER_HOST and a context with the same address: both are listed, each by its source */
  g_assert_cmpuint (n_env_uri, ==, 2);
  g_clear_object (&hosts);

  /* without DOCKER_HOST the current context is the default */
  g_unsetenv ("DOCKER_HOST");
  hosts = lifeboat_hosts_discover ();
  host = find_host (hosts, "unix:///nonexistent/a.sock");
  g_assert_true (lifeboat_host_get_is_default (host));
  g_clear_object (&host);
  /* and the context of the same address as DOCKER_HOST is listed */
  host = find_host (hosts, "ssh://env@envhost.example.org");
  g_assert_nonnull (host);
  g_assert_cmpstr (lifeboat_host_get_name (host), ==, "ctx-env");
  g_assert_false (lifeboat_host_get_is_default (host));
  g_clear_object (&host);
  for (guint i = 0; i < g_list_model_get_n_items (hosts); i++)
    {
      g_autoptr(LifeboatHost) h = g_list_model_get_item (hosts, i);

      g_assert_cmpint (lifeboat_host_get_kind (h), !=, LIFEBOAT_HOST_KIND_DOCKER_HOST);
    }
}

static void
test_open_client_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatDockerClient) client = NULL;

  clear_env ();
  client = lifeboat_hosts_open_client ("no-such-context", NULL, &error);
  g_assert_null (client);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);

  client = lifeboat_hosts_open_client ("ssh://", NULL, &error);
  g_assert_null (client);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_URI);
  g_clear_error (&error);
}

/* ------------------------------------------------------------------------------------------ */
/* a live tunnel: run by tests/integration/ssh-tunnel.sh with a real sshd and engine            */

static void
closed_cb (LifeboatSshTunnel *tunnel,
           const char        *reason,
           char             **out)
{
  g_free (*out);
  *out = g_strdup (reason);
}

static char *
http_get (const char *socket_path,
          const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  char buf[4096];
  gssize n;

  g_socket_client_set_timeout (client, 30);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("GET %s HTTP/1.0\r\nHost: docker\r\n\r\n", path);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf,
                                   sizeof buf, NULL, &error)) > 0)
    g_string_append_len (answer, buf, n);
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&answer), FALSE);
}

static void
test_tunnel_live (void)
{
  const char *uri = g_getenv ("LIFEBOAT_TEST_SSH_URI");
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatSshTunnel) tunnel = NULL;
  g_autoptr(LifeboatSshTunnel) again = NULL;
  g_autofree char *local = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *closed_reason = NULL;
  GWeakRef weak;
  struct stat st;
  GPid pid, pid2;

  if (uri == NULL)
    {
      g_test_skip ("LIFEBOAT_TEST_SSH_URI is not set (tests/integration/ssh-tunnel.sh sets it)");
      return;
    }

  tunnel = lifeboat_ssh_tunnel_acquire_sync (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tunnel);
  g_assert_true (lifeboat_ssh_tunnel_is_open (tunnel));
  g_assert_cmpuint (lifeboat_ssh_tunnel_get_n_starts (tunnel), ==, 1);
  g_signal_connect (tunnel, "closed", G_CALLBACK (closed_cb), &closed_reason);

  /* a private socket in a private folder of the runtime dir */
  local = g_strdup (lifeboat_ssh_tunnel_get_local_socket (tunnel));
  dir = g_path_get_dirname (local);
  g_assert_true (g_str_has_prefix (local, g_get_user_runtime_dir ()));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (local, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpstr (lifeboat_ssh_tunnel_get_local_uri (tunnel) + strlen ("unix://"), ==, local);

  /* one tunnel per URI */
  again = lifeboat_ssh_tunnel_acquire_sync (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again == tunnel);
  g_clear_object (&again);

  answer = http_get (local, "/version");
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.0 200") ||
                 g_str_has_prefix (answer, "HTTP/1.1 200"));
  g_assert_true (strstr (answer, "\"ApiVersion\"") != NULL);
  g_clear_pointer (&answer, g_free);

  /* ssh dies: "closed" with a reason, and the next request starts it again */
  pid = lifeboat_ssh_tunnel_get_ssh_pid (tunnel);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  for (guint i = 0; i < 200 && closed_reason == NULL; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (25 * 1000);
    }
  g_assert_nonnull (closed_reason);
  g_test_message ("closed: %s", closed_reason);
  g_assert_true (strstr (closed_reason, "signal 9") != NULL);
  g_assert_false (lifeboat_ssh_tunnel_is_open (tunnel));
  g_assert_nonnull (lifeboat_ssh_tunnel_dup_close_reason (tunnel));

  answer = http_get (local, "/_ping");
  g_assert_true (strstr (answer, " 200 ") != NULL);
  g_assert_true (g_str_has_suffix (answer, "OK"));
  g_assert_true (lifeboat_ssh_tunnel_is_open (tunnel));
  g_assert_cmpuint (lifeboat_ssh_tunnel_get_n_starts (tunnel), ==, 2);
  pid2 = lifeboat_ssh_tunnel_get_ssh_pid (tunnel);
  g_assert_cmpint (pid2, !=, pid);

  /* the last user closes it: ssh ends, the sockets go */
  g_weak_ref_init (&weak, tunnel);
  g_clear_object (&tunnel);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  g_assert_false (g_file_test (local, G_FILE_TEST_EXISTS));
  g_assert_true (kill (pid2, 0) != 0);
}

/* the unknown / accepted host key, with a real sshd (LIFEBOAT_TEST_SSH_URI, empty known_hosts
 * in LIFEBOAT_TEST_SSH_KNOWN_HOSTS) */
static void
test_tunnel_host_key (void)
{
  const char *uri = g_getenv ("LIFEBOAT_TEST_SSH_URI");
  const char *known_hosts = g_getenv ("LIFEBOAT_TEST_SSH_KNOWN_HOSTS");
  g_autoptr(GError) error = NULL;
  g_autoptr(LifeboatSshTunnel) tunnel = NULL;
  g_autofree char *fp = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *contents = NULL;

  if (uri == NULL || known_hosts == NULL)
    {
      g_test_skip ("LIFEBOAT_TEST_SSH_URI / LIFEBOAT_TEST_SSH_KNOWN_HOSTS not set");
      return;
    }
  g_assert_true (g_file_set_contents (known_hosts, "", 0, NULL));

  fp = lifeboat_ssh_scan_host_key_sync (uri, &lines, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (fp, "SHA256:"));

  tunnel = lifeboat_ssh_tunnel_acquire_sync (uri, NULL, &error);
  g_assert_null (tunnel);
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_UNKNOWN);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, fp) != NULL);
  {
    g_autofree char *named = lifeboat_ssh_error_dup_fingerprint (error);
    g_autofree char *first = g_strndup (fp, strcspn (fp, " ,"));

    g_assert_cmpstr (named, ==, first);
  }
  g_clear_error (&error);

  /* a fingerprint that is not the server's is refused and adds nothing */
  g_assert_false (lifeboat_ssh_accept_host_key_sync (uri, "SHA256:notthekey", NULL, &error));
  g_assert_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOST_KEY_CHANGED);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (known_hosts, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "");
  g_clear_pointer (&contents, g_free);

  g_assert_true (lifeboat_ssh_accept_host_key_sync (uri, fp, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (known_hosts, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, lines);

  tunnel = lifeboat_ssh_tunnel_acquire_sync (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lifeboat_ssh_tunnel_is_open (tunnel));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lifeboat/ssh/uri-parse", test_ssh_uri_parse);
  g_test_add_func ("/lifeboat/ssh/stderr", test_ssh_stderr);
  g_test_add_func ("/lifeboat/hosts/resolve-default", test_resolve_default);
  g_test_add_func ("/lifeboat/hosts/docker-config-env", test_docker_config_env);
  g_test_add_func ("/lifeboat/hosts/resolve-names", test_resolve_names);
  g_test_add_func ("/lifeboat/hosts/saved", test_saved_hosts);
  g_test_add_func ("/lifeboat/hosts/discover", test_discover);
  g_test_add_func ("/lifeboat/hosts/open-client-errors", test_open_client_errors);
  g_test_add_func ("/lifeboat/ssh/live/host-key", test_tunnel_host_key);
  g_test_add_func ("/lifeboat/ssh/live/tunnel", test_tunnel_live);

  return g_test_run ();
}
