/*
 * Test-only fault injection, loaded with LD_PRELOAD: makes the Nth write,
 * fsync or rename on a path below LB_FAULT_DIR fail with ENOSPC or EIO.
 *   LB_FAULT=write:3:ENOSPC   LB_FAULT_DIR=/path/to/output
 * Never linked into lotbackup itself.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int counter;

static int
fd_below_dir(int fd)
{
	char link[64], path[PATH_MAX];
	const char *dir = getenv("LB_FAULT_DIR");
	ssize_t n;

	if (dir == NULL)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strncmp(path, dir, strlen(dir)) == 0;
}

static int
path_below_dir(const char *p)
{
	const char *dir = getenv("LB_FAULT_DIR");
	char abs[PATH_MAX];

	if (dir == NULL || p == NULL)
		return 0;
	if (p[0] != '/' && getcwd(abs, sizeof(abs) - strlen(p) - 2)) {
		strcat(abs, "/");
		strcat(abs, p);
		p = abs;
	}
	return strncmp(p, dir, strlen(dir)) == 0;
}

/* 1 when this call of OP is the one to fail; sets errno. */
static int
should_fail(const char *op)
{
	const char *spec = getenv("LB_FAULT");
	char name[16] = "", err[16] = "";
	int n = 0;

	if (spec == NULL || sscanf(spec, "%15[^:]:%d:%15s", name, &n, err) != 3 || strcmp(name, op) != 0)
		return 0;
	if (++counter != n)
		return 0;
	errno = strcmp(err, "EIO") == 0 ? EIO : ENOSPC;
	return 1;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fd > 2 && fd_below_dir(fd) && should_fail("write"))
		return -1;
	return real(fd, buf, len);
}

int
fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (fd_below_dir(fd) && should_fail("fsync"))
		return -1;
	return real(fd);
}

int
renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);

	if (!real)
		real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT, "renameat2");
	if (path_below_dir(newpath) && should_fail("rename"))
		return -1;
	return real(olddirfd, oldpath, newdirfd, newpath, flags);
}

int
rename(const char *oldpath, const char *newpath)
{
	static int (*real)(const char *, const char *);

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (path_below_dir(newpath) && should_fail("rename"))
		return -1;
	return real(oldpath, newpath);
}
