/*
 * How the tables of a dump load, decided before any row is sent: which
 * load side by side, which in parts, and which frozen, from the manifest's
 * member index and the catalogs (the schema before the tables is in).
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "dump/dump-reader.h"
#include "dump/sql-classify.h"
#include "pg/pgsql.h"
#include "restore/restore-plan.h"
#include "restore/restore-tail.h"

/* Below this a table loads whole, whatever its share: a part would save less than its setup. */
#define SPLIT_AUTO_MIN_BYTES ((uint64_t)64 << 20)
/* Smaller tables load as the file has them: loading them frozen would save less than it asks. */
#define FREEZE_MIN_BYTES (1u << 20)

uint64_t
restore_auto_split_bytes(const struct manifest_table *tables, size_t ntables, int jobs)
{
	uint64_t total = 0, share;
	size_t i;

	for (i = 0; i < ntables; i++)
		total += tables[i].data_bytes;
	share = total / (uint64_t)(jobs > 0 ? jobs : 1);
	return share > SPLIT_AUTO_MIN_BYTES ? share : SPLIT_AUTO_MIN_BYTES;
}

static void
table_plan_free(struct table_plan *plan)
{
	free(plan->columns);
	free(plan->stage_ddl);
	free(plan->target);
	free(plan->copy);
	memset(plan, 0, sizeof(*plan));
}

/* Gathers the first bytes of a table's block, up to want->len. */
struct block_head {
	struct strbuf got;
	size_t want;
};

static int
block_head_chunk(void *ctx, const char *buf, size_t len)
{
	struct block_head *h = ctx;
	size_t n = h->want - h->got.len < len ? h->want - h->got.len : len;

	strbuf_append(&h->got, buf, n);
	return h->got.len < h->want ? 0 : -1;
}

/*
 * Does the table's block in the file begin with the COPY its plan would
 * load, listing the columns in the table's order? Not always: a child made
 * with INHERITS before its parent gained a column has that column last,
 * where the dump lists it in the child's own order. 1 yes, 0 no, -1 error.
 */
static int
block_copies_planned(const struct dump_source *src, const struct manifest_table *t, const char *copy)
{
	struct block_head h = { STRBUF_INIT, 0 };
	char *want = xasprintf("%s\n", copy), err[512];
	int rrc, rc = -1;

	h.want = strlen(want);
	rrc = dump_read_range(src, t->gz_offset, t->gz_length, block_head_chunk, &h, err, sizeof(err));
	if (rrc == DUMP_READ_CORRUPT)
		log_error("restore stopped: %s: %s", src->name, err);
	else if (rrc == DUMP_READ_OK || rrc == DUMP_READ_STOPPED)
		rc = h.got.len == h.want && memcmp(h.got.buf, want, h.want) == 0;
	strbuf_free(&h.got);
	free(want);
	return rc;
}

/*
 * How table t loads, from the catalogs (the schema before the tables is in).
 * Its later parts need rows to reach it by INSERT ... SELECT exactly as COPY
 * would bring them: not past rules (COPY ignores them), nor triggers and row
 * security (kept as COPY fires and checks them), and a temporary table to
 * wait in. Loading it frozen empties it first (TRUNCATE, after checking it
 * has no rows): not with triggers, nor with keys referring to it. 0, or -1
 * (reported).
 */
static int
plan_table(PGconn *conn, const struct dump_source *src, const struct manifest_table *t, int parts, struct table_plan *plan)
{
	const char *params[1] = { t->qualified };
	char *what = xasprintf("cannot look up table %s to plan its load", t->qualified);
	PGresult *res;
	int rc = -1, same;

	memset(plan, 0, sizeof(*plan));
	res = pgsql_query_params(conn,
	    "SELECT '(' || string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) || ')',"
	    "  string_agg(pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)),"
	    "    ', ' ORDER BY a.attnum),"
	    "  bool_and(c.relkind = 'r' AND NOT c.relhasrules AND NOT c.relhastriggers AND NOT c.relrowsecurity"
	    "    AND pg_catalog.has_database_privilege(pg_catalog.current_database(), 'TEMPORARY')),"
	    "  bool_and(c.relkind = 'r' AND NOT c.relhastriggers AND pg_catalog.has_table_privilege(c.oid, 'TRUNCATE')"
	    "    AND pg_catalog.has_table_privilege(c.oid, 'SELECT')"
	    "    AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.confrelid = c.oid)),"
	    "  min(c.oid::pg_catalog.regclass::pg_catalog.text)"
	    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
	    " WHERE c.oid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''",
	    1, params, what);
	if (res == NULL)
		goto out;
	rc = 0;
	if (PQgetisnull(res, 0, 0)) {
		log_debug("table %s loads as the file has it: it has no column to list, or no such table", t->qualified);
		goto out;
	}
	plan->columns = xstrdup(PQgetvalue(res, 0, 0));
	plan->target = xstrdup(PQgetvalue(res, 0, 4));
	plan->copy = xasprintf("COPY %s %s FROM stdin;", t->qualified, plan->columns);
	if (parts > 1 && strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
		if ((same = block_copies_planned(src, t, plan->copy)) < 0) {
			rc = -1;
			goto out;
		}
		if (same)
			plan->stage_ddl = xstrdup(PQgetvalue(res, 0, 1));
		else
			log_debug("table %s loads whole: its COPY does not list the columns it has, in their order",
			    t->qualified);
	}
	plan->freeze = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
out:
	/* Nothing to do differently: it loads as the file has it (columns NULL). */
	if (rc < 0 || (plan->stage_ddl == NULL && !plan->freeze))
		table_plan_free(plan);
	PQclear(res);
	free(what);
	return rc;
}

/*
 * A scratch copy's table, kept from autovacuum: its VACUUM and ANALYZE of
 * rows about to be thrown away would take a core from the load and the
 * reading back. Best effort: a table that cannot be changed stays as it is.
 */
static void
keep_from_autovacuum(PGconn *conn, const char *target)
{
	char *sql = xasprintf("ALTER TABLE ONLY %s SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)",
	    target);
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		log_debug("table %s kept from autovacuum: a scratch copy", target);
	else
		log_debug("table %s left to autovacuum: %s", target, PQresultErrorMessage(res));
	PQclear(res);
	free(sql);
}

/*
 * Rows per table below which a scratch database keeps its tables logged:
 * making an empty table unlogged rewrites it (2.8 ms a table here), which
 * the WAL it spares (0.85 ms a MiB of rows) repays from about 3.3 MiB.
 */
#define UNLOGGED_MIN_BYTES_PER_TABLE ((uint64_t)4 << 20)

/*
 * At most this many tables change in the one transaction: each takes an
 * exclusive lock (its TOAST table too) from the server's shared lock
 * table, sized for 64 a connection by default; thousands at once could
 * fill it and fail other sessions' queries.
 */
#define UNLOGGED_MAX_TABLES 200

/*
 * Every permanent plain table of the dump's schemas, as statements making
 * it unlogged, and how many. None when the database has:
 * - a partitioned table: it stays permanent, and a permanent table's
 *   foreign key may not reach an unlogged one;
 * - a table the dump made unlogged itself: a permanent table's key to it
 *   fails a restore, and must fail here too, not pass because both became
 *   unlogged;
 * - an event trigger: each ALTER TABLE would run it, where a restore
 *   runs no such statement;
 * - a table of its own in information_schema, left as it is.
 */
#define UNLOGGED_SQL "SELECT pg_catalog.string_agg(pg_catalog.format('ALTER TABLE ONLY %I.%I SET UNLOGGED', " \
	"n.nspname, c.relname), '; '), pg_catalog.count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n " \
	"ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND n.nspname <> 'information_schema' " \
	"AND n.nspname !~ '^pg_' AND NOT EXISTS (SELECT FROM pg_catalog.pg_class p " \
	"WHERE p.relkind = 'p' OR (p.relkind = 'r' AND p.relpersistence = 'u') OR (p.oid >= 16384 AND p.relkind = 'r' " \
	"AND p.relnamespace = 'information_schema'::pg_catalog.regnamespace)) " \
	"AND NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger)"

/* A statement of the part after the tables whose outcome may depend on which tables are logged, or NULL. */
static const struct tail_item *
wants_logged(const struct restore_tail *tail)
{
	size_t i;

	for (i = 0; i < tail->n; i++)
		if (tail->items[i].kind == SQL_STATEMENT &&
		    sql_depends_on_persistence(tail->items[i].text, tail->items[i].len))
			return &tail->items[i];
	return NULL;
}

void
scratch_tables_unlogged(PGconn *conn, const struct restore_settings *set, const struct restore_tail *tail)
{
	const struct tail_item *later;
	PGresult *res = NULL, *done = NULL;
	uint64_t bytes = 0;
	long long tables;
	size_t i;

	if (tail == NULL || PQtransactionStatus(conn) != PQTRANS_IDLE) {
		log_debug("scratch tables stay logged: the part after the tables was not read ahead, or a transaction "
		    "is open");
		return;
	}
	if ((later = wants_logged(tail)) != NULL) {
		log_debug("scratch tables stay logged: line %ld makes a table or a publication, or changes whether one "
		    "is logged", later->line);
		return;
	}
	for (i = 0; i < set->ntables; i++)
		bytes += set->tables[i].data_bytes;
	res = PQexec(conn, UNLOGGED_SQL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQgetisnull(res, 0, 0)) {
		log_debug("scratch tables stay logged: %s", PQresultStatus(res) != PGRES_TUPLES_OK ?
		    PQresultErrorMessage(res) : "no permanent table, or a partitioned or unlogged one, or an event trigger");
		goto out;
	}
	tables = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	if (tables > UNLOGGED_MAX_TABLES) {
		log_debug("scratch tables stay logged: %lld tables would hold too many locks at once", tables);
		goto out;
	}
	if (bytes / (uint64_t)tables < UNLOGGED_MIN_BYTES_PER_TABLE) {
		log_debug("scratch tables stay logged: %llu bytes of rows in %lld tables would not repay the change",
		    (unsigned long long)bytes, tables);
		goto out;
	}
	/* One query, one transaction: every table unlogged, or (a foreign key already there, a right missing) none. */
	done = PQexec(conn, PQgetvalue(res, 0, 0));
	if (PQresultStatus(done) == PGRES_COMMAND_OK)
		log_debug("%lld scratch tables made unlogged: their rows and index builds write no WAL", tables);
	else
		log_debug("scratch tables stay logged: %s", PQresultErrorMessage(done));
out:
	PQclear(done);
	PQclear(res);
}

int
load_plan_make(PGconn *conn, const struct dump_source *src, const struct restore_settings *set, struct load_plan *plan)
{
	size_t i, n = 0;
	uint64_t k, parts;

	plan->parts_left = xcalloc(set->ntables, sizeof(*plan->parts_left));
	plan->plans = xcalloc(set->ntables, sizeof(*plan->plans));
	for (i = 0; i < set->ntables; i++) {
		parts = 1;
		/*
		 * Not with --keep-going: a failed part would leave the others' rows
		 * in, where one failed COPY leaves the table empty.
		 */
		if (set->split_bytes > 0 && !set->keep_going &&
		    set->tables[i].data_bytes > set->split_bytes)
			parts = (set->tables[i].data_bytes + set->split_bytes - 1) / set->split_bytes;
		if (parts > (uint64_t)set->jobs)
			parts = (uint64_t)set->jobs;
		if ((parts > 1 || set->tables[i].data_bytes >= FREEZE_MIN_BYTES) &&
		    plan_table(conn, src, &set->tables[i], (int)parts, &plan->plans[i]) < 0)
			return -1;
		if (set->scratch && plan->plans[i].target != NULL)
			keep_from_autovacuum(conn, plan->plans[i].target);
		if (parts > 1 && plan->plans[i].stage_ddl == NULL) {
			log_debug("table %s loads whole: it cannot be loaded in parts (rules, triggers, row security, "
			    "no temporary tables, or its columns)", set->tables[i].qualified);
			parts = 1;
		}
		plan->units = xrealloc(plan->units, (n + parts) * sizeof(*plan->units));
		for (k = 0; k < parts; k++) {
			struct load_unit *u = &plan->units[n++];

			u->table = i;
			u->part = (size_t)k;
			u->parts = (size_t)parts;
			u->from = parts == 1 ? 0 : set->tables[i].data_bytes / parts * k;
			u->to = parts == 1 ? 0 : k + 1 == parts ? UINT64_MAX : set->tables[i].data_bytes / parts * (k + 1);
		}
		plan->parts_left[i] = (size_t)parts;
	}
	plan->nunits = n;
	return 0;
}

int
load_plan_tables_apart(const struct restore_settings *set)
{
	size_t i;

	if (set->jobs < 2 || set->single_transaction || set->ntables == 0)
		return 0;
	/* One table: only worth it in parts. */
	if (set->ntables == 1 && (set->split_bytes == 0 || set->tables[0].data_bytes <= set->split_bytes))
		return 0;
	for (i = 0; i < set->ntables; i++)
		if (set->tables[i].gz_length == 0 ||
		    (i > 0 && set->tables[i].gz_offset != set->tables[i - 1].gz_offset + set->tables[i - 1].gz_length))
			return 0;
	return 1;
}

void
load_plan_free(struct load_plan *plan, size_t ntables)
{
	size_t t;

	for (t = 0; plan->plans != NULL && t < ntables; t++)
		table_plan_free(&plan->plans[t]);
	free(plan->plans);
	free(plan->units);
	free(plan->parts_left);
	memset(plan, 0, sizeof(*plan));
}

