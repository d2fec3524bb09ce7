#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/backups.h"
#include "base/fsutil.h"
#include "base/interrupt.h"
#include "store/lock.h"
#include "base/log.h"
#include "base/xalloc.h"

#define LOCK_NAME ".lotbackup.lock"

struct output_lock {
	int fd;
};

static void
describe_holder(int fd, char *buf, size_t len)
{
	char text[128] = "";
	long pid = 0;
	long long since = 0;
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	struct tm tm;
	time_t t;

	snprintf(buf, len, "another lotbackup is running");
	if (n <= 0 || sscanf(text, "%ld %lld", &pid, &since) != 2)
		return;
	t = (time_t)since;
	localtime_r(&t, &tm);
	snprintf(buf, len, "another lotbackup (pid %ld) is running since %02d:%02d:%02d", pid, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/*
 * "NAME.tmp" where NAME (or NAME without a sidecar suffix) is one of our
 * backup names; or ".lotbackup-fetch-XXXXXX", where restore s3:// of
 * versions before it streamed put the object (mkdtemp's six characters).
 */
static int
own_tmp_name(const char *entry)
{
	static const char *const sidecars[] = { MANIFEST_SUFFIX, VERIFIED_SUFFIX, PIN_SUFFIX, REMOTE_SUFFIX, "" };
	static const char fetch[] = ".lotbackup-fetch-";
	size_t len = strlen(entry), i;
	enum backup_kind kind;
	time_t when;
	int ours = 0;

	if (strncmp(entry, fetch, sizeof(fetch) - 1) == 0)
		return len == sizeof(fetch) - 1 + 6 && strchr(entry + sizeof(fetch) - 1, '/') == NULL;
	if (len <= 4 || strcmp(entry + len - 4, ".tmp") != 0)
		return 0;
	for (i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]) && !ours; i++) {
		size_t slen = strlen(sidecars[i]);
		char *base;

		if (len - 4 < slen || strncmp(entry + len - 4 - slen, sidecars[i], slen) != 0)
			continue;
		base = xstrndup(entry, len - 4 - slen);
		ours = backup_name_parse(base, &kind, &when) == 0;
		free(base);
	}
	return ours;
}

/*
 * Only what was last changed before this run took the lock: that was left
 * by a run that held the lock before (and is gone). Anything newer was not
 * left behind by a run of ours, e.g. an older lotbackup that takes no lock.
 */
static void
remove_leftovers(const char *dir, const struct timespec *locked_at)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (!own_tmp_name(de->d_name))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		/* By name in the open directory: DIR is resolved once, nothing in it is followed. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (st.st_mtim.tv_sec < locked_at->tv_sec ||
		    (st.st_mtim.tv_sec == locked_at->tv_sec && st.st_mtim.tv_nsec < locked_at->tv_nsec))) {
			if (fs_remove_tree_at(dirfd(d), de->d_name, p) == 0)
				log_info("removed %s, left by an interrupted run", p);
		} else {
			log_warn("left %s alone: it changed after this run started (not left by an earlier run)", p);
		}
		free(p);
	}
	if (d)
		closedir(d);
}

struct output_lock *
output_lock_take(const char *dir, int wait_seconds)
{
	char *path = xasprintf("%s/%s", dir, LOCK_NAME), line[64], who[160];
	time_t deadline = time(NULL) + wait_seconds;
	struct output_lock *lock = NULL;
	struct timespec locked_at;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_errno("cannot open the lock file %s", path);
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			log_errno("cannot lock %s", path);
			close(fd);
			goto out;
		}
		if (time(NULL) >= deadline) {
			describe_holder(fd, who, sizeof(who));
			log_error("%s on %s (wait for it, or pass --wait SECONDS)", who, dir);
			close(fd);
			goto out;
		}
		sleep(1);	/* a signal cuts it short */
		if (interrupt_check() < 0) {
			close(fd);
			goto out;
		}
	}
	clock_gettime(CLOCK_REALTIME, &locked_at);
	snprintf(line, sizeof(line), "%ld %lld\n", (long)getpid(), (long long)time(NULL));
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, strlen(line), 0) < 0)
		log_warn("cannot record this run in %s", path);
	lock = xcalloc(1, sizeof(*lock));
	lock->fd = fd;
	remove_leftovers(dir, &locked_at);
out:
	free(path);
	return lock;
}

void
output_lock_release(struct output_lock *lock)
{
	if (lock == NULL)
		return;
	close(lock->fd);	/* closing releases the flock */
	free(lock);
}
