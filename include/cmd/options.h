#ifndef LOTBACKUP_OPTIONS_H
#define LOTBACKUP_OPTIONS_H

#include <stdio.h>

#include "pg/pgsql.h"
#include "store/backups.h"
#include "store/selection.h"

struct retention_policy;

/* Exit statuses; man/lotbackup.1 and --help list the same four. */
enum {
	LB_EXIT_OK = 0,
	LB_EXIT_FAILURE = 1,
	LB_EXIT_USAGE = 2,
	LB_EXIT_VERIFY = 3,
};

/* Which commands accept an option: one bit per command. */
enum {
	CMD_FULL = 1 << 0,
	CMD_DB = 1 << 1,
	CMD_LIST = 1 << 2,
	CMD_RESTORE = 1 << 3,
	CMD_VERIFY = 1 << 4,
	CMD_PRUNE = 1 << 5,
	CMD_PIN = 1 << 6,
	CMD_UNPIN = 1 << 7,
	CMD_STATUS = 1 << 8,
	CMD_PUSH = 1 << 9,
	CMD_PULL = 1 << 10,
	CMD_KEYGEN = 1 << 11,
	CMD_DIFF = 1 << 12,
	CMD_RECOVER = 1 << 13,
	CMD_ANY = 0x3fff,
};

#define DEFAULT_KEEP_DAYS 30
#define DEFAULT_COMPRESS_LEVEL 5
/* The documented policy: daily backups 30 days, weekly 12 weeks, monthly 12 months. */
#define DEFAULT_KEEP_DAILY 30
#define DEFAULT_KEEP_WEEKLY 12
#define DEFAULT_KEEP_MONTHLY 12
#define DEFAULT_MAX_AGE (26 * 3600)
#define DEFAULT_NOTIFY_TIMEOUT 10
/* --split-tables-larger-than auto (the default): the restore works out the size. */
#define SPLIT_AUTO (-2)

/*
 * The parsed options: the only global state of the program. Filled in
 * order of precedence: command line, then environment, then the .env file
 * in the project directory, then defaults (see config.h).
 */
struct options {
	char *project_dir;		/* -C; default "." */
	char *output_dir;		/* -o; default PROJECT/backups */
	char *dbname;			/* -d, DATABASE_URL; NULL: libpq's PG* defaults */
	enum pg_target_origin dbname_origin;	/* where dbname came from */
	char *pg_host;			/* -h, -p, -U as in pg_dump: combined into dbname (config.c) */
	char *pg_port;
	char *pg_user;
	int verbosity;			/* -1 quiet, 0 normal, 1 verbose */
	int json;
	int wide;			/* list --wide */
	int dry_run;
	int keep_days;			/* -1 until resolved */
	int keep_days_given;		/* --keep on the command line */
	int keep_daily;			/* GFS policy; -1 until resolved */
	int keep_weekly;
	int keep_monthly;
	int policy_given;		/* a --keep-daily/weekly/monthly on the command line */
	int policy_configured;		/* that, or a LOTBACKUP_KEEP_DAILY/WEEKLY/MONTHLY setting */
	char *timezone;			/* for the policy's days, weeks and months; NULL: UTC */
	int force;			/* prune more than half at once */
	char *pin_reason;		/* pin --reason */
	long max_age;			/* status --max-age, seconds; -1 until resolved */
	char *kind_filter;		/* status --kind db|full */
	char *notify_url;		/* --notify-url; NULL: none */
	char *metrics_file;		/* --metrics-file; NULL: none */
	int notify_timeout;		/* seconds; -1 until resolved */
	int notify_method;		/* NOTIFY_GET or NOTIFY_POST (notify.h); -1 until resolved */
	int list_only;			/* db --list */
	int serializable_deferrable;
	int lock_timeout_ms;		/* -1 until resolved; 0 none */
	int with_owner;
	int with_privileges;
	int user_mapping_secrets;	/* db --user-mapping-secrets */
	int no_security_labels;		/* db --no-security-labels */
	int compress_level;		/* -1 until resolved */
	int jobs;			/* compression threads; -1 until resolved */
	int split_mib;			/* restore: load tables above this in parts; 0 never; SPLIT_AUTO; -1 until resolved */
	int wait_seconds;		/* --wait for the output directory lock */
	int all;			/* verify --all */
	int clean;			/* restore --clean */
	int no_safety_dump;
	int create;
	int single_transaction;
	int keep_going;
	int no_owner;		/* restore -O */
	int verify_restore;		/* verify --restore */
	int trusted;			/* verify --restore --trusted */
	char *scratch_db;
	int no_git;			/* full */
	int allow_broken_git;
	int git_packs;
	int submodules;
	int scan_history;		/* --scan-history */
	char *extra_files;		/* LOTBACKUP_EXTRA_FILES: more files for full's deps/ */
	int archive_only;
	int dir_only;
	int require_db;
	char *restore_to;		/* restore --to DIR */
	int with_uncommitted;
	/* Off-site (push, pull, list --remote): LOTBACKUP_S3_*, AWS_* keys; never printed. */
	int remote;			/* list --remote */
	char *s3_url;
	char *s3_endpoint;
	char *s3_region;
	char *s3_access_key;
	char *s3_secret_key;
	int s3_path_style;		/* -1 until resolved */
	char *s3_ca_file;		/* LOTBACKUP_S3_CA_FILE, else CURL_CA_BUNDLE, else SSL_CERT_FILE */
	const char *s3_ca_setting;	/* which of those named it (a static string) */
	int part_mib;			/* --part-size; -1 until resolved */
	int upload_jobs;		/* -1 until resolved */
	int encrypt;			/* db --encrypt, LOTBACKUP_ENCRYPT=1 */
	char *key_file;			/* --key-file, LOTBACKUP_KEY_FILE */
	int passphrase_set;		/* LOTBACKUP_PASSPHRASE was found (held by crypt/, not here) */
	int upload;			/* db|full --upload (LOTBACKUP_UPLOAD=1); -1 until resolved */
	int all_databases;		/* db --all-databases */
	int globals;			/* db --globals: write NAME.globals.sql; restore --globals FILE */
	/*
	 * -t/--table and -a/--data-only are one option each, for every command
	 * that takes them: db|full's selection (psql patterns; LOTBACKUP_TABLE,
	 * LOTBACKUP_DATA_ONLY and the like, for db and full only), diff, recover
	 * and restore --table's tables (names), restore --table's --data-only.
	 */
	struct db_selection selection;	/* -n/-N/-t/-T/--exclude-table-data/-s/-a/--strict-names */
	int diff_rows;			/* diff of two backups: --rows */
	int diff_limit;			/* rows shown per table and kind; -1 until resolved */
	char *recover_file;		/* recover --file */
	int recover_apply;		/* recover --apply */
	int restore_append;		/* restore --table --data-only --append */
	int db_verify_restore;		/* db --verify-restore (LOTBACKUP_VERIFY_RESTORE=1); -1 until resolved */
	unsigned cmd_bit;		/* the command's CMD_* bit (options_parse) */
};

/*
 * Parses argv from index *optind_io for the command CMD_NAME (argv[0])
 * with the options of cmd_bit. Returns 0, 1 when --help (or -?) was
 * given, or -1 on a usage error (reported, with a "did you mean" when
 * an option's name is a typo away).
 */
int options_parse(struct options *opts, int argc, char **argv, int *optind_io, unsigned cmd_bit,
    const char *cmd_name);
/*
 * The options before the command: recognised (any command's), applied
 * by none; *optind_io is the command name's index. 0, 1 (--help) or -1.
 */
int options_scan_global(int argc, char **argv, int *optind_io);
/* --json where the command prints no result: -1 (reported, a usage error), else 0. */
int options_check_json(const struct options *opts, const char *cmd_name, int means_something);
void options_init(struct options *opts);
/* The database the options name, for the modules' settings. */
struct pg_target options_pg_target(const struct options *opts);
void options_free(struct options *opts);
/*
 * The retention policies the options ask for. `prune` and `list` use the
 * GFS policy (given, set, or the defaults 30/12/12). After a good `db`: the
 * GFS policy when one is configured and --keep is not given, else the day
 * rule of --keep / LOTBACKUP_KEEP_DAYS. After a good `full`: the GFS policy
 * when configured, else none.
 */
void options_retention_gfs(const struct options *opts, struct retention_policy *out);
void options_retention_after(const struct options *opts, enum backup_kind family, struct retention_policy *out);
/* Prints the option list for `cmd_bit` (CMD_ANY: the common ones), within 80 columns. */
void options_print_help(FILE *fp, unsigned cmd_bit);
/* Prints TEXT from column COL on in lines ending by column 80, continued at column INDENT. */
void options_print_wrapped(FILE *fp, size_t col, size_t indent, const char *text);
/* Parses a whole non-negative number within [min,max]; -1 when it is not one. */
int options_parse_int(const char *s, int min, int max, int *out);
/* --split-tables-larger-than: "auto" (SPLIT_AUTO) or MiB, 0 to 1048576. 0 or -1. */
int options_parse_split(const char *s, int *out);
/* "26h", "90m", "2d", "1d12h", "3600" (seconds) -> seconds; -1 when it is not one. */
int options_parse_duration(const char *s, long *out);

#endif
