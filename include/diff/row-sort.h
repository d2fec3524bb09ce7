#ifndef LOTBACKUP_ROW_SORT_H
#define LOTBACKUP_ROW_SORT_H

#include <stddef.h>

/*
 * COPY text rows in the order of some of their columns, with bounded
 * memory: rows gather in memory up to a limit, are sorted there and
 * spilled to a nameless temporary file as a run, and the runs are merged
 * as they are read back (an external merge sort). The order is the one a
 * server gives `ORDER BY format('%s', col) COLLATE "C"` for each key
 * column (NULLs last): bytes of the values' text, as COPY unescaped.
 */
struct row_sort;

/* KEYS: the key columns' positions in a row (0-based); the rows live in SPILL_DIR when memory is full. */
struct row_sort *row_sort_new(const size_t *keys, size_t nkeys, const char *spill_dir, size_t mem_limit);
/* One row, without its newline. 0, or -1 (reported). */
int row_sort_add(struct row_sort *s, const char *row, size_t len);
/* After the last row: the rows can be read, in key order. 0, or -1 (reported). */
int row_sort_finish(struct row_sort *s);
/* The next row (valid until the next call): 1, 0 at the end, -1 (reported). */
int row_sort_next(struct row_sort *s, const char **row, size_t *len);
size_t row_sort_count(const struct row_sort *s);
void row_sort_free(struct row_sort *s);

/* How two rows compare by their KEYS columns, in that order: <0, 0, >0. */
int row_key_cmp(const char *a, size_t alen, const char *b, size_t blen, const size_t *keys, size_t nkeys);
/* Field I of a COPY text row: *f and *flen; 0, or -1 when the row has fewer fields. */
int row_field(const char *row, size_t len, size_t i, const char **f, size_t *flen);
/* 1 when a COPY text field is NULL (\N). */
int row_field_null(const char *f, size_t flen);
/* A COPY text field's value, unescaped (caller frees; NUL-terminated, *outlen its length). */
char *row_field_value(const char *f, size_t flen, size_t *outlen);

#endif
