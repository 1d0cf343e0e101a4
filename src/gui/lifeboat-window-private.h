/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-docker-client.h"
#include "lifeboat-engine-watch.h"
#include "lifeboat-history-view.h"
#include "lifeboat-host-item.h"
#include "lifeboat-job-view.h"
#include "lifeboat-job.h"
#include "lifeboat-project-view.h"
#include "lifeboat-restore-view.h"
#include "lifeboat-window.h"

G_BEGIN_DECLS

/* the sidebar's engines: items of the window's hosts GListStore (lifeboat-host-item.c) */
struct _LifeboatHostItem
{
  GObject               parent_instance;

  char                 *uri;
  char                 *name;        /* what lifeboat_hosts_open_client() takes */
  char                 *saved_name;  /* a saved host's name: removing it forgets it */
  char                 *title;
  char                 *icon_name;
  gboolean              removable;
  LifeboatDockerClient *client;
  HostState             state;       /* set, then lifeboat_host_item_changed() */
  HostState             last_state;  /* the one notified */
  char                 *reason;      /* why it is unreachable */
  char                 *advice;      /* what to do about it */
  char                 *subtitle;    /* what its row says under the title */
  char                 *tooltip;
  gboolean              listed;      /* in the window's hosts model (FALSE once removed) */
  LifeboatEngineWatch  *watch;       /* while connected: the engine's event stream */
  GCancellable         *connect_cancellable;  /* the connect attempt going on */
  LifeboatWindow       *window;      /* not a reference: the watch stops before it goes */
};

typedef LifeboatHostItem Host;

struct _LifeboatWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GCancellable         *cancellable;          /* the window's: cancelled in dispose */
  GCancellable         *discover_cancellable;
  GListStore           *hosts;                /* LifeboatHostItem: the sidebar's engines */
  Host                 *current_host;
  GListModel           *projects;
  char                 *wanted_project;       /* to select once the projects are known */
  GFile                *destination;
  GPtrArray            *pending_files;        /* GFile to restore once an engine is there */

  LifeboatJob          *job;
  LifeboatApplication  *held_app;             /* held while the job runs */
  GCancellable         *job_cancellable;
  gboolean              job_running;
  gboolean              job_pending;          /* shown, waiting for its page's first frame */
  guint                 job_start_tick;
  guint                 job_start_frames;
  guint                 job_start_timeout;
  gboolean              planning;
  gboolean              discovering;
  GtkFileChooserNative *chooser;
  GtkDropTarget        *drop_target;
  guint                 n_notifications;
  char                 *last_notification;
  char                 *last_toast;
  AdwToast             *toast;                /* the one toast in the overlay (lifeboat-window-toasts.c) */
  gint64                toast_shown;
  guint                 toast_source;         /* its dismissal, once its show animation is over */
  GQueue               *toasts;               /* waiting for it to go */
  GCancellable         *space_cancellable;    /* the estimate next to Destination */
  guint                 space_updates;
  guint                 live_updates;         /* discoveries made for engine events */
  gboolean              live_pending;         /* events came while discovering */
  guint                 live_source;
  char                **ran_before;           /* containers of the job's project that ran */
  gboolean              job_notified;         /* the last job's end was also notified */
  GCancellable         *recovery_cancellable;
  guint                 recovering;           /* recoveries on contact running */

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *drop_revealer;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *pane_separator;
  GtkWidget            *content;
  GtkListBox           *hosts_list;
  AdwEntryRow          *add_host_row;
  GtkStack             *projects_stack;
  GtkListBox           *projects_list;
  GtkLabel             *projects_empty_label;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkWidget            *backup_header_button;
  GtkRevealer          *recovery_revealer;    /* what the recovery on contact found */
  GtkImage             *recovery_icon;
  GtkLabel             *recovery_label;
  GtkWidget            *recovery_button;
  GtkStack             *content_stack;
  AdwStatusPage        *status_page;
  GtkSpinner           *status_spinner;
  GtkWidget            *status_button;
  AdwViewStack         *view_stack;
  LifeboatProjectView  *project_view;
  LifeboatHistoryView  *history_view;
  LifeboatJobView      *job_view;
  LifeboatRestoreView  *restore_view;
};

/* lifeboat-window-space.c: the space estimate next to Destination */
void _lifeboat_window_update_space       (LifeboatWindow *self);

/* lifeboat-window-live.c: the engines' event streams */
void _lifeboat_window_watch_host         (LifeboatWindow *self,
                                          Host           *host);
void _lifeboat_window_unwatch_host       (Host           *host);
void _lifeboat_window_live_init          (LifeboatWindow *self);
/* a job starts: what ran before it; the projects were looked at again: what it left stopped */
void _lifeboat_window_job_started        (LifeboatWindow *self,
                                          LifeboatJob    *job);
void _lifeboat_window_check_stopped      (LifeboatWindow *self);
void _lifeboat_window_live_discovered    (LifeboatWindow *self);
/* lifeboat-window.c, for it */
void _lifeboat_window_rediscover         (LifeboatWindow *self);
void _lifeboat_window_show_current       (LifeboatWindow *self);
/* lifeboat-window-hosts.c, for it */
/* the Cancel button while connecting */
void _lifeboat_window_cancel_connect     (LifeboatWindow *self);
void _lifeboat_window_host_update_row    (Host           *host);
void _lifeboat_window_host_connect       (LifeboatWindow *self,
                                          Host           *host);

/* lifeboat-window-actions.c */
void _lifeboat_window_class_actions_init (GtkWidgetClass *widget_class);
/* lifeboat-window-recovery.c: the recovery on contact and its banner */
void _lifeboat_window_recovery_class_init (GtkWidgetClass *widget_class);
void _lifeboat_window_recover            (LifeboatWindow *self,
                                          Host           *host,
                                          gboolean        asked);
void _lifeboat_window_update_actions     (LifeboatWindow *self);

/* used by the actions: the backup (-jobs.c), the restore (-restore.c), refresh and the busy
 * toast (lifeboat-window.c), the destination and the locations (-destination.c), an engine
 * added (-hosts.c) */
void _lifeboat_window_start_backup   (LifeboatWindow *self,
                                      GFile          *destination);
void _lifeboat_window_begin_restore  (LifeboatWindow *self,
                                      GFile         **files,
                                      guint           n_files);
void _lifeboat_window_refresh        (LifeboatWindow *self);
void _lifeboat_window_set_destination (LifeboatWindow *self,
                                       GFile          *destination);
void _lifeboat_window_add_location   (LifeboatWindow *self,
                                      GFile          *location);
void _lifeboat_window_show_busy_toast (LifeboatWindow *self,
                                       const char     *message);
void _lifeboat_window_add_host       (LifeboatWindow *self,
                                      const char     *uri,
                                      gboolean        select);

/* lifeboat-window.c: the projects of the chosen engine looked at again; back from a job's or
 * a restore's page; the busy toast dismissed (no sooner than libadwaita 1.2 allows) */
void _lifeboat_window_discover           (LifeboatWindow *self);
void _lifeboat_window_leave_page         (LifeboatWindow *self);
void _lifeboat_window_dismiss_busy_toast (LifeboatWindow *self);
void _lifeboat_window_toasts_init         (LifeboatWindow *self);
void _lifeboat_window_toasts_dispose      (LifeboatWindow *self);

/* lifeboat-window-hosts.c: the sidebar's engines */
typedef struct
{
  LifeboatWindow *self;
  Host           *host;
  GCancellable   *cancellable;   /* the connect attempt's */
} HostClosure;

void  _lifeboat_window_host_closure_free (HostClosure *closure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostClosure, _lifeboat_window_host_closure_free)
/* the engine's error in plain words, and what to do about it */
void  _lifeboat_window_explain_error     (const GError  *error,
                                          const char    *uri,
                                          char         **reason,
                                          char         **advice);
Host *_lifeboat_window_find_host         (LifeboatWindow *self,
                                          const char     *uri);
void  _lifeboat_window_add_initial_hosts (LifeboatWindow *self);
void  _lifeboat_window_hosts_init        (LifeboatWindow *self);
void  _lifeboat_window_hosts_class_init  (GtkWidgetClass *widget_class);

/* lifeboat-window-jobs.c: a job run on its page, its end notified */
void _lifeboat_window_start_job          (LifeboatWindow *self,
                                          LifeboatJob    *job);
/* starts the job once its page is drawn; in dispose: ends a job not started yet, cancelled */
void _lifeboat_window_run_pending_job    (LifeboatWindow *self);
void _lifeboat_window_jobs_class_init    (GtkWidgetClass *widget_class);

/* lifeboat-window-restore.c: restore, and files dropped on the window */
void _lifeboat_window_drop_init          (LifeboatWindow *self);
void _lifeboat_window_restore_class_init (GtkWidgetClass *widget_class);

/* lifeboat-window-destination.c: the settings' default-destination changed */
void _lifeboat_window_destination_changed (LifeboatWindow *self);

/* lifeboat-window-testing.c: test hooks (lifeboat_window_show_job selects a project too) */
/* counts the estimates shown next to Destination */
guint _lifeboat_window_get_space_updates (LifeboatWindow *self);
/* "status", "project", "job" or "restore" */
const char  *_lifeboat_window_get_page          (LifeboatWindow *self);
const char  *_lifeboat_window_get_status_title  (LifeboatWindow *self);
/* TRUE while connecting, discovering or planning */
gboolean     _lifeboat_window_is_busy           (LifeboatWindow *self);
char       **_lifeboat_window_dup_project_names (LifeboatWindow *self);
gboolean     _lifeboat_window_select_project    (LifeboatWindow *self,
                                                 const char     *name);
/* activates the project's row as a click would (also the selected one) */
gboolean     _lifeboat_window_activate_project  (LifeboatWindow *self,
                                                 const char     *name);
/* drives the same handler as a drop of a file list on the window */
gboolean     _lifeboat_window_drop_files        (LifeboatWindow *self,
                                                 GSList         *files);
guint        _lifeboat_window_get_n_notifications (LifeboatWindow *self);
/* "TITLE\tSTATE\tSUBTITLE" of the host with @uri, or NULL */
char        *_lifeboat_window_dup_host_row      (LifeboatWindow *self,
                                                 const char     *uri);
/* clicks the remove button of the host with @uri; FALSE when it has none */
gboolean     _lifeboat_window_click_remove_host (LifeboatWindow *self,
                                                 const char     *uri);
const char  *_lifeboat_window_get_last_notification (LifeboatWindow *self);
const char  *_lifeboat_window_get_last_toast    (LifeboatWindow *self);

G_END_DECLS
