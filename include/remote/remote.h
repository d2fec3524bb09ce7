#ifndef LOTBACKUP_REMOTE_H
#define LOTBACKUP_REMOTE_H

#include "s3/s3.h"

struct s3_upload_result;	/* s3/s3-pipe.h */

/*
 * The off-site store: this tool's backups as objects of an S3 bucket
 * (s3/s3.h), under the prefix of LOTBACKUP_S3_URL, each by the name it has
 * locally: PREFIX/lot-systems-db-....sql.gz and beside it
 * PREFIX/NAME.manifest.json.
 *
 * The manifest is what makes a backup exist remotely: the data object goes
 * first, its manifest last, so a reader never takes a half upload for a
 * backup. Only names of this tool's patterns (store/backups.h) are touched;
 * the .verified.json and .pin.json records stay local.
 */

struct remote_settings {
	struct s3_config s3;	/* its bucket and prefix may point into the buffers below */
	char bucket[64];	/* S3 bucket names have at most 63 characters */
	char prefix[1024];	/* and keys at most 1024 bytes */
	const char *output_dir;	/* pull: where the files go */
	int json;		/* list: as JSON */
	int unchecked_ok;	/* pull: a backup without a manifest off-site is taken, unchecked */
};

/*
 * Uploads each FILE (a db dump or full archive of this tool's name
 * patterns, with or without a manifest): data, then its manifest, whose
 * SHA-256 and size must be the data's. 0, or -1 when any failed (reported;
 * the others are still pushed).
 */
int remote_push(const struct remote_settings *rs, char *const *files, int nfiles);

/*
 * The last step of an off-site copy, shared by --upload and push: DATA
 * (the data object's upload, checked by its pipe) must be the size of the
 * local file at PATH; then PATH.manifest.json goes up as the manifest
 * object, checked the same way, and PATH.remote.json is written. 0, or -1
 * (reported; no record written).
 */
int remote_manifest_commit(const struct remote_settings *rs, const char *path, const struct s3_upload_result *data);

/*
 * Removes PATH.remote.json, if any: a new copy is on its way and the old
 * record would outlive the remote manifest it names. 0, or -1 (reported).
 */
int remote_record_clear(const char *path);

/*
 * Downloads NAME into the output directory (which the caller has made
 * and, for pull, holds the lock of) through the atomic file, data
 * then manifest, checked against the manifest's size and SHA-256; nothing
 * is left behind when they differ. A backup without a manifest is pulled
 * with a warning. 0, 1 failure, 3 the bytes do not match the manifest.
 */
int remote_pull(const struct remote_settings *rs, const char *name);

/*
 * Lists the backups under the prefix (newest first, size, manifest or not)
 * and the unfinished multipart uploads there. 0 or -1.
 */
int remote_list(const struct remote_settings *rs);

#endif
