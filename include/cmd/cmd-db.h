#ifndef LOTBACKUP_CMD_DB_H
#define LOTBACKUP_CMD_DB_H

#include "cmd/options.h"
#include "dump/backup-db.h"

/*
 * The dump the options describe, into OUTPUT_DIR (which must outlive the
 * job): for db itself, full's staged dump and restore's safety dump.
 */
void cmd_db_job(const struct options *opts, const char *output_dir, struct db_job *job);

#endif
