#ifndef LOTBACKUP_FULL_BACKUP_H
#define LOTBACKUP_FULL_BACKUP_H

#include "cmd/options.h"

/*
 * The `full` job: git state, dependency manifests, configuration templates,
 * a system report and the database dump, staged in OUTPUT/full-backup-X.tmp/
 * with MANIFEST.json, then archived (tar + gzip, streamed through the sink
 * chain) and published by rename: the directory full-backup-X/ and
 * lot-systems-full-backup-X.tar.gz. On failure neither final name appears.
 * *published gets the path of the archive, or of the directory with
 * --dir-only (caller frees). Returns 0 or -1 (reported).
 */
int full_backup_run(const struct options *opts, char **published);

#define FULL_MANIFEST_NAME "MANIFEST.json"

#endif
