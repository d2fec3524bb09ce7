#ifndef LOTBACKUP_FULL_ARCHIVE_H
#define LOTBACKUP_FULL_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "verify/verify.h"

/*
 * Reading a full backup back: the .tar.gz or the directory, checked member
 * by member against its MANIFEST.json. The archive is untrusted input:
 * absolute paths, "..", links, devices, members the manifest does not list
 * and sizes it does not match are refused, and nothing is ever written
 * outside the target directory.
 */
struct full_entry {
	char *path;
	uint64_t size;
	char sha256[65];
	int seen;
};

struct full_manifest {
	char *name;		/* full-backup-STAMP */
	char *commit;		/* HEAD at backup time, or NULL */
	char *branch;
	int db_included;
	struct full_entry *files;
	size_t nfiles;
	struct full_entry **sorted;	/* files in tree order ('/' first), for lookups */
};

/* Parses MANIFEST.json text; -1 with a message in err. */
int full_manifest_parse(const char *text, size_t len, struct full_manifest *m, char *err, size_t errlen);
void full_manifest_free(struct full_manifest *m);

/*
 * Adds the checks of a full archive or directory to `result`: its sidecar
 * (archive size and SHA-256), every member's SHA-256 and size against
 * MANIFEST.json, nothing extra, nothing missing. 0 when the checks ran.
 */
int full_verify(const char *path, struct verify_result *result);

/*
 * Extracts a full archive into DIR (created 0700; must not exist or be
 * empty), checking each member as it is written; fills *m. On a refusal or
 * a mismatch returns -1 (reported); what was written stays inside DIR.
 */
int full_extract(const char *archive_path, const char *dir, struct full_manifest *m);

/*
 * The same two for an archive that is not a local file (an S3 object):
 * SIZE bytes read by ranges from SRC (dump/dump-reader.h), SRC->name naming
 * it. full_verify_source checks the archive against the sidecar TEXT (LEN
 * bytes; NULL: there is none, a finding) named SIDE, its SHA-256 taken in
 * the same read. full_extract_source: ARCHIVE_PATH names it in messages.
 */
struct dump_source;
int full_verify_source(const struct dump_source *src, uint64_t size, const char *side, const char *text, size_t len,
    struct verify_result *result);
int full_extract_source(const char *archive_path, const struct dump_source *src, uint64_t size, const char *dir,
    struct full_manifest *m);

#endif
