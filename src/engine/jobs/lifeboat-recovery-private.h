/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lifeboat-history.h"
#include "lifeboat-job-lock-private.h"
#include "lifeboat-recovery.h"

G_BEGIN_DECLS

/* With @lock held: recovers the interrupted jobs its journal holds (oldest first), appending a
 * sentence per job to @report. FALSE at the first that could not be put right. */
gboolean _lifeboat_recovery_recover_unfinished (LifeboatJobLock  *lock,
                                                LifeboatHistory  *history,
                                                GString          *report,
                                                GCancellable     *cancellable,
                                                GError          **error);

/* What recovering @journal will do, in one or two sentences. */
char    *_lifeboat_recovery_describe (LifeboatJournal *journal);

G_END_DECLS
