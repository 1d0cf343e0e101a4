/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Path safety: entry paths normalised, hostile entries refused (absolute, "..", links out,
 * devices, entries below a symlink)
 */
#define G_LOG_DOMAIN "lifeboat-archive"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "lifeboat-archive-private.h"
#include "lifeboat-error.h"

/*
 * Normalises an archive path: drops empty and "." components (so "./a//b/" is "a/b") and
 * reports a ".." component. The root of an archive ("./", ".") normalises to "".
 */
char *
_lifeboat_tar_normalize_path (const char *path,
                              gboolean   *has_dotdot)
{
  GString *out = g_string_new (NULL);
  const char *p = path;

  *has_dotdot = FALSE;

  while (*p != '\0')
    {
      const char *end = strchr (p, '/');
      gsize len = end != NULL ? (gsize) (end - p) : strlen (p);

      if (len == 0 || (len == 1 && p[0] == '.'))
        ; /* skip */
      else if (len == 2 && p[0] == '.' && p[1] == '.')
        *has_dotdot = TRUE;
      else
        {
          if (out->len > 0)
            g_string_append_c (out, '/');
          g_string_append_len (out, p, len);
        }

      p += len;
      if (*p == '/')
        p++;
    }

  return g_string_free (out, FALSE);
}

/* both normalised; "" is the root of everything */
gboolean
_lifeboat_tar_path_is_under (const char *path,
                             const char *root)
{
  gsize len;

  if (*root == '\0')
    return TRUE;

  len = strlen (root);
  return strncmp (path, root, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* @path must lie under @root */
const char *
_lifeboat_tar_path_relative_to (const char *path,
                                const char *root)
{
  gsize len;

  if (*root == '\0')
    return path;

  len = strlen (root);
  return path[len] == '/' ? path + len + 1 : path + len;
}

static guint
count_components (const char *normalized)
{
  guint n = 0;

  if (*normalized == '\0')
    return 0;

  for (const char *p = normalized; *p != '\0'; p++)
    if (*p == '/')
      n++;

  return n + 1;
}

/* A name fit for an error message, whatever bytes the entry holds. */
char *
_lifeboat_tar_display_name (const char *raw)
{
  if (raw == NULL)
    return g_strdup ("(unnamed entry)");
  return g_utf8_make_valid (raw, -1);
}


void
_lifeboat_tar_hostile_check_init (HostileCheck *check,
                                  const char   *root)
{
  check->root = g_strdup (root);
  check->symlinks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  check->symlink_order = g_ptr_array_new ();
  check->seen = g_hash_table_new (g_direct_hash, g_direct_equal);
}

/* FNV-1a, 64 bits; 0 is never returned so that it can be stored as a pointer key */
static gpointer
path_key (const char *normalized)
{
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037);

  for (const guchar *p = (const guchar *) normalized; *p; p++)
    {
      h ^= *p;
      h *= G_GUINT64_CONSTANT (1099511628211);
    }
  return GSIZE_TO_POINTER ((gsize) (h ? h : 1));
}

void
_lifeboat_tar_hostile_check_clear (HostileCheck *check)
{
  g_clear_pointer (&check->seen, g_hash_table_unref);
  g_clear_pointer (&check->root, g_free);
  g_clear_pointer (&check->symlink_order, g_ptr_array_unref);
  g_clear_pointer (&check->symlinks, g_hash_table_unref);
}

/* The earlier symlink entry that @normalized goes through, or NULL. */
static const char *
find_symlink_prefix (HostileCheck *check,
                     const char   *normalized)
{
  g_autofree char *copy = NULL;

  if (g_hash_table_size (check->symlinks) == 0)
    return NULL;

  copy = g_strdup (normalized);
  for (char *p = strchr (copy, '/'); p != NULL; p = strchr (p + 1, '/'))
    {
      gpointer key = NULL;

      *p = '\0';
      /* return the key stored in the table, which outlives @copy */
      if (g_hash_table_lookup_extended (check->symlinks, copy, &key, NULL))
        return key;
      *p = '/';
    }

  return NULL;
}

static void
push_components (GPtrArray  *stack,
                 const char *normalized)
{
  g_auto(GStrv) parts = NULL;

  if (*normalized == '\0')
    return;

  parts = g_strsplit (normalized, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    g_ptr_array_add (stack, g_strdup (parts[i]));
}

/*
 * Queues the components of a symlink target on @pending (a stack: last element next).
 * An absolute target is only acceptable when it lies under "/" + root, the mount path.
 */
static gboolean
queue_target (GPtrArray  *stack,
              GPtrArray  *pending,
              const char *root,
              const char *target)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (target[0] == '/')
    {
      gsize root_len = strlen (root);

      if (root_len == 0 ||
          strncmp (target + 1, root, root_len) != 0 ||
          (target[1 + root_len] != '\0' && target[1 + root_len] != '/'))
        return FALSE;

      g_ptr_array_set_size (stack, 0);
      push_components (stack, root);
      target += 1 + root_len;
    }

  parts = g_strsplit (target, "/", -1);
  n = g_strv_length (parts);
  for (guint i = n; i > 0; i--)
    {
      const char *part = parts[i - 1];

      if (part[0] == '\0' || strcmp (part, ".") == 0)
        continue;
      g_ptr_array_add (pending, g_strdup (part));
    }

  return TRUE;
}

static char *
join_components (GPtrArray *stack)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < stack->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, '/');
      g_string_append (s, g_ptr_array_index (stack, i));
    }

  return g_string_free (s, FALSE);
}

/*
 * Resolves the symlink at @link_path (normalised) to @target inside the volume @root,
 * following the other symlinks of the archive on the way; FALSE when it leads outside.
 */
static gboolean
symlink_stays_inside (HostileCheck *check,
                      const char   *root,
                      const char   *link_path,
                      const char   *target)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  guint root_depth = count_components (root);
  guint hops = 0;

  push_components (stack, link_path);
  if (stack->len > 0)
    g_ptr_array_set_size (stack, stack->len - 1);

  if (!queue_target (stack, pending, root, target))
    return FALSE;

  while (pending->len > 0)
    {
      g_autofree char *comp = g_ptr_array_steal_index (pending, pending->len - 1);

      if (strcmp (comp, "..") == 0)
        {
          if (stack->len <= root_depth)
            return FALSE;
          g_ptr_array_set_size (stack, stack->len - 1);
        }
      else
        {
          g_autofree char *joined = NULL;
          const char *next;

          g_ptr_array_add (stack, g_steal_pointer (&comp));
          joined = join_components (stack);
          next = g_hash_table_lookup (check->symlinks, joined);
          if (next != NULL)
            {
              if (++hops > MAX_SYMLINK_HOPS)
                return FALSE;
              g_ptr_array_set_size (stack, stack->len - 1);
              if (!queue_target (stack, pending, root, next))
                return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
hostile_error (GError    **error,
               const char *raw,
               const char *format,
               ...) G_GNUC_PRINTF (3, 4);

static gboolean
hostile_error (GError    **error,
               const char *raw,
               const char *format,
               ...)
{
  g_autofree char *name = _lifeboat_tar_display_name (raw);
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_HOSTILE_ARCHIVE,
               "The archive is unsafe: entry “%s” %s", name, why);
  return FALSE;
}

/*
 * Checks one entry. On success sets @out_path to its normalised path and @out_link to the
 * normalised hard link target (or NULL).
 */
gboolean
_lifeboat_tar_hostile_check_entry (HostileCheck          *check,
                                   struct archive_entry  *entry,
                                   char                 **out_path,
                                   char                 **out_link,
                                   GError               **error)
{
  const char *raw = archive_entry_pathname (entry);
  const char *hardlink = archive_entry_hardlink (entry);
  mode_t type = archive_entry_filetype (entry);
  g_autofree char *path = NULL;
  g_autofree char *link = NULL;
  const char *through;
  gboolean dotdot;

  if (raw == NULL || raw[0] == '\0')
    {
      g_set_error_literal (error, LIFEBOAT_ERROR, LIFEBOAT_ERROR_INVALID_ARCHIVE,
                           "The archive holds an entry without a name");
      return FALSE;
    }

  if (raw[0] == '/')
    return hostile_error (error, raw, "has an absolute path");

  path = _lifeboat_tar_normalize_path (raw, &dotdot);
  if (dotdot)
    return hostile_error (error, raw, "contains “..”");

  if (type == AE_IFCHR || type == AE_IFBLK)
    return hostile_error (error, raw, "is a device node");

  if (check->root != NULL && !_lifeboat_tar_path_is_under (path, check->root))
    return hostile_error (error, raw, "lies outside the volume’s folder “%s”", check->root);

  if ((through = find_symlink_prefix (check, path)) != NULL)
    {
      g_autofree char *link_name = _lifeboat_tar_display_name (through);
      return hostile_error (error, raw, "lies below the symbolic link “%s”", link_name);
    }

  if (g_hash_table_contains (check->symlinks, path) && type != AE_IFLNK)
    return hostile_error (error, raw, "replaces an earlier symbolic link");

  if (hardlink != NULL)
    {
      if (hardlink[0] == '/')
        return hostile_error (error, raw, "is a hard link to an absolute path");

      link = _lifeboat_tar_normalize_path (hardlink, &dotdot);
      if (dotdot || link[0] == '\0')
        return hostile_error (error, raw, "is a hard link to a path with “..”");

      if (check->root != NULL && !_lifeboat_tar_path_is_under (link, check->root))
        return hostile_error (error, raw, "is a hard link to outside the volume’s folder");

      if ((through = find_symlink_prefix (check, link)) != NULL)
        return hostile_error (error, raw, "is a hard link below a symbolic link");

      /* tar links to an entry written before it; anything else would link to whatever the
       * volume (or the engine) has at that path */
      if (!g_hash_table_contains (check->seen, path_key (link)))
        return hostile_error (error, raw, "is a hard link to “%s”, which is not in the archive "
                              "before it", link);
    }
  else if (type == AE_IFLNK)
    {
      const char *target = archive_entry_symlink (entry);

      if (target == NULL)
        target = "";

      if (check->root != NULL && !symlink_stays_inside (check, check->root, path, target))
        return hostile_error (error, raw, "is a symbolic link that leads outside the volume");

      if (!g_hash_table_contains (check->symlinks, path))
        {
          char *key = g_strdup (path);

          g_hash_table_insert (check->symlinks, key, g_strdup (target));
          g_ptr_array_add (check->symlink_order, key);
        }
    }

  g_hash_table_add (check->seen, path_key (path));

  *out_path = g_steal_pointer (&path);
  *out_link = g_steal_pointer (&link);
  return TRUE;
}

/* Re-checks every symlink against the final root, now that all symlinks are known. */
gboolean
_lifeboat_tar_hostile_check_finish (HostileCheck  *check,
                                    const char    *root,
                                    GError       **error)
{
  for (guint i = 0; i < check->symlink_order->len; i++)
    {
      const char *path = g_ptr_array_index (check->symlink_order, i);
      const char *target = g_hash_table_lookup (check->symlinks, path);

      if (!symlink_stays_inside (check, root, path, target))
        return hostile_error (error, path, "is a symbolic link that leads outside the volume");
    }

  return TRUE;
}
