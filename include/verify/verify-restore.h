#ifndef LOTBACKUP_VERIFY_RESTORE_H
#define LOTBACKUP_VERIFY_RESTORE_H

#include "cmd/options.h"
#include "verify/verify.h"

/*
 * verify --restore: loads the dump into a new scratch database on the
 * configured server, compares every table's rows and content (CRC-32 of its
 * COPY text) with what the manifest recorded at dump time, and drops the
 * scratch database again, also on failure or interruption. Adds the checks
 * "restore" and "content" to `result`. Returns 0 when they ran, -1 when
 * verify could not run (no server, scratch name taken...).
 */
int verify_restore(const struct options *opts, const char *path, struct verify_result *result);

#endif
