#ifndef LOTBACKUP_VERIFY_BLOBS_H
#define LOTBACKUP_VERIFY_BLOBS_H

#include <libpq-fe.h>

#include "restore/row-sum.h"

/*
 * verify --restore: the large objects the load left on conn, each summed
 * as blob_sum_create and blob_sum_chunk sum them (its data read back in
 * BLOB_CHUNK chunks), into *sum and *count. 0, or -1 (reported).
 */
int blobs_read_back(PGconn *conn, const struct row_key *key, struct row_sum *sum, long long *count);

#endif
