/*
 * The scratch database of verify --restore and the role it loads as.
 *
 * Why a role that logs in, not SET ROLE: a session keeps the rights of
 * the user it logged in as. After SET ROLE (or SET SESSION AUTHORIZATION)
 * any function the dump creates can call set_config('role', 'postgres',
 * false) and be that user again (seen on PostgreSQL 15: the server checks
 * the session user, who may become any role when a superuser). Only a
 * session logged in as the role cannot. So the role is made LOGIN with a
 * random password for this run only (sent as a SCRAM verifier, so the
 * password itself is in no server log) and dropped afterwards. Where the
 * server does not let it log in (pg_hba.conf: peer, cert...), the load
 * falls back to SET ROLE, given as a connection option so every
 * connection of the load has it and RESET ROLE keeps it, and says in one
 * warning that a dump's functions can undo it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "pg/pgsql.h"
#include "dump/sql-classify.h"
#include "restore/restore-target.h"
#include "verify/verify-scratch.h"

#define SCRATCH_PREFIX "lotbackup_verify_"
/* This host's names and those of earlier versions (no host part): the second are listed, never dropped. */
#define SCRATCH_PATTERN "^" SCRATCH_PREFIX "([0-9a-f]{8}_)?[0-9]+_[0-9]+$"

/* The start time of process PID in clock ticks since boot (field 22 of /proc/PID/stat); 0 when it is gone. */
static unsigned long long
process_start(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	size_t n;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and ')': count from the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')	/* killed, not yet reaped */
		return 0;
	for (field = 3; field < 22 && p != NULL; field++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	if (p != NULL)
		start = strtoull(p, NULL, 10);
	return start;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The first 8 hex digits of SHA-256 of the host name: a name stays within 63 bytes. */
static void
host_tag(char tag[9])
{
	char host[256] = "";
	unsigned char md[crypto_hash_sha256_BYTES];

	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "unknown");
	/* SHA-256 still: the names earlier versions gave on this host stay theirs. */
	crypto_hash_sha256(md, (const unsigned char *)host, strlen(host));
	hex(md, 4, tag);
}

enum scratch_owner { SCRATCH_LIVE, SCRATCH_STALE, SCRATCH_FOREIGN };

/* Whose is a name matching SCRATCH_PATTERN: a live run's, a dead run's of this host, or another host's. */
static enum scratch_owner
scratch_owner(const char *name)
{
	char tag[9], their[9];
	long pid;
	unsigned long long start;

	host_tag(tag);
	if (sscanf(name, SCRATCH_PREFIX "%8[0-9a-f]_%ld_%llu", their, &pid, &start) != 3 || strcmp(their, tag) != 0)
		return SCRATCH_FOREIGN;
	return process_start(pid) == start ? SCRATCH_LIVE : SCRATCH_STALE;
}

/* Drops each stale name of the query's list with DROP_FMT (%s: the quoted name); adds the foreign ones to `foreign`. */
static int
drop_listed(PGconn *conn, const char *list_sql, const char *drop_fmt, const char *what, struct strbuf *foreign)
{
	const char *params[1] = { SCRATCH_PATTERN };
	PGresult *res = pgsql_query_params(conn, list_sql, 1, params, "cannot list the scratch leftovers");
	int i;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		enum scratch_owner owner = scratch_owner(name);
		char *quoted, *sql;
		PGresult *drop;

		if (owner == SCRATCH_FOREIGN)
			strbuf_printf(foreign, "%s%s %s", foreign->len ? ", " : "", what, name);
		if (owner != SCRATCH_STALE)
			continue;
		if ((quoted = pgsql_quote_ident(conn, name, what)) == NULL)
			continue;
		sql = xasprintf(drop_fmt, quoted);
		drop = PQexec(conn, sql);
		if (PQresultStatus(drop) == PGRES_COMMAND_OK)
			log_info("dropped stale scratch %s \"%s\" (its process is gone)", what, name);
		else
			log_warn("cannot drop stale scratch %s \"%s\": %s", what, name, PQerrorMessage(conn));
		PQclear(drop);
		PQfreemem(quoted);
		free(sql);
	}
	PQclear(res);
	return 0;
}

int
scratch_drop_stale(const struct pg_target *server)
{
	struct strbuf foreign = STRBUF_INIT;
	PGconn *conn;
	int rc = -1;

	/* Without /proc no run can be told alive or dead: leave them all. */
	if (process_start((long)getpid()) == 0)
		return 0;
	if ((conn = target_connect_other(server, "postgres")) == NULL)
		return -1;
	/* No FORCE: a database someone is still connected to is not a leftover. Its role goes after it. */
	if (drop_listed(conn, "SELECT datname FROM pg_catalog.pg_database WHERE datname ~ $1 ORDER BY 1",
	    "DROP DATABASE IF EXISTS %s", "database", &foreign) < 0 ||
	    drop_listed(conn, "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname ~ $1 ORDER BY 1",
	    "DROP ROLE IF EXISTS %s", "role", &foreign) < 0)
		goto out;
	if (foreign.len > 0)
		log_warn("left alone, made by verify --restore on another host or an older version (drop them "
		    "there, or by hand once unused): %s", foreign.buf);
	rc = 0;
out:
	strbuf_free(&foreign);
	PQfinish(conn);
	return rc;
}

/* A yes/no question about the connecting user: 1 yes, 0 no, -1 (reported as what). */
static int
user_has(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = pgsql_query(conn, sql, what);
	int yes;

	if (res == NULL)
		return -1;
	yes = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return yes;
}

/* May the connecting user create roles? */
static int
may_create_roles(PGconn *conn)
{
	return user_has(conn, "SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user",
	    "cannot look up the connecting user's rights");
}

/* Is the connecting user a superuser? */
static int
is_superuser(PGconn *conn)
{
	return user_has(conn, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user",
	    "cannot look up whether the connecting user is a superuser");
}

/*
 * The role: LOGIN (see the top), no other attribute, a password for this
 * run; the connecting user made a member, so that it may make the role
 * owner of a database and drop both (needed when it is not a superuser).
 */
static int
create_role(PGconn *conn, struct scratch *s)
{
	unsigned char rnd[24];
	char pw[49], *verifier = NULL, *qrole = NULL, *qverifier = NULL, *sql = NULL, *what = NULL;
	int rc = -1;

	if (sodium_init() < 0) {
		log_error("cannot make a password for the scratch role: libsodium cannot start (no entropy source?)");
		return -1;
	}
	randombytes_buf(rnd, sizeof(rnd));
	hex(rnd, sizeof(rnd), pw);
	verifier = PQencryptPasswordConn(conn, pw, s->role, "scram-sha-256");
	if (verifier == NULL) {
		log_error("cannot make a password for the scratch role: %s", PQerrorMessage(conn));
		goto out;
	}
	if ((qrole = pgsql_quote_ident(conn, s->role, "role name")) == NULL ||
	    (qverifier = pgsql_quote_literal(conn, verifier, "the scratch role's password")) == NULL)
		goto out;
	sql = xasprintf("CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
	    "NOBYPASSRLS PASSWORD %s; GRANT %s TO CURRENT_USER", qrole, qverifier, qrole);
	what = xasprintf("cannot create the scratch role \"%s\"", s->role);
	/* One string, one implicit transaction: the role and the grant, or neither. */
	if (pgsql_exec(conn, sql, what) < 0)
		goto out;
	s->role_created = 1;
	s->password = xstrdup(pw);
	rc = 0;
out:
	PQfreemem(verifier);
	PQfreemem(qrole);
	PQfreemem(qverifier);
	free(sql);
	free(what);
	return rc;
}

/*
 * Connects like `like` (same server, database and settings) but as user
 * with password, or with options added; the caller checks the status.
 */
static PGconn *
connect_variant(PGconn *like, const char *user, const char *password, const char *options)
{
	PQconninfoOption *info = PQconninfo(like), *o;
	const char **keys, **vals;
	char *joined = NULL;
	size_t n = 0, i = 0;
	PGconn *conn;

	for (o = info; o != NULL && o->keyword != NULL; o++)
		n++;
	keys = xcalloc(n + 4, sizeof(*keys));
	vals = xcalloc(n + 4, sizeof(*vals));
	for (o = info; o != NULL && o->keyword != NULL; o++) {
		if (options != NULL && strcmp(o->keyword, "options") == 0)
			joined = xasprintf("%s %s", o->val ? o->val : "", options);
		else if (o->val != NULL && (user == NULL || (strcmp(o->keyword, "user") != 0 &&
		    strcmp(o->keyword, "password") != 0 && strcmp(o->keyword, "passfile") != 0))) {
			keys[i] = o->keyword;
			vals[i++] = o->val;
		}
	}
	if (user != NULL) {
		keys[i] = "user";
		vals[i++] = user;
		keys[i] = "password";
		vals[i++] = password;
	}
	if (options != NULL) {
		keys[i] = "options";
		vals[i++] = joined ? joined : options;
	}
	conn = PQconnectdbParams(keys, vals, 0);
	PQconninfoFree(info);
	free(keys);
	free(vals);
	free(joined);
	return conn;
}

/* The first line of a connection's error, for a one-line warning (caller frees). */
static char *
first_line(PGconn *conn)
{
	const char *m = conn ? PQerrorMessage(conn) : "out of memory";

	return xstrndup(m, strcspn(m, "\n"));
}

/* The load's connection: as the role, else with SET ROLE (one warning), else as the user. */
static int
connect_load(struct scratch *s)
{
	char *setrole, *why;
	PGconn *conn;

	if (s->role == NULL) {
		s->load = pgsql_connect_like(s->admin, s->db);
		return s->load == NULL ? -1 : 0;
	}
	conn = connect_variant(s->admin, s->role, s->password, NULL);
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK) {
		s->load = conn;
		return 0;
	}
	why = first_line(conn);
	PQfinish(conn);
	setrole = xasprintf("-c role=%s", s->role);
	conn = connect_variant(s->admin, NULL, NULL, setrole);
	free(setrole);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		log_error("cannot connect to the scratch database \"%s\" with role %s: %s", s->db, s->role,
		    conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		free(why);
		return -1;
	}
	log_warn("scratch role %s cannot log in (%s): loading with SET ROLE, which the dump's own functions "
	    "could undo; let it log in with a password in pg_hba.conf for full isolation", s->role, why);
	s->load = conn;
	free(why);
	return 0;
}

static char *
default_name(void)
{
	char tag[9];

	host_tag(tag);
	return xasprintf(SCRATCH_PREFIX "%s_%ld_%llu", tag, (long)getpid(), process_start((long)getpid()));
}

/* The role (see create_role), when the user may make one; else one warning and none. */
static int
make_role(PGconn *conn, struct scratch *s)
{
	int may = may_create_roles(conn);

	if (may < 0)
		return -1;
	if (may == 0) {
		log_warn("user %s may not create roles (no CREATEROLE): the dump loads as that user, held "
		    "to the statement allow-list only", PQuser(conn));
		free(s->role);
		s->role = NULL;
		return 0;
	}
	return create_role(conn, s);
}

int
scratch_create(const struct pg_target *server, const char *dbname, int trusted, struct scratch *s)
{
	PGconn *conn;
	char *sql = NULL, *what = NULL, *qdb = NULL, *qrole = NULL;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->admin_mu, NULL);
	s->role = default_name();
	s->db = xstrdup(dbname ? dbname : s->role);
	if ((conn = target_connect_other(server, "postgres")) == NULL)
		return -1;
	if (make_role(conn, s) < 0)
		goto out;
	if (target_create(server, s->db, 1, &s->db_created) < 0)
		goto out;
	if (s->role != NULL) {
		/* Before anything is loaded; schema public (pg_database_owner's from 15 on) becomes the role's too. */
		if ((qdb = pgsql_quote_ident(conn, s->db, "database name")) == NULL ||
		    (qrole = pgsql_quote_ident(conn, s->role, "role name")) == NULL)
			goto out;
		sql = xasprintf("ALTER DATABASE %s OWNER TO %s", qdb, qrole);
		what = xasprintf("cannot give the scratch database \"%s\" to role %s", s->db, s->role);
		if (pgsql_exec(conn, sql, what) < 0)
			goto out;
	}
	if ((s->admin = target_connect_other(server, s->db)) == NULL || connect_load(s) < 0 ||
	    (s->superuser = is_superuser(s->admin)) < 0 ||
	    /* As the dump's header sets the load's: no NOTICE of a shell type per statement run here. */
	    pgsql_exec(s->admin, "SET client_min_messages = warning", "cannot set client_min_messages") < 0)
		goto out;
	/*
	 * Whatever runs on admin runs as the superuser, and so does any function
	 * of the dump it calls (a CREATE TABLE AS, an index, an event trigger on
	 * its DDL): only for a file the operator vouches for.
	 */
	s->superuser_untrusted = s->superuser && !trusted;
	if (s->superuser_untrusted)
		s->superuser = 0;
	rc = 0;
out:
	PQfreemem(qdb);
	PQfreemem(qrole);
	free(sql);
	free(what);
	PQfinish(conn);
	return rc;
}

/*
 * A table the superuser made (its columns are of a type made apart) goes
 * to the role, whose COPY loads its rows and whose checks read them.
 * Extension members stay the superuser's, as CREATE EXTENSION made them.
 */
static int
hand_over_table(struct scratch *s)
{
	static const char sql[] =
	    "SELECT format('ALTER TABLE %s OWNER TO %I', c.oid::regclass, $1::text) FROM pg_catalog.pg_class c"
	    " WHERE c.relkind IN ('r', 'p') AND c.relowner = (SELECT r.oid FROM pg_catalog.pg_roles r"
	    "   WHERE r.rolname = current_user) AND c.relnamespace <> 'pg_catalog'::regnamespace"
	    " AND c.relnamespace <> 'information_schema'::regnamespace AND c.relpersistence <> 't'"
	    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass"
	    "   AND d.objid = c.oid AND d.deptype = 'e')";
	const char *param = s->role;
	PGresult *res = PQexecParams(s->admin, sql, 1, NULL, &param, NULL, NULL, 0);
	int i, rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgsql_report(s->admin, res, "cannot list the tables to hand over to the scratch role");
		rc = -1;
	}
	for (i = 0; rc == 0 && i < PQntuples(res); i++)
		rc = pgsql_exec(s->admin, PQgetvalue(res, i, 0), "cannot hand a table over to the scratch role");
	PQclear(res);
	return rc;
}

/* Does the statement name an object made apart? (admin_mu held) */
static int
names_apart(const struct scratch *s, const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < s->napart; i++)
		if (sql_mentions(text, len, s->apart[i]))
			return 1;
	return 0;
}

/* Remembers an object made apart (or left out), by name, so what names it goes apart too. (admin_mu held) */
static void
remember_apart(struct scratch *s, char *name)
{
	if (name == NULL)
		return;
	s->apart = xrealloc(s->apart, (s->napart + 1) * sizeof(*s->apart));
	s->apart[s->napart++] = name;
}

/* Remembers the object the statement creates. (admin_mu held) */
static void
note_apart(struct scratch *s, const char *text, size_t len)
{
	remember_apart(s, sql_created_name(text, len));
}

/*
 * Leaves a statement out of the load, named in a warning saying why, and
 * with it what names the object it makes (made: its name, NULL: read from
 * the statement). (admin_mu held)
 */
static void
leave_out(struct scratch *s, const char *sql, long line, const char *why, const char *made)
{
	char *table;

	s->left_out++;
	if ((table = sql_copy_target(sql, strlen(sql))) != NULL) {
		s->left_out_tables = xrealloc(s->left_out_tables, (s->nleft_out_tables + 1) * sizeof(*s->left_out_tables));
		s->left_out_tables[s->nleft_out_tables++] = table;
	}
	log_warn("verify --restore leaves out line %ld (%.60s): %s", line, sql, why);
	remember_apart(s, made != NULL ? xstrdup(made) : sql_created_name(sql, strlen(sql)));
}

/*
 * An extension its control file does not mark trusted (dblink,
 * postgres_fdw: PostgreSQL lets only a superuser make them) hands the
 * load's role functions that reach outside the database, such as a
 * connection to any host. In a file not vouched for it is left out, as
 * the superuser's kinds are, with what names it. One already in the
 * database runs (IF NOT EXISTS: nothing happens), and one the server does
 * not have too (it fails, named). A U&"..." name, which could spell any
 * extension, is left out. PostgreSQL 12 marks none trusted. *token: the
 * name as written, to free. 1 leave it out, 0 run it, -1 (reported).
 * (admin_mu held)
 */
static int
untrusted_extension(struct scratch *s, const char *sql, char **token)
{
	char *name, *query, *what;
	const char *param;
	PGresult *res;
	int rc;

	*token = NULL;
	if (!s->superuser_untrusted || (*token = sql_extension_created(sql, strlen(sql))) == NULL)
		return 0;
	if ((name = sql_name_value(*token)) == NULL)
		return 1;
	param = name;
	query = xasprintf("SELECT NOT EXISTS (SELECT FROM pg_catalog.pg_extension x WHERE x.extname = $1) "
	    "AND EXISTS (SELECT FROM pg_catalog.pg_available_extensions e WHERE e.name = $1) "
	    "AND NOT EXISTS (SELECT FROM pg_catalog.pg_available_extension_versions v "
	    "JOIN pg_catalog.pg_available_extensions e ON e.name = v.name AND e.default_version = v.version "
	    "WHERE v.name = $1 AND %s)", PQserverVersion(s->admin) >= 130000 ? "v.trusted" : "false");
	what = xasprintf("cannot see whether extension %s is marked trusted", name);
	res = pgsql_query_params(s->admin, query, 1, &param, what);
	rc = res == NULL ? -1 : strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	free(what);
	free(query);
	free(name);
	return rc;
}

int
scratch_privileged(void *arg, const char *sql, long line)
{
	struct scratch *s = arg;
	char *what = xasprintf("restore failed at line %ld (%.60s)", line, sql), *token = NULL;
	int rc;

	pthread_mutex_lock(&s->admin_mu);
	if (names_apart(s, sql, strlen(sql))) {
		leave_out(s, sql, line, "it names an object left out above", NULL);
		rc = 0;
	} else if ((rc = untrusted_extension(s, sql, &token)) == 1) {
		leave_out(s, sql, line, "the extension is not marked trusted: its functions could reach outside the "
		    "scratch database as the load's role (a connection to any host); add --trusted for a backup of your "
		    "own", token);
		rc = 0;
	} else if (rc == 0) {
		rc = pgsql_run_one(s->admin, sql, what);
	}
	pthread_mutex_unlock(&s->admin_mu);
	free(token);
	free(what);
	return rc;
}

int
scratch_apart(void *arg, const char *text, size_t len, long line, int superuser_kind)
{
	struct scratch *s = arg;
	char *label = NULL, *sql = NULL, *what = NULL;
	int rc = 1;

	pthread_mutex_lock(&s->admin_mu);
	if (!superuser_kind && !names_apart(s, text, len))
		goto out;
	label = sql_statement_label(text, len);
	/* Rows go in through the role's COPY, into a table handed over to it (hand_over_table). */
	if (s->superuser && !superuser_kind && sql_classify(text, len) == SQL_STMT_COPY)
		goto out;
	sql = xstrndup(text, len);
	/* A subscription holds the scratch database against DROP DATABASE: never made, even by a superuser. */
	if (s->superuser && strstr(label, "SUBSCRIPTION") == NULL) {
		what = xasprintf("restore failed at line %ld (%.60s), run as the connecting superuser", line, sql);
		if ((rc = pgsql_run_one(s->admin, sql, what)) == 0 && strcmp(label, "CREATE TABLE") == 0)
			rc = hand_over_table(s);
	} else {
		leave_out(s, sql, line, strstr(label, "SUBSCRIPTION") != NULL ?
		    "a subscription would hold the scratch database" :
		    superuser_kind && s->superuser_untrusted ? "only a superuser may run it, and the file's own code "
		    "would run as that superuser; add --trusted for a backup of your own" :
		    superuser_kind ? "only a superuser may run it; connect as one to test it" :
		    "it names an object left out above", NULL);
		rc = 0;
		goto out;	/* leave_out noted its name */
	}
	if (rc == 0)
		note_apart(s, text, len);
out:
	pthread_mutex_unlock(&s->admin_mu);
	free(label);
	free(sql);
	free(what);
	return rc;
}

int
scratch_drop(const struct pg_target *server, struct scratch *s)
{
	PGconn *conn = NULL;
	char *quoted, *sql, *what;
	int rc = 0;

	if (s->db == NULL)	/* scratch_create never ran */
		return 0;
	PQfinish(s->load);
	PQfinish(s->admin);
	s->load = s->admin = NULL;
	/* The database goes whatever happened, if we made it; then the role that owned it. */
	if (s->db_created && target_drop(server, s->db) < 0)
		rc = -1;
	if (s->role_created && (conn = target_connect_other(server, "postgres")) == NULL)
		rc = -1;
	if (conn != NULL) {
		if ((quoted = pgsql_quote_ident(conn, s->role, "role name")) != NULL) {
			sql = xasprintf("DROP ROLE IF EXISTS %s", quoted);
			what = xasprintf("cannot drop the scratch role \"%s\"", s->role);
			if (pgsql_exec(conn, sql, what) < 0)
				rc = -1;
			PQfreemem(quoted);
			free(sql);
			free(what);
		} else {
			rc = -1;
		}
		PQfinish(conn);
	}
	pthread_mutex_destroy(&s->admin_mu);
	while (s->napart > 0)
		free(s->apart[--s->napart]);
	free(s->apart);
	while (s->nleft_out_tables > 0)
		free(s->left_out_tables[--s->nleft_out_tables]);
	free(s->left_out_tables);
	free(s->db);
	free(s->role);
	if (s->password != NULL)
		memset(s->password, 0, strlen(s->password));
	free(s->password);
	memset(s, 0, sizeof(*s));
	return rc;
}
