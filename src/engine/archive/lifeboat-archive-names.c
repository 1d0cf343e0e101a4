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
