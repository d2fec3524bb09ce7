#ifndef LOTBACKUP_RESTORE_TARGET_H
#define LOTBACKUP_RESTORE_TARGET_H

#include <libpq-fe.h>

#include "pg/pgsql.h"

/*
 * The database a restore writes into, handled with care: created only when
 * asked, never written when it holds tables unless --clean, and cleaned
 * only after a safety dump.
 */

/* The database name the target's conninfo points at (caller frees); NULL when it names none. */
char *target_dbname(const struct pg_target *target);
/* Connects to the server of the target but to database `dbname` instead. */
PGconn *target_connect_other(const struct pg_target *target, const char *dbname);
/* Creates DBNAME from template0 unless it exists; *created says which. 0 or -1. */
int target_create(const struct pg_target *target, const char *dbname, int must_be_new, int *created);
/* Drops DBNAME (a scratch database); 0 or -1. */
int target_drop(const struct pg_target *target, const char *dbname);
/* The number of user tables, or -1 (reported). */
long target_user_tables(PGconn *conn);
/* Drops every user schema, extension and object of schema public. 0 or -1. */
int target_clean(PGconn *conn);

#endif
