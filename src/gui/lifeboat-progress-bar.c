/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-progress-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-progress-bar.h"

/* GtkProgressBar in GTK 4.8 gives its "progress" node the width of the fraction, so every new
 * fraction queues an allocation, and a frame with an allocation lays the whole window out again
 * (on X11 with round trips to the display server for the monitor and work area). With a
 * progress update ten times a second per bar, the job page laid itself out twenty times a
 * second while the volumes streamed. Here the "progress" node always has the trough's size and
 * is drawn through a rounded clip as wide as the fraction: a new fraction only draws again.
 * The nodes are GtkProgressBar's, so the theme draws both alike; not its "empty" and "full"
 * classes, whose change started the theme's transitions (a layout per frame for 200 ms). */

#define LIFEBOAT_TYPE_PROGRESS_PART (lifeboat_progress_part_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatProgressPart, lifeboat_progress_part, LIFEBOAT, PROGRESS_PART,
                      GtkWidget)

struct _LifeboatProgressPart
{
  GtkWidget parent_instance;
};

struct _LifeboatProgressBar
{
  GtkWidget  parent_instance;

  GtkWidget *trough;     /* css name "trough", the bar's only child */
  GtkWidget *progress;   /* css name "progress", the trough's only child, as large as it */
  double     fraction;
  int        percent;    /* in the accessible description */
};

enum {
  PROP_0,
  PROP_FRACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LifeboatProgressPart, lifeboat_progress_part, GTK_TYPE_WIDGET)
G_DEFINE_FINAL_TYPE (LifeboatProgressBar, lifeboat_progress_bar, GTK_TYPE_WIDGET)

/* The trough draws its child, the progress node, clipped to the fraction's width with the
 * rounded ends the theme gives a GtkProgressBar's progress (a radius of half the height). */
static void
lifeboat_progress_part_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);
  GtkWidget *parent = gtk_widget_get_parent (widget);
  double fraction, width, height, filled, x;
  GskRoundedRect clip;

  if (child == NULL || !LIFEBOAT_IS_PROGRESS_BAR (parent))
    return;
  fraction = LIFEBOAT_PROGRESS_BAR (parent)->fraction;
  if (fraction <= 0.0)
    return;

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  filled = MIN (width, MAX (height, (double) (gint64) (fraction * width + 0.5)));
  x = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL ? width - filled : 0.0;

  gsk_rounded_rect_init_from_rect (&clip, &GRAPHENE_RECT_INIT (x, 0, filled, height),
                                   height / 2.0);
  gtk_snapshot_push_rounded_clip (snapshot, &clip);
  gtk_widget_snapshot_child (widget, child, snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
lifeboat_progress_part_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lifeboat_progress_part_parent_class)->dispose (object);
}

static void
lifeboat_progress_part_class_init (LifeboatProgressPartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_progress_part_dispose;
  widget_class->snapshot = lifeboat_progress_part_snapshot;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
lifeboat_progress_part_init (LifeboatProgressPart *self)
{
}

static void
lifeboat_progress_bar_dispose (GObject *object)
{
  LifeboatProgressBar *self = LIFEBOAT_PROGRESS_BAR (object);

  self->progress = NULL;
  g_clear_pointer (&self->trough, gtk_widget_unparent);

  G_OBJECT_CLASS (lifeboat_progress_bar_parent_class)->dispose (object);
}

static void
lifeboat_progress_bar_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LifeboatProgressBar *self = LIFEBOAT_PROGRESS_BAR (object);

  switch (prop_id)
    {
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_progress_bar_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  LifeboatProgressBar *self = LIFEBOAT_PROGRESS_BAR (object);

  switch (prop_id)
    {
    case PROP_FRACTION:
      lifeboat_progress_bar_set_fraction (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_progress_bar_class_init (LifeboatProgressBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lifeboat_progress_bar_dispose;
  object_class->get_property = lifeboat_progress_bar_get_property;
  object_class->set_property = lifeboat_progress_bar_set_property;

  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "progressbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

/* The value, as GtkProgressBar gives it; GTK 4.8 offers AT-SPI's Value interface only to its
 * own widgets, so the percentage is in the description as well (when it changes: a whole
 * percent at most a hundred times a job) */
static void
update_accessible (LifeboatProgressBar *self)
{
  int percent = (int) (self->fraction * 100.0 + 0.5);
  g_autofree char *text = NULL;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, self->fraction, -1);
  if (percent == self->percent)
    return;
  self->percent = percent;
  /* Translators: a progress bar's value for screen readers, "45 %" */
  text = g_strdup_printf (_("%d %%"), percent);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
lifeboat_progress_bar_init (LifeboatProgressBar *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "horizontal");

  self->trough = g_object_new (LIFEBOAT_TYPE_PROGRESS_PART, "css-name", "trough", NULL);
  gtk_widget_set_valign (self->trough, GTK_ALIGN_CENTER);
  gtk_widget_set_parent (self->trough, GTK_WIDGET (self));

  self->progress = g_object_new (LIFEBOAT_TYPE_PROGRESS_PART, "css-name", "progress", NULL);
  gtk_widget_add_css_class (self->progress, "left");
  gtk_widget_add_css_class (self->progress, "right");
  gtk_widget_set_parent (self->progress, self->trough);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 1.0,
                                  -1);
  self->percent = -1;
  update_accessible (self);
}

GtkWidget *
lifeboat_progress_bar_new (void)
{
  return g_object_new (LIFEBOAT_TYPE_PROGRESS_BAR, NULL);
}

double
lifeboat_progress_bar_get_fraction (LifeboatProgressBar *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_PROGRESS_BAR (self), 0.0);

  return self->fraction;
}

void
lifeboat_progress_bar_set_fraction (LifeboatProgressBar *self,
                                    double               fraction)
{
  g_return_if_fail (LIFEBOAT_IS_PROGRESS_BAR (self));

  fraction = CLAMP (fraction, 0.0, 1.0);
  if (fraction == self->fraction)
    return;

  self->fraction = fraction;
  gtk_widget_queue_draw (self->trough);
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}
