/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window opened on one job of the history (`lifeboat --job ID`, a notification's action):
 * its project selected, the History page shown and the job's row selected there.
 */
#define G_LOG_DOMAIN "lifeboat-window-jobs"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-history.h"
#include "lifeboat-window-private.h"

static LifeboatHistoryEntry *
find_entry (const char *id)
{
  g_autoptr(GPtrArray) entries = lifeboat_history_list (lifeboat_history_get_default (), NULL,
                                                        NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (entries, i);

      if (g_strcmp0 (lifeboat_history_entry_get_id (e), id) == 0)
        return g_object_ref (e);
    }
  return NULL;
}

void
lifeboat_window_show_job (LifeboatWindow *self,
                          const char     *id)
{
  g_autoptr(LifeboatHistoryEntry) entry = NULL;
  LifeboatDockerClient *client;
  const char *project;
  const char *engine_id;

  g_return_if_fail (LIFEBOAT_IS_WINDOW (self));
  g_return_if_fail (id != NULL);

  entry = find_entry (id);
  if (entry == NULL)
    {
      lifeboat_window_show_toast (self, _("That job is no longer in the history."));
      return;
    }

  project = lifeboat_history_entry_get_project (entry);
  engine_id = lifeboat_history_entry_get_engine_id (entry);
  client = self->current_host != NULL ? self->current_host->client : NULL;
  if (client != NULL && engine_id != NULL && lifeboat_docker_client_get_engine_id (client) != NULL &&
      g_strcmp0 (lifeboat_docker_client_get_engine_id (client), engine_id) != 0)
    {
      g_autofree char *message = g_strdup_printf (_("That job ran on %s: connect to that engine "
                                                    "to see it in its project’s history."),
                                                  lifeboat_history_entry_get_engine (entry));

      lifeboat_window_show_toast (self, message);
      return;
    }

  /* the project now, or once the engine's projects are known */
  g_free (self->wanted_project);
  self->wanted_project = g_strdup (project);
  if (project != NULL)
    _lifeboat_window_select_project (self, project);
  adw_view_stack_set_visible_child_name (self->view_stack, "history");
  lifeboat_history_view_show_entry (self->history_view, id);
}
