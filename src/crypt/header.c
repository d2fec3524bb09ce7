#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "crypt/crypt.h"

/* The header's layout is documented in crypt/crypt.h. */

/* What a reader accepts from a header, so a hostile one cannot ask for a huge buffer or derivation. */
#define CHUNK_MIN 1024u
#define CHUNK_MAX (4u << 20)
#define OPS_MAX 16u
#define MEM_MAX (1ull << 30)

static void
put_be(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

void
crypt_header_encode(const struct crypt_header *h, unsigned char out[CRYPT_HEADER_BYTES])
{
	memset(out, 0, CRYPT_HEADER_BYTES);
	memcpy(out, CRYPT_MAGIC, CRYPT_MAGIC_BYTES);
	out[8] = CRYPT_VERSION;
	out[9] = (unsigned char)h->kind;
	put_be(out + 12, h->chunk_bytes, 4);
	put_be(out + 16, h->opslimit, 4);
	put_be(out + 20, h->memlimit, 8);
	memcpy(out + 28, h->salt, CRYPT_SALT_BYTES);
	memcpy(out + 44, h->fingerprint, CRYPT_FP_BYTES);
	memcpy(out + 52, h->stream, CRYPT_STREAM_HEADER_BYTES);
}

int
crypt_header_decode(const unsigned char in[CRYPT_HEADER_BYTES], struct crypt_header *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	if (memcmp(in, CRYPT_MAGIC, CRYPT_MAGIC_BYTES) != 0) {
		snprintf(err, errlen, "not an encrypted lotbackup file (no %s header)", CRYPT_MAGIC);
		return -1;
	}
	h->version = in[8];
	if (h->version != CRYPT_VERSION) {
		snprintf(err, errlen, "encryption format version %d; this lotbackup reads version %d: use a newer lotbackup",
		    h->version, CRYPT_VERSION);
		return -1;
	}
	h->kind = (enum crypt_kind)in[9];
	h->chunk_bytes = (uint32_t)get_be(in + 12, 4);
	h->opslimit = (uint32_t)get_be(in + 16, 4);
	h->memlimit = get_be(in + 20, 8);
	memcpy(h->salt, in + 28, CRYPT_SALT_BYTES);
	memcpy(h->fingerprint, in + 44, CRYPT_FP_BYTES);
	memcpy(h->stream, in + 52, CRYPT_STREAM_HEADER_BYTES);
	if ((h->kind != CRYPT_KIND_FILE && h->kind != CRYPT_KIND_PASSPHRASE) || in[10] != 0 || in[11] != 0 ||
	    h->chunk_bytes < CHUNK_MIN || h->chunk_bytes > CHUNK_MAX ||
	    (h->kind == CRYPT_KIND_PASSPHRASE && (h->opslimit < crypto_pwhash_OPSLIMIT_MIN || h->opslimit > OPS_MAX ||
	    h->memlimit < crypto_pwhash_MEMLIMIT_MIN || h->memlimit > MEM_MAX))) {
		snprintf(err, errlen, "the encryption header is damaged (key kind %d, chunk %u bytes, Argon2id %u/%llu)",
		    (int)h->kind, (unsigned)h->chunk_bytes, (unsigned)h->opslimit, (unsigned long long)h->memlimit);
		return -1;
	}
	return 0;
}

int
crypt_file_is_encrypted(const char *path)
{
	char magic[CRYPT_MAGIC_BYTES];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		log_errno("cannot open %s", path);
		return -1;
	}
	do {
		n = pread(fd, magic, sizeof(magic), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		log_errno("cannot read %s", path);
	close(fd);
	if (n < 0)
		return -1;
	return n == (ssize_t)sizeof(magic) && memcmp(magic, CRYPT_MAGIC, sizeof(magic)) == 0;
}
