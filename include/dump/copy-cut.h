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

/*
 * The check on COPY text rows as a server sends them, before they go into
 * a dump. A server writes a backslash in text COPY as two and a CR as
 * backslash-r, so a line backslash-dot (with or without a CR before its
 * newline: the end marker psql and the server know) never comes from one:
 * in the file it would end the table's data early, and what follows would
 * be read as SQL and psql commands. Only a hostile server or connection
 * sends one. Lines are followed across calls: a server sends a row per
 * message, but a hostile one need not.
 */
enum copy_line { COPY_LINE_START, COPY_LINE_BS, COPY_LINE_BS_DOT, COPY_LINE_BS_DOT_CR, COPY_LINE_OTHER };

struct copy_rows {
	enum copy_line at;	/* where the current line is */
};

#define COPY_ROWS_INIT { COPY_LINE_START }

/* The next bytes of the rows, in any chunking: 0, or -1 at a line "\." (r then unusable). */
int copy_rows_check(struct copy_rows *r, const char *buf, size_t len);
/* 1 when the rows so far end with a newline (or none came): the end marker may follow. */
int copy_rows_whole(const struct copy_rows *r);

#endif
