/*
 * The pipe: filters run in the order added, results come by kind, a
 * failing filter stops the pipe and leaves no file, and the read side
 * computes what the write side did on the same bytes.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "io/gzip-member.h"
#include "io/pipe.h"
#include "unit.h"

static void
sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

struct collect {
	unsigned char *buf;
	size_t len, cap;
};

static int
collect(void *arg, const void *buf, size_t len)
{
	struct collect *c = arg;

	if (c->len + len > c->cap)
		c->buf = xrealloc(c->buf, c->cap = (c->len + len) * 2);
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	return 0;
}

static int
refuse(void *arg, const void *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	log_error("test: the consumer refuses");
	return -1;
}

/* Writes DATA through a pipe in uneven pieces, as a dump does. */
static int
write_pieces(struct pipe *p, const unsigned char *data, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += 7777)
		if (pipe_write(p, data + off, len - off < 7777 ? len - off : 7777) < 0)
			return -1;
	return 0;
}

/* A tee that keeps its copy and notes its life cycle. */
struct tee_log {
	struct collect copy;
	int finished, aborted, destroyed, refuse_at_finish;
};

static int
tee_write(void *arg, const void *buf, size_t len)
{
	return collect(&((struct tee_log *)arg)->copy, buf, len);
}

static int
tee_finish(void *arg)
{
	struct tee_log *t = arg;

	t->finished++;
	return t->refuse_at_finish ? -1 : 0;
}

static void
tee_abort(void *arg)
{
	((struct tee_log *)arg)->aborted++;
}

static void
tee_destroy(void *arg)
{
	((struct tee_log *)arg)->destroyed++;
}

static const struct pipe_tee_ops tee_log_ops = { tee_write, tee_finish, tee_abort, tee_destroy };

static void
test_tee(const unsigned char *data, size_t len, const char *want_plain)
{
	struct tee_log t;
	struct collect end = { NULL, 0, 0 };
	struct pipe *p;
	char got[65];

	memset(&t, 0, sizeof(t));
	p = pipe_new();
	pipe_add_sha256(p);
	pipe_add_tee(p, &tee_log_ops, &t);
	pipe_to_consumer(p, collect, &end);
	UNIT_CHECK("tee-written", write_pieces(p, data, len) == 0 && pipe_finish(p) == 0);
	pipe_sha256_hex(p, got);
	UNIT_CHECK("tee-copy-and-end-same", t.copy.len == len && memcmp(t.copy.buf, data, len) == 0 &&
	    end.len == len && memcmp(end.buf, data, len) == 0 && strcmp(got, want_plain) == 0);
	UNIT_CHECK("tee-arg-by-kind", pipe_tee_arg(p) == &t);
	pipe_free(p);
	UNIT_CHECK("tee-finished-not-aborted", t.finished == 1 && t.aborted == 0 && t.destroyed == 1);
	free(t.copy.buf);
	free(end.buf);

	/* Freed unfinished: aborted once. A failing end aborts it at once. */
	memset(&t, 0, sizeof(t));
	p = pipe_new();
	pipe_add_tee(p, &tee_log_ops, &t);
	pipe_to_null(p);
	pipe_write(p, data, 10);
	pipe_free(p);
	UNIT_CHECK("tee-freed-unfinished-aborts", t.finished == 0 && t.aborted == 1 && t.destroyed == 1);
	free(t.copy.buf);
	memset(&t, 0, sizeof(t));
	p = pipe_new();
	pipe_add_tee(p, &tee_log_ops, &t);
	pipe_to_consumer(p, refuse, NULL);
	UNIT_CHECK("tee-failed-pipe-aborts", pipe_write(p, "x", 1) < 0 && t.aborted == 1);
	pipe_free(p);
	UNIT_CHECK("tee-aborted-once", t.aborted == 1 && t.destroyed == 1);
	free(t.copy.buf);
	memset(&t, 0, sizeof(t));
	t.refuse_at_finish = 1;
	p = pipe_new();
	pipe_add_tee(p, &tee_log_ops, &t);
	pipe_to_null(p);
	UNIT_CHECK("tee-refusing-finish-fails", pipe_write(p, "x", 1) == 0 && pipe_finish(p) < 0);
	pipe_free(p);
	free(t.copy.buf);
	p = pipe_new();
	UNIT_CHECK("tee-null-ops-fails-pipe", pipe_add_tee(p, NULL, NULL) < 0 && pipe_to_null(p) < 0);
	pipe_free(p);
}

/* FILE read through gunzip (up to JOBS members side by side) into BACK; ERR gets bad data's description. */
static int
read_gunzip(const char *file, int jobs, struct collect *back, char *err, size_t errlen)
{
	struct pipe *p = pipe_new();
	int rc;

	back->len = 0;
	pipe_add_gunzip(p, NULL, 0, err, errlen);
	pipe_gunzip_set_jobs(p, jobs);
	pipe_to_consumer(p, collect, back);
	rc = pipe_read_file(p, file, 0, 0) == 0 && pipe_finish(p) == 0 ? 0 : -1;
	pipe_free(p);
	return rc;
}

/* Overwrites LEN bytes at OFF of FILE. */
static void
patch_file(const char *file, long off, const void *bytes, size_t len)
{
	FILE *f = fopen(file, "r+b");

	if (f != NULL) {
		fseek(f, off, SEEK_SET);
		fwrite(bytes, 1, len, f);
		fclose(f);
	}
}

/* Makes the first member's header say it holds the second too. 0 or -1. */
static int
lie_about_first_member(const char *file)
{
	unsigned char hdr[GZIP_MEMBER_HEADER], len[4];
	uint32_t m1, m2, s1;
	FILE *f = fopen(file, "rb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && gzip_member_sizes(hdr, sizeof(hdr), &m1, &s1) &&
	    fseek(f, (long)m1, SEEK_SET) == 0 && fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) &&
	    gzip_member_sizes(hdr, sizeof(hdr), &m2, &s1);
	fclose(f);
	if (!ok)
		return -1;
	m1 += m2;
	len[0] = (unsigned char)m1;
	len[1] = (unsigned char)(m1 >> 8);
	len[2] = (unsigned char)(m1 >> 16);
	len[3] = (unsigned char)(m1 >> 24);
	patch_file(file, 16, len, sizeof(len));
	return 0;
}

int
main(void)
{
	char tmpl[] = "/tmp/lbunit.XXXXXX", *dir = mkdtemp(tmpl);
	char *plain_gz = xasprintf("%s/plain-first.gz", dir), *zip_sha = xasprintf("%s/gzip-first.gz", dir);
	char *bad = xasprintf("%s/bad.out", dir), *bad_tmp = xasprintf("%s.tmp", bad);
	char want_plain[65], want_file[65], got[65], got2[65];
	size_t len = 3u << 20, i;
	unsigned char *data = xmalloc(len);
	uint32_t want_crc;
	uint64_t size, pos1 = 0, pos2 = 0;
	struct collect back = { NULL, 0, 0 };
	struct stat st;
	struct pipe *p;

	log_set_level(LOG_ERROR);
	/* Text-like bytes: compressible, not trivially. */
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)("abcdefghij\n0123456789\t"[(i * 2654435761u >> 7) % 22]);
	sha256_hex(data, len, want_plain);
	want_crc = (uint32_t)crc32(crc32(0, NULL, 0), data, (uInt)len);

	/* sha256 and crc32 before gzip: of the plain bytes. */
	p = pipe_new();
	pipe_add_sha256(p);
	pipe_add_crc32(p);
	pipe_add_gzip(p, 6, 2);
	pipe_add_progress(p, NULL);
	UNIT_CHECK("pipe-built", pipe_to_file(p, plain_gz, 0600) == 0);
	UNIT_CHECK("pipe-written", write_pieces(p, data, len) == 0 && pipe_finish(p) == 0);
	UNIT_CHECK("pipe-not-published-before-publish", !exists(plain_gz));
	UNIT_CHECK("pipe-publish", pipe_publish(p) == 0 && exists(plain_gz));
	pipe_sha256_hex(p, got);
	UNIT_CHECK("pipe-sha256-before-gzip-is-plain", strcmp(got, want_plain) == 0);
	UNIT_CHECK("pipe-crc32-by-kind", pipe_crc32(p) == want_crc);
	UNIT_CHECK("pipe-bytes-in", pipe_bytes(p, PIPE_IN) == len && pipe_bytes(p, PIPE_GZIP) == len);
	UNIT_CHECK("pipe-bytes-out-is-file", stat(plain_gz, &st) == 0 && pipe_bytes(p, PIPE_OUT) == (uint64_t)st.st_size &&
	    st.st_size > 0 && (uint64_t)st.st_size < len);
	pipe_free(p);

	/* gzip before sha256: the hash is the compressed file's. */
	p = pipe_new();
	pipe_add_gzip(p, 6, 2);
	pipe_add_sha256(p);
	pipe_to_file(p, zip_sha, 0600);
	UNIT_CHECK("pipe-gzip-first-written", pipe_write(p, data, len / 2) == 0 &&
	    pipe_gzip_end_member(p, &pos1) == 0 && pipe_write(p, data + len / 2, len - len / 2) == 0 &&
	    pipe_gzip_end_member(p, &pos2) == 0 && pipe_finish(p) == 0 && pipe_publish(p) == 0);
	UNIT_CHECK("pipe-member-positions", pos1 > 0 && pos2 > pos1 && pos2 == pipe_bytes(p, PIPE_OUT));
	pipe_sha256_hex(p, got);
	UNIT_CHECK("pipe-sha256-after-gzip-is-file", sha256_file(zip_sha, 0, &size, want_file) == 0 &&
	    strcmp(got, want_file) == 0 && strcmp(got, want_plain) != 0 && size == pipe_bytes(p, PIPE_OUT));
	pipe_free(p);

	/* The read side: file -> gunzip -> sha256 -> crc32 -> consumer, the same results. */
	p = pipe_new();
	pipe_add_gunzip(p, plain_gz, 0, NULL, 0);
	pipe_add_sha256(p);
	pipe_add_crc32(p);
	pipe_to_consumer(p, collect, &back);
	UNIT_CHECK("pipe-read-file", pipe_read_file(p, plain_gz, 0, 0) == 0 && pipe_finish(p) == 0);
	pipe_sha256_hex(p, got);
	UNIT_CHECK("pipe-read-sha256-same-as-write", strcmp(got, want_plain) == 0);
	UNIT_CHECK("pipe-read-crc32-same-as-write", pipe_crc32(p) == want_crc);
	UNIT_CHECK("pipe-read-bytes", pipe_bytes(p, PIPE_OUT) == len && back.len == len && memcmp(back.buf, data, len) == 0);
	pipe_free(p);
	/* Multi-member, and the file's own hash read back. */
	p = pipe_new();
	pipe_add_sha256(p);
	pipe_add_gunzip(p, zip_sha, 0, NULL, 0);
	pipe_add_crc32(p);
	pipe_to_null(p);
	UNIT_CHECK("pipe-read-members", pipe_read_file(p, zip_sha, 0, 0) == 0 && pipe_finish(p) == 0);
	pipe_sha256_hex(p, got2);
	UNIT_CHECK("pipe-read-sha256-of-file", strcmp(got2, want_file) == 0 && pipe_crc32(p) == want_crc &&
	    pipe_bytes(p, PIPE_OUT) == len);
	pipe_free(p);

	/* A failing filter (gunzip of bytes that are not gzip) stops the pipe: no file, either name. */
	p = pipe_new();
	pipe_add_gunzip(p, "garbage", 0, NULL, 0);
	pipe_add_sha256(p);
	pipe_to_file(p, bad, 0600);
	UNIT_CHECK("pipe-tmp-while-writing", exists(bad_tmp));
	UNIT_CHECK("pipe-failing-filter-fails-write", pipe_write(p, data, len) < 0);
	UNIT_CHECK("pipe-failed-no-tmp-at-once", !exists(bad_tmp) && !exists(bad));
	UNIT_CHECK("pipe-failed-stays-failed", pipe_write(p, data, 10) < 0 && pipe_finish(p) < 0 && pipe_publish(p) < 0);
	pipe_free(p);
	UNIT_CHECK("pipe-failed-no-file", !exists(bad_tmp) && !exists(bad));
	/* The same when the end refuses, and when a failing stage is found only at finish. */
	p = pipe_new();
	pipe_add_sha256(p);
	pipe_to_consumer(p, refuse, NULL);
	UNIT_CHECK("pipe-consumer-stops", pipe_write(p, "x", 1) < 0 && pipe_write(p, "y", 1) < 0);
	pipe_free(p);
	p = pipe_new();
	pipe_add_gunzip(p, plain_gz, 0, NULL, 0);
	pipe_to_file(p, bad, 0600);
	UNIT_CHECK("pipe-cut-short-fails-at-finish", pipe_read_file(p, zip_sha, 0, 0) == 0 &&
	    pipe_write(p, "\x1f\x8b\x08", 3) == 0 && pipe_finish(p) < 0 && !exists(bad_tmp) && !exists(bad));
	pipe_free(p);

	/* Plain input passes a lenient gunzip; bad data described in err, not logged. */
	{
		char err[256];

		p = pipe_new();
		pipe_add_gunzip(p, NULL, 1, err, sizeof(err));
		pipe_add_sha256(p);
		pipe_to_null(p);
		UNIT_CHECK("pipe-gunzip-plain-passes", pipe_write(p, data, len) == 0 && pipe_finish(p) == 0 &&
		    !pipe_gunzip_found_gzip(p) && pipe_bytes(p, PIPE_OUT) == len);
		pipe_sha256_hex(p, got);
		UNIT_CHECK("pipe-gunzip-plain-sha256", strcmp(got, want_plain) == 0);
		pipe_free(p);
		p = pipe_new();
		pipe_add_gunzip(p, NULL, 1, err, sizeof(err));
		pipe_to_null(p);
		UNIT_CHECK("pipe-gunzip-err-text", pipe_write(p, "\x1f\x8bXXXXXXXXX", 11) == 0 && pipe_finish(p) < 0 &&
		    strstr(err, "gzip data is corrupt near byte") != NULL);
		pipe_free(p);
	}

	test_tee(data, len, want_plain);

	/*
	 * Members inflated side by side: the same bytes as one at a time, and
	 * a damaged member (its data, or a header lying about its length)
	 * described the same way, after the same bytes.
	 */
	{
		char *many = xasprintf("%s/many.gz", dir), err1[256], err3[256];
		size_t big = 12u << 20;
		unsigned char *text = xmalloc(big);
		struct collect one = { NULL, 0, 0 };

		for (i = 0; i < big; i++)
			text[i] = (unsigned char)("abcdefghij\n0123456789\t"[(i * 2654435761u >> 7) % 22]);
		p = pipe_new();
		pipe_add_gzip(p, 1, 2);
		pipe_to_file(p, many, 0600);
		UNIT_CHECK("pipe-many-members-written", pipe_write(p, text, big) == 0 && pipe_finish(p) == 0 &&
		    pipe_publish(p) == 0);
		pipe_free(p);
		UNIT_CHECK("pipe-gunzip-jobs-same-bytes", read_gunzip(many, 1, &one, err1, sizeof(err1)) == 0 &&
		    read_gunzip(many, 3, &back, err3, sizeof(err3)) == 0 && one.len == big && back.len == big &&
		    memcmp(back.buf, text, big) == 0);
		p = pipe_new();
		pipe_add_gunzip(p, NULL, 0, err3, sizeof(err3));
		UNIT_CHECK("pipe-gunzip-jobs-before-end", pipe_gunzip_set_jobs(p, 2) == 0);
		pipe_free(p);
		/* The first member's header says it runs over the second: inflated as one at a time does. */
		UNIT_CHECK("pipe-gunzip-jobs-lying-header-same", lie_about_first_member(many) == 0 &&
		    read_gunzip(many, 1, &one, err1, sizeof(err1)) == 0 &&
		    read_gunzip(many, 3, &back, err3, sizeof(err3)) == 0 && one.len == big && back.len == big &&
		    memcmp(back.buf, text, big) == 0);
		/* Deep in the fifth member or so: its data. */
		stat(many, &st);
		patch_file(many, (long)(st.st_size / 12 * 5 + 1000), "\xff\xff\xff\xff", 4);
		UNIT_CHECK("pipe-gunzip-jobs-damage-same", read_gunzip(many, 1, &one, err1, sizeof(err1)) < 0 &&
		    read_gunzip(many, 3, &back, err3, sizeof(err3)) < 0 && strcmp(err1, err3) == 0 &&
		    strstr(err1, "corrupt") != NULL && one.len == back.len && memcmp(one.buf, back.buf, one.len) == 0);
		unlink(many);
		free(many);
		free(one.buf);
		free(text);
	}

	/* Misuse is refused, not guessed at. */
	p = pipe_new();
	pipe_add_sha256(p);
	UNIT_CHECK("pipe-one-filter-per-kind", pipe_add_sha256(p) < 0 && pipe_to_null(p) < 0);
	pipe_free(p);
	p = pipe_new();
	pipe_add_sha256(p);
	pipe_add_gzip(p, 6, 1);
	pipe_to_null(p);
	UNIT_CHECK("pipe-members-need-gzip-first", pipe_gzip_end_member(p, &pos1) < 0);
	pipe_free(p);
	p = pipe_new();
	pipe_to_null(p);
	UNIT_CHECK("pipe-no-filter-after-end", pipe_add_crc32(p) < 0);
	pipe_free(p);
	p = pipe_new();
	UNIT_CHECK("pipe-no-write-without-end", pipe_write(p, "x", 1) < 0);
	pipe_free(p);

	unlink(plain_gz);
	unlink(zip_sha);
	rmdir(dir);
	free(plain_gz);
	free(zip_sha);
	free(bad);
	free(bad_tmp);
	free(back.buf);
	free(data);
	return unit_done();
}
