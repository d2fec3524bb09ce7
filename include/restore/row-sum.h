#ifndef LOTBACKUP_ROW_SUM_H
#define LOTBACKUP_ROW_SUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * An order-free fingerprint of COPY text rows: the sum, mod 2^128, of each
 * row's SipHash-2-4-128 under a key made for the run. The same rows in any
 * order give the same sum, which a table read back needs: one COPY does not
 * keep the file's order in the heap (a short row may fill an earlier page's
 * leftover space), and a table loaded or read back in parts adds up its
 * parts' sums. A keyed cryptographic hash, not a CRC, nor a plain digest:
 * a row rewritten into another of the same length and CRC-32 (easy to
 * forge: CRC-32 is linear) must change the sum, and a sum of unkeyed
 * 128-bit digests can be matched by a set of forged rows found offline
 * (Wagner's generalized birthday attack on additive hashing); with a key
 * no one outside the run knows, there is nothing to search. SipHash
 * (libsodium's crypto_shorthash_siphashx24) is a PRF built for short
 * inputs: rows are short, and it hashes them about four times faster than
 * keyed BLAKE2b (0.14 against 0.65 us a 128-byte row here), which verify
 * --restore pays twice per row.
 */
struct row_sum {
	uint64_t hi, lo;
};

/* The run's key: sums compare only with sums made under the same key. */
struct row_key {
	unsigned char k[16];
};

/* A fresh random key. 0, or -1 when libsodium cannot start (reported). */
int row_key_make(struct row_key *key);
/*
 * Adds the whole lines in rows[0..len) (each ending in '\n'; a last one
 * without counts too) to sum.
 */
void row_sum_add(const struct row_key *key, struct row_sum *sum, const char *rows, size_t len);
/* Adds one item (len bytes, newlines and all) to sum. */
void row_sum_add_one(const struct row_key *key, struct row_sum *sum, const void *item, size_t len);
/*
 * A large object, summed as its parts: that it exists, and each chunk of
 * its data at its offset (BLOB_CHUNK bytes, the last fewer, none empty),
 * whether read from the file or from the database.
 */
void blob_sum_create(const struct row_key *key, struct row_sum *sum, unsigned long oid);
void blob_sum_chunk(const struct row_key *key, struct row_sum *sum, unsigned long oid, long long offset,
    const void *data, size_t len);
/* Adds the sum of other rows (another part of the same table) to sum. */
void row_sum_merge(struct row_sum *sum, const struct row_sum *part);
int row_sum_equal(const struct row_sum *a, const struct row_sum *b);
/* The sum as 32 hex digits, for messages. */
void row_sum_hex(const struct row_sum *sum, char out[33]);

#endif
