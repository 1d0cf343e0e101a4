/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A job's state (phase, volumes, bytes, rate, outcome, aftermath) read by the window and the
 * CLI, its history record, and running it in a thread of its own or in a worker process (the
 * protocol and both of its sides: lifeboat-job-worker.c; the state a worker sends as JSON:
 * here, beside the state itself). Longer than most files (about 1.4k lines) because the
 * volumes' progress, its rate and the main-context hand-over of "progress" are one piece of
 * state under one mutex.
 */
#define G_LOG_DOMAIN "lifeboat-job"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lifeboat-error.h"
#include "lifeboat-job-lock-private.h"
#include "lifeboat-job-private.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-ssh-tunnel.h"
#include "lifeboat-util-private.h"

#define N_RATE_SAMPLES   32
#define RATE_WINDOW_USEC (5 * G_USEC_PER_SEC)
#define PROGRESS_INTERVAL_MS 100

typedef struct
{
  gint64  time;
  guint64 bytes;
} RateSample;

typedef struct
{
  LifeboatDockerClient *client;
  LifeboatHistory      *history;
  GMainContext         *context;
  GCancellable         *cancellable;

  GMutex                mutex;
  LifeboatJobKind       kind;
  char                 *project_name;
  LifeboatJobPhase      phase;
  LifeboatJobOutcome    outcome;
  GError               *error;
  GFile                *folder;
  char                 *aftermath;
  char                 *app_version;
  guint64               result_bytes;
  char                **volume_keys;
  guint64              *volume_done;
  gboolean             *volume_active;   /* being transferred (several at a time) */
  gint64               *volume_total;
  gboolean             *volume_exact;    /* its total is what was transferred, not an estimate */
  guint                 n_volumes;
  int                   current_volume;
  gint64                started;
  gint64                ended;
  RateSample            samples[N_RATE_SAMPLES];
  guint                 n_samples;
  guint                 sample_pos;

  GSource              *progress_source;   /* owned by context, guarded by mutex */
  gboolean              phase_changed;
  gboolean              outcome_changed;
  gboolean              background;
  char                 *worker;            /* lifeboat-cli, see lifeboat_job_set_worker() */
  gint                  records_history;   /* atomic */
  gint                  in_worker;         /* atomic: _lifeboat_job_run_in_worker() began */
} LifeboatJobPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LifeboatJob, lifeboat_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_KIND,
  PROP_PHASE,
  PROP_OUTCOME,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
lifeboat_job_dispose (GObject *object)
{
  LifeboatJob *self = (LifeboatJob *) object;
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  if (priv->progress_source != NULL)
    {
      g_source_destroy (priv->progress_source);
      g_clear_pointer (&priv->progress_source, g_source_unref);
    }
  g_mutex_unlock (&priv->mutex);

  g_clear_object (&priv->client);
  g_clear_object (&priv->history);
  g_clear_object (&priv->cancellable);
  g_clear_object (&priv->folder);

  G_OBJECT_CLASS (lifeboat_job_parent_class)->dispose (object);
}

static void
lifeboat_job_finalize (GObject *object)
{
  LifeboatJob *self = (LifeboatJob *) object;
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_clear_pointer (&priv->context, g_main_context_unref);
  g_clear_pointer (&priv->project_name, g_free);
  g_clear_pointer (&priv->aftermath, g_free);
  g_clear_pointer (&priv->app_version, g_free);
  g_clear_pointer (&priv->worker, g_free);
  g_clear_pointer (&priv->volume_keys, g_strfreev);
  g_clear_pointer (&priv->volume_done, g_free);
  g_clear_pointer (&priv->volume_active, g_free);
  g_clear_pointer (&priv->volume_total, g_free);
  g_clear_pointer (&priv->volume_exact, g_free);
  g_clear_error (&priv->error);
  g_mutex_clear (&priv->mutex);

  G_OBJECT_CLASS (lifeboat_job_parent_class)->finalize (object);
}

static void
lifeboat_job_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LifeboatJob *self = LIFEBOAT_JOB (object);
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, priv->client);
      break;
    case PROP_KIND:
      g_value_set_enum (value, priv->kind);
      break;
    case PROP_PHASE:
      g_value_set_enum (value, lifeboat_job_get_phase (self));
      break;
    case PROP_OUTCOME:
      g_value_set_enum (value, lifeboat_job_get_outcome (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_job_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LifeboatJob *self = LIFEBOAT_JOB (object);
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_CLIENT:
      priv->client = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_job_class_init (LifeboatJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lifeboat_job_dispose;
  object_class->finalize = lifeboat_job_finalize;
  object_class->get_property = lifeboat_job_get_property;
  object_class->set_property = lifeboat_job_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, LIFEBOAT_TYPE_DOCKER_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, LIFEBOAT_TYPE_JOB_KIND, LIFEBOAT_JOB_KIND_BACKUP,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, LIFEBOAT_TYPE_JOB_PHASE,
                       LIFEBOAT_JOB_PHASE_PREPARING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTCOME] =
    g_param_spec_enum ("outcome", NULL, NULL, LIFEBOAT_TYPE_JOB_OUTCOME,
                       LIFEBOAT_JOB_OUTCOME_RUNNING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LifeboatJob::progress:
   *
   * Emitted on the job's main context, at most about ten times a second, when bytes,
   * phase or current volume changed.
   */
  signals[PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lifeboat_job_init (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_init (&priv->mutex);
  priv->context = g_main_context_ref_thread_default ();
  priv->current_volume = -1;
  priv->outcome = LIFEBOAT_JOB_OUTCOME_RUNNING;
  priv->records_history = TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Progress reaches the owner's main context through a throttled source */

static gboolean
emit_progress (gpointer data)
{
  LifeboatJob *self = data;
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  gboolean phase_changed, outcome_changed;

  g_mutex_lock (&priv->mutex);
  g_clear_pointer (&priv->progress_source, g_source_unref);
  phase_changed = priv->phase_changed;
  outcome_changed = priv->outcome_changed;
  priv->phase_changed = priv->outcome_changed = FALSE;
  g_mutex_unlock (&priv->mutex);

  if (phase_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
  if (outcome_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTCOME]);
  g_signal_emit (self, signals[PROGRESS], 0);

  return G_SOURCE_REMOVE;
}

/* with the mutex held */
static void
schedule_progress_locked (LifeboatJob *self,
                          gboolean     now)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  GSource *source;

  if (priv->progress_source != NULL)
    {
      if (!now)
        return;
      g_source_destroy (priv->progress_source);
      g_clear_pointer (&priv->progress_source, g_source_unref);
    }

  source = now ? g_idle_source_new () : g_timeout_source_new (PROGRESS_INTERVAL_MS);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_progress, g_object_ref (self), g_object_unref);
  g_source_attach (source, priv->context);
  priv->progress_source = source;
}

static void
add_rate_sample_locked (LifeboatJobPrivate *priv)
{
  guint64 total = 0;
  gint64 now = g_get_monotonic_time ();
  guint last = (priv->sample_pos + N_RATE_SAMPLES - 1) % N_RATE_SAMPLES;

  for (guint i = 0; i < priv->n_volumes; i++)
    total += priv->volume_done[i];

  /* at most one sample every 100 ms */
  if (priv->n_samples > 0 && now - priv->samples[last].time < 100 * 1000)
    {
      priv->samples[last].bytes = total;
      return;
    }

  priv->samples[priv->sample_pos].time = now;
  priv->samples[priv->sample_pos].bytes = total;
  priv->sample_pos = (priv->sample_pos + 1) % N_RATE_SAMPLES;
  priv->n_samples = MIN (priv->n_samples + 1, N_RATE_SAMPLES);
}

void
_lifeboat_job_set_kind (LifeboatJob     *self,
                        LifeboatJobKind  kind)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  priv->kind = kind;
}

void
_lifeboat_job_set_project_name (LifeboatJob *self,
                                const char  *name)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  _lifeboat_set_str (&priv->project_name, name);
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_phase (LifeboatJob      *self,
                         LifeboatJobPhase  phase)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  if (priv->phase != phase)
    {
      priv->phase = phase;
      priv->phase_changed = TRUE;
      for (guint i = 0; i < priv->n_volumes; i++)
        priv->volume_active[i] = FALSE;
      schedule_progress_locked (self, TRUE);
    }
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_volumes (LifeboatJob        *self,
                           const char * const *keys,
                           const gint64       *totals)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  guint n = keys ? g_strv_length ((char **) keys) : 0;

  g_mutex_lock (&priv->mutex);
  /* the same volumes with new totals, counted from zero again (a restore counts the archives'
   * bytes while it checks them, then the volumes' while it writes them): keep the keys, which
   * the owner's thread may hold from get_volume_keys() */
  if (priv->volume_keys != NULL && keys != NULL &&
      g_strv_equal ((const char * const *) priv->volume_keys, keys))
    {
      for (guint i = 0; i < n; i++)
        {
          priv->volume_total[i] = totals ? totals[i] : -1;
          priv->volume_done[i] = 0;
          priv->volume_active[i] = FALSE;
          priv->volume_exact[i] = FALSE;
        }
      priv->current_volume = -1;
      priv->n_samples = 0;
      schedule_progress_locked (self, TRUE);
      g_mutex_unlock (&priv->mutex);
      return;
    }
  g_strfreev (priv->volume_keys);
  priv->volume_keys = g_strdupv ((char **) keys);
  g_free (priv->volume_done);
  g_free (priv->volume_total);
  g_free (priv->volume_active);
  g_free (priv->volume_exact);
  priv->volume_exact = g_new0 (gboolean, n);
  priv->volume_done = g_new0 (guint64, n);
  priv->volume_total = g_new0 (gint64, n);
  priv->volume_active = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    priv->volume_total[i] = totals ? totals[i] : -1;
  priv->n_volumes = n;
  priv->current_volume = -1;
  priv->n_samples = 0;
  schedule_progress_locked (self, TRUE);
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_current_volume (LifeboatJob *self,
                                  int          index)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  priv->current_volume = index;
  if ((priv->phase == LIFEBOAT_JOB_PHASE_TRANSFERRING ||
       priv->phase == LIFEBOAT_JOB_PHASE_CHECKING) && index >= 0 &&
      (guint) index < priv->n_volumes)
    priv->volume_active[index] = TRUE;
  priv->phase_changed = TRUE;
  schedule_progress_locked (self, TRUE);
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_volume_bytes_done (LifeboatJob *self,
                                     guint        index,
                                     guint64      done)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  if (index < priv->n_volumes)
    {
      priv->volume_done[index] = done;
      add_rate_sample_locked (priv);
      schedule_progress_locked (self, FALSE);
    }
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_volume_progress (guint64  bytes,
                               gpointer volume_progress)
{
  LifeboatVolumeProgress *progress = volume_progress;

  _lifeboat_job_set_volume_bytes_done (progress->job, progress->index, bytes);
  /* the fault-injection tests (LIFEBOAT_TEST_PAUSE_AT=volume-streaming) stop a job here, a
   * volume's stream open with a megabyte of it read: test-window restarts the engine there */
  if (bytes >= 1024 * 1024)
    _lifeboat_test_point ("volume-streaming");
}

void
_lifeboat_job_finish_volume (LifeboatJob *self,
                             guint        index)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  if (index < priv->n_volumes)
    {
      priv->volume_active[index] = FALSE;
      priv->volume_total[index] = priv->volume_done[index];
      priv->volume_exact[index] = TRUE;
      schedule_progress_locked (self, FALSE);
    }
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_folder (LifeboatJob *self,
                          GFile       *folder)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  g_set_object (&priv->folder, folder);
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_aftermath (LifeboatJob *self,
                             const char  *aftermath)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  _lifeboat_set_str (&priv->aftermath, aftermath);
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_app_version (LifeboatJob *self,
                               const char  *version)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  _lifeboat_set_str (&priv->app_version, version);
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_result_bytes (LifeboatJob *self,
                                guint64      bytes)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_mutex_lock (&priv->mutex);
  priv->result_bytes = bytes;
  g_mutex_unlock (&priv->mutex);
}

void
_lifeboat_job_set_history (LifeboatJob     *self,
                           LifeboatHistory *history)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_set_object (&priv->history, history);
}

LifeboatHistory *
_lifeboat_job_get_history (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  if (priv->history == NULL)
    priv->history = g_object_ref (lifeboat_history_get_default ());
  return priv->history;
}

/* ---------------------------------------------------------------------------------------- */
/* Getters (any thread) */

#define WITH_LOCK(priv, expr) \
  G_STMT_START { g_mutex_lock (&(priv)->mutex); expr; g_mutex_unlock (&(priv)->mutex); } G_STMT_END

LifeboatJobKind
lifeboat_job_get_kind (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0);
  return priv->kind;
}

LifeboatDockerClient *
lifeboat_job_get_client (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);
  return priv->client;
}

const char *
lifeboat_job_get_project_name (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);
  return priv->project_name;
}

LifeboatJobPhase
lifeboat_job_get_phase (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  LifeboatJobPhase phase;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0);
  WITH_LOCK (priv, phase = priv->phase);
  return phase;
}

char *
lifeboat_job_dup_phase_label (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  g_autofree char *key = NULL;
  g_autofree char *other = NULL;   /* a second volume being transferred at the same time */
  LifeboatJobPhase phase;
  LifeboatJobOutcome outcome;
  int current;
  guint n;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);

  g_mutex_lock (&priv->mutex);
  phase = priv->phase;
  outcome = priv->outcome;
  current = priv->current_volume;
  n = priv->n_volumes;
  if (current >= 0 && (guint) current < n)
    key = g_strdup (priv->volume_keys[current]);
  for (guint i = 0; i < n && other == NULL; i++)
    if (priv->volume_active[i] && (int) i != current)
      other = g_strdup (priv->volume_keys[i]);
  g_mutex_unlock (&priv->mutex);

  switch (phase)
    {
    case LIFEBOAT_JOB_PHASE_PREPARING:
      return g_strdup (_("Preparing"));
    case LIFEBOAT_JOB_PHASE_CHECKING:
      if (key != NULL && other != NULL)
        /* Translators: two volumes like cvat_data and cvat_db, their archives read at once */
        return g_strdup_printf (_("Checking the archives of %s and %s"), other, key);
      if (key != NULL)
        /* Translators: %u of %u volumes, %s is a volume like cvat_db */
        return g_strdup_printf (_("Checking archive %u of %u: %s"), current + 1, n, key);
      return g_strdup (_("Checking the backup"));
    case LIFEBOAT_JOB_PHASE_STOPPING:
      return g_strdup (_("Stopping containers"));
    case LIFEBOAT_JOB_PHASE_SAFETY_BACKUP:
      return g_strdup (_("Keeping a safety copy of the volumes"));
    case LIFEBOAT_JOB_PHASE_TRANSFERRING:
      if (key != NULL && other != NULL)
        /* Translators: two volumes like cvat_data and cvat_db, transferred at the same time */
        return g_strdup_printf (_("Volumes %s and %s"), other, key);
      if (key != NULL)
        /* Translators: %u of %u volumes, %s is a volume like cvat_db */
        return g_strdup_printf (_("Volume %u of %u: %s"), current + 1, n, key);
      return g_strdup (_("Transferring"));
    case LIFEBOAT_JOB_PHASE_SYNCING:
      return g_strdup (_("Syncing to disk"));
    case LIFEBOAT_JOB_PHASE_STARTING:
      return g_strdup (_("Starting containers"));
    case LIFEBOAT_JOB_PHASE_ROLLING_BACK:
      return g_strdup (_("Putting the volumes back as they were"));
    case LIFEBOAT_JOB_PHASE_FINISHED:
    default:
      switch (outcome)
        {
        case LIFEBOAT_JOB_OUTCOME_SUCCEEDED:
          return g_strdup (_("Done"));
        case LIFEBOAT_JOB_OUTCOME_CANCELLED:
          return g_strdup (_("Cancelled"));
        case LIFEBOAT_JOB_OUTCOME_FAILED:
          return g_strdup (_("Failed"));
        case LIFEBOAT_JOB_OUTCOME_RUNNING:
        default:
          return g_strdup (_("Finishing"));
        }
    }
}

LifeboatJobOutcome
lifeboat_job_get_outcome (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  LifeboatJobOutcome outcome;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0);
  WITH_LOCK (priv, outcome = priv->outcome);
  return outcome;
}

const GError *
lifeboat_job_get_error (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);
  return priv->error;
}

GFile *
lifeboat_job_get_folder (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);
  return priv->folder;
}

const char * const *
lifeboat_job_get_volume_keys (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);
  return (const char * const *) priv->volume_keys;
}

guint
lifeboat_job_get_n_volumes (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  guint n;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0);
  WITH_LOCK (priv, n = priv->n_volumes);
  return n;
}

int
lifeboat_job_get_current_volume (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  int current;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), -1);
  WITH_LOCK (priv, current = priv->current_volume);
  return current;
}

/* with the lock: a backup's volume total is its size on the engine until the volume was read,
 * then what its tar stream held (headers, padding: 112 bytes of files can be 10 kB of tar) */
static gboolean
estimate_locked (LifeboatJobPrivate *priv,
                 guint               index)
{
  return (priv->kind == LIFEBOAT_JOB_KIND_BACKUP ||
          priv->kind == LIFEBOAT_JOB_KIND_SAFETY_BACKUP) &&
         !priv->volume_exact[index] && priv->volume_total[index] >= 0;
}

/* with the lock: one total for the user, never below what is done, so that neither the numbers
 * nor the bar go backwards when the estimate was short */
static gint64
volume_total_locked (LifeboatJobPrivate *priv,
                     guint               index)
{
  if (priv->volume_total[index] < 0)
    return -1;
  return MAX (priv->volume_total[index], (gint64) priv->volume_done[index]);
}

guint64
lifeboat_job_get_volume_bytes_done (LifeboatJob *self,
                                    guint        index)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  guint64 done = 0;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0);
  WITH_LOCK (priv, if (index < priv->n_volumes) done = priv->volume_done[index]);
  return done;
}

gint64
lifeboat_job_get_volume_bytes_total (LifeboatJob *self,
                                     guint        index)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  gint64 total = -1;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), -1);
  WITH_LOCK (priv, if (index < priv->n_volumes) total = volume_total_locked (priv, index));
  return total;
}

gboolean
lifeboat_job_get_volume_total_is_estimate (LifeboatJob *self,
                                           guint        index)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  gboolean estimate = FALSE;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), FALSE);
  WITH_LOCK (priv, if (index < priv->n_volumes) estimate = estimate_locked (priv, index));
  return estimate;
}

gboolean
lifeboat_job_get_total_is_estimate (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  gboolean estimate = FALSE;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), FALSE);
  g_mutex_lock (&priv->mutex);
  for (guint i = 0; i < priv->n_volumes && !estimate; i++)
    estimate = estimate_locked (priv, i);
  g_mutex_unlock (&priv->mutex);
  return estimate;
}

guint64
lifeboat_job_get_bytes_done (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  guint64 done = 0;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0);
  g_mutex_lock (&priv->mutex);
  for (guint i = 0; i < priv->n_volumes; i++)
    done += priv->volume_done[i];
  g_mutex_unlock (&priv->mutex);
  return done;
}

/* with the lock: the total, where a volume done beyond its estimate counts as done */
static gint64
bytes_total_locked (LifeboatJobPrivate *priv)
{
  gint64 total = 0;

  for (guint i = 0; i < priv->n_volumes; i++)
    {
      if (priv->volume_total[i] < 0)
        return -1;
      total += MAX ((guint64) priv->volume_total[i], priv->volume_done[i]);
    }
  return total;
}

gint64
lifeboat_job_get_bytes_total (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  gint64 total;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), -1);
  WITH_LOCK (priv, total = bytes_total_locked (priv));
  return total;
}

double
lifeboat_job_get_fraction (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  guint64 done = 0;
  gint64 total;
  double fraction;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0.0);

  g_mutex_lock (&priv->mutex);
  if (priv->outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED)
    fraction = 1.0;
  else
    {
      for (guint i = 0; i < priv->n_volumes; i++)
        done += priv->volume_done[i];
      total = bytes_total_locked (priv);
      if (total > 0)
        fraction = (double) done / (double) total;
      else if (priv->n_volumes > 0 && priv->current_volume >= 0)
        fraction = (double) priv->current_volume / priv->n_volumes;
      else
        fraction = 0.0;
      /* a volume still read past its estimate: the bar is not full until the job is done */
      for (guint i = 0; i < priv->n_volumes; i++)
        if (estimate_locked (priv, i))
          fraction = MIN (fraction, 0.99);
    }
  g_mutex_unlock (&priv->mutex);

  return CLAMP (fraction, 0.0, 1.0);
}

double
lifeboat_job_get_fraction_for_volume (LifeboatJob *self,
                                      guint        index)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  double fraction = 0.0;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0.0);

  g_mutex_lock (&priv->mutex);
  if (index < priv->n_volumes)
    {
      gint64 total = volume_total_locked (priv, index);

      if (total > 0)
        fraction = (double) priv->volume_done[index] / (double) total;
      /* past its estimate and not read to its end yet: not full */
      if (total > 0 && estimate_locked (priv, index))
        fraction = MIN (fraction, 0.99);
      else if (total <= 0 &&
               ((priv->current_volume >= 0 && index < (guint) priv->current_volume) ||
                priv->outcome == LIFEBOAT_JOB_OUTCOME_SUCCEEDED))
        fraction = 1.0;
    }
  g_mutex_unlock (&priv->mutex);

  return CLAMP (fraction, 0.0, 1.0);
}

static double
rate_locked (LifeboatJobPrivate *priv)
{
  gint64 now = g_get_monotonic_time ();
  guint newest, oldest = 0;
  gboolean found = FALSE;

  if (priv->n_samples < 2)
    return 0.0;

  newest = (priv->sample_pos + N_RATE_SAMPLES - 1) % N_RATE_SAMPLES;
  for (guint k = 0; k < priv->n_samples; k++)
    {
      guint i = (priv->sample_pos + N_RATE_SAMPLES - priv->n_samples + k) % N_RATE_SAMPLES;

      if (now - priv->samples[i].time <= RATE_WINDOW_USEC && i != newest)
        {
          oldest = i;
          found = TRUE;
          break;
        }
    }

  if (!found || priv->samples[newest].time <= priv->samples[oldest].time)
    return 0.0;

  return (double) (priv->samples[newest].bytes - priv->samples[oldest].bytes) * G_USEC_PER_SEC /
         (double) (priv->samples[newest].time - priv->samples[oldest].time);
}

double
lifeboat_job_get_rate (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  double rate;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0.0);
  WITH_LOCK (priv, rate = rate_locked (priv));
  return rate;
}

gint64
lifeboat_job_get_seconds_left (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  gint64 left = -1;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), -1);

  g_mutex_lock (&priv->mutex);
  {
    double rate = rate_locked (priv);
    gint64 total = bytes_total_locked (priv);
    guint64 done = 0;

    for (guint i = 0; i < priv->n_volumes; i++)
      done += priv->volume_done[i];
    if (rate > 0 && total >= 0 && (guint64) total >= done)
      left = (gint64) ((total - done) / rate + 0.5);
  }
  g_mutex_unlock (&priv->mutex);

  return left;
}

double
lifeboat_job_get_elapsed (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  gint64 started, ended;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0.0);

  WITH_LOCK (priv, { started = priv->started; ended = priv->ended; });
  if (started == 0)
    return 0.0;
  return (double) ((ended ? ended : g_get_monotonic_time ()) - started) / G_USEC_PER_SEC;
}

guint64
lifeboat_job_get_result_bytes (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  guint64 bytes;

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), 0);

  WITH_LOCK (priv, { bytes = priv->result_bytes; });
  return bytes;
}

const char *
lifeboat_job_get_aftermath (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);
  return priv->aftermath;
}

/* ---------------------------------------------------------------------------------------- */
/* Running */

static void
record_history (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  g_autoptr(LifeboatHistoryEntry) entry = lifeboat_history_entry_new (priv->kind);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) started = NULL;
  g_autoptr(GError) error = NULL;
  double seconds = lifeboat_job_get_elapsed (self);

  if (!g_atomic_int_get (&priv->records_history))
    return;

  started = g_date_time_add_seconds (now, -seconds);
  lifeboat_history_entry_set_outcome (entry, priv->outcome);
  lifeboat_history_entry_set_started (entry, started);
  lifeboat_history_entry_set_seconds (entry, seconds);
  lifeboat_history_entry_set_engine (entry, lifeboat_docker_client_get_display_name (priv->client));
  lifeboat_history_entry_set_engine_id (entry, lifeboat_docker_client_get_engine_id (priv->client));
  lifeboat_history_entry_set_project (entry, priv->project_name);
  lifeboat_history_entry_set_volumes (entry, (const char * const *) priv->volume_keys);
  lifeboat_history_entry_set_bytes (entry, priv->result_bytes);
  if (priv->error != NULL)
    lifeboat_history_entry_set_error (entry, priv->error->message);
  if (priv->folder != NULL)
    {
      g_autofree char *path = g_file_get_path (priv->folder);
      g_autofree char *uri = path ? NULL : g_file_get_uri (priv->folder);

      lifeboat_history_entry_set_folder (entry, path ? path : uri);
    }
  lifeboat_history_entry_set_app_version (entry, priv->app_version);

  if (!lifeboat_history_record (_lifeboat_job_get_history (self), entry, &error))
    g_warning ("Could not record the job in the history: %s", error->message);
}

/* ---------------------------------------------------------------------------------------- */
/* The job's state as lines of JSON, what a worker sends (lifeboat-job-worker.c) */

static void
add_error_member (JsonBuilder  *builder,
                  const GError *error)
{
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, g_quark_to_string (error->domain));
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, error->code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_end_object (builder);
}

static char *
builder_to_line (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

char *
_lifeboat_job_dup_failure_json (const GError *error,
                                const char   *aftermath)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (error != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "phase");
  json_builder_add_int_value (builder, LIFEBOAT_JOB_PHASE_FINISHED);
  json_builder_set_member_name (builder, "outcome");
  json_builder_add_int_value (builder, LIFEBOAT_JOB_OUTCOME_FAILED);
  _lifeboat_json_add_string_if (builder, "aftermath", aftermath);
  add_error_member (builder, error);
  json_builder_end_object (builder);
  return builder_to_line (builder);
}

char *
_lifeboat_job_dup_state_json (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), NULL);

  json_builder_begin_object (builder);
  g_mutex_lock (&priv->mutex);
  json_builder_set_member_name (builder, "phase");
  json_builder_add_int_value (builder, priv->phase);
  json_builder_set_member_name (builder, "outcome");
  json_builder_add_int_value (builder, priv->outcome);
  json_builder_set_member_name (builder, "current");
  json_builder_add_int_value (builder, priv->current_volume);
  json_builder_set_member_name (builder, "volumes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < priv->n_volumes; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, priv->volume_keys[i]);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, priv->volume_total[i]);
      json_builder_set_member_name (builder, "done");
      json_builder_add_int_value (builder, (gint64) priv->volume_done[i]);
      json_builder_set_member_name (builder, "active");
      json_builder_add_boolean_value (builder, priv->volume_active[i]);
      json_builder_set_member_name (builder, "exact");
      json_builder_add_boolean_value (builder, priv->volume_exact[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "result_bytes");
  json_builder_add_int_value (builder, (gint64) priv->result_bytes);
  if (priv->folder != NULL)
    {
      g_autofree char *path = g_file_get_path (priv->folder);
      g_autofree char *uri = path ? NULL : g_file_get_uri (priv->folder);

      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, path ? path : uri);
    }
  _lifeboat_json_add_string_if (builder, "aftermath", priv->aftermath);
  _lifeboat_json_add_string_if (builder, "app_version", priv->app_version);
  if (priv->error != NULL)
    add_error_member (builder, priv->error);
  g_mutex_unlock (&priv->mutex);
  json_builder_end_object (builder);
  return builder_to_line (builder);
}

void
lifeboat_job_set_records_history (LifeboatJob *self,
                                  gboolean     records)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_if_fail (LIFEBOAT_IS_JOB (self));
  g_atomic_int_set (&priv->records_history, !!records);
}

gboolean
lifeboat_job_get_in_worker (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), FALSE);
  return g_atomic_int_get (&priv->in_worker);
}

void
lifeboat_job_set_worker (LifeboatJob *self,
                         const char  *program)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_if_fail (LIFEBOAT_IS_JOB (self));
  g_return_if_fail (priv->started == 0);

  g_clear_pointer (&priv->worker, g_free);
  if (program != NULL && LIFEBOAT_JOB_GET_CLASS (self)->dup_settings != NULL &&
      g_strcmp0 (g_getenv ("LIFEBOAT_JOBS_IN_PROCESS"), "1") != 0)
    priv->worker = g_strdup (program);
}

/* What a line of _lifeboat_job_dup_state_json() says, applied to this job (in its thread). The
 * last line's outcome and error are the worker's result. */
void
_lifeboat_job_apply_state (LifeboatJob         *self,
                           JsonObject          *state,
                           LifeboatJobOutcome  *outcome,
                           GError             **job_error)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  JsonNode *volumes_node = json_object_get_member (state, "volumes");
  JsonNode *error_node = json_object_get_member (state, "error");
  JsonArray *volumes = volumes_node && JSON_NODE_HOLDS_ARRAY (volumes_node)
                         ? json_node_get_array (volumes_node) : NULL;
  JsonObject *error = error_node && JSON_NODE_HOLDS_OBJECT (error_node)
                        ? json_node_get_object (error_node) : NULL;
  guint n = volumes ? json_array_get_length (volumes) : 0;
  g_autoptr(GStrvBuilder) keys_builder = g_strv_builder_new ();
  g_auto(GStrv) keys = NULL;
  const char *folder = json_object_get_string_member_with_default (state, "folder", NULL);
  const char *aftermath = json_object_get_string_member_with_default (state, "aftermath", NULL);
  const char *version = json_object_get_string_member_with_default (state, "app_version", NULL);
  LifeboatJobPhase phase;
  int current;
  gboolean changed;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (volumes, i);
      JsonObject *v = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *key = v ? json_object_get_string_member_with_default (v, "key", NULL) : NULL;

      if (key == NULL)
        return;   /* not a state line of this program */
      g_strv_builder_add (keys_builder, key);
    }
  keys = g_strv_builder_end (keys_builder);

  phase = (LifeboatJobPhase) json_object_get_int_member_with_default (state, "phase", 0);
  phase = CLAMP (phase, LIFEBOAT_JOB_PHASE_PREPARING, LIFEBOAT_JOB_PHASE_FINISHED);
  current = (int) json_object_get_int_member_with_default (state, "current", -1);
  *outcome = (LifeboatJobOutcome) json_object_get_int_member_with_default (state, "outcome",
                                                                          LIFEBOAT_JOB_OUTCOME_RUNNING);
  if (error != NULL)
    {
      const char *domain = json_object_get_string_member_with_default (error, "domain", NULL);
      const char *message = json_object_get_string_member_with_default (error, "message", "");

      g_clear_error (job_error);
      *job_error = g_error_new_literal (domain ? g_quark_from_string (domain) : LIFEBOAT_ERROR,
                                        (int) json_object_get_int_member_with_default (error, "code", 0),
                                        message);
    }

  if (n > 0 && (priv->volume_keys == NULL ||
                !g_strv_equal ((const char * const *) priv->volume_keys,
                               (const char * const *) keys)))
    _lifeboat_job_set_volumes (self, (const char * const *) keys, NULL);

  g_mutex_lock (&priv->mutex);
  changed = priv->current_volume != (current < (int) priv->n_volumes ? current : -1);
  if (phase != LIFEBOAT_JOB_PHASE_FINISHED && priv->phase != phase)
    {
      priv->phase = phase;
      changed = TRUE;
    }
  priv->current_volume = current < (int) priv->n_volumes ? current : -1;
  for (guint i = 0; i < priv->n_volumes && i < n; i++)
    {
      JsonObject *v = json_array_get_object_element (volumes, i);   /* checked above */

      priv->volume_total[i] = json_object_get_int_member_with_default (v, "total", -1);
      priv->volume_done[i] = (guint64) MAX (0, json_object_get_int_member_with_default (v, "done", 0));
      priv->volume_active[i] = json_object_get_boolean_member_with_default (v, "active", FALSE);
      priv->volume_exact[i] = json_object_get_boolean_member_with_default (v, "exact", FALSE);
    }
  priv->result_bytes = (guint64) MAX (0, json_object_get_int_member_with_default (state, "result_bytes", 0));
  if (version != NULL && g_strcmp0 (version, priv->app_version) != 0)
    _lifeboat_set_str (&priv->app_version, version);
  if (aftermath != NULL && g_strcmp0 (aftermath, priv->aftermath) != 0)
    _lifeboat_set_str (&priv->aftermath, aftermath);
  if (folder != NULL)
    {
      g_autoptr(GFile) file = NULL;
      g_autofree char *location = NULL;
      g_autofree char *id = NULL;

      /* a backup in a restic repository, "<location>#<ID>": no folder on this disk */
      if (lifeboat_restic_split_backup_name (folder, &location, &id) &&
          lifeboat_restic_location_is_repository (location))
        {
          g_autoptr(LifeboatResticRepository) repo = lifeboat_restic_repository_new (location);

          file = lifeboat_restic_repository_get_file (repo, id);
        }
      else
        file = g_file_new_for_commandline_arg (folder);

      if (priv->folder == NULL || !g_file_equal (priv->folder, file))
        g_set_object (&priv->folder, file);
    }
  if (changed)
    priv->phase_changed = TRUE;
  add_rate_sample_locked (priv);
  schedule_progress_locked (self, changed);
  g_mutex_unlock (&priv->mutex);
}

gboolean
_lifeboat_job_run_sync (LifeboatJob   *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) settings = NULL;
  gboolean ok;

  g_mutex_lock (&priv->mutex);
  priv->started = g_get_monotonic_time ();
  priv->outcome = LIFEBOAT_JOB_OUTCOME_RUNNING;
  g_mutex_unlock (&priv->mutex);

  if (priv->worker != NULL)
    settings = LIFEBOAT_JOB_GET_CLASS (self)->dup_settings (self);
  if (settings != NULL)
    {
      g_atomic_int_set (&priv->in_worker, TRUE);
      ok = _lifeboat_job_run_in_worker (self, priv->worker, settings, priv->background,
                                        cancellable, &local_error);
    }
  else
    ok = LIFEBOAT_JOB_GET_CLASS (self)->run (self, cancellable, &local_error);
  g_assert (ok || local_error != NULL);

  g_mutex_lock (&priv->mutex);
  priv->ended = g_get_monotonic_time ();
  priv->phase = LIFEBOAT_JOB_PHASE_FINISHED;
  priv->phase_changed = TRUE;
  if (ok)
    priv->outcome = LIFEBOAT_JOB_OUTCOME_SUCCEEDED;
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    priv->outcome = LIFEBOAT_JOB_OUTCOME_CANCELLED;
  else
    priv->outcome = LIFEBOAT_JOB_OUTCOME_FAILED;
  priv->outcome_changed = TRUE;
  g_clear_error (&priv->error);
  if (local_error != NULL)
    priv->error = g_error_copy (local_error);
  g_mutex_unlock (&priv->mutex);

  record_history (self);

  g_mutex_lock (&priv->mutex);
  schedule_progress_locked (self, TRUE);
  g_mutex_unlock (&priv->mutex);

  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

static gpointer
job_thread (gpointer data)
{
  g_autoptr(GTask) task = data;
  LifeboatJob *self = g_task_get_source_object (task);
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  GError *error = NULL;

  /*
   * A background job runs at nice 10 (Linux: per thread, and inherited by the threads it
   * starts: compressors, the writer, the tar stream), so that a window's main loop gets the
   * CPU first when the job keeps every core busy. The thread is the job's own and ends with
   * it; an unprivileged thread could not take the priority back.
   */
  if (priv->background)
    {
      pid_t tid = gettid ();

      errno = 0;
      if (getpriority (PRIO_PROCESS, tid) < 10 && errno == 0)
        setpriority (PRIO_PROCESS, tid, 10);
    }

  if (_lifeboat_job_run_sync (self, g_task_get_cancellable (task), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);

  return NULL;
}

void
lifeboat_job_set_background (LifeboatJob *self,
                             gboolean     background)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_if_fail (LIFEBOAT_IS_JOB (self));
  g_return_if_fail (priv->started == 0);

  priv->background = !!background;
}

void
lifeboat_job_run_async (LifeboatJob         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LIFEBOAT_IS_JOB (self));
  g_return_if_fail (priv->started == 0);

  if (cancellable != NULL)
    g_set_object (&priv->cancellable, cancellable);
  else
    priv->cancellable = g_cancellable_new ();

  /* the job reports to the context of the thread that runs it */
  g_main_context_unref (priv->context);
  priv->context = g_main_context_ref_thread_default ();

  task = g_task_new (self, priv->cancellable, callback, user_data);
  g_task_set_source_tag (task, lifeboat_job_run_async);
  g_task_set_return_on_cancel (task, FALSE);
  /* the job says how it ended: a cancel that came after a restore's point of no return (its
   * safety copy done) lets it finish, and it must not then be reported as cancelled */
  g_task_set_check_cancellable (task, FALSE);
  /* a thread of its own rather than GTask's pool: see job_thread() */
  g_thread_unref (g_thread_new ("lifeboat-job", job_thread, g_steal_pointer (&task)));
}

gboolean
lifeboat_job_run_finish (LifeboatJob   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lifeboat_job_cancel (LifeboatJob *self)
{
  LifeboatJobPrivate *priv = lifeboat_job_get_instance_private (self);

  g_return_if_fail (LIFEBOAT_IS_JOB (self));

  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
}
