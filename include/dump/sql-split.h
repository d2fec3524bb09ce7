#ifndef LOTBACKUP_SQL_SPLIT_H
#define LOTBACKUP_SQL_SPLIT_H

#include <stddef.h>

/*
 * A streaming splitter for SQL scripts as psql reads them (plain pg_dump
 * files and lotbackup dumps): it cuts the byte stream into statements,
 * COPY ... FROM stdin data blocks and backslash meta-commands, following
 * psql's lexical rules (quotes, E'' strings, quoted identifiers, dollar
 * quoting, -- and nested block comments, parentheses, BEGIN/CASE ... END
 * depth for SQL-standard function bodies). Memory is bounded by the
 * longest statement, never by COPY data, which is passed on in chunks.
 */
enum sql_item_kind {
	SQL_STATEMENT,	/* one statement, including its ';' */
	SQL_COPY_DATA,	/* a chunk of rows after COPY ... FROM stdin; whole lines */
	SQL_COPY_END,	/* the "\." line that ends the rows */
	SQL_META,	/* a backslash meta-command line, e.g. "\connect db" */
};

struct sql_item {
	enum sql_item_kind kind;
	const char *text;	/* not NUL-terminated; valid during the callback only */
	size_t len;
	long line;		/* 1-based line where the item starts */
};

/* Returns 0 to go on, -1 to stop (the splitter then returns -1 too). */
typedef int (*sql_item_fn)(void *ctx, const struct sql_item *item);

struct sql_splitter;

struct sql_splitter *sql_splitter_new(sql_item_fn fn, void *ctx);
/* Feeds bytes in any chunking; callbacks fire as items complete. 0 or -1. */
int sql_splitter_feed(struct sql_splitter *s, const char *buf, size_t len);
/* The line the next byte fed belongs to (1-based). */
long sql_splitter_line(const struct sql_splitter *s);
/*
 * Before the first byte: the input starts on LINE of a larger file (a
 * part of a dump read by its member index), so items and errors name the
 * file's own lines.
 */
void sql_splitter_set_line(struct sql_splitter *s, long line);
/*
 * Ends the input. A statement without its ';' at the end is delivered as is
 * (psql runs it too); an unterminated quote, comment, or COPY block is an
 * error. 0 or -1.
 */
int sql_splitter_finish(struct sql_splitter *s);
/* After -1: a one-line message naming the line, e.g. "line 12: unterminated quoted string". */
const char *sql_splitter_error(const struct sql_splitter *s);
void sql_splitter_free(struct sql_splitter *s);

#endif
