#ifndef LOTBACKUP_REMOTE_READ_H
#define LOTBACKUP_REMOTE_READ_H

#include "remote/remote.h"
#include "restore/restore-db.h"
#include "verify/verify-restore.h"
#include "verify/verify.h"

/*
 * The read side of the off-site store: verify, restore and status of the
 * backups in the bucket, named by NAME under the settings' prefix.
 */

/*
 * verify s3://: the object's bytes streamed once through the same checks
 * as a local file's (size and SHA-256 against its remote manifest, gzip,
 * completion marker, statements, rows), nothing written locally. With VRS
 * (verify --restore), the object is fetched first (remote_fetch) and
 * checked and loaded as a local file is. 0 when the checks ran (see
 * r->failed), -1.
 */
int remote_verify(const struct remote_settings *rs, const char *name, const struct verify_restore_settings *vrs,
    struct verify_result *r);

/*
 * restore s3://: the object and its manifest fetched (remote_fetch), then
 * restore_db_file on them: the whole file checked before anything loads,
 * as for a local file. 0, 1 it failed verification (nothing loaded), -1.
 */
int remote_restore(const struct remote_settings *rs, const char *name, const struct restore_db_settings *set);

/*
 * status --remote: the newest backup with a manifest (of KIND "db",
 * "full", or NULL for both) and its age. 0 when it is at most MAX_AGE
 * seconds old, 1 when older or there is none (said in one line), -1.
 */
int remote_status(const struct remote_settings *rs, long max_age, const char *kind, int json);

#endif
