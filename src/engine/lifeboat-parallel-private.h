/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * One way to run a list of items on a few threads (lifeboat-parallel.c): a backup's volumes, a
 * restore's archive check and PUTs, a wave of container starts or stops.
 *
 * @n_workers threads (the caller's own thread is one of them) take the items in @order (the
 * largest first, where the caller says so); the first failure cancels the run's cancellable,
 * which the others' calls get, and no item is taken after it, unless
 * LIFEBOAT_PARALLEL_KEEP_GOING (then every item is tried). The caller's cancellable cancels the
 * run's too. The result is the first failure in the items' own order (not the order they ran
 * in), a real one before a "cancelled" it caused; when the caller cancelled, "cancelled".
 */

typedef enum
{
  LIFEBOAT_PARALLEL_NONE       = 0,
  /* a failure neither cancels nor stops the others: every item is tried */
  LIFEBOAT_PARALLEL_KEEP_GOING = 1 << 0,
} LifeboatParallelFlags;

/* Runs @item, the @index-th of the caller's items, on worker @worker (0 .. n_workers - 1, so
 * that a worker can have resources of its own). @cancellable is the run's. */
typedef gboolean (*LifeboatParallelFunc) (gpointer       item,
                                          guint          index,
                                          guint          worker,
                                          GCancellable  *cancellable,
                                          gpointer       user_data,
                                          GError       **error);

typedef struct
{
  const char            *thread_name;
  guint                  n_workers;   /* at most this many; never more than there are items */
  LifeboatParallelFlags  flags;
  /* the order the items are taken in, called with two items; NULL or equal: the items' own */
  GCompareDataFunc       order;
  /* items with the same key take turns: a free worker takes the first item left whose key no
   * running item has, else the first left. NULL: no keys */
  const char          *(*turns) (gpointer item);
  LifeboatParallelFunc   func;
  gpointer               user_data;   /* for @order and @func */
} LifeboatParallel;

gboolean _lifeboat_parallel_run (const LifeboatParallel  *how,
                                 GPtrArray               *items,
                                 GCancellable            *cancellable,
                                 GError                 **error);

G_END_DECLS
