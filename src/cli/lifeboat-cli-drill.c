/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "lifeboat-cli-private.h"

int
_lifeboat_cli_drill (int    argc,
                     char **argv)
{
  return usage_error (_("“drill” is not built yet"));
}
