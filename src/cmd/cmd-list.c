#include "cmd/commands.h"
#include "ops/list.h"
#include "remote/remote.h"

int
cmd_list_backups(const struct options *opts)
{
	struct list_settings settings = { opts->output_dir, opts->json, opts->wide, { 0 } };

	/* The rules shown are those `lotbackup prune` applies now. */
	options_retention_gfs(opts, &settings.policy);
	return list_backups(&settings) < 0 ? LB_EXIT_FAILURE : LB_EXIT_OK;
}

static int
cmd_list_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct remote_settings rs;

	(void)argc;
	(void)argv;
	(void)result;
	if (!opts->remote)
		return cmd_list_backups(opts);
	if (cmd_remote_settings(opts, &rs) < 0 || remote_list(&rs) < 0)
		return LB_EXIT_FAILURE;
	return LB_EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.bit = CMD_LIST,
	.operands = "",
	.summary = "list the backups in the output directory (--remote: off-site), newest first; STATE: "
	    "M manifest (L legacy: the old scripts', none), V verified, O off-site copy",
	.min_operands = 0,
	.max_operands = 0,
	.exec = cmd_list_exec,
};
