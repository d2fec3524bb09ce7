/*
 * The order-free fingerprint verify --restore compares a table with: the
 * same rows in any order and in any cut into whole lines give the same sum;
 * a changed, dropped or doubled row does not, nor one forged to keep its
 * length and CRC-32, nor the same rows under another run's key.
 */
#include <string.h>

#include <libdeflate.h>

#include "restore/row-sum.h"
#include "unit.h"

static struct row_key key;

static struct row_sum
sum_of(const char *text)
{
	struct row_sum s = { 0, 0 };

	row_sum_add(&key, &s, text, strlen(text));
	return s;
}

/* One call per line, as rows come back from COPY ... TO STDOUT. */
static struct row_sum
sum_by_line(const char *text)
{
	struct row_sum s = { 0, 0 };
	const char *p = text, *nl;

	while ((nl = strchr(p, '\n')) != NULL) {
		row_sum_add(&key, &s, p, (size_t)(nl - p) + 1);
		p = nl + 1;
	}
	return s;
}

static int
same(const char *a, const char *b)
{
	struct row_sum x = sum_of(a), y = sum_of(b);

	return row_sum_equal(&x, &y);
}

int
main(void)
{
	const char *rows = "1\talpha\n2\tbeta\\n\tgamma\n3\t\\N\n";
	/* The same length and CRC-32 (solved over GF(2): CRC-32 is affine in the bits). */
	const char *orig = "1\tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	const char *forged = "1\tZABABBAAAABBAAAABBAABBBABBAAABAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	struct row_sum s, whole, parts = { 0, 0 }, other, empty = { 0, 0 };
	struct row_key first;
	char hex[33];
	size_t i;

	UNIT_CHECK("key", row_key_make(&key) == 0);
	UNIT_CHECK("same-rows-other-order", same(rows, "3\t\\N\n1\talpha\n2\tbeta\\n\tgamma\n"));
	s = sum_by_line(rows);
	whole = sum_of(rows);
	UNIT_CHECK("any-cut-into-lines", row_sum_equal(&whole, &s));
	/* A table loaded or read back in parts: the parts' sums add up to the whole's. */
	s = sum_of("1\talpha\n");
	row_sum_merge(&parts, &s);
	s = sum_of("2\tbeta\\n\tgamma\n3\t\\N\n");
	row_sum_merge(&parts, &s);
	UNIT_CHECK("parts-merge-to-whole", row_sum_equal(&whole, &parts));
	first = key;
	UNIT_CHECK("key", row_key_make(&key) == 0);
	other = sum_of(rows);
	UNIT_CHECK("another-runs-key-another-sum", !row_sum_equal(&whole, &other));
	key = first;
	UNIT_CHECK("changed-row", !same(rows, "1\talphb\n2\tbeta\\n\tgamma\n3\t\\N\n"));
	UNIT_CHECK("dropped-row", !same(rows, "1\talpha\n3\t\\N\n"));
	UNIT_CHECK("doubled-row", !same(rows, "1\talpha\n1\talpha\n2\tbeta\\n\tgamma\n3\t\\N\n"));
	UNIT_CHECK("swapped-fields", !same("1\ta\n2\tb\n", "1\tb\n2\ta\n"));
	UNIT_CHECK("row-boundary-moved", !same("ab\nc\n", "a\nbc\n"));
	UNIT_CHECK("forged-pair-has-same-crc32", strlen(orig) == strlen(forged) &&
	    libdeflate_crc32(0, orig, strlen(orig)) == libdeflate_crc32(0, forged, strlen(forged)));
	UNIT_CHECK("same-length-same-crc32-row", !same(orig, forged));
	s = sum_of("");
	UNIT_CHECK("empty-is-zero", row_sum_equal(&s, &empty));
	s = sum_of("x");
	UNIT_CHECK("last-line-without-newline-counts", !row_sum_equal(&s, &empty));
	/* One row's sum is its SipHash-2-4-128 (the reference vector of key 00..0f, message 00). */
	for (i = 0; i < sizeof(key.k); i++)
		key.k[i] = (unsigned char)i;
	memset(&s, 0, sizeof(s));
	row_sum_add(&key, &s, "", 1);
	row_sum_hex(&s, hex);
	UNIT_CHECK("siphash-2-4-128-vector", strcmp(hex, "da87c1d86b99af44347659119b22fc45") == 0);
	return unit_done();
}
