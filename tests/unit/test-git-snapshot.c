/*
 * git-snapshot against the git CLI: a fixture repository built with git
 * (the test may run git; the product may not), then every report checked
 * against what git itself says, and the bundle and patch round-tripped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "git/git-snapshot.h"
#include "io/pipe.h"
#include "base/strbuf.h"
#include "unit.h"
#include "base/xalloc.h"

/* No user or system configuration, a fixed identity: works on a fresh machine as root. */
#define GIT "git -c user.name=Test -c user.email=test@example.com -c init.defaultBranch=main " \
	"-c commit.gpgsign=false -c tag.gpgsign=false -c core.autocrlf=false -c advice.detachedHead=false"

static char *tmp;	/* the scratch directory of this run */

/*
 * LeakSanitizer's hook (ignored without -fsanitize): libgit2 1.5 leaks a
 * PCRE2 match block whenever a config regex does not match
 * (git_regexp_match, reached from git_remote_lookup); not ours to free.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}

/* A pipe's consumer that writes straight to a FILE*. */
static int
test_write(void *arg, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, arg) == len ? 0 : -1;
}

static FILE *
test_open(const char *path)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL) {
		perror(path);
		exit(1);
	}
	return fp;
}

/* Runs one gitsnap writer into PATH; its return value. */
#define WRITE_TO(path, call) do { \
	FILE *fp_ = test_open(path); \
	struct pipe *out = pipe_new(); \
	pipe_to_consumer(out, test_write, fp_); \
	rc = (call); \
	if (pipe_finish(out) < 0 || fclose(fp_) != 0) \
		rc = -1; \
	pipe_free(out); \
} while (0)

/* A shell command; its exit status. */
static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	va_list ap;
	int st;

	va_start(ap, fmt);
	strbuf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	st = system(cmd.buf);
	strbuf_free(&cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static char *
slurp(const char *path)
{
	char *text = NULL;
	size_t len;

	if (fs_read_file(path, &text, &len) != 0)
		return xstrdup("");
	return text;
}

/* The standard output of a shell command (exit status ignored; checks compare the text). */
static char *
output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
output(const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	char *path = xasprintf("%s/cmd.out", tmp), *text;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	strbuf_printf(&cmd, " > %s", path);
	if (system(cmd.buf) == -1)
		perror("system");
	text = slurp(path);
	unlink(path);
	strbuf_free(&cmd);
	free(path);
	return text;
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

static int
is_secret(void *ctx, const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	(void)ctx;
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return strcmp(base, "id_rsa") == 0 || strcmp(base, ".env") == 0 ||
	    (dot && strcmp(dot, ".pem") == 0);
}

static int
commit(const char *dir, int t, const char *msg)
{
	return run("cd %s && GIT_AUTHOR_DATE='%d +0100' GIT_COMMITTER_DATE='%d +0100' " GIT
	    " commit -q -m '%s'", dir, 1700000000 + t * 3600, 1700000000 + t * 3600, msg);
}

/* Several commits on two branches, tags, secrets in history, a remote, a dirty tree. */
static int
make_fixture(const char *s)
{
	int bad = 0;

	bad |= run(GIT " init -q %s", s);
	bad |= run("cd %s && printf '# demo\\n' > README.md && printf 'console.log(1);\\n' > app.js && "
	    "printf '*.log\\n' > .gitignore && printf 'SECRET=one\\n' > .env && "
	    "head -c 3000 /dev/urandom > logo.bin && printf '\\000\\001' >> logo.bin && "
	    GIT " add -A", s);
	bad |= commit(s, 1, "initial");
	bad |= run("cd %s && printf 'console.log(2);\\n' > app.js && " GIT " add app.js", s);
	bad |= commit(s, 2, "app v2");
	bad |= run("cd %s && " GIT " tag -a v1 -m 'release 1' && " GIT " checkout -q -b feature && "
	    "mkdir config && printf 'KEY\\n' > id_rsa && printf 'CERT\\n' > config/server.pem && "
	    GIT " add -A", s);
	bad |= commit(s, 3, "add keys");
	bad |= run("cd %s && " GIT " rm -q id_rsa config/server.pem", s);
	bad |= commit(s, 4, "remove keys");
	bad |= run("cd %s && printf 'feature\\n' > feature.txt && " GIT " add feature.txt", s);
	bad |= commit(s, 5, "feature");
	bad |= run("cd %s && " GIT " tag light && " GIT " checkout -q main && "
	    "printf '# demo\\n\\nmore\\n' > README.md && " GIT " add README.md", s);
	bad |= commit(s, 6, "readme");
	bad |= run("cd %s && " GIT " remote add origin https://bob:hunter2@example.com/x.git && "
	    GIT " update-ref refs/remotes/origin/main main~1 && "
	    GIT " symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main && "
	    GIT " config branch.main.remote origin && " GIT " config branch.main.merge refs/heads/main", s);
	/* The dirty tree. */
	bad |= run("cd %s && printf 'console.log(3);\\n' >> app.js && "
	    "printf '# demo\\n\\nstaged\\n' > README.md && " GIT " add README.md && "
	    "head -c 2000 /dev/urandom >> logo.bin && printf 'SECRET=two\\n' > .env && "
	    "printf 'todo\\n' > notes.txt && printf 'x\\n' > 'with space.txt' && "
	    "mkdir newdir && printf 'y\\n' > newdir/a.txt && printf 'log\\n' > debug.log", s);
	return bad;
}

static int
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static void
check_summary(struct gitsnap *g, const char *head)
{
	struct gitsnap_summary s;
	int rc = gitsnap_summary(g, is_secret, NULL, &s);

	UNIT_CHECK("summary-rc", rc == 0);
	if (rc != 0)
		return;
	UNIT_CHECK("summary-head", strcmp(s.head, head) == 0);
	UNIT_CHECK("summary-branch", s.branch && strcmp(s.branch, "main") == 0);
	UNIT_CHECK("summary-upstream", s.upstream && strcmp(s.upstream, "origin/main") == 0);
	UNIT_CHECK("summary-ahead-behind", s.ahead == 1 && s.behind == 0);
	UNIT_CHECK("summary-staged", s.staged == 1);
	UNIT_CHECK("summary-modified", s.modified == 3);
	UNIT_CHECK("summary-untracked", s.untracked == 3);
	UNIT_CHECK("summary-ignored", s.ignored == 1);
	UNIT_CHECK("summary-conflicted", s.conflicted == 0);
	UNIT_CHECK("summary-nrefs", s.nrefs == 7);
	UNIT_CHECK("summary-secrets", s.nsecret_paths == 3 &&
	    strcmp(s.secret_paths[0], ".env") == 0 &&
	    strcmp(s.secret_paths[1], "config/server.pem") == 0 &&
	    strcmp(s.secret_paths[2], "id_rsa") == 0);
	gitsnap_summary_free(&s);
}

static void
check_reports(struct gitsnap *g, const char *src, const char *head)
{
	char *path = xasprintf("%s/report.txt", tmp), *text, *want, *line;
	int rc;

	WRITE_TO(path, gitsnap_write_info(g, out));
	text = slurp(path);
	UNIT_CHECK("info-rc", rc == 0);
	line = xasprintf("head %s\n", head);
	UNIT_CHECK("info-head", strncmp(text, line, strlen(line)) == 0);
	free(line);
	UNIT_CHECK("info-branch", contains(text, "\nbranch main\n"));
	UNIT_CHECK("info-upstream", contains(text, "\nupstream origin/main ahead 1 behind 0\n"));
	UNIT_CHECK("info-remote-redacted", contains(text, "\nremote origin https://bob:***@example.com/x.git\n"));
	UNIT_CHECK("info-no-password", !contains(text, "hunter2"));
	want = output("cd %s && git for-each-ref --format='tag %%(refname:short) %%(objectname)' refs/tags", src);
	UNIT_CHECK("info-tags", contains(text, want));
	free(want);
	free(text);

	WRITE_TO(path, gitsnap_write_log(g, 2, out));
	text = slurp(path);
	line = xasprintf("%s\tTest <test@example.com>\t2023-11-15T05:13:20+01:00\treadme\n", head);
	UNIT_CHECK("log-rc", rc == 0);
	UNIT_CHECK("log-two-lines", count_lines(text) == 2);
	UNIT_CHECK("log-first-line", strncmp(text, line, strlen(line)) == 0);
	free(line);
	free(text);
	WRITE_TO(path, gitsnap_write_log(g, 1000, out));
	text = slurp(path);
	want = output("cd %s && git rev-list HEAD | wc -l", src);
	UNIT_CHECK("log-all", rc == 0 && count_lines(text) == (size_t)atoi(want));
	free(want);
	free(text);

	WRITE_TO(path, gitsnap_write_status(g, out));
	text = slurp(path);
	want = output("cd %s && git status --porcelain=v1", src);
	UNIT_CHECK("status-rc", rc == 0);
	UNIT_CHECK("status-as-git", strcmp(text, want) == 0);
	if (strcmp(text, want) != 0)
		printf("# ours:\n%s# git:\n%s", text, want);
	free(want);
	free(text);
	free(path);
}

/* The patch: no secret, binary hunks, and git takes it. */
static void
check_patch(struct gitsnap *g, const char *src, const char *patch)
{
	char *text, *clone = xasprintf("%s/clean", tmp);
	int rc;

	WRITE_TO(patch, gitsnap_write_patch(g, is_secret, NULL, NULL, out));
	text = slurp(patch);
	UNIT_CHECK("patch-rc", rc == 0);
	UNIT_CHECK("patch-no-secret", !contains(text, ".env") && !contains(text, "SECRET"));
	UNIT_CHECK("patch-binary", contains(text, "diff --git a/logo.bin b/logo.bin") &&
	    contains(text, "GIT binary patch"));
	UNIT_CHECK("patch-text", contains(text, "+console.log(3);") && contains(text, "+staged"));
	UNIT_CHECK("patch-no-untracked", !contains(text, "notes.txt"));
	UNIT_CHECK("patch-git-apply-check", run("git clone -q %s %s && git -C %s apply --check %s",
	    src, clone, clone, patch) == 0);
	free(text);
	free(clone);
}

static int
same_refs(const char *a, const char *b)
{
	char *ra = output("git -C %s for-each-ref --format='%%(objectname) %%(objecttype) %%(refname)'", a);
	char *rb = output("git -C %s for-each-ref --format='%%(objectname) %%(objecttype) %%(refname)'", b);
	int same = strcmp(ra, rb) == 0 && ra[0] != '\0';

	if (!same)
		printf("# refs of %s:\n%s# refs of %s:\n%s", a, ra, b, rb);
	free(ra);
	free(rb);
	return same;
}

static void
check_bundle(struct gitsnap *g, const char *src, const char *head, const char *bundle)
{
	char *d2 = xasprintf("%s/cloned", tmp), *mirror = xasprintf("%s/mirror.git", tmp), *text;
	int rc;

	WRITE_TO(bundle, gitsnap_write_bundle(g, 0, out));
	UNIT_CHECK("bundle-rc", rc == 0);
	text = slurp(bundle);
	UNIT_CHECK("bundle-header", strncmp(text, "# v2 git bundle\n", 16) == 0 &&
	    contains(text, "\n\nPACK"));
	free(text);
	UNIT_CHECK("bundle-git-verify", run("git -C %s bundle verify %s >/dev/null 2>&1", src, bundle) == 0);
	UNIT_CHECK("bundle-git-clone", run("git clone -q %s %s 2>/dev/null", bundle, d2) == 0);
	text = output("git -C %s rev-parse HEAD", d2);
	chomp(text);
	UNIT_CHECK("bundle-clone-head", strcmp(text, head) == 0);
	free(text);
	UNIT_CHECK("bundle-git-clone-mirror", run("git clone -q --mirror %s %s 2>/dev/null", bundle,
	    mirror) == 0);
	UNIT_CHECK("bundle-same-refs", same_refs(src, mirror));
	text = output("git -C %s cat-file -t v1", mirror);
	UNIT_CHECK("bundle-annotated-tag", strcmp(text, "tag\n") == 0);
	free(text);
	UNIT_CHECK("bundle-fsck", run("git -C %s fsck --strict >/dev/null 2>&1", mirror) == 0);
	free(d2);
	free(mirror);
}

/*
 * A patch that writes through a symlink of the work tree, or out of it:
 * refused by gitsnap_apply_patch on disk (a link made after the checkout)
 * and by gitsnap_tree_check_patch against the committed tree, nothing
 * written; what a path of the tree is, read from the bundle.
 */
static void
check_patch_refusals(const char *dir, const char *bundle, const char *head)
{
	char *outside = xasprintf("%s/outside", tmp), *through = xasprintf("%s/through.patch", tmp);
	char *dotdot = xasprintf("%s/dotdot.patch", tmp), *scratch = xasprintf("%s/tree-scratch", tmp), why[256];
	/* A new file holding "owned", as gitsnap_write_patch writes one. */
	const char *add = "h=$(printf 'owned\\n' | git hash-object --stdin); printf 'diff --git a/%%s b/%%s\\n"
	    "new file mode 100644\\nindex 0000000000000000000000000000000000000000..%%s\\n--- /dev/null\\n"
	    "+++ b/%%s\\n@@ -0,0 +1 @@\\n+owned\\n' %s %s $h %s >%s";
	struct gitsnap_tree *t = NULL;

	run("mkdir -p %s && ln -s %s %s/lnkdisk", outside, outside, dir);
	run(add, "lnkdisk/owned", "lnkdisk/owned", "lnkdisk/owned", through);
	run(add, "../escaped", "../escaped", "../escaped", dotdot);
	UNIT_CHECK("apply-refuses-through-disk-link", gitsnap_apply_patch(dir, through) == -1 &&
	    run("test ! -e %s/owned", outside) == 0);
	UNIT_CHECK("apply-refuses-dotdot", gitsnap_apply_patch(dir, dotdot) == -1);
	UNIT_CHECK("tree-open", gitsnap_tree_open(bundle, NULL, scratch, "main", head, &t) == 0 && t != NULL);
	if (t != NULL) {
		UNIT_CHECK("tree-blocking-file", gitsnap_tree_blocking(t, "README.md/x") == strlen("README.md"));
		UNIT_CHECK("tree-not-blocking", gitsnap_tree_blocking(t, "nosuch/dir/x") == 0 &&
		    gitsnap_tree_blocking(t, "README.md") == 0 && !gitsnap_tree_is_link(t, "README.md"));
		UNIT_CHECK("tree-patch-dotdot-refused", gitsnap_tree_check_patch(t, dotdot, why, sizeof(why)) == 1 &&
		    strstr(why, "../escaped") != NULL);
		/* The link was made on disk only: the committed tree has none. */
		UNIT_CHECK("tree-patch-through-disk-link-not-in-tree",
		    gitsnap_tree_check_patch(t, through, why, sizeof(why)) == 0);
	}
	gitsnap_tree_free(t);
	run("rm -rf %s %s/lnkdisk", scratch, dir);
	free(outside);
	free(through);
	free(dotdot);
	free(scratch);
}

static void
check_restore(const char *src, const char *head, const char *bundle, const char *patch)
{
	char *dir = xasprintf("%s/restored", tmp), *archive = xasprintf("%s/archive", tmp);
	char *empty = xasprintf("%s/empty.patch", tmp), *text;

	UNIT_CHECK("restore-rc", gitsnap_restore_bundle(bundle, dir, "main", head) == 0);
	UNIT_CHECK("restore-same-refs", same_refs(src, dir));
	text = output("git -C %s symbolic-ref HEAD", dir);
	UNIT_CHECK("restore-head-branch", strcmp(text, "refs/heads/main\n") == 0);
	free(text);
	UNIT_CHECK("restore-tree-equals-archive", run("mkdir %s && git -C %s archive HEAD | tar -x -C %s && "
	    "diff -r -x .git %s %s", archive, src, archive, archive, dir) == 0);
	text = output("git -C %s status --porcelain", dir);
	UNIT_CHECK("restore-clean", text[0] == '\0');
	free(text);
	UNIT_CHECK("restore-refuses-nonempty", gitsnap_restore_bundle(bundle, dir, "main", head) == -1);

	UNIT_CHECK("apply-rc", gitsnap_apply_patch(dir, patch) == 0);
	UNIT_CHECK("apply-tracked-files", run("cd %s && cmp -s app.js %s/app.js && cmp -s README.md "
	    "%s/README.md && cmp -s logo.bin %s/logo.bin", src, dir, dir, dir) == 0);
	text = output("cat %s/.env", dir);
	UNIT_CHECK("apply-secret-untouched", strcmp(text, "SECRET=one\n") == 0);
	free(text);
	text = output("git -C %s diff --cached --name-only", dir);
	UNIT_CHECK("apply-index", strcmp(text, "README.md\napp.js\nlogo.bin\n") == 0);
	free(text);
	run(": > %s", empty);
	UNIT_CHECK("apply-empty-noop", gitsnap_apply_patch(dir, empty) == 0);
	check_patch_refusals(dir, bundle, head);
	free(dir);
	free(archive);
	free(empty);
}

/* A repository without commits: summary, patch against the empty tree, bundle. */
static void
check_unborn(void)
{
	char *dir = xasprintf("%s/unborn", tmp), *path = xasprintf("%s/unborn.out", tmp);
	char *back = xasprintf("%s/unborn-restored", tmp), *text;
	struct gitsnap_summary s;
	struct gitsnap *g = NULL;
	int rc;

	run(GIT " init -q %s && printf 'x\\n' > %s/a.txt && " GIT " -C %s add a.txt", dir, dir, dir);
	UNIT_CHECK("unborn-open", gitsnap_open(dir, &g) == 0);
	if (g == NULL)
		return;
	rc = gitsnap_summary(g, is_secret, NULL, &s);
	UNIT_CHECK("unborn-summary", rc == 0 && s.head[0] == '\0' && s.branch &&
	    strcmp(s.branch, "main") == 0 && s.staged == 1 && s.nrefs == 0 && s.nsecret_paths == 0);
	if (rc == 0)
		gitsnap_summary_free(&s);
	WRITE_TO(path, gitsnap_write_patch(g, is_secret, NULL, NULL, out));
	text = slurp(path);
	UNIT_CHECK("unborn-patch", rc == 0 && contains(text, "new file mode 100644") &&
	    contains(text, "+x"));
	free(text);
	WRITE_TO(path, gitsnap_write_log(g, 10, out));
	text = slurp(path);
	UNIT_CHECK("unborn-log-empty", rc == 0 && text[0] == '\0');
	free(text);
	WRITE_TO(path, gitsnap_write_bundle(g, 0, out));
	UNIT_CHECK("unborn-bundle", rc == 0);
	UNIT_CHECK("unborn-bundle-verifies", run("git -C %s bundle verify %s >/dev/null 2>&1", dir,
	    path) == 0);
	UNIT_CHECK("unborn-restore", gitsnap_restore_bundle(path, back, "refs/heads/main", "") == 0 &&
	    run("git -C %s rev-parse --git-dir >/dev/null", back) == 0);
	text = output("git -C %s symbolic-ref HEAD", back);
	UNIT_CHECK("unborn-restore-branch", strcmp(text, "refs/heads/main\n") == 0);
	free(text);
	gitsnap_free(g);
	free(dir);
	free(path);
	free(back);
}

/* A blob missing from one branch: an error, or with allow_broken that branch left out. */
static void
check_broken(void)
{
	char *dir = xasprintf("%s/broken", tmp), *path = xasprintf("%s/broken.bundle", tmp);
	char *blob, *text, *restored, *head;
	struct gitsnap *g = NULL;
	int rc;

	run(GIT " init -q %s && printf 'a\\n' > %s/a.txt && " GIT " -C %s add a.txt", dir, dir, dir);
	commit(dir, 1, "a");
	run("cd %s && " GIT " checkout -q -b lost && printf 'only here\\n' > b.txt && " GIT " add b.txt",
	    dir);
	commit(dir, 2, "b");
	run("cd %s && " GIT " checkout -q main", dir);
	blob = output("git -C %s rev-parse lost:b.txt", dir);
	chomp(blob);
	UNIT_CHECK("broken-fixture", strlen(blob) == 40 &&
	    run("rm %s/.git/objects/%.2s/%s", dir, blob, blob + 2) == 0);
	UNIT_CHECK("broken-open", gitsnap_open(dir, &g) == 0);
	if (g == NULL)
		return;
	WRITE_TO(path, gitsnap_write_bundle(g, 0, out));
	UNIT_CHECK("broken-bundle-fails", rc == -1);
	WRITE_TO(path, gitsnap_write_bundle(g, 1, out));
	text = slurp(path);
	UNIT_CHECK("broken-allowed", rc == 0 && !contains(text, "refs/heads/lost") &&
	    contains(text, " refs/heads/main\n"));
	UNIT_CHECK("broken-allowed-verifies", run("git -C %s bundle verify %s >/dev/null 2>&1", dir,
	    path) == 0);
	restored = xasprintf("%s/broken-restored", tmp);
	head = output("git -C %s rev-parse main", dir);
	chomp(head);
	UNIT_CHECK("broken-restore-detached", gitsnap_restore_bundle(path, restored, "lost", head) == 0 &&
	    run("git -C %s symbolic-ref -q HEAD >/dev/null", restored) == 1);
	free(restored);
	free(head);
	free(text);
	gitsnap_free(g);
	free(blob);
	free(dir);
	free(path);
}

int
main(void)
{
	char tmpl[] = "/tmp/lbgitsnap.XXXXXX";
	char *src, *bundle, *patch, *head, *notrepo;
	struct gitsnap *g = NULL;

	tmp = mkdtemp(tmpl);
	UNIT_CHECK("tmpdir", tmp != NULL);
	if (tmp == NULL)
		return unit_done();
	/* Neither the user's nor the system's git configuration, for git and libgit2. */
	setenv("HOME", tmp, 1);
	setenv("XDG_CONFIG_HOME", tmp, 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	src = xasprintf("%s/src", tmp);
	bundle = xasprintf("%s/all.bundle", tmp);
	patch = xasprintf("%s/changes.patch", tmp);
	notrepo = xasprintf("%s/notrepo", tmp);

	UNIT_CHECK("fixture", make_fixture(src) == 0);
	head = output("git -C %s rev-parse HEAD", src);
	chomp(head);
	run("mkdir %s", notrepo);
	UNIT_CHECK("open-not-a-repo", gitsnap_open(notrepo, &g) == 1 && g == NULL);
	UNIT_CHECK("open", gitsnap_open(src, &g) == 0 && g != NULL);
	if (g != NULL) {
		check_summary(g, head);
		check_reports(g, src, head);
		check_patch(g, src, patch);
		check_bundle(g, src, head, bundle);
		gitsnap_free(g);
		check_restore(src, head, bundle, patch);
	}
	check_unborn();
	check_broken();

	if (unit_failed == 0)
		run("rm -rf %s", tmp);
	else
		printf("# scratch left in %s\n", tmp);
	free(src);
	free(bundle);
	free(patch);
	free(head);
	free(notrepo);
	return unit_done();
}
