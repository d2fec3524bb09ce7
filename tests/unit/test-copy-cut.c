/*
 * Where a table loaded in parts is cut: the first row start at or after an
 * offset, in chunks cut anywhere (a later part read from a member) or at
 * line ends (the splitter). Every cut of random text into random chunks
 * gives each row to exactly one part.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/copy-cut.h"
#include "unit.h"

/* The reference: the first row start >= at in the whole text (len when none). */
static uint64_t
ref_row_start(const char *text, size_t len, uint64_t at)
{
	uint64_t r;

	for (r = at; r < len; r++)
		if (r == 0 || text[r - 1] == '\n')
			return r;
	return len;
}

/* The same found chunk by chunk, as restore does it, over random chunk sizes. */
static uint64_t
chunked_row_start(const char *text, size_t len, uint64_t at, unsigned *seed)
{
	uint64_t pos = 0, r;
	int prev_nl = 1;

	while (pos < len) {
		size_t n = 1 + (size_t)(rand_r(seed) % 7);

		if (n > len - pos)
			n = len - (size_t)pos;
		r = copy_row_start(text + pos, n, pos, prev_nl, at);
		if (r != UINT64_MAX)
			return r;
		prev_nl = text[pos + n - 1] == '\n';
		pos += n;
	}
	return len;
}

/* copy_rows_check over messages of `size` bytes: -1 refused, else copy_rows_whole. */
static int
rows_ok(const char *rows, size_t size)
{
	struct copy_rows r = COPY_ROWS_INIT;
	size_t len = strlen(rows), pos, n;

	for (pos = 0; pos < len; pos += n) {
		n = len - pos < size ? len - pos : size;
		if (copy_rows_check(&r, rows + pos, n) < 0)
			return -1;
	}
	return copy_rows_whole(&r);
}

int
main(void)
{
	const char *t = "ab\ncd\n\nef\n";
	char text[200];
	unsigned seed = 7;
	int i, j, bad = 0;

	UNIT_CHECK("at-a-row-start", copy_row_start(t, 10, 0, 1, 3) == 3);
	UNIT_CHECK("inside-a-row", copy_row_start(t, 10, 0, 1, 4) == 6);
	UNIT_CHECK("empty-row", copy_row_start(t, 10, 0, 1, 6) == 6 && copy_row_start(t, 10, 0, 1, 7) == 7);
	UNIT_CHECK("at-chunk-start-after-newline", copy_row_start(t + 3, 7, 3, 1, 2) == 3);
	UNIT_CHECK("at-chunk-start-mid-row", copy_row_start(t + 4, 6, 4, 0, 1) == 6);
	UNIT_CHECK("at-chunk-end", copy_row_start(t, 3, 0, 1, 3) == 3 && copy_row_start(t, 2, 0, 1, 2) == UINT64_MAX);
	UNIT_CHECK("beyond-chunk", copy_row_start(t, 3, 0, 1, 5) == UINT64_MAX);
	UNIT_CHECK("no-newline-in-chunk", copy_row_start("abcdef", 6, 10, 0, 12) == UINT64_MAX);
	UNIT_CHECK("past-the-end", copy_row_start(t, 10, 0, 1, UINT64_MAX) == UINT64_MAX);
	for (i = 0; i < 2000 && !bad; i++) {
		size_t len = 1 + (size_t)(rand_r(&seed) % (sizeof(text) - 1));

		for (j = 0; j < (int)len; j++)
			text[j] = rand_r(&seed) % 4 == 0 ? '\n' : 'x';
		text[len - 1] = '\n';
		for (j = 0; j <= (int)len && !bad; j++)
			bad = chunked_row_start(text, len, (uint64_t)j, &seed) != ref_row_start(text, len, (uint64_t)j);
	}
	UNIT_CHECK("random-chunks-match-the-whole-text", !bad);
	UNIT_CHECK("rows-plain", rows_ok("1\tx\n\\\\.\n\\.x\n\\N\n", 1) == 1);
	UNIT_CHECK("rows-end-marker", rows_ok("1\tx\n\\.\n\\! id\n", 1) == -1);
	UNIT_CHECK("rows-end-marker-cr", rows_ok("\\.\r\n", 1) == -1);
	UNIT_CHECK("rows-end-marker-across-messages", rows_ok("1\tx\n\\.\n", 1) == -1 &&
	    rows_ok("1\tx\n\\.\r\n", 3) == -1);
	UNIT_CHECK("rows-without-last-newline", rows_ok("1\tx\n2", 2) == 0 && rows_ok("", 1) == 1);
	return unit_done();
}
