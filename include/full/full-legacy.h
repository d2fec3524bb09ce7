#ifndef LOTBACKUP_FULL_LEGACY_H
#define LOTBACKUP_FULL_LEGACY_H

#include <stddef.h>

#include "verify/verify.h"

/*
 * Full backups of the product's old script, scripts/create-full-backup.sh:
 * backups/full-backup-STAMP/ (git-*.txt, package.json, yarn.lock, the
 * templates it found, system-state.txt, database-backup.sql.gz when it
 * reached the database, BACKUP-MANIFEST.md written last) and
 * lot-systems-full-backup-STAMP.tar.gz of that directory. No MANIFEST.json
 * and no sidecar: checked by what they show, as legacy db dumps are, and
 * labelled legacy.
 */
#define FULL_LEGACY_DUMP "database-backup.sql.gz"
#define FULL_LEGACY_MANIFEST "BACKUP-MANIFEST.md"
/* How verify's manifest check names one: "none: " and this. */
#define FULL_LEGACY_NOTE "a legacy full backup (the old scripts/create-full-backup.sh)"

struct full_legacy {
	unsigned seen;		/* bits of the files the script always writes, found */
	size_t nfiles;
	int has_dump;
	int dump_claimed;	/* BACKUP-MANIFEST.md lists the dump */
};

/* 1 when DIR, a directory without MANIFEST.json, holds a file only the old script writes. */
int full_legacy_dir(const char *dir);
/* Notes the file REL (its path below the backup's top directory). */
void full_legacy_note(struct full_legacy *l, const char *rel);
/* Reads BACKUP-MANIFEST.md (TEXT, LEN bytes): whether it lists the database dump. */
void full_legacy_claims(struct full_legacy *l, const char *text, size_t len);
/* Adds the checks of what was noted to RES; DUMP: the dump's own checks (NULL: it was not read). */
void full_legacy_checks(const struct full_legacy *l, const struct verify_result *dump, struct verify_result *res);
/* 1 when RES, full_verify's, judged a legacy full backup. */
int full_legacy_result(const struct verify_result *res);
/* The checks of a legacy directory DIR, added to RES. 0, or -1 (reported). */
int full_verify_legacy_dir(const char *dir, struct verify_result *res);

#endif
