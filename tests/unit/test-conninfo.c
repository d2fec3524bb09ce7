#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conninfo.h"
#include "unit.h"

/* conninfo_normalise(IN) succeeds and gives WANT. */
static int
normalises_to(const char *in, const char *want)
{
	char err[512];
	char *out = conninfo_normalise(in, err, sizeof(err));
	int ok = out != NULL && strcmp(out, want) == 0;

	if (!ok)
		printf("# got [%s] (%s), want [%s]\n", out ? out : "(null)", out ? "" : err, want);
	free(out);
	return ok;
}

/*
 * conninfo_normalise(IN) fails with a one-line message that contains
 * MENTION (if any) and none of the NULL-terminated SECRETS.
 */
static int
rejects(const char *in, const char *mention, const char *const *secrets)
{
	char err[512];
	char *out = conninfo_normalise(in, err, sizeof(err));
	int ok = out == NULL && err[0] != '\0' && strchr(err, '\n') == NULL;

	if (mention && strstr(err, mention) == NULL)
		ok = 0;
	for (; secrets && *secrets; secrets++)
		if (strstr(err, *secrets))
			ok = 0;
	if (!ok)
		printf("# got [%s] error [%s]\n", out ? out : "(null)", out ? "" : err);
	free(out);
	return ok;
}

static int
redacts_to(const char *in, const char *want)
{
	char *out = conninfo_redact(in);
	int ok = strcmp(out, want) == 0;

	if (!ok)
		printf("# got [%s], want [%s]\n", out, want);
	free(out);
	return ok;
}

static int
scrubs_to(const char *in, const char *want)
{
	char *out = strdup(in);
	int ok;

	conninfo_scrub(out);
	ok = strcmp(out, want) == 0;
	if (!ok)
		printf("# got [%s], want [%s]\n", out, want);
	free(out);
	return ok;
}

static int
secret_redacts_to(const char *s, const char *secret, const char *want)
{
	char *out = redact_secret(s, secret);
	int ok = strcmp(out, want) == 0;

	if (!ok)
		printf("# got [%s], want [%s]\n", out, want);
	free(out);
	return ok;
}

static void
test_normalise(void)
{
	static const char *const pw[] = { "S3cretPW", NULL };
	static const char *const pct[] = { "S3c%ZZret", "S3c", "ret", NULL };
	static const char *const split[] = { "p@Zq9", "Zq9", NULL };
	static const char *const words[] = { "abc", "def", NULL };

	UNIT_CHECK("Prisma ?schema=public removed",
	    normalises_to("postgresql://app:pw@localhost:5432/app?schema=public",
		"postgresql://app:pw@localhost:5432/app"));
	UNIT_CHECK("ORM parameters removed, libpq ones kept",
	    normalises_to("postgres://u:pw@db.example.com/app?connection_limit=5&sslmode=require&schema=x"
		"&pool_timeout=10&connect_timeout=3&pgbouncer=true&statement_cache_size=0",
		"postgres://u:pw@db.example.com/app?sslmode=require&connect_timeout=3"));
	UNIT_CHECK("all Prisma parameters removed",
	    normalises_to("postgresql://h/db?socket_timeout=5&sslaccept=strict&sslidentity=id.p12"
		"&max_connection_lifetime=1&max_idle_connection_lifetime=2",
		"postgresql://h/db"));
	UNIT_CHECK("sslpassword is libpq's and kept",
	    normalises_to("postgresql://h/db?sslpassword=x&schema=s", "postgresql://h/db?sslpassword=x"));
	UNIT_CHECK("URL without query unchanged",
	    normalises_to("postgresql://u:p%40ss@h:5432/db", "postgresql://u:p%40ss@h:5432/db"));
	UNIT_CHECK("? inside password is not the query",
	    normalises_to("postgresql://u:a?b@h/db?schema=public", "postgresql://u:a?b@h/db"));
	UNIT_CHECK("multi-host URL accepted",
	    normalises_to("postgresql://h1:5432,h2:5433/db", "postgresql://h1:5432,h2:5433/db"));
	UNIT_CHECK("key=value conninfo accepted",
	    normalises_to("host=h port=5432 dbname=app password='a b'", "host=h port=5432 dbname=app password='a b'"));
	UNIT_CHECK("plain database name accepted", normalises_to("mydb", "mydb"));

	UNIT_CHECK("unknown URL parameter gives libpq's error",
	    rejects("postgresql://u:S3cretPW@h/db?bogus=1", "invalid URI query parameter: \"bogus\"", pw));
	UNIT_CHECK("bad port rejected without the password",
	    rejects("postgresql://u:S3cretPW@host:notaport/db", "invalid port", pw));
	UNIT_CHECK("port out of range rejected", rejects("postgresql://h:99999/db", "invalid port", NULL));
	UNIT_CHECK("bad conninfo port rejected", rejects("host=h port=0", "invalid port", NULL));
	UNIT_CHECK("bad percent-encoding hides the password",
	    rejects("postgresql://u:S3c%ZZret@h/db", "invalid percent-encoded token", pct));
	UNIT_CHECK("libpq echoing the whole URL hides the password",
	    rejects("postgresql://u:S3cretPW@[::1/db", "***", pw));
	UNIT_CHECK("unencoded @ in password rejected",
	    rejects("postgresql://u:p@Zq9@host/db", "percent-encode", split));
	UNIT_CHECK("mistyped URL scheme rejected, not taken as a database name",
	    rejects("postgresq://u:S3cretPW@h/db", "unknown URL scheme \"postgresq://\"", pw));
	UNIT_CHECK("unknown conninfo keyword hides the password",
	    rejects("host=h bogus=1 password=S3cretPW", "bogus", pw));
	UNIT_CHECK("unquoted password with a space hides both words",
	    rejects("password=abc def host=h", "missing \"=\"", words));
	UNIT_CHECK("unterminated quote hides the password",
	    rejects("host=h password='S3cretPW", "unterminated quoted string", pw));
	UNIT_CHECK("empty string rejected", rejects("", "empty", NULL));
}

static void
test_redact(void)
{
	UNIT_CHECK("redact URL password",
	    redacts_to("postgresql://user:S3cret@host:5432/db?sslmode=require",
		"postgresql://user:***@host:5432/db?sslmode=require"));
	UNIT_CHECK("redact URL without password unchanged",
	    redacts_to("postgresql://user@host/db", "postgresql://user@host/db"));
	UNIT_CHECK("redact URL without user info unchanged",
	    redacts_to("postgres://host:5432/db?application_name=a@b", "postgres://host:5432/db?application_name=a@b"));
	UNIT_CHECK("redact percent-encoded URL password",
	    redacts_to("postgresql://u:p%40ss%2Fw@h/db", "postgresql://u:***@h/db"));
	UNIT_CHECK("redact password with unencoded @",
	    redacts_to("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"));
	UNIT_CHECK("redact password in URL query",
	    redacts_to("postgresql://h/db?user=u&password=S3cret&sslpassword=k",
		"postgresql://h/db?user=u&password=***&sslpassword=***"));
	UNIT_CHECK("redact conninfo password",
	    redacts_to("host=h password=S3cret user=u", "host=h password=*** user=u"));
	UNIT_CHECK("redact quoted conninfo password",
	    redacts_to("password='a b\\' c' host=h", "password=*** host=h"));
	UNIT_CHECK("redact conninfo password with spaces around =",
	    redacts_to("host=h password = S3cret", "host=h password = ***"));
	UNIT_CHECK("redact unquoted two-word password",
	    redacts_to("password=abc def host=h", "password=*** host=h"));
	UNIT_CHECK("passfile is not a secret", redacts_to("passfile=/p host=h", "passfile=/p host=h"));
	UNIT_CHECK("redact unterminated quoted password", redacts_to("password='abc", "password=***"));

	UNIT_CHECK("redact_secret every occurrence",
	    secret_redacts_to("pw S3cret and S3cret.", "S3cret", "pw *** and ***."));
	UNIT_CHECK("redact_secret absent secret", secret_redacts_to("nothing here", "S3cret", "nothing here"));
	UNIT_CHECK("redact_secret NULL secret", secret_redacts_to("a b", NULL, "a b"));
	UNIT_CHECK("redact_secret empty secret", secret_redacts_to("a b", "", "a b"));
	UNIT_CHECK("redact_secret adjacent occurrences", secret_redacts_to("xxxx", "xx", "******"));
	/* argv is scrubbed as written: every byte of the encoded or quoted form */
	UNIT_CHECK("scrub url encoded", scrubs_to("postgresql://u:S3%2541@h/d", "postgresql://u:*******@h/d"));
	UNIT_CHECK("scrub mistyped url", scrubs_to("postgresq://u:S3cr3t@h/d", "postgresq://u:******@h/d"));
	UNIT_CHECK("scrub url query", scrubs_to("postgres://h/d?pass%77ord=a%41&x=1", "postgres://h/d?pass%77ord=****&x=1"));
	UNIT_CHECK("scrub kv quoted", scrubs_to("host=h password='a\\'b c' user=u", "host=h password=******** user=u"));
	UNIT_CHECK("scrub plain dbname", scrubs_to("mydb", "mydb"));
}

/* Pseudo-random strings must never crash; AddressSanitizer watches the reads. */
static void
test_robustness(void)
{
	static const char alphabet[] = "up:@/?&=%'\\ \t,[]0A5";
	char buf[48], err[128];
	unsigned long seed = 777;
	size_t len, i, start;
	int n;

	for (n = 0; n < 20000; n++) {
		char *a, *b;

		start = 0;
		if (n % 2 == 0) {
			memcpy(buf, "postgresql://", 13);
			start = 13;
		}
		len = start + (size_t)(n % (int)(sizeof(buf) - start));
		for (i = start; i < len; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			buf[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		buf[len] = '\0';
		a = conninfo_normalise(buf, err, sizeof(err));
		b = conninfo_redact(buf);
		free(a);
		free(b);
	}
	UNIT_CHECK("random strings normalise and redact cleanly", 1);
}

/* -h/-p/-U as pg_dump combines them with a connection string. */
static void
test_combine(void)
{
	struct conninfo_parts port = { NULL, "6543", NULL }, all = { "/run/pg", "6543", "bob" }, none = { NULL, NULL, NULL };
	char err[256], *s;

	s = conninfo_combine("host=db port=5432 dbname=app", &port, 0, err, sizeof(err));
	UNIT_CHECK("-p replaces a DATABASE_URL's port", s && strstr(s, "port='6543'") && !strstr(s, "5432") &&
	    strstr(s, "host='db'") && strstr(s, "dbname='app'"));
	free(s);
	s = conninfo_combine("host=db port=5432 dbname=app", &port, 1, err, sizeof(err));
	UNIT_CHECK("-d conninfo's own port wins", s && strstr(s, "port='5432'") && !strstr(s, "6543"));
	free(s);
	s = conninfo_combine("postgresql://u:p%27w@db:5432/app?sslmode=require", &all, 0, err, sizeof(err));
	UNIT_CHECK("a URL's parts replaced, the rest kept, quotes escaped", s && strstr(s, "host='/run/pg'") &&
	    strstr(s, "user='bob'") && strstr(s, "password='p\\'w'") && strstr(s, "sslmode='require'") &&
	    strstr(s, "dbname='app'"));
	free(s);
	s = conninfo_combine("app", &all, 1, err, sizeof(err));
	UNIT_CHECK("a bare database name with the flags", s && strstr(s, "dbname='app'") && strstr(s, "host='/run/pg'"));
	free(s);
	s = conninfo_combine(NULL, &port, 0, err, sizeof(err));
	UNIT_CHECK("flags alone", s && strcmp(s, "port='6543'") == 0);
	free(s);
	s = conninfo_combine("dbname=app", &none, 0, err, sizeof(err));
	UNIT_CHECK("no flags: the string's parts", s && strcmp(s, "dbname='app'") == 0);
	free(s);
}

int
main(void)
{
	test_combine();
	test_normalise();
	test_redact();
	test_robustness();
	return unit_done();
}
