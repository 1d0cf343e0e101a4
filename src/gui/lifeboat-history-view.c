/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-history-view"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lifeboat-archive.h"
#include "lifeboat-error.h"
#include "lifeboat-history.h"
#include "lifeboat-history-view.h"
#include "lifeboat-schedule-group.h"
#include "lifeboat-format.h"
#include "lifeboat-job-view.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restic-dialog.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-verify.h"

struct _LifeboatHistoryView
{
  AdwBin        parent_instance;

  char         *project;
  char         *engine_id;    /* NULL: every engine */
  GCancellable *cancellable;       /* verify, trash: until the view goes */
  GCancellable *load_cancellable;  /* the newest load only */
  GPtrArray    *entries;      /* LifeboatHistoryEntry */
  GListStore   *model;        /* the same, shown: the list's rows are bound to it */
  GHashTable   *existing;     /* folders that exist */
  GPtrArray    *row_texts;    /* char *, for tests */
  guint         loads;
  GtkWidget    *delete_dialog;  /* weak, for tests */
  char         *wanted_entry;   /* to mark once it is among the rows */
  char         *shown_entry;    /* marked (lifeboat_history_view_show_entry) */
  GFileMonitor *monitor;        /* history.jsonl: a job recorded by any Lifeboat */
  guint         monitor_source;

  GtkStack     *stack;
  GtkListBox   *list;
};

G_DEFINE_FINAL_TYPE (LifeboatHistoryView, lifeboat_history_view, ADW_TYPE_BIN)

enum {
  RESTORE_REQUESTED,
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GPtrArray  *entries;
  GHashTable *existing;
} LoadResult;

typedef struct
{
  char *project;
  char *engine_id;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->project);
  g_free (data->engine_id);
  g_free (data);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->entries, g_ptr_array_unref);
  g_clear_pointer (&result->existing, g_hash_table_unref);
  g_free (result);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  LifeboatHistory *history = lifeboat_history_get_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) in_repositories = g_ptr_array_new ();
  LoadResult *result;

  result = g_new0 (LoadResult, 1);
  result->entries = lifeboat_history_list_for_engine (history, data->engine_id, data->project,
                                                      &error);
  if (result->entries == NULL)
    {
      load_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result->existing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < result->entries->len; i++)
    {
      LifeboatHistoryEntry *entry = g_ptr_array_index (result->entries, i);
      const char *folder = lifeboat_history_entry_get_folder (entry);

      if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
        g_hash_table_add (result->existing, g_strdup (folder));
      else if (folder != NULL && strchr (folder, '#') != NULL)
        g_ptr_array_add (in_repositories, (char *) folder);
    }
  /* backups in restic repositories, "<location>#<ID>": what each repository lists */
  lifeboat_restic_add_existing_backups (in_repositories, result->existing);

  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

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

static LifeboatHistoryEntry *
entry_for_widget (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_BOX_ROW);

  return row ? g_object_get_data (G_OBJECT (row), "entry") : NULL;
}

static void
open_clicked_cb (GtkButton           *button,
                 LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = entry_for_widget (GTK_WIDGET (button));

  if (entry != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.open-folder", "s",
                                lifeboat_history_entry_get_folder (entry));
}

static GtkWindow *
parent_window (LifeboatHistoryView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
restore_backup_cb (GFile    *backup,
                   gpointer  user_data)
{
  g_autoptr(LifeboatHistoryView) self = user_data;

  g_signal_emit (self, signals[RESTORE_REQUESTED], 0, backup);
}

static void
restore_clicked_cb (GtkButton           *button,
                    LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = entry_for_widget (GTK_WIDGET (button));
  g_autoptr(GFile) folder = NULL;

  if (entry == NULL)
    return;
  /* a backup in a restic repository: the same restore, once its password is known */
  if (lifeboat_restic_backup_request (parent_window (self),
                                      lifeboat_history_entry_get_folder (entry),
                                      restore_backup_cb, g_object_ref (self)))
    return;
  folder = g_file_new_for_path (lifeboat_history_entry_get_folder (entry));
  g_signal_emit (self, signals[RESTORE_REQUESTED], 0, folder);
}

/* Verify: every archive of the folder is read to its end, decompressed, checked as a tar and
 * hashed, and compared with what the manifest recorded (size, SHA-256, entries), by the
 * engine's lifeboat_verify_folder() as `lifeboat-cli verify` does. A folder made with the
 * guide's commands has no manifest: its archives are still read to their end. */
static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GFile *folder = task_data;
  LifeboatResticRepository *repo = lifeboat_restic_file_get_repository (folder);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_manifest = FALSE;
  guint n_ok = 0;
  guint64 bytes = 0;
  g_autofree char *size = NULL;

  /* in a restic repository (as `lifeboat-cli verify REPO#ID`): its structure first, then every
   * tar stream, read through restic, against the manifest */
  if (repo != NULL && !lifeboat_restic_repository_check_sync (repo, FALSE, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  results = lifeboat_verify_folder (folder, &has_manifest, cancellable, &error);
  if (results == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < results->len; i++)
    {
      LifeboatVerifyResult *r = g_ptr_array_index (results, i);

      /* the first damaged archive is the report */
      if (r->problem != NULL)
        {
          g_task_return_new_error (task, LIFEBOAT_ERROR, LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
                                   "%s", r->problem);
          return;
        }
      /* what the archives occupy on disk, the size History and the notification give */
      bytes += r->file_bytes;
      n_ok++;
    }

  size = g_format_size (bytes);
  if (repo != NULL)
    g_task_return_pointer (task,
                           g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "%u tar stream in the repository matches "
                                                         "the manifest (%s); restic check passed",
                                                         "All %u tar streams in the repository "
                                                         "match the manifest (%s); restic check "
                                                         "passed",
                                                         n_ok),
                                            n_ok, size),
                           g_free);
  else if (has_manifest)
    g_task_return_pointer (task,
                           g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "%u archive matches the manifest (%s on disk)",
                                                         "All %u archives match the manifest (%s on disk)",
                                                         n_ok),
                                            n_ok, size),
                           g_free);
  else
    g_task_return_pointer (task,
                           g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "%u archive is complete and readable (%s on "
                                                         "disk); there is no manifest to compare with",
                                                         "All %u archives are complete and readable "
                                                         "(%s on disk); there is no manifest to compare "
                                                         "with",
                                                         n_ok),
                                            n_ok, size),
                           g_free);
}

static void
verify_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LifeboatHistoryView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *report = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (report != NULL)
    g_signal_emit (self, signals[MESSAGE], 0, report, FALSE);
  else
    {
      g_autofree char *message = g_strdup_printf (_("Verification failed: %s"), error->message);

      g_signal_emit (self, signals[MESSAGE], 0, message, FALSE);
    }
}

static void
verify_backup_cb (GFile    *backup,
                  gpointer  user_data)
{
  g_autoptr(LifeboatHistoryView) self = user_data;
  g_autoptr(GTask) task = NULL;

  g_signal_emit (self, signals[MESSAGE], 0, _("Verifying the backup…"), TRUE);
  task = g_task_new (NULL, self->cancellable, verify_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, verify_backup_cb);
  g_task_set_task_data (task, g_object_ref (backup), g_object_unref);
  g_task_run_in_thread (task, verify_thread);
}

static void
verify_clicked_cb (GtkButton           *button,
                   LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = entry_for_widget (GTK_WIDGET (button));
  g_autoptr(GFile) folder = NULL;
  const char *name;

  if (entry == NULL)
    return;

  name = lifeboat_history_entry_get_folder (entry);
  if (lifeboat_restic_backup_request (parent_window (self), name, verify_backup_cb,
                                      g_object_ref (self)))
    return;
  folder = g_file_new_for_path (name);
  verify_backup_cb (folder, g_object_ref (self));
}

static void
trash_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LifeboatHistoryView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_trash_finish (G_FILE (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not move the folder to the trash: %s"), error->message);
      g_signal_emit (self, signals[MESSAGE], 0, message, FALSE);
    }
  else
    g_signal_emit (self, signals[MESSAGE], 0, _("Backup folder moved to the trash"), FALSE);
  lifeboat_history_view_reload (self);
}

static void
delete_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "forget") != 0 && g_strcmp0 (response, "trash") != 0)
    return;

  /* a rescanned backup is forgotten too: the next rescans leave its folder out */
  if (!lifeboat_history_forget (lifeboat_history_get_default (),
                                lifeboat_history_entry_get_id (entry), &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not remove the entry: %s"),
                                                  error->message);

      g_signal_emit (self, signals[MESSAGE], 0, message, FALSE);
      return;
    }

  if (g_strcmp0 (response, "trash") == 0)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (lifeboat_history_entry_get_folder (entry));

      g_file_trash_async (folder, G_PRIORITY_DEFAULT, self->cancellable,
                          trash_done_cb, g_object_ref (self));
      return;
    }

  lifeboat_history_view_reload (self);
}

static void
delete_clicked_cb (GtkButton           *button,
                   LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = entry_for_widget (GTK_WIDGET (button));
  const char *folder;
  gboolean exists, rescanned;
  GtkWidget *dialog;
  GtkRoot *root;

  if (entry == NULL)
    return;

  folder = lifeboat_history_entry_get_folder (entry);
  /* a backup in a restic repository is no folder to move to the trash (retention removes it) */
  exists = folder != NULL && g_hash_table_contains (self->existing, folder) &&
           !lifeboat_restic_is_backup_name (folder);
  rescanned = lifeboat_history_entry_get_rescanned (entry);
  root = gtk_widget_get_root (GTK_WIDGET (self));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Delete From History?"), NULL);
  if (rescanned)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("This backup was found in a backup location. Forget it "
                                      "(its folder %s stays where it is), or also move the folder "
                                      "to the trash?"), folder);
  else if (exists)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("Forget this entry only, or also move the backup folder "
                                      "%s to the trash?"), folder);
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("The entry is forgotten. Its folder does not exist any "
                                      "more."));

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "forget", _("_Forget"));
  if (exists)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "trash",
                                       _("Forget and _Trash"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trash",
                                                  ADW_RESPONSE_DESTRUCTIVE);
    }
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "entry", g_object_ref (entry), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  g_set_weak_pointer (&self->delete_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
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

static GtkWidget *
create_row (LifeboatHistoryView  *self,
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
  size = g_format_size (lifeboat_history_entry_get_bytes (entry));
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
                                                   G_CALLBACK (open_clicked_cb)));
      if (kind != LIFEBOAT_JOB_KIND_RESTORE && outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED)
        {
          GtkWidget *verify = row_button (self, "emblem-ok-symbolic", _("Verify"),
                                          G_CALLBACK (verify_clicked_cb));

          GtkWidget *restore = row_button (self, "document-revert-symbolic", _("Restore…"),
                                           G_CALLBACK (restore_clicked_cb));

          gtk_box_append (GTK_BOX (box), verify);
          g_object_set_data (G_OBJECT (row), "verify-button", verify);
          gtk_box_append (GTK_BOX (box), restore);
          g_object_set_data (G_OBJECT (row), "restore-button", restore);
        }
    }
  {
    GtkWidget *delete = row_button (self, "user-trash-symbolic", _("Delete…"),
                                    G_CALLBACK (delete_clicked_cb));

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

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  return create_row (user_data, item);
}

/* the wanted entry's row, marked and focused (which scrolls it into view); the list has no
 * selection (its rows are not choices), so the row is marked with a style class */
static void
select_wanted (LifeboatHistoryView *self)
{
  for (guint i = 0; self->wanted_entry != NULL && self->entries != NULL && i < self->entries->len; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (self->entries, i);
      GtkListBoxRow *row;

      if (g_strcmp0 (lifeboat_history_entry_get_id (e), self->wanted_entry) != 0)
        continue;
      row = gtk_list_box_get_row_at_index (self->list, (int) i);
      if (row == NULL)
        return;
      gtk_widget_add_css_class (GTK_WIDGET (row), "shown-job");
      gtk_widget_grab_focus (GTK_WIDGET (row));
      g_free (self->shown_entry);
      self->shown_entry = g_steal_pointer (&self->wanted_entry);
      return;
    }
}

void
lifeboat_history_view_show_entry (LifeboatHistoryView *self,
                                  const char          *id)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_VIEW (self));

  g_free (self->wanted_entry);
  self->wanted_entry = g_strdup (id);
  select_wanted (self);
}

const char *
lifeboat_history_view_get_shown_id (LifeboatHistoryView *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_VIEW (self), NULL);

  return self->shown_entry;
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LifeboatHistoryView) self = user_data;
  g_autoptr(GError) error = NULL;
  LoadResult *res = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_ptr_array_set_size (self->row_texts, 0);

  if (res == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the history: %s"),
                                                  error->message);

      g_signal_emit (self, signals[MESSAGE], 0, message, FALSE);
      g_list_store_remove_all (self->model);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      self->loads++;
      return;
    }

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->existing, g_hash_table_unref);
  self->entries = g_steal_pointer (&res->entries);
  self->existing = g_steal_pointer (&res->existing);
  load_result_free (res);

  /* the rows follow the model (gtk_list_box_bind_model): one change, one new set of rows */
  g_list_store_splice (self->model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->model)),
                       self->entries->pdata, self->entries->len);

  gtk_stack_set_visible_child_name (self->stack, self->entries->len > 0 ? "list" : "empty");
  select_wanted (self);
  self->loads++;
}

void
lifeboat_history_view_reload (LifeboatHistoryView *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LIFEBOAT_IS_HISTORY_VIEW (self));

  /* only the newest load counts */
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  if (self->entries == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (NULL, self->load_cancellable, load_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, lifeboat_history_view_reload);
  g_task_set_return_on_cancel (task, TRUE);
  {
    LoadData *data = g_new0 (LoadData, 1);

    data->project = g_strdup (self->project);
    data->engine_id = g_strdup (self->engine_id);
    g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  }
  g_task_run_in_thread (task, load_thread);
}

void
lifeboat_history_view_set_project (LifeboatHistoryView *self,
                                   const char          *project)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_VIEW (self));

  if (g_strcmp0 (self->project, project) != 0)
    {
      g_free (self->project);
      self->project = g_strdup (project);
      g_clear_pointer (&self->entries, g_ptr_array_unref);
    }
  lifeboat_history_view_reload (self);
}

void
lifeboat_history_view_set_engine (LifeboatHistoryView *self,
                                  const char          *engine_id)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_VIEW (self));

  if (g_strcmp0 (self->engine_id, engine_id) == 0)
    return;
  g_free (self->engine_id);
  self->engine_id = g_strdup (engine_id);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
}

const char *
lifeboat_history_view_get_project (LifeboatHistoryView *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_VIEW (self), NULL);

  return self->project;
}

char **
_lifeboat_history_view_dup_rows (LifeboatHistoryView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->row_texts->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->row_texts, i));
  return g_strv_builder_end (builder);
}

static gboolean
click_row_button (LifeboatHistoryView *self,
                  const char          *folder,
                  const char          *button_name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LifeboatHistoryEntry *entry = g_object_get_data (G_OBJECT (row), "entry");
      GtkWidget *button = g_object_get_data (G_OBJECT (row), button_name);

      if (entry != NULL && button != NULL &&
          g_strcmp0 (lifeboat_history_entry_get_folder (entry), folder) == 0)
        {
          g_signal_emit_by_name (button, "clicked");
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
_lifeboat_history_view_click_restore (LifeboatHistoryView *self,
                                      const char          *folder)
{
  return click_row_button (self, folder, "restore-button");
}

gboolean
_lifeboat_history_view_click_verify (LifeboatHistoryView *self,
                                     const char          *folder)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LifeboatHistoryEntry *entry = g_object_get_data (G_OBJECT (row), "entry");
      GtkWidget *button = g_object_get_data (G_OBJECT (row), "verify-button");

      if (entry != NULL && button != NULL &&
          g_strcmp0 (lifeboat_history_entry_get_folder (entry), folder) == 0)
        {
          /* the row may not be realized, where gtk_widget_activate() does nothing */
          g_signal_emit_by_name (button, "clicked");
          return TRUE;
        }
    }
  return FALSE;
}

AdwMessageDialog *
_lifeboat_history_view_click_delete (LifeboatHistoryView *self,
                                     const char          *folder)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LifeboatHistoryEntry *entry = g_object_get_data (G_OBJECT (row), "entry");
      GtkWidget *button = g_object_get_data (G_OBJECT (row), "delete-button");

      if (entry != NULL && button != NULL &&
          g_strcmp0 (lifeboat_history_entry_get_folder (entry), folder) == 0)
        {
          g_signal_emit_by_name (button, "clicked");
          return self->delete_dialog ? ADW_MESSAGE_DIALOG (self->delete_dialog) : NULL;
        }
    }
  return NULL;
}

guint
_lifeboat_history_view_get_loads (LifeboatHistoryView *self)
{
  return self->loads;
}

static gboolean
monitor_reload_cb (gpointer data)
{
  LifeboatHistoryView *self = data;

  self->monitor_source = 0;
  lifeboat_history_view_reload (self);
  return G_SOURCE_REMOVE;
}

/* the window, lifeboat-cli and cron's backups all append to the journal: show what they
 * recorded without F5 (once the writes settle) */
static void
journal_changed_cb (GFileMonitor        *monitor,
                    GFile               *file,
                    GFile               *other,
                    GFileMonitorEvent    event,
                    LifeboatHistoryView *self)
{
  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_CHANGED && event != G_FILE_MONITOR_EVENT_DELETED)
    return;
  if (self->monitor_source == 0)
    self->monitor_source = g_timeout_add (300, monitor_reload_cb, self);
}

static void
lifeboat_history_view_dispose (GObject *object)
{
  LifeboatHistoryView *self = LIFEBOAT_HISTORY_VIEW (object);

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_handle_id (&self->monitor_source, g_source_remove);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->existing, g_hash_table_unref);
  g_clear_weak_pointer (&self->delete_dialog);
  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (lifeboat_history_view_parent_class)->dispose (object);
}

static void
lifeboat_history_view_finalize (GObject *object)
{
  LifeboatHistoryView *self = LIFEBOAT_HISTORY_VIEW (object);

  g_clear_pointer (&self->project, g_free);
  g_clear_pointer (&self->engine_id, g_free);
  g_clear_pointer (&self->wanted_entry, g_free);
  g_clear_pointer (&self->shown_entry, g_free);
  g_clear_pointer (&self->row_texts, g_ptr_array_unref);

  G_OBJECT_CLASS (lifeboat_history_view_parent_class)->finalize (object);
}

static void
lifeboat_history_view_class_init (LifeboatHistoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_history_view_dispose;
  object_class->finalize = lifeboat_history_view_finalize;

  /* a backup folder to restore from */
  signals[RESTORE_REQUESTED] =
    g_signal_new ("restore-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_FILE);
  /* a sentence for a toast; "busy" ones ("Verifying…") stay until the next message */
  signals[MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lifeboat/Lifeboat/lifeboat-history-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LifeboatHistoryView, stack);
  gtk_widget_class_bind_template_callback (widget_class, gtk_spinner_start);
  gtk_widget_class_bind_template_callback (widget_class, gtk_spinner_stop);
  gtk_widget_class_bind_template_child (widget_class, LifeboatHistoryView, list);
}

static void
lifeboat_history_view_init (LifeboatHistoryView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->row_texts = g_ptr_array_new_with_free_func (g_free);
  self->existing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->model = g_list_store_new (LIFEBOAT_TYPE_HISTORY_ENTRY);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->model), create_row_cb, self, NULL);

  {
    g_autoptr(GFile) journal = g_file_get_child (lifeboat_history_get_dir (lifeboat_history_get_default ()),
                                                 "history.jsonl");
    g_autoptr(GError) error = NULL;

    /* the folder first: a monitor on a file in a folder that does not exist sees nothing */
    g_mkdir_with_parents (g_file_peek_path (lifeboat_history_get_dir (lifeboat_history_get_default ())),
                          0700);
    self->monitor = g_file_monitor_file (journal, G_FILE_MONITOR_NONE, NULL, &error);
    if (self->monitor == NULL)
      g_debug ("Not watching the history: %s", error->message);
    else
      g_signal_connect (self->monitor, "changed", G_CALLBACK (journal_changed_cb), self);
  }
}
