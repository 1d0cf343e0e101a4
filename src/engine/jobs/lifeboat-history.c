/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The history: a JSON-lines journal of jobs beside the backup folders it rescans (their
 * manifests are the source of truth). Longer than most files: the entry type with its
 * properties and its JSON form, the journal, the rescan and forgetting are one model.
 */
#define G_LOG_DOMAIN "lifeboat-history"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lifeboat-history.h"
#include "lifeboat-manifest.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-util-private.h"

/*
 * The history is a journal, history.jsonl: one JSON object per line, only ever appended
 * to. A later line with the same id replaces an earlier one (a job records "running", then
 * its outcome), and {"id": ..., "forgotten": true} is a tombstone. Backup folders are the
 * source of truth: list() also rescans the remembered locations for backup folders that
 * the journal does not know (made on another machine, or before the journal was lost).
 */

#define JOURNAL_NAME   "history.jsonl"
#define LOCATIONS_NAME "locations"

/* {{{ LifeboatHistoryEntry */

struct _LifeboatHistoryEntry
{
  GObject             parent_instance;

  char               *id;
  LifeboatJobKind     kind;
  LifeboatJobOutcome  outcome;
  GDateTime          *started;
  double              seconds;
  char               *engine;
  char               *engine_id;
  char               *project;
  char              **volumes;
  guint64             bytes;
  char               *error;
  char               *folder;
  char               *app_version;
  gboolean            rescanned;
};

G_DEFINE_FINAL_TYPE (LifeboatHistoryEntry, lifeboat_history_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_KIND,
  PROP_OUTCOME,
  PROP_STARTED,
  PROP_SECONDS,
  PROP_ENGINE,
  PROP_ENGINE_ID,
  PROP_PROJECT,
  PROP_VOLUMES,
  PROP_BYTES,
  PROP_ERROR,
  PROP_FOLDER,
  PROP_APP_VERSION,
  PROP_RESCANNED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lifeboat_history_entry_constructed (GObject *object)
{
  LifeboatHistoryEntry *self = LIFEBOAT_HISTORY_ENTRY (object);

  G_OBJECT_CLASS (lifeboat_history_entry_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = g_uuid_string_random ();
}

static void
lifeboat_history_entry_finalize (GObject *object)
{
  LifeboatHistoryEntry *self = LIFEBOAT_HISTORY_ENTRY (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_pointer (&self->engine, g_free);
  g_clear_pointer (&self->engine_id, g_free);
  g_clear_pointer (&self->project, g_free);
  g_clear_pointer (&self->volumes, g_strfreev);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->folder, g_free);
  g_clear_pointer (&self->app_version, g_free);

  G_OBJECT_CLASS (lifeboat_history_entry_parent_class)->finalize (object);
}

static void
lifeboat_history_entry_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  LifeboatHistoryEntry *self = LIFEBOAT_HISTORY_ENTRY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_OUTCOME:
      g_value_set_enum (value, self->outcome);
      break;
    case PROP_STARTED:
      g_value_set_boxed (value, self->started);
      break;
    case PROP_SECONDS:
      g_value_set_double (value, self->seconds);
      break;
    case PROP_ENGINE:
      g_value_set_string (value, self->engine);
      break;
    case PROP_ENGINE_ID:
      g_value_set_string (value, self->engine_id);
      break;
    case PROP_PROJECT:
      g_value_set_string (value, self->project);
      break;
    case PROP_VOLUMES:
      g_value_set_boxed (value, self->volumes);
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, self->bytes);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_FOLDER:
      g_value_set_string (value, self->folder);
      break;
    case PROP_APP_VERSION:
      g_value_set_string (value, self->app_version);
      break;
    case PROP_RESCANNED:
      g_value_set_boolean (value, self->rescanned);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_history_entry_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  LifeboatHistoryEntry *self = LIFEBOAT_HISTORY_ENTRY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_free (self->id);
      self->id = g_value_dup_string (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_OUTCOME:
      lifeboat_history_entry_set_outcome (self, g_value_get_enum (value));
      break;
    case PROP_STARTED:
      lifeboat_history_entry_set_started (self, g_value_get_boxed (value));
      break;
    case PROP_SECONDS:
      lifeboat_history_entry_set_seconds (self, g_value_get_double (value));
      break;
    case PROP_ENGINE:
      lifeboat_history_entry_set_engine (self, g_value_get_string (value));
      break;
    case PROP_ENGINE_ID:
      lifeboat_history_entry_set_engine_id (self, g_value_get_string (value));
      break;
    case PROP_PROJECT:
      lifeboat_history_entry_set_project (self, g_value_get_string (value));
      break;
    case PROP_VOLUMES:
      lifeboat_history_entry_set_volumes (self, g_value_get_boxed (value));
      break;
    case PROP_BYTES:
      lifeboat_history_entry_set_bytes (self, g_value_get_uint64 (value));
      break;
    case PROP_ERROR:
      lifeboat_history_entry_set_error (self, g_value_get_string (value));
      break;
    case PROP_FOLDER:
      lifeboat_history_entry_set_folder (self, g_value_get_string (value));
      break;
    case PROP_APP_VERSION:
      lifeboat_history_entry_set_app_version (self, g_value_get_string (value));
      break;
    case PROP_RESCANNED:
      self->rescanned = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_history_entry_class_init (LifeboatHistoryEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = lifeboat_history_entry_constructed;
  object_class->finalize = lifeboat_history_entry_finalize;
  object_class->get_property = lifeboat_history_entry_get_property;
  object_class->set_property = lifeboat_history_entry_set_property;

  /* a random UUID unless given */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, construct);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, LIFEBOAT_TYPE_JOB_KIND, LIFEBOAT_JOB_KIND_BACKUP,
                       construct);
  properties[PROP_OUTCOME] =
    g_param_spec_enum ("outcome", NULL, NULL, LIFEBOAT_TYPE_JOB_OUTCOME,
                       LIFEBOAT_JOB_OUTCOME_RUNNING, rw);
  properties[PROP_STARTED] =
    g_param_spec_boxed ("started", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_SECONDS] =
    g_param_spec_double ("seconds", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);
  properties[PROP_ENGINE] =
    g_param_spec_string ("engine", NULL, NULL, NULL, rw);
  /* the engine's identity (the ID of its /info), NULL when the record predates it */
  properties[PROP_ENGINE_ID] =
    g_param_spec_string ("engine-id", NULL, NULL, NULL, rw);
  properties[PROP_PROJECT] =
    g_param_spec_string ("project", NULL, NULL, NULL, rw);
  properties[PROP_VOLUMES] =
    g_param_spec_boxed ("volumes", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_BYTES] =
    g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL, rw);
  properties[PROP_FOLDER] =
    g_param_spec_string ("folder", NULL, NULL, NULL, rw);
  properties[PROP_APP_VERSION] =
    g_param_spec_string ("app-version", NULL, NULL, NULL, rw);
  properties[PROP_RESCANNED] =
    g_param_spec_boolean ("rescanned", NULL, NULL, FALSE, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lifeboat_history_entry_init (LifeboatHistoryEntry *self)
{
}

LifeboatHistoryEntry *
lifeboat_history_entry_new (LifeboatJobKind kind)
{
  return g_object_new (LIFEBOAT_TYPE_HISTORY_ENTRY, "kind", kind, NULL);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static double
get_number_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return 0;
}

static guint64
get_uint64_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    return 0;
  return json_node_get_int (node);
}

/* NULL when @object has no id */
LifeboatHistoryEntry *
lifeboat_history_entry_new_from_json (JsonObject *object)
{
  g_autoptr(LifeboatHistoryEntry) self = NULL;
  LifeboatJobKind kind = LIFEBOAT_JOB_KIND_BACKUP;
  LifeboatJobOutcome outcome = LIFEBOAT_JOB_OUTCOME_FAILED;
  const char *id;
  const char *started;

  g_return_val_if_fail (object != NULL, NULL);

  id = get_string_member (object, "id");
  if (id == NULL || id[0] == '\0')
    return NULL;

  lifeboat_job_kind_from_string (get_string_member (object, "kind"), &kind);
  self = g_object_new (LIFEBOAT_TYPE_HISTORY_ENTRY, "id", id, "kind", kind, NULL);

  if (lifeboat_job_outcome_from_string (get_string_member (object, "outcome"), &outcome))
    self->outcome = outcome;
  else
    self->outcome = LIFEBOAT_JOB_OUTCOME_FAILED;

  started = get_string_member (object, "started");
  if (started != NULL)
    self->started = g_date_time_new_from_iso8601 (started, NULL);

  self->seconds = MAX (0, get_number_member (object, "seconds"));
  self->engine = g_strdup (get_string_member (object, "engine"));
  self->engine_id = g_strdup (get_string_member (object, "engine_id"));
  self->project = g_strdup (get_string_member (object, "project"));
  self->bytes = get_uint64_member (object, "bytes");
  self->error = g_strdup (get_string_member (object, "error"));
  self->folder = g_strdup (get_string_member (object, "folder"));
  self->app_version = g_strdup (get_string_member (object, "app_version"));

  self->volumes = _lifeboat_json_dup_strv (object, "volumes");

  return g_steal_pointer (&self);
}

JsonNode *
lifeboat_history_entry_to_json (LifeboatHistoryEntry *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), NULL);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, lifeboat_job_kind_to_string (self->kind));
  json_builder_set_member_name (builder, "outcome");
  json_builder_add_string_value (builder, lifeboat_job_outcome_to_string (self->outcome));

  if (self->started != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (self->started);
      g_autofree char *iso = g_date_time_format_iso8601 (utc);

      json_builder_set_member_name (builder, "started");
      json_builder_add_string_value (builder, iso);
    }

  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, self->seconds);

#define ADD_STRING(name, value) \
  G_STMT_START { \
    if ((value) != NULL) \
      { \
        json_builder_set_member_name (builder, (name)); \
        json_builder_add_string_value (builder, (value)); \
      } \
  } G_STMT_END

  ADD_STRING ("engine", self->engine);
  ADD_STRING ("engine_id", self->engine_id);
  ADD_STRING ("project", self->project);

  json_builder_set_member_name (builder, "volumes");
  json_builder_begin_array (builder);
  for (guint i = 0; self->volumes != NULL && self->volumes[i] != NULL; i++)
    json_builder_add_string_value (builder, self->volumes[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) MIN (self->bytes, (guint64) G_MAXINT64));

  ADD_STRING ("error", self->error);
  ADD_STRING ("folder", self->folder);
  ADD_STRING ("app_version", self->app_version);

#undef ADD_STRING

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

const char *
lifeboat_history_entry_get_id (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), NULL);
  return self->id;
}

LifeboatJobKind
lifeboat_history_entry_get_kind (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), LIFEBOAT_JOB_KIND_BACKUP);
  return self->kind;
}

LifeboatJobOutcome
lifeboat_history_entry_get_outcome (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), LIFEBOAT_JOB_OUTCOME_FAILED);
  return self->outcome;
}

void
lifeboat_history_entry_set_outcome (LifeboatHistoryEntry *self,
                                    LifeboatJobOutcome    outcome)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self));

  if (self->outcome == outcome)
    return;
  self->outcome = outcome;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTCOME]);
}

GDateTime *
lifeboat_history_entry_get_started (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), NULL);
  return self->started;
}

void
lifeboat_history_entry_set_started (LifeboatHistoryEntry *self,
                                    GDateTime            *started)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self));

  if (self->started == started ||
      (self->started != NULL && started != NULL && g_date_time_equal (self->started, started)))
    return;

  g_clear_pointer (&self->started, g_date_time_unref);
  if (started != NULL)
    self->started = g_date_time_ref (started);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED]);
}

double
lifeboat_history_entry_get_seconds (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), 0);
  return self->seconds;
}

void
lifeboat_history_entry_set_seconds (LifeboatHistoryEntry *self,
                                    double                seconds)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self));

  if (self->seconds == seconds)
    return;
  self->seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS]);
}

#define DEFINE_STRING_PROPERTY(field, PROP) \
const char * \
lifeboat_history_entry_get_##field (LifeboatHistoryEntry *self) \
{ \
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), NULL); \
  return self->field; \
} \
\
void \
lifeboat_history_entry_set_##field (LifeboatHistoryEntry *self, \
                                    const char           *value) \
{ \
  g_return_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self)); \
\
  if (_lifeboat_set_str (&self->field, value)) \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]); \
}

DEFINE_STRING_PROPERTY (engine, PROP_ENGINE)
DEFINE_STRING_PROPERTY (engine_id, PROP_ENGINE_ID)
DEFINE_STRING_PROPERTY (project, PROP_PROJECT)
DEFINE_STRING_PROPERTY (error, PROP_ERROR)
DEFINE_STRING_PROPERTY (folder, PROP_FOLDER)
DEFINE_STRING_PROPERTY (app_version, PROP_APP_VERSION)

#undef DEFINE_STRING_PROPERTY

const char * const *
lifeboat_history_entry_get_volumes (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), NULL);
  return (const char * const *) self->volumes;
}

void
lifeboat_history_entry_set_volumes (LifeboatHistoryEntry *self,
                                    const char * const   *volumes)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self));

  if ((const char * const *) self->volumes == volumes ||
      (self->volumes != NULL && volumes != NULL &&
       g_strv_equal ((const char * const *) self->volumes, volumes)))
    return;

  g_strfreev (self->volumes);
  self->volumes = g_strdupv ((char **) volumes);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUMES]);
}

guint64
lifeboat_history_entry_get_bytes (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), 0);
  return self->bytes;
}

void
lifeboat_history_entry_set_bytes (LifeboatHistoryEntry *self,
                                  guint64               bytes)
{
  g_return_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self));

  if (self->bytes == bytes)
    return;
  self->bytes = bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES]);
}

gboolean
lifeboat_history_entry_get_rescanned (LifeboatHistoryEntry *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (self), FALSE);
  return self->rescanned;
}

/* }}} */

/* {{{ LifeboatHistory */

struct _LifeboatHistory
{
  GObject  parent_instance;

  GFile   *dir;
  GMutex   mutex;   /* serialises the appends to the journal and to locations */
};

G_DEFINE_FINAL_TYPE (LifeboatHistory, lifeboat_history, G_TYPE_OBJECT)

enum {
  HISTORY_PROP_0,
  HISTORY_PROP_DIR,
  HISTORY_N_PROPS
};

static GParamSpec *history_properties[HISTORY_N_PROPS];

static void
lifeboat_history_constructed (GObject *object)
{
  LifeboatHistory *self = LIFEBOAT_HISTORY (object);

  G_OBJECT_CLASS (lifeboat_history_parent_class)->constructed (object);

  if (self->dir == NULL)
    self->dir = g_file_new_build_filename (g_get_user_data_dir (), "lifeboat", NULL);
}

static void
lifeboat_history_dispose (GObject *object)
{
  LifeboatHistory *self = LIFEBOAT_HISTORY (object);

  g_clear_object (&self->dir);

  G_OBJECT_CLASS (lifeboat_history_parent_class)->dispose (object);
}

static void
lifeboat_history_finalize (GObject *object)
{
  LifeboatHistory *self = LIFEBOAT_HISTORY (object);

  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (lifeboat_history_parent_class)->finalize (object);
}

static void
lifeboat_history_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LifeboatHistory *self = LIFEBOAT_HISTORY (object);

  switch (prop_id)
    {
    case HISTORY_PROP_DIR:
      g_value_set_object (value, self->dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_history_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LifeboatHistory *self = LIFEBOAT_HISTORY (object);

  switch (prop_id)
    {
    case HISTORY_PROP_DIR:
      g_set_object (&self->dir, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lifeboat_history_class_init (LifeboatHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lifeboat_history_constructed;
  object_class->dispose = lifeboat_history_dispose;
  object_class->finalize = lifeboat_history_finalize;
  object_class->get_property = lifeboat_history_get_property;
  object_class->set_property = lifeboat_history_set_property;

  /* NULL: $XDG_DATA_HOME/lifeboat */
  history_properties[HISTORY_PROP_DIR] =
    g_param_spec_object ("dir", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, HISTORY_N_PROPS, history_properties);
}

static void
lifeboat_history_init (LifeboatHistory *self)
{
  g_mutex_init (&self->mutex);
}

LifeboatHistory *
lifeboat_history_get_default (void)
{
  static LifeboatHistory *instance;

  if (g_once_init_enter (&instance))
    {
      /* lives as long as the process */
      g_once_init_leave (&instance, lifeboat_history_new (NULL));
    }

  return instance;
}

LifeboatHistory *
lifeboat_history_new (GFile *dir)
{
  g_return_val_if_fail (dir == NULL || G_IS_FILE (dir), NULL);

  return g_object_new (LIFEBOAT_TYPE_HISTORY, "dir", dir, NULL);
}

GFile *
lifeboat_history_get_dir (LifeboatHistory *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (self), NULL);
  return self->dir;
}

static char *
child_path (LifeboatHistory *self,
            const char      *name)
{
  g_autofree char *dir = g_file_get_path (self->dir);

  return g_build_filename (dir, name, NULL);
}

static gboolean
ensure_dir (LifeboatHistory  *self,
            GError          **error)
{
  g_autofree char *dir = g_file_get_path (self->dir);

  if (dir == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The history folder must be a local folder");
      return FALSE;
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not create the history folder %s: %s", dir, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

/*
 * Appends @line (with its newline) in one write(), so concurrent writers never interleave.
 * When the file ends in a line torn by a crash, a newline first keeps the new line whole.
 */
static gboolean
append_line (LifeboatHistory  *self,
             const char       *name,
             const char       *text,
             GError          **error)
{
  g_autofree char *path = NULL;
  g_autofree char *line = NULL;
  struct stat st;
  gsize len;
  gsize done = 0;
  int fd;

  if (!ensure_dir (self, error))
    return FALSE;

  path = child_path (self, name);
  fd = g_open (path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not open %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  {
    char last = '\n';

    if (fstat (fd, &st) == 0 && st.st_size > 0 && pread (fd, &last, 1, st.st_size - 1) != 1)
      last = '\n';
    line = g_strconcat (last != '\n' ? "\n" : "", text, NULL);
    len = strlen (line);
  }

  while (done < len)
    {
      gssize n = write (fd, line + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Could not write to %s: %s", path, g_strerror (errsv));
          close (fd);
          return FALSE;
        }
      done += n;
    }

  if (fsync (fd) != 0 || close (fd) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not write to %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static gboolean
append_json (LifeboatHistory  *self,
             JsonNode         *node,
             GError          **error)
{
  g_autofree char *json = json_to_string (node, FALSE);
  g_autofree char *line = g_strconcat (json, "\n", NULL);
  gboolean ok;

  g_mutex_lock (&self->mutex);
  ok = append_line (self, JOURNAL_NAME, line, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
lifeboat_history_record (LifeboatHistory       *self,
                         LifeboatHistoryEntry  *entry,
                         GError               **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (LIFEBOAT_IS_HISTORY_ENTRY (entry), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  node = lifeboat_history_entry_to_json (entry);
  return append_json (self, node, error);
}

/* Reads a file of lines; a missing file is empty. */
static char **
read_lines (LifeboatHistory  *self,
            const char       *name,
            GError          **error)
{
  g_autofree char *path = child_path (self, name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  if (path == NULL)
    return g_new0 (char *, 1);

  g_mutex_lock (&self->mutex);
  g_file_get_contents (path, &contents, NULL, &local_error);
  g_mutex_unlock (&self->mutex);

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_new0 (char *, 1);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Could not read the history: ");
      return NULL;
    }

  return g_strsplit (contents, "\n", -1);
}

static char *folder_key (const char *folder);

/*
 * The journal, replayed: id → entry, and the ids in first-recorded order; and, when
 * @out_forgotten is given, the folders (as folder_key()) of the forgotten entries, which a
 * rescan must not bring back.
 */
static gboolean
read_journal (LifeboatHistory  *self,
              GHashTable      **out_entries,
              GPtrArray       **out_order,
              GHashTable      **out_forgotten,
              GError          **error)
{
  g_auto(GStrv) lines = read_lines (self, JOURNAL_NAME, error);
  g_autoptr(GHashTable) entries = NULL;
  g_autoptr(GHashTable) ordered = NULL;
  g_autoptr(GHashTable) forgotten = NULL;
  g_autoptr(GPtrArray) order = NULL;

  if (lines == NULL)
    return FALSE;

  entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  ordered = g_hash_table_new (g_str_hash, g_str_equal);
  forgotten = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  order = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(LifeboatHistoryEntry) entry = NULL;
      JsonNode *root;
      JsonObject *object;
      const char *id;

      if (g_strstrip (lines[i])[0] == '\0')
        continue;

      parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, lines[i], -1, &local_error) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          /* a line torn by a crash: skip it, keep the rest */
          g_debug ("Skipping line %u of the history: %s", i + 1,
                   local_error != NULL ? local_error->message : "not an object");
          continue;
        }

      object = json_node_get_object (root);
      id = get_string_member (object, "id");
      if (id == NULL)
        continue;

      if (json_object_get_boolean_member_with_default (object, "forgotten", FALSE))
        {
          LifeboatHistoryEntry *gone = g_hash_table_lookup (entries, id);
          const char *folder = get_string_member (object, "folder");

          /* a backup's folder stays forgotten; a restore only named the folder it read */
          if (gone != NULL && gone->folder != NULL && gone->kind != LIFEBOAT_JOB_KIND_RESTORE)
            g_hash_table_add (forgotten, folder_key (gone->folder));
          if (folder != NULL)
            g_hash_table_add (forgotten, folder_key (folder));
          g_hash_table_remove (entries, id);
          continue;
        }

      entry = lifeboat_history_entry_new_from_json (object);
      if (entry == NULL)
        continue;

      if (!g_hash_table_contains (ordered, id))
        {
          char *copy = g_strdup (id);

          g_ptr_array_add (order, copy);
          g_hash_table_add (ordered, copy);
        }
      g_hash_table_replace (entries, g_strdup (id), g_steal_pointer (&entry));
    }

  *out_entries = g_steal_pointer (&entries);
  *out_order = g_steal_pointer (&order);
  if (out_forgotten != NULL)
    *out_forgotten = g_steal_pointer (&forgotten);
  return TRUE;
}

static char *
file_to_location (GFile *file)
{
  char *path = g_file_get_path (file);

  return path != NULL ? path : g_file_get_uri (file);
}

/* a URI for comparing a folder given as a path or a URI */
static char *
folder_key (const char *folder)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *location = NULL;
  g_autofree char *id = NULL;

  /* a backup in a restic repository, "<location>#<ID>" (as its GFile's URI is): "local:/r"
   * and "/r" are the same repository */
  if (lifeboat_restic_split_backup_name (folder, &location, &id) &&
      lifeboat_restic_location_is_repository (location))
    return g_strdup_printf ("%s#%s",
                            g_str_has_prefix (location, "local:") ? location + 6 : location, id);

  file = g_file_new_for_commandline_arg (folder);
  return g_file_get_uri (file);
}

gboolean
lifeboat_history_add_location (LifeboatHistory  *self,
                               GFile            *location,
                               GError          **error)
{
  g_auto(GStrv) locations = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  gboolean ok;

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (location), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = file_to_location (location);
  if (strchr (text, '\n') != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                           "A location’s name cannot contain a line break");
      return FALSE;
    }

  locations = lifeboat_history_dup_locations (self);
  for (guint i = 0; locations[i] != NULL; i++)
    {
      g_autoptr(GFile) known = g_file_new_for_commandline_arg (locations[i]);

      if (g_file_equal (known, location))
        return TRUE;
    }

  line = g_strconcat (text, "\n", NULL);
  g_mutex_lock (&self->mutex);
  ok = append_line (self, LOCATIONS_NAME, line, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}

char **
lifeboat_history_dup_locations (LifeboatHistory *self)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (self), NULL);

  lines = read_lines (self, LOCATIONS_NAME, NULL);
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0' || !g_hash_table_add (seen, lines[i]))
        continue;
      g_strv_builder_add (builder, lines[i]);
    }

  return g_strv_builder_end (builder);
}

/* An entry made from the manifest of a backup folder, or NULL when it is not one. */
static LifeboatHistoryEntry *
entry_from_backup_folder (GFile *folder)
{
  g_autoptr(LifeboatManifest) manifest = NULL;
  g_autoptr(LifeboatHistoryEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) volumes = g_strv_builder_new ();
  g_auto(GStrv) keys = NULL;
  g_autofree char *location = file_to_location (folder);
  g_autofree char *checksum = NULL;
  g_autofree char *id = NULL;
  guint64 bytes = 0;

  manifest = lifeboat_manifest_load (folder, NULL, &error);
  if (manifest == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_debug ("Ignoring %s: %s", location, error->message);
      return NULL;
    }

  /* the same folder gets the same id every time it is rescanned (a name-based UUID) */
  checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, location, -1);
  id = g_strdup_printf ("%.8s-%.4s-5%.3s-%c%.3s-%.12s",
                        checksum, checksum + 8, checksum + 13,
                        "89ab"[g_ascii_xdigit_value (checksum[16]) & 3], checksum + 17,
                        checksum + 20);

  entry = g_object_new (LIFEBOAT_TYPE_HISTORY_ENTRY,
                        "id", id,
                        "kind", LIFEBOAT_JOB_KIND_BACKUP,
                        "rescanned", TRUE,
                        NULL);
  entry->outcome = LIFEBOAT_JOB_OUTCOME_SUCCEEDED;
  if (manifest->created != NULL)
    entry->started = g_date_time_new_from_iso8601 (manifest->created, NULL);
  entry->seconds = manifest->seconds;
  entry->engine = g_strdup (manifest->engine_name);
  entry->engine_id = g_strdup (manifest->engine_id);
  entry->project = g_strdup (manifest->project);
  entry->folder = g_strdup (location);
  entry->app_version = g_strdup (manifest->app_version);

  for (guint i = 0; i < manifest->volumes->len; i++)
    {
      LifeboatManifestVolume *v = g_ptr_array_index (manifest->volumes, i);

      g_strv_builder_add (volumes, v->key);
      bytes += v->archive_bytes;
    }
  entry->volumes = g_strv_builder_end (volumes);
  entry->bytes = bytes;

  return g_steal_pointer (&entry);
}

static void
rescan_location (GFile      *location,
                 GHashTable *known_folders,
                 GPtrArray  *entries)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) error = NULL;
  LifeboatHistoryEntry *entry;

  enumerator = g_file_enumerate_children (location,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (enumerator == NULL)
    {
      /* an unplugged disk, a deleted folder: nothing to add */
      g_autofree char *name = g_file_get_parse_name (location);

      g_debug ("Not rescanning %s: %s", name, error->message);
      return;
    }

  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      g_autofree char *key = NULL;
      const char *name;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, NULL, &error))
        {
          g_debug ("Stopped rescanning: %s", error->message);
          break;
        }
      if (info == NULL)
        break;

      name = g_file_info_get_name (info);
      if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY ||
          g_str_has_suffix (name, ".partial"))
        continue;

      {
        g_autofree char *uri = g_file_get_uri (child);

        key = folder_key (uri);
      }
      if (g_hash_table_contains (known_folders, key))
        continue;

      entry = entry_from_backup_folder (child);
      if (entry != NULL)
        {
          g_hash_table_add (known_folders, g_steal_pointer (&key));
          g_ptr_array_add (entries, entry);
        }
    }
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  LifeboatHistoryEntry *ea = *(LifeboatHistoryEntry **) a;
  LifeboatHistoryEntry *eb = *(LifeboatHistoryEntry **) b;
  int cmp;

  if (ea->started == NULL || eb->started == NULL)
    cmp = (ea->started == NULL) - (eb->started == NULL);
  else
    cmp = g_date_time_compare (eb->started, ea->started);

  return cmp != 0 ? cmp : g_strcmp0 (ea->id, eb->id);
}

GPtrArray *
lifeboat_history_list (LifeboatHistory  *self,
                       const char       *project,
                       GError          **error)
{
  return lifeboat_history_list_for_engine (self, NULL, project, error);
}

/* An older record without the engine's ID: a backup's manifest names it. */
static void
fill_engine_id (LifeboatHistoryEntry *entry)
{
  g_autoptr(GFile) folder = NULL;
  g_autoptr(LifeboatManifest) manifest = NULL;

  if (entry->engine_id != NULL || entry->folder == NULL ||
      entry->kind == LIFEBOAT_JOB_KIND_RESTORE)
    return;

  folder = g_file_new_for_commandline_arg (entry->folder);
  manifest = lifeboat_manifest_load (folder, NULL, NULL);
  if (manifest != NULL && manifest->engine_id != NULL)
    entry->engine_id = g_strdup (manifest->engine_id);
}

GPtrArray *
lifeboat_history_list_for_engine (LifeboatHistory  *self,
                                  const char       *engine_id,
                                  const char       *project,
                                  GError          **error)
{
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GHashTable) forgotten = NULL;
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(GHashTable) known_folders = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) result = NULL;
  g_auto(GStrv) locations = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_journal (self, &journal, &order, &forgotten, error))
    return NULL;

  all = g_ptr_array_new_with_free_func (g_object_unref);
  /* the forgotten folders count as known: the rescan does not bring them back */
  known_folders = g_steal_pointer (&forgotten);

  for (guint i = 0; i < order->len; i++)
    {
      LifeboatHistoryEntry *entry = g_hash_table_lookup (journal, g_ptr_array_index (order, i));

      if (entry == NULL)
        continue;   /* forgotten */

      /* a restore names the folder it read; only backups make a folder known */
      if (entry->folder != NULL && entry->kind != LIFEBOAT_JOB_KIND_RESTORE &&
          entry->kind != LIFEBOAT_JOB_KIND_DRILL)
        g_hash_table_add (known_folders, folder_key (entry->folder));

      g_ptr_array_add (all, g_object_ref (entry));
    }

  locations = lifeboat_history_dup_locations (self);
  for (guint i = 0; locations[i] != NULL; i++)
    {
      /* a folder, or a restic repository (src/engine/restic/) */
      g_autoptr(GFile) location = lifeboat_restic_location_new_file (locations[i]);

      rescan_location (location, known_folders, all);
    }

  g_ptr_array_sort (all, compare_newest_first);

  result = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < all->len; i++)
    {
      LifeboatHistoryEntry *entry = g_ptr_array_index (all, i);

      if (project != NULL && g_strcmp0 (entry->project, project) != 0)
        continue;
      if (engine_id != NULL)
        {
          fill_engine_id (entry);
          /* a record without the engine's identity (made before it was recorded) is kept:
           * the views say that its engine is not known */
          if (entry->engine_id != NULL && g_strcmp0 (entry->engine_id, engine_id) != 0)
            continue;
        }
      g_ptr_array_add (result, g_object_ref (entry));
    }

  return g_steal_pointer (&result);
}

gboolean
lifeboat_history_forget (LifeboatHistory  *self,
                         const char       *id,
                         GError          **error)
{
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *folder = NULL;
  LifeboatHistoryEntry *entry;

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!read_journal (self, &journal, &order, NULL, error))
    return FALSE;

  entry = g_hash_table_lookup (journal, id);
  if (entry == NULL)
    {
      /* a backup found by rescanning a location: its folder is what is forgotten */
      g_autoptr(GPtrArray) all = lifeboat_history_list (self, NULL, error);

      if (all == NULL)
        return FALSE;
      for (guint i = 0; i < all->len && folder == NULL; i++)
        {
          LifeboatHistoryEntry *e = g_ptr_array_index (all, i);

          if (g_strcmp0 (e->id, id) == 0 && e->rescanned)
            folder = g_strdup (e->folder);
        }
      if (folder == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "The history has no entry %s", id);
          return FALSE;
        }
    }
  else if (entry->kind != LIFEBOAT_JOB_KIND_RESTORE)
    folder = g_strdup (entry->folder);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "forgotten");
  json_builder_add_boolean_value (builder, TRUE);
  _lifeboat_json_add_string_if (builder, "folder", folder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  return append_json (self, node, error);
}

/* }}} */
