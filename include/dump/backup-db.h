#ifndef LOTBACKUP_BACKUP_DB_H
#define LOTBACKUP_BACKUP_DB_H

#include "cmd/options.h"

/*
 * The whole `db` job: dumps the configured database through
 * gzip -> sha256 -> atomic file into OUTPUT_DIR/lot-systems-db-<UTC>.sql.gz,
 * writes the sidecar manifest, then publishes the dump by rename. On any
 * failure nothing appears under a final name. *name gets the file's base
 * name. Returns 0 or -1 (reported).
 */
int backup_db_run(const struct options *opts, char **name);

#endif
