#ifndef LOTBACKUP_DUMP_BLOBS_H
#define LOTBACKUP_DUMP_BLOBS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "dump/dump-schema.h"
#include "io/pipe.h"

/* The opening of the statement that creates a large object: what verify counts. */
#define BLOB_CREATE_PREFIX "SELECT pg_catalog.lo_create('"

/*
 * Writes every large object of the database, in oid order: lo_create with
 * its oid, its data in lo_put statements of at most BLOB_CHUNK bytes each
 * (read chunk by chunk inside the dump's snapshot, never whole in memory),
 * then its owner, privileges and comment as SETTINGS say. Each statement
 * stands alone, so the file loads through psql and under a restore's
 * single transaction alike. *COUNT and *BYTES: objects and data bytes
 * written. `conn` is inside the dump's transaction. 0 or -1 (reported,
 * naming the object).
 */
int dump_blobs(PGconn *conn, const struct schema_settings *settings, struct pipe *out,
    long long *count, uint64_t *bytes);

#endif
