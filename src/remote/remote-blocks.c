/* Tying an object's later reads to the bytes its check passed (remote/remote-blocks.h). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "io/pipe.h"
#include "remote/remote-blocks.h"

int
object_blocks_init(struct object_blocks *b)
{
	memset(b, 0, sizeof(*b));
	if (sodium_init() < 0) {
		log_error("libsodium cannot start (no entropy source?): no key for the object's block sums");
		return -1;
	}
	randombytes_buf(b->key, sizeof(b->key));
	crypto_generichash_init(&b->block, b->key, sizeof(b->key), OBJECT_SUM_BYTES);
	b->recording = 1;
	return 0;
}

void
object_blocks_free(struct object_blocks *b)
{
	free(b->sums);
	sodium_memzero(b, sizeof(*b));
}

/* The block being recorded is complete (or the object's last): its sum kept, the next begun. */
static void
end_block(struct object_blocks *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->sums = xrealloc(b->sums, b->cap * sizeof(*b->sums));
	}
	crypto_generichash_final(&b->block, b->sums[b->n++], OBJECT_SUM_BYTES);
	crypto_generichash_init(&b->block, b->key, sizeof(b->key), OBJECT_SUM_BYTES);
}

void
object_blocks_record(struct object_blocks *b, uint64_t offset, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (b->broken || b->sealed || offset != b->recorded) {
		b->broken = 1;
		return;
	}
	while (len > 0) {
		size_t room = (size_t)(OBJECT_BLOCK - b->recorded % OBJECT_BLOCK), n = len < room ? len : room;

		crypto_generichash_update(&b->block, p, n);
		b->recorded += n;
		p += n;
		len -= n;
		if (b->recorded % OBJECT_BLOCK == 0)
			end_block(b);
	}
}

void
object_blocks_seal(struct object_blocks *b)
{
	if (!b->sealed && b->recorded % OBJECT_BLOCK != 0)
		end_block(b);
	b->sealed = 1;
	b->recording = 0;
}

void
object_blocks_span(const struct object_blocks *b, uint64_t offset, uint64_t length, uint64_t *from, uint64_t *to,
    uint64_t *end)
{
	uint64_t start = offset < b->recorded ? offset : b->recorded;

	/* LENGTH may be UINT64_MAX (to the end): no sum that could wrap. */
	*end = start + (length < b->recorded - start ? length : b->recorded - start);
	*from = start / OBJECT_BLOCK * OBJECT_BLOCK;
	*to = (*end + OBJECT_BLOCK - 1) / OBJECT_BLOCK * OBJECT_BLOCK;
	if (*to > b->recorded)
		*to = b->recorded;
}

void
object_check_init(struct object_check *k, const struct object_blocks *b, struct pipe *p, const char *name,
    uint64_t from, uint64_t to, uint64_t want, uint64_t want_end)
{
	memset(k, 0, sizeof(*k));
	k->b = b;
	k->p = p;
	k->name = name;
	k->at = from;
	k->to = to;
	k->want = want;
	k->want_end = want_end;
	k->buf = xmalloc(OBJECT_BLOCK);
}

/* The block in k->buf (k->len bytes, at k->at) against its sum; then its wanted bytes on to the pipe. */
static int
pass_block(struct object_check *k)
{
	unsigned char sum[OBJECT_SUM_BYTES];
	uint64_t i = k->at / OBJECT_BLOCK, lo, hi;

	crypto_generichash(sum, sizeof(sum), k->buf, k->len, k->b->key, sizeof(k->b->key));
	if (!k->b->sealed || k->b->broken || i >= k->b->n || sodium_memcmp(sum, k->b->sums[i], sizeof(sum)) != 0) {
		log_error("%s: bytes %llu to %llu are not those checked before the load (the object changed on the "
		    "server since, or something on the connection changed them): stopped", k->name,
		    (unsigned long long)k->at, (unsigned long long)(k->at + k->len));
		return -1;
	}
	lo = k->want > k->at ? k->want - k->at : 0;
	hi = k->want_end < k->at + k->len ? k->want_end - k->at : k->len;
	if (hi > lo && pipe_write(k->p, k->buf + lo, (size_t)(hi - lo)) < 0)
		return -1;
	k->at += k->len;
	k->len = 0;
	return 0;
}

int
object_check_write(void *arg, const void *buf, size_t len)
{
	struct object_check *k = arg;
	const unsigned char *p = buf;

	while (len > 0) {
		size_t room = (size_t)(OBJECT_BLOCK - k->len), n = len < room ? len : room;

		if (k->at + k->len + n > k->to) {
			log_error("%s: the server sent more than bytes %llu to %llu asked for", k->name,
			    (unsigned long long)k->at, (unsigned long long)k->to);
			return -1;
		}
		memcpy(k->buf + k->len, p, n);
		k->len += n;
		p += n;
		len -= n;
		if (k->len == OBJECT_BLOCK && pass_block(k) < 0)
			return -1;
	}
	return 0;
}

int
object_check_end(struct object_check *k, int read_ok)
{
	int rc = 0;

	/* A read that failed was reported where it failed: its short reply is no news. */
	if (!read_ok)
		rc = -1;
	else if (k->len > 0 && k->at + k->len == k->to)
		rc = pass_block(k);
	else if (k->len > 0 || k->at != k->to) {
		log_error("%s: the server's reply ends at byte %llu, before byte %llu", k->name,
		    (unsigned long long)(k->at + k->len), (unsigned long long)k->to);
		rc = -1;
	}
	free(k->buf);
	k->buf = NULL;
	return rc;
}
