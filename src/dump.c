#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dump.h"
#include "log.h"
#include "pgsql.h"
#include "strbuf.h"
#include "version.h"
#include "xalloc.h"

#define MIN_SERVER_VERSION 120000
#define MAX_SERVER_VERSION 179999

/*
 * Names may hold newlines; in a "--" comment line that would turn the rest
 * of the name into SQL. Control characters are written as \xNN.
 */
static char *
comment_safe(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			strbuf_printf(&sb, "\\x%02x", c);
		else
			strbuf_putc(&sb, (char)c);
	}
	return strbuf_detach(&sb);
}

static int
check_server_version(PGconn *conn)
{
	int v = PQserverVersion(conn);

	if (v >= MIN_SERVER_VERSION && v <= MAX_SERVER_VERSION)
		return 0;
	log_error("server version %d.%d is not supported: lotbackup dumps PostgreSQL 12 to 17",
	    v / 10000, v % 10000);
	return -1;
}

/*
 * The snapshot and the session settings that make COPY output load the same
 * anywhere, as pg_dump sets them.
 */
static int
begin_snapshot(PGconn *conn, const struct dump_settings *settings, struct db_manifest *m)
{
	const char *begin = settings->serializable_deferrable
	    ? "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE"
	    : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
	PGresult *res = NULL;
	int rc = -1;

	if (pgsql_exec(conn, "SET DateStyle = ISO; SET IntervalStyle = postgres; "
	    "SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET row_security = off", "cannot set session options") < 0)
		goto out;
	if (pgsql_exec(conn, begin, "cannot start the dump's transaction") < 0)
		goto out;
	res = pgsql_query(conn, "SELECT pg_catalog.set_config('search_path', '', false), "
	    "pg_catalog.txid_current_snapshot()::text, pg_catalog.current_setting('server_version'), "
	    "pg_catalog.current_database(), "
	    "pg_catalog.pg_encoding_to_char(d.encoding) FROM pg_catalog.pg_database d "
	    "WHERE d.datname = pg_catalog.current_database()", "cannot read the snapshot");
	if (res == NULL)
		goto out;
	m->snapshot = xstrdup(PQgetvalue(res, 0, 1));
	m->server_version = xstrdup(PQgetvalue(res, 0, 2));
	m->database = xstrdup(PQgetvalue(res, 0, 3));
	m->encoding = xstrdup(PQgetvalue(res, 0, 4));
	/* COPY text comes in the database's own encoding: no conversion, no loss. */
	if (PQsetClientEncoding(conn, PQgetvalue(res, 0, 4)) != 0) {
		log_error("cannot set client encoding %s: %s", PQgetvalue(res, 0, 4), PQerrorMessage(conn));
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static int
write_header(struct sink *out, const struct db_manifest *m)
{
	char *db = comment_safe(m->database);
	int rc = sink_printf(out,
	    "--\n"
	    "-- lotbackup %s dump of database %s\n"
	    "-- server %s, started %s, snapshot %s\n"
	    "-- Restore into an empty database: gunzip -c FILE | psql -X -v ON_ERROR_STOP=1 -d DBNAME\n"
	    "--\n\n",
	    LOTBACKUP_VERSION, db, m->server_version, m->started_at ? m->started_at : "?", m->snapshot);

	free(db);
	return rc;
}

/* Streams one table's rows straight from the server into the sink. */
static int
copy_table(PGconn *conn, const struct dump_table *t, struct sink *out, struct manifest_table *mt)
{
	struct strbuf sql = STRBUF_INIT, what = STRBUF_INIT;
	PGresult *res = NULL;
	char *buf = NULL;
	int n, rc = -1;

	strbuf_printf(&what, "cannot dump table %s", t->qualified);
	strbuf_printf(&sql, "COPY %s %s TO STDOUT", t->qualified, t->column_list);
	res = PQexec(conn, sql.buf);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		pgsql_report(conn, res, what.buf);
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (sink_printf(out, "COPY %s %s FROM stdin;\n", t->qualified, t->column_list) < 0)
		goto out;
	while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
		int wrc = sink_write(out, buf, (size_t)n);

		mt->data_crc32 = (uint32_t)crc32(mt->data_crc32, (const Bytef *)buf, (uInt)n);
		mt->data_bytes += (uint64_t)n;
		PQfreemem(buf);
		buf = NULL;
		if (wrc < 0)
			goto out;
	}
	res = PQgetResult(conn);
	if (n == -2 || PQresultStatus(res) != PGRES_COMMAND_OK) {
		pgsql_report(conn, res, what.buf);
		goto out;
	}
	mt->rows = strtoll(PQcmdTuples(res), NULL, 10);
	if (sink_puts(out, "\\.\n\n") < 0)
		goto out;
	rc = 0;
out:
	PQclear(res);
	strbuf_free(&sql);
	strbuf_free(&what);
	return rc;
}

static int
write_footer(struct sink *out, const struct db_manifest *m)
{
	size_t i;

	if (sink_puts(out, "\n--\n-- lotbackup: summary, rows dumped per table\n--\n") < 0)
		return -1;
	for (i = 0; i < m->ntables; i++) {
		char *name = comment_safe(m->tables[i].qualified);
		int rc = sink_printf(out, DUMP_ROWS_PREFIX "%lld %s\n", m->tables[i].rows, name);

		free(name);
		if (rc < 0)
			return -1;
	}
	/* The last line: a file without it was cut short. */
	return sink_puts(out, DUMP_COMPLETE_MARKER "\n");
}

int
dump_database(PGconn *conn, const struct dump_settings *settings, struct sink *out,
    struct db_manifest *m)
{
	struct schema *schema = NULL;
	const struct dump_table *tables;
	size_t ntables, i;
	long long total_rows = 0;
	int rc = -1;

	if (check_server_version(conn) < 0 || begin_snapshot(conn, settings, m) < 0)
		goto out;
	if (schema_load(conn, &settings->schema, &schema) < 0)
		goto out;
	if (write_header(out, m) < 0 || schema_write_pre_data(schema, out) < 0)
		goto out;
	tables = schema_tables(schema, &ntables);
	if (sink_puts(out, "--\n-- Data\n--\n\n") < 0)
		goto out;
	for (i = 0; i < ntables; i++) {
		struct manifest_table *mt = manifest_add_table(m, tables[i].schema, tables[i].name,
		    tables[i].qualified, 0);

		log_debug("dumping table %s", tables[i].qualified);
		if (copy_table(conn, &tables[i], out, mt) < 0)
			goto out;
		total_rows += mt->rows;
	}
	if (schema_write_sequence_values(schema, out) < 0 || schema_write_post_data(schema, out) < 0)
		goto out;
	if (write_footer(out, m) < 0)
		goto out;
	if (pgsql_exec(conn, "COMMIT", "cannot end the dump's transaction") < 0)
		goto out;
	log_debug("dumped %zu tables, %lld rows", ntables, total_rows);
	rc = 0;
out:
	schema_free(schema);
	return rc;
}
