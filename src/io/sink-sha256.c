#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "io/sink.h"
#include "base/xalloc.h"

struct sha256_sink {
	struct sink base;
	EVP_MD_CTX *ctx;
	char hex[65];
};

static int
sha_write(struct sink *s, const void *buf, size_t len)
{
	struct sha256_sink *h = (struct sha256_sink *)s;

	if (EVP_DigestUpdate(h->ctx, buf, len) != 1) {
		log_error("SHA-256 update failed");
		return -1;
	}
	return s->next ? sink_write(s->next, buf, len) : 0;
}

static int
sha_finish(struct sink *s)
{
	struct sha256_sink *h = (struct sha256_sink *)s;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != 32) {
		log_error("SHA-256 finalisation failed");
		return -1;
	}
	for (i = 0; i < len; i++)
		snprintf(h->hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static void
sha_destroy(struct sink *s)
{
	struct sha256_sink *h = (struct sha256_sink *)s;

	EVP_MD_CTX_free(h->ctx);
	free(h);
}

static const struct sink_ops sha_ops = { sha_write, sha_finish, sha_destroy };

struct sink *
sink_sha256_new(struct sink *next)
{
	struct sha256_sink *h = xcalloc(1, sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		log_error("cannot initialise SHA-256");
		EVP_MD_CTX_free(h->ctx);
		free(h);
		return NULL;
	}
	h->base.ops = &sha_ops;
	h->base.next = next;
	return &h->base;
}

void
sink_sha256_hex(const struct sink *s, char out[65])
{
	const struct sha256_sink *h = (const struct sha256_sink *)s;

	snprintf(out, 65, "%s", h->hex);
}
