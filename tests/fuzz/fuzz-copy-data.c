/*
 * libFuzzer target: the check on COPY rows from a server (copy_rows_check)
 * and what a dump's reader makes of the rows it accepts. The input is the
 * rows, cut into messages by a seed from its first byte, each message fed
 * on an exact-size copy so a read past it is caught. Properties:
 *  - the check refuses exactly the rows with a whole line "\." or "\.\r"
 *    (a plain reading line by line says which);
 *  - rows it accepts, ending with a newline, put into a dump between
 *    "COPY ... FROM stdin;" and "\.", with a statement after, are read by
 *    the splitter (what verify and restore read a dump with) as that COPY,
 *    the same rows byte for byte, its end, and the statement: the block
 *    does not end early and no meta-command or statement comes out of it;
 *  - the row starts copy_row_start finds for a cut are row starts, and
 *    none is skipped.
 * Any of them broken aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "dump/copy-cut.h"
#include "dump/sql-split.h"

#define COPY_LINE "COPY public.t (a, b) FROM stdin;\n"
#define AFTER "SELECT 1;\n"

struct seen {
	struct strbuf rows;	/* the COPY_DATA items, joined */
	int nitems, bad;
};

/* Items in order: the COPY, its rows, its end, the statement after; anything else is bad. */
static int
on_item(void *ctx, const struct sql_item *item)
{
	struct seen *s = ctx;

	switch (item->kind) {
	case SQL_STATEMENT:
		if (s->nitems == 0)
			s->bad |= item->len != strlen(COPY_LINE) - 1 || memcmp(item->text, COPY_LINE, item->len) != 0;
		else
			s->bad |= s->nitems != 2 || item->len != strlen(AFTER) - 1 ||
			    memcmp(item->text, AFTER, item->len) != 0;
		s->nitems++;
		break;
	case SQL_COPY_DATA:
		s->bad |= s->nitems != 1;
		strbuf_append(&s->rows, item->text, item->len);
		break;
	case SQL_COPY_END:
		s->bad |= s->nitems != 1;
		s->nitems++;
		break;
	case SQL_META:
		s->bad = 1;
		break;
	}
	return 0;
}

/* The plain reading: is some whole line of the rows "\." or "\.\r"? */
static int
has_end_line(const char *p, size_t len)
{
	size_t start = 0, i;

	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if ((i - start == 2 || (i - start == 3 && p[start + 2] == '\r')) && p[start] == '\\' &&
		    p[start + 1] == '.')
			return 1;
		start = i + 1;
	}
	return 0;
}

/* Message sizes 1..64 from a small generator seeded by the input's first byte. */
static size_t
next_size(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return 1 + (*seed >> 16) % 64;
}

static int
check_in_messages(const char *rows, size_t len, uint32_t seed)
{
	struct copy_rows check = COPY_ROWS_INIT;
	size_t pos = 0, n;
	int rc = 0;

	while (pos < len && rc == 0) {
		char *msg;

		n = next_size(&seed);
		if (n > len - pos)
			n = len - pos;
		msg = malloc(n);
		memcpy(msg, rows + pos, n);
		rc = copy_rows_check(&check, msg, n);
		free(msg);
		pos += n;
	}
	return rc < 0 ? -1 : copy_rows_whole(&check);
}

static void
read_as_dump(const char *rows, size_t len, uint32_t seed)
{
	struct seen s = { STRBUF_INIT, 0, 0 };
	struct sql_splitter *sp = sql_splitter_new(on_item, &s);
	struct strbuf dump = STRBUF_INIT;
	size_t pos = 0, n;

	strbuf_puts(&dump, COPY_LINE);
	strbuf_append(&dump, rows, len);
	strbuf_puts(&dump, "\\.\n" AFTER);
	/* Read in other chunks than the rows came in: the splitter carries lines across them. */
	while (pos < dump.len) {
		n = next_size(&seed) * 3;
		if (n > dump.len - pos)
			n = dump.len - pos;
		if (sql_splitter_feed(sp, dump.buf + pos, n) < 0)
			abort();
		pos += n;
	}
	if (sql_splitter_finish(sp) < 0 || s.bad || s.nitems != 3 || s.rows.len != len ||
	    (len > 0 && memcmp(s.rows.buf, rows, len) != 0))
		abort();
	sql_splitter_free(sp);
	strbuf_free(&dump);
	strbuf_free(&s.rows);
}

/* Every cut finds the first row start at or after it, as the plain reading does. */
static void
check_cuts(const char *rows, size_t len, uint32_t seed)
{
	int i;

	for (i = 0; i < 4 && len > 0; i++) {
		uint64_t at = next_size(&seed) * (uint64_t)(i + 1) % len, want = at, got;

		while (want < len && want > 0 && rows[want - 1] != '\n')
			want++;
		got = copy_row_start(rows, len, 0, 1, at);
		/* The end of the text is a row start when it ends a line (the chunk's last byte a newline). */
		if (got != (want < len || rows[len - 1] == '\n' ? want : UINT64_MAX))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rows = (const char *)data + 1;
	size_t len = size > 0 ? size - 1 : 0;
	uint32_t seed = size > 0 ? data[0] : 0;
	int whole;

	if (size == 0)
		return 0;
	whole = check_in_messages(rows, len, seed);
	if ((whole < 0) != has_end_line(rows, len))
		abort();
	/* NUL bytes: a server's text COPY has none, and the splitter refuses them in SQL only. */
	if (whole == 1)
		read_as_dump(rows, len, seed);
	check_cuts(rows, len, seed);
	return 0;
}
