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
#include "dump/sql-split.h"
#include "io/pipe.h"
#include "restore/restore-globals.h"
#include "store/backups.h"
#include "store/manifest.h"

/* What db --globals writes; anything else in the file is refused. */
static const char *const allowed[] = {
	"CREATE ROLE ", "ALTER ROLE ", "GRANT ", "COMMENT ON ROLE ", "CREATE TABLESPACE ", "ALTER TABLESPACE ", NULL,
};

struct stmt {
	char *sql;
	long line;
};

struct globals_file {
	struct stmt *stmts;
	size_t n;
	const char *path;
	int refused;
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
is_allowed(const char *sql)
{
	size_t i;

	for (i = 0; allowed[i]; i++)
		if (strncasecmp(sql, allowed[i], strlen(allowed[i])) == 0)
			/* A role's membership only: GRANT ... ON is an object's privilege, not a global. */
			return strncasecmp(sql, "GRANT ", 6) != 0 || strstr(sql, " ON ") == NULL;
	return 0;
}

static int
collect(void *ctx, const struct sql_item *item)
{
	struct globals_file *g = ctx;
	const char *s = skip_comments(item->text, item->text + item->len);
	size_t len = (size_t)(item->text + item->len - s);

	if (item->kind == SQL_STATEMENT && len == 0)
		return 0;
	if (item->kind != SQL_STATEMENT) {
		log_error("%s line %ld: not a statement of a globals file (a COPY block or a meta-command)",
		    g->path, item->line);
		g->refused = 1;
		return -1;
	}
	g->stmts = xrealloc(g->stmts, (g->n + 1) * sizeof(*g->stmts));
	g->stmts[g->n].sql = xstrndup(s, len);
	g->stmts[g->n].line = item->line;
	if (!is_allowed(g->stmts[g->n].sql)) {
		log_error("%s line %ld: only CREATE/ALTER ROLE, GRANT role TO role, COMMENT ON ROLE and "
		    "CREATE/ALTER TABLESPACE belong in a globals file: %.60s", g->path, item->line, g->stmts[g->n].sql);
		g->refused = 1;
		free(g->stmts[g->n].sql);
		return -1;
	}
	g->n++;
	return 0;
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

/* Runs each statement; an existing role or tablespace is kept. */
static int
run_globals(PGconn *conn, const struct globals_file *g)
{
	long long run = 0, kept = 0;
	size_t i;

	for (i = 0; i < g->n; i++) {
		PGresult *res = PQexec(conn, g->stmts[i].sql);
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		int creates = strncasecmp(g->stmts[i].sql, "CREATE ", 7) == 0;

		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			run++;
		} else if (creates && state != NULL && strcmp(state, "42710") == 0) {
			/* A note, not an error: worded here, the text and SQLSTATE as pg/ reads them. */
			log_info("%s: kept as it is (SQLSTATE %s)", pgsql_error_text(conn, res), state);
			kept++;
		} else {
			char *what = xasprintf("%s line %ld failed", g->path, g->stmts[i].line);

			pgsql_report(conn, res, what);
			free(what);
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	log_info("loaded %s into the server of %s: %lld statements, %lld roles or tablespaces existed already",
	    g->path, PQdb(conn), run, kept);
	return 0;
}

int
restore_globals_file(const struct pg_target *target, const char *path)
{
	struct globals_file g = { NULL, 0, path, 0 };
	PGconn *conn = NULL;
	size_t i;
	int rc;

	/* Everything is checked before anything runs. */
	if ((rc = check_against_manifest(path)) != 0 || (rc = read_globals(path, &g)) != 0)
		goto out;
	rc = -1;
	if ((conn = pgsql_connect(target)) == NULL ||
	    pgsql_exec(conn, "SET client_min_messages = warning", "cannot set up the session") < 0)
		goto out;
	rc = run_globals(conn, &g);
out:
	PQfinish(conn);
	for (i = 0; i < g.n; i++)
		free(g.stmts[i].sql);
	free(g.stmts);
	return rc;
}
