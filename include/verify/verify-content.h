#ifndef LOTBACKUP_VERIFY_CONTENT_H
#define LOTBACKUP_VERIFY_CONTENT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "restore/restore-types.h"
#include "restore/row-sum.h"
#include "store/manifest.h"

struct readback;	/* verify/verify-readback.h: the readers, started before the load */

struct verify_content_settings {
	const struct db_manifest *manifest;
	const struct row_key *key;	/* the load's: the file's rows were summed under it */
	int jobs;			/* connections reading back at once */
	uint64_t split_bytes;		/* a table with more COPY text is read in block ranges; 0 never */
	char *const *left_out;		/* tables the load left out, named in a warning already: not judged */
	size_t nleft_out;
};

/*
 * verify --restore's check "content", after the load on conn (logged in
 * as the load's role), with rb's readers: every table of the manifest was restored, its COPY
 * got the bytes and CRC-32 the manifest recorded, and read back it holds
 * the manifest's number of rows and exactly the file's rows (the same
 * bytes and row sum, in any order); no COPY leaves a column unfilled, and
 * no table outside the manifest holds rows. Each problem is added to
 * problems (the first three told), counted in nproblems. st's table names
 * become the manifest's. 0 when it ran, -1 when it could not (reported).
 */
int verify_content_compare(PGconn *conn, const struct verify_content_settings *set, struct readback *rb,
    struct restore_stats *st, struct strbuf *problems, size_t *nproblems);

#endif
