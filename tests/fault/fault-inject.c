/*
 * Test-only fault injection, loaded with LD_PRELOAD; never linked into
 * lotbackup itself. It watches write, fsync, rename and mkdir on paths
 * below LB_FAULT_DIR and acts at one chosen call:
 *
 *   LB_FAULT=OP:N:ACTION   LB_FAULT_DIR=/path/to/output
 *
 *   OP      write, fsync, rename, mkdir: the Nth such call (from 1);
 *           bytes: the write that takes the total written past N bytes
 *           (the bytes up to N are written first, so a file is cut inside
 *           a block)
 *   ACTION  ENOSPC, EIO   the call fails with that error
 *           KILL          SIGKILL before the call (bytes: after byte N)
 *           KILLAFTER     SIGKILL right after the call succeeded
 *           STOP          SIGSTOP before the call, which then goes on when
 *                         the test sends SIGCONT (for signals at a known point)
 *
 *   LB_FAULT_STOP_STDERR=1  SIGSTOP before the first log line (fputs to
 *                         stderr): a run that fails early, held as it reports
 *
 *   LB_FAULT_TRACE=FILE   appends one line per watched call:
 *                         "OP N TOTAL LEN PATH" (N counts calls of OP,
 *                         TOTAL is the bytes written before it, LEN the
 *                         bytes of this write), so a test can pick points.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum op { OP_WRITE, OP_FSYNC, OP_RENAME, OP_MKDIR, OP_BYTES, NOPS };
static const char *const op_names[NOPS] = { "write", "fsync", "rename", "mkdir", "bytes" };

enum action { ACT_NONE, ACT_ERROR, ACT_KILL, ACT_KILLAFTER, ACT_STOP };

static unsigned long counts[NOPS];
static unsigned long long total_bytes;
static int bytes_error_next;	/* bytes:N:ENOSPC: the write after the cut one fails */

static ssize_t (*real_write)(int, const void *, size_t);

static ssize_t
raw_write(int fd, const void *buf, size_t len)
{
	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	return real_write(fd, buf, len);
}

static int
below_dir(const char *path)
{
	const char *dir = getenv("LB_FAULT_DIR");

	return dir != NULL && path != NULL && strncmp(path, dir, strlen(dir)) == 0;
}

static int
fd_path(int fd, char *path, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, len - 1);
	if (n <= 0)
		return -1;
	path[n] = '\0';
	return 0;
}

/* P made absolute: relative to DIRFD, or to the current directory for AT_FDCWD. */
static void
abs_path(int dirfd, const char *p, char *out, size_t len)
{
	char base[PATH_MAX];

	if (p[0] != '/' && (dirfd == AT_FDCWD ? getcwd(base, sizeof(base)) != NULL :
	    fd_path(dirfd, base, sizeof(base)) == 0))
		snprintf(out, len, "%s/%s", base, p);
	else
		snprintf(out, len, "%s", p);
}

static void
trace(enum op op, unsigned long n, size_t len, const char *path)
{
	const char *file = getenv("LB_FAULT_TRACE");
	char line[PATH_MAX + 128];
	int fd, k;

	if (file == NULL)
		return;
	k = snprintf(line, sizeof(line), "%s %lu %llu %zu %s\n", op_names[op], n, total_bytes, len, path);
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		raw_write(fd, line, (size_t)k);
		close(fd);
	}
}

/* The action for call N of OP, and errno for ACT_ERROR. */
static enum action
planned(enum op op, unsigned long n, int *err)
{
	const char *spec = getenv("LB_FAULT");
	char name[16] = "", act[16] = "";
	unsigned long long want = 0;

	if (spec == NULL || sscanf(spec, "%15[^:]:%llu:%15s", name, &want, act) != 3 || strcmp(name, op_names[op]) != 0 ||
	    (op != OP_BYTES && n != want))
		return ACT_NONE;
	if (strcmp(act, "KILL") == 0)
		return ACT_KILL;
	if (strcmp(act, "KILLAFTER") == 0)
		return ACT_KILLAFTER;
	if (strcmp(act, "STOP") == 0)
		return ACT_STOP;
	*err = strcmp(act, "EIO") == 0 ? EIO : ENOSPC;
	return ACT_ERROR;
}

static unsigned long long
bytes_target(void)
{
	const char *spec = getenv("LB_FAULT");
	unsigned long long want = 0;

	if (spec == NULL || sscanf(spec, "bytes:%llu:", &want) != 1)
		return 0;
	return want;
}

static void
die(void)
{
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

/* Before the call: 1 when it must fail (errno set); may not return. */
static int
before(enum op op, enum action a, int err)
{
	if (a == ACT_KILL)
		die();
	if (a == ACT_STOP)
		raise(SIGSTOP);
	if (a == ACT_ERROR) {
		errno = err;
		return 1;
	}
	(void)op;
	return 0;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	char path[PATH_MAX];
	unsigned long long target;
	enum action a;
	ssize_t n;
	int err = 0;

	if (fd <= 2 || fd_path(fd, path, sizeof(path)) < 0 || !below_dir(path))
		return raw_write(fd, buf, len);
	trace(OP_WRITE, ++counts[OP_WRITE], len, path);
	if (bytes_error_next) {
		bytes_error_next = 0;
		errno = ENOSPC;
		if (strstr(getenv("LB_FAULT"), ":EIO"))
			errno = EIO;
		return -1;
	}
	target = bytes_target();
	if (target > 0 && total_bytes < target && total_bytes + len >= target) {
		size_t head = (size_t)(target - total_bytes);

		a = planned(OP_BYTES, 0, &err);
		if (a == ACT_STOP) {
			raise(SIGSTOP);
		} else if (a == ACT_KILL || a == ACT_KILLAFTER || a == ACT_ERROR) {
			n = head > 0 ? raw_write(fd, buf, head) : 0;
			if (n > 0)
				total_bytes += (unsigned long long)n;
			if (a != ACT_ERROR)
				die();
			if (n > 0) {
				bytes_error_next = 1;	/* a short write; the next one fails */
				return n;
			}
			errno = err;
			return -1;
		}
	}
	a = planned(OP_WRITE, counts[OP_WRITE], &err);
	if (before(OP_WRITE, a, err))
		return -1;
	n = raw_write(fd, buf, len);
	if (n > 0)
		total_bytes += (unsigned long long)n;
	if (a == ACT_KILLAFTER)
		die();
	return n;
}

int
fputs(const char *str, FILE *stream)
{
	static int (*real)(const char *, FILE *);
	static int stopped;

	if (!real)
		real = (int (*)(const char *, FILE *))dlsym(RTLD_NEXT, "fputs");
	if (stream == stderr && !stopped && getenv("LB_FAULT_STOP_STDERR") != NULL) {
		stopped = 1;
		raise(SIGSTOP);
	}
	return real(str, stream);
}

int
fsync(int fd)
{
	static int (*real)(int);
	char path[PATH_MAX];
	enum action a;
	int err = 0, rc;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (fd_path(fd, path, sizeof(path)) < 0 || !below_dir(path))
		return real(fd);
	trace(OP_FSYNC, ++counts[OP_FSYNC], 0, path);
	a = planned(OP_FSYNC, counts[OP_FSYNC], &err);
	if (before(OP_FSYNC, a, err))
		return -1;
	rc = real(fd);
	if (a == ACT_KILLAFTER)
		die();
	return rc;
}

/* For rename and mkdir: trace, act before, and say whether to kill after. */
static int
watch_path(enum op op, int dirfd, const char *p, enum action *a)
{
	char path[2 * PATH_MAX];
	int err = 0;

	*a = ACT_NONE;
	if (p == NULL)
		return 0;
	abs_path(dirfd, p, path, sizeof(path));
	if (!below_dir(path))
		return 0;
	trace(op, ++counts[op], 0, path);
	*a = planned(op, counts[op], &err);
	return before(op, *a, err);
}

int
renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);
	enum action a;
	int rc;

	if (!real)
		real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT, "renameat2");
	if (watch_path(OP_RENAME, newdirfd, newpath, &a))
		return -1;
	rc = real(olddirfd, oldpath, newdirfd, newpath, flags);
	if (a == ACT_KILLAFTER)
		die();
	return rc;
}

int
rename(const char *oldpath, const char *newpath)
{
	static int (*real)(const char *, const char *);
	enum action a;
	int rc;

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (watch_path(OP_RENAME, AT_FDCWD, newpath, &a))
		return -1;
	rc = real(oldpath, newpath);
	if (a == ACT_KILLAFTER)
		die();
	return rc;
}

int
mkdir(const char *path, mode_t mode)
{
	static int (*real)(const char *, mode_t);
	enum action a;
	int rc;

	if (!real)
		real = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
	if (watch_path(OP_MKDIR, AT_FDCWD, path, &a))
		return -1;
	rc = real(path, mode);
	if (a == ACT_KILLAFTER)
		die();
	return rc;
}
