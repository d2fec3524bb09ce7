#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conninfo.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

const char *
pg_target_origin_label(enum pg_target_origin origin)
{
	switch (origin) {
	case PG_TARGET_FLAG:
		return "--dbname";
	case PG_TARGET_ENV:
		return "DATABASE_URL";
	case PG_TARGET_DOTENV:
		return "DATABASE_URL in .env";
	case PG_TARGET_DB_VARS:
		return "DB_* variables";
	case PG_TARGET_LIBPQ_DEFAULTS:
		break;
	}
	return "PG* variables";
}

char *
pgsql_describe_target(const struct pg_target *target)
{
	if (target->conninfo != NULL)
		return conninfo_redact(target->conninfo);
	return xasprintf("the database named by PG* variables (PGHOST=%s PGDATABASE=%s PGUSER=%s)",
	    getenv("PGHOST") ? getenv("PGHOST") : "default",
	    getenv("PGDATABASE") ? getenv("PGDATABASE") : "default",
	    getenv("PGUSER") ? getenv("PGUSER") : "default");
}

/*
 * A failed check of the server's certificate, from libpq's message, or
 * NULL. First: libpq's "root certificate file ... does not exist" would
 * otherwise read as a missing database or user.
 */
static const char *
tls_hint(const char *msg)
{
	if (strstr(msg, "root certificate file") || strstr(msg, "could not read root certificate"))
		return "no CA certificate to check the server's against: set LOTBACKUP_SSLROOTCERT (or PGSSLROOTCERT) "
		    "to the CA certificate file of the database (DigitalOcean: its \"Download CA certificate\"), "
		    "and check that the path is right";
	if (strstr(msg, "certificate verify failed") || strstr(msg, "certificate has expired"))
		return "the server's certificate was not signed by the CA given: check LOTBACKUP_SSLROOTCERT (or "
		    "PGSSLROOTCERT, or sslrootcert in the connection string) names this database's CA certificate";
	if (strstr(msg, "does not match host name"))
		return "the server's certificate does not name this host: connect by the host name it was issued for "
		    "(or use sslmode=verify-ca)";
	return NULL;
}

/* The likely fix, from libpq's message; one clause an operator can act on. */
static const char *
connect_hint(PGconn *conn, const char *msg)
{
	const char *tls = tls_hint(msg);

	if (tls != NULL)
		return tls;
	if (PQconnectionNeedsPassword(conn))
		return "a password is needed: put it in DATABASE_URL, PGPASSWORD or ~/.pgpass";
	if (strstr(msg, "password authentication failed"))
		return "check the password in DATABASE_URL, PGPASSWORD or ~/.pgpass";
	if (strstr(msg, "does not exist"))
		return "check the database and user names, or create them";
	if (strstr(msg, "No such file or directory") || strstr(msg, "Connection refused"))
		return "is the server running, and are host and port right?";
	if (strstr(msg, "could not translate host name"))
		return "check the host name";
	return "check --dbname, DATABASE_URL or the PG* variables";
}

PGconn *
pgsql_connect(const struct pg_target *target)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *values[] = { target->conninfo, "lotbackup", NULL };
	PGconn *conn;
	char *described, *msg;

	/* expand_dbname: dbname may be a whole conninfo string or URL. */
	conn = PQconnectdbParams(keys, values, 1);
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return conn;
	described = pgsql_describe_target(target);
	msg = xstrdup(conn ? PQerrorMessage(conn) : "out of memory");
	if (conn && PQpass(conn)) {
		char *clean = redact_secret(msg, PQpass(conn));

		free(msg);
		msg = clean;
	}
	log_error("cannot connect to %s (from %s): %s; %s", described,
	    pg_target_origin_label(target->origin), msg, connect_hint(conn, msg));
	free(described);
	free(msg);
	PQfinish(conn);
	return NULL;
}

PGconn *
pgsql_connect_options(const PQconninfoOption *options, const char *dbname)
{
	const PQconninfoOption *o;
	const char **keys, **values;
	PGconn *conn;
	size_t n = 0, i = 0;

	for (o = options; o != NULL && o->keyword != NULL; o++)
		n++;
	keys = xcalloc(n + 3, sizeof(*keys));
	values = xcalloc(n + 3, sizeof(*values));
	for (o = options; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL || strcmp(o->keyword, "dbname") == 0 ||
		    strcmp(o->keyword, "fallback_application_name") == 0)
			continue;
		keys[i] = o->keyword;
		values[i++] = o->val;
	}
	keys[i] = "dbname";
	values[i++] = dbname;
	keys[i] = "fallback_application_name";
	values[i] = "lotbackup";
	conn = PQconnectdbParams(keys, values, 0);
	free(keys);
	free(values);
	return conn;
}

/*
 * Every setting the first connection ended up with (host, port, user,
 * password, sslmode, ...), so a second one reaches the same server the same
 * way, whatever mix of URL, PG* variables and .pgpass supplied them.
 */
PGconn *
pgsql_connect_like(PGconn *conn, const char *dbname)
{
	PQconninfoOption *info = PQconninfo(conn);
	PGconn *other = pgsql_connect_options(info, dbname);

	PQconninfoFree(info);
	if (other != NULL && PQstatus(other) == CONNECTION_OK)
		return other;
	log_error("cannot connect to database \"%s\": %s", dbname, other ? PQerrorMessage(other) : "out of memory");
	PQfinish(other);
	return NULL;
}

void
pgsql_report(PGconn *conn, const PGresult *res, const char *what)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	/* The server's hint names the fix ("increase max_locks_per_transaction"): an operator needs it. */
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

	/* After a signal the error is its cancel: say that instead. */
	if (interrupt_check() < 0)
		return;
	if (primary == NULL) {
		/* Lost connection and the like: libpq's own text says what happened. */
		log_error("%s: %s%s", what, conn ? PQerrorMessage(conn) : "no connection",
		    conn && PQstatus(conn) == CONNECTION_BAD ? " (connection to the server lost)" : "");
		return;
	}
	log_error("%s: %s%s%s (SQLSTATE %s)%s%s", what, primary, detail ? ": " : "", detail ? detail : "",
	    sqlstate ? sqlstate : "none", hint ? "; hint: " : "", hint ? hint : "");
}

const char *
pgsql_error_text(PGconn *conn, const PGresult *res)
{
	static _Thread_local char own[512];
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	size_t n;

	if (primary != NULL)
		return primary;
	/* libpq's own text ends in a newline, which would split the caller's line. */
	snprintf(own, sizeof(own), "%s", conn ? PQerrorMessage(conn) : "");
	n = strcspn(own, "\n");
	own[n] = '\0';
	return n > 0 ? own : "no reply from the server";
}

char *
pgsql_quote_ident(PGconn *conn, const char *name, const char *what)
{
	char *quoted = PQescapeIdentifier(conn, name, strlen(name));

	if (quoted == NULL)
		log_error("cannot quote %s \"%s\": %s", what, name, PQerrorMessage(conn));
	return quoted;
}

/* The value is not named: it may be a secret. */
char *
pgsql_quote_literal(PGconn *conn, const char *value, const char *what)
{
	char *quoted = PQescapeLiteral(conn, value, strlen(value));

	if (quoted == NULL)
		log_error("cannot quote %s: %s", what, PQerrorMessage(conn));
	return quoted;
}

static PGresult *
checked(PGconn *conn, PGresult *res, ExecStatusType want, const char *what)
{
	if (res != NULL && PQresultStatus(res) == want)
		return res;
	pgsql_report(conn, res, what);
	PQclear(res);
	return NULL;
}

PGresult *
pgsql_query(PGconn *conn, const char *sql, const char *what)
{
	return checked(conn, PQexec(conn, sql), PGRES_TUPLES_OK, what);
}

char *
pgsql_text_array(const char *const *items, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	const char *p;
	size_t i;

	strbuf_putc(&b, '{');
	for (i = 0; i < n; i++) {
		strbuf_puts(&b, i > 0 ? ",\"" : "\"");
		/* Inside double quotes only the quote and the backslash need one before them. */
		for (p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_putc(&b, '\\');
			strbuf_putc(&b, *p);
		}
		strbuf_putc(&b, '"');
	}
	strbuf_putc(&b, '}');
	return strbuf_detach(&b);
}

PGresult *
pgsql_query_params(PGconn *conn, const char *sql, int nparams, const char *const *values, const char *what)
{
	return checked(conn, PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, 0),
	    PGRES_TUPLES_OK, what);
}

PGresult *
pgsql_exec_one(PGconn *conn, const char *sql)
{
	return PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
}

int
pgsql_send_one(PGconn *conn, const char *sql)
{
	return PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
}

int
pgsql_run_one(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = pgsql_exec_one(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		pgsql_report(conn, res, what);
	PQclear(res);
	return ok ? 0 : -1;
}

int
pgsql_session_safe(PGconn *conn, const char *where)
{
	const char *scs = PQparameterStatus(conn, "standard_conforming_strings");
	int enc = PQclientEncoding(conn);

	if (enc < 0 || !pg_valid_server_encoding_id(enc)) {
		log_error("%s: the session's client_encoding became %s, which lotbackup cannot read SQL in "
		    "(a function of the dump set it?)", where, enc >= 0 ? pg_encoding_to_char(enc) : "unknown");
		return -1;
	}
	if (scs == NULL || strcmp(scs, "on") != 0) {
		log_error("%s: standard_conforming_strings became %s, so the server would read backslashes in "
		    "strings otherwise than lotbackup (a function of the dump set it?)", where, scs ? scs : "unknown");
		return -1;
	}
	return 0;
}

int
pgsql_exec(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = checked(conn, PQexec(conn, sql), PGRES_COMMAND_OK, what);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int
pgsql_rollback(PGconn *conn)
{
	/* Idle: no transaction left to undo, and a ROLLBACK would only draw a warning. */
	int open = PQtransactionStatus(conn) != PQTRANS_IDLE;

	if (open)
		PQclear(PQexec(conn, "ROLLBACK"));
	return open;
}
