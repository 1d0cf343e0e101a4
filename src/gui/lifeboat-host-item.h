/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * One engine in the window's sidebar: an item of the hosts GListModel with properties the
 * sidebar's rows are bound to (title, icon-name, state, subtitle, tooltip, removable). The
 * window changes its state; the item notifies only what changed, so its row is updated in
 * place (lifeboat_host_item_create_row()). The fields are in lifeboat-window-private.h (the window's code reads them).
 */

typedef enum
{
  HOST_CONNECTING,
  HOST_CONNECTED,
  HOST_UNREACHABLE,
} HostState;

#define LIFEBOAT_TYPE_HOST_ITEM (lifeboat_host_item_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatHostItem, lifeboat_host_item, LIFEBOAT, HOST_ITEM, GObject)

LifeboatHostItem *lifeboat_host_item_new          (const char *uri,
                                                   const char *name,
                                                   const char *title,
                                                   const char *icon_name,
                                                   const char *saved_name);
HostState         lifeboat_host_item_get_state    (LifeboatHostItem *self);
const char       *lifeboat_host_item_get_subtitle (LifeboatHostItem *self);
const char       *lifeboat_host_item_get_title    (LifeboatHostItem *self);
/* the state, reason or client changed: the subtitle and tooltip follow, each notified only
 * when it changed */
void              lifeboat_host_item_changed      (LifeboatHostItem *self);
/* its row in the sidebar, bound to its properties; @remove_cb: a removable engine's remove
 * button's "clicked" handler (the item is the button's "host" data) */
GtkWidget        *lifeboat_host_item_create_row   (LifeboatHostItem *self,
                                                   GCallback         remove_cb,
                                                   gpointer          user_data);

G_END_DECLS
