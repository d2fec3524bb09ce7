/*
 * verify --restore's read-back of large objects (verify-blobs.h): what
 * the file's lo_create and lo_put statements made is compared with what
 * the scratch database holds, as rows are: an object the file's forms do
 * not describe (another lo_put over its data, a lowrite, one made or
 * unlinked by a function) shows as a difference.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "dump/dump-blobs.h"
#include "pg/pgsql.h"
#include "verify/verify-blobs.h"

/* One object's data, chunk by chunk in binary, into sum. 0, or -1 (reported). */
static int
read_object(PGconn *conn, const struct row_key *key, const char *oid, unsigned long oidnum, struct row_sum *sum)
{
	char offset[32], chunk[16], *what = xasprintf("cannot read back large object %s", oid);
	const char *params[3] = { oid, offset, chunk };
	long long at = 0;
	PGresult *res;
	int len, rc = -1;

	snprintf(chunk, sizeof(chunk), "%d", BLOB_CHUNK);
	do {
		snprintf(offset, sizeof(offset), "%lld", at);
		/* Binary: the bytes themselves, as the file's hex decodes to. */
		res = PQexecParams(conn, "SELECT pg_catalog.lo_get($1::pg_catalog.oid, $2::pg_catalog.int8, "
		    "$3::pg_catalog.int4)", 3, NULL, params, NULL, NULL, 1);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			pgsql_report(conn, res, what);
			PQclear(res);
			goto out;
		}
		len = PQgetlength(res, 0, 0);
		if (len > 0)
			blob_sum_chunk(key, sum, oidnum, at, PQgetvalue(res, 0, 0), (size_t)len);
		PQclear(res);
		at += len;
	} while (len == BLOB_CHUNK);
	rc = 0;
out:
	free(what);
	return rc;
}

int
blobs_read_back(PGconn *conn, const struct row_key *key, struct row_sum *sum, long long *count)
{
	PGresult *res = pgsql_query(conn, "SELECT oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid",
	    "cannot list the large objects the load made");
	int i, rc = 0;

	*count = 0;
	if (res == NULL)
		return -1;
	for (i = 0; rc == 0 && i < PQntuples(res); i++) {
		unsigned long oid = strtoul(PQgetvalue(res, i, 0), NULL, 10);

		blob_sum_create(key, sum, oid);
		rc = read_object(conn, key, PQgetvalue(res, i, 0), oid, sum);
		(*count)++;
	}
	PQclear(res);
	return rc;
}
