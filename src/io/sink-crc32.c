#include <stdlib.h>

#include <libdeflate.h>

#include "io/sink.h"
#include "base/xalloc.h"

/* Passes bytes through unchanged and keeps their CRC-32 (libdeflate's: the fast one). */
struct crc32_sink {
	struct sink base;
	uint32_t crc;
};

static int
crc_write(struct sink *s, const void *buf, size_t len)
{
	struct crc32_sink *c = (struct crc32_sink *)s;

	c->crc = libdeflate_crc32(c->crc, buf, len);
	return s->next ? sink_write(s->next, buf, len) : 0;
}

static void
crc_destroy(struct sink *s)
{
	free(s);
}

static const struct sink_ops crc_ops = { crc_write, NULL, crc_destroy };

struct sink *
sink_crc32_new(struct sink *next)
{
	struct crc32_sink *c = xcalloc(1, sizeof(*c));

	c->base.ops = &crc_ops;
	c->base.next = next;
	return &c->base;
}

uint32_t
sink_crc32_value(const struct sink *s)
{
	return ((const struct crc32_sink *)s)->crc;
}
