#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "crypt/crypt.h"

/* Argon2id for new files: about a third of a second and 64 MiB, recorded in each header. */
#define WRITE_OPSLIMIT 3u
#define WRITE_MEMLIMIT (64ull << 20)
#define KEY_LINE "lotbackup-key-v1 "
#define KEY_FILE_MAX 4096
#define FP_PERSONAL "lotbackup-key-fp"	/* 16 bytes: BLAKE2b's personalisation */

/*
 * The run's key (see crypt.h for why it lives here). A passphrase gives
 * one key per salt: one for the files this run writes (a new salt, derived
 * once) and the last one a file being read asked for.
 */
struct derived {
	unsigned char *key;	/* sodium_malloc'ed; NULL: none yet */
	unsigned char salt[CRYPT_SALT_BYTES];
	uint32_t opslimit;
	uint64_t memlimit;
	unsigned char fp[CRYPT_FP_BYTES];
};

static struct {
	pthread_mutex_t lock;
	enum crypt_kind kind;	/* 0: no key */
	unsigned char *secret;	/* the key file's key, or the passphrase: sodium_malloc'ed */
	size_t secret_len;
	char *origin;		/* for messages, never the secret */
	unsigned char fp[CRYPT_FP_BYTES];	/* a key file's */
	struct derived write, read;
} ring = { PTHREAD_MUTEX_INITIALIZER, 0, NULL, 0, NULL, { 0 }, { 0 }, { 0 } };

static void
forget_at_exit(void)
{
	/* Whatever way the run ends normally, the key is wiped, not left to the kernel. */
	atexit(crypt_forget);
}

int
crypt_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (sodium_init() < 0) {
		log_error("libsodium cannot start (no entropy source?)");
		return -1;
	}
	pthread_once(&once, forget_at_exit);
	return 0;
}

static void
fingerprint(const unsigned char *key, unsigned char fp[CRYPT_FP_BYTES])
{
	crypto_generichash_blake2b_salt_personal(fp, CRYPT_FP_BYTES, key, CRYPT_KEY_BYTES, NULL, 0, NULL,
	    (const unsigned char *)FP_PERSONAL);
}

void
crypt_fingerprint_hex(const unsigned char fp[CRYPT_FP_BYTES], char out[CRYPT_FP_HEX])
{
	sodium_bin2hex(out, CRYPT_FP_HEX, fp, CRYPT_FP_BYTES);
}

static unsigned char *
secure_alloc(size_t len)
{
	unsigned char *p = sodium_malloc(len);

	if (p == NULL) {
		log_error("out of locked memory for a key (%zu bytes)", len);
		exit(1);
	}
	return p;
}

static void
derived_free(struct derived *d)
{
	sodium_free(d->key);
	memset(d, 0, sizeof(*d));
}

void
crypt_forget(void)
{
	pthread_mutex_lock(&ring.lock);
	sodium_free(ring.secret);
	ring.secret = NULL;
	ring.secret_len = 0;
	ring.kind = 0;
	free(ring.origin);
	ring.origin = NULL;
	derived_free(&ring.write);
	derived_free(&ring.read);
	pthread_mutex_unlock(&ring.lock);
}

int
crypt_have_key(void)
{
	return ring.kind != 0;
}

/* The key line of a key file's text, into KEY. 0 or -1. */
static int
parse_key_text(const char *text, size_t len, unsigned char *key)
{
	const char *p = text, *end = text + len;
	size_t keylen = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;

		if ((size_t)(line_end - p) >= strlen(KEY_LINE) && memcmp(p, KEY_LINE, strlen(KEY_LINE)) == 0) {
			p += strlen(KEY_LINE);
			return sodium_hex2bin(key, CRYPT_KEY_BYTES, p, (size_t)(line_end - p), NULL, &keylen, NULL) == 0 &&
			    keylen == CRYPT_KEY_BYTES ? 0 : -1;
		}
		p = line_end + (nl != NULL);
	}
	return -1;
}

/* The key file's text, read into locked memory (*buf, caller sodium_frees). 0 or -1 (reported). */
static int
read_key_file(const char *path, unsigned char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_errno("cannot read key file %s (make one with 'lotbackup keygen %s')", path, path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > KEY_FILE_MAX) {
		log_error("key file %s is not a lotbackup key file (make one with 'lotbackup keygen')", path);
		goto out;
	}
	if (st.st_mode & 077)
		log_warn("key file %s can be read by others (mode %03o): chmod 600 %s", path,
		    (unsigned)(st.st_mode & 0777), path);
	*buf = secure_alloc(KEY_FILE_MAX);
	do {
		n = read(fd, *buf, KEY_FILE_MAX);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_errno("cannot read key file %s", path);
		goto out;
	}
	*len = (size_t)n;
	rc = 0;
out:
	close(fd);
	return rc;
}

int
crypt_use_key_file(const char *path)
{
	unsigned char *text = NULL, *key;
	size_t len = 0;

	if (crypt_init() < 0 || read_key_file(path, &text, &len) < 0) {
		sodium_free(text);
		return -1;
	}
	key = secure_alloc(CRYPT_KEY_BYTES);
	if (parse_key_text((const char *)text, len, key) < 0) {
		log_error("key file %s has no valid '%s<64 hex digits>' line: it is damaged or not a "
		    "lotbackup key file", path, KEY_LINE);
		sodium_free(text);
		sodium_free(key);
		return -1;
	}
	sodium_free(text);
	crypt_forget();
	pthread_mutex_lock(&ring.lock);
	ring.kind = CRYPT_KIND_FILE;
	ring.secret = key;
	ring.secret_len = CRYPT_KEY_BYTES;
	ring.origin = xasprintf("key file %s", path);
	fingerprint(key, ring.fp);
	pthread_mutex_unlock(&ring.lock);
	return 0;
}

int
crypt_use_passphrase(const char *passphrase, const char *origin)
{
	size_t len = strlen(passphrase);

	if (crypt_init() < 0)
		return -1;
	if (len == 0) {
		log_error("%s is empty: set a passphrase, or unset it", origin);
		return -1;
	}
	crypt_forget();
	pthread_mutex_lock(&ring.lock);
	ring.kind = CRYPT_KIND_PASSPHRASE;
	ring.secret = secure_alloc(len);
	memcpy(ring.secret, passphrase, len);
	ring.secret_len = len;
	ring.origin = xstrdup(origin);
	pthread_mutex_unlock(&ring.lock);
	return 0;
}

/* Argon2id of the passphrase with D's salt and limits into D's key. 0 or -1 (why in err). */
static int
derive(struct derived *d, char *err, size_t errlen)
{
	if (d->key == NULL)
		d->key = secure_alloc(CRYPT_KEY_BYTES);
	if (crypto_pwhash(d->key, CRYPT_KEY_BYTES, (const char *)ring.secret, ring.secret_len, d->salt,
	    d->opslimit, (size_t)d->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		snprintf(err, errlen, "cannot derive the key from %s: Argon2id needs %llu MiB of memory",
		    ring.origin, (unsigned long long)(d->memlimit >> 20));
		derived_free(d);
		return -1;
	}
	fingerprint(d->key, d->fp);
	return 0;
}

int
crypt_key_for_writing(struct crypt_header *h, const unsigned char **key)
{
	char err[256];
	int rc = -1;

	memset(h, 0, sizeof(*h));
	h->version = CRYPT_VERSION;
	h->chunk_bytes = CRYPT_CHUNK_BYTES;
	pthread_mutex_lock(&ring.lock);
	h->kind = ring.kind;
	if (ring.kind == CRYPT_KIND_FILE) {
		memcpy(h->fingerprint, ring.fp, CRYPT_FP_BYTES);
		*key = ring.secret;
		rc = 0;
	} else if (ring.kind == CRYPT_KIND_PASSPHRASE) {
		if (ring.write.key == NULL) {
			randombytes_buf(ring.write.salt, CRYPT_SALT_BYTES);
			ring.write.opslimit = WRITE_OPSLIMIT;
			ring.write.memlimit = WRITE_MEMLIMIT;
			if (derive(&ring.write, err, sizeof(err)) < 0) {
				log_error("%s", err);
				goto out;
			}
		}
		memcpy(h->salt, ring.write.salt, CRYPT_SALT_BYTES);
		h->opslimit = ring.write.opslimit;
		h->memlimit = ring.write.memlimit;
		memcpy(h->fingerprint, ring.write.fp, CRYPT_FP_BYTES);
		*key = ring.write.key;
		rc = 0;
	} else {
		log_error("--encrypt needs a key: LOTBACKUP_KEY_FILE or --key-file (make one with 'lotbackup keygen'), "
		    "or LOTBACKUP_PASSPHRASE");
	}
out:
	pthread_mutex_unlock(&ring.lock);
	return rc;
}

int
crypt_write_fingerprint(char out[CRYPT_FP_HEX], enum crypt_kind *kind)
{
	struct crypt_header h;
	const unsigned char *key;

	if (crypt_key_for_writing(&h, &key) < 0)
		return -1;
	crypt_fingerprint_hex(h.fingerprint, out);
	*kind = h.kind;
	return 0;
}

static const char *
kind_name(enum crypt_kind kind)
{
	return kind == CRYPT_KIND_FILE ? "a key file" : "a passphrase";
}

/* The key a passphrase gives with H's salt and limits: the one this run writes with, the last one, or a new one. */
static struct derived *
passphrase_key(const struct crypt_header *h, char *err, size_t errlen)
{
	struct derived *d;

	for (d = &ring.write; d != NULL; d = d == &ring.write ? &ring.read : NULL)
		if (d->key != NULL && memcmp(d->salt, h->salt, CRYPT_SALT_BYTES) == 0 &&
		    d->opslimit == h->opslimit && d->memlimit == h->memlimit)
			return d;
	derived_free(&ring.read);
	memcpy(ring.read.salt, h->salt, CRYPT_SALT_BYTES);
	ring.read.opslimit = h->opslimit;
	ring.read.memlimit = h->memlimit;
	return derive(&ring.read, err, errlen) < 0 ? NULL : &ring.read;
}

int
crypt_key_for_reading(const struct crypt_header *h, const unsigned char **key, char *err, size_t errlen)
{
	char want[CRYPT_FP_HEX], have[CRYPT_FP_HEX];
	const unsigned char *fp = NULL;
	struct derived *d;
	int rc = -1;

	crypt_fingerprint_hex(h->fingerprint, want);
	pthread_mutex_lock(&ring.lock);
	if (ring.kind == 0) {
		snprintf(err, errlen, "encrypted with %s (key fingerprint %s), and no key was given: set %s", kind_name(h->kind),
		    want, h->kind == CRYPT_KIND_FILE ? "LOTBACKUP_KEY_FILE or --key-file" : "LOTBACKUP_PASSPHRASE");
		goto out;
	}
	if (h->kind != ring.kind) {
		snprintf(err, errlen, "encrypted with %s (key fingerprint %s), but the key given is %s: set %s", kind_name(h->kind),
		    want, ring.origin, h->kind == CRYPT_KIND_FILE ? "LOTBACKUP_KEY_FILE or --key-file" : "LOTBACKUP_PASSPHRASE");
		goto out;
	}
	if (h->kind == CRYPT_KIND_FILE) {
		fp = ring.fp;
		*key = ring.secret;
	} else if ((d = passphrase_key(h, err, errlen)) != NULL) {
		fp = d->fp;
		*key = d->key;
	} else {
		goto out;
	}
	if (sodium_memcmp(fp, h->fingerprint, CRYPT_FP_BYTES) != 0) {
		crypt_fingerprint_hex(fp, have);
		snprintf(err, errlen, "wrong key: the file wants key fingerprint %s, %s gives %s%s", want, ring.origin, have,
		    h->kind == CRYPT_KIND_FILE ? " (use the key file that 'lotbackup keygen' printed it for)" : " (wrong passphrase)");
		goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&ring.lock);
	return rc;
}

int
crypt_keygen(const char *path, char fp_hex[CRYPT_FP_HEX])
{
	unsigned char *key = NULL, fp[CRYPT_FP_BYTES];
	char *text = NULL;
	size_t tlen;
	int e, rc = -1;

	if (crypt_init() < 0)
		return -1;
	if ((e = fs_exists(path)) != 0) {
		if (e > 0)
			log_error("%s exists: keygen never overwrites a key (the backups made with it need it); "
			    "give another file name", path);
		return -1;
	}
	key = secure_alloc(CRYPT_KEY_BYTES);
	randombytes_buf(key, CRYPT_KEY_BYTES);
	fingerprint(key, fp);
	crypt_fingerprint_hex(fp, fp_hex);
	tlen = strlen("# lotbackup encryption key, fingerprint \n") + CRYPT_FP_HEX +
	    strlen("# Keep a copy apart from the backups: without it they cannot be read.\n") +
	    strlen(KEY_LINE) + 2 * CRYPT_KEY_BYTES + 2;
	text = (char *)secure_alloc(tlen);
	snprintf(text, tlen, "# lotbackup encryption key, fingerprint %s\n"
	    "# Keep a copy apart from the backups: without it they cannot be read.\n" KEY_LINE, fp_hex);
	sodium_bin2hex(text + strlen(text), 2 * CRYPT_KEY_BYTES + 1, key, CRYPT_KEY_BYTES);
	strcat(text, "\n");
	/* The atomic file: PATH.tmp created new, mode 0600, renamed without replacing. */
	rc = fs_write_file_atomic(path, text, strlen(text), 0600, 1);
	sodium_free(text);
	sodium_free(key);
	return rc;
}
