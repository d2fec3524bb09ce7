#ifndef LOTBACKUP_FULL_BACKUP_H
#define LOTBACKUP_FULL_BACKUP_H

#include "dump/backup-db.h"

/* What a `full` run publishes: one value, so no setting asks for neither. */
enum full_output {
	FULL_DIR_AND_ARCHIVE,
	FULL_ARCHIVE_ONLY,	/* --archive-only */
	FULL_DIR_ONLY,		/* --dir-only */
};

/* What one `full` run needs: the command maps its options to this once. */
struct full_settings {
	const char *project_dir;
	const char *output_dir;
	int compress_level;		/* the archive's gzip level */
	enum full_output output;
	int require_db;			/* no database configured is an error */
	int db_configured;		/* something names a database to dump */
	struct db_job db;		/* the dump; its output_dir is the staging directory's */
	const char *extra_files;	/* LOTBACKUP_EXTRA_FILES patterns; NULL: none */
	int no_git;
	int allow_broken_git;
	int git_packs;
	int submodules;
	int scan_history;		/* --scan-history: scan every blob in history, not only HEAD's files */
	/* --upload: the archive also streams there as it is written (as db_job's upload). NULL: none. */
	const struct s3_config *upload;
	/*
	 * --encrypt: the archive as NAME.tar.gz.enc (the run's key, crypt/crypt.h),
	 * and no directory: it would hold the same files in plaintext.
	 */
	int encrypt;
};

/*
 * The `full` job: git state, dependency manifests, configuration templates,
 * a system report and the database dump, staged in OUTPUT/full-backup-X.tmp/
 * with MANIFEST.json, then archived (tar + gzip, streamed through a pipe)
 * and published by rename: the directory full-backup-X/ and
 * lot-systems-full-backup-X.tar.gz (with encrypt: only the archive, as
 * lot-systems-full-backup-X.tar.gz.enc). On failure neither final name appears.
 * *published gets the path of the archive, or of the directory with
 * --dir-only (caller frees). With settings->upload, *uploaded is 1 when
 * the archive's upload completed and was checked (*upload says how), -1
 * when it failed (reported); else 0. Returns 0 or -1 (reported).
 */
int full_backup_run(const struct full_settings *settings, char **published, int *uploaded,
    struct s3_upload_result *upload);
/*
 * What full_backup_run would refuse before writing anything (no git
 * repository without --no-git), reported: run before the output
 * directory is made, so such a run leaves nothing behind. 0 or -1.
 */
int full_preflight(const struct full_settings *settings);

#define FULL_MANIFEST_NAME "MANIFEST.json"

#endif
