#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/config.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/textdist.h"
#include "base/xalloc.h"
#include "ops/metrics.h"
#include "ops/notify.h"
#include "cmd/options.h"
#include "base/version.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_full_entry,
	&cmd_db_entry,
	&cmd_list_entry,
	&cmd_restore_entry,
	&cmd_verify_entry,
	&cmd_prune_entry,
	&cmd_pin_entry,
	&cmd_unpin_entry,
	&cmd_status_entry,
	&cmd_push_entry,
	&cmd_pull_entry,
	&cmd_keygen_entry,
	&cmd_diff_entry,
	&cmd_recover_entry,
};

#define NCMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static void
print_exit_status(FILE *fp)
{
	fputs("\nExit status:\n"
	    "    0  success\n"
	    "    1  failure (a failed backup publishes nothing; earlier ones are untouched)\n"
	    "    2  usage error\n"
	    "    3  verification found a problem\n"
	    "  130  interrupted by SIGINT (db, full: after removing what the run had written)\n"
	    "  143  interrupted by SIGTERM (likewise)\n", fp);
}

static void
usage(FILE *fp)
{
	size_t i;

	fputs("usage: lotbackup [options] command [command options] [operands]\n\n"
	    "Backs up a PostgreSQL database and a git project, and restores them.\n\n"
	    "Commands:\n", fp);
	for (i = 0; i < NCMDS; i++) {
		fprintf(fp, "  %-10s ", cmd_table[i]->name);
		options_print_wrapped(fp, 13, 13, cmd_table[i]->summary);
	}
	fputs("\nOptions for every command (before or after its name):\n", fp);
	options_print_help(fp, CMD_ANY);
	fputs("  -V, --version                print the version and exit\n", fp);
	fputs("\nRun 'lotbackup COMMAND --help' for a command's own options.\n"
	    "Connection: -d/--dbname, else DATABASE_URL (environment, then PROJECT/.env),\n"
	    "else DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD (DB_SSL) when\n"
	    "DATABASE_URL is unset or a placeholder, else libpq's PG* variables and\n"
	    "~/.pgpass; -h HOST, -p PORT and -U USER replace their parts, as in pg_dump.\n", fp);
	print_exit_status(fp);
}

static void
cmd_usage(FILE *fp, const struct cmd_entry *cmd)
{
	char *line = xasprintf("usage: lotbackup %s [options] %s", cmd->name, cmd->operands);

	options_print_wrapped(fp, 0, 7, line);
	free(line);
	fputc('\n', fp);
	options_print_wrapped(fp, 0, 0, cmd->summary);
	fputs("\nOptions:\n", fp);
	options_print_help(fp, cmd->bit);
	fputs("\nAnd those of every command (-C DIR, -o DIR, -q, -v): see 'lotbackup --help',\n"
	    "which also lists the exit statuses.\n", fp);
}

static const struct cmd_entry *
find_command(const char *name)
{
	const char *names[NCMDS + 1], *near;
	size_t i;

	for (i = 0; i < NCMDS; i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
		names[i] = cmd_table[i]->name;
	}
	names[NCMDS] = NULL;
	if ((near = text_nearest(name, names)) != NULL)
		log_error("unknown command '%s': did you mean '%s'? (run 'lotbackup --help' for the list)", name, near);
	else
		log_error("unknown command '%s': run 'lotbackup --help' for the list", name);
	return NULL;
}

/*
 * The command's argv (ARGC - 1 of them): its name, the options given
 * before it (`lotbackup --json list` is `lotbackup list --json`), the rest.
 */
static char **
command_argv(int argc, char **argv, int at)
{
	char **out = xcalloc((size_t)argc + 1, sizeof(char *));
	int i, n = 0;

	out[n++] = argv[at];
	for (i = 1; i < at; i++)
		out[n++] = argv[i];
	for (i = at + 1; i < argc; i++)
		out[n++] = argv[i];
	return out;
}

/* The one check of the operand count, for every command. 0 or -1 (reported). */
static int
check_operands(const struct cmd_entry *cmd, int n)
{
	if (n < cmd->min_operands || (cmd->max_operands != CMD_OPERANDS_ANY && n > cmd->max_operands)) {
		if (cmd->operand_error != NULL)
			log_error("%s (see 'lotbackup %s --help')", cmd->operand_error, cmd->name);
		else
			log_error("'%s' takes no operands (see 'lotbackup %s --help')", cmd->name, cmd->name);
		return -1;
	}
	return 0;
}

/*
 * Tells --notify-url and --metrics-file how the command ended. A usage error, or a --dry-run
 * or --list that ran no job, is no run to report; any other end of a job
 * is, after all else is done.
 */
static void
report_run(const struct cmd_entry *cmd, const struct options *opts, int rc, const struct timespec *start,
    const struct timespec *end, const char *published)
{
	struct notify_run run = {
		cmd->name, interrupt_exit_code(rc),
		(double)(end->tv_sec - start->tv_sec) + (double)(end->tv_nsec - start->tv_nsec) / 1e9, published,
	};

	if (!(cmd->flags & CMD_F_NOTIFY) || rc == LB_EXIT_USAGE || opts->list_only || opts->dry_run)
		return;
	/* The metrics file only says how it went: a failure to write it is reported, and changes nothing. */
	if (opts->metrics_file != NULL && opts->output_dir != NULL)
		metrics_write(opts->metrics_file, &run, opts->output_dir);
	if (opts->notify_url != NULL)
		notify_send(opts->notify_url, opts->notify_method, &run, opts->notify_timeout);
}

int
main(int argc, char **argv)
{
	struct options opts;
	const struct cmd_entry *cmd;
	struct timespec start, end;
	struct cmd_result result = { NULL };
	char **cargv = NULL;
	int next = 1, rc;

	options_init(&opts);
	/* -V/--version only make sense before a command; handle them first. */
	if (argc > 1 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
		printf("lotbackup %s\n", LOTBACKUP_VERSION);
		return LB_EXIT_OK;
	}
	rc = options_scan_global(argc, argv, &next);
	if (rc == 1 && next >= argc) {
		usage(stdout);
		rc = LB_EXIT_OK;
		goto out;
	}
	if (rc < 0 || next >= argc) {
		if (rc == 0)
			log_error("no command given: run 'lotbackup --help' for the list");
		else
			fputs("Run 'lotbackup --help' for the commands and options.\n", stderr);
		rc = LB_EXIT_USAGE;
		goto out;
	}
	cmd = find_command(argv[next]);
	if (cmd == NULL) {
		rc = LB_EXIT_USAGE;
		goto out;
	}
	cargv = command_argv(argc, argv, next);
	argc--;		/* the program's name is gone */
	argv = cargv;
	rc = options_parse(&opts, argc, argv, &next, cmd->bit, cmd->name);
	if (rc == 1) {
		cmd_usage(stdout, cmd);
		rc = LB_EXIT_OK;
		goto out;
	}
	if (rc < 0) {
		fprintf(stderr, "Run 'lotbackup %s --help' for its options.\n", cmd->name);
		rc = LB_EXIT_USAGE;
		goto out;
	}
	log_set_level(opts.verbosity < 0 ? LOG_WARN : opts.verbosity > 0 ? LOG_DEBUG : LOG_INFO);
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (config_resolve(&opts) < 0) {
		/* A typo in .env must not silence the nightly job: the monitor hears of it. */
		rc = LB_EXIT_FAILURE;
		report_run(cmd, &opts, rc, &start, &start, NULL);
		goto out;
	}
	if (check_operands(cmd, argc - next) < 0) {
		rc = LB_EXIT_USAGE;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = cmd->exec(&opts, argc - next, argv + next, &result);
	clock_gettime(CLOCK_MONOTONIC, &end);
	report_run(cmd, &opts, rc, &start, &end, result.published);
out:
	free(cargv);
	free(result.published);
	options_free(&opts);
	return interrupt_exit_status(rc);
}
