/*
 * diff's external sort: rows come back in the order of their key columns
 * as a server's ORDER BY format('%s', col) COLLATE "C" gives it (bytes of
 * the unescaped text, shorter first, NULLs last), whether they fit in
 * memory or were spilled into runs and merged; none is lost or doubled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/row-sort.h"
#include "unit.h"

static int
cmp_keyed(const char *a, const char *b)
{
	static const size_t key[] = { 1 };

	return row_key_cmp(a, strlen(a), b, strlen(b), key, 1);
}

/* N rows "i\tKEY\tpayload" through a sorter of LIMIT bytes; 1 when they come back sorted and whole. */
static int
sorted_and_whole(size_t n, size_t limit)
{
	static const size_t key[] = { 1 };
	struct row_sort *s = row_sort_new(key, 1, "/tmp", limit);
	char row[128], prev[128] = "";
	const char *out;
	size_t len, seen = 0, i;
	unsigned long sum = 0, want = 0;
	int ok = 1;

	srand(7);
	for (i = 0; i < n; i++) {
		int len = snprintf(row, sizeof(row), "%zu\tk%d\\t%d\tpayload", i, rand() % 5000, rand() % 3);

		want += i;
		ok &= row_sort_add(s, row, (size_t)len) == 0;
	}
	ok &= row_sort_finish(s) == 0;
	while (ok && row_sort_next(s, &out, &len) == 1) {
		snprintf(row, sizeof(row), "%.*s", (int)len, out);
		ok &= seen == 0 || cmp_keyed(prev, row) <= 0;
		sum += strtoul(row, NULL, 10);
		memcpy(prev, row, sizeof(row));
		seen++;
	}
	ok &= seen == n && sum == want && row_sort_count(s) == n;
	row_sort_free(s);
	return ok;
}

int
main(void)
{
	char *v;
	size_t len;

	UNIT_CHECK("fits in memory", sorted_and_whole(2000, 1 << 20));
	UNIT_CHECK("spilled and merged", sorted_and_whole(20000, 16 * 1024));
	UNIT_CHECK("nothing in, nothing out", sorted_and_whole(0, 1024));
	UNIT_CHECK("bytes, shorter first", cmp_keyed("1\tab\tx", "2\tabc\tx") < 0 && cmp_keyed("1\tb\tx", "2\tabc\tx") > 0);
	UNIT_CHECK("escapes compare as their bytes", cmp_keyed("1\ta\\tb\tx", "2\ta\tb") > 0 &&
	    cmp_keyed("1\ta\\\\\tx", "2\ta\\\\\tx") == 0 && cmp_keyed("1\t\\011\tx", "2\t\\t\tx") == 0);
	UNIT_CHECK("NULL last", cmp_keyed("1\t\\N\tx", "2\tzzz\tx") > 0 && cmp_keyed("1\t\\N\tx", "2\t\\N\tx") == 0);
	UNIT_CHECK("high bytes after ASCII", cmp_keyed("1\t\xc3\xa9\tx", "2\tz\tx") > 0);
	UNIT_CHECK("a short row first", cmp_keyed("1", "2\ta\tx") < 0);
	v = row_field_value("a\\tb\\\\c\\n", 9, &len);
	UNIT_CHECK("value unescaped", len == 6 && memcmp(v, "a\tb\\c\n", 6) == 0);
	free(v);
	return unit_done();
}
