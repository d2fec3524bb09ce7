#ifndef LOTBACKUP_DUMP_DATA_H
#define LOTBACKUP_DUMP_DATA_H

#include <libpq-fe.h>
#include <stddef.h>

#include "dump/dump-schema.h"
#include "store/manifest.h"
#include "io/pipe.h"

/*
 * Set on every dump connection, as pg_dump does, so COPY text loads the
 * same anywhere; and jit = off: the catalog queries are many and short,
 * and JIT (or a database's jit_above_cost = 0) compiled each one first.
 */
#define DUMP_SESSION_SETTINGS "SET DateStyle = ISO; SET IntervalStyle = postgres; " \
	"SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET row_security = off; SET jit = off"

struct progress;

struct dump_data_settings {
	int jobs;		/* connections copying tables at once (1: only `conn`) */
	int compress_level;	/* for the workers' own compressors */
	const char *spill_dir;	/* where workers' tables wait their turn (nameless files) */
	const char *snapshot_id;	/* pg_export_snapshot() of conn's transaction; NULL when jobs == 1 */
	const char *encoding;	/* the database's, for the workers' COPY text */
	struct progress *bar;	/* NULL, or where workers count their rows as they go */
};

/*
 * Writes the data section: for each table, in the given order, a COPY ...
 * FROM stdin block with its rows, filling in tables[i]'s manifest entry
 * (rows, bytes, CRC-32). `conn` is inside the dump's transaction. With
 * jobs > 1, jobs - 1 more connections import its snapshot, so every table
 * is read as of the same moment; each worker compresses its table into a
 * nameless file that is appended as whole gzip members when the table's
 * turn comes, while `conn` streams the next unclaimed table straight into
 * `out` (a pipe whose first filter is threaded gzip). The output is the
 * same set of statements in the same order whatever the number of jobs.
 * Returns 0 or -1 (reported, naming the table).
 */
int dump_data(PGconn *conn, const struct dump_data_settings *settings,
    const struct dump_table *const *tables, struct manifest_table *const *entries, size_t ntables,
    struct pipe *out);

#endif
