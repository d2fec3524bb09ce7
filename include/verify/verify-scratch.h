#ifndef LOTBACKUP_VERIFY_SCRATCH_H
#define LOTBACKUP_VERIFY_SCRATCH_H

#include <libpq-fe.h>
#include <pthread.h>

#include "pg/pgsql.h"

/*
 * Where verify --restore loads a dump: a scratch database owned by a role
 * made for the run, which owns nothing else and has no other rights, and
 * the connection the load runs on, logged in as that role. Both are named
 * lotbackup_verify_<host>_<pid>_<start> (host: a short hash of this
 * machine's name; start: the process's start time), so a later run on the
 * same host can tell a leftover of a killed run from one a live run uses,
 * and never takes another host's for its own.
 */
struct scratch {
	char *db;		/* the scratch database */
	char *role;		/* the role owning it; NULL: none could be made (loads as the user) */
	char *password;		/* the role's, for this run only */
	int db_created, role_created;
	PGconn *admin;		/* the connecting user's, on the scratch database */
	PGconn *load;		/* the load's: as the role when it could log in */
	pthread_mutex_t admin_mu;	/* admin serves the load's connections one at a time */
	int superuser;		/* the connecting user is one, and trusted: it runs the superuser-only kinds */
	int superuser_untrusted;	/* the connecting user is one, but the file is not trusted */
	char **apart;		/* names of the objects made apart (by admin, or left out); admin_mu */
	size_t napart;
	long left_out;		/* statements left out, each named in a warning */
	char **left_out_tables;	/* of them, the COPY of these tables (as the COPY names them) */
	size_t nleft_out_tables;
};

/*
 * Drops the leftovers of killed runs of this host (databases, then roles)
 * and lists another host's in one warning. 0, or -1 when the server could
 * not be asked.
 */
int scratch_drop_stale(const struct pg_target *server);
/*
 * Makes the role (unless the user may not create roles: one warning) and
 * the scratch database `dbname` (NULL: the role's name) owned by it, and
 * connects. 0, or -1 (reported; scratch_drop still undoes what was made).
 */
int scratch_create(const struct pg_target *server, const char *dbname, int trusted, struct scratch *s);
/* Runs sql as the connecting user in the scratch database (restore_confined's privileged). */
int scratch_privileged(void *scratch, const char *sql, long line);
/*
 * restore_confined's apart: a statement of a superuser-only kind, or one
 * naming an object made apart, runs on admin when the connecting user is
 * a superuser and the file trusted (tables and their COPY stay the
 * role's), else is left out and named in a warning.
 */
int scratch_apart(void *scratch, const char *text, size_t len, long line, int superuser_kind);
/* Closes the connections and drops what scratch_create made. 0, or -1 (reported). */
int scratch_drop(const struct pg_target *server, struct scratch *s);

#endif
