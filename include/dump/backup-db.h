#ifndef LOTBACKUP_BACKUP_DB_H
#define LOTBACKUP_BACKUP_DB_H

#include "pg/pgsql.h"
#include "s3/s3-pipe.h"
#include "store/manifest.h"

/* What one `db` run needs: the command maps its options to this once. */
struct db_job {
	struct pg_target target;	/* the database to dump */
	const char *output_dir;
	int jobs;			/* connections copying tables, and compression threads */
	int compress_level;
	int with_owner;
	int with_privileges;
	int user_mapping_secrets;	/* keep user mappings' passwords */
	int no_security_labels;		/* leave SECURITY LABEL out */
	int lock_timeout_ms;		/* 0: none */
	int serializable_deferrable;
	const struct db_selection *selection;
	const char *database;		/* --all-databases: this database on target's server; NULL: target's own */
	int globals;			/* --globals: NAME.globals.sql beside the dump (dump/dump-globals.h) */	/* -n, -t, ... (store/selection.h); NULL: everything */
	int encrypt;			/* with the run's key (crypt/crypt.h): NAME.sql.gz.enc */
	/*
	 * db --upload: the dump also streams to this store (key: its prefix
	 * and the dump's name) as it is written, detached, so a failed upload
	 * never fails or touches the local dump. NULL: no upload.
	 */
	const struct s3_config *upload;
	/*
	 * Called once the connection works, before anything is written (NULL:
	 * none): where the caller makes the output directory and takes its
	 * lock, so a run that cannot connect leaves nothing behind. 0 or -1.
	 */
	int (*ready)(void *arg);
	void *ready_arg;
	/*
	 * Called with the published dump's path (NULL: none), while an upload
	 * completes: where the caller checks what was written. Its return
	 * value is db_result.written_status.
	 */
	int (*written)(void *arg, const char *path);
	void *written_arg;
};

/* What it made: enough that a caller never reads the files back. */
struct db_result {
	char *name;			/* the dump's base name in output_dir */
	char *path;			/* output_dir/name, where it was published */
	struct db_manifest manifest;	/* as written beside it: sizes, SHA-256, tables */
	uint64_t manifest_bytes;	/* the manifest file's own size and hash */
	char manifest_sha256[65];
	int written_status;		/* what job->written returned */
	int uploaded;			/* with job->upload: 1 completed and checked (upload below), -1 failed */
	struct s3_upload_result upload;
};

/*
 * The whole `db` job: dumps the database through gzip -> sha256 -> atomic
 * file into OUTPUT_DIR/lot-systems-db-<UTC>.sql.gz, writes the sidecar
 * manifest, then publishes the dump by rename. On any failure nothing
 * appears under a final name and *result is left empty. Returns 0 or -1
 * (reported); db_result_free() either way.
 */
int backup_db_run(const struct db_job *job, struct db_result *result);
/*
 * --all-databases: the databases of TARGET's server a dump is taken of,
 * as pg_dumpall takes them (connectable, not templates), sorted. 0 or -1
 * (reported); backup_db_names_free() either way.
 */
int backup_db_list_databases(const struct pg_target *target, char ***names, size_t *count);
void backup_db_names_free(char **names, size_t count);
/*
 * The folder of DATNAME's dumps under the output directory: "db-" and
 * the name, bytes other than letters, digits, '_', '-' and '.' written
 * %XX, so any name makes one safe folder name (caller frees).
 */
char *backup_db_folder(const char *datname);
void db_result_free(struct db_result *result);

#endif
