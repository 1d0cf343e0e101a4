/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-drill"

/*
 * Restore drills (lifeboat-drill.h). The restore's own building blocks are reused: the
 * archives are verified with lifeboat_verify_archive() and streamed into the scratch volumes
 * with lifeboat_archive_open_tar_stream() and lifeboat_docker_client_put_archive_sync()
 * through a container that never runs, as lifeboat-restore-job.c does. The containers are
 * created here rather than with _lifeboat_create_helper_binds() because they must carry the
 * drill's labels (its id and owner), so that whatever a killed drill left can be found and
 * removed.
 *
 * Longer than most files here (about 900 lines) because the drill's own engine calls (exec,
 * reading a small file out of a container, removing labelled leftovers) live with it; move them
 * to docker/ when another part of Lifeboat needs them.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-archive.h"
#include "lifeboat-container-ops-private.h"
#include "lifeboat-drill.h"
#include "lifeboat-error.h"
#include "lifeboat-history.h"
#include "lifeboat-job-lock-private.h"
#include "lifeboat-manifest.h"
#include "lifeboat-retention.h"
#include "lifeboat-util-private.h"
#include "lifeboat-verify.h"

#define LOADER_ROOT         "/lifeboat"
#define READY_TIMEOUT       120   /* seconds until the database must accept connections */
#define STAYS_RUNNING       10    /* seconds an image without a healthcheck must keep running */
#define ROWS_FILE           "/tmp/lifeboat-drill-rows"

/* ---------------------------------------------------------------------------------------- */
/* Results */

void
lifeboat_drill_result_free (LifeboatDrillResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_clear_pointer (&result->started, g_date_time_unref);
  g_free (result->database);
  g_free (result->image);
  g_free (result->check);
  g_free (result->error);
  g_free (result);
}

static JsonNode *
result_to_json (LifeboatDrillResult *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *started = g_date_time_format_iso8601 (r->started);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, r->ok);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, r->id);
  json_builder_set_member_name (b, "started");
  json_builder_add_string_value (b, started);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, r->seconds);
  json_builder_set_member_name (b, "volumes");
  json_builder_add_int_value (b, r->volumes);
  _lifeboat_json_add_string_if (b, "database", r->database);
  _lifeboat_json_add_string_if (b, "image", r->image);
  _lifeboat_json_add_string_if (b, "check", r->check);
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, r->rows);
  _lifeboat_json_add_string_if (b, "error", r->error);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

LifeboatDrillResult *
lifeboat_drill_result_load (GFile *folder)
{
  g_autoptr(GFile) file = g_file_get_child (folder, LIFEBOAT_DRILL_RESULT_NAME);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  LifeboatDrillResult *r;
  JsonObject *o;
  const char *started;

  if (!g_file_load_contents (file, NULL, &text, &len, NULL, NULL) ||
      !json_parser_load_from_data (parser, text, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  o = json_node_get_object (json_parser_get_root (parser));
  r = g_new0 (LifeboatDrillResult, 1);
  r->ok = json_object_get_boolean_member_with_default (o, "ok", FALSE);
  r->id = g_strdup (json_object_get_string_member_with_default (o, "id", ""));
  started = json_object_get_string_member_with_default (o, "started", NULL);
  r->started = started ? g_date_time_new_from_iso8601 (started, NULL) : NULL;
  if (r->started == NULL)
    r->started = g_date_time_new_now_utc ();
  r->seconds = json_object_get_double_member_with_default (o, "seconds", 0);
  r->volumes = json_object_get_int_member_with_default (o, "volumes", 0);
  r->database = g_strdup (json_object_get_string_member_with_default (o, "database", NULL));
  r->image = g_strdup (json_object_get_string_member_with_default (o, "image", NULL));
  r->check = g_strdup (json_object_get_string_member_with_default (o, "check", NULL));
  r->rows = json_object_get_int_member_with_default (o, "rows", -1);
  r->error = g_strdup (json_object_get_string_member_with_default (o, "error", NULL));
  return r;
}

/* ---------------------------------------------------------------------------------------- */
/* Owners: the labels a lock carries (lifeboat-job-lock.c), so that one rule tells whether the
 * process that made something is gone */

/* a drill's labels: its id and its owner, this process */
static JsonObject *
drill_labels (const char *id)
{
  g_autoptr(LifeboatLockOwner) owner = _lifeboat_lock_owner_new_self (LIFEBOAT_JOB_KIND_DRILL, id);
  JsonObject *labels = _lifeboat_lock_owner_to_labels (owner);

  json_object_set_string_member (labels, LIFEBOAT_DRILL_LABEL, id);
  return labels;
}

/* TRUE when what carries @labels is a drill's of this machine whose process is gone; a drill
 * of another machine is never judged from here */
static gboolean
owner_gone (JsonObject *labels)
{
  g_autoptr(LifeboatLockOwner) owner = NULL;

  if (labels == NULL)
    return FALSE;
  owner = _lifeboat_lock_owner_from_labels (labels);
  return _lifeboat_lock_owner_process_gone (owner);
}

/* ---------------------------------------------------------------------------------------- */
/* Engine calls */

static void
add_labels (JsonBuilder *b,
            JsonObject  *labels)
{
  json_builder_set_member_name (b, "Labels");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (), labels));
}

static void
remove_container (LifeboatDockerClient *client,
                  const char           *name)
{
  g_autoptr(GError) error = NULL;

  if (!lifeboat_docker_client_remove_container_sync (client, name, TRUE, NULL, &error) &&
      !g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
    g_warning ("Could not remove the drill's container %s: %s", name, error->message);
}

static void
remove_volume (LifeboatDockerClient *client,
               const char           *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/volumes/%s?force=true", escaped);
  g_autoptr(JsonNode) node = NULL;

  node = lifeboat_docker_client_request_json_sync (client, "DELETE", path, NULL, 60, NULL, &error);
  if (node == NULL && !g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
    g_warning ("Could not remove the drill's volume %s: %s", name, error->message);
}

/* runs @argv in container @id (exec), waits for it; FALSE when it could not be run */
static gboolean
exec_sync (LifeboatDockerClient  *client,
           const char            *id,
           const char            *user,
           const char * const    *argv,
           int                   *exit_code,
           GCancellable          *cancellable,
           GError               **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autofree char *path = NULL;
  g_autofree char *start_path = NULL;
  g_autofree char *inspect_path = NULL;
  const char *exec_id;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Cmd");
  json_builder_begin_array (b);
  for (guint i = 0; argv[i] != NULL; i++)
    json_builder_add_string_value (b, argv[i]);
  json_builder_end_array (b);
  if (user != NULL && user[0] != '\0')
    {
      json_builder_set_member_name (b, "User");
      json_builder_add_string_value (b, user);
    }
  json_builder_set_member_name (b, "AttachStdout");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "AttachStderr");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_end_object (b);
  body = json_builder_get_root (b);

  path = g_strdup_printf ("/containers/%s/exec", id);
  created = lifeboat_docker_client_request_json_sync (client, "POST", path, body, 30, cancellable, error);
  if (created == NULL)
    return FALSE;
  exec_id = JSON_NODE_HOLDS_OBJECT (created)
            ? json_object_get_string_member_with_default (json_node_get_object (created), "Id", NULL)
            : NULL;
  if (exec_id == NULL)
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE,
                           _("The engine did not run a command in the drill’s container"));
      return FALSE;
    }

  {
    g_autoptr(JsonNode) start_body = json_from_string ("{\"Detach\":true}", NULL);

    start_path = g_strdup_printf ("/exec/%s/start", exec_id);
    started = lifeboat_docker_client_request_json_sync (client, "POST", start_path, start_body, 30,
                                                        cancellable, error);
    if (started == NULL)
      return FALSE;
  }

  inspect_path = g_strdup_printf ("/exec/%s/json", exec_id);
  for (guint i = 0; i < 600; i++)   /* at most a minute */
    {
      g_autoptr(JsonNode) info = NULL;
      JsonObject *o;

      info = lifeboat_docker_client_request_json_sync (client, "GET", inspect_path, NULL, 30,
                                                       cancellable, error);
      if (info == NULL || !JSON_NODE_HOLDS_OBJECT (info))
        return FALSE;
      o = json_node_get_object (info);
      if (!json_object_get_boolean_member_with_default (o, "Running", FALSE))
        {
          *exit_code = (int) json_object_get_int_member_with_default (o, "ExitCode", -1);
          return TRUE;
        }
      g_usleep (G_USEC_PER_SEC / 10);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("A command in the drill’s container did not end within a minute"));
  return FALSE;
}

/* the contents of a small file in a container, through GET .../archive (a tar of it) */
static char *
read_small_file (LifeboatDockerClient *client,
                 const char           *id,
                 const char           *path,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(GInputStream) stream = NULL;
  guint8 buffer[8192];
  gsize got = 0;
  guint64 size;

  stream = lifeboat_docker_client_get_archive_sync (client, id, path, cancellable, error);
  if (stream == NULL)
    return NULL;
  if (!g_input_stream_read_all (stream, buffer, sizeof buffer, &got, cancellable, error))
    return NULL;
  if (got < 512)
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                           _("The engine sent a short archive"));
      return NULL;
    }
  /* ustar: the size, octal, at offset 124 of the first header; the data right after it */
  size = g_ascii_strtoull ((const char *) buffer + 124, NULL, 8);
  size = MIN (size, got - 512);
  return g_strndup ((const char *) buffer + 512, size);
}

static JsonObject *
inspect_state (LifeboatDockerClient *client,
               const char           *id,
               GCancellable         *cancellable,
               GError              **error)
{
  g_autoptr(JsonObject) info = lifeboat_docker_client_inspect_container_sync (client, id, cancellable, error);
  JsonObject *state;

  if (info == NULL)
    return NULL;
  state = json_object_get_object_member (info, "State");
  if (state == NULL)
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_ENGINE,
                           _("The engine did not say how the drill’s container is"));
      return NULL;
    }
  return json_object_ref (state);
}

/* ---------------------------------------------------------------------------------------- */
/* The database container */

static gboolean
is_postgres_volume (LifeboatManifestVolume *v)
{
  return v->mount_path != NULL && g_str_has_prefix (v->mount_path, "/var/lib/postgresql");
}

/* Where database images keep their data, most telling first: PostgreSQL (checked with
 * pg_isready), then others (checked with their image's healthcheck, else by staying up) */
static const char * const database_mounts[] = {
  "/var/lib/postgresql",
  "/var/lib/mysql",
  "/var/lib/mariadb",
  "/data/db",               /* MongoDB */
  "/var/lib/clickhouse",
  "/var/lib/redis",
  "/bitnami",
};

static guint
database_rank (LifeboatManifestVolume *v)
{
  for (guint i = 0; v->mount_path != NULL && i < G_N_ELEMENTS (database_mounts); i++)
    if (g_str_has_prefix (v->mount_path, database_mounts[i]))
      return i + 1;
  return 0;
}

/* The container of the manifest that mounts @volume on this engine, inspected; or NULL */
static JsonObject *
find_database_container (LifeboatDockerClient   *client,
                         LifeboatManifest       *manifest,
                         LifeboatManifestVolume *volume,
                         char                  **image_out,
                         GCancellable           *cancellable)
{
  for (guint i = 0; i < json_array_get_length (manifest->containers); i++)
    {
      JsonObject *c = json_array_get_object_element (manifest->containers, i);
      const char *name = c ? json_object_get_string_member_with_default (c, "name", NULL) : NULL;
      g_autoptr(JsonObject) info = NULL;
      JsonArray *mounts;

      if (name == NULL)
        continue;
      info = lifeboat_docker_client_inspect_container_sync (client, name, cancellable, NULL);
      mounts = info && json_object_has_member (info, "Mounts")
               ? json_object_get_array_member (info, "Mounts") : NULL;
      for (guint j = 0; mounts != NULL && j < json_array_get_length (mounts); j++)
        {
          JsonObject *m = json_array_get_object_element (mounts, j);

          if (g_strcmp0 (json_object_get_string_member_with_default (m, "Name", NULL), volume->name) == 0)
            {
              *image_out = g_strdup (json_object_get_string_member_with_default (c, "image", NULL));
              return g_steal_pointer (&info);
            }
        }
    }

  /* the project's containers are gone: the manifest's container of the same name as the key */
  for (guint i = 0; i < json_array_get_length (manifest->containers); i++)
    {
      JsonObject *c = json_array_get_object_element (manifest->containers, i);

      if (c != NULL && g_strcmp0 (json_object_get_string_member_with_default (c, "name", NULL),
                                  volume->key) == 0)
        *image_out = g_strdup (json_object_get_string_member_with_default (c, "image", NULL));
    }
  return NULL;
}

static void
copy_member (JsonBuilder *b,
             JsonObject  *from,
             const char  *name)
{
  JsonNode *node = from ? json_object_get_member (from, name) : NULL;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      json_builder_set_member_name (b, name);
      json_builder_add_value (b, json_node_copy (node));
    }
}

/* The container's config: as the project's own database container ran (command, user,
 * environment), on the scratch volume, with no network */
static JsonNode *
database_config (const char  *image,
                 JsonObject  *original,
                 const char  *bind,
                 JsonObject  *labels)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *config = original && json_object_has_member (original, "Config")
                       ? json_object_get_object_member (original, "Config") : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Image");
  json_builder_add_string_value (b, image);
  copy_member (b, config, "Entrypoint");
  copy_member (b, config, "Cmd");
  copy_member (b, config, "User");
  copy_member (b, config, "Env");
  copy_member (b, config, "WorkingDir");
  copy_member (b, config, "Healthcheck");
  add_labels (b, labels);
  _lifeboat_json_add_offline_binds (b, (const char * const []) { bind, NULL });
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* counts the rows of every user table of every database; run in the container */
static const char count_rows_script[] =
  "for h in /var/run/postgresql /tmp; do\n"
  "  for u in \"$POSTGRES_USER\" postgres root; do\n"
  "    [ -n \"$u\" ] || continue\n"
  "    dbs=$(psql -h \"$h\" -U \"$u\" -d postgres -Atc \"select datname from pg_database where "
  "datallowconn and not datistemplate\" 2>/dev/null) || continue\n"
  "    total=0\n"
  "    for d in $dbs; do\n"
  "      n=$(psql -h \"$h\" -U \"$u\" -d \"$d\" -Atc \"select coalesce(sum((xpath('/row/c/text()', "
  "query_to_xml(format('select count(*) as c from %I.%I', schemaname, relname), false, true, "
  "'')))[1]::text::bigint), 0) from pg_stat_user_tables\") || exit 3\n"
  "      total=$((total + n))\n"
  "    done\n"
  "    echo \"$total\" > " ROWS_FILE "\n"
  "    exit 0\n"
  "  done\n"
  "done\n"
  "exit 2\n";

/* Starts the database container and waits until it accepts connections. */
static gboolean
check_database (LifeboatDockerClient *client,
                LifeboatDrillResult  *r,
                const char           *container,
                gboolean              postgres,
                const char           *user,
                GCancellable         *cancellable,
                GError              **error)
{
  const char * const ready_argv[] = {
    "sh", "-c", "pg_isready -q -h /var/run/postgresql || pg_isready -q -h /tmp", NULL
  };
  gint64 deadline;
  gint64 running_since = g_get_monotonic_time ();

  if (!lifeboat_docker_client_start_container_sync (client, container, cancellable, error))
    {
      g_prefix_error (error, _("The database did not start: "));
      return FALSE;
    }

  deadline = g_get_monotonic_time () + READY_TIMEOUT * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonObject) state = inspect_state (client, container, cancellable, error);
      JsonObject *health;

      if (state == NULL)
        return FALSE;
      if (!json_object_get_boolean_member_with_default (state, "Running", FALSE))
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                       _("The database stopped with exit code %d instead of accepting connections"),
                       (int) json_object_get_int_member_with_default (state, "ExitCode", -1));
          return FALSE;
        }

      health = json_object_has_member (state, "Health")
               ? json_object_get_object_member (state, "Health") : NULL;

      if (postgres)
        {
          int code = -1;

          r->check = r->check ? r->check : g_strdup ("pg_isready");
          if (!exec_sync (client, container, user, ready_argv, &code, cancellable, error))
            {
              /* it stopped between the look at its state and the exec: say that */
              g_autoptr(JsonObject) after = inspect_state (client, container, cancellable, NULL);

              if (after != NULL &&
                  !json_object_get_boolean_member_with_default (after, "Running", FALSE))
                {
                  g_clear_error (error);
                  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                               _("The database stopped with exit code %d instead of accepting "
                                 "connections"),
                               (int) json_object_get_int_member_with_default (after, "ExitCode", -1));
                }
              return FALSE;
            }
          if (code == 0)
            break;
        }
      else if (health != NULL)
        {
          const char *status = json_object_get_string_member_with_default (health, "Status", "");

          r->check = r->check ? r->check : g_strdup ("healthcheck");
          if (g_str_equal (status, "healthy"))
            break;
          if (g_str_equal (status, "unhealthy"))
            {
              g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                                   _("The database’s healthcheck says it is unhealthy"));
              return FALSE;
            }
        }
      else
        {
          r->check = r->check ? r->check : g_strdup_printf ("running %d s", STAYS_RUNNING);
          if (g_get_monotonic_time () - running_since >= STAYS_RUNNING * G_USEC_PER_SEC)
            break;
        }

      g_usleep (G_USEC_PER_SEC / 2);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }

  if (g_get_monotonic_time () >= deadline)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("The database did not accept connections within %d seconds"), READY_TIMEOUT);
      return FALSE;
    }

  if (postgres)
    {
      const char * const count_argv[] = { "sh", "-c", count_rows_script, NULL };
      g_autoptr(GError) count_error = NULL;
      g_autofree char *text = NULL;
      int code = -1;

      /* rows counted where it can: a failure here does not fail the drill */
      if (exec_sync (client, container, user, count_argv, &code, cancellable, &count_error) &&
          code == 0 &&
          (text = read_small_file (client, container, ROWS_FILE, cancellable, &count_error)) != NULL)
        r->rows = g_ascii_strtoll (g_strstrip (text), NULL, 10);
      else
        g_debug ("Rows not counted (exit %d): %s", code, count_error ? count_error->message : "");
    }

  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* The drill */

static gboolean
restore_archives (LifeboatDockerClient *client,
                  GFile                *folder,
                  LifeboatManifest     *manifest,
                  const char           *image,
                  GPtrArray            *scratch,
                  const char           *loader,
                  JsonObject           *labels,
                  GCancellable         *cancellable,
                  GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) config = NULL;
  g_autoptr(GPtrArray) binds = g_ptr_array_new_null_terminated (scratch->len, g_free, TRUE);
  g_autofree char *created = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Image");
  json_builder_add_string_value (b, image);
  json_builder_set_member_name (b, "User");
  json_builder_add_string_value (b, "0:0");
  json_builder_set_member_name (b, "Entrypoint");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "/lifeboat-never-runs");
  json_builder_end_array (b);
  add_labels (b, labels);
  for (guint i = 0; i < scratch->len; i++)
    g_ptr_array_add (binds, g_strdup_printf ("%s:" LOADER_ROOT "/%u",
                                             (char *) g_ptr_array_index (scratch, i), i));
  _lifeboat_json_add_offline_binds (b, (const char * const *) binds->pdata);
  json_builder_end_object (b);
  config = json_builder_get_root (b);

  created = lifeboat_docker_client_create_container_sync (client, loader, config, cancellable, error);
  if (created == NULL)
    return FALSE;

  for (guint i = 0; i < manifest->volumes->len; i++)
    {
      LifeboatManifestVolume *v = g_ptr_array_index (manifest->volumes, i);
      g_autoptr(GFile) archive = g_file_get_child (folder, v->archive);
      g_autoptr(GInputStream) tar = NULL;
      g_autofree char *dest_name = g_strdup_printf ("%u", i);
      gboolean ok;

      tar = lifeboat_archive_open_tar_stream (archive, v->archive_root, dest_name, NULL, NULL, error);
      ok = tar != NULL &&
           lifeboat_docker_client_put_archive_sync (client, loader, LOADER_ROOT, tar, cancellable, error);
      if (tar != NULL)
        g_input_stream_close (tar, NULL, NULL);
      if (!ok)
        {
          g_prefix_error (error, _("Restoring %s into a scratch volume failed: "), v->key);
          return FALSE;
        }
    }

  return TRUE;
}

static void
record (LifeboatDrillResult *r,
        GFile               *folder,
        LifeboatManifest    *manifest,
        LifeboatDockerClient *client)
{
  g_autoptr(JsonNode) node = result_to_json (r);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GFile) file = g_file_get_child (folder, LIFEBOAT_DRILL_RESULT_NAME);
  g_autoptr(LifeboatHistoryEntry) entry = lifeboat_history_entry_new (LIFEBOAT_JOB_KIND_DRILL);
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  g_auto(GStrv) volumes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_file_get_path (folder);

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  if (!g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                NULL, NULL, &error))
    {
      g_warning ("Could not write the drill’s result into the backup: %s", error->message);
      g_clear_error (&error);
    }

  for (guint i = 0; i < manifest->volumes->len; i++)
    g_strv_builder_add (keys, ((LifeboatManifestVolume *) g_ptr_array_index (manifest->volumes, i))->key);
  volumes = g_strv_builder_end (keys);

  lifeboat_history_entry_set_outcome (entry, r->ok ? LIFEBOAT_JOB_OUTCOME_SUCCEEDED
                                                   : LIFEBOAT_JOB_OUTCOME_FAILED);
  lifeboat_history_entry_set_started (entry, r->started);
  lifeboat_history_entry_set_seconds (entry, r->seconds);
  lifeboat_history_entry_set_engine (entry, lifeboat_docker_client_get_display_name (client));
  lifeboat_history_entry_set_project (entry, manifest->project);
  lifeboat_history_entry_set_volumes (entry, (const char * const *) volumes);
  lifeboat_history_entry_set_folder (entry, path);
  lifeboat_history_entry_set_error (entry, r->error);
  lifeboat_history_entry_set_app_version (entry, manifest->app_version);
  if (!lifeboat_history_record (lifeboat_history_get_default (), entry, &error))
    g_warning ("Could not record the drill in the history: %s", error->message);
}

gboolean
lifeboat_drill_run_sync (LifeboatDockerClient  *client,
                         GFile                 *folder,
                         LifeboatDrillResult  **result,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autoptr(LifeboatManifest) manifest = NULL;
  g_autoptr(LifeboatDrillResult) r = g_new0 (LifeboatDrillResult, 1);
  g_autoptr(GPtrArray) scratch = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) containers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) original = NULL;
  g_autoptr(GFile) marker = NULL;
  g_autoptr(GError) step_error = NULL;
  g_autoptr(JsonObject) labels = NULL;
  g_autofree char *image = NULL;
  g_autofree char *loader = NULL;
  LifeboatManifestVolume *database = NULL;
  gint64 t0 = g_get_monotonic_time ();
  guint32 random = g_random_int ();

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);

  manifest = lifeboat_manifest_load (folder, cancellable, error);
  if (manifest == NULL)
    return FALSE;

  r->id = g_strdup_printf ("%08x", random);
  labels = drill_labels (r->id);
  r->started = g_date_time_new_now_utc ();
  r->rows = -1;
  marker = lifeboat_retention_mark_in_use (lifeboat_history_get_default (), folder);

  /* 1. every archive as its manifest says */
  for (guint i = 0; i < manifest->volumes->len && step_error == NULL; i++)
    {
      LifeboatManifestVolume *v = g_ptr_array_index (manifest->volumes, i);

      if (!lifeboat_verify_archive (folder, v->archive, v, NULL, cancellable, &step_error))
        g_prefix_error (&step_error, _("The archive of %s is not what the backup recorded: "), v->key);
      if (database_rank (v) > 0 &&
          (database == NULL || database_rank (v) < database_rank (database)))
        database = v;
    }
  if (step_error != NULL)
    goto out;

  /* 2. the image: the database container's, as the project ran it */
  if (database != NULL)
    {
      original = find_database_container (client, manifest, database, &image, cancellable);
      if (original != NULL)
        {
          JsonObject *config = json_object_get_object_member (original, "Config");
          const char *running_image = config ? json_object_get_string_member_with_default (config, "Image", NULL) : NULL;

          if (image == NULL && running_image != NULL)
            image = g_strdup (running_image);
        }
      r->database = g_strdup (database->key);
      r->image = g_strdup (image);
    }
  for (guint i = 0; image == NULL && i < json_array_get_length (manifest->containers); i++)
    {
      JsonObject *c = json_array_get_object_element (manifest->containers, i);

      image = g_strdup (json_object_get_string_member_with_default (c, "image", NULL));
    }
  if (image == NULL)
    {
      g_set_error_literal (&step_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                           _("The backup names no container image to restore it with"));
      goto out;
    }

  /* 3. scratch volumes, never the project's */
  for (guint i = 0; i < manifest->volumes->len; i++)
    {
      LifeboatManifestVolume *v = g_ptr_array_index (manifest->volumes, i);
      g_autofree char *safe_key = g_strcanon (g_strdup (v->key),
                                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
                                              '_');
      char *name = g_strdup_printf ("lifeboat-drill-%s-%s", r->id, safe_key);

      g_ptr_array_add (scratch, name);
      if (!lifeboat_docker_client_create_volume_sync (client, name, "local", labels, cancellable,
                                                      &step_error))
        goto out;
    }

  /* 4. the archives into them */
  loader = g_strdup_printf ("lifeboat-drill-%s-loader", r->id);
  g_ptr_array_add (containers, g_strdup (loader));
  if (!restore_archives (client, folder, manifest, image, scratch, loader, labels,
                         cancellable, &step_error))
    goto out;
  r->volumes = manifest->volumes->len;
  remove_container (client, loader);

  /* 5. the database, on its scratch volume, with no network */
  if (database != NULL)
    {
      guint index = 0;
      g_autofree char *bind = NULL;
      g_autofree char *db_name = g_strdup_printf ("lifeboat-drill-%s-db", r->id);
      g_autofree char *created = NULL;
      g_autoptr(JsonNode) config = NULL;
      JsonObject *original_config = original ? json_object_get_object_member (original, "Config") : NULL;
      const char *user = original_config
                         ? json_object_get_string_member_with_default (original_config, "User", "")
                         : "";

      g_ptr_array_find (manifest->volumes, database, &index);
      bind = g_strdup_printf ("%s:%s", (char *) g_ptr_array_index (scratch, index), database->mount_path);
      config = database_config (image, original, bind, labels);
      g_ptr_array_add (containers, g_strdup (db_name));
      created = lifeboat_docker_client_create_container_sync (client, db_name, config, cancellable,
                                                              &step_error);
      if (created == NULL ||
          !check_database (client, r, db_name, is_postgres_volume (database),
                           user[0] ? user : "postgres", cancellable, &step_error))
        goto out;
    }

out:
  /* 6. nothing of the drill stays, whatever happened (never cancelled) */
  for (guint i = 0; i < containers->len; i++)
    remove_container (client, g_ptr_array_index (containers, i));
  for (guint i = 0; i < scratch->len; i++)
    remove_volume (client, g_ptr_array_index (scratch, i));
  lifeboat_retention_unmark_in_use (marker);

  r->seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  r->ok = step_error == NULL;
  if (step_error != NULL)
    r->error = g_strdup (step_error->message);
  record (r, folder, manifest, client);

  if (result != NULL)
    *result = g_steal_pointer (&r);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Leftovers of killed drills */

static char *
label_filter_path (const char *what)
{
  g_autofree char *filters = g_strdup_printf ("{\"label\":[\"%s\"]}", LIFEBOAT_DRILL_LABEL);
  g_autofree char *escaped = g_uri_escape_string (filters, NULL, FALSE);

  return g_strdup_printf ("/%s?%sfilters=%s", what, g_str_equal (what, "containers/json") ? "all=1&" : "",
                          escaped);
}

static JsonObject *
labels_of (JsonObject *object)
{
  return object && json_object_has_member (object, "Labels") &&
         JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "Labels"))
         ? json_object_get_object_member (object, "Labels") : NULL;
}

gboolean
lifeboat_drill_remove_leftovers_sync (LifeboatDockerClient  *client,
                                      GCancellable          *cancellable,
                                      GError               **error)
{
  g_autofree char *containers_path = label_filter_path ("containers/json");
  g_autofree char *volumes_path = label_filter_path ("volumes");
  g_autoptr(JsonNode) containers = NULL;
  g_autoptr(JsonNode) volumes = NULL;
  JsonArray *array;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), FALSE);

  containers = lifeboat_docker_client_request_json_sync (client, "GET", containers_path, NULL, 30,
                                                         cancellable, error);
  if (containers == NULL)
    return FALSE;
  array = JSON_NODE_HOLDS_ARRAY (containers) ? json_node_get_array (containers) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *c = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member_with_default (c, "Id", NULL);

      if (id != NULL && owner_gone (labels_of (c)))
        {
          g_debug ("Removing the container %s of a drill that was interrupted", id);
          remove_container (client, id);
        }
    }

  volumes = lifeboat_docker_client_request_json_sync (client, "GET", volumes_path, NULL, 30,
                                                      cancellable, error);
  if (volumes == NULL)
    return FALSE;
  array = JSON_NODE_HOLDS_OBJECT (volumes) &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (volumes), "Volumes"))
          ? json_object_get_array_member (json_node_get_object (volumes), "Volumes") : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *v = json_array_get_object_element (array, i);
      const char *name = json_object_get_string_member_with_default (v, "Name", NULL);

      if (name != NULL && g_str_has_prefix (name, "lifeboat-drill-") && owner_gone (labels_of (v)))
        {
          g_debug ("Removing the volume %s of a drill that was interrupted", name);
          remove_volume (client, name);
        }
    }

  return TRUE;
}
