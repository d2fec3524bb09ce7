#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <libdeflate.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "io/gzip-member.h"
#include "io/sink.h"
#include "base/xalloc.h"

/*
 * Inflates gzip, one member or many (gzip allows concatenation), and
 * passes the plain bytes on.
 *
 * Fast path: lotbackup writes members of at most 1 MiB of SQL, which
 * libdeflate decompresses whole, CRC and length checked, at two to three
 * times zlib's speed. Input gathers in a window that holds more than one
 * whole member whenever it is decompressed from, unless the input has
 * ended; anything libdeflate cannot take (gzip -c makes one member of a
 * whole file; damaged data) goes to zlib, streaming, from that member on,
 * where zlib's messages say what is wrong and where.
 *
 * With helpers (sink_gunzip_set_jobs), members that say their sizes
 * (gzip-member.h) are inflated side by side, one per thread, the caller's
 * thread taking the first: only those libdeflate inflates whole, exactly
 * to the length the header says, are taken this way; any other goes the
 * one-at-a-time way above, so what comes out, and every message, is the
 * same. Only the caller's thread writes to `next`.
 */
#define WINDOW_SIZE (4 * 1024 * 1024)
#define WINDOW_LOW (2 * 1024 * 1024)
#define MEMBER_OUT_SIZE (2 * 1024 * 1024)
#define ZLIB_OUT_SIZE (256 * 1024)

#define HELPERS_MAX 7

enum gunzip_mode { SNIFF, PLAIN, MEMBERS, STREAM };

/* One member to inflate into out (room for its SQL as its header says). */
struct member_job {
	const unsigned char *in;
	size_t in_len;
	unsigned char *out;
	size_t out_cap;
	size_t out_len;
	int ok;			/* inflated whole, to exactly in_len */
};

struct helper {
	struct gunzip_sink *g;
	pthread_t thread;
	struct libdeflate_decompressor *d;
	unsigned char *out;	/* room for one member's SQL, used by job (index + 1) */
};

struct gunzip_sink {
	struct sink base;
	enum gunzip_mode mode;
	int plain_ok;		/* input without the gzip magic passes through */
	char *label;		/* messages: "LABEL: ..."; NULL: into err */
	char *err;
	size_t errlen;
	struct libdeflate_decompressor *d;
	unsigned char *win;
	size_t start, end;	/* the window's bytes not yet decompressed */
	unsigned char *out;
	z_stream zs;
	int zs_ready;
	int in_member;		/* zlib: a member has begun and not ended */
	uint64_t at;		/* the input offset of win[start] */
	struct gzip_boundary *bounds;	/* every member's start, then the stream's end */
	size_t nbounds, abounds;
	/* Helper threads (sink_gunzip_set_jobs), started at the first batch of members. */
	int nhelpers;
	int started;
	struct helper helpers[HELPERS_MAX];
	pthread_mutex_t mu;
	pthread_cond_t go;	/* jobs posted, or stop */
	pthread_cond_t done;	/* a helper finished a job */
	struct member_job jobs[HELPERS_MAX + 1];
	int njobs;		/* in the batch */
	int next_job;		/* the first no thread has taken */
	int running;		/* taken by helpers and not done */
	int stop;
};

/* A member starts at input offset IN, its bytes going out after what went out so far. */
static void
boundary(struct gunzip_sink *g, uint64_t in)
{
	if (g->nbounds == g->abounds) {
		g->abounds = g->abounds ? g->abounds * 2 : 64;
		g->bounds = xrealloc(g->bounds, g->abounds * sizeof(*g->bounds));
	}
	g->bounds[g->nbounds].in = in;
	g->bounds[g->nbounds].out = g->base.next->bytes_in;
	g->nbounds++;
}

static int corrupt(struct gunzip_sink *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bad data: logged with the label, or described in err for a caller that judges it. */
static int
corrupt(struct gunzip_sink *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sink_bad_input(g->label, g->err, g->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * zlib, streaming, on BUF, which ends at byte END_POS of the stage's
 * input: messages name offsets in the input (the file, for a reader).
 */
static int
stream_inflate(struct gunzip_sink *g, const unsigned char *buf, size_t len, uint64_t end_pos)
{
	int zrc;

	g->zs.next_in = (unsigned char *)buf;
	g->zs.avail_in = (uInt)len;
	do {
		if (!g->in_member && g->zs.avail_in > 0) {
			if (inflateReset(&g->zs) != Z_OK)
				return corrupt(g, "cannot initialise gzip decompression");
			g->in_member = 1;
			boundary(g, end_pos - g->zs.avail_in);
		}
		g->zs.next_out = g->out;
		g->zs.avail_out = ZLIB_OUT_SIZE;
		zrc = inflate(&g->zs, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			return corrupt(g, "gzip data is corrupt near byte %llu of the file: %s",
			    (unsigned long long)(end_pos - g->zs.avail_in),
			    g->zs.msg ? g->zs.msg : "invalid data");
		if (ZLIB_OUT_SIZE > g->zs.avail_out &&
		    sink_write(g->base.next, g->out, ZLIB_OUT_SIZE - g->zs.avail_out) < 0)
			return -1;
		if (zrc == Z_STREAM_END)
			g->in_member = 0;
	} while (g->zs.avail_in > 0 || (g->zs.avail_out == 0 && g->in_member));
	return 0;
}

/* From the member at the window's start on, everything goes to zlib; the window ends at END_POS. */
static int
to_stream(struct gunzip_sink *g, uint64_t end_pos)
{
	memset(&g->zs, 0, sizeof(g->zs));
	if (inflateInit2(&g->zs, 15 + 16) != Z_OK)
		return corrupt(g, "cannot initialise gzip decompression");
	g->zs_ready = 1;
	g->in_member = 1;
	boundary(g, g->at);
	g->mode = STREAM;
	g->out = xrealloc(g->out, ZLIB_OUT_SIZE);
	return stream_inflate(g, g->win + g->start, g->end - g->start, end_pos);
}

/* Decompresses the member at the window's start whole, or hands over to zlib. */
static int
next_member(struct gunzip_sink *g, uint64_t end_pos)
{
	size_t in_used = 0, out_len = 0;

	if (libdeflate_gzip_decompress_ex(g->d, g->win + g->start, g->end - g->start, g->out, MEMBER_OUT_SIZE,
	    &in_used, &out_len) != LIBDEFLATE_SUCCESS)
		return to_stream(g, end_pos);
	boundary(g, g->at);
	g->start += in_used;
	g->at += in_used;
	return out_len > 0 ? sink_write(g->base.next, g->out, out_len) : 0;
}

static void
inflate_job(struct libdeflate_decompressor *d, struct member_job *j)
{
	size_t in_used = 0;

	j->out_len = 0;
	j->ok = libdeflate_gzip_decompress_ex(d, j->in, j->in_len, j->out, j->out_cap, &in_used,
	    &j->out_len) == LIBDEFLATE_SUCCESS && in_used == j->in_len;
}

/*
 * Helpers take the batch's jobs in order, as does the caller's thread once
 * its own is done: a helper the scheduler keeps waiting costs nothing.
 */
static void *
helper_main(void *arg)
{
	struct helper *h = arg;
	struct gunzip_sink *g = h->g;
	int i;

	interrupt_block_in_thread();	/* signals go to the caller's thread, which checks for them */
	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (!g->stop && g->next_job >= g->njobs)
			pthread_cond_wait(&g->go, &g->mu);
		if (g->stop)
			break;
		i = g->next_job++;
		g->running++;
		pthread_mutex_unlock(&g->mu);
		inflate_job(h->d, &g->jobs[i]);
		pthread_mutex_lock(&g->mu);
		g->running--;
		pthread_cond_signal(&g->done);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Starts the helpers; with fewer than asked (none: one member at a time), it goes on. */
static void
start_helpers(struct gunzip_sink *g)
{
	int i, want = g->nhelpers;

	g->started = 1;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->go, NULL);
	pthread_cond_init(&g->done, NULL);
	for (g->nhelpers = 0, i = 0; i < want; i++) {
		struct helper *h = &g->helpers[g->nhelpers];

		h->g = g;
		h->d = libdeflate_alloc_decompressor();
		h->out = xmalloc(MEMBER_OUT_SIZE);
		if (h->d == NULL || pthread_create(&h->thread, NULL, helper_main, h) != 0) {
			libdeflate_free_decompressor(h->d);
			free(h->out);
			memset(h, 0, sizeof(*h));
			break;
		}
		g->nhelpers++;
	}
}

/*
 * The whole members at the window's start that say their sizes, up to one
 * per thread, as the batch's jobs (the first into g->out): how many.
 */
static int
plan_members(struct gunzip_sink *g)
{
	size_t off = g->start;
	uint32_t mlen, slen;
	int n = 0;

	while (n <= g->nhelpers && gzip_member_sizes(g->win + off, g->end - off, &mlen, &slen) &&
	    mlen <= g->end - off && slen <= MEMBER_OUT_SIZE) {
		g->jobs[n].in = g->win + off;
		g->jobs[n].in_len = mlen;
		g->jobs[n].out = n == 0 ? g->out : g->helpers[n - 1].out;
		g->jobs[n].out_cap = slen;
		off += mlen;
		n++;
	}
	return n;
}

/* Inflates the next members side by side, or the next one alone (next_member). */
static int
next_members(struct gunzip_sink *g, uint64_t end_pos)
{
	int i, n;

	if (g->nhelpers > 0 && !g->started)
		start_helpers(g);
	n = g->nhelpers > 0 ? plan_members(g) : 0;
	if (n < 2)
		return next_member(g, end_pos);
	pthread_mutex_lock(&g->mu);
	g->njobs = n;
	g->next_job = 1;	/* the first is the caller's */
	pthread_cond_broadcast(&g->go);
	pthread_mutex_unlock(&g->mu);
	inflate_job(g->d, &g->jobs[0]);
	pthread_mutex_lock(&g->mu);
	while (g->next_job < g->njobs) {
		i = g->next_job++;
		pthread_mutex_unlock(&g->mu);
		inflate_job(g->d, &g->jobs[i]);
		pthread_mutex_lock(&g->mu);
	}
	while (g->running > 0)
		pthread_cond_wait(&g->done, &g->mu);
	g->njobs = g->next_job = 0;
	pthread_mutex_unlock(&g->mu);
	for (i = 0; i < n; i++) {
		const struct member_job *j = &g->jobs[i];

		/* Anything unusual is left to the one-at-a-time way, from this member on. */
		if (!j->ok)
			return next_member(g, end_pos);
		boundary(g, g->at);
		g->start += j->in_len;
		g->at += j->in_len;
		if (j->out_len > 0 && sink_write(g->base.next, j->out, j->out_len) < 0)
			return -1;
	}
	return 0;
}

static int
members_write(struct gunzip_sink *g, const unsigned char *p, size_t len)
{
	while (len > 0) {
		size_t n;

		if (g->end == WINDOW_SIZE) {
			memmove(g->win, g->win + g->start, g->end - g->start);
			g->end -= g->start;
			g->start = 0;
		}
		n = len < WINDOW_SIZE - g->end ? len : WINDOW_SIZE - g->end;
		memcpy(g->win + g->end, p, n);
		g->end += n;
		p += n;
		len -= n;
		while (g->mode == MEMBERS && g->end - g->start >= WINDOW_LOW)
			if (next_members(g, g->base.bytes_in - len) < 0)
				return -1;
		if (g->mode == STREAM)
			return stream_inflate(g, p, len, g->base.bytes_in);
	}
	return 0;
}

static int
gunzip_write(struct sink *s, const void *buf, size_t len)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;
	const unsigned char *p = buf;

	/* The first bytes say what it is (a plain dump is read as it is, when allowed). */
	if (g->mode == SNIFF) {
		g->mode = !g->plain_ok || (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) ? MEMBERS : PLAIN;
		if (g->mode == MEMBERS) {
			g->d = libdeflate_alloc_decompressor();
			if (g->d == NULL)
				return corrupt(g, "cannot initialise gzip decompression");
			g->win = xmalloc(WINDOW_SIZE);
			g->out = xmalloc(MEMBER_OUT_SIZE);
		}
	}
	switch (g->mode) {
	case PLAIN:
		return sink_write(s->next, buf, len);
	case MEMBERS:
		return members_write(g, p, len);
	default:
		return stream_inflate(g, p, len, s->bytes_in);
	}
}

static int
gunzip_finish(struct sink *s)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;

	if (g->mode == SNIFF && !g->plain_ok)
		return corrupt(g, "gzip stream is cut short after 0 bytes (the file is truncated)");
	while (g->mode == MEMBERS && g->start < g->end)
		if (next_members(g, s->bytes_in) < 0)
			return -1;
	if (g->mode == STREAM && g->in_member)
		return corrupt(g, "gzip stream is cut short after %llu bytes (the file is truncated)",
		    (unsigned long long)s->bytes_in);
	if (g->mode == MEMBERS || g->mode == STREAM)
		boundary(g, s->bytes_in);
	return 0;
}

static void
gunzip_destroy(struct sink *s)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;
	int i;

	if (g->started) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_broadcast(&g->go);
		pthread_mutex_unlock(&g->mu);
		for (i = 0; i < g->nhelpers; i++) {
			pthread_join(g->helpers[i].thread, NULL);
			libdeflate_free_decompressor(g->helpers[i].d);
			free(g->helpers[i].out);
		}
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->go);
		pthread_cond_destroy(&g->done);
	}
	if (g->zs_ready)
		inflateEnd(&g->zs);
	libdeflate_free_decompressor(g->d);
	free(g->win);
	free(g->out);
	free(g->label);
	free(g->bounds);
	free(g);
}

static const struct sink_ops gunzip_ops = { gunzip_write, gunzip_finish, gunzip_destroy };

struct sink *
sink_gunzip_new(struct sink *next, const char *label, int plain_ok, char *err, size_t errlen)
{
	struct gunzip_sink *g = xcalloc(1, sizeof(*g));

	g->base.ops = &gunzip_ops;
	g->base.next = next;
	g->plain_ok = plain_ok;
	g->label = label != NULL ? xstrdup(label) : NULL;
	g->err = err;
	g->errlen = errlen;
	return &g->base;
}

void
sink_gunzip_set_jobs(struct sink *s, int jobs)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;

	if (!g->started)
		g->nhelpers = jobs <= 1 ? 0 : jobs - 1 > HELPERS_MAX ? HELPERS_MAX : jobs - 1;
}

const struct gzip_boundary *
sink_gunzip_boundaries(const struct sink *s, size_t *n)
{
	const struct gunzip_sink *g = (const struct gunzip_sink *)s;

	*n = g->nbounds;
	return g->bounds;
}

int
sink_gunzip_found_gzip(const struct sink *s)
{
	const struct gunzip_sink *g = (const struct gunzip_sink *)s;

	return g->mode == MEMBERS || g->mode == STREAM;
}
