#include "base/interrupt.h"
#include "cmd/commands.h"
#include "remote/remote.h"
#include "store/lock.h"
#include "store/outdir.h"

static int
cmd_pull_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct remote_settings rs;
	struct output_lock *lock = NULL;
	int rc;

	(void)argc;
	(void)result;
	/*
	 * A signal fails the pull like an error: its temporary file goes. The
	 * directory is made as db makes it (0700, a .gitignore) and written by
	 * one run at a time, as db writes it.
	 */
	if (interrupt_install() < 0 || cmd_remote_settings(opts, &rs) < 0 ||
	    output_dir_prepare(opts->output_dir) < 0 ||
	    (lock = output_lock_take(opts->output_dir, opts->wait_seconds)) == NULL)
		return LB_EXIT_FAILURE;
	rs.unchecked_ok = opts->force;
	rc = remote_pull(&rs, argv[0]);	/* 0, 1 or 3: the exit statuses */
	output_lock_release(lock);
	return rc;
}

const struct cmd_entry cmd_pull_entry = {
	.name = "pull",
	.bit = CMD_PULL,
	.operands = "NAME",
	.summary = "download a backup from the off-site store into the output directory, checked",
	.min_operands = 1,
	.max_operands = 1,
	.operand_error = "'pull' needs one backup NAME (see 'lotbackup list --remote')",
	.exec = cmd_pull_exec,
};
