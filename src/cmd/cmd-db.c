#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd-db.h"
#include "cmd/cmd-verify.h"
#include "store/backups.h"
#include "cmd/commands.h"
#include "cmd/config.h"
#include "base/interrupt.h"
#include "store/lock.h"
#include "store/outdir.h"
#include "base/log.h"
#include "ops/retention.h"
#include "remote/remote-upload.h"
#include "base/xalloc.h"

int
cmd_safety_dump(const void *arg)
{
	const struct options *opts = arg;
	struct db_job job;
	struct db_result result;
	char *dir = xasprintf("%s/%s", opts->output_dir, SAFETY_DUMP_DIR);
	int rc = -1;

	/* Its own folder: retention would count it as the day's db backup. */
	cmd_db_job(opts, dir, &job);
	job.selection = NULL;	/* the whole target, whatever --table or LOTBACKUP_SCHEMA and the like say */
	job.globals = 0;
	if (output_dir_prepare(opts->output_dir) < 0 || backup_db_run(&job, &result) < 0) {
		log_error("the safety dump of the target failed: nothing was changed");
		goto out;
	}
	log_info("safety dump of the target written: %s (restore it with 'lotbackup restore')", result.path);
	db_result_free(&result);
	rc = 0;
out:
	free(dir);
	return rc;
}

void
cmd_db_job(const struct options *opts, const char *output_dir, struct db_job *job)
{
	memset(job, 0, sizeof(*job));
	job->target = options_pg_target(opts);
	job->output_dir = output_dir;
	job->jobs = opts->jobs;
	job->compress_level = opts->compress_level;
	job->with_owner = opts->with_owner;
	job->with_privileges = opts->with_privileges;
	job->user_mapping_secrets = opts->user_mapping_secrets;
	job->no_security_labels = opts->no_security_labels;
	job->lock_timeout_ms = opts->lock_timeout_ms;
	job->serializable_deferrable = opts->serializable_deferrable;
	job->globals = opts->globals;
	job->selection = selection_partial(&opts->selection) ? &opts->selection : NULL;
	job->encrypt = opts->encrypt;
}

/* --encrypt without a key fails before anything is dumped or staged. */
int
cmd_encrypt_key_ready(const struct options *opts)
{
	if (config_use_key(opts) < 0)
		return -1;
	if (opts->key_file != NULL || opts->passphrase_set)
		return 0;
	log_error("--encrypt needs a key: LOTBACKUP_KEY_FILE or --key-file FILE (make one with 'lotbackup keygen FILE'), "
	    "or LOTBACKUP_PASSPHRASE in the environment or .env");
	return -1;
}

/* The output directory made and locked, once the database answered: db_job.ready. */
struct output_ready {
	const struct options *opts;
	struct output_lock *lock;
};

static int
take_output_dir(void *arg)
{
	struct output_ready *r = arg;

	if (output_dir_prepare(r->opts->output_dir) < 0)
		return -1;
	r->lock = output_lock_take(r->opts->output_dir, r->opts->wait_seconds);
	return r->lock != NULL ? 0 : -1;
}

/*
 * --all-databases: each database into a folder of its own under the
 * output directory (its own lock, retention and names, so `list -o`
 * and `prune -o` of that folder work as for one database), all of them
 * even after a failure, and one status: 1 when any failed.
 */
static int
dump_all_databases(const struct options *opts, const struct retention_policy *policy, int flags,
    struct cmd_result *result)
{
	struct pg_target target = options_pg_target(opts);
	char **names = NULL;
	size_t n = 0, i, failed = 0;
	int rc = LB_EXIT_FAILURE;

	/* Made once the server answered, as for one database. */
	if (backup_db_list_databases(&target, &names, &n) < 0 || output_dir_prepare(opts->output_dir) < 0)
		goto out;
	for (i = 0; i < n && interrupt_check() == 0; i++) {
		char *folder = backup_db_folder(names[i]), *dir = xasprintf("%s/%s", opts->output_dir, folder);
		struct output_lock *lock = NULL;
		struct db_job job;
		struct db_result db = { .name = NULL };
		int ok = 0;

		if (output_dir_prepare(dir) == 0 &&
		    (lock = output_lock_take(dir, opts->wait_seconds)) != NULL) {
			cmd_db_job(opts, dir, &job);
			job.database = names[i];
			/* Each dump checked as db checks its own before retention counts it. */
			ok = backup_db_run(&job, &db) == 0 && cmd_verify_written(db.path, 0) == LB_EXIT_OK &&
			    retention_prune(dir, BACKUP_DB, policy, time(NULL), db.name, flags) == 0;
		}
		if (ok)
			log_info("database %s: %s", names[i], db.path);
		else
			log_error("database %s: no dump (see above)", names[i]);
		failed += !ok;
		output_lock_release(lock);
		db_result_free(&db);
		free(folder);
		free(dir);
	}
	if (failed > 0 || i < n) {
		log_error("%zu of %zu databases were not dumped", failed + (n - i), n);
		goto out;
	}
	log_info("dumped all %zu databases of the server into %s/db-*/", n, opts->output_dir);
	result->published = xstrdup(opts->output_dir);
	rc = LB_EXIT_OK;
out:
	backup_db_names_free(names, n);
	return rc;
}

/* db's check of its own dump, as verify would: db_job.written. An exit status. */
static int
check_written(void *arg, const char *path)
{
	(void)arg;
	return cmd_verify_written(path, 0);
}

static int
cmd_db_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct retention_policy policy;
	struct db_job job;
	struct db_result db = { .name = NULL };
	struct remote_settings rs;
	struct output_ready ready = { NULL, NULL };
	int rc = LB_EXIT_FAILURE, flags = opts->force ? RETENTION_FORCE : 0, upload_failed;

	(void)argc;
	(void)argv;
	if (opts->keep_days_given && opts->policy_given) {
		log_error("--keep N (the day rule) and --keep-daily/--keep-weekly/--keep-monthly are two policies: give one");
		return LB_EXIT_USAGE;
	}
	if (options_check_json(opts, "db", opts->list_only || opts->dry_run) < 0)
		return LB_EXIT_USAGE;
	if (opts->list_only)
		return cmd_list_backups(opts);
	if (opts->encrypt && !opts->dry_run && cmd_encrypt_key_ready(opts) < 0)
		return LB_EXIT_FAILURE;
	options_retention_after(opts, BACKUP_DB, &policy);
	if (opts->all_databases && (opts->dry_run || opts->upload > 0)) {
		log_error("--all-databases writes a folder per database: --dry-run and --upload work on one "
		    "(lotbackup prune --dry-run -o OUTPUT/db-NAME, lotbackup push FILE)");
		return LB_EXIT_USAGE;
	}
	/* A dry run shows what retention would delete today; it dumps nothing. */
	if (opts->dry_run && opts->json)
		return cmd_print_plan_json(opts, BACKUP_DB, &policy);
	if (opts->dry_run)
		return retention_prune(opts->output_dir, BACKUP_DB, &policy, time(NULL), NULL,
		    flags | RETENTION_DRY_RUN) < 0 ? LB_EXIT_FAILURE : LB_EXIT_OK;
	if (config_db_unnamed(opts) || output_dir_check(opts->output_dir) < 0 || interrupt_install() < 0)
		goto out;
	if (opts->all_databases) {
		rc = dump_all_databases(opts, &policy, flags, result);
		goto out;
	}
	cmd_db_job(opts, opts->output_dir, &job);
	job.upload = cmd_upload_target(opts, &rs, &upload_failed);
	/* One writer per directory, and retention never runs beside another run: taken once connected. */
	ready.opts = opts;
	job.ready = take_output_dir;
	job.ready_arg = &ready;
	/* Checked as verify would, before it counts, while the upload completes. */
	job.written = check_written;
	if (backup_db_run(&job, &db) < 0)
		goto out;	/* never prune after a failed dump */
	/* Published, whatever pruning does next. */
	result->published = xstrdup(db.path);
	/* Never prune after a dump that failed its check. */
	if ((rc = db.written_status) != LB_EXIT_OK)
		goto out;
	rc = LB_EXIT_FAILURE;
	/* Before pruning: only a recorded, verified upload may ever count as off-site. */
	if (opts->upload > 0 && remote_upload_commit(job.upload ? &rs : NULL, db.path,
	    db.uploaded == 1 ? &db.upload : NULL) < 0)
		upload_failed = 1;
	/* A dump that does not load is no backup: fail the run, and prune nothing for it. */
	if (opts->db_verify_restore > 0 && (rc = cmd_verify_after_dump(opts, db.path)) != LB_EXIT_OK)
		goto out;
	rc = LB_EXIT_FAILURE;
	if (retention_prune(opts->output_dir, BACKUP_DB, &policy, time(NULL), db.name, flags) < 0)
		goto out;
	rc = upload_failed ? LB_EXIT_FAILURE : LB_EXIT_OK;
out:
	output_lock_release(ready.lock);
	db_result_free(&db);
	return rc;
}

const struct cmd_entry cmd_db_entry = {
	.name = "db",
	.bit = CMD_DB,
	.operands = "",
	.summary = "dump the database to OUTPUT_DIR/lot-systems-db-YYYY-MM-DDTHH-MM-SS.sql.gz",
	.flags = CMD_F_NOTIFY,
	.min_operands = 0,
	.max_operands = 0,
	.exec = cmd_db_exec,
};
