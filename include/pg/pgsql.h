#ifndef LOTBACKUP_PGSQL_H
#define LOTBACKUP_PGSQL_H

#include <libpq-fe.h>

#include "cmd/options.h"

/*
 * Thin wrappers over libpq that report each error once, with what was
 * being done and the SQLSTATE, and never the password.
 */

/* Connects as configured (opts->dbname or libpq defaults); NULL on failure. */
PGconn *pgsql_connect(const struct options *opts);
/* Connects to another database on the same server as `conn`. */
PGconn *pgsql_connect_like(PGconn *conn, const char *dbname);
/* Runs a query that returns rows; NULL on error (reported as "WHAT: message (SQLSTATE x)"). */
PGresult *pgsql_query(PGconn *conn, const char *sql, const char *what);
PGresult *pgsql_query_params(PGconn *conn, const char *sql, int nparams,
    const char *const *values, const char *what);
/* Runs a command; 0 or -1 (reported). */
int pgsql_exec(PGconn *conn, const char *sql, const char *what);
/* Reports a failed result (or the connection's error when res is NULL). */
void pgsql_report(PGconn *conn, const PGresult *res, const char *what);
/* A printable description of the target with any password hidden. */
char *pgsql_describe_target(const struct options *opts);

#endif
