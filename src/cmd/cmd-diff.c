#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd-db.h"
#include "cmd/commands.h"
#include "diff/diff.h"
#include "store/outdir.h"

#define DEFAULT_DIFF_LIMIT 20

/* The diff module's settings, from the options. */
static void
diff_settings(const struct options *opts, struct diff_settings *set)
{
	const char *tmp = getenv("TMPDIR");

	memset(set, 0, sizeof(*set));
	set->live = options_pg_target(opts);
	set->tables = opts->selection.patterns[SEL_TABLE];	/* --table, as given */
	set->ntables = opts->selection.npatterns[SEL_TABLE];
	set->rows = opts->diff_rows;
	set->json = opts->json;
	set->limit = opts->diff_limit < 0 ? DEFAULT_DIFF_LIMIT : (size_t)opts->diff_limit;
	set->spill_dir = tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp";
}

static int
exit_code(int rc)
{
	return rc == 0 ? LB_EXIT_OK : rc == 1 ? LB_EXIT_VERIFY : LB_EXIT_FAILURE;
}

/* BACKUP (and BACKUP2) may be latest, latest-db: the newest dump; latest-db-1 is not a thing. */
static int
diff_backups(const struct options *opts, struct diff_settings *set, int argc, char **argv)
{
	char *first = NULL, *second = NULL;
	int rc = LB_EXIT_FAILURE;

	if (cmd_latest_operand(opts, argv[0], CMD_LATEST_DB, &first) < 0 ||
	    (argc == 2 && cmd_latest_operand(opts, argv[1], CMD_LATEST_DB, &second) < 0))
		goto out;
	if (second != NULL)
		set->other = second;
	rc = exit_code(diff_run(set, first ? first : argv[0]));
out:
	free(first);
	free(second);
	return rc;
}

static int
cmd_diff_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct diff_settings set;

	(void)result;
	diff_settings(opts, &set);
	if (argc == 2) {
		if (opts->dbname_origin == PG_TARGET_FLAG) {
			log_error("diff compares BACKUP with --dbname LIVE or with a second BACKUP, not both");
			return LB_EXIT_USAGE;
		}
		set.other = argv[1];
	} else if (opts->dbname == NULL || opts->dbname_origin != PG_TARGET_FLAG) {
		log_error("diff needs --dbname LIVE (the database to compare with) or a second BACKUP;"
		    " DATABASE_URL is not assumed");
		return LB_EXIT_USAGE;
	} else if (opts->diff_rows) {
		log_error("--rows is for two backups; against a live database rows are always compared");
		return LB_EXIT_USAGE;
	}
	if (interrupt_install() < 0)
		return LB_EXIT_FAILURE;
	return diff_backups(opts, &set, argc, argv);
}

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.bit = CMD_DIFF,
	.operands = "BACKUP|latest [BACKUP2]",
	.summary = "compare a db backup with a live database (--dbname) or another backup, table by table",
	.min_operands = 1,
	.max_operands = 2,
	.operand_error = "'diff' needs a BACKUP, and --dbname LIVE or a second BACKUP",
	.exec = cmd_diff_exec,
};

static int
cmd_recover_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct diff_settings set;
	char *path = NULL, *latest = NULL, stamp[32];
	time_t now = time(NULL);
	int rc;

	(void)argc;
	(void)result;
	if (opts->dbname == NULL || opts->dbname_origin != PG_TARGET_FLAG) {
		log_error("recover needs --dbname LIVE, the database to put rows back into; DATABASE_URL is not assumed");
		return LB_EXIT_USAGE;
	}
	diff_settings(opts, &set);
	set.limit = 0;
	if (opts->recover_file != NULL) {
		path = xstrdup(opts->recover_file);
	} else {
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H-%M-%S", gmtime(&now));
		path = xasprintf("%s/recover-%s.sql", opts->output_dir, stamp);
		if (output_dir_prepare(opts->output_dir) < 0) {
			free(path);
			return LB_EXIT_FAILURE;
		}
	}
	set.recover_path = path;
	set.apply = opts->recover_apply;
	set.safety_dump = cmd_safety_dump;
	set.safety_dump_arg = opts;
	rc = interrupt_install() < 0 || cmd_latest_operand(opts, argv[0], CMD_LATEST_DB, &latest) < 0 ? -1 :
	    diff_run(&set, latest ? latest : argv[0]);
	free(path);
	free(latest);
	return exit_code(rc);
}

const struct cmd_entry cmd_recover_entry = {
	.name = "recover",
	.bit = CMD_RECOVER,
	.operands = "BACKUP|latest",
	.summary = "write the rows a live database lost since BACKUP as INSERTs to review (--apply runs them)",
	.min_operands = 1,
	.max_operands = 1,
	.operand_error = "'recover' needs one BACKUP, and --dbname LIVE",
	.exec = cmd_recover_exec,
};
