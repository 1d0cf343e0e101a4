/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restore-view"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-restore-view.h"
#include "lifeboat-space.h"

struct _LifeboatRestoreView
{
  AdwBin              parent_instance;

  LifeboatRestoreJob *job;
  gboolean            version_matches;
  GPtrArray          *row_texts;

  GtkLabel           *title_label;
  GtkLabel           *source_label;
  GtkLabel           *engine_label;
  GtkScrolledWindow  *scrolled;
  GtkListBox         *items_list;
  AdwPreferencesGroup *version_group;
  AdwActionRow       *version_row;
  GtkImage           *version_icon;
  AdwActionRow       *override_row;
  GtkWidget          *override_list;
  GtkSwitch          *override_switch;
  GtkLabel           *version_warning_label;
  AdwActionRow       *containers_row;
  AdwActionRow       *safety_row;
  GtkWidget          *restore_button;
};

G_DEFINE_FINAL_TYPE (LifeboatRestoreView, lifeboat_restore_view, ADW_TYPE_BIN)

enum {
  CONFIRMED,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_sensitivity (LifeboatRestoreView *self)
{
  gtk_widget_set_sensitive (self->restore_button,
                            self->job != NULL &&
                            (self->version_matches ||
                             gtk_switch_get_active (self->override_switch)));
}

static void
override_changed_cb (LifeboatRestoreView *self)
{
  update_sensitivity (self);
}

static void
cancel_clicked_cb (LifeboatRestoreView *self)
{
  g_signal_emit (self, signals[CANCELLED], 0);
}

static void
restore_clicked_cb (LifeboatRestoreView *self)
{
  if (!gtk_widget_get_sensitive (self->restore_button))
    return;
  g_signal_emit (self, signals[CONFIRMED], 0);
}

static GtkWidget *
create_item_row (LifeboatRestoreView       *self,
                 const LifeboatRestoreItem *item)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *archive = g_path_get_basename (item->archive_path);
  g_autofree char *title = NULL;
  g_autofree char *archive_size = lifeboat_format_size ((gint64) item->archive_bytes);
  g_autofree char *size_label = NULL;
  g_autoptr(GString) details = g_string_new (NULL);
  GtkWidget *label;

  /* an inert row takes no Tab stop */
  gtk_widget_set_focusable (row, FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  /* Translators: archive → volume, e.g. "cvat_db.tar.gz → cvat_cvat_db" */
  title = g_strdup_printf (_("%s → %s"), archive, item->volume_name ? item->volume_name : item->key);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  if (item->tar_bytes > 0)
    {
      g_autofree char *tar = lifeboat_format_size ((gint64) item->tar_bytes);

      /* Translators: "312 MB archive, 1.1 GB unpacked" */
      g_string_append_printf (details, _("%s archive, %s unpacked"), archive_size, tar);
    }
  else
    /* Translators: the size of an archive file */
    g_string_append_printf (details, _("%s archive"), archive_size);

  if (!item->volume_exists)
    g_string_append_printf (details, " · %s", _("the volume will be created"));
  else if (item->current_size >= 0)
    {
      g_autofree char *now = lifeboat_format_size (item->current_size);

      /* Translators: the current size of the volume that will be replaced */
      g_string_append_printf (details, " · ");
      g_string_append_printf (details, _("replaces %s now in the volume"), now);
    }
  else
    g_string_append_printf (details, " · %s", _("replaces what the volume holds now"));
  if (item->mount_path != NULL)
    g_string_append_printf (details, "\n%s", item->mount_path);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("package-x-generic-symbolic"));

  size_label = lifeboat_format_size ((gint64) (item->tar_bytes > 0 ? item->tar_bytes : item->archive_bytes));
  label = gtk_label_new (size_label);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);

  g_ptr_array_add (self->row_texts,
                   g_strdup_printf ("%s\t%s\t%s\t%s", archive,
                                    item->volume_name ? item->volume_name : "",
                                    archive_size, details->str));
  return row;
}

void
lifeboat_restore_view_set_job (LifeboatRestoreView *self,
                               LifeboatRestoreJob  *job,
                               GFile               *source,
                               int                  keep_safety_days)
{
  GtkWidget *child;
  GPtrArray *items;
  const char *backup_version, *target_version, *project;
  const char * const *containers;
  g_autofree char *title = NULL;
  g_autofree char *source_text = NULL;
  g_autofree char *safety = NULL;

  g_return_if_fail (LIFEBOAT_IS_RESTORE_VIEW (self));
  g_return_if_fail (job == NULL || LIFEBOAT_IS_RESTORE_JOB (job));

  g_set_object (&self->job, job);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->items_list))) != NULL)
    gtk_list_box_remove (self->items_list, child);
  g_ptr_array_set_size (self->row_texts, 0);
  gtk_switch_set_active (self->override_switch, FALSE);

  if (job == NULL)
    {
      update_sensitivity (self);
      return;
    }

  project = lifeboat_restore_job_get_target_project (job);
  /* Translators: the heading of the restore summary, %s is the compose project */
  title = g_strdup_printf (_("Restore “%s”"), project ? project : "");
  gtk_label_set_text (self->title_label, title);

  if (source != NULL)
    {
      g_autofree char *name = g_file_get_parse_name (source);

      /* Translators: where the backup comes from */
      source_text = g_strdup_printf (_("From %s"), name);
    }
  gtk_label_set_text (self->source_label, source_text ? source_text : "");

  /* a backup of another engine can be restored here, but the summary says so first */
  {
    g_autofree char *other = NULL;

    if (source != NULL)
      other = lifeboat_restore_dup_other_engine_warning (source,
                                                         lifeboat_job_get_client (LIFEBOAT_JOB (job)));
    gtk_label_set_text (self->engine_label, other ? other : "");
    gtk_widget_set_visible (GTK_WIDGET (self->engine_label), other != NULL);
  }

  /* a new summary opens at its top */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);

  items = lifeboat_restore_job_get_items (job);
  for (guint i = 0; items != NULL && i < items->len; i++)
    gtk_list_box_append (self->items_list, create_item_row (self, g_ptr_array_index (items, i)));

  backup_version = lifeboat_restore_job_get_backup_app_version (job);
  target_version = lifeboat_restore_job_get_target_app_version (job);
  self->version_matches = lifeboat_restore_job_get_version_matches (job);

  gtk_widget_set_visible (GTK_WIDGET (self->version_group),
                          backup_version != NULL || target_version != NULL);
  {
    /* Translators: "Backup: v2.22.0 · Running now: v2.21.0" */
    g_autofree char *text = g_strdup_printf (_("Backup: %s · Running now: %s"),
                                             backup_version ? backup_version : _("unknown"),
                                             target_version ? target_version : _("unknown"));

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->version_row), text);
  }
  gtk_widget_remove_css_class (GTK_WIDGET (self->version_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->version_icon), "warning");
  if (self->version_matches)
    {
      gtk_image_set_from_icon_name (self->version_icon,
                                    backup_version && target_version ? "emblem-ok-symbolic"
                                                                     : "dialog-question-symbolic");
      if (backup_version && target_version)
        gtk_widget_add_css_class (GTK_WIDGET (self->version_icon), "success");
      adw_action_row_set_subtitle (self->version_row,
                                   backup_version && target_version
                                     ? _("The versions match")
                                     : _("One of the versions is unknown; make sure they match"));
    }
  else
    {
      gtk_image_set_from_icon_name (self->version_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->version_icon), "warning");
      adw_action_row_set_subtitle (self->version_row, _("The versions differ"));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->override_list), !self->version_matches);
  gtk_label_set_text (self->version_warning_label, lifeboat_restore_version_warning ());
  gtk_widget_set_visible (GTK_WIDGET (self->version_warning_label), !self->version_matches);

  containers = lifeboat_restore_job_get_containers_to_stop (job);
  if (containers != NULL && containers[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", (char **) containers);
      /* Translators: %s is a list of container names */
      g_autofree char *text = g_strdup_printf (_("%s, started again when the restore ends"),
                                               names);

      adw_action_row_set_subtitle (self->containers_row, text);
    }
  else
    adw_action_row_set_subtitle (self->containers_row, _("None is running"));

  safety = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Before a volume is emptied, its contents are saved and "
                                         "kept for %d day. A failed or cancelled restore puts "
                                         "them back.",
                                         "Before a volume is emptied, its contents are saved and "
                                         "kept for %d days. A failed or cancelled restore puts "
                                         "them back.",
                                         keep_safety_days),
                            keep_safety_days);
  adw_action_row_set_subtitle (self->safety_row, safety);

  update_sensitivity (self);
}

LifeboatRestoreJob *
lifeboat_restore_view_get_job (LifeboatRestoreView *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_VIEW (self), NULL);

  return self->job;
}

gboolean
lifeboat_restore_view_get_ignore_version (LifeboatRestoreView *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTORE_VIEW (self), FALSE);

  return !self->version_matches && gtk_switch_get_active (self->override_switch);
}

char **
_lifeboat_restore_view_dup_rows (LifeboatRestoreView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->row_texts->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->row_texts, i));
  return g_strv_builder_end (builder);
}

gboolean
_lifeboat_restore_view_can_restore (LifeboatRestoreView *self)
{
  return gtk_widget_get_sensitive (self->restore_button);
}

const char *
_lifeboat_restore_view_get_engine_warning (LifeboatRestoreView *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->engine_label)))
    return NULL;
  return gtk_label_get_text (self->engine_label);
}

double
_lifeboat_restore_view_get_scroll (LifeboatRestoreView *self)
{
  return gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->scrolled));
}

void
_lifeboat_restore_view_scroll_to_end (LifeboatRestoreView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scrolled);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
}

const char *
_lifeboat_restore_view_get_version_warning (LifeboatRestoreView *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->version_warning_label)))
    return NULL;
  return gtk_label_get_text (self->version_warning_label);
}

void
_lifeboat_restore_view_set_override (LifeboatRestoreView *self,
                                     gboolean             override)
{
  gtk_switch_set_active (self->override_switch, override);
}

void
_lifeboat_restore_view_click_restore (LifeboatRestoreView *self)
{
  /* the button's own handler checks that it is sensitive */
  g_signal_emit_by_name (self->restore_button, "clicked");
}

static void
lifeboat_restore_view_dispose (GObject *object)
{
  LifeboatRestoreView *self = LIFEBOAT_RESTORE_VIEW (object);

  g_clear_object (&self->job);

  G_OBJECT_CLASS (lifeboat_restore_view_parent_class)->dispose (object);
}

static void
lifeboat_restore_view_finalize (GObject *object)
{
  LifeboatRestoreView *self = LIFEBOAT_RESTORE_VIEW (object);

  g_clear_pointer (&self->row_texts, g_ptr_array_unref);

  G_OBJECT_CLASS (lifeboat_restore_view_parent_class)->finalize (object);
}

static void
lifeboat_restore_view_class_init (LifeboatRestoreViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_restore_view_dispose;
  object_class->finalize = lifeboat_restore_view_finalize;

  signals[CONFIRMED] =
    g_signal_new ("confirmed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CANCELLED] =
    g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lifeboat/Lifeboat/lifeboat-restore-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, source_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, engine_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, scrolled);

  /* Escape leaves the summary as Cancel and Back do */
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Escape, 0, "cancelled", NULL);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, items_list);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, version_group);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, version_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, version_icon);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, override_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, override_list);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, override_switch);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, version_warning_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, containers_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, safety_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatRestoreView, restore_button);
  gtk_widget_class_bind_template_callback (widget_class, override_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_clicked_cb);
}

static void
lifeboat_restore_view_init (LifeboatRestoreView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->row_texts = g_ptr_array_new_with_free_func (g_free);
  self->version_matches = TRUE;
}
