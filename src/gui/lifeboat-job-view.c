/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-job-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-job-view.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-progress-bar.h"

/* {{{ LifeboatJobVolume: one volume of the job as the view shows it; the rows are bound to a
 * list of these (gtk_list_box_bind_model, g_object_bind_property) */

#define LIFEBOAT_TYPE_JOB_VOLUME (lifeboat_job_volume_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatJobVolume, lifeboat_job_volume, LIFEBOAT, JOB_VOLUME, GObject)

struct _LifeboatJobVolume
{
  GObject   parent_instance;

  char     *key;
  char     *label;      /* "1.2 MB of 3.4 MB" */
  double    fraction;
  gboolean  current;    /* being transferred */
  gboolean  failed;     /* the job failed or was cancelled */
};

G_DEFINE_FINAL_TYPE (LifeboatJobVolume, lifeboat_job_volume, G_TYPE_OBJECT)

enum {
  VOLUME_PROP_0,
  VOLUME_PROP_KEY,
  VOLUME_PROP_LABEL,
  VOLUME_PROP_FRACTION,
  VOLUME_PROP_CURRENT,
  VOLUME_PROP_FAILED,
  VOLUME_N_PROPS
};

static GParamSpec *volume_properties[VOLUME_N_PROPS];

static void
lifeboat_job_volume_finalize (GObject *object)
{
  LifeboatJobVolume *self = LIFEBOAT_JOB_VOLUME (object);

  g_free (self->key);
  g_free (self->label);

  G_OBJECT_CLASS (lifeboat_job_volume_parent_class)->finalize (object);
}

static void
lifeboat_job_volume_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LifeboatJobVolume *self = LIFEBOAT_JOB_VOLUME (object);

  switch (prop_id)
    {
    case VOLUME_PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case VOLUME_PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case VOLUME_PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case VOLUME_PROP_CURRENT:
      g_value_set_boolean (value, self->current);
      break;
    case VOLUME_PROP_FAILED:
      g_value_set_boolean (value, self->failed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_job_volume_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LifeboatJobVolume *self = LIFEBOAT_JOB_VOLUME (object);

  switch (prop_id)
    {
    case VOLUME_PROP_KEY:
      g_free (self->key);
      self->key = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_job_volume_class_init (LifeboatJobVolumeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lifeboat_job_volume_finalize;
  object_class->get_property = lifeboat_job_volume_get_property;
  object_class->set_property = lifeboat_job_volume_set_property;

  volume_properties[VOLUME_PROP_KEY] =
    g_param_spec_string ("key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  volume_properties[VOLUME_PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, ro);
  volume_properties[VOLUME_PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0, ro);
  volume_properties[VOLUME_PROP_CURRENT] = g_param_spec_boolean ("current", NULL, NULL, FALSE, ro);
  volume_properties[VOLUME_PROP_FAILED] = g_param_spec_boolean ("failed", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, VOLUME_N_PROPS, volume_properties);
}

static void
lifeboat_job_volume_init (LifeboatJobVolume *self)
{
}

/* only what changed is notified: a frame redraws only what changed */
static void
lifeboat_job_volume_update (LifeboatJobVolume *self,
                            const char        *label,
                            double             fraction,
                            gboolean           current,
                            gboolean           failed)
{
  fraction = CLAMP (fraction, 0.0, 1.0);
  if (g_strcmp0 (self->label, label) != 0)
    {
      g_free (self->label);
      self->label = g_strdup (label);
      g_object_notify_by_pspec (G_OBJECT (self), volume_properties[VOLUME_PROP_LABEL]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), volume_properties[VOLUME_PROP_FRACTION]);
    }
  if (self->current != current)
    {
      self->current = current;
      g_object_notify_by_pspec (G_OBJECT (self), volume_properties[VOLUME_PROP_CURRENT]);
    }
  if (self->failed != failed)
    {
      self->failed = failed;
      g_object_notify_by_pspec (G_OBJECT (self), volume_properties[VOLUME_PROP_FAILED]);
    }
}

/* }}} */

struct _LifeboatJobView
{
  AdwBin          parent_instance;

  LifeboatJob    *job;
  GListStore     *volumes;       /* LifeboatJobVolume; the volume rows are bound to it */

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
  GtkWidget      *stopped_box;
  GtkLabel       *stopped_label;
  GtkButton      *start_again_button;
  GHashTable     *container_names;   /* container ID -> name, for the errors */
};

G_DEFINE_FINAL_TYPE (LifeboatJobView, lifeboat_job_view, ADW_TYPE_BIN)

enum {
  DONE,
  START_AGAIN,
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
volume_label_changed_cb (LifeboatJobVolume *volume,
                         GParamSpec        *pspec,
                         GtkInscription    *inscription)
{
  set_inscription_text (inscription, volume->label ? volume->label : "");
}

static void
volume_current_changed_cb (LifeboatJobVolume *volume,
                           GParamSpec        *pspec,
                           GtkWidget         *row)
{
  if (volume->current)
    gtk_widget_add_css_class (row, "current-volume");
  else
    gtk_widget_remove_css_class (row, "current-volume");
}

static void
volume_failed_changed_cb (LifeboatJobVolume *volume,
                          GParamSpec        *pspec,
                          GtkWidget         *bar)
{
  if (volume->failed)
    gtk_widget_add_css_class (bar, "failed");
  else
    gtk_widget_remove_css_class (bar, "failed");
}

static GtkWidget *
create_volume_row (gpointer item,
                   gpointer user_data)
{
  LifeboatJobVolume *volume = item;
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkInscription *label;
  GtkWidget *bar;
  GtkWidget *box;

  /* an inert row takes no Tab stop */
  gtk_widget_set_focusable (GTK_WIDGET (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), volume->key);
  adw_action_row_add_prefix (row, gtk_image_new_from_icon_name ("drive-harddisk-symbolic"));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  label = GTK_INSCRIPTION (gtk_inscription_new (NULL));
  gtk_inscription_set_xalign (label, 1.0);
  gtk_inscription_set_nat_chars (label, 22);
  gtk_inscription_set_text_overflow (label, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_START);
  gtk_widget_add_css_class (GTK_WIDGET (label), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (label), "caption");
  bar = lifeboat_progress_bar_new ();
  gtk_widget_set_size_request (bar, 200, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  volume->key, -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (label));
  gtk_box_append (GTK_BOX (box), bar);
  adw_action_row_add_suffix (row, box);

  /* bound to the volume's properties */
  g_object_bind_property (volume, "fraction", bar, "fraction", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (volume, "notify::label", G_CALLBACK (volume_label_changed_cb),
                           label, 0);
  g_signal_connect_object (volume, "notify::current", G_CALLBACK (volume_current_changed_cb),
                           row, 0);
  g_signal_connect_object (volume, "notify::failed", G_CALLBACK (volume_failed_changed_cb),
                           bar, 0);
  volume_label_changed_cb (volume, NULL, label);
  volume_current_changed_cb (volume, NULL, GTK_WIDGET (row));
  volume_failed_changed_cb (volume, NULL, bar);
  g_object_set_data (G_OBJECT (row), "bar", bar);

  return GTK_WIDGET (row);
}

static void
rebuild_volume_rows (LifeboatJobView *self)
{
  const char * const *keys = lifeboat_job_get_volume_keys (self->job);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    g_ptr_array_add (items, g_object_new (LIFEBOAT_TYPE_JOB_VOLUME, "key", keys[i], NULL));
  g_list_store_splice (self->volumes, 0, g_list_model_get_n_items (G_LIST_MODEL (self->volumes)),
                       items->pdata, items->len);
  gtk_widget_set_visible (GTK_WIDGET (self->volumes_list), items->len > 0);
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
  gboolean failed;

  g_return_if_fail (LIFEBOAT_IS_JOB_VIEW (self));

  if (self->job == NULL)
    return;

  outcome = lifeboat_job_get_outcome (self->job);
  running = outcome == LIFEBOAT_JOB_OUTCOME_RUNNING;

  gtk_label_set_text (self->title_label, job_title (self->job));
  phase = lifeboat_job_dup_phase_label (self->job);
  set_inscription_text (self->phase_label, phase ? phase : "");

  if (g_list_model_get_n_items (G_LIST_MODEL (self->volumes)) != lifeboat_job_get_n_volumes (self->job))
    rebuild_volume_rows (self);

  lifeboat_progress_bar_set_fraction (self->overall_bar, lifeboat_job_get_fraction (self->job));
  /* one total the user sees: "about" the volumes' sizes until they are read, then exact; it
   * never falls below what is done (lifeboat-job.c) */
  if (lifeboat_job_get_total_is_estimate (self->job))
    bytes = lifeboat_format_bytes_of_about (lifeboat_job_get_bytes_done (self->job),
                                            lifeboat_job_get_bytes_total (self->job));
  else
    bytes = lifeboat_format_bytes_of (lifeboat_job_get_bytes_done (self->job),
                                      lifeboat_job_get_bytes_total (self->job));
  set_inscription_text (self->bytes_label, bytes);

  r = lifeboat_job_get_rate (self->job);
  left = lifeboat_job_get_seconds_left (self->job);
  if (running)
    {
      g_autofree char *rate_str = lifeboat_format_rate (r);

      if (rate_str != NULL)
        g_string_append (rate, rate_str);
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

  /* a failed or cancelled job's bars look so, not full and blue */
  failed = outcome == LIFEBOAT_JOB_OUTCOME_FAILED || outcome == LIFEBOAT_JOB_OUTCOME_CANCELLED;
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->overall_bar), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->overall_bar), "failed");

  current = lifeboat_job_get_current_volume (self->job);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->volumes)); i++)
    {
      g_autoptr(LifeboatJobVolume) volume = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);
      guint64 vdone = lifeboat_job_get_volume_bytes_done (self->job, i);
      gint64 vtotal = lifeboat_job_get_volume_bytes_total (self->job, i);
      g_autofree char *vbytes = lifeboat_job_get_volume_total_is_estimate (self->job, i)
                                  ? lifeboat_format_bytes_of_about (vdone, vtotal)
                                  : lifeboat_format_bytes_of (vdone, vtotal);

      lifeboat_job_volume_update (volume, vbytes,
                                  lifeboat_job_get_fraction_for_volume (self->job, i),
                                  running && current == (int) i, failed);
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
              g_autofree char *size =
                lifeboat_format_size ((gint64) lifeboat_job_get_result_bytes (self->job));

              /* Translators: where the backup was written, and what its archives occupy on
               * disk (the size History shows): "Saved in /backups/cvat-… (5.9 MB on disk)" */
              g_string_append_printf (result, _("Saved in %s (%s on disk)"), name, size);
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
      /* the engine's errors name containers by their IDs: names are what the user knows */
      if (self->container_names != NULL)
        {
          GHashTableIter iter;
          gpointer id, name;

          g_hash_table_iter_init (&iter, self->container_names);
          while (g_hash_table_iter_next (&iter, &id, &name))
            {
              g_autofree char *short_id = g_strndup (id, 12);

              if (strlen (id) >= 12)
                {
                  g_string_replace (result, id, name, 0);
                  g_string_replace (result, short_id, name, 0);
                }
            }
        }
      gtk_label_set_text (self->result_label, result->str);
      gtk_widget_set_visible (GTK_WIDGET (self->result_label), result->len > 0);
      gtk_widget_set_visible (GTK_WIDGET (self->open_button),
                              outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED && folder != NULL &&
                              /* a restic repository's backup has no folder to open */
                              lifeboat_restic_file_get_repository (folder) == NULL &&
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
  g_list_store_remove_all (self->volumes);

  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_button_set_label (self->cancel_button, _("_Cancel"));
  gtk_widget_set_visible (self->stopped_box, FALSE);
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

static void
start_again_clicked_cb (LifeboatJobView *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_again_button), FALSE);
  g_signal_emit (self, signals[START_AGAIN], 0);
}

void
lifeboat_job_view_set_stopped (LifeboatJobView    *self,
                               const char * const *names)
{
  g_return_if_fail (LIFEBOAT_IS_JOB_VIEW (self));

  if (names != NULL && names[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) names);
      /* Translators: %s is a list of container names */
      g_autofree char *text = g_strdup_printf (_("Stopped by the job and not running: %s"), list);

      gtk_label_set_text (self->stopped_label, text);
      gtk_widget_set_sensitive (GTK_WIDGET (self->start_again_button), TRUE);
      gtk_widget_set_visible (self->stopped_box, TRUE);
    }
  else
    gtk_widget_set_visible (self->stopped_box, FALSE);
}

void
lifeboat_job_view_set_container_names (LifeboatJobView *self,
                                       GHashTable      *names)
{
  g_return_if_fail (LIFEBOAT_IS_JOB_VIEW (self));

  g_clear_pointer (&self->container_names, g_hash_table_unref);
  if (names != NULL)
    self->container_names = g_hash_table_ref (names);
}

const char *
_lifeboat_job_view_get_stopped (LifeboatJobView *self)
{
  if (!gtk_widget_get_visible (self->stopped_box))
    return NULL;
  return gtk_label_get_text (self->stopped_label);
}

void
_lifeboat_job_view_click_start_again (LifeboatJobView *self)
{
  g_signal_emit_by_name (self->start_again_button, "clicked");
}

void
_lifeboat_job_view_click_cancel (LifeboatJobView *self)
{
  g_signal_emit_by_name (self->cancel_button, "clicked");
}

/* tests: the bars that look failed, of how many ("2 of 3") */
char *
_lifeboat_job_view_dup_failed_bars (LifeboatJobView *self)
{
  guint n = 1, failed = 0;

  if (gtk_widget_has_css_class (GTK_WIDGET (self->overall_bar), "failed"))
    failed++;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->volumes_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *bar = g_object_get_data (G_OBJECT (row), "bar");

      if (bar == NULL)
        continue;
      n++;
      if (gtk_widget_has_css_class (bar, "failed"))
        failed++;
    }
  return g_strdup_printf ("%u of %u", failed, n);
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

  g_clear_object (&self->volumes);
  g_clear_pointer (&self->container_names, g_hash_table_unref);

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
  /* the user asks to start the containers the job left stopped */
  signals[START_AGAIN] =
    g_signal_new ("start-again",
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
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, stopped_box);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, stopped_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatJobView, start_again_button);
  gtk_widget_class_bind_template_callback (widget_class, start_again_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, done_clicked_cb);
}

static void
lifeboat_job_view_init (LifeboatJobView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->volumes = g_list_store_new (LIFEBOAT_TYPE_JOB_VOLUME);
  gtk_list_box_bind_model (self->volumes_list, G_LIST_MODEL (self->volumes), create_volume_row,
                           self, NULL);
}
