#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "restore/row-sum.h"

struct row_hasher {
	EVP_MD_CTX *ctx;
	EVP_MD *md;	/* fetched once: a fetch per row would cost more than the hash */
};

struct row_hasher *
row_hasher_new(void)
{
	struct row_hasher *h = xcalloc(1, sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (h->ctx == NULL || h->md == NULL) {
		log_error("OpenSSL cannot hash with SHA-256");
		row_hasher_free(h);
		return NULL;
	}
	return h;
}

void
row_hasher_free(struct row_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
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

int
row_sum_add(struct row_hasher *h, struct row_sum *sum, const char *rows, size_t len)
{
	const char *p = rows, *end = rows + len, *nl;
	unsigned char md[EVP_MAX_MD_SIZE];
	uint64_t lo;
	size_t n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 || EVP_DigestUpdate(h->ctx, p, n) != 1 ||
		    EVP_DigestFinal_ex(h->ctx, md, NULL) != 1) {
			log_error("OpenSSL failed to hash a row");
			return -1;
		}
		/* Two 64-bit lanes with a carry: one 128-bit sum. */
		lo = sum->lo + be64(md + 8);
		sum->hi += be64(md) + (lo < sum->lo);
		sum->lo = lo;
		p += n;
	}
	return 0;
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
