/*
 * A streaming SQL script splitter that follows psql's lexer (PostgreSQL 15,
 * src/fe_utils/psqlscan.l and mainloop.c as shipped in 15.x): the byte
 * stream is cut where psql would send a statement, without running psql.
 *
 * The lexer is a byte-at-a-time state machine, so input may be split
 * anywhere; a byte that ends a pending token is "reprocessed" in the next
 * state instead of being looked ahead at. Statement text is not copied while
 * it lies in the caller's buffer: only the part that started in an earlier
 * feed is kept in s->item. COPY data is cut at newlines with memchr and
 * handed on; only a line split across feeds is carried over.
 *
 * psql lexes a file one line at a time and never shows the lexer the '\n'.
 * That matters in one place only, the continuation of a quoted string after
 * a newline (see step_quote_stop); everywhere else a '\n' ends a token just
 * as the end of psql's line buffer does.
 *
 * Deliberate differences from psql, all for a restore driven over libpq:
 * "--" comments stay in the statement text (psql strips them); whitespace and
 * comments before a statement's first token are dropped (psql sends a
 * comment-only buffer too); a backslash inside a statement, text after
 * "COPY ... FROM stdin;" on its line, and NUL bytes are errors; psql
 * variables (:name) are not interpolated; COPY mode follows the statement
 * text (COPY ... FROM STDIN), not the server's answer; and
 * standard_conforming_strings follows SET/RESET statements, not the server.
 * The client encoding is assumed to be ASCII-safe (UTF8, LATIN*, ...), as
 * psql does for those; SJIS-like encodings are not handled.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/sql-split.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* PostgreSQL rejects longer query strings and COPY lines anyway (MaxAllocSize). */
#define ITEM_MAX ((size_t)1 << 30)
/* Longest keyword we compare identifiers with, "procedure", fits. */
#define WORD_MAX 16
/* Counters saturate here; nothing legitimate gets close. */
#define DEPTH_MAX (INT_MAX / 2)

enum lex_state {
	L_INITIAL,
	L_DASH,			/* '-': a "--" comment or an operator */
	L_SLASH,		/* '/': a block comment or an operator */
	L_LINE_COMMENT,
	L_BLOCK_COMMENT,
	L_IDENT,
	L_UAMP,			/* "u&": U&'...' or U&"..." or the '&' operator */
	L_DOLLAR,		/* '$' at a token start */
	L_DOLTAG,		/* "$tag" of a would-be dollar quote */
	L_PARAM,		/* "$1" */
	L_DOT,
	L_NUM_INT,
	L_NUM_INT_DOT,
	L_NUM_DEC,
	L_NUM_E,		/* number then [Ee]: exponent or trailing junk */
	L_NUM_ESIGN,
	L_NUM_REAL,
	L_NUM_JUNK,		/* identifier glued to a number: one token */
	L_XB,			/* B'..' X'..': no doubling, no escapes */
	L_XQ,			/* '..' and U&'..' */
	L_XQ_QUOTE,
	L_XE,			/* E'..' */
	L_XE_BSLASH,
	L_XE_QUOTE,
	L_QS_A,			/* after a closing quote, before a newline */
	L_QS_A_DASH,
	L_QS_A_COMMENT,
	L_QS_B,			/* after the newline: a quote continues the string */
	L_QS_B_DASH,
	L_QS_B_COMMENT,
	L_XD,			/* "ident" */
	L_XD_QUOTE,
	L_XDOLQ,
	L_META,
	L_COPY_TAIL,		/* rest of the line after COPY ... FROM stdin; */
	L_COPY_TAIL_DASH,
	L_COPY_TAIL_COMMENT,
};

enum keyword {
	KW_NONE,
	KW_BEGIN,
	KW_CASE,
	KW_COPY,
	KW_CREATE,
	KW_END,
	KW_FROM,
	KW_FUNCTION,
	KW_OR,
	KW_PROCEDURE,
	KW_REPLACE,
	KW_RESET,
	KW_SET,
	KW_STDIN,
};

enum stmt_kind {
	K_OTHER,
	K_COPY,
	K_SET,
	K_RESET,
};

struct sql_splitter {
	sql_item_fn fn;
	void *ctx;
	int failed;
	int finished;
	int bom_seen;		/* bytes of a leading UTF-8 BOM seen; 3: done */
	struct strbuf err;
	long line;

	enum lex_state st;
	int std_strings;	/* standard_conforming_strings as last SET */

	/* The statement or meta line being read. */
	int in_item;
	struct strbuf item;	/* its bytes from earlier feeds */
	size_t seg;		/* where its unsaved part starts in this feed */
	long item_line;
	long pend_line;		/* line of a pending '-' or '/' */

	/* psql's counters. */
	int paren_depth;
	int begin_depth;
	int xc_depth;
	int xc_pend;		/* '/' or '*' just seen inside a block comment */
	int ident_count;
	char idents[4];		/* first letters of create/function/... by position */
	char word[WORD_MAX];	/* current identifier, lower-cased prefix */
	size_t word_len;
	char word_first;	/* its first byte as written */
	enum lex_state qs_ret;	/* string state a continuation returns to */
	int qs_fresh;		/* nothing read since the closing quote */
	long tok_line;		/* where the open quote or comment began */
	struct strbuf tag;	/* "$tag$" of the open dollar quote */
	size_t tag_pos;		/* bytes of tag matched so far */

	/* What the statement is, for COPY and SET tracking. */
	enum stmt_kind kind;
	int first_tok;		/* the next token is the statement's first */
	int after_from;		/* last token at depth 0 was FROM */
	int copy_in;		/* saw FROM STDIN at depth 0 */

	/* COPY data. */
	int copy_mode;
	long copy_line;
	struct strbuf carry;	/* a data line split across feeds */
	long carry_line;
};

static int
fail(struct sql_splitter *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct sql_splitter *s, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(&s->err);
	va_start(ap, fmt);
	strbuf_vprintf(&s->err, fmt, ap);
	va_end(ap);
	s->failed = 1;
	return -1;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Bytes >= 0x80 count as letters, as in psql (any multibyte character). */
static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
is_dolq_cont(int c)
{
	return is_ident_start(c) || is_digit(c);
}

static int
is_ident_cont(int c)
{
	return is_dolq_cont(c) || c == '$';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static enum keyword
keyword(const char *w, size_t n)
{
	static const struct {
		const char *name;
		enum keyword kw;
	} words[] = {
		{ "begin", KW_BEGIN }, { "case", KW_CASE }, { "copy", KW_COPY },
		{ "create", KW_CREATE }, { "end", KW_END }, { "from", KW_FROM },
		{ "function", KW_FUNCTION }, { "or", KW_OR }, { "procedure", KW_PROCEDURE },
		{ "replace", KW_REPLACE }, { "reset", KW_RESET }, { "set", KW_SET },
		{ "stdin", KW_STDIN },
	};
	size_t i;

	if (n > WORD_MAX)
		return KW_NONE;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].name) == n && memcmp(words[i].name, w, n) == 0)
			return words[i].kw;
	return KW_NONE;
}

static void
word_start(struct sql_splitter *s, int c)
{
	s->word_len = 0;
	s->word_first = (char)c;
}

static void
word_add(struct sql_splitter *s, int c)
{
	if (s->word_len < WORD_MAX)
		s->word[s->word_len] = (char)lower(c);
	if (s->word_len <= WORD_MAX)
		s->word_len++;
}

/* Any token but an identifier: it may be the statement's first, and it breaks FROM STDIN. */
static void
tok_other(struct sql_splitter *s)
{
	if (s->first_tok) {
		s->first_tok = 0;
		s->kind = K_OTHER;
	}
	s->after_from = 0;
}

/*
 * An identifier ended. psql counts BEGIN/CASE ... END only in statements
 * that start CREATE [OR REPLACE] {FUNCTION|PROCEDURE}, outside parentheses,
 * so that BEGIN ATOMIC bodies are not cut at their inner semicolons.
 */
static void
ident_end(struct sql_splitter *s)
{
	enum keyword kw = keyword(s->word, s->word_len);
	const char *id = s->idents;

	if (s->first_tok) {
		s->first_tok = 0;
		s->kind = kw == KW_COPY ? K_COPY : kw == KW_SET ? K_SET :
		    kw == KW_RESET ? K_RESET : K_OTHER;
	}
	if (s->kind == K_COPY && s->paren_depth == 0) {
		if (s->after_from && kw == KW_STDIN)
			s->copy_in = 1;
		s->after_from = kw == KW_FROM;
	}

	if (s->ident_count == 0)
		memset(s->idents, 0, sizeof(s->idents));
	if ((kw == KW_CREATE || kw == KW_FUNCTION || kw == KW_PROCEDURE || kw == KW_OR ||
	    kw == KW_REPLACE) && s->ident_count < (int)sizeof(s->idents))
		s->idents[s->ident_count] = s->word[0];
	if (s->ident_count < DEPTH_MAX)
		s->ident_count++;
	if (id[0] == 'c' && (id[1] == 'f' || id[1] == 'p' ||
	    (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p'))) &&
	    s->paren_depth == 0) {
		if (kw == KW_BEGIN) {
			if (s->begin_depth < DEPTH_MAX)
				s->begin_depth++;
		} else if (kw == KW_CASE) {
			/* CASE ends with END too, but matters only inside a body. */
			if (s->begin_depth >= 1 && s->begin_depth < DEPTH_MAX)
				s->begin_depth++;
		} else if (kw == KW_END) {
			if (s->begin_depth > 0)
				s->begin_depth--;
		}
	}
}

static void
begin_item(struct sql_splitter *s, size_t i, long line)
{
	s->in_item = 1;
	s->seg = i;
	s->item_line = line;
	s->kind = K_OTHER;
	s->first_tok = 1;
	s->after_from = 0;
	s->copy_in = 0;
}

/* A pending '-' or '/' turned out to be an operator that starts the statement. */
static void
begin_item_pending(struct sql_splitter *s, const char *buf, size_t i, char c)
{
	if (buf != NULL && i > 0) {
		begin_item(s, i - 1, s->pend_line);
	} else {
		/* It was the last byte of the previous feed, which did not keep it. */
		begin_item(s, i, s->pend_line);
		strbuf_putc(&s->item, c);
	}
}

/* The item's text: zero-copy from buf when it lies wholly there. */
static void
item_text(struct sql_splitter *s, const char *buf, size_t end, const char **text, size_t *len)
{
	if (s->item.len == 0 && buf != NULL) {
		*text = buf + s->seg;
		*len = end - s->seg;
		return;
	}
	if (buf != NULL)
		strbuf_append(&s->item, buf + s->seg, end - s->seg);
	*text = strbuf_str(&s->item);
	*len = s->item.len;
}

static int
emit(struct sql_splitter *s, enum sql_item_kind kind, const char *text, size_t len, long line)
{
	struct sql_item it;

	it.kind = kind;
	it.text = text;
	it.len = len;
	it.line = line;
	if (s->fn(s->ctx, &it) != 0)
		return fail(s, "line %ld: stopped by the caller", line);
	return 0;
}

static void
reset_item(struct sql_splitter *s)
{
	strbuf_reset(&s->item);
	s->in_item = 0;
}

/*
 * The tokens of a SET statement, for standard_conforming_strings: a word,
 * a plain 'literal', or one other byte. Returns 0 at the end, -1 for
 * anything this does not follow (a literal with escapes or doubling).
 */
struct set_tok {
	const char *p;
	size_t n;
	int quoted;
};

static int
set_next(const char *t, size_t len, size_t *pos, struct set_tok *tok)
{
	size_t i = *pos, depth;

	for (;;) {
		while (i < len && is_space((unsigned char)t[i]))
			i++;
		if (i + 1 < len && t[i] == '-' && t[i + 1] == '-') {
			while (i < len && t[i] != '\n' && t[i] != '\r')
				i++;
		} else if (i + 1 < len && t[i] == '/' && t[i + 1] == '*') {
			for (i += 2, depth = 1; i < len && depth > 0; i++) {
				if (i + 1 < len && t[i] == '/' && t[i + 1] == '*') {
					depth++;
					i++;
				} else if (i + 1 < len && t[i] == '*' && t[i + 1] == '/') {
					depth--;
					i++;
				}
			}
		} else {
			break;
		}
	}
	if (i >= len) {
		*pos = i;
		return 0;
	}
	tok->quoted = 0;
	tok->p = t + i;
	if (is_dolq_cont((unsigned char)t[i])) {
		while (i < len && is_dolq_cont((unsigned char)t[i]))
			i++;
	} else if (t[i] == '\'') {
		tok->quoted = 1;
		tok->p = t + ++i;
		while (i < len && t[i] != '\'' && t[i] != '\\')
			i++;
		if (i >= len || t[i] == '\\' || (i + 1 < len && t[i + 1] == '\''))
			return -1;
		i++;
	} else {
		i++;
	}
	tok->n = (size_t)(t + i - tok->p) - (size_t)tok->quoted;
	*pos = i;
	return 1;
}

static int
tok_is(const struct set_tok *tok, const char *w)
{
	size_t i;

	if (tok->quoted || strlen(w) != tok->n)
		return 0;
	for (i = 0; i < tok->n; i++)
		if (lower((unsigned char)tok->p[i]) != w[i])
			return 0;
	return 1;
}

/* A non-empty prefix of w, as PostgreSQL's parse_bool accepts. */
static int
tok_prefix(const struct set_tok *tok, const char *w, size_t min)
{
	size_t i;

	if (tok->n < min || tok->n > strlen(w))
		return 0;
	for (i = 0; i < tok->n; i++)
		if (lower((unsigned char)tok->p[i]) != w[i])
			return 0;
	return 1;
}

/*
 * psql lexes '...' with backslash escapes after the server reports
 * standard_conforming_strings off. We follow the statements that change it;
 * anything we do not understand leaves the setting alone.
 */
static void
track_std_strings(struct sql_splitter *s, const char *t, size_t len)
{
	struct set_tok tok, val;
	size_t pos = 0;
	int on = -1;

	if (set_next(t, len, &pos, &tok) != 1)
		return;
	if (tok_is(&tok, "reset")) {
		if (set_next(t, len, &pos, &tok) != 1)
			return;
		if (tok_is(&tok, "standard_conforming_strings") || tok_is(&tok, "all"))
			on = 1;
	} else if (tok_is(&tok, "set")) {
		if (set_next(t, len, &pos, &tok) != 1)
			return;
		/* SET LOCAL lasts until the transaction ends (and is a no-op outside one). */
		if (tok_is(&tok, "local"))
			return;
		if (tok_is(&tok, "session") && set_next(t, len, &pos, &tok) != 1)
			return;
		if (!tok_is(&tok, "standard_conforming_strings"))
			return;
		if (set_next(t, len, &pos, &tok) != 1 || !(tok_is(&tok, "=") || tok_is(&tok, "to")))
			return;
		if (set_next(t, len, &pos, &val) != 1)
			return;
		val.quoted = 0;
		if (tok_prefix(&val, "true", 1) || tok_prefix(&val, "yes", 1) ||
		    tok_prefix(&val, "on", 2) || tok_is(&val, "1") || tok_is(&val, "default"))
			on = 1;
		else if (tok_prefix(&val, "false", 1) || tok_prefix(&val, "no", 1) ||
		    tok_prefix(&val, "off", 2) || tok_is(&val, "0"))
			on = 0;
	}
	if (on < 0)
		return;
	/* Only a complete statement counts: ";" and then nothing. */
	if (set_next(t, len, &pos, &tok) == 1 && !tok_is(&tok, ";"))
		return;
	if (set_next(t, len, &pos, &tok) != 0)
		return;
	s->std_strings = on;
}

/* A statement ends at buf[end - 1] (or at the end of input, buf NULL). */
static int
end_stmt(struct sql_splitter *s, const char *buf, size_t end, int at_eof)
{
	const char *text;
	size_t len;
	int copy_in = s->kind == K_COPY && s->copy_in;

	item_text(s, buf, end, &text, &len);
	/* psql sends the trailing newline of an unterminated last statement; we need not. */
	while (at_eof && len > 0 && is_space((unsigned char)text[len - 1]))
		len--;
	if (emit(s, SQL_STATEMENT, text, len, s->item_line) < 0)
		return -1;
	if (s->kind == K_SET || s->kind == K_RESET)
		track_std_strings(s, text, len);
	reset_item(s);
	s->ident_count = 0;
	s->paren_depth = 0;
	s->begin_depth = 0;
	if (copy_in) {
		if (at_eof)
			return fail(s, "line %ld: unterminated COPY data (no \\. line)", s->line);
		s->st = L_COPY_TAIL;
	}
	return 0;
}

/* A meta-command line ends at buf[end] ('\n', or the end of input). */
static int
end_meta(struct sql_splitter *s, const char *buf, size_t end)
{
	const char *text;
	size_t len;

	item_text(s, buf, end, &text, &len);
	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (emit(s, SQL_META, text, len, s->item_line) < 0)
		return -1;
	reset_item(s);
	return 0;
}

static void
start_quote(struct sql_splitter *s, enum lex_state st)
{
	s->tok_line = s->line;
	s->st = st;
}

static void
start_dolq(struct sql_splitter *s)
{
	s->tok_line = s->line;
	s->tag_pos = 0;
	s->st = L_XDOLQ;
}

static int
step_initial(struct sql_splitter *s, const char *buf, size_t i, int c)
{
	if (c < 0 || is_space(c))
		return 1;
	if (c == '-' || c == '/') {
		s->pend_line = s->line;
		s->st = c == '-' ? L_DASH : L_SLASH;
		return 1;
	}
	if (c == '\\') {
		if (s->in_item)
			return fail(s, "line %ld: backslash command inside a statement is not supported",
			    s->line);
		begin_item(s, i, s->line);
		s->st = L_META;
		return 1;
	}
	if (!s->in_item)
		begin_item(s, i, s->line);
	if (is_ident_start(c)) {
		word_start(s, c);
		word_add(s, c);
		s->st = L_IDENT;
		return 1;
	}
	tok_other(s);
	switch (c) {
	case ';':
		if (s->paren_depth == 0 && s->begin_depth == 0)
			return end_stmt(s, buf, i + 1, 0) < 0 ? -1 : 1;
		break;
	case '(':
		if (s->paren_depth < DEPTH_MAX)
			s->paren_depth++;
		break;
	case ')':
		if (s->paren_depth > 0)
			s->paren_depth--;
		break;
	case '\'':
		start_quote(s, s->std_strings ? L_XQ : L_XE);
		break;
	case '"':
		start_quote(s, L_XD);
		break;
	case '$':
		s->st = L_DOLLAR;
		break;
	case '.':
		s->st = L_DOT;
		break;
	default:
		if (is_digit(c))
			s->st = L_NUM_INT;
		break;
	}
	return 1;
}

/* An identifier ended before c; a one-letter one may prefix a quote instead. */
static int
step_ident(struct sql_splitter *s, int c)
{
	if (is_ident_cont(c)) {
		word_add(s, c);
		return 1;
	}
	if (s->word_len == 1) {
		switch (s->word_first) {
		case 'b': case 'B': case 'x': case 'X':
			if (c == '\'') {
				tok_other(s);
				start_quote(s, L_XB);
				return 1;
			}
			break;
		case 'e': case 'E':
			if (c == '\'') {
				tok_other(s);
				start_quote(s, L_XE);
				return 1;
			}
			break;
		case 'n': case 'N':
			if (c == '\'') {
				tok_other(s);
				start_quote(s, s->std_strings ? L_XQ : L_XE);
				return 1;
			}
			break;
		case 'u': case 'U':
			if (c == '&') {
				tok_other(s);
				s->st = L_UAMP;
				return 1;
			}
			break;
		default:
			break;
		}
	}
	ident_end(s);
	s->st = L_INITIAL;
	return 0;
}

/* Numbers matter only for what they swallow: psql 15 glues a following identifier on. */
static int
step_number(struct sql_splitter *s, int c)
{
	switch (s->st) {
	case L_NUM_INT:
	case L_NUM_INT_DOT:
	case L_NUM_DEC:
		if (is_digit(c)) {
			if (s->st == L_NUM_INT_DOT)
				s->st = L_NUM_DEC;
			return 1;
		}
		if (c == '.' && s->st != L_NUM_DEC) {
			/* "1.." is 1 then "..": both dots are used up. */
			s->st = s->st == L_NUM_INT ? L_NUM_INT_DOT : L_INITIAL;
			return 1;
		}
		if (c == 'e' || c == 'E') {
			s->st = L_NUM_E;
			return 1;
		}
		break;
	case L_NUM_E:
		if (c == '+' || c == '-') {
			s->st = L_NUM_ESIGN;
			return 1;
		}
		/* Without a sign, "e..." is an identifier glued on, digits and '$' included. */
		if (is_ident_cont(c)) {
			s->st = L_NUM_JUNK;
			return 1;
		}
		s->st = L_INITIAL;
		return 0;
	case L_NUM_ESIGN:
		if (is_digit(c)) {
			s->st = L_NUM_REAL;
			return 1;
		}
		s->st = L_INITIAL;
		return 0;
	case L_NUM_REAL:
	case L_PARAM:
		if (is_digit(c))
			return 1;
		break;
	case L_DOT:
		if (is_digit(c)) {
			s->st = L_NUM_DEC;
			return 1;
		}
		s->st = L_INITIAL;
		return 0;
	case L_NUM_JUNK:
		if (is_ident_cont(c))
			return 1;
		s->st = L_INITIAL;
		return 0;
	default:
		break;
	}
	if (is_ident_start(c)) {
		s->st = L_NUM_JUNK;
		return 1;
	}
	s->st = L_INITIAL;
	return 0;
}

/*
 * After a closing quote: whitespace holding a newline (and "--" comments)
 * then a quote continues the same literal, in its old state (so an E''
 * literal keeps its escapes). Anything else ends it; what was skipped is
 * only whitespace and comments, except a lone '-', which is an operator.
 *
 * psql lexes one line at a time and never shows the lexer the '\n', so
 * only a '\r' counts as the newline here, and a '\n' ends the lookahead,
 * unless the quote was the last byte of its line: then the state carries
 * over (past empty lines, which psql skips) to the next line.
 */
static int
step_quote_stop(struct sql_splitter *s, int c)
{
	switch (s->st) {
	case L_QS_A:
		if (c == '\n' && s->qs_fresh)
			return 1;
		s->qs_fresh = 0;
		if (c == ' ' || c == '\t' || c == '\f')
			return 1;
		if (c == '-') {
			s->st = L_QS_A_DASH;
			return 1;
		}
		if (c == '\r') {
			s->st = L_QS_B;
			return 1;
		}
		break;
	case L_QS_B:
		if (c == ' ' || c == '\t' || c == '\f' || c == '\r')
			return 1;
		if (c == '-') {
			s->st = L_QS_B_DASH;
			return 1;
		}
		if (c == '\'') {
			s->st = s->qs_ret;
			return 1;
		}
		break;
	case L_QS_A_DASH:
	case L_QS_B_DASH:
		if (c == '-') {
			s->st = s->st == L_QS_A_DASH ? L_QS_A_COMMENT : L_QS_B_COMMENT;
			return 1;
		}
		tok_other(s);
		break;
	case L_QS_A_COMMENT:
	case L_QS_B_COMMENT:
		if (c == '\r') {
			s->st = L_QS_B;
			return 1;
		}
		if (c >= 0 && c != '\n')
			return 1;
		break;
	default:
		break;
	}
	s->st = L_INITIAL;
	return 0;
}

static int
step_copy_tail(struct sql_splitter *s, int c)
{
	if (c < 0)
		return 1;	/* finish reports the missing data */
	if (c == '\n' && s->st != L_COPY_TAIL_DASH) {
		/* The data starts on the next line, as psql reads it. */
		s->st = L_INITIAL;
		s->copy_mode = 1;
		s->copy_line = s->line + 1;
		return 1;
	}
	switch (s->st) {
	case L_COPY_TAIL:
		if (c == '-') {
			s->st = L_COPY_TAIL_DASH;
			return 1;
		}
		if (c == ' ' || c == '\t' || c == '\f' || c == '\r')
			return 1;
		break;
	case L_COPY_TAIL_DASH:
		if (c == '-') {
			s->st = L_COPY_TAIL_COMMENT;
			return 1;
		}
		break;
	default:
		/* psql ends a "--" comment at a CR too; what follows must be blank. */
		if (c == '\r')
			s->st = L_COPY_TAIL;
		return 1;
	}
	/* psql would run it after the data; nothing writes that, so refuse it. */
	return fail(s, "line %ld: text after COPY ... FROM stdin on the same line is not supported",
	    s->line);
}

/*
 * One byte c (or -1 at the end of input) at buf[i]. Returns 1 when c is
 * used up, 0 when it must be looked at again in the new state, -1 on error.
 * One switch over every lexer state, kept whole on purpose: it reads as
 * psqlscan.l's rule table, and each byte costs one jump.
 */
static int
step(struct sql_splitter *s, const char *buf, size_t i, int c)
{
	switch (s->st) {
	case L_INITIAL:
		return step_initial(s, buf, i, c);
	case L_DASH:
	case L_SLASH:
		if (s->st == L_DASH && c == '-') {
			s->st = L_LINE_COMMENT;
			return 1;
		}
		if (s->st == L_SLASH && c == '*') {
			s->tok_line = s->pend_line;
			s->xc_depth = 0;
			s->xc_pend = 0;
			s->st = L_BLOCK_COMMENT;
			return 1;
		}
		if (!s->in_item)
			begin_item_pending(s, buf, i, s->st == L_DASH ? '-' : '/');
		tok_other(s);
		s->st = L_INITIAL;
		return 0;
	case L_LINE_COMMENT:
		if (c == '\n' || c == '\r')
			s->st = L_INITIAL;
		return 1;
	case L_BLOCK_COMMENT:
		if (s->xc_pend == '/' && c == '*') {
			if (s->xc_depth < DEPTH_MAX)
				s->xc_depth++;
			s->xc_pend = 0;
		} else if (s->xc_pend == '*' && c == '/') {
			if (s->xc_depth == 0)
				s->st = L_INITIAL;
			else
				s->xc_depth--;
			s->xc_pend = 0;
		} else {
			s->xc_pend = c == '*' || c == '/' ? c : 0;
		}
		return 1;
	case L_IDENT:
		return step_ident(s, c);
	case L_UAMP:
		if (c == '\'' || c == '"') {
			start_quote(s, c == '\'' ? L_XQ : L_XD);
			return 1;
		}
		s->st = L_INITIAL;
		return 0;
	case L_DOLLAR:
		if (c == '$') {
			strbuf_reset(&s->tag);
			strbuf_append(&s->tag, "$$", 2);
			start_dolq(s);
			return 1;
		}
		if (is_digit(c)) {
			s->st = L_PARAM;
			return 1;
		}
		if (is_ident_start(c)) {
			strbuf_reset(&s->tag);
			strbuf_putc(&s->tag, '$');
			strbuf_putc(&s->tag, (char)c);
			word_start(s, c);
			word_add(s, c);
			s->st = L_DOLTAG;
			return 1;
		}
		s->st = L_INITIAL;
		return 0;
	case L_DOLTAG:
		if (is_dolq_cont(c)) {
			strbuf_putc(&s->tag, (char)c);
			word_add(s, c);
			return 1;
		}
		if (c == '$') {
			strbuf_putc(&s->tag, '$');
			start_dolq(s);
			return 1;
		}
		/* Not a quote: the '$' stands alone and the rest is an identifier. */
		s->st = L_IDENT;
		return 0;
	case L_XDOLQ:
		/* "$tag$" holds no '$' inside, so a mismatch restarts at 0 or at a '$'. */
		if (c == (unsigned char)s->tag.buf[s->tag_pos]) {
			if (++s->tag_pos == s->tag.len)
				s->st = L_INITIAL;
		} else {
			s->tag_pos = c == '$' ? 1 : 0;
		}
		return 1;
	case L_PARAM:
	case L_DOT:
	case L_NUM_INT:
	case L_NUM_INT_DOT:
	case L_NUM_DEC:
	case L_NUM_E:
	case L_NUM_ESIGN:
	case L_NUM_REAL:
	case L_NUM_JUNK:
		return step_number(s, c);
	case L_XB:
		if (c == '\'') {
			s->qs_ret = L_XB;
			s->qs_fresh = 1;
			s->st = L_QS_A;
		}
		return 1;
	case L_XQ:
	case L_XE:
		if (c == '\'')
			s->st = s->st == L_XQ ? L_XQ_QUOTE : L_XE_QUOTE;
		else if (c == '\\' && s->st == L_XE)
			s->st = L_XE_BSLASH;
		return 1;
	case L_XE_BSLASH:
		s->st = L_XE;
		return 1;
	case L_XQ_QUOTE:
	case L_XE_QUOTE:
		if (c == '\'') {
			/* A doubled quote. */
			s->st = s->st == L_XQ_QUOTE ? L_XQ : L_XE;
			return 1;
		}
		s->qs_ret = s->st == L_XQ_QUOTE ? L_XQ : L_XE;
		s->qs_fresh = 1;
		s->st = L_QS_A;
		return 0;
	case L_QS_A:
	case L_QS_A_DASH:
	case L_QS_A_COMMENT:
	case L_QS_B:
	case L_QS_B_DASH:
	case L_QS_B_COMMENT:
		return step_quote_stop(s, c);
	case L_XD:
		if (c == '"')
			s->st = L_XD_QUOTE;
		return 1;
	case L_XD_QUOTE:
		if (c == '"') {
			s->st = L_XD;
			return 1;
		}
		s->st = L_INITIAL;
		return 0;
	case L_META:
		return 1;
	case L_COPY_TAIL:
	case L_COPY_TAIL_DASH:
	case L_COPY_TAIL_COMMENT:
		return step_copy_tail(s, c) < 0 ? -1 : 1;
	}
	return 1;
}

/* Lexes SQL from buf[*pos] until the end of buf or the start of COPY data. */
static int
feed_sql(struct sql_splitter *s, const char *buf, size_t len, size_t *pos)
{
	size_t i = *pos;
	int c, r;

	while (i < len && !s->copy_mode) {
		c = (unsigned char)buf[i];
		if (c == '\0')
			return fail(s, "line %ld: NUL byte in SQL text", s->line);
		if (s->st == L_META) {
			/* The line is taken whole; look for its end in one go. */
			const char *nl = memchr(buf + i, '\n', len - i);
			size_t end = nl != NULL ? (size_t)(nl - buf) : len;

			if (memchr(buf + i, '\0', end - i) != NULL)
				return fail(s, "line %ld: NUL byte in SQL text", s->line);
			if (nl == NULL) {
				i = len;
				break;
			}
			if (end_meta(s, buf, end) < 0)
				return -1;
			s->st = L_INITIAL;
			s->line++;
			i = end + 1;
			continue;
		}
		r = step(s, buf, i, c);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (c == '\n')
			s->line++;
		i++;
	}
	*pos = i;
	return 0;
}

static int
is_terminator(const char *p, size_t n)
{
	return (n == 2 || (n == 3 && p[2] == '\r')) && p[0] == '\\' && p[1] == '.';
}

static int
copy_end(struct sql_splitter *s, long line)
{
	s->copy_mode = 0;
	return emit(s, SQL_COPY_END, "\\.", 2, line);
}

/*
 * COPY data from buf[*pos]: every complete line up to the "\." line (or the
 * end of buf) goes out in one chunk; a partial last line is carried over.
 */
static int
feed_copy(struct sql_splitter *s, const char *buf, size_t len, size_t *pos)
{
	size_t i = *pos, run, n;
	long run_line;
	const char *nl;

	if (s->carry.len > 0) {
		nl = memchr(buf + i, '\n', len - i);
		if (nl == NULL) {
			strbuf_append(&s->carry, buf + i, len - i);
			*pos = len;
			if (s->carry.len > ITEM_MAX)
				return fail(s, "line %ld: COPY data line longer than 1 GB", s->carry_line);
			return 0;
		}
		n = (size_t)(nl - buf) + 1 - i;
		strbuf_append(&s->carry, buf + i, n);
		i += n;
		s->line++;
		if (is_terminator(s->carry.buf, s->carry.len - 1)) {
			strbuf_reset(&s->carry);
			*pos = i;
			return copy_end(s, s->carry_line);
		}
		if (emit(s, SQL_COPY_DATA, s->carry.buf, s->carry.len, s->carry_line) < 0)
			return -1;
		strbuf_reset(&s->carry);
	}
	run = i;
	run_line = s->line;
	while (i < len && (nl = memchr(buf + i, '\n', len - i)) != NULL) {
		n = (size_t)(nl - buf) - i;
		if (is_terminator(buf + i, n)) {
			if (i > run && emit(s, SQL_COPY_DATA, buf + run, i - run, run_line) < 0)
				return -1;
			*pos = i + n + 1;
			s->line++;
			return copy_end(s, s->line - 1);
		}
		i += n + 1;
		s->line++;
	}
	if (i > run && emit(s, SQL_COPY_DATA, buf + run, i - run, run_line) < 0)
		return -1;
	if (i < len) {
		strbuf_append(&s->carry, buf + i, len - i);
		s->carry_line = s->line;
	}
	*pos = len;
	return 0;
}

struct sql_splitter *
sql_splitter_new(sql_item_fn fn, void *ctx)
{
	struct sql_splitter *s = xcalloc(1, sizeof(*s));

	s->fn = fn;
	s->ctx = ctx;
	s->line = 1;
	s->st = L_INITIAL;
	s->std_strings = 1;
	return s;
}

/* One buffer of input, after any byte-order mark. */
static int
feed_buffer(struct sql_splitter *s, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if ((s->copy_mode ? feed_copy(s, buf, len, &i) : feed_sql(s, buf, len, &i)) < 0)
			return -1;
	}
	/* Keep the unfinished item; the next feed is another buffer. */
	if (s->in_item && len > 0) {
		strbuf_append(&s->item, buf + s->seg, len - s->seg);
		s->seg = 0;
		if (s->item.len > ITEM_MAX)
			return fail(s, "line %ld: statement longer than 1 GB", s->item_line);
	}
	return 0;
}

static const char utf8_bom[3] = { '\xEF', '\xBB', '\xBF' };

/* psql drops a UTF-8 byte-order mark at the start of a file; a partial one is text. */
static int
skip_bom(struct sql_splitter *s, const char *buf, size_t len, size_t *pos)
{
	size_t matched;

	while (s->bom_seen < 3 && *pos < len) {
		if (buf[*pos] != utf8_bom[s->bom_seen]) {
			matched = (size_t)s->bom_seen;
			s->bom_seen = 3;
			return feed_buffer(s, utf8_bom, matched);
		}
		s->bom_seen++;
		(*pos)++;
	}
	return 0;
}

int
sql_splitter_feed(struct sql_splitter *s, const char *buf, size_t len)
{
	size_t i = 0;

	if (s->failed)
		return -1;
	if (s->finished)
		return fail(s, "line %ld: input after the end", s->line);
	if (skip_bom(s, buf, len, &i) < 0)
		return -1;
	return feed_buffer(s, buf + i, len - i);
}

long
sql_splitter_line(const struct sql_splitter *s)
{
	return s->line;
}

void
sql_splitter_set_line(struct sql_splitter *s, long line)
{
	s->line = line;
}

int
sql_splitter_finish(struct sql_splitter *s)
{
	int r;

	if (s->failed)
		return -1;
	if (s->finished)
		return 0;
	s->finished = 1;
	if (s->bom_seen > 0 && s->bom_seen < 3) {
		/* A partial byte-order mark at the very end is text. */
		size_t matched = (size_t)s->bom_seen;

		s->bom_seen = 3;
		if (feed_buffer(s, utf8_bom, matched) < 0)
			return -1;
	}
	if (s->copy_mode) {
		/* A "\." last line without its newline still ends the data. */
		if (is_terminator(s->carry.buf ? s->carry.buf : "", s->carry.len))
			return copy_end(s, s->carry_line);
		return fail(s, "line %ld: unterminated COPY data (no \\. line)", s->copy_line);
	}
	/* Let pending tokens end, as a byte that continues none of them would. */
	while ((r = step(s, NULL, 0, -1)) == 0)
		;
	if (r < 0)
		return -1;
	switch (s->st) {
	case L_XB:
	case L_XQ:
	case L_XE:
	case L_XE_BSLASH:
		return fail(s, "line %ld: unterminated quoted string", s->tok_line);
	case L_XD:
		return fail(s, "line %ld: unterminated quoted identifier", s->tok_line);
	case L_XDOLQ:
		return fail(s, "line %ld: unterminated dollar-quoted string", s->tok_line);
	case L_BLOCK_COMMENT:
		return fail(s, "line %ld: unterminated /* comment", s->tok_line);
	case L_COPY_TAIL:
	case L_COPY_TAIL_DASH:
	case L_COPY_TAIL_COMMENT:
		return fail(s, "line %ld: unterminated COPY data (no \\. line)", s->line);
	case L_META:
		return end_meta(s, NULL, 0);
	default:
		break;
	}
	if (s->in_item)
		return end_stmt(s, NULL, 0, 1);
	return 0;
}

const char *
sql_splitter_error(const struct sql_splitter *s)
{
	return strbuf_str(&s->err);
}

void
sql_splitter_free(struct sql_splitter *s)
{
	if (s == NULL)
		return;
	strbuf_free(&s->err);
	strbuf_free(&s->item);
	strbuf_free(&s->tag);
	strbuf_free(&s->carry);
	free(s);
}
