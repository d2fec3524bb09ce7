/*
 * libFuzzer target: the allow-list of dump statements (sql_refused), on the
 * statements the splitter cuts from the input and on the input as one
 * statement. Every statement it allows is checked against a second, plain
 * reading: its first word (after blanks and comments) is one a dump
 * starts a statement with, the object of CREATE/ALTER is not a database,
 * role, tablespace or the system, and a meta-command is \restrict or
 * \unrestrict. A statement allowed and then something else aborts. What a
 * verify load treats apart (sql_reprints, sql_table_from_query) must be an
 * ALTER or a CREATE by that reading too, and so must a statement that keeps
 * its scratch tables logged (sql_depends_on_persistence), which every
 * table made from a query is. A BEGIN or COMMIT allowed must be
 * classified a transaction statement (restore --single-transaction leaves
 * those out), and one classified so must start with a word that begins
 * or ends a transaction by that reading. A statement read as a large
 * object's (blob_statement_parse) must print back, as dump_blobs writes
 * it, to exactly its own text. A statement read as a globals file's
 * (sql_global_read) must be that kind by the plain reading of its first
 * two words, with the names its kind has.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdio.h>

#include "dump/dump-blobs.h"
#include "dump/sql-classify.h"
#include "dump/sql-split.h"

/* Past blanks and comments, the plain way: "--" to the line's end, nested slash-star comments. */
static const char *
skip(const char *p, const char *end)
{
	int depth;

	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n' && *p != '\r')
				p++;
			continue;
		}
		if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			for (p += 2, depth = 1; p < end && depth > 0; p++) {
				if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
					depth++;
					p++;
				} else if (end - p >= 2 && p[0] == '*' && p[1] == '/') {
					depth--;
					p++;
				}
			}
			continue;
		}
		return p;
	}
}

/* The next bare word, lower-cased into w (truncated); *pp moves past it. */
static void
word(const char **pp, const char *end, char *w, size_t size)
{
	const char *p = skip(*pp, end);
	size_t n = 0;

	while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$')) {
		if (n + 1 < size)
			w[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	w[n] = '\0';
	*pp = p;
}

static int
one_of(const char *w, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(w, *set) == 0)
			return 1;
	return 0;
}

static void
check_allowed(const char *text, size_t len)
{
	static const char *const first[] = { "set", "select", "create", "alter", "comment", "security", "grant",
		"revoke", "copy", "insert", "refresh", "begin", "commit", NULL };
	static const char *const shared[] = { "database", "role", "group", "tablespace", "system", NULL };
	static const char *const modifiers[] = { "or", "replace", "unique", "unlogged", "trusted", "procedural",
		"constraint", NULL };
	const char *p = text, *end = text + len;
	char w[32], obj[32];

	if (len > 0 && text[0] == '\\') {
		if (!(len > 10 && memcmp(text, "\\restrict ", 10) == 0) &&
		    !(len > 12 && memcmp(text, "\\unrestrict ", 12) == 0))
			abort();
		return;
	}
	word(&p, end, w, sizeof(w));
	if (!one_of(w, first))
		abort();
	if (strcmp(w, "create") != 0 && strcmp(w, "alter") != 0)
		return;
	do
		word(&p, end, obj, sizeof(obj));
	while (one_of(obj, modifiers));
	if (one_of(obj, shared))
		abort();
	if (strcmp(obj, "user") == 0) {
		word(&p, end, obj, sizeof(obj));
		if (strcmp(obj, "mapping") != 0)
			abort();
	}
}

/*
 * What a verify load treats apart, by the plain reading too: a statement
 * that reprints rows is an ALTER, a table made from a query a CREATE.
 */
static void
check_verify_kinds(const char *text, size_t len)
{
	const char *p = text;
	char w[16];

	word(&p, text + len, w, sizeof(w));
	if (sql_reprints(text, len) != NULL && strcmp(w, "alter") != 0)
		abort();
	if (sql_table_from_query(text, len) && strcmp(w, "create") != 0)
		abort();
	/* A table made from a query is a table made: the scratch tables stay as the dump makes them. */
	if (sql_table_from_query(text, len) && !sql_depends_on_persistence(text, len))
		abort();
	if (sql_depends_on_persistence(text, len) && strcmp(w, "create") != 0 && strcmp(w, "alter") != 0)
		abort();
}

/* BEGIN and COMMIT as the allow-list takes them, and what the classifier takes for a transaction's. */
static void
check_transaction(const char *text, size_t len, int allowed)
{
	static const char *const ends[] = { "begin", "start", "commit", "end", "rollback", "abort", "savepoint",
		"release", "prepare", NULL };
	const char *p = text;
	char w[16];
	int txn = sql_classify(text, len) == SQL_STMT_TRANSACTION;

	word(&p, text + len, w, sizeof(w));
	if (allowed && (strcmp(w, "begin") == 0 || strcmp(w, "commit") == 0) && !txn)
		abort();
	if (txn && !one_of(w, ends))
		abort();
}

/* A large object's statement, printed back from what was read of it: the same text. */
static void
check_blob(const char *text, size_t len)
{
	struct blob_statement st;
	char *back;
	int n;

	if (!blob_statement_parse(text, len, &st))
		return;
	if (st.kind == BLOB_PUT && (st.hex < text || st.hex + st.hexlen > text + len))
		abort();
	back = malloc(len + 64);
	n = st.kind == BLOB_CREATE ? snprintf(back, len + 64, BLOB_CREATE_PREFIX "%lu');", st.oid) :
	    snprintf(back, len + 64, "SELECT pg_catalog.lo_put('%lu', %lld, '\\x%.*s');", st.oid, st.offset,
	    (int)st.hexlen, st.hex);
	if (n < 0 || (size_t)n != len || memcmp(back, text, len) != 0)
		abort();
	free(back);
}

/* A globals file's statement, by the plain reading: its first two words are its kind's. */
static void
check_global(const char *text, size_t len)
{
	static const char *const words[][2] = {
		[SQL_GLOBAL_CREATE_ROLE] = { "create", "role" },
		[SQL_GLOBAL_ROLE_ATTRIBUTES] = { "alter", "role" },
		[SQL_GLOBAL_ROLE_SETTING] = { "alter", "role" },
		[SQL_GLOBAL_ROLE_COMMENT] = { "comment", "on" },
		[SQL_GLOBAL_GRANT] = { "grant", NULL },
		[SQL_GLOBAL_CREATE_TABLESPACE] = { "create", "tablespace" },
		[SQL_GLOBAL_TABLESPACE_OPTIONS] = { "alter", "tablespace" },
	};
	struct sql_global g;
	const char *p = text, *end = text + len;
	char w1[16], w2[16];

	if (sql_global_read(text, len, &g) < 0)
		return;
	word(&p, end, w1, sizeof(w1));
	word(&p, end, w2, sizeof(w2));
	if (strcmp(w1, words[g.kind][0]) != 0 || (words[g.kind][1] != NULL && strcmp(w2, words[g.kind][1]) != 0))
		abort();
	if (g.name == NULL || ((g.kind == SQL_GLOBAL_GRANT || g.kind == SQL_GLOBAL_ROLE_SETTING ||
	    g.kind == SQL_GLOBAL_CREATE_TABLESPACE) && g.other == NULL))
		abort();
	sql_global_free(&g);
}

/* On an exact-size copy, so a read past the end is caught. */
static void
classify(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	const char *why;

	memcpy(copy, text, len);
	why = sql_refused(copy, len);
	if (why == NULL)
		check_allowed(copy, len);
	else if (*why == '\0')
		abort();
	check_verify_kinds(copy, len);
	check_transaction(copy, len, why == NULL);
	check_blob(copy, len);
	check_global(copy, len);
	free(copy);
}

static int
on_item(void *ctx, const struct sql_item *item)
{
	(void)ctx;
	if (item->kind == SQL_STATEMENT || item->kind == SQL_META)
		classify(item->text, item->len);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sql_splitter *s = sql_splitter_new(on_item, NULL);

	classify((const char *)data, size);
	if (sql_splitter_feed(s, (const char *)data, size) == 0)
		sql_splitter_finish(s);
	sql_splitter_free(s);
	return 0;
}
