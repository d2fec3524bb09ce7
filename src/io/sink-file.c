#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "io/sink.h"
#include "base/xalloc.h"

#define FILE_BUFFER_SIZE (256 * 1024)

struct file_sink {
	struct sink base;
	char *path;
	char *tmp_path;
	int fd;
	int kept;		/* published, or discarded already: nothing to remove */
	size_t used;
	unsigned char buf[FILE_BUFFER_SIZE];
};

static int
flush_buffer(struct file_sink *f)
{
	if (fs_write_all(f->fd, f->buf, f->used, f->tmp_path) < 0)
		return -1;
	f->used = 0;
	return 0;
}

static int
file_write(struct sink *s, const void *data, size_t len)
{
	struct file_sink *f = (struct file_sink *)s;

	if (f->used + len > sizeof(f->buf)) {
		if (flush_buffer(f) < 0)
			return -1;
		if (len >= sizeof(f->buf))
			return fs_write_all(f->fd, data, len, f->tmp_path);
	}
	memcpy(f->buf + f->used, data, len);
	f->used += len;
	return 0;
}

static int
file_finish(struct sink *s)
{
	struct file_sink *f = (struct file_sink *)s;

	if (flush_buffer(f) < 0)
		return -1;
	if (fs_fsync(f->fd, f->tmp_path) < 0)
		return -1;
	if (close(f->fd) < 0) {
		f->fd = -1;
		log_errno("cannot close %s", f->tmp_path);
		return -1;
	}
	f->fd = -1;
	return 0;
}

void
sink_file_discard(struct sink *s)
{
	struct file_sink *f = (struct file_sink *)s;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (!f->kept)
		unlink(f->tmp_path);
	f->kept = 1;
}

static void
file_destroy(struct sink *s)
{
	struct file_sink *f = (struct file_sink *)s;

	sink_file_discard(s);
	free(f->path);
	free(f->tmp_path);
	free(f);
}

static const struct sink_ops file_ops = { "file", file_write, file_finish, file_destroy };

struct sink *
sink_file_create(const char *path, mode_t mode)
{
	struct file_sink *f;
	int fd;
	char *tmp_path = xasprintf("%s.tmp", path);

	fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			log_error("cannot create %s: it already exists (another lotbackup running, "
			    "or left by a crash: remove it if no lotbackup is running)", tmp_path);
		else
			log_errno("cannot create %s", tmp_path);
		free(tmp_path);
		return NULL;
	}
	/* The umask may have narrowed or (if mode is wider) not: be exact. */
	if (fchmod(fd, mode) < 0) {
		log_errno("cannot set mode of %s", tmp_path);
		close(fd);
		unlink(tmp_path);
		free(tmp_path);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->base.ops = &file_ops;
	f->path = xstrdup(path);
	f->tmp_path = tmp_path;
	f->fd = fd;
	return &f->base;
}

int
sink_file_publish(struct sink *s)
{
	struct file_sink *f = (struct file_sink *)s;

	if (!s->finished || f->kept) {
		log_error("internal: %s published unfinished or discarded", f->path);
		return -1;
	}
	if (fs_rename_noreplace(f->tmp_path, f->path) < 0)
		return -1;
	f->kept = 1;
	/*
	 * The file is in place and whole; only the rename's durability is in
	 * doubt. Undoing it would leave a pair (dump and manifest) half done.
	 */
	if (fs_fsync_parent(f->path) < 0)
		log_warn("%s is published but its directory could not be synced: a power cut now could lose it", f->path);
	return 0;
}

const char *
sink_file_path(const struct sink *s)
{
	return ((const struct file_sink *)s)->path;
}
