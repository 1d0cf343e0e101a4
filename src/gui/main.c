/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sys/stat.h>

#include "lifeboat-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LifeboatApplication) app = NULL;

  /* backups hold secrets: every folder Lifeboat creates is 0700 and every file 0600 */
  umask (0077);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = lifeboat_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
