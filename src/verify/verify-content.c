/*
 * verify --restore's content check: every table the load filled, read
 * back (verify-readback.c), compared with what the file's COPY gave it
 * and the manifest recorded.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "base/name-index.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "pg/pgsql.h"
#include "restore/row-sum.h"
#include "store/manifest.h"
#include "verify/verify-blobs.h"
#include "verify/verify-content.h"
#include "verify/verify-readback.h"

static const char *
copy_name(const void *items, size_t i)
{
	return ((const struct restore_copy *)items)[i].qualified;
}

static const char *
manifest_table_name(const void *items, size_t i)
{
	return ((const struct manifest_table *)items)[i].qualified;
}

/*
 * How many columns the file's COPY lists ("COPY <name as written> (a,
 * "b,c") TO STDOUT"), or -1: not a COPY of a table by name with a list
 * (read back whole, where an added column shows in the rows).
 */
static int
listed_columns(const struct restore_copy *c)
{
	const char *p = c->copy_out_sql;
	int commas = 0, named = 0, inquote = 0;

	if (strncasecmp(p, "COPY", 4) != 0)
		return -1;
	for (p += 4; isspace((unsigned char)*p); p++)
		;
	if (strncmp(p, c->qualified, strlen(c->qualified)) != 0)
		return -1;
	for (p += strlen(c->qualified); isspace((unsigned char)*p); p++)
		;
	if (*p != '(')
		return -1;
	/* The list's commas outside quotes. */
	for (p++; *p != '\0' && (inquote || *p != ')'); p++) {
		if (*p == '"')
			inquote = !inquote;
		else if (!inquote && *p == ',')
			commas++;
		if (!isspace((unsigned char)*p))
			named = 1;
	}
	return named ? commas + 1 : 0;
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
	struct name_index *listed;
	int i, rc = 0;

	if (res == NULL)
		return -1;
	listed = name_index_new(m->tables, m->ntables, manifest_table_name);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *name = PQgetvalue(res, i, 0);
		char *safe = manifest_name(name), *sql;

		if (name_index_find(listed, safe) < 0) {
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
	name_index_free(listed);
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

/* Each table of the manifest against what its COPY gave it and what was read back (reads, per copy). */
static void
judge_tables(const struct verify_content_settings *set, const struct restore_copy *copies,
    const struct table_read *reads, size_t ncopies, struct strbuf *problems, size_t *nproblems)
{
	const struct db_manifest *m = set->manifest;
	/* By name through indexes: a scan per table is 10^8 comparisons at 10,000 tables. */
	struct name_index *left_out = name_index_new(set->left_out, set->nleft_out, name_index_string);
	struct name_index *by_copy = name_index_new(copies, ncopies, copy_name);
	char file_hex[33], table_hex[33];
	size_t i;
	long j;

	for (i = 0; i < m->ntables; i++) {
		const struct manifest_table *t = &m->tables[i];
		const struct restore_copy *c;
		const struct table_read *r;

		if (name_index_find(left_out, t->qualified) >= 0)
			continue;
		if ((j = name_index_find(by_copy, t->qualified)) < 0 || copies[j].copy_out_sql == NULL) {
			note(problems, nproblems, "table %s was not restored", t->qualified);
			continue;
		}
		c = &copies[j];
		r = &reads[j];
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
		} else if (r->changed) {
			note(problems, nproblems, "table %s: its rows or columns changed after they were read back (by "
			    "what the dump runs after its data)", t->qualified);
		}
	}
	name_index_free(left_out);
	name_index_free(by_copy);
}

/*
 * Columns a COPY does not fill, a problem each: a column added after the
 * data holds values no manifest describes, and reading back by the
 * COPY's column list would not see it. Every table's count in one query:
 * one per table was a round trip each, 10,000 of them for 10,000 tables.
 * 0, or -1 (reported).
 */
static int
check_unfilled(PGconn *conn, const struct restore_copy *copies, size_t ncopies, struct strbuf *problems,
    size_t *nproblems)
{
	const char **names = xcalloc(ncopies + 1, sizeof(*names));
	size_t *at = xcalloc(ncopies + 1, sizeof(*at)), n = 0, i;
	int *listed = xcalloc(ncopies + 1, sizeof(*listed)), total, rc = -1;
	char *array = NULL;
	PGresult *res = NULL;

	for (i = 0; i < ncopies; i++)
		if (copies[i].copy_out_sql != NULL && (listed[n] = listed_columns(&copies[i])) >= 0) {
			names[n] = copies[i].qualified;
			at[n++] = i;
		}
	if (n == 0) {
		rc = 0;
		goto out;
	}
	array = pgsql_text_array(names, n);
	res = pgsql_query_params(conn, "SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a "
	    "WHERE a.attrelid = pg_catalog.to_regclass(t.name) AND a.attnum > 0 AND NOT a.attisdropped "
	    "AND a.attgenerated = '') FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY t(name, i) "
	    "ORDER BY t.i", 1, (const char *const *)&array, "cannot count the tables' columns");
	if (res == NULL)
		goto out;
	for (i = 0; i < n && i < (size_t)PQntuples(res); i++) {
		total = atoi(PQgetvalue(res, (int)i, 0));
		if (total > listed[i])
			note(problems, nproblems, "table %s has %d column%s its COPY does not fill (added after the "
			    "data?)", copies[at[i]].qualified, total - listed[i], total - listed[i] > 1 ? "s" : "");
	}
	rc = 0;
out:
	PQclear(res);
	free(array);
	free(names);
	free(at);
	free(listed);
	return rc;
}

/*
 * The large objects the load left against those the file's lo_create and
 * lo_put statements describe (restore_stats.blob_sum): the same objects,
 * the same data. 0, or -1 (reported).
 */
static int
judge_blobs(PGconn *conn, const struct verify_content_settings *set, const struct restore_stats *st,
    struct strbuf *problems, size_t *nproblems)
{
	struct row_sum got;
	long long count;
	char file_hex[33], got_hex[33];

	memset(&got, 0, sizeof(got));
	if (blobs_read_back(conn, set->key, &got, &count) < 0)
		return -1;
	if (count != st->blobs || !row_sum_equal(&got, &st->blob_sum)) {
		row_sum_hex(&st->blob_sum, file_hex);
		row_sum_hex(&got, got_hex);
		note(problems, nproblems, "large objects: the file makes %lld (sum %s), restored %lld (sum %s): "
		    "their data or number is not the file's", st->blobs, file_hex, count, got_hex);
	}
	return 0;
}

int
verify_content_compare(PGconn *conn, const struct verify_content_settings *set, struct readback *rb,
    struct restore_stats *st, struct strbuf *problems, size_t *nproblems)
{
	struct table_read *reads = xcalloc(st->ncopies + 1, sizeof(*reads));
	const char *encoding = set->manifest->encoding ? set->manifest->encoding : "UTF8";
	size_t i;
	int rc = -1;

	if (readback_session(conn, encoding) < 0 || unforce_row_security(conn) < 0 ||
	    check_unfilled(conn, st->copies, st->ncopies, problems, nproblems) < 0 ||
	    readback_finish(rb, conn, st->copies, st->ncopies, st->row_writers, reads) < 0)
		goto out;
	/* The manifest holds names in their JSON-safe form: compare like with like. */
	for (i = 0; i < st->ncopies; i++) {
		char *safe = manifest_name(st->copies[i].qualified);

		free(st->copies[i].qualified);
		st->copies[i].qualified = safe;
	}
	judge_tables(set, st->copies, reads, st->ncopies, problems, nproblems);
	if (judge_blobs(conn, set, st, problems, nproblems) < 0 ||
	    undescribed_tables(conn, set->manifest, problems, nproblems) < 0)
		goto out;
	rc = interrupt_guard_hit() ? -1 : 0;
out:
	free(reads);
	return rc;
}
