#ifndef LOTBACKUP_RESTORE_POOL_H
#define LOTBACKUP_RESTORE_POOL_H

#include <libpq-fe.h>
#include <stddef.h>

#include "dump/sql-classify.h"

/*
 * Post-data statements run side by side on extra connections, as
 * pg_restore -j does: index builds, primary keys and unique constraints
 * together, then foreign keys together. Statements of one kind in a dump
 * section never depend on each other; anything else waits until every
 * running statement is done (a barrier) and runs on the main connection,
 * in the file's order. A statement that deadlocks against another
 * (two foreign keys between the same tables) is run again alone.
 */
enum stmt_class {
	STMT_SERIAL,	/* everything else: after a barrier, on the main connection */
	STMT_INDEX,	/* CREATE INDEX, ADD PRIMARY KEY / UNIQUE / EXCLUDE */
	STMT_FK,	/* ADD FOREIGN KEY */
};

struct stmt_pool;

/* Which class a statement of the dump is in, by its kind. */
enum stmt_class stmt_class_of(enum sql_stmt_kind kind);
/*
 * How a failed statement is named in the error (caller frees): "restore
 * failed at line LINE (its first line, cut at 60 characters...)"; LINE 0
 * (a part of a table read from inside its block) names no line.
 */
char *stmt_failure_what(long line, const char *sql, size_t len);
/*
 * A pool of up to `size` connections like `main` (opened when first
 * needed). keep_going: failures are counted, not fatal.
 */
struct stmt_pool *stmt_pool_new(PGconn *main, int size, int keep_going);
/*
 * A session statement (SQL_STMT_SESSION: SET ..., set_config) the dump ran
 * on the main connection: replayed on each extra connection before its
 * first use.
 */
void stmt_pool_note_session(struct stmt_pool *pool, const char *sql, size_t len);
/* Replays the session statements on another connection. 0 or -1 (reported). */
int stmt_pool_replay_session(const struct stmt_pool *pool, PGconn *conn);
/*
 * Starts a STMT_INDEX or STMT_FK statement on an idle connection, waiting
 * for one if all are busy; a change of class waits for the others first.
 * Returns 0, or -1 after a failure (reported with LINE) without keep_going.
 */
int stmt_pool_submit(struct stmt_pool *pool, enum stmt_class cls, const char *sql, size_t len, long line);
/* Waits for every running statement; then re-runs deadlocked ones alone. 0 or -1 as above. */
int stmt_pool_drain(struct stmt_pool *pool);
/* Statements run and failures so far. */
long long stmt_pool_statements(const struct stmt_pool *pool);
long long stmt_pool_errors(const struct stmt_pool *pool);
void stmt_pool_free(struct stmt_pool *pool);

#endif
