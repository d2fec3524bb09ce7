#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "crypt/crypt.h"
#include "io/sink.h"

/*
 * Encryption and decryption as pipe stages: the format of crypt/crypt.h.
 * Each holds one chunk, plain and sealed, whatever the file's size; the
 * secretstream state (it holds a key) lives in locked memory.
 */
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

enum crypt_mode { HEADER, BODY, DONE, PLAIN };

struct crypt_sink {
	struct sink base;
	enum crypt_mode mode;
	crypto_secretstream_xchacha20poly1305_state *st;
	unsigned char header[CRYPT_HEADER_BYTES];
	size_t header_len;	/* decrypt: header bytes gathered so far */
	size_t chunk;		/* plaintext bytes per chunk */
	unsigned char *plain;	/* chunk bytes */
	unsigned char *sealed;	/* chunk + ABYTES */
	size_t len;		/* bytes gathered in plain (encrypt) or sealed (decrypt) */
	uint64_t nchunks;	/* chunks passed on */
	int plain_ok;		/* decrypt: input without the magic passes through */
	char *label;		/* messages: "LABEL: ..."; NULL: into err */
	char *err;
	size_t errlen;
};

static int bad(struct crypt_sink *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Logged with the label, or described in err for a caller that judges the file. */
static int
bad(struct crypt_sink *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sink_bad_input(c->label, c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
pass_on(struct crypt_sink *c, const void *buf, size_t len)
{
	return c->base.next ? sink_write(c->base.next, buf, len) : 0;
}

/* Encryption. */

static int
seal(struct crypt_sink *c, unsigned char tag)
{
	unsigned long long out_len;

	if (c->mode == HEADER) {
		c->mode = BODY;
		if (pass_on(c, c->header, CRYPT_HEADER_BYTES) < 0)
			return -1;
	}
	crypto_secretstream_xchacha20poly1305_push(c->st, c->sealed, &out_len, c->plain, c->len, c->header,
	    CRYPT_HEADER_BYTES, tag);
	c->len = 0;
	c->nchunks++;
	return pass_on(c, c->sealed, (size_t)out_len);
}

/* A full chunk is sealed only when more follows: the last one, full or not, is the FINAL one. */
static int
encrypt_write(struct sink *s, const void *buf, size_t len)
{
	struct crypt_sink *c = (struct crypt_sink *)s;
	const unsigned char *p = buf;

	while (len > 0) {
		size_t take;

		if (c->len == c->chunk && seal(c, TAG_MESSAGE) < 0)
			return -1;
		take = c->chunk - c->len < len ? c->chunk - c->len : len;
		memcpy(c->plain + c->len, p, take);
		c->len += take;
		p += take;
		len -= take;
	}
	return 0;
}

static int
encrypt_finish(struct sink *s)
{
	return seal((struct crypt_sink *)s, TAG_FINAL);
}

static void
crypt_destroy(struct sink *s)
{
	struct crypt_sink *c = (struct crypt_sink *)s;

	sodium_free(c->st);
	free(c->plain);
	free(c->sealed);
	free(c->label);
	free(c);
}

static const struct sink_ops encrypt_ops = { encrypt_write, encrypt_finish, crypt_destroy };

static struct crypt_sink *
crypt_sink_new(const struct sink_ops *ops, struct sink *next)
{
	struct crypt_sink *c;

	if (crypt_init() < 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->base.ops = ops;
	c->base.next = next;
	c->st = sodium_malloc(sizeof(*c->st));
	if (c->st == NULL) {
		log_error("out of locked memory for the encryption state");
		crypt_destroy(&c->base);
		return NULL;
	}
	return c;
}

struct sink *
sink_encrypt_new(struct sink *next)
{
	struct crypt_sink *c = crypt_sink_new(&encrypt_ops, next);
	struct crypt_header h;
	const unsigned char *key;

	if (c == NULL)
		return NULL;
	if (crypt_key_for_writing(&h, &key) < 0) {
		crypt_destroy(&c->base);
		return NULL;
	}
	crypto_secretstream_xchacha20poly1305_init_push(c->st, h.stream, key);
	crypt_header_encode(&h, c->header);
	c->chunk = h.chunk_bytes;
	c->plain = xmalloc(c->chunk);
	c->sealed = xmalloc(c->chunk + ABYTES);
	return &c->base;
}

/* Decryption. */

/* The header is whole: its key, then the stream. */
static int
open_header(struct crypt_sink *c)
{
	struct crypt_header h;
	const unsigned char *key;
	char why[384];

	if (crypt_header_decode(c->header, &h, why, sizeof(why)) < 0 ||
	    crypt_key_for_reading(&h, &key, why, sizeof(why)) < 0)
		return bad(c, "%s", why);
	if (crypto_secretstream_xchacha20poly1305_init_pull(c->st, h.stream, key) != 0)
		return bad(c, "the encryption header is damaged (its stream header is invalid)");
	c->chunk = h.chunk_bytes;
	c->plain = xmalloc(c->chunk);
	c->sealed = xmalloc(c->chunk + ABYTES);
	c->mode = BODY;
	return 0;
}

/* The gathered chunk: opened, checked to be where it may be, and passed on. */
static int
open_chunk(struct crypt_sink *c, int at_end)
{
	unsigned long long out_len;
	unsigned char tag;
	uint64_t at = CRYPT_HEADER_BYTES + c->nchunks * (uint64_t)(c->chunk + ABYTES);

	if (c->len < ABYTES ||
	    crypto_secretstream_xchacha20poly1305_pull(c->st, c->plain, &out_len, &tag, c->sealed, c->len,
	    c->header, CRYPT_HEADER_BYTES) != 0)
		return bad(c, "chunk %llu (at byte %llu) fails authentication: the file was %s",
		    (unsigned long long)c->nchunks + 1, (unsigned long long)at,
		    at_end ? "cut short, changed or appended to" : "changed, or chunks were dropped or moved");
	if (tag != TAG_MESSAGE && tag != TAG_FINAL)
		return bad(c, "chunk %llu has an unknown tag %u", (unsigned long long)c->nchunks + 1, tag);
	if (tag != TAG_FINAL && at_end)
		return bad(c, "cut short: it ends after chunk %llu, which is not the final one",
		    (unsigned long long)c->nchunks + 1);
	c->nchunks++;
	c->len = 0;
	if (tag == TAG_FINAL)
		c->mode = DONE;
	return pass_on(c, c->plain, (size_t)out_len);
}

static int
decrypt_header_bytes(struct crypt_sink *c, const unsigned char **p, size_t *len)
{
	size_t take = CRYPT_HEADER_BYTES - c->header_len < *len ? CRYPT_HEADER_BYTES - c->header_len : *len;
	size_t cmp = c->header_len + take < CRYPT_MAGIC_BYTES ? c->header_len + take : CRYPT_MAGIC_BYTES;

	memcpy(c->header + c->header_len, *p, take);
	c->header_len += take;
	*p += take;
	*len -= take;
	/* Not this format: plain input passes through where that is allowed. */
	if (c->plain_ok && memcmp(c->header, CRYPT_MAGIC, cmp) != 0) {
		c->mode = PLAIN;
		return pass_on(c, c->header, c->header_len);
	}
	return c->header_len == CRYPT_HEADER_BYTES ? open_header(c) : 0;
}

static int
decrypt_write(struct sink *s, const void *buf, size_t len)
{
	struct crypt_sink *c = (struct crypt_sink *)s;
	const unsigned char *p = buf;

	while (len > 0) {
		size_t take;

		switch (c->mode) {
		case PLAIN:
			return pass_on(c, p, len);
		case DONE:
			return bad(c, "%zu bytes or more after the final chunk: something was appended to the file", len);
		case HEADER:
			if (decrypt_header_bytes(c, &p, &len) < 0)
				return -1;
			continue;
		case BODY:
			break;
		}
		take = c->chunk + ABYTES - c->len < len ? c->chunk + ABYTES - c->len : len;
		memcpy(c->sealed + c->len, p, take);
		c->len += take;
		p += take;
		len -= take;
		if (c->len == c->chunk + ABYTES && open_chunk(c, 0) < 0)
			return -1;
	}
	return 0;
}

static int
decrypt_finish(struct sink *s)
{
	struct crypt_sink *c = (struct crypt_sink *)s;

	switch (c->mode) {
	case PLAIN:
	case DONE:
		return 0;
	case HEADER:
		if (c->plain_ok && c->header_len == 0)
			return 0;
		return bad(c, "cut short inside its encryption header (%zu of %d bytes)", c->header_len, CRYPT_HEADER_BYTES);
	case BODY:
		break;
	}
	if (c->len == 0)
		return bad(c, "cut short: no final chunk after %llu chunks", (unsigned long long)c->nchunks);
	return open_chunk(c, 1);
}

static const struct sink_ops decrypt_ops = { decrypt_write, decrypt_finish, crypt_destroy };

struct sink *
sink_decrypt_new(struct sink *next, const char *label, int plain_ok, char *err, size_t errlen)
{
	struct crypt_sink *c = crypt_sink_new(&decrypt_ops, next);

	if (c == NULL)
		return NULL;
	c->plain_ok = plain_ok;
	c->label = label ? xstrdup(label) : NULL;
	c->err = err;
	c->errlen = errlen;
	return &c->base;
}

int
sink_decrypt_found(const struct sink *s)
{
	const struct crypt_sink *c = (const struct crypt_sink *)s;

	return c->mode == BODY || c->mode == DONE;
}
