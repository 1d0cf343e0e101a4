/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lifeboat-types.h"

G_BEGIN_DECLS

#define LIFEBOAT_TYPE_HISTORY_ENTRY (lifeboat_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatHistoryEntry, lifeboat_history_entry, LIFEBOAT, HISTORY_ENTRY, GObject)

LifeboatHistoryEntry *lifeboat_history_entry_new          (LifeboatJobKind kind);
LifeboatHistoryEntry *lifeboat_history_entry_new_from_json (JsonObject     *object);
JsonNode             *lifeboat_history_entry_to_json      (LifeboatHistoryEntry *self);

/* properties: all of these, read-write */
const char         *lifeboat_history_entry_get_id          (LifeboatHistoryEntry *self);
LifeboatJobKind     lifeboat_history_entry_get_kind        (LifeboatHistoryEntry *self);
LifeboatJobOutcome  lifeboat_history_entry_get_outcome     (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_outcome     (LifeboatHistoryEntry *self, LifeboatJobOutcome outcome);
GDateTime          *lifeboat_history_entry_get_started     (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_started     (LifeboatHistoryEntry *self, GDateTime *started);
double              lifeboat_history_entry_get_seconds     (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_seconds     (LifeboatHistoryEntry *self, double seconds);
const char         *lifeboat_history_entry_get_engine      (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_engine      (LifeboatHistoryEntry *self, const char *engine);
/* the engine's identity, the ID of its /info (NULL in records made before it was kept) */
const char         *lifeboat_history_entry_get_engine_id   (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_engine_id   (LifeboatHistoryEntry *self, const char *engine_id);
const char         *lifeboat_history_entry_get_project     (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_project     (LifeboatHistoryEntry *self, const char *project);
const char * const *lifeboat_history_entry_get_volumes     (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_volumes     (LifeboatHistoryEntry *self, const char * const *volumes);
guint64             lifeboat_history_entry_get_bytes       (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_bytes       (LifeboatHistoryEntry *self, guint64 bytes);
const char         *lifeboat_history_entry_get_error       (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_error       (LifeboatHistoryEntry *self, const char *error);
/* the backup folder (backup, safety-backup) or the source folder (restore) */
const char         *lifeboat_history_entry_get_folder      (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_folder      (LifeboatHistoryEntry *self, const char *folder);
const char         *lifeboat_history_entry_get_app_version (LifeboatHistoryEntry *self);
void                lifeboat_history_entry_set_app_version (LifeboatHistoryEntry *self, const char *version);
/* TRUE when the entry was found by rescanning a location, not recorded by a job here */
gboolean            lifeboat_history_entry_get_rescanned   (LifeboatHistoryEntry *self);

#define LIFEBOAT_TYPE_HISTORY (lifeboat_history_get_type ())
G_DECLARE_FINAL_TYPE (LifeboatHistory, lifeboat_history, LIFEBOAT, HISTORY, GObject)

/* $XDG_DATA_HOME/lifeboat (history.jsonl, locations) */
LifeboatHistory *lifeboat_history_get_default  (void);
LifeboatHistory *lifeboat_history_new          (GFile            *dir);
GFile           *lifeboat_history_get_dir      (LifeboatHistory  *self);
/* appends one line to the journal (thread-safe) */
gboolean         lifeboat_history_record       (LifeboatHistory      *self,
                                                LifeboatHistoryEntry *entry,
                                                GError              **error);
/* a folder that holds backup folders; remembered, rescanned by list */
gboolean         lifeboat_history_add_location (LifeboatHistory  *self,
                                                GFile            *location,
                                                GError          **error);
char           **lifeboat_history_dup_locations (LifeboatHistory *self);
/*
 * Journal entries, plus the backups found in the locations that the journal does not
 * know (their manifest is the source of truth), newest first; @project NULL = all.
 * A GPtrArray of LifeboatHistoryEntry.
 */
GPtrArray       *lifeboat_history_list         (LifeboatHistory  *self,
                                                const char       *project,
                                                GError          **error);
/*
 * The same, only the entries of the engine whose /info ID is @engine_id (NULL = every
 * engine). Entries recorded before the engine's identity was kept, and whose backup folder
 * does not name it, are listed too, with no engine ID.
 */
GPtrArray       *lifeboat_history_list_for_engine (LifeboatHistory *self,
                                                   const char      *engine_id,
                                                   const char      *project,
                                                   GError         **error);
/* forgets an entry (recorded, or found by rescanning a location); does not touch the
 * folder, which later rescans no longer bring back */
gboolean         lifeboat_history_forget       (LifeboatHistory  *self,
                                                const char       *id,
                                                GError          **error);

G_END_DECLS
