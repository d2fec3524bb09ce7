#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd-db.h"
#include "cmd/commands.h"
#include "cmd/config.h"
#include "dump/dump-contents.h"
#include "dump/dump-reader.h"
#include "full/full-restore.h"
#include "base/json.h"
#include "base/log.h"
#include "io/progress.h"
#include "pg/pgsql.h"
#include "restore/restore-globals.h"
#include "restore/restore-db.h"
#include "store/outdir.h"
#include "base/xalloc.h"
#include "base/interrupt.h"
#include "remote/remote-read.h"

/* 1 when the scan found the dump damaged or cut short. */
static int
contents_damaged(const struct dump_contents *c)
{
	return c->read_rc != DUMP_READ_OK || !c->parse_ok ||
	    !(dump_contents_has_marker(c) || dump_contents_has_pg_dump_marker(c));
}

/* restore --list --json: the same, for machines. */
static void
print_contents_json(const char *path, const struct dump_contents *c, long long rows)
{
	json_t *tables = json_array(), *kinds = json_array();
	char *text;
	size_t i;

	for (i = 0; i < c->ntables; i++)
		json_array_append_new(tables, json_pack("{s:s, s:I}", "name", c->tables[i].qualified,
		    "rows", (json_int_t)c->tables[i].rows));
	for (i = 0; i < c->nkinds; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:I}", "kind", c->kinds[i].kind,
		    "count", (json_int_t)c->kinds[i].count));
	text = json_text(json_pack("{s:s, s:b, s:I, s:I, s:b, s:o, s:o}", "file", path, "gzip", c->read.gzip,
	    "sql_bytes", (json_int_t)c->read.sql_bytes, "rows", (json_int_t)rows, "damaged", contents_damaged(c),
	    "tables", tables, "statements", kinds));
	fputs(text, stdout);
	free(text);
}

/* restore --list: what the file holds, read without a server. */
static int
list_contents(const char *path, int json)
{
	struct dump_contents c;
	long long rows = 0;
	size_t i;

	if (dump_contents_scan(path, &c) < 0)
		return LB_EXIT_FAILURE;
	for (i = 0; i < c.ntables; i++)
		rows += c.tables[i].rows;
	if (json) {
		print_contents_json(path, &c, rows);
		dump_contents_free(&c);
		return LB_EXIT_OK;
	}
	printf("%s: %s SQL, %.1f MiB of SQL, %zu tables, %lld rows%s\n", path, c.read.gzip ? "gzip" : "plain",
	    (double)c.read.sql_bytes / (1024.0 * 1024.0), c.ntables, rows,
	    contents_damaged(&c) ? " (DAMAGED or cut short: run lotbackup verify)" : "");
	printf("\nTables (rows):\n");
	for (i = 0; i < c.ntables; i++)
		printf("  %12lld  %s\n", c.tables[i].rows, c.tables[i].qualified);
	printf("\nStatements by kind:\n");
	for (i = 0; i < c.nkinds; i++)
		printf("  %12lld  %s\n", c.kinds[i].count, c.kinds[i].kind);
	dump_contents_free(&c);
	return LB_EXIT_OK;
}

/* The safety dump before --clean, which says what a failure means here. */
static int
safety_dump(const void *arg)
{
	if (cmd_safety_dump(arg) == 0)
		return 0;
	log_error("not cleaning the target (fix the error, or pass --no-safety-dump to lose its current contents)");
	return -1;
}

/* --table, --data-only, --append: one table or a few, into a database that may hold others. */
static int
table_options_bad(const struct options *opts, int full)
{
	if (opts->selection.npatterns[SEL_TABLE] == 0 && (opts->selection.data_only || opts->restore_append)) {
		log_error("--data-only and --append go with --table");
		return 1;
	}
	if (opts->selection.npatterns[SEL_TABLE] > 0 && (full || opts->clean)) {
		log_error("--table restores tables of a db dump into a database as it is: not with %s",
		    full ? "a full backup" : "--clean");
		return 1;
	}
	if (opts->restore_append && !opts->selection.data_only) {
		log_error("--append goes with --data-only: rows into a table that holds rows already");
		return 1;
	}
	return 0;
}

/* The restore module's settings, from the options, once. */
static struct restore_db_settings
db_settings(const struct options *opts)
{
	struct restore_db_settings set;

	memset(&set, 0, sizeof(set));
	set.target = options_pg_target(opts);
	set.create = opts->create;
	set.clean = opts->clean;
	set.single_transaction = opts->single_transaction;
	set.keep_going = opts->keep_going;
	set.no_owner = opts->no_owner;
	set.progress = progress_wanted();
	set.jobs = opts->jobs;
	set.split_auto = opts->split_mib == SPLIT_AUTO;
	set.split_bytes = set.split_auto ? 0 : (uint64_t)opts->split_mib << 20;
	if (!opts->no_safety_dump) {
		set.safety_dump = safety_dump;
		set.safety_dump_arg = opts;
	}
	set.project_dir = opts->project_dir;
	if (opts->selection.npatterns[SEL_TABLE] > 0) {
		/* Options live for the whole run; so does this. */
		static struct restore_table_settings tables;

		tables.names = opts->selection.patterns[SEL_TABLE];	/* --table, as given */
		tables.nnames = opts->selection.npatterns[SEL_TABLE];
		tables.data_only = opts->selection.data_only;
		tables.append = opts->restore_append;
		set.tables = &tables;
	}
	return set;
}

/* restore_db_file's 0, 1 (failed verification) or -1 as an exit code. */
static int
exit_code(int rc)
{
	return rc == 0 ? LB_EXIT_OK : rc == 1 ? LB_EXIT_VERIFY : LB_EXIT_FAILURE;
}

/* restore --to: DB the database's settings, used only for a target given on the command line. */
static struct full_restore_settings
full_settings(const struct options *opts, const struct restore_db_settings *db)
{
	struct full_restore_settings full;

	full.to = opts->restore_to;
	full.with_uncommitted = opts->with_uncommitted;
	/* Only a target given on the command line: DATABASE_URL is never a restore target. */
	full.db = opts->dbname != NULL && opts->dbname_origin == PG_TARGET_FLAG ? db : NULL;
	return full;
}

/*
 * restore s3://BUCKET/PREFIX/NAME (or NAME --remote): a db dump, or a full
 * archive with --to, checked whole before it loads.
 */
static int
restore_remote(const struct options *opts, const char *operand)
{
	struct restore_db_settings db;
	struct full_restore_settings full;
	struct remote_settings rs;
	const char *name;

	if (opts->list_only) {
		log_error("--list reads local files: lotbackup pull %s first", operand);
		return LB_EXIT_USAGE;
	}
	if (table_options_bad(opts, full_backup_path(operand)))
		return LB_EXIT_USAGE;
	if (full_backup_path(operand)) {
		if (opts->restore_to == NULL) {
			log_error("%s is a full backup: give --to DIR (and --dbname TARGET to restore its database)", operand);
			return LB_EXIT_USAGE;
		}
		if (interrupt_install() < 0 || cmd_remote_operand(opts, operand, &rs, &name) < 0)
			return LB_EXIT_FAILURE;
		db = db_settings(opts);
		full = full_settings(opts, &db);
		return exit_code(remote_restore_full(&rs, name, &full));
	}
	if (opts->restore_to != NULL) {
		log_error("--to is for full backups; %s is a database dump", operand);
		return LB_EXIT_USAGE;
	}
	if (opts->dbname == NULL || opts->dbname_origin != PG_TARGET_FLAG) {
		log_error("restore needs --dbname TARGET: DATABASE_URL is never used as a restore target, on purpose");
		return LB_EXIT_USAGE;
	}
	if (opts->single_transaction && opts->keep_going) {
		log_error("--keep-going and --single-transaction exclude each other");
		return LB_EXIT_USAGE;
	}
	if (interrupt_install() < 0 || cmd_remote_operand(opts, operand, &rs, &name) < 0)
		return LB_EXIT_FAILURE;
	db = db_settings(opts);
	return exit_code(remote_restore(&rs, name, &db));
}

/* restore FILE, a local one. */
static int
restore_local(const struct options *opts, const char *file)
{
	struct restore_db_settings db;
	struct full_restore_settings fs;
	struct stat st;
	const char *foreign;
	int full;

	if ((foreign = dump_foreign_format(file)) != NULL) {
		log_error("%s is %s, not plain SQL: load it with pg_restore; lotbackup restores plain SQL dumps only",
		    file, foreign);
		return LB_EXIT_FAILURE;
	}
	full = full_backup_path(file);
	if (opts->list_only && full) {
		log_error("--list reads database dumps; for a full backup see its MANIFEST.json or run lotbackup verify");
		return LB_EXIT_USAGE;
	}
	if (opts->list_only)
		return list_contents(file, opts->json);
	if (opts->trusted && !opts->globals) {
		log_error("restore --trusted goes with --globals FILE: a dump's own statements are checked either way");
		return LB_EXIT_USAGE;
	}
	if (opts->globals) {
		if (opts->dbname == NULL || opts->dbname_origin != PG_TARGET_FLAG || full || opts->restore_to != NULL) {
			log_error("restore --globals FILE needs --dbname naming a database of the target server "
			    "(e.g. -d dbname=postgres), and FILE a db dump's NAME.globals.sql");
			return LB_EXIT_USAGE;
		}
		db = db_settings(opts);
		return exit_code(restore_globals_file(&db.target, file, opts->trusted));
	}
	if (opts->dbname != NULL && opts->dbname_origin != PG_TARGET_FLAG &&
	    !full) {
		log_error("restore needs --dbname TARGET: DATABASE_URL is never used as a restore target, on purpose");
		return LB_EXIT_USAGE;
	}
	if (!full && opts->dbname == NULL) {
		log_error("restore needs --dbname TARGET (or --to DIR for a full backup)");
		return LB_EXIT_USAGE;
	}
	if (opts->single_transaction && opts->keep_going) {
		log_error("--keep-going and --single-transaction exclude each other");
		return LB_EXIT_USAGE;
	}
	if (table_options_bad(opts, full))
		return LB_EXIT_USAGE;
	if (full) {
		if (opts->restore_to == NULL) {
			log_error("%s is a full backup: give --to DIR (and --dbname TARGET to restore its database)", file);
			return LB_EXIT_USAGE;
		}
		if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
			log_error("%s is a full backup directory: restore from its .tar.gz archive", file);
			return LB_EXIT_USAGE;
		}
		db = db_settings(opts);
		fs = full_settings(opts, &db);
		return exit_code(full_restore(&fs, file));
	}
	if (opts->restore_to != NULL) {
		log_error("--to is for full backups; %s is a database dump", file);
		return LB_EXIT_USAGE;
	}
	db = db_settings(opts);
	return exit_code(restore_db_file(&db, file));
}

static int
cmd_restore_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	char *latest = NULL;
	int rc;

	(void)argc;
	(void)result;
	if (options_check_json(opts, "restore", opts->list_only) < 0)
		return LB_EXIT_USAGE;
	if (config_use_key(opts) < 0)
		return LB_EXIT_FAILURE;
	if (cmd_remote_named(opts, argv[0]))
		return restore_remote(opts, argv[0]);
	/* `latest`: the newest db dump, or with --to the newest full backup. */
	if (cmd_latest_operand(opts, argv[0], opts->restore_to != NULL ? CMD_LATEST_FULL : CMD_LATEST_DB, &latest) < 0)
		return LB_EXIT_FAILURE;
	rc = restore_local(opts, latest != NULL ? latest : argv[0]);
	free(latest);
	return rc;
}

const struct cmd_entry cmd_restore_entry = {
	.name = "restore",
	.bit = CMD_RESTORE,
	.operands = "FILE|latest|latest-db|latest-full|s3://BUCKET/PREFIX/NAME",
	.summary = "restore a db dump (lotbackup's or pg_dump's plain SQL) into --dbname, or a full backup --to DIR, safely",
	.min_operands = 1,
	.max_operands = 1,
	.operand_error = "restore takes one FILE",
	.exec = cmd_restore_exec,
};
