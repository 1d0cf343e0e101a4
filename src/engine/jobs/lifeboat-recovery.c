/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finishing or undoing what interrupted jobs left on an engine: see lifeboat-recovery.h. Every
 * step here is safe to repeat: a recovery that is itself interrupted is recovered again.
 */
#define G_LOG_DOMAIN "lifeboat-recovery"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-container-ops-private.h"
#include "lifeboat-discovery.h"
#include "lifeboat-drill.h"
#include "lifeboat-error.h"
#include "lifeboat-job-guard-private.h"
#include "lifeboat-recovery-private.h"
#include "lifeboat-restore-job-private.h"
#include "lifeboat-volume-swap-private.h"

void
lifeboat_recovery_finding_free (LifeboatRecoveryFinding *finding)
{
  if (finding == NULL)
    return;
  g_free (finding->project);
  g_free (finding->message);
  g_free (finding);
}

static LifeboatRecoveryFinding *
finding_new (const char            *project,
             LifeboatRecoveryState  state,
             const char            *message)
{
  LifeboatRecoveryFinding *f = g_new0 (LifeboatRecoveryFinding, 1);

  f->project = g_strdup (project);
  f->state = state;
  f->message = g_strdup (message);
  return f;
}

static void
remove_helpers_of (LifeboatDockerClient *client,
                   const char           *job)
{
  g_autofree char *filter = g_strdup_printf ("{\"label\":[\"%s=%s\"]}", LIFEBOAT_JOB_LABEL, job);
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/containers/json?all=1&filters=%s", escaped);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;

  list = lifeboat_docker_client_request_json_sync (client, "GET", path, NULL, 60, NULL, &error);
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonObject *c = json_array_get_object_element (json_node_get_array (list), i);
      JsonObject *labels = json_object_get_object_member (c, "Labels");

      /* helpers only: never the lock, never anything else */
      if (labels == NULL || !json_object_has_member (labels, "io.github.lifeboat.helper"))
        continue;
      _lifeboat_remove_helper (client, json_object_get_string_member (c, "Id"));
    }
}

static void
remove_volume (LifeboatDockerClient *client,
               const char           *name)
{
  g_autofree char *e = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/volumes/%s", e);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = lifeboat_docker_client_request_json_sync (client, "DELETE", path, NULL, 60, NULL, &error);
  if (error != NULL)
    g_debug ("Removing volume %s: %s", name, error->message);
}

static void
remove_created_volumes (LifeboatDockerClient *client,
                        LifeboatJournal      *journal)
{
  for (guint i = 0; i < journal->entries->len; i++)
    {
      JsonObject *o = g_ptr_array_index (journal->entries, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "step", NULL),
                     "create-volume") == 0)
        remove_volume (client, json_object_get_string_member_with_default (o, "name", ""));
    }
}

static gboolean
remove_tree (GFile   *file,
             GError **error)
{
  g_autoptr(GFileEnumerator) e = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                                            G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                            NULL, NULL);

  while (e != NULL)
    {
      GFileInfo *info;
      GFile *child;

      if (!g_file_enumerator_iterate (e, &info, &child, NULL, NULL) || info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child, NULL);
      else
        g_file_delete (child, NULL, NULL);
    }
  return g_file_delete (file, NULL, error);
}

/* The restore part: roll back, or forward once every volume was written and checked. */
static gboolean
recover_restore (LifeboatJobLock  *lock,
                 LifeboatJournal  *journal,
                 LifeboatHistory  *history,
                 GString          *said,
                 GCancellable     *cancellable,
                 GError          **error)
{
  LifeboatDockerClient *client = _lifeboat_job_lock_get_client (lock);
  const char *project = _lifeboat_job_lock_get_project (lock);
  JsonObject *aside_entry = _lifeboat_journal_find (journal, "aside");
  gboolean forward = _lifeboat_journal_has (journal, "written-all") &&
                     !_lifeboat_journal_has (journal, "rolling-back") &&
                     !_lifeboat_journal_has (journal, "stopping-again");
  g_autoptr(GPtrArray) binds = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *aside, *image;
  JsonArray *volumes;

  if (aside_entry == NULL || _lifeboat_journal_has (journal, "aside-removed") ||
      _lifeboat_journal_has (journal, "rolled-back"))
    {
      if (!forward && !_lifeboat_journal_has (journal, "rolled-back"))
        remove_created_volumes (client, journal);
      if (forward)
        g_string_append (said, _("The interrupted restore had written and checked every volume: "
                                 "the new contents stay."));
      else if (_lifeboat_journal_has (journal, "writing"))
        g_string_append (said, _("The interrupted restore had changed no volume that held "
                                 "data; the volumes it had begun to create were removed."));
      return TRUE;
    }

  aside = json_object_get_string_member_with_default (aside_entry, "aside", NULL);
  image = json_object_get_string_member_with_default (aside_entry, "image",
                                                      _lifeboat_job_lock_get_image (lock));
  volumes = json_object_has_member (aside_entry, "volumes")
            ? json_object_get_array_member (aside_entry, "volumes") : NULL;
  if (aside == NULL || !g_str_has_prefix (aside, LIFEBOAT_ASIDE_PREFIX) || volumes == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("the journal of the interrupted restore does not say where the previous "
                     "contents were moved"));
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (volumes); i++)
    {
      JsonObject *v = json_array_get_object_element (volumes, i);
      guint index = (guint) json_object_get_int_member_with_default (v, "index", i);
      const char *name = json_object_get_string_member_with_default (v, "name", NULL);

      if (name == NULL || !json_object_get_boolean_member_with_default (v, "existed", FALSE))
        continue;
      g_ptr_array_add (binds, g_strdup_printf ("%s:" LIFEBOAT_SWAP_ROOT "/%u", name, index));
      g_ptr_array_add (dirs, g_strdup_printf (LIFEBOAT_SWAP_ROOT "/%u", index));
      g_ptr_array_add (names, g_strdup (name));
    }

  if (forward)
    {
      g_autoptr(GFile) folder = NULL;
      g_autofree char *where = NULL;

      if (!_lifeboat_journal_has (journal, "safety-done"))
        {
          const char *dir = _lifeboat_journal_get_begin (journal, "safety_dir");
          const char *host = _lifeboat_journal_get_begin (journal, "host");
          g_autoptr(GFile) safety_dir = NULL;
          g_autoptr(GError) local_error = NULL;

          /* the safety folder of the machine that ran the restore, else this one's */
          if (dir != NULL && g_strcmp0 (host, g_get_host_name ()) == 0)
            safety_dir = g_file_new_for_path (dir);
          else
            safety_dir = g_file_new_build_filename (g_get_user_data_dir (), "lifeboat", "safety",
                                                    NULL);
          if (!_lifeboat_restore_keep_safety (client, project, image, aside, names, safety_dir,
                                              history, cancellable, &folder, &local_error))
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                          _("the interrupted restore had written every volume, "
                                            "but a safety copy of the previous contents could "
                                            "not be made: "));
              return FALSE;
            }
          where = g_file_get_parse_name (folder);
        }
      if (!_lifeboat_swap_remove_aside (client, image, binds, aside, dirs, error))
        return FALSE;
      if (where != NULL)
        g_string_append_printf (said, _("The interrupted restore had written and checked every "
                                        "volume: the new contents stay, and the previous ones "
                                        "were kept in the safety backup %s."), where);
      else
        g_string_append (said, _("The interrupted restore had written and checked every volume "
                                 "and kept its safety copy: the new contents stay."));
      return TRUE;
    }

  /* back: what was written goes (only once writing began), the previous contents return */
  if (!_lifeboat_swap_move_back (client, image, binds, aside,
                                 _lifeboat_journal_has (journal, "writing"), dirs, error))
    return FALSE;
  remove_created_volumes (client, journal);
  g_string_append (said, _("The interrupted restore was rolled back: the volumes hold their "
                           "previous contents again."));
  return TRUE;
}

static gboolean
start_again (LifeboatJobLock  *lock,
             LifeboatJournal  *journal,
             GString          *said,
             GCancellable     *cancellable,
             GError          **error)
{
  LifeboatDockerClient *client = _lifeboat_job_lock_get_client (lock);
  JsonObject *stopping = _lifeboat_journal_find (journal, "stopping");
  JsonArray *containers, *outsiders;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LifeboatProject) project = NULL;
  g_autoptr(GError) local_error = NULL;

  if (stopping == NULL)
    return TRUE;
  containers = json_object_has_member (stopping, "containers")
               ? json_object_get_array_member (stopping, "containers") : NULL;
  outsiders = json_object_has_member (stopping, "outsiders")
              ? json_object_get_array_member (stopping, "outsiders") : NULL;

  if (containers != NULL && json_array_get_length (containers) > 0)
    {
      project = lifeboat_discover_project_sync (client, _lifeboat_job_lock_get_project (lock),
                                                FALSE, cancellable, &local_error);
      /* a project removed since (docker compose down): nothing of it is left to start */
      if (project == NULL && g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
        return _lifeboat_guard_start_ids (client, outsiders, error);
      if (project == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (containers); i++)
        {
          const char *name = json_array_get_string_element (containers, i);
          LifeboatContainer *c = lifeboat_project_find_container (project, name);

          if (c != NULL && !lifeboat_container_is_running (c))
            g_ptr_array_add (names, g_strdup (name));
        }
      if (names->len > 0 && !_lifeboat_start_containers (client, project, names, error))
        return FALSE;
    }
  if (!_lifeboat_guard_start_ids (client, outsiders, error))
    return FALSE;
  if (names->len > 0)
    {
      g_autofree char *list = _lifeboat_join_names (names);

      if (said->len > 0)
        g_string_append_c (said, ' ');
      g_string_append_printf (said, _("%s, stopped by it, run again."), list);
    }
  return TRUE;
}

static void
record_interrupted (LifeboatDockerClient *client,
                    LifeboatHistory      *history,
                    LifeboatJournal      *journal,
                    const char           *project,
                    const char           *said)
{
  const char *kind_name = _lifeboat_journal_get_begin (journal, "kind");
  JsonObject *first = journal->entries->len > 0 ? g_ptr_array_index (journal->entries, 0) : NULL;
  const char *time = first ? json_object_get_string_member_with_default (first, "time", NULL) : NULL;
  LifeboatJobKind kind = g_strcmp0 (kind_name, "restore") == 0 ? LIFEBOAT_JOB_KIND_RESTORE
                                                               : LIFEBOAT_JOB_KIND_BACKUP;
  g_autoptr(LifeboatHistoryEntry) entry = lifeboat_history_entry_new (kind);
  g_autoptr(GDateTime) started = time ? g_date_time_new_from_iso8601 (time, NULL) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  const char *folder = _lifeboat_journal_get_begin (journal, "source");
  JsonObject *partial = _lifeboat_journal_find (journal, "partial");

  if (history == NULL)
    return;
  if (folder == NULL && partial != NULL)
    folder = json_object_get_string_member_with_default (partial, "path", NULL);
  {
    JsonObject *begin = _lifeboat_journal_find (journal, "begin");
    gint64 pid = begin ? json_object_get_int_member_with_default (begin, "pid", 0) : 0;
    const char *user = _lifeboat_journal_get_begin (journal, "user");
    const char *host = _lifeboat_journal_get_begin (journal, "host");

    message = g_strdup_printf (_("Interrupted (%s on %s, process %d); recovered by %s on %s: %s"),
                               user ? user : "?", host ? host : "?", (int) pid, g_get_user_name (),
                               g_get_host_name (), said);
  }
  lifeboat_history_entry_set_outcome (entry, LIFEBOAT_JOB_OUTCOME_INTERRUPTED);
  lifeboat_history_entry_set_started (entry, started ? started : now);
  if (started != NULL)
    lifeboat_history_entry_set_seconds (entry, g_date_time_difference (now, started) /
                                               (double) G_USEC_PER_SEC);
  lifeboat_history_entry_set_engine (entry, lifeboat_docker_client_get_display_name (client));
  lifeboat_history_entry_set_project (entry, project);
  lifeboat_history_entry_set_error (entry, message);
  if (folder != NULL)
    lifeboat_history_entry_set_folder (entry, folder);
  if (!lifeboat_history_record (history, entry, &error))
    g_warning ("Could not record the recovery in the history: %s", error->message);
}

static gboolean
recover_one (LifeboatJobLock  *lock,
             LifeboatJournal  *journal,
             LifeboatHistory  *history,
             GString          *report,
             GCancellable     *cancellable,
             GError          **error)
{
  LifeboatDockerClient *client = _lifeboat_job_lock_get_client (lock);
  const char *project = _lifeboat_job_lock_get_project (lock);
  const char *kind = _lifeboat_journal_get_begin (journal, "kind");
  JsonObject *policies = _lifeboat_journal_find (journal, "policies");
  g_autoptr(GString) said = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;

  g_debug ("Recovering the interrupted %s %s of project %s", kind ? kind : "job", journal->job,
             project);

  /* 1. its helpers */
  remove_helpers_of (client, journal->job);

  /* 2. the volumes */
  if (g_strcmp0 (kind, "restore") == 0 &&
      !recover_restore (lock, journal, history, said, cancellable, &local_error))
    goto failed;

  /* 3. a backup's unfinished folder, where it was made on this machine */
  if (g_strcmp0 (kind, "backup") == 0)
    {
      JsonObject *partial = _lifeboat_journal_find (journal, "partial");
      const char *path = partial ? json_object_get_string_member_with_default (partial, "path",
                                                                               NULL) : NULL;

      if (path != NULL && g_str_has_suffix (path, ".partial") &&
          g_strcmp0 (_lifeboat_journal_get_begin (journal, "host"), g_get_host_name ()) == 0)
        {
          g_autoptr(GFile) folder = g_file_new_for_path (path);

          if (g_file_query_exists (folder, NULL))
            remove_tree (folder, NULL);
        }
      g_string_append (said, _("The interrupted backup wrote no backup."));
    }

  /* 4. the containers that ran, and their restart policies */
  if (!start_again (lock, journal, said, cancellable, &local_error))
    goto failed;
  if (policies != NULL &&
      !_lifeboat_guard_restore_policies (client, json_object_get_array_member (policies,
                                                                               "containers"),
                                         &local_error))
    goto failed;

  if (!_lifeboat_job_lock_finish_other (lock, journal->job, "interrupted", &local_error))
    goto failed;
  record_interrupted (client, history, journal, project, said->str);
  if (report->len > 0)
    g_string_append_c (report, ' ');
  g_string_append (report, said->str);
  return TRUE;

failed:
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
join_array (GString    *out,
            JsonArray  *array,
            const char *member)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *n = json_array_get_element (array, i);
      const char *text = JSON_NODE_HOLDS_OBJECT (n)
                         ? json_object_get_string_member_with_default (json_node_get_object (n),
                                                                       member, "?")
                         : json_node_get_string (n);

      if (i > 0)
        g_string_append (out, i + 1 == json_array_get_length (array) ? _(" and ") : ", ");
      g_string_append (out, text ? text : "?");
    }
}

char *
_lifeboat_recovery_describe (LifeboatJournal *journal)
{
  const char *kind = _lifeboat_journal_get_begin (journal, "kind");
  const char *user = _lifeboat_journal_get_begin (journal, "user");
  const char *host = _lifeboat_journal_get_begin (journal, "host");
  JsonObject *first = journal->entries->len > 0 ? g_ptr_array_index (journal->entries, 0) : NULL;
  const char *time = first ? json_object_get_string_member_with_default (first, "time", "?") : "?";
  JsonObject *aside = _lifeboat_journal_find (journal, "aside");
  JsonObject *partial = _lifeboat_journal_find (journal, "partial");
  JsonObject *stopping = _lifeboat_journal_find (journal, "stopping");
  JsonObject *policies = _lifeboat_journal_find (journal, "policies");
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) all = g_string_new (NULL);

  if (aside != NULL && !_lifeboat_journal_has (journal, "aside-removed"))
    {
      if (_lifeboat_journal_has (journal, "written-all") &&
          !_lifeboat_journal_has (journal, "rolling-back") &&
          !_lifeboat_journal_has (journal, "stopping-again"))
        g_ptr_array_add (steps, g_strdup_printf (_("keep the restored contents (every volume was "
                                                   "written and checked), keep the previous ones "
                                                   "as a safety backup and remove the hidden "
                                                   "folder %s from the volumes"),
                                                 json_object_get_string_member_with_default (aside, "aside", "?")));
      else
        g_ptr_array_add (steps, g_strdup_printf (_("remove what was written and move the previous "
                                                   "contents back from the hidden folder %s inside "
                                                   "each volume"),
                                                 json_object_get_string_member_with_default (aside, "aside", "?")));
    }
  if (partial != NULL)
    g_ptr_array_add (steps, g_strdup_printf (_("remove the unfinished backup folder %s (on %s)"),
                                             json_object_get_string_member_with_default (partial, "path", "?"),
                                             host ? host : "?"));
  if (stopping != NULL && json_object_has_member (stopping, "containers") &&
      json_array_get_length (json_object_get_array_member (stopping, "containers")) > 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      join_array (names, json_object_get_array_member (stopping, "containers"), NULL);
      g_ptr_array_add (steps, g_strdup_printf (_("start %s again"), names->str));
    }
  if (policies != NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      join_array (names, json_object_get_array_member (policies, "containers"), "name");
      g_ptr_array_add (steps, g_strdup_printf (_("put back the restart policies of %s"),
                                               names->str));
    }
  if (steps->len == 0)
    g_ptr_array_add (steps, g_strdup (_("remove its lock")));
  for (guint i = 0; i < steps->len; i++)
    {
      if (i > 0)
        g_string_append (all, i + 1 == steps->len ? _(" and ") : ", ");
      g_string_append (all, g_ptr_array_index (steps, i));
    }

  return g_strdup_printf (_("An interrupted %s (started %s by %s on %s) left the project; "
                            "recovering will %s."), kind ? kind : _("job"), time,
                          user ? user : "?", host ? host : "?", all->str);
}

gboolean
_lifeboat_recovery_recover_unfinished (LifeboatJobLock  *lock,
                                       LifeboatHistory  *history,
                                       GString          *report,
                                       GCancellable     *cancellable,
                                       GError          **error)
{
  GPtrArray *unfinished = _lifeboat_job_lock_get_unfinished (lock);

  for (guint i = 0; i < unfinished->len; i++)
    {
      LifeboatJournal *journal = g_ptr_array_index (unfinished, i);

      if (_lifeboat_journal_is_finished (journal))
        continue;
      if (!recover_one (lock, journal, history, report, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */

static LifeboatRecoveryFinding *
recover_project (LifeboatDockerClient  *client,
                 const char            *project,
                 LifeboatHistory       *history,
                 gboolean               break_lock,
                 GCancellable          *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autofree char *image = NULL;
  LifeboatJobLock *lock;

  image = _lifeboat_pick_helper_image (client, NULL, cancellable, &error);
  if (image == NULL)
    return finding_new (project, LIFEBOAT_RECOVERY_FAILED, error->message);

  lock = _lifeboat_job_lock_acquire (client, project, image, LIFEBOAT_JOB_KIND_RECOVERY, NULL,
                                     history ? lifeboat_history_get_dir (history) : NULL,
                                     cancellable, &error);
  if (lock == NULL && break_lock && g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_BUSY))
    {
      g_autofree char *name = g_strconcat (LIFEBOAT_LOCK_NAME_PREFIX, project, NULL);
      g_autoptr(JsonObject) inspect = lifeboat_docker_client_inspect_container_sync (client, name,
                                                                                     cancellable,
                                                                                     NULL);

      g_debug ("Breaking the lock of project %s: %s", project, error->message);
      g_clear_error (&error);
      if (inspect != NULL)
        lifeboat_docker_client_remove_container_sync (client,
                                                      json_object_get_string_member (inspect, "Id"),
                                                      TRUE, cancellable, NULL);
      lock = _lifeboat_job_lock_acquire (client, project, image, LIFEBOAT_JOB_KIND_RECOVERY, NULL,
                                         history ? lifeboat_history_get_dir (history) : NULL,
                                         cancellable, &error);
    }
  if (lock == NULL)
    {
      if (g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_BUSY))
        return finding_new (project, LIFEBOAT_RECOVERY_BUSY, error->message);
      return finding_new (project, LIFEBOAT_RECOVERY_FAILED, error->message);
    }

  if (_lifeboat_job_lock_get_unfinished (lock)->len == 0)
    {
      /* an orphaned journal or a lock whose job had ended: nothing to put right */
      _lifeboat_job_lock_release (lock);
      return NULL;
    }

  if (!_lifeboat_recovery_recover_unfinished (lock, history, report, cancellable, &error))
    {
      GPtrArray *unfinished = _lifeboat_job_lock_get_unfinished (lock);
      g_autofree char *plan = _lifeboat_recovery_describe (g_ptr_array_index (unfinished, 0));
      g_autofree char *msg =
        g_strdup_printf (_("Project “%s”: %s It could not be done now (%s); jobs on the project "
                           "are refused until “lifeboat-cli recover %s” succeeds."),
                         project, plan, error->message, project);

      _lifeboat_job_lock_release (lock);
      return finding_new (project, LIFEBOAT_RECOVERY_FAILED, msg);
    }
  _lifeboat_job_lock_release (lock);
  {
    g_autofree char *msg = g_strdup_printf (_("Project “%s”: %s"), project, report->str);

    return finding_new (project, LIFEBOAT_RECOVERY_RECOVERED, msg);
  }
}

GPtrArray *
lifeboat_recovery_run_sync (LifeboatDockerClient  *client,
                            const char            *project,
                            LifeboatHistory       *history,
                            gboolean               break_lock,
                            GCancellable          *cancellable,
                            GError               **error)
{
  g_autoptr(GPtrArray) findings =
    g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_recovery_finding_free);
  g_autoptr(GPtrArray) projects = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_DOCKER_CLIENT (client), NULL);

  if (!lifeboat_docker_client_is_connected (client) &&
      !lifeboat_docker_client_connect_sync (client, cancellable, error))
    return NULL;
  /* Podman keeps no Lifeboat jobs: it refuses them */
  if (g_strcmp0 (lifeboat_docker_client_get_engine_kind (client), "Podman") == 0)
    return g_steal_pointer (&findings);

  /* the scratch volumes and containers of drills whose process is gone */
  {
    g_autoptr(GError) drill_error = NULL;

    if (!lifeboat_drill_remove_leftovers_sync (client, cancellable, &drill_error))
      g_debug ("Could not look for what interrupted drills left: %s", drill_error->message);
  }

  projects = _lifeboat_job_lock_list_projects (client, cancellable, error);
  if (projects == NULL)
    return NULL;
  for (guint i = 0; i < projects->len; i++)
    {
      const char *p = g_ptr_array_index (projects, i);
      LifeboatRecoveryFinding *f;

      if (project != NULL && g_strcmp0 (project, p) != 0)
        continue;
      f = recover_project (client, p, history, break_lock, cancellable);
      if (f != NULL)
        g_ptr_array_add (findings, f);
    }
  return g_steal_pointer (&findings);
}

typedef struct
{
  char            *project;
  LifeboatHistory *history;
} RunData;

static void
run_data_free (RunData *data)
{
  g_free (data->project);
  g_clear_object (&data->history);
  g_free (data);
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;
  GError *error = NULL;
  GPtrArray *findings = lifeboat_recovery_run_sync (source, data->project, data->history, FALSE,
                                                    cancellable, &error);

  if (findings == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, findings, (GDestroyNotify) g_ptr_array_unref);
}

void
lifeboat_recovery_run_async (LifeboatDockerClient *client,
                             const char           *project,
                             LifeboatHistory      *history,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
  RunData *data = g_new0 (RunData, 1);

  data->project = g_strdup (project);
  data->history = history ? g_object_ref (history) : NULL;
  g_task_set_source_tag (task, lifeboat_recovery_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

GPtrArray *
lifeboat_recovery_run_finish (LifeboatDockerClient *client,
                              GAsyncResult         *result,
                              GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
