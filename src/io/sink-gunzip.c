#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <libdeflate.h>

#include "base/log.h"
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
 */
#define WINDOW_SIZE (4 * 1024 * 1024)
#define WINDOW_LOW (2 * 1024 * 1024)
#define MEMBER_OUT_SIZE (2 * 1024 * 1024)
#define ZLIB_OUT_SIZE (256 * 1024)

enum gunzip_mode { SNIFF, PLAIN, MEMBERS, STREAM };

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
};

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
	g->start += in_used;
	return out_len > 0 ? sink_write(g->base.next, g->out, out_len) : 0;
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
			if (next_member(g, g->base.bytes_in - len) < 0)
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
		if (next_member(g, s->bytes_in) < 0)
			return -1;
	if (g->mode == STREAM && g->in_member)
		return corrupt(g, "gzip stream is cut short after %llu bytes (the file is truncated)",
		    (unsigned long long)s->bytes_in);
	return 0;
}

static void
gunzip_destroy(struct sink *s)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;

	if (g->zs_ready)
		inflateEnd(&g->zs);
	libdeflate_free_decompressor(g->d);
	free(g->win);
	free(g->out);
	free(g->label);
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

int
sink_gunzip_found_gzip(const struct sink *s)
{
	const struct gunzip_sink *g = (const struct gunzip_sink *)s;

	return g->mode == MEMBERS || g->mode == STREAM;
}
