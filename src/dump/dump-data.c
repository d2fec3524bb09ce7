#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "dump/copy-cut.h"
#include "dump/dump-data.h"
#include "base/log.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/*
 * Tables a worker may have finished and set aside before the main
 * connection takes them in: bounds open files and disk while the main
 * connection streams one big table.
 */
#define MAX_SET_ASIDE 32

enum job_state { JOB_PENDING, JOB_MAIN, JOB_WORKER, JOB_DONE, JOB_FAILED };

struct table_job {
	const struct dump_table *table;
	struct manifest_table *entry;
	enum job_state state;
	int fd;			/* worker's finished gzip members, nameless file */
	uint64_t gz_bytes;
	uint64_t sql_bytes;
};

struct data_run {
	PGconn *conn;
	const struct dump_data_settings *settings;
	struct table_job *jobs;
	size_t njobs;
	size_t next_pending;	/* no job below this index is pending */
	size_t set_aside;	/* finished by workers, not yet appended */
	pthread_mutex_t mu;
	pthread_cond_t changed;	/* a job changed state, or room to set aside */
	atomic_int abort;	/* someone failed: everyone stops */
};

static int
to_pipe(void *out, const void *buf, size_t len)
{
	return pipe_write(out, buf, len);
}


/*
 * Streams one table's rows straight from the server into the pipe. The
 * rows alone (not the COPY line around them) pass a pipe of their own
 * first, whose crc32 filter and size are what the manifest records.
 */
static int
copy_table(PGconn *conn, const struct dump_table *t, struct pipe *out, struct manifest_table *mt,
    atomic_int *abort)
{
	struct strbuf sql = STRBUF_INIT, what = STRBUF_INIT;
	struct pipe *rows = pipe_new();
	PGresult *res = NULL;
	struct copy_rows check = COPY_ROWS_INIT;
	char *buf = NULL;
	int n, rc = -1;

	strbuf_printf(&what, "cannot dump table %s", t->qualified);
	if (t->filter == NULL)
		strbuf_printf(&sql, "COPY %s %s TO STDOUT", t->qualified, t->column_list);
	else	/* the columns without their parentheses, as pg_dump selects them */
		strbuf_printf(&sql, "COPY (SELECT %.*s FROM %s %s) TO STDOUT",
		    (int)(strlen(t->column_list) > 2 ? strlen(t->column_list) - 2 : 1),
		    strlen(t->column_list) > 2 ? t->column_list + 1 : "*", t->qualified, t->filter);
	res = PQexec(conn, sql.buf);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		pgsql_report(conn, res, what.buf);
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (pipe_printf(out, "COPY %s %s FROM stdin;\n", t->qualified, t->column_list) < 0)
		goto out;
	pipe_add_crc32(rows);
	if (pipe_to_consumer(rows, to_pipe, out) < 0)
		goto out;
	while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
		int wrc = copy_rows_check(&check, buf, (size_t)n);

		if (wrc < 0)
			log_error("cannot dump table %s: the server sent a line \"\\.\" in its rows, which would end "
			    "the table's data early in the dump and run what follows as SQL (a hostile server, "
			    "or something on the connection?)", t->qualified);
		else
			wrc = pipe_write(rows, buf, (size_t)n);
		PQfreemem(buf);
		buf = NULL;
		if (wrc < 0)
			goto out;
		/* Another connection failed: the dump is lost anyway, stop reading. */
		if (atomic_load_explicit(abort, memory_order_relaxed))
			goto out;
	}
	res = PQgetResult(conn);
	if (n == -2 || PQresultStatus(res) != PGRES_COMMAND_OK) {
		pgsql_report(conn, res, what.buf);
		goto out;
	}
	/* Rows end with a newline: a last line without one would run into the end marker after it. */
	if (!copy_rows_whole(&check)) {
		log_error("cannot dump table %s: the server's rows do not end with a newline", t->qualified);
		goto out;
	}
	mt->rows = strtoll(PQcmdTuples(res), NULL, 10);
	if (pipe_finish(rows) < 0)
		goto out;
	mt->data_crc32 = pipe_crc32(rows);
	mt->data_bytes = pipe_bytes(rows, PIPE_IN);
	if (pipe_puts(out, "\\.\n\n") < 0)
		goto out;
	rc = 0;
out:
	pipe_free(rows);
	PQclear(res);
	strbuf_free(&sql);
	strbuf_free(&what);
	return rc;
}

/*
 * A worker connection in the dump's snapshot, set up like the main one;
 * *rejoin gets the statements that end its transaction and join the
 * snapshot again in a new one (worker_main).
 */
static PGconn *
worker_connect(PGconn *main_conn, const struct dump_data_settings *settings, char **rejoin)
{
	PGconn *conn = pgsql_connect_like(main_conn, PQdb(main_conn));
	char *literal = NULL;
	int ok = 0;

	*rejoin = NULL;
	if (conn == NULL)
		return NULL;
	if ((literal = pgsql_quote_literal(conn, settings->snapshot_id, "the snapshot id")) == NULL)
		goto out;
	*rejoin = xasprintf("COMMIT; BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT %s",
	    literal);
	/* The first transaction: the rejoin's statements after its COMMIT (nothing to end yet). */
	if (pgsql_exec(conn, DUMP_SESSION_SETTINGS, "cannot set a worker's session options") < 0 ||
	    pgsql_exec(conn, "SET search_path = ''", "cannot set a worker's search_path") < 0 ||
	    pgsql_exec(conn, *rejoin + strlen("COMMIT; "), "a worker cannot join the dump's snapshot") < 0)
		goto out;
	if (PQsetClientEncoding(conn, settings->encoding) != 0) {
		log_error("cannot set client encoding %s: %s", settings->encoding, PQerrorMessage(conn));
		goto out;
	}
	ok = 1;
out:
	PQfreemem(literal);
	if (!ok) {
		PQfinish(conn);
		conn = NULL;
		free(*rejoin);
		*rejoin = NULL;
	}
	return conn;
}

/*
 * The main connection holds ACCESS SHARE on every table already. NOWAIT as
 * in pg_dump: a session queued for an exclusive lock since then would
 * otherwise make this wait on it while it waits on the main connection.
 */
static int
worker_lock(PGconn *conn, const struct dump_table *t)
{
	char *sql = xasprintf("LOCK TABLE %s IN ACCESS SHARE MODE NOWAIT", t->qualified);
	char *what = xasprintf("a parallel worker cannot lock table %s (another session is waiting "
	    "for a stronger lock on it; run again, or use --jobs 1)", t->qualified);
	int rc = pgsql_exec(conn, sql, what);

	free(sql);
	free(what);
	return rc;
}

/* Dumps one table into a nameless file as complete gzip members. */
static int
worker_dump(struct data_run *r, PGconn *conn, struct table_job *job)
{
	struct pipe *p = pipe_new();
	int rc = -1;

	if (worker_lock(conn, job->table) < 0)
		goto out;
	pipe_add_gzip(p, r->settings->compress_level, 1);
	/* Counted now, on this thread: the main one may be waiting for this table. */
	if (r->settings->bar != NULL)
		pipe_add_progress(p, r->settings->bar);
	if (pipe_to_spill(p, r->settings->spill_dir) < 0)
		goto out;
	if (copy_table(conn, job->table, p, job->entry, &r->abort) < 0 || pipe_finish(p) < 0)
		goto out;
	/* The file outlives the pipe (and its compression thread) through this descriptor. */
	job->fd = dup(pipe_spill_fd(p));
	if (job->fd < 0) {
		log_errno("cannot keep a temporary file of table %s open", job->table->qualified);
		goto out;
	}
	job->gz_bytes = pipe_bytes(p, PIPE_OUT);
	job->sql_bytes = pipe_bytes(p, PIPE_IN);
	rc = 0;
out:
	pipe_free(p);
	return rc;
}

/* Claims the first pending job, waiting while too many are set aside. NULL: none left, or abort. */
static struct table_job *
claim_for_worker(struct data_run *r)
{
	struct table_job *job = NULL;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->next_pending < r->njobs && r->jobs[r->next_pending].state != JOB_PENDING)
			r->next_pending++;
		if (atomic_load(&r->abort) || r->next_pending == r->njobs)
			break;
		if (r->set_aside < MAX_SET_ASIDE) {
			job = &r->jobs[r->next_pending];
			job->state = JOB_WORKER;
			break;
		}
		pthread_cond_wait(&r->changed, &r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return job;
}

static void
job_settle(struct data_run *r, struct table_job *job, int rc)
{
	pthread_mutex_lock(&r->mu);
	job->state = rc == 0 ? JOB_DONE : JOB_FAILED;
	if (rc == 0)
		r->set_aside++;
	else
		atomic_store(&r->abort, 1);
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->mu);
}

struct worker {
	struct data_run *run;
	PGconn *conn;		/* joined the snapshot before any COPY began; the thread closes it */
	char *rejoin;		/* COMMIT, then a new transaction in the snapshot */
	pthread_t thread;
};

/*
 * A transaction per table: the locks of the tables dumped are let go (the
 * main connection holds one on each all along). Kept to the end, they
 * doubled the lock table the dump needs, and 5000 tables ran the server
 * out of shared memory where pg_dump, on one connection, does not. The
 * exported snapshot stays valid while the main transaction is open.
 *
 * A worker that cannot join it again only stops: the tables it would have
 * taken are the main connection's (main_take), and the dump stays whole.
 * Most often the main connection itself has just failed, and its own error
 * names its table, where this one's "invalid snapshot identifier" would
 * not say what happened. 1 joined, 0 stop (warned).
 */
static int
worker_rejoin(PGconn *conn, const char *rejoin)
{
	PGresult *res = PQexec(conn, rejoin);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		log_warn("a parallel worker cannot join the dump's snapshot again (%s): the other connections "
		    "dump the tables left", pgsql_error_text(conn, res));
	PQclear(res);
	return ok;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct data_run *r = w->run;
	PGconn *conn = w->conn;
	struct table_job *job;

	while ((job = claim_for_worker(r)) != NULL) {
		int rc;

		log_debug("dumping table %s on a parallel connection", job->table->qualified);
		rc = worker_dump(r, conn, job);
		job_settle(r, job, rc);
		if (rc < 0 || !worker_rejoin(conn, w->rejoin))
			break;
	}
	PQfinish(conn);
	return NULL;
}

/* Job i in the main thread: stream it, or append what a worker made of it. */
static int
main_take(struct data_run *r, struct pipe *out, size_t i)
{
	struct table_job *job = &r->jobs[i];
	uint64_t start, end;
	int rc = -1;

	/* Each table's block is whole members of its own: the member index in the manifest. */
	if (pipe_gzip_end_member(out, &start) < 0)
		goto out;

	pthread_mutex_lock(&r->mu);
	if ((job->state == JOB_PENDING || job->state == JOB_MAIN) && !atomic_load(&r->abort)) {
		job->state = JOB_MAIN;
		pthread_mutex_unlock(&r->mu);
		log_debug("dumping table %s", job->table->qualified);
		rc = copy_table(r->conn, job->table, out, job->entry, &r->abort);
		goto index;
	}
	while (job->state == JOB_WORKER)
		pthread_cond_wait(&r->changed, &r->mu);
	pthread_mutex_unlock(&r->mu);
	/* Failed or never claimed because of an abort: the failure is reported already. */
	if (job->state != JOB_DONE)
		goto out;
	rc = pipe_gzip_append_members(out, job->fd, job->gz_bytes, job->sql_bytes);
	close(job->fd);
	job->fd = -1;
	pthread_mutex_lock(&r->mu);
	r->set_aside--;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->mu);
index:
	if (rc == 0 && (rc = pipe_gzip_end_member(out, &end)) == 0) {
		job->entry->gz_offset = start;
		job->entry->gz_length = end - start;
	}
out:
	if (rc < 0)
		atomic_store(&r->abort, 1);
	return rc;
}

int
dump_data(PGconn *conn, const struct dump_data_settings *settings,
    const struct dump_table *const *tables, struct manifest_table *const *entries, size_t ntables,
    struct pipe *out)
{
	struct data_run r;
	struct worker *workers = NULL;
	sigset_t block, old;
	size_t i, nthreads = 0, nconns = 0, want;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.settings = settings;
	r.njobs = ntables;
	r.jobs = xcalloc(ntables ? ntables : 1, sizeof(*r.jobs));
	for (i = 0; i < ntables; i++) {
		r.jobs[i].table = tables[i];
		r.jobs[i].entry = entries[i];
		r.jobs[i].fd = -1;
	}
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.changed, NULL);
	atomic_init(&r.abort, 0);

	/*
	 * The first table (the largest) is the main connection's before any
	 * worker starts: a worker that claimed it would leave the main
	 * connection waiting for it with nothing to do, and compress it on one
	 * thread where the main pipe's gzip has several.
	 */
	if (ntables > 0)
		r.jobs[0].state = JOB_MAIN;
	want = settings->jobs > 1 && settings->snapshot_id ? (size_t)settings->jobs - 1 : 0;
	/* The main connection takes a table too: no worker without one of its own. */
	if (ntables > 0 && want > ntables - 1)
		want = ntables - 1;
	workers = xcalloc(want ? want : 1, sizeof(*workers));
	/*
	 * Every worker joins the snapshot before the first COPY: a failure of
	 * the main connection during the data cannot then surface first as a
	 * worker's "invalid snapshot identifier" instead of naming its table.
	 */
	for (nconns = 0; nconns < want && rc == 0; nconns++) {
		workers[nconns].run = &r;
		if ((workers[nconns].conn = worker_connect(conn, settings, &workers[nconns].rejoin)) == NULL)
			rc = -1;
	}
	/* Signals are for the main thread; workers inherit this mask. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (nthreads = 0; nthreads < want && rc == 0; nthreads++)
		if (pthread_create(&workers[nthreads].thread, NULL, worker_main, &workers[nthreads]) != 0) {
			log_error("cannot start parallel dump worker %zu", nthreads + 1);
			rc = -1;
			break;
		}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		atomic_store(&r.abort, 1);

	for (i = 0; i < ntables && rc == 0; i++)
		rc = main_take(&r, out, i);

	pthread_mutex_lock(&r.mu);
	pthread_cond_broadcast(&r.changed);
	pthread_mutex_unlock(&r.mu);
	for (i = 0; i < nthreads; i++)
		pthread_join(workers[i].thread, NULL);
	/* Connections whose thread never started. */
	for (i = nthreads; i < nconns; i++)
		PQfinish(workers[i].conn);
	for (i = 0; i < nconns; i++)
		free(workers[i].rejoin);
	for (i = 0; i < ntables; i++)
		if (r.jobs[i].fd >= 0)
			close(r.jobs[i].fd);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.changed);
	free(workers);
	free(r.jobs);
	return rc;
}
