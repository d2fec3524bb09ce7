#ifndef LOTBACKUP_FULL_RESTORE_H
#define LOTBACKUP_FULL_RESTORE_H

#include <stdint.h>

#include "restore/restore-db.h"

/* 1 when PATH names a full backup (a .tar.gz or .tar.gz.enc archive, or a directory). */
int full_backup_path(const char *path);
/*
 * restore FULL --to DIR: the archive is verified first (exit 3 when it
 * fails), extracted safely, the repository rebuilt from its bundle at the
 * recorded commit, the uncommitted changes applied with --with-uncommitted,
 * untracked dependency and template files put back, and with db (NULL:
 * none) the database restored through the db restore path. PATH is an
 * archive; a backup directory is the caller's usage error. Returns 0, 1
 * when the archive or the dump failed verification (nothing of that part
 * was restored), or -1 (reported).
 */
struct full_restore_settings {
	const char *to;			/* the new or empty directory to restore into */
	int with_uncommitted;		/* apply the uncommitted-changes patch */
	const struct restore_db_settings *db;	/* NULL: leave the database alone */
};

int full_restore(const struct full_restore_settings *settings, const char *path);
/*
 * The same for an archive that is not a local file, named PATH: CHECK
 * verifies it first (0, 1 failed, reported, -1), then SIZE bytes of it are
 * extracted from SRC (full_extract_source).
 */
struct dump_source;
int full_restore_source(const struct full_restore_settings *settings, const char *path, const struct dump_source *src,
    uint64_t size, int (*check)(void *arg), void *arg);

#endif
