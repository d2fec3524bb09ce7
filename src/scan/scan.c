#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "scan/scan.h"
#include "base/xalloc.h"

/*
 * The rules follow gitleaks' config (prefixes, alphabets, lengths, an
 * entropy floor); each token must stand on its own: the byte before is not
 * a letter, digit or '_' and the byte after is not of its alphabet.
 */
enum alphabet {
	AB_HEX,		/* 0-9a-f */
	AB_UPPER_DIGIT,	/* A-Z0-9 */
	AB_ALNUM,	/* A-Za-z0-9 */
	AB_WORD,	/* A-Za-z0-9_ */
	AB_WORD_DASH,	/* A-Za-z0-9_- */
	AB_ALNUM_DASH,	/* A-Za-z0-9- */
	AB_WORD_DASH_DOT,	/* A-Za-z0-9_-. */
};

struct token_rule {
	const char *rule;
	const char *prefix;
	enum alphabet ab;
	size_t min, max;	/* length of the part after the prefix */
	const char *must;	/* a substring the token must hold, or NULL */
	const char *env;	/* "prod" or "test" when the prefix says which; test keys are SCAN_LOW */
};

static const struct token_rule token_rules[] = {
	{ "digitalocean-pat", "dop_v1_", AB_HEX, 64, 64, NULL, NULL },
	{ "digitalocean-access-token", "doo_v1_", AB_HEX, 64, 64, NULL, NULL },
	{ "digitalocean-refresh-token", "dor_v1_", AB_HEX, 64, 64, NULL, NULL },
	{ "digitalocean-database-password", "AVNS_", AB_WORD_DASH, 16, 64, NULL, NULL },
	{ "aws-access-key", "AKIA", AB_UPPER_DIGIT, 16, 16, NULL, NULL },
	{ "aws-access-key", "ASIA", AB_UPPER_DIGIT, 16, 16, NULL, NULL },
	{ "github-pat", "ghp_", AB_ALNUM, 36, 36, NULL, NULL },
	{ "github-oauth-token", "gho_", AB_ALNUM, 36, 36, NULL, NULL },
	{ "github-app-token", "ghu_", AB_ALNUM, 36, 36, NULL, NULL },
	{ "github-app-token", "ghs_", AB_ALNUM, 36, 36, NULL, NULL },
	{ "github-refresh-token", "ghr_", AB_ALNUM, 36, 36, NULL, NULL },
	{ "github-fine-grained-pat", "github_pat_", AB_WORD, 60, 100, NULL, NULL },
	{ "openai-api-key", "sk-proj-", AB_WORD_DASH, 40, 300, NULL, NULL },
	{ "openai-api-key", "sk-svcacct-", AB_WORD_DASH, 40, 300, NULL, NULL },
	{ "openai-api-key", "sk-admin-", AB_WORD_DASH, 40, 300, NULL, NULL },
	{ "openai-api-key", "sk-", AB_ALNUM, 48, 48, "T3BlbkFJ", NULL },
	/* Test-mode keys reach the account's test data only: reported, at a lower severity. */
	{ "stripe-access-token", "sk_live_", AB_ALNUM, 10, 99, NULL, "prod" },
	{ "stripe-access-token", "rk_live_", AB_ALNUM, 10, 99, NULL, "prod" },
	{ "stripe-access-token", "sk_prod_", AB_ALNUM, 10, 99, NULL, "prod" },
	{ "stripe-access-token", "rk_prod_", AB_ALNUM, 10, 99, NULL, "prod" },
	{ "stripe-access-token", "sk_test_", AB_ALNUM, 10, 99, NULL, "test" },
	{ "stripe-access-token", "rk_test_", AB_ALNUM, 10, 99, NULL, "test" },
	{ "slack-token", "xoxb-", AB_ALNUM_DASH, 20, 200, NULL, NULL },
	{ "slack-token", "xoxp-", AB_ALNUM_DASH, 20, 200, NULL, NULL },
	{ "slack-token", "xoxa-", AB_ALNUM_DASH, 20, 200, NULL, NULL },
	{ "slack-token", "xoxr-", AB_ALNUM_DASH, 20, 200, NULL, NULL },
	{ "slack-token", "xoxs-", AB_ALNUM_DASH, 20, 200, NULL, NULL },
	{ "slack-token", "xoxe-", AB_ALNUM_DASH, 20, 200, NULL, NULL },
	/* re_ + 8 + '_' + 24: checked by resend_shape(), the prefix is too common alone. */
	{ "resend-api-key", "re_", AB_WORD, 33, 33, NULL, NULL },
	{ "npm-access-token", "npm_", AB_ALNUM, 36, 36, NULL, NULL },
	/* SG. + 22 + '.' + 43, and sk-ant-api03- + 93 + AA: checked by token_shape(). */
	{ "sendgrid-api-token", "SG.", AB_WORD_DASH_DOT, 66, 66, NULL, NULL },
	{ "anthropic-api-key", "sk-ant-api03-", AB_WORD_DASH, 95, 95, NULL, NULL },
};

#define NTOKEN_RULES (sizeof(token_rules) / sizeof(token_rules[0]))
/* Below this many bits per byte a "secret" is a word, a run or a pattern. */
#define MIN_ENTROPY 3.0
#define BINARY_PROBE 8000

static int
in_alphabet(enum alphabet ab, unsigned char c)
{
	switch (ab) {
	case AB_HEX:
		return isdigit(c) || (c >= 'a' && c <= 'f');
	case AB_UPPER_DIGIT:
		return isdigit(c) || isupper(c);
	case AB_ALNUM:
		return isalnum(c);
	case AB_WORD:
		return isalnum(c) || c == '_';
	case AB_WORD_DASH:
		return isalnum(c) || c == '_' || c == '-';
	case AB_ALNUM_DASH:
		return isalnum(c) || c == '-';
	case AB_WORD_DASH_DOT:
		return isalnum(c) || c == '_' || c == '-' || c == '.';
	}
	return 0;
}

static int
is_word(unsigned char c)
{
	return isalnum(c) || c == '_';
}

/* Shannon entropy of S in bits per byte. */
static double
entropy(const char *s, size_t n)
{
	size_t count[256] = { 0 }, i;
	double h = 0;

	for (i = 0; i < n; i++)
		count[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		if (count[i]) {
			double p = (double)count[i] / (double)n;

			h -= p * log2(p);
		}
	}
	return h;
}

static int
contains_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; k <= n && i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Words that say a value was written to be replaced or is a documentation sample. */
static const char *const fake_words[] = {
	"your", "example", "changeme", "change-me", "change_me", "xxx", "placeholder", "replace",
	"dummy", "fake", "redacted", "sample", "password", "<", "${", "{{", "***", "...", NULL,
};

/* Values that are words, not secrets. */
static const char *const plain_words[] = {
	"password", "passwd", "pass", "pwd", "secret", "token", "true", "false", "null", "none",
	"undefined", "required", "optional", "string", "test", "postgres", "admin", "root", NULL,
};

/* Four characters in a row, each one more than the last (1234, 7890, abcd): typed by hand. */
static int
has_run(const char *v, size_t n)
{
	size_t i, run = 1;

	for (i = 1; i < n; i++) {
		unsigned char a = (unsigned char)v[i - 1], b = (unsigned char)v[i];
		int next = (isdigit(a) && isdigit(b) && (b - '0') == (a - '0' + 1) % 10) ||
		    (isalpha(a) && b == a + 1 && isalpha(b));

		run = next ? run + 1 : 1;
		if (run >= 4)
			return 1;
	}
	return 0;
}

/* 8-4-4-4-12 hex digits somewhere in V: an id, not a secret. */
static int
has_uuid(const char *v, size_t n)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i, k;

	for (i = 0; i + 36 <= n; i++) {
		for (k = 0; k < 36; k++)
			if (shape[k] == '-' ? v[i + k] != '-' : !isxdigit((unsigned char)v[i + k]))
				break;
		if (k == 36)
			return 1;
	}
	return 0;
}

int
scan_is_placeholder(const char *v, size_t n)
{
	size_t i;
	int upper_var = 1;

	if (n == 0 || memchr(v, '$', n) != NULL || v[0] == '%' || v[0] == '<' || v[0] == '{' || has_run(v, n) ||
	    has_uuid(v, n))
		return 1;
	for (i = 0; fake_words[i]; i++)
		if (contains_ci(v, n, fake_words[i]))
			return 1;
	for (i = 0; plain_words[i]; i++)
		if (strlen(plain_words[i]) == n && strncasecmp(v, plain_words[i], n) == 0)
			return 1;
	/* A variable's name written in place of its value: DB_PASSWORD. */
	for (i = 0; i < n; i++)
		if (!(isupper((unsigned char)v[i]) || isdigit((unsigned char)v[i]) || v[i] == '_'))
			upper_var = 0;
	if (upper_var && memchr(v, '_', n) != NULL)
		return 1;
	/* One character over and over: ********, 00000000. */
	for (i = 1; i < n && v[i] == v[0]; i++)
		;
	return i == n;
}

/* How specific a rule is: a token's own format says more than a URL's password, an HTTP header or a KEY=VALUE line. */
static int
rule_rank(const char *rule)
{
	if (strcmp(rule, "secret-assignment") == 0)
		return 0;
	return strcmp(rule, "url-password") == 0 || strcmp(rule, "bearer-token") == 0 ||
	    strcmp(rule, "basic-auth") == 0 ? 1 : 2;
}

/*
 * A new finding. Two rules matching the very same bytes (a GitHub token as
 * a URL's password or a KEY=VALUE's value) make one finding, of the more
 * specific rule, so which is reported never rests on the sort.
 */
static struct scan_finding *
add(struct scan_result *r, const char *rule, size_t start, size_t end)
{
	struct scan_finding *f;
	size_t k;

	for (k = r->n; k > 0 && r->n - k < 8; k--) {
		f = &r->v[k - 1];
		if (f->start == start && f->end == end) {
			if (rule_rank(rule) > rule_rank(f->rule)) {
				memset(f, 0, sizeof(*f));
				f->rule = rule;
				f->start = start;
				f->end = end;
			}
			return f;
		}
	}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	f = &r->v[r->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = SCAN_HIGH;
	f->start = start;
	f->end = end;
	return f;
}

/* jwt.io's sample token's signature, pasted into docs and tests everywhere. */
#define JWT_IO_SIG "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

/* Keys published in a provider's documentation for everyone to paste (also as a JWT's signature): not anyone's secret. */
static int
published_sample(const char *v, size_t n)
{
	static const char *const samples[] = { "4eC39HqLyjWDarjtT1zdp7dc" /* Stripe's docs */,
		"2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA" /* RFC 6749's access and refresh token */,
		"4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg" /* PyJWT's README token, signed with "secret" */, NULL };
	size_t i, k = strlen(JWT_IO_SIG);

	for (i = 0; samples[i]; i++)
		if (strlen(samples[i]) == n && memcmp(v, samples[i], n) == 0)
			return 1;
	return n >= k && memcmp(v + n - k, JWT_IO_SIG, k) == 0;
}

/* re_XXXXXXXX_YYYYYYYYYYYYYYYYYYYYYYYY, with upper, lower and digits: not an identifier. */
static int
resend_shape(const char *t, size_t n)
{
	int up = 0, low = 0, dig = 0;
	size_t i;

	if (n != 36 || t[11] != '_')
		return 0;
	for (i = 3; i < n; i++) {
		if (i == 11)
			continue;
		if (!isalnum((unsigned char)t[i]))
			return 0;
		up |= isupper((unsigned char)t[i]) != 0;
		low |= islower((unsigned char)t[i]) != 0;
		dig |= isdigit((unsigned char)t[i]) != 0;
	}
	return up && low && dig;
}

/* The fixed inner shape of the tokens whose alphabet alone says too little; 1 for the others. */
static int
token_shape(const struct token_rule *t, const char *tok, size_t n)
{
	size_t pl = strlen(t->prefix);

	if (strcmp(t->rule, "resend-api-key") == 0)
		return resend_shape(tok, n);
	if (strcmp(t->rule, "sendgrid-api-token") == 0)
		return tok[pl + 22] == '.' && memchr(tok + pl, '.', 22) == NULL && memchr(tok + pl + 23, '.', n - pl - 23) == NULL;
	if (strcmp(t->rule, "anthropic-api-key") == 0)
		return tok[n - 2] == 'A' && tok[n - 1] == 'A';
	return 1;
}

/* The token rule matching at I, with its end; 0 when none. */
static int
match_token(const char *buf, size_t len, size_t i, const struct token_rule **rule, size_t *end)
{
	size_t k;

	if (i > 0 && is_word((unsigned char)buf[i - 1]))
		return 0;
	for (k = 0; k < NTOKEN_RULES; k++) {
		const struct token_rule *t = &token_rules[k];
		size_t pl, j, n;

		if (t->prefix[0] != buf[i])
			continue;	/* most bytes start no prefix: spare the strlen and memcmp */
		pl = strlen(t->prefix);
		if (len - i < pl + t->min || memcmp(buf + i, t->prefix, pl) != 0)
			continue;
		for (j = i + pl; j < len && j - i - pl <= t->max && in_alphabet(t->ab, (unsigned char)buf[j]); j++)
			;
		n = j - i - pl;
		if (n < t->min || n > t->max)
			continue;
		if (t->must && !contains_ci(buf + i, j - i, t->must))
			continue;
		if (!token_shape(t, buf + i, j - i))
			continue;
		if (scan_is_placeholder(buf + i + pl, n) || entropy(buf + i + pl, n) < MIN_ENTROPY ||
		    published_sample(buf + i + pl, n))
			continue;
		*rule = t;
		*end = j;
		return 1;
	}
	return 0;
}

static int
base64ish(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=';
}

/* What a key block's body holds: base64, line ends (also written \\n in code), PEM headers. */
static int
key_body_byte(unsigned char c)
{
	return base64ish(c) || isspace(c) || c == '\\' || c == ':' || c == ',' || c == '-';
}

/*
 * "-----BEGIN ... PRIVATE KEY-----" (OPENSSH, RSA, EC, DSA, ENCRYPTED, PGP
 * ... BLOCK) with a body: at least 64 base64 bytes before its END line or
 * before the text stops looking like one, so that code or data naming the
 * marker is not a key. The finding is the whole block.
 */
static int
match_private_key(const char *buf, size_t len, size_t i, size_t *end)
{
	static const char begin[] = "-----BEGIN ";
	const char *p = buf + i + strlen(begin), *lim = buf + len, *e, *q;
	size_t body = 0;

	if ((size_t)(lim - (buf + i)) < 40 || memcmp(buf + i, begin, strlen(begin)) != 0)
		return 0;
	for (q = p; q < lim && q - p < 40 && (isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == ' '); q++)
		;
	if ((q - p < 11 || memcmp(q - 11, "PRIVATE KEY", 11) != 0) &&
	    (q - p < 17 || memcmp(q - 17, "PRIVATE KEY BLOCK", 17) != 0))
		return 0;
	if (lim - q < 5 || memcmp(q, "-----", 5) != 0)
		return 0;
	for (e = q + 5; e < lim && key_body_byte((unsigned char)*e); e++) {
		if (*e == '-' && lim - e >= 9 && memcmp(e, "-----END ", 9) == 0)
			break;
		body += base64ish((unsigned char)*e);
	}
	if (body < 64)
		return 0;
	/* The END line's label and closing dashes, no further: what follows on the line is not the key's. */
	if (e < lim && *e == '-') {
		for (e += 9; e < lim && (isupper((unsigned char)*e) || isdigit((unsigned char)*e) || *e == ' '); e++)
			;
		for (q = e; e < lim && e - q < 5 && *e == '-'; e++)
			;
	}
	*end = (size_t)(e - buf);
	return 1;
}

/* Bytes that end a URL in text. */
static int
url_stop(unsigned char c)
{
	return isspace(c) || c == '"' || c == '\'' || c == '`' || c == '/' || c == ',' || c == ';' || c == '\\';
}

/*
 * scheme://user:password@host with a real-looking password. I is at the
 * "://"; the password's bytes are the finding.
 */
static int
match_url_password(const char *buf, size_t len, size_t i, size_t *start, size_t *end)
{
	size_t s = i, j, at = 0, colon = 0;

	while (s > 0 && (isalnum((unsigned char)buf[s - 1]) || buf[s - 1] == '+' || buf[s - 1] == '.' ||
	    buf[s - 1] == '-'))
		s--;
	if (s == i || !isalpha((unsigned char)buf[s]))
		return 0;
	for (j = i + 3; j < len && !url_stop((unsigned char)buf[j]); j++) {
		if (buf[j] == '@')
			at = j;
		else if (buf[j] == ':' && colon == 0 && at == 0)
			colon = j;
	}
	if (at == 0 || colon == 0 || colon > at || at + 1 >= len || !(isalnum((unsigned char)buf[at + 1]) ||
	    buf[at + 1] == '['))
		return 0;
	if (colon == i + 3 && memchr(buf + colon + 1, ':', at - colon - 1) != NULL)
		return 0;	/* no user, a ':' in the rest: CVS's :pserver:user@host */
	*start = colon + 1;
	*end = at;
	if (*end - *start < 8 || scan_is_placeholder(buf + *start, *end - *start) ||
	    entropy(buf + *start, *end - *start) < MIN_ENTROPY)
		return 0;
	return 1;
}

/*
 * [s, s + n) decoded from base64 into OUT (at most CAP bytes), by
 * libsodium: URL, the base64url alphabet unpadded, as a JWT's parts; else
 * the standard one, padded or not, as .npmrc's values. Its length, or -1
 * when it is not base64.
 */
static long
b64_decode(const char *s, size_t n, int url, char *out, size_t cap)
{
	int variant = url ? sodium_base64_VARIANT_URLSAFE_NO_PADDING : n > 0 && s[n - 1] == '=' ?
	    sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	size_t got;

	if (sodium_base642bin((unsigned char *)out, cap, s, n, NULL, &got, NULL, variant) != 0)
		return -1;
	return (long)got;
}

/* [s, s + n) as standard base64 of printable ASCII text, decoded into OUT: its length, or -1. */
static long
b64_printable(const char *s, size_t n, char *out, size_t cap)
{
	long len = b64_decode(s, n, 0, out, cap), i;

	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			return -1;
	return len;
}

/* TEXT is "user:password" with both parts: the password's start, or NULL. */
static const char *
password_of(const char *text, long n)
{
	const char *colon = memchr(text, ':', (size_t)n);

	return colon != NULL && colon > text && colon < text + n - 1 ? colon + 1 : NULL;
}

/* The end of the base64url run from I. */
static size_t
b64url_run(const char *buf, size_t len, size_t i)
{
	while (i < len && (isalnum((unsigned char)buf[i]) || buf[i] == '-' || buf[i] == '_'))
		i++;
	return i;
}

/*
 * A signed JSON Web Token at I, wherever it stands (a command line, a
 * header, a URL): base64url header "eyJ..." that decodes to JSON naming
 * its "alg", "." a JSON payload "eyJ...", "." a signature of 16 bytes or
 * more. An unsigned token (alg none) authenticates nothing: not taken.
 */
static int
match_jwt(const char *buf, size_t len, size_t i, size_t *end)
{
	char head[192];
	size_t h, b, sig;
	long n;

	if (len - i < 60 || buf[i + 1] != 'y' || buf[i + 2] != 'J' ||
	    (i > 0 && (is_word((unsigned char)buf[i - 1]) || buf[i - 1] == '-' || buf[i - 1] == '.')))
		return 0;
	h = b64url_run(buf, len, i);
	if (h - i < 19 || h + 3 >= len || buf[h] != '.' || buf[h + 1] != 'e' || buf[h + 2] != 'y' || buf[h + 3] != 'J')
		return 0;
	b = b64url_run(buf, len, h + 1);
	if (b - h - 1 < 19 || b >= len || buf[b] != '.')
		return 0;
	sig = b64url_run(buf, len, b + 1);
	if (sig - b - 1 < 16 || (sig < len && (buf[sig] == '+' || buf[sig] == '/' || buf[sig] == '=')))
		return 0;
	if ((n = b64_decode(buf + i, h - i, 1, head, sizeof(head))) < 0 || memmem(head, (size_t)n, "\"alg\"", 5) == NULL)
		return 0;
	if (scan_is_placeholder(buf + b + 1, sig - b - 1) || published_sample(buf + b + 1, sig - b - 1))
		return 0;
	*end = sig;
	return 1;
}

/* A key naming a secret: PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE; not a file, a name, a lifetime. */
static int
secret_key(const char *k, size_t n)
{
	static const char *const says[] = { "PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY",
		"PRIVATE", "ACCESS_KEY", NULL };
	static const char *const but[] = { "_FILE", "_PATH", "_DIR", "_NAME", "_ID", "_LENGTH", "_EXPIRY",
		"_EXPIRES", "_TTL", "_TYPE", "_HEADER", "_URL", "_ENDPOINT", "_REGION", "_EXPIRES_IN", "_ENCRYPTION", "_METHOD",
		"_ALGORITHM", "_MODE", "_POLICY", NULL };
	char up[256];
	size_t i, u = 0;
	int hit = 0;

	if (n == 0 || n >= sizeof(up) / 2)
		return 0;
	/* camelCase words as snake case (jwtSecret, tokenExpiresIn, secretName), so the same rules read both. */
	for (i = 0; i < n; i++) {
		if (i > 0 && isupper((unsigned char)k[i]) && islower((unsigned char)k[i - 1]))
			up[u++] = '_';
		up[u++] = k[i] == '-' || k[i] == '.' ? '_' : (char)toupper((unsigned char)k[i]);
	}
	up[u] = '\0';
	for (i = 0; says[i] && !hit; i++)
		hit = strstr(up, says[i]) != NULL;
	/* apikey, privatekey written as one word; SMTP_PASS, DB_PASS. */
	if (!hit && (strstr(up, "APIKEY") || strstr(up, "PRIVATEKEY") || strcmp(up, "PASS") == 0 ||
	    (u > 5 && strcmp(up + u - 5, "_PASS") == 0)))
		hit = 1;
	for (i = 0; but[i] && hit; i++) {
		size_t bl = strlen(but[i]);

		if (u > bl && strcmp(up + u - bl, but[i]) == 0)
			hit = 0;
	}
	return hit;
}

/* A value that reads as code (config.jwtSecret, process.env.X, fn(...)), not as data. */
static int
code_like(const char *v, size_t n)
{
	size_t i;
	int dot = 0, other = 0;

	if (v[0] == '!' || v[0] == '/' || v[0] == '~' || (n > 1 && v[0] == '.' && v[1] == '/'))
		return 1;	/* !!process.env.X, a path */
	if (memmem(v, n, "://", 3) != NULL)
		return 1;	/* a URL: the url-password rule looks at its password */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || isspace(c) || c == '|' ||
		    c == '&' || c == '?' || c == '>')
			return 1;
		if (c == '.')
			dot = 1;
		else if (!isalnum(c) && c != '_' && c != '$')
			other = 1;
	}
	return dot && !other && isalpha((unsigned char)v[0]);
}

/* Only letters between the separators _ - . (or none): a name made of words. */
static int
word_like(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalpha((unsigned char)v[i]) && v[i] != '_' && v[i] != '-' && v[i] != '.')
			return 0;
	return 1;
}

/*
 * Words and digits of one case joined by - _ . that say what they are: a
 * label (x-aws-ec2-metadata-token, my-secret-1), a C type naming one
 * (wuffs_base__token_buffer*), a docs' stand-in (MYTOKEN1, as npm's
 * manual writes _authToken=MYTOKEN1).
 */
static int
self_named(const char *v, size_t n)
{
	size_t i;
	int up = 0, low = 0;

	if (n > 1 && v[n - 1] == '*')
		n--;
	for (i = 0; i < n; i++) {
		up |= isupper((unsigned char)v[i]) != 0;
		low |= islower((unsigned char)v[i]) != 0;
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_' && v[i] != '.')
			return 0;
	}
	return !(up && low) && (contains_ci(v, n, "secret") || contains_ci(v, n, "token"));
}

/* Random enough to be a secret: long enough, varied, and more than one kind of character. */
static int
random_value(const char *v, size_t n)
{
	int up = 0, low = 0, dig = 0, sym = 0;
	size_t i;

	if (n < 8 || scan_is_placeholder(v, n) || entropy(v, n) < MIN_ENTROPY || published_sample(v, n) || self_named(v, n))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		up |= isupper(c) != 0;
		low |= islower(c) != 0;
		dig |= isdigit(c) != 0;
		sym |= !isalnum(c);
	}
	/* Words joined (TokenStyle, _S_token_begin) are names; a secret without a digit is long and not words. */
	return up + low + dig + sym >= 2 && (dig || (n >= 24 && !word_like(v, n)));
}

/* A value given to a name: a secret when it is random and reads as data, not code (config.jwtSecret). */
static int
secret_value(const char *v, size_t n)
{
	return n > 0 && !code_like(v, n) && random_value(v, n);
}

/* Bytes that may end a token written out in a header: a blank, a quote, the line's or the code's punctuation. */
static int
token_stop(unsigned char c)
{
	return isspace(c) || c == '"' || c == '\'' || c == '`' || c == ',' || c == ';' || c == ')' || c == ']' ||
	    c == '}' || c == '\\';
}

/*
 * The token after an HTTP authentication scheme's name, which ends at
 * FROM: blanks, then letters, digits and bytes of ALPHABET, then '='
 * padding, into [*start, *end). 0 when no blank follows the name.
 */
static int
scheme_token(const char *buf, size_t len, size_t from, const char *alphabet, size_t *start, size_t *end)
{
	size_t s, e;

	for (s = from; s < len && (buf[s] == ' ' || buf[s] == '\t'); s++)
		;
	if (s == from)
		return 0;
	/* strchr finds a string's NUL too: a NUL byte ends the token. */
	for (e = s; e < len && buf[e] != '\0' && (isalnum((unsigned char)buf[e]) || strchr(alphabet, buf[e]) != NULL); e++)
		;
	while (e < len && buf[e] == '=')
		e++;
	*start = s;
	*end = e;
	return 1;
}

/*
 * "Bearer TOKEN" (also "bearer"), RFC 6750's header value written out in
 * a .http file, a curl line or code: TOKEN is b64token bytes standing
 * alone (so "Bearer ${token}", 'Bearer ' + token and "Bearer %s" are not
 * one) that look like a secret (no <token>, YOUR_TOKEN, xxx). I is at
 * the B; the token's bytes are the finding.
 */
#define BEARER_MIN 16

static int
match_bearer(const char *buf, size_t len, size_t i, size_t *start, size_t *end)
{
	size_t s, e;

	if (len - i < 16 || memcmp(buf + i + 1, "earer", 5) != 0 || (i > 0 && is_word((unsigned char)buf[i - 1])) ||
	    !scheme_token(buf, len, i + 6, "-._~+/", &s, &e))
		return 0;
	/* Shorter ones are the OAuth specs' samples (mF_9.B5f-4.1JqM, h480djs93hd8, SlAV32hkKG), not issued tokens. */
	if (e - s < BEARER_MIN || (e < len && !token_stop((unsigned char)buf[e])))
		return 0;
	/* A token's alphabet holds no code but a dot, which access tokens have (ya29.a0Af...): no code_like(). */
	if (!random_value(buf + s, e - s))
		return 0;
	*start = s;
	*end = e;
	return 1;
}

/*
 * "Basic CREDENTIALS" (also "basic"), RFC 7617's header value written out:
 * CREDENTIALS standing alone is base64 of printable "user:password" whose
 * password is no placeholder (dXNlcjpwYXNzd29yZA== is user:password) nor
 * the RFC's own Aladdin:open sesame. I is at the B; the base64 is the
 * finding.
 */
static int
match_basic(const char *buf, size_t len, size_t i, size_t *start, size_t *end)
{
	static const char rfc_sample[] = "QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
	char plain[384];
	const char *pw;
	size_t s, e;
	long n;

	if (len - i < 14 || memcmp(buf + i + 1, "asic", 4) != 0 || (i > 0 && is_word((unsigned char)buf[i - 1])) ||
	    !scheme_token(buf, len, i + 5, "+/", &s, &e))
		return 0;
	if (e - s < 8 || (e < len && !token_stop((unsigned char)buf[e])) ||
	    (e - s == sizeof(rfc_sample) - 1 && memcmp(buf + s, rfc_sample, e - s) == 0) ||
	    (n = b64_printable(buf + s, e - s, plain, sizeof(plain))) < 3)
		return 0;
	if ((pw = password_of(plain, n)) == NULL || scan_is_placeholder(pw, (size_t)(plain + n - pw)))
		return 0;
	*start = s;
	*end = e;
	return 1;
}

struct kv {
	const char *key, *val;
	size_t klen, vlen;
};

/*
 * The words that may stand before a name being given a value: export,
 * JS/TS declarations and class fields, a Dockerfile's ENV and ARG.
 * Returns the byte after them; *env is set after ENV (whose old form is
 * ENV KEY VALUE), *decl after a declaration (which may carry a type).
 */
static const char *
skip_decl(const char *p, const char *lim, int *decl, int *env)
{
	static const struct {
		const char *w;
		size_t n;
		int decl, env;
	} words[] = { { "export ", 7, 0, 0 }, { "const ", 6, 1, 0 }, { "let ", 4, 1, 0 }, { "var ", 4, 1, 0 },
		{ "private ", 8, 1, 0 }, { "public ", 7, 1, 0 }, { "protected ", 10, 1, 0 }, { "readonly ", 9, 1, 0 },
		{ "static ", 7, 1, 0 }, { "ENV ", 4, 0, 1 }, { "ARG ", 4, 0, 0 } };
	size_t i;
	int again = 1;

	*decl = *env = 0;
	while (again) {
		again = 0;
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			/* The first byte first: this runs on every line. */
			if (p >= lim || *p != words[i].w[0] || (size_t)(lim - p) <= words[i].n ||
			    memcmp(p, words[i].w, words[i].n) != 0)
				continue;
			*decl |= words[i].decl;
			*env |= words[i].env;
			for (p += words[i].n; p < lim && (*p == ' ' || *p == '\t'); p++)
				;
			again = 1;
		}
	}
	return p;
}

/* An .npmrc line's registry scope, //host/path/: before its key: P past it, so that _authToken is the key. */
static const char *
skip_registry_scope(const char *p, const char *lim)
{
	const char *q;

	if (lim - p < 4 || p[0] != '/' || p[1] != '/')
		return p;
	for (q = p + 2; q + 1 < lim && !isspace((unsigned char)*q) && *q != '='; q++)
		if (q[0] == '/' && q[1] == ':')
			return q + 2;
	return p;
}

/*
 * KEY=VALUE, export KEY=VALUE, KEY: VALUE (YAML), "key": "value" (JSON),
 * ENV KEY VALUE, in the line [p, lim). 0 when the line is not one.
 */
static int
parse_kv(const char *p, const char *lim, struct kv *kv)
{
	const char *q;
	char quote = 0;
	int decl, env;

	/* YAML list items, and the +/- of a diff line. */
	while (p < lim && (*p == ' ' || *p == '\t' || *p == '-' || *p == '+'))
		p++;
	p = skip_decl(p, lim, &decl, &env);
	if (p < lim && (*p == '"' || *p == '\''))
		quote = *p++;
	/* A registry's //host/: scope; in yarn 1's .yarnrc the value follows a blank, as after ENV. */
	if ((q = skip_registry_scope(p, lim)) != p) {
		p = q;
		env = 1;
	}
	kv->key = p;
	while (p < lim && (is_word((unsigned char)*p) || *p == '-' || *p == '.'))
		p++;
	kv->klen = (size_t)(p - kv->key);
	if (kv->klen == 0 || (!isalpha((unsigned char)kv->key[0]) && kv->key[0] != '_'))
		return 0;
	if (quote && (p >= lim || *p++ != quote))
		return 0;
	q = p;
	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	if (env && p > q && p < lim && *p != '=')
		p--;	/* ENV KEY VALUE: the blank is the '=' */
	else if (p >= lim || (*p != '=' && *p != ':'))
		return 0;
	if (*p == ':' && p + 1 < lim && p[1] != ' ' && p[1] != '\t')
		return 0;	/* not YAML: a URL, a time, a label */
	p++;
	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	quote = 0;
	if (p < lim && (*p == '"' || *p == '\'' || *p == '`'))
		quote = *p++;
	kv->val = p;
	if (quote) {
		q = memchr(p, quote, (size_t)(lim - p));
		if (q == NULL)
			return 0;
	} else {
		for (q = p; q < lim && !isspace((unsigned char)*q) && *q != '#'; q++)
			;
		while (q > p && (q[-1] == ',' || q[-1] == ';'))
			q--;
		if (q < lim && (*q == ';' || *q == ','))
			return 0;	/* code: x = NAME; or { key: name, } */
	}
	kv->vlen = (size_t)(q - p);
	/* Only a comment may follow, as in .env and YAML; more is code (x: T = nil;). */
	q += quote != 0;
	while (q < lim && (isspace((unsigned char)*q) || *q == ',' || *q == ';'))
		q++;
	return q == lim || *q == '#' || (lim - q >= 2 && q[0] == '/' && q[1] == '/');
}

/* A quoted string at P ("...", '...' or `...`, backslash escapes skipped): its closing quote, or NULL. */
static const char *
string_end(const char *p, const char *lim)
{
	char quote = *p;

	for (p++; p < lim; p++) {
		if (*p == '\\' && p + 1 < lim)
			p++;
		else if (*p == quote)
			return p;
	}
	return NULL;
}

/* A byte after which an object's key may start (strchr would also take the NUL). */
static int
key_opener(char c)
{
	return c == '{' || c == ',' || c == '(' || c == '[';
}

/* After a pair's value: nothing but the object's own punctuation (, } ] ) ;) or a comment. The byte there, or NULL. */
static const char *
pair_tail(const char *q, const char *lim)
{
	while (q < lim && (*q == ' ' || *q == '\t'))
		q++;
	if (q < lim && *q != ',' && *q != '}' && *q != ']' && *q != ')' && *q != ';' && *q != '#' &&
	    !(lim - q >= 2 && q[0] == '/' && q[1] == '/'))
		return NULL;
	return q;
}

/*
 * Past an environment read and its fallback operator (process.env.X ||,
 * import.meta.env.X ??): the literal after them is a default written in
 * the code. P when there is none; *name is the variable's name.
 */
static const char *
skip_env_fallback(const char *p, const char *lim, struct kv *name)
{
	static const char *const reads[] = { "process.env.", "import.meta.env.", NULL };
	const char *q = NULL;
	size_t i;

	for (i = 0; reads[i] && q == NULL; i++)
		if ((size_t)(lim - p) > strlen(reads[i]) && memcmp(p, reads[i], strlen(reads[i])) == 0)
			q = p + strlen(reads[i]);
	if (q == NULL)
		return p;
	name->key = q;
	while (q < lim && is_word((unsigned char)*q))
		q++;
	name->klen = (size_t)(q - name->key);
	while (q < lim && (*q == ' ' || *q == '\t'))
		q++;
	if (lim - q < 2 || !((q[0] == '|' && q[1] == '|') || (q[0] == '?' && q[1] == '?')))
		return p;
	for (q += 2; q < lim && (*q == ' ' || *q == '\t'); q++)
		;
	return q;
}

/*
 * One pair of a JSON or JS object at P: "key": "value", 'key': 'value',
 * key: 'value' (also key = "value", a declaration's name = 'value' with
 * its type when DECL, a call's keyword argument), or "KEY=value" as one
 * string (a compose environment list's item). The value is a string
 * closed on this line, or an environment read's fallback literal
 * (process.env.X || '...'), followed by no more than the object's own
 * punctuation: a string joined to code (+, ?, ==) is not data. Returns
 * the byte after the pair, NULL when there is none.
 */
static const char *
object_pair(const char *p, const char *lim, struct kv *kv, int decl)
{
	struct kv env = { 0 };
	const char *q;
	char quote = 0;

	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	if (p < lim && (*p == '"' || *p == '\''))
		quote = *p++;
	kv->key = p;
	while (p < lim && (is_word((unsigned char)*p) || *p == '-' || *p == '.' || *p == '$'))
		p++;
	kv->klen = (size_t)(p - kv->key);
	if (kv->klen == 0 || (!isalpha((unsigned char)kv->key[0]) && kv->key[0] != '_' && kv->key[0] != '$'))
		return NULL;
	if (quote && p < lim && *p == '=') {
		kv->val = p + 1;
		if ((q = memchr(kv->val, quote, (size_t)(lim - kv->val))) == NULL)
			return NULL;
		kv->vlen = (size_t)(q - kv->val);
		return pair_tail(q + 1, lim);
	}
	if (quote && (p >= lim || *p++ != quote))
		return NULL;
	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	if (decl && p < lim && *p == ':')
		while (p < lim && *p != '=')
			p++;	/* const k: Record<string, string> = ... */
	/* One ':' or '=', not '::', '==' or '=>'. */
	if (p + 1 >= lim || (*p != ':' && *p != '=') || p[1] == *p || (*p == '=' && p[1] == '>'))
		return NULL;
	for (p++; p < lim && (*p == ' ' || *p == '\t'); p++)
		;
	p = skip_env_fallback(p, lim, &env);
	if (p >= lim || (*p != '"' && *p != '\'' && *p != '`') || (q = string_end(p, lim)) == NULL)
		return NULL;
	kv->val = p + 1;
	kv->vlen = (size_t)(q - p - 1);
	if (env.klen > 0 && !secret_key(kv->key, kv->klen)) {
		kv->key = env.key;	/* const s = process.env.JWT_SECRET || '...' */
		kv->klen = env.klen;
	}
	return pair_tail(q + 1, lim);
}

/*
 * A pair of JSON held in a string, its quotes escaped: \"key\":\"value\"
 * (FIREBASE_CONFIG="{\"apiKey\":\"...\"}"). The byte after it, or NULL.
 */
static const char *
escaped_pair(const char *p, const char *lim, struct kv *kv)
{
	const char *q;

	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	if (lim - p < 2 || p[0] != '\\' || p[1] != '"')
		return NULL;
	kv->key = p += 2;
	while (p < lim && (is_word((unsigned char)*p) || *p == '-' || *p == '.'))
		p++;
	kv->klen = (size_t)(p - kv->key);
	if (kv->klen == 0 || lim - p < 3 || memcmp(p, "\\\":", 3) != 0)
		return NULL;
	for (p += 3; p < lim && (*p == ' ' || *p == '\t'); p++)
		;
	if (lim - p < 2 || p[0] != '\\' || p[1] != '"')
		return NULL;
	kv->val = p + 2;
	if ((q = memmem(kv->val, (size_t)(lim - kv->val), "\\\"", 2)) == NULL)
		return NULL;
	kv->vlen = (size_t)(q - kv->val);
	return pair_tail(q + 2, lim);
}

/*
 * The pairs of JSON and JS objects and arrays on the line [from, to),
 * however many share it ({"a":"x","password":"..."}): a key may start the
 * line or follow { , ( [. A "key"/"name" naming a secret makes the "value"
 * of its object one ({"name": "DB_PASSWORD", "value": "..."}).
 */
static void
scan_objects(const char *buf, size_t from, size_t to, struct scan_result *r)
{
	const char *p = buf + from, *lim = buf + to, *next;
	struct kv kv;
	int named = 0, decl, env;

	while (p < lim && (*p == ' ' || *p == '\t' || *p == '-' || *p == '+'))
		p++;
	p = skip_decl(p, lim, &decl, &env);
	while (p < lim) {
		next = object_pair(p, lim, &kv, decl);
		if (next == NULL)
			next = escaped_pair(p, lim, &kv);
		decl = 0;
		if (next != NULL) {
			int value = named && kv.klen == 5 && memcmp(kv.key, "value", 5) == 0;

			/* Past a secret; into any other value, which may hold JSON of its own ("{\"apiKey\":...}"). */
			p = kv.val;
			if ((value || secret_key(kv.key, kv.klen)) && secret_value(kv.val, kv.vlen)) {
				add(r, "secret-assignment", (size_t)(kv.val - buf), (size_t)(kv.val - buf) + kv.vlen);
				p = next;
			}
			if ((kv.klen == 3 && memcmp(kv.key, "key", 3) == 0) || (kv.klen == 4 && memcmp(kv.key, "name", 4) == 0))
				named = secret_key(kv.val, kv.vlen);
		}
		/* On to the next byte that may open a key. */
		while (p < lim && !key_opener(*p))
			p++;
		if (p < lim)
			p++;
		if (p < lim && (p[-1] == '{' || p[-1] == '['))
			named = 0;
	}
}

/*
 * npm's legacy credentials (.npmrc _auth, base64 of user:password, and
 * _password, base64 of the password, also after a //host/: scope): the
 * name says nothing of a secret and the value need not look random, but
 * it must be base64 of printable text.
 */
static int
npm_legacy_auth(const struct kv *kv)
{
	char plain[512];
	long n;
	int auth = kv->klen == 5 && memcmp(kv->key, "_auth", 5) == 0;

	if (!auth && !(kv->klen == 9 && memcmp(kv->key, "_password", 9) == 0))
		return 0;
	if (kv->vlen < 8 || scan_is_placeholder(kv->val, kv->vlen) ||
	    (n = b64_printable(kv->val, kv->vlen, plain, sizeof(plain))) < 4)
		return 0;
	return !auth || password_of(plain, n) != NULL;
}

/*
 * A DigitalOcean app spec's "- key: NAME" line, a Kubernetes or ECS
 * environment entry's "name: NAME", is answered by a "value:" this many
 * lines on.
 */
#define SPEC_VALUE_REACH 4

/* A YAML block scalar's header: | or >, with a chomping indicator (- +) and an indentation digit. */
static int
block_indicator(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 3 || (v[0] != '|' && v[0] != '>'))
		return 0;
	for (i = 1; i < n; i++)
		if (v[i] != '-' && v[i] != '+' && !isdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

/*
 * A YAML block scalar's lines, from FROM (the line after its key's): those
 * indented further than the key's column COL, blank lines among them (a
 * diff's '+' counts as a column, as on the key's line, when DIFF).
 * [*start, *end) runs from its first line's text to its last line's end.
 * 0 when it holds no text.
 */
static int
yaml_block(const char *buf, size_t len, size_t from, size_t col, int diff, size_t *start, size_t *end)
{
	size_t p, le, t, e;

	*start = *end = 0;
	for (p = from; p < len; p = le + 1) {
		for (le = p; le < len && buf[le] != '\n'; le++)
			;
		t = p + (diff && p < le && buf[p] == '+');
		while (t < le && (buf[t] == ' ' || buf[t] == '\t'))
			t++;
		for (e = le; e > t && isspace((unsigned char)buf[e - 1]); e--)
			;
		if (e == t)
			continue;	/* a blank line: the block's if more of it follows */
		if (t - p <= col)
			break;
		if (*end == 0)
			*start = t;
		*end = e;
	}
	return *end > *start;
}

/*
 * The text of the block [start, end), its lines' indentation (and a diff's
 * '+') left out, looks like a secret. A key block in it is the
 * private-key rule's.
 */
static int
block_secret(const char *buf, size_t start, size_t end)
{
	char *v = xmalloc(end - start);
	size_t n = 0, p = start, k;
	int ok;

	while (p < end) {
		if (buf[p] == '+' && p > 0 && buf[p - 1] == '\n')
			p++;
		while (p < end && (buf[p] == ' ' || buf[p] == '\t'))
			p++;
		for (k = p; k < end && buf[k] != '\n'; k++)
			;
		memcpy(v + n, buf + p, k - p);
		for (n += k - p; n > 0 && isspace((unsigned char)v[n - 1]); n--)
			;
		p = k + 1;
	}
	ok = !(end - start >= 10 && memcmp(buf + start, "-----BEGIN", 10) == 0) && secret_value(v, n);
	free(v);
	return ok;
}

/* The KEY=VALUE rule over one line (and a YAML block after it); *spec_key carries a "key: NAME" or "name: NAME" over to its "value:". */
static void
scan_line(const char *buf, size_t len, size_t from, size_t to, struct scan_result *r, int *spec_key)
{
	struct kv kv;
	size_t s, e;
	int secret;

	if (*spec_key > 0)
		(*spec_key)--;
	scan_objects(buf, from, to, r);
	if (!parse_kv(buf + from, buf + to, &kv))
		return;
	if ((kv.klen == 3 && memcmp(kv.key, "key", 3) == 0) || (kv.klen == 4 && memcmp(kv.key, "name", 4) == 0)) {
		*spec_key = secret_key(kv.val, kv.vlen) ? SPEC_VALUE_REACH : 0;
		return;
	}
	if (npm_legacy_auth(&kv)) {
		add(r, "npm-legacy-auth", (size_t)(kv.val - buf), (size_t)(kv.val - buf) + kv.vlen);
		return;
	}
	secret = secret_key(kv.key, kv.klen) || (*spec_key > 0 && kv.klen == 5 && memcmp(kv.key, "value", 5) == 0);
	/* password: | then indented lines (compose, Actions, Kubernetes): the value is the block. */
	if (secret && block_indicator(kv.val, kv.vlen)) {
		if (yaml_block(buf, len, to + 1, (size_t)(kv.key - buf) - from, buf[from] == '+', &s, &e) &&
		    block_secret(buf, s, e))
			add(r, "secret-assignment", s, e);
		return;
	}
	if (secret && secret_value(kv.val, kv.vlen))
		add(r, "secret-assignment", (size_t)(kv.val - buf), (size_t)(kv.val - buf) + kv.vlen);
}

static int
by_start(const void *a, const void *b)
{
	const struct scan_finding *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

/* Sorted, overlaps dropped (the earlier, then the longer, wins), line numbers set. */
static void
settle(const char *buf, struct scan_result *r)
{
	size_t i, o = 0, pos = 0;
	int line = 1;

	/* No finding leaves r->v NULL, and qsort's base must not be NULL even for 0 (UBSan). */
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), by_start);
	for (i = 0; i < r->n; i++) {
		if (o > 0 && r->v[i].start < r->v[o - 1].end)
			continue;
		r->v[o++] = r->v[i];
	}
	r->n = o;
	for (i = 0; i < r->n; i++) {
		for (; pos < r->v[i].start; pos++)
			line += buf[pos] == '\n';
		r->v[i].line = line;
	}
}

/*
 * gitleaks' withinLines for its AWS pair: any secret-shaped value this many
 * lines around the key ID is taken; further away in its section, only one
 * on a line naming a secret (AWS_SECRET_ACCESS_KEY=, secret_access_key:).
 */
#define AWS_PAIR_LINES 5
#define AWS_SECRET_LEN 40

/*
 * An AWS secret access key at I: 40 of A-Za-z0-9+/ standing alone (as
 * trufflehog bounds it), mixed case and a digit (not a hex digest), and
 * random (not a placeholder).
 */
static int
aws_secret_at(const char *buf, size_t len, size_t i)
{
	int up = 0, low = 0, dig = 0;
	size_t k;

	/* Before it may stand KEY= ; after it no '=', which would make it base64 padding. */
	if (len - i < AWS_SECRET_LEN || (i > 0 && base64ish((unsigned char)buf[i - 1]) && buf[i - 1] != '=') ||
	    (i + AWS_SECRET_LEN < len && base64ish((unsigned char)buf[i + AWS_SECRET_LEN])))
		return 0;
	for (k = i; k < i + AWS_SECRET_LEN; k++) {
		unsigned char c = (unsigned char)buf[k];

		if (!isalnum(c) && c != '+' && c != '/')
			return 0;
		up |= isupper(c) != 0;
		low |= islower(c) != 0;
		dig |= isdigit(c) != 0;
	}
	return up && low && dig && !scan_is_placeholder(buf + i, AWS_SECRET_LEN) &&
	    entropy(buf + i, AWS_SECRET_LEN) >= 4.0;
}

/*
 * Whether [s, e) may be taken as a pair's secret: it overlaps no finding but
 * one of exactly those bytes (its KEY=VALUE line, folded into the pair),
 * and no pair taken before.
 */
static int
pair_free(const struct scan_result *r, size_t s, size_t e)
{
	size_t k;

	for (k = 0; k < r->n; k++) {
		const struct scan_finding *f = &r->v[k];

		if (f->pair_end > 0 && s < f->pair_end && f->pair_start < e)
			return 0;
		if (s < f->end && f->start < e && !(f->start == s && f->end == e && rule_rank(f->rule) < 2))
			return 0;
	}
	return 1;
}

/* A "[name]" line: the header of an INI, TOML or AWS credentials file's section. */
static int
section_header(const char *p, const char *lim)
{
	while (p < lim && (*p == ' ' || *p == '\t'))
		p++;
	while (lim > p && isspace((unsigned char)lim[-1]))
		lim--;
	return lim - p >= 3 && *p == '[' && lim[-1] == ']';
}

/* Byte range of [s, e)'s section: from after the header line before it to the next header line, or the file's ends. */
static void
section_of(const char *buf, size_t len, size_t s, size_t e, size_t *from, size_t *to)
{
	size_t ls, le;

	for (ls = s; ls > 0 && buf[ls - 1] != '\n'; ls--)
		;
	while (ls > 0) {
		for (le = ls - 1, ls = le; ls > 0 && buf[ls - 1] != '\n'; ls--)
			;
		if (section_header(buf + ls, buf + le)) {
			ls = le + 1;
			break;
		}
	}
	*from = ls;
	for (ls = e; ls < len; ls = le + 1) {
		for (le = ls; le < len && buf[le] != '\n'; le++)
			;
		if (ls > e && section_header(buf + ls, buf + le))
			break;
	}
	*to = ls < len ? ls : len;
}

/* Byte range of the lines from AWS_PAIR_LINES before S's line to as many after E's, within [lo, hi). */
static void
pair_window(const char *buf, size_t lo, size_t hi, size_t s, size_t e, size_t *from, size_t *to)
{
	int n;

	for (n = 0; s > lo && !(buf[s - 1] == '\n' && ++n > AWS_PAIR_LINES); s--)
		;
	for (n = 0; e < hi && !(buf[e] == '\n' && ++n > AWS_PAIR_LINES); e++)
		;
	*from = s;
	*to = e;
}

/* The text before P on its line names a secret. */
static int
named_secret(const char *buf, size_t p)
{
	size_t ls;

	for (ls = p; ls > 0 && buf[ls - 1] != '\n'; ls--)
		;
	return contains_ci(buf + ls, p - ls, "secret");
}

/* The free secret key in [from, to) nearest F (with NAMED, only one on a line naming a secret): 1 and *best, or 0. */
static int
nearest_secret(const char *buf, size_t len, const struct scan_result *r, const struct scan_finding *f, size_t from,
    size_t to, int named, size_t *best)
{
	size_t p, dist = (size_t)-1;

	for (p = from; p + AWS_SECRET_LEN <= to; p++) {
		size_t d = p < f->start ? f->start - p : p - f->end;

		if (d < dist && aws_secret_at(buf, len, p) && pair_free(r, p, p + AWS_SECRET_LEN) &&
		    (!named || named_secret(buf, p))) {
			*best = p;
			dist = d;
		}
	}
	return dist != (size_t)-1;
}

/*
 * F's pair: the nearest free secret key within AWS_PAIR_LINES, else the
 * nearest named one in its section (a credentials file's profile), the
 * finding it overlaps dropped. 1 when that finding stood before F.
 */
static int
pair_aws(const char *buf, size_t len, struct scan_result *r, size_t fi)
{
	struct scan_finding *f = &r->v[fi];
	size_t lo, hi, from, to, p, best = 0, k, o = 0;
	int before = 0;

	section_of(buf, len, f->start, f->end, &lo, &hi);
	pair_window(buf, lo, hi, f->start, f->end, &from, &to);
	if (!nearest_secret(buf, len, r, f, from, to, 0, &best) && !nearest_secret(buf, len, r, f, lo, hi, 1, &best))
		return 0;
	f->pair_start = best;
	f->pair_end = best + AWS_SECRET_LEN;
	f->pair_line = f->line;
	for (p = f->start; p < best; p++)
		f->pair_line += buf[p] == '\n';
	for (p = best; p < f->start; p++)
		f->pair_line -= buf[p] == '\n';
	/* The secret's own KEY=VALUE finding is now this pair's half. */
	for (k = 0; k < r->n; k++) {
		if (r->v[k].start == best && r->v[k].end == best + AWS_SECRET_LEN)
			before |= k < fi;
		else
			r->v[o++] = r->v[k];
	}
	r->n = o;
	return before;
}

/* Each AWS access key ID takes its secret access key, as one finding. */
static void
pair_all(const char *buf, size_t len, struct scan_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].rule, "aws-access-key") == 0 && pair_aws(buf, len, r, i))
			i--;	/* the folded finding stood before it */
}

size_t
scan_text(const char *buf, size_t len, struct scan_result *out)
{
	size_t i, line_start = 0, s, e;
	const struct token_rule *t;
	int spec_key = 0;

	memset(out, 0, sizeof(*out));
	if (memchr(buf, '\0', len < BINARY_PROBE ? len : BINARY_PROBE) != NULL)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i == len || buf[i] == '\n') {
			scan_line(buf, len, line_start, i, out, &spec_key);
			line_start = i + 1;
			continue;
		}
		switch (buf[i]) {
		case '-':
			if (match_private_key(buf, len, i, &e)) {
				add(out, "private-key", i, e);
				i = e - 1;
			}
			break;
		case ':':
			if (len - i > 3 && buf[i + 1] == '/' && buf[i + 2] == '/' && match_url_password(buf, len, i, &s, &e))
				add(out, "url-password", s, e);
			break;
		case 'e':
			if (match_jwt(buf, len, i, &e)) {
				add(out, "jwt", i, e);
				i = e - 1;
			}
			break;
		case 'B': case 'b':
			if (match_bearer(buf, len, i, &s, &e))
				add(out, "bearer-token", s, e);
			else if (match_basic(buf, len, i, &s, &e))
				add(out, "basic-auth", s, e);
			break;
		case 'd': case 'A': case 'g': case 's': case 'r': case 'x': case 'n': case 'S':
			if (match_token(buf, len, i, &t, &e)) {
				struct scan_finding *f = add(out, t->rule, i, e);

				f->env = t->env;
				f->severity = t->env && strcmp(t->env, "test") == 0 ? SCAN_LOW : SCAN_HIGH;
				i = e - 1;
			}
			break;
		default:
			break;
		}
	}
	settle(buf, out);
	pair_all(buf, len, out);
	return out->n;
}

struct span {
	size_t start, end;
	const char *rule;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

char *
scan_redact(const char *buf, size_t len, const struct scan_result *r, size_t *outlen)
{
	size_t i, n = 0, pos = 0, cap = len + 1, o = 0;
	struct span *sp = xmalloc((2 * r->n + 1) * sizeof(*sp));
	char *out;

	/* A pair's secret may stand before or after its key ID: both halves, in buffer order. */
	for (i = 0; i < r->n; i++) {
		sp[n++] = (struct span){ r->v[i].start, r->v[i].end, r->v[i].rule };
		if (r->v[i].pair_end > 0)
			sp[n++] = (struct span){ r->v[i].pair_start, r->v[i].pair_end, r->v[i].rule };
	}
	if (n > 1)
		qsort(sp, n, sizeof(*sp), span_cmp);
	for (i = 0; i < n; i++)
		cap += strlen(sp[i].rule) + 16;
	out = xmalloc(cap);
	for (i = 0; i < n; i++) {
		memcpy(out + o, buf + pos, sp[i].start - pos);
		o += sp[i].start - pos;
		o += (size_t)snprintf(out + o, cap - o, "<redacted:%s>", sp[i].rule);
		pos = sp[i].end;
	}
	free(sp);
	memcpy(out + o, buf + pos, len - pos);
	o += len - pos;
	out[o] = '\0';
	*outlen = o;
	return out;
}

void
scan_result_free(struct scan_result *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
