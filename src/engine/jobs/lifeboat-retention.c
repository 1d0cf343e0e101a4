/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-retention"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lifeboat-manifest.h"
#include "lifeboat-restic-private.h"
#include "lifeboat-retention.h"

/* ---------------------------------------------------------------------------------------- */
/* Items */

LifeboatRetentionItem *
lifeboat_retention_item_new (GFile     *folder,
                             GDateTime *created)
{
  LifeboatRetentionItem *item = g_new0 (LifeboatRetentionItem, 1);

  item->folder = folder ? g_object_ref (folder) : NULL;
  item->path = folder ? g_file_get_parse_name (folder) : NULL;
  item->created = created ? g_date_time_to_local (created) : NULL;
  item->keep = TRUE;
  return item;
}

void
lifeboat_retention_item_free (LifeboatRetentionItem *item)
{
  if (item == NULL)
    return;
  g_clear_object (&item->folder);
  g_clear_pointer (&item->path, g_free);
  g_clear_pointer (&item->created, g_date_time_unref);
  g_clear_pointer (&item->project, g_free);
  g_clear_pointer (&item->reason, g_free);
  g_clear_pointer (&item->backup_id, g_free);
  g_free (item);
}

gboolean
lifeboat_retention_is_empty (const LifeboatRetention *policy)
{
  return policy == NULL ||
         (policy->last == 0 && policy->daily == 0 && policy->weekly == 0 && policy->monthly == 0);
}

char *
lifeboat_retention_to_string (const LifeboatRetention *policy)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (lifeboat_retention_is_empty (policy))
    return g_strdup (_("keep all"));

  /* TRANSLATORS: parts of a retention policy, as in "last 3, daily 7, weekly 4" */
  if (policy->last > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("last %u"), policy->last));
  if (policy->daily > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("daily %u"), policy->daily));
  if (policy->weekly > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("weekly %u"), policy->weekly));
  if (policy->monthly > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("monthly %u"), policy->monthly));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (", ", (char **) parts->pdata);
}

/* ---------------------------------------------------------------------------------------- */
/* The policy: restic's forget --keep-* (internal/restic/snapshot_policy.go) */

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const LifeboatRetentionItem *ia = *(LifeboatRetentionItem **) a;
  const LifeboatRetentionItem *ib = *(LifeboatRetentionItem **) b;

  if (ia->created == NULL || ib->created == NULL)
    return (ia->created == NULL) - (ib->created == NULL);
  return g_date_time_compare (ib->created, ia->created);
}

typedef enum { BUCKET_LAST, BUCKET_DAILY, BUCKET_WEEKLY, BUCKET_MONTHLY, N_BUCKETS } Bucket;

static gint64
bucket_value (Bucket     bucket,
              GDateTime *t,
              guint      nr)
{
  switch (bucket)
    {
    case BUCKET_LAST:
      return nr;   /* every backup its own bucket */
    case BUCKET_DAILY:
      return g_date_time_get_year (t) * 10000 + g_date_time_get_month (t) * 100 +
             g_date_time_get_day_of_month (t);
    case BUCKET_WEEKLY:
      return g_date_time_get_week_numbering_year (t) * 100 + g_date_time_get_week_of_year (t);
    case BUCKET_MONTHLY:
      return g_date_time_get_year (t) * 100 + g_date_time_get_month (t);
    case N_BUCKETS:
    default:
      g_assert_not_reached ();
    }
}

void
lifeboat_retention_decide (const LifeboatRetention *policy,
                           GPtrArray               *items)
{
  static const char * const names[N_BUCKETS] = { "last", "daily", "weekly", "monthly" };
  guint counts[N_BUCKETS] = { 0 };
  gint64 last_value[N_BUCKETS];
  gboolean empty = lifeboat_retention_is_empty (policy);

  g_return_if_fail (items != NULL);

  g_ptr_array_sort (items, compare_newest_first);

  if (!empty)
    {
      counts[BUCKET_LAST] = policy->last;
      counts[BUCKET_DAILY] = policy->daily;
      counts[BUCKET_WEEKLY] = policy->weekly;
      counts[BUCKET_MONTHLY] = policy->monthly;
    }
  for (guint b = 0; b < N_BUCKETS; b++)
    last_value[b] = G_MININT64;

  for (guint nr = 0; nr < items->len; nr++)
    {
      LifeboatRetentionItem *item = g_ptr_array_index (items, nr);
      g_autoptr(GString) reason = g_string_new (NULL);
      gboolean keep = FALSE;

      if (empty)
        {
          keep = TRUE;
          g_string_append (reason, _("keep all"));
        }
      else if (item->created == NULL)
        {
          /* no date to judge it by: never removed */
          keep = TRUE;
          g_string_append (reason, _("no date"));
        }
      else
        {
          for (guint b = 0; b < N_BUCKETS; b++)
            {
              gint64 value;

              if (counts[b] == 0)
                continue;
              value = bucket_value (b, item->created, nr);
              if (value == last_value[b])
                continue;
              keep = TRUE;
              last_value[b] = value;
              counts[b]--;
              if (reason->len > 0)
                g_string_append (reason, ", ");
              g_string_append (reason, names[b]);
            }
        }

      /* whatever the policy says: the newest backup, and those protected by the caller */
      if (nr == 0 && !keep)
        {
          keep = TRUE;
          g_string_append (reason, _("newest"));
        }
      if (item->protected && !keep)
        keep = TRUE;
      if (item->protected && item->reason != NULL)
        {
          if (reason->len > 0)
            g_string_append (reason, ", ");
          g_string_append (reason, item->reason);
        }

      item->keep = keep;
      g_free (item->reason);
      item->reason = keep ? g_string_free (g_steal_pointer (&reason), FALSE) : NULL;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* In use */

static char *
dup_boot_id (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &text, NULL, NULL))
    return g_strdup ("");
  return g_strdup (g_strstrip (text));
}

static GFile *
marker_for (LifeboatHistory *history,
            GFile           *folder)
{
  g_autofree char *uri = g_file_get_uri (folder);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, uri, -1);
  g_autofree char *name = g_strconcat (sum, ".", NULL);
  g_autoptr(GFile) dir = g_file_get_child (lifeboat_history_get_dir (history), "in-use");

  return g_file_get_child (dir, name);
}

static gboolean
marker_alive (GFile *marker)
{
  g_autofree char *text = NULL;
  g_autofree char *boot_id = NULL;
  g_auto(GStrv) parts = NULL;
  gint64 pid;

  if (!g_file_load_contents (marker, NULL, &text, NULL, NULL, NULL))
    return FALSE;
  parts = g_strsplit (g_strstrip (text), " ", 2);
  if (parts[0] == NULL || parts[1] == NULL)
    return FALSE;
  boot_id = dup_boot_id ();
  if (g_strcmp0 (parts[1], boot_id) != 0)
    return FALSE;   /* left by a machine since rebooted */
  pid = g_ascii_strtoll (parts[0], NULL, 10);
  if (pid <= 0 || pid > G_MAXINT)
    return FALSE;
  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

gboolean
lifeboat_retention_folder_in_use (LifeboatHistory *history,
                                  GFile           *folder)
{
  g_autoptr(GFile) prefix = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autofree char *want = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (history), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);

  prefix = marker_for (history, folder);
  want = g_file_get_basename (prefix);
  dir = g_file_get_parent (prefix);
  enumerator = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                          G_FILE_QUERY_INFO_NONE, NULL, NULL);
  while (enumerator != NULL)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, NULL, NULL) || info == NULL)
        break;
      if (g_str_has_prefix (g_file_info_get_name (info), want) && marker_alive (child))
        return TRUE;
    }

  return FALSE;
}

GFile *
lifeboat_retention_mark_in_use (LifeboatHistory *history,
                                GFile           *folder)
{
  g_autoptr(GFile) prefix = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFile) marker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *boot_id = dup_boot_id ();
  g_autofree char *text = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (history), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  prefix = marker_for (history, folder);
  dir = g_file_get_parent (prefix);
  base = g_file_get_basename (prefix);
  name = g_strdup_printf ("%s%d", base, (int) getpid ());
  marker = g_file_get_child (dir, name);
  text = g_strdup_printf ("%d %s\n", (int) getpid (), boot_id);

  if (g_mkdir_with_parents (g_file_peek_path (dir), 0700) != 0 ||
      !g_file_replace_contents (marker, text, strlen (text), NULL, FALSE,
                                G_FILE_CREATE_PRIVATE, NULL, NULL, &error))
    {
      g_warning ("Could not mark a backup in use: %s",
                 error ? error->message : g_strerror (errno));
      return NULL;
    }

  return g_steal_pointer (&marker);
}

void
lifeboat_retention_unmark_in_use (GFile *marker)
{
  if (marker != NULL)
    g_file_delete (marker, NULL, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Scanning and removing */

static gboolean
is_safety_copy (GFile *folder)
{
  g_autofree char *safety = g_build_filename (g_get_user_data_dir (), "lifeboat", "safety", NULL);
  g_autoptr(GFile) safety_dir = g_file_new_for_path (safety);

  return g_file_has_prefix (folder, safety_dir);
}

static void
scan_destination (LifeboatHistory *history,
                  GFile           *destination,
                  const char      *project,
                  GHashTable      *seen,
                  GHashTable      *safety_folders,
                  GPtrArray       *items,
                  GCancellable    *cancellable)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) error = NULL;

  enumerator = g_file_enumerate_children (destination,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, &error);
  if (enumerator == NULL)
    {
      g_debug ("Not scanning %s: %s", g_file_peek_path (destination), error->message);
      return;
    }

  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      g_autoptr(LifeboatManifest) manifest = NULL;
      g_autoptr(GDateTime) created = NULL;
      g_autofree char *uri = NULL;
      LifeboatRetentionItem *item;
      const char *name;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, cancellable, NULL) || info == NULL)
        break;

      name = g_file_info_get_name (info);
      if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY ||
          g_str_has_suffix (name, ".partial"))
        continue;

      uri = g_file_get_uri (child);
      if (g_hash_table_contains (seen, uri) || g_hash_table_contains (safety_folders, uri) ||
          is_safety_copy (child))
        continue;

      manifest = lifeboat_manifest_load (child, cancellable, NULL);
      if (manifest == NULL || g_strcmp0 (manifest->project, project) != 0)
        continue;

      if (manifest->created != NULL)
        created = g_date_time_new_from_iso8601 (manifest->created, NULL);
      item = lifeboat_retention_item_new (child, created);
      item->project = g_strdup (manifest->project);
      for (guint i = 0; i < manifest->volumes->len; i++)
        item->bytes += ((LifeboatManifestVolume *) g_ptr_array_index (manifest->volumes, i))->archive_bytes;
      if (lifeboat_retention_folder_in_use (history, child))
        {
          item->protected = TRUE;
          item->reason = g_strdup (_("in use"));
        }
      g_hash_table_add (seen, g_steal_pointer (&uri));
      g_ptr_array_add (items, item);
    }
}

static gboolean
is_repository_backup (const char *folder)
{
  g_autofree char *location = NULL;

  return lifeboat_restic_split_backup_name (folder, &location, NULL) &&
         lifeboat_restic_location_is_repository (location);
}

GPtrArray *
lifeboat_retention_scan (LifeboatHistory     *history,
                         const char          *project,
                         const char * const  *destinations,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) safety = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) dir_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_HISTORY (history), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  entries = lifeboat_history_list (history, project, error);
  if (entries == NULL)
    return NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (entries, i);
      const char *folder = lifeboat_history_entry_get_folder (e);
      g_autoptr(GFile) file = NULL;

      if (folder == NULL || is_repository_backup (folder))
        continue;   /* a backup in a restic repository: lifeboat_retention_scan_repository() */
      file = g_file_new_for_commandline_arg (folder);
      if (lifeboat_history_entry_get_kind (e) == LIFEBOAT_JOB_KIND_SAFETY_BACKUP)
        g_hash_table_add (safety, g_file_get_uri (file));
      else if (destinations == NULL && lifeboat_history_entry_get_kind (e) == LIFEBOAT_JOB_KIND_BACKUP)
        {
          g_autoptr(GFile) parent = g_file_get_parent (file);

          if (parent != NULL && g_hash_table_add (dir_seen, g_file_get_uri (parent)))
            g_ptr_array_add (dirs, g_steal_pointer (&parent));
        }
    }

  if (destinations != NULL)
    {
      for (guint i = 0; destinations[i] != NULL; i++)
        if (!lifeboat_restic_location_is_repository (destinations[i]))
          g_ptr_array_add (dirs, g_file_new_for_commandline_arg (destinations[i]));
    }

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) lifeboat_retention_item_free);
  for (guint i = 0; i < dirs->len; i++)
    scan_destination (history, g_ptr_array_index (dirs, i), project, seen, safety, items,
                      cancellable);

  return g_steal_pointer (&items);
}

/* "local:/srv/repo#ID" and "/srv/repo#ID" name the same backup */
static gboolean
same_backup_name (const char *a,
                  const char *b)
{
  g_autofree char *la = NULL, *ia = NULL, *lb = NULL, *ib = NULL;

  if (!lifeboat_restic_split_backup_name (a, &la, &ia) ||
      !lifeboat_restic_split_backup_name (b, &lb, &ib))
    return FALSE;
  return g_str_equal (ia, ib) &&
         g_str_equal (g_str_has_prefix (la, "local:") ? la + 6 : la,
                      g_str_has_prefix (lb, "local:") ? lb + 6 : lb);
}

static void
record_pruned (LifeboatHistory       *history,
               LifeboatRetentionItem *item)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(LifeboatHistoryEntry) pruned = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_file_get_uri (item->folder);

  entries = lifeboat_history_list (history, item->project, NULL);
  for (guint i = 0; entries != NULL && i < entries->len && pruned == NULL; i++)
    {
      LifeboatHistoryEntry *e = g_ptr_array_index (entries, i);
      const char *folder = lifeboat_history_entry_get_folder (e);
      g_autoptr(GFile) file = folder ? g_file_new_for_commandline_arg (folder) : NULL;
      g_autofree char *euri = file ? g_file_get_uri (file) : NULL;

      /* a backup in a repository is recorded by its name, "<location>#<ID>" */
      if (lifeboat_history_entry_get_kind (e) == LIFEBOAT_JOB_KIND_BACKUP &&
          (g_strcmp0 (euri, uri) == 0 ||
           (item->backup_id != NULL && folder != NULL && same_backup_name (folder, item->path))))
        {
          /* the same id again: the journal's later line wins, the backup shows as pruned */
          g_autoptr(JsonNode) node = lifeboat_history_entry_to_json (e);

          pruned = lifeboat_history_entry_new_from_json (json_node_get_object (node));
        }
    }

  if (pruned == NULL)
    {
      pruned = lifeboat_history_entry_new (LIFEBOAT_JOB_KIND_BACKUP);
      lifeboat_history_entry_set_project (pruned, item->project);
      lifeboat_history_entry_set_started (pruned, item->created);
      lifeboat_history_entry_set_bytes (pruned, item->bytes);
      lifeboat_history_entry_set_folder (pruned, item->path);
    }

  lifeboat_history_entry_set_outcome (pruned, LIFEBOAT_JOB_OUTCOME_PRUNED);
  if (!lifeboat_history_record (history, pruned, &error))
    g_warning ("Could not record a pruned backup in the history: %s", error->message);
}

static gboolean
delete_tree (GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;

  enumerator = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);
  while (enumerator != NULL)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          if (!delete_tree (child, cancellable, error))
            return FALSE;
        }
      else if (!g_file_delete (child, cancellable, error))
        return FALSE;
    }

  return g_file_delete (file, cancellable, error);
}

gboolean
lifeboat_retention_remove (LifeboatHistory        *history,
                           LifeboatRetentionItem  *item,
                           GCancellable           *cancellable,
                           GError                **error)
{
  g_autoptr(GFile) parent = NULL;
  g_autoptr(GFile) aside = NULL;
  g_autofree char *base = NULL;
  g_autofree char *aside_name = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (item != NULL && G_IS_FILE (item->folder), FALSE);
  g_return_val_if_fail (!item->keep, FALSE);

  if (is_safety_copy (item->folder) ||
      (history != NULL && lifeboat_retention_folder_in_use (history, item->folder)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   _("%s is in use or a safety copy, so it was not removed"), item->path);
      return FALSE;
    }

  parent = g_file_get_parent (item->folder);
  base = g_file_get_basename (item->folder);
  aside_name = g_strconcat (base, ".pruned.partial", NULL);
  aside = g_file_get_child (parent, aside_name);

  if (!g_file_move (item->folder, aside, G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                    cancellable, NULL, NULL, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not remove the backup %s: %s; it was left as it was"),
                   item->path, local_error->message);
      return FALSE;
    }

  if (history != NULL)
    record_pruned (history, item);

  if (!delete_tree (aside, cancellable, &local_error))
    {
      g_autofree char *aside_path = g_file_get_parse_name (aside);

      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not delete all of %s: %s; what is left is no longer a backup"),
                   aside_path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Restic repositories */

gboolean
lifeboat_retention_scan_repository (LifeboatHistory          *history,
                                    LifeboatResticRepository *repository,
                                    const char               *project,
                                    GPtrArray                *items,
                                    GCancellable             *cancellable,
                                    GError                  **error)
{
  g_autoptr(GPtrArray) backups = NULL;

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (repository), FALSE);
  g_return_val_if_fail (project != NULL && items != NULL, FALSE);

  backups = lifeboat_restic_repository_list_backups_sync (repository, project, cancellable, error);
  if (backups == NULL)
    return FALSE;

  for (guint i = 0; i < backups->len; i++)
    {
      LifeboatResticBackup *b = g_ptr_array_index (backups, i);
      g_autoptr(GFile) file = lifeboat_restic_repository_get_file (repository, b->id);
      LifeboatRetentionItem *item = lifeboat_retention_item_new (file, b->time);

      item->project = g_strdup (b->project);
      item->backup_id = g_strdup (b->id);
      if (history != NULL && lifeboat_retention_folder_in_use (history, file))
        {
          item->protected = TRUE;
          item->reason = g_strdup (_("in use"));
        }
      g_ptr_array_add (items, item);
    }

  return TRUE;
}

gboolean
lifeboat_retention_remove_from_repository (LifeboatHistory          *history,
                                           LifeboatResticRepository *repository,
                                           GPtrArray                *items,
                                           GCancellable             *cancellable,
                                           GError                  **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autoptr(GPtrArray) going = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *prefix = NULL;
  const char *project = NULL;
  gboolean forgotten = FALSE;

  g_return_val_if_fail (LIFEBOAT_IS_RESTIC_REPOSITORY (repository), FALSE);

  prefix = g_strconcat (lifeboat_restic_repository_get_location (repository), "#", NULL);
  for (guint i = 0; i < items->len; i++)
    {
      LifeboatRetentionItem *item = g_ptr_array_index (items, i);

      if (item->keep || item->backup_id == NULL || !g_str_has_prefix (item->path, prefix))
        continue;
      if (history != NULL && lifeboat_retention_folder_in_use (history, item->folder))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                       _("%s is in use, so no backup of the repository was removed"), item->path);
          return FALSE;
        }
      project = item->project;
      g_ptr_array_add (ids, item->backup_id);
      g_ptr_array_add (going, item);
    }
  if (going->len == 0)
    return TRUE;

  if (!lifeboat_restic_repository_forget_backups_sync (repository, project,
                                                       (const char * const *) ids->pdata, FALSE,
                                                       NULL, NULL, &forgotten, cancellable,
                                                       &local_error) &&
      !forgotten)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not remove backups from %s: %s; they were left as they were"),
                   _lifeboat_restic_get_display (repository), local_error->message);
      return FALSE;
    }

  for (guint i = 0; history != NULL && i < going->len; i++)
    record_pruned (history, g_ptr_array_index (going, i));

  if (local_error != NULL)
    {
      /* the snapshots are gone; what prune did not free, the next prune does */
      g_set_error (error, local_error->domain, local_error->code,
                   _("The backups were removed from %s, but restic could not free their space: "
                     "%s"), _lifeboat_restic_get_display (repository), local_error->message);
      return FALSE;
    }
  return TRUE;
}
