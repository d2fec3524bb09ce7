#ifndef LOTBACKUP_CMD_DB_H
#define LOTBACKUP_CMD_DB_H

#include "cmd/options.h"
#include "dump/backup-db.h"

/*
 * The dump the options describe, into OUTPUT_DIR (which must outlive the
 * job): for db itself, full's staged dump and restore's safety dump.
 */
void cmd_db_job(const struct options *opts, const char *output_dir, struct db_job *job);
/*
 * The safety dump of the database OPTS (a struct options) names, into
 * OUTPUT/safety-dumps/, before restore --clean or recover --apply change
 * it. 0, or -1 (reported: nothing must then be changed).
 */
int cmd_safety_dump(const void *opts);
/* For --encrypt (db, full): the run's key loaded, or -1 saying how to give one (reported). */
int cmd_encrypt_key_ready(const struct options *opts);

#endif
