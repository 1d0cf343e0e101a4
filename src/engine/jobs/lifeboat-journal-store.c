/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The journal's files on the engine: small tar archives written with PUT into the journal
 * volume of a never-started lock container, and read back with GET (see
 * lifeboat-job-lock-private.h for the design).
 */
#define G_LOG_DOMAIN "lifeboat-job-lock"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "lifeboat-error.h"
#include "lifeboat-job-lock-private.h"
#include "lifeboat-journal-store-private.h"

#define JOURNAL_MAX_BYTES (16 * 1024 * 1024)

/* ---------------------------------------------------------------------------------------- */
/* Small tar archives in memory, for PUT */

static void
tar_octal (char   *field,
           gsize   size,
           guint64 value)
{
  g_snprintf (field, size, "%0*" G_GINT64_MODIFIER "o", (int) size - 1, value);
}

static void
tar_add (GByteArray *tar,
         const char *name,
         const char *content,
         gsize       length,
         gboolean    directory)
{
  guint8 header[512] = { 0 };
  guint sum = 0;
  static const guint8 zeros[512] = { 0 };

  g_assert (strlen (name) < 100);
  memcpy (header, name, strlen (name));
  tar_octal ((char *) header + 100, 8, directory ? 0700 : 0600);
  tar_octal ((char *) header + 108, 8, 0);
  tar_octal ((char *) header + 116, 8, 0);
  tar_octal ((char *) header + 124, 12, directory ? 0 : length);
  tar_octal ((char *) header + 136, 12, (guint64) (g_get_real_time () / G_USEC_PER_SEC));
  memset (header + 148, ' ', 8);
  header[156] = directory ? '5' : '0';
  memcpy (header + 257, "ustar", 6);
  memcpy (header + 263, "00", 2);
  for (guint i = 0; i < 512; i++)
    sum += header[i];
  g_snprintf ((char *) header + 148, 8, "%06o", sum);
  header[155] = ' ';
  g_byte_array_append (tar, header, 512);
  if (!directory && length > 0)
    {
      g_byte_array_append (tar, (const guint8 *) content, (guint) length);
      if (length % 512 != 0)
        g_byte_array_append (tar, zeros, (guint) (512 - length % 512));
    }
}

gboolean
_lifeboat_journal_put_files (LifeboatDockerClient *client,
           const char           *container,
           const char           *dir,
           const char * const   *names,
           const char * const   *contents,
           GError              **error)
{
  g_autoptr(GByteArray) tar = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  static const guint8 zeros[1024] = { 0 };
  g_autofree char *dir_entry = g_strconcat (dir, "/", NULL);

  tar_add (tar, dir_entry, NULL, 0, TRUE);
  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_strconcat (dir, "/", names[i], NULL);

      tar_add (tar, path, contents[i], strlen (contents[i]), FALSE);
    }
  g_byte_array_append (tar, zeros, sizeof zeros);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&tar));
  stream = g_memory_input_stream_new_from_bytes (bytes);
  return lifeboat_docker_client_put_archive_sync (client, container, LIFEBOAT_JOURNAL_MOUNT, stream, NULL,
                                                  error);
}

/* ---------------------------------------------------------------------------------------- */
/* Reading the journal back */

void
_lifeboat_journal_free (LifeboatJournal *journal)
{
  if (journal == NULL)
    return;
  g_free (journal->job);
  g_ptr_array_unref (journal->entries);
  g_free (journal);
}

JsonObject *
_lifeboat_journal_find (LifeboatJournal *journal,
                        const char      *step)
{
  for (guint i = journal->entries->len; i > 0; i--)
    {
      JsonObject *o = g_ptr_array_index (journal->entries, i - 1);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "step", NULL), step) == 0)
        return o;
    }
  return NULL;
}

gboolean
_lifeboat_journal_has (LifeboatJournal *journal,
                       const char      *step)
{
  return _lifeboat_journal_find (journal, step) != NULL;
}

const char *
_lifeboat_journal_get_begin (LifeboatJournal *journal,
                             const char      *member)
{
  JsonObject *begin = _lifeboat_journal_find (journal, "begin");

  return begin ? json_object_get_string_member_with_default (begin, member, NULL) : NULL;
}

gboolean
_lifeboat_journal_is_finished (LifeboatJournal *journal)
{
  return _lifeboat_journal_has (journal, "end");
}

typedef struct
{
  char       *name;    /* NNNN-step.json */
  JsonObject *object;  /* NULL when it did not parse */
} RawEntry;

static int
compare_raw (gconstpointer a,
             gconstpointer b)
{
  return strcmp ((*(RawEntry * const *) a)->name, (*(RawEntry * const *) b)->name);
}

static void
raw_entry_free (RawEntry *e)
{
  g_free (e->name);
  g_clear_pointer (&e->object, json_object_unref);
  g_free (e);
}

/* Every job's journal in the volume, keyed by job id; a GHashTable of LifeboatJournal. Also the
 * heartbeats: @heartbeats (job -> gint64 unix seconds) when not NULL. */
GHashTable *
_lifeboat_journal_read_all (LifeboatDockerClient *client,
               const char           *container,
               GHashTable           *heartbeats,
               GCancellable         *cancellable,
               GError              **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GHashTable) raw = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) journals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) _lifeboat_journal_free);
  struct archive *a;
  struct archive_entry *entry;
  guint8 buf[16384];
  GHashTableIter iter;
  gpointer key, value;

  in = lifeboat_docker_client_get_archive_sync (client, container, LIFEBOAT_JOURNAL_MOUNT, cancellable,
                                                error);
  if (in == NULL)
    return NULL;
  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (data, buf, (guint) n);
      if (data->len > JOURNAL_MAX_BYTES)
        {
          g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                       _("The journal on the engine is larger than %d MiB"),
                       JOURNAL_MAX_BYTES / (1024 * 1024));
          return NULL;
        }
    }

  a = archive_read_new ();
  archive_read_support_format_tar (a);
  if (archive_read_open_memory (a, data->data, data->len) != ARCHIVE_OK)
    {
      g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_FAILED,
                   _("Could not read the journal on the engine: %s"), archive_error_string (a));
      archive_read_free (a);
      return NULL;
    }
  while (archive_read_next_header (a, &entry) == ARCHIVE_OK)
    {
      const char *path = archive_entry_pathname (entry);
      g_auto(GStrv) parts = NULL;
      g_autoptr(GByteArray) content = NULL;
      gssize n;

      if (path == NULL || archive_entry_filetype (entry) != AE_IFREG)
        continue;
      /* "j/<job>/<file>" */
      parts = g_strsplit (path, "/", 0);
      if (g_strv_length (parts) != 3)
        continue;
      content = g_byte_array_new ();
      while ((n = archive_read_data (a, buf, sizeof buf)) > 0)
        g_byte_array_append (content, buf, (guint) n);
      g_byte_array_append (content, (const guint8 *) "", 1);

      if (g_str_equal (parts[2], LIFEBOAT_JOURNAL_HEARTBEAT))
        {
          if (heartbeats != NULL)
            g_hash_table_insert (heartbeats, g_strdup (parts[1]),
                                 g_memdup2 (&(gint64) { g_ascii_strtoll ((char *) content->data,
                                                                         NULL, 10) },
                                            sizeof (gint64)));
          continue;
        }
      if (!g_str_has_suffix (parts[2], ".json"))
        continue;
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        RawEntry *e = g_new0 (RawEntry, 1);
        GPtrArray *list = g_hash_table_lookup (raw, parts[1]);

        e->name = g_strdup (parts[2]);
        if (json_parser_load_from_data (parser, (const char *) content->data, -1, NULL) &&
            JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
          e->object = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
        if (list == NULL)
          {
            list = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_entry_free);
            g_hash_table_insert (raw, g_strdup (parts[1]), list);
          }
        g_ptr_array_add (list, e);
      }
    }
  archive_read_free (a);

  g_hash_table_iter_init (&iter, raw);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *list = value;
      LifeboatJournal *journal = g_new0 (LifeboatJournal, 1);

      g_ptr_array_sort (list, compare_raw);
      journal->job = g_strdup (key);
      journal->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      for (guint i = 0; i < list->len; i++)
        {
          RawEntry *e = g_ptr_array_index (list, i);

          /* a file that does not parse can only be the newest, half written: it is ignored */
          if (e->object != NULL)
            g_ptr_array_add (journal->entries, json_object_ref (e->object));
          else if (i + 1 < list->len)
            g_warning ("Journal %s: %s does not parse, but later steps do", journal->job, e->name);
        }
      g_hash_table_insert (journals, g_strdup (key), journal);
    }

  return g_steal_pointer (&journals);
}

int
_lifeboat_journal_compare (gconstpointer a,
                  gconstpointer b)
{
  LifeboatJournal *ja = *(LifeboatJournal * const *) a;
  LifeboatJournal *jb = *(LifeboatJournal * const *) b;
  const char *ta = ja->entries->len ? json_object_get_string_member_with_default (
    g_ptr_array_index (ja->entries, 0), "time", "") : "";
  const char *tb = jb->entries->len ? json_object_get_string_member_with_default (
    g_ptr_array_index (jb->entries, 0), "time", "") : "";

  return strcmp (ta, tb);
}

void
_lifeboat_test_point (const char *step)
{
  const char *at = g_getenv ("LIFEBOAT_TEST_PAUSE_AT");
  const char *file = g_getenv ("LIFEBOAT_TEST_PAUSE_FILE");
  g_autofree char *text = NULL;
  static gint paused = 0;

  /* once per process: a step that several threads reach (a volume written) stops the first */
  if (at == NULL || file == NULL || g_strcmp0 (at, step) != 0 ||
      !g_atomic_int_compare_and_exchange (&paused, 0, 1))
    return;
  text = g_strdup_printf ("paused %s %d\n", step, (int) getpid ());
  if (!g_file_set_contents (file, text, -1, NULL))
    return;
  /* the test kills or signals this process here, or removes the file to let it go on */
  for (guint i = 0; i < 1200 && g_file_test (file, G_FILE_TEST_EXISTS); i++)
    g_usleep (G_USEC_PER_SEC / 10);
}
