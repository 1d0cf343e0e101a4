/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LIFEBOAT_ERROR (lifeboat_error_quark ())

typedef enum
{
  LIFEBOAT_ERROR_FAILED,
  LIFEBOAT_ERROR_NO_SOCKET,           /* the engine's socket does not exist */
  LIFEBOAT_ERROR_PERMISSION_DENIED,   /* not allowed to talk to the socket */
  LIFEBOAT_ERROR_NOT_RESPONDING,      /* connected, but the engine does not answer (in time) */
  LIFEBOAT_ERROR_UNSUPPORTED_ENGINE,  /* API too old, or not a Docker-compatible engine */
  LIFEBOAT_ERROR_NOT_FOUND,           /* container, volume, image or project gone */
  LIFEBOAT_ERROR_ENGINE,              /* the engine answered with an HTTP error */
  LIFEBOAT_ERROR_INVALID_URI,
  LIFEBOAT_ERROR_INVALID_ARCHIVE,     /* corrupt, truncated or not a tar archive */
  LIFEBOAT_ERROR_HOSTILE_ARCHIVE,     /* entries that would land outside the volume */
  LIFEBOAT_ERROR_CHECKSUM_MISMATCH,
  LIFEBOAT_ERROR_VERSION_MISMATCH,    /* CVAT version of backup and target differ */
  LIFEBOAT_ERROR_NO_SPACE,
  LIFEBOAT_ERROR_INVALID_BACKUP,      /* folder is not a backup / manifest unreadable */
  LIFEBOAT_ERROR_SSH,                 /* the SSH tunnel failed */
  LIFEBOAT_ERROR_HOST_KEY_UNKNOWN,
  LIFEBOAT_ERROR_HOST_KEY_CHANGED,
  LIFEBOAT_ERROR_AUTH_FAILED,
  LIFEBOAT_ERROR_CONFLICT,            /* the engine answered 409: a name in use, a volume in use */
  LIFEBOAT_ERROR_BUSY,                /* another job holds the project's lock */
  LIFEBOAT_ERROR_NEEDS_RECOVERY,      /* an interrupted job left the project; recover it first */
  LIFEBOAT_ERROR_NAME_RESOLUTION,     /* the host name does not resolve to an address */
  LIFEBOAT_ERROR_CONNECTION_REFUSED,  /* nothing accepts connections on that port */
  LIFEBOAT_ERROR_TIMED_OUT,           /* no answer from the host in time */
  LIFEBOAT_ERROR_HOST_UNREACHABLE,    /* no route, network down, connection closed or reset */
  LIFEBOAT_ERROR_ENGINE_RESTARTED,    /* the engine stopped or restarted during a transfer */
} LifeboatError;

/*
 * An SSH engine that cannot be used fails with one code per cause, so that a caller can give
 * advice per cause (the message is already one sentence that names the host):
 *   NAME_RESOLUTION     the name does not resolve
 *   CONNECTION_REFUSED  nothing listens on the port
 *   TIMED_OUT           the host or its sshd does not answer in time
 *   HOST_UNREACHABLE    no route, network down, connection closed or reset
 *   AUTH_FAILED         the login was refused (user, key)
 *   HOST_KEY_UNKNOWN    the host key is not known yet (the message names its fingerprint)
 *   HOST_KEY_CHANGED    the host key differs from the known one
 *   NO_SOCKET           no Docker on the far side (its socket does not exist)
 *   PERMISSION_DENIED   the SSH user may not use the remote engine socket
 *   SSH                 anything else (ssh could not run, forwarding refused by sshd_config)
 * Codes are never renumbered: new ones go at the end.
 */

GQuark lifeboat_error_quark (void);

G_END_DECLS
