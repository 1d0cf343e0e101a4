/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-history-view"

/* What the buttons of a History row do: open the folder, restore, verify (as `lifeboat-cli
 * verify`), delete from the history and, if asked, move the folder to the trash */

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-error.h"
#include "lifeboat-format.h"
#include "lifeboat-restic-dialog.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-verify.h"

#include "lifeboat-history-view-private.h"

void
_lifeboat_history_view_open_clicked (GtkButton           *button,
                                     LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = _lifeboat_history_row_get_entry (GTK_WIDGET (button));

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

  _lifeboat_history_view_emit_restore (self, backup);
}

void
_lifeboat_history_view_restore_clicked (GtkButton           *button,
                                        LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = _lifeboat_history_row_get_entry (GTK_WIDGET (button));
  g_autoptr(GFile) folder = NULL;

  if (entry == NULL)
    return;
  /* a backup in a restic repository: the same restore, once its password is known */
  if (lifeboat_restic_backup_request (parent_window (self),
                                      lifeboat_history_entry_get_folder (entry),
                                      restore_backup_cb, g_object_ref (self)))
    return;
  folder = g_file_new_for_path (lifeboat_history_entry_get_folder (entry));
  _lifeboat_history_view_emit_restore (self, folder);
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

  size = lifeboat_format_size ((gint64) bytes);
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
    _lifeboat_history_view_emit_message (self, report, FALSE);
  else
    {
      g_autofree char *message = g_strdup_printf (_("Verification failed: %s"), error->message);

      _lifeboat_history_view_emit_message (self, message, FALSE);
    }
}

static void
verify_backup_cb (GFile    *backup,
                  gpointer  user_data)
{
  g_autoptr(LifeboatHistoryView) self = user_data;
  g_autoptr(GTask) task = NULL;

  _lifeboat_history_view_emit_message (self, _("Verifying the backup…"), TRUE);
  task = g_task_new (NULL, self->cancellable, verify_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, verify_backup_cb);
  g_task_set_task_data (task, g_object_ref (backup), g_object_unref);
  g_task_run_in_thread (task, verify_thread);
}

void
_lifeboat_history_view_verify_clicked (GtkButton           *button,
                                       LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = _lifeboat_history_row_get_entry (GTK_WIDGET (button));
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
      _lifeboat_history_view_emit_message (self, message, FALSE);
    }
  else
    _lifeboat_history_view_emit_message (self, _("Backup folder moved to the trash"), FALSE);
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

      _lifeboat_history_view_emit_message (self, message, FALSE);
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

void
_lifeboat_history_view_delete_clicked (GtkButton           *button,
                                       LifeboatHistoryView *self)
{
  LifeboatHistoryEntry *entry = _lifeboat_history_row_get_entry (GTK_WIDGET (button));
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
