/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The names of the archives Lifeboat reads, in one place */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <string.h>

#include "lifeboat-archive.h"

static const char * const archive_suffixes[] = { ".tar.gz", ".tgz", ".tar.zst", ".tar", NULL };

const char * const *
lifeboat_archive_get_suffixes (void)
{
  return archive_suffixes;
}

char *
lifeboat_archive_name_dup_key (const char *basename)
{
  g_return_val_if_fail (basename != NULL, NULL);

  for (guint i = 0; archive_suffixes[i] != NULL; i++)
    if (g_str_has_suffix (basename, archive_suffixes[i]) &&
        strlen (basename) > strlen (archive_suffixes[i]))
      return g_strndup (basename, strlen (basename) - strlen (archive_suffixes[i]));
  return NULL;
}

gboolean
lifeboat_archive_name_is_archive (const char *basename)
{
  g_autofree char *key = lifeboat_archive_name_dup_key (basename);

  return key != NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
lifeboat_archive_list_folder (GFile         *folder,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  enumerator = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (enumerator == NULL)
    return NULL;
  for (;;)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, NULL, cancellable, error))
        return NULL;
      if (info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          lifeboat_archive_name_is_archive (g_file_info_get_name (info)))
        g_ptr_array_add (names, g_strdup (g_file_info_get_name (info)));
    }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}
