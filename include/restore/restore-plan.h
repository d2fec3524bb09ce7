#ifndef LOTBACKUP_RESTORE_PLAN_H
#define LOTBACKUP_RESTORE_PLAN_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "restore/restore-types.h"

struct restore_tail;	/* restore/restore-tail.h */

/* How a table loads by the member index, found in the catalogs before the load. */
struct table_plan {
	char *target;		/* the table as the server names it (regclass), for the statements we make */
	char *columns;		/* its COPY column list, "(a, b)" */
	char *copy;		/* the COPY the file has for it, as lotbackup writes it: "COPY t (a, b) FROM stdin;" */
	char *stage_ddl;	/* "a integer, b text": the temporary table a later part loads into; NULL: none */
	int freeze;		/* no triggers, nothing refers to it: load it frozen if it is empty */
};

/* A table, or one part of a table loaded in parts: the rows starting in COPY text [from, to). */
struct load_unit {
	size_t table;
	uint64_t from, to;	/* to 0: the whole table */
	size_t part, parts;	/* this is part `part` (from 0) of `parts` */
};

/*
 * Tables in the dump's order (largest first). With split_bytes, a table with
 * more COPY text is loaded in parts, one per connection: the first straight
 * into the table, the others into temporary tables, appended in order, so
 * its rows lie in the heap in the file's order, as one COPY leaves them.
 */
struct load_plan {
	struct load_unit *units;
	size_t nunits;
	size_t *parts_left;		/* per table: its parts, counted down as they go in */
	struct table_plan *plans;	/* per table; columns NULL: loads as the file has it */
};

/* Table blocks back to back in the file, as lotbackup writes them: loadable side by side. */
int load_plan_tables_apart(const struct restore_settings *set);
/* Plans every table of set->tables on conn. 0, or -1 (reported); free the plan either way. */
int load_plan_make(PGconn *conn, const struct dump_source *src, const struct restore_settings *set, struct load_plan *plan);
void load_plan_free(struct load_plan *plan, size_t ntables);
/*
 * A scratch database (set->scratch) is thrown away after the run: its
 * tables need no WAL. Makes every table unlogged, all or none, when the
 * rows are worth it and no statement's outcome could change with it: none
 * in the part after the tables makes a table or a publication or changes
 * whether one is logged (sql_depends_on_persistence), and the database has
 * no partitioned or unlogged table nor an event trigger (UNLOGGED_SQL).
 * tail: the part after the tables, read ahead (NULL: not read, nothing
 * changes). Best effort: what is not done is said at debug level, and the
 * load goes on.
 */
void scratch_tables_unlogged(PGconn *conn, const struct restore_settings *set, const struct restore_tail *tail);

#endif
