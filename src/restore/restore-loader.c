/*
 * One connection's load: the dump's items, as the splitter cuts them, run
 * in order, statements by PQexec (or handed to the statement pool), COPY
 * rows streamed, and a table's COPY turned into a part of it, a staged
 * part or a frozen load as its plan says.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "dump/copy-cut.h"
#include "dump/dump-blobs.h"
#include "dump/dump-reader.h"
#include "dump/sql-classify.h"
#include "io/pipe.h"
#include "io/progress.h"
#include "pg/pgsql.h"
#include "restore/restore-loader.h"
#include "restore/restore-plan.h"
#include "restore/restore-pool.h"
#include "restore/row-sum.h"

/* Where a later part of a table waits for the parts before it. */
#define STAGE_TABLE "pg_temp.lotbackup_stage"

void
loader_progress(struct loader *l, size_t len)
{
	struct restore_progress *p = l->progress;
	uint64_t done;

	if (p == NULL)
		return;
	done = atomic_fetch_add(&p->sql_bytes, len) + len;
	if (pthread_equal(pthread_self(), p->owner))
		progress_update(p->bar, done, NULL);
}

/* Before a statement of the file: the server must read it as the splitter did. */
static int
loader_session_safe(struct loader *l, long line)
{
	char *where = xasprintf("restore stopped at line %ld", line);
	int rc = pgsql_session_safe(l->conn, where);

	free(where);
	if (rc < 0)
		l->failed = 1;
	return rc;
}

/* One error: stop, or with --keep-going count it and go on. */
static int
statement_failed(struct loader *l, const PGresult *res, long line, const char *text, size_t len)
{
	char *what = stmt_failure_what(line, text, len);

	pgsql_report(l->conn, res, what);
	free(what);
	l->stats->errors++;
	if (l->settings->keep_going)
		return 0;
	l->failed = 1;
	return -1;
}

/*
 * kind: the statement's, as loader_item classified it (a rewrite keeps the
 * kind). named: the statement as the file has it, for the record and
 * errors (item itself, unless rewritten).
 */
static int
run_statement(struct loader *l, enum sql_stmt_kind kind, const struct sql_item *item,
    const struct sql_item *named)
{
	enum stmt_class cls = l->pool ? stmt_class_of(kind) : STMT_SERIAL;
	char *sql;
	PGresult *res;
	ExecStatusType st;
	int rc = 0;

	if (cls != STMT_SERIAL) {
		if (stmt_pool_submit(l->pool, cls, item->text, item->len, item->line) < 0) {
			l->failed = 1;
			return -1;
		}
		return 0;
	}
	/* Everything else runs alone, after whatever the pool has running. */
	if (l->pool && stmt_pool_drain(l->pool) < 0) {
		l->failed = 1;
		return -1;
	}
	/* A dump made with pg_dump --create/--clean would act on other databases. */
	if (kind == SQL_STMT_DATABASE) {
		log_error("restore stopped at line %ld: the file creates or drops a database (made with "
		    "pg_dump --create?); lotbackup restores into the --dbname database only", item->line);
		l->failed = 1;
		return -1;
	}
	if (loader_session_safe(l, item->line) < 0)
		return -1;
	sql = xstrndup(item->text, item->len);
	res = pgsql_exec_one(l->conn, sql);
	st = PQresultStatus(res);
	free(sql);
	l->stats->statements++;
	if (st == PGRES_COPY_IN) {
		struct restore_copy *c;

		l->stats->copies = xrealloc(l->stats->copies, (l->stats->ncopies + 1) * sizeof(*c));
		c = &l->stats->copies[l->stats->ncopies++];
		c->qualified = sql_copy_target(named->text, named->len);
		if (c->qualified == NULL)
			c->qualified = xstrndup(named->text, named->len < 60 ? named->len : 60);
		if (l->part.table == NULL || strcmp(c->qualified, l->part.table) != 0)
			l->stats->row_writers++;
		c->copy_out_sql = sql_copy_out(named->text, named->len);
		c->rows = 0;
		c->data_bytes = 0;
		c->data_crc32 = 0;
		c->part_from = l->part.from;
		memset(&c->row_sum, 0, sizeof(c->row_sum));
		if (l->settings->fingerprint) {
			strbuf_reset(&l->copy.cut);
			pipe_free(l->copy.rows);
			l->copy.rows = pipe_new();
			pipe_add_crc32(l->copy.rows);
			pipe_to_null(l->copy.rows);
		}
		l->copy.open = 1;
		free(l->copy.what);
		l->copy.what = named->line > 0 ?
		    xasprintf("restore failed loading table %s (COPY at line %ld)", c->qualified, named->line) :
		    xasprintf("restore failed loading a part of table %s", c->qualified);
	} else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		/* A failed COPY leaves its rows to be skipped. */
		if (kind == SQL_STMT_COPY)
			l->copy.skip = 1;
		rc = statement_failed(l, res, named->line, named->text, named->len);
	} else if (l->pool && kind == SQL_STMT_SESSION) {
		stmt_pool_note_session(l->pool, item->text, item->len);
	}
	PQclear(res);
	return rc;
}

/*
 * Rows of the open COPY to the server: the one place COPY data is sent,
 * whole tables and parts alike, so with settings.fingerprint exactly the
 * rows sent are counted, CRC'd and summed as they stream. 0, or -1
 * (reported).
 */
/*
 * Adds the rows sent to the open COPY's row sum. A part read straight from
 * its members comes in pieces cut anywhere: the line cut at a piece's end
 * waits in copy.cut for the rest; the COPY's end sums what is left.
 */
static void
sum_rows(struct loader *l, const char *rows, size_t len)
{
	struct row_sum *sum = &l->stats->copies[l->stats->ncopies - 1].row_sum;
	const char *nl;
	size_t head = 0, whole;

	if (l->copy.cut.len > 0) {
		nl = memchr(rows, '\n', len);
		head = nl != NULL ? (size_t)(nl - rows) + 1 : len;
		strbuf_append(&l->copy.cut, rows, head);
		if (nl == NULL)
			return;
		row_sum_add(l->settings->fingerprint, sum, l->copy.cut.buf, l->copy.cut.len);
		strbuf_reset(&l->copy.cut);
	}
	for (whole = len; whole > head && rows[whole - 1] != '\n'; whole--)
		;
	row_sum_add(l->settings->fingerprint, sum, rows + head, whole - head);
	strbuf_append(&l->copy.cut, rows + whole, len - whole);
}

int
loader_send_copy(struct loader *l, const char *rows, size_t len)
{
	if (l->copy.rows != NULL) {
		if (pipe_write(l->copy.rows, rows, len) < 0) {
			l->failed = 1;
			return -1;
		}
		sum_rows(l, rows, len);
	}
	if (PQputCopyData(l->conn, rows, (int)len) != 1) {
		pgsql_report(l->conn, NULL, l->copy.what);
		l->failed = 1;
		return -1;
	}
	return 0;
}

/* Ends a COPY's own transaction, if it has one. */
static int
end_txn(struct loader *l, int commit)
{
	char *what;
	int rc;

	if (!l->copy.in_txn)
		return 0;
	l->copy.in_txn = 0;
	what = xasprintf("cannot %s the load of table %s", commit ? "commit" : "roll back", l->part.table);
	rc = pgsql_exec(l->conn, commit ? "COMMIT" : "ROLLBACK", what);
	free(what);
	if (rc < 0)
		l->failed = 1;
	return rc;
}

void
loader_release(struct loader *l)
{
	free(l->copy.what);
	l->copy.what = NULL;
	pipe_free(l->copy.rows);
	l->copy.rows = NULL;
	strbuf_free(&l->copy.cut);
}

int
loader_end_copy(struct loader *l)
{
	PGresult *res;
	int rc = 0;

	if (l->copy.rows != NULL) {
		struct restore_copy *c = &l->stats->copies[l->stats->ncopies - 1];

		if (pipe_finish(l->copy.rows) < 0) {
			l->failed = 1;
			return -1;
		}
		c->data_bytes = pipe_bytes(l->copy.rows, PIPE_IN);
		c->data_crc32 = pipe_crc32(l->copy.rows);
		pipe_free(l->copy.rows);
		l->copy.rows = NULL;
		/* A last row without its newline counts too. */
		row_sum_add(l->settings->fingerprint, &c->row_sum, l->copy.cut.buf, l->copy.cut.len);
		strbuf_reset(&l->copy.cut);
	}
	if (PQputCopyEnd(l->conn, NULL) != 1) {
		pgsql_report(l->conn, NULL, l->copy.what);
		l->failed = 1;
		return -1;
	}
	l->copy.open = 0;
	while ((res = PQgetResult(l->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			pgsql_report(l->conn, res, l->copy.what);
			l->stats->errors++;
			if (!l->settings->keep_going) {
				l->failed = 1;
				rc = -1;
			}
		} else if (l->stats->ncopies > 0) {
			l->stats->copies[l->stats->ncopies - 1].rows = strtoll(PQcmdTuples(res), NULL, 10);
		}
		PQclear(res);
	}
	if (end_txn(l, rc == 0) < 0)
		rc = -1;
	return rc;
}

/* A load that stopped: ends its COPY if one is open, and rolls back the COPY's own transaction. */
void
loader_abandon_copy(struct loader *l)
{
	PGresult *res;

	if (l->copy.open) {
		PQputCopyEnd(l->conn, "restore stopped");
		while ((res = PQgetResult(l->conn)) != NULL)
			PQclear(res);
		l->copy.open = 0;
	}
	if (l->copy.in_txn) {
		l->copy.in_txn = 0;
		PQclear(PQexec(l->conn, "ROLLBACK"));
	}
}

/* Offset in a chunk of whole lines of the first row starting at or after `at`; len when past it. */
static size_t
row_start_at(const char *text, size_t len, uint64_t chunk_pos, uint64_t at)
{
	uint64_t r = copy_row_start(text, len, chunk_pos, 1, at);

	return r == UINT64_MAX ? len : (size_t)(r - chunk_pos);
}

/* The rows of this chunk that start inside this part; past its end the part's COPY ends. */
static int
copy_part_rows(struct loader *l, const struct sql_item *item)
{
	size_t from = row_start_at(item->text, item->len, l->part.pos, l->part.from);
	size_t to = row_start_at(item->text, item->len, l->part.pos, l->part.to);

	l->part.pos += item->len;
	if (to > from && loader_send_copy(l, item->text + from, to - from) < 0)
		return -1;
	if (l->part.pos < l->part.to)
		return 0;
	if (loader_end_copy(l) < 0)
		return -1;
	l->part.done = 1;
	return -1;
}

/* Is this the COPY the table's plan is for? */
static int
copy_is_planned(const struct loader *l, const struct sql_item *item)
{
	return item->len == strlen(l->part.plan->copy) && memcmp(item->text, l->part.plan->copy, item->len) == 0;
}

/*
 * A later part of a table: its rows go into a temporary table of the same
 * columns, to wait there for their turn.
 */
int
loader_stage_copy(struct loader *l, const struct sql_item *item)
{
	const struct table_plan *p = l->part.plan;
	struct sql_item copy = *item;
	char *sql;
	PGresult *res;
	int rc;

	sql = xasprintf("CREATE TEMPORARY TABLE " STAGE_TABLE " (%s)", p->stage_ddl);
	res = PQexec(l->conn, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = statement_failed(l, res, item->line, item->text, item->len);
		PQclear(res);
		l->copy.skip = 1;
		return rc;
	}
	PQclear(res);
	l->part.staged = 1;
	copy.text = "COPY " STAGE_TABLE " FROM stdin;";
	copy.len = strlen(copy.text);
	return run_statement(l, SQL_STMT_COPY, &copy, item);
}

/*
 * Readies a table with no rows yet (checked under its lock) for a frozen
 * COPY: begins a transaction and empties it there, which lets COPY load it
 * frozen. 1 ready (the transaction open), 0 it has rows (none open), -1
 * failed (reported, none open).
 */
static int
ready_frozen(struct loader *l, long line)
{
	const char *t = l->part.plan->target;
	char *sql, *what = xasprintf("cannot start loading table %s frozen (COPY at line %ld)", l->part.table, line);
	PGresult *res;
	int rc = -1;

	sql = xasprintf("BEGIN; LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE; SELECT EXISTS (SELECT FROM ONLY %s)", t, t);
	res = pgsql_query(l->conn, sql, what);
	free(sql);
	l->copy.in_txn = 1;
	if (res == NULL)
		goto out;
	/* Never empties a table with rows: they would be the target's. */
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		rc = end_txn(l, 1) < 0 ? -1 : 0;
		goto out;
	}
	sql = xasprintf("TRUNCATE ONLY %s", t);
	rc = pgsql_exec(l->conn, sql, what) < 0 ? -1 : 1;
	free(sql);
out:
	if (rc < 0)
		loader_abandon_copy(l);
	PQclear(res);
	free(what);
	return rc;
}

/*
 * The first part or the whole of a table, loaded frozen when it has no rows
 * yet, so nothing has to visit its rows again to mark them visible (the
 * first index build, then autovacuum); else as the file has it, and with
 * --keep-going also when that cannot start (the failure counted).
 */
static int
freeze_copy(struct loader *l, const struct sql_item *item)
{
	struct sql_item copy = *item;
	char *text;
	int ready, rc;

	if (!copy_is_planned(l, item)) {
		log_debug("table %s loads as the file has it: its COPY is not the one planned", l->part.table);
		return run_statement(l, SQL_STMT_COPY, item, item);
	}
	ready = ready_frozen(l, item->line);
	if (ready < 0) {
		l->stats->errors++;
		if (!l->settings->keep_going) {
			l->failed = 1;
			return -1;
		}
	}
	if (ready <= 0)
		return run_statement(l, SQL_STMT_COPY, item, item);
	text = xasprintf("%.*s WITH (FREEZE);", (int)item->len - 1, item->text);
	copy.text = text;
	copy.len = strlen(text);
	rc = run_statement(l, SQL_STMT_COPY, &copy, item);
	free(text);
	/* Past a COPY that did not start (--keep-going), its transaction is over. */
	if (!l->copy.open && end_txn(l, 0) < 0)
		rc = -1;
	return rc;
}

/* The staged rows, appended to their table: the parts before them are in. */
int
loader_append_stage(struct loader *l)
{
	char *sql;
	PGresult *res;
	int rc = 0;

	if (!l->part.staged)	/* --keep-going past a failed COPY: nothing staged */
		return 0;
	l->part.staged = 0;
	sql = xasprintf("INSERT INTO %s %s OVERRIDING SYSTEM VALUE SELECT * FROM " STAGE_TABLE "; "
	    "DROP TABLE " STAGE_TABLE, l->part.plan->target, l->part.plan->columns);
	res = PQexec(l->conn, sql);
	free(sql);
	l->stats->statements++;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pgsql_report(l->conn, res, l->copy.what);
		l->stats->errors++;
		if (!l->settings->keep_going)
			l->failed = 1;
		rc = l->failed ? -1 : 0;
		/* Its rows are lost either way: never append them again. */
		PQclear(PQexec(l->conn, "DROP TABLE IF EXISTS " STAGE_TABLE));
	}
	PQclear(res);
	return rc;
}

/*
 * What verify --restore refuses in a dump before running it: data the
 * manifest does not describe. A lotbackup dump holds rows in COPY blocks
 * only (the manifest has their bytes, CRC-32 and count) and creates
 * triggers after all of them: rows by INSERT, or a trigger on a table
 * before its COPY (it could rewrite the rows, or write elsewhere, as they
 * go in), are not a dump's. 0, or -1 (reported).
 */
static int
undescribed_data(struct loader *l, enum sql_stmt_kind kind, const struct sql_item *item)
{
	static const char *const writes[] = { "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "WITH", NULL };
	const char *param;
	char *label = NULL, *table = NULL;
	PGresult *res = NULL;
	size_t i;
	int rc = 0;

	if (kind != SQL_STMT_COPY) {
		label = sql_statement_label(item->text, item->len);
		for (i = 0; writes[i] != NULL && rc == 0; i++)
			if (strcmp(label, writes[i]) == 0) {
				log_error("verify stopped at line %ld: the file writes rows with %s; a lotbackup dump "
				    "holds its data in COPY blocks only, which its manifest describes", item->line, label);
				rc = -1;
			}
	} else if ((table = sql_copy_target(item->text, item->len)) != NULL) {
		param = table;
		res = PQexecParams(l->conn, "SELECT string_agg(quote_ident(tgname), ', ') FROM pg_catalog.pg_trigger "
		    "WHERE tgrelid = pg_catalog.to_regclass($1) AND NOT tgisinternal", 1, NULL, &param, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			pgsql_report(l->conn, res, "cannot look for triggers");
			rc = -1;
		} else if (!PQgetisnull(res, 0, 0)) {
			log_error("verify stopped at line %ld: table %s has trigger %s before its rows are loaded; "
			    "a lotbackup dump creates triggers after the data", item->line, table, PQgetvalue(res, 0, 0));
			rc = -1;
		}
	}
	if (rc < 0)
		l->failed = 1;
	PQclear(res);
	free(label);
	free(table);
	return rc;
}

/*
 * A statement of a confined load (restore_confined) that does not run as
 * the load's role: 0 done or passed over, -1 failed (reported), 1 run it
 * as usual.
 */
static int
confined_statement(struct loader *l, const struct sql_item *item)
{
	const struct restore_confined *c = l->settings->confined;
	enum sql_confined action;
	char *sql;
	int rc;

	switch ((action = sql_confined_action(item->text, item->len))) {
	case SQL_CONFINED_RUN:
	case SQL_CONFINED_SUPERUSER:
		if (c->apart == NULL)
			return 1;
		if ((rc = c->apart(c->arg, item->text, item->len, item->line, action == SQL_CONFINED_SUPERUSER)) < 0) {
			l->stats->errors++;
			l->failed = 1;
		} else if (rc == 0 && sql_classify(item->text, item->len) == SQL_STMT_COPY) {
			l->copy.skip = 1;
		}
		return rc;
	case SQL_CONFINED_SKIP:
		log_debug("line %ld passed over: the load's own role stays the only owner", item->line);
		return 0;
	case SQL_CONFINED_PRIVILEGED:
		break;
	}
	sql = xstrndup(item->text, item->len);
	rc = c->privileged(c->arg, sql, item->line);
	free(sql);
	l->stats->statements++;
	if (rc < 0) {
		l->stats->errors++;
		l->failed = 1;
	}
	return rc;
}

/*
 * With settings.fingerprint: a large object's statement in dump_blobs'
 * forms, summed from the file's text (restore_stats.blob_sum) for verify
 * --restore to compare with the objects the load leaves. Any other form
 * is not summed: what it does shows as a difference.
 */
static void
sum_blob_statement(struct loader *l, const struct sql_item *item)
{
	struct blob_statement st;
	unsigned char *data;
	size_t n = 0;

	if (!blob_statement_parse(item->text, item->len, &st))
		return;
	if (st.kind == BLOB_CREATE) {
		blob_sum_create(l->settings->fingerprint, &l->stats->blob_sum, st.oid);
		l->stats->blobs++;
		return;
	}
	data = xmalloc(st.hexlen / 2 + 1);
	/* An empty chunk writes nothing, and a read finds none. */
	if (sodium_hex2bin(data, st.hexlen / 2, st.hex, st.hexlen, NULL, &n, NULL) == 0 && n > 0)
		blob_sum_chunk(l->settings->fingerprint, &l->stats->blob_sum, st.oid, st.offset, data, n);
	free(data);
}

/*
 * With settings.fingerprint, each statement before it may go apart
 * (confined), wherever it runs: a query that may write rows is counted, a
 * rename or a type's new shape, which changes how rows already in print,
 * is no dump's, and a large object's statement is summed. 0, or -1
 * (reported, l->failed set).
 */
static int
verify_statement(struct loader *l, const struct sql_item *item)
{
	const char *why;

	if (sql_table_from_query(item->text, item->len))
		l->stats->row_writers++;
	if ((why = sql_reprints(item->text, item->len)) != NULL) {
		log_error("verify stopped at line %ld: the file runs %s, which changes how rows already loaded "
		    "print (an enum label, a type's fields, a name a regclass value shows); a dump holds none",
		    item->line, why);
		l->failed = 1;
		return -1;
	}
	sum_blob_statement(l, item);
	return 0;
}

/*
 * In one transaction (the caller's), a statement of the file must not end
 * it: sql_classify leaves out every one that would, so this only catches
 * what might slip past it, before anything else runs outside the
 * transaction. 0, or -1 (reported, l->failed set).
 */
static int
transaction_kept(struct loader *l, long line)
{
	if (PQtransactionStatus(l->conn) != PQTRANS_IDLE)
		return 0;
	log_error("restore stopped at line %ld: the statement ended the restore's transaction", line);
	l->failed = 1;
	return -1;
}

int
loader_item(void *ctx, const struct sql_item *item)
{
	struct loader *l = ctx;
	enum sql_stmt_kind kind;
	const char *why;
	int rc;

	if (l->failed || (l->abort != NULL && atomic_load(l->abort)))
		return -1;
	l->stats->line = item->line;
	switch (item->kind) {
	case SQL_STATEMENT:
		/* The pre-load check refused the file already; this guards any other way in. */
		if ((why = sql_refused(item->text, item->len)) != NULL) {
			log_error("restore stopped at line %ld: %s", item->line, why);
			l->failed = 1;
			return -1;
		}
		if (l->settings->fingerprint && verify_statement(l, item) < 0)
			return -1;
		if (l->settings->confined != NULL && (rc = confined_statement(l, item)) <= 0)
			return rc;
		if (l->settings->no_owner && sql_sets_owner(item->text, item->len)) {
			log_debug("line %ld passed over (--no-owner)", item->line);
			return 0;
		}
		kind = sql_classify(item->text, item->len);
		/* Inside the restore's own transaction, as pg_restore --single-transaction leaves them out. */
		if (kind == SQL_STMT_TRANSACTION && l->settings->single_transaction)
			return 0;
		if (l->settings->fingerprint && undescribed_data(l, kind, item) < 0)
			return -1;
		/* Another part of the table ran whatever else its block holds. */
		if (l->part.from > 0 && kind != SQL_STMT_COPY)
			return 0;
		if (l->part.plan != NULL && kind == SQL_STMT_COPY) {
			if (l->part.from > 0)
				return loader_stage_copy(l, item);
			if (l->part.plan->freeze)
				return freeze_copy(l, item);
		}
		if ((rc = run_statement(l, kind, item, item)) == 0 && l->settings->single_transaction)
			rc = transaction_kept(l, item->line);
		return rc;
	case SQL_COPY_DATA:
		if (l->copy.skip)
			return 0;
		if (l->part.to != 0)
			return copy_part_rows(l, item);
		return loader_send_copy(l, item->text, item->len);
	case SQL_COPY_END:
		if (l->copy.skip) {
			l->copy.skip = 0;
			return 0;
		}
		return loader_end_copy(l);
	case SQL_META:
		/* lotbackup and pg_dump 15.14+ write \restrict and \unrestrict: no psql here to guard. */
		if (sql_classify(item->text, item->len) == SQL_STMT_META_RESTRICT)
			return 0;
		log_error("restore stopped at line %ld: psql command '%.*s' is not supported "
		    "(a dump made with pg_dump --create? restore into an existing database without it)",
		    item->line, (int)(item->len > 40 ? 40 : item->len), item->text);
		l->failed = 1;
		return -1;
	}
	return 0;
}

static int
on_chunk(void *ctx, const char *buf, size_t len)
{
	struct loader *l = ctx;

	/* A later part of a table reads past the rows of those before it: counted by them. */
	if (l->part.from == 0 || l->part.pos >= l->part.from) {
		l->stats->sql_bytes += len;
		loader_progress(l, len);
	}
	if (sql_splitter_feed(l->splitter, buf, len) < 0) {
		if (l->part.done)
			return -1;	/* the rest belongs to the table's other parts */
		if (!l->failed)
			log_error("restore stopped: %s", sql_splitter_error(l->splitter));
		l->failed = 1;
		return -1;
	}
	return 0;
}

/* Loads the whole file (length UINT64_MAX) or whole members from offset, with a splitter of its own. */
int
loader_load_range(struct loader *l, const struct dump_source *src, uint64_t offset, uint64_t length)
{
	struct dump_read_stats rstats;
	char err[512];
	int rrc, rc = -1;

	memset(&rstats, 0, sizeof(rstats));
	l->splitter = sql_splitter_new(loader_item, l);
	if (l->first_line > 0)
		sql_splitter_set_line(l->splitter, l->first_line);
	if (length == UINT64_MAX)
		rrc = dump_read_source(src, on_chunk, l, &rstats, err, sizeof(err));
	else
		rrc = dump_read_range(src, offset, length, on_chunk, l, err, sizeof(err));
	if (rrc == DUMP_READ_CORRUPT) {
		log_error("restore stopped: %s: %s", src->name, err);
		goto out;
	}
	if (rrc == DUMP_READ_STOPPED && l->part.done) {
		rc = 0;
		goto out;
	}
	if (rrc != DUMP_READ_OK)
		goto out;
	if (sql_splitter_finish(l->splitter) < 0) {
		if (!l->failed)
			log_error("restore stopped: %s: %s", src->name, sql_splitter_error(l->splitter));
		goto out;
	}
	rc = l->failed ? -1 : 0;
out:
	if (rc < 0)
		l->failed = 1;
	loader_abandon_copy(l);
	l->first_line = sql_splitter_line(l->splitter);
	sql_splitter_free(l->splitter);
	l->splitter = NULL;
	dump_read_stats_free(&rstats);
	return rc;
}

/* An index build whose table is in, on this loader's connection, as the file has it. */
int
loader_run_early(struct loader *l, const struct tail_item *it)
{
	struct sql_item item = { it->kind, it->text, it->len, it->line };
	PGresult *res;
	int rc = 0;

	/* As in the file's order: an index of a table made apart is built apart, or left out with it. */
	if (l->settings->confined != NULL && (rc = confined_statement(l, &item)) <= 0)
		return rc;
	rc = 0;
	l->stats->line = it->line;
	if (loader_session_safe(l, it->line) < 0)
		return -1;
	log_debug("building early: %.*s", (int)strcspn(it->text, "\n"), it->text);
	res = pgsql_exec_one(l->conn, it->text);
	l->stats->statements++;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = statement_failed(l, res, it->line, it->text, it->len);
	PQclear(res);
	return rc;
}

long
loader_block_lines(const struct manifest_table *t)
{
	return (long)t->rows + 3;
}
