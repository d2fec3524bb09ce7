#include "commands.h"
#include "log.h"

static int
cmd_restore_exec(const struct options *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	log_error("'restore' is not implemented yet");
	return LB_EXIT_FAILURE;
}

const struct cmd_entry cmd_restore_entry = {
	"restore", CMD_RESTORE, "FILE",
	"restore a backup into a database or directory (not implemented yet)",
	cmd_restore_exec,
};
