#ifndef LOTBACKUP_FULL_RESTORE_H
#define LOTBACKUP_FULL_RESTORE_H

#include "cmd/options.h"
#include "restore/restore-db.h"

/* 1 when PATH names a full backup (a .tar.gz archive or a directory). */
int full_backup_path(const char *path);
/*
 * restore FULL --to DIR: the archive is verified first (exit 3 when it
 * fails), extracted safely, the repository rebuilt from its bundle at the
 * recorded commit, the uncommitted changes applied with --with-uncommitted,
 * untracked dependency and template files put back, and with db (NULL:
 * none) the database restored through the db restore path. Returns an
 * LB_EXIT_* code.
 */
int full_restore(const struct options *opts, const struct restore_db_settings *db, const char *path);

#endif
