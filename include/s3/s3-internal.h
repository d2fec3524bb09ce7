#ifndef LOTBACKUP_S3_INTERNAL_H
#define LOTBACKUP_S3_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "s3/s3.h"

/* The request core of s3/ (s3.c), for its operations (s3-ops.c). */

struct s3_request {
	const char *method;	/* GET PUT POST DELETE HEAD */
	const char *what;	/* for messages, e.g. "part 3"; NULL: the method */
	const char *key;	/* whole key; NULL: the bucket */
	const char *query;	/* canonical query (s3_query_add, in name order); NULL: none */
	const void *body;	/* PUT/POST */
	size_t body_len;
	int content_md5;	/* send Content-MD5 of the body: the server checks it */
	const unsigned char *body_md5;	/* with content_md5: the body's MD5 known already (16 bytes) */
	s3_data_fn fn;		/* GET: a 2xx body to it, streamed; NULL: into reply.body */
	void *arg;
	int quiet_status;	/* this HTTP status is answered unreported (404 for HEAD/GET) */
	int quiet_status2;	/* and this one, with 2 */
	int past_signal;	/* goes on after SIGINT/SIGTERM: the clean-up (an abort) must reach the server */
	/*
	 * GET with fn: the bytes from offset, length of them (UINT64_MAX: to
	 * the end), by Range; a transfer cut after bytes reached fn goes on
	 * from the first byte fn has not seen, so a dropped connection costs
	 * no more than it dropped.
	 */
	int ranged;
	uint64_t offset, length;
};

struct s3_reply {
	long status;
	struct strbuf body;	/* error bodies always; a 2xx body when no fn */
	char etag[S3_ETAG_MAX];	/* quotes removed */
	uint64_t length;	/* Content-Length, when have_length */
	int have_length;
};

/*
 * Performs RQ, retrying a network failure or a 5xx/429 (not once a streamed
 * body has reached fn). 0 for a 2xx reply, 1 for quiet_status, 2 for
 * quiet_status2, -1 for anything else (reported, naming the object and the fix).
 */
int s3_request(struct s3_client *c, const struct s3_request *rq, struct s3_reply *rp);
void s3_reply_free(struct s3_reply *rp);
/* Reports a failure of OP on KEY found in a 2xx reply (an <Error> inside, bad XML). */
void s3_report(struct s3_client *c, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends NAME=VALUE to a canonical query; add in name order. VALUE NULL: "NAME=". */
void s3_query_add(struct strbuf *q, const char *name, const char *value);

/*
 * Parses an XML reply with expat, calling FN at the end of each element
 * with its parent's name, its own and its text (only leaf text matters).
 * ROOT gets the root element's name. 0, or -1 with why in ERR.
 */
typedef void (*s3_xml_fn)(void *arg, const char *parent, const char *name, const char *text);
int s3_xml_parse(const char *buf, size_t len, s3_xml_fn fn, void *arg, char *root, size_t rootlen,
    char *err, size_t errlen);

/*
 * 1 when ENDPOINT's host is this machine (127/8, ::1, localhost and
 * *.localhost, which libcurl resolves to the loopback itself): its requests
 * never cross a network. 0 for any other host.
 */
int s3_endpoint_local(const char *endpoint);

/* "2024-01-02T03:04:05.000Z" -> seconds; 0 when unreadable. */
time_t s3_time_parse(const char *iso);

#endif
