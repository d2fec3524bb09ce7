#ifndef LOTBACKUP_DIFF_H
#define LOTBACKUP_DIFF_H

#include <stddef.h>

#include "pg/pgsql.h"

/*
 * diff and recover (issue #20): a db backup compared, table by table, with
 * a live database (read in one REPEATABLE READ READ ONLY snapshot) or with
 * another backup. Rows are matched by the live table's primary key (or
 * whole, where there is none, and always between two backups), both sides
 * streamed in one key order: the backup's through an external sort, the
 * live database's sorted by the server, so memory stays bounded whatever
 * the table's size.
 */
struct diff_settings {
	struct pg_target live;		/* the live database; dbname NULL with other */
	const char *other;		/* a second backup instead of a live database */
	char *const *tables;		/* only these tables (schema.table, or table); NULL: all */
	size_t ntables;
	int rows;			/* between two backups: compare rows too, not only the manifests */
	int json;
	size_t limit;			/* rows shown per table and kind of difference */
	const char *spill_dir;		/* where sorted runs spill (nameless files) */
	/* recover: */
	const char *recover_path;	/* write the INSERTs of rows missing from live here; NULL: diff */
	int apply;			/* then run them in one transaction */
	int (*safety_dump)(const void *arg);	/* before --apply: 0, or -1 (reported by it) */
	const void *safety_dump_arg;
};

/* Compares BACKUP as the settings say and prints the result. 0, 1 when BACKUP failed verification, or -1. */
int diff_run(const struct diff_settings *settings, const char *backup);

#endif
