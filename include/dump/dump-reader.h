#ifndef LOTBACKUP_DUMP_READER_H
#define LOTBACKUP_DUMP_READER_H

#include <stddef.h>
#include <stdint.h>

#include "io/gzip-member.h"

/*
 * The source side of verify and restore: reads a dump file, plain SQL or
 * gzip (multi-member streams too), and passes the SQL on in chunks while
 * hashing the file's bytes. Never holds the file in memory.
 */
struct dump_read_stats {
	uint64_t file_bytes;
	uint64_t sql_bytes;
	char sha256[65];	/* of the file as stored */
	int gzip;
	int encrypted;		/* the file is encrypted (crypt/crypt.h) */
	/* DUMP_READ_CORRUPT from the decryption: its header did not open (no or a wrong key), or a chunk */
	int key_failed;
	int decrypt_failed;
	/* A whole gzip file read to its end: its members' starts and its end (dump_read_stats_free). */
	struct gzip_boundary *bounds;
	size_t nbounds;
	/* Bad gzip data (DUMP_READ_CORRUPT): the member it is in, 1 for the first (0: not known), and where it starts */
	size_t bad_member;
	uint64_t bad_member_at;	/* in the gzip stream: the file's offset unless encrypted */
};
void dump_read_stats_free(struct dump_read_stats *stats);

/* Returns 0 to go on, -1 to stop reading. */
typedef int (*dump_chunk_fn)(void *ctx, const char *buf, size_t len);

enum {
	DUMP_READ_OK = 0,
	DUMP_READ_IO_ERROR = -1,	/* could not read: reported with the path */
	DUMP_READ_CORRUPT = -2,		/* bad gzip data or CRC, cut short: message in err */
	DUMP_READ_STOPPED = -3,		/* the callback returned -1 */
};

int dump_read(const char *path, dump_chunk_fn fn, void *ctx, struct dump_read_stats *stats,
    char *err, size_t errlen);
/*
 * A whole dump that is not a local file, named NAME (an encrypted one's
 * name says so, as a file's does): FEED streams its bytes into the pipe
 * the reader built (e.g. pipe_read_s3), 0 or -1 (reported). The same
 * return values; a failed FEED is DUMP_READ_IO_ERROR.
 */
struct pipe;
typedef int (*dump_feed_fn)(void *arg, struct pipe *p);
int dump_read_feed(const char *name, dump_feed_fn feed, void *arg, dump_chunk_fn fn, void *ctx,
    struct dump_read_stats *stats, char *err, size_t errlen);

/*
 * Where restore reads a dump by byte ranges: a local file (PATH), or
 * (PATH NULL) anything FEED can stream LENGTH bytes (UINT64_MAX: to the
 * end) of, from OFFSET, into the pipe the reader built, 0 or -1 (reported),
 * e.g. ranged GETs of an S3 object. FEED is called from several threads
 * at once. NAME names the dump in messages; NAME.enc says it is encrypted.
 */
typedef int (*dump_range_fn)(void *arg, struct pipe *p, uint64_t offset, uint64_t length);
struct dump_source {
	const char *name;
	const char *path;
	dump_range_fn feed;
	void *arg;
	/*
	 * The members' starts as a whole read of the source recorded them
	 * (dump_read_stats.bounds; NULL: none): dump_find_member then looks
	 * there instead of reading each member's header (a GET each, remote).
	 */
	const struct gzip_boundary *bounds;
	size_t nbounds;
};
/* A source of the local file PATH. */
struct dump_source dump_source_file(const char *path);

/* The whole of SRC (as dump_read, its members inflated on every core). */
int dump_read_source(const struct dump_source *src, dump_chunk_fn fn, void *ctx, struct dump_read_stats *stats,
    char *err, size_t errlen);
/* The same for LENGTH bytes of whole gzip members (or plain SQL) from OFFSET. */
int dump_read_range(const struct dump_source *src, uint64_t offset, uint64_t length, dump_chunk_fn fn, void *ctx,
    char *err, size_t errlen);
/*
 * In LENGTH bytes of lotbackup's members from OFFSET (gzip-member.h), the
 * member holding SQL byte AT of them, found by its headers alone: where it
 * starts and how much SQL comes before it, both from OFFSET. 0 found; 1 the
 * members do not say their sizes (older dumps) or end before AT: read from
 * OFFSET then; -1 the file cannot be read (reported).
 */
/* 1 when SRC begins with the encryption magic (crypt/crypt.h), 0 when not, -1 (reported). */
int dump_source_encrypted(const struct dump_source *src);
int dump_find_member(const struct dump_source *src, uint64_t offset, uint64_t length, uint64_t at,
    uint64_t *member_at, uint64_t *sql_before);
/*
 * pg_dump's other formats, which lotbackup does not read, told by their
 * first bytes (a directory by its toc.dat): a phrase naming the format,
 * or NULL for anything else (plain SQL, gzip, ours).
 */
const char *dump_foreign_format(const char *path);

#endif
