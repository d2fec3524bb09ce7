/*
 * verify --restore's read-back (verify-readback.h). Tables, and big ones
 * in block ranges, are read on up to 4 connections at once: on one the
 * read-back took as long as loading the biggest table whole. Reading a
 * table as soon as it is in takes the reading off the end of the run,
 * into the index builds, which leave a core idle.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "base/name-index.h"
#include "base/xalloc.h"
#include "pg/pgsql.h"
#include "verify/verify-readback.h"

/*
 * The same output settings the dump used, so equal rows give equal text;
 * and the system's names first, whatever search_path the dump left, so no
 * function or operator of its own answers these queries.
 */
#define READ_BACK_SETTINGS "SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3; " \
	"SET TimeZone = 'UTC'; SET row_security = off; SET synchronize_seqscans = off; SET enable_hashagg = on; " \
	"SET search_path = pg_catalog, pg_temp"

/*
 * The types a table's columns reach, in r(t): through arrays, domains,
 * ranges, multiranges and the fields of row types. The multirange's link
 * is read through to_jsonb: pg_range has it from PostgreSQL 14 only.
 */
#define REACHED_TYPES_SQL "WITH RECURSIVE r(t) AS (SELECT a.atttypid FROM pg_catalog.pg_attribute a " \
	"WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped UNION SELECT n.t FROM r " \
	"JOIN pg_catalog.pg_type y ON y.oid = r.t CROSS JOIN LATERAL (SELECT y.typelem UNION ALL " \
	"SELECT y.typbasetype UNION ALL SELECT b.atttypid FROM pg_catalog.pg_attribute b " \
	"WHERE b.attrelid = y.typrelid AND b.attnum > 0 AND NOT b.attisdropped UNION ALL " \
	"SELECT g.rngsubtype FROM pg_catalog.pg_range g WHERE g.rngtypid = y.oid UNION ALL " \
	"SELECT g.rngtypid FROM pg_catalog.pg_range g " \
	"WHERE pg_catalog.to_jsonb(g) OPERATOR(pg_catalog.->>) 'rngmultitypid' = y.oid::pg_catalog.text) n(t) " \
	"WHERE n.t <> 0) "
/*
 * A table's shape: its oid; its kind (a CREATE RULE "_RETURN" turned an
 * empty table into a view up to PostgreSQL 15, keeping oid, columns and
 * file); its columns (a table made anew, a column added, dropped or
 * retyped gives another text); and the row types its columns reach, with
 * their fields: a view replaced with a column more, or a column added to
 * another table, changes how a value of its row type prints without
 * writing a row (CREATE OR REPLACE VIEW is a dump's statement).
 */
#define SHAPE_SQL "pg_catalog.concat_ws(';', c.oid, c.relkind, (SELECT pg_catalog.string_agg(" \
	"pg_catalog.concat_ws(' ', a.attname, a.atttypid, a.atttypmod, a.attgenerated), ',' ORDER BY a.attnum) " \
	"FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), " \
	"(" REACHED_TYPES_SQL "SELECT pg_catalog.string_agg(pg_catalog.concat(y.oid, ':', (SELECT " \
	"pg_catalog.string_agg(f.atttypid || ' ' || f.atttypmod, ',' ORDER BY f.attnum) FROM pg_catalog.pg_attribute f " \
	"WHERE f.attrelid = y.typrelid AND f.attnum > 0 AND NOT f.attisdropped)), ' ' ORDER BY y.oid) " \
	"FROM r JOIN pg_catalog.pg_type y ON y.oid = r.t WHERE y.typrelid <> 0))"
/*
 * Does a column reach a reg* type (regclass, regtype, regproc...)? Such a
 * value prints the name of a catalog object, which statements after the
 * rows change without writing them: an index renamed by a constraint
 * taking it over (ADD CONSTRAINT ... USING INDEX), an oid no object had
 * when the file was written given to a new table. Such a table is read
 * after the load, when the names are final.
 */
#define NAMES_OBJECTS_SQL "EXISTS (" REACHED_TYPES_SQL "SELECT FROM r JOIN pg_catalog.pg_type y ON y.oid = r.t " \
	"WHERE y.oid < 16384 AND pg_catalog.left(y.typname, 3) = 'reg')"
/*
 * Before a table told early is read: its shape, a snapshot, its file,
 * whether its values name catalog objects, and every transaction id held
 * by a transaction then in progress, subtransactions' too: the snapshot
 * lists top-level ones only, and a subtransaction given its id before it
 * could write the rows after they were read (every transaction holds a
 * lock on its own id, a subtransaction's passed to its parent at its end).
 * $1: the table as the file names it.
 */
#define BEFORE_SQL "SELECT " SHAPE_SQL ", pg_catalog.txid_current_snapshot(), c.relfilenode, " \
	NAMES_OBJECTS_SQL ", ARRAY(SELECT l.transactionid FROM pg_catalog.pg_locks l " \
	"WHERE l.locktype = 'transactionid' AND l.transactionid IS NOT NULL)::pg_catalog.text " \
	"FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)"
/*
 * After the load: its shape, its rows, and how many of them a transaction
 * wrote that the snapshot ($2) did not see done: xmin (which freezing
 * keeps) at or past its xmax, by age() (within 2^31 of now, as every row
 * of a scratch database is; frozen and bootstrap xids are infinitely
 * old), or one of those then in progress, with the ids then held ($3,
 * subtransactions' among them). A row written, updated or
 * deleted since shows in these counts; a table rewritten, in the oid.
 * The rows are grouped by xmin (hashed) and the few groups judged: age()
 * on every row took three times as long (0.6 s against 0.2 s on 900k
 * rows). %s: the table as the file names it.
 */
#define AFTER_SQL "WITH k AS (SELECT pg_catalog.age((pg_catalog.txid_snapshot_xmax(s) %% 4294967296)" \
	"::pg_catalog.text::pg_catalog.xid) AS a, ARRAY(SELECT (i %% 4294967296)::pg_catalog.text::pg_catalog.xid " \
	"FROM pg_catalog.txid_snapshot_xip(s) i) || $3::pg_catalog.xid[] AS xip " \
	"FROM (SELECT $2::pg_catalog.txid_snapshot AS s) q), " \
	"g AS (SELECT x.xmin AS v, pg_catalog.count(*) AS n FROM ONLY %s x GROUP BY x.xmin) " \
	"SELECT pg_catalog.concat_ws(';', " SHAPE_SQL ", (SELECT COALESCE(pg_catalog.sum(n), 0) || ';' || " \
	"COALESCE(pg_catalog.sum(n) FILTER (WHERE pg_catalog.age(v) <= k.a OR v = ANY (k.xip)), 0) FROM g, k)) " \
	"FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)"

/*
 * After the load, once: could nothing the load ran after a table was read
 * have written its rows? The dump's statements that write rows (INSERT,
 * UPDATE, DELETE, MERGE, TRUNCATE, WITH) stop a verify load before they
 * run, and its SELECTs are calls of pg_catalog functions with constants;
 * what is left to write a table read early is code of the database's own
 * (a function or procedure, which a CHECK, an index, a default or a
 * trigger runs, or an extension's), a rule (run by the INSERT that appends
 * a table's later part), a COPY into a parent that routes rows to its
 * partition, a subscription, and what the load counts itself
 * (restore_stats.row_writers): a stray COPY, and a CREATE TABLE ... AS,
 * whose query may hold a data-modifying WITH.
 * None of these can be dropped (DROP is refused), so absent after the load
 * they were absent throughout. User objects have oids from 16384
 * (FirstNormalObjectId, the same from 12 to 18); a scratch database made
 * from template0 has none. A rewrite by ALTER TABLE (new values through a
 * built-in function) changes the table's file: the quick check compares
 * that too.
 */
#define QUIET_SQL "SELECT NOT EXISTS (SELECT FROM pg_catalog.pg_proc WHERE oid >= 16384) " \
	"AND NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE oid >= 16384) " \
	"AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite WHERE oid >= 16384 AND ev_type <> '1') " \
	"AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits) " \
	"AND NOT EXISTS (SELECT FROM pg_catalog.pg_subscription s JOIN pg_catalog.pg_database d " \
	"ON d.oid = s.subdbid WHERE d.datname = pg_catalog.current_database())"
/* A table's shape and file now, for the quick check. $1: the table as the file names it. */
#define FILE_SHAPE_SQL "SELECT pg_catalog.concat_ws(';', " SHAPE_SQL ", c.relfilenode) " \
	"FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)"

/* A table to read: told by the load (early) or left for after it. */
struct read_target {
	char *qualified;	/* as the file names it */
	char *copy_out_sql;
	uint64_t data_bytes;
	int early;
	int early_failed;	/* its early reading failed: read again after the load */
	int planned;		/* early: its plan ran (units queued, or early_failed) */
	int pending;		/* its units queued and not yet read */
	int settled;		/* early: its settling queued */
	int settle_done;	/* early: checked after the load, or read again */
	char *shape, *snapshot, *file, *held;	/* early: before its rows were read (BEFORE_SQL) */
	struct table_read read;
};

/*
 * One job of a reader: one COPY ... TO STDOUT; plan a table told early
 * (shape, snapshot, units); or, after the load, settle one read early
 * (changed since? or read it again).
 */
enum unit_kind { UNIT_READ, UNIT_PLAN, UNIT_SETTLE };

struct read_unit {
	struct read_target *target;
	enum unit_kind kind;
	char *sql;
};

struct readback {
	const struct db_manifest *m;
	const char *encoding;
	const struct row_key *key;
	uint64_t split_bytes;
	int jobs;
	int server_version;
	pthread_mutex_t mu;		/* everything below */
	pthread_cond_t more;
	struct read_target **targets;
	size_t ntargets;
	struct read_target **of_copy;	/* after the load: the target of each copy (queue_late) */
	struct read_unit *units;	/* a queue: next is the first not taken */
	size_t nunits, next;
	int closed, failed;
	int load_done;			/* the load is over: early tables may be settled */
	int quiet;			/* with load_done: nothing after the tables could write rows (QUIET_SQL) */
	PGconn **conns;
	PGcancel **cancels;		/* per connection, made before its thread starts */
	pthread_t *threads;
	int nthreads;
	atomic_int cancelled;		/* the readers' statements were cancelled: their errors are not news */
};

/*
 * Reads a table back as the dump did and fingerprints its rows in whatever
 * order the heap has them: one COPY need not keep the file's.
 */
static int
fingerprint(PGconn *conn, const struct row_key *key, const char *copy_out_sql, struct table_read *got,
    const char *table, int quiet, const atomic_int *hush)
{
	PGresult *res = PQexec(conn, copy_out_sql);
	char *buf = NULL, *what = xasprintf("cannot read back table %s", table);
	int n, rc = -1;

	memset(got, 0, sizeof(*got));
	if (PQresultStatus(res) != PGRES_COPY_OUT)
		goto out;
	PQclear(res);
	while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
		row_sum_add(key, &got->sum, buf, (size_t)n);
		got->bytes += (uint64_t)n;
		PQfreemem(buf);
	}
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		goto out;
	got->rows = strtoll(PQcmdTuples(res), NULL, 10);
	rc = 0;
out:
	if (rc < 0 && !quiet && (hush == NULL || !atomic_load(hush)))
		pgsql_report(conn, res, what);
	PQclear(res);
	while (rc < 0 && (res = PQgetResult(conn)) != NULL)
		PQclear(res);
	free(what);
	return rc;
}

/*
 * A table told early, before its rows are read: its shape, a snapshot and
 * the ids held (BEFORE_SQL). 0, 1 its values name catalog objects (to be
 * read after the load), or -1.
 */
static int
before(PGconn *conn, struct read_target *t)
{
	const char *param = t->qualified;
	PGresult *res = PQexecParams(conn, BEFORE_SQL, 1, NULL, &param, NULL, NULL, 0);
	int rc = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		t->shape = xstrdup(PQgetvalue(res, 0, 0));
		t->snapshot = xstrdup(PQgetvalue(res, 0, 1));
		t->file = xstrdup(PQgetvalue(res, 0, 2));
		t->held = xstrdup(PQgetvalue(res, 0, 4));
		rc = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	}
	PQclear(res);
	return rc;
}

/*
 * After the load: has t changed since before()? Its rows scanned by xmin
 * (AFTER_SQL), or after a quiet load (QUIET_SQL) its shape and file alone
 * (FILE_SHAPE_SQL). 1 yes, 0 no, -1 (reported).
 */
static int
changed_since(PGconn *conn, const struct read_target *t, int quiet)
{
	char *sql = quiet ? xstrdup(FILE_SHAPE_SQL) : xasprintf(AFTER_SQL, t->qualified), *want;
	const char *params[3] = { t->qualified, t->snapshot, t->held };
	PGresult *res = PQexecParams(conn, sql, quiet ? 1 : 3, NULL, params, NULL, NULL, 0);
	int rc = -1;

	free(sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgsql_report(conn, res, "cannot see whether a table changed after it was read back");
		PQclear(res);
		return -1;
	}
	/* The same shape, and the same file, or the rows read back and none written since. */
	want = quiet ? xasprintf("%s;%s", t->shape, t->file) : xasprintf("%s;%lld;0", t->shape, t->read.rows);
	rc = PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), want) != 0;
	if (rc)
		log_debug("table %s changed after it was read back: %s, then %s", t->qualified, want,
		    PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "gone");
	free(want);
	PQclear(res);
	return rc;
}

/*
 * "SELECT <the COPY's columns> FROM ONLY <its table>" for a COPY written
 * "COPY <table> (<columns>) TO STDOUT" (the name as the file has it);
 * NULL for any other form (read back whole).
 */
static char *
select_of(const struct read_target *t)
{
	const char *p = t->copy_out_sql, *open, *close;
	size_t namelen = strlen(t->qualified);

	if (strncasecmp(p, "COPY ", 5) != 0 || strncmp(p + 5, t->qualified, namelen) != 0)
		return NULL;
	for (open = p + 5 + namelen; isspace((unsigned char)*open); open++)
		;
	close = strrchr(open, ')');
	if (*open != '(' || close == NULL || strcmp(close, ") TO STDOUT") != 0)
		return NULL;
	return xasprintf("SELECT %.*s FROM ONLY %s", (int)(close - open - 1), open + 1, t->qualified);
}

/*
 * The units reading back t, into *units: one, or as many block ranges as
 * its COPY text has split_bytes (up to jobs), where the server scans a
 * range of blocks by itself (TID range scans, PostgreSQL 14 on; before,
 * each range would scan the whole table). The count, or -1 (reported).
 */
static int
plan_units(const struct readback *rb, PGconn *conn, struct read_target *t, struct read_unit **units)
{
	uint64_t parts = 1, k, blocks = 0, from, to;
	const char *param = t->qualified;
	char *select = NULL;
	PGresult *res;

	if (rb->split_bytes > 0 && t->data_bytes > rb->split_bytes && rb->server_version >= 140000 &&
	    (select = select_of(t)) != NULL) {
		parts = (t->data_bytes + rb->split_bytes - 1) / rb->split_bytes;
		if (parts > (uint64_t)rb->jobs)
			parts = (uint64_t)rb->jobs;
		res = pgsql_query_params(conn, "SELECT pg_catalog.pg_relation_size(pg_catalog.to_regclass($1)) / "
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
			log_debug("reading table %s back in %llu block ranges", t->qualified, (unsigned long long)parts);
	}
	*units = xcalloc(parts, sizeof(**units));
	for (k = 0; k < parts; k++) {
		struct read_unit *u = &(*units)[k];

		u->target = t;
		from = blocks * k / parts;
		to = blocks * (k + 1) / parts;
		/* The last range is open: rows of blocks added since the size was taken are read too. */
		if (parts == 1)
			u->sql = xstrdup(t->copy_out_sql);
		else if (k + 1 < parts)
			u->sql = xasprintf("COPY (%s WHERE ctid >= '(%llu,0)' AND ctid < '(%llu,0)') TO STDOUT", select,
			    (unsigned long long)from, (unsigned long long)to);
		else
			u->sql = xasprintf("COPY (%s WHERE ctid >= '(%llu,0)') TO STDOUT", select, (unsigned long long)from);
	}
	free(select);
	return (int)parts;
}

/* Appends n units to the queue and wakes the readers. With mu held. */
static void
enqueue_locked(struct readback *rb, const struct read_unit *units, size_t n)
{
	rb->units = xrealloc(rb->units, (rb->nunits + n + 1) * sizeof(*rb->units));
	memcpy(rb->units + rb->nunits, units, n * sizeof(*units));
	rb->nunits += n;
	pthread_cond_broadcast(&rb->more);
}

static void
enqueue(struct readback *rb, const struct read_unit *units, size_t n)
{
	pthread_mutex_lock(&rb->mu);
	enqueue_locked(rb, units, n);
	pthread_mutex_unlock(&rb->mu);
}

/*
 * An early table whose reading is over (or failed), once the load is
 * over too, is settled by a reader: many tables' checks then run at once,
 * and beside the reading of the others. With mu held.
 */
static void
settle_when_ready(struct readback *rb, struct read_target *t)
{
	struct read_unit settle = { t, UNIT_SETTLE, NULL };

	if (t->early && t->planned && t->pending == 0 && rb->load_done && !t->settled) {
		t->settled = 1;		/* queued: never twice */
		enqueue_locked(rb, &settle, 1);
	}
}

/*
 * A table told early, on a reader's connection: its shape and a snapshot
 * first, then its units queued, so whatever changes it after the snapshot
 * shows at the end. Left for after the load when its values name catalog
 * objects, and quietly when that fails.
 */
static void
plan_early(struct readback *rb, PGconn *conn, struct read_target *t)
{
	struct read_unit *units = NULL;
	int n = before(conn, t);

	if (n == 1)
		log_debug("table %s is read back after the load: its values name catalog objects, which later "
		    "statements can rename or create", t->qualified);
	if (n != 0 || (n = plan_units(rb, conn, t, &units)) < 0) {
		pthread_mutex_lock(&rb->mu);
		t->early_failed = 1;
		t->planned = 1;
		settle_when_ready(rb, t);
		pthread_mutex_unlock(&rb->mu);
		return;
	}
	log_debug("reading table %s back while the load goes on", t->qualified);
	pthread_mutex_lock(&rb->mu);
	t->planned = 1;
	t->pending += n;
	enqueue_locked(rb, units, (size_t)n);
	pthread_mutex_unlock(&rb->mu);
	free(units);
}

/* One unit read; an early one that fails is left for after the load (FORCE ROW LEVEL SECURITY since...). */
static void
read_unit(struct readback *rb, PGconn *conn, const struct read_unit *u)
{
	struct table_read got;
	struct read_target *t = u->target;
	int rc = fingerprint(conn, rb->key, u->sql, &got, t->qualified, t->early, &rb->cancelled);

	pthread_mutex_lock(&rb->mu);
	if (rc < 0 && t->early)
		t->early_failed = 1;
	else if (rc < 0)
		rb->failed = 1;
	t->read.rows += got.rows;
	t->read.bytes += got.bytes;
	row_sum_merge(&t->read.sum, &got.sum);
	t->pending--;
	settle_when_ready(rb, t);
	pthread_mutex_unlock(&rb->mu);
}

/*
 * A table read early, after the load: read again whole if its early
 * reading failed, else checked for changes since; the outcome recorded
 * under mu. By a reader as each table's reading ends, or on the load's
 * conn for one no reader settled. 0, or -1 (reported; rb->failed set).
 */
static int
settle(struct readback *rb, PGconn *conn, struct read_target *t)
{
	struct table_read got;
	int rc;

	/* early_failed is final: set under mu before the settling was queued or the readers stopped. */
	if (t->early_failed) {
		log_debug("reading table %s back again after the load", t->qualified);
		rc = fingerprint(conn, rb->key, t->copy_out_sql, &got, t->qualified, 0, &rb->cancelled);
	} else {
		rc = changed_since(conn, t, rb->quiet);
	}
	pthread_mutex_lock(&rb->mu);
	if (rc < 0)
		rb->failed = 1;
	else if (t->early_failed)
		t->read = got;
	else
		t->read.changed = rc;
	t->settle_done = rc >= 0;
	pthread_mutex_unlock(&rb->mu);
	return rc < 0 ? -1 : 0;
}

static void *
reader_main(void *arg)
{
	struct readback *rb = arg;
	struct read_unit u;
	PGconn *conn = NULL;
	int i;

	interrupt_block_in_thread();
	pthread_mutex_lock(&rb->mu);
	for (i = 0; i < rb->nthreads; i++)
		if (pthread_equal(rb->threads[i], pthread_self()))
			conn = rb->conns[i];
	for (;;) {
		while (!rb->failed && !interrupt_guard_hit() && rb->next == rb->nunits && !rb->closed)
			pthread_cond_wait(&rb->more, &rb->mu);
		if (rb->failed || interrupt_guard_hit() || rb->next == rb->nunits)
			break;
		u = rb->units[rb->next++];
		pthread_mutex_unlock(&rb->mu);
		if (u.kind == UNIT_PLAN)
			plan_early(rb, conn, u.target);
		else if (u.kind == UNIT_SETTLE)
			(void)settle(rb, conn, u.target);	/* a failure stops the readers: rb->failed */
		else
			read_unit(rb, conn, &u);
		pthread_mutex_lock(&rb->mu);
	}
	pthread_mutex_unlock(&rb->mu);
	return NULL;
}

int
readback_session(PGconn *conn, const char *encoding)
{
	if (pgsql_exec(conn, READ_BACK_SETTINGS, "cannot set up the comparison") < 0)
		return -1;
	/* The manifest is input: its encoding name goes through libpq, not into SQL text. */
	if (PQsetClientEncoding(conn, encoding) != 0) {
		log_error("the manifest's encoding \"%s\" is not one the server knows", encoding);
		return -1;
	}
	return 0;
}

/* A reader's connection like conn: same role, settings and client encoding. NULL (reported). */
static PGconn *
read_conn(PGconn *like, const char *encoding)
{
	PGconn *conn = pgsql_connect_like(like, PQdb(like));

	if (conn != NULL && readback_session(conn, encoding) < 0) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

struct readback *
readback_start(PGconn *conn, const struct db_manifest *m, const char *encoding, const struct row_key *key,
    uint64_t split_bytes, int jobs)
{
	struct readback *rb = xcalloc(1, sizeof(*rb));
	int n = jobs < 1 ? 1 : jobs > 4 ? 4 : jobs;

	rb->m = m;
	rb->encoding = encoding;
	rb->key = key;
	rb->split_bytes = split_bytes;
	rb->jobs = jobs < 1 ? 1 : jobs;
	rb->server_version = PQserverVersion(conn);
	pthread_mutex_init(&rb->mu, NULL);
	pthread_cond_init(&rb->more, NULL);
	atomic_init(&rb->cancelled, 0);
	rb->conns = xcalloc((size_t)n, sizeof(*rb->conns));
	rb->cancels = xcalloc((size_t)n, sizeof(*rb->cancels));
	rb->threads = xcalloc((size_t)n, sizeof(*rb->threads));
	/* Connections first, threads after: a reader finds its own by its thread id, under mu. */
	pthread_mutex_lock(&rb->mu);
	for (rb->nthreads = 0; rb->nthreads < n; rb->nthreads++) {
		if ((rb->conns[rb->nthreads] = read_conn(conn, encoding)) == NULL)
			break;
		rb->cancels[rb->nthreads] = PQgetCancel(rb->conns[rb->nthreads]);
		if (pthread_create(&rb->threads[rb->nthreads], NULL, reader_main, rb) != 0) {
			log_error("cannot start a read-back thread");
			PQfinish(rb->conns[rb->nthreads]);
			PQfreeCancel(rb->cancels[rb->nthreads]);
			break;
		}
	}
	pthread_mutex_unlock(&rb->mu);
	if (rb->nthreads < n) {
		readback_free(rb);
		return NULL;
	}
	return rb;
}

void
readback_table_in(void *arg, size_t table, const char *qualified, const char *copy_out_sql)
{
	struct readback *rb = arg;
	struct read_target *t = xcalloc(1, sizeof(*t));
	struct read_unit plan = { t, UNIT_PLAN, NULL };

	t->qualified = xstrdup(qualified);
	t->copy_out_sql = xstrdup(copy_out_sql);
	t->data_bytes = table < rb->m->ntables ? rb->m->tables[table].data_bytes : 0;
	t->early = 1;
	pthread_mutex_lock(&rb->mu);
	rb->targets = xrealloc(rb->targets, (rb->ntargets + 1) * sizeof(*rb->targets));
	rb->targets[rb->ntargets++] = t;
	pthread_mutex_unlock(&rb->mu);
	enqueue(rb, &plan, 1);
}

/* Largest tables first, so the last one read does not start when the others are done. */
static int
by_size(const void *a, const void *b)
{
	uint64_t x = ((const struct read_unit *)a)->target->data_bytes, y = ((const struct read_unit *)b)->target->data_bytes;

	return (x < y) - (x > y);
}

static const char *
target_name(const void *items, size_t i)
{
	return ((struct read_target *const *)items)[i]->qualified;
}

/*
 * The target of each copy, into rb->of_copy: the table read early under
 * its name, or a new one for the first readable copy of a name, read now;
 * a later copy of the same name shares the first one's. Names are found
 * through indexes, not a scan per copy: 10,000 tables would make that
 * 10^8 comparisons. Under mu (the readers run).
 */
static void
pick_targets(struct readback *rb, const struct restore_copy *copies, size_t ncopies)
{
	struct name_index *early = name_index_new(rb->targets, rb->ntargets, target_name), *readable;
	const char **names = xcalloc(ncopies + 1, sizeof(*names));
	size_t *copy_at = xcalloc(ncopies + 1, sizeof(*copy_at)), nreadable = 0, i;
	struct read_target *t;
	long at;

	for (i = 0; i < ncopies; i++)
		if (copies[i].copy_out_sql != NULL) {
			names[nreadable] = copies[i].qualified;
			copy_at[nreadable++] = i;
		}
	readable = name_index_new(names, nreadable, name_index_string);
	rb->of_copy = xcalloc(ncopies + 1, sizeof(*rb->of_copy));
	for (i = 0; i < nreadable; i++) {
		if ((at = name_index_find(early, names[i])) >= 0) {
			t = rb->targets[at];
		} else if ((at = name_index_find(readable, names[i])) >= 0 && (size_t)at < i) {
			t = rb->of_copy[copy_at[at]];
		} else {
			t = xcalloc(1, sizeof(*t));
			t->qualified = xstrdup(names[i]);
			t->copy_out_sql = xstrdup(copies[copy_at[i]].copy_out_sql);
			t->data_bytes = copies[copy_at[i]].data_bytes;
			rb->targets = xrealloc(rb->targets, (rb->ntargets + 1) * sizeof(*rb->targets));
			rb->targets[rb->ntargets++] = t;
		}
		rb->of_copy[copy_at[i]] = t;
	}
	name_index_free(early);
	name_index_free(readable);
	free(names);
	free(copy_at);
}

/* Queues, largest first, the units of every copy not told early. 0, or -1 (reported). */
static int
queue_late(struct readback *rb, PGconn *conn, const struct restore_copy *copies, size_t ncopies)
{
	struct read_unit *late = NULL, *units;
	size_t nlate = 0, i, first_late;
	int n, rc = -1;

	pthread_mutex_lock(&rb->mu);
	first_late = rb->ntargets;
	pick_targets(rb, copies, ncopies);
	pthread_mutex_unlock(&rb->mu);
	/* The targets made by pick_targets: no reader knows of them yet. */
	for (i = first_late; i < rb->ntargets; i++) {
		if ((n = plan_units(rb, conn, rb->targets[i], &units)) < 0)
			goto out;
		late = xrealloc(late, (nlate + (size_t)n) * sizeof(*late));
		memcpy(late + nlate, units, (size_t)n * sizeof(*units));
		nlate += (size_t)n;
		free(units);
	}
	if (nlate > 1)
		qsort(late, nlate, sizeof(*late), by_size);
	rc = 0;
out:
	/* Queued even on failure: the queue owns their statements. */
	if (nlate > 0)
		enqueue(rb, late, nlate);
	free(late);
	return rc;
}

/*
 * Stops the readers once the queue is empty, or at once (a failed or
 * interrupted load: what they are reading is cancelled), and waits for
 * them.
 */
static void
stop_readers(struct readback *rb, int at_once)
{
	char err[256];
	int i;

	pthread_mutex_lock(&rb->mu);
	rb->closed = 1;
	if (at_once)
		rb->failed = 1;
	pthread_cond_broadcast(&rb->more);
	pthread_mutex_unlock(&rb->mu);
	if (at_once)
		atomic_store(&rb->cancelled, 1);
	for (i = 0; at_once && i < rb->nthreads; i++)
		if (rb->cancels[i] != NULL)
			(void)PQcancel(rb->cancels[i], err, sizeof(err));	/* best effort: the reading is moot */
	for (i = 0; i < rb->nthreads; i++) {
		pthread_join(rb->threads[i], NULL);
		PQfinish(rb->conns[i]);
		PQfreeCancel(rb->cancels[i]);
	}
	rb->nthreads = 0;
}

/* QUIET_SQL on conn: 1 quiet, 0 not, -1 (reported). */
static int
load_was_quiet(PGconn *conn)
{
	PGresult *res = pgsql_query(conn, QUIET_SQL, "cannot look for what could change a table read early");
	int rc;

	if (res == NULL)
		return -1;
	rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (rc)
		log_debug("the load ran nothing that could write a table after it was read (no routine, extension, "
		    "rule, inheritance, subscription, stray COPY or CREATE TABLE ... AS): tables read early are checked by their "
		    "columns and files, not row by row");
	return rc;
}

int
readback_finish(struct readback *rb, PGconn *conn, const struct restore_copy *copies, size_t ncopies,
    long long row_writers, struct table_read *reads)
{
	struct read_target *t;
	size_t i, nearly = 0;
	int rc = -1, quiet = 0;

	/* Only tables told early are settled; rb->targets holds no others before queue_late. */
	pthread_mutex_lock(&rb->mu);
	nearly = rb->ntargets;
	pthread_mutex_unlock(&rb->mu);
	if (queue_late(rb, conn, copies, ncopies) < 0 ||
	    (nearly > 0 && row_writers == 0 && (quiet = load_was_quiet(conn)) < 0)) {
		stop_readers(rb, 1);
		return -1;
	}
	/* The load is over: what was read early is settled by the readers, as each table's reading ends. */
	pthread_mutex_lock(&rb->mu);
	rb->load_done = 1;
	rb->quiet = quiet;
	for (i = 0; i < rb->ntargets; i++)
		settle_when_ready(rb, rb->targets[i]);
	pthread_mutex_unlock(&rb->mu);
	stop_readers(rb, 0);
	if (rb->failed || interrupt_guard_hit())
		return -1;
	for (i = 0; i < rb->ntargets; i++)
		if (rb->targets[i]->early && !rb->targets[i]->settle_done && settle(rb, conn, rb->targets[i]) < 0)
			goto out;
	for (i = 0; i < ncopies; i++) {
		memset(&reads[i], 0, sizeof(reads[i]));
		if ((t = rb->of_copy[i]) != NULL)
			reads[i] = t->read;
	}
	rc = interrupt_guard_hit() ? -1 : 0;
out:
	return rc;
}

void
readback_free(struct readback *rb)
{
	size_t i;

	if (rb == NULL)
		return;
	stop_readers(rb, 1);
	for (i = 0; i < rb->nunits; i++)
		free(rb->units[i].sql);
	for (i = 0; i < rb->ntargets; i++) {
		free(rb->targets[i]->qualified);
		free(rb->targets[i]->copy_out_sql);
		free(rb->targets[i]->shape);
		free(rb->targets[i]->snapshot);
		free(rb->targets[i]->file);
		free(rb->targets[i]->held);
		free(rb->targets[i]);
	}
	free(rb->units);
	free(rb->targets);
	free(rb->of_copy);
	free(rb->conns);
	free(rb->cancels);
	free(rb->threads);
	pthread_mutex_destroy(&rb->mu);
	pthread_cond_destroy(&rb->more);
	free(rb);
}
