/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-parallel"

#include "config.h"

#include "lifeboat-parallel-private.h"
#include "lifeboat-util-private.h"

typedef struct
{
  const LifeboatParallel *how;
  GPtrArray              *items;
  guint                  *order;         /* indices into items, in the order they are taken */
  gboolean               *taken;         /* by index; under mutex */
  gboolean               *running;       /* by index; under mutex */
  GError                **errors;        /* by index; under mutex */
  GCancellable           *cancellable;   /* the run's */
  GMutex                  mutex;
} Run;

typedef struct
{
  Run   *run;
  guint  worker;
} Worker;

static int
compare_indices (gconstpointer a,
                 gconstpointer b,
                 gpointer      data)
{
  Run *run = data;

  return run->how->order (g_ptr_array_index (run->items, *(const guint *) a),
                          g_ptr_array_index (run->items, *(const guint *) b),
                          run->how->user_data);
}

/* Under the mutex */
static gboolean
key_running (Run        *run,
             const char *key)
{
  for (guint i = 0; i < run->items->len; i++)
    if (run->running[i] &&
        g_strcmp0 (run->how->turns (g_ptr_array_index (run->items, i)), key) == 0)
      return TRUE;
  return FALSE;
}

/* Under the mutex: the index of the next item, or -1 when there is none to take */
static int
take (Run *run)
{
  int first = -1;

  if (g_cancellable_is_cancelled (run->cancellable))
    return -1;
  for (guint k = 0; k < run->items->len; k++)
    {
      guint i = run->order[k];
      const char *key;

      if (run->taken[i])
        continue;
      if (first < 0)
        first = (int) i;
      if (run->how->turns == NULL)
        break;
      key = run->how->turns (g_ptr_array_index (run->items, i));
      if (key == NULL || !key_running (run, key))
        {
          first = (int) i;
          break;
        }
    }
  if (first >= 0)
    run->taken[first] = run->running[first] = TRUE;
  return first;
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  Run *run = worker->run;
  const LifeboatParallel *how = run->how;

  for (;;)
    {
      GError *error = NULL;
      gboolean ok;
      int i;

      g_mutex_lock (&run->mutex);
      i = take (run);
      g_mutex_unlock (&run->mutex);
      if (i < 0)
        return NULL;

      ok = how->func (g_ptr_array_index (run->items, i), (guint) i, worker->worker,
                      run->cancellable, how->user_data, &error);
      g_assert (ok == (error == NULL));

      g_mutex_lock (&run->mutex);
      run->running[i] = FALSE;
      run->errors[i] = error;
      g_mutex_unlock (&run->mutex);
      if (!ok && !(how->flags & LIFEBOAT_PARALLEL_KEEP_GOING))
        g_cancellable_cancel (run->cancellable);
    }
}

gboolean
_lifeboat_parallel_run (const LifeboatParallel  *how,
                        GPtrArray               *items,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  g_autoptr(GCancellable) own = g_cancellable_new ();
  g_autofree Worker *workers = NULL;
  g_autofree GThread **threads = NULL;
  Run run = { how, items };
  guint n = MIN (MAX (how->n_workers, 1), items->len);
  GError *first = NULL;
  gulong cancel_id = 0;

  g_assert (how->func != NULL);
  if (items->len == 0)
    return TRUE;

  run.order = g_new (guint, items->len);
  for (guint i = 0; i < items->len; i++)
    run.order[i] = i;
  /* stable: items the order finds equal keep their own order */
  if (how->order != NULL)
    g_qsort_with_data (run.order, items->len, sizeof (guint), compare_indices, &run);
  run.taken = g_new0 (gboolean, items->len);
  run.running = g_new0 (gboolean, items->len);
  run.errors = g_new0 (GError *, items->len);
  run.cancellable = own;
  g_mutex_init (&run.mutex);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (_lifeboat_cancel_other), own, NULL);

  workers = g_new0 (Worker, n);
  threads = g_new0 (GThread *, n);
  for (guint w = 0; w < n; w++)
    {
      workers[w].run = &run;
      workers[w].worker = w;
    }
  /* the caller's thread is worker 0 */
  for (guint w = 1; w < n; w++)
    threads[w] = g_thread_new (how->thread_name, worker_thread, &workers[w]);
  worker_thread (&workers[0]);
  for (guint w = 1; w < n; w++)
    g_thread_join (threads[w]);

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  /* the first failure in the items' order, a real one before a cancellation it caused */
  for (guint i = 0; i < items->len; i++)
    {
      if (run.errors[i] == NULL)
        continue;
      if (first == NULL ||
          (g_error_matches (first, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           !g_error_matches (run.errors[i], G_IO_ERROR, G_IO_ERROR_CANCELLED)))
        {
          g_clear_error (&first);
          first = g_steal_pointer (&run.errors[i]);
        }
      else
        g_clear_error (&run.errors[i]);
    }

  /* cancelled before every item was taken: not a success */
  for (guint i = 0; first == NULL && i < items->len; i++)
    if (!run.taken[i])
      g_cancellable_set_error_if_cancelled (own, &first);

  g_mutex_clear (&run.mutex);
  g_free (run.order);
  g_free (run.taken);
  g_free (run.running);
  g_free (run.errors);

  if (first == NULL)
    return TRUE;
  /* the user cancelled: say so, not what the cancellation broke */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    g_clear_error (&first);
  else
    g_propagate_error (error, first);
  return FALSE;
}
