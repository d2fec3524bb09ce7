#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dump/dump-blobs.h"
#include "dump/dump-data.h"
#include "dump/dump.h"
#include "base/log.h"
#include "migrate/ledger.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "base/xalloc.h"

/* pg_dump's: 64 alphanumerics from a strong random source. */
#define RESTRICT_KEY_LEN 64

#define MIN_SERVER_VERSION 120000
#define MAX_SERVER_VERSION 189999

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
	/* A newer major may change the catalogs the dump reads: refused until tested. */
	if (v > MAX_SERVER_VERSION)
		log_error("server version %d.%d is not supported yet: lotbackup dumps PostgreSQL 12 to 18;"
		    " a newer major is refused until lotbackup is tested with it", v / 10000, v % 10000);
	else
		log_error("server version %d.%d is not supported: lotbackup dumps PostgreSQL 12 to 18",
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

	if (pgsql_exec(conn, DUMP_SESSION_SETTINGS, "cannot set session options") < 0)
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

/*
 * The key of the file's \restrict and \unrestrict lines (PostgreSQL's
 * fix for CVE-2025-8714, as pg_dump writes it): psql 15.14+ then runs no
 * other meta-command between them, so lines smuggled into the data cannot
 * run as psql commands. Random, so the data cannot guess and end it.
 */
static int
restrict_key(char key[RESTRICT_KEY_LEN + 1])
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char buf[RESTRICT_KEY_LEN * 2];
	size_t n = 0, i;
	ssize_t got;

	while (n < RESTRICT_KEY_LEN) {
		got = getrandom(buf, sizeof(buf), 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			log_errno("cannot read random bytes for the dump's \\restrict key");
			return -1;
		}
		/* 248 = 4 * 62: the bytes kept fall evenly on the 62 characters. */
		for (i = 0; i < (size_t)got && n < RESTRICT_KEY_LEN; i++)
			if (buf[i] < 248)
				key[n++] = alnum[buf[i] % 62];
	}
	key[n] = '\0';
	return 0;
}

static int
write_header(struct pipe *out, const struct db_manifest *m, const char *key)
{
	char *db = comment_safe(m->database);
	int rc = pipe_printf(out,
	    "\\restrict %s\n"
	    "--\n"
	    "-- lotbackup %s dump of database %s\n"
	    "-- server %s, started %s, snapshot %s\n"
	    "-- Restore into an empty database: gunzip -c FILE | psql -X -v ON_ERROR_STOP=1 -d DBNAME\n"
	    "--\n\n",
	    key, LOTBACKUP_VERSION, db, m->server_version, m->started_at ? m->started_at : "?", m->snapshot);

	free(db);
	return rc;
}

static int
write_footer(struct pipe *out, const struct db_manifest *m, const char *key)
{
	size_t i;

	if (pipe_puts(out, "\n--\n-- lotbackup: summary, rows dumped per table\n--\n") < 0)
		return -1;
	for (i = 0; i < m->ntables; i++) {
		char *name = comment_safe(m->tables[i].qualified);
		int rc = pipe_printf(out, DUMP_ROWS_PREFIX "%lld %s\n", m->tables[i].rows, name);

		free(name);
		if (rc < 0)
			return -1;
	}
	/* A file without the marker and the \unrestrict line after it was cut short. */
	return pipe_printf(out, DUMP_COMPLETE_MARKER "\n\\unrestrict %s\n", key);
}

/* Largest first, so parallel work ends together; ties keep the schema's order. */
static int
by_size_desc(const void *a, const void *b)
{
	const struct dump_table *x = *(const struct dump_table *const *)a;
	const struct dump_table *y = *(const struct dump_table *const *)b;

	if (x->estimated_bytes != y->estimated_bytes)
		return x->estimated_bytes > y->estimated_bytes ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The snapshot id parallel workers import; NULL with one job (nothing to share). */
static int
export_snapshot(PGconn *conn, int jobs, size_t ntables, char **id)
{
	PGresult *res;

	*id = NULL;
	if (jobs <= 1 || ntables < 2)
		return 0;
	res = pgsql_query(conn, "SELECT pg_catalog.pg_export_snapshot()", "cannot export the dump's snapshot");
	if (res == NULL)
		return -1;
	*id = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* The manifest says what the dump leaves out: the options, and the tables whose rows it skipped. */
static void
record_selection(const struct schema *schema, const struct db_selection *sel, struct db_manifest *m)
{
	char *const *left;
	size_t n, i;

	if (sel == NULL || !selection_partial(sel))
		return;
	selection_copy(&m->selection, sel);
	left = schema_data_left_out(schema, &n);
	for (i = 0; i < n; i++) {
		char *safe = manifest_name(left[i]);

		selection_add_left_out(&m->selection, safe);
		free(safe);
	}
}

int
dump_database(PGconn *conn, const struct dump_settings *settings, struct pipe *out,
    struct db_manifest *m)
{
	struct schema *schema = NULL;
	const struct dump_table *tables, **order = NULL;
	struct manifest_table **entries = NULL;
	struct dump_data_settings data = { 0 };
	char *snapshot_id = NULL, key[RESTRICT_KEY_LEN + 1];
	size_t ntables, i;
	long long total_rows = 0;
	int rc = -1;

	if (restrict_key(key) < 0)
		goto out;
	if (check_server_version(conn) < 0 || begin_snapshot(conn, settings, m) < 0)
		goto out;
	if (schema_load(conn, &settings->schema, &schema) < 0)
		goto out;
	/* In the dump's snapshot: the ledger says what the dumped schema is. */
	if (ledger_read(conn, &m->ledgers, &m->nledgers) < 0)
		goto out;
	tables = schema_tables(schema, &ntables);
	record_selection(schema, settings->schema.selection, m);
	if (export_snapshot(conn, m->selection.data_only ? 1 : settings->jobs, ntables, &snapshot_id) < 0)
		goto out;
	if (write_header(out, m, key) < 0 || schema_write_pre_data(schema, out) < 0)
		goto out;
	if (pipe_puts(out, "--\n-- Data\n--\n\n") < 0)
		goto out;
	order = xcalloc(ntables ? ntables : 1, sizeof(*order));
	entries = xcalloc(ntables ? ntables : 1, sizeof(*entries));
	for (i = 0; i < ntables; i++)
		order[i] = &tables[i];
	/* A data-only dump keeps the schema's key order (see schema_load), on one connection. */
	if (!m->selection.data_only)
		qsort(order, ntables, sizeof(*order), by_size_desc);
	/* All entries exist before any worker starts: the array never moves under them. */
	for (i = 0; i < ntables; i++)
		manifest_add_table(m, order[i]->schema, order[i]->name, order[i]->qualified, 0);
	for (i = 0; i < ntables; i++)
		entries[i] = &m->tables[m->ntables - ntables + i];
	data.jobs = m->selection.data_only ? 1 : settings->jobs;
	data.compress_level = settings->compress_level;
	data.spill_dir = settings->spill_dir;
	data.snapshot_id = snapshot_id;
	data.encoding = m->encoding;
	data.bar = settings->bar;
	if (dump_data(conn, &data, order, entries, ntables, out) < 0)
		goto out;
	for (i = 0; i < ntables; i++)
		total_rows += entries[i]->rows;
	/* As pg_dump: large objects belong to a dump of everything, and are data. */
	if (schema_dumps_everything(schema) && !m->selection.schema_only &&
	    dump_blobs(conn, &settings->schema, out, &m->large_objects, &m->large_object_bytes) < 0)
		goto out;
	if (schema_write_sequence_values(schema, out) < 0 || schema_write_post_data(schema, out) < 0)
		goto out;
	if (write_footer(out, m, key) < 0)
		goto out;
	if (pgsql_exec(conn, "COMMIT", "cannot end the dump's transaction") < 0)
		goto out;
	log_debug("dumped %zu tables, %lld rows, %lld large objects", ntables, total_rows, m->large_objects);
	rc = 0;
out:
	free(order);
	free(entries);
	free(snapshot_id);
	schema_free(schema);
	return rc;
}
