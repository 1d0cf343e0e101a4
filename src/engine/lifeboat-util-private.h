/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static inline gboolean
_lifeboat_set_str (char       **str_pointer,
                   const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

/*
 * A number of seconds from the environment (the tests' and an admin's knobs, such as
 * LIFEBOAT_LOCK_STALE_SECONDS): @fallback when unset or not a whole number in [@min, @max].
 */
static inline guint
_lifeboat_env_seconds (const char *name,
                       guint       fallback,
                       guint       min,
                       guint       max)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, min, max, &n, NULL))
    return fallback;
  return (guint) n;
}

/* The strings of @o's array @member (other elements skipped); NULL when there is no such
 * array */
static inline char **
_lifeboat_json_dup_strv (JsonObject *o,
                         const char *member)
{
  JsonNode *node = json_object_get_member (o, member);
  JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  if (array == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_TYPE (element) == JSON_NODE_VALUE &&
          json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

/* Adds the member @name with the string @value to the object @b builds, unless @value is NULL
 * (JSON files leave out what is not known rather than write null) */
static inline void
_lifeboat_json_add_string_if (JsonBuilder *b,
                              const char  *name,
                              const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* For g_cancellable_connect(): cancels @other when the caller's cancellable is cancelled. */
static inline void
_lifeboat_cancel_other (GCancellable *cancellable,
                        GCancellable *other)
{
  g_cancellable_cancel (other);
}

G_END_DECLS
