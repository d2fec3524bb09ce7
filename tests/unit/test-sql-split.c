#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dump/sql-split.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "unit.h"

/*
 * Items are recorded as "<kind><line>[<text>]" lines: S statement, M meta,
 * D COPY data, C COPY end, then "OK" or "ERR[message]". Consecutive COPY
 * data chunks are merged, since their boundaries depend on the chunking;
 * the recorder checks instead that each chunk is whole lines and that its
 * line number follows on from the previous one.
 */
struct rec {
	struct strbuf out;
	struct strbuf data;	/* COPY data not yet written to out */
	long data_line;
	long next_line;
	int bad_chunk;
	int items;
	int data_callbacks;
	int stop_after;		/* return -1 on this item (1-based); 0: never */
};

static void
flush_data(struct rec *r)
{
	if (r->data.len == 0)
		return;
	strbuf_printf(&r->out, "D%ld[", r->data_line);
	strbuf_append(&r->out, r->data.buf, r->data.len);
	strbuf_puts(&r->out, "]\n");
	strbuf_reset(&r->data);
}

static int
record(void *ctx, const struct sql_item *it)
{
	struct rec *r = ctx;
	size_t i;

	r->items++;
	if (it->kind == SQL_COPY_DATA) {
		r->data_callbacks++;
		if (it->len == 0 || it->text[it->len - 1] != '\n')
			r->bad_chunk = 1;
		if (r->data.len == 0)
			r->data_line = it->line;
		else if (it->line != r->next_line)
			r->bad_chunk = 1;
		strbuf_append(&r->data, it->text, it->len);
		r->next_line = it->line;
		for (i = 0; i < it->len; i++)
			if (it->text[i] == '\n')
				r->next_line++;
	} else {
		flush_data(r);
		strbuf_printf(&r->out, "%c%ld[", it->kind == SQL_STATEMENT ? 'S' :
		    it->kind == SQL_META ? 'M' : 'C', it->line);
		strbuf_append(&r->out, it->text, it->len);
		strbuf_puts(&r->out, "]\n");
	}
	return r->stop_after != 0 && r->items == r->stop_after ? -1 : 0;
}

/* One chunk in a buffer of exactly its size, so over-reads show under ASan. */
static int
feed_copy_of(struct sql_splitter *s, const char *p, size_t n)
{
	char *copy = xmalloc(n ? n : 1);
	int rc;

	memcpy(copy, p, n);
	rc = sql_splitter_feed(s, copy, n);
	free(copy);
	return rc;
}

enum chunking { ONE_SHOT, BYTES, RANDOM, SPLIT_AT };

/*
 * Splits in[0..len) fed as one buffer, byte by byte, in random chunks
 * (seed), or in two pieces cut at `arg`. Returns the record; the caller frees it.
 */
static char *
run(const char *in, size_t len, enum chunking how, unsigned arg, int stop_after, struct rec *stats)
{
	struct rec r;
	struct sql_splitter *s;
	size_t pos = 0, n;
	unsigned seed = arg * 2654435761u + 1;
	int rc = 0, first = 1;

	memset(&r, 0, sizeof(r));
	r.stop_after = stop_after;
	s = sql_splitter_new(record, &r);
	while (rc == 0 && pos < len) {
		switch (how) {
		case ONE_SHOT:
			n = len;
			break;
		case BYTES:
			n = 1;
			break;
		case RANDOM:
			seed = seed * 1103515245u + 12345u;
			n = (seed >> 16) % 9 == 0 ? (seed >> 8) % 300 : 1 + (seed >> 16) % 7;
			break;
		default:
			n = first ? arg : len - pos;
			break;
		}
		if (n > len - pos)
			n = len - pos;
		rc = feed_copy_of(s, in + pos, n);
		pos += n;
		first = 0;
	}
	if (rc == 0)
		rc = sql_splitter_finish(s);
	flush_data(&r);
	if (rc == 0)
		strbuf_puts(&r.out, "OK\n");
	else
		strbuf_printf(&r.out, "ERR[%s]\n", sql_splitter_error(s));
	sql_splitter_free(s);
	strbuf_free(&r.data);
	if (stats != NULL) {
		stats->bad_chunk = r.bad_chunk;
		stats->data_callbacks = r.data_callbacks;
	}
	if (r.bad_chunk)
		strbuf_puts(&r.out, "BAD COPY CHUNK\n");
	return strbuf_detach(&r.out);
}

/* The same record whatever the chunking: every 2-way cut, bytes, random chunks. */
static int
chunking_invariant(const char *in, size_t len, const char *want)
{
	char *got;
	unsigned k;
	int ok = 1;

	for (k = 0; ok && k <= len + 40; k++) {
		if (k <= len)
			got = run(in, len, SPLIT_AT, k, 0, NULL);
		else if (k == len + 1)
			got = run(in, len, BYTES, 0, 0, NULL);
		else
			got = run(in, len, RANDOM, k, 0, NULL);
		if (strcmp(got, want) != 0) {
			printf("# chunking %u differs:\n%s# vs one-shot:\n%s", k, got, want);
			ok = 0;
		}
		free(got);
	}
	return ok;
}

static int
check_split_n(const char *name, const char *in, size_t len, const char *want)
{
	char *got = run(in, len, ONE_SHOT, 0, 0, NULL);
	char cname[128];
	int ok = strcmp(got, want) == 0;

	if (!ok)
		printf("# got:\n%s# want:\n%s", got, want);
	UNIT_CHECK(name, ok);
	snprintf(cname, sizeof(cname), "%s-chunking", name);
	UNIT_CHECK(cname, chunking_invariant(in, len, got));
	free(got);
	return ok;
}

static int
check_split(const char *name, const char *in, const char *want)
{
	return check_split_n(name, in, strlen(in), want);
}

static void
test_basics(void)
{
	check_split("split-basic",
	    "SELECT 1;\n  SELECT 2 ;  \n\tselect\n3;",
	    "S1[SELECT 1;]\nS2[SELECT 2 ;]\nS3[select\n3;]\nOK\n");
	check_split("split-comments-between",
	    "-- header; 'x\n/* block /* nested; */ still */\nSELECT 1; -- trailing\n"
	    "/* c */ SELECT 2;\n--\n",
	    "S3[SELECT 1;]\nS4[SELECT 2;]\nOK\n");
	check_split("split-comments-inside",
	    "SELECT 1 -- it's a comment; not the end\n + /* ; ' \" $$ /* */ */ 2;\n",
	    "S1[SELECT 1 -- it's a comment; not the end\n + /* ; ' \" $$ /* */ */ 2;]\nOK\n");
	check_split("split-comment-ops",
	    "SELECT 2 */* ; */ 3, 4 --;\n- 1;\nSELECT 5-/**/-6;\n",
	    "S1[SELECT 2 */* ; */ 3, 4 --;\n- 1;]\nS3[SELECT 5-/**/-6;]\nOK\n");
	check_split("split-no-final-semicolon",
	    "SELECT 1;\nSELECT 2\n  \n",
	    "S1[SELECT 1;]\nS2[SELECT 2]\nOK\n");
	check_split("split-eof-in-line-comment",
	    "SELECT 1 -- no newline",
	    "S1[SELECT 1 -- no newline]\nOK\n");
	check_split("split-lone-operator-first",
	    "-1;\n/1;\n-",
	    "S1[-1;]\nS2[/1;]\nS3[-]\nOK\n");
	/* psql sends a lone ';' too (the server answers "empty query"). */
	check_split("split-empty-statement",
	    "SELECT 1;;\n",
	    "S1[SELECT 1;]\nS1[;]\nOK\n");
	check_split("split-crlf",
	    "SELECT 1;\r\n\\connect db\r\n-- c\r\nSELECT\r\n 2;\r\n",
	    "S1[SELECT 1;]\nM2[\\connect db]\nS4[SELECT\r\n 2;]\nOK\n");
	check_split("split-empty-input", "", "OK\n");
	/* psql drops a UTF-8 byte-order mark at the start; a partial one is text. */
	check_split("split-bom",
	    "\xEF\xBB\xBFSELECT 1;\n\xEF\xBB\xBFx;",
	    "S1[SELECT 1;]\nS2[\xEF\xBB\xBFx;]\nOK\n");
	check_split("split-partial-bom",
	    "\xEF\xBBSELECT 1;\n",
	    "S1[\xEF\xBBSELECT 1;]\nOK\n");
	check_split("split-partial-bom-at-eof", "\xEF", "S1[\xEF]\nOK\n");
	check_split("split-blank-input", " \n\t\n-- x\n/* y */\n", "OK\n");
}

static void
test_quotes(void)
{
	check_split("split-single-quotes",
	    "SELECT 'a;b', 'it''s;', '', '\"';\nSELECT 2;",
	    "S1[SELECT 'a;b', 'it''s;', '', '\"';]\nS2[SELECT 2;]\nOK\n");
	/* standard_conforming_strings on: a backslash is an ordinary character. */
	check_split("split-std-strings-backslash",
	    "SELECT 'C:\\';\nSELECT 2;",
	    "S1[SELECT 'C:\\';]\nS2[SELECT 2;]\nOK\n");
	check_split("split-e-strings",
	    "SELECT E'it\\'s;', e'\\\\', E'x''y;';\nSELECT 2;",
	    "S1[SELECT E'it\\'s;', e'\\\\', E'x''y;';]\nS2[SELECT 2;]\nOK\n");
	check_split("split-std-strings-off",
	    "SET standard_conforming_strings = off;\nSELECT 'a\\';b';\n"
	    "SET LOCAL standard_conforming_strings = on;\nSELECT 'b\\';c';\n"
	    "SET standard_conforming_strings TO 'on';\nSELECT 'c\\';\n"
	    "set session standard_conforming_strings=false;\nSELECT 'd\\';e';\n"
	    "RESET standard_conforming_strings;\nSELECT 'f\\';\n",
	    "S1[SET standard_conforming_strings = off;]\nS2[SELECT 'a\\';b';]\n"
	    "S3[SET LOCAL standard_conforming_strings = on;]\nS4[SELECT 'b\\';c';]\n"
	    "S5[SET standard_conforming_strings TO 'on';]\nS6[SELECT 'c\\';]\n"
	    "S7[set session standard_conforming_strings=false;]\nS8[SELECT 'd\\';e';]\n"
	    "S9[RESET standard_conforming_strings;]\nS10[SELECT 'f\\';]\nOK\n");
	check_split("split-quoted-identifiers",
	    "CREATE TABLE \"a;\"\"b\" (\"x'\" int, \"$$\" int);\nSELECT 1;",
	    "S1[CREATE TABLE \"a;\"\"b\" (\"x'\" int, \"$$\" int);]\nS2[SELECT 1;]\nOK\n");
	/*
	 * After whitespace holding a newline, a quote continues the literal in
	 * its state (E'' keeps escaping). psql lexes line by line without the
	 * '\n', so only a CR inside a line counts, or a CR at the start of the
	 * next non-empty line when the quote ended its line.
	 */
	check_split("split-quote-continuation",
	    "SELECT E'a'\r'\\'';\nSELECT E'b' -- c\r  -- d\r '\\';';\n"
	    "SELECT E'c'\n\n \r'\\'';\nSELECT 'x' '\\'; SELECT E'y' /* */\r'z';\n",
	    "S1[SELECT E'a'\r'\\'';]\nS2[SELECT E'b' -- c\r  -- d\r '\\';';]\n"
	    "S3[SELECT E'c'\n\n \r'\\'';]\nS6[SELECT 'x' '\\';]\nS6[SELECT E'y' /* */\r'z';]\nOK\n");
	check_split("split-quote-no-continuation",
	    "SELECT E'a'\n'\\';\nSELECT E'b'\r\n'\\';\nSELECT E'c' \n\r'\\';\nSELECT E'd' --\n\r'\\';\n",
	    "S1[SELECT E'a'\n'\\';]\nS3[SELECT E'b'\r\n'\\';]\nS5[SELECT E'c' \n\r'\\';]\n"
	    "S7[SELECT E'd' --\n\r'\\';]\nOK\n");
	check_split("split-string-prefixes",
	    "SELECT b'1''0', X'f;f', n'it''s', U&'d\\0061t', U&\"a;\", u&'x''y' FROM t;\nSELECT 2;",
	    "S1[SELECT b'1''0', X'f;f', n'it''s', U&'d\\0061t', U&\"a;\", u&'x''y' FROM t;]\n"
	    "S2[SELECT 2;]\nOK\n");
}

static void
test_dollar(void)
{
	check_split("split-dollar-function",
	    "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'a;b'; SELECT 'it''s' $$;\n"
	    "CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n"
	    "  RETURN 1; -- $$ ' ;\nEND\n$body$;\nSELECT 3;\n",
	    "S1[CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'a;b'; SELECT 'it''s' $$;]\n"
	    "S2[CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n"
	    "  RETURN 1; -- $$ ' ;\nEND\n$body$;]\nS7[SELECT 3;]\nOK\n");
	check_split("split-dollar-nested",
	    "DO $a$ BEGIN EXECUTE $b$ SELECT ';' $b$; PERFORM $c$ $a $ $ab$ $$ $c$; END $a$;\nSELECT 1;",
	    "S1[DO $a$ BEGIN EXECUTE $b$ SELECT ';' $b$; PERFORM $c$ $a $ $ab$ $$ $c$; END $a$;]\n"
	    "S2[SELECT 1;]\nOK\n");
	check_split("split-dollar-partial-tags",
	    "SELECT $ab$ $a$ $$ $abc$ $ab $$ab$;\nSELECT $_1$x$_1$, $ü$;$ü$;",
	    "S1[SELECT $ab$ $a$ $$ $abc$ $ab $$ab$;]\nS2[SELECT $_1$x$_1$, $ü$;$ü$;]\nOK\n");
	/* $1 is a parameter, and '$' inside an identifier or after $N does not quote. */
	check_split("split-dollar-not-quotes",
	    "PREPARE p(int) AS SELECT $1 + 1;\nSELECT a$b$ FROM x$$;\nSELECT $1x$y$;\nSELECT 1;",
	    "S1[PREPARE p(int) AS SELECT $1 + 1;]\nS2[SELECT a$b$ FROM x$$;]\n"
	    "S3[SELECT $1x$y$;]\nS4[SELECT 1;]\nOK\n");
	check_split("split-dollar-after-number",
	    "SELECT 1$q$;$q$;\nSELECT $1$q$;$q$;",
	    "S1[SELECT 1$q$;$q$;]\nS2[SELECT $1$q$;$q$;]\nOK\n");
}

static void
test_depth(void)
{
	check_split("split-parentheses",
	    "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\n"
	    "SELECT 1);\nSELECT (2;\n3);\n",
	    "S1[CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));]\n"
	    "S2[SELECT 1);]\nS3[SELECT (2;\n3);]\nOK\n");
	check_split("split-begin-atomic",
	    "CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql\nBEGIN ATOMIC\n"
	    "  SELECT CASE WHEN x > 0 THEN 'pos' ELSE 'neg' END;\n  SELECT 'x;';\nEND;\n"
	    "BEGIN;\nSELECT 1 AS begin;\nSELECT CASE WHEN true THEN 1 END;\nEND;\nCOMMIT;\n",
	    "S1[CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql\nBEGIN ATOMIC\n"
	    "  SELECT CASE WHEN x > 0 THEN 'pos' ELSE 'neg' END;\n  SELECT 'x;';\nEND;]\n"
	    "S6[BEGIN;]\nS7[SELECT 1 AS begin;]\nS8[SELECT CASE WHEN true THEN 1 END;]\n"
	    "S9[END;]\nS10[COMMIT;]\nOK\n");
	check_split("split-begin-atomic-procedure",
	    "create or replace procedure p(a int default 1)\nlanguage sql\nbegin atomic\n"
	    "  insert into t values (1);\n  insert into t values (case a when 1 then 2 end);\nend;\n"
	    "CREATE TABLE q (\"begin\" int, c int DEFAULT (CASE WHEN true THEN 1 END));\nselect 1;",
	    "S1[create or replace procedure p(a int default 1)\nlanguage sql\nbegin atomic\n"
	    "  insert into t values (1);\n  insert into t values (case a when 1 then 2 end);\nend;]\n"
	    "S7[CREATE TABLE q (\"begin\" int, c int DEFAULT (CASE WHEN true THEN 1 END));]\n"
	    "S8[select 1;]\nOK\n");
	/* BEGIN/CASE/END count only outside parentheses, and only in CREATE FUNCTION/PROCEDURE. */
	check_split("split-begin-in-parens",
	    "create function f(begin int) returns int language sql return 1; select 2;\n"
	    "create function create function begin; end; select 3;\n",
	    "S1[create function f(begin int) returns int language sql return 1;]\nS1[select 2;]\n"
	    "S2[create function create function begin; end;]\nS2[select 3;]\nOK\n");
	/* As psql 15 lexes numbers: an identifier glued to a number is swallowed with it. */
	check_split("split-number-junk",
	    "create function f() 1ebegin; select 2;\ncreate 1e+function begin; select 3; end;\n"
	    "create u&function begin; select 4; end;\ncreate function f() $e'\\'; x'; select 5;\n"
	    "create function f() 1e'\\'; select 6;\n",
	    "S1[create function f() 1ebegin;]\nS1[select 2;]\n"
	    "S2[create 1e+function begin; select 3; end;]\n"
	    "S3[create u&function begin; select 4; end;]\n"
	    "S4[create function f() $e'\\'; x';]\nS4[select 5;]\n"
	    "S5[create function f() 1e'\\';]\nS5[select 6;]\nOK\n");
}

static void
test_meta(void)
{
	check_split("split-meta-lines",
	    "\\connect -reuse-previous=on \"dbname='x;y'\"\nSELECT 1;\n  \\restrict abc123\r\n"
	    "\\unrestrict abc123\n\\.\n\\q",
	    "M1[\\connect -reuse-previous=on \"dbname='x;y'\"]\nS2[SELECT 1;]\n"
	    "M3[\\restrict abc123]\nM4[\\unrestrict abc123]\nM5[\\.]\nM6[\\q]\nOK\n");
	check_split("split-meta-after-statement",
	    "SELECT 1; \\gset\n/* c */ \\echo hi\n",
	    "S1[SELECT 1;]\nM1[\\gset]\nM2[\\echo hi]\nOK\n");
	check_split("split-backslash-in-quotes",
	    "SELECT '\\', \"\\\", $$\\$$, E'\\\\' /* \\ */ -- \\\n;",
	    "S1[SELECT '\\', \"\\\", $$\\$$, E'\\\\' /* \\ */ -- \\\n;]\nOK\n");
}

static void
test_copy(void)
{
	const char *copy_in =
	    "COPY public.t (id, body) FROM stdin;\n"
	    "1\tsemi;colon\n"
	    "2\tit's \"quoted\" $$\n"
	    "3\t\\N\n"
	    "4\tback\\\\slash\\\\\n"
	    "\\\\.\n"
	    "5\t\\.x\t/* --\n"
	    "\\.\n"
	    "SELECT 1;\n";
	struct rec stats;
	char *got;

	check_split("split-copy",
	    copy_in,
	    "S1[COPY public.t (id, body) FROM stdin;]\n"
	    "D2[1\tsemi;colon\n2\tit's \"quoted\" $$\n3\t\\N\n4\tback\\\\slash\\\\\n\\\\.\n5\t\\.x\t/* --\n]\n"
	    "C8[\\.]\nS9[SELECT 1;]\nOK\n");
	got = run(copy_in, strlen(copy_in), ONE_SHOT, 0, 0, &stats);
	UNIT_CHECK("split-copy-one-callback", stats.data_callbacks == 1 && !stats.bad_chunk);
	free(got);
	check_split("split-copy-empty",
	    "COPY t FROM stdin;\n\\.\nSELECT 1;\n",
	    "S1[COPY t FROM stdin;]\nC2[\\.]\nS3[SELECT 1;]\nOK\n");
	check_split("split-copy-variants",
	    "copy t from STDIN with (format csv, delimiter ';');\na;b\n\\.\n"
	    "COPY t TO stdout;\nCOPY t FROM '/tmp/x';\nCOPY (SELECT 1 FROM stdin) TO STDOUT;\n"
	    "COPY t (a, \"from\") FROM /* c */ Stdin WITH CSV HEADER; -- rows follow\nh\n\\.\n",
	    "S1[copy t from STDIN with (format csv, delimiter ';');]\nD2[a;b\n]\nC3[\\.]\n"
	    "S4[COPY t TO stdout;]\nS5[COPY t FROM '/tmp/x';]\nS6[COPY (SELECT 1 FROM stdin) TO STDOUT;]\n"
	    "S7[COPY t (a, \"from\") FROM /* c */ Stdin WITH CSV HEADER;]\nD8[h\n]\nC9[\\.]\nOK\n");
	check_split("split-copy-crlf",
	    "COPY t FROM stdin;\r\n1\tx\r\n\\.\r\nSELECT 1;\r\n",
	    "S1[COPY t FROM stdin;]\nD2[1\tx\r\n]\nC3[\\.]\nS4[SELECT 1;]\nOK\n");
	check_split("split-copy-end-at-eof",
	    "COPY t FROM stdin;\n1\n\\.",
	    "S1[COPY t FROM stdin;]\nD2[1\n]\nC3[\\.]\nOK\n");
	check_split("split-copy-not-terminators",
	    "COPY t FROM stdin;\n\\. \n \\.\n\\.x\n\\\n.\n\\.\r\r\n\\.\n",
	    "S1[COPY t FROM stdin;]\nD2[\\. \n \\.\n\\.x\n\\\n.\n\\.\r\r\n]\nC8[\\.]\nOK\n");
}

static void
test_errors(void)
{
	check_split("split-err-quote",
	    "SELECT 1;\nSELECT 'abc\n\n",
	    "S1[SELECT 1;]\nERR[line 2: unterminated quoted string]\n");
	check_split("split-err-e-quote",
	    "SELECT E'\\'\n",
	    "ERR[line 1: unterminated quoted string]\n");
	check_split("split-err-std-off-quote",
	    "SET standard_conforming_strings = off;\nSELECT 'a\\';\n",
	    "S1[SET standard_conforming_strings = off;]\nERR[line 2: unterminated quoted string]\n");
	check_split("split-err-identifier",
	    "\n\nSELECT \"abc;\n",
	    "ERR[line 3: unterminated quoted identifier]\n");
	check_split("split-err-dollar",
	    "SELECT 1;\nDO $x$ BEGIN\n$y$; $x\n",
	    "S1[SELECT 1;]\nERR[line 2: unterminated dollar-quoted string]\n");
	check_split("split-err-comment",
	    "SELECT 1;\n/* a /* b */\nSELECT 1;\n",
	    "S1[SELECT 1;]\nERR[line 2: unterminated /* comment]\n");
	check_split("split-err-copy",
	    "SELECT 1;\nCOPY t FROM stdin;\n1\n2\n\\.x",
	    "S1[SELECT 1;]\nS2[COPY t FROM stdin;]\nD3[1\n2\n]\nERR[line 3: unterminated COPY data (no \\. line)]\n");
	check_split("split-err-copy-at-eof",
	    "COPY t FROM stdin",
	    "S1[COPY t FROM stdin]\nERR[line 1: unterminated COPY data (no \\. line)]\n");
	check_split("split-err-backslash",
	    "SELECT 1;\nSELECT 2\n\\g\n",
	    "S1[SELECT 1;]\nERR[line 3: backslash command inside a statement is not supported]\n");
	check_split("split-err-backslash-same-line",
	    "SELECT 2 \\gset\n",
	    "ERR[line 1: backslash command inside a statement is not supported]\n");
	check_split("split-err-after-copy",
	    "COPY t FROM stdin; SELECT 1;\n\\.\n",
	    "S1[COPY t FROM stdin;]\nERR[line 1: text after COPY ... FROM stdin on the same line is not supported]\n");
	check_split_n("split-err-nul",
	    "SELECT 1;\nSELECT\0 2;", 20,
	    "S1[SELECT 1;]\nERR[line 2: NUL byte in SQL text]\n");
}

/*
 * Excerpts of real pg_dump -Fp output (PostgreSQL 15.18) of
 * tests/fixtures/hostile.sql: the preamble with \restrict, a $$ body, a
 * BEGIN ATOMIC body, a table whose quoted name holds a newline, "--" and
 * ";", its COPY block, COPY rows with escaped "\." and \N, the trailer.
 * The wanted split is what psql 15.18 sent for this file (psql -L).
 */
static const char pg_dump_sample[] =
    "--\n"
    "-- PostgreSQL database dump\n"
    "--\n"
    "\n"
    "\\restrict 1oWwesCvW4ODnkceE5mlSD6MCR6IPDXixyW8IULxiycarAkVUyKegnKAxmQHkpE\n"
    "\n"
    "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
    "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n"
    "\n"
    "SET statement_timeout = 0;\n"
    "SET lock_timeout = 0;\n"
    "SET idle_in_transaction_session_timeout = 0;\n"
    "SET client_encoding = 'UTF8';\n"
    "SET standard_conforming_strings = on;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n"
    "SET check_function_bodies = false;\n"
    "SET xmloption = content;\n"
    "SET client_min_messages = warning;\n"
    "SET row_security = off;\n"
    "\n"
    "--\n"
    "--\n"
    "-- Name: next_code(); Type: FUNCTION; Schema: App Data; Owner: postgres\n"
    "--\n"
    "\n"
    "CREATE FUNCTION \"App Data\".next_code() RETURNS text\n"
    "    LANGUAGE sql\n"
    "    AS $$ SELECT 'AB-' || lpad((nextval('\"App Data\".\"Weird \"\"Seq\"\"\"') % 1000)::text, 3, '0') $$;\n"
    "\n"
    "\n"
    "ALTER FUNCTION \"App Data\".next_code() OWNER TO postgres;\n"
    "\n"
    "--\n"
    "-- Name: order_count_atomic(); Type: FUNCTION; Schema: public; Owner: postgres\n"
    "--\n"
    "\n"
    "CREATE FUNCTION public.order_count_atomic() RETURNS bigint\n"
    "    LANGUAGE sql STABLE\n"
    "    BEGIN ATOMIC\n"
    " SELECT count(*) AS count\n"
    "    FROM public.orders\n"
    "   WHERE (orders.amount > (0)::numeric);\n"
    "END;\n"
    "\n"
    "\n"
    "ALTER FUNCTION public.order_count_atomic() OWNER TO postgres;\n"
    "\n"
    "--\n"
    "-- Name: evil -- lotbackup: dump complete name; DROP TABLE public.scratc; Type: TABLE; Schema: public; Owner: postgres\n"
    "--\n"
    "\n"
    "CREATE TABLE public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" (\n"
    "    id integer NOT NULL,\n"
    "    note text\n"
    ");\n"
    "\n"
    "\n"
    "ALTER TABLE public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" OWNER TO postgres;\n"
    "\n"
    "--\n"
    "-- Name: TABLE \"evil -- lotbackup: dump complete name; DROP TABLE public.scratc\"; Type: COMMENT; Schema: public; Owner: postgres\n"
    "--\n"
    "\n"
    "COMMENT ON TABLE public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" IS 'multi\n"
    "line comment; with -- dashes';\n"
    "\n"
    "\n"
    "--\n"
    "-- Name: kitchen_sink; Type: TABLE; Schema: public; Owner: postgres\n"
    "--\n"
    "-- Name: nasty_text; Type: TABLE; Schema: public; Owner: postgres\n"
    "--\n"
    "\n"
    "CREATE TABLE public.nasty_text (\n"
    "    id integer NOT NULL,\n"
    "    body text,\n"
    "    t text\n"
    ");\n"
    "\n"
    "\n"
    "ALTER TABLE public.nasty_text OWNER TO postgres;\n"
    "\n"
    "--\n"
    "-- Data for Name: evil -- lotbackup: dump complete name; DROP TABLE public.scratc; Type: TABLE DATA; Schema: public; Owner: postgres\n"
    "--\n"
    "\n"
    "COPY public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" (id, note) FROM stdin;\n"
    "1\tx\n"
    "2\t\\N\n"
    "\\.\n"
    "\n"
    "\n"
    "--\n"
    "-- Data for Name: nasty_text; Type: TABLE DATA; Schema: public; Owner: postgres\n"
    "--\n"
    "\n"
    "COPY public.nasty_text (id, body, t) FROM stdin;\n"
    "1\ttab\\there\ttab\n"
    "2\tnew\\nline\tnewline\n"
    "3\tcarriage\\rreturn\tcr\n"
    "4\tcrlf\\r\\nend\tcrlf\n"
    "5\tback\\\\slash\\\\\tbackslash\n"
    "6\t\\\\N\tliteral backslash-N\n"
    "7\t\\\\.\tcopy terminator alone\n"
    "8\tbefore\\n\\\\.\\nafter\tcopy terminator on its own line\n"
    "10\t\tempty string\n"
    "11\t\\N\tnull\n"
    "12\tNULL\tthe word NULL\n"
    "13\t \tsingle space\n"
    "14\t\\\\x00\tlooks like bytea\n"
    "15\t\"quoted\" 'single' `back`\tquotes\n"
    "16\ttrailing backslash \\\\\ttrailing backslash\n"
    "\\.\n"
    "\n"
    "\n"
    "--\n"
    "-- Name: plain_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres\n"
    "--\n"
    "\n"
    "SELECT pg_catalog.setval('public.plain_seq', 1350, true);\n"
    "\n"
    "REFRESH MATERIALIZED VIEW public.mv_order_totals;\n"
    "\n"
    "\n"
    "--\n"
    "-- PostgreSQL database dump complete\n"
    "--\n"
    "\n"
    "\\unrestrict 1oWwesCvW4ODnkceE5mlSD6MCR6IPDXixyW8IULxiycarAkVUyKegnKAxmQHkpE\n"
    "\n";

static const char pg_dump_want[] =
    "M5[\\restrict 1oWwesCvW4ODnkceE5mlSD6MCR6IPDXixyW8IULxiycarAkVUyKegnKAxmQHkpE]\n"
    "S10[SET statement_timeout = 0;]\n"
    "S11[SET lock_timeout = 0;]\n"
    "S12[SET idle_in_transaction_session_timeout = 0;]\n"
    "S13[SET client_encoding = 'UTF8';]\n"
    "S14[SET standard_conforming_strings = on;]\n"
    "S15[SELECT pg_catalog.set_config('search_path', '', false);]\n"
    "S16[SET check_function_bodies = false;]\n"
    "S17[SET xmloption = content;]\n"
    "S18[SET client_min_messages = warning;]\n"
    "S19[SET row_security = off;]\n"
    "S26[CREATE FUNCTION \"App Data\".next_code() RETURNS text\n"
    "    LANGUAGE sql\n"
    "    AS $$ SELECT 'AB-' || lpad((nextval('\"App Data\".\"Weird \"\"Seq\"\"\"') % 1000)::text, 3, '0') $$;]\n"
    "S31[ALTER FUNCTION \"App Data\".next_code() OWNER TO postgres;]\n"
    "S37[CREATE FUNCTION public.order_count_atomic() RETURNS bigint\n"
    "    LANGUAGE sql STABLE\n"
    "    BEGIN ATOMIC\n"
    " SELECT count(*) AS count\n"
    "    FROM public.orders\n"
    "   WHERE (orders.amount > (0)::numeric);\n"
    "END;]\n"
    "S46[ALTER FUNCTION public.order_count_atomic() OWNER TO postgres;]\n"
    "S52[CREATE TABLE public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" (\n"
    "    id integer NOT NULL,\n"
    "    note text\n"
    ");]\n"
    "S60[ALTER TABLE public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" OWNER TO postgres;]\n"
    "S68[COMMENT ON TABLE public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" IS 'multi\n"
    "line comment; with -- dashes';]\n"
    "S80[CREATE TABLE public.nasty_text (\n"
    "    id integer NOT NULL,\n"
    "    body text,\n"
    "    t text\n"
    ");]\n"
    "S87[ALTER TABLE public.nasty_text OWNER TO postgres;]\n"
    "S93[COPY public.\"evil\n"
    "-- lotbackup: dump complete\n"
    "name; DROP TABLE public.scratc\" (id, note) FROM stdin;]\n"
    "D96[1\tx\n"
    "2\t\\N\n"
    "]\n"
    "C98[\\.]\n"
    "S105[COPY public.nasty_text (id, body, t) FROM stdin;]\n"
    "D106[1\ttab\\there\ttab\n"
    "2\tnew\\nline\tnewline\n"
    "3\tcarriage\\rreturn\tcr\n"
    "4\tcrlf\\r\\nend\tcrlf\n"
    "5\tback\\\\slash\\\\\tbackslash\n"
    "6\t\\\\N\tliteral backslash-N\n"
    "7\t\\\\.\tcopy terminator alone\n"
    "8\tbefore\\n\\\\.\\nafter\tcopy terminator on its own line\n"
    "10\t\tempty string\n"
    "11\t\\N\tnull\n"
    "12\tNULL\tthe word NULL\n"
    "13\t \tsingle space\n"
    "14\t\\\\x00\tlooks like bytea\n"
    "15\t\"quoted\" 'single' `back`\tquotes\n"
    "16\ttrailing backslash \\\\\ttrailing backslash\n"
    "]\n"
    "C121[\\.]\n"
    "S128[SELECT pg_catalog.setval('public.plain_seq', 1350, true);]\n"
    "S130[REFRESH MATERIALIZED VIEW public.mv_order_totals;]\n"
    "M137[\\unrestrict 1oWwesCvW4ODnkceE5mlSD6MCR6IPDXixyW8IULxiycarAkVUyKegnKAxmQHkpE]\n"
    "OK\n";

static void
test_pg_dump(void)
{
	check_split("split-pg-dump-sample", pg_dump_sample, pg_dump_want);
}

static int
ignore(void *ctx, const struct sql_item *it)
{
	long *n = ctx;

	(*n)++;
	(void)it;
	return 0;
}

static void
test_api(void)
{
	struct sql_splitter *s;
	long n = 0;
	char *got;

	got = run("SELECT 1;\nSELECT 2;\nSELECT 3;\n", 30, ONE_SHOT, 0, 2, NULL);
	UNIT_CHECK("split-callback-stops",
	    strcmp(got, "S1[SELECT 1;]\nS2[SELECT 2;]\nERR[line 2: stopped by the caller]\n") == 0);
	free(got);

	s = sql_splitter_new(ignore, &n);
	UNIT_CHECK("split-error-sticks",
	    sql_splitter_feed(s, "SELECT 1 \\g\n", 12) == -1 &&
	    sql_splitter_feed(s, "SELECT 2;", 9) == -1 && sql_splitter_finish(s) == -1 &&
	    strstr(sql_splitter_error(s), "line 1:") == sql_splitter_error(s) && n == 0);
	sql_splitter_free(s);
	sql_splitter_free(NULL);
}

/*
 * Large inputs fed in small pieces: nothing may be quadratic. Each case is
 * a few MB; a quadratic pass would take minutes, a linear one milliseconds.
 */
static int
timed_run(const char *in, size_t len, size_t chunk, long *items, double *secs)
{
	struct sql_splitter *s = sql_splitter_new(ignore, items);
	clock_t t0 = clock();
	size_t pos, n;
	int rc = 0;

	for (pos = 0; rc == 0 && pos < len; pos += n) {
		n = len - pos < chunk ? len - pos : chunk;
		rc = sql_splitter_feed(s, in + pos, n);
	}
	if (rc == 0)
		rc = sql_splitter_finish(s);
	*secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	sql_splitter_free(s);
	return rc;
}

static void
test_linear(void)
{
	struct strbuf sb = STRBUF_INIT;
	long items;
	double secs;
	size_t i;
	int rc;

	/* One long statement of nested parens, quotes and comments, fed byte-wise. */
	strbuf_puts(&sb, "SELECT ");
	for (i = 0; i < 200000; i++)
		strbuf_puts(&sb, "(1 /* x */ + 'y;' ");
	for (i = 0; i < 200000; i++)
		strbuf_putc(&sb, ')');
	strbuf_puts(&sb, ";\n");
	items = 0;
	rc = timed_run(sb.buf, sb.len, 1, &items, &secs);
	UNIT_CHECK("split-linear-long-statement", rc == 0 && items == 1 && secs < 5.0);

	/* A long dollar quote whose tag almost matches everywhere. */
	strbuf_reset(&sb);
	strbuf_puts(&sb, "SELECT $abcdefgh$");
	for (i = 0; i < 300000; i++)
		strbuf_puts(&sb, "$abcdefg$");
	strbuf_puts(&sb, "$abcdefgh$;\n");
	items = 0;
	rc = timed_run(sb.buf, sb.len, 3, &items, &secs);
	UNIT_CHECK("split-linear-dollar-tag", rc == 0 && items == 1 && secs < 5.0);

	/* Deeply nested comments, then many tiny statements. */
	strbuf_reset(&sb);
	for (i = 0; i < 300000; i++)
		strbuf_puts(&sb, "/*");
	for (i = 0; i < 300000; i++)
		strbuf_puts(&sb, "*/");
	for (i = 0; i < 300000; i++)
		strbuf_puts(&sb, "x;");
	items = 0;
	rc = timed_run(sb.buf, sb.len, 7, &items, &secs);
	UNIT_CHECK("split-linear-comments", rc == 0 && items == 300000 && secs < 5.0);

	/* COPY data: many lines, and one 4 MB line fed in 1 kB pieces. */
	strbuf_reset(&sb);
	strbuf_puts(&sb, "COPY t FROM stdin;\n");
	for (i = 0; i < 300000; i++)
		strbuf_puts(&sb, "1\tabc\\N\n");
	for (i = 0; i < 4000000; i++)
		strbuf_putc(&sb, 'z');
	strbuf_puts(&sb, "\n\\.\n");
	items = 0;
	rc = timed_run(sb.buf, sb.len, 1024, &items, &secs);
	UNIT_CHECK("split-linear-copy", rc == 0 && secs < 5.0);
	strbuf_free(&sb);
}

int
main(void)
{
	test_basics();
	test_quotes();
	test_dollar();
	test_depth();
	test_meta();
	test_copy();
	test_errors();
	test_pg_dump();
	test_api();
	test_linear();
	return unit_done();
}
