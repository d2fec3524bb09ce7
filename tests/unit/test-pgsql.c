#include <stdlib.h>
#include <string.h>

#include "pg/pgsql.h"
#include "unit.h"

/*
 * pgsql_error_text() with real libpq objects and no server: a connection
 * refused on a socket directory that does not exist, and a result made
 * without one.
 */
int
main(void)
{
	PGconn *conn = PQconnectdb("host=/nonexistent-lotbackup-dir port=1 connect_timeout=1");
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	const char *t;

	UNIT_CHECK("connection refused", PQstatus(conn) == CONNECTION_BAD);
	t = pgsql_error_text(conn, NULL);
	UNIT_CHECK("connection's message, no newline", t[0] != '\0' && strchr(t, '\n') == NULL);
	UNIT_CHECK("connection's message names the socket", strstr(t, "nonexistent-lotbackup-dir") != NULL);
	t = pgsql_error_text(conn, res);
	UNIT_CHECK("result without a primary message: the connection's", strstr(t, "nonexistent") != NULL);
	UNIT_CHECK("nothing to say", strcmp(pgsql_error_text(NULL, NULL), "no reply from the server") == 0);
	UNIT_CHECK("empty result, no connection", strcmp(pgsql_error_text(NULL, res), "no reply from the server") == 0);
	PQclear(res);
	PQfinish(conn);
	{
		static const char *const names[] = { "public.t", "public.\"Log\"", "a\\b", "x,y {z}" };
		char *a = pgsql_text_array(names, 4), *e = pgsql_text_array(names, 0);

		UNIT_CHECK("text[] literal quotes each item, escapes \" and \\",
		    strcmp(a, "{\"public.t\",\"public.\\\"Log\\\"\",\"a\\\\b\",\"x,y {z}\"}") == 0);
		UNIT_CHECK("empty text[] literal", strcmp(e, "{}") == 0);
		free(a);
		free(e);
	}
	return unit_done();
}
