#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "dump/sql-classify.h"
#include "pg/pgsql.h"
#include "restore/restore-pool.h"
#include "restore/restore-session.h"
#include "base/xalloc.h"

#define SQLSTATE_DEADLOCK "40P01"
#define MAX_POOL 64

struct pooled_conn {
	PGconn *conn;
	int own;		/* opened by the pool (the first is the caller's) */
	size_t session_done;	/* session statements replayed on it */
	int busy;
	char *sql;		/* the statement running on it */
	char *then;		/* to run at the next barrier if it succeeds (NULL: none) */
	long line;
	int steered;		/* the planner is steered for this statement: reset it after */
};

/* A statement held back: a deadlocked one to run again alone, or a key to attach to its index. */
struct pending {
	char *sql;
	char *then;
	long line;
};

struct stmt_pool {
	struct pooled_conn *conns;
	int size, nopen;
	enum stmt_class current;
	char **session;
	size_t nsession;
	struct pending *retries;
	size_t nretries;
	struct pending *attaches;
	size_t nattaches;
	long long statements, errors;
	int keep_going;
	int failed;
};

enum stmt_class
stmt_class_of(enum sql_stmt_kind kind)
{
	switch (kind) {
	case SQL_STMT_CREATE_INDEX:
	case SQL_STMT_ADD_KEY:
		return STMT_INDEX;
	case SQL_STMT_ADD_FOREIGN_KEY:
		return STMT_FK;
	default:
		return STMT_SERIAL;
	}
}

struct stmt_pool *
stmt_pool_new(PGconn *main, int size, int keep_going)
{
	struct stmt_pool *p = xcalloc(1, sizeof(*p));

	p->size = size < 1 ? 1 : size > MAX_POOL ? MAX_POOL : size;
	p->conns = xcalloc((size_t)p->size, sizeof(*p->conns));
	p->conns[0].conn = main;
	p->nopen = 1;
	p->keep_going = keep_going;
	return p;
}

void
stmt_pool_note_session(struct stmt_pool *p, const char *sql, size_t len)
{
	p->session = xrealloc(p->session, (p->nsession + 1) * sizeof(*p->session));
	p->session[p->nsession++] = xstrndup(sql, len);
	/* The main connection ran it already. */
	p->conns[0].session_done = p->nsession;
}

char *
stmt_failure_what(long line, const char *sql, size_t len)
{
	size_t show = 0;

	while (show < len && show < 60 && sql[show] != '\n')
		show++;
	if (line > 0)
		return xasprintf("restore failed at line %ld (%.*s%s)", line, (int)show, sql, show < len ? "..." : "");
	return xasprintf("restore failed (%.*s%s)", (int)show, sql, show < len ? "..." : "");
}

static void
statement_error(struct stmt_pool *p, PGconn *conn, const PGresult *res, const char *sql, long line)
{
	char *what = stmt_failure_what(line, sql, strlen(sql));

	pgsql_report(conn, res, what);
	free(what);
	p->errors++;
	if (!p->keep_going)
		p->failed = 1;
}

static void
hold(struct pending **list, size_t *n, char *sql, char *then, long line)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[*n].sql = sql;
	(*list)[*n].then = then;
	(*list)[(*n)++].line = line;
}

/* The connection idle again: its planner as it was, its statement gone. */
static void
release(struct pooled_conn *c)
{
	if (c->steered) {
		PQclear(PQexec(c->conn, "RESET enable_hashjoin; RESET enable_nestloop"));
		c->steered = 0;
	}
	free(c->sql);
	free(c->then);
	c->sql = c->then = NULL;
	c->busy = 0;
}

/* Collects a finished statement's results. */
static void
settle(struct stmt_pool *p, struct pooled_conn *c)
{
	PGresult *res;
	int done = 0;

	while ((res = PQgetResult(c->conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (!done && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
			if (state != NULL && strcmp(state, SQLSTATE_DEADLOCK) == 0) {
				log_debug("line %ld deadlocked against a parallel statement; it runs again alone", c->line);
				hold(&p->retries, &p->nretries, c->sql, c->then, c->line);
				c->sql = c->then = NULL;
			} else {
				statement_error(p, c->conn, res, c->sql, c->line);
			}
			done = 1;
		}
		PQclear(res);
	}
	if (!done && c->then != NULL) {
		hold(&p->attaches, &p->nattaches, c->then, NULL, c->line);
		c->then = NULL;
	}
	release(c);
}

static int
nbusy(const struct stmt_pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->nopen; i++)
		n += p->conns[i].busy;
	return n;
}

/* Waits until at least one running statement finishes. */
static int
wait_one(struct stmt_pool *p)
{
	struct pollfd fds[MAX_POOL];
	int i, n;

	for (;;) {
		n = 0;
		for (i = 0; i < p->nopen; i++) {
			struct pooled_conn *c = &p->conns[i];

			if (!c->busy)
				continue;
			if (PQconsumeInput(c->conn) == 0) {
				statement_error(p, c->conn, NULL, c->sql, c->line);
				free(c->sql);
				free(c->then);
				c->sql = c->then = NULL;
				c->busy = 0;
				return -1;
			}
			if (!PQisBusy(c->conn)) {
				settle(p, c);
				return 0;
			}
			fds[n].fd = PQsocket(c->conn);
			fds[n].events = POLLIN;
			n++;
		}
		if (n == 0)
			return 0;
		if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR) {
			log_errno("cannot wait for the restore's connections");
			return -1;
		}
	}
}

static int
wait_all(struct stmt_pool *p)
{
	while (nbusy(p) > 0)
		if (wait_one(p) < 0)
			return -1;
	return 0;
}

static int
replay(const struct stmt_pool *p, PGconn *conn, size_t from)
{
	size_t i;

	for (i = from; i < p->nsession; i++)
		if (pgsql_run_one(conn, p->session[i], "cannot set up a restore connection") < 0)
			return -1;
	return 0;
}

int
stmt_pool_replay_session(const struct stmt_pool *p, PGconn *conn)
{
	return p == NULL ? 0 : replay(p, conn, 0);
}

/* An idle connection, opened and set up like the main one if need be; NULL on failure. */
static struct pooled_conn *
idle_conn(struct stmt_pool *p)
{
	struct pooled_conn *c = NULL;
	int i;

	for (;;) {
		for (i = 0; i < p->nopen && c == NULL; i++)
			if (!p->conns[i].busy)
				c = &p->conns[i];
		if (c == NULL && p->nopen < p->size) {
			PGconn *conn = pgsql_connect_like(p->conns[0].conn, PQdb(p->conns[0].conn));

			if (conn == NULL || restore_session_setup(conn) < 0) {
				PQfinish(conn);
				return NULL;
			}
			c = &p->conns[p->nopen++];
			c->conn = conn;
			c->own = 1;
		}
		if (c != NULL)
			break;
		if (wait_one(p) < 0 || p->failed)
			return NULL;
	}
	if (replay(p, c->conn, c->session_done) < 0)
		return NULL;
	c->session_done = p->nsession;
	return c;
}

/*
 * ADD PRIMARY KEY or UNIQUE takes an ACCESS EXCLUSIVE lock for its whole
 * index build, so the table's other indexes wait for it. Built first as a
 * unique index, it shares the table with them; the constraint then takes
 * the index over in a moment. The catalogs end up as the one statement
 * leaves them. Plain tables only: a partitioned table's key cannot take an
 * index over. 1 with both statements set, 0 to run the statement as it is.
 */
static int
split_key_plain(PGconn *conn, const char *sql, size_t len, char **build, char **attach)
{
	const char *params[1];
	PGresult *res;
	char *table;
	int plain;

	if (!sql_key_split(sql, len, build, attach, &table))
		return 0;
	params[0] = table;
	/*
	 * Since 18 a key taking an index over marks the not-null constraints a
	 * table inherits as its own, which the one statement leaves inherited:
	 * a partition or inheritance child keeps the one statement there.
	 */
	res = PQexecParams(conn, "SELECT c.relkind = 'r' AND (pg_catalog.current_setting('server_version_num')::int < 180000"
	    " OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid))"
	    " FROM pg_catalog.pg_class c WHERE c.oid = $1::pg_catalog.regclass",
	    1, NULL, params, NULL, NULL, 0);
	/* Any doubt (no such table: the statement itself will say so) keeps the one statement. */
	plain = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	free(table);
	if (!plain) {
		free(*build);
		free(*attach);
		*build = *attach = NULL;
	}
	return plain;
}

/*
 * Checking a new foreign key, the server joins the whole referencing table
 * with the referenced key by a hash, on one core (3M rows: 0.8 s, 9M rows:
 * 4.6 s). When a btree index leads with the key's column and every page of
 * the table is all-visible, merging that index with the referenced key's,
 * reading no heap, checks the same rows in a fraction of that (0.25 s and
 * 1.0 s); the planner's costs do not see it, so the check is steered there
 * (hash joins and nested loops off for the one statement). A table loaded
 * frozen is all-visible already; the rest is made so by a VACUUM first (0.1 s
 * for the 1.5M rows a table loaded in parts took by INSERT), which only now
 * can see them older than every transaction. Single-column keys; any doubt
 * leaves the planner alone.
 */
static int
fk_index_visible(PGconn *conn, const char *table, const char *column, int *visible)
{
	const char *params[2] = { table, column };
	PGresult *res;
	int has;

	res = PQexecParams(conn,
	    "SELECT EXISTS (SELECT FROM pg_catalog.pg_index i"
	    "   JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
	    "   WHERE i.indrelid = c.oid AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'"
	    "   AND i.indkey[0] = a.attnum) AND c.relpages > 0, c.relallvisible >= c.relpages"
	    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
	    " WHERE c.oid = $1::pg_catalog.regclass AND pg_catalog.quote_ident(a.attname) = $2",
	    2, NULL, params, NULL, NULL, 0);
	has = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	*visible = has && strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	return has;
}

static int
steer_fk_check(PGconn *conn, const char *sql, size_t len, long line)
{
	char *table, *column, *vacuum;
	PGresult *res;
	int visible = 0, steered = 0;

	if (!sql_fk_column(sql, len, &table, &column))
		return 0;
	if (fk_index_visible(conn, table, column, &visible) && !visible && PQserverVersion(conn) >= 120000) {
		/* SKIP_LOCKED: autovacuum, at it already, does the same. */
		vacuum = xasprintf("VACUUM (SKIP_LOCKED) %s", table);
		PQclear(PQexec(conn, vacuum));
		free(vacuum);
		fk_index_visible(conn, table, column, &visible);
	}
	if (visible) {
		res = PQexec(conn, "SET enable_hashjoin = off; SET enable_nestloop = off");
		steered = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
		if (steered)
			log_debug("line %ld: foreign key checked by merging indexes (its table is all-visible)", line);
	}
	free(table);
	free(column);
	return steered;
}

int
stmt_pool_submit(struct stmt_pool *p, enum stmt_class cls, const char *sql, size_t len, long line)
{
	struct pooled_conn *c;

	if (p->failed)
		return -1;
	if (cls != p->current && stmt_pool_drain(p) < 0)
		return -1;
	p->current = cls;
	if ((c = idle_conn(p)) == NULL) {
		p->failed = 1;
		return -1;
	}
	/* An index expression's function may have changed how this connection reads SQL. */
	if (pgsql_session_safe(c->conn, "restore stopped") < 0) {
		p->failed = 1;
		return -1;
	}
	if (cls == STMT_INDEX && p->size > 1 && split_key_plain(c->conn, sql, len, &c->sql, &c->then)) {
		log_debug("line %ld: key built as a unique index beside the table's other indexes, then attached",
		    line);
	} else {
		c->sql = xstrndup(sql, len);
	}
	if (cls == STMT_FK)
		c->steered = steer_fk_check(c->conn, sql, len, line);
	c->line = line;
	p->statements++;
	if (!pgsql_send_one(c->conn, c->sql)) {
		statement_error(p, c->conn, NULL, c->sql, line);
		release(c);
		return p->failed ? -1 : 0;
	}
	c->busy = 1;
	return p->failed ? -1 : 0;
}

/* Runs a held-back statement on the main connection; 0, or -1 when it failed (reported). */
static int
run_alone(struct stmt_pool *p, const char *sql, long line)
{
	PGresult *res;
	int rc = -1;

	if (p->failed)
		return -1;
	res = pgsql_exec_one(p->conns[0].conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		rc = 0;
	else
		statement_error(p, p->conns[0].conn, res, sql, line);
	PQclear(res);
	return rc;
}

int
stmt_pool_drain(struct stmt_pool *p)
{
	size_t i;

	if (wait_all(p) < 0)
		p->failed = 1;
	p->current = STMT_SERIAL;
	for (i = 0; i < p->nretries; i++) {
		struct pending *r = &p->retries[i];

		if (run_alone(p, r->sql, r->line) == 0 && r->then != NULL) {
			hold(&p->attaches, &p->nattaches, r->then, NULL, r->line);
			r->then = NULL;
		}
		free(r->sql);
		free(r->then);
	}
	p->nretries = 0;
	/* Keys onto their indexes, before anything (a foreign key) may need them. */
	for (i = 0; i < p->nattaches; i++) {
		run_alone(p, p->attaches[i].sql, p->attaches[i].line);
		free(p->attaches[i].sql);
	}
	p->nattaches = 0;
	return p->failed ? -1 : 0;
}

long long
stmt_pool_statements(const struct stmt_pool *p)
{
	return p->statements;
}

long long
stmt_pool_errors(const struct stmt_pool *p)
{
	return p->errors;
}

static void
drop_results(PGconn *conn)
{
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

void
stmt_pool_free(struct stmt_pool *p)
{
	size_t i;
	int j;

	if (p == NULL)
		return;
	for (j = 0; j < p->nopen; j++) {
		struct pooled_conn *c = &p->conns[j];

		/* Still running after a failure: cancelled by closing the connection. */
		if (c->own)
			PQfinish(c->conn);
		else if (c->busy)
			drop_results(c->conn);
		free(c->sql);
		free(c->then);
	}
	for (i = 0; i < p->nsession; i++)
		free(p->session[i]);
	for (i = 0; i < p->nretries; i++) {
		free(p->retries[i].sql);
		free(p->retries[i].then);
	}
	for (i = 0; i < p->nattaches; i++)
		free(p->attaches[i].sql);
	free(p->session);
	free(p->retries);
	free(p->attaches);
	free(p->conns);
	free(p);
}
