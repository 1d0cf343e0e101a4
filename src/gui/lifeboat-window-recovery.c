/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's part of the recovery on contact (lifeboat-recovery.h): each time an engine is
 * connected, what interrupted jobs left there is put right, and a banner above the content
 * says what was found and done; when something could not be put right it offers the same
 * choice as `lifeboat-cli recover`.
 */
#define G_LOG_DOMAIN "lifeboat-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-history.h"
#include "lifeboat-recovery.h"
#include "lifeboat-window-private.h"

typedef struct
{
  LifeboatWindow *self;
  gboolean        asked;
} RecoverData;

static void
recover_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree RecoverData *data = user_data;
  LifeboatWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) findings = lifeboat_recovery_run_finish (LIFEBOAT_DOCKER_CLIENT (object),
                                                                result, &error);
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean failed = FALSE, recovered = FALSE;

  self->recovering--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  if (findings == NULL)
    {
      /* the engine went away meanwhile: the host's own state says so */
      if (data->asked)
        g_string_append (text, error->message);
      failed = data->asked;
    }
  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      LifeboatRecoveryFinding *f = g_ptr_array_index (findings, i);

      /* a job that runs is no news, unless the admin asked */
      if (f->state == LIFEBOAT_RECOVERY_BUSY && !data->asked)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, f->message);
      failed |= f->state != LIFEBOAT_RECOVERY_RECOVERED;
      recovered |= f->state == LIFEBOAT_RECOVERY_RECOVERED;
    }

  if (text->len == 0 && data->asked)
    g_string_append (text, _("Nothing left to recover on this engine."));
  if (text->len > 0)
    {
      gtk_label_set_text (self->recovery_label, text->str);
      gtk_image_set_from_icon_name (self->recovery_icon, failed ? "dialog-warning-symbolic"
                                                                : "emblem-ok-symbolic");
      gtk_widget_set_visible (self->recovery_button, failed);
      gtk_revealer_set_reveal_child (self->recovery_revealer, TRUE);
    }
  /* the recovery changed containers and volumes: look again; what a job left stopped is
   * known only now (the recovery may have started it) */
  if (recovered)
    _lifeboat_window_rediscover (self);
  else
    _lifeboat_window_check_stopped (self);
  g_object_unref (self);
}

void
_lifeboat_window_recover (LifeboatWindow *self,
                          Host           *host,
                          gboolean        asked)
{
  RecoverData *data;

  if (host == NULL || host->client == NULL)
    return;
  if (self->recovery_cancellable == NULL)
    {
      self->recovery_cancellable = g_cancellable_new ();
      g_signal_connect_object (self->cancellable, "cancelled",
                               G_CALLBACK (g_cancellable_cancel), self->recovery_cancellable,
                               G_CONNECT_SWAPPED);
    }
  data = g_new0 (RecoverData, 1);
  data->self = g_object_ref (self);
  data->asked = asked;
  self->recovering++;
  lifeboat_recovery_run_async (host->client, NULL, lifeboat_history_get_default (),
                               self->recovery_cancellable, recover_done_cb, data);
}

static void
recover_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LifeboatWindow *self = LIFEBOAT_WINDOW (widget);

  gtk_revealer_set_reveal_child (self->recovery_revealer, FALSE);
  _lifeboat_window_recover (self, self->current_host, TRUE);
}

static void
dismiss_recovery_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (LIFEBOAT_WINDOW (widget)->recovery_revealer, FALSE);
}

void
_lifeboat_window_recovery_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, recovery_revealer);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, recovery_icon);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, recovery_label);
  gtk_widget_class_bind_template_child (widget_class, LifeboatWindow, recovery_button);
  gtk_widget_class_install_action (widget_class, "win.recover", NULL, recover_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-recovery", NULL,
                                   dismiss_recovery_action);
}
