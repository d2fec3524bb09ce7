#ifndef LOTBACKUP_REMOTE_UPLOAD_H
#define LOTBACKUP_REMOTE_UPLOAD_H

#include "remote/remote.h"
#include "s3/s3-pipe.h"

/*
 * db|full --upload: the off-site copy made while a backup is written. The
 * backup's own pipe carries the data upload (s3/s3-pipe.h, detached: the
 * local backup never depends on it). Once the local backup is published,
 * remote_upload_commit puts its manifest (the local file, byte for byte)
 * last, which is what makes the backup exist remotely, then records the
 * verified remote copy beside the local file in NAME.remote.json
 * (REMOTE_SUFFIX, store/backups.h):
 *   {"file", "url", "bytes", "etag", "parts", "manifest_etag", "uploaded_at"}
 * No record, no off-site copy: that is what retention and status may count.
 */

/* RS can make an upload (URL, region, keys): 0, or -1 (reported). */
int remote_upload_ready(const struct remote_settings *rs);

/*
 * After the local backup at PATH (with PATH.manifest.json) is published.
 * DATA: the data upload's result, checked by the pipe (size and ETag);
 * NULL when it failed or never started (reported then; RS may be NULL
 * too). Puts the manifest,
 * then writes the record. 0, or -1 with one line saying the local backup
 * is whole and that no remote copy counts.
 */
int remote_upload_commit(const struct remote_settings *rs, const char *path, const struct s3_upload_result *data);

#endif
