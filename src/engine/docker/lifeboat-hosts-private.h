/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What lifeboat-hosts.c and lifeboat-docker-contexts.c share */

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *name;
  char *uri;
  char *description;
} LifeboatContextInfo;

/* the value of the environment variable @name, NULL when unset or empty */
const char *_lifeboat_hosts_nonempty_env  (const char          *name);
/* every docker context (LifeboatContextInfo), sorted by name */
GPtrArray  *_lifeboat_hosts_list_contexts (void);
void        _lifeboat_context_info_free   (LifeboatContextInfo *info);

G_END_DECLS
