/*
 * Security labels, as pg_dump writes them: SECURITY LABEL FOR provider
 * ON kind name IS 'label', for each dumped object of the database. The
 * server names the object (pg_seclabels, read while search_path is empty,
 * so the names come out schema-qualified). Labels of the database, roles
 * and tablespaces are cluster-wide: pg_dump leaves them to pg_dumpall.
 */
#include <stdlib.h>

#include "dump/dump-schema-internal.h"
#include "pg/pgsql.h"

/* Catalogs whose objects are not nodes of the sort (fixed oids since 9.x). */
#define PG_LARGEOBJECT_OID 2613
#define PG_EVENT_TRIGGER_OID 3466
#define PG_PUBLICATION_OID 6104

static const char labels_sql[] =
    "SELECT l.classoid, l.objoid,"
    " format('SECURITY LABEL FOR %I ON %s %s IS %L;', l.provider, upper(l.objtype), l.objname, l.label)"
    " FROM pg_seclabels l WHERE l.objtype NOT IN ('database', 'role', 'tablespace')"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend lb_e WHERE lb_e.classid = l.classoid"
    "   AND lb_e.objid = l.objoid AND lb_e.deptype = 'e')"
    " ORDER BY l.classoid, l.objoid, l.objsubid, l.provider COLLATE \"C\"";

/*
 * The section a label goes to once its object exists, NULL when its
 * object is not in the dump. A column's label is its table's (objoid).
 */
static struct strbuf *
label_section(struct schema *s, unsigned int classid, unsigned int objid)
{
	switch (classid) {
	case PG_LARGEOBJECT_OID:
		/* As pg_dump: large objects only in a dump of everything with data. */
		return s->sel.everything && !s->schema_only ? &s->post[POST_SECLABEL] : NULL;
	case PG_EVENT_TRIGGER_OID:
		/* Event triggers are created next to last; their labels follow them. */
		return s->sel.everything ? &s->post[POST_EVENT_TRIGGER] : NULL;
	case PG_PUBLICATION_OID:
		return s->sel.everything ? &s->post[POST_SECLABEL] : NULL;
	default:
		return schema_find(s, classid, objid) != NO_NODE ? &s->post[POST_SECLABEL] : NULL;
	}
}

int
schema_load_security_labels(struct schema *s, PGconn *conn)
{
	PGresult *res;
	int i;

	if (s->no_security_labels)
		return 0;
	if ((res = pgsql_query(conn, labels_sql, "cannot read security labels")) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		struct strbuf *dst = label_section(s, (unsigned int)strtoul(PQgetvalue(res, i, 0), NULL, 10),
		    (unsigned int)strtoul(PQgetvalue(res, i, 1), NULL, 10));

		if (dst != NULL)
			append_stmt(dst, PQgetvalue(res, i, 2));
	}
	PQclear(res);
	return 0;
}
