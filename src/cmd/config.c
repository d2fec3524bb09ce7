#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/config.h"
#include "crypt/crypt.h"
#include "pg/conninfo.h"
#include "base/dotenv.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/textdist.h"
#include "io/progress.h"
#include "ops/notify.h"
#include "ops/retention-plan.h"
#include "base/xalloc.h"

/* Every LOTBACKUP_* setting; .env.example and the man page list the same. */
static const char *const known_settings[] = {
	"LOTBACKUP_OUTPUT_DIR",
	"LOTBACKUP_KEEP_DAYS",
	"LOTBACKUP_COMPRESS_LEVEL",
	"LOTBACKUP_LOCK_TIMEOUT",
	"LOTBACKUP_JOBS",
	"LOTBACKUP_SPLIT_TABLES_LARGER_THAN",
	"LOTBACKUP_EXTRA_FILES",
	"LOTBACKUP_KEEP_DAILY",
	"LOTBACKUP_KEEP_WEEKLY",
	"LOTBACKUP_KEEP_MONTHLY",
	"LOTBACKUP_TIMEZONE",
	"LOTBACKUP_MAX_AGE",
	"LOTBACKUP_NOTIFY_URL",
	"LOTBACKUP_NOTIFY_TIMEOUT",
	"LOTBACKUP_NOTIFY_METHOD",
	"LOTBACKUP_METRICS_FILE",
	"LOTBACKUP_S3_URL",
	"LOTBACKUP_S3_ENDPOINT",
	"LOTBACKUP_S3_REGION",
	"LOTBACKUP_S3_PATH_STYLE",
	"LOTBACKUP_S3_CA_FILE",
	"LOTBACKUP_S3_PART_SIZE",
	"LOTBACKUP_S3_UPLOAD_JOBS",
	"LOTBACKUP_ENCRYPT",
	"LOTBACKUP_KEY_FILE",
	"LOTBACKUP_PASSPHRASE",
	"LOTBACKUP_UPLOAD",
	"LOTBACKUP_SSLROOTCERT",
	"LOTBACKUP_VERIFY_RESTORE",
	"LOTBACKUP_PROGRESS",
	"LOTBACKUP_SCHEMA",
	"LOTBACKUP_EXCLUDE_SCHEMA",
	"LOTBACKUP_TABLE",
	"LOTBACKUP_EXCLUDE_TABLE",
	"LOTBACKUP_EXCLUDE_TABLE_DATA",
	"LOTBACKUP_SCHEMA_ONLY",
	"LOTBACKUP_DATA_ONLY",
	"LOTBACKUP_STRICT_NAMES",
	NULL,
};

#define SETTING_PREFIX "LOTBACKUP_"

struct setting_source {
	const struct dotenv *env_file;
	const char *env_path;
};

static int
is_known(const char *key)
{
	size_t i;

	for (i = 0; known_settings[i]; i++)
		if (strcmp(known_settings[i], key) == 0)
			return 1;
	return 0;
}

/* "; did you mean NAME?" when a known setting is a likely typo away, else "". */
static char *
suggestion(const char *key)
{
	const char *near = text_nearest(key, known_settings);

	return near != NULL ? xasprintf("; did you mean %s?", near) : xstrdup("");
}

static int
check_unknown_settings(const struct setting_source *src)
{
	extern char **environ;
	size_t i;
	char **e, *hint;

	for (i = 0; i < src->env_file->count; i++) {
		const struct dotenv_entry *en = &src->env_file->entries[i];

		if (strncmp(en->key, SETTING_PREFIX, strlen(SETTING_PREFIX)) == 0 && !is_known(en->key)) {
			hint = suggestion(en->key);
			log_error("unknown setting %s in %s line %d: remove it or fix its name%s (see lotbackup(1), "
			    "ENVIRONMENT)", en->key, src->env_path, en->line, hint);
			free(hint);
			return -1;
		}
	}
	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		char *key;
		int bad;

		if (strncmp(*e, SETTING_PREFIX, strlen(SETTING_PREFIX)) != 0 || eq == NULL)
			continue;
		key = xstrndup(*e, (size_t)(eq - *e));
		bad = !is_known(key);
		if (bad) {
			hint = suggestion(key);
			log_error("unknown environment variable %s: unset it or fix its name%s (see lotbackup(1), "
			    "ENVIRONMENT)", key, hint);
			free(hint);
		}
		free(key);
		if (bad)
			return -1;
	}
	return 0;
}

/* The environment wins over .env; *from says which one answered. */
static const char *
lookup(const struct setting_source *src, const char *key, const char **from)
{
	const char *v = getenv(key);

	if (v != NULL) {
		*from = "environment";
		return v;
	}
	*from = src->env_path;
	return dotenv_get(src->env_file, key);
}

static int
resolve_int(const struct setting_source *src, const char *key, int min, int max, int fallback, int *slot)
{
	const char *from, *v;

	if (*slot >= 0)
		return 0;
	v = lookup(src, key, &from);
	if (v == NULL) {
		*slot = fallback;
		return 0;
	}
	if (options_parse_int(v, min, max, slot) < 0) {
		log_error("%s (from %s) must be a whole number from %d to %d", key, from, min, max);
		return -1;
	}
	return 0;
}

/* --split-tables-larger-than: MiB, or auto, the default. */
static int
resolve_split(const struct setting_source *src, int *slot)
{
	const char *from, *v;

	if (*slot != -1)
		return 0;
	v = lookup(src, "LOTBACKUP_SPLIT_TABLES_LARGER_THAN", &from);
	if (v == NULL) {
		*slot = SPLIT_AUTO;
		return 0;
	}
	if (options_parse_split(v, slot) < 0) {
		log_error("LOTBACKUP_SPLIT_TABLES_LARGER_THAN (from %s) must be auto or a whole number of MiB "
		    "from 0 to 1048576", from);
		return -1;
	}
	return 0;
}

/*
 * The GFS counts: a count given on the command line or as a setting makes
 * the policy "configured", which turns on pruning after db and full.
 * LOTBACKUP_KEEP_DAYS is the other, older policy: both set is a mistake.
 */
static int
resolve_policy(struct options *opts, const struct setting_source *src)
{
	static const char *const keys[] = { "LOTBACKUP_KEEP_DAILY", "LOTBACKUP_KEEP_WEEKLY", "LOTBACKUP_KEEP_MONTHLY" };
	int *slots[] = { &opts->keep_daily, &opts->keep_weekly, &opts->keep_monthly };
	static const int defaults[] = { DEFAULT_KEEP_DAILY, DEFAULT_KEEP_WEEKLY, DEFAULT_KEEP_MONTHLY };
	static const int limits[] = { 36500, 5200, 1200 };
	const char *from, *days_from = NULL, *policy_from = NULL;
	int set_here = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (*slots[i] < 0 && lookup(src, keys[i], &from) != NULL) {
			set_here = 1;
			policy_from = from;
		}
		if (resolve_int(src, keys[i], 0, limits[i], defaults[i], slots[i]) < 0)
			return -1;
	}
	/* --keep would replace the configured policy for this run: the weekly and monthly dumps would go. */
	if (set_here && opts->keep_days_given) {
		log_error("--keep N (the day rule) and the retention policy LOTBACKUP_KEEP_DAILY/WEEKLY/MONTHLY "
		    "(from %s) are two policies: drop --keep (the policy applies), or set LOTBACKUP_KEEP_DAILY",
		    policy_from);
		return -1;
	}
	if (set_here && lookup(src, "LOTBACKUP_KEEP_DAYS", &days_from) != NULL) {
		log_error("LOTBACKUP_KEEP_DAYS (from %s) and LOTBACKUP_KEEP_DAILY/WEEKLY/MONTHLY are two retention "
		    "policies: keep one of them", days_from);
		return -1;
	}
	opts->policy_configured = opts->policy_given || set_here;
	return 0;
}

/*
 * -h/-p/-U into the target, as pg_dump combines them: they replace
 * DATABASE_URL's parts (as they replace PG* variables), while a -d
 * CONNINFO's own parts win, pg_dump's documented rule.
 */
static int
apply_conn_flags(struct options *opts)
{
	struct conninfo_parts parts = { opts->pg_host, opts->pg_port, opts->pg_user };
	char err[256], *combined;

	if (parts.host == NULL && parts.port == NULL && parts.user == NULL)
		return 0;
	combined = conninfo_combine(opts->dbname, &parts, opts->dbname_origin == PG_TARGET_FLAG, err, sizeof(err));
	if (combined == NULL) {
		log_error("cannot combine -h/-p/-U with the connection string: %s", err);
		return -1;
	}
	free(opts->dbname);
	opts->dbname = combined;
	return 0;
}

/* The app's own settings, as LOT Systems' src/server/config.ts reads them. */
static const char *const db_vars[] = { "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD" };

/*
 * A DATABASE_URL written as a template: the variable names standing for
 * the values (postgresql://DB_USER:<password>@DB_HOST:DB_PORT/DB_NAME).
 */
static int
dburl_placeholder(const char *url)
{
	size_t i;

	if (strchr(url, '<') != NULL && strchr(url, '>') != NULL)
		return 1;
	for (i = 0; i < sizeof(db_vars) / sizeof(db_vars[0]); i++)
		if (strstr(url, db_vars[i]) != NULL)
			return 1;
	return 0;
}

/* A conninfo value in single quotes, \ and ' escaped, as libpq reads it. */
static void
conninfo_add(struct strbuf *sb, const char *key, const char *value)
{
	strbuf_printf(sb, "%s%s='", sb->len ? " " : "", key);
	for (; *value; value++) {
		if (*value == '\\' || *value == '\'')
			strbuf_putc(sb, '\\');
		strbuf_putc(sb, *value);
	}
	strbuf_putc(sb, '\'');
}

/*
 * DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD (all but DB_PORT needed),
 * DB_SSL=true -> sslmode=require, verify-full with a CA certificate
 * (LOTBACKUP_SSLROOTCERT or PGSSLROOTCERT), as a conninfo string.
 * 0 with *out NULL when the set is not complete.
 */
static int
db_vars_conninfo(const struct setting_source *src, char **out, const char **from)
{
	const char *v[5], *ssl, *ca, *ca_from;
	struct strbuf sb = STRBUF_INIT;
	static const char *const keys[] = { "host", "port", "dbname", "user", "password" };
	size_t i;

	*out = NULL;
	for (i = 0; i < 5; i++) {
		v[i] = lookup(src, db_vars[i], from);
		if ((v[i] == NULL || *v[i] == '\0') && i != 1)
			return 0;
	}
	for (i = 0; i < 5; i++)
		if (v[i] != NULL && *v[i] != '\0')
			conninfo_add(&sb, keys[i], v[i]);
	ssl = lookup(src, "DB_SSL", &ca_from);
	if ((ca = lookup(src, "LOTBACKUP_SSLROOTCERT", &ca_from)) == NULL || *ca == '\0')
		ca = lookup(src, "PGSSLROOTCERT", &ca_from);
	if (ca != NULL && *ca != '\0') {
		conninfo_add(&sb, "sslmode", "verify-full");
		conninfo_add(&sb, "sslrootcert", ca);
	} else if (ssl != NULL && (strcasecmp(ssl, "true") == 0 || strcmp(ssl, "1") == 0 ||
	    strcasecmp(ssl, "require") == 0 || strcasecmp(ssl, "yes") == 0)) {
		conninfo_add(&sb, "sslmode", "require");
	}
	*out = strbuf_detach(&sb);
	return 0;
}

/*
 * No DATABASE_URL, or one that is a placeholder: the DB_* set, when it is
 * complete, as the app reads it. 1 when it was used, 0 when not.
 */
static int
resolve_db_vars(struct options *opts, const struct setting_source *src, const char *url, const char *url_from)
{
	const char *from = NULL;
	char *conninfo;

	db_vars_conninfo(src, &conninfo, &from);
	if (conninfo == NULL)
		return 0;
	log_info("database: DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD (from %s)%s%s%s%s", from,
	    strstr(conninfo, "verify-full") ? " with sslmode=verify-full" : strstr(conninfo, "sslmode") ?
	    " with sslmode=require (DB_SSL)" : "", url ? "; DATABASE_URL (from " : "", url ? url_from : "",
	    url ? ") is a placeholder" : "");
	opts->dbname = conninfo;
	opts->dbname_origin = PG_TARGET_DB_VARS;
	return 1;
}

/*
 * The CA certificate (LOTBACKUP_SSLROOTCERT, else PGSSLROOTCERT; the
 * environment or .env) for every source of the connection, not only DB_*:
 * a DATABASE_URL or --dbname takes it as sslrootcert unless it names its
 * own; the PG* variables, which libpq reads from the environment, take it
 * there as PGSSLROOTCERT (and PGSSLMODE=verify-full unless set).
 */
static int
apply_ca(struct options *opts, const struct setting_source *src)
{
	const char *key = "LOTBACKUP_SSLROOTCERT", *ca, *from;
	char err[256], *with;
	int added = 0;

	if ((ca = lookup(src, key, &from)) == NULL || *ca == '\0')
		ca = lookup(src, key = "PGSSLROOTCERT", &from);
	if (ca == NULL || *ca == '\0')
		return 0;
	if (opts->dbname == NULL) {
		setenv("PGSSLROOTCERT", ca, 1);
		setenv("PGSSLMODE", getenv("PGSSLMODE") ? getenv("PGSSLMODE") : "verify-full", 1);
		return 0;
	}
	if ((with = conninfo_with_ca(opts->dbname, ca, &added, err, sizeof(err))) == NULL) {
		log_error("cannot add %s (from %s) to the connection string: %s", key, from, err);
		return -1;
	}
	free(opts->dbname);
	opts->dbname = with;
	if (added)
		log_info("database: the server's certificate is checked against %s (%s, from %s)", ca, key, from);
	return 0;
}

static int
resolve_target(struct options *opts, const struct setting_source *src)
{
	const char *raw, *from = "--dbname";
	char err[512];
	char *normal;

	if (opts->dbname != NULL) {
		raw = opts->dbname;
	} else {
		raw = lookup(src, "DATABASE_URL", &from);
		if (raw == NULL || *raw == '\0')
			raw = NULL;
		if ((raw == NULL || dburl_placeholder(raw)) && resolve_db_vars(opts, src, raw, from))
			return apply_conn_flags(opts);
		if (raw == NULL)
			return apply_conn_flags(opts);	/* else libpq's PG* variables and ~/.pgpass decide */
		if (dburl_placeholder(raw)) {
			log_error("DATABASE_URL (from %s) is a placeholder, not a connection string: set it, or set all of "
			    "DB_HOST, DB_NAME, DB_USER and DB_PASSWORD (DB_PORT, DB_SSL optional) as the app reads them", from);
			return -1;
		}
		opts->dbname_origin = strcmp(from, "environment") == 0 ? PG_TARGET_ENV : PG_TARGET_DOTENV;
	}
	normal = conninfo_normalise(raw, err, sizeof(err));
	if (normal == NULL) {
		log_error("%s (from %s) is not a valid connection string: %s", 
		    opts->dbname ? "--dbname" : "DATABASE_URL", from, err);
		return -1;
	}
	free(opts->dbname);
	opts->dbname = normal;
	return apply_conn_flags(opts);
}

static int
resolve_dbname(struct options *opts, const struct setting_source *src)
{
	return resolve_target(opts, src) < 0 ? -1 : apply_ca(opts, src);
}

static int
cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static void
resolve_output_dir(struct options *opts, const struct setting_source *src)
{
	const char *from, *v;

	if (opts->output_dir != NULL)
		return;
	v = lookup(src, "LOTBACKUP_OUTPUT_DIR", &from);
	if (v != NULL && *v != '\0') {
		/* Relative paths in .env are relative to the project, as the file is. */
		if (v[0] != '/' && strcmp(from, "environment") != 0)
			opts->output_dir = xasprintf("%s/%s", opts->project_dir, v);
		else
			opts->output_dir = xstrdup(v);
	} else {
		opts->output_dir = xasprintf("%s/backups", opts->project_dir);
	}
}

static int
resolve_timezone(struct options *opts, const struct setting_source *src)
{
	const char *from = "--timezone", *v;
	char err[256];

	if (opts->timezone == NULL && (v = lookup(src, "LOTBACKUP_TIMEZONE", &from)) != NULL && *v != '\0')
		opts->timezone = xstrdup(v);
	if (opts->timezone != NULL && retention_timezone_check(opts->timezone, err, sizeof(err)) < 0) {
		log_error("time zone (from %s): %s", from, err);
		return -1;
	}
	return 0;
}

static int
resolve_max_age(struct options *opts, const struct setting_source *src)
{
	const char *from, *v;

	if (opts->max_age >= 0)
		return 0;
	if ((v = lookup(src, "LOTBACKUP_MAX_AGE", &from)) == NULL)
		opts->max_age = DEFAULT_MAX_AGE;
	else if (options_parse_duration(v, &opts->max_age) < 0) {
		log_error("LOTBACKUP_MAX_AGE (from %s) must be an age such as 26h, 90m, 8d or 3600 (seconds)", from);
		return -1;
	}
	return 0;
}

/*
 * With `quiet` (after another configuration error), whatever can be read,
 * unreported, and defaults for the rest: the failure still reaches URL/fail.
 */
static int
resolve_notify(struct options *opts, const struct setting_source *src, int quiet)
{
	const char *from, *v;

	if (opts->notify_url == NULL && (v = lookup(src, "LOTBACKUP_NOTIFY_URL", &from)) != NULL && *v != '\0')
		opts->notify_url = xstrdup(v);
	if (opts->metrics_file == NULL && (v = lookup(src, "LOTBACKUP_METRICS_FILE", &from)) != NULL && *v != '\0')
		opts->metrics_file = xstrdup(v);
	if (opts->notify_method < 0) {
		if ((v = lookup(src, "LOTBACKUP_NOTIFY_METHOD", &from)) == NULL || *v == '\0')
			opts->notify_method = NOTIFY_GET;
		else if ((opts->notify_method = notify_method_parse(v)) < 0) {
			if (quiet) {
				opts->notify_method = NOTIFY_GET;
			} else {
				log_error("LOTBACKUP_NOTIFY_METHOD (from %s) must be get or post", from);
				return -1;
			}
		}
	}
	if (quiet && opts->notify_timeout < 0 && ((v = lookup(src, "LOTBACKUP_NOTIFY_TIMEOUT", &from)) == NULL ||
	    options_parse_int(v, 1, 300, &opts->notify_timeout) < 0))
		opts->notify_timeout = DEFAULT_NOTIFY_TIMEOUT;
	return 0;
}

static void
resolve_string(const struct setting_source *src, const char *key, char **slot)
{
	const char *from, *v;

	if (*slot == NULL && (v = lookup(src, key, &from)) != NULL && *v != '\0')
		*slot = xstrdup(v);
}

/* The off-site settings; the keys under the names every S3 tool reads. Checked when used (push, pull). */
static int
resolve_s3(struct options *opts, const struct setting_source *src)
{
	/* A private CA: our own name first, then those curl and OpenSSL's tools read. */
	static const char *const ca_settings[] = { "LOTBACKUP_S3_CA_FILE", "CURL_CA_BUNDLE", "SSL_CERT_FILE" };
	size_t i;

	for (i = 0; i < sizeof(ca_settings) / sizeof(ca_settings[0]) && opts->s3_ca_file == NULL; i++) {
		resolve_string(src, ca_settings[i], &opts->s3_ca_file);
		if (opts->s3_ca_file != NULL)
			opts->s3_ca_setting = ca_settings[i];
	}
	resolve_string(src, "LOTBACKUP_S3_URL", &opts->s3_url);
	resolve_string(src, "LOTBACKUP_S3_ENDPOINT", &opts->s3_endpoint);
	resolve_string(src, "LOTBACKUP_S3_REGION", &opts->s3_region);
	resolve_string(src, "AWS_ACCESS_KEY_ID", &opts->s3_access_key);
	resolve_string(src, "AWS_SECRET_ACCESS_KEY", &opts->s3_secret_key);
	return resolve_int(src, "LOTBACKUP_S3_PATH_STYLE", 0, 1, 0, &opts->s3_path_style) < 0 ||
	    resolve_int(src, "LOTBACKUP_S3_PART_SIZE", 5, 5120, 16, &opts->part_mib) < 0 ||
	    resolve_int(src, "LOTBACKUP_S3_UPLOAD_JOBS", 1, 64, 4, &opts->upload_jobs) < 0 ||
	    resolve_int(src, "LOTBACKUP_UPLOAD", 0, 1, 0, &opts->upload) < 0 ? -1 : 0;
}

/* LOTBACKUP_PROGRESS: 1 draws the bar where stderr is no terminal, 0 never; unset: a terminal decides. */
static int
resolve_progress(const struct setting_source *src)
{
	int mode = -1;

	if (resolve_int(src, "LOTBACKUP_PROGRESS", 0, 1, -1, &mode) < 0)
		return -1;
	progress_force(mode);
	return 0;
}

/*
 * Encryption: LOTBACKUP_ENCRYPT, the key file (relative in .env: to the
 * project), and the passphrase, which goes straight into crypt/'s locked
 * memory, never into the options, and is wiped where it was read (the
 * environment shows in /proc/PID/environ). A key file and a passphrase
 * both set is a mistake: which key a backup needs must not hang on
 * precedence.
 */
static int
resolve_encryption(struct options *opts, const struct setting_source *src)
{
	const char *from, *v;
	char *origin;
	int rc;

	if (!opts->encrypt && (v = lookup(src, "LOTBACKUP_ENCRYPT", &from)) != NULL && *v != '\0' &&
	    options_parse_int(v, 0, 1, &opts->encrypt) < 0) {
		log_error("LOTBACKUP_ENCRYPT (from %s) must be 1 or 0", from);
		return -1;
	}
	if (opts->key_file == NULL && (v = lookup(src, "LOTBACKUP_KEY_FILE", &from)) != NULL && *v != '\0')
		opts->key_file = v[0] != '/' && strcmp(from, "environment") != 0 ?
		    xasprintf("%s/%s", opts->project_dir, v) : xstrdup(v);
	if ((v = lookup(src, "LOTBACKUP_PASSPHRASE", &from)) == NULL || *v == '\0')
		return 0;
	if (opts->key_file != NULL) {
		log_error("both a key file (%s) and LOTBACKUP_PASSPHRASE (from %s) are set: keep one", opts->key_file, from);
		return -1;
	}
	origin = xasprintf("LOTBACKUP_PASSPHRASE (from %s)", from);
	rc = crypt_use_passphrase(v, origin);
	explicit_bzero((char *)v, strlen(v));
	free(origin);
	opts->passphrase_set = rc == 0;
	return rc;
}

/*
 * The dump's selection for the nightly job: a kind given on the command
 * line replaces its setting; patterns are comma-separated. The settings
 * are db's and full's: restore, diff and recover take -t and -a from the
 * command line only (their tables, not a dump's selection).
 */
static int
resolve_selection(struct options *opts, const struct setting_source *src)
{
	static const char *const keys[SEL_NKINDS] = {
		"LOTBACKUP_SCHEMA", "LOTBACKUP_EXCLUDE_SCHEMA", "LOTBACKUP_TABLE", "LOTBACKUP_EXCLUDE_TABLE",
		"LOTBACKUP_EXCLUDE_TABLE_DATA",
	};
	struct db_selection *sel = &opts->selection;
	int *flags[3] = { &sel->schema_only, &sel->data_only, &sel->strict_names };
	static const char *const flag_keys[3] = { "LOTBACKUP_SCHEMA_ONLY", "LOTBACKUP_DATA_ONLY", "LOTBACKUP_STRICT_NAMES" };
	const char *from, *v;
	int k, flag;

	if (!(opts->cmd_bit & (CMD_DB | CMD_FULL)))
		return 0;
	for (k = 0; k < SEL_NKINDS; k++)
		if (sel->npatterns[k] == 0 && (v = lookup(src, keys[k], &from)) != NULL)
			selection_add_list(sel, (enum selection_kind)k, v);
	for (k = 0; k < 3; k++) {
		flag = -1;
		if (*flags[k])
			continue;
		if (resolve_int(src, flag_keys[k], 0, 1, 0, &flag) < 0)
			return -1;
		*flags[k] = flag;
	}
	if (sel->schema_only && sel->data_only) {
		log_error("--schema-only and --data-only (or LOTBACKUP_SCHEMA_ONLY and LOTBACKUP_DATA_ONLY) "
		    "cannot be used together: give one");
		return -1;
	}
	return 0;
}

int
config_use_key(const struct options *opts)
{
	return opts->key_file != NULL ? crypt_use_key_file(opts->key_file) : 0;
}

int
config_db_unnamed(const struct options *opts)
{
	static const char *const vars[] = { "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", NULL };
	char *env_path, *dir;
	size_t i;
	int have_env;

	if (opts->dbname != NULL)
		return 0;
	for (i = 0; vars[i]; i++)
		if (getenv(vars[i]) != NULL && *getenv(vars[i]) != '\0')
			return 0;
	dir = realpath(opts->project_dir, NULL);
	env_path = xasprintf("%s/.env", dir != NULL ? dir : opts->project_dir);
	have_env = access(env_path, F_OK) == 0;
	log_error("no database to dump: %s%s, and no DATABASE_URL or PG* variable (PGHOST, PGDATABASE, ...) is set; run "
	    "in the project's directory, or give -C DIR (the project, with its .env) or --dbname", have_env ? env_path :
	    "no .env in ", have_env ? " has no DATABASE_URL" : dir != NULL ? dir : opts->project_dir);
	free(env_path);
	free(dir);
	return 1;
}

int
config_resolve(struct options *opts)
{
	struct dotenv env_file = { NULL, 0 };
	struct setting_source src;
	const char *from, *v;
	char *env_path = NULL;
	struct stat st;
	int rc = -1;

	if (opts->project_dir == NULL)
		opts->project_dir = xstrdup(".");
	env_path = xasprintf("%s/.env", opts->project_dir);
	src.env_file = &env_file;
	src.env_path = env_path;
	if (stat(opts->project_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_error("project directory %s does not exist or is not a directory (check --project-dir)",
		    opts->project_dir);
		goto out;
	}
	if (dotenv_load_file(env_path, &env_file) < 0) {
		dotenv_free(&env_file);	/* unreadable: the environment alone */
		goto out;
	}
	if (check_unknown_settings(&src) < 0)
		goto out;

	resolve_output_dir(opts, &src);
	if (resolve_int(&src, "LOTBACKUP_KEEP_DAYS", 0, 36500, DEFAULT_KEEP_DAYS, &opts->keep_days) < 0 ||
	    resolve_int(&src, "LOTBACKUP_COMPRESS_LEVEL", 1, 9, DEFAULT_COMPRESS_LEVEL, &opts->compress_level) < 0 ||
	    resolve_int(&src, "LOTBACKUP_LOCK_TIMEOUT", 0, 2147483647, 0, &opts->lock_timeout_ms) < 0 ||
	    resolve_int(&src, "LOTBACKUP_JOBS", 1, 64, cpu_count(), &opts->jobs) < 0 ||
	    resolve_split(&src, &opts->split_mib) < 0 ||
	    resolve_int(&src, "LOTBACKUP_VERIFY_RESTORE", 0, 1, 0, &opts->db_verify_restore) < 0)
		goto out;
	if (resolve_dbname(opts, &src) < 0)
		goto out;
	if (opts->extra_files == NULL && (v = lookup(&src, "LOTBACKUP_EXTRA_FILES", &from)) != NULL)
		opts->extra_files = xstrdup(v);
	if (resolve_policy(opts, &src) < 0 ||
	    resolve_int(&src, "LOTBACKUP_NOTIFY_TIMEOUT", 1, 300, DEFAULT_NOTIFY_TIMEOUT, &opts->notify_timeout) < 0)
		goto out;
	if (resolve_timezone(opts, &src) < 0 || resolve_max_age(opts, &src) < 0 || resolve_notify(opts, &src, 0) < 0 ||
	    resolve_encryption(opts, &src) < 0)
		goto out;
	if (resolve_s3(opts, &src) < 0 || resolve_progress(&src) < 0 || resolve_selection(opts, &src) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		resolve_notify(opts, &src, 1);
	dotenv_free(&env_file);
	free(env_path);
	return rc;
}
