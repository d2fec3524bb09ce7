#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/backups.h"
#include "cmd/commands.h"
#include "base/fsutil.h"
#include "store/lock.h"
#include "base/log.h"
#include "ops/retention.h"
#include "ops/retention-json.h"
#include "base/json.h"
#include "remote/remote-prune.h"

/* prune --remote: the off-site store under the same policy; local pins and records count. */
static int
prune_remote(const struct options *opts, const struct retention_policy *policy, int flags)
{
	static const enum backup_kind families[] = { BACKUP_DB, BACKUP_FULL_ARCHIVE };
	struct remote_settings rs;
	time_t now = time(NULL);
	size_t i;
	int rc = LB_EXIT_OK;

	if (cmd_remote_settings(opts, &rs) < 0)
		return LB_EXIT_FAILURE;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (opts->kind_filter && strcmp(opts->kind_filter, backup_kind_label(families[i])) != 0)
			continue;
		if (remote_prune(&rs, families[i], policy, now, flags) < 0)
			rc = LB_EXIT_FAILURE;
	}
	return rc;
}

int
cmd_print_plan_json(const struct options *opts, int only, const struct retention_policy *policy)
{
	static const enum backup_kind families[] = { BACKUP_DB, BACKUP_FULL_ARCHIVE };
	json_t *all = json_array(), *one;
	size_t i;
	char *text;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if ((only >= 0 && (int)families[i] != only) ||
		    (opts->kind_filter && strcmp(opts->kind_filter, families[i] == BACKUP_DB ? "db" : "full") != 0))
			continue;
		if ((one = retention_plan_json(opts->output_dir, families[i], policy, time(NULL), opts->force)) == NULL) {
			json_decref(all);
			return LB_EXIT_FAILURE;
		}
		json_array_append_new(all, one);
	}
	text = json_text(all);
	fputs(text, stdout);
	free(text);
	return LB_EXIT_OK;
}

/*
 * The whole directory once, before either kind: retention_prune would
 * refuse each kind alike, and one line says it (dry runs note it per kind).
 */
static int
future_check(const char *dir)
{
	struct backup_entry *list = NULL;
	size_t n = 0;
	int rc;

	if (backups_scan(dir, &list, &n) < 0)
		return -1;
	rc = retention_future_check(list, n, dir, time(NULL), 0);
	backups_free(list, n);
	return rc;
}

static int
cmd_prune_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	static const enum backup_kind families[] = { BACKUP_DB, BACKUP_FULL_ARCHIVE };
	struct output_lock *lock = NULL;
	struct retention_policy policy;
	int rc = LB_EXIT_OK, flags = (opts->force ? RETENTION_FORCE : 0) | (opts->dry_run ? RETENTION_DRY_RUN : 0);
	size_t i;

	(void)argc;
	(void)result;
	(void)argv;
	if (options_check_json(opts, "prune", opts->dry_run && !opts->remote) < 0)
		return LB_EXIT_USAGE;
	options_retention_gfs(opts, &policy);
	if (opts->json)
		return cmd_print_plan_json(opts, -1, &policy);
	if (opts->remote)
		return prune_remote(opts, &policy, flags);
	switch (fs_exists(opts->output_dir)) {
	case 0:
		log_info("no backups in %s: nothing to prune", opts->output_dir);
		return LB_EXIT_OK;
	case -1:
		return LB_EXIT_FAILURE;
	}
	/* Deleting waits for, or refuses to run beside, any run that writes here; a dry run deletes nothing. */
	if (!opts->dry_run && (lock = output_lock_take(opts->output_dir, opts->wait_seconds)) == NULL)
		return LB_EXIT_FAILURE;
	if (!opts->dry_run && future_check(opts->output_dir) < 0) {
		output_lock_release(lock);
		return LB_EXIT_FAILURE;
	}
	/* db and full separately: each kind its own buckets, its own newest verified, its own half. */
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (opts->kind_filter && strcmp(opts->kind_filter, families[i] == BACKUP_DB ? "db" : "full") != 0)
			continue;
		if (retention_prune(opts->output_dir, families[i], &policy, time(NULL), NULL, flags) < 0)
			rc = LB_EXIT_FAILURE;
	}
	output_lock_release(lock);
	return rc;
}

const struct cmd_entry cmd_prune_entry = {
	.name = "prune",
	.bit = CMD_PRUNE,
	.operands = "",
	.summary = "delete the backups the retention policy no longer keeps (db and full each on its own)",
	.flags = CMD_F_NOTIFY,
	.min_operands = 0,
	.max_operands = 0,
	.exec = cmd_prune_exec,
};
