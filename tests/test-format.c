/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sizes and durations as the window and lifeboat-cli both show them (lifeboat-format.c) */
#define G_LOG_DOMAIN "test-format"

#include "config.h"

#include <locale.h>

#include "lifeboat-format.h"

static void
check (char       *got,
       const char *want)
{
  g_assert_cmpstr (got, ==, want);
  g_free (got);
}

/* g_format_size() puts a no-break space between number and unit */
static void
test_size (void)
{
  check (lifeboat_format_size (-1), "size unknown");
  check (lifeboat_format_size (0), "0 bytes");
  check (lifeboat_format_size (425400000), "425.4\u00a0MB");
  check (lifeboat_format_bytes_of (1200000000, 3400000000), "1.2\u00a0GB of 3.4\u00a0GB");
  check (lifeboat_format_bytes_of (1200000000, -1), "1.2\u00a0GB so far");
}

static void
test_duration (void)
{
  check (lifeboat_format_duration (-1), "unknown");
  check (lifeboat_format_duration (41.6), "42 s");
  check (lifeboat_format_duration (125), "2 min 5 s");
  check (lifeboat_format_duration (4800), "1 h 20 min");
  g_assert_null (lifeboat_format_time_left (-1));
  check (lifeboat_format_time_left (42), "42 seconds left");
  check (lifeboat_format_time_left (170), "about 3 minutes left");
  check (lifeboat_format_time_left (7500), "about 2 h 5 min left");
}

int
main (int   argc,
      char *argv[])
{
  /* the untranslated strings: the C locale */
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lifeboat/format/size", test_size);
  g_test_add_func ("/lifeboat/format/duration", test_duration);

  return g_test_run ();
}
