#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/backups.h"
#include "cmd/cmd-db.h"
#include "cmd/cmd-verify.h"
#include "cmd/commands.h"
#include "full/full-backup.h"
#include "base/interrupt.h"
#include "store/lock.h"
#include "store/outdir.h"
#include "base/log.h"
#include "ops/retention.h"
#include "remote/remote-upload.h"

/* Credentials are "available" when anything names a database to connect to. */
static void
full_settings_of(const struct options *opts, struct full_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->project_dir = opts->project_dir;
	s->output_dir = opts->output_dir;
	s->compress_level = opts->compress_level;
	/* cmd_full_exec refused the two together, and --dir-only with --encrypt: encrypted is archive only. */
	s->output = opts->archive_only || opts->encrypt ? FULL_ARCHIVE_ONLY : opts->dir_only ? FULL_DIR_ONLY :
	    FULL_DIR_AND_ARCHIVE;
	s->require_db = opts->require_db;
	s->db_configured = opts->dbname != NULL || getenv("PGDATABASE") || getenv("PGHOST") || getenv("PGSERVICE");
	cmd_db_job(opts, NULL, &s->db);
	/* The archive is encrypted as a whole: the dump inside it stays a plain .sql.gz. */
	s->db.encrypt = 0;
	s->encrypt = opts->encrypt;
	s->extra_files = opts->extra_files;
	s->no_git = opts->no_git;
	s->allow_broken_git = opts->allow_broken_git;
	s->git_packs = opts->git_packs;
	s->submodules = opts->submodules;
	s->scan_history = opts->scan_history;
}

static int
cmd_full_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct retention_policy policy;
	struct full_settings settings;
	struct output_lock *lock;
	struct remote_settings rs;
	struct s3_upload_result upload = { 0 };
	char *published = NULL;
	int rc = LB_EXIT_FAILURE, uploaded = 0, upload_failed;

	(void)argc;
	(void)argv;
	if (opts->archive_only && opts->dir_only) {
		log_error("--archive-only and --dir-only exclude each other");
		return LB_EXIT_USAGE;
	}
	if (opts->upload > 0 && opts->dir_only) {
		log_error("--upload sends the .tar.gz off-site, which --dir-only does not write: give one");
		return LB_EXIT_USAGE;
	}
	if (opts->encrypt && opts->dir_only) {
		log_error("--encrypt (or LOTBACKUP_ENCRYPT=1) writes only the encrypted .tar.gz.enc; --dir-only asks for "
		    "plaintext files only: give one");
		return LB_EXIT_USAGE;
	}
	if (opts->encrypt && cmd_encrypt_key_ready(opts) < 0)
		return LB_EXIT_FAILURE;
	full_settings_of(opts, &settings);
	if (full_preflight(&settings) < 0)
		return LB_EXIT_FAILURE;
	if (interrupt_install() < 0 || output_dir_prepare(opts->output_dir) < 0 || (lock = output_lock_take(opts->output_dir, opts->wait_seconds)) == NULL)
		return LB_EXIT_FAILURE;
	/* Pruning only after a good backup, under the same lock; none unless a policy is configured. */
	options_retention_after(opts, BACKUP_FULL_ARCHIVE, &policy);
	settings.upload = cmd_upload_target(opts, &rs, &upload_failed);
	if (full_backup_run(&settings, &published, &uploaded, &upload) < 0)
		goto out;
	/* Checked as verify would, before it counts: never prune after one that failed it. */
	if ((rc = cmd_verify_written(published, 1)) != LB_EXIT_OK)
		goto out;
	rc = LB_EXIT_FAILURE;
	/* Before pruning: only a recorded, verified upload may ever count as off-site. */
	if (opts->upload > 0 && remote_upload_commit(settings.upload ? &rs : NULL, published,
	    uploaded == 1 ? &upload : NULL) < 0)
		upload_failed = 1;
	if (retention_prune(opts->output_dir, BACKUP_FULL_ARCHIVE, &policy, time(NULL), NULL,
	    opts->force ? RETENTION_FORCE : 0) >= 0)
		rc = upload_failed ? LB_EXIT_FAILURE : LB_EXIT_OK;
out:
	output_lock_release(lock);
	/* Published, whatever pruning did after it. */
	result->published = published;
	return rc;
}

const struct cmd_entry cmd_full_entry = {
	.name = "full",
	.bit = CMD_FULL,
	.operands = "",
	.summary = "snapshot the project: git state and history, dependency manifests, configuration "
	    "templates, system report and database dump, as a directory and a .tar.gz (--encrypt: a .tar.gz.enc only)",
	.flags = CMD_F_NOTIFY,
	.min_operands = 0,
	.max_operands = 0,
	.exec = cmd_full_exec,
};
