/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-history-view"

/* A row of the History page: what a job did, when, on which engine, and its buttons */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-restic-dialog.h"
#include "lifeboat-schedule-group.h"

#include "lifeboat-history-view-private.h"

static const char *
kind_label (LifeboatJobKind kind)
{
  switch (kind)
    {
    case LIFEBOAT_JOB_KIND_RESTORE:       return _("Restore");
    case LIFEBOAT_JOB_KIND_SAFETY_BACKUP: return _("Safety Backup");
    case LIFEBOAT_JOB_KIND_DRILL:         return _("Restore Drill");
    case LIFEBOAT_JOB_KIND_BACKUP:
    default:                              return _("Backup");
    }
}

static const char *
outcome_label (LifeboatJobOutcome outcome)
{
  switch (outcome)
    {
    case LIFEBOAT_JOB_OUTCOME_SUCCEEDED: return _("Succeeded");
    case LIFEBOAT_JOB_OUTCOME_FAILED:    return _("Failed");
    case LIFEBOAT_JOB_OUTCOME_CANCELLED: return _("Cancelled");
    case LIFEBOAT_JOB_OUTCOME_PRUNED:    return _("Pruned");
    case LIFEBOAT_JOB_OUTCOME_RUNNING:
    default:                             return _("Did not finish");
    }
}

/* the entry a row (or a widget in it) shows */
LifeboatHistoryEntry *
_lifeboat_history_row_get_entry (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_BOX_ROW);

  return row ? g_object_get_data (G_OBJECT (row), "entry") : NULL;
}

static GtkWidget *
row_button (LifeboatHistoryView *self,
            const char          *icon,
            const char          *tooltip,
            GCallback            callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_object (button, "clicked", callback, self, 0);
  return button;
}

GtkWidget *
_lifeboat_history_row_new (LifeboatHistoryView  *self,
                           LifeboatHistoryEntry *entry)
{
  LifeboatJobKind kind = lifeboat_history_entry_get_kind (entry);
  LifeboatJobOutcome outcome = lifeboat_history_entry_get_outcome (entry);
  GDateTime *started = lifeboat_history_entry_get_started (entry);
  const char * const *volumes = lifeboat_history_entry_get_volumes (entry);
  const char *folder = lifeboat_history_entry_get_folder (entry);
  const char *version = lifeboat_history_entry_get_app_version (entry);
  gboolean exists = folder != NULL && g_hash_table_contains (self->existing, folder);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon, *box;
  g_autofree char *date = NULL;
  g_autofree char *title = NULL;
  g_autofree char *vols = NULL;
  g_autofree char *size = NULL;
  g_autofree char *took = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  guint n_volumes = volumes ? g_strv_length ((char **) volumes) : 0;

  /* an inert row takes no Tab stop; its buttons do */
  gtk_widget_set_focusable (row, FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  if (started != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (started);

      /* Translators: date and time of a history entry, see g_date_time_format() */
      date = g_date_time_format (local, _("%e %b %Y, %H:%M"));
      g_strstrip (date);
    }
  /* Translators: "Backup · 24 Nov 2026, 22:10" */
  title = g_strdup_printf (_("%s · %s"), kind_label (kind), date ? date : _("unknown date"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  vols = volumes ? g_strjoinv (", ", (char **) volumes) : g_strdup ("");
  size = lifeboat_format_size ((gint64) lifeboat_history_entry_get_bytes (entry));
  took = lifeboat_format_duration (lifeboat_history_entry_get_seconds (entry));

  g_string_append_printf (subtitle,
                          g_dngettext (GETTEXT_PACKAGE, "%u volume", "%u volumes", n_volumes),
                          n_volumes);
  if (vols[0] != '\0')
    g_string_append_printf (subtitle, " (%s)", vols);
  /* Translators: what a backup's archives occupy on disk, "5.9 MB on disk" */
  g_string_append_printf (subtitle, " · ");
  g_string_append_printf (subtitle, kind == LIFEBOAT_JOB_KIND_RESTORE ? _("%s of archives")
                                                                       : _("%s on disk"), size);
  g_string_append_printf (subtitle, " · %s", took);
  if (version != NULL)
    g_string_append_printf (subtitle, " · CVAT %s", version);
  {
    const char *engine = lifeboat_history_entry_get_engine (entry);
    const char *engine_id = lifeboat_history_entry_get_engine_id (entry);

    if (engine_id == NULL)
      g_string_append_printf (subtitle, "\n%s", _("Engine not recorded"));
    else
      /* Translators: the engine a job ran on, "On cvat-host (ABCD:EFGH:IJKL)" */
      g_string_append_printf (subtitle, _("\nOn %s (%.14s)"), engine ? engine : _("an unnamed engine"),
                              engine_id);
  }
  g_string_append_printf (subtitle, "\n%s", outcome_label (outcome));
  if (lifeboat_history_entry_get_error (entry) != NULL)
    g_string_append_printf (subtitle, ": %s", lifeboat_history_entry_get_error (entry));
  if (folder != NULL)
    g_string_append_printf (subtitle, exists ? "\n%s" : _("\n%s (missing)"), folder);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 5);

  icon = gtk_image_new_from_icon_name (kind == LIFEBOAT_JOB_KIND_RESTORE
                                         ? "document-revert-symbolic"
                                         : kind == LIFEBOAT_JOB_KIND_SAFETY_BACKUP
                                           ? "security-high-symbolic"
                                           : "folder-download-symbolic");
  if (outcome == LIFEBOAT_JOB_OUTCOME_FAILED)
    gtk_widget_add_css_class (icon, "error");
  else if (outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED)
    gtk_widget_add_css_class (icon, "success");
  else
    gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  if (exists && kind == LIFEBOAT_JOB_KIND_BACKUP)
    gtk_box_append (GTK_BOX (box), _lifeboat_drill_badge_new (folder));   /* issue 15 */
  if (exists)
    {
      /* a backup in a restic repository has no folder to open */
      if (!lifeboat_restic_is_backup_name (folder))
        gtk_box_append (GTK_BOX (box), row_button (self, "folder-open-symbolic", _("Open Folder"),
                                                   G_CALLBACK (_lifeboat_history_view_open_clicked)));
      if (kind != LIFEBOAT_JOB_KIND_RESTORE && outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED)
        {
          GtkWidget *verify = row_button (self, "emblem-ok-symbolic", _("Verify"),
                                          G_CALLBACK (_lifeboat_history_view_verify_clicked));

          GtkWidget *restore = row_button (self, "document-revert-symbolic", _("Restore…"),
                                           G_CALLBACK (_lifeboat_history_view_restore_clicked));

          gtk_box_append (GTK_BOX (box), verify);
          g_object_set_data (G_OBJECT (row), "verify-button", verify);
          gtk_box_append (GTK_BOX (box), restore);
          g_object_set_data (G_OBJECT (row), "restore-button", restore);
        }
    }
  {
    GtkWidget *delete = row_button (self, "user-trash-symbolic", _("Delete…"),
                                    G_CALLBACK (_lifeboat_history_view_delete_clicked));

    gtk_box_append (GTK_BOX (box), delete);
    g_object_set_data (G_OBJECT (row), "delete-button", delete);
  }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  g_object_set_data_full (G_OBJECT (row), "entry", g_object_ref (entry), g_object_unref);
  g_ptr_array_add (self->row_texts,
                   g_strdup_printf ("%s\t%s\t%s\t%s\t%s\t%s",
                                    lifeboat_job_kind_to_string (kind),
                                    lifeboat_job_outcome_to_string (outcome),
                                    folder ? folder : "", vols, title, subtitle->str));

  return row;
}
