#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "diff/row-sort.h"
#include "io/pipe.h"

#define RUN_BLOCK (64 * 1024)

/* One sorted run spilled to a nameless file, read back a block at a time. */
struct run {
	struct pipe *pipe;
	int fd;
	uint64_t size, pos;	/* the file's size; where the next block is read */
	char *buf;
	size_t blen, bpos;
	char *line;		/* the current row (may span blocks) */
	size_t llen, cap;
	int have;		/* line holds a row not yet taken */
};

struct row_sort {
	const size_t *keys;
	size_t nkeys;
	char *spill_dir;
	size_t mem_limit;
	char *mem;		/* rows in memory, each a size_t length then its bytes */
	size_t used, cap;
	size_t *index;		/* offsets into mem, sorted on flush */
	size_t nindex, index_cap;
	struct run *runs;
	size_t nruns;
	size_t count, next;	/* rows added; in-memory rows handed out */
	int merging;
	struct run *last;	/* the run whose row was handed out last */
};

int
row_field(const char *row, size_t len, size_t i, const char **f, size_t *flen)
{
	const char *p = row, *end = row + len, *tab;

	for (; i > 0; i--) {
		if ((tab = memchr(p, '\t', (size_t)(end - p))) == NULL)
			return -1;
		p = tab + 1;
	}
	tab = memchr(p, '\t', (size_t)(end - p));
	*f = p;
	*flen = (size_t)((tab ? tab : end) - p);
	return 0;
}

int
row_field_null(const char *f, size_t flen)
{
	return flen == 2 && f[0] == '\\' && f[1] == 'N';
}

/* The next byte of a COPY text field as the server meant it; -1 at its end. */
static int
next_byte(const char **p, const char *end)
{
	const char *s = *p;
	int c;

	if (s >= end)
		return -1;
	if (*s != '\\' || s + 1 >= end) {
		*p = s + 1;
		return (unsigned char)*s;
	}
	s++;
	switch (*s) {
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'v': c = '\v'; break;
	default:
		if (*s >= '0' && *s <= '7') {
			int n;

			for (c = 0, n = 0; n < 3 && s < end && *s >= '0' && *s <= '7'; n++, s++)
				c = c * 8 + (*s - '0');
			*p = s;
			return c & 0xff;
		}
		c = (unsigned char)*s;	/* \\ and any other escaped byte */
	}
	*p = s + 1;
	return c;
}

char *
row_field_value(const char *f, size_t flen, size_t *outlen)
{
	char *out = xmalloc(flen + 1);
	const char *p = f;
	size_t n = 0;
	int c;

	while ((c = next_byte(&p, f + flen)) >= 0)
		out[n++] = (char)c;
	out[n] = '\0';
	*outlen = n;
	return out;
}

static int
field_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *pa = a, *pb = b;
	int na = row_field_null(a, alen), nb = row_field_null(b, blen), ca, cb;

	if (na || nb)
		return na - nb;	/* NULLs last, as ORDER BY col IS NULL puts them */
	for (;;) {
		ca = next_byte(&pa, a + alen);
		cb = next_byte(&pb, b + blen);
		if (ca != cb || ca < 0)
			return ca - cb;
	}
}

int
row_key_cmp(const char *a, size_t alen, const char *b, size_t blen, const size_t *keys, size_t nkeys)
{
	const char *fa, *fb;
	size_t la, lb, i;
	int c;

	for (i = 0; i < nkeys; i++) {
		/* A row short of a key column sorts first: it is reported, never matched. */
		int ma = row_field(a, alen, keys[i], &fa, &la), mb = row_field(b, blen, keys[i], &fb, &lb);

		if (ma || mb)
			return ma - mb;
		if ((c = field_cmp(fa, la, fb, lb)) != 0)
			return c;
	}
	return 0;
}

struct row_sort *
row_sort_new(const size_t *keys, size_t nkeys, const char *spill_dir, size_t mem_limit)
{
	struct row_sort *s = xcalloc(1, sizeof(*s));

	s->keys = keys;
	s->nkeys = nkeys;
	s->spill_dir = xstrdup(spill_dir);
	s->mem_limit = mem_limit;
	return s;
}

static size_t
rec_len(const struct row_sort *s, size_t off)
{
	size_t len;

	memcpy(&len, s->mem + off, sizeof(len));
	return len;
}

static int
rec_cmp(const void *a, const void *b, void *arg)
{
	const struct row_sort *s = arg;
	size_t oa = *(const size_t *)a, ob = *(const size_t *)b;

	return row_key_cmp(s->mem + oa + sizeof(size_t), rec_len(s, oa), s->mem + ob + sizeof(size_t), rec_len(s, ob),
	    s->keys, s->nkeys);
}

/* The rows in memory, sorted, to a new run; memory is then empty again. */
static int
spill(struct row_sort *s)
{
	struct run r;
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	qsort_r(s->index, s->nindex, sizeof(*s->index), rec_cmp, s);
	r.pipe = pipe_new();
	pipe_to_spill(r.pipe, s->spill_dir);
	for (i = 0; i < s->nindex; i++) {
		size_t off = s->index[i];

		if (pipe_write(r.pipe, s->mem + off + sizeof(size_t), rec_len(s, off)) < 0 ||
		    pipe_write(r.pipe, "\n", 1) < 0)
			goto out;
	}
	if (pipe_finish(r.pipe) < 0)
		goto out;
	r.fd = pipe_spill_fd(r.pipe);
	r.size = pipe_bytes(r.pipe, PIPE_OUT);
	r.buf = xmalloc(RUN_BLOCK);
	s->runs = xrealloc(s->runs, (s->nruns + 1) * sizeof(*s->runs));
	s->runs[s->nruns++] = r;
	r.pipe = NULL;
	s->used = s->nindex = 0;
	rc = 0;
out:
	pipe_free(r.pipe);
	return rc;
}

int
row_sort_add(struct row_sort *s, const char *row, size_t len)
{
	size_t need = sizeof(size_t) + len;

	if (s->used > 0 && s->used + need > s->mem_limit && spill(s) < 0)
		return -1;
	if (s->used + need > s->cap) {
		s->cap = s->cap ? s->cap : 64 * 1024;
		while (s->cap < s->used + need)
			s->cap *= 2;
		s->mem = xrealloc(s->mem, s->cap);
	}
	if (s->nindex == s->index_cap) {
		s->index_cap = s->index_cap ? s->index_cap * 2 : 1024;
		s->index = xrealloc(s->index, s->index_cap * sizeof(*s->index));
	}
	s->index[s->nindex++] = s->used;
	memcpy(s->mem + s->used, &len, sizeof(len));
	memcpy(s->mem + s->used + sizeof(size_t), row, len);
	s->used += need;
	s->count++;
	return 0;
}

/* The run's next row into r->line: 1, 0 at its end, -1 (reported). */
static int
run_advance(struct run *r)
{
	r->llen = 0;
	for (;;) {
		char *nl;
		size_t take;

		if (r->bpos == r->blen) {
			ssize_t n;
			size_t want = r->size - r->pos < RUN_BLOCK ? (size_t)(r->size - r->pos) : RUN_BLOCK;

			if (want == 0)
				return r->have = 0;
			if ((n = pread(r->fd, r->buf, want, (off_t)r->pos)) <= 0) {
				log_errno("cannot read back the rows spilled to a temporary file");
				return -1;
			}
			r->pos += (uint64_t)n;
			r->blen = (size_t)n;
			r->bpos = 0;
		}
		nl = memchr(r->buf + r->bpos, '\n', r->blen - r->bpos);
		take = (size_t)((nl ? nl : r->buf + r->blen) - (r->buf + r->bpos));
		if (r->llen + take > r->cap) {
			r->cap = (r->llen + take) * 2;
			r->line = xrealloc(r->line, r->cap);
		}
		memcpy(r->line + r->llen, r->buf + r->bpos, take);
		r->llen += take;
		r->bpos += take + (nl != NULL);
		if (nl != NULL)
			return r->have = 1;
	}
}

int
row_sort_finish(struct row_sort *s)
{
	size_t i;

	if (s->nruns == 0) {
		qsort_r(s->index, s->nindex, sizeof(*s->index), rec_cmp, s);
		return 0;
	}
	/* Some rows are on disk already: all go, and the runs are merged. */
	if (s->nindex > 0 && spill(s) < 0)
		return -1;
	free(s->mem);
	s->mem = NULL;
	s->cap = 0;
	s->merging = 1;
	for (i = 0; i < s->nruns; i++)
		if (run_advance(&s->runs[i]) < 0)
			return -1;
	return 0;
}

int
row_sort_next(struct row_sort *s, const char **row, size_t *len)
{
	struct run *best = NULL;
	size_t i;

	if (!s->merging) {
		if (s->next == s->nindex)
			return 0;
		*len = rec_len(s, s->index[s->next]);
		*row = s->mem + s->index[s->next++] + sizeof(size_t);
		return 1;
	}
	/* The row handed out last is replaced only now: the caller held it till this call. */
	if (s->last != NULL && run_advance(s->last) < 0)
		return -1;
	s->last = NULL;
	for (i = 0; i < s->nruns; i++) {
		struct run *r = &s->runs[i];

		if (r->have && (best == NULL || row_key_cmp(r->line, r->llen, best->line, best->llen, s->keys,
		    s->nkeys) < 0))
			best = r;
	}
	if (best == NULL)
		return 0;
	*row = best->line;
	*len = best->llen;
	s->last = best;
	return 1;
}

size_t
row_sort_count(const struct row_sort *s)
{
	return s->count;
}

void
row_sort_free(struct row_sort *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nruns; i++) {
		pipe_free(s->runs[i].pipe);
		free(s->runs[i].buf);
		free(s->runs[i].line);
	}
	free(s->runs);
	free(s->mem);
	free(s->index);
	free(s->spill_dir);
	free(s);
}
