#include <stdlib.h>

#include "base/xalloc.h"
#include "io/pipe.h"
#include "io/sink.h"

/* The tee: a copy of the bytes to the caller's ops, the bytes on to the next stage. */
struct tee_sink {
	struct sink base;
	const struct pipe_tee_ops *ops;
	void *arg;
	int done;		/* finished or aborted: no abort more */
};

static int
tee_write(struct sink *s, const void *buf, size_t len)
{
	struct tee_sink *t = (struct tee_sink *)s;

	if (t->ops->write(t->arg, buf, len) < 0)
		return -1;
	return s->next ? sink_write(s->next, buf, len) : 0;
}

static int
tee_finish(struct sink *s)
{
	struct tee_sink *t = (struct tee_sink *)s;

	t->done = 1;
	return t->ops->finish ? t->ops->finish(t->arg) : 0;
}

void
sink_tee_abort(struct sink *s)
{
	struct tee_sink *t = (struct tee_sink *)s;

	if (t->done)
		return;
	t->done = 1;
	if (t->ops->abort)
		t->ops->abort(t->arg);
}

static void
tee_destroy(struct sink *s)
{
	struct tee_sink *t = (struct tee_sink *)s;

	/* Freed before it finished: the pipe was given up. */
	sink_tee_abort(s);
	if (t->ops->destroy)
		t->ops->destroy(t->arg);
	free(t);
}

static const struct sink_ops tee_ops = { tee_write, tee_finish, tee_destroy };

struct sink *
sink_tee_new(struct sink *next, const struct pipe_tee_ops *ops, void *arg)
{
	struct tee_sink *t = xcalloc(1, sizeof(*t));

	t->base.ops = &tee_ops;
	t->base.next = next;
	t->ops = ops;
	t->arg = arg;
	return &t->base;
}

void *
sink_tee_arg(const struct sink *s)
{
	return ((const struct tee_sink *)s)->arg;
}
