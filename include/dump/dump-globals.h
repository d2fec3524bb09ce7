#ifndef LOTBACKUP_DUMP_GLOBALS_H
#define LOTBACKUP_DUMP_GLOBALS_H

#include <libpq-fe.h>

#include "io/pipe.h"
#include "store/backups.h"	/* GLOBALS_SUFFIX */

/*
 * Writes, as pg_dumpall --globals-only --no-role-passwords would, the
 * roles the connected database's objects reference (owners, grantees,
 * the database's owner and the roles of policies and default
 * privileges), the roles those are members of and their members, with
 * their attributes, settings, comments and memberships, and the
 * tablespaces the database uses: CREATE ROLE, ALTER ROLE, GRANT role TO,
 * COMMENT ON ROLE, CREATE TABLESPACE. Never a password (read from
 * pg_roles, which hides them). Roles made by initdb (the bootstrap
 * superuser, pg_* roles) exist everywhere and are not created. Counts
 * what it wrote. 0 or -1 (reported).
 */
int dump_globals(PGconn *conn, struct pipe *out, long long *roles, long long *tablespaces);

#endif
