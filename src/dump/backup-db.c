#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypt/crypt.h"
#include "dump/backup-db.h"
#include "store/backups.h"
#include "dump/dump.h"
#include "dump/dump-globals.h"
#include "base/format.h"
#include "base/fsutil.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "store/manifest.h"
#include "pg/pgsql.h"
#include "io/progress.h"
#include "io/pipe.h"
#include "s3/s3-pipe.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "base/xalloc.h"

static void
warn_if_shared(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0 && (st.st_mode & 077))
		log_warn("output directory %s is readable by others (mode %03o): backups hold all "
		    "your data; consider chmod 700 %s", dir, (unsigned)(st.st_mode & 0777), dir);
}

/*
 * Names have one-second resolution; a second run within the same second
 * waits for the next one rather than touch the first run's files.
 */
static int
pick_name(const char *dir, int encrypt, char **name, char **path, char **manifest_path)
{
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		int e1, e2;

		*name = backup_name_make(BACKUP_DB, time(NULL));
		if (encrypt) {
			char *plain = *name;

			*name = xasprintf("%s%s", plain, ENCRYPTED_SUFFIX);
			free(plain);
		}
		*path = xasprintf("%s/%s", dir, *name);
		*manifest_path = xasprintf("%s%s", *path, MANIFEST_SUFFIX);
		e1 = fs_exists(*path);
		e2 = fs_exists(*manifest_path);
		if (e1 < 0 || e2 < 0)
			return -1;
		if (e1 == 0 && e2 == 0)
			return 0;
		free(*name);
		free(*path);
		free(*manifest_path);
		*name = *path = *manifest_path = NULL;
		sleep(1);
	}
	log_error("cannot find a free backup name in %s: names for the last seconds are taken", dir);
	return -1;
}

/*
 * For the progress bar's ETA: the tables' size on disk, which COPY text
 * roughly matches. Only an estimate, and only asked when a bar is shown.
 */
static uint64_t
estimate_sql_bytes(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT coalesce(sum(pg_table_size(c.oid)), 0)::bigint FROM pg_class c "
	    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm') "
	    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'");
	uint64_t bytes = 0;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		bytes = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return bytes;
}

static double
seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void
dump_settings_of(const struct db_job *job, struct dump_settings *settings)
{
	memset(settings, 0, sizeof(*settings));
	settings->schema.with_owner = job->with_owner;
	settings->schema.with_privileges = job->with_privileges;
	settings->schema.user_mapping_secrets = job->user_mapping_secrets;
	settings->schema.no_security_labels = job->no_security_labels;
	settings->schema.lock_timeout_ms = job->lock_timeout_ms;
	settings->schema.selection = job->selection;
	settings->serializable_deferrable = job->serializable_deferrable;
	settings->jobs = job->jobs;
	settings->compress_level = job->compress_level;
	settings->spill_dir = job->output_dir;
}

/*
 * The dump's pipe: threaded gzip first, where the dump ends members and
 * appends the ones its workers made, then the bar (the SQL bytes, as the
 * estimate counts them), encryption when asked, sha256 (of the file as
 * stored), with --upload the upload tee (the file's bytes, so the remote
 * object is the file, ciphertext when encrypted) and the atomic file.
 */
static struct pipe *
dump_pipe(const struct db_job *job, PGconn *conn, const char *name, const char *path, struct progress **bar)
{
	struct pipe *p = pipe_new();

	if (progress_wanted())
		*bar = progress_start("dump", estimate_sql_bytes(conn), 1);
	pipe_add_gzip(p, job->compress_level, job->jobs);
	if (*bar != NULL)
		pipe_add_progress(p, *bar);
	if (job->encrypt)
		pipe_add_encrypt(p);
	pipe_add_sha256(p);
	if (job->upload != NULL) {
		char *key = xasprintf("%s%s", job->upload->prefix ? job->upload->prefix : "", name);

		pipe_add_s3_upload(p, job->upload, key, 1);
		free(key);
	}
	pipe_to_file(p, path, 0600);
	return p;
}

/* What the manifest says of the encryption: the key's kind and fingerprint, never the key. */
static int
encryption_of(struct db_manifest *m)
{
	char fp[CRYPT_FP_HEX];
	enum crypt_kind kind;

	if (crypt_write_fingerprint(fp, &kind) < 0)
		return -1;
	m->encryption_key = xstrdup(kind == CRYPT_KIND_FILE ? "key-file" : "passphrase");
	m->key_fingerprint = xstrdup(fp);
	return 0;
}

/*
 * --globals: the roles and tablespaces beside the dump, after it on the
 * same connection, through sha256 and an atomic file of its own;
 * recorded in the manifest, so verify checks it and a prune removes it
 * with the dump.
 */
static int
write_globals(PGconn *conn, const char *gpath, struct db_manifest *m)
{
	struct pipe *p = pipe_new();
	const char *base = strrchr(gpath, '/');
	int rc = -1;

	pipe_add_sha256(p);
	pipe_to_file(p, gpath, 0600);
	if (dump_globals(conn, p, &m->globals_roles, &m->globals_tablespaces) < 0 || pipe_finish(p) < 0 ||
	    pipe_publish(p) < 0)
		goto out;
	m->globals_file = xstrdup(base ? base + 1 : gpath);
	m->globals_bytes = pipe_bytes(p, PIPE_OUT);
	pipe_sha256_hex(p, m->globals_sha256);
	rc = 0;
out:
	pipe_free(p);
	return rc;
}

/*
 * The sidecar manifest, through the same atomic file as the dump, hashed
 * on the way so a caller that lists the two files need not read it back.
 */
static int
write_manifest(const char *path, struct db_result *result)
{
	char *text = manifest_to_json(&result->manifest);
	struct pipe *p = pipe_new();
	int rc = -1;

	pipe_add_sha256(p);
	pipe_to_file(p, path, 0600);
	if (pipe_puts(p, text) < 0 || pipe_finish(p) < 0 || pipe_publish(p) < 0)
		goto out;
	result->manifest_bytes = pipe_bytes(p, PIPE_OUT);
	pipe_sha256_hex(p, result->manifest_sha256);
	rc = 0;
out:
	pipe_free(p);
	free(text);
	return rc;
}

int
backup_db_run(const struct db_job *job, struct db_result *result)
{
	struct db_manifest *m = &result->manifest;
	struct dump_settings settings;
	struct pipe *p = NULL;
	struct progress *bar = NULL;
	struct timespec start;
	PGconn *conn = NULL;
	char *name = NULL, *path = NULL, *manifest_path = NULL, *globals_path = NULL;
	int manifest_written = 0, rc = -1;

	memset(result, 0, sizeof(*result));
	clock_gettime(CLOCK_MONOTONIC, &start);
	dump_settings_of(job, &settings);
	conn = pgsql_connect(&job->target);
	if (conn == NULL)
		goto out;
	if (job->database != NULL) {
		PGconn *other = pgsql_connect_like(conn, job->database);

		PQfinish(conn);
		if ((conn = other) == NULL)
			goto out;
	}
	if ((job->ready != NULL && job->ready(job->ready_arg) < 0) || fs_mkdir_private(job->output_dir) < 0)
		goto out;
	warn_if_shared(job->output_dir);
	interrupt_watch_connection(conn);
	if (pick_name(job->output_dir, job->encrypt, &name, &path, &manifest_path) < 0)
		goto out;
	p = dump_pipe(job, conn, name, path, &bar);
	settings.bar = bar;

	m->file = xstrdup(name);
	m->tool_version = xstrdup(LOTBACKUP_VERSION);
	m->compress_level = job->compress_level;
	m->started_at = iso_time_now();
	if (job->encrypt && encryption_of(m) < 0)
		goto out;
	if (dump_database(conn, &settings, p, m) < 0 || pipe_finish(p) < 0)
		goto out;
	progress_end(bar);
	bar = NULL;
	m->finished_at = iso_time_now();
	m->sql_bytes = pipe_bytes(p, PIPE_IN);
	m->bytes = pipe_bytes(p, PIPE_OUT);
	pipe_sha256_hex(p, m->sha256);
	/* Never report an empty or cut file as a backup. */
	if (m->sql_bytes == 0 || m->bytes == 0) {
		log_error("the dump of %s came out empty; nothing was published", m->database);
		goto out;
	}
	if (job->globals) {
		globals_path = xasprintf("%s%s", path, GLOBALS_SUFFIX);
		if (write_globals(conn, globals_path, m) < 0) {
			free(globals_path);
			globals_path = NULL;	/* not ours to remove: nothing was published */
			goto out;
		}
	}
	/* The manifest goes first, so a published dump always has one. */
	if (write_manifest(manifest_path, result) < 0)
		goto out;
	manifest_written = 1;
	if (pipe_publish(p) < 0)
		goto out;
	log_info("wrote %s (%.1f MiB, %zu tables, %.1f s)", path, (double)m->bytes / (1024.0 * 1024.0),
	    m->ntables, seconds_since(&start));
	/* The caller's check of the file runs while the upload's tail completes (s3-pipe.h, detached). */
	if (job->written != NULL)
		result->written_status = job->written(job->written_arg, path);
	if (job->upload != NULL)
		result->uploaded = pipe_s3_upload_result(p, &result->upload) == 0 ? 1 : -1;
	result->name = name;
	result->path = path;
	name = path = NULL;
	rc = 0;
out:
	progress_end(bar);
	if (rc < 0 && manifest_written)
		unlink(manifest_path);
	if (rc < 0 && globals_path != NULL)
		unlink(globals_path);
	free(globals_path);
	pipe_free(p);
	interrupt_watch_connection(NULL);
	PQfinish(conn);
	if (rc < 0)
		db_result_free(result);
	free(name);
	free(path);
	free(manifest_path);
	return rc;
}

void
db_result_free(struct db_result *result)
{
	free(result->name);
	free(result->path);
	manifest_free(&result->manifest);
	memset(result, 0, sizeof(*result));
}

int
backup_db_list_databases(const struct pg_target *target, char ***names, size_t *count)
{
	PGconn *conn = pgsql_connect(target);
	PGresult *res = NULL;
	int i, rc = -1;

	*names = NULL;
	*count = 0;
	if (conn == NULL)
		return -1;
	res = pgsql_query(conn, "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate"
	    " ORDER BY datname COLLATE \"C\"", "cannot list the server's databases");
	if (res == NULL)
		goto out;
	*names = xcalloc((size_t)PQntuples(res) + 1, sizeof(**names));
	for (i = 0; i < PQntuples(res); i++)
		(*names)[(*count)++] = xstrdup(PQgetvalue(res, i, 0));
	rc = 0;
out:
	PQclear(res);
	PQfinish(conn);
	return rc;
}

void
backup_db_names_free(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

char *
backup_db_folder(const char *datname)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p;

	strbuf_puts(&sb, "db-");
	for (p = (const unsigned char *)datname; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '-' || *p == '.')
			strbuf_putc(&sb, (char)*p);
		else
			strbuf_printf(&sb, "%%%02X", *p);
	}
	return strbuf_detach(&sb);
}
