#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "git/ignore-match.h"
#include "base/xalloc.h"

/*
 * A rule is compiled into path components, each a list of tokens. Since
 * '*', '?' and classes never match '/' (git matches with WM_PATHNAME), a
 * pattern component can only ever match one whole path component, and "**"
 * can only ever match whole components. Matching is then two nested
 * instances of the classic wildcard problem (stars over characters, and
 * globstars over components), each solved by the greedy algorithm that
 * backtracks only to the last star: O(pattern * text), no recursion.
 */
enum tok_kind {
	TOK_LIT,
	TOK_ANY,
	TOK_STAR,
	TOK_CLASS,
};

struct tok {
	unsigned char kind;
	unsigned char ch;	/* TOK_LIT */
	size_t set;		/* TOK_CLASS: index into rule->sets */
};

struct comp {
	size_t first;		/* into rule->toks */
	size_t ntoks;
	int globstar;		/* the whole component is "**" */
};

struct charset {
	uint32_t bits[8];
};

struct rule {
	int line;
	int negative;
	int dir_only;
	int anchored;		/* matched against the whole path, not the basename */
	const char *invalid;	/* why it never matches, or NULL */
	char *text;
	struct tok *toks;
	size_t ntoks;
	struct comp *comps;
	size_t ncomps;
	struct charset *sets;
	size_t nsets;
};

struct ignore_rules {
	struct rule *rules;
	size_t n;
	size_t cap;
};

#define NONE ((size_t)-1)

static void
set_add(struct charset *cs, unsigned c)
{
	cs->bits[(c >> 5) & 7] |= (uint32_t)1 << (c & 31);
}

static int
set_has(const struct charset *cs, unsigned char c)
{
	return (cs->bits[c >> 5] >> (c & 31)) & 1;
}

/* git's own ctype: ASCII only, whatever the locale. */
static int
in_named_class(const char *name, size_t len, unsigned c)
{
	int upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	int digit = c >= '0' && c <= '9';
	int graph = c > 32 && c < 127;

#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (IS("alnum"))
		return upper || lower || digit;
	if (IS("alpha"))
		return upper || lower;
	if (IS("blank"))
		return c == ' ' || c == '\t';
	if (IS("cntrl"))
		return c < 32 || c == 127;
	if (IS("digit"))
		return digit;
	if (IS("graph"))
		return graph;
	if (IS("lower"))
		return lower;
	if (IS("print"))
		return graph || c == ' ';
	if (IS("punct"))
		return graph && !upper && !lower && !digit;
	if (IS("space"))
		return c == ' ' || (c >= '\t' && c <= '\r');
	if (IS("upper"))
		return upper;
	if (IS("xdigit"))
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
#undef IS
	return -1;
}

/*
 * Compiles the bracket expression at p[*i] == '[' the way git's wildmatch
 * reads it: a ']' right after "[" or "[!" is literal, backslash escapes,
 * "a-z" ranges (a '-' first or last is literal), "[:name:]" classes, and
 * "[:" not closed by ":]" is a literal '['. Returns NULL or the error.
 */
static const char *
parse_class(const char *p, size_t n, size_t *i, struct charset *cs)
{
	size_t k = *i + 1, j;
	unsigned prev = 0, c, hi;
	int negated = 0, first = 1;

	memset(cs, 0, sizeof(*cs));
	if (k < n && (p[k] == '!' || p[k] == '^')) {
		negated = 1;
		k++;
	}
	for (;;) {
		if (k >= n)
			return "unterminated [";
		c = (unsigned char)p[k];
		if (c == ']' && !first)
			break;
		first = 0;
		if (c == '\\') {
			if (++k >= n)
				return "unterminated [";
			c = (unsigned char)p[k++];
			set_add(cs, c);
			prev = c;
		} else if (c == '-' && prev && k + 1 < n && p[k + 1] != ']') {
			k++;
			hi = (unsigned char)p[k];
			if (hi == '\\') {
				if (++k >= n)
					return "unterminated [";
				hi = (unsigned char)p[k];
			}
			for (c = prev; c <= hi; c++)
				set_add(cs, c);
			prev = 0;
			k++;
		} else if (c == '[' && k + 1 < n && p[k + 1] == ':') {
			for (j = k + 2; j < n && p[j] != ']'; j++)
				;
			if (j >= n)
				return "unterminated [";
			if (j < k + 3 || p[j - 1] != ':') {
				/* No ":]": an ordinary '[' member. */
				set_add(cs, '[');
				prev = '[';
				k++;
				continue;
			}
			if (in_named_class(p + k + 2, j - k - 3, 'a') < 0)
				return "unknown character class";
			for (c = 0; c < 128; c++)
				if (in_named_class(p + k + 2, j - k - 3, c) == 1)
					set_add(cs, c);
			prev = 0;
			k = j + 1;
		} else {
			set_add(cs, c);
			prev = c;
			k++;
		}
	}
	if (negated)
		for (j = 0; j < 8; j++)
			cs->bits[j] = ~cs->bits[j];
	*i = k + 1;
	return NULL;
}

/*
 * Ends the component begun at *start. A "**" that must match at least one
 * component (MIN_ONE) becomes "*" then "**".
 */
static void
close_comp(struct rule *r, size_t *start, size_t nstars, int min_one)
{
	struct comp *c = &r->comps[r->ncomps++];

	c->first = *start;
	c->ntoks = r->ntoks - *start;
	c->globstar = c->ntoks == 1 && r->toks[*start].kind == TOK_STAR && nstars >= 2;
	if (c->globstar && min_one) {
		r->comps[r->ncomps] = *c;
		c->globstar = 0;
		r->ncomps++;
	}
	*start = r->ntoks;
}

static struct tok *
add_tok(struct rule *r, int kind)
{
	struct tok *t = &r->toks[r->ntoks++];

	t->kind = (unsigned char)kind;
	t->ch = 0;
	t->set = 0;
	return t;
}

/*
 * Compiles the pattern of r->text (already trimmed). Sets r->invalid
 * instead of failing. One function over 80 lines: it reads the pattern
 * left to right in git's order of rules, and split up the steps would
 * have to pass the cursor and the half-built tokens between them.
 */
static void
compile(struct rule *r)
{
	const char *p = r->text;
	size_t n = strlen(p), i = 0, start = 0, nstars = 0, j;
	const char *err;

	if (n > 0 && p[0] == '!') {
		r->negative = 1;
		p++;
		n--;
	}
	/* As git: one trailing slash means "directory", even after a backslash. */
	if (n > 0 && p[n - 1] == '/') {
		r->dir_only = 1;
		n--;
	}
	if (n == 0) {
		r->invalid = "empty pattern";
		return;
	}
	r->anchored = memchr(p, '/', n) != NULL;
	if (p[0] == '/') {
		p++;
		n--;
	}
	/* Each byte yields at most one token or one separator, and each "**" split adds one component. */
	r->toks = xcalloc(n + 1, sizeof(*r->toks));
	r->comps = xcalloc(2 * n + 2, sizeof(*r->comps));
	r->sets = xcalloc(n / 2 + 1, sizeof(*r->sets));
	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		if (c == '/') {
			close_comp(r, &start, nstars, 0);
			nstars = 0;
			i++;
		} else if (c == '\\') {
			if (i + 1 >= n) {
				r->invalid = "trailing backslash";
				return;
			}
			c = (unsigned char)p[i + 1];
			i += 2;
			/*
			 * wildmatch matches "\/" against the '/' between
			 * components, but a "**" before it then matches at
			 * least one directory, not zero.
			 */
			if (c == '/') {
				close_comp(r, &start, nstars, 1);
				nstars = 0;
			} else {
				add_tok(r, TOK_LIT)->ch = c;
			}
		} else if (c == '*') {
			for (j = i; j < n && p[j] == '*'; j++)
				;
			/*
			 * A run of stars is one star; "**" is special only as
			 * a whole component. gitignore(5) says so; git itself
			 * differs for "b**" followed by "/a", which it reads as
			 * b then a leading "**" then "/a" (it strips the
			 * literal prefix before matching): we follow the
			 * documentation.
			 */
			nstars = j - i;
			add_tok(r, TOK_STAR);
			i = j;
		} else if (c == '?') {
			add_tok(r, TOK_ANY);
			i++;
		} else if (c == '[') {
			err = parse_class(p, n, &i, &r->sets[r->nsets]);
			if (err) {
				r->invalid = err;
				return;
			}
			add_tok(r, TOK_CLASS)->set = r->nsets++;
		} else {
			add_tok(r, TOK_LIT)->ch = c;
			i++;
		}
	}
	/*
	 * A trailing "**" matches everything inside but not the directory
	 * itself (a pattern "abc" then "**" does not match abc).
	 */
	close_comp(r, &start, nstars, r->anchored);
}

/* git's trim_trailing_spaces: unescaped trailing spaces go, "\ " stays. */
static void
trim_trailing_spaces(char *s)
{
	char *p, *last_space = NULL;

	for (p = s; *p; p++) {
		if (*p == ' ') {
			if (!last_space)
				last_space = p;
			continue;
		}
		if (*p == '\\' && *++p == '\0')
			return;
		last_space = NULL;
	}
	if (last_space)
		*last_space = '\0';
}

struct ignore_rules *
ignore_parse(const char *text, size_t len)
{
	struct ignore_rules *r = xcalloc(1, sizeof(*r));
	size_t pos = 0, end, n;
	const char *nul;
	int line = 0;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		struct rule *rule;
		char *copy;

		line++;
		end = nl ? (size_t)(nl - text) : len;
		n = end - pos;
		pos = nl ? end + 1 : len;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		/* A NUL ends the line, as in git, which reads lines as C strings. */
		nul = memchr(s, '\0', n);
		if (nul)
			n = (size_t)(nul - s);
		if (n == 0 || s[0] == '#')
			continue;
		copy = xstrndup(s, n);
		trim_trailing_spaces(copy);
		if (copy[0] == '\0') {
			free(copy);
			continue;
		}
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->rules = xrealloc(r->rules, r->cap * sizeof(*r->rules));
		}
		rule = &r->rules[r->n++];
		memset(rule, 0, sizeof(*rule));
		rule->line = line;
		rule->text = copy;
		compile(rule);
	}
	return r;
}

void
ignore_free(struct ignore_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->rules[i].text);
		free(r->rules[i].toks);
		free(r->rules[i].comps);
		free(r->rules[i].sets);
	}
	free(r->rules);
	free(r);
}

static int
tok_match(const struct rule *r, const struct tok *t, unsigned char c)
{
	switch (t->kind) {
	case TOK_LIT:
		return t->ch == c;
	case TOK_CLASS:
		return set_has(&r->sets[t->set], c);
	default:
		return 1;
	}
}

/* One pattern component against one path component (no '/' in S). */
static int
comp_match(const struct rule *r, const struct comp *c, const char *s, size_t len)
{
	const struct tok *t = r->toks + c->first;
	size_t n = c->ntoks, pi = 0, si = 0, star_pi = NONE, star_si = 0;

	while (si < len) {
		if (pi < n && t[pi].kind == TOK_STAR) {
			star_pi = pi++;
			star_si = si;
		} else if (pi < n && tok_match(r, &t[pi], (unsigned char)s[si])) {
			pi++;
			si++;
		} else if (star_pi != NONE) {
			/* Let the last star swallow one more character. */
			pi = star_pi + 1;
			si = ++star_si;
		} else {
			return 0;
		}
	}
	while (pi < n && t[pi].kind == TOK_STAR)
		pi++;
	return pi == n;
}

static size_t
skip_slashes(const char *s, size_t len, size_t pos)
{
	while (pos < len && s[pos] == '/')
		pos++;
	return pos;
}

static size_t
comp_len(const char *s, size_t len, size_t pos)
{
	size_t e = pos;

	while (e < len && s[e] != '/')
		e++;
	return e - pos;
}

/* An anchored rule against the whole path; "**" components stand for any number of path components. */
static int
path_match(const struct rule *r, const char *path, size_t len)
{
	size_t ci = 0, k = r->ncomps, pos, clen, star_ci = NONE, star_pos = 0;

	pos = skip_slashes(path, len, 0);
	while (pos < len) {
		clen = comp_len(path, len, pos);
		if (ci < k && r->comps[ci].globstar) {
			star_ci = ci++;
			star_pos = pos;
		} else if (ci < k && comp_match(r, &r->comps[ci], path + pos, clen)) {
			ci++;
			pos = skip_slashes(path, len, pos + clen);
		} else if (star_ci != NONE) {
			/* Let the last "**" swallow one more component. */
			ci = star_ci + 1;
			star_pos = skip_slashes(path, len, star_pos + comp_len(path, len, star_pos));
			pos = star_pos;
		} else {
			return 0;
		}
	}
	while (ci < k && r->comps[ci].globstar)
		ci++;
	return ci == k;
}

/* PATH[0..LEN) itself, already normalised, against the rules, last first. */
static int
match_one(const struct ignore_rules *r, const char *path, size_t len, int is_dir, int *line)
{
	size_t i, b = len;
	const struct rule *rule;

	while (b > 0 && path[b - 1] != '/')
		b--;
	for (i = r->n; i-- > 0;) {
		rule = &r->rules[i];
		if (rule->invalid || (rule->dir_only && !is_dir))
			continue;
		if (rule->anchored ? path_match(rule, path, len) :
		    comp_match(rule, &rule->comps[0], path + b, len - b)) {
			if (line)
				*line = rule->line;
			return !rule->negative;
		}
	}
	return 0;
}

/* Drops a leading "/" or "./" and a trailing "/" (which says: a directory). */
static const char *
normalise(const char *path, size_t *len, int *is_dir)
{
	size_t n = strlen(path);

	for (;;) {
		if (n > 0 && path[0] == '/') {
			path++;
			n--;
		} else if (n > 1 && path[0] == '.' && path[1] == '/') {
			path += 2;
			n -= 2;
		} else {
			break;
		}
	}
	while (n > 0 && path[n - 1] == '/') {
		n--;
		*is_dir = 1;
	}
	*len = n;
	return path;
}

int
ignore_match(const struct ignore_rules *r, const char *path, int is_dir, int *line)
{
	size_t len;

	if (line)
		*line = 0;
	path = normalise(path, &len, &is_dir);
	if (r == NULL || len == 0)
		return 0;
	return match_one(r, path, len, is_dir, line);
}

int
ignore_match_path(const struct ignore_rules *r, const char *path, int is_dir, int *line)
{
	size_t len, i;

	if (line)
		*line = 0;
	path = normalise(path, &len, &is_dir);
	if (r == NULL || len == 0)
		return 0;
	for (i = 1; i < len; i++)
		if (path[i] == '/' && path[i - 1] != '/' && match_one(r, path, i, 1, line))
			return 1;
	if (line)
		*line = 0;
	return match_one(r, path, len, is_dir, line);
}

size_t
ignore_count(const struct ignore_rules *r)
{
	return r ? r->n : 0;
}

void
ignore_rule(const struct ignore_rules *r, size_t i, int *line, const char **text, const char **invalid)
{
	const struct rule *rule = &r->rules[i];

	if (line)
		*line = rule->line;
	if (text)
		*text = rule->text;
	if (invalid)
		*invalid = rule->invalid;
}
