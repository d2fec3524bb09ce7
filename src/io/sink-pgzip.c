#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <unistd.h>

#include "io/gzip-member.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "io/sink.h"
#include "base/xalloc.h"

/*
 * gzip on several cores: the input is cut into blocks, each compressed by a
 * worker thread as a gzip member of its own, and the members are passed on
 * in order by the writing thread. Concatenated members are one valid gzip
 * file (RFC 1952; gunzip, zlib and libarchive read them). Only the calling
 * thread ever writes to `next`, so the rest of the chain needs no locks.
 * Memory is bounded: 2 * jobs + 1 blocks in flight.
 *
 * Blocks are compressed whole with libdeflate: two to three times the speed
 * of zlib at the same level, and smaller output (level 6 here is about
 * gzip -9 in size). Even one job runs in its own thread, so compression
 * overlaps with reading the COPY stream. Each member's header says its
 * length and its SQL's (gzip-member.h), for readers that step over members.
 */
#define PGZIP_BLOCK (1024 * 1024)

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_WORKING, SLOT_DONE };

struct slot {
	enum slot_state state;
	unsigned char *in;
	size_t in_len;
	unsigned char *out;
	size_t out_len;
	int failed;
};

struct pgzip_sink {
	struct sink base;
	int level;
	int nthreads;
	pthread_t *threads;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a block is ready, or stop */
	pthread_cond_t done;	/* a block is compressed */
	struct slot *slots;
	size_t nslots;
	size_t head;		/* next block to pass on */
	size_t fill;		/* block being filled */
	size_t queued;		/* blocks handed to workers and not yet passed on */
	uint64_t passed_on;	/* compressed bytes written to next */
	int stop;
};

static void pgzip_destroy(struct sink *sk);
static int pgzip_write(struct sink *sk, const void *data, size_t len);
static int pgzip_finish(struct sink *sk);
static const struct sink_ops pgzip_ops = { pgzip_write, pgzip_finish, pgzip_destroy };

static int
compress_block(struct libdeflate_compressor *c, struct slot *s)
{
	size_t bound = gzip_member_bound(c, s->in_len);

	s->out = xrealloc(s->out, bound);
	s->out_len = gzip_member_compress(c, s->in, s->in_len, s->out, bound);
	return s->out_len == 0 ? -1 : 0;
}

static void *
worker(void *arg)
{
	struct pgzip_sink *p = arg;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(p->level);

	interrupt_block_in_thread();	/* signals go to the writing thread, which checks for them */
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *s = NULL;
		size_t i;

		/* Oldest ready block first, so the writer waits as little as possible. */
		for (i = 0; i < p->nslots && s == NULL; i++) {
			struct slot *c = &p->slots[(p->head + i) % p->nslots];

			if (c->state == SLOT_READY)
				s = c;
		}
		if (s == NULL) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		s->state = SLOT_WORKING;
		pthread_mutex_unlock(&p->mu);
		s->failed = c == NULL || compress_block(c, s) < 0;
		pthread_mutex_lock(&p->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	libdeflate_free_compressor(c);
	return NULL;
}

/* Passes on the oldest block once it is compressed. */
static int
pass_on_oldest(struct pgzip_sink *p)
{
	struct slot *s = &p->slots[p->head];
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	while (s->state != SLOT_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	if (s->failed) {
		log_error("gzip compression failed");
		rc = -1;
	} else {
		rc = sink_write(p->base.next, s->out, s->out_len);
		p->passed_on += s->out_len;
	}
	pthread_mutex_lock(&p->mu);
	s->state = SLOT_FREE;
	s->in_len = 0;
	p->head = (p->head + 1) % p->nslots;
	pthread_mutex_unlock(&p->mu);
	p->queued--;
	return rc;
}

static int
submit(struct pgzip_sink *p)
{
	struct slot *s = &p->slots[p->fill];

	pthread_mutex_lock(&p->mu);
	s->state = SLOT_READY;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	p->queued++;
	p->fill = (p->fill + 1) % p->nslots;
	/* The next block to fill must be free: pass on until it is. */
	while (p->queued == p->nslots)
		if (pass_on_oldest(p) < 0)
			return -1;
	return 0;
}

static int
pgzip_write(struct sink *sk, const void *data, size_t len)
{
	struct pgzip_sink *p = (struct pgzip_sink *)sk;
	const unsigned char *d = data;

	while (len > 0) {
		struct slot *s = &p->slots[p->fill];
		size_t n = PGZIP_BLOCK - s->in_len < len ? PGZIP_BLOCK - s->in_len : len;

		memcpy(s->in + s->in_len, d, n);
		s->in_len += n;
		d += n;
		len -= n;
		if (s->in_len == PGZIP_BLOCK && submit(p) < 0)
			return -1;
	}
	return 0;
}

/* Ends the member being filled (or makes an empty one) and passes everything on. */
static int
end_member(struct pgzip_sink *p, int even_empty)
{
	if ((p->slots[p->fill].in_len > 0 || even_empty) && submit(p) < 0)
		return -1;
	while (p->queued > 0)
		if (pass_on_oldest(p) < 0)
			return -1;
	return 0;
}

static int
pgzip_finish(struct sink *sk)
{
	/* An empty input still makes one (empty) member: a valid gzip file. */
	return end_member((struct pgzip_sink *)sk, sk->bytes_in == 0);
}

int
sink_is_pgzip(const struct sink *sk)
{
	return sk->ops == &pgzip_ops;
}

int
sink_pgzip_flush(struct sink *sk, uint64_t *pos)
{
	struct pgzip_sink *p = (struct pgzip_sink *)sk;

	if (end_member(p, 0) < 0)
		return -1;
	*pos = p->passed_on;
	return 0;
}

int
sink_pgzip_append_members(struct sink *sk, int fd, uint64_t len, uint64_t sql_bytes)
{
	unsigned char *buf = NULL;
	uint64_t off = 0, pos;
	int rc = -1;

	if (sink_pgzip_flush(sk, &pos) < 0)
		return -1;
	buf = xmalloc(PGZIP_BLOCK);
	while (off < len) {
		size_t want = len - off < PGZIP_BLOCK ? (size_t)(len - off) : PGZIP_BLOCK;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("cannot read back a temporary file: %s", n < 0 ? strerror(errno) : "it is shorter than written");
			goto out;
		}
		if (sink_write(sk->next, buf, (size_t)n) < 0)
			goto out;
		off += (uint64_t)n;
	}
	((struct pgzip_sink *)sk)->passed_on += len;
	sk->bytes_in += sql_bytes;
	rc = 0;
out:
	free(buf);
	return rc;
}

static void
pgzip_destroy(struct sink *sk)
{
	struct pgzip_sink *p = (struct pgzip_sink *)sk;
	size_t i;
	int t;

	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	/* Unfinished work is dropped: a chain freed unfinished is discarded anyway. */
	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].state == SLOT_READY)
			p->slots[i].state = SLOT_FREE;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (t = 0; t < p->nthreads; t++)
		pthread_join(p->threads[t], NULL);
	for (i = 0; i < p->nslots; i++) {
		free(p->slots[i].in);
		free(p->slots[i].out);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->slots);
	free(p->threads);
	free(p);
}

struct sink *
sink_pgzip_new(struct sink *next, int level, int jobs)
{
	struct pgzip_sink *p;
	size_t i;

	if (jobs < 1)
		jobs = 1;
	p = xcalloc(1, sizeof(*p));
	p->base.ops = &pgzip_ops;
	p->base.next = next;
	p->level = level;
	p->nslots = (size_t)jobs * 2 + 1;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (i = 0; i < p->nslots; i++)
		p->slots[i].in = xmalloc(PGZIP_BLOCK);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->threads = xcalloc((size_t)jobs, sizeof(*p->threads));
	for (p->nthreads = 0; p->nthreads < jobs; p->nthreads++) {
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0) {
			log_error("cannot start compression thread %d", p->nthreads + 1);
			pgzip_destroy(&p->base);
			return NULL;
		}
	}
	return &p->base;
}
