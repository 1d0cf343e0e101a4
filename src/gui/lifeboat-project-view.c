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
  /* what the user checked or unchecked (key -> GINT_TO_POINTER (1 + active)) in the project
   * @chosen_project: kept while the project is looked at again (the engine's events), and
   * when its rows come back */
  char                *chosen_project;
  GHashTable          *chosen;
  gint64               largest;       /* the largest volume, for the size bars */
  gint64               last_total;    /* what the volumes held at the last selection-changed */

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

static void
container_state_changed_cb (LifeboatContainer *container,
                            GParamSpec        *pspec,
                            GtkWidget         *badge)
{
  LifeboatContainerState state = lifeboat_container_get_state (container);

  gtk_label_set_text (GTK_LABEL (badge), state_label (state));
  gtk_widget_remove_css_class (badge, "running");
  gtk_widget_remove_css_class (badge, "bad");
  gtk_widget_remove_css_class (badge, "stopped");
  if (state == LIFEBOAT_CONTAINER_STATE_RUNNING)
    gtk_widget_add_css_class (badge, "running");
  else if (state == LIFEBOAT_CONTAINER_STATE_DEAD || state == LIFEBOAT_CONTAINER_STATE_RESTARTING)
    gtk_widget_add_css_class (badge, "bad");
  else
    gtk_widget_add_css_class (badge, "stopped");
}

/* a container's row, bound to its properties: a container that stops changes its badge */
static GtkWidget *
create_container_row (LifeboatContainer *container)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *badge = gtk_label_new (NULL);
  GtkWidget *icon;

  /* an inert row takes no Tab stop */
  gtk_widget_set_focusable (row, FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_bind_property (container, "name", row, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (container, "image", row, "subtitle", G_BINDING_SYNC_CREATE);

  icon = gtk_image_new_from_icon_name ("application-x-executable-symbolic");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "state-badge");
  g_signal_connect_object (container, "notify::state", G_CALLBACK (container_state_changed_cb),
                           badge, 0);
  container_state_changed_cb (container, NULL, badge);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
  g_object_set_data (G_OBJECT (row), "badge", badge);
  g_object_set_data_full (G_OBJECT (row), "container", g_object_ref (container), g_object_unref);

  return row;
}

/* checked: what the user chose in this project, else the volume's default */
static gboolean
volume_checked (LifeboatProjectView *self,
                LifeboatVolume      *volume)
{
  gpointer chosen = g_hash_table_lookup (self->chosen, lifeboat_volume_get_key (volume));

  return chosen != NULL ? GPOINTER_TO_INT (chosen) - 1
                        : lifeboat_volume_get_default_selected (volume);
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
      gint64 size = lifeboat_volume_get_size (volume);

      if (size < 0)
        {
          gtk_label_set_text (self->total_label, "");
          return;
        }
      total += size;
      if (volume_checked (self, volume))
        checked += size;
      else
        all = FALSE;
    }

  total_str = lifeboat_format_size (total);
  if (all)
    /* Translators: what all the volumes hold */
    text = g_strdup_printf (_("%s in all"), total_str);
  else
    {
      g_autofree char *checked_str = lifeboat_format_size (checked);

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

static void
volume_subtitle_changed_cb (LifeboatVolume *volume,
                            GParamSpec     *pspec,
                            AdwActionRow   *row)
{
  g_autoptr(GString) subtitle = g_string_new (lifeboat_volume_get_name (volume));
  const char *mount = lifeboat_volume_get_mount_path (volume);
  const char *note = lifeboat_volume_get_note (volume);

  if (mount != NULL)
    g_string_append_printf (subtitle, " · %s", mount);
  else
    g_string_append_printf (subtitle, " · %s", _("not mounted by any container"));
  if (note != NULL)
    g_string_append_printf (subtitle, "\n%s", note);
  adw_action_row_set_subtitle (row, subtitle->str);
}

/* the size label and its bar, against the largest volume of the project */
static void
update_volume_size (LifeboatProjectView *self,
                    GtkWidget           *row)
{
  LifeboatVolume *volume = g_object_get_data (G_OBJECT (row), "volume");
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "size-label");
  GtkWidget *level = g_object_get_data (G_OBJECT (row), "size-level");
  gint64 size = lifeboat_volume_get_size (volume);
  g_autofree char *size_str = lifeboat_format_size (size);
  double level_value = 0;

  if (size >= 0 && self->largest > 0)
    level_value = (double) size / (double) self->largest;
  gtk_label_set_text (GTK_LABEL (label), size_str);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (level), level_value);
}

static void update_sizes (LifeboatProjectView *self);

static void
volume_size_changed_cb (LifeboatProjectView *self,
                        GParamSpec          *pspec,
                        LifeboatVolume      *volume)
{
  update_sizes (self);
}

/* a volume's row, bound to its properties: its size, mount and note change in place; the check
 * box keeps what the user chose */
static GtkWidget *
create_volume_row (LifeboatProjectView *self,
                   LifeboatVolume      *volume)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *box, *label, *level;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_bind_property (volume, "key", row, "title", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (volume, "notify::mount-path", G_CALLBACK (volume_subtitle_changed_cb),
                           row, 0);
  g_signal_connect_object (volume, "notify::note", G_CALLBACK (volume_subtitle_changed_cb),
                           row, 0);
  volume_subtitle_changed_cb (volume, NULL, ADW_ACTION_ROW (row));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), volume_checked (self, volume));
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
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);

  level = gtk_level_bar_new_for_interval (0.0, 1.0);
  /* a size, not a fill level: no low/high colours */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_widget_set_size_request (level, 120, -1);
  gtk_widget_add_css_class (level, "volume-size");
  gtk_box_append (GTK_BOX (box), level);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  g_object_set_data_full (G_OBJECT (row), "volume", g_object_ref (volume), g_object_unref);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data (G_OBJECT (row), "size-label", label);
  g_object_set_data (G_OBJECT (row), "size-level", level);
  g_signal_connect_object (volume, "notify::size", G_CALLBACK (volume_size_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_volume_size (self, row);

  return row;
}

static GtkWidget *
create_volume_row_cb (gpointer item,
                      gpointer user_data)
{
  LifeboatProjectView *self = user_data;

  return create_volume_row (self, item);
}

static GtkWidget *
create_container_row_cb (gpointer item,
                         gpointer user_data)
{
  return create_container_row (item);
}

static gint64
volumes_total (LifeboatProjectView *self)
{
  return self->project ? lifeboat_project_get_total_size (self->project) : -1;
}

/* the sizes changed: the largest volume, every row's bar against it, the total; the space
 * estimate follows (through selection-changed) when what the volumes hold changed */
static void
update_sizes (LifeboatProjectView *self)
{
  GListModel *volumes;
  gint64 largest = 0;
  gint64 total;

  if (self->project == NULL)
    return;

  volumes = lifeboat_project_get_volumes (self->project);
  for (guint i = 0; i < g_list_model_get_n_items (volumes); i++)
    {
      g_autoptr(LifeboatVolume) volume = g_list_model_get_item (volumes, i);

      largest = MAX (largest, lifeboat_volume_get_size (volume));
    }
  self->largest = largest;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->volumes_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_object_get_data (G_OBJECT (row), "volume") != NULL)
      update_volume_size (self, row);

  update_total (self);
  total = volumes_total (self);
  if (total != self->last_total)
    {
      self->last_total = total;
      g_signal_emit (self, signals[SELECTION_CHANGED], 0);
    }
}

/* the header: how many containers and volumes, where the project lives */
static void
update_details (LifeboatProjectView *self)
{
  GListModel *containers, *volumes;
  g_autofree char *app = NULL;
  g_autoptr(GString) details = g_string_new (NULL);
  const char *working_dir;

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
}

static void
containers_changed_cb (LifeboatProjectView *self)
{
  update_details (self);
}

static void
volumes_changed_cb (LifeboatProjectView *self)
{
  update_details (self);
  /* a volume came or went: what is checked changed (said once) */
  self->last_total = volumes_total (self);
  update_sizes (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* another project: the lists are bound to its models, once; later looks at it change the
 * models' items and the rows follow them */
static void
bind_project (LifeboatProjectView *self)
{
  clear_list (self->volumes_list);
  clear_list (self->containers_list);

  update_details (self);
  if (self->project == NULL)
    return;

  g_signal_connect_object (lifeboat_project_get_containers (self->project), "items-changed",
                           G_CALLBACK (containers_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (lifeboat_project_get_volumes (self->project), "items-changed",
                           G_CALLBACK (volumes_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->project, "notify::app-version",
                           G_CALLBACK (containers_changed_cb), self, G_CONNECT_SWAPPED);

  self->largest = 0;
  /* set_project() says the selection changed, once */
  self->last_total = volumes_total (self);
  gtk_list_box_bind_model (self->volumes_list, lifeboat_project_get_volumes (self->project),
                           create_volume_row_cb, self, NULL);
  update_sizes (self);
  gtk_list_box_bind_model (self->containers_list, lifeboat_project_get_containers (self->project),
                           create_container_row_cb, NULL, NULL);
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

  if (self->project == project)
    return;
  if (self->project != NULL)
    {
      g_signal_handlers_disconnect_by_data (lifeboat_project_get_containers (self->project), self);
      g_signal_handlers_disconnect_by_data (lifeboat_project_get_volumes (self->project), self);
      g_signal_handlers_disconnect_by_data (self->project, self);
    }
  g_set_object (&self->project, project);

  /* the same project again (looked at again after the engine's events): the same checks */
  if (project != NULL && g_strcmp0 (self->chosen_project, lifeboat_project_get_name (project)) != 0)
    {
      g_free (self->chosen_project);
      self->chosen_project = g_strdup (lifeboat_project_get_name (project));
      g_hash_table_remove_all (self->chosen);
    }

  bind_project (self);
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
      if (volume_checked (self, volume))
        g_strv_builder_add (builder, lifeboat_volume_get_key (volume));
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
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->volumes_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LifeboatVolume *volume = g_object_get_data (G_OBJECT (row), "volume");

      if (volume != NULL && g_strcmp0 (lifeboat_volume_get_key (volume), key) == 0)
        gtk_check_button_set_active (g_object_get_data (G_OBJECT (row), "check"), checked);
    }
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

  /* what the rows show */
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->volumes_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LifeboatVolume *volume = g_object_get_data (G_OBJECT (row), "volume");
      g_autofree char *line = NULL;

      if (volume == NULL)
        continue;
      line = g_strdup_printf ("%s\t%s\t%.3f\t%d", lifeboat_volume_get_key (volume),
                              gtk_label_get_text (g_object_get_data (G_OBJECT (row), "size-label")),
                              gtk_level_bar_get_value (g_object_get_data (G_OBJECT (row),
                                                                          "size-level")),
                              gtk_check_button_get_active (g_object_get_data (G_OBJECT (row),
                                                                              "check")));
      g_strv_builder_add (builder, line);
    }

  return g_strv_builder_end (builder);
}

static void
lifeboat_project_view_dispose (GObject *object)
{
  LifeboatProjectView *self = LIFEBOAT_PROJECT_VIEW (object);

  if (self->project != NULL)
    {
      g_signal_handlers_disconnect_by_data (lifeboat_project_get_containers (self->project), self);
      g_signal_handlers_disconnect_by_data (lifeboat_project_get_volumes (self->project), self);
      g_signal_handlers_disconnect_by_data (self->project, self);
      clear_list (self->volumes_list);
      clear_list (self->containers_list);
    }
  g_clear_object (&self->project);

  G_OBJECT_CLASS (lifeboat_project_view_parent_class)->dispose (object);
}

static void
lifeboat_project_view_finalize (GObject *object)
{
  LifeboatProjectView *self = LIFEBOAT_PROJECT_VIEW (object);

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

  self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* tests: the row of the container @name, or of the volume @key; NULL if none */
GtkWidget *
_lifeboat_project_view_get_row (LifeboatProjectView *self,
                                const char          *name)
{
  for (GtkWidget *list = GTK_WIDGET (self->containers_list); list != NULL;
       list = list == GTK_WIDGET (self->containers_list) ? GTK_WIDGET (self->volumes_list) : NULL)
    for (GtkWidget *row = gtk_widget_get_first_child (list);
         row != NULL;
         row = gtk_widget_get_next_sibling (row))
      {
        LifeboatContainer *container = g_object_get_data (G_OBJECT (row), "container");
        LifeboatVolume *volume = g_object_get_data (G_OBJECT (row), "volume");

        if ((container != NULL && g_strcmp0 (lifeboat_container_get_name (container), name) == 0) ||
            (volume != NULL && g_strcmp0 (lifeboat_volume_get_key (volume), name) == 0))
          return row;
      }
  return NULL;
}

/* tests: the page's scrolled window */
GtkScrolledWindow *
_lifeboat_project_view_get_scrolled (LifeboatProjectView *self)
{
  GtkWidget *widget = GTK_WIDGET (self->page);

  /* AdwPreferencesPage > GtkScrolledWindow */
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_SCROLLED_WINDOW (child))
      return GTK_SCROLLED_WINDOW (child);
  return NULL;
}
