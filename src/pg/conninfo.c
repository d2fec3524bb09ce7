#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pg/conninfo.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/*
 * URL query parameters that ORMs put in DATABASE_URL for themselves. Each is
 * removed only when this libpq does not know it, so a future libpq keyword
 * of the same name is passed through.
 */
static const char *const orm_params[] = {
	/* Prisma */
	"schema",
	"connection_limit",
	"pool_timeout",
	"pgbouncer",
	"socket_timeout",
	"sslaccept",
	"sslidentity",
	"statement_cache_size",
	"max_connection_lifetime",
	"max_idle_connection_lifetime",
	NULL,
};

/* Keywords whose values are secrets, in conninfo strings and URL queries. */
static const char *const secret_keys[] = { "password", "sslpassword", NULL };

#define REDACTED "***"

struct span {
	size_t start;
	size_t end;
};

/* A small list of strings to hide from libpq's messages. */
struct secrets {
	char **v;
	size_t n;
};

/* libpq compares the prefix case-sensitively; so do we. */
static int
libpq_url(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

/*
 * The length of a URL's "scheme://", any scheme: a mistyped one
 * ("postgresq://u:pw@h/db") is still a URL whose password must be found
 * (libpq would take the whole string as a database name and echo it).
 * 0 when `s` does not start like a URL.
 */
static size_t
url_prefix_len(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return strncmp(s + i, "://", 3) == 0 ? i + 3 : 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* As libpq decodes URL parts: NULL for a bad %xx or %00. */
static char *
percent_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n) {
			free(out);
			return NULL;
		}
		if (hexval((unsigned char)s[i + 1]) < 0 || hexval((unsigned char)s[i + 2]) < 0 ||
		    (s[i + 1] == '0' && s[i + 2] == '0')) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static int
is_secret_key(const char *k, size_t n)
{
	size_t i;

	for (i = 0; secret_keys[i]; i++)
		if (strlen(secret_keys[i]) == n && memcmp(secret_keys[i], k, n) == 0)
			return 1;
	return 0;
}

/*
 * Where the user info of a URL ends (its '@'). libpq takes it to end at the
 * first '@' seen before any '/'. A password with an unencoded '@' or '/'
 * puts the rest of it into the host or path, so this reaches the last '@'
 * before the query and *misencoded says the URL is not what its author
 * meant. Returns 1 with *at, 0 when there is no user info.
 */
static int
url_userinfo_end(const char *s, size_t *at, int *misencoded)
{
	size_t p = url_prefix_len(s), i, q, from;
	int found = 0;

	*misencoded = 0;
	for (i = p; s[i] && s[i] != '@' && s[i] != '/'; i++)
		;
	if (s[i] == '@') {
		*at = i;
		found = 1;
		from = i + 1;
	} else {
		from = p;	/* no user info: look for a stray '@' from the start */
	}
	for (q = from; s[q] && s[q] != '?'; q++)
		;
	for (i = from; i < q; i++) {
		if (s[i] == '@') {
			*at = i;
			found = 1;
			*misencoded = 1;
		}
	}
	return found;
}

/* The password of a URL (after the first ':' of the user info); 1 when present. */
static int
url_password_span(const char *s, struct span *sp)
{
	size_t p = url_prefix_len(s), at, colon;
	int bad;

	if (!url_userinfo_end(s, &at, &bad))
		return 0;
	for (colon = p; colon < at && s[colon] != ':'; colon++)
		;
	if (colon == at)
		return 0;
	sp->start = colon + 1;
	sp->end = at;
	return 1;
}

/* Where the query of a URL starts (the '?'), or strlen(s). */
static size_t
url_query_start(const char *s)
{
	size_t i, at;
	int bad;

	i = url_userinfo_end(s, &at, &bad) ? at + 1 : url_prefix_len(s);
	for (; s[i] && s[i] != '?'; i++)
		;
	return i;
}

/* The next "key=value" of a URL query from *pos; 0 at the end. */
static int
next_query_param(const char *s, size_t *pos, struct span *key, struct span *val)
{
	size_t p = *pos, eq;

	if (s[p] == '\0')
		return 0;
	key->start = p;
	while (s[p] && s[p] != '&' && s[p] != '=')
		p++;
	eq = p;
	key->end = eq;
	while (s[p] && s[p] != '&')
		p++;
	val->start = s[eq] == '=' ? eq + 1 : eq;
	val->end = p;
	*pos = s[p] == '&' ? p + 1 : p;
	return 1;
}

static int
query_key_is(const char *s, const struct span *key, int (*pred)(const char *, size_t))
{
	char *k = percent_decode(s + key->start, key->end - key->start);
	int r = k != NULL && pred(k, strlen(k));

	free(k);
	return r;
}

/*
 * The next secret value in a key=value string from *pos, as libpq's
 * tokenizer sees it: 'quoted' with backslash escapes, or up to whitespace.
 * Bare words after a secret value (password=two words) are taken into it,
 * because they are the rest of a password that needed quotes. Words
 * without '=' elsewhere are skipped. Returns 1 with the raw span, or 0.
 */
static int
kv_next_secret(const char *s, size_t *pos, struct span *val)
{
	size_t p = *pos, ks, ke, w;

	for (;;) {
		while (isspace((unsigned char)s[p]))
			p++;
		if (s[p] == '\0') {
			*pos = p;
			return 0;
		}
		ks = p;
		while (s[p] && s[p] != '=' && !isspace((unsigned char)s[p]))
			p++;
		ke = p;
		while (isspace((unsigned char)s[p]))
			p++;
		if (s[p] != '=')
			continue;
		p++;
		while (isspace((unsigned char)s[p]))
			p++;
		val->start = p;
		if (s[p] == '\'') {
			p++;
			while (s[p] && s[p] != '\'')
				p += (s[p] == '\\' && s[p + 1]) ? 2 : 1;
			if (s[p] == '\'')
				p++;
		} else {
			while (s[p] && !isspace((unsigned char)s[p]))
				p += (s[p] == '\\' && s[p + 1]) ? 2 : 1;
		}
		val->end = p;
		if (!is_secret_key(s + ks, ke - ks))
			continue;
		for (;;) {
			size_t q = p, wend;

			while (isspace((unsigned char)s[q]))
				q++;
			for (w = q; s[w] && s[w] != '=' && !isspace((unsigned char)s[w]); w++)
				;
			if (w == q)
				break;
			wend = w;
			while (isspace((unsigned char)s[w]))
				w++;
			if (s[w] == '=')
				break;
			p = val->end = wend;
		}
		*pos = p;
		return 1;
	}
}

/* The value libpq would use for a raw key=value token: quotes and backslashes gone. */
static char *
kv_unescape(const char *s, const struct span *sp)
{
	struct strbuf sb = STRBUF_INIT;
	size_t p = sp->start, end = sp->end;

	if (p < end && s[p] == '\'') {
		p++;
		if (end > p && s[end - 1] == '\'')
			end--;
	}
	while (p < end) {
		if (s[p] == '\\' && p + 1 < end)
			p++;
		strbuf_putc(&sb, s[p++]);
	}
	return strbuf_detach(&sb);
}

static void
secrets_add(struct secrets *sec, char *s)
{
	if (s == NULL)
		return;
	if (*s == '\0') {
		free(s);
		return;
	}
	sec->v = xrealloc(sec->v, (sec->n + 1) * sizeof(*sec->v));
	sec->v[sec->n++] = s;
}

static void
secrets_free(struct secrets *sec)
{
	size_t i;

	for (i = 0; i < sec->n; i++)
		free(sec->v[i]);
	free(sec->v);
	sec->v = NULL;
	sec->n = 0;
}

static void
secrets_add_span(struct secrets *sec, const char *s, const struct span *sp)
{
	secrets_add(sec, xstrndup(s + sp->start, sp->end - sp->start));
	secrets_add(sec, percent_decode(s + sp->start, sp->end - sp->start));
}

/* Every form in which a password of `s` could show up in a libpq message. */
static void
collect_secrets(const char *s, struct secrets *sec)
{
	struct span key, val;
	size_t pos;

	if (url_prefix_len(s) == 0) {
		pos = 0;
		while (kv_next_secret(s, &pos, &val)) {
			size_t w = val.start, e;

			secrets_add(sec, xstrndup(s + val.start, val.end - val.start));
			secrets_add(sec, kv_unescape(s, &val));
			/* libpq names a stray word alone: missing "=" after "word". */
			while (s[val.start] != '\'' && w < val.end) {
				for (e = w; e < val.end && !isspace((unsigned char)s[e]); e++)
					;
				if (w != val.start || e != val.end)
					secrets_add(sec, xstrndup(s + w, e - w));
				for (w = e; w < val.end && isspace((unsigned char)s[w]); w++)
					;
			}
		}
		return;
	}
	if (url_password_span(s, &val))
		secrets_add_span(sec, s, &val);
	pos = url_query_start(s);
	if (s[pos] == '?')
		pos++;
	while (next_query_param(s, &pos, &key, &val))
		if (query_key_is(s, &key, is_secret_key))
			secrets_add_span(sec, s, &val);
}

static int
cmp_len_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Longest first, so a secret is not half-hidden by a shorter form of it. */
static char *
redact_all(const char *msg, struct secrets *sec)
{
	char *out = xstrdup(msg), *next;
	size_t i;

	if (sec->n > 1)
		qsort(sec->v, sec->n, sizeof(*sec->v), cmp_len_desc);
	for (i = 0; i < sec->n; i++) {
		next = redact_secret(out, sec->v[i]);
		free(out);
		out = next;
	}
	return out;
}

static int
is_orm_param(const char *k, size_t n)
{
	size_t i;

	for (i = 0; orm_params[i]; i++)
		if (strlen(orm_params[i]) == n && memcmp(orm_params[i], k, n) == 0)
			return 1;
	return 0;
}

/* Asks libpq itself, so that what it accepts is never removed. */
static int
libpq_knows(const char *s, const struct span *key)
{
	char *k = percent_decode(s + key->start, key->end - key->start);
	char *probe, *msg = NULL;
	PQconninfoOption *opts;
	int known;

	if (k == NULL)
		return 1;
	probe = xasprintf("%s=''", k);
	opts = PQconninfoParse(probe, &msg);
	known = opts != NULL;
	PQconninfoFree(opts);
	PQfreemem(msg);
	free(probe);
	free(k);
	return known;
}

/* The URL without the ORM-only query parameters; a copy when none. */
static char *
strip_orm_params(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct span key, val;
	size_t q = url_query_start(s), pos;
	int kept = 0, dropped = 0;

	if (s[q] != '?')
		return xstrdup(s);
	strbuf_append(&sb, s, q);
	pos = q + 1;
	while (next_query_param(s, &pos, &key, &val)) {
		if (query_key_is(s, &key, is_orm_param) && !libpq_knows(s, &key)) {
			dropped++;
			continue;
		}
		strbuf_putc(&sb, kept++ ? '&' : '?');
		strbuf_append(&sb, s + key.start, val.end - key.start);
	}
	if (dropped == 0) {
		strbuf_free(&sb);
		return xstrdup(s);
	}
	return strbuf_detach(&sb);
}

/* libpq checks ports only when connecting, and its message there is vague. */
static int
valid_port_list(const char *v)
{
	const char *p = v;

	while (*p) {
		long n = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			if (n <= 65535)
				n = n * 10 + (*p - '0');
			p++;
			digits++;
		}
		if (*p != ',' && *p != '\0')
			return 0;
		if (digits > 0 && (n < 1 || n > 65535))
			return 0;
		if (*p == ',')
			p++;
	}
	return 1;
}

static char *
one_line(char *s)
{
	size_t n;
	char *p;

	for (p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

char *
conninfo_normalise(const char *in, char *err, size_t errlen)
{
	struct secrets sec = { NULL, 0 };
	PQconninfoOption *opts = NULL, *o;
	char *out = NULL, *msg = NULL, *clean;
	size_t at;
	int is_url, misencoded = 0, ok = 0;

	if (err && errlen)
		err[0] = '\0';
	if (in == NULL || *in == '\0') {
		errbuf_set(err, errlen, "empty connection string");
		goto out;
	}
	is_url = url_prefix_len(in) != 0;
	if (is_url && !libpq_url(in)) {
		errbuf_set(err, errlen, "unknown URL scheme \"%.*s\": a connection URL starts with postgresql:// "
		    "or postgres://", (int)url_prefix_len(in), in);
		goto out;
	}
	/* libpq (expand_dbname) takes a string with neither as a database name. */
	if (!is_url && strchr(in, '=') == NULL) {
		out = xstrdup(in);
		ok = 1;
		goto out;
	}
	collect_secrets(in, &sec);
	if (is_url) {
		url_userinfo_end(in, &at, &misencoded);
		if (misencoded) {
			errbuf_set(err, errlen, "the URL has an '@' where libpq expects none: "
			    "percent-encode '@' as %%40 and '/' as %%2F in the user name and password");
			goto out;
		}
		out = strip_orm_params(in);
	} else {
		out = xstrdup(in);
	}
	opts = PQconninfoParse(out, &msg);
	if (opts == NULL) {
		clean = redact_all(msg ? msg : "out of memory", &sec);
		errbuf_set(err, errlen, "%s", one_line(clean));
		free(clean);
		goto out;
	}
	for (o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, "port") == 0 && o->val && !valid_port_list(o->val)) {
			/* Not echoed: part of a badly written password can land in the port. */
			errbuf_set(err, errlen, "invalid port: expected a number from 1 to 65535");
			goto out;
		}
	}
	ok = 1;
out:
	if (!ok) {
		free(out);
		out = NULL;
	}
	PQconninfoFree(opts);
	PQfreemem(msg);
	secrets_free(&sec);
	return out;
}

/*
 * The raw spans of every secret value in `in`, as written (quotes,
 * escapes and %xx included), in order; *n of them. Caller frees.
 */
static struct span *
secret_spans(const char *in, size_t *n)
{
	struct span *v = NULL, key, val;
	size_t pos;

	*n = 0;
	if (url_prefix_len(in) == 0) {
		pos = 0;
		while (kv_next_secret(in, &pos, &val)) {
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = val;
		}
		return v;
	}
	if (url_password_span(in, &val) && val.end > val.start) {
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = val;
	}
	pos = url_query_start(in);
	if (in[pos] == '?')
		pos++;
	while (next_query_param(in, &pos, &key, &val)) {
		if (!query_key_is(in, &key, is_secret_key))
			continue;
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = val;
	}
	return v;
}

char *
conninfo_redact(const char *in)
{
	struct strbuf sb = STRBUF_INIT;
	struct span *spans;
	size_t i, n, copied = 0;

	if (in == NULL)
		return xstrdup("");
	spans = secret_spans(in, &n);
	for (i = 0; i < n; i++) {
		strbuf_append(&sb, in + copied, spans[i].start - copied);
		strbuf_puts(&sb, REDACTED);
		copied = spans[i].end;
	}
	strbuf_puts(&sb, in + copied);
	free(spans);
	return strbuf_detach(&sb);
}

void
conninfo_scrub(char *s)
{
	struct span *spans;
	size_t i, n;

	if (s == NULL)
		return;
	spans = secret_spans(s, &n);
	for (i = 0; i < n; i++)
		memset(s + spans[i].start, '*', spans[i].end - spans[i].start);
	free(spans);
}

char *
redact_secret(const char *s, const char *secret)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p, *hit;
	size_t n;

	if (s == NULL)
		return xstrdup("");
	if (secret == NULL || *secret == '\0')
		return xstrdup(s);
	n = strlen(secret);
	p = s;
	while ((hit = strstr(p, secret)) != NULL) {
		strbuf_append(&sb, p, (size_t)(hit - p));
		strbuf_puts(&sb, REDACTED);
		p = hit + n;
	}
	strbuf_puts(&sb, p);
	return strbuf_detach(&sb);
}

/* value quoted for a key=value conninfo: '...' with ' and \ escaped. */
static void
kv_put(struct strbuf *sb, const char *key, const char *value)
{
	const char *p;

	strbuf_printf(sb, "%s%s='", sb->len ? " " : "", key);
	for (p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			strbuf_putc(sb, '\\');
		strbuf_putc(sb, *p);
	}
	strbuf_putc(sb, '\'');
}

/* The flag value for keyword K, or NULL. */
static const char *
part_for(const struct conninfo_parts *parts, const char *k)
{
	return strcmp(k, "host") == 0 ? parts->host : strcmp(k, "port") == 0 ? parts->port :
	    strcmp(k, "user") == 0 ? parts->user : NULL;
}

char *
conninfo_combine(const char *base, const struct conninfo_parts *parts, int base_wins, char *err, size_t errlen)
{
	static const char *const keys[] = { "host", "port", "user", NULL };
	struct strbuf sb = STRBUF_INIT;
	PQconninfoOption *opts = NULL, *o;
	char *msg = NULL;
	size_t i;

	if (base != NULL && *base != '\0' && url_prefix_len(base) == 0 && strchr(base, '=') == NULL) {
		kv_put(&sb, "dbname", base);	/* a bare database name, as libpq takes it */
		base = NULL;
	}
	if (base != NULL && *base != '\0') {
		if ((opts = PQconninfoParse(base, &msg)) == NULL) {
			/* base was normalised before: this is out of memory, or a bug */
			errbuf_set(err, errlen, "cannot read the connection string");
			PQfreemem(msg);
			strbuf_free(&sb);
			return NULL;
		}
		for (o = opts; o->keyword; o++) {
			const char *flag = part_for(parts, o->keyword);

			if (o->val == NULL || (flag != NULL && !base_wins))
				continue;
			kv_put(&sb, o->keyword, o->val);
		}
	}
	/* A flag fills what the string does not set (and replaces it unless base_wins). */
	for (i = 0; keys[i]; i++) {
		const char *flag = part_for(parts, keys[i]);
		int set_in_base = 0;

		for (o = opts; o != NULL && o->keyword; o++)
			if (strcmp(o->keyword, keys[i]) == 0 && o->val != NULL)
				set_in_base = 1;
		if (flag != NULL && !(base_wins && set_in_base))
			kv_put(&sb, keys[i], flag);
	}
	PQconninfoFree(opts);
	return strbuf_detach(&sb);
}

char *
conninfo_with_ca(const char *base, const char *ca, int *added, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	PQconninfoOption *opts = NULL, *o;
	char *msg = NULL;
	int has_mode = 0;

	*added = 0;
	if (url_prefix_len(base) == 0 && strchr(base, '=') == NULL) {
		kv_put(&sb, "dbname", base);	/* a bare database name, as libpq takes it */
	} else if ((opts = PQconninfoParse(base, &msg)) == NULL) {
		/* base was normalised before: this is out of memory, or a bug */
		errbuf_set(err, errlen, "cannot read the connection string");
		PQfreemem(msg);
		strbuf_free(&sb);
		return NULL;
	}
	for (o = opts; o != NULL && o->keyword; o++) {
		if (o->val == NULL)
			continue;
		/* The string's own CA is the operator's choice for that string: kept as it is. */
		if (strcmp(o->keyword, "sslrootcert") == 0) {
			PQconninfoFree(opts);
			strbuf_free(&sb);
			return xstrdup(base);
		}
		has_mode |= strcmp(o->keyword, "sslmode") == 0;
		kv_put(&sb, o->keyword, o->val);
	}
	PQconninfoFree(opts);
	kv_put(&sb, "sslrootcert", ca);
	/* A CA given is a CA to check the server against, as with DB_*: unless the string names a mode. */
	if (!has_mode)
		kv_put(&sb, "sslmode", "verify-full");
	*added = 1;
	return strbuf_detach(&sb);
}
