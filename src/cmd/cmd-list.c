#include "cmd/commands.h"
#include "ops/list.h"
#include "base/log.h"

static int
cmd_list_exec(const struct options *opts, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return list_backups(opts) < 0 ? LB_EXIT_FAILURE : LB_EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.bit = CMD_LIST,
	.operands = "",
	.summary = "list the backups in the output directory, newest first",
	.min_operands = 0,
	.max_operands = 0,
	.operand_error = "'list' takes no operands",
	.exec = cmd_list_exec,
};
