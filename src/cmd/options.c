#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "pg/conninfo.h"
#include "ops/notify.h"
#include "ops/retention-plan.h"
#include "cmd/options.h"
#include "base/strbuf.h"
#include "base/textdist.h"
#include "base/xalloc.h"

/* Long-only options get ids above the char range. */
enum {
	OPT_KEEP = 256,
	OPT_DRY_RUN,
	OPT_LIST,
	OPT_JSON,
	OPT_SERIALIZABLE_DEFERRABLE,
	OPT_LOCK_TIMEOUT,
	OPT_OWNER,
	OPT_PRIVILEGES,
	OPT_USER_MAPPING_SECRETS,
	OPT_NO_SECURITY_LABELS,
	OPT_COMPRESS_LEVEL,
	OPT_ALL,
	OPT_CLEAN,
	OPT_NO_SAFETY_DUMP,
	OPT_CREATE,
	OPT_SINGLE_TRANSACTION,
	OPT_KEEP_GOING,
	OPT_RESTORE,
	OPT_TRUSTED,
	OPT_SCRATCH_DB,
	OPT_NO_GIT,
	OPT_ALLOW_BROKEN_GIT,
	OPT_ARCHIVE_ONLY,
	OPT_DIR_ONLY,
	OPT_REQUIRE_DB,
	OPT_TO,
	OPT_WITH_UNCOMMITTED,
	OPT_GIT_PACKS,
	OPT_SUBMODULES,
	OPT_SCAN_HISTORY,
	OPT_JOBS,
	OPT_SPLIT_TABLES,
	OPT_WAIT,
	OPT_KEEP_DAILY,
	OPT_KEEP_WEEKLY,
	OPT_KEEP_MONTHLY,
	OPT_TIMEZONE,
	OPT_FORCE,
	OPT_REASON,
	OPT_MAX_AGE,
	OPT_KIND,
	OPT_NOTIFY_URL,
	OPT_NOTIFY_METHOD,
	OPT_METRICS_FILE,
	OPT_REMOTE,
	OPT_S3_PATH_STYLE,
	OPT_PART_SIZE,
	OPT_UPLOAD_JOBS,
	OPT_ENCRYPT,
	OPT_KEY_FILE,
	OPT_UPLOAD,
	OPT_ROWS,
	OPT_LIMIT,
	OPT_FILE,
	OPT_APPLY,
	OPT_APPEND,
	OPT_HELP,
	OPT_WIDE,
	OPT_VERIFY_RESTORE,
	OPT_EXCLUDE_TABLE_DATA,
	OPT_STRICT_NAMES,
	OPT_GLOBALS,
	OPT_ALL_DATABASES,
};

struct option_spec {
	const char *name;
	int id;			/* short letter or OPT_* */
	int has_arg;
	unsigned cmds;		/* CMD_* bits that accept it */
	const char *arg;	/* argument name in help */
	const char *help;
};

/* The one list of options: parsing and --help both read it. */
static const struct option_spec specs[] = {
	{ "project-dir", 'C', required_argument, CMD_ANY, "DIR",
	    "project directory holding .env and backups/ (default: .)" },
	{ "output-dir", 'o', required_argument, CMD_ANY, "DIR",
	    "where backups are written and read (default: PROJECT/backups)" },
	/* An option in two entries: one help text per command (the first entry is what getopt matches). */
	{ "dbname", 'd', required_argument, CMD_DB | CMD_FULL | CMD_VERIFY | CMD_DIFF | CMD_RECOVER, "CONNINFO",
	    "database to connect to: conninfo or postgresql:// URL (default: DATABASE_URL, then PG*)" },
	{ "dbname", 'd', required_argument, CMD_RESTORE, "CONNINFO",
	    "the database to restore into: a name, conninfo or postgresql:// URL (never DATABASE_URL)" },
	{ "host", 'h', required_argument, CMD_DB | CMD_FULL | CMD_RESTORE | CMD_VERIFY | CMD_DIFF | CMD_RECOVER, "HOST",
	    "database server host or socket directory, as pg_dump's -h (replaces DATABASE_URL's; "
	    "-d CONNINFO's own host wins, as in pg_dump)" },
	{ "port", 'p', required_argument, CMD_DB | CMD_FULL | CMD_RESTORE | CMD_VERIFY | CMD_DIFF | CMD_RECOVER, "PORT",
	    "database server port, as pg_dump's -p" },
	{ "username", 'U', required_argument, CMD_DB | CMD_FULL | CMD_RESTORE | CMD_VERIFY | CMD_DIFF | CMD_RECOVER, "USER",
	    "database user name, as pg_dump's -U" },
	{ "quiet", 'q', no_argument, CMD_ANY, NULL, "print errors and warnings only" },
	{ "verbose", 'v', no_argument, CMD_ANY, NULL, "print more detail" },
	{ "help", OPT_HELP, no_argument, CMD_ANY, NULL, "show this help and exit" },
	{ "keep", OPT_KEEP, required_argument, CMD_DB, "N",
	    "after a good dump, delete this tool's db dumps older than N days (default 30; 0 keeps all); "
	    "not with a configured --keep-daily/weekly/monthly policy" },
	{ "dry-run", OPT_DRY_RUN, no_argument, CMD_PRUNE, NULL,
	    "print what retention would keep (and by which rule) and delete; delete nothing" },
	{ "dry-run", OPT_DRY_RUN, no_argument, CMD_DB, NULL,
	    "make no dump: print what retention would keep (and by which rule) and delete" },
	{ "keep-daily", OPT_KEEP_DAILY, required_argument, CMD_PRUNE | CMD_DB | CMD_FULL | CMD_LIST, "N",
	    "retention: keep the newest backup of each of the last N days that have one (default 30)" },
	{ "keep-weekly", OPT_KEEP_WEEKLY, required_argument, CMD_PRUNE | CMD_DB | CMD_FULL | CMD_LIST, "N",
	    "retention: ... of each of the last N ISO weeks (default 12)" },
	{ "keep-monthly", OPT_KEEP_MONTHLY, required_argument, CMD_PRUNE | CMD_DB | CMD_FULL | CMD_LIST, "N",
	    "retention: ... of each of the last N months (default 12)" },
	{ "timezone", OPT_TIMEZONE, required_argument, CMD_PRUNE | CMD_DB | CMD_FULL | CMD_LIST, "TZ",
	    "retention: days, weeks and months in this IANA time zone, e.g. Europe/Berlin (default UTC)" },
	{ "force", OPT_FORCE, no_argument, CMD_PRUNE | CMD_DB | CMD_FULL, NULL,
	    "retention: go on when the policy would delete more than half of the backups at once" },
	{ "force", OPT_FORCE, no_argument, CMD_PULL, NULL,
	    "take a backup that has no manifest off-site, unchecked (nothing can tell it whole)" },
	{ "reason", OPT_REASON, required_argument, CMD_PIN, "TEXT", "why the backup is kept forever (shown by list)" },
	{ "max-age", OPT_MAX_AGE, required_argument, CMD_STATUS, "AGE",
	    "exit 1 when the newest verified backup is older than AGE, e.g. 26h, 90m, 8d (default 26h)" },
	{ "kind", OPT_KIND, required_argument, CMD_STATUS | CMD_PRUNE, "KIND",
	    "only backups of KIND: db or full (default both)" },
	{ "notify-url", OPT_NOTIFY_URL, required_argument, CMD_DB | CMD_FULL | CMD_PRUNE, "URL",
	    "HTTP GET (or POST) URL when the run succeeds, URL/fail when it fails (healthchecks style; never fails the run)" },
	{ "notify-method", OPT_NOTIFY_METHOD, required_argument, CMD_DB | CMD_FULL | CMD_PRUNE, "METHOD",
	    "get (default) or post: POST a JSON summary of the run (result, exit code, duration, backup name and size)" },
	{ "metrics-file", OPT_METRICS_FILE, required_argument, CMD_DB | CMD_FULL | CMD_PRUNE, "PATH",
	    "after the run, write a Prometheus textfile (node_exporter) with its result and the backups' ages" },
	{ "list", OPT_LIST, no_argument, CMD_DB, NULL, "list the backups instead of dumping (as lotbackup list)" },
	{ "list", OPT_LIST, no_argument, CMD_RESTORE, NULL, "show what FILE holds (tables, rows), restore nothing" },
	{ "json", OPT_JSON, no_argument, CMD_LIST | CMD_VERIFY | CMD_STATUS | CMD_DIFF, NULL,
	    "print the result as JSON, for machines" },
	{ "wide", OPT_WIDE, no_argument, CMD_LIST, NULL,
	    "list every column (creation time, each check spelt out) and every rule whole, past 100 columns" },
	{ "json", OPT_JSON, no_argument, CMD_DB | CMD_RESTORE, NULL, "with --list: print it as JSON, for machines" },
	{ "json", OPT_JSON, no_argument, CMD_PRUNE, NULL, "with --dry-run: print the plan as JSON, for machines" },
	{ "clean", OPT_CLEAN, no_argument, CMD_RESTORE, NULL,
	    "restore into a database that has tables: safety dump first, then drop its objects" },
	{ "no-safety-dump", OPT_NO_SAFETY_DUMP, no_argument, CMD_RESTORE, NULL,
	    "with --clean: skip the safety dump of the target (its data is then gone)" },
	{ "create", OPT_CREATE, no_argument, CMD_RESTORE, NULL, "create the target database when it does not exist" },
	{ "single-transaction", OPT_SINGLE_TRANSACTION, no_argument, CMD_RESTORE, NULL,
	    "all or nothing: on any error the target is left as it was" },
	{ "keep-going", OPT_KEEP_GOING, no_argument, CMD_RESTORE, NULL,
	    "report each failing statement and go on (exit 1 at the end)" },
	{ "no-owner", 'O', no_argument, CMD_RESTORE, NULL,
	    "skip ALTER ... OWNER TO and SET ROLE: what is restored belongs to the restoring user" },
	{ "restore", OPT_RESTORE, no_argument, CMD_VERIFY, NULL,
	    "also restore into a scratch database and compare rows and content with the manifest" },
	{ "trusted", OPT_TRUSTED, no_argument, CMD_VERIFY, NULL,
	    "with --restore, for a backup of your own: what only a superuser may run (languages, C functions, "
	    "event triggers...) runs as the connecting superuser instead of being left out" },
	{ "trusted", OPT_TRUSTED, no_argument, CMD_RESTORE, NULL,
	    "with --globals, for a file of your own: superuser and other privileged roles, memberships and "
	    "settings are created as written" },
	{ "scratch-db", OPT_SCRATCH_DB, required_argument, CMD_VERIFY, "NAME",
	    "with --restore: the scratch database to create (must not exist; default lotbackup_verify_HOST_PID_START)" },
	{ "no-git", OPT_NO_GIT, no_argument, CMD_FULL, NULL, "back up a project that is not a git repository" },
	{ "allow-broken-git", OPT_ALLOW_BROKEN_GIT, no_argument, CMD_FULL, NULL,
	    "go on when the repository has missing objects (the refs that need them are left out)" },
	{ "git-packs", OPT_GIT_PACKS, no_argument, CMD_FULL, NULL,
	    "keep history as a copy of the repository's pack files, not a bundle (automatic above 50 MiB)" },
	{ "submodules", OPT_SUBMODULES, no_argument, CMD_FULL, NULL,
	    "also keep each checked-out submodule's history (as a bundle under git/submodules/)" },
	{ "scan-history", OPT_SCAN_HISTORY, no_argument, CMD_FULL, NULL,
	    "scan every file in git history for secrets, not only the files of HEAD" },
	{ "archive-only", OPT_ARCHIVE_ONLY, no_argument, CMD_FULL, NULL, "write the .tar.gz only, not the directory" },
	{ "dir-only", OPT_DIR_ONLY, no_argument, CMD_FULL, NULL, "write the directory only, not the .tar.gz" },
	{ "require-db", OPT_REQUIRE_DB, no_argument, CMD_FULL, NULL,
	    "fail when no database is configured, instead of backing up without one" },
	{ "to", OPT_TO, required_argument, CMD_RESTORE, "DIR",
	    "restore a full backup's project into DIR (new or empty)" },
	{ "with-uncommitted", OPT_WITH_UNCOMMITTED, no_argument, CMD_RESTORE, NULL,
	    "with --to: apply the uncommitted changes recorded in the backup" },
	{ "all", OPT_ALL, no_argument, CMD_VERIFY, NULL, "verify every backup in the output directory" },
	{ "serializable-deferrable", OPT_SERIALIZABLE_DEFERRABLE, no_argument, CMD_DB, NULL,
	    "take the snapshot SERIALIZABLE READ ONLY DEFERRABLE (waits for a safe moment)" },
	{ "lock-timeout", OPT_LOCK_TIMEOUT, required_argument, CMD_DB, "MS",
	    "give up when a table cannot be locked within MS milliseconds (default 0: wait)" },
	{ "owner", OPT_OWNER, no_argument, CMD_DB, NULL, "keep object ownership (ALTER ... OWNER TO) in the dump" },
	{ "privileges", OPT_PRIVILEGES, no_argument, CMD_DB, NULL, "keep privileges (GRANT/REVOKE) in the dump" },
	{ "no-security-labels", OPT_NO_SECURITY_LABELS, no_argument, CMD_DB, NULL,
	    "leave security labels (SECURITY LABEL FOR provider ON ...) out of the dump" },
	{ "user-mapping-secrets", OPT_USER_MAPPING_SECRETS, no_argument, CMD_DB, NULL,
	    "keep the passwords of user mappings and subscriptions in the dump (left out by default)" },
	{ "wait", OPT_WAIT, required_argument, CMD_DB | CMD_FULL | CMD_PRUNE | CMD_PIN | CMD_UNPIN | CMD_PULL, "SECONDS",
	    "when another lotbackup writes to the output directory, wait up to SECONDS (default 0: fail at once)" },
	{ "jobs", OPT_JOBS, required_argument, CMD_DB | CMD_FULL | CMD_RESTORE | CMD_VERIFY, "N",
	    "database connections and compression threads working at once (default: the number of CPUs)" },
	{ "split-tables-larger-than", OPT_SPLIT_TABLES, required_argument, CMD_RESTORE | CMD_VERIFY, "MIB|auto",
	    "load a table with more than MIB MiB of rows in parts on several connections, its rows kept "
	    "in the file's order (default auto: a table larger than its share of the load; 0: never)" },
	{ "remote", OPT_REMOTE, no_argument, CMD_LIST, NULL,
	    "list the off-site store of LOTBACKUP_S3_URL: its backups and unfinished uploads" },
	{ "remote", OPT_REMOTE, no_argument, CMD_VERIFY | CMD_RESTORE, NULL,
	    "NAME is a backup in the off-site store of LOTBACKUP_S3_URL, read from there" },
	{ "remote", OPT_REMOTE, no_argument, CMD_PRUNE, NULL, "prune the off-site store of LOTBACKUP_S3_URL" },
	{ "remote", OPT_REMOTE, no_argument, CMD_STATUS, NULL,
	    "the newest copies in the off-site store of LOTBACKUP_S3_URL" },
	{ "verify-restore", OPT_VERIFY_RESTORE, no_argument, CMD_DB, NULL,
	    "after the dump, load it into a scratch database and compare it with its manifest (verify's restore "
	    "test) before the run reports success; a dump that does not load fails the run (exit 3), kept but "
	    "not marked verified (LOTBACKUP_VERIFY_RESTORE=1)" },
	{ "upload", OPT_UPLOAD, no_argument, CMD_DB | CMD_FULL, NULL,
	    "also stream the backup to LOTBACKUP_S3_URL while it is written, its manifest last (LOTBACKUP_UPLOAD=1); "
	    "a failed upload keeps the local backup and exits 1" },
	{ "s3-path-style", OPT_S3_PATH_STYLE, no_argument,
	    CMD_PUSH | CMD_PULL | CMD_LIST | CMD_VERIFY | CMD_RESTORE | CMD_PRUNE | CMD_STATUS | CMD_DB | CMD_FULL, NULL,
	    "address the bucket as ENDPOINT/BUCKET, not BUCKET.ENDPOINT (MinIO, Ceph; LOTBACKUP_S3_PATH_STYLE=1)" },
	{ "part-size", OPT_PART_SIZE, required_argument, CMD_PUSH | CMD_DB | CMD_FULL, "MIB",
	    "upload in parts of MIB MiB, 5 or more (default 16; LOTBACKUP_S3_PART_SIZE)" },
	{ "upload-jobs", OPT_UPLOAD_JOBS, required_argument, CMD_PUSH | CMD_DB | CMD_FULL, "N",
	    "parts uploaded at once (default 4; LOTBACKUP_S3_UPLOAD_JOBS); memory: part size x (N + 1)" },
	{ "encrypt", OPT_ENCRYPT, no_argument, CMD_DB | CMD_FULL, NULL,
	    "encrypt the dump (NAME.sql.gz.enc) or the full archive (NAME.tar.gz.enc, and no plaintext directory) "
	    "with the key file or LOTBACKUP_PASSPHRASE" },
	{ "key-file", OPT_KEY_FILE, required_argument, CMD_DB | CMD_FULL | CMD_RESTORE | CMD_VERIFY | CMD_KEYGEN, "FILE",
	    "the encryption key file (from lotbackup keygen); a passphrase only ever comes from LOTBACKUP_PASSPHRASE" },
	{ "all-databases", OPT_ALL_DATABASES, no_argument, CMD_DB, NULL,
	    "dump every database of the server (connectable, not a template), each into OUTPUT_DIR/db-NAME/; "
	    "one exit status for all" },
	{ "schema", 'n', required_argument, CMD_DB | CMD_FULL, "PATTERN",
	    "dump only schemas matching PATTERN, and what is in them (psql pattern; repeatable; LOTBACKUP_SCHEMA)" },
	{ "exclude-schema", 'N', required_argument, CMD_DB | CMD_FULL, "PATTERN",
	    "do not dump schemas matching PATTERN (repeatable; LOTBACKUP_EXCLUDE_SCHEMA)" },
	{ "table", 't', required_argument, CMD_DB | CMD_FULL, "PATTERN",
	    "dump only tables, views, sequences and foreign tables matching PATTERN, nothing else (repeatable; "
	    "LOTBACKUP_TABLE)" },
	{ "table", 't', required_argument, CMD_DIFF | CMD_RECOVER, "TABLE",
	    "only this table (schema.table, or table); repeat for more" },
	{ "table", 't', required_argument, CMD_RESTORE, "TABLE",
	    "only this table (schema.table, or table; repeat for more): its definition, rows, "
	    "sequences, indexes and own constraints, into a database that may hold others" },
	{ "exclude-table", 'T', required_argument, CMD_DB | CMD_FULL, "PATTERN",
	    "do not dump tables matching PATTERN (repeatable; LOTBACKUP_EXCLUDE_TABLE)" },
	{ "exclude-table-data", OPT_EXCLUDE_TABLE_DATA, required_argument, CMD_DB | CMD_FULL, "PATTERN",
	    "dump the definition of tables matching PATTERN but not their rows (repeatable; "
	    "LOTBACKUP_EXCLUDE_TABLE_DATA)" },
	{ "schema-only", 's', no_argument, CMD_DB | CMD_FULL, NULL,
	    "dump the definitions only, no rows (LOTBACKUP_SCHEMA_ONLY=1)" },
	{ "data-only", 'a', no_argument, CMD_DB | CMD_FULL, NULL,
	    "dump the rows and sequence values only, for a database that has the tables (LOTBACKUP_DATA_ONLY=1)" },
	{ "data-only", 'a', no_argument, CMD_RESTORE, NULL,
	    "with --table: only the rows, into the existing, empty table" },
	{ "append", OPT_APPEND, no_argument, CMD_RESTORE, NULL,
	    "with --table --data-only: also into a table that holds rows" },
	{ "strict-names", OPT_STRICT_NAMES, no_argument, CMD_DB | CMD_FULL, NULL,
	    "fail when any --schema or --table pattern matches nothing (LOTBACKUP_STRICT_NAMES=1)" },
	{ "rows", OPT_ROWS, no_argument, CMD_DIFF, NULL,
	    "between two backups: compare the rows too, not only what the manifests record" },
	{ "limit", OPT_LIMIT, required_argument, CMD_DIFF, "N",
	    "show up to N rows per table and kind of difference (default 20; the counts are always whole)" },
	{ "file", OPT_FILE, required_argument, CMD_RECOVER, "FILE",
	    "write the INSERTs here (default OUTPUT/recover-YYYY-MM-DDTHH-MM-SS.sql; never replaced)" },
	{ "apply", OPT_APPLY, no_argument, CMD_RECOVER, NULL,
	    "then run them in one transaction, after a safety dump of the database" },
	{ "globals", OPT_GLOBALS, no_argument, CMD_DB, NULL,
	    "also write the roles and tablespaces the database uses, no passwords, to NAME.globals.sql" },
	{ "globals", OPT_GLOBALS, no_argument, CMD_RESTORE, NULL,
	    "FILE is a db dump's NAME.globals.sql: create its roles and tablespaces on the server of --dbname "
	    "(existing ones are kept)" },
	{ "compress-level", OPT_COMPRESS_LEVEL, required_argument, CMD_DB, "N",
	    "gzip level 1-9, libdeflate's scale (default 5: about gzip -9's size)" },
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

struct pg_target
options_pg_target(const struct options *opts)
{
	struct pg_target target = { opts->dbname, opts->dbname_origin };

	return target;
}

void
options_init(struct options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->keep_days = -1;
	opts->keep_daily = -1;
	opts->keep_weekly = -1;
	opts->keep_monthly = -1;
	opts->max_age = -1;
	opts->notify_timeout = -1;
	opts->notify_method = -1;
	opts->lock_timeout_ms = -1;
	opts->compress_level = -1;
	opts->jobs = -1;
	opts->diff_limit = -1;
	opts->split_mib = -1;
	opts->s3_path_style = -1;
	opts->part_mib = -1;
	opts->upload_jobs = -1;
	opts->upload = -1;
	opts->db_verify_restore = -1;
}

void
options_free(struct options *opts)
{
	free(opts->project_dir);
	free(opts->output_dir);
	free(opts->dbname);
	free(opts->pg_host);
	free(opts->pg_port);
	free(opts->pg_user);
	free(opts->scratch_db);
	free(opts->restore_to);
	free(opts->extra_files);
	free(opts->timezone);
	free(opts->pin_reason);
	free(opts->recover_file);
	free(opts->kind_filter);
	free(opts->notify_url);
	free(opts->metrics_file);
	free(opts->s3_url);
	free(opts->s3_endpoint);
	free(opts->s3_region);
	free(opts->s3_ca_file);
	free(opts->s3_access_key);
	if (opts->s3_secret_key != NULL)
		explicit_bzero(opts->s3_secret_key, strlen(opts->s3_secret_key));
	free(opts->s3_secret_key);
	free(opts->key_file);
	selection_free(&opts->selection);
	memset(opts, 0, sizeof(*opts));
}

int
options_parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int
options_parse_split(const char *s, int *out)
{
	if (s != NULL && strcmp(s, "auto") == 0) {
		*out = SPLIT_AUTO;
		return 0;
	}
	return options_parse_int(s, 0, 1048576, out);
}

int
options_parse_duration(const char *s, long *out)
{
	long total = 0;
	int v;

	/* A bare number is seconds; otherwise every number takes a unit ("1d30" is a typo). */
	if (options_parse_int(s, 0, INT_MAX, &v) == 0) {
		*out = v;
		return 0;
	}
	if (s == NULL || *s == '\0')
		return -1;
	while (*s) {
		long n = 0, unit;
		const char *start = s;

		while (*s >= '0' && *s <= '9' && n <= 100000000L)
			n = n * 10 + (*s++ - '0');
		if (s == start)
			return -1;
		switch (*s++) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return -1;
		}
		total += n * unit;
		if (total > 100L * 365 * 86400)
			return -1;
	}
	*out = total;
	return 0;
}

static void
replace(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

static const struct option_spec *
spec_by_id(int id)
{
	size_t i;

	for (i = 0; i < NSPECS; i++)
		if (specs[i].id == id)
			return &specs[i];
	return NULL;
}

/* "--keep" or "--keep=3": an option of another command? */
static int
known_elsewhere(const char *arg)
{
	size_t i, len;

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	arg += 2;
	len = strcspn(arg, "=");
	for (i = 0; i < NSPECS; i++)
		if (strlen(specs[i].name) == len && strncmp(specs[i].name, arg, len) == 0)
			return 1;
	return 0;
}

static int
accepted(const struct option_spec *s, unsigned cmd_bit)
{
	return (s->cmds & cmd_bit) != 0;
}

/* "; did you mean --NAME?" for a mistyped long option of the command, else "". */
static char *
option_hint(const char *arg, unsigned cmd_bit)
{
	const char *names[NSPECS + 1], *near;
	char *word;
	size_t i, n = 0;

	if (strncmp(arg, "--", 2) != 0)
		return xstrdup("");
	for (i = 0; i < NSPECS; i++)
		if (accepted(&specs[i], cmd_bit))
			names[n++] = specs[i].name;
	names[n] = NULL;
	word = xstrndup(arg + 2, strcspn(arg + 2, "="));
	near = text_nearest(word, names);
	free(word);
	return near != NULL ? xasprintf("; did you mean --%s?", near) : xstrdup("");
}

/* The one wording of an option getopt refused (the name only: a value may hold a password). */
static void
report_unknown(const char *arg, int optopt_c, unsigned cmd_bit, const char *cmd_name)
{
	char *hint;

	if (optopt_c && spec_by_id(optopt_c) != NULL && cmd_name != NULL) {
		log_error("option '-%c' does not apply to '%s' (see 'lotbackup %s --help')", optopt_c, cmd_name,
		    cmd_name);
		return;
	}
	if (optopt_c) {
		log_error("unknown option '-%c' (see --help)", optopt_c);
		return;
	}
	if (known_elsewhere(arg) && cmd_name != NULL) {
		log_error("option '%.*s' does not apply to '%s' (see 'lotbackup %s --help')", (int)strcspn(arg, "="),
		    arg, cmd_name, cmd_name);
		return;
	}
	hint = option_hint(arg, cmd_bit);
	log_error("unknown option '%.*s'%s (see --help)", (int)strcspn(arg, "="), arg, hint);
	free(hint);
}

static int
set_int(const char *name, const char *arg, int min, int max, int *out)
{
	if (options_parse_int(arg, min, max, out) == 0)
		return 0;
	log_error("--%s takes a whole number from %d to %d, not '%s'", name, min, max, arg);
	return -1;
}

/* -p: a port, or libpq's list of them for several hosts ("5432,5433"). */
static int
set_port(struct options *opts, const char *arg)
{
	const char *p = arg;
	char *one;
	int port, ok = *arg != '\0';

	while (ok && *p) {
		size_t n = strcspn(p, ",");

		one = xstrndup(p, n);
		ok = options_parse_int(one, 1, 65535, &port) == 0;
		free(one);
		p += n + (p[n] == ',');
	}
	if (!ok) {
		log_error("--port takes a port number from 1 to 65535 (or a list of them, one per host), not '%s'", arg);
		return -1;
	}
	replace(&opts->pg_port, arg);
	return 0;
}

/*
 * Stores one parsed option: a case per option, long only because there are
 * many. A password in -d, or a token in --notify-url, would stay readable
 * in /proc/PID/cmdline for the whole run: it is overwritten in argv once
 * copied, as written there (a %-encoded or quoted password is not found by
 * its decoded value). The .env file or ~/.pgpass remain the safe ways.
 */
static int
apply(struct options *opts, int id, const char *arg)
{
	switch (id) {
	case 'C': replace(&opts->project_dir, arg); break;
	case 'o': replace(&opts->output_dir, arg); break;
	case 'd':
		replace(&opts->dbname, arg);
		opts->dbname_origin = PG_TARGET_FLAG;
		conninfo_scrub((char *)arg);
		break;
	case 'h': replace(&opts->pg_host, arg); break;
	case 'p': return set_port(opts, arg);
	case 'U': replace(&opts->pg_user, arg); break;
	case 'q': opts->verbosity = -1; break;
	case 'v': opts->verbosity = 1; break;
	case OPT_KEEP:
		opts->keep_days_given = 1;
		return set_int("keep", arg, 0, 36500, &opts->keep_days);
	case OPT_KEEP_DAILY: opts->policy_given = 1; return set_int("keep-daily", arg, 0, 36500, &opts->keep_daily);
	case OPT_KEEP_WEEKLY: opts->policy_given = 1; return set_int("keep-weekly", arg, 0, 5200, &opts->keep_weekly);
	case OPT_KEEP_MONTHLY: opts->policy_given = 1; return set_int("keep-monthly", arg, 0, 1200, &opts->keep_monthly);
	case OPT_TIMEZONE: replace(&opts->timezone, arg); break;
	case OPT_FORCE: opts->force = 1; break;
	case OPT_REASON: replace(&opts->pin_reason, arg); break;
	case OPT_MAX_AGE:
		if (options_parse_duration(arg, &opts->max_age) < 0) {
			log_error("--max-age takes an age such as 26h, 90m, 8d or 3600 (seconds)");
			return -1;
		}
		break;
	case OPT_KIND:
		if (strcmp(arg, "db") != 0 && strcmp(arg, "full") != 0) {
			log_error("--kind takes db or full");
			return -1;
		}
		replace(&opts->kind_filter, arg);
		break;
	case OPT_METRICS_FILE:
		replace(&opts->metrics_file, arg);
		break;
	case OPT_NOTIFY_URL:
		replace(&opts->notify_url, arg);
		notify_scrub((char *)arg);
		break;
	case OPT_NOTIFY_METHOD:
		if ((opts->notify_method = notify_method_parse(arg)) < 0) {
			log_error("--notify-method takes get or post, not '%s'", arg);
			return -1;
		}
		break;
	case OPT_DRY_RUN: opts->dry_run = 1; break;
	case OPT_LIST: opts->list_only = 1; break;
	case OPT_JSON: opts->json = 1; break;
	case OPT_WIDE: opts->wide = 1; break;
	case OPT_SERIALIZABLE_DEFERRABLE: opts->serializable_deferrable = 1; break;
	case OPT_LOCK_TIMEOUT: return set_int("lock-timeout", arg, 0, INT_MAX, &opts->lock_timeout_ms);
	case OPT_OWNER: opts->with_owner = 1; break;
	case OPT_PRIVILEGES: opts->with_privileges = 1; break;
	case OPT_USER_MAPPING_SECRETS: opts->user_mapping_secrets = 1; break;
	case OPT_NO_SECURITY_LABELS: opts->no_security_labels = 1; break;
	case OPT_COMPRESS_LEVEL: return set_int("compress-level", arg, 1, 9, &opts->compress_level);
	case OPT_ALL: opts->all = 1; break;
	case OPT_CLEAN: opts->clean = 1; break;
	case OPT_NO_SAFETY_DUMP: opts->no_safety_dump = 1; break;
	case OPT_CREATE: opts->create = 1; break;
	case OPT_SINGLE_TRANSACTION: opts->single_transaction = 1; break;
	case OPT_KEEP_GOING: opts->keep_going = 1; break;
	case 'O': opts->no_owner = 1; break;
	case OPT_RESTORE: opts->verify_restore = 1; break;
	case OPT_TRUSTED: opts->trusted = 1; break;
	case OPT_SCRATCH_DB: replace(&opts->scratch_db, arg); break;
	case OPT_NO_GIT: opts->no_git = 1; break;
	case OPT_ALLOW_BROKEN_GIT: opts->allow_broken_git = 1; break;
	case OPT_ARCHIVE_ONLY: opts->archive_only = 1; break;
	case OPT_DIR_ONLY: opts->dir_only = 1; break;
	case OPT_REQUIRE_DB: opts->require_db = 1; break;
	case OPT_TO: replace(&opts->restore_to, arg); break;
	case OPT_WITH_UNCOMMITTED: opts->with_uncommitted = 1; break;
	case OPT_GIT_PACKS: opts->git_packs = 1; break;
	case OPT_SUBMODULES: opts->submodules = 1; break;
	case OPT_SCAN_HISTORY: opts->scan_history = 1; break;
	case OPT_JOBS: return set_int("jobs", arg, 1, 64, &opts->jobs);
	case OPT_SPLIT_TABLES:
		if (options_parse_split(arg, &opts->split_mib) == 0)
			return 0;
		log_error("--split-tables-larger-than takes auto or a whole number of MiB from 0 to 1048576, not '%s'", arg);
		return -1;
	case OPT_WAIT: return set_int("wait", arg, 0, 86400, &opts->wait_seconds);
	case OPT_REMOTE: opts->remote = 1; break;
	case OPT_S3_PATH_STYLE: opts->s3_path_style = 1; break;
	case OPT_PART_SIZE: return set_int("part-size", arg, 5, 5120, &opts->part_mib);
	case OPT_UPLOAD_JOBS: return set_int("upload-jobs", arg, 1, 64, &opts->upload_jobs);
	case OPT_ENCRYPT: opts->encrypt = 1; break;
	case OPT_KEY_FILE: replace(&opts->key_file, arg); break;
	case OPT_UPLOAD: opts->upload = 1; break;
	case OPT_ROWS: opts->diff_rows = 1; break;
	case OPT_LIMIT: return set_int("limit", arg, 0, 1000000, &opts->diff_limit);
	case OPT_FILE: replace(&opts->recover_file, arg); break;
	case OPT_APPLY: opts->recover_apply = 1; break;
	case OPT_APPEND: opts->restore_append = 1; break;
	case OPT_VERIFY_RESTORE: opts->db_verify_restore = 1; break;
	case 'n': selection_add(&opts->selection, SEL_SCHEMA, arg); break;
	case 'N': selection_add(&opts->selection, SEL_EXCLUDE_SCHEMA, arg); break;
	case 't': selection_add(&opts->selection, SEL_TABLE, arg); break;	/* also diff, recover, restore's tables */
	case 'T': selection_add(&opts->selection, SEL_EXCLUDE_TABLE, arg); break;
	case OPT_EXCLUDE_TABLE_DATA: selection_add(&opts->selection, SEL_EXCLUDE_TABLE_DATA, arg); break;
	case 's': opts->selection.schema_only = 1; break;
	case 'a': opts->selection.data_only = 1; break;	/* also restore --table's */
	case OPT_STRICT_NAMES: opts->selection.strict_names = 1; break;
	case OPT_GLOBALS: opts->globals = 1; break;
	case OPT_ALL_DATABASES: opts->all_databases = 1; break;
	default: return -1;
	}
	return 0;
}

/* getopt's tables for the options cmd_bit accepts. */
static void
getopt_tables(unsigned cmd_bit, int stop_at_operand, struct option *longopts, struct strbuf *shortopts)
{
	size_t i, n = 0;

	/* '+': stop at the command name; ':' lets us word the errors ourselves. */
	strbuf_puts(shortopts, stop_at_operand ? "+:" : ":");
	for (i = 0; i < NSPECS; i++) {
		if (!accepted(&specs[i], cmd_bit))
			continue;
		longopts[n].name = specs[i].name;
		longopts[n].has_arg = specs[i].has_arg;
		longopts[n].flag = NULL;
		longopts[n].val = specs[i].id;
		n++;
		if (specs[i].id < 256) {
			strbuf_putc(shortopts, (char)specs[i].id);
			if (specs[i].has_arg == required_argument)
				strbuf_putc(shortopts, ':');
		}
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
}

/*
 * The one getopt loop. opts NULL: recognise every option, apply none (the
 * part before the command, moved after it by main.c, where it is parsed
 * for real: a -d value must not be scrubbed before it is copied).
 */
static int
parse(struct options *opts, int argc, char **argv, int *optind_io, unsigned cmd_bit, const char *cmd_name)
{
	struct option longopts[NSPECS + 1];
	struct strbuf shortopts = STRBUF_INIT;
	int c, rc = 0;

	getopt_tables(cmd_bit, opts == NULL, longopts, &shortopts);
	optind = 0;	/* GNU getopt: re-initialise for each pass */
	opterr = 0;
	while ((c = getopt_long(argc, argv, strbuf_str(&shortopts), longopts, NULL)) != -1) {
		/* -? is help, as in pg_dump: getopt reports it as an unknown '?'. */
		if (c == OPT_HELP || (c == '?' && optopt == '?')) {
			rc = rc < 0 ? rc : 1;
			continue;
		}
		if (c == '?') {
			report_unknown(argv[optind - 1], optopt, cmd_bit, cmd_name);
			rc = -1;
			goto out;
		}
		if (c == ':') {
			const struct option_spec *s = spec_by_id(optopt);

			log_error("option --%s needs an argument (%s)", s ? s->name : "?", s && s->arg ? s->arg : "");
			if (optopt == 'h')
				log_error("-h is --host, as in pg_dump; help is --help or -?");
			rc = -1;
			goto out;
		}
		if (opts != NULL && apply(opts, c, optarg) < 0) {
			rc = -1;
			goto out;
		}
	}
out:
	*optind_io = optind;
	strbuf_free(&shortopts);
	return rc;
}

int
options_parse(struct options *opts, int argc, char **argv, int *optind_io, unsigned cmd_bit, const char *cmd_name)
{
	opts->cmd_bit = cmd_bit;
	return parse(opts, argc, argv, optind_io, cmd_bit, cmd_name);
}

int
options_scan_global(int argc, char **argv, int *optind_io)
{
	return parse(NULL, argc, argv, optind_io, CMD_ANY, NULL);
}

int
options_check_json(const struct options *opts, const char *cmd_name, int means_something)
{
	if (!opts->json || means_something)
		return 0;
	log_error("--json means nothing for '%s' here: it prints no result (see 'lotbackup %s --help')",
	    cmd_name, cmd_name);
	return -1;
}

/* TEXT from column COL on, in lines that end by column 80, continued at column INDENT. */
void
options_print_wrapped(FILE *fp, size_t col, size_t indent, const char *text)
{
	const size_t width = 80;

	while (*text) {
		size_t room = col < width ? width - col : 0, len = strlen(text), cut = len;

		if (len > room) {
			/* the last space that fits; a word longer than the line goes whole */
			for (cut = room; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = strcspn(text, " ");
		}
		fprintf(fp, "%.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
		if (*text)
			fprintf(fp, "%*s", (int)indent, "");
		col = indent;
	}
}

void
options_print_help(FILE *fp, unsigned cmd_bit)
{
	const size_t column = 31;
	size_t i;

	for (i = 0; i < NSPECS; i++) {
		struct strbuf left = STRBUF_INIT;
		const struct option_spec *s = &specs[i];

		/* A command's help: its own options; the common ones are in lotbackup --help. */
		if (cmd_bit == CMD_ANY ? s->cmds != CMD_ANY : !(s->cmds & cmd_bit) || s->cmds == CMD_ANY)
			continue;
		if (s->id == OPT_HELP)
			strbuf_printf(&left, "-?, --%s", s->name);
		else if (s->id < 256)
			strbuf_printf(&left, "-%c, --%s", s->id, s->name);
		else
			strbuf_printf(&left, "    --%s", s->name);
		if (s->arg)
			strbuf_printf(&left, " %s", s->arg);
		if (strlen(strbuf_str(&left)) + 2 < column) {
			fprintf(fp, "  %-28s ", strbuf_str(&left));
		} else {	/* a long name: its text on the next line */
			fprintf(fp, "  %s\n%*s", strbuf_str(&left), (int)column, "");
		}
		options_print_wrapped(fp, column, column, s->help);
		strbuf_free(&left);
	}
}

void
options_retention_gfs(const struct options *opts, struct retention_policy *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = RETENTION_GFS;
	out->daily = opts->keep_daily;
	out->weekly = opts->keep_weekly;
	out->monthly = opts->keep_monthly;
	out->timezone = opts->timezone;
}

void
options_retention_after(const struct options *opts, enum backup_kind family, struct retention_policy *out)
{
	if (opts->policy_configured) {
		options_retention_gfs(opts, out);
		return;
	}
	memset(out, 0, sizeof(*out));
	if (family == BACKUP_DB && opts->keep_days > 0) {
		out->mode = RETENTION_DAYS;
		out->days = opts->keep_days;
	} else {
		out->mode = RETENTION_NONE;	/* full backups are pruned only under a configured policy */
	}
}
