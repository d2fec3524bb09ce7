#ifndef LOTBACKUP_ROW_SUM_H
#define LOTBACKUP_ROW_SUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * An order-free fingerprint of COPY text rows: the sum of a mix of each
 * row's CRC-32 and length. The same rows in any order give the same sum,
 * which a table read back needs: one COPY does not keep the file's order
 * in the heap (a short row may fill an earlier page's leftover space).
 */
/* Adds the whole lines in rows[0..len) (each ending in '\n'; a last one without counts too). */
uint64_t row_sum_add(uint64_t sum, const char *rows, size_t len);

#endif
