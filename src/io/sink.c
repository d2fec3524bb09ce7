#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "io/sink.h"
#include "base/xalloc.h"

int
sink_write(struct sink *s, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	/* Where the bytes go is where a signal is noticed: no stage needs its own check. */
	if (interrupt_check() < 0)
		return -1;
	s->bytes_in += len;
	return s->ops->write(s, buf, len);
}

int
sink_finish(struct sink *s)
{
	for (; s != NULL; s = s->next) {
		if (s->finished)
			continue;
		if (s->ops->finish && s->ops->finish(s) < 0)
			return -1;
		s->finished = 1;
	}
	return 0;
}

void
sink_free(struct sink *s)
{
	while (s != NULL) {
		struct sink *next = s->next;

		s->ops->destroy(s);
		s = next;
	}
}

/* The null sink. */

static int
null_write(struct sink *s, const void *buf, size_t len)
{
	(void)s;
	(void)buf;
	(void)len;
	return 0;
}

static void
null_destroy(struct sink *s)
{
	free(s);
}

static const struct sink_ops null_ops = { null_write, NULL, null_destroy };

struct sink *
sink_null_new(void)
{
	struct sink *s = xcalloc(1, sizeof(*s));

	s->ops = &null_ops;
	return s;
}

/* The consumer end: a callback gets the bytes. */
struct consumer_sink {
	struct sink base;
	int (*fn)(void *arg, const void *buf, size_t len);
	void *arg;
};

static int
consumer_write(struct sink *s, const void *buf, size_t len)
{
	struct consumer_sink *c = (struct consumer_sink *)s;

	return c->fn(c->arg, buf, len);
}

static const struct sink_ops consumer_ops = { consumer_write, NULL, null_destroy };

struct sink *
sink_consumer_new(int (*fn)(void *arg, const void *buf, size_t len), void *arg)
{
	struct consumer_sink *c = xcalloc(1, sizeof(*c));

	c->base.ops = &consumer_ops;
	c->fn = fn;
	c->arg = arg;
	return &c->base;
}


int
sink_bad_input(const char *label, char *err, size_t errlen, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (label != NULL)
		log_error("%s: %s", label, msg);
	else if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
	return -1;
}
