/*
 * The cluster-wide objects a database's dump needs before it loads
 * (dump/dump-globals.h): the statements are built by the server, as the
 * schema's are, from pg_roles (which shows no password), pg_auth_members
 * and pg_tablespace.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "dump/dump-globals.h"
#include "pg/pgsql.h"

/*
 * The roles: those recorded in pg_shdepend for this database's objects
 * (owners, ACLs, policies, default privileges), its owner, the owners of
 * its tablespaces, then everyone below them (members) and above them
 * (what they are members of). Oids under 16384 are initdb's.
 */
static const char roles_cte[] =
    "WITH RECURSIVE db AS (SELECT oid, datdba, dattablespace FROM pg_catalog.pg_database"
    "   WHERE datname = pg_catalog.current_database()),"
    " spc AS (SELECT t.oid, t.spcname, t.spcowner, t.spcoptions FROM pg_catalog.pg_tablespace t"
    "   WHERE t.spcname NOT IN ('pg_default', 'pg_global') AND (t.oid = (SELECT dattablespace FROM db)"
    "   OR t.oid IN (SELECT c.reltablespace FROM pg_catalog.pg_class c))),"
    " ref(oid) AS (SELECT d.refobjid FROM pg_catalog.pg_shdepend d, db"
    "   WHERE d.dbid = db.oid AND d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass"
    "   UNION SELECT datdba FROM db UNION SELECT spcowner FROM spc),"
    " down(oid) AS (SELECT oid FROM ref UNION"
    "   SELECT m.member FROM pg_catalog.pg_auth_members m JOIN down ON m.roleid = down.oid),"
    " up(oid) AS (SELECT oid FROM down UNION"
    "   SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN up ON m.member = up.oid),"
    " r AS (SELECT * FROM pg_catalog.pg_roles WHERE oid IN (SELECT oid FROM up) AND oid >= 16384)";

/* pg_dumpall's ALTER ROLE: every attribute spelled out, never a password. */
static const char roles_body[] =
    " SELECT x.o, x.name, x.k, x.sql FROM ("
    " SELECT 1 AS o, r.rolname AS name, 0 AS k, pg_catalog.format('CREATE ROLE %I;', r.rolname) AS sql FROM r"
    " UNION ALL SELECT 1, r.rolname, 1, pg_catalog.format('ALTER ROLE %I WITH %s %s %s %s %s %s %s%s%s;', r.rolname,"
    "   CASE WHEN r.rolsuper THEN 'SUPERUSER' ELSE 'NOSUPERUSER' END,"
    "   CASE WHEN r.rolinherit THEN 'INHERIT' ELSE 'NOINHERIT' END,"
    "   CASE WHEN r.rolcreaterole THEN 'CREATEROLE' ELSE 'NOCREATEROLE' END,"
    "   CASE WHEN r.rolcreatedb THEN 'CREATEDB' ELSE 'NOCREATEDB' END,"
    "   CASE WHEN r.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,"
    "   CASE WHEN r.rolreplication THEN 'REPLICATION' ELSE 'NOREPLICATION' END,"
    "   CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' ELSE 'NOBYPASSRLS' END,"
    "   CASE WHEN r.rolconnlimit <> -1 THEN ' CONNECTION LIMIT ' || r.rolconnlimit ELSE '' END,"
    "   CASE WHEN r.rolvaliduntil IS NOT NULL THEN pg_catalog.format(' VALID UNTIL %L', r.rolvaliduntil) ELSE '' END)"
    "   FROM r"
    /* A list setting is stored in its own quoted list syntax, which SET reads back as it is. */
    " UNION ALL SELECT 1, r.rolname, 2, pg_catalog.format('ALTER ROLE %I SET %I TO %s;', r.rolname,"
    "   pg_catalog.split_part(c.setting, '=', 1),"
    "   CASE WHEN pg_catalog.split_part(c.setting, '=', 1) IN ('search_path', 'temp_tablespaces',"
    "     'session_preload_libraries', 'local_preload_libraries')"
    "   THEN pg_catalog.substr(c.setting, pg_catalog.strpos(c.setting, '=') + 1)"
    "   ELSE pg_catalog.quote_literal(pg_catalog.substr(c.setting, pg_catalog.strpos(c.setting, '=') + 1)) END)"
    "   FROM r, pg_catalog.unnest(r.rolconfig) WITH ORDINALITY c(setting, n)"
    " UNION ALL SELECT 1, r.rolname, 3, pg_catalog.format('COMMENT ON ROLE %I IS %L;', r.rolname,"
    "   pg_catalog.shobj_description(r.oid, 'pg_authid')) FROM r"
    "   WHERE pg_catalog.shobj_description(r.oid, 'pg_authid') IS NOT NULL"
    " UNION SELECT 2, mr.rolname || ' ' || pr.rolname, 0, pg_catalog.format('GRANT %I TO %I%s;', pr.rolname, mr.rolname, ";
/* Membership options: 16+ keeps INHERIT and SET per grant. */
static const char grant_opts_v16[] =
    "pg_catalog.format(' WITH ADMIN %s, INHERIT %s, SET %s', m.admin_option, m.inherit_option, m.set_option))";
static const char grant_opts_v12[] =
    "CASE WHEN m.admin_option THEN ' WITH ADMIN OPTION' ELSE '' END)";
static const char roles_tail[] =
    "   FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles pr ON pr.oid = m.roleid"
    "   JOIN pg_catalog.pg_roles mr ON mr.oid = m.member WHERE m.member IN (SELECT oid FROM r)"
    " UNION ALL SELECT 3, spc.spcname, 0, pg_catalog.format('CREATE TABLESPACE %I OWNER %I LOCATION %L;', spc.spcname,"
    "   pg_catalog.pg_get_userbyid(spc.spcowner), pg_catalog.pg_tablespace_location(spc.oid)) FROM spc"
    " UNION ALL SELECT 3, spc.spcname, 1, pg_catalog.format('ALTER TABLESPACE %I SET (%s);', spc.spcname,"
    "   pg_catalog.array_to_string(spc.spcoptions, ', ')) FROM spc WHERE spc.spcoptions IS NOT NULL"
    ") x ORDER BY x.o, x.name COLLATE \"C\", x.k, x.sql COLLATE \"C\"";

int
dump_globals(PGconn *conn, struct pipe *out, long long *roles, long long *tablespaces)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *res;
	int i, rc = -1;

	*roles = *tablespaces = 0;
	strbuf_puts(&q, roles_cte);
	strbuf_puts(&q, roles_body);
	strbuf_puts(&q, PQserverVersion(conn) >= 160000 ? grant_opts_v16 : grant_opts_v12);
	strbuf_puts(&q, roles_tail);
	res = pgsql_query(conn, strbuf_str(&q), "cannot read the roles and tablespaces the database uses");
	strbuf_free(&q);
	if (res == NULL)
		return -1;
	if (pipe_puts(out, "--\n-- lotbackup: roles and tablespaces the database uses (no passwords).\n"
	    "-- Load before the dump: lotbackup restore --globals FILE -d postgres,\n"
	    "-- or psql -X -f FILE (roles that exist report an error and are kept).\n--\n\n") < 0)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		const char *o = PQgetvalue(res, i, 0), *k = PQgetvalue(res, i, 2);

		if (strcmp(k, "0") == 0 && strcmp(o, "1") == 0)
			(*roles)++;
		if (strcmp(k, "0") == 0 && strcmp(o, "3") == 0)
			(*tablespaces)++;
		if (pipe_printf(out, "%s\n", PQgetvalue(res, i, 3)) < 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}
