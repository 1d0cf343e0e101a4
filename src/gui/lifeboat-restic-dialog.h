/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * A restic repository as the window's destination (issue 16): its password is kept in the
 * Secret Service (libsecret), never in the settings or on a command line.
 */

/* A destination for a restic spelling (lifeboat_restic_location_is_repository()), its password
 * looked up in the Secret Service. */
GFile *lifeboat_restic_destination_new (const char *location);

/* the password of @location in the Secret Service, or NULL (a LifeboatResticPasswordLookup) */
char  *lifeboat_restic_password_lookup (const char *location);

typedef void (*LifeboatResticChosenFunc) (GFile    *repository,
                                          gpointer  user_data);

/* Asks for a repository's location and password, checks them (offering to create a repository
 * where there is none), keeps the password in the Secret Service and calls @callback with the
 * repository. @initial_location may be NULL. */
void   lifeboat_restic_dialog_present  (GtkWindow                *parent,
                                        const char               *initial_location,
                                        LifeboatResticChosenFunc  callback,
                                        gpointer                  user_data);

/* TRUE when @name is "<location>#<ID>" of a backup in a restic repository (as the history
 * keeps it) */
gboolean lifeboat_restic_is_backup_name (const char *name);

/* For a @name as above: calls @callback with the backup's GFile, its repository's password from
 * the Secret Service or, when none is kept there, asked for first (the dialog above; not called
 * when the user cancels it). FALSE, and nothing called, for a @name that is no such backup. */
gboolean lifeboat_restic_backup_request (GtkWindow                *parent,
                                         const char               *name,
                                         LifeboatResticChosenFunc  callback,
                                         gpointer                  user_data);

/* Adds to @existing (a set of strings) the names among @names (char *) of backups in a
 * repository that is there (without asking restic: see lifeboat-restic-dialog.c). */
void     lifeboat_restic_add_existing_backups (GPtrArray  *names,
                                               GHashTable *existing);

G_END_DECLS
