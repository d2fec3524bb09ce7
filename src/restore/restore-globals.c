/*
 * Loading a globals file (restore/restore-globals.h). It is small (a few
 * statements per role), so it is read whole, split by the dump's SQL
 * splitter and run statement by statement, each in its own transaction,
 * so an existing role fails only its own CREATE.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "dump/sql-classify.h"
#include "dump/sql-split.h"
#include "io/pipe.h"
#include "restore/restore-globals.h"
#include "store/backups.h"
#include "store/manifest.h"

struct stmt {
	char *sql;
	long line;
	struct sql_global g;
	int skip;		/* about a role or tablespace that exists already: kept as it is */
};

struct globals_file {
	struct stmt *stmts;
	size_t n;
	const char *path;
	int refused;
	int trusted;		/* --trusted: a file of the operator's own, privileges and all */
};

/* The statement without the comment lines and blanks before it. */
static const char *
skip_comments(const char *s, const char *end)
{
	for (;;) {
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (end - s < 2 || s[0] != '-' || s[1] != '-')
			return s;
		while (s < end && *s != '\n')
			s++;
	}
}

static int
collect(void *ctx, const struct sql_item *item)
{
	struct globals_file *g = ctx;
	const char *s = skip_comments(item->text, item->text + item->len);
	size_t len = (size_t)(item->text + item->len - s);
	struct stmt *st;

	if (item->kind == SQL_STATEMENT && len == 0)
		return 0;
	if (item->kind != SQL_STATEMENT) {
		log_error("%s line %ld: not a statement of a globals file (a COPY block or a meta-command)",
		    g->path, item->line);
		g->refused = 1;
		return -1;
	}
	g->stmts = xrealloc(g->stmts, (g->n + 1) * sizeof(*g->stmts));
	st = &g->stmts[g->n];
	memset(st, 0, sizeof(*st));
	if (sql_global_read(s, len, &st->g) < 0) {
		log_error("%s line %ld: not a statement db --globals writes (CREATE ROLE, ALTER ROLE ... WITH or SET, "
		    "GRANT role TO role, COMMENT ON ROLE, CREATE TABLESPACE, ALTER TABLESPACE ... SET): %.60s",
		    g->path, item->line, s);
		g->refused = 1;
		return -1;
	}
	st->sql = xstrndup(s, len);
	st->line = item->line;
	g->n++;
	return 0;
}

/* Whether a statement before the i-th creates the role (or tablespace) name. */
static int
created_before(const struct globals_file *g, size_t i, enum sql_global_kind kind, const char *name)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (g->stmts[k].g.kind == kind && strcmp(g->stmts[k].g.name, name) == 0)
			return 1;
	return 0;
}

/*
 * The file changes only what it makes: an ALTER ROLE, COMMENT or GRANT to
 * a role the file does not create (ALTER ROLE postgres ...), or options of
 * a tablespace it does not, is not db --globals' and is refused. 0 or 1.
 */
static int
check_own_objects(struct globals_file *g)
{
	size_t i;
	int refused = 0;

	for (i = 0; i < g->n; i++) {
		const struct sql_global *sg = &g->stmts[i].g;
		int ok = sg->kind == SQL_GLOBAL_CREATE_ROLE || sg->kind == SQL_GLOBAL_CREATE_TABLESPACE ||
		    created_before(g, i, sg->kind == SQL_GLOBAL_TABLESPACE_OPTIONS ? SQL_GLOBAL_CREATE_TABLESPACE :
		    SQL_GLOBAL_CREATE_ROLE, sg->name);

		if (!ok) {
			log_error("%s line %ld: %s \"%s\", which the file does not create before: a globals file changes "
			    "only the roles and tablespaces it makes", g->path, g->stmts[i].line,
			    sg->kind == SQL_GLOBAL_TABLESPACE_OPTIONS ? "about tablespace" : "about role", sg->name);
			refused = 1;
		}
	}
	return refused;
}

/* Beside its dump, the file must be what the dump's manifest recorded. 0, 1 (a finding) or -1. */
static int
check_against_manifest(const char *path)
{
	size_t plen = strlen(path), slen = strlen(GLOBALS_SUFFIX);
	struct db_manifest m;
	char *dump, err[256], hex[65];
	uint64_t size = 0;
	int rc;

	if (plen <= slen || strcmp(path + plen - slen, GLOBALS_SUFFIX) != 0)
		return 0;
	dump = xstrndup(path, plen - slen);
	memset(&m, 0, sizeof(m));
	rc = manifest_read(dump, &m, NULL, err, sizeof(err));
	if (rc == 1 || (rc == 0 && m.globals_file == NULL)) {
		log_warn("%s: no manifest of %s records it; loading it unchecked", path, dump);
		rc = 0;
	} else if (rc == 2) {
		log_error("%s%s: %s", dump, MANIFEST_SUFFIX, err);
		rc = 1;
	} else if (rc == 0) {
		rc = sha256_file(path, 1, &size, hex);
		if (rc == 0 && (size != m.globals_bytes || strcmp(hex, m.globals_sha256) != 0)) {
			log_error("%s is not the file its dump's manifest recorded (size or SHA-256 differ): not loading it",
			    path);
			rc = 1;
		}
	}
	manifest_free(&m);
	free(dump);
	return rc;
}

static int
read_globals(const char *path, struct globals_file *g)
{
	struct sql_splitter *sp;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (fs_read_file(path, &text, &len) != 0) {
		log_error("cannot read %s", path);
		return -1;
	}
	sp = sql_splitter_new(collect, g);
	rc = sql_splitter_feed(sp, text, len) == 0 && sql_splitter_finish(sp) == 0 ? 0 : g->refused ? 1 : -1;
	if (rc < 0) {
		log_error("%s: %s", path, sql_splitter_error(sp));
		rc = 1;
	}
	sql_splitter_free(sp);
	free(text);
	return rc;
}

/* What the checks below ask the server, each of one name: one row, true or false. */
static const char role_exists_sql[] = "SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = $1)";
static const char tablespace_exists_sql[] =
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_tablespace WHERE spcname = $1)";
/*
 * A role whose membership reaches past a database: a privileged one, or
 * a built-in one (server files and programs, all data, signals, those to
 * come) other than the monitoring roles, which only read statistics.
 */
static const char role_privileged_sql[] =
    "SELECT (pg_catalog.left($1, 3) = 'pg_' AND $1 NOT IN ('pg_monitor', 'pg_read_all_settings',"
    " 'pg_read_all_stats', 'pg_stat_scan_tables')) OR EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = $1"
    " AND (rolsuper OR rolcreaterole OR rolreplication OR rolbypassrls))";
/* A setting only a superuser may set: given to a role by one, it would act with a superuser's authority. */
static const char setting_privileged_sql[] =
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_settings WHERE name = $1 AND context <> 'user')";

/* The server's answer to one of the questions above about name: 1, 0, or -1 (reported). */
static int
server_says(PGconn *conn, const char *sql, const char *name)
{
	char *what = xasprintf("cannot look up \"%s\" on the server", name);
	PGresult *res = pgsql_query_params(conn, sql, 1, &name, what);
	int rc = -1;

	if (res != NULL)
		rc = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	free(what);
	return rc;
}

/* Whether statement st is about the role (or tablespace) that CREATE statement made names. */
static int
is_about(const struct stmt *st, const struct stmt *made)
{
	if (made->g.kind == SQL_GLOBAL_CREATE_TABLESPACE)
		return (st->g.kind == SQL_GLOBAL_CREATE_TABLESPACE || st->g.kind == SQL_GLOBAL_TABLESPACE_OPTIONS) &&
		    strcmp(st->g.name, made->g.name) == 0;
	return st->g.kind != SQL_GLOBAL_CREATE_TABLESPACE && st->g.kind != SQL_GLOBAL_TABLESPACE_OPTIONS &&
	    strcmp(st->g.name, made->g.name) == 0;
}

/*
 * A role or tablespace that exists already is kept as it is: its CREATE
 * and every statement of the file about it (attributes, settings,
 * comment, its grants) are skipped, said in one line each. 0 or -1.
 */
static int
keep_existing(PGconn *conn, struct globals_file *g, long long *kept)
{
	size_t i, k;
	int rc;

	for (i = 0; i < g->n; i++) {
		struct stmt *made = &g->stmts[i];
		int role = made->g.kind == SQL_GLOBAL_CREATE_ROLE;

		if (made->skip || (!role && made->g.kind != SQL_GLOBAL_CREATE_TABLESPACE))
			continue;
		if ((rc = server_says(conn, role ? role_exists_sql : tablespace_exists_sql, made->g.name)) < 0)
			return -1;
		if (rc == 0)
			continue;
		for (k = i; k < g->n; k++)
			if (is_about(&g->stmts[k], made))
				g->stmts[k].skip = 1;
		log_info("%s \"%s\" exists already: kept as it is (the file's statements about it are skipped)",
		    role ? "role" : "tablespace", made->g.name);
		(*kept)++;
	}
	return 0;
}

/*
 * Without --trusted, nothing in the file may reach past the roles it
 * makes: a file in a backup directory may be anyone's. SUPERUSER,
 * CREATEROLE, REPLICATION, BYPASSRLS, membership of a built-in or
 * privileged role and a superuser's setting are refused, each named.
 * 0, 1 (refused) or -1.
 */
static int
check_privileges(PGconn *conn, struct globals_file *g)
{
	size_t i;
	int rc, refused = 0;

	for (i = 0; i < g->n && !g->trusted; i++) {
		const struct stmt *st = &g->stmts[i];

		rc = 0;
		if (st->skip)
			continue;
		if (st->g.kind == SQL_GLOBAL_ROLE_ATTRIBUTES)
			rc = st->g.privileged;
		else if (st->g.kind == SQL_GLOBAL_ROLE_SETTING)
			rc = server_says(conn, setting_privileged_sql, st->g.other);
		else if (st->g.kind == SQL_GLOBAL_GRANT)
			rc = server_says(conn, role_privileged_sql, st->g.other);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			log_error("%s line %ld: %.60s: superuser, createrole, replication, bypassrls, membership of a "
			    "privileged or built-in role, or a superuser's setting come from a globals file only with "
			    "--trusted (a file of your own)", g->path, st->line, st->sql);
			refused = 1;
		}
	}
	return refused;
}

/* Runs each statement not skipped, one at a time (a string the server would take for two is refused). */
static int
run_globals(PGconn *conn, const struct globals_file *g, long long kept)
{
	long long run = 0;
	size_t i;

	for (i = 0; i < g->n; i++) {
		char *what;
		int rc;

		if (g->stmts[i].skip)
			continue;
		what = xasprintf("%s line %ld failed", g->path, g->stmts[i].line);
		rc = pgsql_run_one(conn, g->stmts[i].sql, what);
		free(what);
		if (rc < 0)
			return -1;
		run++;
	}
	log_info("loaded %s into the server of %s: %lld statements, %lld roles or tablespaces existed already",
	    g->path, PQdb(conn), run, kept);
	return 0;
}

int
restore_globals_file(const struct pg_target *target, const char *path, int trusted)
{
	struct globals_file g = { NULL, 0, path, 0, trusted };
	PGconn *conn = NULL;
	long long kept = 0;
	size_t i;
	int rc;

	/* The file alone is checked before anything connects, the server's answers before anything runs. */
	if ((rc = check_against_manifest(path)) != 0 || (rc = read_globals(path, &g)) != 0 ||
	    (rc = check_own_objects(&g)) != 0)
		goto out;
	rc = -1;
	/* The lexer read strings as standard_conforming_strings on reads them: so must the server. */
	if ((conn = pgsql_connect(target)) == NULL ||
	    pgsql_exec(conn, "SET client_min_messages = warning", "cannot set up the session") < 0 ||
	    pgsql_exec(conn, "SET standard_conforming_strings = on", "cannot set up the session") < 0 ||
	    pgsql_session_safe(conn, path) < 0 || keep_existing(conn, &g, &kept) < 0)
		goto out;
	if ((rc = check_privileges(conn, &g)) != 0)
		goto out;
	rc = run_globals(conn, &g, kept);
out:
	PQfinish(conn);
	for (i = 0; i < g.n; i++) {
		free(g.stmts[i].sql);
		sql_global_free(&g.stmts[i].g);
	}
	free(g.stmts);
	return rc;
}
