#ifndef LOTBACKUP_RESTORE_DB_H
#define LOTBACKUP_RESTORE_DB_H

#include <stdint.h>

#include "pg/pgsql.h"
#include "restore/restore-table.h"

/*
 * The db restore path: the file is verified first, the target protected
 * (created only when asked, never written when it holds tables unless
 * clean, cleaned only after a safety dump), then the file loaded.
 */
struct restore_db_settings {
	struct pg_target target;	/* the database restored into */
	int create;		/* create the target database unless it exists */
	int clean;		/* drop what the target holds first (after the safety dump) */
	int single_transaction;	/* all or nothing */
	int keep_going;		/* report errors and go on */
	int no_owner;		/* pass over owner and role statements (pg_restore -O) */
	int progress;		/* a progress line on stderr */
	int jobs;		/* connections for table loads and index builds */
	int split_auto;		/* split_bytes from the tables' sizes (restore_auto_split_bytes) */
	uint64_t split_bytes;	/* without split_auto: load tables above this in parts; 0 never */
	/*
	 * With clean: dumps the target before it is cleaned, 0 or -1 (reported
	 * by it); NULL: no safety dump. The caller's, so that this module never
	 * needs the options the dump is made with.
	 */
	int (*safety_dump)(const void *arg);
	const void *safety_dump_arg;
	const char *project_dir;	/* for the Prisma reminder; NULL: none */
	/* --table: only these tables (restore-table.h), into a database that may hold others; NULL: all */
	const struct restore_table_settings *tables;
};

/*
 * Restores the dump at path. Returns 0, 1 when the file failed its
 * verification (the target untouched), or -1 on any other failure; each
 * reported.
 */
int restore_db_file(const struct restore_db_settings *settings, const char *path);

/*
 * The same for a dump that is not a local file: CHECK verifies it whole
 * first (0 and the manifest it was checked against in *M, which may stay
 * zeroed; 1 failed verification, reported; -1), then the load reads SRC
 * (dump/dump-reader.h) by byte ranges.
 */
struct db_manifest;
struct dump_source;
typedef int (*restore_check_fn)(void *arg, struct db_manifest *m);
int restore_db_source(const struct restore_db_settings *settings, const struct dump_source *src,
    restore_check_fn check, void *arg);

#endif
