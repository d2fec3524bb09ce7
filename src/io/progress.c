#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/format.h"
#include "base/log.h"
#include "io/progress.h"
#include "io/sink.h"
#include "base/xalloc.h"

#define BAR_WIDTH 24
#define REDRAW_NS 200000000L

/*
 * done is atomic and drawing takes a lock: a parallel dump's workers count
 * their own rows on their threads while the main one waits for them, so
 * the bar moves with every connection, not only with the main one.
 */
struct progress {
	char label[12];
	uint64_t total;
	int estimated;
	_Atomic uint64_t done;
	pthread_mutex_t draw_mu;	/* guards what follows */
	struct timespec start;
	struct timespec last_draw;
	int drawn;
};

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static int forced = -1;

void
progress_force(int mode)
{
	forced = mode;
}

int
progress_wanted(void)
{
	if (log_get_level() != LOG_INFO)
		return 0;
	return forced >= 0 ? forced : isatty(STDERR_FILENO);
}

struct progress *
progress_start(const char *label, uint64_t total, int estimated)
{
	struct progress *p;

	if (!progress_wanted())
		return NULL;
	p = xcalloc(1, sizeof(*p));
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->total = total;
	p->estimated = estimated;
	atomic_init(&p->done, 0);
	pthread_mutex_init(&p->draw_mu, NULL);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	return p;
}

static void
draw(struct progress *p, uint64_t bytes, const struct timespec *now, const char *extra)
{
	char line[256], done[32], rate[32];
	double secs = elapsed(&p->start, now), bps = secs > 0.05 ? (double)bytes / secs : 0;
	size_t used;

	format_size(bytes, done, sizeof(done));
	format_size((unsigned long long)bps, rate, sizeof(rate));
	used = (size_t)snprintf(line, sizeof(line), "%-8s ", p->label);
	if (p->total > 0) {
		/* An estimate can be passed: stay at 99% until the end says otherwise. */
		double frac = (double)bytes / (double)p->total;
		int filled, i;

		if (frac > 0.99)
			frac = 0.99;
		filled = (int)(frac * BAR_WIDTH);
		line[used++] = '[';
		for (i = 0; i < BAR_WIDTH; i++)
			line[used++] = i < filled ? '#' : '-';
		line[used++] = ']';
		used += (size_t)snprintf(line + used, sizeof(line) - used, " %3d%%", (int)(frac * 100));
	}
	used += (size_t)snprintf(line + used, sizeof(line) - used, " %10s %10s/s", done, rate);
	/* The first second's rate is mostly start-up: no ETA from it. */
	if (p->total > 0 && bps > 0 && secs >= 1.0 && bytes < p->total) {
		long eta = (long)((double)(p->total - bytes) / bps);

		used += (size_t)snprintf(line + used, sizeof(line) - used, "  ETA %s%ld:%02ld",
		    p->estimated ? "~" : "", eta / 60, eta % 60);
	}
	if (extra && used < sizeof(line))
		snprintf(line + used, sizeof(line) - used, "  %s", extra);
	/* \r and clear to the end of the line: redrawn in place. */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->drawn = 1;
	p->last_draw = *now;
}

/* Redraws when due; a thread that finds another drawing leaves it to that one. */
static void
maybe_draw(struct progress *p, const char *extra)
{
	struct timespec now;

	if (pthread_mutex_trylock(&p->draw_mu) != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!p->drawn || (now.tv_sec - p->last_draw.tv_sec) * 1000000000L + (now.tv_nsec - p->last_draw.tv_nsec) >= REDRAW_NS)
		draw(p, atomic_load(&p->done), &now, extra);
	pthread_mutex_unlock(&p->draw_mu);
}

void
progress_update(struct progress *p, uint64_t done, const char *extra)
{
	if (p == NULL)
		return;
	atomic_store(&p->done, done);
	maybe_draw(p, extra);
}

void
progress_add(struct progress *p, uint64_t bytes)
{
	if (p == NULL || bytes == 0)
		return;
	atomic_fetch_add(&p->done, bytes);
	maybe_draw(p, NULL);
}

void
progress_end(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pthread_mutex_destroy(&p->draw_mu);
	free(p);
}

/*
 * The sink: counts and passes on. It adds what its counter grew by since
 * its last write, so several sinks (a dump's connections) share one bar.
 */
struct progress_sink {
	struct sink base;
	struct progress *p;
	const uint64_t *counted;	/* NULL: this sink's own bytes */
	uint64_t reported;
};

static int
progress_write(struct sink *s, const void *buf, size_t len)
{
	struct progress_sink *ps = (struct progress_sink *)s;
	uint64_t now = ps->counted ? *ps->counted : s->bytes_in;

	progress_add(ps->p, now - ps->reported);
	ps->reported = now;
	return sink_write(s->next, buf, len);
}

static void
progress_destroy(struct sink *s)
{
	free(s);
}

static const struct sink_ops progress_ops = { progress_write, NULL, progress_destroy };

struct sink *
sink_progress_new(struct sink *next, struct progress *p)
{
	struct progress_sink *ps = xcalloc(1, sizeof(*ps));

	ps->base.ops = &progress_ops;
	ps->base.next = next;
	ps->p = p;
	return &ps->base;
}

void
sink_progress_count(struct sink *s, const uint64_t *counted)
{
	((struct progress_sink *)s)->counted = counted;
}
