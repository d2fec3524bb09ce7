#include <string.h>

#include <libdeflate.h>

#include "restore/row-sum.h"

/* splitmix64's finaliser: rows that differ in a few bits land far apart, so sums rarely cancel. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t
row_sum_add(uint64_t sum, const char *rows, size_t len)
{
	const char *p = rows, *end = rows + len, *nl;
	size_t n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		sum += mix((uint64_t)libdeflate_crc32(0, p, n) << 32 | (uint32_t)n);
		p += n;
	}
	return sum;
}
