#include <ctype.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dump-contents.h"
#include "dump-reader.h"
#include "log.h"
#include "pgsql.h"
#include "progress.h"
#include "restore.h"
#include "sql-split.h"
#include "strbuf.h"
#include "xalloc.h"

struct loader {
	PGconn *conn;
	const struct restore_settings *settings;
	struct restore_stats *stats;
	struct sql_splitter *splitter;
	int in_copy;		/* the server is in COPY IN */
	int skip_copy;		/* the COPY statement failed: drop its rows */
	int failed;
	long copy_line;
	char *copy_what;
	const struct dump_read_stats *read;	/* bytes of the file read so far */
	struct progress *bar;
};

int
restore_session_setup(PGconn *conn)
{
	/* Faster index builds and commits; the result is the same. */
	return pgsql_exec(conn, "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'; "
	    "SET client_min_messages = warning", "cannot set restore session options");
}

/* The bar counts the file's bytes, so that the ETA holds for gzip files too. */
static void
progress(struct loader *l, int force)
{
	char extra[64];

	if (force) {
		progress_end(l->bar);
		l->bar = NULL;
		return;
	}
	snprintf(extra, sizeof(extra), "%lld statements, line %ld", l->stats->statements, l->stats->line);
	progress_update(l->bar, l->read->file_bytes, extra);
}

/* One error: stop, or with --keep-going count it and go on. */
static int
statement_failed(struct loader *l, const PGresult *res, long line, const char *text, size_t len)
{
	struct strbuf what = STRBUF_INIT;
	size_t show = 0;

	while (show < len && show < 60 && text[show] != '\n')
		show++;
	strbuf_printf(&what, "restore failed at line %ld (%.*s%s)", line, (int)show, text,
	    show < len ? "..." : "");
	pgsql_report(l->conn, res, what.buf);
	strbuf_free(&what);
	l->stats->errors++;
	if (l->settings->keep_going)
		return 0;
	l->failed = 1;
	return -1;
}

static int
is_copy_from_stdin(const char *t, size_t len)
{
	return len > 5 && strncasecmp(t, "COPY", 4) == 0 && isspace((unsigned char)t[4]);
}

/* "COPY x (cols) FROM stdin;" -> "COPY x (cols) TO STDOUT", to read a table back the same way. */
static char *
copy_out_sql(const char *t, size_t len)
{
	const char *end = t + len, *p;

	for (p = end - 4; p > t; p--)
		if (strncasecmp(p, "FROM", 4) == 0 && isspace((unsigned char)p[-1]) && isspace((unsigned char)p[4]))
			return xasprintf("%.*s TO STDOUT", (int)(p - t - 1), t);
	return NULL;
}

/* Does the statement start with these two words? */
static int
starts_with_words(const char *t, size_t len, const char *w1, const char *w2)
{
	size_t n1 = strlen(w1), n2 = strlen(w2), i = n1;

	if (len <= n1 || strncasecmp(t, w1, n1) != 0 || !isspace((unsigned char)t[n1]))
		return 0;
	while (i < len && isspace((unsigned char)t[i]))
		i++;
	return len - i >= n2 && strncasecmp(t + i, w2, n2) == 0 &&
	    (len - i == n2 || !isalnum((unsigned char)t[i + n2]));
}

static int
run_statement(struct loader *l, const struct sql_item *item)
{
	char *sql = xstrndup(item->text, item->len);
	PGresult *res;
	ExecStatusType st;
	int rc = 0;

	/* A dump made with pg_dump --create/--clean would act on other databases. */
	if (starts_with_words(item->text, item->len, "CREATE", "DATABASE") ||
	    starts_with_words(item->text, item->len, "DROP", "DATABASE")) {
		log_error("restore stopped at line %ld: the file creates or drops a database (made with "
		    "pg_dump --create?); lotbackup restores into the --dbname database only", item->line);
		free(sql);
		l->failed = 1;
		return -1;
	}
	res = PQexec(l->conn, sql);
	st = PQresultStatus(res);
	free(sql);
	l->stats->statements++;
	if (st == PGRES_COPY_IN) {
		struct restore_copy *c;

		l->stats->copies = xrealloc(l->stats->copies, (l->stats->ncopies + 1) * sizeof(*c));
		c = &l->stats->copies[l->stats->ncopies++];
		c->qualified = sql_copy_target(item->text, item->len);
		if (c->qualified == NULL)
			c->qualified = xstrndup(item->text, item->len < 60 ? item->len : 60);
		c->copy_out_sql = copy_out_sql(item->text, item->len);
		c->rows = 0;
		l->in_copy = 1;
		l->copy_line = item->line;
		free(l->copy_what);
		l->copy_what = xasprintf("restore failed loading table %s (COPY at line %ld)", c->qualified, item->line);
	} else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		/* A failed COPY leaves its rows to be skipped. */
		if (is_copy_from_stdin(item->text, item->len))
			l->skip_copy = 1;
		rc = statement_failed(l, res, item->line, item->text, item->len);
	}
	PQclear(res);
	return rc;
}

static int
end_copy(struct loader *l)
{
	PGresult *res;
	int rc = 0;

	if (PQputCopyEnd(l->conn, NULL) != 1) {
		pgsql_report(l->conn, NULL, l->copy_what);
		l->failed = 1;
		return -1;
	}
	l->in_copy = 0;
	while ((res = PQgetResult(l->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			pgsql_report(l->conn, res, l->copy_what);
			l->stats->errors++;
			if (!l->settings->keep_going) {
				l->failed = 1;
				rc = -1;
			}
		} else if (l->stats->ncopies > 0) {
			l->stats->copies[l->stats->ncopies - 1].rows = strtoll(PQcmdTuples(res), NULL, 10);
		}
		PQclear(res);
	}
	return rc;
}

static int
on_item(void *ctx, const struct sql_item *item)
{
	struct loader *l = ctx;

	if (l->failed)
		return -1;
	l->stats->line = item->line;
	switch (item->kind) {
	case SQL_STATEMENT:
		progress(l, 0);
		return run_statement(l, item);
	case SQL_COPY_DATA:
		if (l->skip_copy)
			return 0;
		if (PQputCopyData(l->conn, item->text, (int)item->len) != 1) {
			pgsql_report(l->conn, NULL, l->copy_what);
			l->failed = 1;
			return -1;
		}
		return 0;
	case SQL_COPY_END:
		if (l->skip_copy) {
			l->skip_copy = 0;
			return 0;
		}
		return end_copy(l);
	case SQL_META:
		/* pg_dump 15.14+ guards its output with \restrict; there is no psql here to guard. */
		if (item->len >= 9 && (strncmp(item->text, "\\restrict", 9) == 0 ||
		    (item->len >= 11 && strncmp(item->text, "\\unrestrict", 11) == 0)))
			return 0;
		log_error("restore stopped at line %ld: psql command '%.*s' is not supported "
		    "(a dump made with pg_dump --create? restore into an existing database without it)",
		    item->line, (int)(item->len > 40 ? 40 : item->len), item->text);
		l->failed = 1;
		return -1;
	}
	return 0;
}

static int
on_chunk(void *ctx, const char *buf, size_t len)
{
	struct loader *l = ctx;

	l->stats->sql_bytes += len;
	if (sql_splitter_feed(l->splitter, buf, len) < 0) {
		if (!l->failed)
			log_error("restore stopped: %s", sql_splitter_error(l->splitter));
		l->failed = 1;
		return -1;
	}
	return 0;
}

int
restore_load(PGconn *conn, const char *path, const struct restore_settings *settings,
    struct restore_stats *stats)
{
	struct dump_read_stats rstats;
	struct loader l;
	struct stat st;
	char err[512];
	int rrc, rc = -1;

	memset(&l, 0, sizeof(l));
	memset(stats, 0, sizeof(*stats));
	l.conn = conn;
	l.settings = settings;
	l.stats = stats;
	l.splitter = sql_splitter_new(on_item, &l);
	l.read = &rstats;
	if (settings->progress && stat(path, &st) == 0)
		l.bar = progress_start("restore", (uint64_t)st.st_size, 0);
	rrc = dump_read(path, on_chunk, &l, &rstats, err, sizeof(err));
	if (rrc == DUMP_READ_CORRUPT) {
		log_error("restore stopped: %s: %s", path, err);
		goto out;
	}
	if (rrc != DUMP_READ_OK)
		goto out;
	if (sql_splitter_finish(l.splitter) < 0) {
		if (!l.failed)
			log_error("restore stopped: %s: %s", path, sql_splitter_error(l.splitter));
		goto out;
	}
	if (l.failed)
		goto out;
	rc = stats->errors > 0 ? -1 : 0;
	if (stats->errors > 0)
		log_error("restore of %s finished with %lld errors (--keep-going): the target is restored "
		    "except for the failed statements", path, stats->errors);
out:
	if (l.in_copy)
		PQputCopyEnd(conn, "restore stopped");
	progress(&l, 1);
	if (rc < 0 && !settings->single_transaction && !settings->keep_going)
		log_error("the load stopped at line %ld after %lld statements; the target is partly restored "
		    "(use --single-transaction for all or nothing)", stats->line, stats->statements);
	sql_splitter_free(l.splitter);
	free(l.copy_what);
	return rc;
}

void
restore_stats_free(struct restore_stats *stats)
{
	size_t i;

	for (i = 0; i < stats->ncopies; i++) {
		free(stats->copies[i].qualified);
		free(stats->copies[i].copy_out_sql);
	}
	free(stats->copies);
	memset(stats, 0, sizeof(*stats));
}
