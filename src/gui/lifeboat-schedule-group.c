/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-schedule-group"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "lifeboat-drill.h"
#include "lifeboat-history.h"
#include "lifeboat-project-view.h"
#include "lifeboat-retention.h"
#include "lifeboat-schedule-group.h"
#include "lifeboat-schedule.h"
#include "lifeboat-window-private.h"

struct _LifeboatScheduleGroup
{
  AdwPreferencesGroup  parent_instance;

  LifeboatProject     *project;
  char                *engine_id;
  char                *host;
  char                *schedule_id;   /* the saved schedule shown, NULL when there is none */
  char                *destination;
  gboolean             overdue;
  gboolean             loading;

  GtkButton           *save_button;
  AdwActionRow        *status_row;
  GtkImage            *status_icon;
  AdwComboRow         *every_row;
  AdwExpanderRow      *details_row;
  AdwComboRow         *day_row;
  AdwActionRow        *time_row;
  GtkSpinButton       *hour_spin;
  GtkSpinButton       *minute_spin;
  AdwActionRow        *destination_row;
  AdwComboRow         *compression_row;
  GtkSpinButton       *keep_last_spin;
  GtkSpinButton       *keep_daily_spin;
  GtkSpinButton       *keep_weekly_spin;
  GtkSpinButton       *keep_monthly_spin;
  AdwActionRow        *preview_row;
  GtkSpinButton       *drill_spin;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (LifeboatScheduleGroup, lifeboat_schedule_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* the combo rows' order */
static const LifeboatScheduleEvery every_items[] = {
  LIFEBOAT_SCHEDULE_OFF, LIFEBOAT_SCHEDULE_HOURLY, LIFEBOAT_SCHEDULE_DAILY, LIFEBOAT_SCHEDULE_WEEKLY,
};

/* ---------------------------------------------------------------------------------------- */

static char *
format_ago (GDateTime *then,
            GDateTime *now)
{
  gint64 s = g_date_time_difference (now, then) / G_TIME_SPAN_SECOND;

  if (s < 60)
    return g_strdup (_("just now"));
  if (s < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago",
                                         s / 60), (int) (s / 60));
  if (s < 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago",
                                         s / 3600), (int) (s / 3600));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", s / 86400),
                          (int) (s / 86400));
}

static LifeboatRetention
form_retention (LifeboatScheduleGroup *self)
{
  LifeboatRetention r = {
    .last = gtk_spin_button_get_value_as_int (self->keep_last_spin),
    .daily = gtk_spin_button_get_value_as_int (self->keep_daily_spin),
    .weekly = gtk_spin_button_get_value_as_int (self->keep_weekly_spin),
    .monthly = gtk_spin_button_get_value_as_int (self->keep_monthly_spin),
  };

  return r;
}

static LifeboatSchedule *
find_schedule (LifeboatScheduleGroup *self,
               GPtrArray             *schedules)
{
  for (guint i = 0; schedules != NULL && i < schedules->len; i++)
    {
      LifeboatSchedule *s = g_ptr_array_index (schedules, i);

      if (g_strcmp0 (s->project, lifeboat_project_get_name (self->project)) != 0)
        continue;
      if (self->engine_id != NULL && s->engine_id != NULL && g_strcmp0 (s->engine_id, self->engine_id) != 0)
        continue;
      return s;
    }
  return NULL;
}

/* "last good backup 3 hours ago", and overdue */
static void
update_status (LifeboatScheduleGroup *self,
               LifeboatSchedule      *schedule)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(LifeboatScheduleState) state = schedule ? lifeboat_schedule_state_load (schedule->id) : NULL;
  g_autoptr(GDateTime) last_good = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean warn;

  entries = lifeboat_history_list (lifeboat_history_get_default (),
                                   lifeboat_project_get_name (self->project), NULL);
  for (guint i = 0; entries != NULL && i < entries->len && last_good == NULL; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (entries, i);

      if (lifeboat_history_entry_get_kind (e) == LIFEBOAT_JOB_KIND_BACKUP &&
          lifeboat_history_entry_get_outcome (e) == LIFEBOAT_JOB_OUTCOME_SUCCEEDED &&
          lifeboat_history_entry_get_started (e) != NULL)
        last_good = g_date_time_ref (lifeboat_history_entry_get_started (e));
    }
  if (state != NULL && state->last_success != NULL &&
      (last_good == NULL || g_date_time_compare (state->last_success, last_good) > 0))
    {
      g_clear_pointer (&last_good, g_date_time_unref);
      last_good = g_date_time_ref (state->last_success);
    }

  if (last_good != NULL)
    {
      g_autofree char *ago = format_ago (last_good, now);

      g_string_append (text, ago);
    }
  else
    g_string_append (text, _("never"));

  self->overdue = schedule != NULL && schedule->every != LIFEBOAT_SCHEDULE_OFF &&
                  lifeboat_schedule_is_overdue (schedule, state->last_success, now);
  if (state != NULL && state->last_error != NULL)
    g_string_append_printf (text, "\n%s %s", _("The last scheduled run failed:"), state->last_error);
  if (self->overdue)
    g_string_append_printf (text, "\n%s", _("Overdue: no scheduled backup succeeded in twice its interval"));

  adw_action_row_set_subtitle (self->status_row, text->str);
  warn = self->overdue || (state != NULL && state->last_error != NULL);
  gtk_image_set_from_icon_name (self->status_icon,
                                warn ? "dialog-warning-symbolic"
                                     : last_good ? "emblem-ok-symbolic" : "document-open-recent-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
  if (warn || last_good != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), warn ? "warning" : "success");
}

/* what the policy in the form would remove, before it is saved */
static void
update_preview (LifeboatScheduleGroup *self)
{
  LifeboatRetention policy = form_retention (self);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *dests[] = { self->destination, NULL };
  guint removed = 0, shown = 0;

  if (self->project == NULL)
    return;

  if (lifeboat_retention_is_empty (&policy))
    {
      adw_action_row_set_subtitle (self->preview_row, _("Every backup is kept"));
      return;
    }

  items = lifeboat_retention_scan (lifeboat_history_get_default (),
                                   lifeboat_project_get_name (self->project),
                                   self->destination ? dests : NULL, NULL, NULL);
  if (items == NULL)
    {
      adw_action_row_set_subtitle (self->preview_row, _("The backups could not be read"));
      return;
    }
  lifeboat_retention_decide (&policy, items);

  for (guint i = 0; i < items->len; i++)
    removed += !((LifeboatRetentionItem *) g_ptr_array_index (items, i))->keep;

  if (items->len == 0)
    g_string_append (text, _("There are no backups there yet"));
  else if (removed == 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "would keep the %u backup there is",
                                               "would keep all %u backups", items->len), items->len);
  else
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "would remove %u of %u backups:",
                                               "would remove %u of %u backups:", removed),
                            removed, items->len);

  for (guint i = 0; i < items->len; i++)
    {
      LifeboatRetentionItem *item = g_ptr_array_index (items, i);
      g_autofree char *base = NULL;

      if (item->keep)
        continue;
      if (shown++ == 4)
        {
          g_string_append_printf (text, "\n%s", _("…"));
          break;
        }
      base = g_file_get_basename (item->folder);
      g_string_append_printf (text, "\n%s", base);
    }

  adw_action_row_set_subtitle (self->preview_row, text->str);
}

static void
update_sensitivity (LifeboatScheduleGroup *self)
{
  LifeboatScheduleEvery every = every_items[MIN (adw_combo_row_get_selected (self->every_row), 3)];

  gtk_widget_set_visible (GTK_WIDGET (self->day_row), every == LIFEBOAT_SCHEDULE_WEEKLY);
  gtk_widget_set_visible (GTK_WIDGET (self->time_row), every != LIFEBOAT_SCHEDULE_OFF);
  gtk_widget_set_sensitive (GTK_WIDGET (self->hour_spin), every != LIFEBOAT_SCHEDULE_HOURLY);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), self->destination != NULL ||
                                                            every == LIFEBOAT_SCHEDULE_OFF);
}

static void
set_destination (LifeboatScheduleGroup *self,
                 const char            *destination)
{
  g_free (self->destination);
  self->destination = g_strdup (destination);
  adw_action_row_set_subtitle (self->destination_row,
                               destination ? destination : _("Not chosen yet"));
  update_sensitivity (self);
  update_preview (self);
}

static void
load (LifeboatScheduleGroup *self)
{
  g_autoptr(GPtrArray) schedules = lifeboat_schedules_load (NULL, NULL);
  LifeboatSchedule *s;

  if (self->project == NULL)
    return;

  s = find_schedule (self, schedules);
  self->loading = TRUE;
  g_clear_pointer (&self->schedule_id, g_free);
  if (s != NULL)
    {
      self->schedule_id = g_strdup (s->id);
      for (guint i = 0; i < G_N_ELEMENTS (every_items); i++)
        if (every_items[i] == s->every)
          adw_combo_row_set_selected (self->every_row, i);
      adw_combo_row_set_selected (self->day_row, CLAMP (s->weekday, 1, 7) - 1);
      gtk_spin_button_set_value (self->hour_spin, s->hour);
      gtk_spin_button_set_value (self->minute_spin, s->minute);
      adw_combo_row_set_selected (self->compression_row, s->compression);
      gtk_spin_button_set_value (self->keep_last_spin, s->retention.last);
      gtk_spin_button_set_value (self->keep_daily_spin, s->retention.daily);
      gtk_spin_button_set_value (self->keep_weekly_spin, s->retention.weekly);
      gtk_spin_button_set_value (self->keep_monthly_spin, s->retention.monthly);
      gtk_spin_button_set_value (self->drill_spin, s->drill_every);
    }
  else
    {
      adw_combo_row_set_selected (self->every_row, 0);
      gtk_spin_button_set_value (self->keep_last_spin, 0);
      gtk_spin_button_set_value (self->keep_daily_spin, 0);
      gtk_spin_button_set_value (self->keep_weekly_spin, 0);
      gtk_spin_button_set_value (self->keep_monthly_spin, 0);
      gtk_spin_button_set_value (self->drill_spin, 0);
    }
  self->loading = FALSE;

  set_destination (self, s ? s->destination : NULL);
  update_status (self, s);
  update_sensitivity (self);
}

/* the engine of the window's current host, when the group is in the window */
static void
take_engine_from_window (LifeboatScheduleGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  LifeboatWindow *window = LIFEBOAT_IS_WINDOW (root) ? LIFEBOAT_WINDOW (root) : NULL;
  Host *host = window ? window->current_host : NULL;

  if (host != NULL && host->client != NULL)
    {
      g_free (self->engine_id);
      self->engine_id = g_strdup (lifeboat_docker_client_get_engine_id (host->client));
      g_free (self->host);
      self->host = g_strdup (host->name ? host->name : host->uri);
    }
}

/* ---------------------------------------------------------------------------------------- */

static void
form_changed_cb (LifeboatScheduleGroup *self)
{
  if (self->loading)
    return;
  update_sensitivity (self);
  update_preview (self);
}

static void
chooser_response_cb (LifeboatScheduleGroup *self,
                     int                    response,
                     GtkFileChooserNative  *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_destination (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_clicked_cb (LifeboatScheduleGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Folder for Scheduled Backups"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_clicked_cb (LifeboatScheduleGroup *self)
{
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!lifeboat_schedule_group_save (self, &error))
    {
      if (LIFEBOAT_IS_WINDOW (root))
        lifeboat_window_show_toast (LIFEBOAT_WINDOW (root), error->message);
      else
        g_warning ("%s", error->message);
      return;
    }
  if (LIFEBOAT_IS_WINDOW (root))
    lifeboat_window_show_toast (LIFEBOAT_WINDOW (root), _("Schedule saved"));
}

/* ---------------------------------------------------------------------------------------- */

GtkWidget *
_lifeboat_drill_badge_new (const char *folder)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (folder);
  g_autoptr(LifeboatDrillResult) result = lifeboat_drill_result_load (file);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *day = NULL;
  g_autofree char *text = NULL;
  GtkWidget *label;

  if (result == NULL)
    return gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  local = g_date_time_to_local (result->started);
  /* Translators: a day, as in "restored and started on 6 Dec"; see g_date_time_format() */
  day = g_date_time_format (local, _("%e %b"));
  g_strstrip (day);
  text = result->ok ? g_strdup_printf (_("restored and started on %s"), day)
                    : g_strdup_printf (_("drill failed on %s"), day);
  label = gtk_label_new (text);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_end (label, 6);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, result->ok ? "success" : "error");
  if (result->rows >= 0)
    {
      g_autofree char *tip = g_strdup_printf (_("A restore drill started the database on scratch "
                                                "volumes and counted %" PRIi64 " rows"),
                                              result->rows);
      gtk_widget_set_tooltip_text (label, tip);
    }
  else if (result->error != NULL)
    gtk_widget_set_tooltip_text (label, result->error);
  return label;
}

gboolean
lifeboat_schedule_group_save (LifeboatScheduleGroup  *self,
                              GError                **error)
{
  g_autoptr(GPtrArray) schedules = NULL;
  LifeboatSchedule *s;
  GtkWidget *view;

  g_return_val_if_fail (LIFEBOAT_IS_SCHEDULE_GROUP (self), FALSE);
  g_return_val_if_fail (self->project != NULL, FALSE);

  if (!(schedules = lifeboat_schedules_load (NULL, error)))
    return FALSE;

  s = find_schedule (self, schedules);
  if (s == NULL)
    {
      s = lifeboat_schedule_new ();
      s->project = g_strdup (lifeboat_project_get_name (self->project));
      g_ptr_array_add (schedules, s);
    }

  g_free (s->engine_id);
  s->engine_id = g_strdup (self->engine_id);
  g_free (s->host);
  s->host = g_strdup (self->host);
  s->every = every_items[MIN (adw_combo_row_get_selected (self->every_row), 3)];
  s->weekday = adw_combo_row_get_selected (self->day_row) + 1;
  s->hour = gtk_spin_button_get_value_as_int (self->hour_spin);
  s->minute = gtk_spin_button_get_value_as_int (self->minute_spin);
  g_free (s->destination);
  s->destination = g_strdup (self->destination);
  s->compression = MIN (adw_combo_row_get_selected (self->compression_row), LIFEBOAT_COMPRESSION_NONE);
  s->retention = form_retention (self);
  s->drill_every = gtk_spin_button_get_value_as_int (self->drill_spin);

  /* the volumes checked on the project page; all of them: none named, so new ones count too */
  view = gtk_widget_get_ancestor (GTK_WIDGET (self), LIFEBOAT_TYPE_PROJECT_VIEW);
  g_clear_pointer (&s->volumes, g_strfreev);
  if (view != NULL)
    {
      g_auto(GStrv) selected = lifeboat_project_view_dup_selected_volumes (LIFEBOAT_PROJECT_VIEW (view));
      guint n = g_list_model_get_n_items (lifeboat_project_get_volumes (self->project));

      if (selected != NULL && g_strv_length (selected) < n)
        s->volumes = g_steal_pointer (&selected);
    }

  if (!lifeboat_schedules_save (schedules, NULL, error))
    return FALSE;

  g_free (self->schedule_id);
  self->schedule_id = g_strdup (s->id);
  update_status (self, s);
  return TRUE;
}

LifeboatProject *
lifeboat_schedule_group_get_project (LifeboatScheduleGroup *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_SCHEDULE_GROUP (self), NULL);
  return self->project;
}

void
lifeboat_schedule_group_set_project (LifeboatScheduleGroup *self,
                                     LifeboatProject       *project)
{
  g_return_if_fail (LIFEBOAT_IS_SCHEDULE_GROUP (self));

  if (!g_set_object (&self->project, project))
    return;
  take_engine_from_window (self);
  load (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

void
lifeboat_schedule_group_set_engine (LifeboatScheduleGroup *self,
                                    const char            *engine_id,
                                    const char            *host)
{
  g_return_if_fail (LIFEBOAT_IS_SCHEDULE_GROUP (self));

  if (g_strcmp0 (self->engine_id, engine_id) == 0 && g_strcmp0 (self->host, host) == 0)
    return;
  g_free (self->engine_id);
  self->engine_id = g_strdup (engine_id);
  g_free (self->host);
  self->host = g_strdup (host);
  load (self);
}

const char *
_lifeboat_schedule_group_get_status (LifeboatScheduleGroup *self)
{
  return adw_action_row_get_subtitle (self->status_row);
}

const char *
_lifeboat_schedule_group_get_preview (LifeboatScheduleGroup *self)
{
  return adw_action_row_get_subtitle (self->preview_row);
}

gboolean
_lifeboat_schedule_group_get_overdue (LifeboatScheduleGroup *self)
{
  return self->overdue;
}

void
_lifeboat_schedule_group_set_expanded (LifeboatScheduleGroup *self,
                                       gboolean               expanded)
{
  adw_expander_row_set_expanded (self->details_row, expanded);
}

void
_lifeboat_schedule_group_set_form (LifeboatScheduleGroup *self,
                                   const char            *every,
                                   const char            *destination,
                                   guint                  keep_last,
                                   guint                  keep_daily,
                                   guint                  keep_weekly,
                                   guint                  keep_monthly)
{
  LifeboatScheduleEvery e = LIFEBOAT_SCHEDULE_OFF;

  lifeboat_schedule_every_from_string (every, &e);
  for (guint i = 0; i < G_N_ELEMENTS (every_items); i++)
    if (every_items[i] == e)
      adw_combo_row_set_selected (self->every_row, i);
  set_destination (self, destination);
  gtk_spin_button_set_value (self->keep_last_spin, keep_last);
  gtk_spin_button_set_value (self->keep_daily_spin, keep_daily);
  gtk_spin_button_set_value (self->keep_weekly_spin, keep_weekly);
  gtk_spin_button_set_value (self->keep_monthly_spin, keep_monthly);
}

/* ---------------------------------------------------------------------------------------- */

static void
lifeboat_schedule_group_dispose (GObject *object)
{
  LifeboatScheduleGroup *self = LIFEBOAT_SCHEDULE_GROUP (object);

  g_clear_object (&self->project);
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (lifeboat_schedule_group_parent_class)->dispose (object);
}

static void
lifeboat_schedule_group_finalize (GObject *object)
{
  LifeboatScheduleGroup *self = LIFEBOAT_SCHEDULE_GROUP (object);

  g_clear_pointer (&self->engine_id, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->schedule_id, g_free);
  g_clear_pointer (&self->destination, g_free);

  G_OBJECT_CLASS (lifeboat_schedule_group_parent_class)->finalize (object);
}

static void
lifeboat_schedule_group_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  LifeboatScheduleGroup *self = LIFEBOAT_SCHEDULE_GROUP (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_schedule_group_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  LifeboatScheduleGroup *self = LIFEBOAT_SCHEDULE_GROUP (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lifeboat_schedule_group_set_project (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_schedule_group_class_init (LifeboatScheduleGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_schedule_group_dispose;
  object_class->finalize = lifeboat_schedule_group_finalize;
  object_class->get_property = lifeboat_schedule_group_get_property;
  object_class->set_property = lifeboat_schedule_group_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, LIFEBOAT_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lifeboat/Lifeboat/lifeboat-schedule-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, save_button);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, status_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, status_icon);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, every_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, details_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, day_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, time_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, destination_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, compression_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, keep_last_spin);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, keep_daily_spin);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, keep_weekly_spin);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, keep_monthly_spin);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, preview_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatScheduleGroup, drill_spin);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
}

static void
lifeboat_schedule_group_init (LifeboatScheduleGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_destination (self, NULL);
}
