#ifndef LOTBACKUP_RESTORE_TABLE_H
#define LOTBACKUP_RESTORE_TABLE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "restore/restore-types.h"

/*
 * restore --table, as pg_restore -t: of each table named, its definition
 * (unless data_only), its rows, the sequences it owns (with their values),
 * and the indexes and constraints that need only it; not foreign keys to
 * other tables, triggers or anything else the table depends on. Read from
 * the dump's schema sections and the table's own gzip members through the
 * manifest's member index: the other tables' data is never read. All in
 * one transaction on CONN (after restore_session_setup): on any error the
 * target is as it was.
 */
struct restore_table_settings {
	char *const *names;	/* schema.table or table */
	size_t nnames;
	int data_only;		/* rows only, into existing tables */
	int append;		/* with data_only: into tables that already hold rows */
};

/* 0, or -1 (reported). */
struct dump_source;
int restore_tables(PGconn *conn, const struct dump_source *src, const struct db_manifest *m,
    const struct restore_table_settings *settings, struct restore_stats *stats);

#endif
