#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "dump/dump-blobs.h"
#include "dump/dump-schema-internal.h"
#include "pg/pgsql.h"

/* oid, owner, then the GRANTs and the comment as statements ('' when none). */
static const char blobs_sql[] =
    "SELECT l.oid, quote_ident(pg_get_userbyid(l.lomowner)),"
    " CASE WHEN l.lomacl IS NULL THEN '' ELSE"
    "   format('REVOKE ALL ON LARGE OBJECT %s FROM PUBLIC;', l.oid)"
    "   || format(E'\\nREVOKE ALL ON LARGE OBJECT %s FROM %I;', l.oid, pg_get_userbyid(l.lomowner))"
    "   || coalesce(E'\\n' || " GRANTS_SQL("l.lomacl", "l.oid", "'LARGE OBJECT'", "l.lomowner",
	"x.privilege_type") ", '') || E'\\n' END,"
    " coalesce(format(E'COMMENT ON LARGE OBJECT %s IS %L;\\n', l.oid, d.description), '')"
    " FROM pg_largeobject_metadata l"
    " LEFT JOIN pg_description d ON d.classoid = 'pg_largeobject'::regclass AND d.objoid = l.oid"
    "   AND d.objsubid = 0"
    " ORDER BY l.oid";

/* The data statement's opening, before the oid. */
#define BLOB_PUT_PREFIX "SELECT pg_catalog.lo_put('"

/*
 * Digits at *p (at most 18: no overflow; none leading a zero but "0"),
 * into *v; the position after them, or NULL (more digits follow too).
 */
static const char *
digits(const char *p, const char *end, long long *v)
{
	const char *start = p;

	for (*v = 0; p < end && *p >= '0' && *p <= '9' && p - start < 18; p++)
		*v = *v * 10 + (*p - '0');
	if (p == start || (*start == '0' && p - start > 1) || (p < end && *p >= '0' && *p <= '9'))
		return NULL;
	return p;
}

/* The literal lit at *p: the position after it, or NULL. */
static const char *
literal(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return p != NULL && (size_t)(end - p) >= n && memcmp(p, lit, n) == 0 ? p + n : NULL;
}

/* blob_statement_parse into a zeroed *st, which may be left half filled when it is not one. */
static int
parse_blob(const char *text, const char *end, struct blob_statement *st)
{
	const char *p;
	long long oid, offset;

	if ((p = literal(text, end, BLOB_CREATE_PREFIX)) != NULL)
		st->kind = BLOB_CREATE;
	else if ((p = literal(text, end, BLOB_PUT_PREFIX)) != NULL)
		st->kind = BLOB_PUT;
	else
		return 0;
	if ((p = digits(p, end, &oid)) == NULL || oid > 4294967295LL || (p = literal(p, end, "'")) == NULL)
		return 0;
	st->oid = (unsigned long)oid;
	if (st->kind == BLOB_CREATE)
		return literal(p, end, ");") == end;
	if ((p = literal(p, end, ", ")) == NULL || (p = digits(p, end, &offset)) == NULL ||
	    (p = literal(p, end, ", '\\x")) == NULL)
		return 0;
	st->offset = offset;
	st->hex = p;
	while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
		p++;
	st->hexlen = (size_t)(p - st->hex);
	return st->hexlen % 2 == 0 && literal(p, end, "');") == end;
}

int
blob_statement_parse(const char *text, size_t len, struct blob_statement *st)
{
	memset(st, 0, sizeof(*st));
	if (parse_blob(text, text + len, st))
		return 1;
	memset(st, 0, sizeof(*st));
	return 0;
}

/* The object's data, chunk by chunk as hex, each chunk one lo_put. */
static int
blob_data(PGconn *conn, const char *oid, struct pipe *out, uint64_t *bytes)
{
	char *sql = NULL, *what = xasprintf("cannot read large object %s", oid);
	PGresult *res = NULL;
	long long offset = 0;
	size_t hex;
	int rc = -1;

	do {
		free(sql);
		PQclear(res);
		sql = xasprintf("SELECT pg_catalog.encode(pg_catalog.lo_get(%s, %lld, %d), 'hex')", oid, offset,
		    BLOB_CHUNK);
		if ((res = pgsql_query(conn, sql, what)) == NULL)
			goto out;
		hex = (size_t)PQgetlength(res, 0, 0);
		if (hex == 0)
			break;
		if (pipe_printf(out, BLOB_PUT_PREFIX "%s', %lld, '\\x", oid, offset) < 0 ||
		    pipe_write(out, PQgetvalue(res, 0, 0), hex) < 0 || pipe_puts(out, "');\n") < 0)
			goto out;
		offset += (long long)hex / 2;
		*bytes += hex / 2;
	} while (hex / 2 == BLOB_CHUNK);
	rc = 0;
out:
	PQclear(res);
	free(sql);
	free(what);
	return rc;
}

int
dump_blobs(PGconn *conn, const struct schema_settings *settings, struct pipe *out,
    long long *count, uint64_t *bytes)
{
	PGresult *res;
	int i, rc = -1;

	*count = 0;
	*bytes = 0;
	/* The metadata of every object at once, as pg_dump reads it; the data comes one chunk at a time. */
	if ((res = pgsql_query(conn, blobs_sql, "cannot read large objects")) == NULL)
		return -1;
	if (PQntuples(res) > 0 && pipe_puts(out, "--\n-- Large objects\n--\n\n") < 0)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		const char *oid = PQgetvalue(res, i, 0);

		/* The data before the owner: a restore as a plain role may write only its own objects. */
		if (pipe_printf(out, BLOB_CREATE_PREFIX "%s');\n", oid) < 0 || blob_data(conn, oid, out, bytes) < 0)
			goto out;
		if (settings->with_owner &&
		    pipe_printf(out, "ALTER LARGE OBJECT %s OWNER TO %s;\n", oid, PQgetvalue(res, i, 1)) < 0)
			goto out;
		if (settings->with_privileges && pipe_puts(out, PQgetvalue(res, i, 2)) < 0)
			goto out;
		if (pipe_printf(out, "%s\n", PQgetvalue(res, i, 3)) < 0)
			goto out;
		(*count)++;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}
