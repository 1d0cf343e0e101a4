/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-project-view"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-format.h"
#include "lifeboat-project-view.h"
#include "lifeboat-schedule-group.h"

struct _LifeboatProjectView
{
  AdwBin               parent_instance;

  LifeboatProject     *project;
  /* volume key -> GtkCheckButton; the rows are rebuilt with the project */
  GHashTable          *checks;
  /* volume key -> "size label \t level" for tests */
  GHashTable          *size_labels;
  /* what the user checked or unchecked (key -> GINT_TO_POINTER (1 + active)) in the project
   * @chosen_project: kept when the project is looked at again (the engine's events) */
  char                *chosen_project;
  GHashTable          *chosen;
  gint64               largest;       /* the largest volume, for the size bars */

  AdwPreferencesPage  *page;
  GtkLabel            *title_label;
  GtkLabel            *app_label;
  GtkLabel            *details_label;
  GtkLabel            *total_label;
  GtkListBox          *volumes_list;
  GtkListBox          *containers_list;
  AdwActionRow        *destination_row;
  char                *destination_name;
  char                *space_text;   /* "needs about 1.2 GB, 40 GB free" */
  gboolean             space_enough;
  GtkWidget           *backup_button;
};

G_DEFINE_FINAL_TYPE (LifeboatProjectView, lifeboat_project_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

enum {
  SELECTION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_destination (LifeboatProjectView *self);

/* the lists' rows are bound to the project's models: unbinding removes them */
static void
clear_list (GtkListBox *list)
{
  gtk_list_box_bind_model (list, NULL, NULL, NULL, NULL);
}

static const char *
state_label (LifeboatContainerState state)
{
  switch (state)
    {
    case LIFEBOAT_CONTAINER_STATE_CREATED:    return _("Created");
    case LIFEBOAT_CONTAINER_STATE_RUNNING:    return _("Running");
    case LIFEBOAT_CONTAINER_STATE_PAUSED:     return _("Paused");
    case LIFEBOAT_CONTAINER_STATE_RESTARTING: return _("Restarting");
    case LIFEBOAT_CONTAINER_STATE_EXITED:     return _("Stopped");
    case LIFEBOAT_CONTAINER_STATE_DEAD:       return _("Dead");
    case LIFEBOAT_CONTAINER_STATE_UNKNOWN:
    default:                                  return _("Unknown");
    }
}

static GtkWidget *
create_container_row (LifeboatContainer *container)
{
  LifeboatContainerState state = lifeboat_container_get_state (container);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *badge = gtk_label_new (state_label (state));
  GtkWidget *icon;

  /* an inert row takes no Tab stop */
  gtk_widget_set_focusable (row, FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lifeboat_container_get_name (container));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lifeboat_container_get_image (container));

  icon = gtk_image_new_from_icon_name ("application-x-executable-symbolic");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "state-badge");
  if (state == LIFEBOAT_CONTAINER_STATE_RUNNING)
    gtk_widget_add_css_class (badge, "running");
  else if (state == LIFEBOAT_CONTAINER_STATE_DEAD || state == LIFEBOAT_CONTAINER_STATE_RESTARTING)
    gtk_widget_add_css_class (badge, "bad");
  else
    gtk_widget_add_css_class (badge, "stopped");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
  g_object_set_data (G_OBJECT (row), "badge", badge);

  return row;
}

/* what the volumes hold, following the check boxes: "6.4 MB in all" when every volume is
 * checked, else "1.2 MB of 6.4 MB checked" */
static void
update_total (LifeboatProjectView *self)
{
  GListModel *volumes;
  gint64 total = 0, checked = 0;
  gboolean all = TRUE;
  g_autofree char *total_str = NULL;
  g_autofree char *text = NULL;

  if (self->project == NULL)
    {
      gtk_label_set_text (self->total_label, "");
      return;
    }

  volumes = lifeboat_project_get_volumes (self->project);
  for (guint i = 0; i < g_list_model_get_n_items (volumes); i++)
    {
      g_autoptr(LifeboatVolume) volume = g_list_model_get_item (volumes, i);
      GtkCheckButton *check = g_hash_table_lookup (self->checks, lifeboat_volume_get_key (volume));
      gint64 size = lifeboat_volume_get_size (volume);

      if (size < 0)
        {
          gtk_label_set_text (self->total_label, "");
          return;
        }
      total += size;
      if (check != NULL && gtk_check_button_get_active (check))
        checked += size;
      else
        all = FALSE;
    }

  total_str = g_format_size ((guint64) total);
  if (all)
    /* Translators: what all the volumes hold */
    text = g_strdup_printf (_("%s in all"), total_str);
  else
    {
      g_autofree char *checked_str = g_format_size ((guint64) checked);

      /* Translators: what the checked volumes hold, of what all hold: "1.2 MB of 6.4 MB checked" */
      text = g_strdup_printf (_("%s of %s checked"), checked_str, total_str);
    }
  gtk_label_set_text (self->total_label, text);
}

static void
check_toggled_cb (LifeboatProjectView *self,
                  GtkCheckButton      *check)
{
  const char *key = g_object_get_data (G_OBJECT (check), "key");

  if (key != NULL)
    g_hash_table_insert (self->chosen, g_strdup (key),
                         GINT_TO_POINTER (1 + gtk_check_button_get_active (check)));
  update_total (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static GtkWidget *
create_volume_row (LifeboatProjectView *self,
                   LifeboatVolume      *volume,
                   gint64               largest)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *box, *label, *level;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *size_str = NULL;
  gint64 size = lifeboat_volume_get_size (volume);
  const char *mount = lifeboat_volume_get_mount_path (volume);
  const char *note = lifeboat_volume_get_note (volume);
  double level_value = 0;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lifeboat_volume_get_key (volume));

  g_string_append (subtitle, lifeboat_volume_get_name (volume));
  if (mount != NULL)
    g_string_append_printf (subtitle, " · %s", mount);
  else
    g_string_append_printf (subtitle, " · %s", _("not mounted by any container"));
  if (note != NULL)
    g_string_append_printf (subtitle, "\n%s", note);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  {
    gpointer chosen = g_hash_table_lookup (self->chosen, lifeboat_volume_get_key (volume));

    gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                 chosen != NULL ? GPOINTER_TO_INT (chosen) - 1
                                                : lifeboat_volume_get_default_selected (volume));
  }
  g_object_set_data_full (G_OBJECT (check), "key", g_strdup (lifeboat_volume_get_key (volume)),
                          g_free);
  gtk_widget_set_tooltip_text (check, _("Include in the backup"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  lifeboat_volume_get_key (volume), -1);
  g_signal_connect_object (check, "toggled", G_CALLBACK (check_toggled_cb), self,
                           G_CONNECT_SWAPPED);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  size_str = lifeboat_format_size (size);
  label = gtk_label_new (size_str);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);

  level = gtk_level_bar_new_for_interval (0.0, 1.0);
  if (size >= 0 && largest > 0)
    level_value = (double) size / (double) largest;
  gtk_level_bar_set_value (GTK_LEVEL_BAR (level), level_value);
  /* a size, not a fill level: no low/high colours */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_widget_set_size_request (level, 120, -1);
  gtk_widget_add_css_class (level, "volume-size");
  gtk_box_append (GTK_BOX (box), level);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  g_hash_table_insert (self->checks, g_strdup (lifeboat_volume_get_key (volume)), check);
  g_hash_table_insert (self->size_labels, g_strdup (lifeboat_volume_get_key (volume)),
                       g_strdup_printf ("%s\t%.3f", size_str, level_value));

  return row;
}

static GtkWidget *
create_volume_row_cb (gpointer item,
                      gpointer user_data)
{
  LifeboatProjectView *self = user_data;

  return create_volume_row (self, item, self->largest);
}

static GtkWidget *
create_container_row_cb (gpointer item,
                         gpointer user_data)
{
  return create_container_row (item);
}

static void
rebuild (LifeboatProjectView *self)
{
  GListModel *containers, *volumes;
  gint64 largest = 0;
  g_autofree char *app = NULL;
  g_autoptr(GString) details = g_string_new (NULL);
  const char *working_dir;

  clear_list (self->volumes_list);
  clear_list (self->containers_list);
  g_hash_table_remove_all (self->checks);
  g_hash_table_remove_all (self->size_labels);

  if (self->project == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->app_label, "");
      gtk_label_set_text (self->details_label, "");
      gtk_label_set_text (self->total_label, "");
      return;
    }

  gtk_label_set_text (self->title_label, lifeboat_project_get_name (self->project));
  app = lifeboat_project_dup_app_label (self->project);
  gtk_label_set_text (self->app_label, app ? app : "");
  gtk_widget_set_visible (GTK_WIDGET (self->app_label), app != NULL);

  containers = lifeboat_project_get_containers (self->project);
  volumes = lifeboat_project_get_volumes (self->project);

  g_string_append_printf (details,
                          g_dngettext (GETTEXT_PACKAGE, "%u container", "%u containers",
                                       g_list_model_get_n_items (containers)),
                          g_list_model_get_n_items (containers));
  g_string_append (details, " · ");
  g_string_append_printf (details,
                          g_dngettext (GETTEXT_PACKAGE, "%u volume", "%u volumes",
                                       g_list_model_get_n_items (volumes)),
                          g_list_model_get_n_items (volumes));
  working_dir = lifeboat_project_get_working_dir (self->project);
  if (working_dir != NULL && working_dir[0] != '\0')
    g_string_append_printf (details, "\n%s", working_dir);
  gtk_label_set_text (self->details_label, details->str);

  for (guint i = 0; i < g_list_model_get_n_items (volumes); i++)
    {
      g_autoptr(LifeboatVolume) volume = g_list_model_get_item (volumes, i);

      largest = MAX (largest, lifeboat_volume_get_size (volume));
    }
  self->largest = largest;

  /* rows bound to the project's volumes and containers (GListModels of objects) */
  gtk_list_box_bind_model (self->volumes_list, volumes, create_volume_row_cb, self, NULL);
  update_total (self);
  gtk_list_box_bind_model (self->containers_list, containers, create_container_row_cb, NULL, NULL);
}

LifeboatProject *
lifeboat_project_view_get_project (LifeboatProjectView *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROJECT_VIEW (self), NULL);

  return self->project;
}

void
lifeboat_project_view_set_project (LifeboatProjectView *self,
                                   LifeboatProject     *project)
{
  g_return_if_fail (LIFEBOAT_IS_PROJECT_VIEW (self));
  g_return_if_fail (project == NULL || LIFEBOAT_IS_PROJECT (project));

  if (!g_set_object (&self->project, project))
    return;

  /* the same project again (looked at again after the engine's events): the same checks */
  if (project != NULL && g_strcmp0 (self->chosen_project, lifeboat_project_get_name (project)) != 0)
    {
      g_free (self->chosen_project);
      self->chosen_project = g_strdup (lifeboat_project_get_name (project));
      g_hash_table_remove_all (self->chosen);
    }

  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

char **
lifeboat_project_view_dup_selected_volumes (LifeboatProjectView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GListModel *volumes;

  g_return_val_if_fail (LIFEBOAT_IS_PROJECT_VIEW (self), NULL);

  if (self->project == NULL)
    return g_strv_builder_end (builder);

  volumes = lifeboat_project_get_volumes (self->project);
  for (guint i = 0; i < g_list_model_get_n_items (volumes); i++)
    {
      g_autoptr(LifeboatVolume) volume = g_list_model_get_item (volumes, i);
      const char *key = lifeboat_volume_get_key (volume);
      GtkCheckButton *check = g_hash_table_lookup (self->checks, key);

      if (check != NULL && gtk_check_button_get_active (check))
        g_strv_builder_add (builder, key);
    }

  return g_strv_builder_end (builder);
}

guint
lifeboat_project_view_get_n_selected (LifeboatProjectView *self)
{
  g_auto(GStrv) keys = lifeboat_project_view_dup_selected_volumes (self);

  return g_strv_length (keys);
}

void
lifeboat_project_view_set_destination (LifeboatProjectView *self,
                                       GFile               *destination)
{
  g_autofree char *name = NULL;

  g_return_if_fail (LIFEBOAT_IS_PROJECT_VIEW (self));

  name = destination ? g_file_get_parse_name (destination) : NULL;
  g_free (self->destination_name);
  self->destination_name = g_steal_pointer (&name);
  update_destination (self);
}

/* the folder, and under it what the backup needs and what is free there */
static void
update_destination (LifeboatProjectView *self)
{
  g_autofree char *name = g_markup_escape_text (self->destination_name ? self->destination_name : "",
                                                -1);
  g_autofree char *space = self->space_text ? g_markup_escape_text (self->space_text, -1) : NULL;
  g_autofree char *subtitle = NULL;

  if (space == NULL)
    subtitle = g_strdup (name);
  else if (self->space_enough)
    subtitle = g_strdup_printf ("%s\n%s", name, space);
  else
    subtitle = g_strdup_printf ("%s\n<b>%s</b>", name, space);
  adw_action_row_set_subtitle (self->destination_row, subtitle);
}

void
lifeboat_project_view_set_space (LifeboatProjectView *self,
                                 const char          *text,
                                 gboolean             enough)
{
  g_return_if_fail (LIFEBOAT_IS_PROJECT_VIEW (self));

  g_free (self->space_text);
  self->space_text = g_strdup (text);
  self->space_enough = enough;
  update_destination (self);
}

const char *
_lifeboat_project_view_get_space (LifeboatProjectView *self)
{
  return self->space_text;
}

const char *
_lifeboat_project_view_get_total (LifeboatProjectView *self)
{
  return gtk_label_get_text (self->total_label);
}

void
_lifeboat_project_view_set_checked (LifeboatProjectView *self,
                                    const char          *key,
                                    gboolean             checked)
{
  GtkCheckButton *check = g_hash_table_lookup (self->checks, key);

  if (check != NULL)
    gtk_check_button_set_active (check, checked);
}

char **
_lifeboat_project_view_dup_container_rows (LifeboatProjectView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->containers_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *badge = g_object_get_data (G_OBJECT (row), "badge");
      g_autofree char *line = NULL;

      if (!ADW_IS_ACTION_ROW (row))
        continue;
      line = g_strdup_printf ("%s\t%s\t%s",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                              badge ? gtk_label_get_text (GTK_LABEL (badge)) : "");
      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

char **
_lifeboat_project_view_dup_volume_rows (LifeboatProjectView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GListModel *volumes;

  if (self->project == NULL)
    return g_strv_builder_end (builder);

  volumes = lifeboat_project_get_volumes (self->project);
  for (guint i = 0; i < g_list_model_get_n_items (volumes); i++)
    {
      g_autoptr(LifeboatVolume) volume = g_list_model_get_item (volumes, i);
      const char *key = lifeboat_volume_get_key (volume);
      GtkCheckButton *check = g_hash_table_lookup (self->checks, key);
      const char *size = g_hash_table_lookup (self->size_labels, key);
      g_autofree char *line = g_strdup_printf ("%s\t%s\t%d", key, size ? size : "?",
                                               check && gtk_check_button_get_active (check));

      g_strv_builder_add (builder, line);
    }

  return g_strv_builder_end (builder);
}

static void
lifeboat_project_view_dispose (GObject *object)
{
  LifeboatProjectView *self = LIFEBOAT_PROJECT_VIEW (object);

  g_clear_object (&self->project);

  G_OBJECT_CLASS (lifeboat_project_view_parent_class)->dispose (object);
}

static void
lifeboat_project_view_finalize (GObject *object)
{
  LifeboatProjectView *self = LIFEBOAT_PROJECT_VIEW (object);

  g_clear_pointer (&self->checks, g_hash_table_unref);
  g_clear_pointer (&self->size_labels, g_hash_table_unref);
  g_clear_pointer (&self->chosen, g_hash_table_unref);
  g_clear_pointer (&self->chosen_project, g_free);
  g_clear_pointer (&self->destination_name, g_free);
  g_clear_pointer (&self->space_text, g_free);

  G_OBJECT_CLASS (lifeboat_project_view_parent_class)->finalize (object);
}

static void
lifeboat_project_view_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LifeboatProjectView *self = LIFEBOAT_PROJECT_VIEW (object);

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
lifeboat_project_view_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  LifeboatProjectView *self = LIFEBOAT_PROJECT_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lifeboat_project_view_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_project_view_class_init (LifeboatProjectViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_project_view_dispose;
  object_class->finalize = lifeboat_project_view_finalize;
  object_class->get_property = lifeboat_project_view_get_property;
  object_class->set_property = lifeboat_project_view_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LIFEBOAT_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (LIFEBOAT_TYPE_SCHEDULE_GROUP);   /* the Schedule group (issue 15) */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lifeboat/Lifeboat/lifeboat-project-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, page);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, app_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, details_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, total_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, volumes_list);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, containers_list);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, destination_row);
  gtk_widget_class_bind_template_child (widget_class, LifeboatProjectView, backup_button);
}

static void
lifeboat_project_view_init (LifeboatProjectView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->size_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
