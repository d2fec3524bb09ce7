#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "pg/pgsql.h"
#include "restore/restore-target.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* Objects an extension made are the extension's to drop. */
#define NOT_EXTENSION_MEMBER(cls, alias) \
	"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '" cls "'::pg_catalog.regclass " \
	"AND d.objid = " alias ".oid AND d.deptype = 'e')"

char *
target_dbname(const struct pg_target *target)
{
	PQconninfoOption *parsed, *o;
	char *err = NULL, *name = NULL;

	if (target->conninfo == NULL)
		return NULL;
	parsed = PQconninfoParse(target->conninfo, &err);
	if (parsed == NULL) {
		/* Not conninfo: a bare database name, as libpq takes it. */
		PQfreemem(err);
		return strchr(target->conninfo, '=') ? NULL : xstrdup(target->conninfo);
	}
	for (o = parsed; o->keyword; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
			name = xstrdup(o->val);
	PQconninfoFree(parsed);
	return name;
}

PGconn *
target_connect_other(const struct pg_target *target, const char *dbname)
{
	PQconninfoOption *parsed = NULL;
	PGconn *conn = NULL;
	char *err = NULL;

	if (target->conninfo && strchr(target->conninfo, '=') == NULL && strstr(target->conninfo, "://") == NULL)
		parsed = PQconninfoParse("", &err);	/* a bare name: everything else from PG* */
	else
		parsed = PQconninfoParse(target->conninfo ? target->conninfo : "", &err);
	if (parsed == NULL) {
		log_error("cannot parse the connection string: %s", err ? err : "out of memory");
		PQfreemem(err);
		return NULL;
	}
	conn = pgsql_connect_options(parsed, dbname);
	if (PQstatus(conn) != CONNECTION_OK) {
		log_error("cannot connect to database \"%s\" on the target server: %s", dbname, PQerrorMessage(conn));
		PQfinish(conn);
		conn = NULL;
	}
	PQconninfoFree(parsed);
	return conn;
}

/* The maintenance database to run CREATE/DROP DATABASE from. */
static PGconn *
maintenance_connect(const struct pg_target *target)
{
	return target_connect_other(target, "postgres");
}

int
target_create(const struct pg_target *target, const char *dbname, int must_be_new, int *created)
{
	const char *params[1] = { dbname };
	PGconn *conn = maintenance_connect(target);
	PGresult *res = NULL;
	char *quoted = NULL, *sql = NULL, *what = NULL;
	int rc = -1;

	*created = 0;
	if (conn == NULL)
		return -1;
	res = pgsql_query_params(conn, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", 1, params,
	    "cannot look up the target database");
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0) {
		if (must_be_new) {
			log_error("database \"%s\" already exists: choose another --scratch-db or drop it", dbname);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if ((quoted = pgsql_quote_ident(conn, dbname, "database name")) == NULL)
		goto out;
	sql = xasprintf("CREATE DATABASE %s TEMPLATE template0", quoted);
	what = xasprintf("cannot create database \"%s\"", dbname);
	if (pgsql_exec(conn, sql, what) < 0)
		goto out;
	log_info("created database \"%s\"", dbname);
	*created = 1;
	rc = 0;
out:
	PQfreemem(quoted);
	free(sql);
	free(what);
	PQclear(res);
	PQfinish(conn);
	return rc;
}

int
target_drop(const struct pg_target *target, const char *dbname)
{
	PGconn *conn = maintenance_connect(target);
	char *quoted, *sql, *what;
	int rc;

	if (conn == NULL)
		return -1;
	if ((quoted = pgsql_quote_ident(conn, dbname, "database name")) == NULL) {
		PQfinish(conn);
		return -1;
	}
	/* WITH (FORCE) ends leftover sessions; PostgreSQL 12 lacks it. */
	sql = xasprintf("DROP DATABASE IF EXISTS %s%s", quoted, PQserverVersion(conn) >= 130000 ? " WITH (FORCE)" : "");
	what = xasprintf("cannot drop the scratch database \"%s\"", dbname);
	rc = pgsql_exec(conn, sql, what);
	PQfreemem(quoted);
	free(sql);
	free(what);
	PQfinish(conn);
	return rc;
}

long
target_user_tables(PGconn *conn)
{
	PGresult *res = pgsql_query(conn,
	    "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	    "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
	    "AND n.nspname !~ '^pg_' AND " NOT_EXTENSION_MEMBER("pg_class", "c"),
	    "cannot count the tables of the target database");
	long n;

	if (res == NULL)
		return -1;
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static int
run_generated(PGconn *conn, const char *query, const char *what)
{
	PGresult *res = pgsql_query(conn, query, what);
	int i, rc = 0;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res) && rc == 0; i++)
		rc = pgsql_exec(conn, PQgetvalue(res, i, 0), what);
	PQclear(res);
	return rc;
}

int
target_clean(PGconn *conn)
{
	PGresult *res;

	/* An empty search_path makes every generated name schema-qualified. */
	if (pgsql_exec(conn, "SET search_path = ''", "cannot prepare the clean") < 0)
		return -1;
	/*
	 * Event triggers first, so none fires on the drops. A subscription is
	 * disabled and let go of its slot before it is dropped, so the drop
	 * reaches no server (the slot stays where a copy made by a dump never
	 * had one), and its comment removed first: the server keeps it in
	 * pg_description, where DROP SUBSCRIPTION leaves it. Then the
	 * publications.
	 */
	if (run_generated(conn,
	    "SELECT x.sql FROM ("
	    "SELECT 1 AS o, e.evtname AS name, format('DROP EVENT TRIGGER IF EXISTS %I', e.evtname) AS sql "
	    "FROM pg_catalog.pg_event_trigger e WHERE " NOT_EXTENSION_MEMBER("pg_event_trigger", "e") " "
	    "UNION ALL SELECT s.o, s.subname, format(s.f, s.subname) FROM (SELECT sub.subname, v.o, v.f "
	    "FROM pg_catalog.pg_subscription sub, (VALUES (2, 'ALTER SUBSCRIPTION %I DISABLE'), "
	    "(3, 'ALTER SUBSCRIPTION %I SET (slot_name = NONE)'), (4, 'COMMENT ON SUBSCRIPTION %I IS NULL'), "
	    "(5, 'DROP SUBSCRIPTION %I')) v(o, f) "
	    "WHERE sub.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d "
	    "WHERE d.datname = pg_catalog.current_database())) s "
	    "UNION ALL SELECT 6, p.pubname, format('DROP PUBLICATION IF EXISTS %I', p.pubname) "
	    "FROM pg_catalog.pg_publication p"
	    ") x ORDER BY x.o, x.name COLLATE \"C\"",
	    "cannot drop the event triggers, subscriptions and publications of the target database") < 0)
		return -1;
	if (run_generated(conn,
	    "SELECT format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname) FROM pg_catalog.pg_namespace n "
	    "WHERE n.nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND n.nspname !~ '^pg_' "
	    "AND " NOT_EXTENSION_MEMBER("pg_namespace", "n") " "
	    "UNION ALL SELECT format('DROP EXTENSION IF EXISTS %I CASCADE', e.extname) "
	    "FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql' "
	    /* With their user mappings and the foreign tables of schema public. */
	    "UNION ALL SELECT format('DROP SERVER IF EXISTS %I CASCADE', s.srvname) "
	    "FROM pg_catalog.pg_foreign_server s WHERE " NOT_EXTENSION_MEMBER("pg_foreign_server", "s") " "
	    "UNION ALL SELECT format('DROP FOREIGN DATA WRAPPER IF EXISTS %I CASCADE', w.fdwname) "
	    "FROM pg_catalog.pg_foreign_data_wrapper w WHERE " NOT_EXTENSION_MEMBER("pg_foreign_data_wrapper", "w"),
	    "cannot drop the schemas of the target database") < 0)
		return -1;
	/* Schema public stays, with its owner, privileges and comment; its contents go. */
	if (run_generated(conn,
	    "SELECT format('DROP %s IF EXISTS %s CASCADE', CASE c.relkind WHEN 'v' THEN 'VIEW' "
	    "WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' "
	    "ELSE 'TABLE' END, c.oid::pg_catalog.regclass) FROM pg_catalog.pg_class c "
	    "WHERE c.relnamespace = 'public'::pg_catalog.regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
	    "AND " NOT_EXTENSION_MEMBER("pg_class", "c") " "
	    "UNION ALL SELECT format('DROP ROUTINE IF EXISTS %s CASCADE', p.oid::pg_catalog.regprocedure) "
	    "FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'public'::pg_catalog.regnamespace "
	    "AND " NOT_EXTENSION_MEMBER("pg_proc", "p") " "
	    /* a range type's own constructors go with the type */
	    "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_proc'::pg_catalog.regclass "
	    "AND d.objid = p.oid AND d.deptype = 'i') "
	    "UNION ALL SELECT format('DROP %s IF EXISTS %s CASCADE', CASE t.typtype WHEN 'd' THEN 'DOMAIN' "
	    "ELSE 'TYPE' END, t.oid::pg_catalog.regtype) FROM pg_catalog.pg_type t "
	    "WHERE t.typnamespace = 'public'::pg_catalog.regnamespace AND t.typtype IN ('e', 'd', 'r', 'c') "
	    "AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c') "
	    "AND " NOT_EXTENSION_MEMBER("pg_type", "t"),
	    "cannot drop the objects of schema public in the target database") < 0)
		return -1;
	/* The dump makes its large objects with their own oids, which must be free. */
	res = pgsql_query(conn, "SELECT count(pg_catalog.lo_unlink(l.oid)) FROM pg_catalog.pg_largeobject_metadata l",
	    "cannot drop the large objects of the target database");
	PQclear(res);
	return res == NULL ? -1 : 0;
}
