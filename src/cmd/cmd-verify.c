#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backups.h"
#include "cmd/cmd-verify.h"
#include "cmd/commands.h"
#include "cmd/config.h"
#include "base/json.h"
#include "base/log.h"
#include "full/full-archive.h"
#include "full/full-restore.h"
#include "verify/verify-restore.h"
#include "verify/verify.h"
#include "base/xalloc.h"
#include "remote/remote-read.h"

static void
print_text(const struct verify_result *r)
{
	size_t i;

	printf("%s: %s\n", r->path, r->failed ? "FAILED" : "ok");
	for (i = 0; i < r->nchecks; i++)
		printf("  %-4s %-10s %s\n", r->checks[i].ok ? "ok" : "FAIL", r->checks[i].name, r->checks[i].detail);
}

static json_t *
result_json(const struct verify_result *r)
{
	json_t *checks = json_array();
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		json_array_append_new(checks, json_pack("{s:s, s:b, s:s}", "name", r->checks[i].name,
		    "ok", r->checks[i].ok, "detail", r->checks[i].detail));
	return json_pack("{s:s, s:b, s:o}", "file", r->path, "ok", !r->failed, "checks", checks);
}

/* The files to check: the operands, or the newest backup (the newest dump with --restore), or --all. */
static int
collect_targets(const struct options *opts, int argc, char **argv, char ***out, size_t *n)
{
	struct backup_entry *list = NULL;
	size_t count = 0, i;
	int j;

	*out = NULL;
	*n = 0;
	if (argc > 0) {
		*out = xcalloc((size_t)argc, sizeof(char *));
		for (j = 0; j < argc; j++) {
			char *path = NULL;
			size_t len;

			if (!cmd_remote_named(opts, argv[j]) &&
			    cmd_latest_operand(opts, argv[j], CMD_LATEST_ANY, &path) < 0)
				return -1;
			path = path != NULL ? path : xstrdup(argv[j]);
			/* "full-backup-X/" and "full-backup-X" are one backup with one record. */
			len = strlen(path);
			while (len > 1 && path[len - 1] == '/')
				path[--len] = '\0';
			(*out)[(*n)++] = path;
		}
		return 0;
	}
	if (backups_scan(opts->output_dir, &list, &count) < 0)
		return -1;
	*out = xcalloc(count ? count : 1, sizeof(char *));
	for (i = 0; i < count; i++) {
		/* A test restore loads dumps only: a newer full backup would pass with nothing loaded. */
		if (!opts->all && opts->verify_restore && list[i].kind != BACKUP_DB)
			continue;
		(*out)[(*n)++] = list[i].path;
		list[i].path = NULL;	/* now owned by *out */
		if (!opts->all)
			break;
	}
	backups_free(list, count);
	return 0;
}

static int
verify_remote(const struct options *opts, const char *operand, const struct verify_restore_settings *restore,
    struct verify_result *r)
{
	struct remote_settings rs;
	const char *name;

	memset(r, 0, sizeof(*r));
	/* No interrupt_install: verify --restore guards its scratch database itself. */
	if (cmd_remote_operand(opts, operand, &rs, &name) < 0)
		return -1;
	return remote_verify(&rs, name, opts->verify_restore ? restore : NULL, r);
}

static struct verify_restore_settings
restore_settings(const struct options *opts)
{
	struct verify_restore_settings s = { options_pg_target(opts), opts->scratch_db, opts->jobs,
		opts->split_mib == SPLIT_AUTO, opts->split_mib == SPLIT_AUTO ? 0 : (uint64_t)opts->split_mib << 20,
		opts->trusted };

	return s;
}

int
cmd_verify_after_dump(const struct options *opts, const char *path)
{
	struct verify_restore_settings restore = restore_settings(opts);
	struct verify_result r;
	int rc = LB_EXIT_FAILURE;

	/*
	 * The dump db has just made, from the server it is loaded back into:
	 * what only a superuser could make there is that server's own, so it
	 * is tested as --trusted tests it rather than left out.
	 */
	restore.trusted = 1;
	memset(&r, 0, sizeof(r));
	if (verify_db_dump(path, VERIFY_LEGACY, &r) < 0)
		goto out;
	if (!r.failed && verify_restore(&restore, path, &r) < 0)
		goto out;
	if (verify_record(&r) < 0)
		goto out;
	if (verify_log_failures(&r)) {
		log_error("%s was written but failed its restore test (--verify-restore): kept, not marked verified; "
		    "fix the cause above, or restore an earlier backup", path);
		rc = LB_EXIT_VERIFY;
		goto out;
	}
	log_info("%s loads: restored into a scratch database, rows and content as dumped", path);
	rc = LB_EXIT_OK;
out:
	verify_result_free(&r);
	return rc;
}

static int
cmd_verify_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct verify_restore_settings restore = restore_settings(opts);
	char **targets = NULL;
	size_t ntargets = 0, i;
	json_t *all = json_array();
	int rc = LB_EXIT_OK;

	(void)result;
	if (opts->remote && argc == 0) {
		log_error("verify --remote needs the NAME of an off-site backup (see lotbackup list --remote)");
		rc = LB_EXIT_USAGE;
		goto out;
	}
	if (argc > 0 && opts->all) {
		log_error("give either FILE operands or --all, not both");
		rc = LB_EXIT_USAGE;
		goto out;
	}
	if (config_use_key(opts) < 0 || collect_targets(opts, argc, argv, &targets, &ntargets) < 0) {
		rc = LB_EXIT_FAILURE;
		goto out;
	}
	if (ntargets == 0) {
		log_error("no backup in %s to verify (name a FILE, or run 'lotbackup db' first)", opts->output_dir);
		rc = LB_EXIT_FAILURE;
		goto out;
	}
	for (i = 0; i < ntargets; i++) {
		struct verify_result r;
		int remote = argc > 0 && cmd_remote_named(opts, targets[i]);

		/* Off-site: streamed and checked, the restore test included; no record is kept locally. */
		if (remote) {
			if (verify_remote(opts, targets[i], &restore, &r) < 0) {
				rc = LB_EXIT_FAILURE;
				verify_result_free(&r);
				continue;
			}
		} else if (verify_foreign_format(targets[i], &r)) {
			/* pg_dump's -Fc, -Ft or -Fd: named, not misread as a damaged dump or a full backup */
		} else if (full_backup_path(targets[i]) ? full_verify(targets[i], &r) < 0 :
		    verify_db_dump(targets[i], VERIFY_LEGACY, &r) < 0) {
			rc = LB_EXIT_FAILURE;
			verify_result_free(&r);
			continue;
		}
		if (argc > 0 && opts->verify_restore && full_backup_path(targets[i]))
			log_warn("%s is a full backup: its dump is not test-loaded by --restore; "
			    "run 'lotbackup verify --restore latest-db' for a test restore", targets[i]);
		/* A restore test only of a file that proved whole. */
		if (!remote && opts->verify_restore && !r.failed && !full_backup_path(targets[i]) &&
		    verify_restore(&restore, targets[i], &r) < 0) {
			rc = LB_EXIT_FAILURE;
			verify_result_free(&r);
			continue;
		}
		if (!remote && verify_record(&r) < 0)
			rc = LB_EXIT_FAILURE;
		if (verify_log_failures(&r) && rc == LB_EXIT_OK)
			rc = LB_EXIT_VERIFY;
		if (opts->json)
			json_array_append_new(all, result_json(&r));
		else if (log_get_level() >= LOG_INFO || r.failed)
			print_text(&r);
		verify_result_free(&r);
	}
	if (opts->json) {
		char *text = json_text(all);

		all = NULL;
		fputs(text, stdout);
		free(text);
	}
out:
	for (i = 0; i < ntargets; i++)
		free(targets[i]);
	free(targets);
	json_decref(all);
	return rc;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.bit = CMD_VERIFY,
	.operands = "[FILE|latest|latest-db|latest-full|s3://BUCKET/PREFIX/NAME...]",
	.summary = "check that backups are whole: manifest, size, SHA-256, gzip CRCs, completion marker, rows; full archives member by member",
	.min_operands = 0,
	.max_operands = CMD_OPERANDS_ANY,
	.exec = cmd_verify_exec,
};

int
cmd_verify_written(const char *path, int full)
{
	struct verify_result r;
	int rc;

	if (full ? full_verify(path, &r) < 0 : verify_db_dump(path, VERIFY_QUICK, &r) < 0) {
		verify_result_free(&r);
		return LB_EXIT_FAILURE;
	}
	rc = verify_record(&r) < 0 ? LB_EXIT_FAILURE : LB_EXIT_OK;
	if (verify_log_failures(&r))
		rc = LB_EXIT_VERIFY;
	else if (rc == LB_EXIT_OK)
		log_info("verified %s (%zu checks)", path, r.nchecks);
	verify_result_free(&r);
	return rc;
}
