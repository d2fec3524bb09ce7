#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/log.h"
#include "io/sink.h"
#include "base/xalloc.h"

/* Small writes (one COPY row each) are gathered so deflate sees large blocks. */
#define GZIP_IN_SIZE (128 * 1024)
#define GZIP_OUT_SIZE (128 * 1024)

struct gzip_sink {
	struct sink base;
	z_stream zs;
	size_t in_used;
	unsigned char in[GZIP_IN_SIZE];
	unsigned char out[GZIP_OUT_SIZE];
};

static int
deflate_pending(struct gzip_sink *g, int flush)
{
	int rc;

	g->zs.next_in = g->in;
	g->zs.avail_in = (uInt)g->in_used;
	do {
		g->zs.next_out = g->out;
		g->zs.avail_out = sizeof(g->out);
		rc = deflate(&g->zs, flush);
		if (rc == Z_STREAM_ERROR) {
			log_error("gzip compression failed: %s", g->zs.msg ? g->zs.msg : "stream error");
			return -1;
		}
		if (sink_write(g->base.next, g->out, sizeof(g->out) - g->zs.avail_out) < 0)
			return -1;
	} while (g->zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	g->in_used = 0;
	return 0;
}

static int
gzip_write(struct sink *s, const void *data, size_t len)
{
	struct gzip_sink *g = (struct gzip_sink *)s;
	const unsigned char *p = data;

	while (len > 0) {
		size_t room = sizeof(g->in) - g->in_used;
		size_t n = len < room ? len : room;

		memcpy(g->in + g->in_used, p, n);
		g->in_used += n;
		p += n;
		len -= n;
		if (g->in_used == sizeof(g->in) && deflate_pending(g, Z_NO_FLUSH) < 0)
			return -1;
	}
	return 0;
}

static int
gzip_finish(struct sink *s)
{
	return deflate_pending((struct gzip_sink *)s, Z_FINISH);
}

static void
gzip_destroy(struct sink *s)
{
	struct gzip_sink *g = (struct gzip_sink *)s;

	deflateEnd(&g->zs);
	free(g);
}

static const struct sink_ops gzip_ops = { gzip_write, gzip_finish, gzip_destroy };

struct sink *
sink_gzip_new(struct sink *next, int level)
{
	struct gzip_sink *g = xcalloc(1, sizeof(*g));

	/* 15 + 16: a gzip header and trailer (CRC-32, length), as gunzip expects. */
	if (deflateInit2(&g->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		log_error("cannot initialise gzip compression at level %d", level);
		free(g);
		return NULL;
	}
	g->base.ops = &gzip_ops;
	g->base.next = next;
	return &g->base;
}

int
sink_gzip_set_level(struct sink *s, int level)
{
	struct gzip_sink *g = (struct gzip_sink *)s;
	int rc;

	/* What was gathered so far is compressed at the old level first. */
	if (deflate_pending(g, Z_NO_FLUSH) < 0)
		return -1;
	for (;;) {
		g->zs.next_out = g->out;
		g->zs.avail_out = sizeof(g->out);
		rc = deflateParams(&g->zs, level, Z_DEFAULT_STRATEGY);
		if (sink_write(g->base.next, g->out, sizeof(g->out) - g->zs.avail_out) < 0)
			return -1;
		if (rc != Z_BUF_ERROR || g->zs.avail_out != 0)
			break;
	}
	if (rc != Z_OK && rc != Z_BUF_ERROR) {
		log_error("cannot change the gzip level to %d", level);
		return -1;
	}
	return 0;
}
