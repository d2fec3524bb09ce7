/* The atomic small-file writer and the tree remover: what they leave, and what they never touch. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static void
mkdir_or_die(const char *path)
{
	if (mkdir(path, 0700) < 0) {
		perror(path);
		exit(2);
	}
}

static void
symlink_or_die(const char *target, const char *path)
{
	if (symlink(target, path) < 0) {
		perror(path);
		exit(2);
	}
}

/* DIR (taken) made, holding N files name0..; returns DIR. */
static char *
filled_dir(char *dir, int n)
{
	int i;

	mkdir_or_die(dir);
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/name%d", dir, i);

		put(p, "precious\n");
		free(p);
	}
	return dir;
}

/* How many of DIR's files name0.. hold what filled_dir wrote. */
static int
intact(const char *dir, int n)
{
	int i, ok = 0;

	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/name%d", dir, i);

		ok += holds(p, "precious\n");
		free(p);
	}
	return ok;
}

/* Symlinks inside the tree, to a directory and to a file, are removed themselves: their targets stay. */
static void
test_tree_symlinks(void)
{
	char *victim = filled_dir(xasprintf("%s/victim-dir", tmp), 5), *tree = xasprintf("%s/tree", tmp);
	char *sub = xasprintf("%s/sub", tree), *p = xasprintf("%s/link-dir", sub), *f = xasprintf("%s/link-file", tree);
	char *vf = xasprintf("%s/name0", victim), *top = xasprintf("%s/top-link", tmp);

	mkdir_or_die(tree);
	mkdir_or_die(sub);
	symlink_or_die(victim, p);
	symlink_or_die(vf, f);
	free(p);
	put(p = xasprintf("%s/own", sub), "x\n");
	UNIT_CHECK("tree-symlinks-removed", fs_remove_tree(tree) == 0 && missing(tree));
	UNIT_CHECK("tree-symlink-targets-intact", intact(victim, 5) == 5);
	/* The top itself a symlink: the link goes, not what it points to. */
	symlink_or_die(victim, top);
	UNIT_CHECK("tree-top-symlink-removed", fs_remove_tree(top) == 0 && missing(top) && intact(victim, 5) == 5);
	UNIT_CHECK("tree-missing-ok", fs_remove_tree(tree) == 0);
	free(victim);
	free(tree);
	free(sub);
	free(p);
	free(f);
	free(vf);
	free(top);
}

struct swapper {
	const char *sub;	/* the directory being removed, watched */
	const char *link;	/* a symlink to the victim */
	int in;			/* inotify on SUB, set up before the removal starts */
	int rc;
};

/* At the first deletion in SUB, exchange it with the symlink (what a hostile user could do). */
static void *
swap_at_first_delete(void *arg)
{
	struct swapper *s = arg;
	char buf[4096];

	s->rc = -1;
	if (read(s->in, buf, sizeof(buf)) > 0)
		s->rc = renameat2(AT_FDCWD, s->sub, AT_FDCWD, s->link, RENAME_EXCHANGE);
	return NULL;
}

/*
 * A subdirectory swapped for a symlink to a victim directory once its
 * removal has started: nothing is deleted through the link (the files
 * have the victim's names). Removing by path (DIR/sub/NAME) deleted them.
 */
static void
test_tree_swap_race(void)
{
	char *tree = xasprintf("%s/race", tmp), *store = xasprintf("%s/race-store", tmp), *sub;
	char *victim = filled_dir(xasprintf("%s/race-victim", tmp), 2000), *link;
	struct swapper s;
	pthread_t th;
	int rc;

	mkdir_or_die(tree);
	mkdir_or_die(store);
	sub = filled_dir(xasprintf("%s/sub", tree), 2000);
	symlink_or_die(victim, link = xasprintf("%s/subL", store));
	s = (struct swapper){ sub, link, -1, -1 };
	if ((s.in = inotify_init1(IN_CLOEXEC)) < 0 || inotify_add_watch(s.in, sub, IN_DELETE) < 0 ||
	    pthread_create(&th, NULL, swap_at_first_delete, &s) != 0) {
		perror("inotify");
		exit(2);
	}
	rc = fs_remove_tree(tree);
	pthread_join(th, NULL);
	close(s.in);
	UNIT_CHECK("tree-race-swapped", s.rc == 0);
	UNIT_CHECK("tree-race-victim-intact", intact(victim, 2000) == 2000);
	UNIT_CHECK("tree-race-reported", rc < 0);
	/* What was left (the symlink in the tree, the emptied directory in the store) goes on a second run. */
	UNIT_CHECK("tree-race-rerun", fs_remove_tree(tree) == 0 && fs_remove_tree(store) == 0 && missing(tree));
	UNIT_CHECK("tree-race-victim-still-intact", intact(victim, 2000) == 2000);
	free(tree);
	free(store);
	free(sub);
	free(victim);
	free(link);
}

/* DEPTH nested directories below TOP, each with a file; through descriptors, as the path grows past PATH_MAX. */
static void
deep_tree(const char *top, int depth)
{
	int fd, i;

	mkdir_or_die(top);
	fd = open(top, O_RDONLY | O_DIRECTORY);
	for (i = 0; fd >= 0 && i < depth; i++) {
		int next, f = openat(fd, "file", O_WRONLY | O_CREAT | O_EXCL, 0600);

		if (f < 0 || close(f) < 0 || mkdirat(fd, "directory-level", 0700) < 0)
			break;
		next = openat(fd, "directory-level", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	if (fd < 0 || i < depth) {
		perror(top);
		exit(2);
	}
	close(fd);
}

static void
test_tree_deep(void)
{
	char *top = xasprintf("%s/deep", tmp);

	int fd, i;

	deep_tree(top, 300);
	UNIT_CHECK("tree-deep-300", fs_remove_tree(top) == 0 && missing(top));
	/* Past the bound: refused with an error, not a crash or a descriptor shortage. */
	deep_tree(top, 700);
	UNIT_CHECK("tree-deeper-refused", fs_remove_tree(top) < 0 && !missing(top));
	fd = open(top, O_RDONLY | O_DIRECTORY);
	for (i = 0; fd >= 0 && i < 350; i++) {
		int next = openat(fd, "directory-level", O_RDONLY | O_DIRECTORY);

		close(fd);
		fd = next;
	}
	UNIT_CHECK("tree-deeper-in-two-steps", fd >= 0 && fs_remove_tree_at(fd, "directory-level", "deep/...") == 0 &&
	    fs_remove_tree(top) == 0 && missing(top));
	if (fd >= 0)
		close(fd);
	free(top);
}

static int
put_quiet(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* A mount namespace of this process: directly as root, else in a user namespace mapping our own ids. */
static int
own_mount_namespace(void)
{
	char map[64];
	int uid = (int)getuid(), gid = (int)getgid();

	if (unshare(CLONE_NEWNS) == 0)
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -1;
	snprintf(map, sizeof(map), "%d %d 1\n", uid, uid);
	if (!put_quiet("/proc/self/uid_map", map) || !put_quiet("/proc/self/setgroups", "deny"))
		return -1;
	snprintf(map, sizeof(map), "%d %d 1\n", gid, gid);
	return put_quiet("/proc/self/gid_map", map) ? 0 : -1;
}

/*
 * A file system mounted inside the tree (a tmpfs, in a user and mount
 * namespace of a child process): refused, its files left. Skipped where
 * such namespaces are not allowed.
 */
static void
test_tree_other_device(void)
{
	char *tree = xasprintf("%s/mounted", tmp), *mnt = xasprintf("%s/mnt", tree), *f = xasprintf("%s/name0", mnt);
	int status;
	pid_t pid;

	mkdir_or_die(tree);
	mkdir_or_die(mnt);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (own_mount_namespace() < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", mnt, "tmpfs", 0, "size=1m") < 0)
			_exit(77);
		put(f, "precious\n");
		_exit(fs_remove_tree(tree) < 0 && holds(f, "precious\n") ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		perror("fork");
		exit(2);
	}
	if (WEXITSTATUS(status) == 77)
		printf("ok - tree-other-device # SKIP no user and mount namespaces here\n");
	else
		UNIT_CHECK("tree-other-device-refused", WEXITSTATUS(status) == 0);
	UNIT_CHECK("tree-other-device-cleanup", fs_remove_tree(tree) == 0 && missing(tree));
	free(tree);
	free(mnt);
	free(f);
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
	test_tree_symlinks();
	test_tree_swap_race();
	test_tree_deep();
	test_tree_other_device();
	fs_remove_tree(dir);
	return unit_done();
}
