/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_PREFERENCES_WINDOW (lifeboat_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatPreferencesWindow, lifeboat_preferences_window,
                      LIFEBOAT, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @settings may be NULL (no schema): the page then says so and changes nothing */
LifeboatPreferencesWindow *lifeboat_preferences_window_new (GSettings *settings);

G_END_DECLS
