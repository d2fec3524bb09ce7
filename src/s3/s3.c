#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <expat.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "s3/s3-internal.h"
#include "s3/s3.h"

/*
 * The request core: configuration, URLs, one libcurl handle per client,
 * SigV4 by libcurl, retries, and the one-line errors.
 */

struct s3_client {
	struct s3_config cfg;	/* strings owned */
	char *base;		/* scheme://host[:port] of the bucket (virtual) or endpoint (path) */
	char *userpwd;		/* "access:secret", for CURLOPT_USERPWD only */
	char *sigv4;		/* "aws:amz:REGION:s3" */
	CURL *curl;
	char curl_error[CURL_ERROR_SIZE];	/* libcurl's detail of the last attempt's failure */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void
curl_init_once(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int
s3_url_parse(const char *url, char **bucket, char **prefix, char *err, size_t errlen)
{
	const char *b, *slash;
	struct strbuf p = STRBUF_INIT;

	if (url == NULL || strncmp(url, "s3://", 5) != 0) {
		errbuf_set(err, errlen, "must look like s3://bucket/prefix");
		return -1;
	}
	b = url + 5;
	slash = strchr(b, '/');
	if ((slash ? (size_t)(slash - b) : strlen(b)) == 0) {
		errbuf_set(err, errlen, "names no bucket (s3://bucket/prefix)");
		return -1;
	}
	*bucket = slash ? xstrndup(b, (size_t)(slash - b)) : xstrdup(b);
	/* "a//b/" and "/a" become "a/b/": empty segments make keys no server lists alike. */
	for (b = slash; b != NULL && *b; b += strspn(b, "/")) {
		size_t n;

		b += strspn(b, "/");
		n = strcspn(b, "/");
		if (n == 0)
			break;
		strbuf_append(&p, b, n);
		strbuf_putc(&p, '/');
		b += n;
	}
	*prefix = strbuf_detach(&p);
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* scheme://host[:port] with the bucket in front of host for virtual-host addressing. */
static char *
make_base(const struct s3_config *cfg)
{
	const char *ep = cfg->endpoint, *host;
	char *scheme, *out;
	size_t n;

	if (ep == NULL)
		return xasprintf("https://%s%ss3.%s.amazonaws.com", cfg->path_style ? "" : cfg->bucket,
		    cfg->path_style ? "" : ".", cfg->region);
	host = strstr(ep, "://");
	if (host == NULL)
		return NULL;
	scheme = xstrndup(ep, (size_t)(host - ep));
	host += 3;
	n = strcspn(host, "/");	/* a path after the host is ignored */
	if (cfg->path_style)
		out = xasprintf("%s://%.*s", scheme, (int)n, host);
	else
		out = xasprintf("%s://%s.%.*s", scheme, cfg->bucket, (int)n, host);
	free(scheme);
	return out;
}

static int
host_local(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 || (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0))
		return 1;
	/* inet_aton, as the resolver: "127.1" is 127.0.0.1 too. */
	if (inet_aton(host, &a4))
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

int
s3_endpoint_local(const char *endpoint)
{
	const char *p = strstr(endpoint, "://");
	size_t n, i;
	char host[256];

	p = p ? p + 3 : endpoint;
	n = strcspn(p, "/?#");
	/* user@host: the host is after the last '@' of the authority. */
	for (i = n; i > 0; i--) {
		if (p[i - 1] == '@') {
			p += i;
			n -= i;
			break;
		}
	}
	if (n > 0 && p[0] == '[') {
		const char *close = memchr(p, ']', n);

		if (close == NULL)
			return 0;
		n = (size_t)(close - p - 1);
		p++;
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n == 0 || n >= sizeof(host))
		return 0;
	memcpy(host, p, n);
	host[n] = '\0';
	return host_local(host);
}

/*
 * Plain http to another machine: SigV4 keeps the secret off the wire, but
 * not the bytes. Said once a run, not once for each client an upload makes.
 */
static void
warn_cleartext(const struct s3_config *cfg)
{
	static int warned;

	if (cfg->endpoint == NULL || strncmp(cfg->endpoint, "http://", 7) != 0 || s3_endpoint_local(cfg->endpoint))
		return;
	if (__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		return;
	log_warn("S3 endpoint %s is plain http and not this machine: requests are signed (the secret key never "
	    "travels) but the backups, manifests and listings cross the network in clear text; use https:// "
	    "(LOTBACKUP_S3_CA_FILE for a private CA), or at least --encrypt", cfg->endpoint);
}

static int
config_check(const struct s3_config *cfg)
{
	if (cfg->bucket == NULL || *cfg->bucket == '\0') {
		log_error("no S3 bucket: set LOTBACKUP_S3_URL=s3://bucket/prefix");
		return -1;
	}
	if (cfg->access_key == NULL || *cfg->access_key == '\0') {
		log_error("s3://%s: no access key: set AWS_ACCESS_KEY_ID (environment or .env)", cfg->bucket);
		return -1;
	}
	if (cfg->secret_key == NULL || *cfg->secret_key == '\0') {
		log_error("s3://%s: no secret key: set AWS_SECRET_ACCESS_KEY (environment or .env)", cfg->bucket);
		return -1;
	}
	if (cfg->endpoint != NULL && strncmp(cfg->endpoint, "https://", 8) != 0 &&
	    strncmp(cfg->endpoint, "http://", 7) != 0) {
		log_error("S3 endpoint %s must begin with https:// or http:// (check LOTBACKUP_S3_ENDPOINT)",
		    cfg->endpoint);
		return -1;
	}
	/*
	 * Found now, by its name, rather than as a TLS failure on the first
	 * request; not for plain http, which reads no CA file (SSL_CERT_FILE may
	 * be set for something else).
	 */
	if (cfg->ca_file != NULL && (cfg->endpoint == NULL || strncmp(cfg->endpoint, "http://", 7) != 0) &&
	    access(cfg->ca_file, R_OK) < 0) {
		log_error("%s %s: %s; it must name the certificate (PEM) of the CA that signed the S3 endpoint's",
		    cfg->ca_setting ? cfg->ca_setting : "LOTBACKUP_S3_CA_FILE", cfg->ca_file, strerror(errno));
		return -1;
	}
	return 0;
}

struct s3_client *
s3_client_new(const struct s3_config *cfg)
{
	struct s3_client *c;

	if (config_check(cfg) < 0)
		return NULL;
	warn_cleartext(cfg);
	pthread_once(&curl_once, curl_init_once);
	if (!curl_ready) {
		log_error("cannot initialise libcurl");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfg = *cfg;
	c->cfg.bucket = xstrdup(cfg->bucket);
	c->cfg.prefix = xstrdup(cfg->prefix ? cfg->prefix : "");
	c->cfg.endpoint = dup_or_null(cfg->endpoint);
	c->cfg.region = xstrdup(cfg->region && *cfg->region ? cfg->region : "us-east-1");
	c->cfg.access_key = xstrdup(cfg->access_key);
	c->cfg.secret_key = xstrdup(cfg->secret_key);
	c->cfg.journal_dir = dup_or_null(cfg->journal_dir);
	c->cfg.ca_file = dup_or_null(cfg->ca_file);
	c->cfg.ca_setting = dup_or_null(cfg->ca_setting);
	if (c->cfg.part_mib < S3_MIN_PART_MIB)
		c->cfg.part_mib = c->cfg.part_mib <= 0 ? S3_DEFAULT_PART_MIB : S3_MIN_PART_MIB;
	if (c->cfg.upload_jobs < 1)
		c->cfg.upload_jobs = S3_DEFAULT_UPLOAD_JOBS;
	/*
	 * A dot in the bucket's name makes BUCKET.HOST a name no wildcard
	 * certificate (*.HOST) matches: over https such a bucket is addressed
	 * path-style, as the AWS SDKs do.
	 */
	if (strchr(c->cfg.bucket, '.') != NULL &&
	    (c->cfg.endpoint == NULL || strncmp(c->cfg.endpoint, "https://", 8) == 0))
		c->cfg.path_style = 1;
	c->base = make_base(&c->cfg);
	c->userpwd = xasprintf("%s:%s", cfg->access_key, cfg->secret_key);
	c->sigv4 = xasprintf("aws:amz:%s:s3", c->cfg.region);
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		log_error("cannot initialise libcurl");
		s3_client_free(c);
		return NULL;
	}
	return c;
}

/* The secret is wiped before it is freed: no copy stays in the heap. */
static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
s3_client_free(struct s3_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free((char *)c->cfg.bucket);
	free((char *)c->cfg.prefix);
	free((char *)c->cfg.endpoint);
	free((char *)c->cfg.region);
	free((char *)c->cfg.access_key);
	free((char *)c->cfg.journal_dir);
	free((char *)c->cfg.ca_file);
	free((char *)c->cfg.ca_setting);
	free_secret((char *)c->cfg.secret_key);
	free_secret(c->userpwd);
	free(c->base);
	free(c->sigv4);
	free(c);
}

const struct s3_config *
s3_client_config(const struct s3_client *c)
{
	return &c->cfg;
}

char *
s3_display(const struct s3_client *c, const char *key)
{
	return xasprintf("s3://%s/%s", c->cfg.bucket, key ? key : "");
}

/* SigV4's URI encoding: unreserved bytes as they are, every other %XX (and '/' kept in a path). */
static void
uri_encode(struct strbuf *sb, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~' || (keep_slash && ch == '/')) {
			strbuf_putc(sb, (char)ch);
		} else {
			strbuf_putc(sb, '%');
			strbuf_putc(sb, hex[ch >> 4]);
			strbuf_putc(sb, hex[ch & 15]);
		}
	}
}

void
s3_query_add(struct strbuf *q, const char *name, const char *value)
{
	if (q->len > 0)
		strbuf_putc(q, '&');
	uri_encode(q, name, 0);
	strbuf_putc(q, '=');
	if (value != NULL)
		uri_encode(q, value, 0);
}

static char *
request_url(const struct s3_client *c, const struct s3_request *rq)
{
	struct strbuf u = STRBUF_INIT;

	strbuf_puts(&u, c->base);
	strbuf_putc(&u, '/');
	if (c->cfg.path_style) {
		uri_encode(&u, c->cfg.bucket, 0);
		if (rq->key != NULL)
			strbuf_putc(&u, '/');
	}
	if (rq->key != NULL)
		uri_encode(&u, rq->key, 1);
	if (rq->query != NULL && *rq->query) {
		strbuf_putc(&u, '?');
		strbuf_puts(&u, rq->query);
	}
	return strbuf_detach(&u);
}

/* One attempt's state, seen by libcurl's callbacks. */
struct transfer {
	const struct s3_request *rq;
	struct s3_reply *rp;
	CURL *curl;
	size_t sent;		/* of rq->body */
	int streamed;		/* bytes reached rq->fn: no retry unless ranged */
	int fn_failed;
	uint64_t *delivered;	/* bytes given to rq->fn, over all attempts */
	int partial;		/* this attempt asked for a part of the object: 206 is the answer */
};

static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	long status = 0;

	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (t->rq->fn != NULL && status >= 200 && status < 300) {
		t->streamed = 1;
		/* A server that ignores Range sends the whole object: not the bytes asked for. */
		if (t->partial && status != 206) {
			log_error("the S3 server answered a ranged GET with HTTP %ld, not 206: it does not serve byte "
			    "ranges; pull the backup and use the local file", status);
			t->fn_failed = 1;
			return 0;
		}
		if (t->rq->fn(t->rq->arg, buf, len) < 0) {
			t->fn_failed = 1;
			return 0;	/* stops the transfer */
		}
		*t->delivered += len;
		return len;
	}
	if (t->rp->body.len + len > 16 * 1024 * 1024)
		return 0;	/* no reply of the API is that long */
	strbuf_append(&t->rp->body, buf, len);
	return len;
}

static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, vlen;
	const char *v;

	if (len > 5 && strncasecmp(buf, "ETag:", 5) == 0) {
		v = buf + 5;
		v += strspn(v, " \t\"");
		vlen = strcspn(v, "\"\r\n");
		if (vlen >= S3_ETAG_MAX)
			vlen = S3_ETAG_MAX - 1;
		memcpy(t->rp->etag, v, vlen);
		t->rp->etag[vlen] = '\0';
	} else if (len > 15 && strncasecmp(buf, "Content-Length:", 15) == 0) {
		t->rp->length = strtoull(buf + 15, NULL, 10);
		t->rp->have_length = 1;
	}
	return len;
}

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, left = t->rq->body_len - t->sent;

	if (len > left)
		len = left;
	memcpy(buf, (const char *)t->rq->body + t->sent, len);
	t->sent += len;
	return len;
}

/* A signal stops a transfer, as it stops every write of a pipe; not a clean-up's. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct transfer *t = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return !t->rq->past_signal && interrupt_check() < 0 ? 1 : 0;
}

static void
hex_digest(const void *buf, size_t len, const EVP_MD *md, char *hex)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(buf, len, d, &n, md, NULL);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static struct curl_slist *
request_headers(const struct s3_request *rq)
{
	struct curl_slist *h = NULL;
	char hash[65], line[128];
	unsigned char md5[16];
	char b64[32];
	unsigned int n = 0;

	hex_digest(rq->body ? rq->body : "", rq->body ? rq->body_len : 0, EVP_sha256(), hash);
	snprintf(line, sizeof(line), "x-amz-content-sha256: %s", hash);
	h = curl_slist_append(h, line);
	/* No "Expect:" to suppress 100-continue: libcurl would sign the empty header it does not send. */
	if (rq->body != NULL && strcmp(rq->method, "POST") == 0)
		h = curl_slist_append(h, "Content-Type: application/xml");
	if (rq->content_md5) {
		/* A part's MD5 is known to its uploader: not hashed again on each attempt. */
		if (rq->body_md5 != NULL)
			memcpy(md5, rq->body_md5, sizeof(md5));
		else
			EVP_Digest(rq->body ? rq->body : "", rq->body_len, md5, &n, EVP_md5(), NULL);
		EVP_EncodeBlock((unsigned char *)b64, md5, 16);
		snprintf(line, sizeof(line), "Content-MD5: %s", b64);
		h = curl_slist_append(h, line);
	}
	return xcheck(h);
}

/* The Range of a ranged GET's attempt, past what reached fn already; "" for all of the object. */
static void
range_of(const struct s3_request *rq, uint64_t delivered, char *buf, size_t len)
{
	uint64_t from = rq->offset + delivered;

	buf[0] = '\0';
	if (!rq->ranged || (from == 0 && rq->length == UINT64_MAX))
		return;
	if (rq->length == UINT64_MAX)
		snprintf(buf, len, "%llu-", (unsigned long long)from);
	else
		snprintf(buf, len, "%llu-%llu", (unsigned long long)from,
		    (unsigned long long)(rq->offset + rq->length - 1));
}

static void
setup_handle(struct s3_client *c, struct transfer *t, const char *url, struct curl_slist *headers)
{
	CURL *h = c->curl;
	const struct s3_request *rq = t->rq;
	char range[64];

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lotbackup");
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
	curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A server that sends nothing for a minute is gone: the request is tried again. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
	c->curl_error[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_error);
	if (c->cfg.ca_file != NULL && strncmp(c->base, "https://", 8) == 0)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg.ca_file);
	if (strcmp(rq->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, t);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->body_len);
	} else if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? (const char *)rq->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else if (strcmp(rq->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(rq->method, "GET") == 0) {
		range_of(rq, *t->delivered, range, sizeof(range));
		t->partial = range[0] != '\0';
		if (t->partial)
			curl_easy_setopt(h, CURLOPT_RANGE, range);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	}
}

/* What to tell the user about an S3 error code: the fix, not the jargon. */
static const char *
advice(const char *code, long status)
{
	static const struct { const char *code; const char *text; } known[] = {
		{ "SignatureDoesNotMatch", "the server refused the signature; check AWS_SECRET_ACCESS_KEY "
		    "(and LOTBACKUP_S3_REGION)" },
		{ "InvalidAccessKeyId", "the server does not know this access key; check AWS_ACCESS_KEY_ID" },
		{ "AccessDenied", "access denied; check that the key may use this bucket and prefix" },
		{ "NoSuchBucket", "no such bucket; check LOTBACKUP_S3_URL (and LOTBACKUP_S3_ENDPOINT)" },
		{ "NoSuchKey", "no such object; check the name (lotbackup list --remote)" },
		{ "NoSuchUpload", "the multipart upload is gone (aborted or completed elsewhere)" },
		{ "RequestTimeTooSkewed", "the server's clock and this machine's differ; check the system clock" },
		{ "AuthorizationHeaderMalformed", "the signature names the wrong region; check LOTBACKUP_S3_REGION" },
		{ "PermanentRedirect", "the bucket is elsewhere; check LOTBACKUP_S3_ENDPOINT and LOTBACKUP_S3_REGION" },
		{ "EntityTooSmall", "a part is below the server's minimum; raise --part-size" },
		{ "BadDigest", "the bytes arrived damaged (Content-MD5 differs); try again" },
	};
	size_t i;

	for (i = 0; code != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(code, known[i].code) == 0)
			return known[i].text;
	if (status == 404)
		return "not found; check LOTBACKUP_S3_URL and the name";
	if (status == 403)
		return "access denied; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the key's permissions";
	if (status >= 500)
		return "the server failed; try again later";
	return NULL;
}

struct error_fields {
	char code[128];
	char message[512];
};

static void
on_error_field(void *arg, const char *parent, const char *name, const char *text)
{
	struct error_fields *e = arg;

	if (strcmp(parent, "Error") != 0)
		return;
	if (strcmp(name, "Code") == 0)
		snprintf(e->code, sizeof(e->code), "%s", text);
	else if (strcmp(name, "Message") == 0)
		snprintf(e->message, sizeof(e->message), "%s", text);
}

/* "s3://b/k: 403 Code: advice" from a reply's status and <Error> body. */
static void
report_status(struct s3_client *c, const char *key, const struct s3_reply *rp)
{
	struct error_fields e = { "", "" };
	char root[64], err[128];
	const char *fix;
	char *where = s3_display(c, key);

	if (rp->body.len > 0)
		s3_xml_parse(rp->body.buf, rp->body.len, on_error_field, &e, root, sizeof(root), err, sizeof(err));
	fix = advice(e.code[0] ? e.code : NULL, rp->status);
	if (fix == NULL)
		fix = e.message[0] ? e.message : "the server refused the request";
	log_error("%s: %ld%s%s: %s", where, rp->status, e.code[0] ? " " : "", e.code, fix);
	free(where);
}

void
s3_report(struct s3_client *c, const char *key, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *where = s3_display(c, key);
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	log_error("%s: %s", where, strbuf_str(&sb));
	strbuf_free(&sb);
	free(where);
}

/* A request that never got an HTTP answer: the fix for an untrusted certificate is a setting. */
static void
report_network(struct s3_client *c, const struct s3_request *rq, CURLcode res)
{
	char *where = s3_display(c, rq->key);
	const char *op = rq->what ? rq->what : rq->method;
	const char *detail = c->curl_error[0] ? c->curl_error : curl_easy_strerror(res);

	if (res == CURLE_PEER_FAILED_VERIFICATION && c->cfg.ca_file == NULL)
		log_error("%s: %s failed: the server's certificate is not trusted (%s); check the host of "
		    "LOTBACKUP_S3_ENDPOINT, and if a private CA signed the certificate, set LOTBACKUP_S3_CA_FILE to "
		    "that CA's certificate (PEM)", where, op, detail);
	else if (res == CURLE_PEER_FAILED_VERIFICATION)
		log_error("%s: %s failed: the server's certificate is not trusted by %s (%s): %s; check the host of "
		    "LOTBACKUP_S3_ENDPOINT and that the file holds the CA that signed the certificate", where, op,
		    c->cfg.ca_file, c->cfg.ca_setting ? c->cfg.ca_setting : "LOTBACKUP_S3_CA_FILE", detail);
	else
		log_error("%s: %s failed: %s; check LOTBACKUP_S3_ENDPOINT and that the server is reachable",
		    where, op, curl_easy_strerror(res));
	free(where);
}

static int
retryable(CURLcode res, long status)
{
	if (res != CURLE_OK)
		return res != CURLE_ABORTED_BY_CALLBACK && res != CURLE_WRITE_ERROR &&
		    res != CURLE_UNSUPPORTED_PROTOCOL && res != CURLE_URL_MALFORMAT &&
		    res != CURLE_PEER_FAILED_VERIFICATION && res != CURLE_SSL_CACERT_BADFILE;	/* the same next time */
	return (status >= 500 && status != 501) || status == 429;	/* 501: not implemented, for good */
}

/* 250 ms, 500 ms, 1 s, 2 s: a brief outage or a 503 SlowDown passes; a dead server fails in seconds. */
static void
backoff(int attempt)
{
	struct timespec ts = { 0, 0 };
	long ms = 250L << (attempt - 1);

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* One attempt; *res and the reply say how it went. */
static CURLcode
attempt(struct s3_client *c, const struct s3_request *rq, struct s3_reply *rp, const char *url,
    struct curl_slist *headers, struct transfer *t, uint64_t *delivered)
{
	CURLcode res;

	strbuf_reset(&rp->body);
	rp->status = 0;
	rp->etag[0] = '\0';
	rp->have_length = 0;
	memset(t, 0, sizeof(*t));
	t->rq = rq;
	t->rp = rp;
	t->curl = c->curl;
	t->delivered = delivered;
	setup_handle(c, t, url, headers);
	res = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &rp->status);
	return res;
}

int
s3_request(struct s3_client *c, const struct s3_request *rq, struct s3_reply *rp)
{
	struct curl_slist *headers = request_headers(rq);
	char *url = request_url(c, rq), *where;
	struct transfer t;
	CURLcode res = CURLE_OK;
	uint64_t delivered = 0;
	int try, rc = -1;

	for (try = 1; try <= S3_TRIES; try++) {
		uint64_t before = delivered;

		res = attempt(c, rq, rp, url, headers, &t, &delivered);
		if (t.fn_failed || (res == CURLE_ABORTED_BY_CALLBACK && interrupt_check() < 0))
			goto out;	/* reported by fn, or the signal was */
		if (res == CURLE_OK && rp->status >= 200 && rp->status < 300) {
			rc = 0;
			goto out;
		}
		if (res == CURLE_OK && rq->quiet_status != 0 && rp->status == rq->quiet_status) {
			rc = 1;
			goto out;
		}
		if (res == CURLE_OK && rq->quiet_status2 != 0 && rp->status == rq->quiet_status2) {
			rc = 2;
			goto out;
		}
		if (!retryable(res, rp->status) || (t.streamed && !rq->ranged) || (try == S3_TRIES && delivered == before))
			break;
		where = s3_display(c, rq->key);
		if (res != CURLE_OK && delivered > before)
			log_warn("%s: %s cut after %llu bytes: %s; going on from there", where,
			    rq->what ? rq->what : rq->method, (unsigned long long)delivered, curl_easy_strerror(res));
		else if (res != CURLE_OK)
			log_warn("%s: %s failed: %s (try %d of %d); trying again", where, rq->what ? rq->what : rq->method,
			    curl_easy_strerror(res), try, S3_TRIES);
		else
			log_warn("%s: %s failed with HTTP %ld (try %d of %d); trying again", where,
			    rq->what ? rq->what : rq->method, rp->status, try, S3_TRIES);
		free(where);
		backoff(try);
		/* A ranged GET that got further is making progress: its tries start again. */
		if (delivered > before)
			try = 0;
	}
	if (res != CURLE_OK)
		report_network(c, rq, res);
	else
		report_status(c, rq->key, rp);
out:
	curl_slist_free_all(headers);
	free(url);
	return rc;
}

void
s3_reply_free(struct s3_reply *rp)
{
	strbuf_free(&rp->body);
}

/* The expat side of s3_xml_parse: a stack of element names and the current text. */
struct xml_state {
	s3_xml_fn fn;
	void *arg;
	char names[16][64];
	int depth;
	struct strbuf text;
	char *root;
	size_t rootlen;
};

static void XMLCALL
xml_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_state *x = arg;

	(void)attrs;
	if (x->depth == 0 && x->root != NULL)
		snprintf(x->root, x->rootlen, "%s", name);
	if (x->depth < 16)
		snprintf(x->names[x->depth], sizeof(x->names[0]), "%s", name);
	x->depth++;
	strbuf_reset(&x->text);
}

static void XMLCALL
xml_end(void *arg, const XML_Char *name)
{
	struct xml_state *x = arg;
	const char *parent;

	x->depth--;
	parent = x->depth >= 1 && x->depth <= 16 ? x->names[x->depth - 1] : "";
	x->fn(x->arg, parent, name, strbuf_str(&x->text));
	strbuf_reset(&x->text);
}

static void XMLCALL
xml_text(void *arg, const XML_Char *s, int len)
{
	struct xml_state *x = arg;

	strbuf_append(&x->text, s, (size_t)len);
}

int
s3_xml_parse(const char *buf, size_t len, s3_xml_fn fn, void *arg, char *root, size_t rootlen,
    char *err, size_t errlen)
{
	struct xml_state x;
	XML_Parser p = XML_ParserCreate(NULL);
	int rc = 0;

	memset(&x, 0, sizeof(x));
	x.fn = fn;
	x.arg = arg;
	x.root = root;
	x.rootlen = rootlen;
	if (root != NULL && rootlen > 0)
		root[0] = '\0';
	xcheck(p);
	XML_SetUserData(p, &x);
	XML_SetElementHandler(p, xml_start, xml_end);
	XML_SetCharacterDataHandler(p, xml_text);
	if (len > INT32_MAX || XML_Parse(p, buf, (int)len, 1) == XML_STATUS_ERROR) {
		errbuf_set(err, errlen, "the server's reply is not valid XML (%s, line %lu)",
		    XML_ErrorString(XML_GetErrorCode(p)), (unsigned long)XML_GetCurrentLineNumber(p));
		rc = -1;
	}
	XML_ParserFree(p);
	strbuf_free(&x.text);
	return rc;
}

time_t
s3_time_parse(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return timegm(&tm);
}
