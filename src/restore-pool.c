#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "pgsql.h"
#include "restore-pool.h"
#include "restore.h"
#include "strbuf.h"
#include "xalloc.h"

#define SQLSTATE_DEADLOCK "40P01"
#define MAX_POOL 64

struct pooled_conn {
	PGconn *conn;
	int own;		/* opened by the pool (the first is the caller's) */
	size_t session_done;	/* session statements replayed on it */
	int busy;
	char *sql;		/* the statement running on it */
	long line;
};

struct retry {
	char *sql;
	long line;
};

struct stmt_pool {
	struct pooled_conn *conns;
	int size, nopen;
	enum stmt_class current;
	char **session;
	size_t nsession;
	struct retry *retries;
	size_t nretries;
	long long statements, errors;
	int keep_going;
	int failed;
};

/* Skips blanks and "--" comment lines. */
static const char *
skip_space(const char *p, const char *end)
{
	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else {
			break;
		}
	}
	return p;
}

/* Consumes keyword KW (case-insensitive, whole word) and the blanks after it. */
static int
eat_word(const char **p, const char *end, const char *kw)
{
	size_t n = strlen(kw);

	if ((size_t)(end - *p) < n || strncasecmp(*p, kw, n) != 0 ||
	    (*p + n < end && (isalnum((unsigned char)(*p)[n]) || (*p)[n] == '_')))
		return 0;
	*p = skip_space(*p + n, end);
	return 1;
}

/* Consumes an identifier, bare or "quoted" (with "" inside), and an optional .ident after it. */
static int
eat_name(const char **p, const char *end)
{
	do {
		const char *q = *p;

		if (q < end && *q == '"') {
			for (q++;; q++) {
				if (q >= end)
					return 0;
				if (*q == '"') {
					if (q + 1 < end && q[1] == '"') {
						q++;
						continue;
					}
					q++;
					break;
				}
			}
		} else {
			while (q < end && (isalnum((unsigned char)*q) || *q == '_' || *q == '$' || (unsigned char)*q >= 0x80))
				q++;
			if (q == *p)
				return 0;
		}
		*p = q;
	} while (*p < end && **p == '.' && ++*p);
	*p = skip_space(*p, end);
	return 1;
}

enum stmt_class
stmt_classify(const char *sql, size_t len)
{
	const char *end = sql + len, *p = skip_space(sql, end);

	if (eat_word(&p, end, "CREATE")) {
		eat_word(&p, end, "UNIQUE");
		return eat_word(&p, end, "INDEX") && !eat_word(&p, end, "CONCURRENTLY") ? STMT_INDEX : STMT_SERIAL;
	}
	if (!eat_word(&p, end, "ALTER") || !eat_word(&p, end, "TABLE"))
		return STMT_SERIAL;
	eat_word(&p, end, "ONLY");
	if (!eat_name(&p, end) || !eat_word(&p, end, "ADD") || !eat_word(&p, end, "CONSTRAINT") ||
	    !eat_name(&p, end))
		return STMT_SERIAL;
	if (eat_word(&p, end, "FOREIGN"))
		return STMT_FK;
	/* USING INDEX takes an index another statement makes: not side by side. */
	if (eat_word(&p, end, "PRIMARY") || eat_word(&p, end, "UNIQUE") || eat_word(&p, end, "EXCLUDE"))
		return memmem(p, (size_t)(end - p), "USING INDEX", 11) == NULL ? STMT_INDEX : STMT_SERIAL;
	return STMT_SERIAL;
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
	const char *s = skip_space(sql, sql + len);
	size_t n = len - (size_t)(s - sql);

	if (!(n > 4 && strncasecmp(s, "SET", 3) == 0 && isspace((unsigned char)s[3])) &&
	    !(n > 27 && strncasecmp(s, "SELECT pg_catalog.set_config", 28) == 0))
		return;
	p->session = xrealloc(p->session, (p->nsession + 1) * sizeof(*p->session));
	p->session[p->nsession++] = xstrndup(sql, len);
	/* The main connection ran it already. */
	p->conns[0].session_done = p->nsession;
}

static void
statement_error(struct stmt_pool *p, PGconn *conn, const PGresult *res, const char *sql, long line)
{
	size_t show = 0;
	char *what;

	while (sql[show] && show < 60 && sql[show] != '\n')
		show++;
	what = xasprintf("restore failed at line %ld (%.*s%s)", line, (int)show, sql, sql[show] ? "..." : "");
	pgsql_report(conn, res, what);
	free(what);
	p->errors++;
	if (!p->keep_going)
		p->failed = 1;
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
				p->retries = xrealloc(p->retries, (p->nretries + 1) * sizeof(*p->retries));
				p->retries[p->nretries].sql = c->sql;
				p->retries[p->nretries++].line = c->line;
				c->sql = NULL;
			} else {
				statement_error(p, c->conn, res, c->sql, c->line);
			}
			done = 1;
		}
		PQclear(res);
	}
	free(c->sql);
	c->sql = NULL;
	c->busy = 0;
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
				c->sql = NULL;
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

	for (i = from; i < p->nsession; i++) {
		PGresult *res = PQexec(conn, p->session[i]);
		int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

		if (!ok)
			pgsql_report(conn, res, "cannot set up a restore connection");
		PQclear(res);
		if (!ok)
			return -1;
	}
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
	c->sql = xstrndup(sql, len);
	c->line = line;
	p->statements++;
	if (!PQsendQuery(c->conn, c->sql)) {
		statement_error(p, c->conn, NULL, c->sql, line);
		free(c->sql);
		c->sql = NULL;
		return p->failed ? -1 : 0;
	}
	c->busy = 1;
	return p->failed ? -1 : 0;
}

int
stmt_pool_drain(struct stmt_pool *p)
{
	size_t i;

	if (wait_all(p) < 0)
		p->failed = 1;
	p->current = STMT_SERIAL;
	for (i = 0; i < p->nretries; i++) {
		PGresult *res;

		if (!p->failed) {
			res = PQexec(p->conns[0].conn, p->retries[i].sql);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				statement_error(p, p->conns[0].conn, res, p->retries[i].sql, p->retries[i].line);
			PQclear(res);
		}
		free(p->retries[i].sql);
	}
	p->nretries = 0;
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
	}
	for (i = 0; i < p->nsession; i++)
		free(p->session[i]);
	for (i = 0; i < p->nretries; i++)
		free(p->retries[i].sql);
	free(p->session);
	free(p->retries);
	free(p->conns);
	free(p);
}
