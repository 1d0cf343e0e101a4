/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The project lock and the write-ahead journal kept on the engine: see
 * lifeboat-job-lock-private.h for the design. About 800 lines: the owner labels and their
 * staleness rule (shared with the drill's leftovers), the lock's life and the journal's writes
 * share the lock's state and its heartbeat thread.
 */
#define G_LOG_DOMAIN "lifeboat-job-lock"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lifeboat-container-ops-private.h"
#include "lifeboat-error.h"
#include "lifeboat-job-lock-private.h"
#include "lifeboat-journal-store-private.h"
#include "lifeboat-util-private.h"


#define LABEL_HOST      "io.github.lifeboat.owner.host"
#define LABEL_USER      "io.github.lifeboat.owner.user"
#define LABEL_PROGRAM   "io.github.lifeboat.owner.program"
#define LABEL_PID       "io.github.lifeboat.owner.pid"
#define LABEL_JOB       LIFEBOAT_JOB_LABEL
#define LABEL_KIND      "io.github.lifeboat.owner.kind"
#define LABEL_SINCE     "io.github.lifeboat.owner.since"
#define LABEL_BOOT      "io.github.lifeboat.owner.boot-id"
#define LABEL_PIDNS     "io.github.lifeboat.owner.pid-ns"
#define LABEL_PIDSTART  "io.github.lifeboat.owner.pid-start"
#define LABEL_JOURNAL   "io.github.lifeboat.journal"

struct _LifeboatJobLock
{
  LifeboatDockerClient *client;
  char                 *project;
  char                 *container_id;
  char                 *image;
  char                 *job_id;
  LifeboatJobKind       kind;
  guint                 seq;
  GFile                *mirror;        /* the local mirror file, or NULL */
  GPtrArray            *unfinished;    /* LifeboatJournal of earlier jobs */
  GMutex                mutex;         /* journal writes and the heartbeat */
  GCond                 cond;
  gboolean              quit;          /* under mutex */
  GThread              *heartbeat;
};

/* ---------------------------------------------------------------------------------------- */
/* Owners */

void
_lifeboat_lock_owner_free (LifeboatLockOwner *owner)
{
  if (owner == NULL)
    return;
  g_free (owner->host);
  g_free (owner->user);
  g_free (owner->program);
  g_free (owner->job);
  g_free (owner->kind);
  g_free (owner->since);
  g_free (owner->boot_id);
  g_free (owner->pid_ns);
  g_free (owner->pid_start);
  g_free (owner);
}

static char *
read_first_line (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strchomp (text);
  return g_steal_pointer (&text);
}

/* field 22 of /proc/PID/stat: when the process started, in clock ticks after boot */
static char *
process_start_time (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  after = strrchr (text, ')');
  if (after == NULL)
    return NULL;
  fields = g_strsplit (after + 2, " ", 0);
  /* after ") " the state is field 3, so starttime (22) is index 19 */
  if (g_strv_length (fields) < 20)
    return NULL;
  return g_strdup (fields[19]);
}

static char *
own_pid_namespace (void)
{
  return g_file_read_link ("/proc/self/ns/pid", NULL);
}

LifeboatLockOwner *
_lifeboat_lock_owner_new_self (LifeboatJobKind  kind,
                               const char      *job)
{
  LifeboatLockOwner *owner = g_new0 (LifeboatLockOwner, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  owner->host = g_strdup (g_get_host_name ());
  owner->user = g_strdup (g_get_user_name ());
  owner->program = g_strdup (g_get_prgname () ? g_get_prgname () : "lifeboat");
  owner->pid = (int) getpid ();
  owner->job = g_strdup (job);
  owner->kind = g_strdup (lifeboat_job_kind_to_string (kind));
  owner->since = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  owner->boot_id = read_first_line ("/proc/sys/kernel/random/boot_id");
  owner->pid_ns = own_pid_namespace ();
  owner->pid_start = process_start_time (owner->pid);
  return owner;
}

static const char *
label (JsonObject *labels,
       const char *name)
{
  return labels ? json_object_get_string_member_with_default (labels, name, NULL) : NULL;
}

LifeboatLockOwner *
_lifeboat_lock_owner_from_labels (JsonObject *labels)
{
  LifeboatLockOwner *owner = g_new0 (LifeboatLockOwner, 1);
  const char *pid = label (labels, LABEL_PID);

  owner->host = g_strdup (label (labels, LABEL_HOST));
  owner->user = g_strdup (label (labels, LABEL_USER));
  owner->program = g_strdup (label (labels, LABEL_PROGRAM));
  owner->pid = pid ? (int) g_ascii_strtoll (pid, NULL, 10) : 0;
  owner->job = g_strdup (label (labels, LABEL_JOB));
  owner->kind = g_strdup (label (labels, LABEL_KIND));
  owner->since = g_strdup (label (labels, LABEL_SINCE));
  owner->boot_id = g_strdup (label (labels, LABEL_BOOT));
  owner->pid_ns = g_strdup (label (labels, LABEL_PIDNS));
  owner->pid_start = g_strdup (label (labels, LABEL_PIDSTART));
  return owner;
}

JsonObject *
_lifeboat_lock_owner_to_labels (const LifeboatLockOwner *owner)
{
  JsonObject *labels = json_object_new ();
  g_autofree char *pid = g_strdup_printf ("%d", owner->pid);
  const char *pairs[][2] = {
    { LABEL_HOST, owner->host }, { LABEL_USER, owner->user },
    { LABEL_PROGRAM, owner->program }, { LABEL_PID, pid }, { LABEL_JOB, owner->job },
    { LABEL_KIND, owner->kind }, { LABEL_SINCE, owner->since }, { LABEL_BOOT, owner->boot_id },
    { LABEL_PIDNS, owner->pid_ns }, { LABEL_PIDSTART, owner->pid_start },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    json_object_set_string_member (labels, pairs[i][0], pairs[i][1] ? pairs[i][1] : "");
  return labels;
}

char *
_lifeboat_lock_owner_describe (const LifeboatLockOwner *owner)
{
  g_autoptr(GDateTime) since = owner->since ? g_date_time_new_from_iso8601 (owner->since, NULL)
                                            : NULL;
  g_autoptr(GDateTime) local = since ? g_date_time_to_local (since) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : NULL;

  /* TRANSLATORS: "a restore by alice on desk (lifeboat-cli, process 1234) since 2026-12-06 14:02:11" */
  return g_strdup_printf (_("a %s by %s on %s (%s, process %d) since %s"),
                          owner->kind ? owner->kind : _("job"),
                          owner->user ? owner->user : "?", owner->host ? owner->host : "?",
                          owner->program ? owner->program : "lifeboat", owner->pid,
                          when ? when : (owner->since ? owner->since : "?"));
}

/* ---------------------------------------------------------------------------------------- */
/* Staleness */

/* TRUE/FALSE when this machine can tell whether @owner's process runs; -1 when it cannot */
static int
owner_process_gone (const LifeboatLockOwner *owner)
{
  g_autofree char *boot = read_first_line ("/proc/sys/kernel/random/boot_id");
  g_autofree char *pidns = own_pid_namespace ();

  if (g_strcmp0 (owner->host, g_get_host_name ()) == 0 && owner->boot_id != NULL &&
      g_strcmp0 (owner->boot_id, boot) != 0)
    return TRUE;   /* this machine has booted since */

  if (g_strcmp0 (owner->host, g_get_host_name ()) == 0 && owner->pid > 0 &&
      g_strcmp0 (owner->pid_ns, pidns) == 0)
    {
      g_autofree char *start = process_start_time (owner->pid);

      /* the process is gone, or the number belongs to another process now */
      return start == NULL || g_strcmp0 (start, owner->pid_start) != 0;
    }
  return -1;
}

gboolean
_lifeboat_lock_owner_process_gone (const LifeboatLockOwner *owner)
{
  return owner_process_gone (owner) == TRUE;
}

static gboolean
owner_is_stale (LifeboatLockOwner *owner,
                GHashTable        *heartbeats)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 last = 0;
  gint64 *beat;
  int gone = owner_process_gone (owner);

  if (gone != -1)
    return gone;

  /* another machine: its heartbeat */
  beat = heartbeats && owner->job ? g_hash_table_lookup (heartbeats, owner->job) : NULL;
  if (beat != NULL)
    last = *beat;
  else if (owner->since != NULL)
    {
      g_autoptr(GDateTime) since = g_date_time_new_from_iso8601 (owner->since, NULL);

      if (since != NULL)
        last = g_date_time_to_unix (since);
    }
  return now - last > (gint64) _lifeboat_env_seconds ("LIFEBOAT_LOCK_STALE_SECONDS", 300, 1,
                                                      86400 * 7);
}

/* ---------------------------------------------------------------------------------------- */
/* The lock */

static char *
lock_name (const char *project)
{
  return g_strconcat (LIFEBOAT_LOCK_NAME_PREFIX, project, NULL);
}

static char *
journal_name (const char *project)
{
  return g_strconcat (LIFEBOAT_JOURNAL_NAME_PREFIX, project, NULL);
}

static JsonNode *
lock_config (const char        *project,
             const char        *image,
             LifeboatLockOwner *owner)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *journal = journal_name (project);
  g_autofree char *bind = g_strconcat (journal, ":" LIFEBOAT_JOURNAL_MOUNT, NULL);
  g_autoptr(JsonObject) labels = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Image");
  json_builder_add_string_value (b, image);
  json_builder_set_member_name (b, "Entrypoint");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "/lifeboat-lock-never-runs");
  json_builder_end_array (b);
  labels = _lifeboat_lock_owner_to_labels (owner);
  json_object_set_string_member (labels, LIFEBOAT_LOCK_LABEL, project);
  json_builder_set_member_name (b, "Labels");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (), labels));
  _lifeboat_json_add_offline_binds (b, (const char * const []) { bind, NULL });
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gpointer
heartbeat_thread (gpointer data)
{
  LifeboatJobLock *lock = data;
  guint interval = _lifeboat_env_seconds ("LIFEBOAT_LOCK_HEARTBEAT", 30, 1, 86400 * 7);

  g_mutex_lock (&lock->mutex);
  while (!lock->quit)
    {
      gint64 until = g_get_monotonic_time () + (gint64) interval * G_USEC_PER_SEC;
      g_autofree char *now = NULL;
      g_autoptr(GError) error = NULL;
      const char *names[] = { LIFEBOAT_JOURNAL_HEARTBEAT, NULL };
      const char *contents[2] = { NULL, NULL };

      while (!lock->quit && g_cond_wait_until (&lock->cond, &lock->mutex, until))
        ;
      if (lock->quit)
        break;
      now = g_strdup_printf ("%" G_GINT64_FORMAT "\n", g_get_real_time () / G_USEC_PER_SEC);
      contents[0] = now;
      if (!_lifeboat_journal_put_files (lock->client, lock->container_id, lock->job_id, names, contents, &error))
        g_debug ("Lock heartbeat: %s", error->message);
    }
  g_mutex_unlock (&lock->mutex);
  return NULL;
}

static void
lock_free (LifeboatJobLock *lock)
{
  if (lock->heartbeat != NULL)
    {
      g_mutex_lock (&lock->mutex);
      lock->quit = TRUE;
      g_cond_signal (&lock->cond);
      g_mutex_unlock (&lock->mutex);
      g_thread_join (lock->heartbeat);
    }
  g_clear_object (&lock->client);
  g_free (lock->project);
  g_free (lock->container_id);
  g_free (lock->image);
  g_free (lock->job_id);
  g_clear_object (&lock->mirror);
  g_clear_pointer (&lock->unfinished, g_ptr_array_unref);
  g_mutex_clear (&lock->mutex);
  g_cond_clear (&lock->cond);
  g_free (lock);
}

static JsonObject *
inspect_lock (LifeboatDockerClient *client,
              const char           *project,
              GCancellable         *cancellable,
              GError              **error)
{
  g_autofree char *name = lock_name (project);

  return lifeboat_docker_client_inspect_container_sync (client, name, cancellable, error);
}

static JsonObject *
container_labels (JsonObject *inspect)
{
  JsonObject *config = json_object_get_object_member (inspect, "Config");

  if (config == NULL || !json_object_has_member (config, "Labels") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (config, "Labels")))
    return NULL;
  return json_object_get_object_member (config, "Labels");
}

LifeboatLockOwner *
_lifeboat_job_lock_get_owner (LifeboatDockerClient *client,
                              const char           *project,
                              gboolean             *stale_out,
                              GCancellable         *cancellable,
                              GError              **error)
{
  g_autoptr(JsonObject) inspect = NULL;
  g_autoptr(GHashTable) heartbeats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            g_free);
  g_autoptr(GHashTable) journals = NULL;
  g_autoptr(GError) local_error = NULL;
  LifeboatLockOwner *owner;

  inspect = inspect_lock (client, project, cancellable, &local_error);
  if (inspect == NULL)
    {
      if (!g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  owner = _lifeboat_lock_owner_from_labels (container_labels (inspect));
  journals = _lifeboat_journal_read_all (client, json_object_get_string_member (inspect, "Id"), heartbeats,
                            cancellable, NULL);
  if (stale_out != NULL)
    *stale_out = owner_is_stale (owner, heartbeats);
  return owner;
}

LifeboatJobLock *
_lifeboat_job_lock_acquire (LifeboatDockerClient *client,
                            const char           *project,
                            const char           *image,
                            LifeboatJobKind       kind,
                            const char           *job_id,
                            GFile                *mirror_dir,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_autofree char *id = job_id ? g_strdup (job_id) : g_uuid_string_random ();
  g_autoptr(LifeboatLockOwner) self_owner = _lifeboat_lock_owner_new_self (kind, id);
  g_autofree char *name = lock_name (project);
  g_autofree char *journal = journal_name (project);
  g_autoptr(JsonNode) config = NULL;
  g_autoptr(JsonObject) volume_labels = json_object_new ();
  g_autoptr(GHashTable) journals = NULL;
  g_autofree char *container = NULL;
  LifeboatJobLock *lock;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (project != NULL && *project != '\0', NULL);

  json_object_set_string_member (volume_labels, LABEL_JOURNAL, project);

  for (guint attempt = 0; attempt < 4 && container == NULL; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonObject) inspect = NULL;
      g_autoptr(LifeboatLockOwner) owner = NULL;
      g_autoptr(GHashTable) heartbeats = NULL;
      g_autoptr(GHashTable) theirs = NULL;
      const char *their_id, *their_image;

      if (!lifeboat_docker_client_create_volume_sync (client, journal, "local", volume_labels,
                                                      cancellable, error))
        return NULL;

      if (image != NULL)
        {
          g_clear_pointer (&config, json_node_unref);
          config = lock_config (project, image, self_owner);
          container = lifeboat_docker_client_create_container_sync (client, name, config,
                                                                    cancellable, &local_error);
          if (container != NULL)
            break;
          if (!g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CONFLICT))
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                          _("Could not take the lock of project “%s”: "),
                                          project);
              return NULL;
            }
          g_clear_error (&local_error);
        }

      /* someone holds it: alive, or gone? */
      inspect = lifeboat_docker_client_inspect_container_sync (client, name, cancellable,
                                                               &local_error);
      if (inspect == NULL)
        {
          if (g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
            continue;   /* released meanwhile */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      their_id = json_object_get_string_member_with_default (inspect, "Id", NULL);
      their_image = json_object_get_string_member_with_default (inspect, "Image", NULL);
      owner = _lifeboat_lock_owner_from_labels (container_labels (inspect));
      heartbeats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      theirs = _lifeboat_journal_read_all (client, their_id, heartbeats, cancellable, NULL);
      if (!owner_is_stale (owner, heartbeats))
        {
          g_autofree char *who = _lifeboat_lock_owner_describe (owner);

          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_BUSY,
                       _("Project “%s” is busy: %s holds it"), project, who);
          return NULL;
        }

      /* stale: take exactly that one over */
      g_debug ("Taking over the stale lock of project %s (%s, %s on %s, process %d)",
                 project, owner->kind, owner->user, owner->host, owner->pid);
      if (image == NULL)
        image = their_image;
      if (!lifeboat_docker_client_remove_container_sync (client, their_id, TRUE, cancellable,
                                                         &local_error) &&
          !g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("Could not take over the stale lock of project “%s”: "),
                                      project);
          return NULL;
        }
      if (image == NULL)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                       _("Could not take the lock of project “%s”: no image to make it from"),
                       project);
          return NULL;
        }
      /* the image may be gone with it: keep our own copy of the string */
      image = g_intern_string (image);
    }

  if (container == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_BUSY,
                   _("Could not take the lock of project “%s”: other Lifeboats kept taking it"),
                   project);
      return NULL;
    }

  lock = g_new0 (LifeboatJobLock, 1);
  lock->client = g_object_ref (client);
  lock->project = g_strdup (project);
  lock->container_id = g_steal_pointer (&container);
  lock->image = g_strdup (image);
  lock->job_id = g_steal_pointer (&id);
  lock->kind = kind;
  g_mutex_init (&lock->mutex);
  g_cond_init (&lock->cond);
  lock->unfinished = g_ptr_array_new_with_free_func ((GDestroyNotify) _lifeboat_journal_free);
  if (mirror_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_get_child (mirror_dir, "journal");
      g_autofree char *file = g_strconcat (lock->job_id, ".jsonl", NULL);

      g_file_make_directory_with_parents (dir, NULL, NULL);
      lock->mirror = g_file_get_child (dir, file);
    }

  /* what earlier jobs left */
  journals = _lifeboat_journal_read_all (client, lock->container_id, NULL, cancellable, error);
  if (journals == NULL)
    {
      g_autoptr(GError) ignored = NULL;

      lifeboat_docker_client_remove_container_sync (client, lock->container_id, TRUE, NULL,
                                                    &ignored);
      lock_free (lock);
      return NULL;
    }
  g_hash_table_iter_init (&iter, journals);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LifeboatJournal *j = value;

      if (!_lifeboat_journal_is_finished (j) && j->entries->len > 0)
        {
          g_hash_table_iter_steal (&iter);
          g_ptr_array_add (lock->unfinished, j);
        }
    }
  g_ptr_array_sort (lock->unfinished, _lifeboat_journal_compare);

  lock->heartbeat = g_thread_new ("lifeboat-lock", heartbeat_thread, lock);
  return lock;
}

const char *
_lifeboat_job_lock_get_job_id (LifeboatJobLock *lock)
{
  return lock->job_id;
}

const char *
_lifeboat_job_lock_get_project (LifeboatJobLock *lock)
{
  return lock->project;
}

LifeboatDockerClient *
_lifeboat_job_lock_get_client (LifeboatJobLock *lock)
{
  return lock->client;
}

const char *
_lifeboat_job_lock_get_image (LifeboatJobLock *lock)
{
  return lock->image;
}

GPtrArray *
_lifeboat_job_lock_get_unfinished (LifeboatJobLock *lock)
{
  return lock->unfinished;
}

static gboolean
write_entry (LifeboatJobLock *lock,
             const char      *job_id,
             guint            seq,
             const char      *step,
             JsonObject      *details,
             GError         **error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  g_autofree char *text = NULL;
  g_autofree char *file = g_strdup_printf ("%04u-%s.json", seq, step);
  const char *names[2] = { file, NULL };
  const char *contents[2] = { NULL, NULL };

  json_object_set_string_member (o, "step", step);
  json_object_set_int_member (o, "seq", seq);
  json_object_set_string_member (o, "time", time);
  json_object_set_string_member (o, "job", job_id);
  json_object_set_string_member (o, "project", lock->project);
  if (details != NULL)
    {
      GList *members = json_object_get_members (details);

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (o, l->data,
                                json_node_copy (json_object_get_member (details, l->data)));
      g_list_free (members);
    }
  json_node_set_object (node, o);
  text = json_to_string (node, FALSE);
  contents[0] = text;

  if (lock->mirror != NULL && g_str_equal (job_id, lock->job_id))
    {
      g_autoptr(GFileOutputStream) out = g_file_append_to (lock->mirror, G_FILE_CREATE_PRIVATE,
                                                            NULL, NULL);
      g_autofree char *line = g_strconcat (text, "\n", NULL);

      if (out != NULL)
        g_output_stream_write_all (G_OUTPUT_STREAM (out), line, strlen (line), NULL, NULL, NULL);
    }

  return _lifeboat_journal_put_files (lock->client, lock->container_id, job_id, names, contents, error);
}

gboolean
_lifeboat_job_lock_journal (LifeboatJobLock *lock,
                            const char      *step,
                            JsonObject      *details,
                            GError         **error)
{
  gboolean ok;
  guint seq;

  g_mutex_lock (&lock->mutex);
  seq = ++lock->seq;
  ok = write_entry (lock, lock->job_id, seq, step, details, error);
  g_mutex_unlock (&lock->mutex);
  if (!ok)
    g_prefix_error (error, _("Could not write the job’s journal on the engine: "));
  else
    _lifeboat_test_point (step);
  return ok;
}

gboolean
_lifeboat_job_lock_finish_other (LifeboatJobLock *lock,
                                 const char      *job_id,
                                 const char      *outcome,
                                 GError         **error)
{
  g_autoptr(JsonObject) details = json_object_new ();
  gboolean ok;

  json_object_set_string_member (details, "outcome", outcome);
  json_object_set_string_member (details, "by", lock->job_id);
  g_mutex_lock (&lock->mutex);
  ok = write_entry (lock, job_id, 9999, "end", details, error);
  g_mutex_unlock (&lock->mutex);
  return ok;
}

void
_lifeboat_job_lock_release (LifeboatJobLock *lock)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) journals = NULL;
  LifeboatJournal *mine;
  gboolean finished;

  if (lock == NULL)
    return;

  /* stop the heartbeat before the container goes */
  if (lock->heartbeat != NULL)
    {
      g_mutex_lock (&lock->mutex);
      lock->quit = TRUE;
      g_cond_signal (&lock->cond);
      g_mutex_unlock (&lock->mutex);
      g_thread_join (lock->heartbeat);
      lock->heartbeat = NULL;
    }

  journals = _lifeboat_journal_read_all (lock->client, lock->container_id, NULL, NULL, &error);
  mine = journals ? g_hash_table_lookup (journals, lock->job_id) : NULL;
  finished = journals != NULL && (mine == NULL || _lifeboat_journal_is_finished (mine));
  if (finished)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, journals);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        finished &= _lifeboat_journal_is_finished (value) ||
                    ((LifeboatJournal *) value)->entries->len == 0;
    }

  if (!finished)
    {
      g_debug ("Leaving the lock of project %s: its journal is not finished%s%s", lock->project,
                 error ? ": " : "", error ? error->message : "");
      lock_free (lock);
      return;
    }

  if (!lifeboat_docker_client_remove_container_sync (lock->client, lock->container_id, TRUE, NULL,
                                                     &error) &&
      !g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
    g_warning ("Could not remove the lock of project %s: %s", lock->project, error->message);
  else
    {
      g_autofree char *volume = journal_name (lock->project);
      g_autofree char *e = g_uri_escape_string (volume, NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/volumes/%s", e);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) volume_error = NULL;

      /* in use again (another job took the lock meanwhile) is fine: it is theirs now */
      node = lifeboat_docker_client_request_json_sync (lock->client, "DELETE", path, NULL, 60,
                                                       NULL, &volume_error);
      if (volume_error != NULL)
        g_debug ("Removing %s: %s", volume, volume_error->message);
    }
  if (lock->mirror != NULL)
    g_file_delete (lock->mirror, NULL, NULL);
  lock_free (lock);
}

GPtrArray *
_lifeboat_job_lock_list_projects (LifeboatDockerClient *client,
                                  GCancellable         *cancellable,
                                  GError              **error)
{
  g_autoptr(GPtrArray) projects = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) containers = NULL;
  g_autoptr(JsonNode) volumes = NULL;
  g_autofree char *filter = g_uri_escape_string ("{\"label\":[\"" LIFEBOAT_LOCK_LABEL "\"]}",
                                                 NULL, FALSE);
  g_autofree char *vfilter = g_uri_escape_string ("{\"label\":[\"" LABEL_JOURNAL "\"]}",
                                                  NULL, FALSE);
  g_autofree char *cpath = g_strdup_printf ("/containers/json?all=1&filters=%s", filter);
  g_autofree char *vpath = g_strdup_printf ("/volumes?filters=%s", vfilter);

  containers = lifeboat_docker_client_request_json_sync (client, "GET", cpath, NULL, 60,
                                                         cancellable, error);
  if (containers == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (containers))
    {
      JsonArray *a = json_node_get_array (containers);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *c = json_array_get_object_element (a, i);
          JsonObject *labels = json_object_get_object_member (c, "Labels");
          const char *p = label (labels, LIFEBOAT_LOCK_LABEL);

          if (p != NULL && !g_ptr_array_find_with_equal_func (projects, p, g_str_equal, NULL))
            g_ptr_array_add (projects, g_strdup (p));
        }
    }

  volumes = lifeboat_docker_client_request_json_sync (client, "GET", vpath, NULL, 60,
                                                      cancellable, error);
  if (volumes == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (volumes) &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (volumes), "Volumes")))
    {
      JsonArray *a = json_object_get_array_member (json_node_get_object (volumes), "Volumes");

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *v = json_array_get_object_element (a, i);
          JsonObject *labels = json_object_has_member (v, "Labels") &&
                               JSON_NODE_HOLDS_OBJECT (json_object_get_member (v, "Labels"))
                               ? json_object_get_object_member (v, "Labels") : NULL;
          const char *p = label (labels, LABEL_JOURNAL);

          if (p != NULL && !g_ptr_array_find_with_equal_func (projects, p, g_str_equal, NULL))
            g_ptr_array_add (projects, g_strdup (p));
        }
    }

  return g_steal_pointer (&projects);
}
