#ifndef LOTBACKUP_COPY_CUT_H
#define LOTBACKUP_COPY_CUT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Where a table loaded in parts is cut: at row starts of its COPY text. A
 * row starts at offset 0 or after a newline (COPY text writes a newline in
 * a value as \n, and no server encoding has the byte inside a character).
 * A part holds the rows that start in [from, to).
 */
/*
 * The first row start at or after `at` in the chunk [pos, pos + len) of the
 * text, or UINT64_MAX when it lies beyond the chunk. prev_nl: the byte
 * before the chunk is a newline, or the chunk begins the text.
 */
uint64_t copy_row_start(const char *buf, size_t len, uint64_t pos, int prev_nl, uint64_t at);

#endif
