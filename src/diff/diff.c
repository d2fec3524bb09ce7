#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "diff/diff.h"
#include "diff/row-sort.h"
#include "dump/dump-data.h"
#include "dump/dump-reader.h"
#include "dump/sql-classify.h"
#include "dump/sql-split.h"
#include "io/pipe.h"
#include "store/manifest.h"
#include "verify/verify.h"

/* Rows of one side held in memory while sorting, before they spill. */
#define SORT_MEMORY (16u << 20)

enum diff_kind { ONLY_BACKUP, ONLY_OTHER, CHANGED, NKINDS };

static const char *const kind_json[NKINDS] = { "only_in_backup", "only_in_live", "changed" };
static const char *const kind_json_other[NKINDS] = { "only_in_first", "only_in_second", "changed" };

/* One table's result. */
struct table_diff {
	char *name;			/* as the dump's COPY names it */
	const char *status;		/* "compared", or why not */
	char **columns;			/* the COPY column list */
	size_t ncolumns;
	size_t *keys;			/* positions of the key columns; all of them: the row is its key */
	size_t nkeys;
	int has_key;			/* matched by primary key */
	long long rows_a, rows_b;	/* -1: not known */
	long long count[NKINDS];
	int counted;			/* count holds what was found (not a manifest-only comparison) */
	char **sample[NKINDS];		/* up to limit rows of each kind, as COPY text */
	size_t nsample[NKINDS];
};

struct diff_run {
	const struct diff_settings *set;
	struct db_manifest a, b;
	PGconn *live;
	struct table_diff *t;
	size_t nt;
	struct pipe *recover;		/* the recover file */
	long long recovered;
	size_t recovered_tables;
};

/* The column list of "COPY name (a, "b c") FROM stdin;": 0, or -1 when it has none. */
static int
copy_columns(const char *text, size_t len, const char *target, char ***cols, size_t *n)
{
	const char *p = strstr(text, target), *end = text + len, *start;
	int quoted = 0;

	*cols = NULL;
	*n = 0;
	if (p == NULL)
		return -1;
	for (p += strlen(target); p < end && (*p == ' ' || *p == '\n'); p++)
		;
	if (p == end || *p != '(')
		return -1;
	for (start = ++p; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == ',' || *p == ')')) {
			*cols = xrealloc(*cols, (*n + 1) * sizeof(**cols));
			(*cols)[(*n)++] = xstrndup(start, (size_t)(p - start));
			if (*p == ')')
				return 0;
			for (start = p + 1; start < end && *start == ' '; start++)
				;
			p = start - 1;
		}
	}
	return -1;
}

static void
free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Reading one table's rows out of a dump, into a sorter. */
struct table_read {
	struct diff_run *run;
	struct table_diff *t;
	const char *want;	/* the manifest's name of the table */
	int second;		/* the second backup: its columns must be the first's */
	struct row_sort *sort;
	int in_block, found, done;
	char err[256];
};

static int live_keys(struct diff_run *r, struct table_diff *t);

/* The key columns: the live table's primary key, else (and between backups) the whole row. */
static int
choose_keys(struct diff_run *r, struct table_diff *t)
{
	size_t i;

	if (r->live != NULL && live_keys(r, t) < 0)
		return -1;
	if (!t->has_key) {
		t->keys = xcalloc(t->ncolumns + 1, sizeof(*t->keys));
		for (i = 0; i < t->ncolumns; i++)
			t->keys[i] = i;
		t->nkeys = t->ncolumns;
	}
	return 0;
}

/* The COPY line of the table wanted: its columns, then a sorter keyed for them. */
static int
copy_header(struct table_read *tr, const struct sql_item *item)
{
	char *target = sql_copy_target(item->text, item->len), *safe = target ? manifest_name(target) : NULL;
	char **cols = NULL;
	size_t ncols = 0, i;
	int rc = 0, same;

	if (safe == NULL || strcmp(safe, tr->want) != 0 || copy_columns(item->text, item->len, target, &cols, &ncols) < 0)
		goto out;
	tr->found = tr->in_block = 1;
	if (!tr->second) {
		tr->t->columns = cols;
		tr->t->ncolumns = ncols;
		cols = NULL;
		ncols = 0;
		rc = choose_keys(tr->run, tr->t);
	} else {
		same = ncols == tr->t->ncolumns;
		for (i = 0; same && i < ncols; i++)
			same = strcmp(cols[i], tr->t->columns[i]) == 0;
		if (!same) {
			tr->t->status = "columns differ between the backups";
			tr->done = 1;
			rc = -1;
		}
	}
	if (rc == 0)
		tr->sort = row_sort_new(tr->t->keys, tr->t->nkeys, tr->run->set->spill_dir, SORT_MEMORY);
out:
	free_list(cols, ncols);
	free(target);
	free(safe);
	return rc;
}

static int
on_item(void *ctx, const struct sql_item *item)
{
	struct table_read *tr = ctx;
	const char *p = item->text, *end = item->text + item->len, *nl;

	switch (item->kind) {
	case SQL_STATEMENT:
		return tr->found ? 0 : copy_header(tr, item);
	case SQL_COPY_DATA:
		for (; tr->in_block && p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			nl = nl ? nl : end;
			if (row_sort_add(tr->sort, p, (size_t)(nl - p)) < 0)
				return -1;
		}
		return 0;
	case SQL_COPY_END:
		if (!tr->in_block)
			return 0;
		tr->in_block = 0;
		tr->done = 1;
		return -1;	/* nothing more of the file is needed */
	default:
		return 0;
	}
}

static int
feed_splitter(void *ctx, const char *buf, size_t len)
{
	return sql_splitter_feed(ctx, buf, len);
}

/* One read of PATH (the table's members, or the whole file) through the splitter. */
static int
read_pass(const char *path, const struct manifest_table *mt, int whole, struct table_read *tr)
{
	struct sql_splitter *sp = sql_splitter_new(on_item, tr);
	struct dump_read_stats stats;
	struct dump_source src = dump_source_file(path);
	int rc;

	memset(&stats, 0, sizeof(stats));
	rc = whole ? dump_read(path, feed_splitter, sp, &stats, tr->err, sizeof(tr->err))
	    : dump_read_range(&src, mt->gz_offset, mt->gz_length, feed_splitter, sp, tr->err, sizeof(tr->err));
	if (rc == DUMP_READ_OK && sql_splitter_finish(sp) < 0 && !tr->done)
		snprintf(tr->err, sizeof(tr->err), "%s", sql_splitter_error(sp));
	sql_splitter_free(sp);
	dump_read_stats_free(&stats);
	return tr->done || (rc == DUMP_READ_OK && !tr->found) ? 0 : -1;
}

/*
 * The table's rows of the dump at PATH, sorted, into *sort (NULL: the dump
 * has no rows of it). Through its gzip members when the manifest knows
 * them, else one pass over the file. 0, or -1 (reported).
 */
static int
read_table(struct diff_run *r, const char *path, const struct db_manifest *m, const struct manifest_table *mt,
    struct table_diff *t, int second, struct row_sort **sort)
{
	struct table_read tr;
	int rc;

	memset(&tr, 0, sizeof(tr));
	tr.run = r;
	tr.t = t;
	tr.want = mt->qualified;
	tr.second = second;
	rc = read_pass(path, mt, mt->gz_length == 0 || m->encryption_key != NULL, &tr);
	if (rc == 0 && !tr.found && mt->gz_length > 0 && m->encryption_key == NULL)
		rc = read_pass(path, mt, 1, &tr);	/* an index that missed: read it all */
	if (rc < 0 && t->status == NULL)
		log_error("%s: cannot read the rows of %s: %s", path, mt->qualified, tr.err[0] ? tr.err : "read failed");
	if (rc == 0 && tr.sort != NULL && row_sort_finish(tr.sort) < 0)
		rc = -1;
	if (rc < 0 || tr.sort == NULL) {
		row_sort_free(tr.sort);
		tr.sort = NULL;
	}
	*sort = tr.sort;
	return t->status != NULL ? 0 : rc;
}

static const char key_sql[] =
    "SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_index i"
    " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
    " WHERE i.indrelid = pg_catalog.to_regclass($1) AND i.indisprimary"
    " ORDER BY pg_catalog.array_position(i.indkey::pg_catalog.int2[], a.attnum)";

/* The live table's primary key as positions in the dump's column list; none: rows are matched whole. */
static int
live_keys(struct diff_run *r, struct table_diff *t)
{
	const char *params[1] = { t->name };
	PGresult *res = pgsql_query_params(r->live, key_sql, 1, params, "cannot read the live table's key");
	size_t i, j;

	if (res == NULL)
		return -1;
	t->keys = xcalloc((size_t)PQntuples(res) + 1, sizeof(*t->keys));
	for (i = 0; i < (size_t)PQntuples(res); i++) {
		for (j = 0; j < t->ncolumns && strcmp(t->columns[j], PQgetvalue(res, (int)i, 0)) != 0; j++)
			;
		if (j == t->ncolumns)
			break;	/* a key column the backup does not have */
		t->keys[t->nkeys++] = j;
	}
	t->has_key = t->nkeys > 0 && i == (size_t)PQntuples(res);
	if (!t->has_key) {
		free(t->keys);
		t->keys = NULL;
		t->nkeys = 0;
	}
	PQclear(res);
	return 0;
}

/* The other side of a comparison: the live table (sorted by the server) or a second backup's sorter. */
struct other_rows {
	PGconn *conn;
	char *buf;
	struct row_sort *sort;
};

static int
other_next(struct other_rows *o, const char **row, size_t *len)
{
	PGresult *res;
	int n;

	if (o->sort != NULL)
		return row_sort_next(o->sort, row, len);
	if (o->conn == NULL)
		return 0;
	PQfreemem(o->buf);
	o->buf = NULL;
	n = PQgetCopyData(o->conn, &o->buf, 0);
	if (n >= 0) {
		*row = o->buf;
		*len = n > 0 && o->buf[n - 1] == '\n' ? (size_t)n - 1 : (size_t)n;
		return 1;
	}
	res = PQgetResult(o->conn);
	n = n == -1 && PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
	if (n < 0)
		pgsql_report(o->conn, res, "cannot read the live table's rows");
	PQclear(res);
	while ((res = PQgetResult(o->conn)) != NULL)
		PQclear(res);
	o->conn = NULL;
	return n;
}

/* COPY (SELECT the dump's columns ... ORDER BY the key as row_sort orders it) TO STDOUT. */
static int
live_rows(struct diff_run *r, struct table_diff *t, struct other_rows *o)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *res;
	size_t i;
	int rc = -1;

	strbuf_puts(&q, "COPY (SELECT ");
	for (i = 0; i < t->ncolumns; i++)
		strbuf_printf(&q, "%s%s", i ? ", " : "", t->columns[i]);
	strbuf_printf(&q, " FROM %s ORDER BY ", t->name);
	for (i = 0; i < t->nkeys; i++) {
		const char *c = t->columns[t->keys[i]];

		/* NULLs last, as row_key_cmp has them; a key has none. */
		if (!t->has_key)
			strbuf_printf(&q, "%s IS NULL, ", c);
		strbuf_printf(&q, "pg_catalog.format('%%s', %s) COLLATE \"C\"%s", c, i + 1 < t->nkeys ? ", " : "");
	}
	strbuf_puts(&q, ") TO STDOUT");
	res = PQexec(r->live, strbuf_str(&q));
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		t->status = "cannot be read in the live database";
		log_warn("%s cannot be compared: the live table cannot be read with the backup's columns (%s)", t->name,
		    pgsql_error_text(r->live, res));
		rc = 1;
		goto out;
	}
	o->conn = r->live;
	rc = 0;
out:
	PQclear(res);
	strbuf_free(&q);
	return rc;
}

static void
sample(struct diff_run *r, struct table_diff *t, enum diff_kind k, const char *row, size_t len)
{
	t->count[k]++;
	if (t->nsample[k] >= r->set->limit)
		return;
	t->sample[k] = xrealloc(t->sample[k], (t->nsample[k] + 1) * sizeof(*t->sample[k]));
	t->sample[k][t->nsample[k]++] = xstrndup(row, len);
}

/* A backup row the live table lacks, as an INSERT that skips a row put back meanwhile. */
static int
recover_row(struct diff_run *r, struct table_diff *t, const char *row, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *f;
	size_t flen, vlen, i;
	int rc = -1;

	strbuf_printf(&sb, "INSERT INTO %s (", t->name);
	for (i = 0; i < t->ncolumns; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", t->columns[i]);
	strbuf_puts(&sb, ") OVERRIDING SYSTEM VALUE VALUES (");
	for (i = 0; i < t->ncolumns; i++) {
		char *v, *lit;

		if (row_field(row, len, i, &f, &flen) < 0) {
			log_error("%s: a row of the backup has fewer columns than its COPY line", t->name);
			goto out;
		}
		if (row_field_null(f, flen)) {
			strbuf_printf(&sb, "%sNULL", i ? ", " : "");
			continue;
		}
		v = row_field_value(f, flen, &vlen);
		lit = PQescapeLiteral(r->live, v, vlen);
		free(v);
		if (lit == NULL) {
			log_error("cannot quote a value of %s: %s", t->name, PQerrorMessage(r->live));
			goto out;
		}
		strbuf_printf(&sb, "%s%s", i ? ", " : "", lit);
		PQfreemem(lit);
	}
	strbuf_puts(&sb, ") ON CONFLICT DO NOTHING;\n");
	rc = pipe_write(r->recover, sb.buf, sb.len);
	r->recovered++;
out:
	strbuf_free(&sb);
	return rc;
}

/* Both sides in key order, side by side: what only one has, and what differs under one key. */
static int
merge(struct diff_run *r, struct table_diff *t, struct row_sort *a, struct other_rows *b)
{
	const char *ra = NULL, *rb = NULL;
	size_t la = 0, lb = 0;
	int ha = 1, hb = 1, need_a = 1, need_b = 1, c;
	long long before = r->recovered;

	t->rows_a = t->rows_b = 0;
	for (;;) {
		if (need_a && (ha = a ? row_sort_next(a, &ra, &la) : 0) < 0)
			return -1;
		if (need_b && (hb = other_next(b, &rb, &lb)) < 0)
			return -1;
		t->rows_a += need_a && ha;
		t->rows_b += need_b && hb;
		need_a = need_b = 0;
		if (!ha && !hb)
			break;
		c = !ha ? 1 : !hb ? -1 : row_key_cmp(ra, la, rb, lb, t->keys, t->nkeys);
		if (c < 0) {
			sample(r, t, ONLY_BACKUP, ra, la);
			if (r->recover != NULL && recover_row(r, t, ra, la) < 0)
				return -1;
			need_a = 1;
		} else if (c > 0) {
			sample(r, t, ONLY_OTHER, rb, lb);
			need_b = 1;
		} else {
			if (la != lb || memcmp(ra, rb, la) != 0) {
				struct strbuf both = STRBUF_INIT;

				strbuf_printf(&both, "%.*s\n%.*s", (int)la, ra, (int)lb, rb);
				sample(r, t, CHANGED, both.buf, both.len);
				strbuf_free(&both);
			}
			need_a = need_b = 1;
		}
	}
	r->recovered_tables += r->recovered > before;
	return 0;
}

static int
live_exists(struct diff_run *r, const char *name, int *exists)
{
	const char *params[1] = { name };
	PGresult *res = pgsql_query_params(r->live, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, params,
	    "cannot look up a live table");

	if (res == NULL)
		return -1;
	*exists = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return 0;
}

/* A dump taken with -n, -N, -t or -T leaves tables out on purpose (its manifest's selection says which patterns). */
static int
selection_leaves_tables_out(const struct db_selection *s)
{
	return s->npatterns[SEL_SCHEMA] + s->npatterns[SEL_EXCLUDE_SCHEMA] + s->npatterns[SEL_TABLE] +
	    s->npatterns[SEL_EXCLUDE_TABLE] > 0;
}

#define LEFT_OUT_BY_SELECTION "left out by the backup's selection"
#define LEFT_OUT_BY_SECOND "left out by the second backup's selection"

/* A table of the first backup the second does not have: a partial second one left it out on purpose. */
static const char *
not_in_second(const struct diff_run *r)
{
	return selection_leaves_tables_out(&r->b.selection) ? LEFT_OUT_BY_SECOND : "not in the second backup";
}

/* The other side of table T: the live table, or the second backup's rows. 0, 1 not comparable, -1. */
static int
open_other(struct diff_run *r, const struct manifest_table *mt, struct table_diff *t, struct other_rows *o)
{
	size_t i;

	(void)mt;
	if (r->live != NULL)
		return live_rows(r, t, o);
	for (i = 0; i < r->b.ntables && strcmp(r->b.tables[i].qualified, t->name) != 0; i++)
		;
	if (i == r->b.ntables) {
		t->status = not_in_second(r);
		return 1;
	}
	if (read_table(r, r->set->other, &r->b, &r->b.tables[i], t, 1, &o->sort) < 0)
		return -1;
	return t->status != NULL ? 1 : 0;
}

/*
 * One table of the backup against the other side. The live side runs
 * under a savepoint: a table the backup's columns no longer fit fails its
 * query, and the snapshot must go on for the next tables.
 */
static int
compare_table(struct diff_run *r, const char *path, const struct manifest_table *mt, struct table_diff *t)
{
	struct row_sort *a = NULL;
	struct other_rows o = { 0 };
	int rc = -1, exists = 1, opened, in_savepoint = 0;

	t->name = xstrdup(mt->qualified);
	t->rows_a = mt->rows;
	t->rows_b = -1;
	if (r->live != NULL && live_exists(r, t->name, &exists) < 0)
		return -1;
	if (!exists) {
		t->status = "not in the live database";
		t->count[ONLY_BACKUP] = mt->rows;
		t->counted = 1;
		return 0;
	}
	if (read_table(r, path, &r->a, mt, t, 0, &a) < 0)
		goto out;
	if (t->columns == NULL) {
		t->status = "no COPY block in the backup";
		rc = 0;
		goto out;
	}
	if (r->live != NULL && pgsql_exec(r->live, "SAVEPOINT lotbackup_diff", "cannot compare a table") < 0)
		goto out;
	in_savepoint = r->live != NULL;
	if ((opened = open_other(r, mt, t, &o)) < 0)
		goto out;
	if (opened == 0 && merge(r, t, a, &o) < 0)
		goto out;
	if (opened == 0)
		t->status = "compared";
	t->counted = opened == 0;
	rc = 0;
out:
	/* A merge that failed mid-table leaves the live COPY open: rc -1 ends the run, which closes it. */
	if (in_savepoint && rc == 0)
		rc = pgsql_exec(r->live, t->status != NULL && strcmp(t->status, "compared") == 0
		    ? "RELEASE SAVEPOINT lotbackup_diff" : "ROLLBACK TO SAVEPOINT lotbackup_diff; RELEASE SAVEPOINT lotbackup_diff",
		    "cannot compare a table");
	row_sort_free(a);
	row_sort_free(o.sort);
	PQfreemem(o.buf);
	return rc;
}

/* Whether --table asks for table T (all when it is not given). */
static int
wanted(const struct diff_settings *set, const struct manifest_table *t)
{
	size_t i;

	for (i = 0; i < set->ntables; i++)
		if (manifest_table_named(t, set->tables[i]))
			return 1;
	return set->ntables == 0;
}

static const char fk_sql[] =
    "SELECT c.conrelid::pg_catalog.regclass::text, c.confrelid::pg_catalog.regclass::text"
    " FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conrelid <> c.confrelid";

/* 1 when every table that table I's foreign keys reference (among the backup's) is placed already. */
static int
references_placed(const struct diff_run *r, PGresult *fks, const int *placed, size_t i)
{
	size_t j;
	int e;

	for (e = 0; fks != NULL && e < PQntuples(fks); e++) {
		if (strcmp(PQgetvalue(fks, e, 0), r->a.tables[i].qualified) != 0)
			continue;
		for (j = 0; j < r->a.ntables && strcmp(r->a.tables[j].qualified, PQgetvalue(fks, e, 1)) != 0; j++)
			;
		if (j < r->a.ntables && !placed[j])
			return 0;
	}
	return 1;
}

/*
 * The backup's tables in the order their rows can go back: a table after
 * those its foreign keys reference (as the live database has them; a
 * cycle is cut where it is met). *order: indexes into the manifest.
 */
static int
table_order(struct diff_run *r, size_t **order)
{
	PGresult *fks = NULL;
	size_t n = r->a.ntables, done, i, pick;
	int *placed;

	if (r->live != NULL && (fks = pgsql_query(r->live, fk_sql, "cannot read foreign keys")) == NULL)
		return -1;
	placed = xcalloc(n + 1, sizeof(*placed));
	*order = xcalloc(n + 1, sizeof(**order));
	for (done = 0; done < n; done++) {
		for (pick = 0; pick < n && (placed[pick] || !references_placed(r, fks, placed, pick)); pick++)
			;
		for (i = 0; pick == n && i < n; i++)
			if (!placed[i])
				pick = i;	/* a cycle: this one goes first regardless */
		placed[pick] = 1;
		(*order)[done] = pick;
	}
	free(placed);
	PQclear(fks);
	return 0;
}

static const char live_tables_sql[] =
    "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), n.nspname, c.relname"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'"
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "   AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1";


/*
 * Live tables the backup does not have: their rows are all only in the
 * live database, unless the backup's selection left its tables out, when
 * they are said to be left out, not counted as differences.
 */
static int
live_only_tables(struct diff_run *r)
{
	PGresult *res = pgsql_query(r->live, live_tables_sql, "cannot list the live tables"), *count;
	struct manifest_table live;
	int left_out = selection_leaves_tables_out(&r->a.selection);
	long long rows;
	size_t j;
	int i;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		struct table_diff *t;
		char *q;

		for (j = 0; j < r->a.ntables && strcmp(r->a.tables[j].qualified, PQgetvalue(res, i, 0)) != 0; j++)
			;
		live.schema = PQgetvalue(res, i, 1);
		live.name = PQgetvalue(res, i, 2);
		live.qualified = PQgetvalue(res, i, 0);
		if (j < r->a.ntables || !wanted(r->set, &live))
			continue;
		q = xasprintf("SELECT pg_catalog.count(*) FROM %s", PQgetvalue(res, i, 0));
		count = pgsql_query(r->live, q, "cannot count a live table's rows");
		free(q);
		if (count == NULL) {
			PQclear(res);
			return -1;
		}
		r->t = xrealloc(r->t, (r->nt + 1) * sizeof(*r->t));
		t = memset(&r->t[r->nt++], 0, sizeof(*t));
		t->name = xstrdup(PQgetvalue(res, i, 0));
		t->status = left_out ? LEFT_OUT_BY_SELECTION : "not in the backup";
		t->counted = !left_out;
		t->rows_a = -1;
		t->rows_b = rows = strtoll(PQgetvalue(count, 0, 0), NULL, 10);
		t->count[ONLY_OTHER] = left_out ? 0 : rows;
		PQclear(count);
	}
	PQclear(res);
	return 0;
}

static const char *const kind_text[NKINDS] = { "only in the backup", "only in the live database", "changed" };
static const char *const kind_text_other[NKINDS] = { "only in the first", "only in the second", "changed" };

static void
print_row(const char *label, const char *row, size_t len)
{
	size_t i;

	printf(label[0] ? "  %-9s" : "  ", label);
	for (i = 0; i < len; i++) {
		if (row[i] == '\t')
			fputs(" | ", stdout);
		else
			putchar(row[i]);
	}
	putchar('\n');
}

static void
print_samples(const struct diff_run *r, const struct table_diff *t)
{
	const char *const *names = r->live ? kind_text : kind_text_other;
	size_t k, i, j;

	for (k = 0; k < NKINDS; k++) {
		if (t->count[k] == 0 || t->nsample[k] == 0)
			continue;
		printf("\n%s: %lld rows %s", t->name, t->count[k], names[k]);
		if (t->has_key) {
			printf(" (key");
			for (j = 0; j < t->nkeys; j++)
				printf("%s%s", j ? ", " : " ", t->columns[t->keys[j]]);
			printf(")");
		}
		printf("%s:\n", (long long)t->nsample[k] < t->count[k] ? ", the first ones" : "");
		for (i = 0; i < t->nsample[k]; i++) {
			const char *row = t->sample[k][i], *nl = strchr(row, '\n');

			if (k != CHANGED) {
				print_row("", row, strlen(row));
				continue;
			}
			print_row("backup:", row, (size_t)(nl - row));
			print_row(r->live ? "live:" : "second:", nl + 1, strlen(nl + 1));
		}
	}
}

static void
print_text(const struct diff_run *r)
{
	const char *const *names = r->live ? kind_text : kind_text_other;
	size_t i, w = 5;
	char a[24], b[24];

	for (i = 0; i < r->nt; i++)
		w = strlen(r->t[i].name) > w ? strlen(r->t[i].name) : w;
	printf("%-*s %12s %12s %14s %14s %10s\n", (int)w, "TABLE", "BACKUP", r->live ? "LIVE" : "SECOND",
	    "ONLY BACKUP", r->live ? "ONLY LIVE" : "ONLY SECOND", "CHANGED");
	for (i = 0; i < r->nt; i++) {
		const struct table_diff *t = &r->t[i];
		char c[NKINDS][24];
		size_t k;

		snprintf(a, sizeof(a), t->rows_a < 0 ? "-" : "%lld", t->rows_a);
		snprintf(b, sizeof(b), t->rows_b < 0 ? "-" : "%lld", t->rows_b);
		for (k = 0; k < NKINDS; k++)
			snprintf(c[k], sizeof(c[k]), t->counted ? "%lld" : "-", t->count[k]);
		printf("%-*s %12s %12s %14s %14s %10s%s%s\n", (int)w, t->name, a, b, c[ONLY_BACKUP], c[ONLY_OTHER],
		    c[CHANGED], strcmp(t->status, "compared") ? "  " : "", strcmp(t->status, "compared") ? t->status : "");
	}
	for (i = 0; i < r->nt; i++)
		if (strcmp(r->t[i].status, "compared") == 0 && !r->t[i].has_key && r->t[i].ncolumns > 0)
			printf("\n%s has no primary key: rows are matched whole (a changed row counts as %s and %s)\n",
			    r->t[i].name, names[ONLY_BACKUP], names[ONLY_OTHER]);
	for (i = 0; i < r->nt && strcmp(r->t[i].status, LEFT_OUT_BY_SELECTION) != 0; i++)
		;
	if (i < r->nt) {
		char *what = selection_describe(&r->a.selection);

		printf("\nThe backup is a %s; the live tables it left out are not compared.\n", what);
		free(what);
	}
	for (i = 0; i < r->nt && strcmp(r->t[i].status, LEFT_OUT_BY_SECOND) != 0; i++)
		;
	if (i < r->nt) {
		char *what = selection_describe(&r->b.selection);

		printf("\nThe second backup is a %s; the tables it left out are not compared.\n", what);
		free(what);
	}
	for (i = 0; i < r->nt; i++)
		print_samples(r, &r->t[i]);
}

/* A column name as the COPY line quotes it, unquoted: "key col" -> key col. */
static char *
unquoted(const char *ident)
{
	char *name = sql_name_value(ident);

	return name != NULL ? name : xstrdup(ident);
}

/* A COPY text row as {column: value} (NULL as null). */
static json_t *
row_json(const struct table_diff *t, const char *row, size_t len)
{
	json_t *o = json_object();
	const char *f;
	size_t flen, vlen, i;

	for (i = 0; i < t->ncolumns && row_field(row, len, i, &f, &flen) == 0; i++) {
		char *v = row_field_null(f, flen) ? NULL : row_field_value(f, flen, &vlen), *name;

		json_t *value = v ? json_stringn(v, vlen) : json_null();

		/* Bytes that are not UTF-8 (a LATIN1 database) as the manifest writes names. */
		if (value == NULL) {
			char *safe = manifest_name(v);

			value = json_string(safe);
			free(safe);
		}
		name = unquoted(t->columns[i]);
		json_object_set_new(o, name, value);
		free(name);
		free(v);
	}
	return o;
}

static json_t *
table_json(const struct diff_run *r, const struct table_diff *t)
{
	const char *const *names = r->live ? kind_json : kind_json_other;
	json_t *o = json_pack("{s:s, s:s, s:b}", "table", t->name, "status", t->status, "matched_by_key", t->has_key);
	json_t *rows = json_array();
	size_t k, i;

	json_object_set_new(o, "backup_rows", t->rows_a < 0 ? json_null() : json_integer(t->rows_a));
	json_object_set_new(o, r->live ? "live_rows" : "second_rows", t->rows_b < 0 ? json_null() : json_integer(t->rows_b));
	for (k = 0; k < NKINDS; k++) {
		json_object_set_new(o, names[k], json_integer(t->count[k]));
		for (i = 0; i < t->nsample[k]; i++) {
			const char *row = t->sample[k][i], *nl = strchr(row, '\n');
			json_t *e = json_pack("{s:s}", "kind", names[k]);

			if (k == CHANGED) {
				json_object_set_new(e, "backup", row_json(t, row, (size_t)(nl - row)));
				json_object_set_new(e, r->live ? "live" : "second", row_json(t, nl + 1, strlen(nl + 1)));
			} else {
				json_object_set_new(e, "row", row_json(t, row, strlen(row)));
			}
			json_array_append_new(rows, e);
		}
	}
	json_object_set_new(o, "rows", rows);
	return o;
}

static void
print_json(const struct diff_run *r, const char *backup)
{
	json_t *root = json_pack("{s:s}", "backup", backup), *tables = json_array();
	char *text;
	size_t i;

	json_object_set_new(root, r->live ? "database" : "second", json_string(r->live ? PQdb(r->live) : r->set->other));
	for (i = 0; i < r->nt; i++)
		json_array_append_new(tables, table_json(r, &r->t[i]));
	json_object_set_new(root, "tables", tables);
	text = json_text(root);
	fputs(text, stdout);
	free(text);
}

static int
recover_open(struct diff_run *r, const char *backup)
{
	r->recover = pipe_new();
	pipe_to_file(r->recover, r->set->recover_path, 0600);
	return pipe_printf(r->recover, "-- lotbackup recover: rows of %s that database %s lacked, as INSERTs in\n"
	    "-- foreign-key order; a row put back meanwhile is skipped (ON CONFLICT DO NOTHING).\n"
	    "-- Review, then run: lotbackup recover ... --apply, or psql -X -v ON_ERROR_STOP=1 -f FILE\n"
	    "BEGIN;\n", backup, PQdb(r->live));
}

static int
exec_statement(void *ctx, const struct sql_item *item)
{
	PGconn *conn = ctx;
	char *sql;
	int rc;

	if (item->kind != SQL_STATEMENT) {
		log_error("recover: line %ld of the file is not a statement", item->line);
		return -1;
	}
	sql = xstrndup(item->text, item->len);
	rc = pgsql_exec(conn, sql, "cannot put a row back");
	free(sql);
	return rc;
}

/*
 * --apply: the file just written, statement by statement in its own
 * transaction (its BEGIN and COMMIT), on a connection of its own; the
 * snapshot the diff read stays untouched. Any error rolls it all back.
 */
static int
recover_apply(struct diff_run *r)
{
	struct sql_splitter *sp = NULL;
	struct dump_read_stats stats;
	PGconn *conn = NULL;
	char err[256] = "";
	int rc = -1;

	memset(&stats, 0, sizeof(stats));
	if (r->set->safety_dump != NULL && r->set->safety_dump(r->set->safety_dump_arg) < 0)
		return -1;
	if ((conn = pgsql_connect(&r->set->live)) == NULL)
		goto out;
	sp = sql_splitter_new(exec_statement, conn);
	if (dump_read(r->set->recover_path, feed_splitter, sp, &stats, err, sizeof(err)) != DUMP_READ_OK ||
	    sql_splitter_finish(sp) < 0) {
		PQclear(PQexec(conn, "ROLLBACK"));
		log_error("recover --apply failed%s%s: rolled back, database %s is as it was", err[0] ? ": " : "", err,
		    PQdb(conn));
		goto out;
	}
	log_info("put back %lld rows into %zu tables of %s", r->recovered, r->recovered_tables, PQdb(conn));
	rc = 0;
out:
	sql_splitter_free(sp);
	dump_read_stats_free(&stats);
	PQfinish(conn);
	return rc;
}

static int
recover_finish(struct diff_run *r)
{
	if (pipe_puts(r->recover, "COMMIT;\n") < 0 || pipe_finish(r->recover) < 0 || pipe_publish(r->recover) < 0)
		return -1;
	log_info("wrote %s: %lld rows to put back into %zu tables%s", r->set->recover_path, r->recovered,
	    r->recovered_tables, r->set->apply ? "" : "; review it, then run the same command with --apply");
	return r->set->apply && r->recovered > 0 ? recover_apply(r) : 0;
}

/* A backup to compare: whole and with its manifest, which holds its tables and their members. */
static int
check_backup(const char *path, struct db_manifest *m)
{
	struct verify_result v;
	int rc;

	if (verify_db_dump_manifest(path, VERIFY_QUICK, &v, m) < 0) {
		verify_result_free(&v);
		return -1;
	}
	rc = verify_log_failures(&v);
	if (rc)
		log_error("not comparing %s: it failed verification (lotbackup verify %s says more)", path, path);
	verify_result_free(&v);
	return rc;
}

/* The live database in one snapshot, read only, its text as the dump's. */
static int
open_live(struct diff_run *r)
{
	if ((r->live = pgsql_connect(&r->set->live)) == NULL)
		return -1;
	if (pgsql_exec(r->live, DUMP_SESSION_SETTINGS "; SET search_path = pg_catalog, pg_temp",
	    "cannot set up the comparison") < 0 ||
	    pgsql_exec(r->live, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "cannot start the snapshot") < 0)
		return -1;
	if (r->a.encoding != NULL && PQsetClientEncoding(r->live, r->a.encoding) != 0) {
		log_error("cannot read database %s in the backup's encoding %s: %s", PQdb(r->live), r->a.encoding,
		    PQerrorMessage(r->live));
		return -1;
	}
	return 0;
}

/* Between two backups without --rows: what their manifests say, table by table. */
static void
manifest_only(struct diff_run *r, const struct manifest_table *mt, struct table_diff *t)
{
	size_t i;

	t->name = xstrdup(mt->qualified);
	t->rows_a = mt->rows;
	t->rows_b = -1;
	t->status = not_in_second(r);
	for (i = 0; i < r->b.ntables; i++) {
		if (strcmp(r->b.tables[i].qualified, mt->qualified) != 0)
			continue;
		t->rows_b = r->b.tables[i].rows;
		t->status = r->b.tables[i].data_crc32 == mt->data_crc32 && r->b.tables[i].data_bytes == mt->data_bytes
		    ? "same content" : "content or row order differs (--rows says how)";
	}
}

static int
compare_all(struct diff_run *r, const char *backup)
{
	size_t *order = NULL, i;
	int rc = -1;

	if (table_order(r, &order) < 0)
		goto out;
	r->t = xcalloc(r->a.ntables + 1, sizeof(*r->t));
	for (i = 0; i < r->a.ntables; i++) {
		const struct manifest_table *mt = &r->a.tables[order[i]];

		if (!wanted(r->set, mt))
			continue;
		if (r->live == NULL && !r->set->rows)
			manifest_only(r, mt, &r->t[r->nt++]);
		else if (compare_table(r, backup, mt, &r->t[r->nt++]) < 0)
			goto out;
		if (r->recover != NULL && strcmp(r->t[r->nt - 1].status, "not in the live database") == 0)
			log_warn("%s is not in database %s: its %lld rows are not in the recover file (restore it with "
			    "'lotbackup restore --table')", mt->qualified, PQdb(r->live), mt->rows);
	}
	if (r->live != NULL && live_only_tables(r) < 0)
		goto out;
	if (r->set->ntables > 0 && r->nt == 0) {
		log_error("--table %s: no such table in %s%s", r->set->tables[0], backup, r->live ? " or the database" : "");
		goto out;
	}
	rc = 0;
out:
	free(order);
	return rc;
}

static void
run_free(struct diff_run *r)
{
	size_t i, k;

	for (i = 0; i < r->nt; i++) {
		free(r->t[i].name);
		free_list(r->t[i].columns, r->t[i].ncolumns);
		free(r->t[i].keys);
		for (k = 0; k < NKINDS; k++)
			free_list(r->t[i].sample[k], r->t[i].nsample[k]);
	}
	free(r->t);
	pipe_free(r->recover);
	PQfinish(r->live);
	manifest_free(&r->a);
	manifest_free(&r->b);
}

int
diff_run(const struct diff_settings *set, const char *backup)
{
	struct diff_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.set = set;
	if ((rc = check_backup(backup, &r.a)) != 0 || (set->other && (rc = check_backup(set->other, &r.b)) != 0))
		goto out;
	rc = -1;
	if (set->other == NULL && open_live(&r) < 0)
		goto out;
	if (set->recover_path != NULL && recover_open(&r, backup) < 0)
		goto out;
	if (compare_all(&r, backup) < 0)
		goto out;
	if (r.live != NULL && pgsql_exec(r.live, "COMMIT", "cannot end the snapshot") < 0)
		goto out;
	if (set->json)
		print_json(&r, backup);
	else
		print_text(&r);
	if (r.recover != NULL && recover_finish(&r) < 0)
		goto out;
	rc = 0;
out:
	run_free(&r);
	return rc;
}
