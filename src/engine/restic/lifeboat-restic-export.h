/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * `lifeboat-cli export BACKUP --to DIR`: writes <DIR>/<backup's name>/ (through .partial, 0700,
 * files 0600) with one <key>.tar.gz per volume and lifeboat.json, the guide's layout (CONTRACTS
 * §2), from a backup whose archives are uncompressed tar streams or gzip already: a backup in a
 * restic repository (lifeboat_restic_repository_get_file()) or a backup folder. Each tar stream
 * read is checked against the SHA-256 and size its manifest records. The new folder in
 * *@folder_out. Blocking.
 */
gboolean lifeboat_export_backup_sync (GFile         *backup,
                                      GFile         *destination,
                                      GFile        **folder_out,
                                      GCancellable  *cancellable,
                                      GError       **error);

G_END_DECLS
