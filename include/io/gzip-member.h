#ifndef LOTBACKUP_GZIP_MEMBER_H
#define LOTBACKUP_GZIP_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include <libdeflate.h>

/*
 * The gzip members lotbackup writes (RFC 1952), each saying in its header,
 * in an extra field "LB" as BGZF's "BC" does, its own length and how many
 * bytes of SQL it holds. A reader can so step from member to member without
 * inflating any: a later part of a table loaded in parts starts at the
 * member holding its first row. gzip readers skip the field (FEXTRA).
 */
#define GZIP_MEMBER_HEADER 24	/* 10 bytes, XLEN, then SI1 SI2 LEN and the field's 8 bytes */
#define GZIP_MEMBER_MAX_SQL (64u << 20)	/* in one member; keeps both sizes well inside 32 bits */

/*
 * Where a gzip member starts, or the stream ends: its offset in the gzip
 * stream (IN) and in the bytes inflated from it (OUT). A reader's record of
 * them tells whether a range of the stream is whole members, and of what.
 */
struct gzip_boundary {
	uint64_t in;
	uint64_t out;
};

/* Room the member of in_len bytes may need. */
size_t gzip_member_bound(struct libdeflate_compressor *c, size_t in_len);
/* Compresses in[0..in_len) (at most GZIP_MEMBER_MAX_SQL) into one member; its length, or 0 (no room). */
size_t gzip_member_compress(struct libdeflate_compressor *c, const void *in, size_t in_len,
    unsigned char *out, size_t out_cap);
/* 1 when hdr[0..len) begins with such a header (the two sizes set), else 0. */
int gzip_member_sizes(const unsigned char *hdr, size_t len, uint32_t *member_len, uint32_t *sql_len);

#endif
