/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-history-view"

/*
 * The History page: the jobs of a project (or of every one) on an engine, loaded in a thread
 * and reloaded when any Lifeboat records a job. A row is lifeboat-history-row.c, what its
 * buttons do lifeboat-history-actions.c; they share lifeboat-history-view-private.h.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lifeboat-history-view-private.h"
#include "lifeboat-restic-dialog.h"

G_DEFINE_FINAL_TYPE (LifeboatHistoryView, lifeboat_history_view, ADW_TYPE_BIN)

enum {
  RESTORE_REQUESTED,
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* a sentence for a toast; a busy one ("Verifying…") stays until the next message */
void
_lifeboat_history_view_emit_message (LifeboatHistoryView *self,
                                     const char          *message,
                                     gboolean             busy)
{
  g_signal_emit (self, signals[MESSAGE], 0, message, busy);
}

void
_lifeboat_history_view_emit_restore (LifeboatHistoryView *self,
                                     GFile               *backup)
{
  g_signal_emit (self, signals[RESTORE_REQUESTED], 0, backup);
}

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

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  return _lifeboat_history_row_new (user_data, item);
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

/* the button @button_name of the row of @folder, for the tests */
static GtkWidget *
row_button_for_folder (LifeboatHistoryView *self,
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
        return button;
    }
  return NULL;
}

/* the row may not be realized, where gtk_widget_activate() does nothing: "clicked" is emitted */
static gboolean
click_row_button (LifeboatHistoryView *self,
                  const char          *folder,
                  const char          *button_name)
{
  GtkWidget *button = row_button_for_folder (self, folder, button_name);

  if (button == NULL)
    return FALSE;
  g_signal_emit_by_name (button, "clicked");
  return TRUE;
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
  return click_row_button (self, folder, "verify-button");
}

AdwMessageDialog *
_lifeboat_history_view_click_delete (LifeboatHistoryView *self,
                                     const char          *folder)
{
  if (!click_row_button (self, folder, "delete-button"))
    return NULL;
  return self->delete_dialog ? ADW_MESSAGE_DIALOG (self->delete_dialog) : NULL;
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

