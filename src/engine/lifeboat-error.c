/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lifeboat-error"

#include "config.h"

#include "lifeboat-error.h"

G_DEFINE_QUARK (lifeboat-error-quark, lifeboat_error)
