/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-restic"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "lifeboat-error.h"
#include "lifeboat-restic-private.h"
#include "lifeboat-restic-repository.h"
#include "lifeboat-util-private.h"

/*
 * The one owner of restic's command lines (as Pika Backup's BorgProcess is borg's): spawning it
 * with the repository and the password in its environment, reading its --json, wording its
 * failures, listing, checking and retention. Longer than most files here (about 1k lines) for
 * that reason: nothing else knows how restic is run.
 */

/* restic's backend prefixes (restic 0.14, `restic help`); a plain path is "local:" */
static const char * const backend_prefixes[] = {
  "local:", "sftp:", "rest:", "s3:", "rclone:", "swift:", "b2:", "azure:", "gs:", NULL
};

struct _LifeboatResticRepository
{
  GObject     parent_instance;

  char       *location;
  char       *display;         /* the location without a password in it */
  char       *password_file;
  char       *password;        /* or NULL; wiped when freed; under mutex */
  gboolean    looked_up;       /* the password lookup was asked; under mutex */

  GMutex      mutex;           /* the caches below */
  GHashTable *manifests;       /* backup ID -> JsonObject */
  GPtrArray  *backups;         /* LifeboatResticBackup*, or NULL until listed */
  gboolean    opened;          /* restic opened it with the password once; under mutex */
};

G_DEFINE_FINAL_TYPE (LifeboatResticRepository, lifeboat_restic_repository, G_TYPE_OBJECT)

static LifeboatResticPasswordLookup password_lookup;

void
lifeboat_restic_set_password_lookup (LifeboatResticPasswordLookup lookup)
{
  password_lookup = lookup;
}

gboolean
lifeboat_restic_location_is_repository (const char *location)
{
  g_autofree char *config = NULL;
  g_autofree char *keys = NULL;

  g_return_val_if_fail (location != NULL, FALSE);

  for (guint i = 0; backend_prefixes[i]; i++)
    if (g_str_has_prefix (location, backend_prefixes[i]))
      return TRUE;

  /* a local folder that holds one */
  config = g_build_filename (location, "config", NULL);
  keys = g_build_filename (location, "keys", NULL);
  return g_file_test (config, G_FILE_TEST_IS_REGULAR) && g_file_test (keys, G_FILE_TEST_IS_DIR);
}

gboolean
lifeboat_restic_split_backup_name (const char  *spec,
                                   char       **location,
                                   char       **backup_id)
{
  const char *hash;

  g_return_val_if_fail (spec != NULL, FALSE);

  hash = strrchr (spec, '#');
  if (hash == NULL || hash == spec || hash[1] == '\0' || strchr (hash + 1, '/') != NULL)
    return FALSE;
  if (location != NULL)
    *location = g_strndup (spec, hash - spec);
  if (backup_id != NULL)
    *backup_id = g_strdup (hash + 1);
  return TRUE;
}

void
lifeboat_restic_backup_free (LifeboatResticBackup *backup)
{
  if (backup == NULL)
    return;
  g_free (backup->id);
  g_free (backup->project);
  g_free (backup->engine_id);
  g_free (backup->app_version);
  g_clear_pointer (&backup->time, g_date_time_unref);
  g_free (backup->manifest_snapshot);
  g_free (backup);
}

/* rest:https://user:secret@host/ -> rest:https://user:***@host/ */
static char *
redact_location (const char *location)
{
  const char *scheme = strstr (location, "://");
  const char *at, *colon;

  if (scheme == NULL || (at = strchr (scheme + 3, '@')) == NULL)
    return g_strdup (location);
  colon = memchr (scheme + 3, ':', at - (scheme + 3));
  if (colon == NULL)
    return g_strdup (location);
  return g_strdup_printf ("%.*s:***%s", (int) (colon - location), location, at);
}

static void
lifeboat_restic_repository_finalize (GObject *object)
{
  LifeboatResticRepository *self = (LifeboatResticRepository *) object;

  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->display, g_free);
  g_clear_pointer (&self->password_file, g_free);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->manifests, g_hash_table_unref);
  g_clear_pointer (&self->backups, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (lifeboat_restic_repository_parent_class)->finalize (object);
}

static void
lifeboat_restic_repository_class_init (LifeboatResticRepositoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lifeboat_restic_repository_finalize;

  /* a restic that dies while its stdin is written (a lost SFTP server) must be an error of
   * the write, not a SIGPIPE that ends Lifeboat before it restarts the containers */
  signal (SIGPIPE, SIG_IGN);
}

static void
lifeboat_restic_repository_init (LifeboatResticRepository *self)
{
  g_mutex_init (&self->mutex);
  self->manifests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) json_object_unref);
}

LifeboatResticRepository *
lifeboat_restic_repository_new (const char *location)
{
  LifeboatResticRepository *self;

  g_return_val_if_fail (location != NULL && *location != '\0', NULL);

  self = g_object_new (LIFEBOAT_TYPE_RESTIC_REPOSITORY, NULL);
  self->location = g_strdup (location);
  self->display = redact_location (location);
  return self;
}

const char *
lifeboat_restic_repository_get_location (LifeboatResticRepository *self)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), NULL);
  return self->location;
}

void
lifeboat_restic_repository_set_password_file (LifeboatResticRepository *self,
                                              const char               *path)
{
  g_return_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self));
  _lifeboat_set_str (&self->password_file, path);
}

void
lifeboat_restic_repository_set_password (LifeboatResticRepository *self,
                                         const char               *password)
{
  g_return_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self));

  g_mutex_lock (&self->mutex);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  self->password = g_strdup (password);
  g_mutex_unlock (&self->mutex);
}

gboolean
lifeboat_restic_repository_has_password (LifeboatResticRepository *self)
{
  gboolean have;

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), FALSE);

  g_mutex_lock (&self->mutex);
  /* none set here: the window's keyring, asked once */
  if (self->password == NULL && self->password_file == NULL && !self->looked_up &&
      password_lookup != NULL)
    {
      self->looked_up = TRUE;
      self->password = password_lookup (self->location);
    }
  have = self->password != NULL;
  g_mutex_unlock (&self->mutex);

  return have || self->password_file != NULL ||
         g_getenv ("RESTIC_PASSWORD_FILE") != NULL ||
         g_getenv ("RESTIC_PASSWORD_COMMAND") != NULL ||
         g_getenv ("RESTIC_PASSWORD") != NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Running restic */

#define PASSWORD_FD 3

GSubprocess *
_lifeboat_restic_spawn (LifeboatResticRepository  *self,
                        GSubprocessFlags           flags,
                        const char * const        *args,
                        GError                   **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_null_terminated (16, g_free, TRUE);
  g_autofree char *restic = g_find_program_in_path ("restic");
  g_autofree char *password = NULL;
  GSubprocess *process;

  if (restic == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                   _("Lifeboat needs restic for the repository %s, and restic is not installed "
                     "(apt install restic)"), self->display);
      return NULL;
    }
  if (!lifeboat_restic_repository_has_password (self))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_AUTH_FAILED,
                   _("The password of the restic repository %s is not known: give a password "
                     "file or set RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND"),
                   self->display);
      return NULL;
    }

  g_mutex_lock (&self->mutex);
  password = g_strdup (self->password);
  g_mutex_unlock (&self->mutex);

  launcher = g_subprocess_launcher_new (flags);
  /* the location in the environment too: a rest: URL may hold a password */
  g_subprocess_launcher_setenv (launcher, "RESTIC_REPOSITORY", self->location, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "RESTIC_REPOSITORY_FILE");
  /* restic's words, to be recognised (see _lifeboat_restic_set_error) */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  if (password != NULL || self->password_file != NULL)
    {
      g_subprocess_launcher_unsetenv (launcher, "RESTIC_PASSWORD");
      g_subprocess_launcher_unsetenv (launcher, "RESTIC_PASSWORD_COMMAND");
    }
  if (self->password_file != NULL)
    g_subprocess_launcher_setenv (launcher, "RESTIC_PASSWORD_FILE", self->password_file, TRUE);
  else if (password != NULL)
    {
      int fds[2];
      gsize len = strlen (password);

      /* the password through a pipe that only this restic holds; it fits the pipe's buffer */
      if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
        return NULL;
      if (len >= 4096 || write (fds[1], password, len) != (gssize) len)
        {
          memset (password, 0, len);
          close (fds[0]);
          close (fds[1]);
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                       _("Could not hand the password to restic"));
          return NULL;
        }
      memset (password, 0, len);
      close (fds[1]);
      g_subprocess_launcher_take_fd (launcher, fds[0], PASSWORD_FD);
      g_subprocess_launcher_setenv (launcher, "RESTIC_PASSWORD_FILE",
                                    "/dev/fd/" G_STRINGIFY (PASSWORD_FD), TRUE);
    }

  g_ptr_array_add (argv, g_steal_pointer (&restic));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (process == NULL)
    g_prefix_error (error, _("Could not start restic: "));
  return process;
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

/* restic's last "Fatal: …" line, or its last line */
static char *
restic_reason (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  const char *last = NULL;

  for (guint i = 0; lines[i]; i++)
    {
      g_strstrip (lines[i]);
      if (g_str_has_prefix (lines[i], "Fatal: "))
        return g_strdup (lines[i] + strlen ("Fatal: "));
      if (*lines[i] != '\0')
        last = lines[i];
    }
  return g_strdup (last != NULL ? last : _("no reason given"));
}

void
_lifeboat_restic_set_error (LifeboatResticRepository  *self,
                            GError                   **error,
                            const char                *what,
                            const char                *stderr_text)
{
  g_autofree char *reason = restic_reason (stderr_text);

  if (contains (stderr_text, "wrong password"))
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_AUTH_FAILED,
                 _("The password of the restic repository %s is wrong"), self->display);
  else if (contains (stderr_text, "already locked"))
    {
      /* "repository is already locked exclusively by PID 1234 on host by user (UID 0, …)" */
      const char *by = strstr (stderr_text, "locked");
      g_autofree char *who = g_strndup (by, strcspn (by, "\n"));

      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("The restic repository %s is in use by another restic (%s); try again "
                     "when it is done, or run “restic unlock” if that restic is gone"),
                   self->display, g_strstrip (who));
    }
  else if (contains (stderr_text, "no space left on device") ||
           contains (stderr_text, "disk quota exceeded"))
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NO_SPACE,
                 _("The disk of the restic repository %s is full"), self->display);
  else if (contains (stderr_text, "Is there a repository at the following location?") ||
           contains (stderr_text, "unable to open config file"))
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND,
                 _("There is no restic repository at %s"), self->display);
  else if (contains (stderr_text, "ssh command exited") ||
           contains (stderr_text, "connection lost") ||
           contains (stderr_text, "unable to start the sftp session") ||
           contains (stderr_text, "connection refused") ||
           contains (stderr_text, "Connection refused") ||
           contains (stderr_text, "broken pipe") ||
           contains (stderr_text, "EOF"))
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_RESPONDING,
                 _("The connection to the restic repository %s was lost while %s (%s)"),
                 self->display, what, reason);
  else
    g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                 _("restic failed while %s in %s: %s"), what, self->display, reason);
}

static const char *
describe (const char * const *args)
{
  const char *verb = args[0];

  if (g_str_equal (verb, "init"))
    return _("creating the repository");
  if (g_str_equal (verb, "snapshots") || g_str_equal (verb, "cat"))
    return _("reading the repository");
  if (g_str_equal (verb, "check"))
    return _("checking the repository");
  if (g_str_equal (verb, "forget"))
    return _("removing old backups");
  if (g_str_equal (verb, "dump"))
    return _("reading a backup");
  return _("writing a backup");
}

gboolean
_lifeboat_restic_run (LifeboatResticRepository  *self,
                      const char * const        *args,
                      GBytes                   **out,
                      GCancellable              *cancellable,
                      GError                   **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) stdout_buf = NULL;
  g_autoptr(GBytes) stderr_buf = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  process = _lifeboat_restic_spawn (self, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_PIPE, args, error);
  if (process == NULL)
    return FALSE;

  /* an empty stdin: restic never waits there for a password */
  if (!g_subprocess_communicate (process, empty, cancellable, &stdout_buf, &stderr_buf, error))
    {
      g_subprocess_send_signal (process, SIGINT);   /* restic removes its lock */
      g_subprocess_wait (process, NULL, NULL);
      return FALSE;
    }

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (stderr_buf, NULL),
                                         g_bytes_get_size (stderr_buf));

      g_debug ("restic %s: %s", args[0], text);
      _lifeboat_restic_set_error (self, error, describe (args), text);
      return FALSE;
    }

  if (out != NULL)
    *out = g_steal_pointer (&stdout_buf);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */

static GPtrArray *load_backups (LifeboatResticRepository  *self,
                                GCancellable              *cancellable,
                                GError                   **error);

gboolean
lifeboat_restic_repository_open_sync (LifeboatResticRepository  *self,
                                      gboolean                   create,
                                      gboolean                  *created,
                                      GCancellable              *cancellable,
                                      GError                   **error)
{
  const char *init[] = { "init", NULL };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) backups = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), FALSE);

  if (created != NULL)
    *created = FALSE;

  /* Each restic run derives the key from the password first (about half a second here), so
   * a repository is opened once (the backup opens its destination again after the command that
   * named it did: a repository is not removed under a job), and by listing its backups, which
   * every job reads next anyway, rather than by reading its config alone. */
  g_mutex_lock (&self->mutex);
  if (self->opened)
    {
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }
  g_mutex_unlock (&self->mutex);

  if ((backups = load_backups (self, cancellable, &local_error)) != NULL)
    {
      g_mutex_lock (&self->mutex);
      self->opened = TRUE;
      if (self->backups == NULL)
        self->backups = g_steal_pointer (&backups);
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }

  if (!create || !g_error_matches (local_error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!_lifeboat_restic_run (self, init, NULL, cancellable, error))
    return FALSE;
  g_mutex_lock (&self->mutex);
  self->opened = TRUE;
  g_mutex_unlock (&self->mutex);
  if (created != NULL)
    *created = TRUE;
  return TRUE;
}

static char *
dup_tag_value (JsonArray  *tags,
               const char *prefix)
{
  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    {
      const char *tag = json_array_get_string_element (tags, i);

      if (tag != NULL && g_str_has_prefix (tag, prefix))
        return g_strdup (tag + strlen (prefix));
    }
  return NULL;
}

static int
compare_backup_times (gconstpointer a,
                      gconstpointer b)
{
  const LifeboatResticBackup *ba = *(LifeboatResticBackup * const *) a;
  const LifeboatResticBackup *bb = *(LifeboatResticBackup * const *) b;

  return g_date_time_compare (ba->time, bb->time);
}

static GPtrArray *
load_backups (LifeboatResticRepository  *self,
              GCancellable              *cancellable,
              GError                   **error)
{
  const char *args[] = { "snapshots", "--json", "--no-lock", "--tag", "lifeboat-manifest", NULL };
  g_autoptr(GBytes) out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) backups =
    g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_restic_backup_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *root;
  JsonArray *array;

  if (!_lifeboat_restic_run (self, args, &out, cancellable, error))
    return NULL;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                   NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("restic listed the snapshots of %s in a form Lifeboat does not read"),
                   self->display);
      return NULL;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      JsonArray *tags = json_object_get_array_member (o, "tags");
      g_autoptr(LifeboatResticBackup) b = g_new0 (LifeboatResticBackup, 1);
      const char *time = json_object_get_string_member_with_default (o, "time", NULL);

      b->id = dup_tag_value (tags, "lifeboat-backup=");
      b->project = dup_tag_value (tags, "lifeboat-project=");
      b->engine_id = dup_tag_value (tags, "lifeboat-engine=");
      b->app_version = dup_tag_value (tags, "lifeboat-app=");
      b->manifest_snapshot = g_strdup (json_object_get_string_member_with_default (o, "id", NULL));
      b->time = time ? g_date_time_new_from_iso8601 (time, NULL) : NULL;
      if (b->id == NULL || b->manifest_snapshot == NULL || b->time == NULL)
        continue;
      g_ptr_array_add (backups, g_steal_pointer (&b));
    }
  g_ptr_array_sort (backups, compare_backup_times);

  /* the same ID twice (written again after a crash): the newest counts */
  for (guint i = backups->len; i > 0; i--)
    {
      LifeboatResticBackup *b = g_ptr_array_index (backups, i - 1);

      if (!g_hash_table_add (seen, b->id))
        g_ptr_array_remove_index (backups, i - 1);
    }
  return g_steal_pointer (&backups);
}

static LifeboatResticBackup *
backup_copy (const LifeboatResticBackup *b)
{
  LifeboatResticBackup *copy = g_new0 (LifeboatResticBackup, 1);

  copy->id = g_strdup (b->id);
  copy->project = g_strdup (b->project);
  copy->engine_id = g_strdup (b->engine_id);
  copy->app_version = g_strdup (b->app_version);
  copy->time = g_date_time_ref (b->time);
  copy->manifest_snapshot = g_strdup (b->manifest_snapshot);
  return copy;
}

/* under no lock: fills the cache when empty */
static gboolean
ensure_backups (LifeboatResticRepository  *self,
                GCancellable              *cancellable,
                GError                   **error)
{
  g_autoptr(GPtrArray) backups = NULL;
  gboolean have;

  g_mutex_lock (&self->mutex);
  have = self->backups != NULL;
  g_mutex_unlock (&self->mutex);
  if (have)
    return TRUE;

  backups = load_backups (self, cancellable, error);
  if (backups == NULL)
    return FALSE;
  g_mutex_lock (&self->mutex);
  if (self->backups == NULL)
    self->backups = g_steal_pointer (&backups);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

GPtrArray *
lifeboat_restic_repository_list_backups_sync (LifeboatResticRepository  *self,
                                              const char                *project,
                                              GCancellable              *cancellable,
                                              GError                   **error)
{
  GPtrArray *result;

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), NULL);

  _lifeboat_restic_invalidate (self);
  if (!ensure_backups (self, cancellable, error))
    return NULL;

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_restic_backup_free);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->backups->len; i++)
    {
      LifeboatResticBackup *b = g_ptr_array_index (self->backups, i);

      if (project == NULL || g_strcmp0 (project, b->project) == 0)
        g_ptr_array_add (result, backup_copy (b));
    }
  g_mutex_unlock (&self->mutex);
  return result;
}

void
_lifeboat_restic_invalidate (LifeboatResticRepository *self)
{
  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->backups, g_ptr_array_unref);
  g_hash_table_remove_all (self->manifests);
  g_mutex_unlock (&self->mutex);
}

char *
_lifeboat_restic_dup_manifest_snapshot (LifeboatResticRepository  *self,
                                        const char                *id,
                                        GCancellable              *cancellable,
                                        GError                   **error)
{
  char *snapshot = NULL;

  if (!ensure_backups (self, cancellable, error))
    return NULL;
  g_mutex_lock (&self->mutex);
  for (guint i = 0; snapshot == NULL && i < self->backups->len; i++)
    {
      LifeboatResticBackup *b = g_ptr_array_index (self->backups, i);

      if (g_str_equal (b->id, id))
        snapshot = g_strdup (b->manifest_snapshot);
    }
  g_mutex_unlock (&self->mutex);
  if (snapshot == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("The restic repository %s holds no complete backup %s"), self->display, id);
  return snapshot;
}

JsonObject *
_lifeboat_restic_dup_manifest (LifeboatResticRepository  *self,
                               const char                *id,
                               GCancellable              *cancellable,
                               GError                   **error)
{
  g_autofree char *snapshot = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) out = NULL;
  JsonObject *manifest;
  JsonNode *root;

  if (!ensure_backups (self, cancellable, error))
    return NULL;

  g_mutex_lock (&self->mutex);
  manifest = g_hash_table_lookup (self->manifests, id);
  if (manifest != NULL)
    json_object_ref (manifest);
  for (guint i = 0; manifest == NULL && i < self->backups->len; i++)
    {
      LifeboatResticBackup *b = g_ptr_array_index (self->backups, i);

      if (g_str_equal (b->id, id))
        snapshot = g_strdup (b->manifest_snapshot);
    }
  g_mutex_unlock (&self->mutex);
  if (manifest != NULL)
    return manifest;

  if (snapshot == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The restic repository %s holds no complete backup %s"), self->display, id);
      return NULL;
    }

  {
    const char *args[] = { "dump", snapshot, LIFEBOAT_RESTIC_MANIFEST_PATH, NULL };

    if (!_lifeboat_restic_run (self, args, &out, cancellable, error))
      return NULL;
  }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                   NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_BACKUP,
                   _("The manifest of backup %s in %s is damaged"), id, self->display);
      return NULL;
    }

  manifest = json_node_dup_object (root);
  g_mutex_lock (&self->mutex);
  g_hash_table_replace (self->manifests, g_strdup (id), json_object_ref (manifest));
  g_mutex_unlock (&self->mutex);
  return manifest;
}

gboolean
lifeboat_restic_repository_check_sync (LifeboatResticRepository  *self,
                                       gboolean                   read_data,
                                       GCancellable              *cancellable,
                                       GError                   **error)
{
  const char *args[] = { "check", read_data ? "--read-data" : NULL, NULL };

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), FALSE);
  return _lifeboat_restic_run (self, args, NULL, cancellable, error);
}

static JsonNode *
run_json (LifeboatResticRepository  *self,
          const char * const        *args,
          GCancellable              *cancellable,
          GError                   **error)
{
  g_autoptr(GBytes) out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!_lifeboat_restic_run (self, args, &out, cancellable, error))
    return NULL;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                   NULL) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("restic answered in a form Lifeboat does not read (%s)"), args[0]);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/*
 * Whole backups go: restic applies the policy to the manifests only (one group), and every
 * snapshot of a backup whose manifest goes is forgotten with it. A volume's snapshot that no
 * manifest names (a backup that never completed) would otherwise take a place the policy keeps
 * for a volume of a complete backup; such snapshots older than a day (no backup takes that long)
 * are forgotten too.
 */
gboolean
lifeboat_restic_repository_forget_sync (LifeboatResticRepository  *self,
                                        const char                *project,
                                        const LifeboatResticKeep  *keep,
                                        gboolean                   dry_run,
                                        char                     **report,
                                        GCancellable              *cancellable,
                                        GError                   **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_null_terminated (16, g_free, TRUE);
  g_autoptr(GHashTable) gone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) groups = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const struct { const char *option; guint value; } rules[] = {
    { "--keep-last", keep->last }, { "--keep-daily", keep->daily },
    { "--keep-weekly", keep->weekly }, { "--keep-monthly", keep->monthly },
  };
  guint orphans = 0, n_snapshots = 0;
  gboolean any = FALSE;

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), FALSE);
  g_return_val_if_fail (project != NULL && keep != NULL, FALSE);

  /* 1. which backups the policy keeps: restic decides, on the manifests */
  g_ptr_array_add (args, g_strdup ("forget"));
  g_ptr_array_add (args, g_strdup ("--json"));
  g_ptr_array_add (args, g_strdup ("--dry-run"));
  g_ptr_array_add (args, g_strdup ("--tag"));
  g_ptr_array_add (args, g_strdup_printf ("lifeboat-manifest,lifeboat-project=%s", project));
  g_ptr_array_add (args, g_strdup ("--group-by"));
  g_ptr_array_add (args, g_strdup ("paths"));
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rules[i].value > 0)
      {
        g_ptr_array_add (args, g_strdup (rules[i].option));
        g_ptr_array_add (args, g_strdup_printf ("%u", rules[i].value));
        any = TRUE;
      }
  if (!any)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A retention policy needs at least one number of backups to keep"));
      return FALSE;
    }
  groups = run_json (self, (const char * const *) args->pdata, cancellable, error);
  if (groups == NULL)
    return FALSE;
  for (guint i = 0; JSON_NODE_HOLDS_ARRAY (groups) &&
                    i < json_array_get_length (json_node_get_array (groups)); i++)
    {
      JsonObject *group = json_array_get_object_element (json_node_get_array (groups), i);
      JsonNode *remove = json_object_get_member (group, "remove");

      for (guint j = 0; remove != NULL && JSON_NODE_HOLDS_ARRAY (remove) &&
                        j < json_array_get_length (json_node_get_array (remove)); j++)
        {
          JsonObject *snap = json_array_get_object_element (json_node_get_array (remove), j);
          JsonArray *tags = json_object_get_array_member (snap, "tags");
          char *id = dup_tag_value (tags, "lifeboat-backup=");

          if (id != NULL)
            g_hash_table_add (gone, id);
        }
    }

  {
    g_autoptr(GPtrArray) ids = g_ptr_array_new_null_terminated (8, NULL, TRUE);
    GHashTableIter iter;
    gpointer id;

    g_hash_table_iter_init (&iter, gone);
    while (g_hash_table_iter_next (&iter, &id, NULL))
      {
        g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", (char *) id);
        g_ptr_array_add (ids, id);
      }

    /* 2. and 3.: every snapshot of those backups forgotten, then their data pruned */
    if (!lifeboat_restic_repository_forget_backups_sync (self, project,
                                                         (const char * const *) ids->pdata,
                                                         dry_run, &n_snapshots, &orphans, NULL,
                                                         cancellable, error))
      return FALSE;
  }

  if (report != NULL)
    {
      /* Translators: the backups' names follow */
      *report = g_strdup_printf (dry_run ? _("Would remove %u backups (%u snapshots, %u of "
                                             "backups that never completed): %s")
                                         : _("Removed %u backups (%u snapshots, %u of backups "
                                             "that never completed): %s"),
                                 g_hash_table_size (gone), n_snapshots, orphans, text->str);
    }
  return TRUE;
}

/*
 * Every snapshot of the backups @ids (and the volumes' snapshots, older than a day, of backups
 * that never completed) is forgotten, then `restic prune` frees their data.
 */
gboolean
lifeboat_restic_repository_forget_backups_sync (LifeboatResticRepository  *self,
                                                const char                *project,
                                                const char * const        *ids,
                                                gboolean                   dry_run,
                                                guint                     *n_snapshots,
                                                guint                     *n_orphans,
                                                gboolean                  *forgotten,
                                                GCancellable              *cancellable,
                                                GError                   **error)
{
  g_autoptr(GPtrArray) forget = g_ptr_array_new_null_terminated (16, g_free, TRUE);
  g_autoptr(GHashTable) gone = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) complete = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *project_tags = NULL;
  guint orphans = 0;

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), FALSE);
  g_return_val_if_fail (project != NULL, FALSE);

  if (forgotten != NULL)
    *forgotten = FALSE;
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_hash_table_add (gone, (gpointer) ids[i]);

  /* every snapshot of those backups, and the old ones of backups that never completed */
  project_tags = g_strdup_printf ("lifeboat,lifeboat-project=%s", project);
  {
    const char *list[] = { "snapshots", "--json", "--tag", project_tags, NULL };

    all = run_json (self, list, cancellable, error);
    if (all == NULL)
      return FALSE;
  }
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; JSON_NODE_HOLDS_ARRAY (all) &&
                      i < json_array_get_length (json_node_get_array (all)); i++)
      {
        JsonObject *snap = json_array_get_object_element (json_node_get_array (all), i);
        JsonArray *tags = json_object_get_array_member (snap, "tags");
        g_autofree char *id = dup_tag_value (tags, "lifeboat-backup=");
        g_autofree char *manifest = dup_tag_value (tags, "lifeboat-manifest");
        const char *snapshot = json_object_get_string_member_with_default (snap, "id", NULL);
        const char *time = json_object_get_string_member_with_default (snap, "time", NULL);
        g_autoptr(GDateTime) when = time ? g_date_time_new_from_iso8601 (time, NULL) : NULL;

        if (id == NULL || snapshot == NULL)
          continue;
        if (pass == 0)
          {
            if (manifest != NULL)
              g_hash_table_add (complete, g_steal_pointer (&id));
            continue;
          }
        if (g_hash_table_contains (gone, id))
          g_ptr_array_add (forget, g_strdup (snapshot));
        else if (!g_hash_table_contains (complete, id) && when != NULL &&
                 g_date_time_difference (now, when) > G_TIME_SPAN_DAY)
          {
            g_ptr_array_add (forget, g_strdup (snapshot));
            orphans++;
          }
      }

  if (n_snapshots != NULL)
    *n_snapshots = forget->len;
  if (n_orphans != NULL)
    *n_orphans = orphans;

  /* forgotten, then their data pruned */
  if (!dry_run && forget->len > 0)
    {
      const char *prune[] = { "prune", NULL };

      g_ptr_array_insert (forget, 0, g_strdup ("forget"));
      _lifeboat_restic_invalidate (self);
      if (!_lifeboat_restic_run (self, (const char * const *) forget->pdata, NULL, cancellable,
                                 error))
        return FALSE;
      if (forgotten != NULL)
        *forgotten = TRUE;
      if (!_lifeboat_restic_run (self, prune, NULL, cancellable, error))
        return FALSE;
    }
  _lifeboat_restic_invalidate (self);
  return TRUE;
}

GFile *
lifeboat_restic_location_new_file (const char *location)
{
  g_autoptr(LifeboatResticRepository) repo = NULL;

  g_return_val_if_fail (location != NULL, NULL);

  if (!lifeboat_restic_location_is_repository (location))
    return g_file_new_for_commandline_arg (location);
  repo = lifeboat_restic_repository_new (location);
  return lifeboat_restic_repository_get_file (repo, NULL);
}

GFile *
lifeboat_restic_repository_get_file (LifeboatResticRepository *self,
                                     const char               *backup_id)
{
  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (self), NULL);
  return _lifeboat_restic_file_new (self, backup_id, NULL);
}

const char *
_lifeboat_restic_get_display (LifeboatResticRepository *self)
{
  return self->display;
}

char *
_lifeboat_restic_dup_password (LifeboatResticRepository *self)
{
  char *password;

  if (!lifeboat_restic_repository_has_password (self))
    return NULL;
  g_mutex_lock (&self->mutex);
  password = g_strdup (self->password);
  g_mutex_unlock (&self->mutex);
  return password;
}

const char *
_lifeboat_restic_get_password_file (LifeboatResticRepository *self)
{
  return self->password_file;
}
