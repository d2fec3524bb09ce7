#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>

#include "dump/copy-cut.h"
#include "dump/sql-classify.h"
#include "dump/dump-reader.h"
#include "base/log.h"
#include "pg/pgsql.h"
#include "io/progress.h"
#include "restore/restore-pool.h"
#include "restore/restore-tail.h"
#include "restore/restore.h"
#include "restore/row-sum.h"
#include "dump/sql-split.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* Past this, the part after the tables streams in the file's order, as it used to. */
#define TAIL_HOLD_MAX (64u << 20)
/* Below this a table loads whole, whatever its share: a part would save less than its setup. */
#define SPLIT_AUTO_MIN_BYTES ((uint64_t)64 << 20)
/* Smaller tables load as the file has them: loading them frozen would save less than it asks. */
#define FREEZE_MIN_BYTES (1u << 20)

struct loader {
	PGconn *conn;
	const struct restore_settings *settings;
	struct restore_stats *stats;
	struct sql_splitter *splitter;
	struct stmt_pool *pool;	/* post-data side by side; NULL: all on conn */
	atomic_int *abort;	/* set when a connection loading tables beside this one failed */
	int in_copy;		/* the server is in COPY IN */
	int skip_copy;		/* the COPY statement failed: drop its rows */
	int failed;
	long copy_line;
	char *copy_what;
	struct restore_progress *progress;	/* NULL: no bar */
	/*
	 * One part of a table loaded in parts (part_to 0: the whole table):
	 * the rows starting at COPY-text offsets [part_from, part_to).
	 */
	uint64_t part_from, part_to, copy_pos;
	int part_done;		/* its last row is sent: the read stops here, by design */
	/*
	 * The table being loaded by the member index, as the manifest and its
	 * COPY line name it, and how (NULL: as the file has it). A later part
	 * (part_from > 0) loads into a temporary table first, and is appended
	 * to the table once the parts before it are in: the rows keep the
	 * file's physical order.
	 */
	const char *table;
	const struct table_plan *plan;
	int staged;		/* a later part's rows wait in the temporary table */
	int in_txn;		/* the COPY runs in a transaction of its own, to commit at its end */
};

#define STAGE_TABLE "pg_temp.lotbackup_stage"

/* How a table loads by the member index, found in the catalogs before the load. */
struct table_plan {
	char *target;		/* the table as the server names it (regclass), for the statements we make */
	char *columns;		/* its COPY column list, "(a, b)" */
	char *copy;		/* the COPY the file has for it, as lotbackup writes it: "COPY t (a, b) FROM stdin;" */
	char *stage_ddl;	/* "a integer, b text": the temporary table a later part loads into; NULL: none */
	int freeze;		/* no triggers, nothing refers to it: load it frozen if it is empty */
};

/*
 * The bar of one restore, fed by every connection loading beside the others
 * and drawn by the thread that started the restore only.
 */
struct restore_progress {
	struct progress *bar;
	pthread_t owner;
	atomic_uint_least64_t sql_bytes;
};

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
progress(struct loader *l, size_t len)
{
	struct restore_progress *p = l->progress;
	uint64_t done;

	if (p == NULL)
		return;
	done = atomic_fetch_add(&p->sql_bytes, len) + len;
	if (pthread_equal(pthread_self(), p->owner))
		progress_update(p->bar, done, NULL);
}

/* One error: stop, or with --keep-going count it and go on. */
static int
statement_failed(struct loader *l, const PGresult *res, long line, const char *text, size_t len)
{
	struct strbuf what = STRBUF_INIT;
	size_t show = 0;

	while (show < len && show < 60 && text[show] != '\n')
		show++;
	/* A part of a table read from a member inside it has no line of its own: 0. */
	if (line > 0)
		strbuf_printf(&what, "restore failed at line %ld (%.*s%s)", line, (int)show, text, show < len ? "..." : "");
	else
		strbuf_printf(&what, "restore failed (%.*s%s)", (int)show, text, show < len ? "..." : "");
	pgsql_report(l->conn, res, what.buf);
	strbuf_free(&what);
	l->stats->errors++;
	if (l->settings->keep_going)
		return 0;
	l->failed = 1;
	return -1;
}

/* named: the statement as the file has it, for the record and errors (item itself, unless rewritten). */
static int
run_statement(struct loader *l, const struct sql_item *item, const struct sql_item *named)
{
	enum sql_stmt_kind kind = sql_classify(item->text, item->len);
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
	sql = xstrndup(item->text, item->len);
	res = PQexec(l->conn, sql);
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
		c->copy_out_sql = sql_copy_out(named->text, named->len);
		c->rows = 0;
		c->data_bytes = 0;
		c->data_crc32 = 0;
		c->row_sum = 0;
		l->in_copy = 1;
		l->copy_line = named->line;
		free(l->copy_what);
		l->copy_what = named->line > 0 ?
		    xasprintf("restore failed loading table %s (COPY at line %ld)", c->qualified, named->line) :
		    xasprintf("restore failed loading a part of table %s", c->qualified);
	} else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		/* A failed COPY leaves its rows to be skipped. */
		if (kind == SQL_STMT_COPY)
			l->skip_copy = 1;
		rc = statement_failed(l, res, named->line, named->text, named->len);
	} else if (l->pool && kind == SQL_STMT_SESSION) {
		stmt_pool_note_session(l->pool, item->text, item->len);
	}
	PQclear(res);
	return rc;
}

/* Ends a COPY's own transaction, if it has one. */
static int
end_txn(struct loader *l, int commit)
{
	char *what;
	int rc;

	if (!l->in_txn)
		return 0;
	l->in_txn = 0;
	what = xasprintf("cannot %s the load of table %s", commit ? "commit" : "roll back", l->table);
	rc = pgsql_exec(l->conn, commit ? "COMMIT" : "ROLLBACK", what);
	free(what);
	if (rc < 0)
		l->failed = 1;
	return rc;
}

static int
end_copy(struct loader *l)
{
	PGresult *res;
	int rc = 0;

	if (PQputCopyEnd(l->conn, NULL) != 1) {
		pgsql_report(l->conn, NULL, l->copy_what);
		l->failed = 1;
		return -1;
	}
	l->in_copy = 0;
	while ((res = PQgetResult(l->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			pgsql_report(l->conn, res, l->copy_what);
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
static void
abandon_copy(struct loader *l)
{
	PGresult *res;

	if (l->in_copy) {
		PQputCopyEnd(l->conn, "restore stopped");
		while ((res = PQgetResult(l->conn)) != NULL)
			PQclear(res);
		l->in_copy = 0;
	}
	if (l->in_txn) {
		l->in_txn = 0;
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
	size_t from = row_start_at(item->text, item->len, l->copy_pos, l->part_from);
	size_t to = row_start_at(item->text, item->len, l->copy_pos, l->part_to);

	l->copy_pos += item->len;
	if (to > from && PQputCopyData(l->conn, item->text + from, (int)(to - from)) != 1) {
		pgsql_report(l->conn, NULL, l->copy_what);
		l->failed = 1;
		return -1;
	}
	if (l->copy_pos < l->part_to)
		return 0;
	if (end_copy(l) < 0)
		return -1;
	l->part_done = 1;
	return -1;
}

/* Is this the COPY the table's plan is for? */
static int
copy_is_planned(const struct loader *l, const struct sql_item *item)
{
	return item->len == strlen(l->plan->copy) && memcmp(item->text, l->plan->copy, item->len) == 0;
}

/*
 * A later part of a table: its rows go into a temporary table of the same
 * columns, to wait there for their turn.
 */
static int
stage_copy(struct loader *l, const struct sql_item *item)
{
	const struct table_plan *p = l->plan;
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
		l->skip_copy = 1;
		return rc;
	}
	PQclear(res);
	l->staged = 1;
	copy.text = "COPY " STAGE_TABLE " FROM stdin;";
	copy.len = strlen(copy.text);
	return run_statement(l, &copy, item);
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
	const char *t = l->plan->target;
	char *sql, *what = xasprintf("cannot start loading table %s frozen (COPY at line %ld)", l->table, line);
	PGresult *res;
	int rc = -1;

	sql = xasprintf("BEGIN; LOCK TABLE ONLY %s IN ACCESS EXCLUSIVE MODE; SELECT EXISTS (SELECT FROM ONLY %s)", t, t);
	res = pgsql_query(l->conn, sql, what);
	free(sql);
	l->in_txn = 1;
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
		abandon_copy(l);
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
		log_debug("table %s loads as the file has it: its COPY is not the one planned", l->table);
		return run_statement(l, item, item);
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
		return run_statement(l, item, item);
	text = xasprintf("%.*s WITH (FREEZE);", (int)item->len - 1, item->text);
	copy.text = text;
	copy.len = strlen(text);
	rc = run_statement(l, &copy, item);
	free(text);
	/* Past a COPY that did not start (--keep-going), its transaction is over. */
	if (!l->in_copy && end_txn(l, 0) < 0)
		rc = -1;
	return rc;
}

/* The staged rows, appended to their table: the parts before them are in. */
static int
append_stage(struct loader *l)
{
	char *sql;
	PGresult *res;
	int rc = 0;

	if (!l->staged)	/* --keep-going past a failed COPY: nothing staged */
		return 0;
	l->staged = 0;
	sql = xasprintf("INSERT INTO %s %s OVERRIDING SYSTEM VALUE SELECT * FROM " STAGE_TABLE "; "
	    "DROP TABLE " STAGE_TABLE, l->plan->target, l->plan->columns);
	res = PQexec(l->conn, sql);
	free(sql);
	l->stats->statements++;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pgsql_report(l->conn, res, l->copy_what);
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
 * A later part of a table read from the member that holds its first row
 * (dump_find_member), past the splitter: COPY text cut at row starts by
 * offset (copy-cut.h), the same cuts as copy_part_rows makes.
 */
struct raw_part {
	struct loader *l;
	uint64_t pos;		/* COPY-text offset of the next chunk's first byte */
	uint64_t end;		/* the table's COPY text ends here */
	uint64_t begin, finish;	/* the part's rows; UINT64_MAX until found */
	int prev_nl;		/* the byte before the next chunk is a newline */
};

static int
raw_part_chunk(void *ctx, const char *buf, size_t len)
{
	struct raw_part *r = ctx;
	struct loader *l = r->l;
	uint64_t pos = r->pos;
	size_t from, to;

	if (l->failed || (l->abort != NULL && atomic_load(l->abort)))
		return -1;
	r->pos += len;
	/* Rows that start in [part_from, part_to), never past the table's COPY text. */
	if (r->begin == UINT64_MAX)
		r->begin = copy_row_start(buf, len, pos, r->prev_nl, l->part_from);
	if (r->begin != UINT64_MAX && r->finish == UINT64_MAX)
		r->finish = l->part_to == UINT64_MAX ? r->end : copy_row_start(buf, len, pos, r->prev_nl, l->part_to);
	if (r->begin != UINT64_MAX && r->begin > r->end)
		r->begin = r->end;
	if (r->finish != UINT64_MAX && r->finish > r->end)
		r->finish = r->end;
	if (len > 0)
		r->prev_nl = buf[len - 1] == '\n';
	if (r->begin == UINT64_MAX || r->begin >= pos + len)
		return 0;
	from = r->begin > pos ? (size_t)(r->begin - pos) : 0;
	to = r->finish < pos + len ? (size_t)(r->finish - pos) : len;
	if (to > from) {
		if (PQputCopyData(l->conn, buf + from, (int)(to - from)) != 1) {
			pgsql_report(l->conn, NULL, l->copy_what);
			l->failed = 1;
			return -1;
		}
		l->stats->sql_bytes += to - from;
		progress(l, to - from);
	}
	if (r->finish > pos + len)
		return 0;
	if (end_copy(l) == 0)
		l->part_done = 1;
	return -1;
}

/*
 * A later part of table t straight from the member holding its first row,
 * found by the members' own sizes. 0 loaded (staged), 1 not possible here
 * (an older dump, or the part starts in the table's first member: read it
 * from the start), -1 failed (reported).
 */
static int
load_part_from_member(struct loader *l, const char *path, const struct manifest_table *t)
{
	struct raw_part r;
	struct sql_item copy;
	uint64_t at, member_at, sql_before, line_len = strlen(l->plan->copy) + 1;
	char err[512];
	int rrc, rc;

	/* The member holding the byte before the part's first possible row start. */
	at = line_len + l->part_from - 1;
	rc = dump_find_member(path, t->gz_offset, t->gz_length, at, &member_at, &sql_before);
	if (rc != 0 || sql_before < line_len) {
		rc = rc < 0 ? -1 : 1;
		goto out;
	}
	copy.kind = SQL_STATEMENT;
	copy.text = l->plan->copy;
	copy.len = (size_t)line_len - 1;
	copy.line = 0;
	rc = -1;
	if (stage_copy(l, &copy) < 0 || !l->in_copy)
		goto out;
	memset(&r, 0, sizeof(r));
	r.l = l;
	r.pos = sql_before - line_len;
	r.end = t->data_bytes;
	r.begin = r.finish = UINT64_MAX;
	log_debug("reading table %s from byte %llu of its members, for its rows from byte %llu", t->qualified,
	    (unsigned long long)member_at, (unsigned long long)l->part_from);
	rrc = dump_read_range(path, t->gz_offset + member_at, t->gz_length - member_at, raw_part_chunk, &r,
	    err, sizeof(err));
	if (rrc == DUMP_READ_STOPPED && l->part_done)
		rc = 0;
	else if (rrc == DUMP_READ_CORRUPT)
		log_error("restore stopped: %s: %s", path, err);
	else if (rrc == DUMP_READ_OK)
		log_error("restore stopped: %s: the rows of table %s end before byte %llu of its COPY text", path,
		    t->qualified, (unsigned long long)t->data_bytes);
out:
	if (rc < 0)
		l->failed = 1;
	abandon_copy(l);
	return rc;
}

static int
on_item(void *ctx, const struct sql_item *item)
{
	struct loader *l = ctx;
	int copy;

	if (l->failed || (l->abort != NULL && atomic_load(l->abort)))
		return -1;
	l->stats->line = item->line;
	switch (item->kind) {
	case SQL_STATEMENT:
		copy = sql_classify(item->text, item->len) == SQL_STMT_COPY;
		/* Another part of the table ran whatever else its block holds. */
		if (l->part_from > 0 && !copy)
			return 0;
		if (l->plan != NULL && copy) {
			if (l->part_from > 0)
				return stage_copy(l, item);
			if (l->plan->freeze)
				return freeze_copy(l, item);
		}
		return run_statement(l, item, item);
	case SQL_COPY_DATA:
		if (l->skip_copy)
			return 0;
		if (l->settings->fingerprint) {
			struct restore_copy *c = &l->stats->copies[l->stats->ncopies - 1];

			c->data_bytes += item->len;
			c->data_crc32 = libdeflate_crc32(c->data_crc32, item->text, item->len);
			c->row_sum = row_sum_add(c->row_sum, item->text, item->len);
		}
		if (l->part_to != 0)
			return copy_part_rows(l, item);
		if (PQputCopyData(l->conn, item->text, (int)item->len) != 1) {
			pgsql_report(l->conn, NULL, l->copy_what);
			l->failed = 1;
			return -1;
		}
		return 0;
	case SQL_COPY_END:
		if (l->skip_copy) {
			l->skip_copy = 0;
			return 0;
		}
		return end_copy(l);
	case SQL_META:
		/* pg_dump 15.14+ guards its output with \restrict; there is no psql here to guard. */
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
	if (l->part_from == 0 || l->copy_pos >= l->part_from) {
		l->stats->sql_bytes += len;
		progress(l, len);
	}
	if (sql_splitter_feed(l->splitter, buf, len) < 0) {
		if (l->part_done)
			return -1;	/* the rest belongs to the table's other parts */
		if (!l->failed)
			log_error("restore stopped: %s", sql_splitter_error(l->splitter));
		l->failed = 1;
		return -1;
	}
	return 0;
}

/* Loads the whole file (length UINT64_MAX) or whole members from offset, with a splitter of its own. */
static int
load_range(struct loader *l, const char *path, uint64_t offset, uint64_t length)
{
	struct dump_read_stats rstats;
	char err[512];
	int rrc, rc = -1;

	l->splitter = sql_splitter_new(on_item, l);
	if (length == UINT64_MAX)
		rrc = dump_read(path, on_chunk, l, &rstats, err, sizeof(err));
	else
		rrc = dump_read_range(path, offset, length, on_chunk, l, err, sizeof(err));
	if (rrc == DUMP_READ_CORRUPT) {
		log_error("restore stopped: %s: %s", path, err);
		goto out;
	}
	if (rrc == DUMP_READ_STOPPED && l->part_done) {
		rc = 0;
		goto out;
	}
	if (rrc != DUMP_READ_OK)
		goto out;
	if (sql_splitter_finish(l->splitter) < 0) {
		if (!l->failed)
			log_error("restore stopped: %s: %s", path, sql_splitter_error(l->splitter));
		goto out;
	}
	rc = l->failed ? -1 : 0;
out:
	if (rc < 0)
		l->failed = 1;
	abandon_copy(l);
	sql_splitter_free(l->splitter);
	l->splitter = NULL;
	return rc;
}

/* A table, or one part of a table loaded in parts: the rows starting in COPY text [from, to). */
struct load_unit {
	size_t table;
	uint64_t from, to;	/* to 0: the whole table */
	size_t part, parts;	/* this is part `part` (from 0) of `parts` */
};

/*
 * Tables side by side, as pg_restore -j loads them: each connection takes
 * the next table (largest first, the dump's order) and reads its members
 * straight from the file by the manifest's index.
 */
struct table_run {
	const char *path;
	const struct restore_settings *settings;
	const struct stmt_pool *pool;	/* holds the session statements to replay */
	PGconn *main;
	struct restore_progress *progress;
	atomic_int abort;
	/* Under mu: the next part to take, which tables are in, and the early index builds (tail may be NULL). */
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct load_unit *units;
	size_t nunits, next, running;
	size_t *parts_left;		/* per table: 0 once all its rows are in; parts go in in order */
	unsigned char *building;	/* per table: an early build is running on it */
	struct restore_tail *tail;
	struct table_plan *plans;	/* per table; columns NULL: loads as the file has it */
};

struct table_worker {
	struct table_run *run;
	PGconn *conn;		/* NULL: open one like run->main */
	int own;
	struct restore_stats stats;
	int rc;
	pthread_t thread;
};

/*
 * What a loader takes next, under run->mu: a table (largest first), else an
 * early index build whose table is in, else it waits for one, until every
 * table is in and nothing early is left. Returns 1 with *table set or
 * *early set, 0 when there is nothing more.
 */
static int
take_work(struct table_run *run, const struct load_unit **unit, struct tail_item **early)
{
	size_t i;
	int got = 0, waiting;

	*early = NULL;
	pthread_mutex_lock(&run->mu);
	while (!got && !atomic_load(&run->abort)) {
		if (run->next < run->nunits) {
			*unit = &run->units[run->next++];
			got = 1;
			break;
		}
		waiting = 0;
		for (i = 0; run->tail != NULL && i < run->tail->n && !got; i++) {
			struct tail_item *it = &run->tail->items[i];

			if (it->table < 0 || it->state != TAIL_WAITING)
				continue;
			/*
			 * One build at a time on a table: the server already builds each
			 * index with parallel workers; two side by side on the same table
			 * were slower than one after the other (a split restore at scale
			 * 1: 10.6 s against 9.7 s).
			 */
			if (run->parts_left[it->table] == 0 && !run->building[it->table]) {
				it->state = TAIL_TAKEN;
				run->building[it->table] = 1;
				*early = it;
				got = 1;
			} else {
				waiting = 1;
			}
		}
		/* Early builds wait for tables still loading; none loading: they run in the file's order. */
		if (got || !waiting || run->running == 0)
			break;
		pthread_cond_wait(&run->changed, &run->mu);
	}
	if (got)
		run->running++;
	pthread_mutex_unlock(&run->mu);
	return got;
}

/* A part of a table is in (unit) or an early build is done: others may now take what waited for it. */
static void
work_done(struct table_run *run, const struct load_unit *unit, struct tail_item *early, int ok)
{
	pthread_mutex_lock(&run->mu);
	if (unit != NULL && ok)
		run->parts_left[unit->table]--;
	if (early != NULL) {
		early->state = ok ? TAIL_DONE : TAIL_WAITING;
		run->building[early->table] = 0;
	}
	run->running--;
	pthread_cond_broadcast(&run->changed);
	pthread_mutex_unlock(&run->mu);
}

/* An index build whose table is in, on this loader's connection, as the file has it. */
static int
run_early(struct loader *l, const struct tail_item *it)
{
	PGresult *res;
	int rc = 0;

	log_debug("building early: %.*s", (int)strcspn(it->text, "\n"), it->text);
	res = PQexec(l->conn, it->text);
	l->stats->statements++;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = statement_failed(l, res, it->line, it->text, it->len);
	PQclear(res);
	return rc;
}

/* A later part's turn: the parts before it are in its table. 0, or -1 when the restore stopped. */
static int
wait_for_turn(struct table_run *run, const struct load_unit *unit)
{
	int rc;

	pthread_mutex_lock(&run->mu);
	while (!atomic_load(&run->abort) && unit->parts - run->parts_left[unit->table] < unit->part)
		pthread_cond_wait(&run->changed, &run->mu);
	rc = atomic_load(&run->abort) ? -1 : 0;
	pthread_mutex_unlock(&run->mu);
	return rc;
}

static void *
table_worker_main(void *arg)
{
	struct table_worker *w = arg;
	struct table_run *run = w->run;
	const struct restore_settings *set = run->settings;
	const struct load_unit *unit = NULL;
	struct tail_item *early;
	struct loader l;
	int ok, seek;

	if (w->conn == NULL) {
		w->conn = pgsql_connect_like(run->main, PQdb(run->main));
		w->own = 1;
		if (w->conn == NULL || restore_session_setup(w->conn) < 0 ||
		    stmt_pool_replay_session(run->pool, w->conn) < 0) {
			w->rc = -1;
			pthread_mutex_lock(&run->mu);
			atomic_store(&run->abort, 1);
			pthread_cond_broadcast(&run->changed);
			pthread_mutex_unlock(&run->mu);
			return NULL;
		}
	}
	memset(&l, 0, sizeof(l));
	l.conn = w->conn;
	l.settings = set;
	l.stats = &w->stats;
	l.abort = &run->abort;
	l.progress = run->progress;
	while (take_work(run, &unit, &early)) {
		if (early != NULL) {
			ok = run_early(&l, early) == 0;
		} else {
			const struct manifest_table *t = &set->tables[unit->table];

			if (unit->to != 0)
				log_debug("loading table %s, the rows in bytes %llu to %llu of its %llu", t->qualified,
				    (unsigned long long)unit->from, (unsigned long long)(unit->to == UINT64_MAX ?
				    t->data_bytes : unit->to), (unsigned long long)t->data_bytes);
			else
				log_debug("loading table %s", t->qualified);
			l.part_from = unit->from;
			l.part_to = unit->to;
			l.copy_pos = 0;
			l.part_done = 0;
			l.table = t->qualified;
			l.plan = run->plans[unit->table].columns != NULL ? &run->plans[unit->table] : NULL;
			seek = unit->part > 0 && l.plan != NULL ? load_part_from_member(&l, run->path, t) : 1;
			ok = seek == 1 ? load_range(&l, run->path, t->gz_offset, t->gz_length) == 0 : seek == 0;
			if (ok && !l.failed && unit->part > 0) {
				/* Stopped by another loader's failure: that one reports it. */
				ok = wait_for_turn(run, unit) == 0;
				if (ok) {
					log_debug("appending part %zu of %zu of table %s", unit->part + 1, unit->parts,
					    t->qualified);
					ok = append_stage(&l) == 0;
				}
			}
		}
		/* With --keep-going a failed statement is counted, not fatal: l.failed says which. */
		if (!ok || l.failed) {
			w->rc = -1;
			atomic_store(&run->abort, 1);
		}
		work_done(run, early != NULL ? NULL : unit, early, ok && !l.failed);
	}
	free(l.copy_what);
	return NULL;
}

static void
merge_stats(struct restore_stats *into, struct restore_stats *from)
{
	into->statements += from->statements;
	into->errors += from->errors;
	into->sql_bytes += from->sql_bytes;
	into->copies = xrealloc(into->copies, (into->ncopies + from->ncopies + 1) * sizeof(*into->copies));
	if (from->ncopies > 0)	/* from->copies is NULL then: memcpy's pointers must not be */
		memcpy(into->copies + into->ncopies, from->copies, from->ncopies * sizeof(*from->copies));
	into->ncopies += from->ncopies;
	free(from->copies);
	memset(from, 0, sizeof(*from));
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
block_copies_planned(const char *path, const struct manifest_table *t, const char *copy)
{
	struct block_head h = { STRBUF_INIT, 0 };
	char *want = xasprintf("%s\n", copy), err[512];
	int rrc, rc = -1;

	h.want = strlen(want);
	rrc = dump_read_range(path, t->gz_offset, t->gz_length, block_head_chunk, &h, err, sizeof(err));
	if (rrc == DUMP_READ_CORRUPT)
		log_error("restore stopped: %s: %s", path, err);
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
plan_table(PGconn *conn, const char *path, const struct manifest_table *t, int parts, struct table_plan *plan)
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
		if ((same = block_copies_planned(path, t, plan->copy)) < 0) {
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
 * Tables in the dump's order (largest first). With split_bytes, a table with
 * more COPY text is loaded in parts, one per connection: the first straight
 * into the table, the others into temporary tables, appended in order, so
 * its rows lie in the heap in the file's order, as one COPY leaves them.
 */
static int
plan_units(PGconn *conn, const char *path, const struct restore_settings *set, struct table_run *run)
{
	size_t i, n = 0;
	uint64_t k, parts;

	run->parts_left = xcalloc(set->ntables, sizeof(*run->parts_left));
	run->plans = xcalloc(set->ntables, sizeof(*run->plans));
	for (i = 0; i < set->ntables; i++) {
		parts = 1;
		/*
		 * Not with --keep-going: a failed part would leave the others' rows
		 * in, where one failed COPY leaves the table empty. Nor when each
		 * COPY's rows are fingerprinted, which takes them whole.
		 */
		if (set->split_bytes > 0 && !set->keep_going && !set->fingerprint &&
		    set->tables[i].data_bytes > set->split_bytes)
			parts = (set->tables[i].data_bytes + set->split_bytes - 1) / set->split_bytes;
		if (parts > (uint64_t)set->jobs)
			parts = (uint64_t)set->jobs;
		if ((parts > 1 || set->tables[i].data_bytes >= FREEZE_MIN_BYTES) &&
		    plan_table(conn, path, &set->tables[i], (int)parts, &run->plans[i]) < 0)
			return -1;
		if (parts > 1 && run->plans[i].stage_ddl == NULL) {
			log_debug("table %s loads whole: it cannot be loaded in parts (rules, triggers, row security, "
			    "no temporary tables, or its columns)", set->tables[i].qualified);
			parts = 1;
		}
		run->units = xrealloc(run->units, (n + parts) * sizeof(*run->units));
		for (k = 0; k < parts; k++) {
			struct load_unit *u = &run->units[n++];

			u->table = i;
			u->part = (size_t)k;
			u->parts = (size_t)parts;
			u->from = parts == 1 ? 0 : set->tables[i].data_bytes / parts * k;
			u->to = parts == 1 ? 0 : k + 1 == parts ? UINT64_MAX : set->tables[i].data_bytes / parts * (k + 1);
		}
		run->parts_left[i] = (size_t)parts;
	}
	run->nunits = n;
	return 0;
}

/* One row count per table, however many parts loaded it. */
static void
fold_parts(struct restore_stats *stats)
{
	size_t i, j, n = 0;

	for (i = 0; i < stats->ncopies; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(stats->copies[j].qualified, stats->copies[i].qualified) == 0)
				break;
		if (j < n) {
			stats->copies[j].rows += stats->copies[i].rows;
			free(stats->copies[i].qualified);
			free(stats->copies[i].copy_out_sql);
		} else {
			stats->copies[n++] = stats->copies[i];
		}
	}
	stats->ncopies = n;
}

/* tail: index builds that may start as soon as their table is in (NULL: none). */
static int
load_tables(struct loader *l, const char *path, struct restore_tail *tail)
{
	const struct restore_settings *set = l->settings;
	struct table_run run;
	struct table_worker *w = NULL;
	sigset_t block, old;
	size_t t;
	int i, n = set->jobs, started, rc = -1;

	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.changed, NULL);
	atomic_init(&run.abort, 0);
	if (plan_units(l->conn, path, set, &run) < 0)
		goto out;
	/* More loaders than parts only when index builds can use them. */
	if (tail == NULL && n > (int)run.nunits)
		n = (int)run.nunits;
	run.path = path;
	run.settings = set;
	run.pool = l->pool;
	run.main = l->conn;
	run.progress = l->progress;
	run.tail = tail;
	run.building = xcalloc(set->ntables, 1);
	w = xcalloc((size_t)n, sizeof(*w));
	for (i = 0; i < n; i++)
		w[i].run = &run;
	w[0].conn = l->conn;
	rc = 0;
	/* Signals are for the main thread; the workers inherit this mask. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (started = 1; started < n; started++)
		if (pthread_create(&w[started].thread, NULL, table_worker_main, &w[started]) != 0) {
			log_error("cannot start restore worker %d", started);
			atomic_store(&run.abort, 1);
			rc = -1;
			break;
		}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	table_worker_main(&w[0]);
	for (i = 1; i < started; i++)
		pthread_join(w[i].thread, NULL);
	for (i = 0; i < n; i++) {
		if (w[i].rc < 0)
			rc = -1;
		merge_stats(l->stats, &w[i].stats);
		if (w[i].own)
			PQfinish(w[i].conn);
	}
	fold_parts(l->stats);
out:
	for (t = 0; run.plans != NULL && t < set->ntables; t++)
		table_plan_free(&run.plans[t]);
	free(run.plans);
	free(run.units);
	free(run.parts_left);
	free(run.building);
	pthread_mutex_destroy(&run.mu);
	pthread_cond_destroy(&run.changed);
	free(w);
	if (rc < 0)
		l->failed = 1;
	return rc;
}

/* The rest of the dump after its tables, from memory, in the file's order, without what ran early. */
static int
run_tail(struct loader *l, const struct restore_tail *tail)
{
	size_t i;

	l->stats->sql_bytes += tail->sql_bytes;
	progress(l, tail->sql_bytes);
	for (i = 0; i < tail->n; i++) {
		const struct tail_item *it = &tail->items[i];
		struct sql_item item = { it->kind, it->text, it->len, it->line };

		if (it->state == TAIL_DONE)
			continue;
		if (on_item(l, &item) < 0)
			return -1;
	}
	return l->failed ? -1 : 0;
}

/* Table blocks back to back in the file, as lotbackup writes them: loadable side by side. */
static int
can_load_tables_apart(const struct restore_settings *set)
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

int
restore_load(PGconn *conn, const char *path, const struct restore_settings *settings,
    struct restore_stats *stats)
{
	struct restore_progress bar;
	struct restore_tail tail;
	struct loader l;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	memset(&tail, 0, sizeof(tail));
	memset(stats, 0, sizeof(*stats));
	l.conn = conn;
	l.settings = settings;
	l.stats = stats;
	if (settings->progress && (bar.bar = progress_start("restore", settings->sql_bytes, 0)) != NULL) {
		bar.owner = pthread_self();
		atomic_init(&bar.sql_bytes, 0);
		l.progress = &bar;
	}
	if (settings->jobs > 1 && !settings->single_transaction)
		l.pool = stmt_pool_new(conn, settings->jobs, settings->keep_going);
	if (can_load_tables_apart(settings)) {
		const struct manifest_table *last = &settings->tables[settings->ntables - 1];
		uint64_t tail_at = last->gz_offset + last->gz_length, tail_len = settings->file_bytes - tail_at;
		size_t early;
		int held;

		if (load_range(&l, path, 0, settings->tables[0].gz_offset) < 0)
			goto out;
		/* The part after the tables is schema: small, unless it is not a dump of ours. */
		if ((held = restore_tail_read(path, tail_at, tail_len, TAIL_HOLD_MAX, &tail)) < 0) {
			l.failed = 1;
			goto out;
		}
		early = held == 0 ? restore_tail_plan(&tail, settings->tables, settings->ntables) : 0;
		if (early > 0)
			log_debug("%zu index builds start as soon as their table is in", early);
		if (load_tables(&l, path, early > 0 ? &tail : NULL) < 0 ||
		    (held == 0 ? run_tail(&l, &tail) : load_range(&l, path, tail_at, tail_len)) < 0)
			goto out;
	} else if (load_range(&l, path, 0, UINT64_MAX) < 0) {
		goto out;
	}
	if (l.pool && stmt_pool_drain(l.pool) < 0)
		l.failed = 1;
	if (l.pool) {
		stats->statements += stmt_pool_statements(l.pool);
		stats->errors += stmt_pool_errors(l.pool);
	}
	if (l.failed)
		goto out;
	rc = stats->errors > 0 ? -1 : 0;
	if (stats->errors > 0)
		log_error("restore of %s finished with %lld errors (--keep-going): the target is restored "
		    "except for the failed statements", path, stats->errors);
out:
	if (l.progress != NULL)
		progress_end(bar.bar);
	if (rc < 0 && !settings->single_transaction && !settings->keep_going)
		log_error("the load stopped at line %ld after %lld statements; the target is partly restored "
		    "(use --single-transaction for all or nothing)", stats->line, stats->statements);
	stmt_pool_free(l.pool);
	restore_tail_free(&tail);
	free(l.copy_what);
	return rc;
}

void
restore_stats_free(struct restore_stats *stats)
{
	size_t i;

	for (i = 0; i < stats->ncopies; i++) {
		free(stats->copies[i].qualified);
		free(stats->copies[i].copy_out_sql);
	}
	free(stats->copies);
	memset(stats, 0, sizeof(*stats));
}
