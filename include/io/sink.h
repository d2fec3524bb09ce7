#ifndef LOTBACKUP_SINK_H
#define LOTBACKUP_SINK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "io/gzip-member.h"

/*
 * The stages of a pipe (io/pipe.h), private to io/ and its unit tests:
 * everything else builds and uses pipes.
 *
 * Every output flows one way through a chain of small sinks, e.g.
 * dump -> gzip -> sha256 -> atomic file. Each sink passes its output to
 * `next`. Streaming, checksums and crash safety are written once, here.
 *
 * Life cycle: create the chain from the end (file first), write, then
 * sink_finish() the head (flushes every stage and fsyncs the file), publish
 * the file, and sink_free() the head. Freeing a chain that was not finished
 * and published discards it: the temporary file is removed.
 */
struct sink;

struct sink_ops {
	int (*write)(struct sink *s, const void *buf, size_t len);
	/* Push out any buffered state into s->next. Does not finish next. */
	int (*finish)(struct sink *s);
	void (*destroy)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	struct sink *next;
	uint64_t bytes_in;	/* bytes written into this stage */
	int finished;
};

int sink_write(struct sink *s, const void *buf, size_t len);
/* Finishes every stage from s to the end of the chain, in order. */
int sink_finish(struct sink *s);
/* Frees the whole chain from s on. */
void sink_free(struct sink *s);

/*
 * Atomic file: writes PATH.tmp (mode `mode`, O_EXCL), fsyncs on finish;
 * sink_file_publish() renames it to PATH without replacing an existing
 * file, and fsyncs the directory. Freed unpublished, PATH.tmp is removed.
 */
struct sink *sink_file_create(const char *path, mode_t mode);
int sink_file_publish(struct sink *file_sink);
/* Closes and removes PATH.tmp now (a failed pipe); publishing is refused after. */
void sink_file_discard(struct sink *file_sink);

/* gzip (RFC 1952) at `level` 0-9. */
struct sink *sink_gzip_new(struct sink *next, int level);
/*
 * gzip with `jobs` compression threads (at least one, beside the caller's):
 * independent members of up to 1 MiB of input, passed on in order, made
 * with libdeflate at `level` 0-12. Not for sink_gzip_set_level.
 */
struct sink *sink_pgzip_new(struct sink *next, int level, int jobs);
/* Changes the level from here on, e.g. 0 for data that is compressed already. */
int sink_gzip_set_level(struct sink *gzip_sink, int level);

/* Passes bytes through unchanged and hashes them. */
struct sink *sink_sha256_new(struct sink *next);
/* Hex digest; valid after sink_finish(). */
void sink_sha256_hex(const struct sink *sha_sink, char out[65]);

/* Passes bytes through unchanged and keeps their CRC-32. */
struct sink *sink_crc32_new(struct sink *next);
uint32_t sink_crc32_value(const struct sink *crc_sink);

/* Inflates gzip (one member or many): see pipe_add_gunzip. */
struct sink *sink_gunzip_new(struct sink *next, const char *label, int plain_ok, char *err, size_t errlen);
int sink_gunzip_found_gzip(const struct sink *gunzip_sink);
/* Its members' starts and the stream's end so far (pipe_gunzip_boundaries). */
const struct gzip_boundary *sink_gunzip_boundaries(const struct sink *gunzip_sink, size_t *n);
/* Inflates up to JOBS members side by side (before the first write; 1: one at a time). */
void sink_gunzip_set_jobs(struct sink *gunzip_sink, int jobs);

/* Encryption and decryption with the run's key: see pipe_add_encrypt and pipe_add_decrypt. */
struct sink *sink_encrypt_new(struct sink *next);
struct sink *sink_decrypt_new(struct sink *next, const char *label, int plain_ok, char *err, size_t errlen);
int sink_decrypt_found(const struct sink *decrypt_sink);

/* An end that hands the bytes to FN (0 to go on, -1 to stop). */
struct sink *sink_consumer_new(int (*fn)(void *arg, const void *buf, size_t len), void *arg);

/*
 * A pass-through sink that adds to p (NULL: just passes on) the bytes
 * written through it, or with sink_progress_count() what COUNTED grew by:
 * behind a compressor, the pipe's input.
 */
struct progress;
struct sink *sink_progress_new(struct sink *next, struct progress *p);
void sink_progress_count(struct sink *progress_sink, const uint64_t *counted);

/*
 * A nameless temporary file in DIR (O_TMPFILE, 0600): gone when freed or
 * on a crash. sink_spill_fd() reads it back (pread).
 */
struct sink *sink_spill_create(const char *dir);
int sink_spill_fd(const struct sink *spill_sink);

/* 1 when S is a pgzip sink. */
int sink_is_pgzip(const struct sink *s);

/*
 * Ends the pgzip sink's current member and passes on everything pending;
 * *pos is then the number of compressed bytes passed on so far: where the
 * next member will start. 0 or -1 (reported).
 */
int sink_pgzip_flush(struct sink *pgzip_sink, uint64_t *pos);

/*
 * Ends the pgzip sink's current member, passes on everything pending, then
 * copies LEN bytes of finished gzip members from FD (from offset 0) straight
 * into the next stage, counting SQL_BYTES as input: how a table compressed
 * elsewhere joins the stream. 0 or -1 (reported).
 */
int sink_pgzip_append_members(struct sink *pgzip_sink, int fd, uint64_t len, uint64_t sql_bytes);

/* A tee (pipe_add_tee): passes bytes on and hands a copy to OPS. */
struct pipe_tee_ops;
struct sink *sink_tee_new(struct sink *next, const struct pipe_tee_ops *ops, void *arg);
void *sink_tee_arg(const struct sink *tee_sink);
/* Tells the tee the pipe failed: its abort, once, unless it finished. */
void sink_tee_abort(struct sink *tee_sink);
/*
 * Bad input met by a reading stage: logged as "LABEL: message", or with
 * LABEL NULL described in ERR for a caller that judges the data. -1.
 */
int sink_bad_input(const char *label, char *err, size_t errlen, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Discards everything; a chain end for measuring or hashing only. */
struct sink *sink_null_new(void);

#endif
