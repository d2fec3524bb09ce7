#ifndef LOTBACKUP_VERIFY_H
#define LOTBACKUP_VERIFY_H

#include <stddef.h>

/*
 * Proves a db dump whole without a server: manifest present, file size and
 * SHA-256 as recorded, gzip stream intact to the end (CRCs), completion
 * marker last, rows per table in the COPY blocks as the manifest says.
 */
#define VERIFY_MAX_CHECKS 10

struct verify_check {
	const char *name;	/* manifest, gzip, size, checksum, complete, parse, not-empty, rows */
	int ok;
	char *detail;		/* what was expected and what was found */
};

struct verify_result {
	char *path;
	struct verify_check checks[VERIFY_MAX_CHECKS];
	size_t nchecks;
	int failed;		/* number of failed checks */
};

/* A file without a manifest (a plain pg_dump file) is checked for what it can show. */
#define VERIFY_ALLOW_NO_MANIFEST 1
/*
 * With a manifest, only its size and SHA-256 against the stored file: as
 * strong a proof, without decompressing (restore uses it before loading).
 */
#define VERIFY_QUICK 2

/* Returns 0 when the checks ran (see result->failed), -1 when verify itself could not run. */
int verify_db_dump(const char *path, int flags, struct verify_result *result);
/* Writes PATH.verified.json after a pass; removes it after a failure. */
int verify_record(const struct verify_result *result);
void verify_result_free(struct verify_result *result);

#endif
