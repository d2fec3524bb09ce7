#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dotenv.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/*
 * The parser works on a private copy of the input in which CRLF and lone CR
 * have become LF (as dotenv does) and the BOM is gone, so that every later
 * step sees one line terminator. Every read is bounded by `len`; the input
 * may contain any byte.
 */
struct cursor {
	const char *s;
	size_t len;
	size_t pos;
	int line;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static int
is_key_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
is_key_char(char c)
{
	return is_key_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static int
valid_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || !is_key_start(k[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_key_char(k[i]))
			return 0;
	return 1;
}

/* BOM dropped, CRLF and CR turned into LF. */
static char *
normalise(const char *text, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t i = 0, o = 0;

	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		i = 3;
	for (; i < len; i++) {
		if (text[i] == '\r') {
			out[o++] = '\n';
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
		} else {
			out[o++] = text[i];
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/*
 * Key -> entry index, so that many keys do not make the parser quadratic.
 * Open addressing; slots hold index + 1, 0 is empty.
 */
struct keyindex {
	size_t *slots;
	size_t cap;
};

static size_t
hash_key(const char *k)
{
	size_t h = 14695981039346656037ULL & (size_t)-1;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * (1099511628211ULL & (size_t)-1);
	return h;
}

static size_t *
find_slot(const struct keyindex *ix, const struct dotenv *env, const char *key)
{
	size_t i = hash_key(key) & (ix->cap - 1);

	while (ix->slots[i] != 0 && strcmp(env->entries[ix->slots[i] - 1].key, key) != 0)
		i = (i + 1) & (ix->cap - 1);
	return &ix->slots[i];
}

static void
grow_index(struct keyindex *ix, const struct dotenv *env)
{
	size_t i;

	if (ix->cap != 0 && env->count * 2 < ix->cap)
		return;
	free(ix->slots);
	ix->cap = ix->cap ? ix->cap * 2 : 64;
	ix->slots = xcalloc(ix->cap, sizeof(*ix->slots));
	for (i = 0; i < env->count; i++)
		*find_slot(ix, env, env->entries[i].key) = i + 1;
}

/* Takes ownership of key and value; a repeated key replaces the value. */
static void
set_entry(struct dotenv *env, struct keyindex *ix, char *key, char *value, int line, int literal)
{
	struct dotenv_entry *en;
	size_t *slot;

	grow_index(ix, env);
	slot = find_slot(ix, env, key);
	if (*slot != 0) {
		en = &env->entries[*slot - 1];
		free(en->value);
		free(key);
		en->value = value;
		en->line = line;
		en->literal = literal;
		return;
	}
	env->entries = xrealloc(env->entries, (env->count + 1) * sizeof(*env->entries));
	en = &env->entries[env->count];
	en->key = key;
	en->value = value;
	en->line = line;
	en->literal = literal;
	*slot = ++env->count;
}

/*
 * A quoted value starting at the opening quote. Single quotes and backticks
 * are literal; double quotes expand \n \r \t \" \\ and keep other
 * backslashes. Newlines inside the quotes belong to the value.
 */
static int
parse_quoted(struct cursor *c, const char *key, struct strbuf *val, char *err, size_t errlen)
{
	char q = c->s[c->pos];
	int start_line = c->line;

	c->pos++;
	while (c->pos < c->len) {
		char ch = c->s[c->pos];

		if (ch == q) {
			c->pos++;
			return 0;
		}
		if (ch == '\n')
			c->line++;
		if (q == '"' && ch == '\\' && c->pos + 1 < c->len) {
			char next = c->s[c->pos + 1];
			const char *rep = NULL;

			switch (next) {
			case 'n': rep = "\n"; break;
			case 'r': rep = "\r"; break;
			case 't': rep = "\t"; break;
			case '"': rep = "\""; break;
			case '\\': rep = "\\"; break;
			default: break;
			}
			if (rep != NULL) {
				strbuf_putc(val, rep[0]);
				c->pos += 2;
				continue;
			}
		}
		strbuf_putc(val, ch);
		c->pos++;
	}
	errbuf_set(err, errlen, "line %d: unterminated %s quote in the value of %s",
	    start_line, q == '"' ? "double" : q == '\'' ? "single" : "backtick", key);
	return -1;
}

/* An unquoted value runs to the end of the line or to a " #" comment; trimmed. */
static void
parse_unquoted(struct cursor *c, struct strbuf *val)
{
	size_t start = c->pos, end;

	while (c->pos < c->len && c->s[c->pos] != '\n') {
		if (c->s[c->pos] == '#' && (c->pos == start || is_blank(c->s[c->pos - 1])))
			break;
		c->pos++;
	}
	end = c->pos;
	while (end > start && is_blank(c->s[end - 1]))
		end--;
	strbuf_append(val, c->s + start, end - start);
	while (c->pos < c->len && c->s[c->pos] != '\n')
		c->pos++;
}

/* One logical line (several physical ones for a multi-line value). 0 or -1. */
static int
parse_line(struct cursor *c, struct dotenv *env, struct keyindex *ix, char *err, size_t errlen)
{
	struct strbuf val = STRBUF_INIT;
	const char *eol, *eq;
	size_t kstart, kend;
	char *key = NULL;
	int key_line = c->line, rc = -1, literal = 0;

	while (c->pos < c->len && is_blank(c->s[c->pos]))
		c->pos++;
	if (c->pos >= c->len || c->s[c->pos] == '\n' || c->s[c->pos] == '#') {
		while (c->pos < c->len && c->s[c->pos] != '\n')
			c->pos++;
		rc = 0;
		goto out;
	}
	eol = memchr(c->s + c->pos, '\n', c->len - c->pos);
	if (eol == NULL)
		eol = c->s + c->len;
	eq = memchr(c->s + c->pos, '=', (size_t)(eol - (c->s + c->pos)));
	if (eq == NULL) {
		errbuf_set(err, errlen, "line %d: expected KEY=VALUE", key_line);
		goto out;
	}
	kstart = c->pos;
	kend = (size_t)(eq - c->s);
	while (kend > kstart && is_blank(c->s[kend - 1]))
		kend--;
	/* "export KEY=..." as in shell files; a key named "export" stays a key. */
	if (kend - kstart > 7 && memcmp(c->s + kstart, "export", 6) == 0 && is_blank(c->s[kstart + 6])) {
		kstart += 6;
		while (kstart < kend && is_blank(c->s[kstart]))
			kstart++;
	}
	/* An invalid name may be a mistyped value, so it is not echoed. */
	if (!valid_key(c->s + kstart, kend - kstart)) {
		errbuf_set(err, errlen, "line %d: invalid variable name (use letters, digits, _ . - "
		    "and do not start with a digit)", key_line);
		goto out;
	}
	key = xstrndup(c->s + kstart, kend - kstart);
	c->pos = (size_t)(eq - c->s) + 1;
	while (c->pos < c->len && is_blank(c->s[c->pos]))
		c->pos++;
	if (c->pos < c->len && (c->s[c->pos] == '"' || c->s[c->pos] == '\'' || c->s[c->pos] == '`')) {
		literal = c->s[c->pos] == '\'';
		if (parse_quoted(c, key, &val, err, errlen) < 0)
			goto out;
		while (c->pos < c->len && is_blank(c->s[c->pos]))
			c->pos++;
		if (c->pos < c->len && c->s[c->pos] != '\n' && c->s[c->pos] != '#') {
			errbuf_set(err, errlen, "line %d: unexpected text after the closing quote of %s",
			    c->line, key);
			goto out;
		}
		while (c->pos < c->len && c->s[c->pos] != '\n')
			c->pos++;
	} else {
		parse_unquoted(c, &val);
	}
	set_entry(env, ix, key, strbuf_detach(&val), key_line, literal);
	key = NULL;
	rc = 0;
out:
	free(key);
	strbuf_free(&val);
	return rc;
}

int
dotenv_parse(const char *text, size_t len, struct dotenv *out, char *err, size_t errlen)
{
	struct keyindex ix = { NULL, 0 };
	struct cursor c;
	const char *nul;
	char *copy = NULL;
	size_t n;
	int rc = -1;

	out->entries = NULL;
	out->count = 0;
	if (err && errlen)
		err[0] = '\0';
	if (text == NULL)
		len = 0;
	copy = normalise(text ? text : "", len, &n);
	/* A NUL would silently cut a value short: likely a UTF-16 or binary file. */
	nul = memchr(copy, '\0', n);
	if (nul != NULL) {
		const char *p;
		int line = 1;

		for (p = copy; p < nul; p++)
			if (*p == '\n')
				line++;
		errbuf_set(err, errlen, "line %d: NUL byte (is the file UTF-16 or binary? save it as UTF-8)", line);
		goto out;
	}
	c.s = copy;
	c.len = n;
	c.pos = 0;
	c.line = 1;
	while (c.pos < c.len) {
		if (parse_line(&c, out, &ix, err, errlen) < 0)
			goto out;
		if (c.pos < c.len) {	/* at the '\n' ending the line */
			c.pos++;
			c.line++;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		dotenv_free(out);
	free(ix.slots);
	free(copy);
	return rc;
}

/*
 * One ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:+alt}, ${NAME+alt}
 * or $NAME at s[i] (its length in *len), resolved as dotenv-expand does:
 * the environment first, then the keys above. NULL: not a reference.
 */
static char *
resolve_ref(const struct dotenv *env, size_t upto, const char *s, size_t i, size_t *len)
{
	size_t j = i + 1, nend, k;
	const char *op = NULL, *v = NULL, *close;
	char *name, *word = NULL, *out;

	if (s[j] == '{') {
		if ((close = strchr(s + j + 1, '}')) == NULL || memchr(s + j + 1, '{', (size_t)(close - s - j - 1)))
			return NULL;
		for (nend = j + 1; s + nend < close && (isalnum((unsigned char)s[nend]) || s[nend] == '_' ||
		    s[nend] == '.'); nend++)
			;
		op = s + nend;
		if (nend == j + 1 || (op < close && *op != '-' && *op != '+' && !(op[0] == ':' && (op[1] == '-' ||
		    op[1] == '+'))))
			return NULL;
		name = xstrndup(s + j + 1, nend - j - 1);
		word = op < close ? xstrndup(op + (op[0] == ':' ? 2 : 1), (size_t)(close - op) - (op[0] == ':' ? 2 : 1)) : NULL;
		*len = (size_t)(close - s) + 1 - i;
	} else {
		if (!isalpha((unsigned char)s[j]) && s[j] != '_')
			return NULL;
		for (nend = j; isalnum((unsigned char)s[nend]) || s[nend] == '_'; nend++)
			;
		name = xstrndup(s + j, nend - j);
		*len = nend - i;
	}
	if ((v = getenv(name)) == NULL)
		for (k = 0; k < upto && v == NULL; k++)
			if (strcmp(env->entries[k].key, name) == 0)
				v = env->entries[k].value;
	if (op != NULL && word != NULL && (op[0] == '+' || (op[0] == ':' && op[1] == '+')))
		out = xstrdup((v != NULL && (op[0] == '+' || *v != '\0')) ? word : "");
	else if (op != NULL && word != NULL && (v == NULL || (op[0] == ':' && *v == '\0')))
		out = xstrdup(word);
	else
		out = xstrdup(v ? v : "");
	free(name);
	free(word);
	return out;
}

/* Bounds a value whose references keep expanding into more references. */
#define EXPAND_MAX_ROUNDS 100

/*
 * ${VAR} and $VAR in values, as dotenv-expand (base of the dotenv package's
 * users) resolves them, in file order, each reference re-read after it is
 * replaced; "\$" stays a literal "$". A key already set in the environment
 * keeps the environment's value (it wins anyway). Single-quoted values are
 * literal, as in a shell.
 */
static void
expand_all(struct dotenv *env)
{
	size_t e, i, len;
	int rounds;

	for (e = 0; e < env->count; e++) {
		char *v = env->entries[e].value, *rep;
		struct strbuf sb = STRBUF_INIT;

		if (env->entries[e].literal || strchr(v, '$') == NULL)
			continue;
		for (rounds = 0, i = 0; v[i] != '\0' && rounds < EXPAND_MAX_ROUNDS;) {
			if (v[i] != '$' || (i > 0 && v[i - 1] == '\\') || (rep = resolve_ref(env, e, v, i, &len)) == NULL) {
				i++;
				continue;
			}
			strbuf_reset(&sb);
			strbuf_append(&sb, v, i);
			strbuf_puts(&sb, rep);
			strbuf_puts(&sb, v + i + len);
			free(rep);
			free(v);
			v = strbuf_detach(&sb);
			i = 0;
			rounds++;
		}
		for (i = len = 0; v[i] != '\0'; i++)	/* "\$" -> "$" */
			if (!(v[i] == '\\' && v[i + 1] == '$'))
				v[len++] = v[i];
		v[len] = '\0';
		env->entries[e].value = v;
		strbuf_free(&sb);
	}
}

int
dotenv_load_file(const char *path, struct dotenv *out)
{
	char err[256];
	char *text = NULL;
	size_t len = 0;
	int r, rc = -1;

	out->entries = NULL;
	out->count = 0;
	r = fs_read_file(path, &text, &len);
	if (r == 1) {
		rc = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if (dotenv_parse(text, len, out, err, sizeof(err)) < 0) {
		log_error("%s: %s", path, err);
		goto out;
	}
	expand_all(out);
	rc = 0;
out:
	free(text);
	return rc;
}

const char *
dotenv_get(const struct dotenv *env, const char *key)
{
	size_t i;

	if (env == NULL || key == NULL)
		return NULL;
	for (i = 0; i < env->count; i++)
		if (strcmp(env->entries[i].key, key) == 0)
			return env->entries[i].value;
	return NULL;
}

void
dotenv_free(struct dotenv *env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; i < env->count; i++) {
		free(env->entries[i].key);
		free(env->entries[i].value);
	}
	free(env->entries);
	env->entries = NULL;
	env->count = 0;
}
