/*
 * Object kinds of issue #17, part 4: foreign-data wrappers and servers
 * (pre-data nodes, with their user mappings), publications,
 * subscriptions and event triggers (post-data sections). Foreign tables
 * are tables (dump-schema-objects.c). Each statement is built from its
 * catalog as pg_dump 15's dump<Kind>() builds it; options keep their
 * array's order, so the copy's catalog is the source's.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/dump-schema-internal.h"
#include "base/log.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* " OPTIONS (\n    k 'v',\n    ...\n)", or '' when there are none. */
#define WITH_OPTIONS(opts) "coalesce(E' OPTIONS (\\n    ' || " FDW_OPTIONS_SQL(opts) " || E'\\n)', '')"

/* Node columns: see dump-schema-objects.c. 41 is PRIO_FDW. */
static const char fdws_sql[] =
    "SELECT 'pg_foreign_data_wrapper'::regclass::oid, w.oid, 41, '', w.fdwname, 'foreign-data wrapper',"
    " quote_ident(w.fdwname), '', 'f',"
    " format('CREATE FOREIGN DATA WRAPPER %I', w.fdwname)"
    " || CASE WHEN w.fdwhandler <> 0 THEN ' HANDLER ' || w.fdwhandler::regproc::text ELSE '' END"
    " || CASE WHEN w.fdwvalidator <> 0 THEN ' VALIDATOR ' || w.fdwvalidator::regproc::text ELSE '' END"
    " || " WITH_OPTIONS("w.fdwoptions") " || ';',"
    " format('ALTER FOREIGN DATA WRAPPER %I OWNER TO %I;', w.fdwname, pg_get_userbyid(w.fdwowner)),"
    " NULL, NULL"
    " FROM pg_foreign_data_wrapper w WHERE " NOT_MEMBER("pg_foreign_data_wrapper", "w.oid");

/* 42 is PRIO_SERVER. */
static const char servers_sql[] =
    "SELECT 'pg_foreign_server'::regclass::oid, s.oid, 42, '', s.srvname, 'server',"
    " quote_ident(s.srvname), '', 'f',"
    " format('CREATE SERVER %I', s.srvname)"
    " || coalesce(' TYPE ' || quote_literal(nullif(s.srvtype, '')), '')"
    " || coalesce(' VERSION ' || quote_literal(nullif(s.srvversion, '')), '')"
    " || format(' FOREIGN DATA WRAPPER %I', w.fdwname)"
    " || " WITH_OPTIONS("s.srvoptions") " || ';',"
    " format('ALTER SERVER %I OWNER TO %I;', s.srvname, pg_get_userbyid(s.srvowner)),"
    " NULL, NULL"
    " FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw"
    " WHERE " NOT_MEMBER("pg_foreign_server", "s.oid");

/*
 * User mappings as (classid, server oid, role, CREATE, whether a password
 * was left out, whether the options are hidden), by role as pg_dump
 * orders them. pg_user_mappings shows the options only to whoever may
 * see them (a superuser, the server's owner, the mapped role): the
 * last column is its condition, negated. $1 says whether a password
 * option is kept.
 */
static const char user_mappings_sql[] =
    "SELECT 'pg_foreign_server'::regclass::oid, um.srvid, um.usename,"
    " format('CREATE USER MAPPING FOR %s SERVER %I', CASE WHEN um.umuser = 0 THEN 'PUBLIC'"
    "   ELSE quote_ident(um.usename) END, um.srvname)"
    " || coalesce(E' OPTIONS (\\n    ' || (SELECT string_agg(quote_ident(o.k) || ' ' || quote_literal(o.v),"
    "   E',\\n    ' ORDER BY o.i) FROM pg_options_to_table(um.umoptions) WITH ORDINALITY o(k, v, i)"
    "   WHERE $1 OR o.k <> 'password') || E'\\n)', '') || ';',"
    " NOT $1 AND EXISTS (SELECT 1 FROM pg_options_to_table(um.umoptions) o WHERE o.option_name = 'password'),"
    " NOT (coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user), false)"
    "   OR (um.umuser = 0 AND pg_has_role(s.srvowner, 'USAGE'))"
    "   OR (um.umuser <> 0 AND um.usename = current_user"
    "     AND (pg_has_role(s.srvowner, 'USAGE') OR has_server_privilege(s.oid, 'USAGE'))))"
    " FROM pg_user_mappings um JOIN pg_foreign_server s ON s.oid = um.srvid"
    " ORDER BY um.srvname COLLATE \"C\", um.usename COLLATE \"C\"";

/* (classid, oid, sql): wrappers' and servers' privileges, as acl_sql writes the others'. */
static const char acl_sql[] =
    "WITH o(nclass, nobj, kw, name, owner, acl) AS ("
    " SELECT 'pg_foreign_data_wrapper'::regclass::oid, w.oid, 'FOREIGN DATA WRAPPER', quote_ident(w.fdwname),"
    "   w.fdwowner, w.fdwacl FROM pg_foreign_data_wrapper w"
    " UNION ALL"
    " SELECT 'pg_foreign_server'::regclass::oid, s.oid, 'FOREIGN SERVER', quote_ident(s.srvname),"
    "   s.srvowner, s.srvacl FROM pg_foreign_server s"
    ")"
    " SELECT o.nclass, o.nobj, format('REVOKE ALL ON %s %s FROM PUBLIC;', o.kw, o.name)"
    "   || format(E'\\nREVOKE ALL ON %s %s FROM %I;', o.kw, o.name, pg_get_userbyid(o.owner))"
    "   || coalesce(E'\\n' || " GRANTS_SQL("o.acl", "o.name", "o.kw", "o.owner", "x.privilege_type") ", '')"
    " FROM o WHERE o.acl IS NOT NULL ORDER BY o.nclass, o.nobj";

/* (classid, oid, sql) of the commented objects of these kinds. */
static const char comments_sql[] =
    "SELECT x.nclass, x.nobj, x.sql FROM ("
    " SELECT 'pg_foreign_data_wrapper'::regclass::oid AS nclass, w.oid AS nobj,"
    "   format('COMMENT ON FOREIGN DATA WRAPPER %I IS %L;', w.fdwname, d.description) AS sql"
    " FROM pg_description d JOIN pg_foreign_data_wrapper w"
    "   ON d.classoid = 'pg_foreign_data_wrapper'::regclass AND d.objoid = w.oid"
    " UNION ALL"
    " SELECT 'pg_foreign_server'::regclass::oid, s.oid,"
    "   format('COMMENT ON SERVER %I IS %L;', s.srvname, d.description)"
    " FROM pg_description d JOIN pg_foreign_server s"
    "   ON d.classoid = 'pg_foreign_server'::regclass AND d.objoid = s.oid"
    ") x ORDER BY x.sql COLLATE \"C\"";

int
schema_load_foreign(struct schema *s, PGconn *conn)
{
	if (add_nodes(s, conn, fdws_sql, "cannot read foreign-data wrappers") < 0 ||
	    add_nodes(s, conn, servers_sql, "cannot read foreign servers") < 0)
		return -1;
	return 0;
}

/*
 * A mapping's password is a secret: without --user-mapping-secrets it is
 * left out, the mapping kept, and a warning names it.
 */
static int
load_user_mappings(struct schema *s, PGconn *conn)
{
	const char *keep = s->user_mapping_secrets ? "true" : "false";
	PGresult *res;
	int i;

	res = PQexecParams(conn, user_mappings_sql, 1, NULL, &keep, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgsql_report(conn, res, "cannot read user mappings");
		PQclear(res);
		return -1;
	}
	for (i = 0; i < PQntuples(res); i++) {
		size_t n = schema_find(s, (unsigned int)strtoul(PQgetvalue(res, i, 0), NULL, 10),
		    (unsigned int)strtoul(PQgetvalue(res, i, 1), NULL, 10));

		if (n == NO_NODE)
			continue;
		append_stmt(&s->nodes[n].sql, PQgetvalue(res, i, 3));
		if (PQgetvalue(res, i, 4)[0] == 't')
			log_warn("the password of user mapping for %s on server %s is left out of the dump;"
			    " db --user-mapping-secrets keeps it", PQgetvalue(res, i, 2), s->nodes[n].qualified);
		if (PQgetvalue(res, i, 5)[0] == 't')
			log_warn("the options of user mapping for %s on server %s are hidden from this role and"
			    " left out of the dump; dump as a superuser or the server's owner to keep them",
			    PQgetvalue(res, i, 2), s->nodes[n].qualified);
	}
	PQclear(res);
	return 0;
}

/*
 * Publications as pg_dump's dumpPublication writes them, then their
 * tables and (15+) schemas. pubviaroot is 13+, the generated columns 18+:
 * read through jsonb, so one query serves every major.
 */
static const char publications_sql[] =
    "SELECT format('CREATE PUBLICATION %I', p.pubname)"
    " || CASE WHEN p.puballtables THEN ' FOR ALL TABLES' ELSE '' END"
    " || ' WITH (publish = ' || quote_literal(concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END,"
    "   CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete THEN 'delete' END,"
    "   CASE WHEN p.pubtruncate THEN 'truncate' END))"
    " || CASE WHEN to_jsonb(p)->>'pubviaroot' = 'true' THEN ', publish_via_partition_root = true' ELSE '' END"
    " || CASE WHEN to_jsonb(p)->>'pubgencols_type' = 's' OR to_jsonb(p)->>'pubgencols' = 'true'"
    "   THEN ', publish_generated_columns = stored' ELSE '' END || ');',"
    " format('ALTER PUBLICATION %I OWNER TO %I;', p.pubname, pg_get_userbyid(p.pubowner))"
    " FROM pg_publication p ORDER BY p.pubname COLLATE \"C\"";

/* A table's column list and row filter are 15+. */
static const char publication_rels_head[] =
    "SELECT format('ALTER PUBLICATION %I ADD TABLE ONLY %I.%I', p.pubname, n.nspname, c.relname)";
static const char publication_rels_v15[] =
    " || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o)"
    "   FROM unnest(pr.prattrs::int2[]) WITH ORDINALITY k(num, o)"
    "   JOIN pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.num) || ')', '')"
    " || coalesce(' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')', '')";
static const char publication_rels_tail[] =
    " || ';'"
    " FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid"
    " JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_class", "c.oid") " AND " SEL_REL("c.oid")
    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\", p.pubname COLLATE \"C\"";

static const char publication_schemas_sql[] =
    "SELECT format('ALTER PUBLICATION %I ADD TABLES IN SCHEMA %I;', p.pubname, n.nspname)"
    " FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid"
    " JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE " SEL_NSP("n.oid")
    " ORDER BY n.nspname COLLATE \"C\", p.pubname COLLATE \"C\"";

/* (sql, owner_sql) per row: appends each to a section, the owner's with --owner. */
static int
append_owned_rows(struct schema *s, struct strbuf *dst, PGconn *conn, const char *sql, const char *what)
{
	PGresult *res;
	int i;

	if ((res = pgsql_query(conn, sql, what)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		append_stmt(dst, PQgetvalue(res, i, 0));
		if (s->with_owner && PQnfields(res) > 1 && !PQgetisnull(res, i, 1))
			append_stmt(dst, PQgetvalue(res, i, 1));
	}
	PQclear(res);
	return 0;
}

static int
load_publications(struct schema *s, PGconn *conn)
{
	struct strbuf q = STRBUF_INIT;
	int rc = -1;

	if (append_owned_rows(s, &s->post[POST_PUBLICATION], conn, publications_sql,
	    "cannot read publications") < 0)
		goto out;
	strbuf_puts(&q, publication_rels_head);
	if (s->version >= 150000)
		strbuf_puts(&q, publication_rels_v15);
	strbuf_puts(&q, publication_rels_tail);
	if (append_owned_rows(s, &s->post[POST_PUBLICATION_REL], conn, strbuf_str(&q),
	    "cannot read the tables of publications") < 0)
		goto out;
	if (s->version >= 150000 && append_owned_rows(s, &s->post[POST_PUBLICATION_SCHEMA], conn,
	    publication_schemas_sql, "cannot read the schemas of publications") < 0)
		goto out;
	rc = 0;
out:
	strbuf_free(&q);
	return rc;
}

/*
 * Subscriptions of this database as pg_dump's dumpSubscription writes
 * them: connect = false, so the copy is disabled, reaches no server and
 * leaves the slot alone. Columns differ by major (14: binary, streaming;
 * 15: two_phase, disable_on_error; 16: origin, password_required,
 * run_as_owner, streaming parallel; 17: failover): read through jsonb.
 * streaming is always written, as its default changed in 18. Returns
 * (name, conninfo, rest of the CREATE, owner_sql, quoted name).
 */
static const char subscriptions_sql[] =
    "SELECT s.subname, s.subconninfo,"
    " ' PUBLICATION ' || (SELECT string_agg(quote_ident(x.p), ', ' ORDER BY x.o)"
    "   FROM unnest(s.subpublications) WITH ORDINALITY x(p, o))"
    " || ' WITH (connect = false, slot_name = ' || coalesce(quote_literal(s.subslotname), 'NONE')"
    " || CASE WHEN j->>'subbinary' = 'true' THEN ', binary = true' ELSE '' END"
    " || CASE j->>'substream' WHEN 'true' THEN ', streaming = on' WHEN 't' THEN ', streaming = on'"
    "   WHEN 'p' THEN ', streaming = parallel' WHEN 'false' THEN ', streaming = off'"
    "   WHEN 'f' THEN ', streaming = off' ELSE '' END"
    " || CASE WHEN coalesce(j->>'subtwophasestate', 'd') <> 'd' THEN ', two_phase = on' ELSE '' END"
    " || CASE WHEN j->>'subdisableonerr' = 'true' THEN ', disable_on_error = true' ELSE '' END"
    " || CASE WHEN lower(coalesce(j->>'suborigin', 'any')) <> 'any'"
    "   THEN ', origin = ' || quote_literal(j->>'suborigin') ELSE '' END"
    " || CASE WHEN j->>'subpasswordrequired' = 'false' THEN ', password_required = false' ELSE '' END"
    " || CASE WHEN j->>'subrunasowner' = 'true' THEN ', run_as_owner = true' ELSE '' END"
    " || CASE WHEN j->>'subfailover' = 'true' THEN ', failover = true' ELSE '' END"
    " || CASE WHEN s.subsynccommit <> 'off' THEN ', synchronous_commit = ' || quote_literal(s.subsynccommit)"
    "   ELSE '' END || ');',"
    " format('ALTER SUBSCRIPTION %I OWNER TO %I;', s.subname, pg_get_userbyid(s.subowner)),"
    " quote_ident(s.subname)"
    " FROM pg_subscription s, LATERAL to_jsonb(s) j"
    " WHERE s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())"
    " ORDER BY s.subname COLLATE \"C\"";

/*
 * Only a superuser reads subconninfo (the query above reads the whole
 * row, refused to the others even when it has none); the others see the
 * names, listed when this is false.
 */
static const char subscriptions_hidden_sql[] =
    "SELECT s.subname, has_column_privilege('pg_subscription', 'subconninfo', 'SELECT') FROM pg_subscription s"
    " WHERE s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())"
    " ORDER BY s.subname COLLATE \"C\"";

/* A value of a key=value connection string, quoted as libpq reads it back. */
static void
put_conn_value(struct strbuf *sb, const char *v)
{
	strbuf_puts(sb, "'");
	for (; *v != '\0'; v++) {
		if (*v == '\'' || *v == '\\')
			strbuf_puts(sb, "\\");
		strbuf_printf(sb, "%c", *v);
	}
	strbuf_puts(sb, "'");
}

/*
 * The connection string without its password, rebuilt as key=value by
 * libpq's own parser; NULL when it holds none (then it is kept as
 * written), or *bad when libpq cannot read it.
 */
static char *
conninfo_without_password(const char *conninfo, int *bad)
{
	PQconninfoOption *opts, *o;
	struct strbuf sb = STRBUF_INIT;
	char *err = NULL;
	int found = 0;

	*bad = 0;
	if ((opts = PQconninfoParse(conninfo, &err)) == NULL) {
		PQfreemem(err);
		*bad = 1;
		return NULL;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			found = 1;
			continue;
		}
		strbuf_printf(&sb, "%s%s=", sb.len > 0 ? " " : "", o->keyword);
		put_conn_value(&sb, o->val);
	}
	PQconninfoFree(opts);
	if (!found) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/*
 * Subscriptions: the connection string's password is left out, with a
 * warning, unless --user-mapping-secrets keeps secrets. One whose
 * connection this role may not read, or this libpq cannot parse (a newer
 * server's keyword), is left out with a warning, as pg_dump leaves the
 * first: restored, it would never run anyway.
 */
static int
load_subscriptions(struct schema *s, PGconn *conn)
{
	PGresult *res;
	char *cut, *lit, *stmt;
	int i, bad;

	if ((res = pgsql_query(conn, subscriptions_hidden_sql, "cannot read subscriptions")) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res) && PQgetvalue(res, i, 1)[0] == 'f'; i++)
		log_warn("subscription %s is left out of the dump: only a superuser may read its connection",
		    PQgetvalue(res, i, 0));
	/* None here, or none readable: the whole-row query would be refused. */
	if (PQntuples(res) == 0 || PQgetvalue(res, 0, 1)[0] == 'f') {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if ((res = pgsql_query(conn, subscriptions_sql, "cannot read subscriptions")) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0), *conninfo = PQgetvalue(res, i, 1);

		bad = 0;
		cut = s->user_mapping_secrets ? NULL : conninfo_without_password(conninfo, &bad);
		if (bad) {
			/* It may hold a password that cannot be taken out: never written. */
			log_warn("subscription %s is left out of the dump: libpq cannot read its connection to take"
			    " a password out (db --user-mapping-secrets dumps it as it is)", name);
			continue;
		}
		if (cut != NULL) {
			log_warn("the password in the connection of subscription %s is left out of the dump;"
			    " db --user-mapping-secrets keeps it", name);
			conninfo = cut;
		}
		if ((lit = PQescapeLiteral(conn, conninfo, strlen(conninfo))) == NULL) {
			pgsql_report(conn, NULL, "cannot quote a subscription's connection");
			free(cut);
			PQclear(res);
			return -1;
		}
		stmt = xasprintf("CREATE SUBSCRIPTION %s CONNECTION %s%s", PQgetvalue(res, i, 4), lit,
		    PQgetvalue(res, i, 2));
		append_stmt(&s->post[POST_SUBSCRIPTION], stmt);
		if (s->with_owner)
			append_stmt(&s->post[POST_SUBSCRIPTION], PQgetvalue(res, i, 3));
		free(stmt);
		PQfreemem(lit);
		free(cut);
	}
	PQclear(res);
	return 0;
}

/*
 * Event triggers as pg_dump's dumpEventTrigger writes them, with their
 * state and comment: last but the materialized views' refresh, so none
 * fires on the restore's own statements.
 */
static const char event_triggers_sql[] =
    "SELECT format('CREATE EVENT TRIGGER %I ON %I', e.evtname, e.evtevent)"
    " || coalesce(E'\\n         WHEN TAG IN (' || (SELECT string_agg(quote_literal(t.tag), ', ' ORDER BY t.o)"
    "   FROM unnest(e.evttags) WITH ORDINALITY t(tag, o)) || ')', '')"
    " || E'\\n   EXECUTE FUNCTION ' || e.evtfoid::regproc::text || '();'"
    " || CASE e.evtenabled WHEN 'O' THEN '' ELSE format(E'\\n\\nALTER EVENT TRIGGER %I %s;', e.evtname,"
    "   CASE e.evtenabled WHEN 'D' THEN 'DISABLE' WHEN 'A' THEN 'ENABLE ALWAYS'"
    "   WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE' END) END"
    " || coalesce((SELECT format(E'\\n\\nCOMMENT ON EVENT TRIGGER %I IS %L;', e.evtname, d.description)"
    "   FROM pg_description d WHERE d.classoid = 'pg_event_trigger'::regclass AND d.objoid = e.oid), ''),"
    " format('ALTER EVENT TRIGGER %I OWNER TO %I;', e.evtname, pg_get_userbyid(e.evtowner))"
    " FROM pg_event_trigger e WHERE " NOT_MEMBER("pg_event_trigger", "e.oid")
    " ORDER BY e.evtname COLLATE \"C\"";

/* Comments on publications and subscriptions, after them. */
static const char post_comments_sql[] =
    "SELECT x.sql FROM ("
    " SELECT format('COMMENT ON PUBLICATION %I IS %L;', p.pubname, d.description) AS sql"
    " FROM pg_description d JOIN pg_publication p ON d.classoid = 'pg_publication'::regclass AND d.objoid = p.oid"
    " UNION ALL"
    " SELECT format('COMMENT ON SUBSCRIPTION %I IS %L;', s.subname, d.description)"
    /* In pg_description, though a subscription is a shared object. */
    " FROM pg_description d JOIN pg_subscription s ON d.classoid = 'pg_subscription'::regclass"
    "   AND d.objoid = s.oid"
    " WHERE s.subdbid = (SELECT db.oid FROM pg_database db WHERE db.datname = current_database())"
    ") x ORDER BY x.sql COLLATE \"C\"";

int
schema_load_foreign_post(struct schema *s, PGconn *conn)
{
	if (load_user_mappings(s, conn) < 0)
		return -1;
	if (s->with_privileges && append_to_nodes(s, conn, acl_sql, "cannot read foreign-data privileges") < 0)
		return -1;
	/* As pg_dump: publications, subscriptions and event triggers only in a dump of everything (no -n, -t). */
	if (!s->sel.everything)
		return append_node_comments(s, conn, comments_sql);
	if (load_publications(s, conn) < 0 || load_subscriptions(s, conn) < 0 ||
	    append_owned_rows(s, &s->post[POST_EVENT_TRIGGER], conn, event_triggers_sql,
	    "cannot read event triggers") < 0 ||
	    append_owned_rows(s, &s->post[POST_COMMENT], conn, post_comments_sql,
	    "cannot read comments on publications and subscriptions") < 0)
		return -1;
	return append_node_comments(s, conn, comments_sql);
}
