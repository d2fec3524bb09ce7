#ifndef LOTBACKUP_DUMP_SCHEMA_H
#define LOTBACKUP_DUMP_SCHEMA_H

#include <libpq-fe.h>
#include <stddef.h>

#include "io/pipe.h"
#include "store/selection.h"

/*
 * The database's schema read from the catalogs inside the dump's snapshot
 * and written as plain SQL, deparsed by the server's own pg_get_*def
 * functions and ordered by pg_depend, in pg_dump's plain-format order:
 * pre-data (types, functions, sequences, tables, views), then the caller
 * writes the data, then sequence values and post-data (constraints,
 * indexes, triggers, foreign keys, policies, comments, matview refresh).
 */

struct schema_settings {
	int with_owner;		/* emit ALTER ... OWNER TO */
	int with_privileges;	/* emit GRANT/REVOKE */
	int user_mapping_secrets;	/* keep user mappings' password options */
	int no_security_labels;	/* leave SECURITY LABEL out */
	int lock_timeout_ms;	/* 0: wait for table locks */
	const struct db_selection *selection;	/* NULL: the whole database */
};

/* A table (or leaf partition) whose rows are dumped with COPY. */
struct dump_table {
	unsigned int oid;
	char *schema;		/* raw names, for messages and the manifest */
	char *name;
	char *qualified;	/* quoted, schema-qualified: "App Data"."T" */
	char *column_list;	/* quoted column list without generated columns: ("a", "b") */
	long long estimated_bytes;	/* pg_relation_size, to order parallel work */
	char *filter;		/* an extension's configuration table: its condition ("WHERE ..."), or "" */
};

struct schema;

/*
 * Locks every dumped table IN ACCESS SHARE MODE (honouring lock_timeout_ms),
 * then reads the catalogs. Must run inside the dump's transaction. Fails,
 * naming the object, on an object kind it cannot dump. Returns 0 or -1
 * (reported, with SQLSTATE for server errors).
 */
int schema_load(PGconn *conn, const struct schema_settings *settings, struct schema **out);
/* Tables whose data is dumped, in load order (partitioned parents excluded). */
const struct dump_table *schema_tables(const struct schema *schema, size_t *count);
/* Tables --exclude-table-data left out of the data (quoted names, as in the dump). */
char *const *schema_data_left_out(const struct schema *schema, size_t *count);
/* 1 when objects outside the selected schemas and tables (large objects) are dumped too. */
int schema_dumps_everything(const struct schema *schema);
/* Session settings and CREATE statements that must precede the data. */
int schema_write_pre_data(const struct schema *schema, struct pipe *out);
/* setval() for every sequence; written after the data. */
int schema_write_sequence_values(const struct schema *schema, struct pipe *out);
/* Constraints, indexes, triggers, foreign keys, policies, comments, REFRESH MATERIALIZED VIEW. */
int schema_write_post_data(const struct schema *schema, struct pipe *out);
void schema_free(struct schema *schema);

#endif
