#ifndef LOTBACKUP_RETENTION_H
#define LOTBACKUP_RETENTION_H

#include <time.h>

#include "backups.h"

/*
 * The simple day rule of `db --keep N`: deletes backups of `kind` in DIR whose
 * name-time is more than keep_days days before `now`, with their sidecar
 * files. Never touches `spare_name` (the backup just written) nor anything
 * whose name is not one of ours. keep_days 0 deletes nothing. With dry_run,
 * only prints what would go. Returns the number deleted (or that would be),
 * or -1 (reported; pruning stops at the first failure).
 */
int retention_prune_days(const char *dir, enum backup_kind kind, int keep_days, time_t now,
    const char *spare_name, int dry_run);

#endif
