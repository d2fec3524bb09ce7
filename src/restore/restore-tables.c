/*
 * Tables side by side, as pg_restore -j loads them, and the index builds
 * of the part after the tables scheduled as soon as their table is in.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "pg/pgsql.h"
#include "restore/restore-loader.h"
#include "restore/restore-parts.h"
#include "restore/restore-plan.h"
#include "restore/restore-pool.h"
#include "restore/restore-session.h"
#include "restore/restore-tables.h"
#include "restore/restore-tail.h"
#include "restore/row-sum.h"

/*
 * Tables side by side, as pg_restore -j loads them: each connection takes
 * the next table (largest first, the dump's order) and reads its members
 * straight from the file by the manifest's index.
 */
struct table_run {
	const struct dump_source *src;
	const struct restore_settings *settings;
	const struct stmt_pool *pool;	/* holds the session statements to replay */
	PGconn *main;
	struct restore_progress *progress;
	atomic_int abort;
	/* Under mu: the next part to take, which tables are in, and the early index builds (tail may be NULL). */
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct load_plan plan;		/* its parts_left: 0 once all a table's rows are in; parts go in in order */
	size_t next, running;
	unsigned char *building;	/* per table: an early build is running on it */
	struct restore_tail *tail;
	/*
	 * Per table, for settings->table_in: its COPY's name and COPY ... TO
	 * (a loader's stats own the strings until they are merged), and
	 * whether it was told.
	 */
	const char **in_name, **in_sql;
	unsigned char *told;
	long *first_line;	/* per table: the dump's line of its COPY, for messages */
	long failed_line;	/* under abort: the line the first loader to fail stopped at */
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
		if (run->next < run->plan.nunits) {
			*unit = &run->plan.units[run->next++];
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
			if (run->plan.parts_left[it->table] == 0 && !run->building[it->table]) {
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

/*
 * Under mu: may table t be read back now? Its rows are all in, and no key
 * build of its own is left to take it exclusively: a reader there would
 * hold up that build and the index builds queued behind it.
 */
static int
table_settled(const struct table_run *run, size_t t)
{
	size_t i;

	if (run->settings->table_in == NULL || run->plan.parts_left[t] != 0 || run->told[t] || run->in_sql[t] == NULL)
		return 0;
	for (i = 0; run->tail != NULL && i < run->tail->n; i++)
		if (run->tail->items[i].table == (int)t && run->tail->items[i].exclusive &&
		    run->tail->items[i].state != TAIL_DONE)
			return 0;
	return 1;
}

/*
 * A part of a table is in (unit, its COPY copy) or an early build is
 * done: others may now take what waited for it, and the table may be
 * read back (settings->table_in).
 */
static void
work_done(struct table_run *run, const struct load_unit *unit, struct tail_item *early, int ok,
    const struct restore_copy *copy)
{
	const char *name = NULL, *sql = NULL;
	size_t t = 0;

	pthread_mutex_lock(&run->mu);
	if (unit != NULL && ok) {
		t = unit->table;
		run->plan.parts_left[t]--;
		if (copy != NULL && copy->copy_out_sql != NULL) {
			run->in_name[t] = copy->qualified;
			run->in_sql[t] = copy->copy_out_sql;
		}
	}
	if (early != NULL) {
		t = (size_t)early->table;
		early->state = ok ? TAIL_DONE : TAIL_WAITING;
		run->building[t] = 0;
	}
	if (ok && (unit != NULL || early != NULL) && table_settled(run, t)) {
		run->told[t] = 1;
		name = run->in_name[t];
		sql = run->in_sql[t];
	}
	run->running--;
	pthread_cond_broadcast(&run->changed);
	pthread_mutex_unlock(&run->mu);
	if (sql != NULL)
		run->settings->table_in(run->settings->table_in_arg, t, name, sql);
}

/* A later part's turn: the parts before it are in its table. 0, or -1 when the restore stopped. */
static int
wait_for_turn(struct table_run *run, const struct load_unit *unit)
{
	int rc;

	pthread_mutex_lock(&run->mu);
	while (!atomic_load(&run->abort) && unit->parts - run->plan.parts_left[unit->table] < unit->part)
		pthread_cond_wait(&run->changed, &run->mu);
	rc = atomic_load(&run->abort) ? -1 : 0;
	pthread_mutex_unlock(&run->mu);
	return rc;
}

/* A table or a part of one, on l's connection; a later part appended in its turn. 1 loaded, else 0. */
static int
load_one_unit(struct table_run *run, struct loader *l, const struct load_unit *unit)
{
	const struct manifest_table *t = &run->settings->tables[unit->table];
	int ok, seek;

	if (unit->to != 0)
		log_debug("loading table %s, the rows in bytes %llu to %llu of its %llu", t->qualified,
		    (unsigned long long)unit->from, (unsigned long long)(unit->to == UINT64_MAX ?
		    t->data_bytes : unit->to), (unsigned long long)t->data_bytes);
	else
		log_debug("loading table %s", t->qualified);
	l->part.from = unit->from;
	l->part.to = unit->to;
	l->part.pos = 0;
	l->part.done = 0;
	l->part.table = t->qualified;
	l->part.plan = run->plan.plans[unit->table].columns != NULL ? &run->plan.plans[unit->table] : NULL;
	l->first_line = run->first_line[unit->table];
	l->stats->line = l->first_line;
	seek = unit->part > 0 && l->part.plan != NULL ? restore_part_from_member(l, run->src, t) : 1;
	ok = seek == 1 ? loader_load_range(l, run->src, t->gz_offset, t->gz_length) == 0 : seek == 0;
	if (ok && !l->failed && unit->part > 0) {
		/* Stopped by another loader's failure: that one reports it. */
		ok = wait_for_turn(run, unit) == 0;
		if (ok) {
			log_debug("appending part %zu of %zu of table %s", unit->part + 1, unit->parts, t->qualified);
			ok = loader_append_stage(l) == 0;
		}
	}
	return ok;
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
	int ok;

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
		size_t ncopies = w->stats.ncopies;

		ok = early != NULL ? loader_run_early(&l, early) == 0 : load_one_unit(run, &l, unit);
		/* With --keep-going a failed statement is counted, not fatal: l.failed says which. */
		if (!ok || l.failed) {
			w->rc = -1;
			/* The first to stop says where the load stopped; the others stopped for it. */
			pthread_mutex_lock(&run->mu);
			if (!atomic_exchange(&run->abort, 1))
				run->failed_line = w->stats.line;
			pthread_mutex_unlock(&run->mu);
		}
		/* The unit's COPY: the last one this loader opened. */
		work_done(run, early != NULL ? NULL : unit, early, ok && !l.failed,
		    early == NULL && w->stats.ncopies > ncopies ? &w->stats.copies[w->stats.ncopies - 1] : NULL);
	}
	loader_release(&l);
	return NULL;
}

static void
merge_stats(struct restore_stats *into, struct restore_stats *from)
{
	into->statements += from->statements;
	into->errors += from->errors;
	into->sql_bytes += from->sql_bytes;
	into->row_writers += from->row_writers;
	into->blobs += from->blobs;
	row_sum_merge(&into->blob_sum, &from->blob_sum);
	into->copies = xrealloc(into->copies, (into->ncopies + from->ncopies + 1) * sizeof(*into->copies));
	if (from->ncopies > 0)	/* from->copies is NULL then: memcpy's pointers must not be */
		memcpy(into->copies + into->ncopies, from->copies, from->ncopies * sizeof(*from->copies));
	into->ncopies += from->ncopies;
	free(from->copies);
	memset(from, 0, sizeof(*from));
}

static int
by_table_then_part(const void *a, const void *b)
{
	const struct restore_copy *x = a, *y = b;
	int c = strcmp(x->qualified, y->qualified);

	return c != 0 ? c : (x->part_from > y->part_from) - (x->part_from < y->part_from);
}

/*
 * One entry per table, however many parts loaded it: rows, bytes and row
 * sums added, the parts' CRC-32s chained in their order into the one of
 * the table's whole COPY text, which the manifest has.
 */
static void
fold_parts(struct restore_stats *stats)
{
	struct restore_copy *into, *c;
	size_t i, n = 0;

	if (stats->ncopies > 1)
		qsort(stats->copies, stats->ncopies, sizeof(*stats->copies), by_table_then_part);
	for (i = 0; i < stats->ncopies; i++) {
		c = &stats->copies[i];
		into = n > 0 ? &stats->copies[n - 1] : NULL;
		if (into != NULL && strcmp(into->qualified, c->qualified) == 0) {
			into->rows += c->rows;
			into->data_crc32 = (uint32_t)crc32_combine64(into->data_crc32, c->data_crc32, (z_off64_t)c->data_bytes);
			into->data_bytes += c->data_bytes;
			row_sum_merge(&into->row_sum, &c->row_sum);
			free(c->qualified);
			free(c->copy_out_sql);
		} else {
			stats->copies[n++] = *c;
		}
	}
	stats->ncopies = n;
}

/* tail: index builds that may start as soon as their table is in (NULL: none). */
int
restore_load_tables(struct loader *l, const struct dump_source *src, struct restore_tail *tail)
{
	const struct restore_settings *set = l->settings;
	struct table_run run;
	struct table_worker *w = NULL;
	sigset_t block, old;
	int i, n = set->jobs, started, rc = -1;

	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.changed, NULL);
	atomic_init(&run.abort, 0);
	if (load_plan_make(l->conn, src, set, &run.plan) < 0)
		goto out;
	/* More loaders than parts only when index builds can use them. */
	if (tail == NULL && n > (int)run.plan.nunits)
		n = (int)run.plan.nunits;
	run.src = src;
	run.settings = set;
	run.pool = l->pool;
	run.main = l->conn;
	run.progress = l->progress;
	run.tail = tail;
	run.building = xcalloc(set->ntables, 1);
	run.in_name = xcalloc(set->ntables, sizeof(*run.in_name));
	run.in_sql = xcalloc(set->ntables, sizeof(*run.in_sql));
	run.told = xcalloc(set->ntables, 1);
	/* Tables lie one after the other from l's line on (load_plan_tables_apart). */
	run.first_line = xcalloc(set->ntables, sizeof(*run.first_line));
	for (i = 0; i < (int)set->ntables; i++)
		run.first_line[i] = i == 0 ? l->first_line : run.first_line[i - 1] + loader_block_lines(&set->tables[i - 1]);
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
	if (run.failed_line > 0)
		l->stats->line = run.failed_line;
out:
	load_plan_free(&run.plan, set->ntables);
	free(run.building);
	free(run.in_name);
	free(run.in_sql);
	free(run.told);
	free(run.first_line);
	pthread_mutex_destroy(&run.mu);
	pthread_cond_destroy(&run.changed);
	free(w);
	if (rc < 0)
		l->failed = 1;
	return rc;
}
