#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/log.h"
#include "io/sink.h"
#include "base/xalloc.h"

#define GUNZIP_OUT_SIZE (256 * 1024)

/*
 * Inflates gzip, one member or many (gzip allows concatenation), and
 * passes the plain bytes on. Cut short or corrupt data is an error naming
 * the label and the offset of the compressed byte where it was found.
 */
struct gunzip_sink {
	struct sink base;
	z_stream zs;
	int in_member;		/* a member has begun and not ended */
	char *label;
	unsigned char out[GUNZIP_OUT_SIZE];
};

static int
gunzip_write(struct sink *s, const void *buf, size_t len)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;
	int zrc;

	g->zs.next_in = (unsigned char *)buf;
	g->zs.avail_in = (uInt)len;
	while (g->zs.avail_in > 0) {
		if (!g->in_member) {
			if (inflateReset(&g->zs) != Z_OK)
				goto corrupt;
			g->in_member = 1;
		}
		g->zs.next_out = g->out;
		g->zs.avail_out = sizeof(g->out);
		zrc = inflate(&g->zs, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			goto corrupt;
		if (sizeof(g->out) > g->zs.avail_out &&
		    sink_write(s->next, g->out, sizeof(g->out) - g->zs.avail_out) < 0)
			return -1;
		if (zrc == Z_STREAM_END)
			g->in_member = 0;
	}
	return 0;
corrupt:
	log_error("%s: gzip data is corrupt near byte %llu: %s", g->label,
	    (unsigned long long)(s->bytes_in - g->zs.avail_in), g->zs.msg ? g->zs.msg : "invalid data");
	return -1;
}

static int
gunzip_finish(struct sink *s)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;

	if (g->in_member || s->bytes_in == 0) {
		log_error("%s: gzip stream is cut short after %llu bytes", g->label,
		    (unsigned long long)s->bytes_in);
		return -1;
	}
	return 0;
}

static void
gunzip_destroy(struct sink *s)
{
	struct gunzip_sink *g = (struct gunzip_sink *)s;

	inflateEnd(&g->zs);
	free(g->label);
	free(g);
}

static const struct sink_ops gunzip_ops = { "gunzip", gunzip_write, gunzip_finish, gunzip_destroy };

struct sink *
sink_gunzip_new(struct sink *next, const char *label)
{
	struct gunzip_sink *g = xcalloc(1, sizeof(*g));

	/* 15 + 16: gzip only, its header and trailer (CRC-32, length) checked. */
	if (inflateInit2(&g->zs, 15 + 16) != Z_OK) {
		log_error("cannot initialise gzip decompression");
		free(g);
		return NULL;
	}
	g->base.ops = &gunzip_ops;
	g->base.next = next;
	g->in_member = 1;
	g->label = xstrdup(label);
	return &g->base;
}
