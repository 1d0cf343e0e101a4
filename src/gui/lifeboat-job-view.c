/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-job-view"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-job-view.h"
#include "lifeboat-progress-bar.h"

typedef struct
{
  LifeboatProgressBar *bar;
  GtkInscription      *label;
  AdwActionRow        *row;
} VolumeRow;

struct _LifeboatJobView
{
  AdwBin          parent_instance;

  LifeboatJob    *job;
  GArray         *volume_rows;   /* VolumeRow */

  GtkImage       *status_icon;
  GtkLabel       *title_label;
  GtkInscription *phase_label;
  LifeboatProgressBar *overall_bar;
  GtkInscription *bytes_label;   /* GtkInscription: see the .ui */
  GtkInscription *rate_label;
  GtkLabel       *result_label;
  GtkListBox     *volumes_list;
  GtkButton      *cancel_button;
  GtkButton      *open_button;
  GtkButton      *done_button;
};

G_DEFINE_FINAL_TYPE (LifeboatJobView, lifeboat_job_view, ADW_TYPE_BIN)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
job_title (LifeboatJob *job)
{
  gboolean restore = lifeboat_job_get_kind (job) == LIFEBOAT_JOB_KIND_RESTORE;

  switch (lifeboat_job_get_outcome (job))
    {
    case LIFEBOAT_JOB_OUTCOME_SUCCEEDED:
      return restore ? _("Restore Complete") : _("Backup Complete");
    case LIFEBOAT_JOB_OUTCOME_FAILED:
      return restore ? _("Restore Failed") : _("Backup Failed");
    case LIFEBOAT_JOB_OUTCOME_CANCELLED:
      return restore ? _("Restore Cancelled") : _("Backup Cancelled");
    case LIFEBOAT_JOB_OUTCOME_RUNNING:
    default:
      return restore ? _("Restoring") : _("Backing Up");
    }
}

/* A GtkInscription keeps its size whatever its text, so a new text is only redrawn; screen
 * readers are told the text as the label of it, as a GtkLabel would tell them */
static void
set_inscription_text (GtkInscription *inscription,
                      const char     *text)
{
  if (g_strcmp0 (gtk_inscription_get_text (inscription), text) == 0)
    return;
  gtk_inscription_set_text (inscription, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (inscription),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

/* gtk_image_set_from_icon_name() lays out the window again even for the same icon */
static void
set_icon (GtkImage   *image,
          const char *icon_name)
{
  if (g_strcmp0 (gtk_image_get_icon_name (image), icon_name) != 0)
    gtk_image_set_from_icon_name (image, icon_name);
}

static void
rebuild_volume_rows (LifeboatJobView *self)
{
  const char * const *keys = lifeboat_job_get_volume_keys (self->job);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->volumes_list))) != NULL)
    gtk_list_box_remove (self->volumes_list, child);
  g_array_set_size (self->volume_rows, 0);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      VolumeRow vr;
      GtkWidget *box;

      vr.row = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (vr.row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vr.row), keys[i]);
      adw_action_row_add_prefix (vr.row, gtk_image_new_from_icon_name ("drive-harddisk-symbolic"));

      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      vr.label = GTK_INSCRIPTION (gtk_inscription_new (NULL));
      gtk_inscription_set_xalign (vr.label, 1.0);
      gtk_inscription_set_nat_chars (vr.label, 22);
      gtk_inscription_set_text_overflow (vr.label, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_START);
      gtk_widget_add_css_class (GTK_WIDGET (vr.label), "numeric");
      gtk_widget_add_css_class (GTK_WIDGET (vr.label), "caption");
      vr.bar = LIFEBOAT_PROGRESS_BAR (lifeboat_progress_bar_new ());
      gtk_widget_set_size_request (GTK_WIDGET (vr.bar), 200, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (vr.bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      keys[i], -1);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (vr.label));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (vr.bar));
      adw_action_row_add_suffix (vr.row, box);

      gtk_list_box_append (self->volumes_list, GTK_WIDGET (vr.row));
      g_array_append_val (self->volume_rows, vr);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->volumes_list), self->volume_rows->len > 0);
}

void
lifeboat_job_view_update (LifeboatJobView *self)
{
  LifeboatJobOutcome outcome;
  g_autofree char *phase = NULL;
  g_autofree char *bytes = NULL;
  g_autoptr(GString) rate = g_string_new (NULL);
  double r;
  gint64 left;
  int current;
  gboolean running;

  g_return_if_fail (LIFEBOAT_IS_JOB_VIEW (self));

  if (self->job == NULL)
    return;

  outcome = lifeboat_job_get_outcome (self->job);
  running = outcome == LIFEBOAT_JOB_OUTCOME_RUNNING;

  gtk_label_set_text (self->title_label, job_title (self->job));
  phase = lifeboat_job_dup_phase_label (self->job);
  set_inscription_text (self->phase_label, phase ? phase : "");

  if (self->volume_rows->len != lifeboat_job_get_n_volumes (self->job))
    rebuild_volume_rows (self);

  lifeboat_progress_bar_set_fraction (self->overall_bar, lifeboat_job_get_fraction (self->job));
  bytes = lifeboat_format_bytes_of (lifeboat_job_get_bytes_done (self->job),
                                    lifeboat_job_get_bytes_total (self->job));
  set_inscription_text (self->bytes_label, bytes);

  r = lifeboat_job_get_rate (self->job);
  left = lifeboat_job_get_seconds_left (self->job);
  if (running)
    {
      if (r > 0)
        {
          g_autofree char *size = g_format_size ((guint64) r);

          /* Translators: a transfer rate, "45.2 MB/s" */
          g_string_append_printf (rate, _("%s/s"), size);
        }
      if (left >= 0)
        {
          g_autofree char *left_str = lifeboat_format_time_left (left);

          if (rate->len > 0)
            g_string_append (rate, " · ");
          g_string_append (rate, left_str);
        }
    }
  else
    {
      g_autofree char *took = lifeboat_format_duration (lifeboat_job_get_elapsed (self->job));

      /* Translators: how long the job ran */
      g_string_append_printf (rate, _("took %s"), took);
    }
  set_inscription_text (self->rate_label, rate->str);

  current = lifeboat_job_get_current_volume (self->job);
  for (guint i = 0; i < self->volume_rows->len; i++)
    {
      VolumeRow *vr = &g_array_index (self->volume_rows, VolumeRow, i);
      g_autofree char *vbytes = lifeboat_format_bytes_of (
          lifeboat_job_get_volume_bytes_done (self->job, i),
          lifeboat_job_get_volume_bytes_total (self->job, i));

      lifeboat_progress_bar_set_fraction (vr->bar,
                                          lifeboat_job_get_fraction_for_volume (self->job, i));
      set_inscription_text (vr->label, vbytes);
      if (running && current == (int) i)
        gtk_widget_add_css_class (GTK_WIDGET (vr->row), "current-volume");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (vr->row), "current-volume");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
  gtk_widget_set_visible (GTK_WIDGET (self->done_button), !running);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "warning");

  if (running)
    {
      set_icon (self->status_icon,
                lifeboat_job_get_kind (self->job) == LIFEBOAT_JOB_KIND_RESTORE
                  ? "document-revert-symbolic"
                  : "folder-download-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (self->result_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->open_button), FALSE);
    }
  else
    {
      g_autoptr(GString) result = g_string_new (NULL);
      const GError *error = lifeboat_job_get_error (self->job);
      const char *aftermath = lifeboat_job_get_aftermath (self->job);
      GFile *folder = lifeboat_job_get_folder (self->job);

      gtk_widget_set_visible (GTK_WIDGET (self->phase_label), FALSE);
      if (outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED)
        {
          set_icon (self->status_icon, "emblem-ok-symbolic");
          gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "success");
          if (lifeboat_job_get_kind (self->job) != LIFEBOAT_JOB_KIND_RESTORE && folder != NULL)
            {
              g_autofree char *name = g_file_get_parse_name (folder);

              /* Translators: where the backup was written */
              g_string_append_printf (result, _("Saved in %s"), name);
            }
          else
            g_string_append (result, _("The volumes were restored and the containers started "
                                       "again. A safety backup of what they held before is kept."));
        }
      else
        {
          set_icon (self->status_icon,
                    outcome == LIFEBOAT_JOB_OUTCOME_CANCELLED
                      ? "process-stop-symbolic"
                      : "dialog-error-symbolic");
          gtk_widget_add_css_class (GTK_WIDGET (self->status_icon),
                                    outcome == LIFEBOAT_JOB_OUTCOME_CANCELLED ? "warning" : "error");
          if (error != NULL && outcome == LIFEBOAT_JOB_OUTCOME_FAILED)
            g_string_append (result, error->message);
          if (aftermath != NULL)
            {
              if (result->len > 0)
                g_string_append (result, "\n\n");
              g_string_append (result, aftermath);
            }
        }
      gtk_label_set_text (self->result_label, result->str);
      gtk_widget_set_visible (GTK_WIDGET (self->result_label), result->len > 0);
      gtk_widget_set_visible (GTK_WIDGET (self->open_button),
                              outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED && folder != NULL &&
                              lifeboat_job_get_kind (self->job) != LIFEBOAT_JOB_KIND_RESTORE);
    }
}

static void
progress_cb (LifeboatJobView *self)
{
  lifeboat_job_view_update (self);
}

LifeboatJob *
lifeboat_job_view_get_job (LifeboatJobView *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_JOB_VIEW (self), NULL);

  return self->job;
}

void
lifeboat_job_view_set_job (LifeboatJobView *self,
                           LifeboatJob     *job)
{
  g_return_if_fail (LIFEBOAT_IS_JOB_VIEW (self));
  g_return_if_fail (job == NULL || LIFEBOAT_IS_JOB (job));

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_set_object (&self->job, job);
  g_array_set_size (self->volume_rows, 0);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->volumes_list))) != NULL)
      gtk_list_box_remove (self->volumes_list, child);
  }

  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_button_set_label (self->cancel_button, _("_Cancel"));
  gtk_widget_set_visible (GTK_WIDGET (self->phase_label), TRUE);

  if (job == NULL)
    return;

  g_signal_connect_object (job, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (job, "notify", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
  lifeboat_job_view_update (self);
}

static void
cancel_clicked_cb (LifeboatJobView *self)
{
  if (self->job == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_button_set_label (self->cancel_button, _("Cancelling…"));
  lifeboat_job_cancel (self->job);
}

static void
open_clicked_cb (LifeboatJobView *self)
{
  GFile *folder = self->job ? lifeboat_job_get_folder (self->job) : NULL;
  g_autofree char *path = NULL;

  if (folder == NULL)
    return;
  path = g_file_get_path (folder);
  if (path == NULL)
    path = g_file_get_uri (folder);
  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-folder", "s", path);
}

static void
done_clicked_cb (LifeboatJobView *self)
{
  g_signal_emit (self, signals[DONE], 0);
}

void
_lifeboat_job_view_click_cancel (LifeboatJobView *self)
{
  g_signal_emit_by_name (self->cancel_button, "clicked");
}

char *
_lifeboat_job_view_dup_text (LifeboatJobView *self)
{
  return g_strdup_printf ("%s\t%s\t%s\t%s\t%s",
                          gtk_label_get_text (self->title_label),
                          gtk_inscription_get_text (self->phase_label),
                          gtk_inscription_get_text (self->bytes_label),
                          gtk_inscription_get_text (self->rate_label),
                          gtk_label_get_text (self->result_label));
}

static void
lifeboat_job_view_dispose (GObject *object)
{
  LifeboatJobView *self = LIFEBOAT_JOB_VIEW (object);

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);

  G_OBJECT_CLASS (lifeboat_job_view_parent_class)->dispose (object);
}

static void
lifeboat_job_view_finalize (GObject *object)
{
  LifeboatJobView *self = LIFEBOAT_JOB_VIEW (object);

  g_clear_pointer (&self->volume_rows, g_array_unref);

  G_OBJECT_CLASS (lifeboat_job_view_parent_class)->finalize (object);
}

static void
lifeboat_job_view_class_init (LifeboatJobViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_job_view_dispose;
  object_class->finalize = lifeboat_job_view_finalize;

  signals[DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (LIFEBOAT_TYPE_PROGRESS_BAR);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lifeboat/Lifeboat/lifeboat-job-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, status_icon);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, phase_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, overall_bar);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, bytes_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, rate_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, result_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, volumes_list);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, open_button);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, done_button);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, done_clicked_cb);
}

static void
lifeboat_job_view_init (LifeboatJobView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->volume_rows = g_array_new (FALSE, TRUE, sizeof (VolumeRow));
}
