#ifndef LOTBACKUP_VERIFY_READBACK_H
#define LOTBACKUP_VERIFY_READBACK_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "restore/restore-types.h"
#include "restore/row-sum.h"
#include "store/manifest.h"

/*
 * verify --restore's read-back: each table the load filled is read back
 * with COPY ... TO STDOUT and its rows summed (row-sum.h) on reader
 * connections of their own, as soon as the load says the table is in
 * (restore_settings.table_in: while the other tables load and the index
 * builds run), the rest after the load. A table read early may still be
 * changed by what the dump runs after it; so a snapshot and its columns
 * are taken before its rows are read, and after the load it must hold as
 * many rows, none written by a transaction that snapshot did not see
 * done (by xmin), and the same columns: any row written, updated or
 * deleted since, a table rewritten or a column changed, shows there.
 * When nothing left in the database after the load could have written rows
 * (verify-readback.c, QUIET_SQL), its columns and file are compared alone.
 */
struct readback;

/* What was read back of one table, all its units added up. */
struct table_read {
	long long rows;
	uint64_t bytes;
	struct row_sum sum;
	int changed;		/* read early, and changed after (rows or columns) */
};

/* The dump's output settings, the system's names first, and the client encoding on conn. 0, or -1 (reported). */
int readback_session(PGconn *conn, const char *encoding);
/*
 * Up to jobs readers (at most 4), on connections like conn (its role and
 * database), with the dump's output settings and client encoding, waiting
 * for tables of m. NULL (reported).
 */
struct readback *readback_start(PGconn *conn, const struct db_manifest *m, const char *encoding,
    const struct row_key *key, uint64_t split_bytes, int jobs);
/* restore_settings.table_in, with arg the readback: queues the table's reading. */
void readback_table_in(void *arg, size_t table, const char *qualified, const char *copy_out_sql);
/*
 * After the load, on conn (the load's): reads what was not read early
 * (largest first), waits for every reader, checks each table read early
 * for changes since, and fills reads[i] for copies[i] (names as the
 * file has them). 0, or -1 (reported).
 */
int readback_finish(struct readback *rb, PGconn *conn, const struct restore_copy *copies, size_t ncopies,
    long long row_writers, struct table_read *reads);
/* Stops the readers (after a failed load) and frees rb; NULL is a no-op. */
void readback_free(struct readback *rb);

#endif
