#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "s3/s3-internal.h"
#include "s3/s3.h"

/* The operations of the S3 API lotbackup uses, on the request core (s3.c). */

static void
copy_etag(char etag[S3_ETAG_MAX], const char *from)
{
	if (etag != NULL)
		snprintf(etag, S3_ETAG_MAX, "%s", from);
}

int
s3_put(struct s3_client *c, const char *key, const void *buf, size_t len, char etag[S3_ETAG_MAX])
{
	struct s3_request rq = { .method = "PUT", .key = key, .body = buf ? buf : "", .body_len = len,
	    .content_md5 = 1 };
	struct s3_reply rp = { 0 };
	int rc = s3_request(c, &rq, &rp);

	if (rc == 0)
		copy_etag(etag, rp.etag);
	s3_reply_free(&rp);
	return rc;
}

int
s3_get(struct s3_client *c, const char *key, s3_data_fn fn, void *arg, int not_found_quiet)
{
	struct s3_request rq = { .method = "GET", .key = key, .fn = fn, .arg = arg,
	    .quiet_status = not_found_quiet ? 404 : 0, .ranged = 1, .length = UINT64_MAX };
	struct s3_reply rp = { 0 };
	int rc = s3_request(c, &rq, &rp);

	s3_reply_free(&rp);
	return rc;
}

int
s3_get_range(struct s3_client *c, const char *key, uint64_t offset, uint64_t length, s3_data_fn fn, void *arg)
{
	struct s3_request rq = { .method = "GET", .key = key, .fn = fn, .arg = arg, .ranged = 1, .offset = offset,
	    .length = length };
	struct s3_reply rp = { 0 };
	int rc;

	if (length == 0)
		return 0;	/* no Range names no bytes */
	rc = s3_request(c, &rq, &rp);
	s3_reply_free(&rp);
	return rc;
}

int
s3_head(struct s3_client *c, const char *key, struct s3_object *info)
{
	struct s3_request rq = { .method = "HEAD", .key = key, .quiet_status = 404 };
	struct s3_reply rp = { 0 };
	int rc = s3_request(c, &rq, &rp);

	if (rc == 0 && info != NULL) {
		memset(info, 0, sizeof(*info));
		info->size = rp.length;
		copy_etag(info->etag, rp.etag);
	}
	s3_reply_free(&rp);
	return rc;
}

int
s3_delete(struct s3_client *c, const char *key)
{
	struct s3_request rq = { .method = "DELETE", .key = key, .quiet_status = 404 };
	struct s3_reply rp = { 0 };
	int rc = s3_request(c, &rq, &rp);

	s3_reply_free(&rp);
	return rc < 0 ? -1 : 0;
}

/* A 2xx reply's XML through FN; an <Error> root or bad XML is reported. 0 or -1. */
static int
parse_reply(struct s3_client *c, const char *key, const struct s3_reply *rp, const char *want_root,
    s3_xml_fn fn, void *arg)
{
	char root[64], err[256];

	if (s3_xml_parse(rp->body.buf ? rp->body.buf : "", rp->body.len, fn, arg, root, sizeof(root),
	    err, sizeof(err)) < 0) {
		s3_report(c, key, "%s", err);
		return -1;
	}
	if (strcmp(root, want_root) != 0) {
		s3_report(c, key, "the server answered <%s>, not <%s>; check LOTBACKUP_S3_ENDPOINT", root, want_root);
		return -1;
	}
	return 0;
}

/*
 * Where a listing of pages (ListObjectsV2, ListMultipartUploads) has got
 * to. Each page names the next by a token; a server that lies could go
 * round a cycle of tokens, or give new ones and new items for ever while
 * the listing grows in memory. So a token given before is refused, as are
 * more pages or items than this tool's prefix should ever hold. Tokens are
 * kept as digests: the set stays small however long the server makes them.
 */
struct pager {
	const char *what;	/* "listing", for messages */
	const char *token_name;	/* "continuation token" */
	const char *item_name;	/* "keys" */
	unsigned char (*seen)[32];	/* the SHA-256 of each token given so far, sorted */
	size_t nseen;
};

static void
pager_free(struct pager *pg)
{
	free(pg->seen);
	pg->seen = NULL;
	pg->nseen = 0;
}

/*
 * After a page that says the listing goes on: TOKEN (NULL: none given)
 * must be new and ITEMS (held so far) within the cap. 0 to ask for the
 * next page, -1 (reported).
 */
static int
pager_next(struct s3_client *c, const char *prefix, struct pager *pg, const char *token, size_t items)
{
	unsigned char d[32];
	size_t lo = 0, hi = pg->nseen, mid;

	if (token == NULL || *token == '\0') {
		s3_report(c, prefix, "the %s says it goes on but gives no %s", pg->what, pg->token_name);
		return -1;
	}
	/* nseen pages went on before this one. */
	if (items > S3_LIST_MAX_ITEMS || pg->nseen + 1 >= S3_LIST_MAX_PAGES) {
		int by_items = items > S3_LIST_MAX_ITEMS;

		s3_report(c, prefix, "the %s goes on past %d %s: more than a prefix of this tool's should hold; "
		    "check LOTBACKUP_S3_URL", pg->what, by_items ? S3_LIST_MAX_ITEMS : S3_LIST_MAX_PAGES,
		    by_items ? pg->item_name : "pages");
		return -1;
	}
	EVP_Digest(token, strlen(token), d, NULL, EVP_sha256(), NULL);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(pg->seen[mid], d, sizeof(d)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pg->nseen && memcmp(pg->seen[lo], d, sizeof(d)) == 0) {
		s3_report(c, prefix, "the %s gives a %s it gave before, so it would never end: the server's listing is "
		    "inconsistent", pg->what, pg->token_name);
		return -1;
	}
	pg->seen = xrealloc(pg->seen, (pg->nseen + 1) * sizeof(*pg->seen));
	memmove(pg->seen[lo + 1], pg->seen[lo], (pg->nseen - lo) * sizeof(*pg->seen));
	memcpy(pg->seen[lo], d, sizeof(d));
	pg->nseen++;
	return 0;
}

/* ListObjectsV2: one page's fields. */
struct list_page {
	struct s3_object *objs;
	size_t n, cap;
	struct s3_object cur;
	char *next_token;
	int truncated;
	int long_key;		/* a key longer than S3 allows: the server is lying (and would fill memory) */
};

static void
on_list_field(void *arg, const char *parent, const char *name, const char *text)
{
	struct list_page *lp = arg;

	if (strcmp(parent, "Contents") == 0) {
		if (strcmp(name, "Key") == 0) {
			free(lp->cur.key);
			lp->cur.key = NULL;
			if (strlen(text) > S3_KEY_MAX)
				lp->long_key = 1;
			else
				lp->cur.key = xstrdup(text);
		} else if (strcmp(name, "Size") == 0) {
			lp->cur.size = strtoull(text, NULL, 10);
		} else if (strcmp(name, "ETag") == 0) {
			snprintf(lp->cur.etag, S3_ETAG_MAX, "%.*s", (int)strcspn(text + (*text == '"'), "\""),
			    text + (*text == '"'));
		} else if (strcmp(name, "LastModified") == 0) {
			lp->cur.modified = s3_time_parse(text);
		}
	} else if (strcmp(name, "Contents") == 0 && lp->cur.key != NULL) {
		if (lp->n == lp->cap) {
			lp->cap = lp->cap ? 2 * lp->cap : 64;
			lp->objs = xrealloc(lp->objs, lp->cap * sizeof(*lp->objs));
		}
		lp->objs[lp->n++] = lp->cur;
		memset(&lp->cur, 0, sizeof(lp->cur));
	} else if (strcmp(name, "NextContinuationToken") == 0) {
		free(lp->next_token);
		lp->next_token = xstrdup(text);
	} else if (strcmp(name, "IsTruncated") == 0) {
		lp->truncated = strcmp(text, "true") == 0;
	}
}

int
s3_object_cmp(const void *a, const void *b)
{
	return strcmp(((const struct s3_object *)a)->key, ((const struct s3_object *)b)->key);
}

/*
 * OBJS into key order, each key once: S3 never lists a key twice, and a
 * listing that does cannot be trusted for anything, least of all deleting
 * (prune would plan the same backup as kept and as gone). 0 or -1 (reported).
 */
static int
sort_unique(struct s3_client *c, struct s3_object *objs, size_t n)
{
	size_t i;

	qsort(objs, n, sizeof(*objs), s3_object_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(objs[i - 1].key, objs[i].key) == 0) {
			s3_report(c, objs[i].key, "the server listed this key twice: its listing is inconsistent, so none "
			    "of it is used");
			return -1;
		}
	return 0;
}

int
s3_list(struct s3_client *c, const char *prefix, struct s3_object **out, size_t *count)
{
	struct pager pg = { .what = "listing", .token_name = "continuation token", .item_name = "keys" };
	struct list_page lp;
	struct strbuf q = STRBUF_INIT;
	int rc = -1;

	memset(&lp, 0, sizeof(lp));
	do {
		struct s3_request rq = { .method = "GET" };
		struct s3_reply rp = { 0 };
		char *token = lp.next_token;

		/* In name order: the canonical query SigV4 signs. */
		strbuf_reset(&q);
		if (token != NULL)
			s3_query_add(&q, "continuation-token", token);
		s3_query_add(&q, "list-type", "2");
		s3_query_add(&q, "prefix", prefix);
		rq.query = strbuf_str(&q);
		lp.next_token = NULL;
		lp.truncated = 0;
		free(token);
		if (s3_request(c, &rq, &rp) < 0 || parse_reply(c, prefix, &rp, "ListBucketResult", on_list_field, &lp) < 0) {
			s3_reply_free(&rp);
			goto out;
		}
		s3_reply_free(&rp);
		if (lp.long_key) {
			s3_report(c, prefix, "the listing names a key of more than %d bytes, which S3 does not allow",
			    S3_KEY_MAX);
			goto out;
		}
		if (lp.truncated && pager_next(c, prefix, &pg, lp.next_token, lp.n) < 0)
			goto out;
	} while (lp.truncated);
	if (sort_unique(c, lp.objs, lp.n) < 0)
		goto out;
	*out = lp.objs;
	*count = lp.n;
	lp.objs = NULL;
	lp.n = 0;
	rc = 0;
out:
	s3_objects_free(lp.objs, lp.n);
	free(lp.cur.key);
	free(lp.next_token);
	strbuf_free(&q);
	pager_free(&pg);
	return rc;
}

void
s3_objects_free(struct s3_object *objs, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(objs[i].key);
	free(objs);
}

static void
on_upload_id(void *arg, const char *parent, const char *name, const char *text)
{
	char **id = arg;

	if (strcmp(parent, "InitiateMultipartUploadResult") == 0 && strcmp(name, "UploadId") == 0) {
		free(*id);
		*id = xstrdup(text);
	}
}

int
s3_mpu_create(struct s3_client *c, const char *key, char **upload_id)
{
	struct s3_request rq = { .method = "POST", .key = key, .query = "uploads=" };
	struct s3_reply rp = { 0 };
	int rc = -1;

	*upload_id = NULL;
	if (s3_request(c, &rq, &rp) < 0 ||
	    parse_reply(c, key, &rp, "InitiateMultipartUploadResult", on_upload_id, upload_id) < 0)
		goto out;
	if (*upload_id == NULL || **upload_id == '\0') {
		s3_report(c, key, "the server began a multipart upload but gave no UploadId");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		free(*upload_id);
		*upload_id = NULL;
	}
	s3_reply_free(&rp);
	return rc;
}

int
s3_mpu_upload_part(struct s3_client *c, const char *key, const char *upload_id, int number,
    const void *buf, size_t len, const unsigned char md5[16], char etag[S3_ETAG_MAX])
{
	struct s3_request rq = { .method = "PUT", .key = key, .body = buf, .body_len = len, .content_md5 = 1,
	    .body_md5 = md5 };
	struct s3_reply rp = { 0 };
	struct strbuf q = STRBUF_INIT;
	char num[16], what[32];
	int rc;

	snprintf(num, sizeof(num), "%d", number);
	snprintf(what, sizeof(what), "PUT of part %d", number);
	rq.what = what;
	s3_query_add(&q, "partNumber", num);
	s3_query_add(&q, "uploadId", upload_id);
	rq.query = strbuf_str(&q);
	rc = s3_request(c, &rq, &rp);
	if (rc == 0)
		copy_etag(etag, rp.etag);
	s3_reply_free(&rp);
	strbuf_free(&q);
	return rc;
}

static void
on_complete(void *arg, const char *parent, const char *name, const char *text)
{
	char *etag = arg;

	if (strcmp(parent, "CompleteMultipartUploadResult") == 0 && strcmp(name, "ETag") == 0)
		snprintf(etag, S3_ETAG_MAX, "%.*s", (int)strcspn(text + (*text == '"'), "\""), text + (*text == '"'));
}

/*
 * The reply may be 200 with an <Error> inside (S3 sends the status before
 * it has finished): parse_reply reports that root as a failure.
 */
int
s3_mpu_complete(struct s3_client *c, const char *key, const char *upload_id,
    const struct s3_part *parts, size_t nparts, char etag[S3_ETAG_MAX])
{
	struct s3_request rq = { .method = "POST", .key = key };
	struct s3_reply rp = { 0 };
	struct strbuf q = STRBUF_INIT, body = STRBUF_INIT;
	char got[S3_ETAG_MAX] = "";
	size_t i;
	int rc = -1;

	s3_query_add(&q, "uploadId", upload_id);
	strbuf_puts(&body, "<CompleteMultipartUpload>");
	for (i = 0; i < nparts; i++)
		strbuf_printf(&body, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\"</ETag></Part>",
		    parts[i].number, parts[i].etag);
	strbuf_puts(&body, "</CompleteMultipartUpload>");
	rq.query = strbuf_str(&q);
	rq.body = body.buf;
	rq.body_len = body.len;
	if (s3_request(c, &rq, &rp) < 0 ||
	    parse_reply(c, key, &rp, "CompleteMultipartUploadResult", on_complete, got) < 0)
		goto out;
	copy_etag(etag, got);
	rc = 0;
out:
	s3_reply_free(&rp);
	strbuf_free(&q);
	strbuf_free(&body);
	return rc;
}

/* DELETE ?uploadId: s3_request's 0, 1 (404, gone already), 2 (QUIET2), -1. */
static int
abort_request(struct s3_client *c, const char *key, const char *upload_id, int past_signal, int quiet2)
{
	struct s3_request rq = { .method = "DELETE", .what = "AbortMultipartUpload", .key = key, .quiet_status = 404,
	    .quiet_status2 = quiet2, .past_signal = past_signal };
	struct s3_reply rp = { 0 };
	struct strbuf q = STRBUF_INIT;
	int rc;

	s3_query_add(&q, "uploadId", upload_id);
	rq.query = strbuf_str(&q);
	rc = s3_request(c, &rq, &rp);
	s3_reply_free(&rp);
	strbuf_free(&q);
	return rc;
}

int
s3_mpu_abort(struct s3_client *c, const char *key, const char *upload_id)
{
	return abort_request(c, key, upload_id, 1, 0) < 0 ? -1 : 0;
}

int
s3_mpu_abort_orphan(struct s3_client *c, const char *key, const char *upload_id)
{
	int rc = abort_request(c, key, upload_id, 0, 405);

	return rc < 0 ? -1 : rc == 2 ? 1 : 0;
}

struct uploads_page {
	struct s3_upload *ups;
	size_t n, cap;
	struct s3_upload cur;
	char *next_key, *next_id;
	int truncated;
};

static void
on_upload_field(void *arg, const char *parent, const char *name, const char *text)
{
	struct uploads_page *up = arg;
	char **slot = NULL;

	if (strcmp(parent, "Upload") == 0) {
		if (strcmp(name, "Key") == 0)
			slot = &up->cur.key;
		else if (strcmp(name, "UploadId") == 0)
			slot = &up->cur.upload_id;
		else if (strcmp(name, "Initiated") == 0)
			up->cur.initiated = s3_time_parse(text);
	} else if (strcmp(name, "Upload") == 0 && up->cur.key != NULL && up->cur.upload_id != NULL) {
		if (up->n == up->cap) {
			up->cap = up->cap ? 2 * up->cap : 16;
			up->ups = xrealloc(up->ups, up->cap * sizeof(*up->ups));
		}
		up->ups[up->n++] = up->cur;
		memset(&up->cur, 0, sizeof(up->cur));
	} else if (strcmp(parent, "ListMultipartUploadsResult") == 0) {
		if (strcmp(name, "NextKeyMarker") == 0)
			slot = &up->next_key;
		else if (strcmp(name, "NextUploadIdMarker") == 0)
			slot = &up->next_id;
		else if (strcmp(name, "IsTruncated") == 0)
			up->truncated = strcmp(text, "true") == 0;
	}
	if (slot != NULL) {
		free(*slot);
		*slot = xstrdup(text);
	}
}

/*
 * After a page that goes on: its two markers, as one token (their lengths
 * keep it unambiguous), must be new to the pager. 0 or -1 (reported).
 */
static int
uploads_next(struct s3_client *c, const char *prefix, struct pager *pg, const struct uploads_page *up)
{
	char *token = NULL;
	int rc;

	if (up->next_key != NULL)
		token = xasprintf("%zu:%s%s", strlen(up->next_key), up->next_key, up->next_id ? up->next_id : "");
	rc = pager_next(c, prefix, pg, token, up->n);
	free(token);
	return rc;
}

int
s3_mpu_list(struct s3_client *c, const char *prefix, struct s3_upload **out, size_t *count)
{
	struct pager pg = { .what = "list of multipart uploads", .token_name = "marker", .item_name = "uploads" };
	struct uploads_page up;
	struct strbuf q = STRBUF_INIT;
	int rc = -1;

	memset(&up, 0, sizeof(up));
	do {
		struct s3_request rq = { .method = "GET", .quiet_status = 501 };
		struct s3_reply rp = { 0 };
		int got;

		strbuf_reset(&q);
		if (up.next_key != NULL)
			s3_query_add(&q, "key-marker", up.next_key);
		s3_query_add(&q, "prefix", prefix);
		if (up.next_id != NULL)
			s3_query_add(&q, "upload-id-marker", up.next_id);
		s3_query_add(&q, "uploads", NULL);
		rq.query = strbuf_str(&q);
		up.truncated = 0;
		if ((got = s3_request(c, &rq, &rp)) == 1) {
			s3_reply_free(&rp);
			rc = 1;
			goto out;
		}
		if (got < 0 ||
		    parse_reply(c, prefix, &rp, "ListMultipartUploadsResult", on_upload_field, &up) < 0) {
			s3_reply_free(&rp);
			goto out;
		}
		s3_reply_free(&rp);
		if (up.truncated && uploads_next(c, prefix, &pg, &up) < 0)
			goto out;
	} while (up.truncated);
	*out = up.ups;
	*count = up.n;
	up.ups = NULL;
	up.n = 0;
	rc = 0;
out:
	s3_uploads_free(up.ups, up.n);
	free(up.cur.key);
	free(up.cur.upload_id);
	free(up.next_key);
	free(up.next_id);
	strbuf_free(&q);
	pager_free(&pg);
	return rc;
}

void
s3_uploads_free(struct s3_upload *ups, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(ups[i].key);
		free(ups[i].upload_id);
	}
	free(ups);
}
