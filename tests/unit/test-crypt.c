/*
 * The encrypt and decrypt filters (crypt/crypt.h's format): a round trip
 * of every size around the chunk, and each way of tampering with a file
 * detected, with a key file and with a passphrase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "crypt/crypt.h"
#include "io/pipe.h"
#include "unit.h"

#define CH CRYPT_CHUNK_BYTES
#define SEALED (CH + 17)
#define HDR CRYPT_HEADER_BYTES

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static int
collect(void *arg, const void *data, size_t len)
{
	struct buf *b = arg;

	if (b->len + len > b->cap)
		b->p = xrealloc(b->p, b->cap = (b->len + len) * 2 + 1);
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

static unsigned char *
pattern(size_t len)
{
	unsigned char *p = xmalloc(len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 131 + (i >> 9));
	return p;
}

/* IN through encrypt, written in pieces of STEP bytes. */
static int
encrypt(const unsigned char *in, size_t len, size_t step, struct buf *out)
{
	struct pipe *p = pipe_new();
	size_t off;
	int rc;

	memset(out, 0, sizeof(*out));
	pipe_add_encrypt(p);
	pipe_to_consumer(p, collect, out);
	for (off = 0; off < len; off += step)
		if (pipe_write(p, in + off, len - off < step ? len - off : step) < 0)
			break;
	rc = pipe_finish(p);
	pipe_free(p);
	return rc;
}

/* IN through decrypt (a file must be encrypted: plain_ok 0); why in ERR. */
static int
decrypt(const unsigned char *in, size_t len, size_t step, struct buf *out, char *err, size_t errlen)
{
	struct pipe *p = pipe_new();
	size_t off;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	pipe_add_decrypt(p, NULL, 0, err, errlen);
	pipe_to_consumer(p, collect, out);
	for (off = 0; off < len; off += step)
		if (pipe_write(p, in + off, len - off < step ? len - off : step) < 0)
			goto out;
	rc = pipe_finish(p);
out:
	pipe_free(p);
	return rc;
}

static void
round_trips(const char *what)
{
	static const size_t sizes[] = { 0, 1, CH - 1, CH, CH + 1, 2 * CH, 5u << 20 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *in = pattern(sizes[i]);
		struct buf enc, dec;
		char name[128], err[512];
		size_t chunks = sizes[i] / CH + (sizes[i] % CH != 0 || sizes[i] == 0);
		int ok;

		ok = encrypt(in, sizes[i], 10000, &enc) == 0;
		ok = ok && enc.len == HDR + sizes[i] + 17 * chunks;
		ok = ok && (sizes[i] < 64 || memmem(enc.p, enc.len, in, 64) == NULL);
		ok = ok && decrypt(enc.p, enc.len, 777, &dec, err, sizeof(err)) == 0;
		ok = ok && dec.len == sizes[i] && (sizes[i] == 0 || memcmp(dec.p, in, sizes[i]) == 0);
		snprintf(name, sizeof(name), "%s-round-trip-%zu", what, sizes[i]);
		UNIT_CHECK(name, ok);
		free(in);
		free(enc.p);
		free(dec.p);
	}
}

/* TAMPERED must fail to decrypt, saying WANT. */
static void
refused(const char *name, const unsigned char *tampered, size_t len, const char *want)
{
	struct buf dec;
	char err[512] = "";
	int rc = decrypt(tampered, len, 4096, &dec, err, sizeof(err));

	if (!UNIT_CHECK(name, rc < 0 && strstr(err, want) != NULL))
		printf("# %s: rc %d, err '%s', want '%s'\n", name, rc, err, want);
	free(dec.p);
}

static void
tampering(void)
{
	size_t len = 3 * CH + 1000, i;
	unsigned char *in = pattern(len), *t;
	struct buf enc;
	char name[64];

	encrypt(in, len, 65536, &enc);	/* header + 3 full chunks + a final one */
	t = xmalloc(enc.len + 16);

	memcpy(t, enc.p, enc.len);
	t[0] ^= 1;
	refused("tamper-magic", t, enc.len, "not an encrypted lotbackup file");
	memcpy(t, enc.p, enc.len);
	t[30] ^= 1;	/* the salt: unused by a key file, but authenticated */
	refused("tamper-header-salt", t, enc.len, "chunk 1 (at byte 76) fails authentication");
	memcpy(t, enc.p, enc.len);
	t[45] ^= 1;
	refused("tamper-header-fingerprint", t, enc.len, "wrong key");
	memcpy(t, enc.p, enc.len);
	t[60] ^= 1;
	refused("tamper-stream-header", t, enc.len, "fails authentication");
	memcpy(t, enc.p, enc.len);
	t[HDR + SEALED + 100] ^= 0x40;
	refused("tamper-chunk", t, enc.len, "chunk 2 (at byte");
	memcpy(t, enc.p, enc.len);
	t[enc.len - 1] ^= 1;
	refused("tamper-last-byte", t, enc.len, "chunk 4");

	for (i = 0; i <= 3; i++) {
		snprintf(name, sizeof(name), "truncate-after-chunk-%zu", i);
		refused(name, enc.p, HDR + i * SEALED, i == 0 ? "no final chunk after 0 chunks" : "no final chunk");
		snprintf(name, sizeof(name), "truncate-in-chunk-%zu", i + 1);
		refused(name, enc.p, HDR + i * SEALED + 500, "cut short");
	}
	refused("truncate-in-header", enc.p, 40, "cut short inside its encryption header");
	refused("truncate-last-byte", enc.p, enc.len - 1, "cut short");

	/* Chunk 2 dropped. */
	memcpy(t, enc.p, HDR + SEALED);
	memcpy(t + HDR + SEALED, enc.p + HDR + 2 * SEALED, enc.len - HDR - 2 * SEALED);
	refused("drop-chunk", t, enc.len - SEALED, "chunk 2 (at byte");
	/* Chunks 2 and 3 swapped. */
	memcpy(t, enc.p, enc.len);
	memcpy(t + HDR + SEALED, enc.p + HDR + 2 * SEALED, SEALED);
	memcpy(t + HDR + 2 * SEALED, enc.p + HDR + SEALED, SEALED);
	refused("swap-chunks", t, enc.len, "chunks were dropped or moved");
	/* Bytes after the final chunk. */
	memcpy(t, enc.p, enc.len);
	memcpy(t + enc.len, "appended", 8);
	refused("append-bytes", t, enc.len + 8, "fails authentication: the file was cut short, changed or appended to");
	free(t);
	free(enc.p);
	/* After a full final chunk, appended bytes are told apart. */
	encrypt(in, 3 * CH, 65536, &enc);
	t = xmalloc(enc.len + 16);
	memcpy(t, enc.p, enc.len);
	memcpy(t + enc.len, "appended", 8);
	refused("append-bytes-after-full-chunk", t, enc.len + 8, "8 bytes or more after the final chunk");
	free(t);
	free(in);
	free(enc.p);
}

/* A file made with one key, read with another: refused naming the key it wants. */
static void
wrong_key(const char *dir)
{
	unsigned char *in = pattern(1000);
	struct buf enc, dec;
	char *k1 = xasprintf("%s/one.key", dir), *k2 = xasprintf("%s/two.key", dir);
	char fp1[CRYPT_FP_HEX], fp2[CRYPT_FP_HEX], err[512] = "", want[128];
	struct stat st;

	UNIT_CHECK("keygen", crypt_keygen(k1, fp1) == 0 && crypt_keygen(k2, fp2) == 0);
	UNIT_CHECK("keygen-mode-0600", stat(k1, &st) == 0 && (st.st_mode & 0777) == 0600);
	UNIT_CHECK("keygen-never-overwrites", crypt_keygen(k1, fp2) < 0);
	UNIT_CHECK("key-file-loads", crypt_use_key_file(k1) == 0);
	encrypt(in, 1000, 1000, &enc);
	UNIT_CHECK("key-file-round-trip", decrypt(enc.p, enc.len, 100, &dec, err, sizeof(err)) == 0 && dec.len == 1000);
	free(dec.p);
	crypt_use_key_file(k2);
	snprintf(want, sizeof(want), "wrong key: the file wants key fingerprint %s, key file %s gives %s", fp1, k2, fp2);
	refused("wrong-key-file", enc.p, enc.len, want);
	crypt_use_passphrase("a passphrase", "LOTBACKUP_PASSPHRASE");
	refused("passphrase-for-key-file", enc.p, enc.len, "encrypted with a key file");
	crypt_forget();
	refused("no-key", enc.p, enc.len, "no key was given: set LOTBACKUP_KEY_FILE");
	free(enc.p);

	crypt_use_passphrase("correct horse battery staple", "LOTBACKUP_PASSPHRASE");
	encrypt(in, 1000, 1000, &enc);
	UNIT_CHECK("passphrase-round-trip", decrypt(enc.p, enc.len, 100, &dec, err, sizeof(err)) == 0 && dec.len == 1000);
	free(dec.p);
	crypt_use_passphrase("correct horse battery stapler", "LOTBACKUP_PASSPHRASE");
	refused("wrong-passphrase", enc.p, enc.len, "(wrong passphrase)");
	crypt_use_passphrase("correct horse battery staple", "LOTBACKUP_PASSPHRASE");
	UNIT_CHECK("passphrase-derived-again", decrypt(enc.p, enc.len, 100, &dec, err, sizeof(err)) == 0 && dec.len == 1000);
	free(dec.p);
	free(enc.p);
	unlink(k1);
	unlink(k2);
	free(k1);
	free(k2);
	free(in);
}

int
main(void)
{
	char dir[] = "/tmp/lb-test-crypt-XXXXXX", *key;
	char fp[CRYPT_FP_HEX];

	if (mkdtemp(dir) == NULL)
		return 1;
	key = xasprintf("%s/k", dir);
	UNIT_CHECK("no-key-no-encrypt", encrypt((const unsigned char *)"x", 1, 1, &(struct buf){ 0 }) < 0);
	crypt_keygen(key, fp);
	crypt_use_key_file(key);
	round_trips("key-file");
	tampering();
	wrong_key(dir);
	crypt_use_passphrase("round trip passphrase", "LOTBACKUP_PASSPHRASE");
	round_trips("passphrase");
	crypt_forget();
	unlink(key);
	free(key);
	rmdir(dir);
	return unit_done();
}
