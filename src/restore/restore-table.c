#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "dump/dump-reader.h"
#include "dump/sql-classify.h"
#include "dump/sql-split.h"
#include "pg/pgsql.h"
#include "restore/restore-loader.h"
#include "restore/restore-table.h"

/* A statement of the dump's schema sections, and whether it belongs to a table restored. */
struct picked {
	char *sql;
	char *seq;		/* the sequence it is about, decided when the sequence's owner is met */
	int include;
};

struct pick {
	const struct manifest_table *const *want;
	size_t nwant;
	struct picked *v;
	size_t n;
	char **owned;		/* sequences the tables own (OWNED BY, identity) */
	size_t nowned;
};

/* After whitespace and "--" comment lines. */
static const char *
skip_space(const char *p, const char *end)
{
	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p < 2 || p[0] != '-' || p[1] != '-')
			return p;
		while (p < end && *p != '\n')
			p++;
	}
}

/* P past PREFIX (case-insensitive), or NULL. */
static const char *
after(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && strncasecmp(p, prefix, n) == 0 ? p + n : NULL;
}

/* The table of `want` that P names (followed by a delimiter), or NULL. */
static const struct manifest_table *
names_table(const struct pick *k, const char *p, const char *end)
{
	size_t i, n;

	for (i = 0; p != NULL && i < k->nwant; i++) {
		n = strlen(k->want[i]->qualified);
		if ((size_t)(end - p) > n && strncmp(p, k->want[i]->qualified, n) == 0 &&
		    strchr(" (;.\n", p[n]) != NULL)
			return k->want[i];
	}
	return NULL;
}

/* The name P starts with, up to a delimiter outside double quotes (caller frees). */
static char *
name_at(const char *p, const char *end, const char *stop)
{
	const char *s = p;
	int quoted = 0;

	for (; p < end && (quoted || strchr(stop, *p) == NULL); p++)
		quoted ^= *p == '"';
	return xstrndup(s, (size_t)(p - s));
}

static int
owned(const struct pick *k, const char *seq)
{
	size_t i;

	for (i = 0; seq != NULL && i < k->nowned; i++)
		if (strcmp(k->owned[i], seq) == 0)
			return 1;
	return 0;
}

/* SEQ belongs to a table restored: it and every statement about it so far are in. */
static void
own(struct pick *k, char *seq)
{
	size_t i;

	if (owned(k, seq)) {
		free(seq);
		return;
	}
	k->owned = xrealloc(k->owned, (k->nowned + 1) * sizeof(*k->owned));
	k->owned[k->nowned++] = seq;
	for (i = 0; i < k->n; i++)
		if (k->v[i].seq != NULL && strcmp(k->v[i].seq, seq) == 0)
			k->v[i].include = 1;
}

/*
 * About a sequence: CREATE/ALTER/COMMENT ON SEQUENCE S, or setval('S', ...):
 * S, and for ALTER SEQUENCE S OWNED BY T.c of a table restored, *owner 1.
 */
static char *
sequence_of(const struct pick *k, const char *p, const char *end, int *owner)
{
	const char *q;
	char *seq = NULL;

	*owner = 0;
	if ((q = after(p, end, "CREATE SEQUENCE ")) || (q = after(p, end, "COMMENT ON SEQUENCE ")))
		return name_at(q, end, " ;\n");
	if ((q = after(p, end, "SELECT pg_catalog.setval('")) != NULL)
		return name_at(q, end, "'");
	if ((q = after(p, end, "ALTER SEQUENCE ")) == NULL)
		return NULL;
	seq = name_at(q, end, " ;\n");
	q += strlen(seq);
	if ((q = after(q, end, " OWNED BY ")) != NULL && names_table(k, q, end) != NULL)
		*owner = 1;
	return seq;
}

/* Whether the statement belongs to a table restored (1), is about a sequence (*seq), or not (0). */
static int
belongs(struct pick *k, const char *text, size_t len, char **seq)
{
	const char *end = text + len, *p = skip_space(text, end), *q;
	enum sql_stmt_kind kind = sql_classify(text, len);
	char *table = NULL, *at;
	int in = 0, owner;

	*seq = NULL;
	switch (kind) {
	case SQL_STMT_SESSION:
		return 1;
	case SQL_STMT_TRANSACTION:
		return 0;
	case SQL_STMT_ADD_FOREIGN_KEY:	/* needs the other table: said, not run */
		if ((q = after(p, end, "ALTER TABLE ONLY ")) || (q = after(p, end, "ALTER TABLE ")))
			if (names_table(k, q, end) != NULL)
				log_info("left out, as it needs another table: %.*s", (int)(end - p), p);
		return 0;
	case SQL_STMT_CREATE_INDEX:
	case SQL_STMT_ADD_KEY:
	case SQL_STMT_ADD_KEY_USING_INDEX:
		if (sql_index_table(text, len, &table) == 1)
			in = names_table(k, table, table + strlen(table) + 1) != NULL;
		free(table);
		return in;
	default:
		break;
	}
	if ((*seq = sequence_of(k, p, end, &owner)) != NULL) {
		if (owner)
			own(k, xstrdup(*seq));
		return owned(k, *seq);
	}
	q = (q = after(p, end, "CREATE TABLE ")) ? q : (q = after(p, end, "CREATE UNLOGGED TABLE ")) ? q
	    : (q = after(p, end, "ALTER TABLE ONLY ")) ? q : (q = after(p, end, "ALTER TABLE ")) ? q
	    : (q = after(p, end, "COMMENT ON TABLE ")) ? q : (q = after(p, end, "COMMENT ON COLUMN ")) ? q : NULL;
	if (q == NULL && ((q = after(p, end, "GRANT ")) || (q = after(p, end, "REVOKE "))))
		q = (at = strstr(q, " ON TABLE ")) != NULL && at < end ? at + strlen(" ON TABLE ") : NULL;
	if (names_table(k, q, end) == NULL || (after(p, end, "ALTER TABLE") && strstr(text, " ATTACH PARTITION ")))
		return 0;
	/* An identity column's sequence is the table's own. */
	if ((at = strstr(text, "SEQUENCE NAME ")) != NULL && at < end)
		own(k, name_at(at + strlen("SEQUENCE NAME "), end, " \n;)"));
	return 1;
}

static int
pick_item(void *ctx, const struct sql_item *item)
{
	struct pick *k = ctx;
	struct picked *pk;
	char *seq;
	int in;

	if (item->kind != SQL_STATEMENT)
		return 0;	/* a range of schema has no rows; a meta-command is refused by the loader's check */
	k->v = xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
	pk = &k->v[k->n++];
	pk->sql = xstrndup(item->text, item->len);	/* NUL-terminated for the searches in belongs */
	pk->seq = NULL;		/* own() walks every entry, this one too */
	pk->include = 0;
	in = belongs(k, pk->sql, item->len, &seq);
	pk->seq = seq;
	pk->include = in;
	return 0;
}

static int
feed(void *ctx, const char *buf, size_t len)
{
	return sql_splitter_feed(ctx, buf, len);
}

/*
 * The statements of [offset, offset + length) of the dump into K. *line:
 * in, the dump's line the range starts on; out, the line after it. 0, or
 * -1 (reported).
 */
static int
pick_range(struct pick *k, const struct dump_source *src, uint64_t offset, uint64_t length, long *line)
{
	struct sql_splitter *sp = sql_splitter_new(pick_item, k);
	char err[256] = "";
	int rc = 0;

	sql_splitter_set_line(sp, *line);
	if (length > 0 && (dump_read_range(src, offset, length, feed, sp, err, sizeof(err)) != DUMP_READ_OK ||
	    sql_splitter_finish(sp) < 0)) {
		log_error("cannot read the schema of %s: %s", src->name, err[0] ? err : sql_splitter_error(sp));
		rc = -1;
	}
	*line = sql_splitter_line(sp);
	sql_splitter_free(sp);
	return rc;
}

/* The dump's line of table t's COPY: the tables' blocks before it counted from `line`, where the first begins. */
static long
copy_line_of(const struct db_manifest *m, const struct manifest_table *t, long line)
{
	size_t i;

	for (i = 0; i < m->ntables; i++)
		if (m->tables[i].gz_length > 0 && m->tables[i].gz_offset < t->gz_offset)
			line += loader_block_lines(&m->tables[i]);
	return line;
}

static void
pick_free(struct pick *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->v[i].sql);
		free(k->v[i].seq);
	}
	for (i = 0; i < k->nowned; i++)
		free(k->owned[i]);
	free(k->v);
	free(k->owned);
	memset(k, 0, sizeof(*k));
}

/* The manifest's entries for the names asked; each must be there. */
static int
find_tables(const struct db_manifest *m, const struct restore_table_settings *set,
    const struct manifest_table ***want)
{
	size_t i, j;

	*want = xcalloc(set->nnames + 1, sizeof(**want));
	for (i = 0; i < set->nnames; i++) {
		const char *w = set->names[i];

		for (j = 0; j < m->ntables && !manifest_table_named(&m->tables[j], w); j++)
			;
		if (j == m->ntables) {
			log_error("--table %s: %s has no such table (lotbackup restore --list shows its tables)", w,
			    m->file ? m->file : "the dump");
			return -1;
		}
		if (m->tables[j].gz_length == 0 || m->encryption_key != NULL) {
			log_error("--table %s: the dump %s, so its table cannot be read alone; restore it whole into a "
			    "new database (--create) and copy the table from there", w, m->encryption_key ?
			    "is encrypted (its chunks are read from the start only)" : "has no member index (an older manifest)");
			return -1;
		}
		(*want)[i] = &m->tables[j];
	}
	return 0;
}

/* Before anything is written: a table to create must not exist; rows go only where asked. */
static int
check_target(PGconn *conn, const struct restore_table_settings *set, const struct manifest_table *t)
{
	const char *params[1] = { t->qualified };
	PGresult *res = pgsql_query_params(conn, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, params,
	    "cannot look up the table");
	int exists, rc = -1;
	char *q;

	if (res == NULL)
		return -1;
	exists = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!set->data_only && exists) {
		log_error("%s exists in database %s: restore its rows with --data-only, or drop it first", t->qualified,
		    PQdb(conn));
		return -1;
	}
	if (set->data_only && !exists) {
		log_error("%s is not in database %s: --data-only loads rows into an existing table", t->qualified,
		    PQdb(conn));
		return -1;
	}
	if (!set->data_only || set->append)
		return 0;
	q = xasprintf("SELECT EXISTS (SELECT 1 FROM %s)", t->qualified);
	if ((res = pgsql_query(conn, q, "cannot look into the table")) != NULL) {
		rc = PQgetvalue(res, 0, 0)[0] == 't' ? -1 : 0;
		if (rc < 0)
			log_error("%s in database %s holds rows: not adding the backup's to them unless --append is given",
			    t->qualified, PQdb(conn));
	}
	PQclear(res);
	free(q);
	return rc;
}

/* The statements picked, in the file's order, each through the dump allow-list. */
static int
run_picked(PGconn *conn, const struct pick *k, struct restore_stats *stats)
{
	const char *why;
	size_t i;

	for (i = 0; i < k->n; i++) {
		if (!k->v[i].include)
			continue;
		if ((why = sql_refused(k->v[i].sql, strlen(k->v[i].sql))) != NULL) {
			log_error("restore --table stopped: the dump holds a statement no dump may hold (%s)", why);
			return -1;
		}
		/* setval and set_config answer with a row: pgsql_run_one takes rows as success too. */
		if (pgsql_run_one(conn, k->v[i].sql, "restore --table failed") < 0)
			return -1;
		stats->statements++;
	}
	return 0;
}

/* One table's rows from its own gzip members, through the loader restore uses. */
static int
load_rows(PGconn *conn, const struct dump_source *src, const struct manifest_table *t, long line,
    struct restore_stats *stats)
{
	struct restore_settings settings;
	struct loader l;
	int rc;

	memset(&settings, 0, sizeof(settings));
	memset(&l, 0, sizeof(l));
	settings.single_transaction = 1;
	settings.jobs = 1;
	l.conn = conn;
	l.settings = &settings;
	l.stats = stats;
	l.part.table = t->qualified;
	l.first_line = line;
	rc = loader_load_range(&l, src, t->gz_offset, t->gz_length);
	loader_release(&l);
	return rc;
}

int
restore_tables(PGconn *conn, const struct dump_source *src, const struct db_manifest *m,
    const struct restore_table_settings *set, struct restore_stats *stats)
{
	const struct manifest_table **want = NULL;
	struct pick pre, post;
	uint64_t first = UINT64_MAX, last = 0;
	long tables_line = 1, post_line;
	size_t i;
	int rc = -1;

	memset(&pre, 0, sizeof(pre));
	memset(&post, 0, sizeof(post));
	memset(stats, 0, sizeof(*stats));
	if (find_tables(m, set, &want) < 0)
		goto out;
	for (i = 0; i < m->ntables; i++) {
		if (m->tables[i].gz_length == 0)
			continue;
		first = m->tables[i].gz_offset < first ? m->tables[i].gz_offset : first;
		last = m->tables[i].gz_offset + m->tables[i].gz_length > last ?
		    m->tables[i].gz_offset + m->tables[i].gz_length : last;
	}
	/* The schema before the data and after it: small, read whole; the other tables' rows are not read. */
	pre.want = post.want = want;
	pre.nwant = post.nwant = set->nnames;
	if (pick_range(&pre, src, 0, first, &tables_line) < 0)
		goto out;
	/* Sequences owned in the first section keep their values in the second. */
	post.owned = pre.owned;
	post.nowned = pre.nowned;
	pre.owned = NULL;
	pre.nowned = 0;
	post_line = copy_line_of(m, &(struct manifest_table){ .gz_offset = last }, tables_line);
	if (pick_range(&post, src, last, m->bytes - last, &post_line) < 0)
		goto out;
	if (pgsql_exec(conn, "BEGIN", "cannot begin the restore") < 0)
		goto out;
	for (i = 0; i < set->nnames; i++)
		if (check_target(conn, set, want[i]) < 0)
			goto rollback;
	if (set->data_only) {
		for (i = 0; i < pre.n; i++)
			pre.v[i].include = sql_classify(pre.v[i].sql, strlen(pre.v[i].sql)) == SQL_STMT_SESSION;
		for (i = 0; i < post.n; i++)
			post.v[i].include = post.v[i].include && post.v[i].seq != NULL;	/* setval only */
	}
	if (run_picked(conn, &pre, stats) < 0)
		goto rollback;
	for (i = 0; i < set->nnames; i++)
		if (load_rows(conn, src, want[i], copy_line_of(m, want[i], tables_line), stats) < 0)
			goto rollback;
	if (run_picked(conn, &post, stats) < 0 || pgsql_exec(conn, "COMMIT", "cannot commit the restore") < 0)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	if (pgsql_rollback(conn))
		log_error("rolled back: database %s is as it was before restore --table", PQdb(conn));
	else
		log_error("database %s is partly restored: restore --table's transaction was ended before the "
		    "failure, and what ran until then is committed", PQdb(conn));
out:
	pick_free(&pre);
	pick_free(&post);
	free(want);
	return rc;
}
