#ifndef LOTBACKUP_VERIFY_H
#define LOTBACKUP_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "dump/dump-reader.h"

/*
 * Proves a db dump whole without a server: manifest present, file size and
 * SHA-256 as recorded, gzip stream intact to the end (CRCs), completion
 * marker last, rows per table in the COPY blocks as the manifest says.
 */
struct verify_check {
	const char *name;	/* manifest, gzip, size, checksum, complete, parse, not-empty, rows */
	int ok;
	char *detail;		/* what was expected and what was found */
};

/*
 * Every check ever added is kept, in order, and every failed one counted:
 * a result cannot say OK about a check it dropped. Add only through
 * verify_add.
 */
struct verify_result {
	char *path;
	struct verify_check *checks;
	size_t nchecks;
	size_t alloc;
	int failed;		/* number of failed checks */
	/*
	 * verify_db_feed: the members' starts its whole read recorded
	 * (dump_read_stats.bounds), for a reader of the same object by ranges
	 * (dump_source.bounds); NULL: none. Freed with the result.
	 */
	struct gzip_boundary *bounds;
	size_t nbounds;
};

/* An empty result for PATH (copied). */
void verify_result_init(struct verify_result *result, const char *path);
/* Appends a check; its detail is formatted like printf. */
void verify_add(struct verify_result *result, const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * When PATH is an archive of pg_dump's other formats (-Fc, -Ft, -Fd): R is
 * initialised with the one finding naming it, and 1 is returned; else 0.
 */
int verify_foreign_format(const char *path, struct verify_result *r);

/* A file without a manifest (a plain pg_dump file) is checked for what it can show. */
#define VERIFY_ALLOW_NO_MANIFEST 1
/*
 * With a manifest, only its size and SHA-256 against the stored file: as
 * strong a proof, without decompressing (restore uses it before loading).
 */
#define VERIFY_QUICK 2
/*
 * verify's rule: a db dump without a manifest passes only as a legacy dump,
 * one pg_dump made (the old scripts' pg_dump | gzip), checked for what it
 * shows; one of lotbackup's own was written with its manifest and fails.
 */
#define VERIFY_LEGACY 4

/* Returns 0 when the checks ran (see result->failed), -1 when verify itself could not run. */
int verify_db_dump(const char *path, int flags, struct verify_result *result);
/*
 * The same, and the manifest the file was checked against, when it had a
 * usable one, into *kept (zeroed otherwise; the caller frees it with
 * manifest_free): restore loads by the manifest it verified, read once.
 */
struct db_manifest;
int verify_db_dump_manifest(const char *path, int flags, struct verify_result *result, struct db_manifest *kept);
/*
 * The same checks (without flags) on a dump that is not a local file, read
 * once as FEED streams it (dump/dump-reader.h), e.g. an S3 object: against
 * the manifest MTEXT (MLEN bytes; NULL: there is none, a finding), both
 * named by LABEL and MLABEL in the result. SIZE (0: unknown) is for the
 * progress line. The manifest, when usable, into *KEPT (NULL: not wanted),
 * as verify_db_dump_manifest. 0 or -1 as verify_db_dump.
 */
int verify_db_feed(const char *label, const char *mtext, size_t mlen, const char *mlabel, dump_feed_fn feed,
    void *arg, uint64_t size, struct verify_result *result, struct db_manifest *kept);
/*
 * A dump without a manifest that is not a local file (a member of an old
 * full backup's archive), read once as FEED streams it: the checks
 * verify_db_dump makes with VERIFY_LEGACY, named by LABEL. 0 or -1.
 */
int verify_db_feed_legacy(const char *label, dump_feed_fn feed, void *arg, struct verify_result *result);
/* Writes PATH.verified.json after a pass; removes it after a failure. */
int verify_record(const struct verify_result *result);
/* Logs each failed check, naming the file: 1 when any failed, else 0. */
int verify_log_failures(const struct verify_result *result);
void verify_result_free(struct verify_result *result);

#endif
