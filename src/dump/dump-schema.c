/*
 * The schema half of the plain-SQL dump: schema_load() reads the catalogs
 * inside the dump's snapshot (see dump-schema-objects.c for the queries,
 * dump-schema-sort.c for the order) and the writers emit pg_dump's
 * plain-format sections.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/dump-schema-internal.h"
#include "base/log.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/*
 * LOCK TABLE refuses materialized views, which pg_dump does not lock
 * either: their rows come back from REFRESH, not from the snapshot.
 */
static const char lock_list_sql[] =
    "SELECT format('%I.%I', n.nspname, c.relname)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND " USER_NSP("n") " AND " NOT_MEMBER("pg_class", "c.oid")
    " AND " SEL_REL("c.oid")
    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

static const char tablespace_sql[] =
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.reltablespace <> 0 AND c.relkind IN ('r', 'p', 'm', 'i', 'I') AND " USER_NSP("n");

/*
 * The deparsed text must read back the same in the restore session:
 * the output is in the server's encoding (the header says so), dates in
 * ISO and floats exact, as pg_dump sets its own session.
 */
static int
set_session(struct schema *s, PGconn *conn)
{
	PGresult *res;

	if ((res = pgsql_query(conn, "SELECT pg_catalog.pg_encoding_to_char(d.encoding)"
	    " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
	    "cannot read the database encoding")) == NULL)
		return -1;
	s->encoding = xstrdup(PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "UTF8");
	PQclear(res);
	if (strcmp(pg_encoding_to_char(PQclientEncoding(conn)), s->encoding) != 0 &&
	    PQsetClientEncoding(conn, s->encoding) != 0) {
		pgsql_report(conn, NULL, "cannot set client_encoding to the database's");
		return -1;
	}
	return pgsql_exec(conn, "SET LOCAL DateStyle = ISO; SET LOCAL IntervalStyle = postgres;"
	    " SET LOCAL extra_float_digits = 3", "cannot set the dump's date and number formats");
}

static int
lock_tables(PGconn *conn, const struct schema_settings *settings)
{
	PGresult *res;
	char *sql = NULL, *what = NULL;
	int i, rc = -1;

	if ((res = pgsql_query(conn, lock_list_sql, "cannot list the tables to lock")) == NULL)
		return -1;
	if (settings->lock_timeout_ms > 0) {
		sql = xasprintf("SET LOCAL lock_timeout = %d", settings->lock_timeout_ms);
		if (pgsql_exec(conn, sql, "cannot set lock_timeout") < 0)
			goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		free(sql);
		free(what);
		/* ONLY: each table is locked on its own, and a child we do not dump is not ours to lock. */
		sql = xasprintf("LOCK TABLE ONLY %s IN ACCESS SHARE MODE", PQgetvalue(res, i, 0));
		what = xasprintf("cannot lock table %s", PQgetvalue(res, i, 0));
		if (pgsql_exec(conn, sql, what) < 0)
			goto out;
	}
	if (settings->lock_timeout_ms > 0 &&
	    pgsql_exec(conn, "SET LOCAL lock_timeout = 0", "cannot reset lock_timeout") < 0)
		goto out;
	rc = 0;
out:
	free(sql);
	free(what);
	PQclear(res);
	return rc;
}

/* Like pg_dump --no-tablespaces: the copy may live on another server. */
static int
warn_tablespaces(PGconn *conn)
{
	PGresult *res;
	long long n;

	if ((res = pgsql_query(conn, tablespace_sql, "cannot read tablespaces")) == NULL)
		return -1;
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (n > 0)
		log_warn("%lld tables and indexes are in non-default tablespaces;"
		    " the dump recreates them in the default tablespace", n);
	PQclear(res);
	return 0;
}

/* pg_class and pg_namespace: the catalogs whose nodes the selection picks by oid. */
#define PG_CLASS_OID 1259
#define PG_NAMESPACE_OID 2615

/* Whether the selection keeps node n, by pg_dump's rules (see dump/dump-select.h). */
static int
node_selected(const struct schema *s, const struct node *n)
{
	if (n->classid == PG_CLASS_OID && n->relkind != '\0' && strchr("rpvmSf", n->relkind) != NULL)
		return select_has_rel(&s->sel, n->objid);
	if (n->classid == PG_NAMESPACE_OID)
		return select_has_schema(&s->sel, n->schema);
	if (n->schema[0] != '\0')
		return select_has_schema(&s->sel, n->schema);
	/* Extensions, casts and the other objects outside schemas: only in a dump of everything. */
	return s->sel.everything;
}

static void
node_free(struct node *n)
{
	free(n->kind);
	free(n->schema);
	free(n->name);
	free(n->qualified);
	free(n->column_list);
	strbuf_free(&n->sql);
	free(n->deps);
}

/*
 * Drops the nodes the selection leaves out, before they are indexed:
 * what hangs off them (column details, privileges, comments, edges)
 * then finds no node and is dropped with them.
 */
static void
filter_nodes(struct schema *s)
{
	size_t i, kept = 0;

	if (s->sel.all_rels)
		return;
	for (i = 0; i < s->nnodes; i++) {
		if (node_selected(s, &s->nodes[i]))
			s->nodes[kept++] = s->nodes[i];
		else
			node_free(&s->nodes[i]);
	}
	s->nnodes = kept;
}

static void
build_tables(struct schema *s)
{
	size_t i;

	s->tables = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(*s->tables));
	for (i = 0; i < s->nnodes; i++) {
		const struct node *n = &s->nodes[s->order[i]];
		struct dump_table *t;

		if (n->relkind != 'r' || n->prio != PRIO_TABLE || s->schema_only)
			continue;
		if (select_no_data(&s->sel, n->objid)) {
			s->data_left_out = xrealloc(s->data_left_out, (s->ndata_left_out + 1) * sizeof(*s->data_left_out));
			s->data_left_out[s->ndata_left_out++] = xstrdup(n->qualified);
			continue;
		}
		t = &s->tables[s->ntables++];
		t->oid = n->objid;
		t->schema = xstrdup(n->schema);
		t->name = xstrdup(n->name);
		t->qualified = xstrdup(n->qualified);
		t->column_list = xstrdup(n->column_list ? n->column_list : "");
		t->estimated_bytes = n->bytes;
	}
}

static const char fk_pairs_sql[] =
    "SELECT DISTINCT co.conrelid, co.confrelid FROM pg_constraint co"
    " WHERE co.contype = 'f' AND co.conrelid <> co.confrelid";

static int
table_index(const struct schema *s, unsigned int oid)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		if (s->tables[i].oid == oid)
			return (int)i;
	return -1;
}

/*
 * -a: the rows load into tables whose foreign keys exist already, so a
 * referenced table's rows go first, as pg_dump orders a data-only dump;
 * tables in a cycle of keys keep their order, with pg_dump's warning.
 */
static int
order_tables_by_keys(struct schema *s, PGconn *conn)
{
	PGresult *res = pgsql_query(conn, fk_pairs_sql, "cannot read foreign keys");
	struct dump_table *sorted;
	char *placed;
	size_t n = 0, i;
	int r, progress = 1;

	if (res == NULL)
		return -1;
	sorted = xcalloc(s->ntables ? s->ntables : 1, sizeof(*sorted));
	placed = xcalloc(s->ntables ? s->ntables : 1, 1);
	while (n < s->ntables && progress) {
		progress = 0;
		for (i = 0; i < s->ntables; i++) {
			int ready = !placed[i];

			for (r = 0; ready && r < PQntuples(res); r++) {
				int ref = table_index(s, (unsigned int)strtoul(PQgetvalue(res, r, 1), NULL, 10));

				if ((unsigned int)strtoul(PQgetvalue(res, r, 0), NULL, 10) == s->tables[i].oid &&
				    ref >= 0 && !placed[ref])
					ready = 0;
			}
			if (ready) {
				sorted[n++] = s->tables[i];
				placed[i] = 1;
				progress = 1;
			}
		}
	}
	if (n < s->ntables)
		log_warn("there are circular foreign-key constraints among the tables of this data-only dump;"
		    " a restore may fail on them: restore the whole database, or drop the keys while loading");
	for (i = 0; i < s->ntables; i++)
		if (!placed[i])
			sorted[n++] = s->tables[i];
	free(s->tables);
	s->tables = sorted;
	free(placed);
	PQclear(res);
	return 0;
}

int
schema_load(PGconn *conn, const struct schema_settings *settings, struct schema **out)
{
	static const struct db_selection whole;
	const struct db_selection *sel = settings->selection ? settings->selection : &whole;
	struct schema *s = xcalloc(1, sizeof(*s));
	int rc = -1;

	*out = NULL;
	s->version = PQserverVersion(conn);
	s->with_owner = settings->with_owner;
	s->with_privileges = settings->with_privileges;
	s->user_mapping_secrets = settings->user_mapping_secrets;
	s->no_security_labels = settings->no_security_labels;
	s->schema_only = sel->schema_only;
	s->data_only = sel->data_only;
	if (s->version < 120000) {
		log_error("cannot dump from PostgreSQL %d.%d: lotbackup needs PostgreSQL 12 or later",
		    s->version / 10000, s->version % 10000);
		goto out;
	}
	if (set_session(s, conn) < 0 ||
	    select_resolve(conn, sel, &s->sel) < 0 ||
	    lock_tables(conn, settings) < 0 ||
	    warn_tablespaces(conn) < 0 ||
	    schema_load_nodes(s, conn) < 0 ||
	    schema_load_kinds(s, conn) < 0 ||
	    schema_load_kinds2(s, conn) < 0 ||
	    schema_load_foreign(s, conn) < 0)
		goto out;
	filter_nodes(s);
	schema_index_nodes(s);
	if (schema_load_extras(s, conn) < 0 ||
	    schema_load_kinds2_extras(s, conn) < 0 ||
	    schema_sort(s, conn) < 0 ||
	    schema_load_sequence_values(s, conn) < 0 ||
	    schema_load_post_data(s, conn) < 0 ||
	    schema_load_comments(s, conn) < 0 ||
	    schema_load_kinds_comments(s, conn) < 0 ||
	    schema_load_kinds2_comments(s, conn) < 0 ||
	    schema_load_foreign_post(s, conn) < 0 ||
	    /* Last: an event trigger's label follows it in its section. */
	    schema_load_security_labels(s, conn) < 0)
		goto out;
	build_tables(s);
	if (schema_load_ext_config(s, conn) < 0 ||
	    (s->data_only && order_tables_by_keys(s, conn) < 0))
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	schema_free(s);
	return rc;
}

char *const *
schema_data_left_out(const struct schema *schema, size_t *count)
{
	*count = schema->ndata_left_out;
	return schema->data_left_out;
}

int
schema_dumps_everything(const struct schema *schema)
{
	return schema->sel.everything;
}

const struct dump_table *
schema_tables(const struct schema *schema, size_t *count)
{
	*count = schema->ntables;
	return schema->tables;
}

int
schema_write_pre_data(const struct schema *schema, struct pipe *out)
{
	size_t i;

	/* pg_dump 15's header. */
	if (pipe_printf(out,
	    "SET statement_timeout = 0;\n"
	    "SET lock_timeout = 0;\n"
	    "SET idle_in_transaction_session_timeout = 0;\n"
	    "SET client_encoding = '%s';\n"
	    "SET standard_conforming_strings = on;\n"
	    "SELECT pg_catalog.set_config('search_path', '', false);\n"
	    "SET check_function_bodies = false;\n"
	    "SET xmloption = content;\n"
	    "SET client_min_messages = warning;\n"
	    "SET row_security = off;\n"
	    "\n"
	    "SET default_tablespace = '';\n"
	    "\n"
	    "SET default_table_access_method = heap;\n"
	    "\n", schema->encoding) < 0)
		return -1;
	/* -a: the definitions are the target's own. */
	if (schema->data_only)
		return 0;
	for (i = 0; i < schema->nnodes; i++) {
		const struct strbuf *sql = &schema->nodes[schema->order[i]].sql;

		if (sql->len == 0)
			continue;
		if (pipe_write(out, sql->buf, sql->len) < 0 || pipe_puts(out, "\n\n") < 0)
			return -1;
	}
	if (schema->pre_tail.len > 0 &&
	    (pipe_write(out, schema->pre_tail.buf, schema->pre_tail.len) < 0 || pipe_puts(out, "\n\n") < 0))
		return -1;
	return 0;
}

int
schema_write_sequence_values(const struct schema *schema, struct pipe *out)
{
	/* Sequence values are data, as pg_dump -s counts them. */
	if (schema->seqvals.len == 0 || schema->schema_only)
		return 0;
	if (pipe_write(out, schema->seqvals.buf, schema->seqvals.len) < 0 || pipe_puts(out, "\n\n") < 0)
		return -1;
	return 0;
}

int
schema_write_post_data(const struct schema *schema, struct pipe *out)
{
	int i;

	if (schema->data_only)
		return 0;
	for (i = 0; i < POST_NSECTIONS; i++) {
		const struct strbuf *sql = &schema->post[i];

		if (sql->len == 0)
			continue;
		if (pipe_write(out, sql->buf, sql->len) < 0 || pipe_puts(out, "\n\n") < 0)
			return -1;
	}
	return 0;
}

void
schema_free(struct schema *schema)
{
	size_t i;

	if (schema == NULL)
		return;
	for (i = 0; i < schema->nnodes; i++)
		node_free(&schema->nodes[i]);
	for (i = 0; i < schema->ndata_left_out; i++)
		free(schema->data_left_out[i]);
	free(schema->data_left_out);
	select_sets_free(&schema->sel);
	free(schema->nodes);
	free(schema->order);
	free(schema->keys);
	for (i = 0; i < schema->ntables; i++) {
		free(schema->tables[i].schema);
		free(schema->tables[i].name);
		free(schema->tables[i].qualified);
		free(schema->tables[i].column_list);
		free(schema->tables[i].filter);
	}
	free(schema->tables);
	strbuf_free(&schema->pre_tail);
	strbuf_free(&schema->seqvals);
	for (i = 0; i < POST_NSECTIONS; i++)
		strbuf_free(&schema->post[i]);
	free(schema->encoding);
	free(schema);
}
