#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <libdeflate.h>

#include "dump/dump-reader.h"
#include "io/gzip-member.h"
#include "base/log.h"
#include "base/xalloc.h"

#define READ_SIZE (256 * 1024)
#define INFLATE_OUT_SIZE (256 * 1024)

struct reader {
	int fd;
	const char *path;
	EVP_MD_CTX *md;		/* NULL: a range, whose digest nobody reads */
	struct dump_read_stats *stats;
	uint64_t left;		/* bytes of the range still to read */
	unsigned char in[READ_SIZE];
	unsigned char out[INFLATE_OUT_SIZE];
};

/* Reads the next block; returns bytes read, 0 at end, -1 on error (reported). */
static ssize_t
read_block(struct reader *r)
{
	size_t want = r->left < sizeof(r->in) ? (size_t)r->left : sizeof(r->in);
	ssize_t n;

	do {
		n = read(r->fd, r->in, want);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_errno("cannot read %s", r->path);
		return -1;
	}
	if (n > 0) {
		if (r->md != NULL)
			EVP_DigestUpdate(r->md, r->in, (size_t)n);
		r->stats->file_bytes += (uint64_t)n;
		r->left -= (uint64_t)n;
	}
	return n;
}

static int
read_plain(struct reader *r, const unsigned char *first, size_t first_len, dump_chunk_fn fn, void *ctx)
{
	ssize_t n;

	if (first_len > 0) {
		r->stats->sql_bytes += first_len;
		if (fn(ctx, (const char *)first, first_len) < 0)
			return DUMP_READ_STOPPED;
	}
	while ((n = read_block(r)) > 0) {
		r->stats->sql_bytes += (uint64_t)n;
		if (fn(ctx, (const char *)r->in, (size_t)n) < 0)
			return DUMP_READ_STOPPED;
	}
	return n < 0 ? DUMP_READ_IO_ERROR : DUMP_READ_OK;
}

/*
 * zlib, streaming: for members too big for the fast path (gzip -c makes one
 * member of the whole file) and for damaged data, where its messages say
 * what is wrong and where. Starts on `first` (first_len bytes already read
 * and hashed), then reads on.
 */
static int
read_gzip_zlib(struct reader *r, const unsigned char *first, size_t first_len, dump_chunk_fn fn,
    void *ctx, char *err, size_t errlen)
{
	z_stream zs;
	int zrc = Z_OK, rc = DUMP_READ_CORRUPT, in_member = 1;
	ssize_t n;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		snprintf(err, errlen, "cannot initialise gzip decompression");
		return DUMP_READ_CORRUPT;
	}
	zs.next_in = (unsigned char *)first;
	zs.avail_in = (uInt)first_len;
	for (;;) {
		if (zs.avail_in == 0) {
			n = read_block(r);
			if (n < 0) {
				rc = DUMP_READ_IO_ERROR;
				goto out;
			}
			if (n == 0)
				break;
			zs.next_in = r->in;
			zs.avail_in = (uInt)n;
		}
		/* Another member after a complete one: gzip allows concatenation. */
		if (!in_member) {
			if (inflateReset(&zs) != Z_OK)
				goto out;
			in_member = 1;
		}
		zs.next_out = r->out;
		zs.avail_out = sizeof(r->out);
		zrc = inflate(&zs, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
			snprintf(err, errlen, "gzip data is corrupt near byte %llu of the file: %s",
			    (unsigned long long)(r->stats->file_bytes - zs.avail_in),
			    zs.msg ? zs.msg : "invalid data");
			goto out;
		}
		if (sizeof(r->out) - zs.avail_out > 0) {
			size_t produced = sizeof(r->out) - zs.avail_out;

			r->stats->sql_bytes += produced;
			if (fn(ctx, (const char *)r->out, produced) < 0) {
				rc = DUMP_READ_STOPPED;
				goto out;
			}
		}
		if (zrc == Z_STREAM_END)
			in_member = 0;
	}
	if (in_member) {
		snprintf(err, errlen, "gzip stream is cut short after %llu bytes (the file is truncated)",
		    (unsigned long long)r->stats->file_bytes);
		goto out;
	}
	rc = DUMP_READ_OK;
out:
	inflateEnd(&zs);
	return rc;
}

/*
 * Fast path: lotbackup writes members of at most 1 MiB of SQL, which
 * libdeflate decompresses whole, CRC and length checked, at two to three
 * times zlib's speed. The window always holds more than one whole member
 * unless the file ends; anything libdeflate cannot take goes to zlib from
 * that member on.
 */
#define WINDOW_SIZE (4 * 1024 * 1024)
#define WINDOW_LOW (2 * 1024 * 1024)
#define MEMBER_OUT_SIZE (2 * 1024 * 1024)

static int
read_gzip(struct reader *r, size_t first_len, dump_chunk_fn fn, void *ctx, char *err, size_t errlen)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	unsigned char *win = xmalloc(WINDOW_SIZE), *out = xmalloc(MEMBER_OUT_SIZE);
	size_t start = 0, end = first_len;
	int eof = 0, rc = DUMP_READ_IO_ERROR;

	if (d == NULL) {
		snprintf(err, errlen, "cannot initialise gzip decompression");
		rc = DUMP_READ_CORRUPT;
		goto out;
	}
	memcpy(win, r->in, first_len);
	for (;;) {
		size_t in_used = 0, out_len = 0;

		if (!eof && end - start < WINDOW_LOW) {
			memmove(win, win + start, end - start);
			end -= start;
			start = 0;
			while (!eof && WINDOW_SIZE - end >= READ_SIZE) {
				ssize_t n = read_block(r);

				if (n < 0)
					goto out;
				eof = n == 0;
				memcpy(win + end, r->in, (size_t)n);
				end += (size_t)n;
			}
		}
		if (start == end && eof) {
			rc = DUMP_READ_OK;
			break;
		}
		if (libdeflate_gzip_decompress_ex(d, win + start, end - start, out, MEMBER_OUT_SIZE,
		    &in_used, &out_len) != LIBDEFLATE_SUCCESS) {
			/* The window may end mid-member; zlib reads on from there. */
			rc = read_gzip_zlib(r, win + start, end - start, fn, ctx, err, errlen);
			break;
		}
		start += in_used;
		r->stats->sql_bytes += out_len;
		if (out_len > 0 && fn(ctx, (const char *)out, out_len) < 0) {
			rc = DUMP_READ_STOPPED;
			break;
		}
	}
out:
	libdeflate_free_decompressor(d);
	free(win);
	free(out);
	return rc;
}

static int
read_range(const char *path, uint64_t offset, uint64_t length, dump_chunk_fn fn, void *ctx,
    struct dump_read_stats *stats, char *err, size_t errlen)
{
	struct reader *r = xcalloc(1, sizeof(*r));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	ssize_t n;
	int rc = DUMP_READ_IO_ERROR;

	memset(stats, 0, sizeof(*stats));
	err[0] = '\0';
	r->fd = -1;
	r->path = path;
	r->stats = stats;
	r->left = length;
	if (offset == 0 && length == UINT64_MAX && ((r->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1)) {
		log_error("cannot initialise SHA-256");
		goto out;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		log_errno("cannot open %s", path);
		goto out;
	}
	if (offset > 0 && lseek(r->fd, (off_t)offset, SEEK_SET) < 0) {
		log_errno("cannot seek in %s", path);
		goto out;
	}
	n = read_block(r);
	if (n < 0)
		goto out;
	stats->gzip = n >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b;
	if (stats->gzip)
		rc = read_gzip(r, (size_t)n, fn, ctx, err, errlen);
	else
		rc = read_plain(r, r->in, (size_t)n, fn, ctx);
	if (rc == DUMP_READ_OK && r->md != NULL) {
		EVP_DigestFinal_ex(r->md, md, &mdlen);
		for (i = 0; i < mdlen; i++)
			snprintf(stats->sha256 + 2 * i, 3, "%02x", md[i]);
	}
out:
	if (r->fd >= 0)
		close(r->fd);
	EVP_MD_CTX_free(r->md);
	free(r);
	return rc;
}

int
dump_read(const char *path, dump_chunk_fn fn, void *ctx, struct dump_read_stats *stats,
    char *err, size_t errlen)
{
	return read_range(path, 0, UINT64_MAX, fn, ctx, stats, err, errlen);
}

int
dump_read_range(const char *path, uint64_t offset, uint64_t length, dump_chunk_fn fn, void *ctx,
    char *err, size_t errlen)
{
	struct dump_read_stats stats;
	int rc = read_range(path, offset, length, fn, ctx, &stats, err, errlen);

	if (rc == DUMP_READ_OK && stats.file_bytes != length) {
		snprintf(err, errlen, "the file ends before byte %llu", (unsigned long long)(offset + length));
		rc = DUMP_READ_CORRUPT;
	}
	return rc;
}

int
dump_find_member(const char *path, uint64_t offset, uint64_t length, uint64_t at,
    uint64_t *member_at, uint64_t *sql_before)
{
	unsigned char hdr[GZIP_MEMBER_HEADER];
	uint64_t off = 0, sql = 0;
	uint32_t mlen, slen;
	ssize_t n;
	int fd, rc = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_errno("cannot open %s", path);
		return -1;
	}
	while (off < length) {
		do {
			n = pread(fd, hdr, sizeof(hdr), (off_t)(offset + off));
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			log_errno("cannot read %s", path);
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
	close(fd);
	return rc;
}
