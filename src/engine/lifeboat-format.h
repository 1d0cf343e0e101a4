/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How sizes and durations read, the same in the window and in lifeboat-cli */

/* "425.4 MB" (g_format_size); "size unknown" for a negative size */
char *lifeboat_format_size     (gint64 bytes);
/* "45.2 MB/s"; NULL when there is no rate (yet): 0 or negative */
char *lifeboat_format_rate     (double bytes_per_second);
/* "42 s", "2 min 5 s", "1 h 20 min"; "unknown" for a negative duration */
char *lifeboat_format_duration (double seconds);

/* "1.2 GB of 3.4 GB"; "1.2 GB so far" when the total is not known (negative) */
char *lifeboat_format_bytes_of  (guint64 done,
                                 gint64  total);
/* "1.2 GB of about 3.4 GB": the total is an estimate */
char *lifeboat_format_bytes_of_about (guint64 done,
                                      gint64  total);
/* "42 seconds left", "about 3 minutes left", "about 2 h 5 min left"; NULL when not known */
char *lifeboat_format_time_left (gint64  seconds);

G_END_DECLS
