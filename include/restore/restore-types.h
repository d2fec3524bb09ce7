#ifndef LOTBACKUP_RESTORE_TYPES_H
#define LOTBACKUP_RESTORE_TYPES_H

/*
 * The load's settings and results, apart from restore.h so the files that
 * restore.c drives (loader, plan, tables, parts) can use them without
 * including the header of the file that includes theirs.
 */

#include <stddef.h>
#include <stdint.h>

#include "restore/row-sum.h"
#include "store/manifest.h"

struct dump_source;	/* dump/dump-reader.h: where the load reads the dump */

/*
 * Loads a plain SQL dump (this tool's or pg_dump's, gzipped or not) into a
 * connected database through libpq: statements with PQexec, COPY blocks
 * streamed with PQputCopyData. Never runs psql.
 */
struct restore_settings {
	int single_transaction;	/* all or nothing; the caller may have begun it */
	int keep_going;		/* report errors and go on (not with single_transaction) */
	int progress;		/* a progress line on stderr */
	int jobs;		/* connections for table loads and index and key builds; 1: one */
	/* The manifest's member index (tables in file order) and the file's size; ntables 0: none. */
	const struct manifest_table *tables;
	size_t ntables;
	uint64_t file_bytes;
	uint64_t sql_bytes;	/* the manifest's SQL size, for the progress bar; 0: unknown */
	/*
	 * Tables with more COPY text than this load in parts on several
	 * connections (up to jobs), faster but with the rows in a different
	 * physical order; 0: every table by one COPY, as the file has it.
	 */
	uint64_t split_bytes;
	/*
	 * Non-NULL: record each COPY's bytes, CRC-32 and row sum under this
	 * key (restore_copy), and stop at data the manifest cannot describe:
	 * rows by INSERT, a trigger on a table before its rows.
	 */
	const struct row_key *fingerprint;
	/* Pass over owner and role statements: objects belong to whoever loads them (pg_restore -O). */
	int no_owner;
	/* NULL, or the load runs as a role of its own (restore_confined). */
	const struct restore_confined *confined;
	/*
	 * NULL, or called on a loader's thread once table tables[table] has
	 * all its rows in and no early key build will lock it exclusively any
	 * more, with its COPY as the file names it (restore_copy's qualified
	 * and copy_out_sql, valid for the call): verify --restore reads it
	 * back from then on, while the other builds run. Tables apart only.
	 */
	void (*table_in)(void *arg, size_t table, const char *qualified, const char *copy_out_sql);
	void *table_in_arg;
	/*
	 * A scratch copy, dropped after the run (verify --restore): its tables
	 * loaded frozen or in parts are kept from autovacuum, and all made
	 * unlogged where that is safe (scratch_tables_unlogged). Tables apart only.
	 */
	int scratch;
};

/*
 * A load confined to a role that owns the database and nothing else
 * (verify --restore): statements changing the role or an owner are passed
 * over (sql_confined_action), and the few a dump holds that need the
 * connecting user's rights, in their fixed form, go to `privileged`.
 */
struct restore_confined {
	/* Runs sql as the connecting user, in the same database. 0, or -1 (reported). */
	int (*privileged)(void *arg, const char *sql, long line);
	/*
	 * NULL, or asked of every other statement (superuser_kind: of a kind
	 * only a superuser may run, sql_superuser_kind): 1 run it as the role,
	 * 0 done apart (run as the connecting superuser, or left out and
	 * named), -1 failed (reported). A COPY done apart loads no rows.
	 */
	int (*apart)(void *arg, const char *text, size_t len, long line, int superuser_kind);
	void *arg;
};

struct restore_copy {
	char *qualified;	/* table as named in the COPY line */
	char *copy_out_sql;	/* the same COPY turned into COPY ... TO STDOUT */
	long long rows;
	/* With settings.fingerprint: what the file gave the COPY. */
	uint64_t data_bytes;
	uint32_t data_crc32;	/* in the file's order, as the manifest has it */
	struct row_sum row_sum;	/* in any order (row-sum.h) */
	uint64_t part_from;	/* where its rows start in the table's COPY text: parts fold in this order */
};

struct restore_stats {
	long long statements;
	long long errors;
	uint64_t sql_bytes;
	long line;		/* where the load stopped, or the last line */
	struct restore_copy *copies;
	size_t ncopies;
	/*
	 * Statements that could write rows into a table already loaded, other
	 * than the loader's own: a COPY into another table than the one whose
	 * block was loading (in the part before or after the tables, or a
	 * table's block naming another), and with settings.fingerprint a
	 * CREATE TABLE ... AS (sql_table_from_query). verify --restore: a table
	 * read early may have changed.
	 */
	long long row_writers;
	/*
	 * With settings.fingerprint: the large objects the file makes and fills
	 * in dump_blobs' forms (blob_statement_parse), as blob_sum_* sums them;
	 * verify --restore compares them with the objects the load left.
	 */
	struct row_sum blob_sum;
	long long blobs;
};

#endif
