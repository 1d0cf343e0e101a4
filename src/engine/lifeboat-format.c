/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lifeboat-format.h"

char *
lifeboat_format_size (gint64 bytes)
{
  if (bytes < 0)
    return g_strdup (_("size unknown"));
  return g_format_size ((guint64) bytes);
}

char *
lifeboat_format_rate (double bytes_per_second)
{
  g_autofree char *size = NULL;

  if (!(bytes_per_second > 0))
    return NULL;
  size = g_format_size ((guint64) bytes_per_second);
  /* Translators: a transfer rate, "45.2 MB/s" */
  return g_strdup_printf (_("%s/s"), size);
}

char *
lifeboat_format_duration (double seconds)
{
  gint64 s = (gint64) (seconds + 0.5);

  if (seconds < 0)
    return g_strdup (_("unknown"));
  if (s < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%d s"), (int) s);
  if (s < 3600)
    /* Translators: a duration, "2 min 5 s" */
    return g_strdup_printf (_("%d min %d s"), (int) (s / 60), (int) (s % 60));
  /* Translators: a duration, "1 h 20 min" */
  return g_strdup_printf (_("%d h %d min"), (int) (s / 3600), (int) ((s % 3600) / 60));
}

char *
lifeboat_format_bytes_of (guint64 done,
                          gint64  total)
{
  g_autofree char *done_str = g_format_size (done);
  g_autofree char *total_str = NULL;

  if (total < 0)
    /* Translators: bytes done when the total is not known, e.g. "1.2 GB" */
    return g_strdup_printf (_("%s so far"), done_str);

  total_str = g_format_size ((guint64) total);
  /* Translators: "1.2 GB of 3.4 GB" */
  return g_strdup_printf (_("%s of %s"), done_str, total_str);
}

char *
lifeboat_format_bytes_of_about (guint64 done,
                                gint64  total)
{
  g_autofree char *done_str = NULL;
  g_autofree char *total_str = NULL;

  if (total < 0)
    return lifeboat_format_bytes_of (done, total);

  done_str = g_format_size (done);
  total_str = g_format_size ((guint64) total);
  /* Translators: bytes done of an estimated total: "1.2 GB of about 3.4 GB" */
  return g_strdup_printf (_("%s of about %s"), done_str, total_str);
}

char *
lifeboat_format_time_left (gint64 seconds)
{
  if (seconds < 0)
    return NULL;
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second left", "%d seconds left",
                                         (int) seconds), (int) seconds);
  if (seconds < 3600)
    {
      int minutes = (int) ((seconds + 30) / 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d minute left",
                                           "about %d minutes left", minutes), minutes);
    }
  else
    {
      int hours = (int) (seconds / 3600);
      int minutes = (int) ((seconds % 3600) / 60);

      /* Translators: "about 2 h 5 min left" */
      return g_strdup_printf (_("about %d h %d min left"), hours, minutes);
    }
}
