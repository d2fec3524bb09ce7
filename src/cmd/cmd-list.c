#include "cmd/commands.h"
#include "ops/list.h"
#include "base/log.h"

static int
cmd_list_exec(const struct options *opts, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		log_error("'list' takes no operands (see 'lotbackup list --help')");
		return LB_EXIT_USAGE;
	}
	return list_backups(opts) < 0 ? LB_EXIT_FAILURE : LB_EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	"list", CMD_LIST, "",
	"list the backups in the output directory, newest first",
	cmd_list_exec,
};
