#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "restore/row-sum.h"

_Static_assert(sizeof(((struct row_key *)0)->k) == crypto_shorthash_siphashx24_KEYBYTES, "SipHash-128 key size");

int
row_key_make(struct row_key *key)
{
	if (sodium_init() < 0) {
		log_error("libsodium cannot start (no entropy source?): no key for the row fingerprints");
		return -1;
	}
	randombytes_buf(key->k, sizeof(key->k));
	return 0;
}

static uint64_t
be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Two 64-bit lanes with a carry: one 128-bit sum. */
static void
add128(struct row_sum *sum, uint64_t hi, uint64_t lo)
{
	uint64_t l = sum->lo + lo;

	sum->hi += hi + (l < sum->lo);
	sum->lo = l;
}

void
row_sum_add(const struct row_key *key, struct row_sum *sum, const char *rows, size_t len)
{
	const char *p = rows, *end = rows + len, *nl;
	unsigned char md[crypto_shorthash_siphashx24_BYTES];
	size_t n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		crypto_shorthash_siphashx24(md, (const unsigned char *)p, n, key->k);
		add128(sum, be64(md), be64(md + 8));
		p += n;
	}
}

void
row_sum_add_one(const struct row_key *key, struct row_sum *sum, const void *item, size_t len)
{
	unsigned char md[crypto_shorthash_siphashx24_BYTES];

	crypto_shorthash_siphashx24(md, item, len, key->k);
	add128(sum, be64(md), be64(md + 8));
}

void
blob_sum_create(const struct row_key *key, struct row_sum *sum, unsigned long oid)
{
	char item[32];
	int n = snprintf(item, sizeof(item), "C %lu\n", oid);

	row_sum_add_one(key, sum, item, (size_t)n);
}

void
blob_sum_chunk(const struct row_key *key, struct row_sum *sum, unsigned long oid, long long offset,
    const void *data, size_t len)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "D %lu %lld\n", oid, offset);
	unsigned char *item = xmalloc((size_t)n + len + 1);

	memcpy(item, head, (size_t)n);
	memcpy(item + n, data, len);
	row_sum_add_one(key, sum, item, (size_t)n + len);
	free(item);
}

void
row_sum_merge(struct row_sum *sum, const struct row_sum *part)
{
	add128(sum, part->hi, part->lo);
}

int
row_sum_equal(const struct row_sum *a, const struct row_sum *b)
{
	return a->hi == b->hi && a->lo == b->lo;
}

void
row_sum_hex(const struct row_sum *sum, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)sum->hi, (unsigned long long)sum->lo);
}
