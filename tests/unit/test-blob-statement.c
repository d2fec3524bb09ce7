/*
 * The large-object statements verify --restore sums from the file: exactly
 * dump_blobs' forms are read (oid, offset, data), and anything else, which
 * may do something else, is not; the same object summed from its chunks in
 * any order, as read back, gives the same sum, and other data does not.
 */
#include <string.h>

#include "dump/dump-blobs.h"
#include "restore/row-sum.h"
#include "unit.h"

static int
parses(const char *text, struct blob_statement *st)
{
	return blob_statement_parse(text, strlen(text), st);
}

int
main(void)
{
	static const char *const others[] = {
		"SELECT pg_catalog.lo_create(7003);",
		"select pg_catalog.lo_create('7003');",
		"SELECT pg_catalog.lo_create('7003'); SELECT 1;",
		"SELECT pg_catalog.lo_create('07003');",
		"SELECT pg_catalog.lo_create('4294967296');",
		"SELECT pg_catalog.lo_create('9300000000000000000');",
		"SELECT pg_catalog.lo_put('7001', 9999999999999999999, '\\x4e');",
		"SELECT pg_catalog.lo_create('');",
		"SELECT pg_catalog.lo_put('7001', 0, '\\x4G');",
		"SELECT pg_catalog.lo_put('7001', 0, '\\x4');",
		"SELECT pg_catalog.lo_put('7001', 0, '\\x4E', 1);",
		"SELECT pg_catalog.lo_put('7001', -1, '\\x4e');",
		"SELECT pg_catalog.lo_put('7001',0,'\\x4e');",
		"SELECT pg_catalog.lo_put('7001', 0, '\\x4e')",
		"SELECT pg_catalog.lo_open('7002', 131072);",
		"SELECT pg_catalog.lowrite(0, '\\x4e');",
		NULL,
	};
	struct blob_statement st;
	struct row_key key;
	struct row_sum a = { 0, 0 }, b = { 0, 0 }, c = { 0, 0 };
	size_t i;

	UNIT_CHECK("create", parses("SELECT pg_catalog.lo_create('7001');", &st) && st.kind == BLOB_CREATE &&
	    st.oid == 7001);
	UNIT_CHECK("create-max-oid", parses("SELECT pg_catalog.lo_create('4294967295');", &st) &&
	    st.oid == 4294967295UL);
	UNIT_CHECK("put", parses("SELECT pg_catalog.lo_put('7001', 131072, '\\x4556494c');", &st) &&
	    st.kind == BLOB_PUT && st.oid == 7001 && st.offset == 131072 && st.hexlen == 8 &&
	    memcmp(st.hex, "4556494c", 8) == 0);
	UNIT_CHECK("put-empty", parses("SELECT pg_catalog.lo_put('7001', 0, '\\x');", &st) && st.hexlen == 0);
	/* Not one: nothing of it is left in *st, not even its kind. */
	for (i = 0; others[i] != NULL; i++)
		UNIT_CHECK(others[i], !parses(others[i], &st) && st.kind == 0 && st.hexlen == 0);

	UNIT_CHECK("key", row_key_make(&key) == 0);
	blob_sum_create(&key, &a, 7001);
	blob_sum_chunk(&key, &a, 7001, 0, "abc", 3);
	blob_sum_chunk(&key, &a, 7001, 3, "def", 3);
	blob_sum_chunk(&key, &b, 7001, 3, "def", 3);
	blob_sum_create(&key, &b, 7001);
	blob_sum_chunk(&key, &b, 7001, 0, "abc", 3);
	UNIT_CHECK("same-object-any-order", row_sum_equal(&a, &b));
	blob_sum_create(&key, &c, 7001);
	blob_sum_chunk(&key, &c, 7001, 0, "abd", 3);
	blob_sum_chunk(&key, &c, 7001, 3, "def", 3);
	UNIT_CHECK("other-data-differs", !row_sum_equal(&a, &c));
	memset(&c, 0, sizeof(c));
	blob_sum_create(&key, &c, 7002);
	blob_sum_chunk(&key, &c, 7002, 0, "abc", 3);
	blob_sum_chunk(&key, &c, 7002, 3, "def", 3);
	UNIT_CHECK("other-oid-differs", !row_sum_equal(&a, &c));
	memset(&c, 0, sizeof(c));
	blob_sum_create(&key, &c, 7001);
	blob_sum_chunk(&key, &c, 7001, 0, "abcdef", 6);
	UNIT_CHECK("other-cut-differs", !row_sum_equal(&a, &c));
	return unit_done();
}
