#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "git/ignore-match.h"
#include "full/project-files.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "unit.h"

/*
 * Parses from a buffer of exactly the text's length, with no NUL after it,
 * so that a read past the end shows up under AddressSanitizer.
 */
static struct ignore_rules *
parse(const char *text)
{
	size_t len = strlen(text);
	char *copy = xmalloc(len ? len : 1);
	struct ignore_rules *r;

	memcpy(copy, text, len);
	r = ignore_parse(copy, len);
	free(copy);
	return r;
}

/* ignore_match_path of PATH under RULES; *line (may be NULL) gets the deciding line. */
static int
match_line(const char *rules, const char *path, int is_dir, int *line)
{
	struct ignore_rules *r = parse(rules);
	int rc = ignore_match_path(r, path, is_dir, line);

	ignore_free(r);
	return rc;
}

static int
match(const char *rules, const char *path, int is_dir)
{
	return match_line(rules, path, is_dir, NULL);
}

/* Every PATHS entry (NULL-terminated) gives WANT. */
static int
all(const char *rules, int is_dir, int want, const char *const *paths)
{
	int ok = 1;

	for (; *paths; paths++) {
		if (match(rules, *paths, is_dir) != want) {
			printf("# [%s] vs %s: want %d\n", rules, *paths, want);
			ok = 0;
		}
	}
	return ok;
}

#define PATHS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_syntax(void)
{
	struct ignore_rules *r;
	const char *text, *invalid;
	int line = -1;

	r = parse("# comment\n\n   \nfoo\n#bar\n");
	ignore_rule(r, 0, &line, &text, &invalid);
	UNIT_CHECK("comments and blank lines are not rules, line numbers kept",
	    ignore_count(r) == 1 && line == 4 && strcmp(text, "foo") == 0 && invalid == NULL);
	UNIT_CHECK("a # line is a comment", ignore_match(r, "#bar", 0, NULL) == 0);
	ignore_free(r);
	UNIT_CHECK("\\# matches a name starting with #", match("\\#bar\n", "#bar", 0) && !match("\\#bar\n", "bar", 0));
	UNIT_CHECK("\\! matches a name starting with !",
	    match("\\!important\n", "!important", 0) && !match("\\!important\n", "important", 0));
	UNIT_CHECK("trailing spaces trimmed", match("foo   \n", "foo", 0) && !match("foo   \n", "foo ", 0));
	UNIT_CHECK("escaped trailing space kept", match("foo\\ \n", "foo ", 0) && !match("foo\\ \n", "foo", 0));
	UNIT_CHECK("CRLF lines and a BOM", match("\xEF\xBB\xBF" "foo\r\nbar\r\n", "foo", 0) &&
	    match("\xEF\xBB\xBF" "foo\r\nbar\r\n", "bar", 0));
	UNIT_CHECK("last line without newline", match("a\nb", "b", 0));
	UNIT_CHECK("leading spaces are part of the pattern", !match(" foo\n", "foo", 0) && match(" foo\n", " foo", 0));
	UNIT_CHECK("no rules: nothing excluded", !match("", "foo", 0) && !match("\n\n# x\n", "foo", 1));
}

static void
test_negation(void)
{
	int line = 0;

	UNIT_CHECK("negation re-includes", match("*.log\n!keep.log\n", "a.log", 0) &&
	    match_line("*.log\n!keep.log\n", "keep.log", 0, &line) == 0 && line == 2);
	UNIT_CHECK("later rules win", match_line("!keep.log\n*.log\n", "keep.log", 0, &line) == 1 && line == 2);
	UNIT_CHECK("no re-including below an excluded directory",
	    match_line("build/\n!build/keep.txt\n", "build/keep.txt", 0, &line) == 1 && line == 1);
	{
		struct ignore_rules *r = parse("build/\n!build/keep.txt\n");

		UNIT_CHECK("ignore_match looks at the path alone",
		    ignore_match(r, "build/keep.txt", 0, &line) == 0 && line == 2);
		ignore_free(r);
	}
	/* gitignore(5): exclude everything except directory foo/bar. */
	UNIT_CHECK("gitignore(5) /* !/foo /foo/* !/foo/bar",
	    !match("/*\n!/foo\n/foo/*\n!/foo/bar\n", "foo/bar", 1) &&
	    !match("/*\n!/foo\n/foo/*\n!/foo/bar\n", "foo/bar/x.c", 0) &&
	    match("/*\n!/foo\n/foo/*\n!/foo/bar\n", "foo/baz", 0) &&
	    match("/*\n!/foo\n/foo/*\n!/foo/bar\n", "other", 1));
}

static void
test_anchoring(void)
{
	UNIT_CHECK("dir-only matches directories", match("build/\n", "build", 1) && match("build/\n", "a/b/build", 1));
	UNIT_CHECK("dir-only does not match a file", !match("build/\n", "build", 0) && !match("build/\n", "a/build", 0));
	UNIT_CHECK("files below a dir-only match are excluded", match("build/\n", "build/out/x.js", 0));
	UNIT_CHECK("trailing / in the path means a directory", match("build/\n", "build/", 0));
	UNIT_CHECK("gitignore(5) frotz/ matches at any depth", match("frotz/\n", "a/frotz", 1) &&
	    match("frotz/\n", "frotz", 1));
	UNIT_CHECK("gitignore(5) doc/frotz/ is anchored", match("doc/frotz/\n", "doc/frotz", 1) &&
	    !match("doc/frotz/\n", "a/doc/frotz", 1));
	UNIT_CHECK("leading / anchors", match("/todo\n", "todo", 0) && !match("/todo\n", "sub/todo", 0));
	UNIT_CHECK("middle / anchors", match("doc/frotz\n", "doc/frotz", 0) && !match("doc/frotz\n", "x/doc/frotz", 0));
	UNIT_CHECK("no slash: any depth", all("*.o\n", 0, 1, PATHS("a.o", "x/a.o", "x/y/z/a.o")));
	UNIT_CHECK("* does not cross /", match("doc/*.txt\n", "doc/a.txt", 0) && !match("doc/*.txt\n", "doc/x/a.txt", 0));
	UNIT_CHECK("leading ./ in the path ignored", match("/todo\n", "./todo", 0));
}

static void
test_globstar(void)
{
	UNIT_CHECK("**/foo at any depth", all("**/foo\n", 0, 1, PATHS("foo", "a/foo", "a/b/foo")));
	UNIT_CHECK("**/foo/bar", all("**/foo/bar\n", 0, 1, PATHS("foo/bar", "x/foo/bar", "x/y/foo/bar")) &&
	    !match("**/foo/bar\n", "foo/x/bar", 0));
	UNIT_CHECK("abc/** matches inside", all("abc/**\n", 0, 1, PATHS("abc/x", "abc/x/y", "abc/.hidden")));
	UNIT_CHECK("abc/** does not match abc itself", !match("abc/**\n", "abc", 1) && !match("abc/**\n", "x/abc/y", 0));
	UNIT_CHECK("a/**/b: zero or more directories", all("a/**/b\n", 0, 1, PATHS("a/b", "a/x/b", "a/x/y/b")) &&
	    all("a/**/b\n", 0, 0, PATHS("a/xb", "ab", "x/a/b", "a/x/c")));
	UNIT_CHECK("** not a whole component is *", match("x/a**b\n", "x/ayyb", 0) && !match("x/a**b\n", "x/ay/b", 0));
	UNIT_CHECK("** before an escaped slash needs one directory, as in git",
	    !match("a/**\\/b\n", "a/b", 0) && match("a/**\\/b\n", "a/x/b", 0));
	UNIT_CHECK("**/ dir-only", match("**/\n", "any", 1) && !match("**/\n", "any", 0));
	UNIT_CHECK("/**/ between components", all("/x/**/*.sql\n", 0, 1, PATHS("x/a.sql", "x/m/n/a.sql")) &&
	    !match("/x/**/*.sql\n", "y/x/a.sql", 0));
}

static void
test_classes(void)
{
	struct ignore_rules *r;
	const char *invalid;

	UNIT_CHECK("? is one character, not /", match("?.c\n", "a.c", 0) && !match("?.c\n", "ab.c", 0) &&
	    !match("a?b\n", "a/b", 0) && !match("x/a?b\n", "x/a/b", 0));
	UNIT_CHECK("[abc]", match("[abc].txt\n", "b.txt", 0) && !match("[abc].txt\n", "d.txt", 0));
	UNIT_CHECK("[!abc] and [^abc]", match("[!abc].txt\n", "d.txt", 0) && !match("[!abc].txt\n", "a.txt", 0) &&
	    match("[^abc].txt\n", "d.txt", 0) && !match("[^abc].txt\n", "c.txt", 0));
	UNIT_CHECK("ranges", match("v[0-9]\n", "v7", 0) && !match("v[0-9]\n", "vx", 0) &&
	    match("[a-cx-z]\n", "y", 0) && !match("[a-cx-z]\n", "m", 0));
	UNIT_CHECK("] first and - last are literal", match("[]]x\n", "]x", 0) && match("[a-]\n", "-", 0) &&
	    match("[!]]\n", "a", 0) && !match("[!]]\n", "]", 0));
	UNIT_CHECK("[[:digit:]] and [[:upper:]]", match("[[:digit:]]*\n", "2024_init", 0) &&
	    !match("[[:digit:]]*\n", "init", 0) && match("[[:upper:]]\n", "Q", 0) && !match("[[:upper:]]\n", "q", 0));
	UNIT_CHECK("escapes in a class and \\*", match("[\\]]\n", "]", 0) && match("a\\*\n", "a*", 0) &&
	    !match("a\\*\n", "ab", 0));
	UNIT_CHECK("a class never matches /", !match("a[/]b\n", "a/b", 0) && !match("a[!x]b\n", "a/b", 0) &&
	    match("a[!x]b\n", "ayb", 0));
	r = parse("foo[\nfoo\\\n[[:bogus:]]\n!\n[[:alpha:]\n");
	UNIT_CHECK("malformed rules are flagged", ignore_count(r) == 5 &&
	    (ignore_rule(r, 0, NULL, NULL, &invalid), invalid && strcmp(invalid, "unterminated [") == 0) &&
	    (ignore_rule(r, 1, NULL, NULL, &invalid), invalid && strcmp(invalid, "trailing backslash") == 0) &&
	    (ignore_rule(r, 2, NULL, NULL, &invalid), invalid && strcmp(invalid, "unknown character class") == 0) &&
	    (ignore_rule(r, 3, NULL, NULL, &invalid), invalid && strcmp(invalid, "empty pattern") == 0) &&
	    (ignore_rule(r, 4, NULL, NULL, &invalid), invalid != NULL));
	UNIT_CHECK("malformed rules match nothing", !ignore_match(r, "foo[", 0, NULL) &&
	    !ignore_match(r, "foo\\", 0, NULL) && !ignore_match(r, "a", 0, NULL));
	ignore_free(r);
}

static void
test_pathological(void)
{
	struct strbuf path = STRBUF_INIT, pat = STRBUF_INIT;
	struct ignore_rules *r;
	unsigned seed = 12345;
	char *text;
	double t0;
	int i, j, ok;

	for (i = 0; i < 30000; i++)
		strbuf_putc(&path, 'a');
	t0 = now();
	ok = !match("*a*a*a*a*a*a*b\n", path.buf, 0) && match("*a*a*a*a*a*a*\n", path.buf, 0);
	for (i = 0; i < 40; i++)
		strbuf_puts(&pat, "*a");
	strbuf_puts(&pat, "*b\n");
	ok = ok && !match(pat.buf, path.buf, 0);
	UNIT_CHECK("*a*a*a*a*a*a*b against 30000 a's is fast", ok && now() - t0 < 2.0);

	strbuf_reset(&path);
	for (i = 0; i < 3000; i++)
		strbuf_puts(&path, "a/");
	strbuf_puts(&path, "a");
	t0 = now();
	ok = !match("**/a/**/a/**/a/**/a/**/b\n", path.buf, 0) && match("**/a/**/a/**/a/**/a\n", path.buf, 0) &&
	    match("a/**\n", path.buf, 0);
	UNIT_CHECK("**/a/**/a/**/a/**/b against 3000 components is fast", ok && now() - t0 < 2.0);

	/* Random bytes from a hostile pattern alphabet: must not crash or read out of bounds. */
	text = xmalloc(256);
	for (i = 0; i < 2000; i++) {
		static const char alphabet[] = "*?[]!^-/\\#: \r\na:xb";
		size_t n = (size_t)(seed % 64), k;

		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			text[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		r = ignore_parse(text, n);
		for (j = 0; j < 4; j++)
			(void)ignore_match_path(r, j & 1 ? "a/xb/:a" : "[a]/b!/x", j & 2, NULL);
		ignore_free(r);
		seed = seed * 1103515245u + 12345u;
	}
	free(text);
	UNIT_CHECK("random patterns parse and match without faults", 1);
	strbuf_free(&path);
	strbuf_free(&pat);
}

static void
test_secrets(void)
{
	static const char *const secret[] = {
		".env", ".ENV", ".env.local", ".env.production", "apps/web/.env.development.local",
		"id_rsa", "id_dsa", "id_ecdsa", "ID_ED25519", "id_ed25519_sk", "keys/server.pem", "tls.key",
		"cert.p12", "cert.pfx", "ca.crt", "ca.cer", "ca.der", "release.keystore", "app.jks",
		"vault.kdbx", "credentials", "credentials.json", "config/credentials.yml.enc",
		"my_secret.txt", "SECRETS.yaml", "client-secret.json", ".npmrc", ".pypirc", ".pgpass",
		".netrc", "service-account.json", "service-account-prod.json", "server.example.pem",
		"docker/web.env", ".envrc",
	};
	static const char *const kept[] = {
		".env.example", ".env.sample", ".env.template", ".env.local.example", "id_rsa.pub",
		"id_ed25519.pub", "secrets.example.json", "secret.sample", "credentials.template",
		"service-account.example.json", "environment.ts", "package.json", "keyboard.c", "src/crtp.c",
		"service-account.yaml", "credentials_test.go",
	};
	struct project_rules *rules = NULL;
	const char *rule;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		if (!project_rules_is_secret(NULL, secret[i])) {
			printf("# %s should be a secret\n", secret[i]);
			ok = 0;
		}
	}
	UNIT_CHECK("every secret rule excludes its files (case-insensitive)", ok);
	ok = 1;
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		if ((rule = project_rules_excluded(NULL, kept[i], 0)) != NULL) {
			printf("# %s excluded by %s\n", kept[i], rule);
			ok = 0;
		}
	}
	UNIT_CHECK("templates, public keys and look-alikes are kept", ok);
	rule = project_rules_excluded(NULL, "keys/server.pem", 0);
	UNIT_CHECK("rule string for *.pem", rule && strcmp(rule, "secret: private key (*.pem)") == 0);
	rule = project_rules_excluded(NULL, "apps/api/.env.local", 0);
	UNIT_CHECK("rule string for .env.*", rule && strcmp(rule, "secret: environment file (.env.*)") == 0);
	UNIT_CHECK("secret rules apply to files, not directories",
	    project_rules_excluded(NULL, "prisma/migrations/20240101_add_secret_column", 1) == NULL &&
	    project_rules_excluded(NULL, "prisma/migrations/20240101_add_secret_column/migration.sql", 0) == NULL);
	UNIT_CHECK("missing .lotbackupignore: built-in rules only",
	    project_rules_load("/nonexistent-lotbackup-test", &rules) == 0 && rules != NULL &&
	    project_rules_is_secret(rules, "id_rsa") && !project_rules_is_secret(rules, "build/x.js"));
	project_rules_free(rules);
}

static void
write_file(const char *root, const char *rel, const char *content)
{
	char *path = xasprintf("%s/%s", root, rel), *p;
	FILE *fp;

	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			perror(path);
		*p = '/';
	}
	fp = fopen(path, "w");
	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	fputs(content, fp);
	fclose(fp);
	free(path);
}

static void
remove_tree(const char *root)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	free(cmd);
}

static void
test_scan(void)
{
	char root[] = "/tmp/lotbackup-pf-XXXXXX";
	struct project_rules *rules = NULL;
	struct project_scan scan;
	struct strbuf got = STRBUF_INIT;
	char *skip, *p;
	const char *rule;
	size_t i;
	int rc;
	static const char *const files[] = {
		"package.json", ".env", ".env.example", "id_rsa", "id_rsa.pub", "keys/server.pem",
		"apps/web/package.json", "apps/web/.env.local", "apps/api/requirements-dev.txt",
		"apps/api/go.mod", "prisma/schema.prisma", "prisma/migrations/2024_x/migration.sql",
		"prisma/migrations/migration_lock.toml", "prisma/migrations/debug.log",
		"node_modules/x/package.json", "apps/web/node_modules/y/package.json", ".git/config",
		".git/package.json", "backups/package.json", "secret-stuff/package.json", "logs/app.log",
		"config/app.yml.example", "config/secrets.example.json", "src/index.ts", "README.md",
	};
	static const char want_files[] =
	    "config .env.example\n"
	    "deps apps/api/go.mod\n"
	    "deps apps/api/requirements-dev.txt\n"
	    "deps apps/web/package.json\n"
	    "config config/app.yml.example\n"
	    "config config/secrets.example.json\n"
	    "deps package.json\n"
	    "deps prisma/migrations/2024_x/migration.sql\n"
	    "deps prisma/migrations/migration_lock.toml\n"
	    "deps prisma/schema.prisma\n";
	static const char want_excluded[] =
	    ".env: secret: environment file (.env)\n"
	    "apps/web/.env.local: secret: environment file (.env.*)\n"
	    "id_rsa: secret: private key (id_rsa)\n"
	    "keys/server.pem: secret: private key (*.pem)\n"
	    "link.example: symlink\n"
	    "prisma/migrations/debug.log: .lotbackupignore line 3: *.log\n"
	    "secret-stuff/: .lotbackupignore line 2: secret-stuff/\n";

	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		write_file(root, files[i], "x\n");
	write_file(root, ".lotbackupignore", "# test rules\nsecret-stuff/\n*.log   \n");
	p = xasprintf("%s/link.example", root);
	rc = symlink("package.json", p);
	free(p);
	p = xasprintf("%s/linkdir", root);
	rc |= symlink("apps", p);
	free(p);
	UNIT_CHECK("temp tree built", rc == 0);

	UNIT_CHECK("rules load", project_rules_load(root, &rules) == 0 && rules != NULL);
	rule = project_rules_excluded(rules, "secret-stuff", 1);
	UNIT_CHECK("rule string for a .lotbackupignore line",
	    rule && strcmp(rule, ".lotbackupignore line 2: secret-stuff/") == 0);
	UNIT_CHECK("a file under an excluded directory asked directly",
	    project_rules_is_secret(rules, "secret-stuff/notes.txt") &&
	    !project_rules_is_secret(rules, "src/index.ts"));

	/* Not the string the walker sees: matched by device and inode. */
	skip = xasprintf("%s/apps/../backups/", root);
	rc = project_scan(root, skip, rules, &scan);
	UNIT_CHECK("scan succeeds", rc == 0);
	for (i = 0; rc == 0 && i < scan.nfiles; i++)
		strbuf_printf(&got, "%s %s\n", scan.files[i].kind == PROJECT_FILE_DEPS ? "deps" : "config",
		    scan.files[i].path);
	if (strcmp(strbuf_str(&got), want_files) != 0)
		printf("# files:\n%s", strbuf_str(&got));
	UNIT_CHECK("scan: deps and config at any depth, sorted; node_modules, .git, output dir, symlinked dir skipped",
	    strcmp(strbuf_str(&got), want_files) == 0);
	strbuf_reset(&got);
	for (i = 0; rc == 0 && i < scan.nexcluded; i++)
		strbuf_printf(&got, "%s: %s\n", scan.excluded[i].path, scan.excluded[i].rule);
	if (strcmp(strbuf_str(&got), want_excluded) != 0)
		printf("# excluded:\n%s", strbuf_str(&got));
	UNIT_CHECK("scan: secrets, ignored candidates, excluded dirs and symlinks listed with their rule",
	    strcmp(strbuf_str(&got), want_excluded) == 0);
	project_scan_free(&scan);
	free(skip);

	rc = project_scan(root, NULL, rules, &scan);
	UNIT_CHECK("without skip_dir the output dir is walked",
	    rc == 0 && scan.nfiles == 11 && strcmp(scan.files[1].path, "apps/api/go.mod") == 0 &&
	    strcmp(scan.files[4].path, "backups/package.json") == 0);
	project_scan_free(&scan);
	project_rules_free(rules);
	rules = NULL;

	rc = project_scan("/nonexistent-lotbackup-test", NULL, NULL, &scan);
	UNIT_CHECK("missing project directory is an error", rc == -1 && scan.nfiles == 0 && scan.files == NULL);

	if (geteuid() != 0) {
		p = xasprintf("%s/apps/web/package.json", root);
		chmod(p, 0);
		rc = project_scan(root, NULL, NULL, &scan);
		chmod(p, 0644);
		free(p);
		UNIT_CHECK("unreadable candidate is an error", rc == -1 && scan.nfiles == 0);
		p = xasprintf("%s/src", root);
		chmod(p, 0);
		rc = project_scan(root, NULL, NULL, &scan);
		chmod(p, 0755);
		free(p);
		UNIT_CHECK("unreadable directory is an error", rc == -1 && scan.nexcluded == 0);
	} else {
		printf("# running as root: unreadable file and directory checks skipped\n");
	}

	write_file(root, ".lotbackupignore", "ok/\nbad[\n");
	UNIT_CHECK("a malformed .lotbackupignore line is an error", project_rules_load(root, &rules) == -1 &&
	    rules == NULL);

	strbuf_free(&got);
	remove_tree(root);
}

int
main(void)
{
	test_syntax();
	test_negation();
	test_anchoring();
	test_globstar();
	test_classes();
	test_pathological();
	test_secrets();
	test_scan();
	return unit_done();
}
