/*
 * Object kinds of function-heavy schemas (issue #17, part 1): aggregates,
 * collations, casts, operators, conversions, text search dictionaries and
 * configurations (declared in dump-schema-internal.h). The server has no
 * deparser for them, so each CREATE is built from its catalog as pg_dump
 * 15's dump<Kind>() builds it: the same options, in the same order, defaults
 * left out. Names come out qualified because search_path is empty
 * (regproc, regoperator, format_type). Each kind is a pre-data node,
 * ordered by pg_depend like the others.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/dump-schema-internal.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"

/*
 * The columns of a node in a schema (see dump-schema-objects.c): up to
 * the CREATE statement, then from the owner's ALTER on. The catalog's
 * alias is x and its schema's n.
 */
#define SCHEMA_NODE(cat, prio, name, kind)                                  \
	"SELECT '" cat "'::regclass::oid, x.oid, " prio ", n.nspname, x." name ", '" kind "'," \
	" format('%I.%I', n.nspname, x." name "), '', 'f', "
#define SCHEMA_NODE_TAIL(cat, kw, name, owner, nsp)                         \
	", format('ALTER " kw " %I.%I OWNER TO %I;', n.nspname, x." name ", pg_get_userbyid(x." owner "))," \
	" NULL, NULL FROM " cat " x JOIN pg_namespace n ON n.oid = x." nsp      \
	" WHERE " USER_NSP("n") " AND " NOT_MEMBER(cat, "x.oid")

/*
 * An aggregate's signature for ALTER and COMMENT: its identity
 * arguments, ORDER BY included for ordered-set ones, and * for none.
 */
#define AGG_SIGNATURE                                                       \
	"format('%I.%I(%s)', n.nspname, p.proname,"                          \
	" coalesce(nullif(pg_get_function_identity_arguments(p.oid), ''), '*'))"

/* "    NAME = value" when the condition holds, else NULL (concat_ws skips it). */
#define AGG_OPT(cond, text) "CASE WHEN " cond " THEN '    ' || " text " END"

/* FINALFUNC_MODIFY's keyword; the default is READ_ONLY for plain aggregates only. */
#define AGG_MODIFY(col, key)                                                \
	AGG_OPT(col " <> CASE a.aggkind WHEN 'n' THEN 'r' ELSE 'w' END",       \
	    "'" key " = ' || CASE " col " WHEN 'r' THEN 'READ_ONLY'"             \
	    " WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END")

/* Node columns: see dump-schema-objects.c. 8 is PRIO_AGGREGATE. */
static const char aggregates_sql[] =
    "SELECT 'pg_proc'::regclass::oid, p.oid, 8, n.nspname,"
    " p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', 'aggregate',"
    " " AGG_SIGNATURE ", '', 'f',"
    " format(E'CREATE AGGREGATE %I.%I(%s) (\\n%s\\n);', n.nspname, p.proname,"
    "   coalesce(nullif(pg_get_function_arguments(p.oid), ''), '*'), concat_ws(E',\\n',"
    "   '    SFUNC = ' || a.aggtransfn::regproc::text,"
    "   '    STYPE = ' || format_type(a.aggtranstype, NULL),"
    "   " AGG_OPT("a.aggtransspace <> 0", "'SSPACE = ' || a.aggtransspace") ","
    "   " AGG_OPT("a.agginitval IS NOT NULL", "'INITCOND = ' || quote_literal(a.agginitval)") ","
    "   " AGG_OPT("a.aggfinalfn <> 0", "'FINALFUNC = ' || a.aggfinalfn::regproc::text") ","
    "   " AGG_OPT("a.aggfinalfn <> 0 AND a.aggfinalextra", "'FINALFUNC_EXTRA'") ","
    "   CASE WHEN a.aggfinalfn <> 0 THEN " AGG_MODIFY("a.aggfinalmodify", "FINALFUNC_MODIFY") " END,"
    "   " AGG_OPT("a.aggcombinefn <> 0", "'COMBINEFUNC = ' || a.aggcombinefn::regproc::text") ","
    "   " AGG_OPT("a.aggserialfn <> 0", "'SERIALFUNC = ' || a.aggserialfn::regproc::text") ","
    "   " AGG_OPT("a.aggdeserialfn <> 0", "'DESERIALFUNC = ' || a.aggdeserialfn::regproc::text") ","
    "   " AGG_OPT("a.aggmtransfn <> 0", "format(E'MSFUNC = %s,\\n    MINVFUNC = %s,\\n    MSTYPE = %s',"
    "     a.aggmtransfn::regproc, a.aggminvtransfn::regproc, format_type(a.aggmtranstype, NULL))") ","
    "   " AGG_OPT("a.aggmtransspace <> 0", "'MSSPACE = ' || a.aggmtransspace") ","
    "   " AGG_OPT("a.aggminitval IS NOT NULL", "'MINITCOND = ' || quote_literal(a.aggminitval)") ","
    "   " AGG_OPT("a.aggmfinalfn <> 0", "'MFINALFUNC = ' || a.aggmfinalfn::regproc::text") ","
    "   " AGG_OPT("a.aggmfinalfn <> 0 AND a.aggmfinalextra", "'MFINALFUNC_EXTRA'") ","
    "   CASE WHEN a.aggmfinalfn <> 0 THEN " AGG_MODIFY("a.aggmfinalmodify", "MFINALFUNC_MODIFY") " END,"
    "   (SELECT format('    SORTOP = OPERATOR(%I.%s)', opn.nspname, op.oprname) FROM pg_operator op"
    "     JOIN pg_namespace opn ON opn.oid = op.oprnamespace WHERE op.oid = a.aggsortop),"
    "   " AGG_OPT("a.aggkind = 'h'", "'HYPOTHETICAL'") ","
    "   " AGG_OPT("p.proparallel IN ('s', 'r')",
    "'PARALLEL = ' || CASE p.proparallel WHEN 's' THEN 'safe' ELSE 'restricted' END") ")),"
    " format('ALTER AGGREGATE %s OWNER TO %I;', " AGG_SIGNATURE ", pg_get_userbyid(p.proowner)),"
    " NULL, NULL"
    " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    " JOIN pg_aggregate a ON a.aggfnoid = p.oid"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_proc", "p.oid");

/*
 * Collations as pg_dump writes them (dumpCollation). The locale columns
 * differ by major (collcollate/collctype; colliculocale 15-16,
 * colllocale 17+ with the builtin provider; collicurules 16+): read
 * through jsonb, one query serves them all. An ICU or builtin
 * collation has one locale; a libc one has two, written as one when equal.
 */
static const char collations_sql[] =
    SCHEMA_NODE("pg_collation", "9", "collname", "collation")
    " format('CREATE COLLATION %I.%I (provider = %s%s%s%s);', n.nspname, x.collname,"
    "   CASE x.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END,"
    "   CASE WHEN NOT x.collisdeterministic THEN ', deterministic = false' ELSE '' END,"
    "   CASE WHEN x.collprovider IN ('i', 'b') THEN ', locale = '"
    "     || quote_literal(coalesce(to_jsonb(x)->>'colllocale', to_jsonb(x)->>'colliculocale', to_jsonb(x)->>'collcollate'))"
    "   WHEN to_jsonb(x)->>'collcollate' = to_jsonb(x)->>'collctype' THEN ', locale = ' || quote_literal(to_jsonb(x)->>'collcollate')"
    "   ELSE ', lc_collate = ' || quote_literal(to_jsonb(x)->>'collcollate')"
    "     || ', lc_ctype = ' || quote_literal(to_jsonb(x)->>'collctype') END,"
    "   coalesce(', rules = ' || quote_literal(to_jsonb(x)->>'collicurules'), ''))"
    SCHEMA_NODE_TAIL("pg_collation", "COLLATION", "collname", "collowner", "collnamespace");

/*
 * Casts made by users (initdb's have oids below 16384), as pg_dump's
 * dumpCast writes them. A multirange's casts depend internally on its
 * range and come with CREATE TYPE.
 */
#define CAST_NAME "format('(%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL))"
#define CAST_FROM                                                           \
	" FROM pg_cast c WHERE c.oid >= 16384 AND " NOT_MEMBER("pg_cast", "c.oid") \
	" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass" \
	" AND d.objid = c.oid AND d.deptype = 'i')"

static const char casts_sql[] =
    "SELECT 'pg_cast'::regclass::oid, c.oid, 10, '',"
    /* pg_dump's name of a cast, its sort key: the two types' raw names. */
    " (SELECT st.typname || ' ' || tt.typname FROM pg_type st, pg_type tt"
    "   WHERE st.oid = c.castsource AND tt.oid = c.casttarget), 'cast', " CAST_NAME ", '', 'f',"
    " 'CREATE CAST ' || " CAST_NAME " || CASE c.castmethod WHEN 'b' THEN ' WITHOUT FUNCTION'"
    "   WHEN 'i' THEN ' WITH INOUT'"
    "   ELSE ' WITH FUNCTION ' || " FUNCTION_SIGNATURE("c.castfunc") " END"
    " || CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END || ';',"
    " NULL, NULL, NULL"
    CAST_FROM;

/*
 * Operators as pg_dump's dumpOpr writes them. A shell operator (no
 * function: named as a commutator or negator and never defined) is left
 * out, as pg_dump leaves it out; its CREATE OPERATOR would make it again.
 */
#define OPERATOR_REF(col, key)                                              \
	"(SELECT format('    " key " = OPERATOR(%I.%s)', lb_rn.nspname, lb_ro.oprname)" \
	" FROM pg_operator lb_ro JOIN pg_namespace lb_rn ON lb_rn.oid = lb_ro.oprnamespace" \
	" WHERE lb_ro.oid = " col ")"

static const char operators_sql[] =
    "SELECT 'pg_operator'::regclass::oid, o.oid, 11, n.nspname, o.oprname, 'operator',"
    " o.oid::regoperator::text, '', 'f',"
    " format(E'CREATE OPERATOR %I.%s (\\n%s\\n);', n.nspname, o.oprname, concat_ws(E',\\n',"
    "   '    FUNCTION = ' || o.oprcode::regproc::text,"
    "   CASE WHEN o.oprleft <> 0 THEN '    LEFTARG = ' || format_type(o.oprleft, NULL) END,"
    "   CASE WHEN o.oprright <> 0 THEN '    RIGHTARG = ' || format_type(o.oprright, NULL) END,"
    "   " OPERATOR_REF("o.oprcom", "COMMUTATOR") ","
    "   " OPERATOR_REF("o.oprnegate", "NEGATOR") ","
    "   CASE WHEN o.oprcanmerge THEN '    MERGES' END,"
    "   CASE WHEN o.oprcanhash THEN '    HASHES' END,"
    "   CASE WHEN o.oprrest <> 0 THEN '    RESTRICT = ' || o.oprrest::regproc::text END,"
    "   CASE WHEN o.oprjoin <> 0 THEN '    JOIN = ' || o.oprjoin::regproc::text END)),"
    " format('ALTER OPERATOR %s OWNER TO %I;', o.oid::regoperator, pg_get_userbyid(o.oprowner)),"
    " NULL, NULL"
    " FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace"
    " WHERE o.oprcode <> 0 AND " USER_NSP("n") " AND " NOT_MEMBER("pg_operator", "o.oid");

/* Conversions as pg_dump's dumpConversion writes them. */
static const char conversions_sql[] =
    SCHEMA_NODE("pg_conversion", "12", "conname", "conversion")
    " format('CREATE %sCONVERSION %I.%I FOR %L TO %L FROM %s;',"
    "   CASE WHEN x.condefault THEN 'DEFAULT ' ELSE '' END, n.nspname, x.conname,"
    "   pg_encoding_to_char(x.conforencoding), pg_encoding_to_char(x.contoencoding), x.conproc)"
    SCHEMA_NODE_TAIL("pg_conversion", "CONVERSION", "conname", "conowner", "connamespace");

/*
 * Text search dictionaries and configurations (with their mappings, one
 * ALTER per token type) as pg_dump's dumpTSDictionary and dumpTSConfig
 * write them. Parsers and templates are refused by check_unsupported().
 */
static const char ts_dicts_sql[] =
    SCHEMA_NODE("pg_ts_dict", "13", "dictname", "text search dictionary")
    " (SELECT format(E'CREATE TEXT SEARCH DICTIONARY %I.%I (\\n    TEMPLATE = %I.%I%s );', n.nspname,"
    "   x.dictname, tn.nspname, t.tmplname, coalesce(E',\\n    ' || x.dictinitoption, ''))"
    "   FROM pg_ts_template t JOIN pg_namespace tn ON tn.oid = t.tmplnamespace WHERE t.oid = x.dicttemplate)"
    SCHEMA_NODE_TAIL("pg_ts_dict", "TEXT SEARCH DICTIONARY", "dictname", "dictowner", "dictnamespace");

static const char ts_configs_sql[] =
    SCHEMA_NODE("pg_ts_config", "14", "cfgname", "text search configuration")
    " (SELECT format(E'CREATE TEXT SEARCH CONFIGURATION %I.%I (\\n    PARSER = %I.%I );', n.nspname,"
    "   x.cfgname, pn.nspname, p.prsname)"
    "   FROM pg_ts_parser p JOIN pg_namespace pn ON pn.oid = p.prsnamespace WHERE p.oid = x.cfgparser)"
    " || coalesce((SELECT string_agg(format(E'\\n\\nALTER TEXT SEARCH CONFIGURATION %I.%I\\n"
    "    ADD MAPPING FOR %I WITH %s;', n.nspname, x.cfgname, m.alias, m.dicts), '' ORDER BY m.tok)"
    "   FROM (SELECT mm.maptokentype AS tok, (SELECT tt.alias FROM ts_token_type(x.cfgparser) tt"
    "       WHERE tt.tokid = mm.maptokentype) AS alias,"
    "     string_agg(mm.mapdict::regdictionary::text, ', ' ORDER BY mm.mapseqno) AS dicts"
    "     FROM pg_ts_config_map mm WHERE mm.mapcfg = x.oid GROUP BY mm.maptokentype) m), '')"
    SCHEMA_NODE_TAIL("pg_ts_config", "TEXT SEARCH CONFIGURATION", "cfgname", "cfgowner", "cfgnamespace");

/* (classid, oid, sql) of the commented objects of these kinds. */
static const char comments_sql[] =
    "SELECT x.nclass, x.nobj, x.sql FROM ("
    " SELECT 'pg_proc'::regclass::oid AS nclass, p.oid AS nobj,"
    "   format('COMMENT ON AGGREGATE %s IS %L;', " AGG_SIGNATURE ", d.description) AS sql"
    " FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid"
    " JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE p.prokind = 'a'"
    " UNION ALL"
    " SELECT 'pg_collation'::regclass::oid, c.oid,"
    "   format('COMMENT ON COLLATION %I.%I IS %L;', n.nspname, c.collname, d.description)"
    " FROM pg_description d JOIN pg_collation c ON d.classoid = 'pg_collation'::regclass AND d.objoid = c.oid"
    " JOIN pg_namespace n ON n.oid = c.collnamespace"
    " UNION ALL"
    " SELECT 'pg_cast'::regclass::oid, c.oid, format('COMMENT ON CAST %s IS %L;', " CAST_NAME ", d.description)"
    " FROM pg_description d JOIN pg_cast c ON d.classoid = 'pg_cast'::regclass AND d.objoid = c.oid"
    " UNION ALL"
    " SELECT 'pg_operator'::regclass::oid, o.oid,"
    "   format('COMMENT ON OPERATOR %s IS %L;', o.oid::regoperator, d.description)"
    " FROM pg_description d JOIN pg_operator o ON d.classoid = 'pg_operator'::regclass AND d.objoid = o.oid"
    " UNION ALL"
    " SELECT 'pg_conversion'::regclass::oid, c.oid,"
    "   format('COMMENT ON CONVERSION %I.%I IS %L;', n.nspname, c.conname, d.description)"
    " FROM pg_description d JOIN pg_conversion c ON d.classoid = 'pg_conversion'::regclass AND d.objoid = c.oid"
    " JOIN pg_namespace n ON n.oid = c.connamespace"
    " UNION ALL"
    " SELECT 'pg_ts_dict'::regclass::oid, t.oid,"
    "   format('COMMENT ON TEXT SEARCH DICTIONARY %I.%I IS %L;', n.nspname, t.dictname, d.description)"
    " FROM pg_description d JOIN pg_ts_dict t ON d.classoid = 'pg_ts_dict'::regclass AND d.objoid = t.oid"
    " JOIN pg_namespace n ON n.oid = t.dictnamespace"
    " UNION ALL"
    " SELECT 'pg_ts_config'::regclass::oid, t.oid,"
    "   format('COMMENT ON TEXT SEARCH CONFIGURATION %I.%I IS %L;', n.nspname, t.cfgname, d.description)"
    " FROM pg_description d JOIN pg_ts_config t ON d.classoid = 'pg_ts_config'::regclass AND d.objoid = t.oid"
    " JOIN pg_namespace n ON n.oid = t.cfgnamespace"
    ") x ORDER BY x.sql COLLATE \"C\"";

int
schema_load_kinds(struct schema *s, PGconn *conn)
{
	if (add_nodes(s, conn, aggregates_sql, "cannot read aggregates") < 0 ||
	    add_nodes(s, conn, collations_sql, "cannot read collations") < 0 ||
	    add_nodes(s, conn, casts_sql, "cannot read casts") < 0 ||
	    add_nodes(s, conn, operators_sql, "cannot read operators") < 0 ||
	    add_nodes(s, conn, conversions_sql, "cannot read conversions") < 0 ||
	    add_nodes(s, conn, ts_dicts_sql, "cannot read text search dictionaries") < 0 ||
	    add_nodes(s, conn, ts_configs_sql, "cannot read text search configurations") < 0)
		return -1;
	return 0;
}

/* Appends each (classid, oid, sql) row to the comment section when that object is dumped. */
int
append_node_comments(struct schema *s, PGconn *conn, const char *sql)
{
	PGresult *res;
	int i;

	if ((res = pgsql_query(conn, sql, "cannot read comments")) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if (schema_find(s, (unsigned int)strtoul(PQgetvalue(res, i, 0), NULL, 10),
		    (unsigned int)strtoul(PQgetvalue(res, i, 1), NULL, 10)) != NO_NODE)
			append_stmt(&s->post[POST_COMMENT], PQgetvalue(res, i, 2));
	PQclear(res);
	return 0;
}

int
schema_load_kinds_comments(struct schema *s, PGconn *conn)
{
	return append_node_comments(s, conn, comments_sql);
}
