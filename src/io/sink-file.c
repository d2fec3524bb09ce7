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
	struct fs_atomic file;
	int kept;		/* published, or discarded already: nothing to remove */
	size_t used;
	unsigned char buf[FILE_BUFFER_SIZE];
};

static int
flush_buffer(struct file_sink *f)
{
	if (fs_write_all(f->file.fd, f->buf, f->used, f->file.tmp_path) < 0)
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
			return fs_write_all(f->file.fd, data, len, f->file.tmp_path);
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
	return fs_atomic_close(&f->file);
}

void
sink_file_discard(struct sink *s)
{
	struct file_sink *f = (struct file_sink *)s;

	if (!f->kept)
		fs_atomic_discard(&f->file);
	f->kept = 1;
}

static void
file_destroy(struct sink *s)
{
	struct file_sink *f = (struct file_sink *)s;

	sink_file_discard(s);
	fs_atomic_discard(&f->file);
	free(f);
}

static const struct sink_ops file_ops = { file_write, file_finish, file_destroy };

struct sink *
sink_file_create(const char *path, mode_t mode)
{
	struct file_sink *f = xcalloc(1, sizeof(*f));

	/* A temporary already there may be another run's: never replace it. */
	if (fs_atomic_open(&f->file, path, mode, 0) < 0) {
		fs_atomic_discard(&f->file);
		free(f);
		return NULL;
	}
	f->base.ops = &file_ops;
	return &f->base;
}

int
sink_file_publish(struct sink *s)
{
	struct file_sink *f = (struct file_sink *)s;

	if (!s->finished || f->kept) {
		log_error("internal: %s published unfinished or discarded", f->file.path);
		return -1;
	}
	if (fs_atomic_commit(&f->file, 1) < 0)
		return -1;
	f->kept = 1;
	return 0;
}
