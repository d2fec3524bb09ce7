#ifndef LOTBACKUP_PGSQL_H
#define LOTBACKUP_PGSQL_H

#include <libpq-fe.h>


/*
 * Thin wrappers over libpq that report each error once, with what was
 * being done and the SQLSTATE, and never the password.
 */

/* Where the connection string came from, for messages and for restore's checks. */
enum pg_target_origin {
	PG_TARGET_LIBPQ_DEFAULTS = 0,	/* no string: libpq's PG* variables and defaults */
	PG_TARGET_FLAG,			/* --dbname */
	PG_TARGET_ENV,			/* DATABASE_URL in the environment */
	PG_TARGET_DOTENV,		/* DATABASE_URL in .env */
	PG_TARGET_DB_VARS,		/* DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD */
};

/* The database a command works on: each module's settings carry one. */
struct pg_target {
	const char *conninfo;		/* a conninfo string or URL; NULL: libpq defaults */
	enum pg_target_origin origin;
};

/* "--dbname", "DATABASE_URL", "DATABASE_URL in .env", "DB_* variables" or "PG* variables". */
const char *pg_target_origin_label(enum pg_target_origin origin);
/* Connects as configured (target->conninfo or libpq defaults); NULL on failure. */
PGconn *pgsql_connect(const struct pg_target *target);
/*
 * Connects to DBNAME with every other setting in OPTIONS (a conninfo list,
 * as PQconninfo or PQconninfoParse give it). Not reported: the caller
 * checks PQstatus, and PQfinish()es the result either way.
 */
PGconn *pgsql_connect_options(const PQconninfoOption *options, const char *dbname);
/* Connects to another database on the same server as `conn`. */
PGconn *pgsql_connect_like(PGconn *conn, const char *dbname);
/* Runs a query that returns rows; NULL on error (reported as "WHAT: message (SQLSTATE x)"). */
PGresult *pgsql_query(PGconn *conn, const char *sql, const char *what);
/*
 * A text[] literal of n strings ({"a","b\\"c"}), to pass a list as one
 * parameter ($1::pg_catalog.text[]) rather than a query per item. Freed
 * by the caller.
 */
char *pgsql_text_array(const char *const *items, size_t n);
PGresult *pgsql_query_params(PGconn *conn, const char *sql, int nparams,
    const char *const *values, const char *what);
/* Runs a command; 0 or -1 (reported). */
int pgsql_exec(PGconn *conn, const char *sql, const char *what);
/*
 * Rolls back the caller's transaction: 1 when it was still open (on a
 * lost or busy connection it dies with the connection), so nothing done in
 * it stays; 0 when a statement had ended it already, and what ran before
 * that is committed.
 */
int pgsql_rollback(PGconn *conn);
/*
 * A statement of a dump, by the extended protocol, on which the server
 * refuses a string holding more than one statement: whatever a reader of
 * the file took for one statement can never run as two (PQexec would run
 * every one it holds). pgsql_exec_one: as PQexec, the result to PQclear;
 * pgsql_send_one: as PQsendQuery. pgsql_run_one: 0 when it ran (a command
 * or rows), else -1, reported naming WHAT.
 */
PGresult *pgsql_exec_one(PGconn *conn, const char *sql);
int pgsql_send_one(PGconn *conn, const char *sql);
int pgsql_run_one(PGconn *conn, const char *sql, const char *what);
/*
 * 0 when the session reads SQL as a dump's reader does: a client encoding
 * a server may have (all ASCII-safe) and standard_conforming_strings on;
 * else -1, reported naming WHERE. A function of the dump that switched
 * the session to SJIS, or turned the setting off, would make the server
 * read the next statement otherwise than the allow-list did.
 */
int pgsql_session_safe(PGconn *conn, const char *where);
/* Reports a failed result (or the connection's error when res is NULL). */
void pgsql_report(PGconn *conn, const PGresult *res, const char *what);
/*
 * The server's primary message of a failed RES; without one (no result, a
 * lost connection) CONN's own message without its newline, or "no reply
 * from the server". For a caller that words the error itself (a warning).
 * Valid until the next call on this thread or PQclear(res).
 */
const char *pgsql_error_text(PGconn *conn, const PGresult *res);
/*
 * NAME quoted as an identifier (literal: as a string literal), to free with
 * PQfreemem; NULL when libpq cannot (invalid encoding, out of memory),
 * reported naming WHAT.
 */
char *pgsql_quote_ident(PGconn *conn, const char *name, const char *what);
char *pgsql_quote_literal(PGconn *conn, const char *value, const char *what);
/* A printable description of the target with any password hidden. */
char *pgsql_describe_target(const struct pg_target *target);

#endif
