#ifndef LOTBACKUP_REMOTE_PRUNE_H
#define LOTBACKUP_REMOTE_PRUNE_H

#include <time.h>

#include "ops/retention-plan.h"
#include "remote/remote.h"
#include "store/backups.h"

/*
 * prune --remote: applies POLICY to the off-site backups of FAMILY
 * (BACKUP_DB or BACKUP_FULL_ARCHIVE) as retention_prune does locally: the
 * same planner and rules (pins and verification records of the same names
 * in rs->output_dir, the newest verified kept, only backups with a
 * manifest candidates, more than half at once refused without
 * RETENTION_FORCE), RETENTION_DRY_RUN printing the plan. Each deleted
 * backup loses its manifest first, then its data. Returns the number
 * deleted (or that would be), or -1 (reported; deleting stops at the first
 * failure).
 */
int remote_prune(const struct remote_settings *rs, enum backup_kind family, const struct retention_policy *policy,
    time_t now, int flags);

#endif
