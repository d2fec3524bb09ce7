#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/backups.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "base/xalloc.h"

#define DB_PREFIX "lot-systems-db-"
#define DB_SUFFIX ".sql.gz"
#define FULL_ARCHIVE_PREFIX "lot-systems-full-backup-"
#define FULL_ARCHIVE_SUFFIX ".tar.gz"
#define FULL_DIR_PREFIX "full-backup-"

const char *
backup_kind_label(enum backup_kind kind)
{
	switch (kind) {
	case BACKUP_DB: return "db";
	case BACKUP_FULL_ARCHIVE: return "full";
	case BACKUP_FULL_DIR: return "full-dir";
	}
	return "?";
}

/*
 * Reads exactly `width` digits; the strict pattern is what keeps retention
 * away from files that are not ours.
 */
static int
digits(const char **p, int width, int *out)
{
	int v = 0, i;

	for (i = 0; i < width; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += width;
	*out = v;
	return 0;
}

static int
expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static int
make_time(int y, int mo, int d, int h, int mi, int s, time_t *when)
{
	struct tm tm;
	time_t t;

	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	/* timegm normalises 31 February into March: refuse such names. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	*when = t;
	return 0;
}

static int
parse_compact_stamp(const char **p, time_t *when)
{
	int y, mo, d, h, mi, s;

	if (digits(p, 4, &y) || digits(p, 2, &mo) || digits(p, 2, &d) || expect(p, '_') ||
	    digits(p, 2, &h) || digits(p, 2, &mi) || digits(p, 2, &s))
		return -1;
	return make_time(y, mo, d, h, mi, s, when);
}

/* REST is SUFFIX, or SUFFIX and ENCRYPTED_SUFFIX (db dumps and full archives). */
static int
suffix_is(const char *rest, const char *suffix)
{
	size_t n = strlen(suffix);

	return strncmp(rest, suffix, n) == 0 && (rest[n] == '\0' || strcmp(rest + n, ENCRYPTED_SUFFIX) == 0);
}

int
backup_name_encrypted(const char *name)
{
	size_t len = strlen(name), n = strlen(ENCRYPTED_SUFFIX);

	return len > n && strcmp(name + len - n, ENCRYPTED_SUFFIX) == 0;
}

int
backup_dated_future(time_t when, time_t now)
{
	return when > now + BACKUP_FUTURE_SKEW;
}

int
backup_name_parse(const char *name, enum backup_kind *kind, time_t *when)
{
	const char *p;
	int y, mo, d, h, mi, s;

	if (strncmp(name, DB_PREFIX, strlen(DB_PREFIX)) == 0) {
		p = name + strlen(DB_PREFIX);
		if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
		    digits(&p, 2, &d) || expect(&p, 'T') || digits(&p, 2, &h) || expect(&p, '-') ||
		    digits(&p, 2, &mi) || expect(&p, '-') || digits(&p, 2, &s) || !suffix_is(p, DB_SUFFIX))
			return -1;
		*kind = BACKUP_DB;
		return make_time(y, mo, d, h, mi, s, when);
	}
	if (strncmp(name, FULL_ARCHIVE_PREFIX, strlen(FULL_ARCHIVE_PREFIX)) == 0) {
		p = name + strlen(FULL_ARCHIVE_PREFIX);
		if (parse_compact_stamp(&p, when) < 0 || !suffix_is(p, FULL_ARCHIVE_SUFFIX))
			return -1;
		*kind = BACKUP_FULL_ARCHIVE;
		return 0;
	}
	if (strncmp(name, FULL_DIR_PREFIX, strlen(FULL_DIR_PREFIX)) == 0) {
		p = name + strlen(FULL_DIR_PREFIX);
		if (parse_compact_stamp(&p, when) < 0 || *p != '\0')
			return -1;
		*kind = BACKUP_FULL_DIR;
		return 0;
	}
	return -1;
}

char *
backup_name_make(enum backup_kind kind, time_t when)
{
	struct tm tm;
	char stamp[32];

	gmtime_r(&when, &tm);
	switch (kind) {
	case BACKUP_DB:
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H-%M-%S", &tm);
		return xasprintf(DB_PREFIX "%s" DB_SUFFIX, stamp);
	case BACKUP_FULL_ARCHIVE:
		strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
		return xasprintf(FULL_ARCHIVE_PREFIX "%s" FULL_ARCHIVE_SUFFIX, stamp);
	case BACKUP_FULL_DIR:
		strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
		return xasprintf(FULL_DIR_PREFIX "%s", stamp);
	}
	return NULL;
}

static uint64_t
dir_size(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	uint64_t total = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *child;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		child = xasprintf("%s/%s", path, de->d_name);
		if (lstat(child, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				total += dir_size(child);
			else if (S_ISREG(st.st_mode))
				total += (uint64_t)st.st_size;
		}
		free(child);
	}
	closedir(d);
	return total;
}

static int
newest_first(const void *a, const void *b)
{
	const struct backup_entry *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* One directory entry, read once: sidecars are then found by name, not by a stat each. */
struct dir_name {
	char *name;
	unsigned char type;	/* d_type; DT_UNKNOWN on file systems that do not fill it */
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct dir_name *)a)->name, ((const struct dir_name *)b)->name);
}

static void
dir_names_free(struct dir_name *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i].name);
	free(names);
}

/* DIR's entries sorted by name. Returns 0 or -1 (reported). */
static int
dir_names_read(DIR *d, const char *dir, struct dir_name **out, size_t *count)
{
	struct dir_name *names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	while ((errno = 0, de = readdir(d)) != NULL) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n].name = xstrdup(de->d_name);
		names[n++].type = de->d_type;
	}
	if (errno != 0) {
		log_errno("cannot read the output directory %s", dir);
		dir_names_free(names, n);
		return -1;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	*out = names;
	*count = n;
	return 0;
}

/* 1 when NAME+SUFFIX is a regular file among the names read. */
static int
sidecar_exists(int dfd, const struct dir_name *names, size_t n, const char *name, const char *suffix)
{
	/* On the stack: list asks four times per backup, of 10,000 backups and more. */
	char buf[NAME_MAX + 1];
	size_t nl = strlen(name), sl = strlen(suffix);
	struct dir_name key = { buf, DT_UNKNOWN };
	const struct dir_name *hit;
	struct stat st;
	int found = 0;

	if (nl + sl >= sizeof(buf))
		return 0;	/* no such name can be in a directory */
	memcpy(buf, name, nl);
	memcpy(buf + nl, suffix, sl + 1);
	hit = bsearch(&key, names, n, sizeof(*names), by_name);

	if (hit != NULL && hit->type == DT_REG)
		found = 1;
	else if (hit != NULL && (hit->type == DT_UNKNOWN || hit->type == DT_LNK))	/* followed, as stat does */
		found = fstatat(dfd, key.name, &st, 0) == 0 && S_ISREG(st.st_mode);
	return found;
}

/* verify's records are a few hundred bytes; anything much larger is no record. */
#define VERIFIED_MAX_BYTES (64 * 1024)

/*
 * 1 when NAME.verified.json is verify's record of NAME: a JSON object whose
 * "file" is a path ending in NAME (the directory may have moved since).
 * An empty file, "{}", or the record of another backup copied over proves
 * nothing about this one.
 */
static int
verified_record_ok(int dfd, const char *name)
{
	char *sidecar = xasprintf("%s%s", name, VERIFIED_SUFFIX);
	const char *file, *base;
	json_t *root = NULL;
	struct stat st;
	char text[VERIFIED_MAX_BYTES];
	ssize_t got;
	size_t len;
	int fd, ok = 0;

	/* O_NONBLOCK: a FIFO put there in the meantime must not hang list. */
	fd = openat(dfd, sidecar, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	free(sidecar);
	if (fd < 0)
		return 0;
	/* One read, not json_loadfd's read a byte at a time: list reads thousands of these. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > VERIFIED_MAX_BYTES ||
	    (got = read(fd, text, sizeof(text))) <= 0 || (root = json_loadb(text, (size_t)got, 0, NULL)) == NULL)
		goto out;
	if (!json_is_object(root) || (file = json_string_value(json_object_get(root, "file"))) == NULL)
		goto out;
	len = strlen(file);
	while (len > 1 && file[len - 1] == '/')	/* "full-backup-X/" names the directory too */
		len--;
	for (base = file + len; base > file && base[-1] != '/'; base--)
		;
	ok = (size_t)(file + len - base) == strlen(name) && strncmp(base, name, strlen(name)) == 0;
out:
	json_decref(root);
	close(fd);
	return ok;
}

int
backup_verified_in(const char *dir, const char *name)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ok;

	if (dfd < 0)
		return 0;
	ok = verified_record_ok(dfd, name);
	close(dfd);
	return ok;
}

static int
full_dir_has_manifest(int dfd, const char *name)
{
	char *p = xasprintf("%s/MANIFEST.json", name);
	struct stat st;
	int found = fstatat(dfd, p, &st, 0) == 0 && S_ISREG(st.st_mode);

	free(p);
	return found;
}

int
backups_scan(const char *dir, struct backup_entry **out, size_t *count)
{
	struct backup_entry *list = NULL;
	struct dir_name *names = NULL;
	size_t i, nnames = 0, n = 0, cap = 0;
	DIR *d;
	int dfd, rc = -1;

	*out = NULL;
	*count = 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		log_errno("cannot read the output directory %s", dir);
		return -1;
	}
	dfd = dirfd(d);
	if (dir_names_read(d, dir, &names, &nnames) < 0)
		goto out;
	for (i = 0; i < nnames; i++) {
		struct backup_entry e;
		struct stat st;

		memset(&e, 0, sizeof(e));
		if (backup_name_parse(names[i].name, &e.kind, &e.when) < 0)
			continue;
		/* One stat per backup, for its size and to see it is what its name says. */
		if (fstatat(dfd, names[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (e.kind == BACKUP_FULL_DIR ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
			continue;
		e.name = xstrdup(names[i].name);
		e.path = xasprintf("%s/%s", dir, e.name);
		if (e.kind == BACKUP_FULL_DIR) {
			e.size = dir_size(e.path);
			e.has_manifest = full_dir_has_manifest(dfd, e.name);
		} else {
			e.size = (uint64_t)st.st_size;
			e.has_manifest = sidecar_exists(dfd, names, nnames, e.name, MANIFEST_SUFFIX);
		}
		e.verified = sidecar_exists(dfd, names, nnames, e.name, VERIFIED_SUFFIX) &&
		    verified_record_ok(dfd, e.name);
		e.pinned = sidecar_exists(dfd, names, nnames, e.name, PIN_SUFFIX);
		e.encrypted = backup_name_encrypted(e.name);
		e.offsite = sidecar_exists(dfd, names, nnames, e.name, REMOTE_SUFFIX);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			list = xrealloc(list, cap * sizeof(*list));
		}
		list[n++] = e;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), newest_first);
	*out = list;
	*count = n;
	list = NULL;
	n = 0;
	rc = 0;
out:
	backups_free(list, n);
	dir_names_free(names, nnames);
	closedir(d);
	return rc;
}

void
backups_free(struct backup_entry *entries, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(entries[i].name);
		free(entries[i].path);
	}
	free(entries);
}

int
backup_sidecar_write(const char *path, const char *suffix, json_t *obj)
{
	char *sidecar = xasprintf("%s%s", path, suffix), *text = json_text(obj);
	int rc = fs_write_file_atomic(sidecar, text, strlen(text), 0600, 0);

	free(text);
	free(sidecar);
	return rc;
}

int
backup_sidecar_remove(const char *path, const char *suffix, const char *what)
{
	char *sidecar = xasprintf("%s%s", path, suffix);
	int rc = 0;

	if (unlink(sidecar) < 0) {
		if (errno == ENOENT) {
			rc = 1;
		} else {
			log_errno("cannot remove %s %s", what, sidecar);
			rc = -1;
		}
	} else if (fs_fsync_parent(sidecar) < 0) {
		rc = -1;
	}
	free(sidecar);
	return rc;
}
