/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lifeboat-job-lock-private.h"
#include "lifeboat-recovery-private.h"

/* A journal as read back from the engine: entries from "step[:member=value,...]" strings. */
static LifeboatJournal *
journal_new (const char * const *steps)
{
  LifeboatJournal *j = g_new0 (LifeboatJournal, 1);

  j->job = g_strdup ("test-job");
  j->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  for (guint i = 0; steps[i]; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_data (parser, steps[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (j->entries, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return j;
}

#define BEGIN_RESTORE "{\"step\":\"begin\",\"time\":\"2026-12-06T14:02:11Z\",\"kind\":\"restore\",\"user\":\"alice\",\"host\":\"desk\",\"pid\":42}"
#define BEGIN_BACKUP  "{\"step\":\"begin\",\"time\":\"2026-12-06T03:00:00Z\",\"kind\":\"backup\",\"user\":\"cron\",\"host\":\"srv\",\"pid\":7}"
#define POLICIES "{\"step\":\"policies\",\"containers\":[{\"id\":\"1\",\"name\":\"cvat_db\",\"policy\":{\"Name\":\"always\"}}]}"
#define STOPPING "{\"step\":\"stopping\",\"containers\":[\"cvat_db\",\"cvat_server\"],\"outsiders\":[]}"
#define ASIDE "{\"step\":\"aside\",\"aside\":\".lifeboat-restore-0123456789abcdef\",\"volumes\":[]}"

static void
test_describe_restore_back (void)
{
  const char *steps[] = { BEGIN_RESTORE, POLICIES, STOPPING, ASIDE, "{\"step\":\"writing\"}", NULL };
  g_autoptr(LifeboatJournal) j = journal_new (steps);
  g_autofree char *text = _lifeboat_recovery_describe (j);

  g_assert_false (_lifeboat_journal_is_finished (j));
  g_assert_nonnull (strstr (text, "An interrupted restore"));
  g_assert_nonnull (strstr (text, "alice on desk"));
  g_assert_nonnull (strstr (text, "move the previous contents back"));
  g_assert_nonnull (strstr (text, ".lifeboat-restore-0123456789abcdef"));
  g_assert_nonnull (strstr (text, "start cvat_db and cvat_server again"));
  g_assert_nonnull (strstr (text, "restart policies of cvat_db"));
  g_assert_null (strstr (text, "keep the restored contents"));
}

static void
test_describe_restore_forward (void)
{
  const char *steps[] = { BEGIN_RESTORE, STOPPING, ASIDE, "{\"step\":\"writing\"}",
                          "{\"step\":\"written-all\"}", "{\"step\":\"starting\"}", NULL };
  g_autoptr(LifeboatJournal) j = journal_new (steps);
  g_autofree char *text = _lifeboat_recovery_describe (j);

  g_assert_nonnull (strstr (text, "keep the restored contents"));
  g_assert_null (strstr (text, "move the previous contents back"));
}

static void
test_describe_rolling_back (void)
{
  /* a rollback that was itself interrupted goes on backwards, even after "written-all" */
  const char *steps[] = { BEGIN_RESTORE, STOPPING, ASIDE, "{\"step\":\"writing\"}",
                          "{\"step\":\"written-all\"}", "{\"step\":\"stopping-again\"}",
                          "{\"step\":\"rolling-back\"}", NULL };
  g_autoptr(LifeboatJournal) j = journal_new (steps);
  g_autofree char *text = _lifeboat_recovery_describe (j);

  g_assert_nonnull (strstr (text, "move the previous contents back"));
}

static void
test_describe_backup (void)
{
  const char *steps[] = { BEGIN_BACKUP, STOPPING,
                          "{\"step\":\"partial\",\"path\":\"/srv/b/cvat-20261206-030000.partial\"}",
                          NULL };
  g_autoptr(LifeboatJournal) j = journal_new (steps);
  g_autofree char *text = _lifeboat_recovery_describe (j);

  g_assert_nonnull (strstr (text, "An interrupted backup"));
  g_assert_nonnull (strstr (text, "remove the unfinished backup folder /srv/b/cvat-20261206-030000.partial (on srv)"));
  g_assert_nonnull (strstr (text, "start cvat_db and cvat_server again"));
}

static void
test_finished (void)
{
  const char *steps[] = { BEGIN_BACKUP, "{\"step\":\"end\",\"outcome\":\"succeeded\"}", NULL };
  g_autoptr(LifeboatJournal) j = journal_new (steps);

  g_assert_true (_lifeboat_journal_is_finished (j));
  g_assert_cmpstr (_lifeboat_journal_get_begin (j, "host"), ==, "srv");
  g_assert_null (_lifeboat_journal_find (j, "stopping"));
}

static void
test_owner_describe (void)
{
  LifeboatLockOwner owner = { 0 };
  g_autofree char *text = NULL;

  owner.kind = (char *) "restore";
  owner.user = (char *) "alice";
  owner.host = (char *) "desk";
  owner.program = (char *) "lifeboat-cli";
  owner.pid = 1234;
  owner.since = (char *) "2026-12-06T14:02:11Z";
  text = _lifeboat_lock_owner_describe (&owner);
  g_assert_nonnull (strstr (text, "a restore by alice on desk (lifeboat-cli, process 1234) since 2026-12-06"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lifeboat/journal/describe/restore-back", test_describe_restore_back);
  g_test_add_func ("/lifeboat/journal/describe/restore-forward", test_describe_restore_forward);
  g_test_add_func ("/lifeboat/journal/describe/rolling-back", test_describe_rolling_back);
  g_test_add_func ("/lifeboat/journal/describe/backup", test_describe_backup);
  g_test_add_func ("/lifeboat/journal/finished", test_finished);
  g_test_add_func ("/lifeboat/journal/owner", test_owner_describe);
  return g_test_run ();
}
