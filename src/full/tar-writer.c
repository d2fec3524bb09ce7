#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "full/tar-writer.h"
#include "base/xalloc.h"

#define COPY_BUFFER (256 * 1024)

struct tar_writer {
	struct archive *a;
	struct pipe *out;
	int level;		/* the pipe's gzip level; -1: it does not compress */
	int failed;		/* the pipe reported an error already */
};

static la_ssize_t
write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct tar_writer *w = ctx;

	(void)a;
	if (pipe_write(w->out, buf, len) < 0) {
		w->failed = 1;
		return -1;
	}
	return (la_ssize_t)len;
}

static void
report(struct tar_writer *w, const char *what, const char *name)
{
	/* A pipe failure was logged where it happened; libarchive's own errors are not. */
	if (!w->failed)
		log_error("%s %s: %s", what, name, archive_error_string(w->a));
}

struct tar_writer *
tar_writer_open(struct pipe *out, int level)
{
	struct tar_writer *w = xcalloc(1, sizeof(*w));

	w->out = out;
	w->level = level;
	w->a = archive_write_new();
	if (w->a == NULL || archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, write_cb, NULL) != ARCHIVE_OK) {
		log_error("cannot start the tar archive: %s", w->a ? archive_error_string(w->a) : "out of memory");
		tar_writer_free(w);
		return NULL;
	}
	return w;
}

static struct archive_entry *
new_entry(const char *name, mode_t type, mode_t perm, time_t mtime)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	return e;
}

int
tar_writer_add_dir(struct tar_writer *w, const char *name, time_t mtime)
{
	struct archive_entry *e = new_entry(name, AE_IFDIR, 0700, mtime);
	int rc = 0;

	if (archive_write_header(w->a, e) != ARCHIVE_OK) {
		report(w, "cannot add directory", name);
		rc = -1;
	}
	archive_entry_free(e);
	return rc;
}

/* Deflating zlib streams again costs time and gains nothing. */
static int
compressed_already(const char *name)
{
	static const char *const endings[] = { ".pack", ".gz", ".bundle", ".zip", ".png", ".jpg", NULL };
	size_t n = strlen(name), i;

	for (i = 0; endings[i]; i++)
		if (n > strlen(endings[i]) && strcmp(name + n - strlen(endings[i]), endings[i]) == 0)
			return 1;
	return 0;
}

struct member_data {
	struct tar_writer *w;
	const char *name;
	int64_t left;		/* bytes the header promised and not yet written */
};

static int
write_member_block(void *arg, const void *buf, size_t len)
{
	struct member_data *m = arg;

	if (archive_write_data(m->w->a, buf, len) != (la_ssize_t)len) {
		report(m->w, "cannot write", m->name);
		return -1;
	}
	m->left -= (int64_t)len;
	return 0;
}

int
tar_writer_add_file(struct tar_writer *w, const char *name, const char *src_path)
{
	struct archive_entry *e = NULL;
	struct member_data m = { w, name, 0 };
	struct stat st;
	int fd, rc = -1, stored = 0;

	fd = open(src_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_errno("cannot read %s", src_path);
		goto out;
	}
	e = new_entry(name, AE_IFREG, 0600, st.st_mtime);
	archive_entry_set_size(e, st.st_size);
	if (archive_write_header(w->a, e) != ARCHIVE_OK) {
		report(w, "cannot add", name);
		goto out;
	}
	stored = w->level >= 0 && compressed_already(name);
	if (stored && pipe_gzip_set_level(w->out, 0) < 0)
		goto out;
	/* Exactly the size in the header, even if the file changes under us. */
	m.left = st.st_size;
	if (fs_read_blocks(fd, src_path, COPY_BUFFER, (uint64_t)st.st_size, write_member_block, &m) < 0)
		goto out;
	if (m.left > 0) {
		log_error("cannot read %s: it shrank while being archived", src_path);
		goto out;
	}
	if (stored && pipe_gzip_set_level(w->out, w->level) < 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return rc;
}

int
tar_writer_close(struct tar_writer *w)
{
	if (archive_write_close(w->a) != ARCHIVE_OK) {
		report(w, "cannot finish the tar archive", "");
		return -1;
	}
	return 0;
}

void
tar_writer_free(struct tar_writer *w)
{
	if (w == NULL)
		return;
	if (w->a)
		archive_write_free(w->a);
	free(w);
}
