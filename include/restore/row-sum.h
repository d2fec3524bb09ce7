#ifndef LOTBACKUP_ROW_SUM_H
#define LOTBACKUP_ROW_SUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * An order-free fingerprint of COPY text rows: the sum, mod 2^128, of the
 * first 128 bits of each row's SHA-256. The same rows in any order give
 * the same sum, which a table read back needs: one COPY does not keep the
 * file's order in the heap (a short row may fill an earlier page's
 * leftover space). A cryptographic hash, not a CRC: a row rewritten into
 * another of the same length and CRC-32 (easy to forge: CRC-32 is linear)
 * must change the sum.
 */
struct row_sum {
	uint64_t hi, lo;
};

/* What hashes the rows: one per thread (it holds an OpenSSL digest context). */
struct row_hasher;

/* NULL when OpenSSL cannot give SHA-256 (reported). */
struct row_hasher *row_hasher_new(void);
void row_hasher_free(struct row_hasher *h);
/*
 * Adds the whole lines in rows[0..len) (each ending in '\n'; a last one
 * without counts too) to sum. 0, or -1 (reported).
 */
int row_sum_add(struct row_hasher *h, struct row_sum *sum, const char *rows, size_t len);
int row_sum_equal(const struct row_sum *a, const struct row_sum *b);
/* The sum as 32 hex digits, for messages. */
void row_sum_hex(const struct row_sum *sum, char out[33]);

#endif
