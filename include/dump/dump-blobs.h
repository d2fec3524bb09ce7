#ifndef LOTBACKUP_DUMP_BLOBS_H
#define LOTBACKUP_DUMP_BLOBS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "dump/dump-schema.h"
#include "io/pipe.h"

/* The opening of the statement that creates a large object: what verify counts. */
#define BLOB_CREATE_PREFIX "SELECT pg_catalog.lo_create('"
/*
 * Bytes of data per lo_put statement (twice that in hex): one chunk at a
 * time is all a large object costs in memory, here and in the restore.
 * verify --restore reads objects back in the same chunks.
 */
#define BLOB_CHUNK (128 * 1024)

/* A statement of a large object as dump_blobs writes it. */
struct blob_statement {
	enum { BLOB_CREATE = 1, BLOB_PUT } kind;
	unsigned long oid;
	long long offset;	/* BLOB_PUT: where the data goes */
	const char *hex;	/* BLOB_PUT: the data in hex, in the statement's text */
	size_t hexlen;
};

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

/*
 * Is text exactly "SELECT pg_catalog.lo_create('OID');" or "SELECT
 * pg_catalog.lo_put('OID', OFFSET, '\\xHEX');", as dump_blobs writes
 * them? 1 with *st filled, else 0 (another form, whatever it does) with
 * *st zeroed.
 */
int blob_statement_parse(const char *text, size_t len, struct blob_statement *st);

#endif
