#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypt/crypt.h"
#include "dump/dump-reader.h"
#include "io/gzip-member.h"
#include "io/pipe.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/backups.h"

/*
 * A dump is read through one pipe: the file's blocks -> sha256 (of the
 * file as stored, for a whole file) -> decrypt (where the file is
 * encrypted; a NAME.enc must be) -> gunzip (where the file is gzip) ->
 * the caller's chunk function. A whole file is read by verify and by
 * restore's check before anything loads, with the cores to itself: its
 * members are inflated on all of them. Ranges are read by restore's table
 * loaders, side by side already: one thread each.
 */
struct chunk_call {
	dump_chunk_fn fn;
	void *ctx;
	int stopped;		/* the caller said stop */
};

static int
chunk(void *arg, const void *buf, size_t len)
{
	struct chunk_call *c = arg;

	if (c->fn(c->ctx, buf, len) < 0) {
		c->stopped = 1;
		return -1;
	}
	return 0;
}

static int
cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* Builds the pipe for NAME (its name says whether it must be encrypted), lets FEED stream the bytes into it, and says how it went. */
static int
run_pipe(const char *name, int whole, dump_feed_fn feed, void *arg, dump_chunk_fn fn, void *ctx,
    struct dump_read_stats *stats, char *err, size_t errlen)
{
	struct chunk_call call = { fn, ctx, 0 };
	struct pipe *p = pipe_new();
	int rc = DUMP_READ_IO_ERROR;
	char derr[512] = "";

	memset(stats, 0, sizeof(*stats));
	err[0] = '\0';
	if (whole)
		pipe_add_sha256(p);
	pipe_add_decrypt(p, NULL, !backup_name_encrypted(name), derr, sizeof(derr));
	pipe_add_gunzip(p, NULL, 1, err, errlen);
	if (whole)
		pipe_gunzip_set_jobs(p, cpu_count());
	if (pipe_to_consumer(p, chunk, &call) < 0)
		goto out;
	if (feed(arg, p) == 0 && pipe_finish(p) == 0)
		rc = DUMP_READ_OK;
	else if (call.stopped)
		rc = DUMP_READ_STOPPED;
	else if (derr[0] != '\0' || err[0] != '\0')
		rc = DUMP_READ_CORRUPT;
	if (derr[0] != '\0') {
		snprintf(err, errlen, "%s", derr);
		stats->decrypt_failed = 1;
		stats->key_failed = !pipe_decrypt_found(p);
	}
	stats->file_bytes = pipe_bytes(p, PIPE_IN);
	stats->sql_bytes = pipe_bytes(p, PIPE_OUT);
	stats->gzip = pipe_gunzip_found_gzip(p);
	stats->encrypted = pipe_decrypt_found(p) || stats->key_failed;
	if (rc == DUMP_READ_CORRUPT && !stats->decrypt_failed && stats->gzip) {
		/* The last member begun is the one the bad data is in. */
		size_t n;
		const struct gzip_boundary *b = pipe_gunzip_boundaries(p, &n);

		stats->bad_member = n;
		stats->bad_member_at = n > 0 ? b[n - 1].in : 0;
	}
	if (rc == DUMP_READ_OK && whole) {
		const struct gzip_boundary *b = pipe_gunzip_boundaries(p, &stats->nbounds);

		pipe_sha256_hex(p, stats->sha256);
		if (stats->nbounds > 0) {
			stats->bounds = xmalloc(stats->nbounds * sizeof(*b));
			memcpy(stats->bounds, b, stats->nbounds * sizeof(*b));
		}
	}
out:
	pipe_free(p);
	return rc;
}

struct file_range {
	const struct dump_source *src;
	uint64_t offset, length;
};

static int
feed_file(void *arg, struct pipe *p)
{
	const struct file_range *fr = arg;
	const char *path = fr->src->path;
	int fd, rc;

	if (path == NULL)
		return fr->src->feed(fr->src->arg, p, fr->offset, fr->length);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_errno("cannot open %s", path);
		return -1;
	}
	if (fr->offset > 0 && lseek(fd, (off_t)fr->offset, SEEK_SET) < 0) {
		log_errno("cannot seek in %s", path);
		close(fd);
		return -1;
	}
	rc = pipe_read_fd(p, fd, path, fr->length);
	close(fd);
	return rc;
}

static int
read_range(const struct dump_source *src, uint64_t offset, uint64_t length, dump_chunk_fn fn, void *ctx,
    struct dump_read_stats *stats, char *err, size_t errlen)
{
	struct file_range fr = { src, offset, length };

	return run_pipe(src->name, offset == 0 && length == UINT64_MAX, feed_file, &fr, fn, ctx, stats, err, errlen);
}

struct dump_source
dump_source_file(const char *path)
{
	struct dump_source src = { .name = path, .path = path };

	return src;
}

void
dump_read_stats_free(struct dump_read_stats *stats)
{
	free(stats->bounds);
	stats->bounds = NULL;
	stats->nbounds = 0;
}

int
dump_read_feed(const char *name, dump_feed_fn feed, void *arg, dump_chunk_fn fn, void *ctx,
    struct dump_read_stats *stats, char *err, size_t errlen)
{
	return run_pipe(name, 1, feed, arg, fn, ctx, stats, err, errlen);
}

int
dump_read(const char *path, dump_chunk_fn fn, void *ctx, struct dump_read_stats *stats,
    char *err, size_t errlen)
{
	struct dump_source src = dump_source_file(path);

	return read_range(&src, 0, UINT64_MAX, fn, ctx, stats, err, errlen);
}

int
dump_read_source(const struct dump_source *src, dump_chunk_fn fn, void *ctx, struct dump_read_stats *stats,
    char *err, size_t errlen)
{
	return read_range(src, 0, UINT64_MAX, fn, ctx, stats, err, errlen);
}

int
dump_read_range(const struct dump_source *src, uint64_t offset, uint64_t length, dump_chunk_fn fn, void *ctx,
    char *err, size_t errlen)
{
	struct dump_read_stats stats;
	int rc = read_range(src, offset, length, fn, ctx, &stats, err, errlen);

	if (rc == DUMP_READ_OK && stats.file_bytes != length) {
		snprintf(err, errlen, "the file ends before byte %llu", (unsigned long long)(offset + length));
		rc = DUMP_READ_CORRUPT;
	}
	return rc;
}

struct header_buf {
	unsigned char *buf;
	size_t len, cap;
};

static int
keep_header(void *arg, const void *buf, size_t len)
{
	struct header_buf *h = arg;
	size_t n = len < h->cap - h->len ? len : h->cap - h->len;

	memcpy(h->buf + h->len, buf, n);
	h->len += n;
	return 0;
}

/* Up to LEN bytes of SRC at OFFSET (fewer at its end) into BUF: the count, or -1 (reported). */
static ssize_t
read_at(const struct dump_source *src, int fd, unsigned char *buf, size_t len, uint64_t offset)
{
	struct header_buf h = { buf, 0, len };
	struct pipe *p;
	ssize_t n;

	if (fd >= 0) {
		do {
			n = pread(fd, buf, len, (off_t)offset);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			log_errno("cannot read %s", src->path);
		return n;
	}
	p = pipe_new();
	pipe_to_consumer(p, keep_header, &h);
	n = src->feed(src->arg, p, offset, len) == 0 && pipe_finish(p) == 0 ? (ssize_t)h.len : -1;
	pipe_free(p);
	return n;
}

static int
by_in(const void *key, const void *elem)
{
	uint64_t k = *(const uint64_t *)key, in = ((const struct gzip_boundary *)elem)->in;

	return k < in ? -1 : k > in;
}

/* dump_find_member from the recorded boundaries: the member whose SQL holds byte AT, within the range. */
static int
find_in_bounds(const struct dump_source *src, uint64_t offset, uint64_t length, uint64_t at,
    uint64_t *member_at, uint64_t *sql_before)
{
	const struct gzip_boundary *b = src->bounds, *first = bsearch(&offset, b, src->nbounds, sizeof(*b), by_in);
	size_t lo, hi;

	if (first == NULL)
		return 1;
	/* The first boundary past the target's SQL byte: its member is the one before it. */
	lo = (size_t)(first - b) + 1;
	hi = src->nbounds;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b[mid].out > first->out + at)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == src->nbounds || b[lo].in > offset + length)
		return 1;	/* past the range (or the stream): read from OFFSET, as for headers that end */
	*member_at = b[lo - 1].in - offset;
	*sql_before = b[lo - 1].out - first->out;
	return 0;
}

int
dump_find_member(const struct dump_source *src, uint64_t offset, uint64_t length, uint64_t at,
    uint64_t *member_at, uint64_t *sql_before)
{
	unsigned char hdr[GZIP_MEMBER_HEADER];
	uint64_t off = 0, sql = 0;
	uint32_t mlen, slen;
	ssize_t n;
	int fd = -1, rc = 1;

	if (src->bounds != NULL)
		return find_in_bounds(src, offset, length, at, member_at, sql_before);
	if (src->path != NULL && (fd = open(src->path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_errno("cannot open %s", src->path);
		return -1;
	}
	while (off < length) {
		if ((n = read_at(src, fd, hdr, sizeof(hdr), offset + off)) < 0) {
			rc = -1;
			break;
		}
		if (!gzip_member_sizes(hdr, (size_t)n, &mlen, &slen) || mlen > length - off)
			break;
		if (at < sql + slen) {
			*member_at = off;
			*sql_before = sql;
			rc = 0;
			break;
		}
		off += mlen;
		sql += slen;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* pg_dump -Fc starts with PGDMP; -Ft is a tar whose first entry is toc.dat; -Fd a directory holding it. */
const char *
dump_foreign_format(const char *path)
{
	unsigned char head[512];
	struct stat st;
	char *toc;
	ssize_t n;
	int fd, found;

	if (stat(path, &st) < 0)
		return NULL;
	if (S_ISDIR(st.st_mode)) {
		toc = xasprintf("%s/toc.dat", path);
		found = stat(toc, &st) == 0 && S_ISREG(st.st_mode);
		free(toc);
		return found ? "a pg_dump directory-format archive (pg_dump -Fd)" : NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n >= 5 && memcmp(head, "PGDMP", 5) == 0)
		return "a pg_dump custom-format archive (pg_dump -Fc)";
	if (n == (ssize_t)sizeof(head) && memcmp(head, "toc.dat", 8) == 0 && memcmp(head + 257, "ustar", 5) == 0)
		return "a pg_dump tar-format archive (pg_dump -Ft)";
	return NULL;
}

int
dump_source_encrypted(const struct dump_source *src)
{
	unsigned char magic[CRYPT_MAGIC_BYTES];
	ssize_t n;

	if (src->path != NULL)
		return crypt_file_is_encrypted(src->path);
	if ((n = read_at(src, -1, magic, sizeof(magic), 0)) < 0)
		return -1;
	return n == (ssize_t)sizeof(magic) && memcmp(magic, CRYPT_MAGIC, sizeof(magic)) == 0;
}
