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

struct progress {
	char label[12];
	uint64_t total;
	int estimated;
	uint64_t done;
	struct timespec start;
	struct timespec last_draw;
	int drawn;
};

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int
progress_wanted(void)
{
	return isatty(STDERR_FILENO) && log_get_level() == LOG_INFO;
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
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	return p;
}

static void
draw(struct progress *p, const struct timespec *now, const char *extra)
{
	char line[256], done[32], rate[32];
	double secs = elapsed(&p->start, now), bps = secs > 0.05 ? (double)p->done / secs : 0;
	size_t used;

	format_size(p->done, done, sizeof(done));
	format_size((unsigned long long)bps, rate, sizeof(rate));
	used = (size_t)snprintf(line, sizeof(line), "%-8s ", p->label);
	if (p->total > 0) {
		/* An estimate can be passed: stay at 99% until the end says otherwise. */
		double frac = (double)p->done / (double)p->total;
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
	if (p->total > 0 && bps > 0 && secs >= 1.0 && p->done < p->total) {
		long eta = (long)((double)(p->total - p->done) / bps);

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

void
progress_update(struct progress *p, uint64_t done, const char *extra)
{
	struct timespec now;

	if (p == NULL)
		return;
	p->done = done;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (p->drawn && (now.tv_sec - p->last_draw.tv_sec) * 1000000000L + (now.tv_nsec - p->last_draw.tv_nsec) < REDRAW_NS)
		return;
	draw(p, &now, extra);
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
	free(p);
}

/* The sink: counts and passes on. */
struct progress_sink {
	struct sink base;
	struct progress *p;
	const struct sink *counted;	/* NULL: this sink's own bytes */
};

static int
progress_write(struct sink *s, const void *buf, size_t len)
{
	struct progress_sink *ps = (struct progress_sink *)s;

	progress_update(ps->p, ps->counted ? ps->counted->bytes_in : s->bytes_in, NULL);
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
sink_progress_count(struct sink *s, const struct sink *counted)
{
	((struct progress_sink *)s)->counted = counted;
}
