#ifndef LOTBACKUP_RETENTION_JSON_H
#define LOTBACKUP_RETENTION_JSON_H

#include <jansson.h>
#include <time.h>

#include "ops/retention.h"

/*
 * A dry run of retention_prune, for machines (prune/db --dry-run --json):
 * { "kind", "policy", "candidates", "to_delete", "refused_without_force",
 *   "refused_future_dated" (the name prune refuses to run beside, or null),
 *   "backups": [ { "name", "keep", "reason" } ] }, newest first, where
 * reason is the rules that keep it or why it would go. Deletes nothing.
 * NULL on error (reported).
 */
json_t *retention_plan_json(const char *dir, enum backup_kind family, const struct retention_policy *policy,
    time_t now, int force);

#endif
