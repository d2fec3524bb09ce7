#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd-db.h"
#include "cmd/commands.h"
#include "dump/dump-contents.h"
#include "full/full-restore.h"
#include "base/log.h"
#include "store/manifest.h"
#include "pg/pgsql.h"
#include "restore/restore-target.h"
#include "restore/restore.h"
#include "verify/verify.h"
#include "base/xalloc.h"

/* restore --list: what the file holds, read without a server. */
static int
list_contents(const char *path)
{
	struct dump_contents c;
	long long rows = 0;
	size_t i;

	if (dump_contents_scan(path, &c) < 0)
		return LB_EXIT_FAILURE;
	for (i = 0; i < c.ntables; i++)
		rows += c.tables[i].rows;
	printf("%s: %s SQL, %.1f MiB of SQL, %zu tables, %lld rows%s\n", path, c.read.gzip ? "gzip" : "plain",
	    (double)c.read.sql_bytes / (1024.0 * 1024.0), c.ntables, rows,
	    c.read_rc != DUMP_READ_OK || !c.parse_ok ||
	    !(dump_contents_has_marker(&c) || dump_contents_has_pg_dump_marker(&c))
	    ? " (DAMAGED or cut short: run lotbackup verify)" : "");
	printf("\nTables (rows):\n");
	for (i = 0; i < c.ntables; i++)
		printf("  %12lld  %s\n", c.tables[i].rows, c.tables[i].qualified);
	printf("\nStatements by kind:\n");
	for (i = 0; i < c.nkinds; i++)
		printf("  %12lld  %s\n", c.kinds[i].count, c.kinds[i].kind);
	dump_contents_free(&c);
	return LB_EXIT_OK;
}

/* Nothing is written to the target before the file proves whole. */
static int
check_file(const char *path)
{
	struct verify_result r;
	size_t i;
	int rc;

	if (verify_db_dump(path, VERIFY_ALLOW_NO_MANIFEST | VERIFY_QUICK, &r) < 0) {
		verify_result_free(&r);
		return LB_EXIT_FAILURE;
	}
	rc = r.failed ? LB_EXIT_VERIFY : LB_EXIT_OK;
	for (i = 0; i < r.nchecks; i++)
		if (!r.checks[i].ok)
			log_error("%s: check %s failed: %s", path, r.checks[i].name, r.checks[i].detail);
	if (r.failed)
		log_error("not restoring %s: it failed verification; the target database was not touched", path);
	verify_result_free(&r);
	return rc;
}

static int
safety_dump(const struct options *opts)
{
	struct db_job job;
	struct db_result result;

	/* The same dump as 'lotbackup db', of the target, beside the other backups. */
	cmd_db_job(opts, opts->output_dir, &job);
	if (backup_db_run(&job, &result) < 0) {
		log_error("the safety dump of the target failed: not cleaning it (fix the error, or pass "
		    "--no-safety-dump to lose its current contents)");
		return -1;
	}
	log_info("safety dump of the target written: %s (restore it with 'lotbackup restore')",
	    result.path);
	db_result_free(&result);
	return 0;
}

static void
prisma_reminder(const struct options *opts)
{
	char *dir = xasprintf("%s/prisma/migrations", opts->project_dir);
	struct stat st;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		log_info("next step: this project uses Prisma migrations; run 'npx prisma migrate deploy' "
		    "in %s to apply any migration newer than the backup", opts->project_dir);
	free(dir);
}

static int
load(const struct options *opts, PGconn *conn, const char *path)
{
	struct restore_settings settings;
	struct restore_stats stats;
	struct db_manifest m;
	long long rows = 0;
	size_t i;
	char err[256];
	int rc = -1;

	memset(&settings, 0, sizeof(settings));
	memset(&stats, 0, sizeof(stats));
	memset(&m, 0, sizeof(m));
	/* Its member index lets tables load side by side; checked against the file already. */
	if (manifest_read(path, &m, NULL, err, sizeof(err)) == 0) {
		settings.tables = m.tables;
		settings.ntables = m.ntables;
		settings.file_bytes = m.bytes;
		settings.sql_bytes = m.sql_bytes;
	}
	settings.single_transaction = opts->single_transaction;
	settings.keep_going = opts->keep_going;
	settings.progress = isatty(STDERR_FILENO) && opts->verbosity >= 0;
	settings.jobs = opts->jobs;
	settings.split_bytes = opts->split_mib == SPLIT_AUTO ?
	    restore_auto_split_bytes(settings.tables, settings.ntables, opts->jobs) : (uint64_t)opts->split_mib << 20;
	if (restore_session_setup(conn) < 0)
		goto out;
	if (opts->single_transaction && pgsql_exec(conn, "BEGIN", "cannot begin the restore transaction") < 0)
		goto out;
	/* Cleaning is all or nothing even without --single-transaction. */
	if (opts->clean && !opts->single_transaction &&
	    (pgsql_exec(conn, "BEGIN", "cannot begin the clean") < 0 || target_clean(conn) < 0 ||
	    pgsql_exec(conn, "COMMIT", "cannot commit the clean") < 0)) {
		PQclear(PQexec(conn, "ROLLBACK"));
		log_error("database %s was not cleaned and is as it was", PQdb(conn));
		goto out;
	}
	if (opts->clean && opts->single_transaction && target_clean(conn) < 0)
		goto out;
	if (restore_load(conn, path, &settings, &stats) < 0)
		goto out;
	if (opts->single_transaction && pgsql_exec(conn, "COMMIT", "cannot commit the restore") < 0)
		goto out;
	for (i = 0; i < stats.ncopies; i++)
		rows += stats.copies[i].rows;
	log_info("restored %s into %s: %lld statements, %zu tables, %lld rows", path, PQdb(conn),
	    stats.statements, stats.ncopies, rows);
	rc = 0;
out:
	if (rc < 0 && opts->single_transaction) {
		PGresult *res = PQexec(conn, "ROLLBACK");

		PQclear(res);
		log_error("rolled back: database %s is as it was before the restore", PQdb(conn));
	}
	restore_stats_free(&stats);
	manifest_free(&m);
	return rc;
}

int
restore_db_file(const struct options *opts, const char *path)
{
	PGconn *conn = NULL;
	struct pg_target pg;
	char *target = NULL;
	long tables;
	int rc, created;

	rc = check_file(path);
	if (rc != LB_EXIT_OK)
		return rc;
	rc = LB_EXIT_FAILURE;
	if (opts->create) {
		target = target_dbname(opts);
		if (target == NULL) {
			log_error("--create needs --dbname to name the database (dbname=NAME or a URL with /NAME)");
			goto out;
		}
		if (target_create(opts, target, 0, &created) < 0)
			goto out;
	}
	pg = options_pg_target(opts);
	if ((conn = pgsql_connect(&pg)) == NULL)
		goto out;
	if ((tables = target_user_tables(conn)) < 0)
		goto out;
	if (tables > 0 && !opts->clean) {
		log_error("database %s has %ld tables: not restoring over them (--clean drops them after a "
		    "safety dump; or restore into a new database with --create)", PQdb(conn), tables);
		goto out;
	}
	if (opts->clean && !opts->no_safety_dump && safety_dump(opts) < 0)
		goto out;
	if (load(opts, conn, path) < 0)
		goto out;
	prisma_reminder(opts);
	rc = LB_EXIT_OK;
out:
	PQfinish(conn);
	free(target);
	return rc;
}

static int
cmd_restore_exec(const struct options *opts, int argc, char **argv)
{
	int full;

	if (argc != 1) {
		log_error("restore takes one FILE (see 'lotbackup restore --help')");
		return LB_EXIT_USAGE;
	}
	full = full_backup_path(argv[0]);
	if (opts->list_only && full) {
		log_error("--list reads database dumps; for a full backup see its MANIFEST.json or run lotbackup verify");
		return LB_EXIT_USAGE;
	}
	if (opts->list_only)
		return list_contents(argv[0]);
	if (opts->dbname != NULL && opts->dbname_origin != PG_TARGET_FLAG &&
	    !full) {
		log_error("restore needs --dbname TARGET: DATABASE_URL is never used as a restore target, on purpose");
		return LB_EXIT_USAGE;
	}
	if (!full && opts->dbname == NULL) {
		log_error("restore needs --dbname TARGET (or --to DIR for a full backup)");
		return LB_EXIT_USAGE;
	}
	if (opts->single_transaction && opts->keep_going) {
		log_error("--keep-going and --single-transaction exclude each other");
		return LB_EXIT_USAGE;
	}
	if (full) {
		if (opts->restore_to == NULL) {
			log_error("%s is a full backup: give --to DIR (and --dbname TARGET to restore its database)", argv[0]);
			return LB_EXIT_USAGE;
		}
		return full_restore(opts, argv[0]);
	}
	if (opts->restore_to != NULL) {
		log_error("--to is for full backups; %s is a database dump", argv[0]);
		return LB_EXIT_USAGE;
	}
	return restore_db_file(opts, argv[0]);
}

const struct cmd_entry cmd_restore_entry = {
	"restore", CMD_RESTORE, "FILE",
	"restore a db dump (lotbackup's or pg_dump's plain SQL) into --dbname, or a full backup --to DIR, safely",
	cmd_restore_exec,
};
