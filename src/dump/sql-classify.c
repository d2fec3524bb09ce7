/*
 * Statement classification for the dump's SQL, in one place: what kind a
 * statement is (sql_classify) and the names inside the few kinds a
 * restore rewrites or schedules (the table of a COPY, an index build, a key
 * or a foreign key). Statements come from the splitter: their text starts
 * at their first token. Each test keeps the exact rule it had where it was
 * made before (some skip "--" comments, some only blanks, some nothing):
 * what a restore accepts, runs side by side or refuses stays the same.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "dump/sql-classify.h"

/* Skips blanks and "--" comment lines. */
static const char *
skip_space(const char *p, const char *end)
{
	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else {
			break;
		}
	}
	return p;
}

/* Consumes keyword KW (case-insensitive, whole word) and the blanks after it. */
static int
eat_word(const char **p, const char *end, const char *kw)
{
	size_t n = strlen(kw);

	if ((size_t)(end - *p) < n || strncasecmp(*p, kw, n) != 0 ||
	    (*p + n < end && (isalnum((unsigned char)(*p)[n]) || (*p)[n] == '_')))
		return 0;
	*p = skip_space(*p + n, end);
	return 1;
}

/* The end of the identifier at q, bare or "quoted" (with "" inside); NULL when there is none. */
static const char *
ident_end(const char *q, const char *end)
{
	const char *start = q;

	if (q < end && *q == '"') {
		for (q++; q < end; q++) {
			if (*q != '"')
				continue;
			if (q + 1 < end && q[1] == '"')
				q++;
			else
				return q + 1;
		}
		return NULL;
	}
	while (q < end && (isalnum((unsigned char)*q) || *q == '_' || *q == '$' || (unsigned char)*q >= 0x80))
		q++;
	return q == start ? NULL : q;
}

/* Consumes a name, schema-qualified or not, and the blanks after it; *len: its length as written. */
static int
eat_name_len(const char **p, const char *end, int *len)
{
	const char *start = *p, *q = *p;

	for (;;) {
		if ((q = ident_end(q, end)) == NULL)
			return 0;
		if (q >= end || *q != '.')
			break;
		q++;
	}
	*len = (int)(q - start);
	*p = skip_space(q, end);
	return 1;
}

static int
eat_name(const char **p, const char *end)
{
	int len;

	return eat_name_len(p, end, &len);
}

/* Consumes one unqualified identifier; *start and *len: its text as written. */
static int
eat_ident(const char **p, const char *end, const char **start, int *len)
{
	const char *q = ident_end(*p, end);

	if (q == NULL || (q < end && *q == '.'))
		return 0;
	*start = *p;
	*len = (int)(q - *p);
	*p = skip_space(q, end);
	return 1;
}

/* Does the statement start with these two words? */
static int
starts_with_words(const char *t, size_t len, const char *w1, const char *w2)
{
	size_t n1 = strlen(w1), n2 = strlen(w2), i = n1;

	if (len <= n1 || strncasecmp(t, w1, n1) != 0 || !isspace((unsigned char)t[n1]))
		return 0;
	while (i < len && isspace((unsigned char)t[i]))
		i++;
	return len - i >= n2 && strncasecmp(t + i, w2, n2) == 0 &&
	    (len - i == n2 || !isalnum((unsigned char)t[i + n2]));
}

/* psql meta-commands: pg_dump 15.14+ guards its output with \restrict, pointless without psql. */
static enum sql_stmt_kind
classify_meta(const char *t, size_t len)
{
	if (len >= 9 && (strncmp(t, "\\restrict", 9) == 0 || (len >= 11 && strncmp(t, "\\unrestrict", 11) == 0)))
		return SQL_STMT_META_RESTRICT;
	return SQL_STMT_META;
}

/* ALTER TABLE [ONLY] T ADD CONSTRAINT C ...: which constraint, from p at C's end. */
static enum sql_stmt_kind
classify_constraint(const char *p, const char *end, const char *sql)
{
	static const char not_valid[] = "NOT VALID;";
	size_t len = (size_t)(end - sql);

	if (eat_word(&p, end, "FOREIGN"))
		return SQL_STMT_ADD_FOREIGN_KEY;
	/* USING INDEX takes an index another statement makes. */
	if (eat_word(&p, end, "PRIMARY") || eat_word(&p, end, "UNIQUE") || eat_word(&p, end, "EXCLUDE"))
		return memmem(p, (size_t)(end - p), "USING INDEX", 11) == NULL ?
		    SQL_STMT_ADD_KEY : SQL_STMT_ADD_KEY_USING_INDEX;
	/* 18's not-null constraints: NOT VALID ones touch the catalogs only, as a check's. */
	if (!eat_word(&p, end, "CHECK") && !(eat_word(&p, end, "NOT") && eat_word(&p, end, "NULL")))
		return SQL_STMT_OTHER;
	return len > sizeof(not_valid) && memcmp(end - (sizeof(not_valid) - 1), not_valid, sizeof(not_valid) - 1) == 0 ?
	    SQL_STMT_ADD_CHECK_NOT_VALID : SQL_STMT_ADD_CHECK;
}

/* CREATE [UNIQUE] INDEX and ALTER TABLE ... ADD CONSTRAINT, past "--" comments. */
static enum sql_stmt_kind
classify_ddl(const char *sql, size_t len)
{
	const char *end = sql + len, *p = skip_space(sql, end);

	if (eat_word(&p, end, "CREATE")) {
		eat_word(&p, end, "UNIQUE");
		return eat_word(&p, end, "INDEX") && !eat_word(&p, end, "CONCURRENTLY") ?
		    SQL_STMT_CREATE_INDEX : SQL_STMT_OTHER;
	}
	if (!eat_word(&p, end, "ALTER") || !eat_word(&p, end, "TABLE"))
		return SQL_STMT_OTHER;
	eat_word(&p, end, "ONLY");
	if (!eat_name(&p, end) || !eat_word(&p, end, "ADD") || !eat_word(&p, end, "CONSTRAINT") ||
	    !eat_name(&p, end))
		return SQL_STMT_OTHER;
	return classify_constraint(p, end, sql);
}

/* SET ... and set_config(), which a connection beside the main one replays. */
static int
is_session(const char *sql, size_t len)
{
	const char *s = skip_space(sql, sql + len);
	size_t n = len - (size_t)(s - sql);

	return (n > 4 && strncasecmp(s, "SET", 3) == 0 && isspace((unsigned char)s[3])) ||
	    (n > 27 && strncasecmp(s, "SELECT pg_catalog.set_config", 28) == 0);
}

/* One setval() and nothing after it: it touches its sequence only. */
static int
is_setval(const char *t, size_t len)
{
	static const char setval[] = "SELECT pg_catalog.setval(";

	while (len > 0 && (*t == ' ' || *t == '\n')) {
		t++;
		len--;
	}
	return len > sizeof(setval) && strncasecmp(t, setval, sizeof(setval) - 1) == 0 &&
	    memchr(t, ';', len) == t + len - 1;
}

/* Whether the unquoted word at *p is kw, whole (not "commitx", "commit$1"); *p moves past it when it is. */
static int
eat_keyword(const char **p, const char *end, const char *kw)
{
	const char *q = *p;
	size_t n = strlen(kw);

	while (q < end && (isalnum((unsigned char)*q) || *q == '_' || *q == '$' || (unsigned char)*q >= 0x80))
		q++;
	if ((size_t)(q - *p) != n || strncasecmp(*p, kw, n) != 0)
		return 0;
	*p = q;
	return 1;
}

/*
 * A statement that begins, ends or marks a transaction, by its first word
 * as the server reads it (any case, blanks and comments around): BEGIN,
 * START, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, PREPARE
 * TRANSACTION. A restore in one transaction leaves every one out, so none
 * can end it early: the allow-list takes only BEGIN and COMMIT alone
 * (pg_dump's, around large objects' data), but in any spelling, and
 * refuses the rest; left out all the same should it ever take more.
 */
static int
is_transaction(const char *t, size_t len)
{
	static const char *const first[] = { "begin", "start", "commit", "end", "rollback", "abort", "savepoint",
		"release", NULL };
	const char *end = t + len, *p = sql_skip_blank(t, end);
	size_t i;

	for (i = 0; first[i] != NULL; i++)
		if (eat_keyword(&p, end, first[i]))
			return 1;
	/* PREPARE name AS ... only prepares a statement. */
	if (!eat_keyword(&p, end, "prepare"))
		return 0;
	p = sql_skip_blank(p, end);
	return eat_keyword(&p, end, "transaction");
}

enum sql_stmt_kind
sql_classify(const char *t, size_t len)
{
	enum sql_stmt_kind kind;

	if (len > 0 && t[0] == '\\')
		return classify_meta(t, len);
	/* First: however the rest reads it, the server takes it for one. */
	if (is_transaction(t, len))
		return SQL_STMT_TRANSACTION;
	if (len > 5 && strncasecmp(t, "COPY", 4) == 0 && isspace((unsigned char)t[4]))
		return SQL_STMT_COPY;
	/* A dump made with pg_dump --create/--clean would act on other databases. */
	if (starts_with_words(t, len, "CREATE", "DATABASE") || starts_with_words(t, len, "DROP", "DATABASE"))
		return SQL_STMT_DATABASE;
	if ((kind = classify_ddl(t, len)) != SQL_STMT_OTHER)
		return kind;
	if (is_session(t, len))
		return SQL_STMT_SESSION;
	return is_setval(t, len) ? SQL_STMT_SETVAL : SQL_STMT_OTHER;
}

int
sql_key_split(const char *sql, size_t len, char **build, char **attach, char **table)
{
	const char *end = sql + len, *p = skip_space(sql, end), *tab, *name, *col, *cols;
	int only, tablen, namelen, collen, primary;

	*build = *attach = *table = NULL;
	if (!eat_word(&p, end, "ALTER") || !eat_word(&p, end, "TABLE"))
		return 0;
	only = eat_word(&p, end, "ONLY");
	tab = p;
	if (!eat_name_len(&p, end, &tablen) || !eat_word(&p, end, "ADD") || !eat_word(&p, end, "CONSTRAINT") ||
	    !eat_ident(&p, end, &name, &namelen))
		return 0;
	if (eat_word(&p, end, "PRIMARY")) {
		if (!eat_word(&p, end, "KEY"))
			return 0;
		primary = 1;
	} else if (eat_word(&p, end, "UNIQUE")) {
		primary = 0;
	} else {
		return 0;
	}
	/* Plain columns and nothing after: INCLUDE, WITH, a tablespace, DEFERRABLE or NULLS NOT DISTINCT keep the one statement. */
	if (p >= end || *p != '(')
		return 0;
	cols = p;
	p = skip_space(p + 1, end);
	for (;;) {
		if (!eat_ident(&p, end, &col, &collen))
			return 0;
		if (p >= end || *p != ',')
			break;
		p = skip_space(p + 1, end);
	}
	if (p >= end || *p != ')')
		return 0;
	collen = (int)(++p - cols);
	p = skip_space(p, end);
	if (p < end && *p == ';')
		p = skip_space(p + 1, end);
	if (p != end)
		return 0;
	*table = xstrndup(tab, (size_t)tablen);
	*build = xasprintf("CREATE UNIQUE INDEX %.*s ON %s USING btree %.*s", namelen, name, *table, collen, cols);
	*attach = xasprintf("ALTER TABLE %s%s ADD CONSTRAINT %.*s %s USING INDEX %.*s", only ? "ONLY " : "", *table,
	    namelen, name, primary ? "PRIMARY KEY" : "UNIQUE", namelen, name);
	return 1;
}

int
sql_index_table(const char *sql, size_t len, char **table)
{
	const char *end = sql + len, *p = skip_space(sql, end), *tab;
	enum sql_stmt_kind kind;
	int tablen;

	*table = NULL;
	kind = sql_classify(sql, len);
	if (kind != SQL_STMT_CREATE_INDEX && kind != SQL_STMT_ADD_KEY)
		return 0;
	if (eat_word(&p, end, "CREATE")) {
		eat_word(&p, end, "UNIQUE");
		eat_word(&p, end, "INDEX");
		if (eat_word(&p, end, "IF") && !(eat_word(&p, end, "NOT") && eat_word(&p, end, "EXISTS")))
			return 0;
		if (!eat_word(&p, end, "ON") && !(eat_name(&p, end) && eat_word(&p, end, "ON")))
			return 0;
		/* ON ONLY: a partitioned table's own index, which has no rows of its own to wait for. */
		if (eat_word(&p, end, "ONLY"))
			return 0;
	} else {
		eat_word(&p, end, "ALTER");
		eat_word(&p, end, "TABLE");
		eat_word(&p, end, "ONLY");
	}
	tab = p;
	if (!eat_name_len(&p, end, &tablen))
		return 0;
	*table = xstrndup(tab, (size_t)tablen);
	return 1;
}

int
sql_fk_column(const char *sql, size_t len, char **table, char **column)
{
	const char *end = sql + len, *p = skip_space(sql, end), *tab, *col;
	int tablen, collen;

	*table = *column = NULL;
	if (!eat_word(&p, end, "ALTER") || !eat_word(&p, end, "TABLE"))
		return 0;
	eat_word(&p, end, "ONLY");
	tab = p;
	if (!eat_name_len(&p, end, &tablen) || !eat_word(&p, end, "ADD") || !eat_word(&p, end, "CONSTRAINT") ||
	    !eat_name(&p, end) || !eat_word(&p, end, "FOREIGN") || !eat_word(&p, end, "KEY") || p >= end || *p != '(')
		return 0;
	p = skip_space(p + 1, end);
	if (!eat_ident(&p, end, &col, &collen) || p >= end || *p != ')')
		return 0;
	p = skip_space(p + 1, end);
	if (!eat_word(&p, end, "REFERENCES"))
		return 0;
	*table = xstrndup(tab, (size_t)tablen);
	*column = xstrndup(col, (size_t)collen);
	return 1;
}

char *
sql_copy_target(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *name;
	int namelen;

	if (len < 5 || strncasecmp(p, "COPY", 4) != 0 || !isspace((unsigned char)p[4]))
		return NULL;
	p += 4;
	while (p < end && isspace((unsigned char)*p))
		p++;
	name = p;
	return eat_name_len(&p, end, &namelen) ? xstrndup(name, (size_t)namelen) : NULL;
}

char *
sql_copy_out(const char *t, size_t len)
{
	const char *end = t + len, *p;

	for (p = end - 4; p > t; p--)
		if (strncasecmp(p, "FROM", 4) == 0 && isspace((unsigned char)p[-1]) && isspace((unsigned char)p[4]))
			return xasprintf("%.*s TO STDOUT", (int)(p - t - 1), t);
	return NULL;
}

char *
sql_statement_label(const char *t, size_t len)
{
	static const char *const modifiers[] = { "OR", "REPLACE", "UNIQUE", "UNLOGGED", "TEMPORARY",
		"RECURSIVE", "TRUSTED", "PROCEDURAL", "DEFAULT", NULL };
	struct strbuf kind = STRBUF_INIT;
	const char *p = t, *end = t + len;
	size_t want = 1, words = 0, i;

	while (p < end && words < want) {
		const char *w;
		size_t n;
		int modifier = 0;

		while (p < end && isspace((unsigned char)*p))
			p++;
		w = p;
		while (p < end && isalpha((unsigned char)*p))
			p++;
		n = (size_t)(p - w);
		if (n == 0)
			break;
		for (i = 0; words > 0 && modifiers[i]; i++)
			if (strlen(modifiers[i]) == n && strncasecmp(modifiers[i], w, n) == 0)
				modifier = 1;
		if (modifier)
			continue;
		if (words == 0 && (n == 6 && (strncasecmp(w, "CREATE", 6) == 0 || strncasecmp(w, "REVOKE", 6) == 0)))
			want = 2;
		else if (words == 0 && ((n == 5 && strncasecmp(w, "ALTER", 5) == 0) ||
		    (n == 4 && strncasecmp(w, "DROP", 4) == 0)))
			want = 2;
		else if (words == 0 && n == 7 && strncasecmp(w, "COMMENT", 7) == 0)
			want = 3;
		strbuf_printf(&kind, "%s%.*s", words ? " " : "", (int)n, w);
		words++;
	}
	for (i = 0; i < kind.len; i++)
		kind.buf[i] = (char)toupper((unsigned char)kind.buf[i]);
	return strbuf_detach(&kind);
}
