#ifndef LOTBACKUP_CRYPT_H
#define LOTBACKUP_CRYPT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Encryption keys and the header of an encrypted file (libsodium). A lower
 * layer: the pipe's encrypt and decrypt filters (io/pipe.h) use it, the
 * command layer says which key the run has.
 *
 * An encrypted file (NAME.sql.gz.enc) is the gzip stream, unchanged, cut
 * into chunks sealed with crypto_secretstream_xchacha20poly1305:
 *
 *   offset size  field
 *        0    8  magic "LOTBKENC"
 *        8    1  format version, 1
 *        9    1  key kind: 1 a key file, 2 a passphrase (Argon2id)
 *       10    2  zero (reserved)
 *       12    4  plaintext bytes per chunk, big-endian (65536)
 *       16    4  Argon2id opslimit, big-endian (0 for a key file)
 *       20    8  Argon2id memlimit in bytes, big-endian (0 for a key file)
 *       28   16  Argon2id salt, random per file set (zero for a key file)
 *       44    8  key fingerprint: BLAKE2b-64 of the key, personal
 *                "lotbackup-key-fp" (shown as 16 hex digits)
 *       52   24  the secretstream header
 *       76       chunks: each the sealed plaintext chunk (exactly the
 *                chunk size, except the last: 0 to chunk size) plus 17
 *                bytes (tag and MAC); the last one alone is tagged FINAL
 *
 * Every chunk takes the 76 header bytes as additional data: a changed
 * header fails the first chunk. The secretstream chains its chunks, so a
 * chunk changed, dropped, repeated or moved fails where it is read; a file
 * that ends without the FINAL chunk was cut; bytes after it were added.
 *
 * The key: 32 bytes, from a key file (lotbackup keygen) or derived from
 * LOTBACKUP_PASSPHRASE with Argon2id and the salt above. Keys and
 * passphrases live in sodium_malloc'ed memory, wiped when freed, and are
 * never logged; a file records only the fingerprint.
 */
#define CRYPT_MAGIC "LOTBKENC"
#define CRYPT_MAGIC_BYTES 8
#define CRYPT_VERSION 1
#define CRYPT_HEADER_BYTES 76
#define CRYPT_CHUNK_BYTES 65536
#define CRYPT_KEY_BYTES 32
#define CRYPT_SALT_BYTES 16
#define CRYPT_FP_BYTES 8
#define CRYPT_FP_HEX (2 * CRYPT_FP_BYTES + 1)
#define CRYPT_STREAM_HEADER_BYTES 24

enum crypt_kind {
	CRYPT_KIND_FILE = 1,
	CRYPT_KIND_PASSPHRASE = 2,
};

struct crypt_header {
	int version;
	enum crypt_kind kind;
	uint32_t chunk_bytes;
	uint32_t opslimit;
	uint64_t memlimit;
	unsigned char salt[CRYPT_SALT_BYTES];
	unsigned char fingerprint[CRYPT_FP_BYTES];
	unsigned char stream[CRYPT_STREAM_HEADER_BYTES];
};

/* Starts libsodium (once; again is harmless). 0 or -1 (reported). */
int crypt_init(void);

/*
 * The run's key: at most one, set by the command layer before any file
 * is read or written, like the log level. Held here, not passed through
 * every module's settings, so no module copies it and every read path
 * finds it where a file turns out to be encrypted. 0 or -1 (reported).
 */
int crypt_use_key_file(const char *path);
/* ORIGIN names where it came from in messages ("LOTBACKUP_PASSPHRASE from .env"); the text is copied. */
int crypt_use_passphrase(const char *passphrase, const char *origin);
/* 1 when the run has a key. */
int crypt_have_key(void);
/* Wipes and frees the run's key and whatever was derived from it. */
void crypt_forget(void);

/*
 * A new random key into PATH (mode 0600, created new: never over an
 * existing file); its fingerprint in FP. 0 or -1 (reported).
 */
int crypt_keygen(const char *path, char fp[CRYPT_FP_HEX]);

/* Fingerprint bytes as hex. */
void crypt_fingerprint_hex(const unsigned char fp[CRYPT_FP_BYTES], char out[CRYPT_FP_HEX]);
/* The fingerprint files written now get, and the key's kind: for manifests. 0 or -1 (reported). */
int crypt_write_fingerprint(char out[CRYPT_FP_HEX], enum crypt_kind *kind);

/*
 * For a new file: the header fields but the stream's, and the key (valid
 * until crypt_forget). 0 or -1 (reported: no key).
 */
int crypt_key_for_writing(struct crypt_header *h, const unsigned char **key);
/*
 * For a file with header H: the key, or -1 with why in ERR (no key given,
 * or not the key the file wants, naming both fingerprints). Unreported.
 */
int crypt_key_for_reading(const struct crypt_header *h, const unsigned char **key, char *err, size_t errlen);

void crypt_header_encode(const struct crypt_header *h, unsigned char out[CRYPT_HEADER_BYTES]);
/* 0, or -1 with why in ERR: not this format, a later version, values out of range. */
int crypt_header_decode(const unsigned char in[CRYPT_HEADER_BYTES], struct crypt_header *h, char *err, size_t errlen);

/* 1 when the file at PATH begins with the magic, 0 when not, -1 when it cannot be read (reported). */
int crypt_file_is_encrypted(const char *path);

#endif
