/* The atomic small-file writer: what it leaves, and what it never touches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "unit.h"

static char *tmp;	/* the scratch directory of this run */

/* PATH holds exactly WANT. */
static int
holds(const char *path, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	int ok;

	if (fs_read_file(path, &text, &len) != 0)
		return 0;
	ok = len == strlen(want) && memcmp(text, want, len) == 0;
	free(text);
	return ok;
}

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(path);
		exit(2);
	}
}

static int
missing(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0;
}

static void
test_plain(void)
{
	char *path = xasprintf("%s/plain.json", tmp), *t = xasprintf("%s.tmp", path);
	struct stat st;

	UNIT_CHECK("write-new", fs_write_file_atomic(path, "one\n", 4, 0600, 1) == 0 && holds(path, "one\n"));
	UNIT_CHECK("write-mode", stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	UNIT_CHECK("write-no-tmp-left", missing(t));
	UNIT_CHECK("noreplace-refuses", fs_write_file_atomic(path, "two\n", 4, 0600, 1) < 0 && holds(path, "one\n"));
	UNIT_CHECK("noreplace-no-tmp-left", missing(t));
	UNIT_CHECK("replace", fs_write_file_atomic(path, "three\n", 6, 0600, 0) == 0 && holds(path, "three\n"));
	free(path);
	free(t);
}

/* A temporary left by an earlier run that died is ours to replace. */
static void
test_stale_tmp(void)
{
	char *path = xasprintf("%s/stale.json", tmp), *t = xasprintf("%s.tmp", path);

	put(t, "half a file from a run that died");
	UNIT_CHECK("stale-tmp-replaced", fs_write_file_atomic(path, "new\n", 4, 0600, 0) == 0 && holds(path, "new\n"));
	UNIT_CHECK("stale-tmp-gone", missing(t));
	free(path);
	free(t);
}

/* NAME.tmp planted as a symlink to another file: never followed. */
static void
test_symlink_tmp(void)
{
	char *path = xasprintf("%s/pinned.pin", tmp), *t = xasprintf("%s.tmp", path);
	char *victim = xasprintf("%s/victim", tmp);
	struct stat st;

	put(victim, "precious\n");
	if (symlink(victim, t) < 0) {
		perror(t);
		exit(2);
	}
	fs_write_file_atomic(path, "evil\n", 5, 0600, 0);
	UNIT_CHECK("symlink-tmp-victim-unchanged", holds(victim, "precious\n"));
	UNIT_CHECK("symlink-tmp-victim-mode-unchanged", stat(victim, &st) == 0 && (st.st_mode & 07777) == 0644);
	UNIT_CHECK("symlink-tmp-kept", lstat(t, &st) == 0 && S_ISLNK(st.st_mode));
	UNIT_CHECK("symlink-tmp-not-published", missing(path));
	free(path);
	free(t);
	free(victim);
}

/* NAME.tmp planted as a hard link to another file: that file is not written through it. */
static void
test_hardlink_tmp(void)
{
	char *path = xasprintf("%s/linked.json", tmp), *t = xasprintf("%s.tmp", path);
	char *victim = xasprintf("%s/victim2", tmp);

	put(victim, "precious\n");
	if (link(victim, t) < 0) {
		perror(t);
		exit(2);
	}
	UNIT_CHECK("hardlink-tmp-written", fs_write_file_atomic(path, "new\n", 4, 0600, 0) == 0 && holds(path, "new\n"));
	UNIT_CHECK("hardlink-tmp-victim-unchanged", holds(victim, "precious\n"));
	free(path);
	free(t);
	free(victim);
}

/* A file in the current directory (no slash in the name). */
static void
test_relative(void)
{
	char *cwd = getcwd(NULL, 0);

	if (chdir(tmp) < 0) {
		perror(tmp);
		exit(2);
	}
	UNIT_CHECK("relative-name", fs_write_file_atomic("here.json", "x\n", 2, 0600, 1) == 0 && holds("here.json", "x\n"));
	if (chdir(cwd) < 0) {
		perror(cwd);
		exit(2);
	}
	free(cwd);
}

int
main(void)
{
	char dir[] = "/tmp/test-fsutil-XXXXXX";

	umask(022);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	tmp = dir;
	test_plain();
	test_stale_tmp();
	test_symlink_tmp();
	test_hardlink_tmp();
	test_relative();
	fs_remove_tree(dir);
	return unit_done();
}
