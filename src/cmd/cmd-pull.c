#include "base/interrupt.h"
#include "cmd/commands.h"
#include "remote/remote.h"

static int
cmd_pull_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct remote_settings rs;

	(void)argc;
	(void)result;
	/* A signal fails the pull like an error: its temporary file goes. */
	if (interrupt_install() < 0 || cmd_remote_settings(opts, &rs) < 0)
		return LB_EXIT_FAILURE;
	return remote_pull(&rs, argv[0]);	/* 0, 1 or 3: the exit statuses */
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
