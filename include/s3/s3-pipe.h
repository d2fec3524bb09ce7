#ifndef LOTBACKUP_S3_PIPE_H
#define LOTBACKUP_S3_PIPE_H

#include <stdint.h>

#include "s3/s3.h"

struct pipe;

/*
 * S3 as stages of a pipe (io/pipe.h): an upload filter on the write side,
 * a GET source on the read side.
 *
 * The upload is a tee (pipe_add_tee): the bytes pass on to the next stage
 * unchanged, so one pipe writes the local atomic file and the remote copy
 * at once, e.g.
 *     sha256 -> gzip -> progress -> upload -> atomic file
 * Bytes are cut into parts of cfg->part_mib MiB; cfg->upload_jobs threads
 * upload them, each on its own connection, each part tried again with
 * backoff (s3.h). Memory stays at most part size x (upload_jobs + 1): the
 * writer waits while that many parts are on their way. Less than one part
 * in all is one PUT at pipe_finish.
 *
 * pipe_finish completes the upload and checks it: each part's ETag against
 * the MD5 of the part sent (and Content-MD5 lets the server check too), the
 * object's ETag against the one computed here (the MD5 of the parts' MD5s
 * and "-N", or the MD5 of the whole object, as servers differ), and its
 * size by HEAD. A pipe that fails, or is freed before it finished, aborts
 * the multipart upload (AbortMultipartUpload), so no parts stay billed;
 * when even that fails, lotbackup list --remote shows the upload.
 *
 * DETACHED (db --upload: the local backup stays whatever happens to the
 * remote copy): a failed upload is reported and aborted, and does not fail
 * the pipe; the bytes still pass on, and pipe_s3_upload_result says so.
 * Its completion and check run on a thread of their own from pipe_finish
 * on, beside whatever the caller does next (db checks its own file), and
 * pipe_s3_upload_result waits for them (as pipe_free does).
 * Otherwise an upload's failure fails the pipe, as any stage's does.
 */
int pipe_add_s3_upload(struct pipe *p, const struct s3_config *cfg, const char *key, int detached);

struct s3_upload_result {
	uint64_t bytes;		/* bytes the object holds */
	int parts;		/* 0: one PUT */
	char etag[S3_ETAG_MAX];
};

/*
 * After pipe_finish: 0 and *res when the upload completed and was checked,
 * -1 when it failed (reported when it happened) or P has no S3 upload.
 * Waits for a detached upload's completion.
 */
int pipe_s3_upload_result(struct pipe *p, struct s3_upload_result *res);

/*
 * The read side: streams KEY's bytes into P (its filters and end in place),
 * as pipe_read_file does a file's. 0, -1 (reported; no such object too).
 */
int pipe_read_s3(struct pipe *p, struct s3_client *c, const char *key);
/* LENGTH bytes (UINT64_MAX: to the end) of KEY from OFFSET (s3_get_range) into P. 0, -1. */
int pipe_read_s3_range(struct pipe *p, struct s3_client *c, const char *key, uint64_t offset, uint64_t length);

#endif
