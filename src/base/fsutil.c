#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/xalloc.h"

int
fs_write_all(int fd, const void *buf, size_t len, const char *path)
{
	const char *p = buf;

	/* Files written outside the sink chain (manifests) stop here too. */
	if (interrupt_check() < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSPC)
				log_error("cannot write %s: no space left on device: free space there, or write to "
				    "another file system (--output-dir; restore --to DIR)", path);
			else
				log_errno("cannot write %s", path);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fs_fsync(int fd, const char *path)
{
	if (fsync(fd) < 0) {
		log_errno("cannot fsync %s", path);
		return -1;
	}
	return 0;
}

/*
 * Renames FROM to TO, both relative to DIRFD (AT_FDCWD: the current
 * directory), without replacing an existing TO. SHOWN_FROM and SHOWN_TO
 * are the names to report. The one publishing step of every backup file
 * (sink-file.c through fs_rename_noreplace) and of small files.
 */
static int
rename_noreplace_at(int dirfd, const char *from, const char *to, const char *shown_from, const char *shown_to)
{
	/* Every backup is published through here: never publish after a signal. */
	if (interrupt_check() < 0)
		return -1;
	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST) {
		log_error("cannot publish %s: a file of that name already exists (run again in a second)", shown_to);
		return -1;
	}
	/* Filesystems without RENAME_NOREPLACE: link() also refuses to replace. */
	if (errno == EINVAL || errno == ENOSYS) {
		if (linkat(dirfd, from, dirfd, to, 0) == 0) {
			unlinkat(dirfd, from, 0);
			return 0;
		}
		if (errno == EEXIST) {
			log_error("cannot publish %s: a file of that name already exists", shown_to);
			return -1;
		}
	}
	log_errno("cannot rename %s to %s", shown_from, shown_to);
	return -1;
}

int
fs_rename_noreplace(const char *from, const char *to)
{
	return rename_noreplace_at(AT_FDCWD, from, to, from, to);
}

int
fs_fsync_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd, rc = -1;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_errno("cannot open directory %s", dir);
		goto out;
	}
	rc = fs_fsync(fd, dir);
	close(fd);
out:
	free(dir);
	return rc;
}

int
fs_mkdir_private(const char *dir)
{
	/*
	 * Only the last component is created: a missing parent is more likely
	 * an unmounted disk or a typo than a wish to write to the root disk.
	 */
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_errno("cannot create directory %s (create its parent or choose another --output-dir)", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		log_errno("output directory %s is not writable (fix its permissions or choose another --output-dir)", dir);
		return -1;
	}
	return 0;
}

int
fs_read_file(const char *path, char **out, size_t *len)
{
	/* read(2), not stdio: list reads a manifest per backup, and stdio adds an fstat and a read to each. */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t cap = 0, used = 0;
	ssize_t n;
	int rc = -1;

	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		log_errno("cannot open %s", path);
		return -1;
	}
	for (;;) {
		if (cap - used < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	if (n < 0) {
		log_errno("cannot read %s", path);
		free(buf);
		goto out;
	}
	buf[used] = '\0';
	*out = buf;
	if (len)
		*len = used;
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * Makes room for our temporary NAME in DIRFD: a regular file of ours left
 * by a run that died goes; anything else there (a symlink, a directory,
 * someone else's file) is refused, never followed or reused. 0 or -1.
 */
static int
remove_stale_tmp(int dirfd, const char *name, const char *shown)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		log_errno("cannot check %s", shown);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		log_error("cannot create %s: something that is not a file of ours is in its place (remove it)", shown);
		return -1;
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
		log_errno("cannot remove the stale %s", shown);
		return -1;
	}
	return 0;
}

/*
 * Everything happens relative to the opened directory, so that a rename of
 * a directory on the way cannot send the steps to different places, and
 * the temporary is created new (O_EXCL|O_NOFOLLOW): a symlink or hard
 * link planted at NAME.tmp is never written through.
 */
int
fs_atomic_open(struct fs_atomic *a, const char *path, mode_t mode, int replace_stale)
{
	char *slash;

	memset(a, 0, sizeof(*a));
	a->dfd = a->fd = -1;
	a->path = xstrdup(path);
	a->tmp_path = xasprintf("%s.tmp", path);
	a->dir = xstrdup(path);
	slash = strrchr(a->dir, '/');
	if (slash == NULL) {
		a->name = xstrdup(path);
		strcpy(a->dir, ".");
	} else {
		a->name = xstrdup(slash + 1);
		if (slash == a->dir)
			a->dir[1] = '\0';	/* "/NAME": the root */
		else
			*slash = '\0';
	}
	a->tmp_name = xasprintf("%s.tmp", a->name);
	a->dfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->dfd < 0) {
		log_errno("cannot create %s", a->tmp_path);	/* its directory is not there to write in */
		return -1;
	}
	if (replace_stale && remove_stale_tmp(a->dfd, a->tmp_name, a->tmp_path) < 0)
		return -1;
	a->fd = openat(a->dfd, a->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (a->fd < 0) {
		if (errno == EEXIST)
			log_error("cannot create %s: it already exists (another lotbackup running, "
			    "or left by a crash: remove it if no lotbackup is running)", a->tmp_path);
		else
			log_errno("cannot create %s", a->tmp_path);
		return -1;
	}
	a->created = 1;
	/* The umask may have narrowed or (if mode is wider) not: be exact. */
	if (fchmod(a->fd, mode) < 0) {
		log_errno("cannot set mode of %s", a->tmp_path);
		return -1;
	}
	return 0;
}

int
fs_atomic_close(struct fs_atomic *a)
{
	int fd = a->fd;

	if (fs_fsync(fd, a->tmp_path) < 0)
		return -1;
	a->fd = -1;
	if (close(fd) < 0) {
		log_errno("cannot close %s", a->tmp_path);
		return -1;
	}
	return 0;
}

int
fs_atomic_commit(struct fs_atomic *a, int noreplace)
{
	if (noreplace) {
		if (rename_noreplace_at(a->dfd, a->tmp_name, a->name, a->tmp_path, a->path) < 0)
			return -1;
	} else if (renameat2(a->dfd, a->tmp_name, a->dfd, a->name, 0) < 0) {
		log_errno("cannot rename %s to %s", a->tmp_path, a->path);
		return -1;
	}
	a->created = 0;
	/*
	 * The file is in place and whole; only the rename's durability is in
	 * doubt. Undoing it would leave a pair (dump and manifest) half done.
	 */
	if (fs_fsync(a->dfd, a->dir) < 0)
		log_warn("%s is published but its directory could not be synced: a power cut now could lose it", a->path);
	return 0;
}

void
fs_atomic_discard(struct fs_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->created)
		unlinkat(a->dfd, a->tmp_name, 0);
	if (a->dfd >= 0)
		close(a->dfd);
	free(a->path);
	free(a->tmp_path);
	free(a->dir);
	free(a->name);
	free(a->tmp_name);
	memset(a, 0, sizeof(*a));
	a->dfd = a->fd = -1;
}

int
fs_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode, int noreplace)
{
	struct fs_atomic a;
	int rc = -1;

	if (fs_atomic_open(&a, path, mode, 1) < 0 || fs_write_all(a.fd, buf, len, a.tmp_path) < 0 ||
	    fs_atomic_close(&a) < 0 || fs_atomic_commit(&a, noreplace) < 0)
		goto out;
	rc = 0;
out:
	fs_atomic_discard(&a);
	return rc;
}

int
fs_exists(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	log_errno("cannot check %s", path);
	return -1;
}

/*
 * A tree is removed through directory descriptors, never by a path through
 * its parent: a directory swapped for a symlink while it is being emptied
 * cannot lead a deletion elsewhere. One descriptor is held per level, so
 * the depth is bounded (far past any tree of ours) rather than running out.
 */
#define REMOVE_TREE_MAX_DEPTH 512

static int remove_entry(int dfd, const char *name, const char *path, dev_t dev, int depth);

/*
 * One pass over the directory open as FD: everything but directories is
 * unlinked; the names of the directories are returned in *DIRS (*NDIRS),
 * to be removed once the stream is closed (a descriptor less per level).
 */
static int
remove_files_in(int fd, const char *path, char ***dirs, size_t *ndirs)
{
	int sfd = fcntl(fd, F_DUPFD_CLOEXEC, 0), rc = 0;
	DIR *d = sfd < 0 ? NULL : fdopendir(sfd);
	struct dirent *de;

	if (d == NULL) {
		log_errno("cannot read %s", path);
		if (sfd >= 0)
			close(sfd);
		return -1;
	}
	rewinddir(d);	/* the dup shares FD's offset: an earlier pass left it at the end */
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) {
			if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
				continue;
			if (errno != EISDIR) {	/* EISDIR: a directory took its place since */
				char *child = xasprintf("%s/%s", path, de->d_name);

				log_errno("cannot remove %s", child);
				free(child);
				rc = -1;
				break;
			}
		}
		*dirs = xrealloc(*dirs, (*ndirs + 1) * sizeof(**dirs));
		(*dirs)[(*ndirs)++] = xstrdup(de->d_name);
	}
	if (rc == 0 && errno != 0) {
		log_errno("cannot read %s", path);
		rc = -1;
	}
	closedir(d);
	return rc;
}

/* Empties the directory open as FD (PATH, on device DEV, DEPTH levels below the top). */
static int
remove_contents(int fd, const char *path, dev_t dev, int depth)
{
	char **dirs = NULL;
	size_t ndirs = 0, i;
	int rc;

	/* A second pass finds what the first one could not see (made meanwhile); usually nothing. */
	do {
		for (i = 0; i < ndirs; i++)
			free(dirs[i]);
		ndirs = 0;
		rc = remove_files_in(fd, path, &dirs, &ndirs);
		for (i = 0; rc == 0 && i < ndirs; i++) {
			char *child = xasprintf("%s/%s", path, dirs[i]);

			rc = remove_entry(fd, dirs[i], child, dev, depth);
			free(child);
		}
	} while (rc == 0 && ndirs > 0);
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

/*
 * NAME in the directory open as DFD, whatever it is now: a directory on
 * device DEV is emptied through a descriptor of its own, anything else (a
 * symlink too: never followed) is unlinked itself. PATH is for messages.
 */
static int
remove_entry(int dfd, const char *name, const char *path, dev_t dev, int depth)
{
	struct stat st;
	int fd, rc = -1;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOTDIR && errno != ELOOP) {
			if (errno == ENOENT)
				return 0;
			log_errno("cannot remove %s", path);
			return -1;
		}
		/* ELOOP: a symlink (O_NOFOLLOW); ENOTDIR: a file. The entry itself goes. */
		if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
			return 0;
		log_errno("cannot remove %s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		log_errno("cannot remove %s", path);
	} else if (st.st_dev != dev) {
		/* Like rm --one-file-system: a mount point cannot be removed, its files are not ours. */
		log_error("cannot remove %s: another file system is mounted there: unmount it, then run again", path);
	} else if (depth >= REMOVE_TREE_MAX_DEPTH) {
		log_error("cannot remove %s: it is more than %d directories deep: remove it by hand (rm -r)", path,
		    REMOVE_TREE_MAX_DEPTH);
	} else if (remove_contents(fd, path, dev, depth + 1) == 0) {
		if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			rc = 0;
		else if (errno == ENOTDIR)	/* swapped since it was opened: what is there now is left alone */
			log_error("cannot remove %s: it was replaced while being emptied (by a symlink or a file, not "
			    "followed): look at what is there (who else writes here?), then run again", path);
		else
			log_errno("cannot remove %s", path);
	}
	close(fd);
	return rc;
}

int
fs_remove_tree_at(int dfd, const char *name, const char *path)
{
	struct stat st;

	if (fstat(dfd, &st) < 0) {
		log_errno("cannot remove %s", path);
		return -1;
	}
	return remove_entry(dfd, name, path, st.st_dev, 0);
}

int
fs_remove_tree(const char *path)
{
	char *copy = xstrdup(path), *slash, *name;
	size_t len = strlen(copy);
	int dfd, rc = -1;

	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	slash = strrchr(copy, '/');
	name = slash ? slash + 1 : copy;
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		log_error("cannot remove %s: name the directory itself, not / or . or ..", path);
		goto out;
	}
	if (slash)
		*slash = '\0';
	/* The way to the parent is the caller's (an output directory may be a symlink); below it nothing is followed. */
	dfd = open(!slash ? "." : slash == copy ? "/" : copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = errno == ENOENT ? 0 : (log_errno("cannot remove %s", path), -1);
		goto out;
	}
	rc = fs_remove_tree_at(dfd, name, path);
	close(dfd);
out:
	free(copy);
	return rc;
}

int
fs_mkdirs_for(const char *base, const char *relpath)
{
	char *full = xasprintf("%s/%s", base, relpath);
	char *p = full + strlen(base) + 1;
	struct stat st;
	int rc = 0;

	/*
	 * Every directory on the way must be a real one: a symlink planted by
	 * a checked-out tree or an archive must not lead a write elsewhere.
	 */
	while ((p = strchr(p, '/')) != NULL) {
		*p = '\0';
		if (lstat(full, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				log_error("refusing to write below %s: it is a symlink or not a directory", full);
				rc = -1;
				break;
			}
		} else if (errno != ENOENT || mkdir(full, 0700) < 0) {
			log_errno("cannot create directory %s", full);
			rc = -1;
			break;
		}
		*p++ = '/';
	}
	free(full);
	return rc;
}

int
fs_read_blocks(int fd, const char *name, size_t block, uint64_t length, fs_block_fn fn, void *arg)
{
	char *buf = xmalloc(block);
	ssize_t n;
	int rc = -1;

	while (length > 0 && (n = read(fd, buf, length < block ? (size_t)length : block)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (name != NULL)
				log_errno("cannot read %s", name);
			goto out;
		}
		length -= (uint64_t)n;
		if (fn(arg, buf, (size_t)n) < 0)
			goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

int
fs_write_block(void *arg, const void *buf, size_t len)
{
	const struct fs_out *out = arg;

	return fs_write_all(out->fd, buf, len, out->path);
}

static int
copy_regular(const char *from, const char *to)
{
	struct fs_out dst = { -1, to };
	int in, rc = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
		log_errno("cannot read %s", from);
		return -1;
	}
	if ((dst.fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		log_errno("cannot create %s", to);
		close(in);
		return -1;
	}
	if (fs_read_blocks(in, from, 65536, UINT64_MAX, fs_write_block, &dst) == 0)
		rc = fs_fsync(dst.fd, to);
	close(in);
	if (close(dst.fd) < 0 && rc == 0) {
		log_errno("cannot close %s", to);
		rc = -1;
	}
	return rc;
}

int
fs_copy_tree(const char *from, const char *to)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (mkdir(to, 0700) < 0 && errno != EEXIST) {
		log_errno("cannot create %s", to);
		return -1;
	}
	if ((d = opendir(from)) == NULL) {
		log_errno("cannot read %s", from);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *src, *dst;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		src = xasprintf("%s/%s", from, de->d_name);
		dst = xasprintf("%s/%s", to, de->d_name);
		if (lstat(src, &st) < 0) {
			log_errno("cannot read %s", src);
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = fs_copy_tree(src, dst);
		} else if (S_ISREG(st.st_mode) && access(dst, F_OK) != 0) {
			/* git's own empty objects/pack etc. may already be there; files never are. */
			rc = copy_regular(src, dst);
		}
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

int
fs_dir_new_or_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (d == NULL) {
		if (errno == ENOENT)
			return 1;
		log_errno("cannot read %s", dir);
		return -1;
	}
	while (empty && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

char *
fs_temp_dir(const char *what)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/lotbackup-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", what);

	/* mkdtemp: a new directory, 0700, that nobody else can have planted. */
	if (mkdtemp(path) == NULL) {
		log_errno("cannot create a temporary directory %s", path);
		free(path);
		return NULL;
	}
	return path;
}
