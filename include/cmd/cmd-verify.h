#ifndef LOTBACKUP_CMD_VERIFY_H
#define LOTBACKUP_CMD_VERIFY_H

#include "cmd/options.h"

/*
 * db --verify-restore: the dump just written checked as verify --restore
 * checks it (the file, then a load into a scratch database and the
 * content comparison) and recorded in NAME.verified.json, or that record
 * removed. An LB_EXIT_* status: OK, VERIFY when a check failed (logged,
 * naming the file), FAILURE when it could not run.
 */
int cmd_verify_after_dump(const struct options *opts, const char *path);

/*
 * db and full check what they just wrote before saying it is done: the
 * cheap checks of verify (size and SHA-256 against the manifest, gzip to
 * its end; a full backup's members), recorded in PATH.verified.json as
 * verify records them, so status counts it. LB_EXIT_OK, LB_EXIT_VERIFY
 * (the failures reported) or LB_EXIT_FAILURE.
 */
int cmd_verify_written(const char *path, int full);

#endif
