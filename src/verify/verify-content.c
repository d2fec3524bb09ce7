/*
 * verify --restore's content check: every table the load filled is read
 * back with COPY ... TO STDOUT and its rows summed (row-sum.h), compared
 * with what the file's COPY gave it and the manifest recorded. The tables,
 * and big ones in block ranges, are read on up to --jobs connections at
 * once, as the load wrote them: on one connection the read-back took as
 * long as loading the biggest table whole.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "pg/pgsql.h"
#include "restore/row-sum.h"
#include "store/manifest.h"
#include "verify/verify-content.h"

/*
 * The same output settings the dump used, so equal rows give equal text;
 * and the system's names first, whatever search_path the dump left, so no
 * function or operator of its own answers these queries.
 */
#define READ_BACK_SETTINGS "SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3; " \
	"SET TimeZone = 'UTC'; SET row_security = off; SET synchronize_seqscans = off; " \
	"SET search_path = pg_catalog, pg_temp"

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

/* One COPY ... TO STDOUT of the read-back: a whole table, or a range of its blocks. */
struct read_unit {
	size_t copy;		/* index in the load's copies */
	uint64_t table_bytes;	/* its table's COPY text, to read the largest first */
	char *sql;
};

/* What was read back of one table, all its units added up. */
struct table_read {
	long long rows;
	uint64_t bytes;
	struct row_sum sum;
};

struct read_run {
	PGconn *main;
	const char *encoding;
	const struct row_key *key;
	struct restore_copy *copies;
	struct read_unit *units;
	size_t nunits;
	struct table_read *reads;	/* per copy */
	pthread_mutex_t mu;		/* next, reads, failed */
	size_t next;
	int failed;
};

struct read_worker {
	struct read_run *run;
	PGconn *conn;
	int own;
	pthread_t thread;
};

/*
 * "SELECT <the COPY's columns> FROM ONLY <its table>" for a COPY written
 * "COPY <table> (<columns>) TO STDOUT" (copy_out_sql, the name as the file
 * has it: c->qualified before it becomes the manifest's); NULL for any
 * other form (read back whole).
 */
static char *
select_of(const struct restore_copy *c)
{
	const char *p = c->copy_out_sql, *open, *close;
	size_t namelen = strlen(c->qualified);

	if (strncasecmp(p, "COPY ", 5) != 0 || strncmp(p + 5, c->qualified, namelen) != 0)
		return NULL;
	for (open = p + 5 + namelen; isspace((unsigned char)*open); open++)
		;
	close = strrchr(open, ')');
	if (*open != '(' || close == NULL || strcmp(close, ") TO STDOUT") != 0)
		return NULL;
	return xasprintf("SELECT %.*s FROM ONLY %s", (int)(close - open - 1), open + 1, c->qualified);
}

/*
 * The units reading back copy i: one, or as many block ranges as its
 * COPY text has split_bytes (up to jobs), where the server scans a range
 * of blocks by itself (TID range scans, PostgreSQL 14 on; before, each
 * range would scan the whole table). 0, or -1 (reported).
 */
static int
plan_units(struct read_run *run, size_t i, uint64_t split_bytes, int jobs)
{
	const struct restore_copy *c = &run->copies[i];
	uint64_t parts = 1, k, blocks = 0, from, to;
	const char *param = c->qualified;
	char *select = NULL;
	PGresult *res;

	if (split_bytes > 0 && c->data_bytes > split_bytes &&
	    PQserverVersion(run->main) >= 140000 && (select = select_of(c)) != NULL) {
		parts = (c->data_bytes + split_bytes - 1) / split_bytes;
		if (parts > (uint64_t)jobs)
			parts = (uint64_t)jobs;
		res = pgsql_query_params(run->main, "SELECT pg_catalog.pg_relation_size(pg_catalog.to_regclass($1)) / "
		    "pg_catalog.current_setting('block_size')::int", 1, &param, "cannot size a table to read it back");
		if (res == NULL) {
			free(select);
			return -1;
		}
		blocks = PQgetisnull(res, 0, 0) ? 0 : strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		if (blocks < parts)
			parts = 1;
		else
			log_debug("reading table %s back in %llu block ranges", c->qualified, (unsigned long long)parts);
	}
	run->units = xrealloc(run->units, (run->nunits + parts) * sizeof(*run->units));
	for (k = 0; k < parts; k++) {
		struct read_unit *u = &run->units[run->nunits++];

		u->copy = i;
		u->table_bytes = c->data_bytes;
		from = blocks * k / parts;
		to = blocks * (k + 1) / parts;
		/* The last range is open: rows of blocks added since the size was taken are read too. */
		if (parts == 1)
			u->sql = xstrdup(c->copy_out_sql);
		else if (k + 1 < parts)
			u->sql = xasprintf("COPY (%s WHERE ctid >= '(%llu,0)' AND ctid < '(%llu,0)') TO STDOUT", select,
			    (unsigned long long)from, (unsigned long long)to);
		else
			u->sql = xasprintf("COPY (%s WHERE ctid >= '(%llu,0)') TO STDOUT", select, (unsigned long long)from);
	}
	free(select);
	return 0;
}

/* Largest tables first, so the last one read does not start when the others are done. */
static int
by_size(const void *a, const void *b)
{
	uint64_t x = ((const struct read_unit *)a)->table_bytes, y = ((const struct read_unit *)b)->table_bytes;

	return (x < y) - (x > y);
}

static void *
read_worker_main(void *arg)
{
	struct read_worker *w = arg;
	struct read_run *run = w->run;
	struct table_read got, *into;
	struct read_unit *u;

	if (w->own)
		interrupt_block_in_thread();
	for (;;) {
		pthread_mutex_lock(&run->mu);
		u = run->failed || interrupt_guard_hit() || run->next == run->nunits ? NULL : &run->units[run->next++];
		pthread_mutex_unlock(&run->mu);
		if (u == NULL)
			break;
		memset(&got, 0, sizeof(got));
		if (fingerprint(w->conn, run->key, u->sql, &got.rows, &got.bytes, &got.sum, run->copies[u->copy].qualified) < 0) {
			pthread_mutex_lock(&run->mu);
			run->failed = 1;
			pthread_mutex_unlock(&run->mu);
			break;
		}
		pthread_mutex_lock(&run->mu);
		into = &run->reads[u->copy];
		into->rows += got.rows;
		into->bytes += got.bytes;
		row_sum_merge(&into->sum, &got.sum);
		pthread_mutex_unlock(&run->mu);
	}
	return NULL;
}

/* A read-back connection like the main one: same role, settings and client encoding. NULL (reported). */
static PGconn *
read_conn(struct read_run *run)
{
	PGconn *conn = pgsql_connect_like(run->main, PQdb(run->main));

	if (conn == NULL)
		return NULL;
	if (pgsql_exec(conn, READ_BACK_SETTINGS, "cannot set up the comparison") < 0 ||
	    PQsetClientEncoding(conn, run->encoding) != 0) {
		log_error("cannot set up a connection to read back the scratch database: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* Every unit read, on up to jobs connections (the main one among them). 0, or -1 (reported). */
static int
read_back(struct read_run *run, int jobs)
{
	struct read_worker *w;
	int i, n = jobs < 1 ? 1 : jobs, started;

	if ((size_t)n > run->nunits)
		n = run->nunits > 0 ? (int)run->nunits : 1;
	w = xcalloc((size_t)n, sizeof(*w));
	w[0].run = run;
	w[0].conn = run->main;
	for (started = 1; started < n; started++) {
		w[started].run = run;
		w[started].own = 1;
		if ((w[started].conn = read_conn(run)) == NULL ||
		    pthread_create(&w[started].thread, NULL, read_worker_main, &w[started]) != 0) {
			if (w[started].conn != NULL)
				log_error("cannot start a read-back thread");
			PQfinish(w[started].conn);
			run->failed = 1;
			break;
		}
	}
	read_worker_main(&w[0]);
	for (i = 1; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		PQfinish(w[i].conn);
	}
	free(w);
	return run->failed || interrupt_guard_hit() ? -1 : 0;
}

static void
note(struct strbuf *problems, size_t *nproblems, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One problem more; the first three are told. */
static void
note(struct strbuf *problems, size_t *nproblems, const char *fmt, ...)
{
	va_list ap;

	if ((*nproblems)++ >= 3)
		return;
	if (problems->len > 0)
		strbuf_puts(problems, "; ");
	va_start(ap, fmt);
	strbuf_vprintf(problems, fmt, ap);
	va_end(ap);
}

/* Each table of the manifest against what its COPY gave it and what was read back. */
static void
judge_tables(const struct verify_content_settings *set, const struct read_run *run, size_t ncopies,
    struct strbuf *problems, size_t *nproblems)
{
	const struct db_manifest *m = set->manifest;
	char file_hex[33], table_hex[33];
	size_t i, j;

	for (i = 0; i < m->ntables; i++) {
		const struct manifest_table *t = &m->tables[i];
		const struct restore_copy *c;
		const struct table_read *r;

		for (j = 0; j < set->nleft_out && strcmp(set->left_out[j], t->qualified) != 0; j++)
			;
		if (j < set->nleft_out)
			continue;

		for (j = 0; j < ncopies && strcmp(run->copies[j].qualified, t->qualified) != 0; j++)
			;
		if (j == ncopies || run->copies[j].copy_out_sql == NULL) {
			note(problems, nproblems, "table %s was not restored", t->qualified);
			continue;
		}
		c = &run->copies[j];
		r = &run->reads[j];
		/* The file's rows are the dump's (same bytes, same CRC), and the table holds exactly them. */
		if (c->data_bytes != t->data_bytes || c->data_crc32 != t->data_crc32) {
			note(problems, nproblems, "table %s: manifest %llu bytes (crc %08x), the file's COPY %llu bytes "
			    "(crc %08x)", t->qualified, (unsigned long long)t->data_bytes, t->data_crc32,
			    (unsigned long long)c->data_bytes, c->data_crc32);
		} else if (r->rows != t->rows || r->bytes != c->data_bytes || !row_sum_equal(&r->sum, &c->row_sum)) {
			row_sum_hex(&c->row_sum, file_hex);
			row_sum_hex(&r->sum, table_hex);
			note(problems, nproblems, "table %s: the file's %lld rows (sum %s), restored %lld rows (sum %s)",
			    t->qualified, t->rows, file_hex, r->rows, table_hex);
		}
	}
}

/*
 * Before the names become the manifest's: the columns each COPY leaves
 * unfilled (a problem each), and the units that read it back. 0, or -1
 * (reported).
 */
static int
plan_read_back(struct read_run *run, size_t ncopies, uint64_t split_bytes, int jobs, struct strbuf *problems,
    size_t *nproblems)
{
	size_t i;
	int unfilled;

	for (i = 0; i < ncopies; i++) {
		struct restore_copy *c = &run->copies[i];
		char *safe;

		if (c->copy_out_sql != NULL) {
			if ((unfilled = unfilled_columns(run->main, c)) < 0 || plan_units(run, i, split_bytes, jobs) < 0)
				return -1;
			if (unfilled > 0)
				note(problems, nproblems, "table %s has %d column%s its COPY does not fill (added after the "
				    "data?)", c->qualified, unfilled, unfilled > 1 ? "s" : "");
		}
		/* The manifest holds names in their JSON-safe form: compare like with like. */
		safe = manifest_name(c->qualified);
		free(c->qualified);
		c->qualified = safe;
	}
	return 0;
}

int
verify_content_compare(PGconn *conn, const struct verify_content_settings *set, struct restore_stats *st,
    struct strbuf *problems, size_t *nproblems)
{
	struct read_run run;
	size_t i;
	int rc = -1;

	memset(&run, 0, sizeof(run));
	run.main = conn;
	run.key = set->key;
	run.copies = st->copies;
	/* The manifest is input: its encoding name goes through libpq, not into SQL text. */
	run.encoding = set->manifest->encoding ? set->manifest->encoding : "UTF8";
	run.reads = xcalloc(st->ncopies + 1, sizeof(*run.reads));
	pthread_mutex_init(&run.mu, NULL);
	if (pgsql_exec(conn, READ_BACK_SETTINGS, "cannot set up the comparison") < 0 || unforce_row_security(conn) < 0 ||
	    plan_read_back(&run, st->ncopies, set->split_bytes, set->jobs, problems, nproblems) < 0)
		goto out;
	if (PQsetClientEncoding(conn, run.encoding) != 0) {
		log_error("the manifest's encoding \"%s\" is not one the server knows", run.encoding);
		goto out;
	}
	if (run.nunits > 1)
		qsort(run.units, run.nunits, sizeof(*run.units), by_size);
	if (read_back(&run, set->jobs) < 0)
		goto out;
	judge_tables(set, &run, st->ncopies, problems, nproblems);
	if (undescribed_tables(conn, set->manifest, problems, nproblems) < 0)
		goto out;
	rc = interrupt_guard_hit() ? -1 : 0;
out:
	for (i = 0; i < run.nunits; i++)
		free(run.units[i].sql);
	free(run.units);
	free(run.reads);
	pthread_mutex_destroy(&run.mu);
	return rc;
}
