#ifndef LOTBACKUP_RESTORE_TAIL_H
#define LOTBACKUP_RESTORE_TAIL_H

#include <stddef.h>
#include <stdint.h>

#include "store/manifest.h"
#include "dump/sql-split.h"

struct dump_source;	/* dump/dump-reader.h */

/*
 * The part of a dump after its last table (sequence values, index and key
 * builds, foreign keys, triggers...), held in memory while the tables load,
 * so that a table's index builds can start as soon as its own rows are in,
 * as pg_restore -j schedules them, instead of after the largest table.
 */
enum tail_state {
	TAIL_WAITING,
	TAIL_TAKEN,	/* running early on a table loader's connection */
	TAIL_DONE,	/* ran early: skipped when the rest runs in the file's order */
};

struct tail_item {
	enum sql_item_kind kind;
	char *text;
	size_t len;
	long line;		/* the dump's line (restore_tail_read's first_line on) */
	int table;		/* early: the index of the table whose rows it waits for; -1: file order */
	int exclusive;		/* early, and a key (ALTER TABLE ... ADD): locks out readers of its table */
	enum tail_state state;
};

struct restore_tail {
	struct tail_item *items;
	size_t n;
	uint64_t sql_bytes;
};

/*
 * Reads whole members [offset, offset + length) of path, which start on
 * the dump's line first_line. Returns 0, 1 when the part holds more than
 * cap bytes (nothing held: load it as a stream), or -1 (reported).
 */
int restore_tail_read(const struct dump_source *src, uint64_t offset, uint64_t length, long first_line, size_t cap,
    struct restore_tail *tail);
/*
 * Marks the index builds that may run early: those of the first run of
 * index and key builds (only sequence values before them), on a table in
 * tables[]. Returns how many.
 */
size_t restore_tail_plan(struct restore_tail *tail, const struct manifest_table *tables, size_t ntables);
void restore_tail_free(struct restore_tail *tail);

#endif
