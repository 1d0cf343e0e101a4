/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's toasts: a message for a few seconds ("Details" for a long one), and the busy
 * toast ("Reading the backup…") shown until the next message.
 *
 * libadwaita 1.2 (Debian 12) crashes when a toast is dismissed while its show animation still
 * runs (300 ms, 500 ms when it replaces another): the overlay frees the toast's data and the
 * animation's end then uses it (adw_animation_skip → show_done_cb; seen in the window test as a
 * SIGSEGV). A toast queued behind another is shown only when that one goes, so the time since it
 * was added says nothing about its animation. Therefore the window keeps its own queue and puts
 * one toast at a time into the overlay, where it is shown at once; it dismisses a toast no
 * sooner than TOAST_SETTLE_MS after that, and holds Escape (which dismisses the toast) back in
 * that time.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-window-private.h"

#define TOAST_SETTLE_MS 800

static void show_next_toast (LifeboatWindow *self);

/* a busy toast ("Reading the backup…") stays until the next message */
static gboolean
is_busy (gpointer toast)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (toast), "busy"));
}

static gint64
toast_age_ms (LifeboatWindow *self)
{
  return (g_get_monotonic_time () - self->toast_shown) / 1000;
}

static void
toast_dismissed_cb (AdwToast       *toast,
                    LifeboatWindow *self)
{
  g_signal_handlers_disconnect_by_func (toast, toast_dismissed_cb, self);
  if (self->toast != toast)
    return;
  g_clear_object (&self->toast);
  g_clear_handle_id (&self->toast_source, g_source_remove);
  show_next_toast (self);
}

static void
show_next_toast (LifeboatWindow *self)
{
  AdwToast *toast;

  if (self->toast != NULL || self->toasts == NULL || g_queue_is_empty (self->toasts))
    return;

  toast = g_queue_pop_head (self->toasts);
  self->toast = toast;   /* the queue's reference */
  self->toast_shown = g_get_monotonic_time ();
  g_signal_connect (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (toast));
}

static gboolean
dismiss_settled_cb (gpointer data)
{
  LifeboatWindow *self = data;

  self->toast_source = 0;
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  return G_SOURCE_REMOVE;
}

/* the toast on screen goes, as soon as its show animation is surely over */
static void
dismiss_current (LifeboatWindow *self)
{
  gint64 age;

  if (self->toast == NULL || self->toast_source != 0)
    return;
  age = toast_age_ms (self);
  if (age >= TOAST_SETTLE_MS)
    adw_toast_dismiss (self->toast);   /* toast_dismissed_cb shows the next */
  else
    self->toast_source = g_timeout_add ((guint) (TOAST_SETTLE_MS - age), dismiss_settled_cb, self);
}

/* a busy toast waiting in the queue never reached the overlay: it just goes */
static void
drop_queued_busy (LifeboatWindow *self)
{
  GList *l = self->toasts ? self->toasts->head : NULL;

  while (l != NULL)
    {
      GList *next = l->next;

      if (is_busy (l->data))
        {
          g_object_unref (l->data);
          g_queue_delete_link (self->toasts, l);
        }
      l = next;
    }
}

static void
enqueue (LifeboatWindow *self,
         AdwToast       *toast)
{
  if (self->toasts == NULL)
    self->toasts = g_queue_new ();
  g_queue_push_tail (self->toasts, toast);
  /* a busy toast gives way to whatever comes next; a message stays for its time */
  if (self->toast != NULL && is_busy (self->toast))
    dismiss_current (self);
  show_next_toast (self);
}

void
_lifeboat_window_dismiss_busy_toast (LifeboatWindow *self)
{
  drop_queued_busy (self);
  if (self->toast != NULL && is_busy (self->toast))
    dismiss_current (self);
}

static void
toast_details_cb (AdwToast       *toast,
                  LifeboatWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                              g_object_get_data (G_OBJECT (toast), "title"),
                                              g_object_get_data (G_OBJECT (toast), "message"));

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* "Reading the backup…", "Verifying the backup…": shown until the next message */
void
_lifeboat_window_show_busy_toast (LifeboatWindow *self,
                                  const char     *message)
{
  AdwToast *toast = adw_toast_new (message);

  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  drop_queued_busy (self);
  adw_toast_set_timeout (toast, 0);
  g_object_set_data (G_OBJECT (toast), "busy", GINT_TO_POINTER (TRUE));
  enqueue (self, toast);
}

void
lifeboat_window_show_toast (LifeboatWindow *self,
                            const char     *message)
{
  AdwToast *toast;

  g_return_if_fail (LIFEBOAT_IS_WINDOW (self));

  drop_queued_busy (self);
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);

  /* a long message (an error with a path in it) would be cut off: the toast says what
   * happened, "Details" shows all of it */
  if (g_utf8_strlen (message, -1) > 80)
    {
      const char *colon = strstr (message, ": ");
      g_autofree char *title = NULL;

      if (colon != NULL && g_utf8_strlen (message, colon - message) <= 80)
        title = g_strndup (message, colon - message);
      else
        {
          g_autofree char *start = g_utf8_substring (message, 0, 70);

          title = g_strconcat (start, "…", NULL);
        }
      toast = adw_toast_new (title);
      adw_toast_set_button_label (toast, _("_Details"));
      g_object_set_data_full (G_OBJECT (toast), "message", g_strdup (message), g_free);
      g_object_set_data_full (G_OBJECT (toast), "title", g_strdup (title), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_details_cb), self, 0);
      adw_toast_set_timeout (toast, 10);
    }
  else
    {
      toast = adw_toast_new (message);
      adw_toast_set_timeout (toast, 6);
    }
  enqueue (self, toast);
}

/* Escape dismisses the overlay's toast: not while its show animation may still run. This
 * controller sits on the overlay's child, so it sees the key before the overlay does. */
static gboolean
escape_pressed_cb (GtkEventControllerKey *controller,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   LifeboatWindow        *self)
{
  return keyval == GDK_KEY_Escape && self->toast != NULL && toast_age_ms (self) < TOAST_SETTLE_MS;
}

void
_lifeboat_window_toasts_init (LifeboatWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  g_signal_connect (keys, "key-pressed", G_CALLBACK (escape_pressed_cb), self);
  gtk_widget_add_controller (adw_toast_overlay_get_child (self->toast_overlay), keys);
}

void
_lifeboat_window_toasts_dispose (LifeboatWindow *self)
{
  g_clear_handle_id (&self->toast_source, g_source_remove);
  if (self->toast != NULL)
    g_signal_handlers_disconnect_by_func (self->toast, toast_dismissed_cb, self);
  g_clear_object (&self->toast);
  if (self->toasts != NULL)
    g_queue_free_full (g_steal_pointer (&self->toasts), g_object_unref);
}
