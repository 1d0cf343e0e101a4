/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restic-dialog"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "lifeboat-error.h"
#include "lifeboat-restic-dialog.h"
#include "lifeboat-restic-repository.h"

static const SecretSchema restic_schema = {
  "io.github.lifeboat.Lifeboat.ResticRepository", SECRET_SCHEMA_NONE,
  {
    { "location", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

char *
lifeboat_restic_password_lookup (const char *location)
{
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_sync (&restic_schema, NULL, &error, "location", location,
                                              NULL);
  char *password;

  if (secret == NULL)
    {
      if (error != NULL)
        g_debug ("No password for %s in the Secret Service: %s", location, error->message);
      return NULL;
    }
  /* g_free()-able for the engine, the Secret Service's copy wiped */
  password = g_strdup (secret);
  secret_password_free (secret);
  return password;
}

GFile *
lifeboat_restic_destination_new (const char *location)
{
  g_autoptr(LifeboatResticRepository) repo = NULL;
  g_autofree char *password = NULL;

  g_return_val_if_fail (location != NULL, NULL);

  repo = lifeboat_restic_repository_new (location);
  password = lifeboat_restic_password_lookup (location);
  if (password != NULL)
    lifeboat_restic_repository_set_password (repo, password);
  return lifeboat_restic_repository_get_file (repo, NULL);
}

typedef struct
{
  GtkWindow                *parent;
  LifeboatResticChosenFunc  callback;
  gpointer                  user_data;
  char                     *location;
  char                     *password;
  gboolean                  create;
  GtkEntry                 *location_entry;
  GtkEditable              *password_entry;
} Choice;

static void
choice_free (Choice *choice)
{
  g_clear_object (&choice->parent);
  g_free (choice->location);
  if (choice->password != NULL)
    secret_password_wipe (choice->password);
  g_free (choice);
}

static void present_form (Choice *choice, const char *error_text);

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Choice *choice = task_data;
  g_autoptr(LifeboatResticRepository) repo = lifeboat_restic_repository_new (choice->location);
  GError *error = NULL;

  lifeboat_restic_repository_set_password (repo, choice->password);
  if (lifeboat_restic_repository_open_sync (repo, choice->create, NULL, cancellable, &error))
    g_task_return_pointer (task, lifeboat_restic_repository_get_file (repo, NULL), g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_warning ("Could not keep the repository's password in the Secret Service: %s",
               error->message);
}

static void
create_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    Choice           *choice);

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Choice *choice = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_task_propagate_pointer (G_TASK (result), &error);

  if (file == NULL && !choice->create &&
      g_error_matches (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
    {
      AdwMessageDialog *ask = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (choice->parent, _("Create a Repository?"), NULL));

      adw_message_dialog_format_body (ask, _("There is no restic repository at %s. Lifeboat can "
                                             "create one there, encrypted with this password; "
                                             "without the password its backups cannot be read."),
                                      choice->location);
      adw_message_dialog_add_responses (ask, "cancel", _("_Cancel"), "create", _("C_reate"), NULL);
      adw_message_dialog_set_response_appearance (ask, "create", ADW_RESPONSE_SUGGESTED);
      g_signal_connect (ask, "response", G_CALLBACK (create_response_cb), choice);
      gtk_window_present (GTK_WINDOW (ask));
      return;
    }
  if (file == NULL)
    {
      present_form (choice, error->message);
      return;
    }

  secret_password_store (&restic_schema, SECRET_COLLECTION_DEFAULT,
                         _("Lifeboat: restic repository password"), choice->password, NULL,
                         stored_cb, NULL, "location", choice->location, NULL);
  if (choice->callback != NULL)
    choice->callback (file, choice->user_data);
  choice_free (choice);
}

static void
open_repository (Choice *choice)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, opened_cb, choice);

  g_task_set_source_tag (task, open_repository);
  g_task_set_task_data (task, choice, NULL);
  g_task_run_in_thread (task, open_thread);
}

static void
create_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    Choice           *choice)
{
  if (g_strcmp0 (response, "create") != 0)
    {
      choice_free (choice);
      return;
    }
  choice->create = TRUE;
  open_repository (choice);
}

static void
form_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  Choice           *choice)
{
  const char *location = gtk_editable_get_text (GTK_EDITABLE (choice->location_entry));
  const char *password = gtk_editable_get_text (choice->password_entry);

  if (g_strcmp0 (response, "use") != 0)
    {
      choice_free (choice);
      return;
    }

  g_free (choice->location);
  choice->location = g_strstrip (g_strdup (location));
  if (choice->password != NULL)
    secret_password_wipe (choice->password);
  choice->password = g_strdup (password);
  choice->create = FALSE;

  if (!lifeboat_restic_location_is_repository (choice->location))
    {
      present_form (choice, _("That is not a restic repository’s location: write it as restic "
                              "does (sftp:user@host:/srv/repo, rest:https://…, s3:…, rclone:…, "
                              "local:/path)."));
      return;
    }
  if (*choice->password == '\0')
    {
      present_form (choice, _("A restic repository needs a password."));
      return;
    }
  open_repository (choice);
}

static void
present_form (Choice     *choice,
              const char *error_text)
{
  AdwMessageDialog *dialog;
  GtkWidget *box, *location, *password;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (choice->parent,
                                                       _("Back Up to a restic Repository"), NULL));
  adw_message_dialog_set_body (dialog, error_text != NULL
                               ? error_text
                               : _("Backups in a restic repository are encrypted and "
                                   "deduplicated: each one adds only what changed. The "
                                   "password is kept in your keyring."));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  location = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (location), "sftp:user@host:/srv/repo");
  gtk_accessible_update_property (GTK_ACCESSIBLE (location), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Repository location"), -1);
  if (choice->location != NULL)
    gtk_editable_set_text (GTK_EDITABLE (location), choice->location);
  password = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (password), TRUE);
  g_object_set (password, "placeholder-text", _("Password"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (password), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Repository password"), -1);
  gtk_box_append (GTK_BOX (box), location);
  gtk_box_append (GTK_BOX (box), password);
  adw_message_dialog_set_extra_child (dialog, box);
  choice->location_entry = GTK_ENTRY (location);
  choice->password_entry = GTK_EDITABLE (password);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "use", _("_Use"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "use", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "use");
  g_signal_connect (dialog, "response", G_CALLBACK (form_response_cb), choice);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
lifeboat_restic_dialog_present (GtkWindow                *parent,
                                const char               *initial_location,
                                LifeboatResticChosenFunc  callback,
                                gpointer                  user_data)
{
  Choice *choice = g_new0 (Choice, 1);

  choice->parent = parent ? g_object_ref (parent) : NULL;
  choice->callback = callback;
  choice->user_data = user_data;
  choice->location = g_strdup (initial_location);
  present_form (choice, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* A backup in a repository, by the name the history keeps: "<location>#<ID>" */

static gboolean
split_repository_backup (const char  *name,
                         char       **location,
                         char       **id)
{
  if (name == NULL || !lifeboat_restic_split_backup_name (name, location, id))
    return FALSE;
  if (lifeboat_restic_location_is_repository (*location))
    return TRUE;
  g_clear_pointer (location, g_free);
  g_clear_pointer (id, g_free);
  return FALSE;
}

gboolean
lifeboat_restic_is_backup_name (const char *name)
{
  g_autofree char *location = NULL;
  g_autofree char *id = NULL;

  return split_repository_backup (name, &location, &id);
}

typedef struct
{
  LifeboatResticChosenFunc  callback;
  gpointer                  user_data;
  char                     *id;
} Request;

static void
request_chosen_cb (GFile    *repository,
                   gpointer  user_data)
{
  Request *request = user_data;
  g_autoptr(GFile) backup = NULL;

  backup = lifeboat_restic_repository_get_file (lifeboat_restic_file_get_repository (repository),
                                                request->id);
  request->callback (backup, request->user_data);
  g_free (request->id);
  g_free (request);
}

gboolean
lifeboat_restic_backup_request (GtkWindow                *parent,
                                const char               *name,
                                LifeboatResticChosenFunc  callback,
                                gpointer                  user_data)
{
  g_autofree char *location = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GFile) repository = NULL;
  LifeboatResticRepository *repo;
  Request *request;

  g_return_val_if_fail (callback != NULL, FALSE);

  if (!split_repository_backup (name, &location, &id))
    return FALSE;

  repository = lifeboat_restic_destination_new (location);
  repo = lifeboat_restic_file_get_repository (repository);
  if (lifeboat_restic_repository_has_password (repo))
    {
      g_autoptr(GFile) backup = lifeboat_restic_repository_get_file (repo, id);

      callback (backup, user_data);
      return TRUE;
    }

  /* not in the Secret Service: asked for, checked and kept there */
  request = g_new0 (Request, 1);
  request->callback = callback;
  request->user_data = user_data;
  request->id = g_steal_pointer (&id);
  lifeboat_restic_dialog_present (parent, location, request_chosen_cb, request);
  return TRUE;
}

void
lifeboat_restic_add_existing_backups (GPtrArray  *names,
                                      GHashTable *existing)
{
  /* restic is not asked (a remote repository can take seconds to list, on every reload of
   * History): a backup counts as there while its repository is (a local one's folder still
   * holds it; a remote one is taken as there); Verify and Restore say when a backup is gone */
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (lifeboat_restic_is_backup_name (name))
        g_hash_table_add (existing, g_strdup (name));
    }
}
