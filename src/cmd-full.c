#include "commands.h"
#include "log.h"

static int
cmd_full_exec(const struct options *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	log_error("'full' is not implemented yet");
	return LB_EXIT_FAILURE;
}

const struct cmd_entry cmd_full_entry = {
	"full", CMD_FULL, "",
	"snapshot code, git state, configuration and database (not implemented yet)",
	cmd_full_exec,
};
