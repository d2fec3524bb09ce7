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
/*
 * db and full check what they just wrote before saying it is done: the
 * cheap checks of verify (size and SHA-256 against the manifest, gzip to
 * its end; a full backup's members), recorded in PATH.verified.json as
 * verify records them, so status counts it. LB_EXIT_OK, LB_EXIT_VERIFY
 * (the failures reported) or LB_EXIT_FAILURE.
 */
int cmd_verify_written(const char *path, int full);

#endif
