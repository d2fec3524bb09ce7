#include <string.h>

#include "dump/copy-cut.h"

uint64_t
copy_row_start(const char *buf, size_t len, uint64_t pos, int prev_nl, uint64_t at)
{
	const char *nl;
	size_t i = 0;

	if (at <= pos) {
		if (prev_nl)
			return pos;
	} else if (at - pos > len) {
		return UINT64_MAX;
	} else {
		i = (size_t)(at - pos - 1);	/* the byte before `at` */
	}
	nl = len > i ? memchr(buf + i, '\n', len - i) : NULL;
	return nl == NULL ? UINT64_MAX : pos + (uint64_t)(nl - buf) + 1;
}

static enum copy_line
line_step(enum copy_line at, char c)
{
	if (at == COPY_LINE_START && c == '\\')
		return COPY_LINE_BS;
	if (at == COPY_LINE_BS && c == '.')
		return COPY_LINE_BS_DOT;
	if (at == COPY_LINE_BS_DOT && c == '\r')
		return COPY_LINE_BS_DOT_CR;
	return COPY_LINE_OTHER;
}

/* Lines are looked at from their start only: one memchr per line, a row being one line. */
int
copy_rows_check(struct copy_rows *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		for (; r->at != COPY_LINE_OTHER && p < (nl ? nl : end); p++)
			r->at = line_step(r->at, *p);
		if (nl == NULL)
			break;
		if (r->at == COPY_LINE_BS_DOT || r->at == COPY_LINE_BS_DOT_CR)
			return -1;
		r->at = COPY_LINE_START;
		p = nl + 1;
	}
	return 0;
}

int
copy_rows_whole(const struct copy_rows *r)
{
	return r->at == COPY_LINE_START;
}
