#ifndef LOTBACKUP_BACKUPS_H
#define LOTBACKUP_BACKUPS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The backups in an output directory, recognised by this tool's strict
 * name patterns only; the timestamp in the name (UTC) is the backup's time.
 *   lot-systems-db-YYYY-MM-DDTHH-MM-SS.sql.gz (.sql.gz.enc: encrypted)
 *   lot-systems-full-backup-YYYYMMDD_HHMMSS.tar.gz (.tar.gz.enc: encrypted)
 *   full-backup-YYYYMMDD_HHMMSS/
 */
enum backup_kind {
	BACKUP_DB,
	BACKUP_FULL_ARCHIVE,
	BACKUP_FULL_DIR,
};

#define MANIFEST_SUFFIX ".manifest.json"
#define VERIFIED_SUFFIX ".verified.json"
#define PIN_SUFFIX ".pin.json"
/* An encrypted backup's name: the plain one and this (crypt/crypt.h). */
#define ENCRYPTED_SUFFIX ".enc"
/* A verified off-site copy of NAME exists (remote/remote-upload.h). */
#define REMOTE_SUFFIX ".remote.json"
/* db --globals: the roles and tablespaces the dump NAME needs (dump/dump-globals.h). */
#define GLOBALS_SUFFIX ".globals.sql"

/*
 * A backup whose name is dated more than this after the clock (seconds) is
 * "dated in the future": a clock that was wrong when it was named (or is
 * now), or a file put there by hand. It never counts as the newest, the
 * freshest or the one retention keeps by recency, and prune refuses to run
 * beside it. Five minutes (Kerberos' default) covers the skew between
 * hosts whose backups are pulled into one directory.
 */
#define BACKUP_FUTURE_SKEW 300

struct backup_entry {
	enum backup_kind kind;
	char *name;		/* file or directory name */
	char *path;		/* output_dir/name */
	time_t when;		/* from the name, UTC */
	uint64_t size;		/* bytes (a directory: sum of its regular files) */
	int has_manifest;
	int verified;		/* NAME.verified.json is verify's record of NAME itself */
	int pinned;		/* a NAME.pin.json record exists: kept forever */
	int encrypted;		/* the name ends in ENCRYPTED_SUFFIX */
	int offsite;		/* a NAME.remote.json record exists: uploaded and verified */
};

/* Parses a name; 0 and kind/when set when it is one of ours, -1 otherwise. */
int backup_name_parse(const char *name, enum backup_kind *kind, time_t *when);
/* The name for a new backup of `kind` taken at `when`. */
char *backup_name_make(enum backup_kind kind, time_t when);
/* 1 when NAME (a path too) is an encrypted backup's. */
int backup_name_encrypted(const char *name);
const char *backup_kind_label(enum backup_kind kind);
/*
 * 1 when DIR/NAME.verified.json is verify's record of NAME itself (as
 * backups_scan reads it for .verified), else 0: none, unreadable, or
 * another backup's. For a backup that is not in DIR (prune --remote).
 */
int backup_verified_in(const char *dir, const char *name);
/* 1 when a backup of WHEN is dated in the future at NOW (BACKUP_FUTURE_SKEW). */
int backup_dated_future(time_t when, time_t now);
/*
 * Lists DIR's backups newest first. A missing DIR gives none and 0.
 * Returns 0 or -1 (reported).
 */
int backups_scan(const char *dir, struct backup_entry **out, size_t *count);
void backups_free(struct backup_entry *entries, size_t count);

/*
 * The sidecar PATH+SUFFIX (.pin.json, .verified.json, .remote.json): OBJ
 * written atomically, 0600 (OBJ's reference is taken), or removed with
 * the directory fsynced (1 when there was none). 0 or -1, reported; a
 * removal names the file as WHAT.
 */
struct json_t;
int backup_sidecar_write(const char *path, const char *suffix, struct json_t *obj);
int backup_sidecar_remove(const char *path, const char *suffix, const char *what);

#endif
