#include <stdlib.h>
#include <time.h>

#include "store/backups.h"
#include "cmd/commands.h"
#include "base/fsutil.h"
#include "full/full-backup.h"
#include "base/interrupt.h"
#include "store/lock.h"
#include "base/log.h"
#include "ops/retention.h"

static int
cmd_full_exec(const struct options *opts, int argc, char **argv)
{
	struct retention_policy policy;
	struct output_lock *lock;
	char *published = NULL;
	int rc = LB_EXIT_FAILURE;

	(void)argc;
	(void)argv;
	if (opts->archive_only && opts->dir_only) {
		log_error("--archive-only and --dir-only exclude each other");
		return LB_EXIT_USAGE;
	}
	if (interrupt_install() < 0 || fs_mkdir_private(opts->output_dir) < 0 || (lock = output_lock_take(opts->output_dir, opts->wait_seconds)) == NULL)
		return LB_EXIT_FAILURE;
	/* Pruning only after a good backup, under the same lock; none unless a policy is configured. */
	options_retention_after(opts, BACKUP_FULL_ARCHIVE, &policy);
	if (full_backup_run(opts, &published) == 0 &&
	    retention_prune(opts->output_dir, BACKUP_FULL_ARCHIVE, &policy, time(NULL), NULL,
	    opts->force ? RETENTION_FORCE : 0) >= 0)
		rc = LB_EXIT_OK;
	output_lock_release(lock);
	/* Published, whatever pruning did after it. */
	if (opts->published != NULL)
		*opts->published = published;
	else
		free(published);
	return rc;
}

const struct cmd_entry cmd_full_entry = {
	.name = "full",
	.bit = CMD_FULL,
	.operands = "",
	.summary = "snapshot the project: git state and history, dependency manifests, configuration "
	    "templates, system report and database dump, as a directory and a .tar.gz",
	.flags = CMD_F_NOTIFY,
	.min_operands = 0,
	.max_operands = 0,
	.operand_error = "'full' takes no operands",
	.exec = cmd_full_exec,
};
