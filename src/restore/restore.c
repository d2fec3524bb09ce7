#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "dump/dump-reader.h"
#include "io/progress.h"
#include "restore/restore-loader.h"
#include "restore/restore-plan.h"
#include "restore/restore-pool.h"
#include "restore/restore-tables.h"
#include "restore/restore-tail.h"
#include "restore/restore.h"

/* Past this, the part after the tables streams in the file's order, as it used to. */
#define TAIL_HOLD_MAX (64u << 20)

/* The rest of the dump after its tables, from memory, in the file's order, without what ran early. */
static int
run_tail(struct loader *l, const struct restore_tail *tail)
{
	size_t i;

	l->stats->sql_bytes += tail->sql_bytes;
	loader_progress(l, tail->sql_bytes);
	for (i = 0; i < tail->n; i++) {
		const struct tail_item *it = &tail->items[i];
		struct sql_item item = { it->kind, it->text, it->len, it->line };

		if (it->state == TAIL_DONE)
			continue;
		if (loader_item(l, &item) < 0)
			return -1;
	}
	return l->failed ? -1 : 0;
}

int
restore_load(PGconn *conn, const struct dump_source *src, const struct restore_settings *settings,
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
	/* An encrypted file's chunks chain: it is read from its start only, tables in the file's order. */
	if (load_plan_tables_apart(settings) && dump_source_encrypted(src) == 0) {
		const struct manifest_table *last = &settings->tables[settings->ntables - 1];
		uint64_t tail_at = last->gz_offset + last->gz_length, tail_len = settings->file_bytes - tail_at;
		long tail_line;
		size_t early, i;
		int held;

		if (loader_load_range(&l, src, 0, settings->tables[0].gz_offset) < 0)
			goto out;
		/* Read apart, the tail names the dump's lines: those before it, counted, not read. */
		for (tail_line = l.first_line, i = 0; i < settings->ntables; i++)
			tail_line += loader_block_lines(&settings->tables[i]);
		/* The part after the tables is schema: small, unless it is not a dump of ours. */
		if ((held = restore_tail_read(src, tail_at, tail_len, tail_line, TAIL_HOLD_MAX, &tail)) < 0) {
			l.failed = 1;
			goto out;
		}
		if (settings->scratch)
			scratch_tables_unlogged(conn, settings, held == 0 ? &tail : NULL);
		early = held == 0 ? restore_tail_plan(&tail, settings->tables, settings->ntables) : 0;
		if (early > 0)
			log_debug("%zu index builds start as soon as their table is in", early);
		if (restore_load_tables(&l, src, early > 0 ? &tail : NULL) < 0)
			goto out;
		l.first_line = tail_line;
		if ((held == 0 ? run_tail(&l, &tail) : loader_load_range(&l, src, tail_at, tail_len)) < 0)
			goto out;
	} else if (loader_load_range(&l, src, 0, UINT64_MAX) < 0) {
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
		    "except for the failed statements", src->name, stats->errors);
out:
	if (l.progress != NULL)
		progress_end(bar.bar);
	if (rc < 0 && !settings->single_transaction && !settings->keep_going)
		log_error("the load stopped at line %ld after %lld statements; the target is partly restored "
		    "(use --single-transaction for all or nothing)", stats->line, stats->statements);
	stmt_pool_free(l.pool);
	restore_tail_free(&tail);
	loader_release(&l);
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
