#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dotenv.h"
#include "base/xalloc.h"
#include "unit.h"

/*
 * Parses exactly `len` bytes from a buffer of that size, with no NUL after
 * it, so that a read past the end shows up under AddressSanitizer.
 */
static int
parse_n(const char *text, size_t len, struct dotenv *env, char *err, size_t errlen)
{
	char *copy = xmalloc(len ? len : 1);
	int rc;

	memcpy(copy, text, len);
	rc = dotenv_parse(copy, len, env, err, errlen);
	free(copy);
	return rc;
}

static int
parse(const char *text, struct dotenv *env, char *err, size_t errlen)
{
	return parse_n(text, strlen(text), env, err, errlen);
}

/* The value of KEY after parsing TEXT equals WANT. */
static int
value_is(const char *text, const char *key, const char *want)
{
	struct dotenv env;
	char err[256];
	const char *v;
	int ok;

	if (parse(text, &env, err, sizeof(err)) < 0) {
		printf("# unexpected error: %s\n", err);
		return 0;
	}
	v = dotenv_get(&env, key);
	ok = v != NULL && strcmp(v, want) == 0;
	if (!ok)
		printf("# %s: got [%s], want [%s]\n", key, v ? v : "(null)", want);
	dotenv_free(&env);
	return ok;
}

/* Parsing TEXT (LEN bytes, 0: strlen) fails with exactly WANT, and the message holds no SECRET. */
static int
error_is(const char *text, size_t len, const char *want, const char *secret)
{
	struct dotenv env;
	char err[256];
	int ok;

	if (len == 0)
		len = strlen(text);
	if (parse_n(text, len, &env, err, sizeof(err)) == 0) {
		printf("# parsed without error\n");
		dotenv_free(&env);
		return 0;
	}
	ok = strcmp(err, want) == 0 && env.count == 0 && env.entries == NULL;
	if (secret && strstr(err, secret))
		ok = 0;
	if (!ok)
		printf("# got error [%s], want [%s]\n", err, want);
	return ok;
}

static void
test_basics(void)
{
	struct dotenv env;
	char err[256];
	int rc;

	UNIT_CHECK("simple KEY=VALUE", value_is("FOO=bar\n", "FOO", "bar"));
	UNIT_CHECK("last line without newline", value_is("A=1\nB=2", "B", "2"));
	UNIT_CHECK("export prefix", value_is("export FOO=bar\n", "FOO", "bar"));
	UNIT_CHECK("export prefix with tabs", value_is("\texport\t\tFOO = bar\n", "FOO", "bar"));
	UNIT_CHECK("key named export", value_is("export=1\n", "export", "1"));
	UNIT_CHECK("whitespace around key and =", value_is("   FOO   =   bar   \n", "FOO", "bar"));
	UNIT_CHECK("inner whitespace of unquoted value kept", value_is("FOO=a  b\n", "FOO", "a  b"));
	UNIT_CHECK("= inside value kept",
	    value_is("DATABASE_URL=postgresql://u:p@h/db?a=b&c=d\n", "DATABASE_URL", "postgresql://u:p@h/db?a=b&c=d"));
	UNIT_CHECK("empty value", value_is("FOO=\nBAR=x\n", "FOO", ""));
	UNIT_CHECK("empty value with spaces", value_is("FOO=   \n", "FOO", ""));
	UNIT_CHECK("empty double-quoted value", value_is("FOO=\"\"\n", "FOO", ""));
	UNIT_CHECK("key with dots and dashes", value_is("my.app-key_2=v\n", "my.app-key_2", "v"));
	UNIT_CHECK("key starting with underscore", value_is("_X=v\n", "_X", "v"));

	rc = parse("# a comment\n\n   \n  # indented comment\nA=1\n\t\nB=2\n", &env, err, sizeof(err));
	UNIT_CHECK("comments and blank lines skipped", rc == 0 && env.count == 2);
	UNIT_CHECK("line numbers recorded", rc == 0 && env.count == 2 &&
	    env.entries[0].line == 5 && env.entries[1].line == 7);
	dotenv_free(&env);

	rc = parse("", &env, err, sizeof(err));
	UNIT_CHECK("empty input", rc == 0 && env.count == 0);
	dotenv_free(&env);
	UNIT_CHECK("absent key is NULL", dotenv_get(&env, "NOPE") == NULL);

	rc = parse("A=1\nB=2\nA=3\n", &env, err, sizeof(err));
	UNIT_CHECK("duplicate key: later wins", rc == 0 && env.count == 2 &&
	    strcmp(dotenv_get(&env, "A"), "3") == 0 && env.entries[0].line == 3);
	dotenv_free(&env);
}

static void
test_comments(void)
{
	UNIT_CHECK("comment after unquoted value", value_is("FOO=bar # note\n", "FOO", "bar"));
	UNIT_CHECK("comment after tab", value_is("FOO=bar\t# note\n", "FOO", "bar"));
	UNIT_CHECK("# without space kept in value", value_is("FOO=a#b\n", "FOO", "a#b"));
	UNIT_CHECK("value that is only a comment", value_is("FOO= # nothing\n", "FOO", ""));
	UNIT_CHECK("comment after quoted value", value_is("FOO=\"a b\" # note\n", "FOO", "a b"));
	UNIT_CHECK("# inside quotes kept", value_is("FOO=\"a #b\"\n", "FOO", "a #b"));
	UNIT_CHECK("# inside single quotes kept", value_is("FOO='p#ss # x'\n", "FOO", "p#ss # x"));
}

static void
test_quotes(void)
{
	struct dotenv env;
	char err[256];
	int rc;

	UNIT_CHECK("single quotes are literal", value_is("FOO='a\\nb $X \\\\'\n", "FOO", "a\\nb $X \\\\"));
	UNIT_CHECK("double quotes expand \\n \\r \\t",
	    value_is("FOO=\"a\\nb\\rc\\td\"\n", "FOO", "a\nb\rc\td"));
	UNIT_CHECK("double quotes expand \\\" and \\\\",
	    value_is("FOO=\"say \\\"hi\\\" \\\\ end\"\n", "FOO", "say \"hi\" \\ end"));
	UNIT_CHECK("escaped backslash before n", value_is("FOO=\"a\\\\nb\"\n", "FOO", "a\\nb"));
	UNIT_CHECK("unknown escape kept", value_is("FOO=\"a\\qb\"\n", "FOO", "a\\qb"));
	UNIT_CHECK("backtick quotes", value_is("FOO=`it's \"x\"`\n", "FOO", "it's \"x\""));
	UNIT_CHECK("quoted value keeps surrounding spaces", value_is("FOO=  '  a  '  \n", "FOO", "  a  "));
	UNIT_CHECK("quote inside unquoted value kept", value_is("FOO=a'b\"c\n", "FOO", "a'b\"c"));
	UNIT_CHECK("multi-line double-quoted value",
	    value_is("KEY=\"-----BEGIN-----\nabc\n-----END-----\"\n", "KEY", "-----BEGIN-----\nabc\n-----END-----"));
	UNIT_CHECK("multi-line single-quoted value", value_is("K='a\n  b'\n", "K", "a\n  b"));
	UNIT_CHECK("multi-line backtick value", value_is("K=`a\nb`\n", "K", "a\nb"));

	rc = parse("A=\"1\n2\n3\"\nB=x\n", &env, err, sizeof(err));
	UNIT_CHECK("line numbers after a multi-line value", rc == 0 && env.count == 2 &&
	    env.entries[0].line == 1 && env.entries[1].line == 4);
	dotenv_free(&env);
}

static void
test_line_endings(void)
{
	struct dotenv env;
	char err[256];
	int rc;

	UNIT_CHECK("CRLF line endings", value_is("A=1\r\nB=two\r\n", "B", "two"));
	UNIT_CHECK("CRLF after quoted value", value_is("A=\"x y\"\r\nB=2\r\n", "A", "x y"));
	UNIT_CHECK("CRLF inside multi-line value becomes LF", value_is("A=\"x\r\ny\"\r\n", "A", "x\ny"));
	UNIT_CHECK("lone CR line endings", value_is("A=1\rB=2\r", "B", "2"));
	UNIT_CHECK("BOM ignored", value_is("\xEF\xBB\xBF" "FOO=bar\n", "FOO", "bar"));
	rc = parse("A=1\r\n\r\nB\r\n", &env, err, sizeof(err));
	UNIT_CHECK("CRLF line numbers", rc < 0 && strcmp(err, "line 3: expected KEY=VALUE") == 0);

	/* Only the first `len` bytes count: the rest is another variable. */
	rc = parse_n("A=12345B=6", 4, &env, err, sizeof(err));
	UNIT_CHECK("input need not be NUL-terminated", rc == 0 && env.count == 1 &&
	    strcmp(dotenv_get(&env, "A"), "12") == 0);
	dotenv_free(&env);
}

static void
test_errors(void)
{
	static const char nul[] = "A=1\nB=x\0y\n";
	char err[256];
	struct dotenv env;

	UNIT_CHECK("line without =", error_is("A=1\n# c\nJUSTTEXT\n", 0, "line 3: expected KEY=VALUE", "JUSTTEXT"));
	UNIT_CHECK("stray word never echoed",
	    error_is("DB=x\nhunter2secret\n", 0, "line 2: expected KEY=VALUE", "hunter2"));
	UNIT_CHECK("export without =", error_is("export FOO\n", 0, "line 1: expected KEY=VALUE", NULL));
	UNIT_CHECK("unterminated double quote names its line",
	    error_is("A=1\nPASSWORD=\"S3cretValue\nB=2\nC=3\n", 0,
		"line 2: unterminated double quote in the value of PASSWORD", "S3cret"));
	UNIT_CHECK("unterminated single quote",
	    error_is("\n\nTOKEN='abc\n", 0, "line 3: unterminated single quote in the value of TOKEN", "abc"));
	UNIT_CHECK("unterminated backtick",
	    error_is("K=`abc", 0, "line 1: unterminated backtick quote in the value of K", "abc"));
	UNIT_CHECK("escaped quote does not close",
	    error_is("K=\"abc\\\"", 0, "line 1: unterminated double quote in the value of K", "abc"));
	UNIT_CHECK("backslash at end of input",
	    error_is("K=\"abc\\", 0, "line 1: unterminated double quote in the value of K", "abc"));
	UNIT_CHECK("text after closing quote",
	    error_is("K=\"abc\"def\n", 0, "line 1: unexpected text after the closing quote of K", "abc"));
	UNIT_CHECK("invalid key not echoed",
	    error_is("1BAD=x\n", 0, "line 1: invalid variable name (use letters, digits, _ . - "
		"and do not start with a digit)", "1BAD"));
	UNIT_CHECK("key with space is invalid",
	    error_is("MY KEY=x\n", 0, "line 1: invalid variable name (use letters, digits, _ . - "
		"and do not start with a digit)", NULL));
	UNIT_CHECK("empty key is invalid",
	    error_is(" =x\n", 0, "line 1: invalid variable name (use letters, digits, _ . - "
		"and do not start with a digit)", NULL));
	UNIT_CHECK("NUL byte is an error naming its line",
	    error_is(nul, sizeof(nul) - 1, "line 2: NUL byte (is the file UTF-16 or binary? save it as UTF-8)", NULL));
	UNIT_CHECK("small error buffer is safe", parse("oops\n", &env, err, 8) < 0 && strlen(err) == 7);
	UNIT_CHECK("NULL error buffer is safe", parse("oops\n", &env, NULL, 0) < 0);
}

static void
test_load_file(void)
{
	char path[] = "/tmp/test-dotenv-XXXXXX";
	struct dotenv env;
	int fd, rc;

	rc = dotenv_load_file("/nonexistent/dir/.env", &env);
	UNIT_CHECK("missing file gives an empty set", rc == 0 && env.count == 0);
	dotenv_free(&env);

	fd = mkstemp(path);
	if (fd < 0 || write(fd, "X=1\nY='two'\n", 12) != 12) {
		UNIT_CHECK("temporary file", 0);
		return;
	}
	close(fd);
	rc = dotenv_load_file(path, &env);
	UNIT_CHECK("load file", rc == 0 && env.count == 2 && strcmp(dotenv_get(&env, "Y"), "two") == 0);
	dotenv_free(&env);
	unlink(path);
}

/*
 * Every prefix of a tricky text, and pseudo-random bytes, must parse or fail
 * cleanly; AddressSanitizer catches what plain runs would not.
 */
static void
test_robustness(void)
{
	static const char tricky[] =
	    "\xEF\xBB\xBF# c\r\nexport  A = 'x'  # c\r\nB=\"a\\\nb\\\"\\\\\" \n"
	    "C=`m\nl`\nD=e=f #g\nE=\nF='\n";
	static const char alphabet[] = "AB_=#'\"`\\ \t\r\n\0x.-e";
	struct dotenv env;
	char err[256], buf[64];
	unsigned long seed = 12345;
	size_t len, i;
	int n, crashed = 0;

	for (len = 0; len <= sizeof(tricky) - 1; len++) {
		if (parse_n(tricky, len, &env, err, sizeof(err)) == 0)
			dotenv_free(&env);
		else if (env.count != 0)
			crashed = 1;
	}
	UNIT_CHECK("every prefix of a tricky text", !crashed);

	for (n = 0; n < 20000; n++) {
		len = (size_t)(n % (int)sizeof(buf));
		for (i = 0; i < len; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			buf[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		if (parse_n(buf, len, &env, err, sizeof(err)) == 0)
			dotenv_free(&env);
	}
	UNIT_CHECK("random inputs parse or fail cleanly", 1);
}

/* The value of KEY after loading TEXT from a file (where ${VAR} expands). */
static int
loaded_is(const char *text, const char *key, const char *want)
{
	char path[] = "/tmp/lbdotenvXXXXXX";
	struct dotenv env = { NULL, 0 };
	const char *v;
	int fd = mkstemp(path), ok;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	ok = dotenv_load_file(path, &env) == 0 && (v = dotenv_get(&env, key)) != NULL && strcmp(v, want) == 0;
	if (!ok)
		printf("# %s: got '%s', want '%s'\n", key, dotenv_get(&env, key) ? dotenv_get(&env, key) : "(none)", want);
	dotenv_free(&env);
	unlink(path);
	return ok;
}

/* ${VAR} as dotenv-expand resolves it. */
static void
test_expand(void)
{
	setenv("LB_DOTENV_FROM_ENV", "envval", 1);
	unsetenv("LB_DOTENV_UNSET");
	UNIT_CHECK("expand: braced from a key above", loaded_is("HOST=db.example\nURL=postgresql://u@${HOST}:5432/x\n",
	    "URL", "postgresql://u@db.example:5432/x"));
	UNIT_CHECK("expand: bare $NAME", loaded_is("A=one\nB=$A-two\n", "B", "one-two"));
	UNIT_CHECK("expand: the environment first", loaded_is("LB_DOTENV_FROM_ENV=file\nB=${LB_DOTENV_FROM_ENV}\n", "B",
	    "envval"));
	UNIT_CHECK("expand: unset is empty", loaded_is("B=x${LB_DOTENV_UNSET}y\n", "B", "xy"));
	UNIT_CHECK("expand: :- default", loaded_is("B=${LB_DOTENV_UNSET:-5432}\n", "B", "5432"));
	UNIT_CHECK("expand: - default only when unset", loaded_is("E=\nB=${E-d}|${E:-d}\n", "B", "|d"));
	UNIT_CHECK("expand: :+ alternative", loaded_is("A=1\nB=${A:+yes}${LB_DOTENV_UNSET:+no}\n", "B", "yes"));
	UNIT_CHECK("expand: nested", loaded_is("A=x\nB=${A}y\nC=${B}z\n", "C", "xyz"));
	UNIT_CHECK("expand: escaped dollar", loaded_is("B=\"pa\\$word\"\n", "B", "pa$word"));
	UNIT_CHECK("expand: single quotes literal", loaded_is("A=1\nB='${A}'\n", "B", "${A}"));
	UNIT_CHECK("expand: self reference ends", loaded_is("A=${A}${A}\n", "A", ""));
	UNIT_CHECK("expand: not a reference", loaded_is("B=a$ b ${} c$$\n", "B", "a$ b ${} c$$"));
}

int
main(void)
{
	test_expand();
	test_basics();
	test_comments();
	test_quotes();
	test_line_endings();
	test_errors();
	test_load_file();
	test_robustness();
	return unit_done();
}
