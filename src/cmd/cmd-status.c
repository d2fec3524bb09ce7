#include "cmd/commands.h"
#include "ops/status.h"
#include "remote/remote-read.h"

static int
cmd_status_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct status_settings settings = { opts->output_dir, opts->json, opts->max_age, opts->kind_filter };

	(void)argc;
	(void)argv;
	(void)result;
	if (opts->remote) {
		struct remote_settings rs;

		if (cmd_remote_settings(opts, &rs) < 0)
			return LB_EXIT_FAILURE;
		return remote_status(&rs, opts->max_age, opts->kind_filter, opts->json) == 0 ? LB_EXIT_OK :
		    LB_EXIT_FAILURE;
	}
	return status_report(&settings) == 0 ? LB_EXIT_OK : LB_EXIT_FAILURE;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.bit = CMD_STATUS,
	.operands = "",
	.summary = "newest backup of each kind, its age and verification, free disk space; exit 1 when "
	    "the newest verified backup is older than --max-age",
	.min_operands = 0,
	.max_operands = 0,
	.exec = cmd_status_exec,
};
