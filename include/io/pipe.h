#ifndef LOTBACKUP_PIPE_H
#define LOTBACKUP_PIPE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Every byte path is one pipe: bytes written into it meet its filters in
 * the order they were added, then exactly one end. The same pipe serves
 * writing (dump -> gzip -> sha256 -> atomic file) and reading (file ->
 * gunzip -> sha256 -> a consumer): on the read side pipe_read_file() is
 * the source.
 *
 * Life cycle: pipe_new(), pipe_add_*() in the order bytes meet the
 * filters, one pipe_to_*(), then writes, pipe_finish() (flushes every
 * stage, fsyncs a file), pipe_publish() for a file, pipe_free().
 * Results are asked of the pipe by filter kind after pipe_finish(); at
 * most one filter of each kind.
 *
 * Failure: the first error (reported where it happened) stops the pipe:
 * every later call fails, and a file end is removed at once, under its
 * temporary name as under its final one. Building calls may be chained
 * without checks: a failed pipe_add_*() or pipe_to_*() fails the pipe.
 */
struct pipe;
struct progress;

/*
 * What a pipe's results are asked by: a filter kind, or the pipe's two
 * ends. Every stage counts the bytes that enter it, so sizes need no
 * filter of their own: pipe_bytes(p, PIPE_IN), (p, PIPE_GZIP), (p, PIPE_OUT).
 */
enum pipe_kind {
	PIPE_SHA256,
	PIPE_CRC32,
	PIPE_GZIP,
	PIPE_GUNZIP,
	PIPE_PROGRESS,
	PIPE_TEE,
	PIPE_ENCRYPT,
	PIPE_DECRYPT,
	PIPE_NFILTERS,
	PIPE_IN = PIPE_NFILTERS,	/* pipe_bytes: what was written into the pipe */
	PIPE_OUT,		/* pipe_bytes: what reached its end */
};

/* A consumer end: gets the bytes in order; 0 to go on, -1 to stop (it reports why). */
typedef int (*pipe_consumer_fn)(void *arg, const void *buf, size_t len);

struct pipe *pipe_new(void);

/* Filters, in the order bytes meet them. */
int pipe_add_sha256(struct pipe *p);
int pipe_add_crc32(struct pipe *p);
/*
 * gzip (RFC 1952). jobs 0: zlib in the calling thread, level 0-9, whose
 * level may change on the way (pipe_gzip_set_level). jobs >= 1: that many
 * threads of libdeflate, level 0-12, in members of up to 1 MiB that say
 * their sizes (gzip-member.h), which pipe_gzip_end_member can cut.
 */
int pipe_add_gzip(struct pipe *p, int level, int jobs);
/*
 * Inflates gzip, one member or many, at libdeflate's speed for the members
 * lotbackup writes. Bad or cut data is reported naming LABEL and the
 * offset; with LABEL NULL it is described in ERR instead, unreported (for
 * a caller that judges the data, as verify does). PLAIN_OK: input that
 * does not begin with the gzip magic passes through unchanged.
 */
int pipe_add_gunzip(struct pipe *p, const char *label, int plain_ok, char *err, size_t errlen);
/*
 * Encryption with the run's key (crypt/crypt.h, which documents the
 * format): after gzip, so what reaches the end is the file as stored.
 * Fails the pipe, reported, when the run has no key.
 */
int pipe_add_encrypt(struct pipe *p);
/*
 * Its reverse, before gunzip. A wrong key, a changed header, a changed,
 * dropped or moved chunk, a file cut short or with bytes after its final
 * chunk stop the pipe, reported naming LABEL, or with LABEL NULL described
 * in ERR (as pipe_add_gunzip). PLAIN_OK: input that does not begin with
 * the magic passes through unchanged.
 */
int pipe_add_decrypt(struct pipe *p, const char *label, int plain_ok, char *err, size_t errlen);
/*
 * Lets the gunzip filter inflate up to JOBS of lotbackup's members side
 * by side, on threads of its own (before the first write): for a reader
 * that has the cores to itself. The bytes out are the same.
 */
int pipe_gunzip_set_jobs(struct pipe *p, int jobs);
/*
 * Adds the bytes written into the pipe to BAR (NULL: a filter that does
 * nothing); several pipes may feed one bar, from their own threads.
 */
int pipe_add_progress(struct pipe *p, struct progress *bar);

/*
 * A tee: the bytes pass on unchanged and a copy goes to OPS, e.g. an upload
 * to S3 (s3/s3-pipe.h builds one on this). write gets the copy (-1 fails the
 * pipe); finish runs in pipe_finish once the stages before the tee have
 * flushed (-1 fails the pipe); abort (may be NULL) when the pipe fails
 * before it finished; destroy (may be NULL) when the pipe is freed. OPS
 * NULL: the caller could not build its tee (and reported why); the pipe fails.
 */
struct pipe_tee_ops {
	int (*write)(void *arg, const void *buf, size_t len);
	int (*finish)(void *arg);
	void (*abort)(void *arg);
	void (*destroy)(void *arg);
};
int pipe_add_tee(struct pipe *p, const struct pipe_tee_ops *ops, void *arg);
/* The tee's ARG, to ask it for its results (NULL: no tee). */
void *pipe_tee_arg(const struct pipe *p);

/* Ends: exactly one, after the filters. */
/*
 * The atomic file: PATH.tmp (mode MODE, O_EXCL), fsynced on finish;
 * pipe_publish renames it to PATH without replacing a file there and
 * fsyncs the directory. Never published, PATH.tmp is removed.
 */
int pipe_to_file(struct pipe *p, const char *path, mode_t mode);
/* A nameless temporary file in DIR (O_TMPFILE): gone when freed or on a crash. */
int pipe_to_spill(struct pipe *p, const char *dir);
/* Discards the bytes: for results only. */
int pipe_to_null(struct pipe *p);
int pipe_to_consumer(struct pipe *p, pipe_consumer_fn fn, void *arg);

int pipe_write(struct pipe *p, const void *buf, size_t len);
int pipe_puts(struct pipe *p, const char *str);
int pipe_printf(struct pipe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The source side: streams the file at PATH into the pipe in blocks, or
 * with nofollow refuses a symlink. A file that cannot be opened or read is
 * reported naming PATH (quiet: not reported, errno set, the pipe still
 * usable). 0 or -1.
 */
int pipe_read_file(struct pipe *p, const char *path, int nofollow, int quiet);
/* The same from FD's current offset, at most LENGTH bytes (UINT64_MAX: to its end); errors name NAME. */
int pipe_read_fd(struct pipe *p, int fd, const char *name, uint64_t length);

/* Flushes every stage in order; a file end is fsynced. 0 or -1. */
int pipe_finish(struct pipe *p);
/* A finished file end to its final name. 0 or -1. */
int pipe_publish(struct pipe *p);
/* Frees the pipe; an unpublished file end is removed. */
void pipe_free(struct pipe *p);

/* Results, by kind. Bytes that went into the filter of KIND (0: none), or PIPE_IN / PIPE_OUT. */
uint64_t pipe_bytes(const struct pipe *p, enum pipe_kind kind);
/* After pipe_finish: the hex digest of the bytes that reached the sha256 filter. */
void pipe_sha256_hex(const struct pipe *p, char out[65]);
/* The CRC-32 of the bytes that reached the crc32 filter so far. */
uint32_t pipe_crc32(const struct pipe *p);
/* 1 when the gunzip filter found gzip, 0 when plain input passed through it. */
int pipe_gunzip_found_gzip(const struct pipe *p);
/*
 * After pipe_finish: where each gzip member started and the stream ended
 * (io/gzip-member.h), in order, as the gunzip filter met them; NULL, *n 0:
 * none (no gzip). Valid until pipe_free.
 */
struct gzip_boundary;
const struct gzip_boundary *pipe_gunzip_boundaries(const struct pipe *p, size_t *n);
/* 1 when the decrypt filter found an encrypted file, 0 when plain input passed through it. */
int pipe_decrypt_found(const struct pipe *p);
/* The spill end's descriptor, to read it back with pread (the pipe keeps it). */
int pipe_spill_fd(const struct pipe *p);

/*
 * SHA-256 and size of a whole file, through a pipe. -1 with errno set when it
 * cannot be opened or read (not reported: callers decide what that means).
 */
int sha256_file(const char *path, int nofollow, uint64_t *size, char hex[65]);

/* gzip members (a gzip filter with jobs >= 1, first in the pipe). */
/*
 * Ends the current member and passes on everything pending: *pos is then
 * the number of compressed bytes passed on so far, where the next member
 * starts. 0 or -1.
 */
int pipe_gzip_end_member(struct pipe *p, uint64_t *pos);
/*
 * Ends the current member, then copies LEN bytes of whole members from
 * FD (offset 0) straight behind the gzip filter, counting SQL_BYTES as the
 * pipe's input: how a table compressed elsewhere joins the stream.
 */
int pipe_gzip_append_members(struct pipe *p, int fd, uint64_t len, uint64_t sql_bytes);
/* From here on, the zlib gzip filter's level: 0 for data compressed already. */
int pipe_gzip_set_level(struct pipe *p, int level);

#endif
