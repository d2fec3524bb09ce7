/*
 * The allow-list of statements a dump may hold (sql_refused): what
 * lotbackup writes and what pg_dump's plain format of one database (12 to
 * 18, without --create or --clean) writes, and nothing else. A dump is read
 * by a superuser more often than not, so a statement that acts outside the
 * target database (databases, roles, ALTER SYSTEM, server files and
 * programs, libraries) must never reach the server, however it is spelled.
 *
 * The statement is read as tokens, as the server's lexer reads it:
 * comments (nested), quoted identifiers, '' and E'' strings, dollar quotes.
 * Keywords are compared case-insensitively and only as whole unquoted
 * words, so "DROP/ ** /DATABASE" or "dRoP" are DROP and a "drop" inside a
 * string or a quoted name is not. Plain '' strings are read with
 * standard_conforming_strings on: a dump that turns it off is refused,
 * so the splitter, this reader and the server agree on where strings end.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "dump/sql-classify.h"
#include "base/xalloc.h"

enum tok_type {
	T_END,
	T_BAD,		/* an unterminated string, quoted name or comment */
	T_WORD,		/* an unquoted identifier or keyword */
	T_QIDENT,	/* "quoted identifier" */
	T_STRING,	/* any string constant */
	T_NUMBER,
	T_PUNCT,	/* one byte, or "::" */
};

struct tok {
	enum tok_type type;
	const char *p;
	size_t n;
};

struct lexer {
	const char *p, *end;
	int depth;		/* parentheses open before the current token */
};

static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
is_ident_cont(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Skips blanks and comments; 0, or -1 at an unterminated block comment. */
static int
skip_blank(struct lexer *lx)
{
	const char *p = lx->p, *end = lx->end;
	int depth;

	for (;;) {
		while (p < end && is_blank((unsigned char)*p))
			p++;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n' && *p != '\r')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			for (p += 2, depth = 1; depth > 0; p++) {
				if (end - p < 2) {
					lx->p = end;
					return -1;
				}
				if (p[0] == '/' && p[1] == '*') {
					depth++;
					p++;
				} else if (p[0] == '*' && p[1] == '/') {
					depth--;
					p++;
				}
			}
		} else {
			break;
		}
	}
	lx->p = p;
	return 0;
}

const char *
sql_skip_blank(const char *p, const char *end)
{
	struct lexer lx = { p, end, 0 };

	(void)skip_blank(&lx);	/* an unterminated comment: lx.p is at the end */
	return lx.p;
}

/* A quoted run from p (at its opening quote q); doubled quotes stay inside, backslashes escape when esc. */
static const char *
quoted_end(const char *p, const char *end, char q, int esc)
{
	for (p++; p < end; p++) {
		if (esc && *p == '\\') {
			p++;
			continue;
		}
		if (*p != q)
			continue;
		if (p + 1 < end && p[1] == q)
			p++;
		else
			return p + 1;
	}
	return NULL;
}

/* $tag$...$tag$ from p at its first '$'; NULL when p does not start one or it does not end. */
static const char *
dollar_end(const char *p, const char *end)
{
	const char *q = p + 1;
	size_t taglen;

	if (q < end && is_ident_start((unsigned char)*q))
		while (q < end && is_ident_cont((unsigned char)*q) && *q != '$')
			q++;
	if (q >= end || *q != '$')
		return NULL;
	taglen = (size_t)(q + 1 - p);
	for (q++; (size_t)(end - q) >= taglen; q++)
		if (memcmp(q, p, taglen) == 0)
			return q + taglen;
	return NULL;
}

/* A string constant at p, with its prefix (E, B, X, N, U&); NULL: none starts there. */
static const char *
string_at(const char *p, const char *end, int *bad)
{
	const char *q = p;
	int esc = 0;

	*bad = 0;
	if (end - q >= 3 && (q[0] == 'u' || q[0] == 'U') && q[1] == '&' && (q[2] == '\'' || q[2] == '"'))
		return NULL;	/* U&: handled with the quote it prefixes */
	if (end - q >= 2 && q[1] == '\'' && strchr("eEbBxXnN", q[0]) != NULL) {
		esc = q[0] == 'e' || q[0] == 'E';
		q++;
	}
	if (q >= end || *q != '\'')
		return NULL;
	q = quoted_end(q, end, '\'', esc);
	if (q == NULL)
		*bad = 1;
	return q;
}

/*
 * Digits and points, then an exponent only when digits follow it. Letters
 * glued on are a word of their own: where constants alone are allowed,
 * that is refused, whatever a server version makes of them.
 */
static const char *
number_end(const char *p, const char *end)
{
	const char *q = p, *e;

	while (q < end && ((*q >= '0' && *q <= '9') || *q == '.'))
		q++;
	if (q < end && (*q == 'e' || *q == 'E')) {
		e = q + 1;
		if (e < end && (*e == '+' || *e == '-'))
			e++;
		if (e < end && *e >= '0' && *e <= '9') {
			while (e < end && *e >= '0' && *e <= '9')
				e++;
			q = e;
		}
	}
	return q;
}

/* The next token; the parenthesis depth is counted as tokens go by. */
static void
next(struct lexer *lx, struct tok *t)
{
	const char *p, *end = lx->end, *q;
	int bad;

	if (t->type == T_PUNCT && t->n == 1 && *t->p == '(')
		lx->depth++;
	else if (t->type == T_PUNCT && t->n == 1 && *t->p == ')' && lx->depth > 0)
		lx->depth--;
	t->type = T_END;
	t->n = 0;
	if (skip_blank(lx) < 0) {
		t->type = T_BAD;
		return;
	}
	p = t->p = lx->p;
	if (p >= end)
		return;
	if ((q = string_at(p, end, &bad)) != NULL || bad) {
		t->type = bad ? T_BAD : T_STRING;
	} else if (end - p >= 3 && (p[0] == 'u' || p[0] == 'U') && p[1] == '&' && (p[2] == '\'' || p[2] == '"')) {
		q = quoted_end(p + 2, end, p[2], 0);
		t->type = q == NULL ? T_BAD : p[2] == '"' ? T_QIDENT : T_STRING;
	} else if (*p == '"') {
		q = quoted_end(p, end, '"', 0);
		t->type = q == NULL ? T_BAD : T_QIDENT;
	} else if (*p == '$' && p + 1 < end && (p[1] == '$' || is_ident_start((unsigned char)p[1]))) {
		q = dollar_end(p, end);
		t->type = q == NULL ? T_BAD : T_STRING;
	} else if (is_ident_start((unsigned char)*p)) {
		for (q = p; q < end && is_ident_cont((unsigned char)*q); q++)
			;
		t->type = T_WORD;
	} else if ((*p >= '0' && *p <= '9') || (*p == '.' && p + 1 < end && p[1] >= '0' && p[1] <= '9')) {
		q = number_end(p, end);
		t->type = T_NUMBER;
	} else if (*p == ':' && p + 1 < end && p[1] == ':') {
		q = p + 2;
		t->type = T_PUNCT;
	} else {
		q = p + 1;
		t->type = T_PUNCT;
	}
	if (t->type == T_BAD) {
		lx->p = end;
		return;
	}
	t->n = (size_t)(q - p);
	lx->p = q;
}

static int
is_word(const struct tok *t, const char *w)
{
	return t->type == T_WORD && strlen(w) == t->n && strncasecmp(t->p, w, t->n) == 0;
}

static int
is_punct(const struct tok *t, const char *s)
{
	return t->type == T_PUNCT && strlen(s) == t->n && memcmp(t->p, s, t->n) == 0;
}

/* Takes the word w if it is next. */
static int
eat(struct lexer *lx, struct tok *t, const char *w)
{
	if (!is_word(t, w))
		return 0;
	next(lx, t);
	return 1;
}

/* The end of the statement: an optional ';', then nothing. */
static int
at_end(struct lexer *lx, struct tok *t)
{
	if (is_punct(t, ";"))
		next(lx, t);
	return t->type == T_END;
}

/* A name, schema-qualified or not; 0 when none is next. */
static int
eat_name(struct lexer *lx, struct tok *t)
{
	for (;;) {
		if (t->type != T_WORD && t->type != T_QIDENT)
			return 0;
		next(lx, t);
		if (!is_punct(t, "."))
			return 1;
		next(lx, t);
	}
}

/* "(a, "b", ...)" of plain column names. */
static int
eat_columns(struct lexer *lx, struct tok *t)
{
	if (!is_punct(t, "("))
		return 1;
	do {
		next(lx, t);
		if (t->type != T_WORD && t->type != T_QIDENT)
			return 0;
		next(lx, t);
	} while (is_punct(t, ","));
	if (!is_punct(t, ")"))
		return 0;
	next(lx, t);
	return 1;
}

/* A constant: [-]number, a string, TRUE/FALSE/NULL, then casts ("::type[]") when casts. */
static int
eat_literal(struct lexer *lx, struct tok *t, int casts)
{
	if (is_punct(t, "-") || is_punct(t, "+")) {
		next(lx, t);
		if (t->type != T_NUMBER)
			return 0;
	}
	if (t->type != T_NUMBER && t->type != T_STRING && !is_word(t, "true") && !is_word(t, "false") &&
	    !is_word(t, "null"))
		return 0;
	next(lx, t);
	while (casts && is_punct(t, "::")) {
		next(lx, t);
		if (!eat_name(lx, t))
			return 0;
		if (is_punct(t, "[")) {
			next(lx, t);
			if (!is_punct(t, "]"))
				return 0;
			next(lx, t);
		}
	}
	return 1;
}

/* "(constant, ...)" and the statement's end. */
static int
literal_args(struct lexer *lx, struct tok *t, int casts)
{
	if (!is_punct(t, "("))
		return 0;
	next(lx, t);
	if (!is_punct(t, ")")) {
		for (;;) {
			if (!eat_literal(lx, t, casts))
				return 0;
			if (!is_punct(t, ","))
				break;
			next(lx, t);
		}
	}
	if (!is_punct(t, ")"))
		return 0;
	next(lx, t);
	return at_end(lx, t);
}

/*
 * SELECT of one pg_catalog function a dump calls, with constants only:
 * set_config of search_path, setval, the large-object calls of pg_dump's
 * plain format and lotbackup's lo_put, and pg_dump 18's statistics
 * (SELECT * FROM ...).
 */
static const char *
select_refused(struct lexer *lx, struct tok *t)
{
	static const char *const calls[] = { "setval", "set_config", "lo_create", "lo_open", "lowrite",
		"lo_close", "lo_put", NULL };
	static const char why[] = "SELECT other than a dump's own calls of pg_catalog functions with constants";
	size_t i;
	int stats = 0;

	if (is_punct(t, "*")) {
		next(lx, t);
		if (!eat(lx, t, "from"))
			return why;
		stats = 1;
	}
	if (!eat(lx, t, "pg_catalog") || !is_punct(t, "."))
		return why;
	next(lx, t);
	if (stats) {
		if (!is_word(t, "pg_restore_relation_stats") && !is_word(t, "pg_restore_attribute_stats"))
			return why;
		next(lx, t);
		return literal_args(lx, t, 1) ? NULL : why;
	}
	for (i = 0; calls[i] != NULL && !is_word(t, calls[i]); i++)
		;
	if (calls[i] == NULL)
		return why;
	next(lx, t);
	if (i == 1) {
		/* The one setting pg_dump sets this way; another could change how strings are read. */
		struct lexer ahead = *lx;
		struct tok arg = *t;

		next(&ahead, &arg);
		if (arg.type != T_STRING || arg.n != 13 || memcmp(arg.p, "'search_path'", 13) != 0)
			return "set_config of a setting other than search_path";
	}
	return literal_args(lx, t, 0) ? NULL : why;
}

/* A setting's name as a word or "quoted" (GUC names ignore case). */
static int
is_setting(const struct tok *t, const char *name)
{
	size_t n = strlen(name);

	return is_word(t, name) || (t->type == T_QIDENT && t->n == n + 2 && strncasecmp(t->p + 1, name, n) == 0);
}

/*
 * The value of SET client_encoding or SET NAMES: DEFAULT, or a word or
 * plain '' string naming an encoding a server may have. Those are the
 * ASCII-safe ones; in SJIS, BIG5, GBK, UHC, GB18030 or JOHAB a byte after
 * a lead byte (a backslash, say) is part of a character to the server but
 * not to this reader, so a string would end elsewhere for each.
 */
static const char *
encoding_refused(struct lexer *lx, struct tok *t)
{
	static const char why[] = "SET client_encoding to an encoding a server cannot have (SJIS, BIG5, GBK...)";
	char name[64];
	size_t n;

	if (is_punct(t, "=") || is_word(t, "to"))
		next(lx, t);
	if (is_word(t, "default")) {
		next(lx, t);
		return at_end(lx, t) ? NULL : why;
	}
	if (t->type == T_WORD && t->n < sizeof(name)) {
		memcpy(name, t->p, t->n);
		name[t->n] = '\0';
	} else if (t->type == T_STRING && t->p[0] == '\'' && t->n >= 2 && t->n - 2 < sizeof(name) &&
	    memchr(t->p + 1, '\'', t->n - 2) == NULL) {
		memcpy(name, t->p + 1, t->n - 2);
		name[t->n - 2] = '\0';
	} else {
		return why;
	}
	n = strlen(name);
	if (n == 0 || !pg_valid_server_encoding_id(pg_char_to_encoding(name)))
		return why;
	next(lx, t);
	return at_end(lx, t) ? NULL : why;
}

/* SET [SESSION] name {=|TO} value: not SET LOCAL, standard_conforming_strings stays on, an ASCII-safe encoding. */
static const char *
set_refused(struct lexer *lx, struct tok *t)
{
	if (is_word(t, "local"))
		return "SET LOCAL";
	eat(lx, t, "session");
	if (is_word(t, "names") || is_setting(t, "client_encoding")) {
		next(lx, t);
		return encoding_refused(lx, t);
	}
	/* It lets a superuser change the catalogs' own tables (a trigger on pg_authid): no dump sets it. */
	if (is_setting(t, "allow_system_table_mods"))
		return "SET allow_system_table_mods";
	/* "standard_conforming_strings" quoted is the same setting. */
	if (!is_setting(t, "standard_conforming_strings"))
		return NULL;
	next(lx, t);
	if (!is_punct(t, "=") && !is_word(t, "to"))
		return "SET standard_conforming_strings other than on";
	next(lx, t);
	if (!is_word(t, "on") && !(t->type == T_STRING && t->n == 4 && memcmp(t->p, "'on'", 4) == 0))
		return "SET standard_conforming_strings other than on";
	next(lx, t);
	return at_end(lx, t) ? NULL : "SET standard_conforming_strings other than on";
}

/* Whether a name token is (case folded as the server folds it) or starts with s. */
static int
name_is(const struct tok *t, const char *s, int prefix)
{
	size_t n = strlen(s);

	if (t->type == T_WORD)
		return (prefix ? t->n >= n : t->n == n) && strncasecmp(t->p, s, n) == 0;
	return t->type == T_QIDENT && t->p[0] == '"' && (prefix ? t->n - 2 >= n : t->n - 2 == n) &&
	    memcmp(t->p + 1, s, n) == 0;
}

/*
 * Whether the table named from t is one of the system catalogs: in
 * pg_catalog or pg_toast, or unqualified with a pg_ name, which pg_catalog
 * (searched first) resolves. Rows a superuser writes there act on the
 * whole cluster (pg_authid: a role; pg_database, pg_auth_members...), and
 * no dump writes any. A U&"..." name, which no dump writes either, is
 * taken for one: its escapes could spell any name. The lexer is copied.
 */
static int
catalog_table(struct lexer lx, struct tok t)
{
	struct tok prev = { T_END, t.p, 0 }, cur;
	int parts = 0;

	for (;;) {
		if (t.type != T_WORD && t.type != T_QIDENT)
			return 0;
		if (t.type == T_QIDENT && t.p[0] != '"')
			return 1;
		cur = t;
		parts++;
		next(&lx, &t);
		if (!is_punct(&t, "."))
			break;
		prev = cur;
		next(&lx, &t);
	}
	if (parts == 1)
		return name_is(&cur, "pg_", 1);
	return name_is(&prev, "pg_catalog", 0) || name_is(&prev, "pg_toast", 0);
}

/* COPY table [(columns)] FROM stdin: any other source or direction reads or writes on the server. */
static const char *
copy_refused(struct lexer *lx, struct tok *t)
{
	static const char why[] = "COPY other than COPY table FROM stdin (a program or a server file)";

	if (catalog_table(*lx, *t))
		return "COPY into a system catalog";
	if (!eat_name(lx, t) || !eat_columns(lx, t) || !eat(lx, t, "from") || !eat(lx, t, "stdin"))
		return why;
	return at_end(lx, t) ? NULL : why;
}

/* INSERT INTO table [(columns)] [OVERRIDING ... VALUE] VALUES (constants), ... [ON CONFLICT DO NOTHING]: pg_dump --inserts. */
static const char *
insert_refused(struct lexer *lx, struct tok *t)
{
	static const char why[] = "INSERT other than of constants (pg_dump --inserts)";

	if (!eat(lx, t, "into"))
		return why;
	if (catalog_table(*lx, *t))
		return "INSERT into a system catalog";
	if (!eat_name(lx, t) || !eat_columns(lx, t))
		return why;
	if (eat(lx, t, "overriding") && !((eat(lx, t, "system") || eat(lx, t, "user")) && eat(lx, t, "value")))
		return why;
	if (!eat(lx, t, "values"))
		return why;
	for (;;) {
		if (!is_punct(t, "("))
			return why;
		do {
			next(lx, t);
			if (!eat(lx, t, "default") && !eat_literal(lx, t, 0))
				return why;
		} while (is_punct(t, ","));
		if (!is_punct(t, ")"))
			return why;
		next(lx, t);
		if (!is_punct(t, ","))
			break;
		next(lx, t);
	}
	if (eat(lx, t, "on") && !(eat(lx, t, "conflict") && eat(lx, t, "do") && eat(lx, t, "nothing")))
		return why;
	return at_end(lx, t) ? NULL : why;
}

/* Objects shared by the whole cluster, or the cluster itself: never a dump of one database's business. */
static const char *
shared_object(struct lexer *lx, struct tok *t, const char *verb)
{
	(void)lx;
	if (is_word(t, "database"))
		return !strcmp(verb, "CREATE") ? "CREATE DATABASE" : !strcmp(verb, "ALTER") ? "ALTER DATABASE" :
		    "a statement on a database";
	if (is_word(t, "role") || is_word(t, "group"))
		return "a statement on a role";
	if (is_word(t, "tablespace"))
		return "a statement on a tablespace";
	if (is_word(t, "system"))
		return "ALTER SYSTEM";
	return NULL;
}

/* The kinds of object CREATE and ALTER may name: what pg_dump writes of one database. */
static const char *
object_refused(struct lexer *lx, struct tok *t, const char *verb)
{
	static const char *const plain[] = { "schema", "extension", "type", "domain", "function", "procedure",
		"aggregate", "operator", "table", "view", "sequence", "index", "trigger", "rule", "policy",
		"publication", "collation", "conversion", "server", "cast", "transform", "language",
		"statistics", "routine", NULL };
	const char *why;
	size_t i;

	if ((why = shared_object(lx, t, verb)) != NULL)
		return why;
	if (is_word(t, "user")) {
		next(lx, t);
		return is_word(t, "mapping") ? NULL : "a statement on a role";
	}
	if (eat(lx, t, "materialized"))
		return is_word(t, "view") ? NULL : "an object no dump holds";
	if (eat(lx, t, "event"))
		return is_word(t, "trigger") ? NULL : "an object no dump holds";
	if (eat(lx, t, "text"))
		return is_word(t, "search") ? NULL : "an object no dump holds";
	if (eat(lx, t, "access"))
		return is_word(t, "method") ? NULL : "an object no dump holds";
	if (eat(lx, t, "foreign"))
		return is_word(t, "table") || is_word(t, "data") ? NULL : "an object no dump holds";
	/* pg_dump's ALTER PROCEDURAL LANGUAGE ... OWNER TO (CREATE takes PROCEDURAL as a modifier). */
	if (eat(lx, t, "procedural"))
		return is_word(t, "language") && !strcmp(verb, "ALTER") ? NULL : "an object no dump holds";
	if (eat(lx, t, "large"))
		return is_word(t, "object") && !strcmp(verb, "ALTER") ? NULL : "an object no dump holds";
	if (eat(lx, t, "default"))
		return is_word(t, "privileges") && !strcmp(verb, "ALTER") ? NULL : "an object no dump holds";
	for (i = 0; plain[i] != NULL; i++)
		if (is_word(t, plain[i]))
			return NULL;
	return "an object no dump holds";
}

/* A subscription is made not connected (as pg_dump makes it): connecting reaches another server. */
static const char *
subscription_refused(struct lexer *lx, struct tok *t)
{
	while (t->type != T_END && t->type != T_BAD) {
		if (is_word(t, "connect")) {
			next(lx, t);
			if (is_punct(t, "=")) {
				next(lx, t);
				if (is_word(t, "false") || (t->type == T_STRING && t->n == 7 &&
				    strncasecmp(t->p, "'false'", 7) == 0))
					return NULL;
			}
			continue;
		}
		next(lx, t);
	}
	return "CREATE SUBSCRIPTION that connects (pg_dump writes connect = false)";
}

static const char *
create_refused(struct lexer *lx, struct tok *t)
{
	static const char *const modifiers[] = { "or", "replace", "unique", "unlogged", "trusted", "procedural",
		"constraint", NULL };
	size_t i;

	for (i = 0; modifiers[i] != NULL; i++)
		if (eat(lx, t, modifiers[i]))
			i = (size_t)-1;
	/* CREATE DEFAULT CONVERSION. */
	if (eat(lx, t, "default") && !is_word(t, "conversion"))
		return "an object no dump holds";
	if (eat(lx, t, "subscription"))
		return subscription_refused(lx, t);
	return object_refused(lx, t, "CREATE");
}

static const char *
alter_refused(struct lexer *lx, struct tok *t)
{
	/* Only its owner: ENABLE, CONNECTION or REFRESH would reach another server. */
	if (eat(lx, t, "subscription")) {
		if (!eat_name(lx, t) || !eat(lx, t, "owner") || !eat(lx, t, "to") || !eat_name(lx, t) ||
		    !at_end(lx, t))
			return "ALTER SUBSCRIPTION other than OWNER TO";
		return NULL;
	}
	return object_refused(lx, t, "ALTER");
}

/* COMMENT ON and SECURITY LABEL [FOR provider] ON: any object of the database. */
static const char *
label_refused(struct lexer *lx, struct tok *t, int security)
{
	const char *why;

	if (security) {
		if (!eat(lx, t, "label"))
			return "a statement kind no dump holds";
		if (eat(lx, t, "for") && t->type != T_END)
			next(lx, t);
	}
	if (!eat(lx, t, "on"))
		return "a statement kind no dump holds";
	if ((why = shared_object(lx, t, "COMMENT")) != NULL)
		return why;
	return is_word(t, "parameter") ? "a statement on a server parameter" : NULL;
}

/* GRANT/REVOKE ... ON object: without ON it grants a role; databases, tablespaces and parameters are shared. */
static const char *
grant_refused(struct lexer *lx, struct tok *t)
{
	const char *why;

	for (; t->type != T_END && t->type != T_BAD; next(lx, t)) {
		if (lx->depth > 0)
			continue;
		if (is_word(t, "to") || is_word(t, "from"))
			break;
		if (!is_word(t, "on"))
			continue;
		next(lx, t);
		if ((why = shared_object(lx, t, "GRANT")) != NULL)
			return why;
		if (is_word(t, "parameter"))
			return "a statement on a server parameter";
		return NULL;
	}
	return "GRANT or REVOKE of a role";
}

/*
 * One statement only: libpq runs every statement of a string it is given,
 * so a ';' with more after it at the top level is refused, except inside
 * the BEGIN ATOMIC ... END body of a function or procedure (the server ends
 * it at the first END not opened by a CASE: both are reserved words).
 */
static const char *
several_refused(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };
	struct tok prev = { T_END, text, 0 };
	int routine = 0, words = 0, body = 0, cases = 0, prev_begin = 0;

	for (next(&lx, &t); t.type != T_END; prev = t, next(&lx, &t)) {
		if (t.type == T_BAD)
			return "an unterminated string, quoted name or comment";
		if (t.type == T_WORD && words < 4) {
			/* CREATE [OR REPLACE] FUNCTION|PROCEDURE */
			if (words == 0)
				routine = is_word(&t, "create");
			else if (routine && (is_word(&t, "function") || is_word(&t, "procedure")))
				routine = 2;
			else if (routine == 1 && !is_word(&t, "or") && !is_word(&t, "replace"))
				routine = 0;
			words++;
		}
		if (lx.depth > 0)
			continue;
		if (body) {
			/* A name, not the keyword: pg_dump quotes it ("case"); the server would end the body elsewhere. */
			if ((is_word(&t, "case") || is_word(&t, "end")) && (is_word(&prev, "as") || is_punct(&prev, ".")))
				return "CASE or END as a name in a BEGIN ATOMIC body";
			if (is_word(&t, "case"))
				cases++;
			else if (is_word(&t, "end") && cases > 0)
				cases--;
			else if (is_word(&t, "end"))
				body = 0;
			continue;
		}
		if (routine == 2 && prev_begin && is_word(&t, "atomic")) {
			body = 1;
			cases = 0;
		}
		prev_begin = is_word(&t, "begin");
		if (is_punct(&t, ";")) {
			next(&lx, &t);
			if (t.type != T_END)
				return "more than one statement in one";
			break;
		}
	}
	return NULL;
}

/* \restrict KEY and \unrestrict KEY (pg_dump 15.14+, 17.6+), the key of letters and digits. */
static const char *
meta_refused(const char *t, size_t len)
{
	static const char why[] = "a psql meta-command other than \\restrict or \\unrestrict";
	size_t n, i, key = 0;

	if (len >= 10 && memcmp(t, "\\restrict ", 10) == 0)
		n = 10;
	else if (len >= 12 && memcmp(t, "\\unrestrict ", 12) == 0)
		n = 12;
	else
		return why;
	for (i = n; i < len && ((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'z') ||
	    (t[i] >= 'A' && t[i] <= 'Z')); i++)
		key++;
	while (i < len && (t[i] == ' ' || t[i] == '\t'))
		i++;
	return key > 0 && i == len ? NULL : why;
}

const char *
sql_refused(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };
	const char *why;

	if (len > 0 && text[0] == '\\')
		return meta_refused(text, len);
	if ((why = several_refused(text, len)) != NULL)
		return why;
	next(&lx, &t);
	if (eat(&lx, &t, "set"))
		return set_refused(&lx, &t);
	if (eat(&lx, &t, "select"))
		return select_refused(&lx, &t);
	if (eat(&lx, &t, "create"))
		return create_refused(&lx, &t);
	if (eat(&lx, &t, "alter"))
		return alter_refused(&lx, &t);
	if (eat(&lx, &t, "comment"))
		return label_refused(&lx, &t, 0);
	if (eat(&lx, &t, "security"))
		return label_refused(&lx, &t, 1);
	if (eat(&lx, &t, "grant") || eat(&lx, &t, "revoke"))
		return grant_refused(&lx, &t);
	if (eat(&lx, &t, "copy"))
		return copy_refused(&lx, &t);
	if (eat(&lx, &t, "insert"))
		return insert_refused(&lx, &t);
	if (eat(&lx, &t, "refresh"))
		return eat(&lx, &t, "materialized") && is_word(&t, "view") ? NULL : "a statement kind no dump holds";
	/* pg_dump's plain format wraps large objects' data in BEGIN; ... COMMIT;. */
	if (eat(&lx, &t, "begin") || eat(&lx, &t, "commit"))
		return at_end(&lx, &t) ? NULL : "a transaction statement other than BEGIN; or COMMIT;";
	/* After the GRANTs a role other than the owner made under SET ROLE. */
	if (eat(&lx, &t, "reset"))
		return eat(&lx, &t, "role") && at_end(&lx, &t) ? NULL : "RESET other than RESET ROLE";
	if (is_word(&t, "drop"))
		return "DROP (a dump holds none; restore --clean drops what it must itself)";
	return "a statement kind no dump holds";
}

/* A name of the setting "role" or "session_authorization", as a word or quoted (GUC names ignore case). */
static int
is_role_setting(const struct tok *t)
{
	static const char *const names[] = { "role", "session_authorization", NULL };
	size_t i, n;

	for (i = 0; names[i] != NULL; i++) {
		n = strlen(names[i]);
		if (is_word(t, names[i]) || (t->type == T_QIDENT && t->n == n + 2 &&
		    strncasecmp(t->p + 1, names[i], n) == 0))
			return 1;
	}
	return 0;
}

/* SET [SESSION] {ROLE | SESSION AUTHORIZATION | role = | session_authorization =} ..., RESET of the same. */
static int
changes_role(struct lexer *lx, struct tok *t)
{
	if (!eat(lx, t, "set") && !eat(lx, t, "reset"))
		return 0;
	if (eat(lx, t, "session") && is_word(t, "authorization"))
		return 1;
	eat(lx, t, "session");
	return is_role_setting(t) || is_word(t, "authorization");
}

/*
 * ALTER ... OWNER TO name as the whole of the statement: a comma at the top
 * level would add other actions, which a skip would keep from the copy.
 */
static int
changes_owner(struct lexer *lx, struct tok *t)
{
	int state = 0;	/* 1 after OWNER, 2 after TO, 3 after the name, 4 after the ';' */

	if (!eat(lx, t, "alter"))
		return 0;
	for (; t->type != T_END && t->type != T_BAD; next(lx, t)) {
		if (lx->depth == 0 && is_punct(t, ","))
			return 0;
		if (state == 3 && is_punct(t, ";"))
			state = 4;
		else if (lx->depth == 0 && is_word(t, "owner"))
			state = 1;
		else if (state == 1 && is_word(t, "to"))
			state = 2;
		else if (state == 2 && (t->type == T_WORD || t->type == T_QIDENT))
			state = 3;
		else
			state = 0;
	}
	return t->type == T_END && state >= 3;
}

/* CREATE EXTENSION IF NOT EXISTS x WITH SCHEMA s; or COMMENT ON EXTENSION x IS '...'; as a dump writes them. */
static int
extension_fixed_form(struct lexer *lx, struct tok *t)
{
	if (eat(lx, t, "create"))
		return eat(lx, t, "extension") && eat(lx, t, "if") && eat(lx, t, "not") && eat(lx, t, "exists") &&
		    eat_name(lx, t) && eat(lx, t, "with") && eat(lx, t, "schema") && eat_name(lx, t) && at_end(lx, t);
	if (!eat(lx, t, "comment") || !eat(lx, t, "on") || !eat(lx, t, "extension") || !eat_name(lx, t) ||
	    !eat(lx, t, "is") || t->type != T_STRING)
		return 0;
	next(lx, t);
	return at_end(lx, t);
}

char *
sql_name_value(const char *written)
{
	char *v = xstrdup(written), *out = v;
	const char *p;

	if (*written != '"') {
		if (strchr(written, '"') != NULL) {	/* U&"...": its escapes can spell any name */
			free(v);
			return NULL;
		}
		for (; *out != '\0'; out++)
			if (*out >= 'A' && *out <= 'Z')
				*out = (char)(*out - 'A' + 'a');
		return v;
	}
	for (p = written + 1; *p != '\0' && !(*p == '"' && p[1] != '"'); p++) {
		*out++ = *p;
		p += *p == '"';	/* "" is one quote */
	}
	*out = '\0';
	return v;
}

char *
sql_extension_created(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };

	next(&lx, &t);
	if (!eat(&lx, &t, "create") || !eat(&lx, &t, "extension") || !eat(&lx, &t, "if") || !eat(&lx, &t, "not") ||
	    !eat(&lx, &t, "exists") || (t.type != T_WORD && t.type != T_QIDENT))
		return NULL;
	return xstrndup(t.p, t.n);
}

int
sql_sets_owner(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };
	struct lexer start;
	struct tok first;

	next(&lx, &t);
	start = lx;
	first = t;
	if (changes_role(&lx, &t))
		return 1;
	lx = start;
	t = first;
	return changes_owner(&lx, &t);
}

/* Whether a top-level (depth) run of tokens from here holds w1 then w2 (w2 NULL: w1 alone). */
static int
scan_words(struct lexer *lx, struct tok *t, int depth, const char *w1, const char *w2)
{
	for (; t->type != T_END && t->type != T_BAD; next(lx, t)) {
		if (lx->depth != depth || !is_word(t, w1))
			continue;
		next(lx, t);
		if (w2 == NULL || is_word(t, w2) || (is_punct(t, "=") && (next(lx, t), is_word(t, w2))))
			return 1;
	}
	return 0;
}

/* RENAME at the top level, then TO, a kind of part renamed, or a name and TO ("RENAME c TO d"). */
static int
renames(struct lexer *lx, struct tok *t)
{
	static const char *const parts[] = { "to", "column", "constraint", "attribute", "value", NULL };
	size_t i;

	for (; t->type != T_END && t->type != T_BAD; next(lx, t)) {
		if (lx->depth != 0 || !is_word(t, "rename"))
			continue;
		next(lx, t);
		for (i = 0; parts[i] != NULL; i++)
			if (is_word(t, parts[i]))
				return 1;
		if (t->type == T_WORD || t->type == T_QIDENT) {
			next(lx, t);
			if (is_word(t, "to"))
				return 1;
		}
	}
	return 0;
}

const char *
sql_reprints(const char *text, size_t len)
{
	static const char *const verbs[] = { "add", "drop", "alter", NULL };
	struct lexer lx = { text, text + len, 0 }, start;
	struct tok t = { T_END, text, 0 }, first;
	size_t i;

	next(&lx, &t);
	if (!eat(&lx, &t, "alter"))
		return NULL;
	start = lx;
	first = t;
	if (renames(&lx, &t))
		return "ALTER ... RENAME";
	lx = start;
	t = first;
	if (scan_words(&lx, &t, 0, "set", "schema"))
		return "ALTER ... SET SCHEMA";
	for (i = 0; is_word(&first, "type") && verbs[i] != NULL; i++) {
		lx = start;
		t = first;
		if (scan_words(&lx, &t, 0, verbs[i], "attribute"))
			return "ALTER TYPE ... ATTRIBUTE";
	}
	return NULL;
}

/* Past CREATE: the words that may come before TABLE (GLOBAL TEMPORARY, UNLOGGED...), in any order. */
static void
skip_table_modifiers(struct lexer *lx, struct tok *t)
{
	static const char *const modifiers[] = { "global", "local", "temp", "temporary", "unlogged", NULL };
	size_t i;

	for (i = 0; modifiers[i] != NULL; i++)
		if (eat(lx, t, modifiers[i]))
			i = (size_t)-1;
}

int
sql_table_from_query(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };

	next(&lx, &t);
	if (!eat(&lx, &t, "create"))
		return 0;
	skip_table_modifiers(&lx, &t);
	/* A plain CREATE TABLE has its columns in parentheses: AS outside them starts a query. */
	return eat(&lx, &t, "table") && scan_words(&lx, &t, 0, "as", NULL);
}

int
sql_depends_on_persistence(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };
	struct lexer start;
	struct tok first;

	next(&lx, &t);
	start = lx;
	first = t;
	if (eat(&lx, &t, "create")) {
		skip_table_modifiers(&lx, &t);
		if (is_word(&t, "table") || is_word(&t, "publication"))
			return 1;
	}
	lx = start;
	t = first;
	if (!eat(&lx, &t, "alter"))
		return 0;
	if (is_word(&t, "publication"))
		return 1;
	start = lx;
	first = t;
	if (scan_words(&lx, &t, 0, "set", "logged"))
		return 1;
	lx = start;
	t = first;
	return scan_words(&lx, &t, 0, "set", "unlogged");
}

/* Kinds whose every statement (CREATE, ALTER, COMMENT ON) is a superuser's in a dump. */
static const char *
superuser_object(struct lexer *lx, struct tok *t)
{
	if (eat(lx, t, "event"))
		return is_word(t, "trigger") ? "EVENT TRIGGER" : NULL;
	if (eat(lx, t, "foreign"))
		return eat(lx, t, "data") && is_word(t, "wrapper") ? "FOREIGN DATA WRAPPER" : NULL;
	if (eat(lx, t, "operator"))
		return is_word(t, "class") ? "OPERATOR CLASS" : is_word(t, "family") ? "OPERATOR FAMILY" : NULL;
	if (eat(lx, t, "text") && eat(lx, t, "search"))
		return is_word(t, "parser") ? "TEXT SEARCH PARSER" : is_word(t, "template") ? "TEXT SEARCH TEMPLATE" : NULL;
	if (eat(lx, t, "access"))
		return is_word(t, "method") ? "ACCESS METHOD" : NULL;
	if (is_word(t, "subscription"))
		return "SUBSCRIPTION";
	if (is_word(t, "transform"))
		return "TRANSFORM";
	eat(lx, t, "procedural");
	return is_word(t, "language") ? "LANGUAGE" : NULL;
}

/* CREATE [OR REPLACE] of a superuser-only kind, by what follows the kind's words. */
static const char *
superuser_create(struct lexer *lx, struct tok *t)
{
	struct lexer at = *lx;
	struct tok first = *t;
	const char *kind;

	eat(lx, t, "trusted");
	if ((kind = superuser_object(lx, t)) != NULL)
		return strcmp(kind, "LANGUAGE") == 0 ? "CREATE LANGUAGE" : "CREATE (superuser kind)";
	*lx = at;
	*t = first;
	if (eat(lx, t, "type"))
		return !eat_name(lx, t) ? NULL : is_punct(t, "(") ? "CREATE TYPE (base)" :
		    at_end(lx, t) ? "CREATE TYPE (shell)" : NULL;
	if (eat(lx, t, "function") || eat(lx, t, "procedure"))
		return eat_name(lx, t) && (scan_words(lx, t, 0, "language", "c") ||
		    (*lx = at, *t = first, scan_words(lx, t, 0, "language", "internal"))) ?
		    "CREATE FUNCTION LANGUAGE C" : NULL;
	if (eat(lx, t, "aggregate"))
		return scan_words(lx, t, 1, "stype", "internal") ? "CREATE AGGREGATE (internal state)" : NULL;
	/* A wrapper's USAGE is given by its owner, a superuser: a load as another role has none. */
	if (is_word(t, "server"))
		return "CREATE SERVER";
	if (eat(lx, t, "cast"))
		return scan_words(lx, t, 0, "without", "function") ? "CREATE CAST WITHOUT FUNCTION" : NULL;
	if (eat(lx, t, "publication"))
		return scan_words(lx, t, 0, "all", "tables") ||
		    (*lx = at, *t = first, scan_words(lx, t, 0, "tables", "in")) ?
		    "CREATE PUBLICATION (all tables or schemas)" : NULL;
	return NULL;
}

const char *
sql_superuser_kind(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };

	next(&lx, &t);
	if (eat(&lx, &t, "create")) {
		if (eat(&lx, &t, "or") && !eat(&lx, &t, "replace"))
			return NULL;
		return superuser_create(&lx, &t);
	}
	if (eat(&lx, &t, "alter")) {
		if (eat(&lx, &t, "publication"))
			return scan_words(&lx, &t, 0, "tables", "in") ? "ALTER PUBLICATION ADD TABLES IN SCHEMA" : NULL;
		return superuser_object(&lx, &t) != NULL ? "ALTER (superuser kind)" : NULL;
	}
	if (eat(&lx, &t, "comment") && eat(&lx, &t, "on"))
		return superuser_object(&lx, &t) != NULL ? "COMMENT ON (superuser kind)" : NULL;
	return NULL;
}

/* The words between CREATE and the name of the object it makes. */
static int
is_kind_word(const struct tok *t)
{
	static const char *const words[] = { "or", "replace", "trusted", "procedural", "language", "event",
		"trigger", "foreign", "data", "wrapper", "server", "function", "procedure", "aggregate", "type",
		"text", "search", "parser", "template", "dictionary", "configuration", "access", "method",
		"operator", "class", "family", "publication", "subscription", "table", "view", "materialized",
		"recursive", "unlogged", "schema", "sequence", "domain", "collation", "conversion", "default",
		"statistics", "if", "not", "exists", NULL };
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (is_word(t, words[i]))
			return 1;
	return 0;
}

/*
 * CREATE [UNIQUE] INDEX name ON [ONLY] schema.table: the index is named
 * bare but lives in its table's schema, as ALTER INDEX names it.
 */
static char *
index_name(struct lexer *lx, struct tok *t)
{
	struct tok name;

	eat(lx, t, "concurrently");
	if (eat(lx, t, "if") && !(eat(lx, t, "not") && eat(lx, t, "exists")))
		return NULL;
	if (t->type != T_WORD && t->type != T_QIDENT)
		return NULL;
	name = *t;
	next(lx, t);
	if (!eat(lx, t, "on"))
		return NULL;
	eat(lx, t, "only");
	if (t->type != T_WORD && t->type != T_QIDENT)
		return NULL;
	return xasprintf("%.*s.%.*s", (int)t->n, t->p, (int)name.n, name.p);
}

/*
 * CREATE [CONSTRAINT] TRIGGER, RULE or POLICY name ... ON|TO table: the
 * name is its table's alone, "name ON schema.table" (sql_mentions wants
 * both), as another table's trigger may have the same name.
 */
static char *
table_object_name(struct lexer *lx, struct tok *t)
{
	struct tok name, first;
	const char *word = is_word(t, "rule") ? "to" : "on";

	next(lx, t);
	if (t->type != T_WORD && t->type != T_QIDENT)
		return NULL;
	name = *t;
	for (next(lx, t); t->type != T_END && t->type != T_BAD && !is_word(t, word); next(lx, t))
		;
	if (!eat(lx, t, word) || (t->type != T_WORD && t->type != T_QIDENT))
		return NULL;
	first = *t;
	next(lx, t);
	if (is_punct(t, ".") && (next(lx, t), t->type == T_WORD || t->type == T_QIDENT))
		return xasprintf("%.*s ON %.*s", (int)name.n, name.p, (int)(t->p + t->n - first.p), first.p);
	return xasprintf("%.*s ON %.*s", (int)name.n, name.p, (int)first.n, first.p);
}

char *
sql_created_name(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 }, first, last = { T_END, text, 0 };

	next(&lx, &t);
	if (!eat(&lx, &t, "create") || is_word(&t, "cast") || is_word(&t, "transform") || is_word(&t, "user"))
		return NULL;
	eat(&lx, &t, "unique");
	if (eat(&lx, &t, "index"))
		return index_name(&lx, &t);
	eat(&lx, &t, "constraint");
	if (is_word(&t, "trigger") || is_word(&t, "rule") || is_word(&t, "policy"))
		return table_object_name(&lx, &t);
	while (is_kind_word(&t))
		next(&lx, &t);
	first = t;
	while (t.type == T_WORD || t.type == T_QIDENT) {
		last = t;
		next(&lx, &t);
		if (!is_punct(&t, "."))
			break;
		next(&lx, &t);
		/* An operator's name is a symbol: its schema alone would name all the schema holds. */
		if (t.type != T_WORD && t.type != T_QIDENT)
			return NULL;
	}
	return last.type == T_END ? NULL : xstrndup(first.p, (size_t)(last.p + last.n - first.p));
}

/* Whether two name tokens are the same name: a word folds case, a quoted name does not. */
static int
same_name(const struct tok *a, const struct tok *b)
{
	if (a->type != b->type || a->n != b->n)
		return 0;
	return a->type == T_WORD ? strncasecmp(a->p, b->p, a->n) == 0 : memcmp(a->p, b->p, a->n) == 0;
}

/*
 * The name's tokens, in a row, at the statement's token (the lexer is
 * copied: the caller goes on from its own place).
 */
static int
name_at(struct lexer lx, struct tok t, const char *name)
{
	struct lexer nlx = { name, name + strlen(name), 0 };
	struct tok n = { T_END, name, 0 };

	for (next(&nlx, &n); n.type != T_END; next(&nlx, &n), next(&lx, &t))
		if (!(n.type == T_PUNCT ? is_punct(&t, ".") : same_name(&n, &t)))
			return 0;
	return 1;
}

/* The statement has the name's run of tokens, not after a dot. */
static int
mentions_run(const char *text, size_t len, const char *name)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 }, prev = { T_END, text, 0 };

	/* Not after a dot: public.x is not other.public.x's start, nor is x a's column x (a.x). */
	for (next(&lx, &t); t.type != T_END && t.type != T_BAD; prev = t, next(&lx, &t))
		if (!is_punct(&prev, ".") && name_at(lx, t, name))
			return 1;
	return 0;
}

int
sql_mentions(const char *text, size_t len, const char *name)
{
	struct lexer lx = { name, name + strlen(name), 0 };
	struct tok t = { T_END, name, 0 };
	char *own;
	int rc;

	/* "name ON table" (table_object_name): both, in any order (ALTER TABLE t DISABLE TRIGGER name). */
	for (next(&lx, &t); t.type != T_END && !is_word(&t, "on"); next(&lx, &t))
		;
	if (t.type == T_END)
		return mentions_run(text, len, name);
	own = xstrndup(name, (size_t)(t.p - 1 - name));
	rc = mentions_run(text, len, own) && mentions_run(text, len, t.p + 3);
	free(own);
	return rc;
}

/*
 * GRANT or REVOKE on pg_catalog's schema or on one of its objects (the
 * dump's changes since initdb, dump-schema-kinds2.c's catalog_acl_sql).
 * Column lists and names are quoted by the dump when they are keywords,
 * so the first bare ON ends the privileges.
 */
static int
on_catalog(struct lexer *lx, struct tok *t)
{
	if (!eat(lx, t, "grant") && !eat(lx, t, "revoke"))
		return 0;
	while (t->type != T_END && t->type != T_BAD && !is_word(t, "on"))
		next(lx, t);
	if (!eat(lx, t, "on"))
		return 0;
	if (eat(lx, t, "schema"))
		return eat(lx, t, "pg_catalog") && (is_word(t, "to") || is_word(t, "from"));
	if (!eat(lx, t, "table") && !eat(lx, t, "sequence") && !eat(lx, t, "function") &&
	    !eat(lx, t, "procedure") && !eat(lx, t, "type"))
		return 0;
	return eat(lx, t, "pg_catalog") && is_punct(t, ".");
}

enum sql_confined
sql_confined_action(const char *text, size_t len)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };
	struct lexer start;
	struct tok first;

	if (sql_sets_owner(text, len))
		return SQL_CONFINED_SKIP;
	next(&lx, &t);
	start = lx;
	first = t;
	/* Privileges of objects made later, for roles the load is not: the dump writes them last. */
	if (eat(&lx, &t, "alter") && eat(&lx, &t, "default") && is_word(&t, "privileges"))
		return SQL_CONFINED_SKIP;
	lx = start;
	t = first;
	/* pg_catalog's privileges: the load's role owns none of its objects. */
	if (on_catalog(&lx, &t))
		return SQL_CONFINED_SKIP;
	lx = start;
	t = first;
	if (extension_fixed_form(&lx, &t))
		return SQL_CONFINED_PRIVILEGED;
	return sql_superuser_kind(text, len) != NULL ? SQL_CONFINED_SUPERUSER : SQL_CONFINED_RUN;
}

/*
 * The globals file (db --globals, dump-globals.c): each statement in
 * exactly a form its writer gives, read with this lexer, so that no
 * spelling (case, blanks, comments, quoting) reads as one form here and
 * as something else to the server.
 */

/*
 * A role or tablespace name, as the server keeps it, into *out; 0 when
 * none is next. A bare word that the server reads as a role specifier or
 * keyword where a role goes (ALTER ROLE ALL is every role) is no name.
 */
static int
global_name(struct lexer *lx, struct tok *t, char **out)
{
	static const char *const specifiers[] = { "all", "public", "none", "current_user", "current_role",
		"session_user", "user", NULL };
	char *written;
	size_t i;

	if (t->type != T_WORD && t->type != T_QIDENT)
		return 0;
	for (i = 0; t->type == T_WORD && specifiers[i] != NULL; i++)
		if (is_word(t, specifiers[i]))
			return 0;
	written = xstrndup(t->p, t->n);
	*out = sql_name_value(written);
	free(written);
	if (*out == NULL)
		return 0;
	next(lx, t);
	return 1;
}

/* WITH and the seven attributes, in the writer's order; *privileged for a positive one that reaches past the role. */
static int
role_attributes(struct lexer *lx, struct tok *t, int *privileged)
{
	static const char *const pairs[][2] = { { "superuser", "nosuperuser" }, { "inherit", "noinherit" },
		{ "createrole", "nocreaterole" }, { "createdb", "nocreatedb" }, { "login", "nologin" },
		{ "replication", "noreplication" }, { "bypassrls", "nobypassrls" } };
	size_t i;

	if (!eat(lx, t, "with"))
		return 0;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		/* CREATEROLE: before 16 such a role may grant itself any role but a superuser. */
		if (is_word(t, pairs[i][0]) && (i == 0 || i == 2 || i == 5 || i == 6))
			*privileged = 1;
		if (!eat(lx, t, pairs[i][0]) && !eat(lx, t, pairs[i][1]))
			return 0;
	}
	if (eat(lx, t, "connection")) {
		if (!eat(lx, t, "limit") || t->type != T_NUMBER)
			return 0;
		next(lx, t);
	}
	if (eat(lx, t, "valid")) {
		if (!eat(lx, t, "until") || t->type != T_STRING)
			return 0;
		next(lx, t);
	}
	return at_end(lx, t);
}

/* TO value[, ...]: constants and names, as a setting's stored text reads back. */
static int
setting_value(struct lexer *lx, struct tok *t)
{
	if (!eat(lx, t, "to"))
		return 0;
	for (;;) {
		if (t->type == T_WORD || t->type == T_QIDENT)
			next(lx, t);
		else if (!eat_literal(lx, t, 0))
			return 0;
		if (!is_punct(t, ","))
			return at_end(lx, t);
		next(lx, t);
	}
}

/* GRANT's options after the member: none, WITH ADMIN OPTION, or 16's WITH ADMIN b, INHERIT b, SET b. */
static int
grant_options(struct lexer *lx, struct tok *t)
{
	static const char *const v16[] = { "admin", "inherit", "set" };
	size_t i;

	if (!eat(lx, t, "with"))
		return at_end(lx, t);
	if (eat(lx, t, "admin") && eat(lx, t, "option"))
		return at_end(lx, t);
	for (i = 0; i < 3; i++) {
		if ((i > 0 && (!is_punct(t, ",") || (next(lx, t), !eat(lx, t, v16[i])))) ||
		    (!eat(lx, t, "true") && !eat(lx, t, "false")))
			return 0;
	}
	return at_end(lx, t);
}

/* SET (option = constant, ...) of a tablespace. */
static int
tablespace_options(struct lexer *lx, struct tok *t)
{
	if (!eat(lx, t, "set") || !is_punct(t, "("))
		return 0;
	do {
		next(lx, t);
		if (t->type != T_WORD)
			return 0;
		next(lx, t);
		if (!is_punct(t, "="))
			return 0;
		next(lx, t);
		if (!eat_literal(lx, t, 0))
			return 0;
	} while (is_punct(t, ","));
	if (!is_punct(t, ")"))
		return 0;
	next(lx, t);
	return at_end(lx, t);
}

/* ALTER ROLE r WITH ... or ALTER ROLE r SET s TO v, r into g->name. */
static int
global_alter_role(struct lexer *lx, struct tok *t, struct sql_global *g)
{
	if (!global_name(lx, t, &g->name))
		return 0;
	if (is_word(t, "with")) {
		g->kind = SQL_GLOBAL_ROLE_ATTRIBUTES;
		return role_attributes(lx, t, &g->privileged);
	}
	g->kind = SQL_GLOBAL_ROLE_SETTING;
	return eat(lx, t, "set") && global_name(lx, t, &g->other) && setting_value(lx, t);
}

int
sql_global_read(const char *text, size_t len, struct sql_global *g)
{
	struct lexer lx = { text, text + len, 0 };
	struct tok t = { T_END, text, 0 };
	int ok = 0;

	memset(g, 0, sizeof(*g));
	next(&lx, &t);
	if (eat(&lx, &t, "create")) {
		if (eat(&lx, &t, "role")) {
			g->kind = SQL_GLOBAL_CREATE_ROLE;
			ok = global_name(&lx, &t, &g->name) && at_end(&lx, &t);
		} else if (eat(&lx, &t, "tablespace")) {
			g->kind = SQL_GLOBAL_CREATE_TABLESPACE;
			ok = global_name(&lx, &t, &g->name) && eat(&lx, &t, "owner") && global_name(&lx, &t, &g->other) &&
			    eat(&lx, &t, "location") && t.type == T_STRING && (next(&lx, &t), at_end(&lx, &t));
		}
	} else if (eat(&lx, &t, "alter")) {
		if (eat(&lx, &t, "role")) {
			ok = global_alter_role(&lx, &t, g);
		} else if (eat(&lx, &t, "tablespace")) {
			g->kind = SQL_GLOBAL_TABLESPACE_OPTIONS;
			ok = global_name(&lx, &t, &g->name) && tablespace_options(&lx, &t);
		}
	} else if (eat(&lx, &t, "comment")) {
		g->kind = SQL_GLOBAL_ROLE_COMMENT;
		ok = eat(&lx, &t, "on") && eat(&lx, &t, "role") && global_name(&lx, &t, &g->name) &&
		    eat(&lx, &t, "is") && t.type == T_STRING && (next(&lx, &t), at_end(&lx, &t));
	} else if (eat(&lx, &t, "grant")) {
		g->kind = SQL_GLOBAL_GRANT;
		ok = global_name(&lx, &t, &g->other) && eat(&lx, &t, "to") && global_name(&lx, &t, &g->name) &&
		    grant_options(&lx, &t);
	}
	if (!ok)
		sql_global_free(g);
	return ok ? 0 : -1;
}

void
sql_global_free(struct sql_global *g)
{
	free(g->name);
	free(g->other);
	memset(g, 0, sizeof(*g));
}
