/*
 * The members lotbackup writes: standard gzip that libdeflate and zlib (so
 * gunzip, libarchive, psql's users) read, whose header says the member's
 * own length and its SQL's, and nothing else passes for one.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/gzip-member.h"
#include "unit.h"

static int
zlib_reads(const unsigned char *m, size_t len, const char *want, size_t want_len)
{
	unsigned char out[4096];
	z_stream zs;
	int ok;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return 0;
	zs.next_in = (unsigned char *)m;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	ok = inflate(&zs, Z_FINISH) == Z_STREAM_END && zs.total_out == want_len &&
	    memcmp(out, want, want_len) == 0 && zs.avail_in == 0;
	inflateEnd(&zs);
	return ok;
}

int
main(void)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(5);
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	const char *sql = "COPY public.t (a, b) FROM stdin;\n1\tone\n2\ttwo\n\\.\n\n";
	size_t len = strlen(sql), cap = gzip_member_bound(c, len), n, in_used = 0, out_len = 0;
	unsigned char *m = malloc(cap), *two = malloc(2 * cap), bad[GZIP_MEMBER_HEADER];
	char out[256];
	uint32_t mlen = 0, slen = 0;

	n = gzip_member_compress(c, sql, len, m, cap);
	UNIT_CHECK("compresses", n > GZIP_MEMBER_HEADER);
	UNIT_CHECK("header-gives-sizes", gzip_member_sizes(m, n, &mlen, &slen) && mlen == n && slen == len);
	UNIT_CHECK("libdeflate-reads", libdeflate_gzip_decompress_ex(d, m, n, out, sizeof(out), &in_used, &out_len) ==
	    LIBDEFLATE_SUCCESS && in_used == n && out_len == len && memcmp(out, sql, len) == 0);
	UNIT_CHECK("zlib-reads", zlib_reads(m, n, sql, len));
	/* Two members back to back: the first's length leads to the second. */
	memcpy(two, m, n);
	memcpy(two + n, m, n);
	UNIT_CHECK("steps-to-next-member", gzip_member_sizes(two + mlen, n, &mlen, &slen) && mlen == n);
	UNIT_CHECK("empty-member", gzip_member_compress(c, "", 0, m, cap) > 0 &&
	    gzip_member_sizes(m, cap, &mlen, &slen) && slen == 0);
	UNIT_CHECK("no-room", gzip_member_compress(c, sql, len, m, 10) == 0);
	/* A plain gzip header (older dumps) and cut or bent ones are not ours. */
	memcpy(bad, m, sizeof(bad));
	bad[3] = 0;
	UNIT_CHECK("plain-gzip-not-ours", !gzip_member_sizes(bad, sizeof(bad), &mlen, &slen));
	UNIT_CHECK("short-header-not-ours", !gzip_member_sizes(m, GZIP_MEMBER_HEADER - 1, &mlen, &slen));
	memcpy(bad, m, sizeof(bad));
	bad[12] = 'X';
	UNIT_CHECK("other-field-not-ours", !gzip_member_sizes(bad, sizeof(bad), &mlen, &slen));
	memcpy(bad, m, sizeof(bad));
	memset(bad + 16, 0, 4);
	UNIT_CHECK("impossible-length-not-ours", !gzip_member_sizes(bad, sizeof(bad), &mlen, &slen));
	free(m);
	free(two);
	libdeflate_free_compressor(c);
	libdeflate_free_decompressor(d);
	return unit_done();
}
