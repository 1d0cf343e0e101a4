/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sizes and durations as the window and lifeboat-cli both show them (lifeboat-format.c), and
 * the strings of the engine's enums (their mkenums nicks, lifeboat-types.c) */
#define G_LOG_DOMAIN "test-format"

#include "config.h"

#include <locale.h>

#include "lifeboat-format.h"
#include "lifeboat-history.h"
#include "lifeboat-types.h"

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
  check (lifeboat_format_bytes_of_about (1200000000, 3400000000), "1.2\u00a0GB of about 3.4\u00a0GB");
  check (lifeboat_format_bytes_of_about (1200000000, -1), "1.2\u00a0GB so far");
  g_assert_null (lifeboat_format_rate (0));
  g_assert_null (lifeboat_format_rate (-1));
  check (lifeboat_format_rate (45200000.7), "45.2\u00a0MB/s");
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

/* the strings lifeboat.json, the history and the CLI use are the enums' nicks, both ways */
static void
test_enum_nicks (void)
{
  static const struct { LifeboatJobKind kind; const char *str; } kinds[] = {
    { LIFEBOAT_JOB_KIND_BACKUP, "backup" },
    { LIFEBOAT_JOB_KIND_RESTORE, "restore" },
    { LIFEBOAT_JOB_KIND_SAFETY_BACKUP, "safety-backup" },
  };
  static const struct { LifeboatJobOutcome outcome; const char *str; } outcomes[] = {
    { LIFEBOAT_JOB_OUTCOME_RUNNING, "running" },
    { LIFEBOAT_JOB_OUTCOME_SUCCEEDED, "succeeded" },
    { LIFEBOAT_JOB_OUTCOME_FAILED, "failed" },
    { LIFEBOAT_JOB_OUTCOME_CANCELLED, "cancelled" },
  };
  LifeboatCompression compression;
  LifeboatJobKind kind;
  LifeboatJobOutcome outcome;
  g_autoptr(LifeboatHistoryEntry) entry = NULL;
  GParamSpec *pspec;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_assert_cmpstr (lifeboat_job_kind_to_string (kinds[i].kind), ==, kinds[i].str);
      g_assert_true (lifeboat_job_kind_from_string (kinds[i].str, &kind));
      g_assert_cmpint (kind, ==, kinds[i].kind);
    }
  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    {
      g_assert_cmpstr (lifeboat_job_outcome_to_string (outcomes[i].outcome), ==, outcomes[i].str);
      g_assert_true (lifeboat_job_outcome_from_string (outcomes[i].str, &outcome));
      g_assert_cmpint (outcome, ==, outcomes[i].outcome);
    }
  g_assert_false (lifeboat_job_kind_from_string ("safety_backup", &kind));
  g_assert_false (lifeboat_job_outcome_from_string (NULL, &outcome));

  g_assert_cmpstr (lifeboat_compression_to_string (LIFEBOAT_COMPRESSION_ZSTD), ==, "zstd");
  g_assert_true (lifeboat_compression_from_string ("none", &compression));
  g_assert_cmpint (compression, ==, LIFEBOAT_COMPRESSION_NONE);
  g_assert_false (lifeboat_compression_from_string ("bzip2", &compression));
  g_assert_cmpint (lifeboat_container_state_from_string ("restarting"), ==,
                   LIFEBOAT_CONTAINER_STATE_RESTARTING);
  g_assert_cmpint (lifeboat_container_state_from_string ("removing"), ==,
                   LIFEBOAT_CONTAINER_STATE_UNKNOWN);

  /* and the properties are enums of these types */
  entry = lifeboat_history_entry_new (LIFEBOAT_JOB_KIND_SAFETY_BACKUP);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (entry), "kind");
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == LIFEBOAT_TYPE_JOB_KIND);
  g_object_get (entry, "kind", &kind, NULL);
  g_assert_cmpint (kind, ==, LIFEBOAT_JOB_KIND_SAFETY_BACKUP);
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
  g_test_add_func ("/lifeboat/types/enum-nicks", test_enum_nicks);

  return g_test_run ();
}
