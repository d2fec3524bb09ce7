#include "cmd/commands.h"
#include "base/log.h"
#include "ops/status.h"

static int
cmd_status_exec(const struct options *opts, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		log_error("'status' takes no operands (see 'lotbackup status --help')");
		return LB_EXIT_USAGE;
	}
	return status_report(opts) == 0 ? LB_EXIT_OK : LB_EXIT_FAILURE;
}

const struct cmd_entry cmd_status_entry = {
	"status", CMD_STATUS, "",
	"newest backup of each kind, its age and verification, free disk space; exit 1 when "
	"the newest verified backup is older than --max-age",
	cmd_status_exec,
};
