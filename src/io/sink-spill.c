#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "io/sink.h"
#include "base/xalloc.h"

/*
 * A nameless temporary file (O_TMPFILE) in the output directory: a parallel
 * worker's table waits here until its turn in the dump. Having no name, it
 * can never be mistaken for a backup, and a crash leaves nothing behind.
 */
struct spill_sink {
	struct sink base;
	int fd;
	char *label;	/* for messages: "a temporary file in DIR" */
};

static int
spill_write(struct sink *s, const void *buf, size_t len)
{
	struct spill_sink *sp = (struct spill_sink *)s;

	return fs_write_all(sp->fd, buf, len, sp->label);
}

static void
spill_destroy(struct sink *s)
{
	struct spill_sink *sp = (struct spill_sink *)s;

	close(sp->fd);
	free(sp->label);
	free(sp);
}

static const struct sink_ops spill_ops = { spill_write, NULL, spill_destroy };

struct sink *
sink_spill_create(const char *dir)
{
	struct spill_sink *sp;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	/* File systems without O_TMPFILE: a named file, unlinked at once. */
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		char *path = xasprintf("%s/.lotbackup-spill.XXXXXX", dir);

		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
		free(path);
	}
	if (fd < 0) {
		log_errno("cannot create a temporary file in %s", dir);
		return NULL;
	}
	sp = xcalloc(1, sizeof(*sp));
	sp->base.ops = &spill_ops;
	sp->fd = fd;
	sp->label = xasprintf("a temporary file in %s", dir);
	return &sp->base;
}

int
sink_spill_fd(const struct sink *s)
{
	return ((const struct spill_sink *)s)->fd;
}
