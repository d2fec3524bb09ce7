#include "commands.h"
#include "log.h"

static int
cmd_verify_exec(const struct options *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	log_error("'verify' is not implemented yet");
	return LB_EXIT_FAILURE;
}

const struct cmd_entry cmd_verify_entry = {
	"verify", CMD_VERIFY, "[FILE...]",
	"check that a backup is whole and restorable (not implemented yet)",
	cmd_verify_exec,
};
