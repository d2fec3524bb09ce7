#ifndef LOTBACKUP_RESTORE_LOADER_H
#define LOTBACKUP_RESTORE_LOADER_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "dump/sql-split.h"
#include "restore/restore-tail.h"
#include "restore/restore-types.h"

struct pipe;
struct stmt_pool;
struct table_plan;

/* The COPY open on a loader's connection. */
struct loader_copy {
	int open;		/* the server is in COPY IN */
	int skip;		/* the COPY statement failed: drop its rows */
	int in_txn;		/* the COPY runs in a transaction of its own, to commit at its end */
	char *what;		/* "restore failed loading table ...", for its errors */
	struct pipe *rows;	/* with settings.fingerprint: the rows through a crc32 filter */
	struct strbuf cut;	/* with settings.fingerprint: a row cut between two pieces sent, so far */
};

/*
 * The table being loaded by the member index, as the manifest and its COPY
 * line name it, and how (plan NULL: as the file has it); with from and to,
 * one part of a table loaded in parts (to 0: the whole table): the rows
 * starting at COPY-text offsets [from, to). A later part (from > 0) loads
 * into a temporary table first, and is appended to the table once the
 * parts before it are in: the rows keep the file's physical order.
 */
struct loader_part {
	const char *table;
	const struct table_plan *plan;
	uint64_t from, to;
	uint64_t pos;		/* COPY-text offset of the next chunk */
	int done;		/* its last row is sent: the read stops here, by design */
	int staged;		/* a later part's rows wait in the temporary table */
};

/* One connection loading the dump's items in order (restore_load's, or a table worker's). */
struct loader {
	PGconn *conn;
	const struct restore_settings *settings;
	struct restore_stats *stats;
	struct sql_splitter *splitter;
	struct stmt_pool *pool;	/* post-data side by side; NULL: all on conn */
	struct restore_progress *progress;	/* NULL: no bar */
	atomic_int *abort;	/* set when a connection loading tables beside this one failed */
	/*
	 * The dump's line the next loader_load_range starts on (0: the first),
	 * so messages name the file's lines, not the range's; the range's end
	 * leaves the line after it here.
	 */
	long first_line;
	int failed;
	struct loader_copy copy;
	struct loader_part part;
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

/* Frees what a loader holds for its COPY (its connection and settings are the caller's). */
void loader_release(struct loader *l);
/* Counts len more bytes of SQL done on the bar (drawn by its owner thread only). */
void loader_progress(struct loader *l, size_t len);
/* Runs one item of the dump (sql_item_fn). 0, or -1 when the load stops (reported). */
int loader_item(void *ctx, const struct sql_item *item);
/* Loads the whole file (length UINT64_MAX) or whole members from offset, with a splitter of its own. */
int loader_load_range(struct loader *l, const struct dump_source *src, uint64_t offset, uint64_t length);
/* Rows of the open COPY to the server. 0, or -1 (reported). */
int loader_send_copy(struct loader *l, const char *rows, size_t len);
/* Ends the open COPY and its own transaction if it has one. 0, or -1 (reported, unless --keep-going). */
int loader_end_copy(struct loader *l);
/* A load that stopped: ends its COPY if one is open, and rolls back the COPY's own transaction. */
void loader_abandon_copy(struct loader *l);
/* A later part's COPY item: its rows go into a temporary table, to wait there for their turn. */
int loader_stage_copy(struct loader *l, const struct sql_item *item);
/* The staged rows, appended to their table once the parts before them are in. */
int loader_append_stage(struct loader *l);
/* An index build whose table is in, on this loader's connection, as the file has it. */
int loader_run_early(struct loader *l, const struct tail_item *it);
/*
 * Lines of table T's block as db writes it (dump-data.c): its COPY line, a
 * line per row (COPY text escapes newlines in values), "\." and a blank line.
 */
long loader_block_lines(const struct manifest_table *t);

#endif
