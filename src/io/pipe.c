#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "io/pipe.h"
#include "io/sink.h"

#define PIPE_READ_BLOCK (256 * 1024)

/*
 * A pipe is a chain of sinks (io/sink.h) linked as the filters are added:
 * each new stage becomes the `next` of the one before. The pipe keeps the
 * stage of each kind, so results are asked of it by kind and no caller
 * holds a stage. Adding a filter kind: its sink, an enum value, a
 * pipe_add_* of three lines and, if it has one, a result getter.
 */
enum pipe_end { END_NONE, END_FILE, END_SPILL, END_NULL, END_CONSUMER };

struct pipe {
	struct sink *head;	/* where pipe_write goes */
	struct sink *tail;	/* the last stage added */
	struct sink *filters[PIPE_NFILTERS];
	uint64_t written;	/* by pipe_write: not the gzip members appended behind it */
	enum pipe_end end_kind;
	int ready;		/* an end is in place and nothing has failed */
	int failed;
	int finished;
};

struct pipe *
pipe_new(void)
{
	return xcalloc(1, sizeof(struct pipe));
}

/* Stops the pipe: every later call fails, and a file end goes at once. */
static int
pipe_fail(struct pipe *p)
{
	p->failed = 1;
	p->ready = 0;
	if (p->filters[PIPE_TEE] != NULL)
		sink_tee_abort(p->filters[PIPE_TEE]);
	if (p->end_kind == END_FILE)
		sink_file_discard(p->tail);
	return -1;
}

static int
internal(struct pipe *p, const char *what)
{
	log_error("internal: %s", what);
	return pipe_fail(p);
}

/* Links S behind the last stage; NULL (its constructor reported why) fails the pipe. */
static int
add_stage(struct pipe *p, struct sink *s, int kind)
{
	if (s == NULL)
		return pipe_fail(p);
	if (p->tail != NULL)
		p->tail->next = s;
	else
		p->head = s;
	p->tail = s;
	if (kind < PIPE_NFILTERS)
		p->filters[kind] = s;
	return p->failed ? -1 : 0;
}

/* A filter may come only before the end, once of each kind. */
static int
filter_allowed(struct pipe *p, enum pipe_kind kind)
{
	if (p->failed)
		return 0;
	if (p->end_kind != END_NONE) {
		internal(p, "a filter added after the pipe's end");
		return 0;
	}
	if (p->filters[kind] != NULL) {
		internal(p, "two filters of one kind in a pipe");
		return 0;
	}
	return 1;
}

int
pipe_add_sha256(struct pipe *p)
{
	return filter_allowed(p, PIPE_SHA256) ? add_stage(p, sink_sha256_new(NULL), PIPE_SHA256) : -1;
}

int
pipe_add_crc32(struct pipe *p)
{
	return filter_allowed(p, PIPE_CRC32) ? add_stage(p, sink_crc32_new(NULL), PIPE_CRC32) : -1;
}

int
pipe_add_gzip(struct pipe *p, int level, int jobs)
{
	if (!filter_allowed(p, PIPE_GZIP))
		return -1;
	return add_stage(p, jobs > 0 ? sink_pgzip_new(NULL, level, jobs) : sink_gzip_new(NULL, level), PIPE_GZIP);
}

int
pipe_add_gunzip(struct pipe *p, const char *label, int plain_ok, char *err, size_t errlen)
{
	if (!filter_allowed(p, PIPE_GUNZIP))
		return -1;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return add_stage(p, sink_gunzip_new(NULL, label, plain_ok, err, errlen), PIPE_GUNZIP);
}

int
pipe_add_encrypt(struct pipe *p)
{
	return filter_allowed(p, PIPE_ENCRYPT) ? add_stage(p, sink_encrypt_new(NULL), PIPE_ENCRYPT) : -1;
}

int
pipe_add_decrypt(struct pipe *p, const char *label, int plain_ok, char *err, size_t errlen)
{
	if (!filter_allowed(p, PIPE_DECRYPT))
		return -1;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return add_stage(p, sink_decrypt_new(NULL, label, plain_ok, err, errlen), PIPE_DECRYPT);
}

int
pipe_gunzip_set_jobs(struct pipe *p, int jobs)
{
	struct sink *gz = p->filters[PIPE_GUNZIP];

	if (p->failed)
		return -1;
	if (gz == NULL || gz->bytes_in > 0)
		return internal(p, "gunzip jobs set without a gunzip filter, or after its first bytes");
	sink_gunzip_set_jobs(gz, jobs);
	return 0;
}

int
pipe_add_progress(struct pipe *p, struct progress *bar)
{
	struct sink *s;

	if (!filter_allowed(p, PIPE_PROGRESS))
		return -1;
	s = sink_progress_new(NULL, bar);
	/*
	 * Whatever its place, the bar counts the bytes written into the pipe;
	 * appended gzip members were counted by the pipe that made them.
	 */
	sink_progress_count(s, &p->written);
	return add_stage(p, s, PIPE_PROGRESS);
}

int
pipe_add_tee(struct pipe *p, const struct pipe_tee_ops *ops, void *arg)
{
	if (!filter_allowed(p, PIPE_TEE))
		return -1;
	return add_stage(p, ops != NULL ? sink_tee_new(NULL, ops, arg) : NULL, PIPE_TEE);
}

void *
pipe_tee_arg(const struct pipe *p)
{
	return p->filters[PIPE_TEE] != NULL ? sink_tee_arg(p->filters[PIPE_TEE]) : NULL;
}

static int
add_end(struct pipe *p, struct sink *s, enum pipe_end kind)
{
	if (p->failed) {
		if (s != NULL)
			s->ops->destroy(s);
		return -1;
	}
	if (p->end_kind != END_NONE) {
		if (s != NULL)
			s->ops->destroy(s);
		return internal(p, "a pipe with two ends");
	}
	if (add_stage(p, s, PIPE_NFILTERS) < 0)
		return -1;
	p->end_kind = kind;
	p->ready = 1;
	return 0;
}

int
pipe_to_file(struct pipe *p, const char *path, mode_t mode)
{
	return add_end(p, p->failed ? NULL : sink_file_create(path, mode), END_FILE);
}

int
pipe_to_spill(struct pipe *p, const char *dir)
{
	return add_end(p, p->failed ? NULL : sink_spill_create(dir), END_SPILL);
}

int
pipe_to_null(struct pipe *p)
{
	return add_end(p, sink_null_new(), END_NULL);
}

int
pipe_to_consumer(struct pipe *p, pipe_consumer_fn fn, void *arg)
{
	return add_end(p, sink_consumer_new(fn, arg), END_CONSUMER);
}

/* Straight into the first stage, as sink_write would: no call more per write. */
int
pipe_write(struct pipe *p, const void *buf, size_t len)
{
	struct sink *head = p->head;

	if (len == 0)
		return 0;
	if (!p->ready)
		return p->failed ? -1 : internal(p, "a write into a pipe without an end");
	if (interrupt_check() < 0)
		return pipe_fail(p);
	head->bytes_in += len;
	p->written += len;
	if (head->ops->write(head, buf, len) < 0)
		return pipe_fail(p);
	return 0;
}

int
pipe_puts(struct pipe *p, const char *str)
{
	return pipe_write(p, str, strlen(str));
}

int
pipe_printf(struct pipe *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	rc = pipe_write(p, sb.buf, sb.len);
	strbuf_free(&sb);
	return rc;
}

static int
read_block_into(void *arg, const void *buf, size_t len)
{
	return pipe_write(arg, buf, len);
}

int
pipe_read_fd(struct pipe *p, int fd, const char *name, uint64_t length)
{
	if (!p->ready)
		return p->failed ? -1 : internal(p, "a read into a pipe without an end");
	return fs_read_blocks(fd, name, PIPE_READ_BLOCK, length, read_block_into, p);
}

int
pipe_read_file(struct pipe *p, const char *path, int nofollow, int quiet)
{
	int fd, rc, saved;

	if (!p->ready)
		return p->failed ? -1 : internal(p, "a read into a pipe without an end");
	fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		if (!quiet)
			log_errno("cannot read %s (fix its permissions or exclude it in .lotbackupignore)", path);
		return -1;
	}
	rc = pipe_read_fd(p, fd, quiet ? NULL : path, UINT64_MAX);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
pipe_finish(struct pipe *p)
{
	if (!p->ready)
		return p->failed ? -1 : internal(p, "a pipe finished without an end");
	if (sink_finish(p->head) < 0)
		return pipe_fail(p);
	p->finished = 1;
	return 0;
}

int
pipe_publish(struct pipe *p)
{
	if (p->failed)
		return -1;
	if (p->end_kind != END_FILE || !p->finished)
		return internal(p, "a pipe published without a finished file end");
	if (sink_file_publish(p->tail) < 0)
		return pipe_fail(p);
	return 0;
}

void
pipe_free(struct pipe *p)
{
	if (p == NULL)
		return;
	sink_free(p->head);
	free(p);
}

uint64_t
pipe_bytes(const struct pipe *p, enum pipe_kind kind)
{
	const struct sink *s;

	if (kind == PIPE_IN)
		s = p->head;
	else if (kind == PIPE_OUT)
		s = p->end_kind != END_NONE ? p->tail : NULL;
	else
		s = p->filters[kind];
	return s != NULL ? s->bytes_in : 0;
}

void
pipe_sha256_hex(const struct pipe *p, char out[65])
{
	if (p->filters[PIPE_SHA256] != NULL && p->finished)
		sink_sha256_hex(p->filters[PIPE_SHA256], out);
	else
		out[0] = '\0';
}

uint32_t
pipe_crc32(const struct pipe *p)
{
	return p->filters[PIPE_CRC32] != NULL ? sink_crc32_value(p->filters[PIPE_CRC32]) : 0;
}

int
pipe_gunzip_found_gzip(const struct pipe *p)
{
	return p->filters[PIPE_GUNZIP] != NULL && sink_gunzip_found_gzip(p->filters[PIPE_GUNZIP]);
}

const struct gzip_boundary *
pipe_gunzip_boundaries(const struct pipe *p, size_t *n)
{
	*n = 0;
	return p->filters[PIPE_GUNZIP] != NULL ? sink_gunzip_boundaries(p->filters[PIPE_GUNZIP], n) : NULL;
}

int
pipe_decrypt_found(const struct pipe *p)
{
	return p->filters[PIPE_DECRYPT] != NULL && sink_decrypt_found(p->filters[PIPE_DECRYPT]);
}

int
pipe_spill_fd(const struct pipe *p)
{
	return p->end_kind == END_SPILL && !p->failed ? sink_spill_fd(p->tail) : -1;
}

/* The members' operations need the threaded gzip first: nothing before it sees their bytes. */
static struct sink *
member_gzip(struct pipe *p)
{
	struct sink *gz = p->filters[PIPE_GZIP];

	if (!p->ready) {
		if (!p->failed)
			internal(p, "gzip members in a pipe without an end");
		return NULL;
	}
	if (gz == NULL || gz != p->head || !sink_is_pgzip(gz)) {
		internal(p, "gzip members need a threaded gzip filter first in the pipe");
		return NULL;
	}
	return gz;
}

int
pipe_gzip_end_member(struct pipe *p, uint64_t *pos)
{
	struct sink *gz = member_gzip(p);

	if (gz == NULL)
		return -1;
	return sink_pgzip_flush(gz, pos) < 0 ? pipe_fail(p) : 0;
}

int
pipe_gzip_append_members(struct pipe *p, int fd, uint64_t len, uint64_t sql_bytes)
{
	struct sink *gz = member_gzip(p);

	if (gz == NULL)
		return -1;
	return sink_pgzip_append_members(gz, fd, len, sql_bytes) < 0 ? pipe_fail(p) : 0;
}

int
pipe_gzip_set_level(struct pipe *p, int level)
{
	struct sink *gz = p->filters[PIPE_GZIP];

	if (!p->ready)
		return p->failed ? -1 : internal(p, "a gzip level set in a pipe without an end");
	if (gz == NULL || sink_is_pgzip(gz))
		return internal(p, "a gzip level set without a zlib gzip filter");
	return sink_gzip_set_level(gz, level) < 0 ? pipe_fail(p) : 0;
}

/* SHA-256 and size of a whole file: a pipe of one filter, fed by the one read loop. */
int
sha256_file(const char *path, int nofollow, uint64_t *size, char hex[65])
{
	struct pipe *p = pipe_new();
	int rc = -1;

	pipe_add_sha256(p);
	pipe_to_null(p);
	if (pipe_read_file(p, path, nofollow, 1) < 0 || pipe_finish(p) < 0)
		goto out;
	pipe_sha256_hex(p, hex);
	*size = pipe_bytes(p, PIPE_IN);
	rc = 0;
out:
	pipe_free(p);
	return rc;
}
