/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-project-update"

#include "config.h"

/*
 * A project looked at again (lifeboat-project-update.c): the objects views are bound to stay
 * and notify only what changed; what went leaves the models, what came enters them.
 */

#include <gio/gio.h>

#include "lifeboat-project-private.h"

static LifeboatContainer *
container (const char             *name,
           LifeboatContainerState  state)
{
  LifeboatContainer *c = _lifeboat_container_new ();

  c->name = g_strdup (name);
  c->id = g_strdup_printf ("%s-id", name);
  c->image = g_strdup ("busybox");
  c->state = state;
  return c;
}

static LifeboatVolume *
volume (const char *name,
        gint64      size)
{
  LifeboatVolume *v = _lifeboat_volume_new ();

  v->name = g_strdup (name);
  v->key = g_strdup (name);
  v->size = size;
  v->exists = TRUE;
  return v;
}

/* @containers: "name:r" (running) or "name:s" (stopped), @volumes: "name:size" */
static LifeboatProject *
project (const char *name,
         const char *containers,
         const char *volumes)
{
  LifeboatProject *p = _lifeboat_project_new (name);
  g_auto(GStrv) cs = g_strsplit (containers, " ", -1);
  g_auto(GStrv) vs = g_strsplit (volumes, " ", -1);

  for (guint i = 0; cs[i] != NULL && cs[i][0] != '\0'; i++)
    {
      g_auto(GStrv) parts = g_strsplit (cs[i], ":", 2);
      g_autoptr(LifeboatContainer) c = container (parts[0], g_str_equal (parts[1], "r")
                                                              ? LIFEBOAT_CONTAINER_STATE_RUNNING
                                                              : LIFEBOAT_CONTAINER_STATE_EXITED);

      g_list_store_append (p->containers, c);
    }
  for (guint i = 0; vs[i] != NULL && vs[i][0] != '\0'; i++)
    {
      g_auto(GStrv) parts = g_strsplit (vs[i], ":", 2);
      g_autoptr(LifeboatVolume) v = volume (parts[0], g_ascii_strtoll (parts[1], NULL, 10));

      g_list_store_append (p->volumes, v);
    }
  return p;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              GString    *log)
{
  g_string_append_printf (log, "%s.%s ",
                          LIFEBOAT_IS_CONTAINER (object)
                            ? lifeboat_container_get_name (LIFEBOAT_CONTAINER (object))
                            : LIFEBOAT_IS_VOLUME (object)
                                ? lifeboat_volume_get_name (LIFEBOAT_VOLUME (object))
                                : lifeboat_project_get_name (LIFEBOAT_PROJECT (object)),
                          pspec->name);
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GString    *log)
{
  g_string_append_printf (log, "items(%u,-%u,+%u) ", position, removed, added);
}

static gpointer
item (GListModel *model,
      guint       i)
{
  gpointer it = g_list_model_get_item (model, i);

  g_object_unref (it);   /* the model keeps it */
  return it;
}

static void
test_in_place (void)
{
  g_autoptr(LifeboatProject) shown = project ("cvat", "db:r server:r worker:r", "data:100 db:50");
  g_autoptr(LifeboatProject) newer = project ("cvat", "db:r server:s worker:r", "data:100 db:70");
  GListModel *containers = lifeboat_project_get_containers (shown);
  GListModel *volumes = lifeboat_project_get_volumes (shown);
  LifeboatContainer *server = item (containers, 1);
  LifeboatContainer *db = item (containers, 0);
  LifeboatVolume *db_volume = item (volumes, 1);
  g_autoptr(GString) log = g_string_new (NULL);

  for (guint i = 0; i < 3; i++)
    g_signal_connect (item (containers, i), "notify", G_CALLBACK (count_notify), log);
  for (guint i = 0; i < 2; i++)
    g_signal_connect (item (volumes, i), "notify", G_CALLBACK (count_notify), log);
  g_signal_connect (shown, "notify", G_CALLBACK (count_notify), log);
  g_signal_connect (containers, "items-changed", G_CALLBACK (count_items_changed), log);
  g_signal_connect (volumes, "items-changed", G_CALLBACK (count_items_changed), log);

  lifeboat_project_update_from (shown, newer);

  /* the stopped server and the grown volume say so; nothing is removed or added */
  g_assert_cmpstr (log->str, ==, "db.size server.state server.running cvat.total-size ");
  g_assert_true (item (containers, 1) == server);
  g_assert_true (item (containers, 0) == db);
  g_assert_true (item (volumes, 1) == db_volume);
  g_assert_false (lifeboat_container_is_running (server));
  g_assert_cmpint (lifeboat_volume_get_size (db_volume), ==, 70);
  g_assert_cmpint (lifeboat_project_get_total_size (shown), ==, 170);

  /* the same look again changes nothing */
  g_string_truncate (log, 0);
  lifeboat_project_update_from (shown, newer);
  g_assert_cmpstr (log->str, ==, "");

  g_signal_handlers_disconnect_by_data (shown, log);
  for (guint i = 0; i < 3; i++)
    g_signal_handlers_disconnect_by_data (item (containers, i), log);
  for (guint i = 0; i < 2; i++)
    g_signal_handlers_disconnect_by_data (item (volumes, i), log);
  g_signal_handlers_disconnect_by_data (containers, log);
  g_signal_handlers_disconnect_by_data (volumes, log);
}

static void
test_come_and_go (void)
{
  g_autoptr(LifeboatProject) shown = project ("cvat", "db:r server:r worker:r", "a:1 b:2 c:3");
  g_autoptr(LifeboatProject) newer = project ("cvat", "db:r server:r redis:r", "a:1 c:3 d:4");
  GListModel *containers = lifeboat_project_get_containers (shown);
  GListModel *volumes = lifeboat_project_get_volumes (shown);
  LifeboatContainer *db = item (containers, 0);
  LifeboatVolume *c = item (volumes, 2);
  g_autoptr(GString) log = g_string_new (NULL);
  const char *want_volumes[] = { "a", "c", "d" };
  const char *want_containers[] = { "db", "server", "redis" };

  g_signal_connect (volumes, "items-changed", G_CALLBACK (count_items_changed), log);
  lifeboat_project_update_from (shown, newer);

  /* b went, d came: the rows of a and c stay */
  g_assert_cmpstr (log->str, ==, "items(1,-1,+0) items(2,-0,+1) ");
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (lifeboat_volume_get_name (item (volumes, i)), ==, want_volumes[i]);
      g_assert_cmpstr (lifeboat_container_get_name (item (containers, i)), ==, want_containers[i]);
    }
  g_assert_true (item (containers, 0) == db);
  g_assert_true (item (volumes, 1) == c);
  g_signal_handlers_disconnect_by_data (volumes, log);
}

static void
test_projects (void)
{
  g_autoptr(GListStore) shown = g_list_store_new (LIFEBOAT_TYPE_PROJECT);
  g_autoptr(GListStore) newer = g_list_store_new (LIFEBOAT_TYPE_PROJECT);
  g_autoptr(LifeboatProject) a = project ("a", "x:r", "v:1");
  g_autoptr(LifeboatProject) b = project ("b", "y:r", "w:1");
  g_autoptr(LifeboatProject) b2 = project ("b", "y:s", "w:2");
  g_autoptr(LifeboatProject) c = project ("c", "z:r", "u:1");

  g_list_store_append (shown, a);
  g_list_store_append (shown, b);
  g_list_store_append (newer, b2);
  g_list_store_append (newer, c);

  lifeboat_projects_update_from (shown, G_LIST_MODEL (newer));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (shown)), ==, 2);
  /* b stays the object it was, with b2's state */
  g_assert_true (item (G_LIST_MODEL (shown), 0) == b);
  g_assert_true (item (G_LIST_MODEL (shown), 1) == c);
  g_assert_cmpint (lifeboat_project_get_total_size (b), ==, 2);
  g_assert_false (lifeboat_container_is_running (item (lifeboat_project_get_containers (b), 0)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lifeboat/project-update/in-place", test_in_place);
  g_test_add_func ("/lifeboat/project-update/come-and-go", test_come_and_go);
  g_test_add_func ("/lifeboat/project-update/projects", test_projects);

  return g_test_run ();
}
