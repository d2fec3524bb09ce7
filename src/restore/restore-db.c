#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "dump/dump-reader.h"
#include "migrate/ledger.h"
#include "pg/pgsql.h"
#include "restore/restore-db.h"
#include "restore/restore-session.h"
#include "restore/restore-target.h"
#include "restore/restore.h"
#include "store/manifest.h"
#include "verify/verify.h"

/*
 * Nothing is written to the target before the file proves whole. Its
 * manifest, when it has one, into *m: the one the file was checked
 * against. 0, 1 failed verification, -1.
 */
static int
check_file(void *arg, struct db_manifest *m)
{
	const char *path = arg;
	struct verify_result r;
	int rc;

	if (verify_db_dump_manifest(path, VERIFY_ALLOW_NO_MANIFEST | VERIFY_QUICK, &r, m) < 0) {
		verify_result_free(&r);
		return -1;
	}
	rc = verify_log_failures(&r);
	if (rc)
		log_error("not restoring %s: it failed verification; the target database was not touched", path);
	verify_result_free(&r);
	return rc;
}

/*
 * restore --table reads the schema and the table's own members only: the
 * file is not hashed whole (that would read all of it), but it must be
 * the size its manifest says, and each member read is checked by its gzip
 * CRC-32 and length as it is inflated, before its rows are committed.
 */
static int
check_members(void *arg, struct db_manifest *m)
{
	const char *path = arg;
	char err[256] = "";
	struct stat st;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = manifest_read(path, m, NULL, err, sizeof(err));

	if (rc == 1)
		log_error("%s has no manifest: restore --table needs its member index (restore it whole instead)", path);
	else if (rc == 2)
		log_error("%s: its manifest is not valid (%s): not restoring from it", path, err);
	if (rc != 0)
		return rc < 0 ? -1 : 1;
	if (stat(path, &st) < 0) {
		log_errno("cannot read %s", path);
		return -1;
	}
	if ((uint64_t)st.st_size != m->bytes) {
		log_error("not restoring from %s: it is %lld bytes, its manifest says %llu (run lotbackup verify)", path,
		    (long long)st.st_size, (unsigned long long)m->bytes);
		return 1;
	}
	return 0;
}

static void
prisma_reminder(const char *project_dir)
{
	char *dir;
	struct stat st;

	if (project_dir == NULL)
		return;
	dir = xasprintf("%s/prisma/migrations", project_dir);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		log_info("next step: this project uses Prisma migrations; run 'npx prisma migrate deploy' "
		    "in %s to apply any migration newer than the backup", project_dir);
	free(dir);
}

/*
 * After a restore: which tool's ledger the database carries, what to run,
 * and with the project at hand which migrations are pending against it.
 * Only advice: nothing here fails the restore.
 */
static void
migration_advice(PGconn *conn, const char *project_dir)
{
	struct manifest_ledger *l = NULL;
	struct ledger_drift d;
	size_t n = 0, i;
	char *list;

	if (ledger_read(conn, &l, &n) < 0 || n == 0) {
		prisma_reminder(project_dir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		ledger_drift(project_dir, &l[i], &d);
		if (d.dir == NULL) {
			log_info("next step: the restored database records its %s migrations in %s; run the project's "
			    "migrations ('%s') so its schema matches the code you deploy", l[i].tool, l[i].table, d.command);
		} else if (d.npending > 0) {
			list = ledger_name_list(d.pending, d.npending, 5);
			log_info("next step: %zu migrations in %s/%s are not applied to the restored database (%s); "
			    "run '%s' in %s", d.npending, project_dir, d.dir, list, d.command, project_dir);
			free(list);
		} else {
			log_info("the restored database has every migration in %s/%s applied (%s)", project_dir, d.dir,
			    l[i].tool);
		}
		if (d.nunknown > 0) {
			list = ledger_name_list(d.unknown, d.nunknown, 5);
			log_warn("the restored database has %zu %s migrations that %s/%s does not have (%s): the backup "
			    "is newer than this code; check out the commit it was taken with", d.nunknown, l[i].tool,
			    project_dir, d.dir, list);
			free(list);
		}
		ledger_drift_free(&d);
	}
out:
	manifest_ledgers_free(l, n);
}

static int
load(const struct restore_db_settings *set, PGconn *conn, const struct dump_source *src, const struct db_manifest *m)
{
	struct restore_settings settings;
	struct restore_stats stats;
	long long rows = 0;
	size_t i;
	int rc = -1, begun = 0;

	memset(&settings, 0, sizeof(settings));
	memset(&stats, 0, sizeof(stats));
	/* Its member index lets tables load side by side (none without a manifest). */
	settings.tables = m->tables;
	settings.ntables = m->ntables;
	settings.file_bytes = m->bytes;
	settings.sql_bytes = m->sql_bytes;
	settings.single_transaction = set->single_transaction;
	settings.keep_going = set->keep_going;
	settings.no_owner = set->no_owner;
	settings.progress = set->progress;
	/* A data-only dump's rows go in file order, referenced tables first (db --data-only). */
	settings.jobs = m->selection.data_only ? 1 : set->jobs;
	settings.split_bytes = set->split_auto ?
	    restore_auto_split_bytes(settings.tables, settings.ntables, set->jobs) : set->split_bytes;
	if (restore_session_setup(conn) < 0)
		goto out;
	if (set->single_transaction && pgsql_exec(conn, "BEGIN", "cannot begin the restore transaction") < 0)
		goto out;
	begun = set->single_transaction;
	/* Cleaning is all or nothing even without --single-transaction. */
	if (set->clean && !set->single_transaction &&
	    (pgsql_exec(conn, "BEGIN", "cannot begin the clean") < 0 || target_clean(conn) < 0 ||
	    pgsql_exec(conn, "COMMIT", "cannot commit the clean") < 0)) {
		PQclear(PQexec(conn, "ROLLBACK"));
		log_error("database %s was not cleaned and is as it was", PQdb(conn));
		goto out;
	}
	if (set->clean && set->single_transaction && target_clean(conn) < 0)
		goto out;
	if (restore_load(conn, src, &settings, &stats) < 0)
		goto out;
	if (set->single_transaction && pgsql_exec(conn, "COMMIT", "cannot commit the restore") < 0)
		goto out;
	for (i = 0; i < stats.ncopies; i++)
		rows += stats.copies[i].rows;
	log_info("restored %s into %s: %lld statements, %zu tables, %lld rows", src->name, PQdb(conn),
	    stats.statements, stats.ncopies, rows);
	rc = 0;
out:
	/* "As it was" only when nothing had ended the transaction: the loader stops at a statement that does. */
	if (rc < 0 && begun && pgsql_rollback(conn))
		log_error("rolled back: database %s is as it was before the restore", PQdb(conn));
	else if (rc < 0 && begun)
		log_error("database %s is partly restored: the restore's transaction was ended before the failure, "
		    "and what ran until then is committed", PQdb(conn));
	restore_stats_free(&stats);
	return rc;
}

/* restore --table: the tables asked for, into a database that may hold others. */
static int
restore_one(const struct restore_db_settings *set, PGconn *conn, const struct dump_source *src,
    const struct db_manifest *m)
{
	struct restore_stats stats;
	long long rows = 0;
	size_t i;
	int rc;

	if (restore_session_setup(conn) < 0)
		return -1;
	rc = restore_tables(conn, src, m, set->tables, &stats);
	for (i = 0; i < stats.ncopies; i++)
		rows += stats.copies[i].rows;
	if (rc == 0)
		log_info("restored %zu tables of %s into %s%s: %lld statements, %lld rows", set->tables->nnames,
		    src->name, PQdb(conn), set->tables->data_only ? " (rows only)" : "", stats.statements, rows);
	restore_stats_free(&stats);
	return rc;
}

int
restore_db_file(const struct restore_db_settings *set, const char *path)
{
	struct dump_source src = dump_source_file(path);

	/* restore --table checks the members it reads, not the whole file. */
	return restore_db_source(set, &src, set->tables != NULL ? check_members : check_file, (void *)path);
}

int
restore_db_source(const struct restore_db_settings *set, const struct dump_source *src, restore_check_fn check,
    void *arg)
{
	struct db_manifest m;
	PGconn *conn = NULL;
	char *target = NULL;
	long tables;
	int rc, created;

	memset(&m, 0, sizeof(m));
	rc = check(arg, &m);
	if (rc != 0)
		goto out;
	rc = -1;
	if (set->create) {
		target = target_dbname(&set->target);
		if (target == NULL) {
			log_error("--create needs --dbname to name the database (dbname=NAME or a URL with /NAME)");
			goto out;
		}
		if (target_create(&set->target, target, 0, &created) < 0)
			goto out;
	}
	if ((conn = pgsql_connect(&set->target)) == NULL)
		goto out;
	if ((tables = target_user_tables(conn)) < 0)
		goto out;
	if (set->tables != NULL && m.selection.data_only && !set->tables->data_only) {
		log_error("%s is a data-only dump (db --data-only): it holds no definitions; restore its tables' "
		    "rows with --table --data-only", src->name);
		goto out;
	}
	if (set->tables != NULL) {
		rc = restore_one(set, conn, src, &m);
		goto out;
	}
	if (m.selection.data_only && (set->clean || tables == 0)) {
		log_error("%s is a data-only dump (db --data-only): it loads rows into the tables a database has; %s",
		    src->name, set->clean ? "--clean would drop them first: leave it out" :
		    "restore a dump of the definitions (db --schema-only) first");
		goto out;
	}
	if (tables > 0 && !set->clean && !m.selection.data_only) {
		log_error("database %s has %ld tables: not restoring over them (--clean drops them after a "
		    "safety dump; or restore into a new database with --create)", PQdb(conn), tables);
		goto out;
	}
	if (set->clean && set->safety_dump != NULL && set->safety_dump(set->safety_dump_arg) < 0)
		goto out;
	if (load(set, conn, src, &m) < 0)
		goto out;
	migration_advice(conn, set->project_dir);
	rc = 0;
out:
	PQfinish(conn);
	free(target);
	manifest_free(&m);
	return rc;
}
