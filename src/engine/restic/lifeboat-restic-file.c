/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restic"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-error.h"
#include "lifeboat-restic-private.h"

/*
 * A restic repository seen as a folder of backup folders, so that the backup, restore and
 * verify code that reads and writes backup folders works on it unchanged (as a GVfs backend
 * does for a remote folder):
 *
 *   "<location>"                the repository: holds the complete backups
 *   "<location>#<ID>"           a complete backup: lifeboat.json and one <key>.tar per volume,
 *                               read through `restic dump`
 *   "<location>#<ID>.partial"   a backup being written (this process only): creating
 *                               <key>.tar runs `restic backup --stdin`; lifeboat.json is kept
 *                               in memory; renaming it to <ID> stores the manifest, naming every
 *                               volume's snapshot, as the backup's last snapshot; deleting its
 *                               files forgets their snapshots.
 *
 * Only what the jobs use is implemented; anything else is G_IO_ERROR_NOT_SUPPORTED.
 *
 * Longer than most files here (about 1000 lines): it is one GFile implementation, whose
 * interface functions, the listing of its folders and the state of the backups being written
 * share the same few rules; apart, each would have to know them all.
 */

#define PARTIAL_SUFFIX ".partial"

struct _LifeboatResticFile
{
  GObject                   parent_instance;

  LifeboatResticRepository *repo;
  char                     *backup;   /* NULL: the repository */
  char                     *name;     /* NULL: the backup itself */
};

static void lifeboat_restic_file_iface_init (GFileIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LifeboatResticFile, lifeboat_restic_file, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_FILE, lifeboat_restic_file_iface_init))

/* ---------------------------------------------------------------------------------------- */
/* Backups being written, by "<location>#<ID>.partial" */

typedef struct
{
  LifeboatResticRepository *repo;
  GHashTable               *streams;   /* name -> GFileOutputStream of restic backup */
  GBytes                   *manifest;
} Pending;

static GMutex pending_mutex;
static GHashTable *pending_backups;

static void
pending_free (Pending *p)
{
  g_clear_pointer (&p->streams, g_hash_table_unref);
  g_clear_pointer (&p->manifest, g_bytes_unref);
  g_clear_object (&p->repo);
  g_free (p);
}

static gboolean
is_partial (LifeboatResticFile *self)
{
  return self->backup != NULL && g_str_has_suffix (self->backup, PARTIAL_SUFFIX);
}

static char *
pending_key (LifeboatResticFile *self)
{
  return g_strdup_printf ("%s#%s", lifeboat_restic_repository_get_location (self->repo),
                          self->backup);
}

/* under pending_mutex */
static Pending *
pending_lookup (LifeboatResticFile *self)
{
  g_autofree char *key = pending_key (self);

  if (pending_backups == NULL)
    return NULL;
  return g_hash_table_lookup (pending_backups, key);
}

/* "cvat-20261206-201500-2" -> "cvat" */
static char *
project_of (const char *id)
{
  g_autoptr(GRegex) regex = g_regex_new ("^(.+)-[0-9]{8}-[0-9]{6}(-[0-9]+)?$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (g_regex_match (regex, id, 0, &match))
    return g_match_info_fetch (match, 1);
  return g_strdup (id);
}

/* ---------------------------------------------------------------------------------------- */
/* A memory stream for a partial backup's lifeboat.json */

#define LIFEBOAT_TYPE_RESTIC_MANIFEST_STREAM (lifeboat_restic_manifest_stream_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatResticManifestStream, lifeboat_restic_manifest_stream,
                      LIFEBOAT, RESTIC_MANIFEST_STREAM, GFileOutputStream)

struct _LifeboatResticManifestStream
{
  GFileOutputStream  parent_instance;
  GByteArray        *bytes;
  char              *key;         /* the pending backup's */
};

G_DEFINE_FINAL_TYPE (LifeboatResticManifestStream, lifeboat_restic_manifest_stream,
                     G_TYPE_FILE_OUTPUT_STREAM)

static gssize
manifest_stream_write (GOutputStream  *stream,
                       const void     *buffer,
                       gsize           count,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_byte_array_append (LIFEBOAT_RESTIC_MANIFEST_STREAM (stream)->bytes, buffer, count);
  return count;
}

static gboolean
manifest_stream_close (GOutputStream  *stream,
                       GCancellable   *cancellable,
                       GError        **error)
{
  LifeboatResticManifestStream *self = LIFEBOAT_RESTIC_MANIFEST_STREAM (stream);
  Pending *p;

  g_mutex_lock (&pending_mutex);
  p = pending_backups ? g_hash_table_lookup (pending_backups, self->key) : NULL;
  if (p != NULL)
    {
      g_clear_pointer (&p->manifest, g_bytes_unref);
      p->manifest = g_bytes_new (self->bytes->data, self->bytes->len);
    }
  g_mutex_unlock (&pending_mutex);

  if (p == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The backup is no longer written");
      return FALSE;
    }
  return TRUE;
}

static void
lifeboat_restic_manifest_stream_finalize (GObject *object)
{
  LifeboatResticManifestStream *self = (LifeboatResticManifestStream *) object;

  g_clear_pointer (&self->bytes, g_byte_array_unref);
  g_clear_pointer (&self->key, g_free);
  G_OBJECT_CLASS (lifeboat_restic_manifest_stream_parent_class)->finalize (object);
}

static void
lifeboat_restic_manifest_stream_class_init (LifeboatResticManifestStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lifeboat_restic_manifest_stream_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = manifest_stream_write;
  G_OUTPUT_STREAM_CLASS (klass)->close_fn = manifest_stream_close;
}

static void
lifeboat_restic_manifest_stream_init (LifeboatResticManifestStream *self)
{
  self->bytes = g_byte_array_new ();
}

/* ---------------------------------------------------------------------------------------- */
/* GFile */

GFile *
_lifeboat_restic_file_new (LifeboatResticRepository *repo,
                           const char               *backup,
                           const char               *name)
{
  LifeboatResticFile *self = g_object_new (LIFEBOAT_TYPE_RESTIC_FILE, NULL);

  g_assert (name == NULL || backup != NULL);
  self->repo = g_object_ref (repo);
  self->backup = g_strdup (backup);
  self->name = g_strdup (name);
  return G_FILE (self);
}

static void
lifeboat_restic_file_finalize (GObject *object)
{
  LifeboatResticFile *self = (LifeboatResticFile *) object;

  g_clear_object (&self->repo);
  g_clear_pointer (&self->backup, g_free);
  g_clear_pointer (&self->name, g_free);
  G_OBJECT_CLASS (lifeboat_restic_file_parent_class)->finalize (object);
}

static void
lifeboat_restic_file_class_init (LifeboatResticFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lifeboat_restic_file_finalize;
}

static void
lifeboat_restic_file_init (LifeboatResticFile *self)
{
}

#define SELF(f) LIFEBOAT_RESTIC_FILE (f)

static GFile *
file_dup (GFile *file)
{
  return _lifeboat_restic_file_new (SELF (file)->repo, SELF (file)->backup, SELF (file)->name);
}

static char *
file_get_parse_name (GFile *file)
{
  LifeboatResticFile *self = SELF (file);
  const char *location = lifeboat_restic_repository_get_location (self->repo);

  if (self->backup == NULL)
    return g_strdup (location);
  if (self->name == NULL)
    return g_strdup_printf ("%s#%s", location, self->backup);
  return g_strdup_printf ("%s#%s/%s", location, self->backup, self->name);
}

static guint
file_hash (GFile *file)
{
  g_autofree char *name = file_get_parse_name (file);
  return g_str_hash (name);
}

static gboolean
file_equal (GFile *a,
            GFile *b)
{
  g_autofree char *na = file_get_parse_name (a);
  g_autofree char *nb = file_get_parse_name (b);

  return g_str_equal (na, nb);
}

static gboolean
file_is_native (GFile *file)
{
  return FALSE;
}

static gboolean
file_has_uri_scheme (GFile      *file,
                     const char *scheme)
{
  return g_strcmp0 (scheme, "restic") == 0;
}

static char *
file_get_uri_scheme (GFile *file)
{
  return g_strdup ("restic");
}

static char *
file_get_basename (GFile *file)
{
  LifeboatResticFile *self = SELF (file);

  if (self->name != NULL)
    return g_strdup (self->name);
  if (self->backup != NULL)
    return g_strdup (self->backup);
  return g_strdup (lifeboat_restic_repository_get_location (self->repo));
}

static char *
file_get_path (GFile *file)
{
  return NULL;
}

/* what Lifeboat prints and the history records: "<location>#<ID>" is what the CLI takes back */
static char *
file_get_uri (GFile *file)
{
  return file_get_parse_name (file);
}

static GFile *
file_get_parent (GFile *file)
{
  LifeboatResticFile *self = SELF (file);

  if (self->name != NULL)
    return _lifeboat_restic_file_new (self->repo, self->backup, NULL);
  if (self->backup != NULL)
    return _lifeboat_restic_file_new (self->repo, NULL, NULL);
  return NULL;
}

static gboolean
file_prefix_matches (GFile *prefix,
                     GFile *file)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);

  while (parent != NULL)
    {
      GFile *up;

      if (g_file_equal (parent, prefix))
        return TRUE;
      up = g_file_get_parent (parent);
      g_object_unref (parent);
      parent = up;
    }
  return FALSE;
}

static char *
file_get_relative_path (GFile *parent,
                        GFile *descendant)
{
  LifeboatResticFile *p = SELF (parent), *d = SELF (descendant);

  if (!file_prefix_matches (parent, descendant))
    return NULL;
  if (p->backup == NULL && d->name == NULL)
    return g_strdup (d->backup);
  if (p->backup == NULL)
    return g_build_filename (d->backup, d->name, NULL);
  return g_strdup (d->name);
}

static GFile *
file_resolve_relative_path (GFile      *file,
                            const char *relative_path)
{
  LifeboatResticFile *self = SELF (file);
  g_auto(GStrv) parts = g_strsplit (relative_path, "/", 3);

  if (self->name != NULL || parts[0] == NULL || *parts[0] == '\0')
    return g_object_ref (file);   /* a file has no children: its open will fail */
  if (self->backup != NULL)
    return _lifeboat_restic_file_new (self->repo, self->backup, relative_path);
  if (parts[1] == NULL)
    return _lifeboat_restic_file_new (self->repo, parts[0], NULL);
  return _lifeboat_restic_file_new (self->repo, parts[0], parts[1]);
}

static GFile *
file_get_child_for_display_name (GFile       *file,
                                 const char  *display_name,
                                 GError     **error)
{
  return file_resolve_relative_path (file, display_name);
}

/* the snapshot and size of @name in a complete backup's stored manifest */
static gboolean
lookup_archive (LifeboatResticFile  *self,
                char               **snapshot,
                guint64             *size,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(JsonObject) manifest = _lifeboat_restic_dup_manifest (self->repo, self->backup,
                                                                  cancellable, error);
  JsonObject *restic, *snapshots;
  JsonArray *volumes;

  if (manifest == NULL)
    return FALSE;

  restic = json_object_get_object_member (manifest, "restic");
  snapshots = restic ? json_object_get_object_member (restic, "snapshots") : NULL;
  if (g_str_equal (self->name, LIFEBOAT_MANIFEST_NAME))
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), manifest);
      gsize len;
      g_autofree char *text = NULL;

      json_generator_set_root (generator, node);
      text = json_generator_to_data (generator, &len);
      *size = len;
      *snapshot = NULL;
      return TRUE;
    }
  if (snapshots == NULL || !json_object_has_member (snapshots, self->name))
    {
      g_autofree char *display = file_get_parse_name (G_FILE (self));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no %s"), display);
      return FALSE;
    }
  *snapshot = g_strdup (json_object_get_string_member (snapshots, self->name));
  *size = 0;
  volumes = json_object_get_array_member (manifest, "volumes");
  for (guint i = 0; volumes != NULL && i < json_array_get_length (volumes); i++)
    {
      JsonObject *v = json_array_get_object_element (volumes, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (v, "archive", NULL),
                     self->name) == 0)
        *size = json_object_get_int_member_with_default (v, "archive_bytes", 0);
    }
  return TRUE;
}

static GFileInfo *
new_info (const char *name,
          GFileType   type,
          guint64     size)
{
  GFileInfo *info = g_file_info_new ();

  g_file_info_set_name (info, name);
  g_file_info_set_display_name (info, name);
  g_file_info_set_file_type (info, type);
  g_file_info_set_size (info, size);
  return info;
}

static GFileInfo *
file_query_info (GFile                *file,
                 const char           *attributes,
                 GFileQueryInfoFlags   flags,
                 GCancellable         *cancellable,
                 GError              **error)
{
  LifeboatResticFile *self = SELF (file);
  g_autofree char *display = file_get_parse_name (file);
  g_autofree char *basename = file_get_basename (file);
  gboolean found = FALSE;

  if (self->backup == NULL)
    return new_info (basename, G_FILE_TYPE_DIRECTORY, 0);

  if (is_partial (self))
    {
      Pending *p;

      g_mutex_lock (&pending_mutex);
      p = pending_lookup (self);
      found = p != NULL && (self->name == NULL ||
                            g_hash_table_contains (p->streams, self->name) ||
                            (g_str_equal (self->name, LIFEBOAT_MANIFEST_NAME) &&
                             p->manifest != NULL));
      g_mutex_unlock (&pending_mutex);
      if (found)
        return new_info (basename, self->name ? G_FILE_TYPE_REGULAR : G_FILE_TYPE_DIRECTORY, 0);
    }
  else if (self->name == NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonObject) manifest = _lifeboat_restic_dup_manifest (self->repo, self->backup,
                                                                      cancellable, &local_error);

      if (manifest != NULL)
        return new_info (basename, G_FILE_TYPE_DIRECTORY, 0);
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  else
    {
      g_autofree char *snapshot = NULL;
      guint64 size = 0;

      if (!lookup_archive (self, &snapshot, &size, cancellable, error))
        return NULL;
      return new_info (basename, G_FILE_TYPE_REGULAR, size);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no %s"), display);
  return NULL;
}

static GFileInputStream *
file_read (GFile         *file,
           GCancellable  *cancellable,
           GError       **error)
{
  LifeboatResticFile *self = SELF (file);
  g_autofree char *snapshot = NULL;
  g_autofree char *path = NULL;
  guint64 size;

  if (self->name == NULL || is_partial (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Only the files of a complete backup can be read"));
      return NULL;
    }
  if (!lookup_archive (self, &snapshot, &size, cancellable, error))
    return NULL;

  /* lifeboat.json: the manifest snapshot's */
  if (snapshot == NULL &&
      !(snapshot = _lifeboat_restic_dup_manifest_snapshot (self->repo, self->backup, cancellable,
                                                           error)))
    return NULL;
  path = g_strconcat ("/", self->name, NULL);
  return _lifeboat_restic_dump_stream_new (self->repo, snapshot, path, error);
}

static GFileOutputStream *
create_in_partial (LifeboatResticFile         *self,
                   LifeboatResticProgressFunc  progress,
                   gpointer                    user_data,
                   GCancellable               *cancellable,
                   GError                    **error)
{
  g_autofree char *key = pending_key (self);
  g_autofree char *id = g_strndup (self->backup, strlen (self->backup) - strlen (PARTIAL_SUFFIX));
  g_autofree char *project = project_of (id);
  g_autofree char *backup_tag = g_strconcat ("lifeboat-backup=", id, NULL);
  g_autofree char *project_tag = g_strconcat ("lifeboat-project=", project, NULL);
  const char *tags[] = { "lifeboat", backup_tag, project_tag, NULL };
  GFileOutputStream *stream;
  Pending *p;

  g_mutex_lock (&pending_mutex);
  p = pending_lookup (self);
  g_mutex_unlock (&pending_mutex);
  if (p == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No backup %s is being written",
                   self->backup);
      return NULL;
    }

  if (g_str_equal (self->name, LIFEBOAT_MANIFEST_NAME))
    {
      LifeboatResticManifestStream *m = g_object_new (LIFEBOAT_TYPE_RESTIC_MANIFEST_STREAM, NULL);

      m->key = g_steal_pointer (&key);
      return G_FILE_OUTPUT_STREAM (m);
    }

  /* restic compresses and deduplicates: it gets the plain tar */
  if (!g_str_has_suffix (self->name, ".tar"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("A restic repository takes uncompressed tar streams (restic compresses "
                     "them itself), not %s"), self->name);
      return NULL;
    }

  stream = _lifeboat_restic_backup_stream_new (self->repo, self->name, tags, progress, user_data,
                                               cancellable, error);
  if (stream == NULL)
    return NULL;

  g_mutex_lock (&pending_mutex);
  p = pending_lookup (self);
  if (p != NULL)
    g_hash_table_replace (p->streams, g_strdup (self->name), g_object_ref (stream));
  g_mutex_unlock (&pending_mutex);
  return stream;
}

static GFileOutputStream *
file_create (GFile             *file,
             GFileCreateFlags   flags,
             GCancellable      *cancellable,
             GError           **error)
{
  LifeboatResticFile *self = SELF (file);

  if (self->name == NULL || !is_partial (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("A restic repository is written only through a backup"));
      return NULL;
    }
  return create_in_partial (self, NULL, NULL, cancellable, error);
}

static gboolean
file_make_directory (GFile         *file,
                     GCancellable  *cancellable,
                     GError       **error)
{
  LifeboatResticFile *self = SELF (file);
  gboolean created = FALSE;
  g_autofree char *key = NULL;
  gboolean exists;

  if (self->backup == NULL)
    {
      /* the destination: the repository, created when there is none */
      if (!lifeboat_restic_repository_open_sync (self->repo, TRUE, &created, cancellable, error))
        return FALSE;
      if (!created)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "The repository exists");
          return FALSE;
        }
      return TRUE;
    }

  if (!is_partial (self) || self->name != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("A restic repository is written only through a backup"));
      return FALSE;
    }

  key = pending_key (self);
  g_mutex_lock (&pending_mutex);
  if (pending_backups == NULL)
    pending_backups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) pending_free);
  exists = g_hash_table_contains (pending_backups, key);
  if (!exists)
    {
      Pending *p = g_new0 (Pending, 1);

      p->repo = g_object_ref (self->repo);
      p->streams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      g_hash_table_insert (pending_backups, g_steal_pointer (&key), p);
    }
  g_mutex_unlock (&pending_mutex);

  if (exists)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "The backup is being written");
      return FALSE;
    }
  return TRUE;
}

static gboolean
file_set_attribute (GFile                *file,
                    const char           *attribute,
                    GFileAttributeType    type,
                    gpointer              value_p,
                    GFileQueryInfoFlags   flags,
                    GCancellable         *cancellable,
                    GError              **error)
{
  /* a mode (0700) means nothing in a repository: restic encrypts everything */
  if (g_str_equal (attribute, G_FILE_ATTRIBUTE_UNIX_MODE))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Not supported");
  return FALSE;
}

static gboolean
forget_snapshot (LifeboatResticRepository  *repo,
                 const char                *snapshot,
                 GError                   **error)
{
  const char *args[] = { "forget", snapshot, NULL };

  return _lifeboat_restic_run (repo, args, NULL, NULL, error);
}

/* forgets every snapshot tagged with the partial backup's ID, unless it has a manifest (then it
 * is a complete backup after all, which is never removed this way) */
static gboolean
forget_abandoned (LifeboatResticFile  *self,
                  GError             **error)
{
  g_autofree char *id = g_strndup (self->backup, strlen (self->backup) - strlen (PARTIAL_SUFFIX));
  g_autofree char *tag = g_strconcat ("lifeboat-backup=", id, NULL);
  const char *list[] = { "snapshots", "--json", "--tag", tag, NULL };
  g_autoptr(GPtrArray) forget = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) out = NULL;
  JsonNode *root;

  if (!_lifeboat_restic_run (self->repo, list, &out, NULL, error))
    return FALSE;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                   NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return TRUE;

  g_ptr_array_add (forget, g_strdup ("forget"));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonObject *snap = json_array_get_object_element (json_node_get_array (root), i);
      JsonArray *tags = json_object_get_array_member (snap, "tags");

      for (guint j = 0; tags != NULL && j < json_array_get_length (tags); j++)
        if (g_strcmp0 (json_array_get_string_element (tags, j), "lifeboat-manifest") == 0)
          return TRUE;
      g_ptr_array_add (forget, g_strdup (json_object_get_string_member (snap, "id")));
    }
  if (forget->len == 1)
    return TRUE;
  return _lifeboat_restic_run (self->repo, (const char * const *) forget->pdata, NULL, NULL,
                               error);
}

static gboolean
file_delete (GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  LifeboatResticFile *self = SELF (file);
  g_autofree char *key = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  gboolean found = FALSE;

  if (!is_partial (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Lifeboat removes backups from a restic repository only by a retention "
                     "policy (restic forget)"));
      return FALSE;
    }

  key = pending_key (self);
  g_mutex_lock (&pending_mutex);
  if (pending_backups != NULL)
    {
      Pending *p = g_hash_table_lookup (pending_backups, key);

      if (p != NULL && self->name == NULL)
        found = g_hash_table_remove (pending_backups, key);
      else if (p != NULL)
        {
          gpointer orig_key = NULL, value = NULL;

          if (g_hash_table_steal_extended (p->streams, self->name, &orig_key, &value))
            {
              found = TRUE;
              g_free (orig_key);
              stream = value;
            }
          else if (g_str_equal (self->name, LIFEBOAT_MANIFEST_NAME) && p->manifest != NULL)
            {
              found = TRUE;
              g_clear_pointer (&p->manifest, g_bytes_unref);
            }
        }
    }
  g_mutex_unlock (&pending_mutex);

  if (!found)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Not there");
      return FALSE;
    }

  /* the backup that will not be: whatever restic stored under its ID, also a snapshot whose
   * restic was interrupted after it saved it but before it said so */
  if (self->name == NULL)
    return forget_abandoned (self, error);

  /* a snapshot of a volume of a backup that will not be: forgotten (its data goes with the
   * next prune) */
  if (stream != NULL)
    {
      const char *snapshot;

      g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
      snapshot = _lifeboat_restic_backup_stream_get_snapshot (stream);
      if (snapshot != NULL && !forget_snapshot (self->repo, snapshot, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
file_move (GFile                  *source,
           GFile                  *destination,
           GFileCopyFlags          flags,
           GCancellable           *cancellable,
           GFileProgressCallback   progress_callback,
           gpointer                progress_callback_data,
           GError                **error)
{
  LifeboatResticFile *self = SELF (source);
  LifeboatResticFile *dest;
  g_autofree char *key = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) restic = json_object_new ();
  g_autoptr(JsonObject) snapshots = json_object_new ();
  g_autoptr(JsonObject) added = json_object_new ();
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GPtrArray) tags = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  JsonObject *manifest, *engine, *project, *app;
  GHashTableIter iter;
  gpointer name, stream;
  gsize len;
  Pending *p;

  if (!LIFEBOAT_IS_RESTIC_FILE (destination) || !is_partial (self) || self->name != NULL ||
      (dest = SELF (destination))->backup == NULL || dest->name != NULL ||
      dest->repo != self->repo ||
      strlen (dest->backup) + strlen (PARTIAL_SUFFIX) != strlen (self->backup) ||
      !g_str_has_prefix (self->backup, dest->backup))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "A backup in a restic repository can only be completed");
      return FALSE;
    }
  id = g_strdup (dest->backup);

  key = pending_key (self);
  g_mutex_lock (&pending_mutex);
  p = pending_lookup (self);
  if (p != NULL && p->manifest != NULL)
    manifest_bytes = g_bytes_ref (p->manifest);
  if (p != NULL)
    {
      g_hash_table_iter_init (&iter, p->streams);
      while (g_hash_table_iter_next (&iter, &name, &stream))
        {
          const char *snapshot = _lifeboat_restic_backup_stream_get_snapshot (stream);

          json_object_set_string_member (snapshots, name, snapshot);
          json_object_set_int_member (added, name,
                                      _lifeboat_restic_backup_stream_get_data_added (stream));
          if (!_lifeboat_restic_backup_stream_is_complete (stream))
            g_clear_pointer (&manifest_bytes, g_bytes_unref);   /* not complete */
        }
    }
  g_mutex_unlock (&pending_mutex);

  if (manifest_bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (manifest_bytes, NULL),
                                   g_bytes_get_size (manifest_bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                   _("The backup %s is not complete"), id);
      return FALSE;
    }

  /* the manifest names each volume's snapshot, so that a backup is found whole */
  manifest = json_node_get_object (json_parser_get_root (parser));
  json_object_set_object_member (restic, "snapshots", g_steal_pointer (&snapshots));
  json_object_set_object_member (restic, "data_added", g_steal_pointer (&added));
  json_object_set_object_member (manifest, "restic", g_steal_pointer (&restic));

  engine = json_object_get_object_member (manifest, "engine");
  project = json_object_get_object_member (manifest, "project");
  app = json_object_get_member (manifest, "app") &&
        JSON_NODE_HOLDS_OBJECT (json_object_get_member (manifest, "app"))
        ? json_object_get_object_member (manifest, "app") : NULL;
  g_ptr_array_add (tags, g_strdup ("lifeboat"));
  g_ptr_array_add (tags, g_strdup ("lifeboat-manifest"));
  g_ptr_array_add (tags, g_strconcat ("lifeboat-backup=", id, NULL));
  if (project != NULL && json_object_get_string_member_with_default (project, "name", NULL))
    g_ptr_array_add (tags, g_strconcat ("lifeboat-project=",
                                        json_object_get_string_member (project, "name"), NULL));
  if (engine != NULL && json_object_get_string_member_with_default (engine, "id", NULL))
    g_ptr_array_add (tags, g_strconcat ("lifeboat-engine=",
                                        json_object_get_string_member (engine, "id"), NULL));
  if (app != NULL && json_object_get_string_member_with_default (app, "profile", NULL))
    {
      const char *version = json_object_get_string_member_with_default (app, "version", "");

      g_ptr_array_add (tags, g_strdup_printf ("lifeboat-app=%s:%s",
                                              json_object_get_string_member (app, "profile"),
                                              version));
    }
  /* a tag is one word of restic's --tag list */
  for (guint i = 0; i < tags->len; i++)
    g_strdelimit (g_ptr_array_index (tags, i), ",", '_');

  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &len);

  out = _lifeboat_restic_backup_stream_new (self->repo, LIFEBOAT_MANIFEST_NAME,
                                            (const char * const *) tags->pdata, NULL, NULL,
                                            cancellable, error);
  if (out == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (out), text, len, NULL, cancellable, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error))
    return FALSE;

  /* complete: nothing to forget any more */
  g_mutex_lock (&pending_mutex);
  g_hash_table_remove (pending_backups, key);
  g_mutex_unlock (&pending_mutex);
  _lifeboat_restic_invalidate (self->repo);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Listing */

#define LIFEBOAT_TYPE_RESTIC_ENUMERATOR (lifeboat_restic_enumerator_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatResticEnumerator, lifeboat_restic_enumerator,
                      LIFEBOAT, RESTIC_ENUMERATOR, GFileEnumerator)

struct _LifeboatResticEnumerator
{
  GFileEnumerator  parent_instance;
  GPtrArray       *infos;
  guint            next;
};

G_DEFINE_FINAL_TYPE (LifeboatResticEnumerator, lifeboat_restic_enumerator, G_TYPE_FILE_ENUMERATOR)

static GFileInfo *
enumerator_next_file (GFileEnumerator  *enumerator,
                      GCancellable     *cancellable,
                      GError          **error)
{
  LifeboatResticEnumerator *self = LIFEBOAT_RESTIC_ENUMERATOR (enumerator);

  if (self->next >= self->infos->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->infos, self->next++));
}

static gboolean
enumerator_close (GFileEnumerator  *enumerator,
                  GCancellable     *cancellable,
                  GError          **error)
{
  return TRUE;
}

static void
lifeboat_restic_enumerator_finalize (GObject *object)
{
  g_clear_pointer (&LIFEBOAT_RESTIC_ENUMERATOR (object)->infos, g_ptr_array_unref);
  G_OBJECT_CLASS (lifeboat_restic_enumerator_parent_class)->finalize (object);
}

static void
lifeboat_restic_enumerator_class_init (LifeboatResticEnumeratorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lifeboat_restic_enumerator_finalize;
  G_FILE_ENUMERATOR_CLASS (klass)->next_file = enumerator_next_file;
  G_FILE_ENUMERATOR_CLASS (klass)->close_fn = enumerator_close;
}

static void
lifeboat_restic_enumerator_init (LifeboatResticEnumerator *self)
{
  self->infos = g_ptr_array_new_with_free_func (g_object_unref);
}

static GFileEnumerator *
file_enumerate_children (GFile                *file,
                         const char           *attributes,
                         GFileQueryInfoFlags   flags,
                         GCancellable         *cancellable,
                         GError              **error)
{
  LifeboatResticFile *self = SELF (file);
  g_autoptr(LifeboatResticEnumerator) e = g_object_new (LIFEBOAT_TYPE_RESTIC_ENUMERATOR,
                                                        "container", file, NULL);

  if (self->name != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, "Not a folder");
      return NULL;
    }

  if (self->backup == NULL)
    {
      g_autoptr(GPtrArray) backups = lifeboat_restic_repository_list_backups_sync (self->repo,
                                                                                 NULL,
                                                                                 cancellable,
                                                                                 error);

      if (backups == NULL)
        return NULL;
      for (guint i = 0; i < backups->len; i++)
        {
          LifeboatResticBackup *b = g_ptr_array_index (backups, i);

          g_ptr_array_add (e->infos, new_info (b->id, G_FILE_TYPE_DIRECTORY, 0));
        }
    }
  else if (is_partial (self))
    {
      Pending *p;

      g_mutex_lock (&pending_mutex);
      p = pending_lookup (self);
      if (p != NULL)
        {
          GHashTableIter iter;
          gpointer name;

          g_hash_table_iter_init (&iter, p->streams);
          while (g_hash_table_iter_next (&iter, &name, NULL))
            g_ptr_array_add (e->infos, new_info (name, G_FILE_TYPE_REGULAR, 0));
          if (p->manifest != NULL)
            g_ptr_array_add (e->infos, new_info (LIFEBOAT_MANIFEST_NAME,
                                                 G_FILE_TYPE_REGULAR, 0));
        }
      g_mutex_unlock (&pending_mutex);
    }
  else
    {
      g_autoptr(JsonObject) manifest = _lifeboat_restic_dup_manifest (self->repo, self->backup,
                                                                      cancellable, error);
      JsonArray *volumes;

      if (manifest == NULL)
        return NULL;
      g_ptr_array_add (e->infos, new_info (LIFEBOAT_MANIFEST_NAME, G_FILE_TYPE_REGULAR, 0));
      volumes = json_object_get_array_member (manifest, "volumes");
      for (guint i = 0; volumes != NULL && i < json_array_get_length (volumes); i++)
        {
          JsonObject *v = json_array_get_object_element (volumes, i);
          const char *archive = json_object_get_string_member_with_default (v, "archive", NULL);

          gint64 size = json_object_get_int_member_with_default (v, "archive_bytes", 0);

          if (archive != NULL)
            g_ptr_array_add (e->infos, new_info (archive, G_FILE_TYPE_REGULAR, size));
        }
    }

  return G_FILE_ENUMERATOR (g_steal_pointer (&e));
}

static void
lifeboat_restic_file_iface_init (GFileIface *iface)
{
  iface->dup = file_dup;
  iface->hash = file_hash;
  iface->equal = file_equal;
  iface->is_native = file_is_native;
  iface->has_uri_scheme = file_has_uri_scheme;
  iface->get_uri_scheme = file_get_uri_scheme;
  iface->get_basename = file_get_basename;
  iface->get_path = file_get_path;
  iface->get_uri = file_get_uri;
  iface->get_parse_name = file_get_parse_name;
  iface->get_parent = file_get_parent;
  iface->prefix_matches = file_prefix_matches;
  iface->get_relative_path = file_get_relative_path;
  iface->resolve_relative_path = file_resolve_relative_path;
  iface->get_child_for_display_name = file_get_child_for_display_name;
  iface->enumerate_children = file_enumerate_children;
  iface->query_info = file_query_info;
  iface->read_fn = file_read;
  iface->create = file_create;
  iface->make_directory = file_make_directory;
  iface->set_attribute = file_set_attribute;
  iface->delete_file = file_delete;
  iface->move = file_move;
}

/* ---------------------------------------------------------------------------------------- */

gboolean
_lifeboat_restic_is_file (GFile *file)
{
  return LIFEBOAT_IS_RESTIC_FILE (file);
}

LifeboatResticRepository *
lifeboat_restic_file_get_repository (GFile *file)
{
  return LIFEBOAT_IS_RESTIC_FILE (file) ? SELF (file)->repo : NULL;
}

const char *
lifeboat_restic_file_get_backup_id (GFile *file)
{
  return LIFEBOAT_IS_RESTIC_FILE (file) ? SELF (file)->backup : NULL;
}

GFileOutputStream *
_lifeboat_restic_file_create_volume (GFile                       *file,
                                     LifeboatArchiveProgressFunc  progress,
                                     gpointer                     user_data,
                                     GCancellable                *cancellable,
                                     GError                     **error)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_FILE (file), NULL);

  if (SELF (file)->name == NULL || !is_partial (SELF (file)))
    return file_create (file, G_FILE_CREATE_PRIVATE, cancellable, error);
  return create_in_partial (SELF (file), progress, user_data, cancellable, error);
}
