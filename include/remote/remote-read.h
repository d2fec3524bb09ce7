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
 * as a local file's (a dump's size and SHA-256 against its remote
 * manifest, gzip, completion marker, statements, rows; a full archive's
 * members against its MANIFEST.json, size and SHA-256 against its remote
 * sidecar), nothing written locally. With VRS (verify --restore), a dump
 * that passed is then loaded into the scratch database from ranged GETs,
 * as restore s3:// loads it (a full archive has no restore test, as
 * locally). 0 when the checks ran (see r->failed), -1.
 */
int remote_verify(const struct remote_settings *rs, const char *name, const struct verify_restore_settings *vrs,
    struct verify_result *r);

/*
 * restore s3://: streamed, nothing written locally. The whole object is
 * checked against its remote manifest before anything loads (one GET), as
 * a local file is; then restore_db_source loads it from ranged GETs of its
 * tables' gzip members (the manifest's index), side by side, each on a
 * connection of its own. A GET cut short goes on from where it stopped. 0,
 * 1 it failed verification (nothing loaded), -1.
 */
int remote_restore(const struct remote_settings *rs, const char *name, const struct restore_db_settings *set);

/*
 * restore --to DIR s3://.../NAME.tar.gz[.enc]: a full archive, verified
 * whole first (one read), then extracted as full_restore does a local
 * one, read by ranged GETs, never stored locally. 0, 1 it failed
 * verification (nothing written), -1.
 */
struct full_restore_settings;
int remote_restore_full(const struct remote_settings *rs, const char *name, const struct full_restore_settings *set);

/*
 * status --remote: the newest backup with a manifest (of KIND "db",
 * "full", or NULL for both) and its age. 0 when it is at most MAX_AGE
 * seconds old, 1 when older or there is none (said in one line), -1.
 */
int remote_status(const struct remote_settings *rs, long max_age, const char *kind, int json);

#endif
