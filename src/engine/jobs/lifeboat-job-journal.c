/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Taking a project for a job, journaling its start and end: see lifeboat-job-journal-private.h.
 */
#define G_LOG_DOMAIN "lifeboat-job-journal"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "lifeboat-container-ops-private.h"
#include "lifeboat-error.h"
#include "lifeboat-job-journal-private.h"
#include "lifeboat-job-private.h"
#include "lifeboat-recovery-private.h"

LifeboatJobLock *
_lifeboat_job_take_project (LifeboatJob   *job,
                            const char    *project,
                            const char    *image,
                            char         **recovered_out,
                            GCancellable  *cancellable,
                            GError       **error)
{
  LifeboatDockerClient *client = lifeboat_job_get_client (job);
  LifeboatHistory *history = _lifeboat_job_get_history (job);
  LifeboatJobLock *lock;

  lock = _lifeboat_job_lock_acquire (client, project, image, lifeboat_job_get_kind (job), NULL,
                                     lifeboat_history_get_dir (history), cancellable, error);
  if (lock == NULL)
    return NULL;

  if (_lifeboat_job_lock_get_unfinished (lock)->len > 0)
    {
      g_autoptr(GString) report = g_string_new (NULL);
      g_autoptr(GError) local_error = NULL;

      if (!_lifeboat_recovery_recover_unfinished (lock, history, report, cancellable,
                                                  &local_error))
        {
          g_autofree char *plan =
            _lifeboat_recovery_describe (g_ptr_array_index (_lifeboat_job_lock_get_unfinished (lock), 0));

          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NEEDS_RECOVERY,
                       _("%s It could not be done now (%s), so this job changed nothing; run "
                         "“lifeboat-cli recover %s” once that is fixed"), plan,
                       local_error->message, project);
          _lifeboat_job_lock_release (lock);
          return NULL;
        }
      if (recovered_out != NULL && report->len > 0)
        *recovered_out = g_strdup (report->str);
    }

  _lifeboat_helpers_set_job (client, _lifeboat_job_lock_get_job_id (lock));
  return lock;
}

gboolean
_lifeboat_job_begin (LifeboatJob      *job,
                     LifeboatJobLock  *lock,
                     JsonObject       *details,
                     GError          **error)
{
  g_autoptr(JsonObject) begin = details ? json_object_ref (details) : json_object_new ();
  LifeboatDockerClient *client = lifeboat_job_get_client (job);

  json_object_set_string_member (begin, "kind",
                                 lifeboat_job_kind_to_string (lifeboat_job_get_kind (job)));
  json_object_set_string_member (begin, "host", g_get_host_name ());
  json_object_set_string_member (begin, "user", g_get_user_name ());
  json_object_set_int_member (begin, "pid", getpid ());
  json_object_set_string_member (begin, "engine", lifeboat_docker_client_get_display_name (client));
  if (lifeboat_docker_client_get_engine_id (client) != NULL)
    json_object_set_string_member (begin, "engine_id",
                                   lifeboat_docker_client_get_engine_id (client));
  return _lifeboat_job_lock_journal (lock, "begin", begin, error);
}

void
_lifeboat_job_end (LifeboatJob      *job,
                   LifeboatJobLock  *lock,
                   LifeboatGuard    *guard,
                   gboolean          ok,
                   gboolean          journal_ok)
{
  LifeboatDockerClient *client = lifeboat_job_get_client (job);

  if (journal_ok)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) end = json_object_new ();

      if (guard != NULL && guard->policies != NULL && json_array_get_length (guard->policies) > 0)
        {
          if (_lifeboat_guard_restore_policies (client, guard->policies, &error))
            _lifeboat_job_lock_journal (lock, "policies-restored", NULL, NULL);
          else
            {
              const char *before = lifeboat_job_get_aftermath (job);
              g_autofree char *msg = g_strdup_printf ("%s%s%s", before ? before : "",
                                                      before ? " " : "", error->message);

              _lifeboat_job_set_aftermath (job, msg);
              journal_ok = FALSE;
            }
        }
      if (journal_ok)
        {
          json_object_set_string_member (end, "outcome", ok ? "succeeded" : "failed");
          _lifeboat_job_lock_journal (lock, "end", end, NULL);
        }
    }
  _lifeboat_helpers_set_job (client, NULL);
  _lifeboat_job_lock_release (lock);
}
