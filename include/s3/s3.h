#ifndef LOTBACKUP_S3_H
#define LOTBACKUP_S3_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * A client of the S3 API (AWS S3, DigitalOcean Spaces, MinIO, Ceph, Garage):
 * a lower layer beside io/ and pg/, no module's header in it.
 *
 * Requests go through libcurl and are signed by its own SigV4
 * (CURLOPT_AWS_SIGV4, "aws:amz:REGION:s3"); the keys go to libcurl through
 * CURLOPT_USERPWD only, never onto a command line, into a log or an error.
 * Every request carries x-amz-content-sha256 (the SHA-256 of its body) and
 * its query in SigV4's canonical form (sorted, each value %-encoded), as
 * strict servers want. Replies in XML are read with expat.
 *
 * Errors are reported once, where they are found, as one line naming the
 * object and what to do:
 *   s3://bucket/key: 403 SignatureDoesNotMatch: the server refused the
 *   signature; check AWS_SECRET_ACCESS_KEY
 * A request that fails on the network or with a 5xx/429 is tried again
 * (S3_TRIES in all, with backoff), each retry a warning.
 *
 * A client is one connection: use it from one thread at a time, and give
 * each thread its own (s3_client_new of the same config).
 */

/* What the caller (the cmd layer) fills from flags, environment and .env. */
struct s3_config {
	const char *bucket;	/* required */
	const char *prefix;	/* "" or "dir/sub/" (ends in '/'): where the objects go */
	const char *endpoint;	/* http(s)://host[:port]; NULL: https://s3.REGION.amazonaws.com */
	const char *region;	/* NULL: us-east-1 */
	const char *access_key;	/* required */
	const char *secret_key;	/* required; never printed */
	int path_style;		/* 1: ENDPOINT/bucket/key; 0: bucket.HOST/key */
	int part_mib;		/* multipart part size, MiB (>= S3_MIN_PART_MIB) */
	int upload_jobs;	/* parts uploaded at once (>= 1) */
	const char *journal_dir;	/* where multipart uploads in flight are recorded (s3_journal_*); NULL: nowhere */
	/*
	 * https: the PEM file of the CAs that may sign the endpoint's
	 * certificate, in place of the system's (a private CA); NULL: the
	 * system's. ca_setting names where it came from, for messages.
	 */
	const char *ca_file;
	const char *ca_setting;
};

#define S3_DEFAULT_PART_MIB 16
#define S3_MIN_PART_MIB 5
#define S3_MAX_PART_MIB 5120
#define S3_DEFAULT_UPLOAD_JOBS 4
#define S3_MAX_UPLOAD_JOBS 64
#define S3_TRIES 5
/* Room for an ETag as servers send it, quotes removed. */
#define S3_ETAG_MAX 80
/* The longest key S3 allows, in bytes. */
#define S3_KEY_MAX 1024
/*
 * The most a listing (of objects or of multipart uploads) may run to:
 * far beyond what a prefix of this tool's holds, yet a bound on the time
 * and memory a server that never ends its listing can take.
 */
#define S3_LIST_MAX_PAGES 10000
#define S3_LIST_MAX_ITEMS 1000000

/*
 * Splits "s3://bucket/some/prefix" into its bucket and its prefix
 * ("some/prefix/", or "" for none); both malloc'ed. -1 with why in ERR.
 */
int s3_url_parse(const char *url, char **bucket, char **prefix, char *err, size_t errlen);

struct s3_client;

/* A client of CFG (copied). NULL when CFG lacks something (reported, naming the setting). */
struct s3_client *s3_client_new(const struct s3_config *cfg);
void s3_client_free(struct s3_client *c);
const struct s3_config *s3_client_config(const struct s3_client *c);
/* "s3://bucket/KEY" for messages (caller frees). */
char *s3_display(const struct s3_client *c, const char *key);

/* Keys below are whole keys, the prefix included. */

/* Streamed object bytes: 0 to go on, -1 to stop (it reported why). */
typedef int (*s3_data_fn)(void *arg, const void *buf, size_t len);

struct s3_object {
	char *key;
	uint64_t size;
	char etag[S3_ETAG_MAX];
	time_t modified;
};

struct s3_upload {
	char *key;
	char *upload_id;
	time_t initiated;
};

struct s3_part {
	int number;		/* 1..10000 */
	char etag[S3_ETAG_MAX];
};

/* One PUT of LEN bytes; *etag (NULL: not wanted) as the server answered. 0 or -1. */
int s3_put(struct s3_client *c, const char *key, const void *buf, size_t len, char etag[S3_ETAG_MAX]);
/*
 * GET, the body streamed to FN as it comes. A failed request is tried
 * again; one cut after FN has seen bytes goes on from the first byte it has
 * not (a ranged GET), so FN sees each byte once. 0, 1 when there is no such
 * object (unreported when not_found_quiet), -1.
 */
int s3_get(struct s3_client *c, const char *key, s3_data_fn fn, void *arg, int not_found_quiet);
/* The same for LENGTH bytes (UINT64_MAX: to the end) from OFFSET, by Range; 0 or -1 (no such object too). */
int s3_get_range(struct s3_client *c, const char *key, uint64_t offset, uint64_t length, s3_data_fn fn, void *arg);
/* HEAD: 0 and *info (key NULL) when it exists, 1 when not (unreported), -1. */
int s3_head(struct s3_client *c, const char *key, struct s3_object *info);
/* DELETE (an absent object is no error, as S3 says). 0 or -1. */
int s3_delete(struct s3_client *c, const char *key);
/*
 * ListObjectsV2 of every key under PREFIX, all pages, in key order. A
 * listing no S3 server gives is refused (reported), not trusted: a key
 * named twice or longer than S3_KEY_MAX, a continuation token given
 * before, more than S3_LIST_MAX_PAGES pages or S3_LIST_MAX_ITEMS keys.
 * 0 or -1.
 */
int s3_list(struct s3_client *c, const char *prefix, struct s3_object **out, size_t *count);
/* The key order of s3_list's objects, for qsort and bsearch. */
int s3_object_cmp(const void *a, const void *b);
void s3_objects_free(struct s3_object *objs, size_t count);

/* Multipart upload: create, upload parts, complete (or abort). */
int s3_mpu_create(struct s3_client *c, const char *key, char **upload_id);
/* MD5: the part's, sent as Content-MD5 (NULL: computed here). */
int s3_mpu_upload_part(struct s3_client *c, const char *key, const char *upload_id, int number,
    const void *buf, size_t len, const unsigned char md5[16], char etag[S3_ETAG_MAX]);
/* PARTS in order; *etag (NULL: not wanted) is the object's. 0 or -1. */
int s3_mpu_complete(struct s3_client *c, const char *key, const char *upload_id,
    const struct s3_part *parts, size_t nparts, char etag[S3_ETAG_MAX]);
/* An upload that is gone already is no error. 0 or -1. */
int s3_mpu_abort(struct s3_client *c, const char *key, const char *upload_id);
/*
 * ListMultipartUploads under PREFIX, all pages, refused as s3_list's when
 * a marker comes again or it runs past the same caps. 0, 1 when the server
 * does not offer it (501), -1.
 */
int s3_mpu_list(struct s3_client *c, const char *prefix, struct s3_upload **out, size_t *count);
void s3_uploads_free(struct s3_upload *ups, size_t count);
/*
 * AbortMultipartUpload of an upload found orphaned: 0 aborted or gone
 * already (404), 1 the server does not offer it (405, 501; unreported), -1.
 */
int s3_mpu_abort_orphan(struct s3_client *c, const char *key, const char *upload_id);

/*
 * The journal of multipart uploads in flight, in cfg->journal_dir/.lotbackup-uploads/
 * (the output directory): an entry is written before CreateMultipartUpload
 * and again with its UploadId, and removed once the upload completed or
 * was aborted. What a killed run (or a server gone) left there is aborted
 * by the next s3_journal_replay: that is how an orphaned upload stops
 * being billed, on a server that lists uploads or not.
 */
/* Records KEY's upload (UPLOAD_ID NULL: not known yet). 0, or -1 (a warning: the upload goes on). */
int s3_journal_add(const struct s3_config *cfg, const char *key, const char *upload_id);
void s3_journal_remove(const struct s3_config *cfg, const char *key);
/*
 * Aborts the uploads the journal holds for C's endpoint and bucket (not
 * those of a run on this host still going); each aborted, or gone already,
 * leaves the journal. Those the server would not abort, into *LEFT (NULL:
 * not wanted; free with s3_uploads_free). 0.
 */
int s3_journal_replay(struct s3_client *c, struct s3_upload **left, size_t *nleft);

#endif
