#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "store/manifest.h"
#include "pg/pgsql.h"
#include "restore/restore.h"
#include "restore/restore-session.h"
#include "restore/row-sum.h"
#include "base/strbuf.h"
#include "verify/verify-restore.h"
#include "verify/verify-scratch.h"
#include "base/xalloc.h"

static int
load_manifest(const char *path, struct db_manifest *m)
{
	char *mpath = NULL, err[256];
	int rc = manifest_read(path, m, &mpath, err, sizeof(err));

	if (rc == 2)
		log_error("%s: %s", mpath, err);
	else if (rc == 1)
		log_error("%s is missing: --restore compares with it", mpath);
	free(mpath);
	return rc == 0 ? 0 : -1;
}

/*
 * Reads a table back as the dump did and fingerprints its rows in whatever
 * order the heap has them: one COPY need not keep the file's.
 */
static int
fingerprint(PGconn *conn, const struct row_key *key, const char *copy_out_sql, long long *rows, uint64_t *bytes,
    struct row_sum *row_sum, const char *table)
{
	PGresult *res = PQexec(conn, copy_out_sql);
	char *buf = NULL, *what = xasprintf("cannot read back table %s", table);
	int n, rc = -1;

	*rows = 0;
	*bytes = 0;
	memset(row_sum, 0, sizeof(*row_sum));
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		pgsql_report(conn, res, what);
		goto out;
	}
	PQclear(res);
	while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
		row_sum_add(key, row_sum, buf, (size_t)n);
		*bytes += (uint64_t)n;
		PQfreemem(buf);
	}
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pgsql_report(conn, res, what);
		goto out;
	}
	*rows = strtoll(PQcmdTuples(res), NULL, 10);
	rc = 0;
out:
	PQclear(res);
	free(what);
	return rc;
}

/*
 * Columns of the table the file's COPY (column list in copy_out_sql) does
 * not fill: a column added after the data holds values no manifest
 * describes, and reading back by the COPY's column list would not see it.
 * The count, or -1 (reported).
 */
static int
unfilled_columns(PGconn *conn, const struct restore_copy *c)
{
	const char *p = c->copy_out_sql, *param = c->qualified;
	PGresult *res;
	int commas = 0, named = 0, inquote = 0, listed, total;

	/* "COPY <name as written> (a, "b,c") TO STDOUT": count the list's commas outside quotes. */
	if (strncasecmp(p, "COPY", 4) != 0)
		return 0;	/* not a COPY of a table by name: nothing to count */
	for (p += 4; isspace((unsigned char)*p); p++)
		;
	if (strncmp(p, c->qualified, strlen(c->qualified)) != 0)
		return 0;
	for (p += strlen(c->qualified); isspace((unsigned char)*p); p++)
		;
	if (*p != '(')
		return 0;	/* no list: read back whole, an added column shows in the rows */
	for (p++; *p != '\0' && (inquote || *p != ')'); p++) {
		if (*p == '"')
			inquote = !inquote;
		else if (!inquote && *p == ',')
			commas++;
		if (!isspace((unsigned char)*p))
			named = 1;
	}
	listed = named ? commas + 1 : 0;
	res = PQexecParams(conn, "SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = "
	    "pg_catalog.to_regclass($1) AND attnum > 0 AND NOT attisdropped AND attgenerated = ''", 1, NULL,
	    &param, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgsql_report(conn, res, "cannot count a table's columns");
		PQclear(res);
		return -1;
	}
	total = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return total > listed ? total - listed : 0;
}

/*
 * Tables the manifest does not list that hold rows after the load: data
 * no manifest describes, put there by something the dump ran (CREATE
 * TABLE ... AS, a function called by a default, a rule...). Tables of
 * extensions (their rows come from the extension's script) and temporary
 * ones (gone with the session) are not the dump's data. 0, or -1
 * (reported).
 */
static int
undescribed_tables(PGconn *conn, const struct db_manifest *m, struct strbuf *problems, size_t *nproblems)
{
	PGresult *res = pgsql_query(conn, "SELECT format('%I.%I', n.nspname, c.relname), c.oid::pg_catalog.regclass "
	    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	    "WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', "
	    "'information_schema') AND n.nspname !~ '^pg_' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
	    "WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e') "
	    "ORDER BY 1", "cannot list the tables of the scratch database");
	PGresult *rows;
	size_t j;
	int i, rc = 0;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *name = PQgetvalue(res, i, 0);
		char *safe = manifest_name(name), *sql;

		for (j = 0; j < m->ntables && strcmp(m->tables[j].qualified, safe) != 0; j++)
			;
		if (j == m->ntables) {
			sql = xasprintf("SELECT EXISTS (SELECT FROM ONLY %s)", PQgetvalue(res, i, 1));
			rows = pgsql_query(conn, sql, "cannot look into a table the manifest does not list");
			if (rows == NULL)
				rc = -1;
			else if (strcmp(PQgetvalue(rows, 0, 0), "t") == 0 && (*nproblems)++ < 3)
				strbuf_printf(problems, "%stable %s holds rows no manifest describes (not a table of the "
				    "dump's)", problems->len ? "; " : "", safe);
			PQclear(rows);
			free(sql);
		}
		free(safe);
	}
	PQclear(res);
	return rc;
}

/*
 * The load's role owns every table, but an owner is held to its table's
 * policies under FORCE ROW LEVEL SECURITY, and with row_security off
 * reading it back fails: the scratch copy drops FORCE first (a superuser
 * reading back used to pass it by). 0, or -1 (reported).
 */
static int
unforce_row_security(PGconn *conn)
{
	PGresult *res = pgsql_query(conn, "SELECT format('ALTER TABLE ONLY %s NO FORCE ROW LEVEL SECURITY', "
	    "c.oid::pg_catalog.regclass) FROM pg_catalog.pg_class c WHERE c.relforcerowsecurity",
	    "cannot list the tables under FORCE ROW LEVEL SECURITY");
	int i, rc = 0;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res) && rc == 0; i++)
		rc = pgsql_exec(conn, PQgetvalue(res, i, 0), "cannot read a table under FORCE ROW LEVEL SECURITY");
	PQclear(res);
	return rc;
}

static int
compare_content(PGconn *conn, const struct db_manifest *m, const struct row_key *key, struct restore_stats *st,
    struct strbuf *problems, size_t *nproblems)
{
	struct strbuf set = STRBUF_INIT;
	size_t i, j;
	int rc = -1, unfilled;

	/*
	 * The same output settings the dump used, so equal rows give equal
	 * text; and the system's names first, whatever search_path the dump
	 * left, so no function or operator of its own answers these queries.
	 */
	strbuf_printf(&set, "SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3; "
	    "SET TimeZone = 'UTC'; SET row_security = off; SET synchronize_seqscans = off; "
	    "SET search_path = pg_catalog, pg_temp");
	if (pgsql_exec(conn, set.buf, "cannot set up the comparison") < 0 || unforce_row_security(conn) < 0)
		goto out;
	/* Once, not per table: the manifest holds names in their JSON-safe form. */
	for (i = 0; i < st->ncopies; i++) {
		char *safe;

		/* While the name is still as the COPY has it. */
		if (st->copies[i].copy_out_sql != NULL) {
			if ((unfilled = unfilled_columns(conn, &st->copies[i])) < 0)
				goto out;
			if (unfilled > 0 && (*nproblems)++ < 3)
				strbuf_printf(problems, "%stable %s has %d column%s its COPY does not fill (added after "
				    "the data?)", problems->len ? "; " : "", st->copies[i].qualified, unfilled,
				    unfilled > 1 ? "s" : "");
		}
		safe = manifest_name(st->copies[i].qualified);

		free(st->copies[i].qualified);
		st->copies[i].qualified = safe;
	}
	/* The manifest is input: its encoding name goes through libpq, not into SQL text. */
	if (PQsetClientEncoding(conn, m->encoding ? m->encoding : "UTF8") != 0) {
		log_error("the manifest's encoding \"%s\" is not one the server knows", m->encoding ? m->encoding : "");
		goto out;
	}
	for (i = 0; i < m->ntables && !interrupt_guard_hit(); i++) {
		const struct manifest_table *t = &m->tables[i];
		const struct restore_copy *c;
		long long rows;
		uint64_t bytes;
		struct row_sum row_sum;
		char file_hex[33], table_hex[33];

		for (j = 0; j < st->ncopies; j++)
			if (strcmp(st->copies[j].qualified, t->qualified) == 0)
				break;
		if (j == st->ncopies || st->copies[j].copy_out_sql == NULL) {
			if ((*nproblems)++ < 3)
				strbuf_printf(problems, "%stable %s was not restored", problems->len ? "; " : "", t->qualified);
			continue;
		}
		c = &st->copies[j];
		if (fingerprint(conn, key, c->copy_out_sql, &rows, &bytes, &row_sum, t->qualified) < 0)
			goto out;
		/* The file's rows are the dump's (same bytes, same CRC), and the table holds exactly them. */
		if (c->data_bytes != t->data_bytes || c->data_crc32 != t->data_crc32) {
			if ((*nproblems)++ < 3)
				strbuf_printf(problems, "%stable %s: manifest %llu bytes (crc %08x), the file's COPY %llu bytes "
				    "(crc %08x)", problems->len ? "; " : "", t->qualified, (unsigned long long)t->data_bytes,
				    t->data_crc32, (unsigned long long)c->data_bytes, c->data_crc32);
		} else if (rows != t->rows || bytes != c->data_bytes || !row_sum_equal(&row_sum, &c->row_sum)) {
			row_sum_hex(&c->row_sum, file_hex);
			row_sum_hex(&row_sum, table_hex);
			if ((*nproblems)++ < 3)
				strbuf_printf(problems, "%stable %s: the file's %lld rows (sum %s), restored %lld rows "
				    "(sum %s)", problems->len ? "; " : "", t->qualified, t->rows, file_hex, rows,
				    table_hex);
		}
	}
	if (!interrupt_guard_hit() && undescribed_tables(conn, m, problems, nproblems) < 0)
		goto out;
	rc = interrupt_guard_hit() ? -1 : 0;
out:
	strbuf_free(&set);
	return rc;
}

int
verify_restore(const struct verify_restore_settings *vs, const char *path, struct verify_result *r)
{
	struct restore_settings settings;
	struct restore_confined confined;
	struct restore_stats stats;
	struct db_manifest m;
	struct scratch sc;
	struct row_key key;
	struct strbuf problems = STRBUF_INIT;
	size_t nproblems = 0;
	int rc = -1, loaded;

	memset(&m, 0, sizeof(m));
	memset(&stats, 0, sizeof(stats));
	memset(&sc, 0, sizeof(sc));
	/* A key for this run only: no one outside it can forge rows to match its sums. */
	if (load_manifest(path, &m) < 0 || row_key_make(&key) < 0)
		goto out;
	memset(&settings, 0, sizeof(settings));
	settings.jobs = vs->jobs;
	/* Big tables in parts, as restore loads them: each part's rows are summed as they stream. */
	settings.split_bytes = vs->split_auto ? restore_auto_split_bytes(m.tables, m.ntables, vs->jobs) :
	    vs->split_bytes;
	settings.fingerprint = &key;
	settings.tables = m.tables;
	settings.ntables = m.ntables;
	settings.file_bytes = m.bytes;
	confined.privileged = scratch_privileged;
	confined.arg = &sc;
	/*
	 * Ctrl-C must not leave a scratch database behind: a signal only
	 * cancels the running statement and is noted; the normal cleanup path
	 * then drops the database.
	 */
	if (interrupt_guard_begin() < 0)
		goto out;
	/* A run killed outright (kill -9, OOM) could not drop its scratch database and role; the next one does. */
	if (scratch_drop_stale(&vs->server) < 0)
		goto end_guard;
	if (scratch_create(&vs->server, vs->scratch_db, &sc) < 0)
		goto end_guard;
	settings.confined = sc.role != NULL ? &confined : NULL;
	interrupt_watch_connection(sc.load);
	log_info("restoring %s into scratch database %s%s%s", path, sc.db, sc.role ? " as role " : "",
	    sc.role ? sc.role : "");
	loaded = restore_session_setup(sc.load) == 0 && restore_load(sc.load, path, &settings, &stats) == 0 &&
	    !interrupt_guard_hit();
	if (interrupt_guard_hit()) {
		log_error("interrupted: dropping scratch database %s", sc.db);
		goto end_guard;
	}
	if (!loaded) {
		verify_add(r, "restore", 0, "the load into %s failed at line %ld (see the error above)", sc.db,
		    stats.line);
	} else {
		verify_add(r, "restore", 1, "loaded into %s: %lld statements, %zu tables", sc.db, stats.statements,
		    stats.ncopies);
		if (compare_content(sc.load, &m, &key, &stats, &problems, &nproblems) < 0)
			goto end_guard;
		if (nproblems == 0)
			verify_add(r, "content", 1, "%zu tables: rows and content as recorded at dump time", m.ntables);
		else
			verify_add(r, "content", 0, "%s%s", problems.buf, nproblems > 3 ? " (and more)" : "");
	}
	rc = 0;
end_guard:
	interrupt_watch_connection(NULL);
	if (scratch_drop(&vs->server, &sc) < 0)
		rc = -1;
	interrupt_guard_end();
out:
	restore_stats_free(&stats);
	manifest_free(&m);
	strbuf_free(&problems);
	return rc;
}
