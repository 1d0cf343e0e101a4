/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one parallel runner (src/engine/lifeboat-parallel.c): the order items are taken in, the
 * first failure cancelling the rest, the error reported, items that take turns */
#define G_LOG_DOMAIN "test-parallel"

#include "config.h"

#include "lifeboat-parallel-private.h"

enum { NO_WAIT, UNTIL_CANCELLED, UNTIL_OTHER };

typedef struct
{
  const char *name;
  int         size;
  const char *key;
  const char *fails;      /* the message it fails with, or NULL */
  int         waits;      /* waits (at most 5 s) for the run to be cancelled (UNTIL_CANCELLED)
                           * or for another item to start (UNTIL_OTHER) */
  GCancellable *cancels;  /* cancels this (the caller's) first */
  guint       worker;     /* out */
  int         started;    /* out: 1, 2, ... in the order started; 0 not run */
} Item;

typedef struct
{
  GMutex  mutex;
  GCond   cond;
  int     n_started;
} Log;

static int
larger_first (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const Item *ia = a, *ib = b;

  return ib->size - ia->size;
}

static const char *
item_key (gpointer item)
{
  return ((Item *) item)->key;
}

static gboolean
run_item (gpointer       data,
          guint          index,
          guint          worker,
          GCancellable  *cancellable,
          gpointer       user_data,
          GError       **error)
{
  Item *item = data;
  Log *log = user_data;
  gint64 end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  if (item->cancels != NULL)
    g_cancellable_cancel (item->cancels);
  g_mutex_lock (&log->mutex);
  item->started = ++log->n_started;
  item->worker = worker;
  g_cond_broadcast (&log->cond);
  while (item->waits != NO_WAIT && !g_cancellable_is_cancelled (cancellable) &&
         (item->waits == UNTIL_CANCELLED || log->n_started == item->started) &&
         g_get_monotonic_time () < end)
    g_cond_wait_until (&log->cond, &log->mutex, MIN (end, g_get_monotonic_time () + 10000));
  g_mutex_unlock (&log->mutex);

  if (item->waits && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (item->fails != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, item->fails);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
items_of (Item *items,
          guint n)
{
  GPtrArray *array = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (array, &items[i]);
  return array;
}

static gboolean
run (Item                  *items,
     guint                  n,
     guint                  n_workers,
     LifeboatParallelFlags  flags,
     gboolean               with_turns,
     GCancellable          *cancellable,
     GError               **error)
{
  g_autoptr(GPtrArray) array = items_of (items, n);
  Log log = { 0 };
  LifeboatParallel how = {
    .thread_name = "test-parallel",
    .n_workers = n_workers,
    .flags = flags,
    .order = larger_first,
    .turns = with_turns ? item_key : NULL,
    .func = run_item,
    .user_data = &log,
  };
  gboolean ok;

  g_mutex_init (&log.mutex);
  g_cond_init (&log.cond);
  ok = _lifeboat_parallel_run (&how, array, cancellable, error);
  g_mutex_clear (&log.mutex);
  g_cond_clear (&log.cond);
  return ok;
}

/* one worker takes them the largest first; equal sizes keep their own order */
static void
test_order (void)
{
  Item items[] = {
    { "a", 1 }, { "b", 5 }, { "c", 3 }, { "d", 5 },
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (run (items, G_N_ELEMENTS (items), 1, 0, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (items[1].started, ==, 1);
  g_assert_cmpint (items[3].started, ==, 2);
  g_assert_cmpint (items[2].started, ==, 3);
  g_assert_cmpint (items[0].started, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    g_assert_cmpuint (items[i].worker, ==, 0);
}

/* the first failure cancels the one running and nothing more is taken; its error is the one
 * reported, not the other's "cancelled" */
static void
test_first_failure_cancels (void)
{
  Item items[] = {
    { "a", 1 },
    { "b", 10, NULL, NULL, UNTIL_CANCELLED },
    { "c", 5, NULL, "c broke" },
    { "d", 3 },
  };
  g_autoptr(GError) error = NULL;

  g_assert_false (run (items, G_N_ELEMENTS (items), 2, 0, FALSE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "c broke");
  g_assert_cmpint (items[1].started, ==, 1);
  g_assert_cmpint (items[2].started, ==, 2);
  g_assert_cmpint (items[0].started, ==, 0);
  g_assert_cmpint (items[3].started, ==, 0);
  g_assert_cmpuint (items[1].worker, !=, items[2].worker);
}

/* keep going: every item is tried, and the failure reported is the first in the items' own
 * order, not the first in time */
static void
test_keep_going (void)
{
  Item items[] = {
    { "a", 1, NULL, "a broke" },
    { "b", 2 },
    { "c", 3, NULL, "c broke" },
  };
  g_autoptr(GError) error = NULL;

  g_assert_false (run (items, G_N_ELEMENTS (items), 1, LIFEBOAT_PARALLEL_KEEP_GOING, FALSE, NULL,
                       &error));
  g_assert_cmpstr (error->message, ==, "a broke");
  g_assert_cmpint (items[2].started, ==, 1);
  g_assert_cmpint (items[1].started, ==, 2);
  g_assert_cmpint (items[0].started, ==, 3);
}

/* the caller cancelled: the result says so, whatever the items failed with, and nothing more
 * is taken (also when keeping going); a run cancelled before it took everything fails */
static void
test_caller_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Item items[] = {
    { "a", 1 },
    { "b", 2, NULL, "b broke", NO_WAIT, cancellable },
  };
  g_autoptr(GError) error = NULL;

  g_assert_false (run (items, G_N_ELEMENTS (items), 1, LIFEBOAT_PARALLEL_KEEP_GOING, FALSE,
                       cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (items[1].started, ==, 1);
  g_assert_cmpint (items[0].started, ==, 0);
  g_clear_error (&error);

  /* cancelled before: nothing runs, and that is not a success */
  items[1].started = 0;
  g_assert_false (run (items, G_N_ELEMENTS (items), 2, 0, FALSE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (items[0].started + items[1].started, ==, 0);
  g_clear_error (&error);

  /* no items: nothing to do */
  g_assert_true (run (items, 0, 2, 0, FALSE, cancellable, &error));
  g_assert_no_error (error);
}

/* items with one key take turns: while the largest of key x runs, the other worker takes the
 * item of key y, not the next of key x */
static void
test_turns (void)
{
  Item items[] = {
    { "x1", 3, "x", NULL, UNTIL_OTHER },
    { "x2", 2, "x" },
    { "y1", 1, "y" },
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (run (items, G_N_ELEMENTS (items), 2, 0, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (items[0].started, ==, 1);
  g_assert_cmpint (items[2].started, ==, 2);
  g_assert_cmpint (items[1].started, ==, 3);

  /* without turns, the order alone */
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    items[i].started = 0;
  g_assert_true (run (items, G_N_ELEMENTS (items), 2, 0, FALSE, NULL, &error));
  g_assert_cmpint (items[0].started, ==, 1);
  g_assert_cmpint (items[1].started, ==, 2);
  g_assert_cmpint (items[2].started, ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lifeboat/parallel/order", test_order);
  g_test_add_func ("/lifeboat/parallel/first-failure-cancels", test_first_failure_cancels);
  g_test_add_func ("/lifeboat/parallel/keep-going", test_keep_going);
  g_test_add_func ("/lifeboat/parallel/caller-cancelled", test_caller_cancelled);
  g_test_add_func ("/lifeboat/parallel/turns", test_turns);

  return g_test_run ();
}
