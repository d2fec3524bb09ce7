#include <string.h>

#include "io/gzip-member.h"

#define TRAILER 8	/* CRC-32 and ISIZE */

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ID1 ID2, deflate, FEXTRA only, no time, no extra flags, OS unknown; XLEN 12; "LB", 8 bytes. */
static const unsigned char fixed[16] = { 0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 12, 0, 'L', 'B', 8, 0 };

size_t
gzip_member_bound(struct libdeflate_compressor *c, size_t in_len)
{
	return GZIP_MEMBER_HEADER + libdeflate_deflate_compress_bound(c, in_len) + TRAILER;
}

size_t
gzip_member_compress(struct libdeflate_compressor *c, const void *in, size_t in_len,
    unsigned char *out, size_t out_cap)
{
	size_t n;

	if (in_len > GZIP_MEMBER_MAX_SQL || out_cap < GZIP_MEMBER_HEADER + TRAILER)
		return 0;
	n = libdeflate_deflate_compress(c, in, in_len, out + GZIP_MEMBER_HEADER, out_cap - GZIP_MEMBER_HEADER - TRAILER);
	if (n == 0)
		return 0;
	n += GZIP_MEMBER_HEADER + TRAILER;
	memcpy(out, fixed, sizeof(fixed));
	put_le32(out + 16, (uint32_t)n);
	put_le32(out + 20, (uint32_t)in_len);
	put_le32(out + n - TRAILER, libdeflate_crc32(0, in, in_len));
	put_le32(out + n - 4, (uint32_t)in_len);
	return n;
}

int
gzip_member_sizes(const unsigned char *hdr, size_t len, uint32_t *member_len, uint32_t *sql_len)
{
	if (len < GZIP_MEMBER_HEADER || memcmp(hdr, fixed, 4) != 0 || memcmp(hdr + 10, fixed + 10, 6) != 0)
		return 0;
	*member_len = get_le32(hdr + 16);
	*sql_len = get_le32(hdr + 20);
	return *member_len >= GZIP_MEMBER_HEADER + TRAILER;
}
