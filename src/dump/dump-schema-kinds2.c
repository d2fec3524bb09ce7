/*
 * Object kinds of extension-like schemas (issue #17, part 3): operator
 * classes and families, text search parsers and templates, procedural
 * languages, transforms, access methods, base types, default privileges,
 * extensions' configuration data (declared in dump-schema-internal.h). As in dump-schema-kinds.c, the
 * server has no deparser for them, so each CREATE is built from its
 * catalog as pg_dump 15's dump<Kind>() builds it,
 * with names qualified because search_path is empty (regoperator,
 * regprocedure, regtype). Each kind is a pre-data node ordered by
 * pg_depend; the members of a class or family (pg_amop, pg_amproc) are
 * mapped to it in dump-schema-sort.c.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/dump-schema-internal.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* "x.name USING am" of an operator class or family, for ALTER and COMMENT. */
#define USING_NAME(name) "format('%I.%I USING %I', n.nspname, x." name ", am.amname)"

/*
 * The operators of a class or family (amop rows tied to it in pg_depend),
 * then its functions, as pg_dump lists them: "OPERATOR n op(l,r)
 * [FOR ORDER BY family]" and "FUNCTION n (l, r) f(args)", separated by
 * " ,\n    ". A class's members are internal to it, a family's loose ones
 * automatic on it; ref is that catalog and fam the family they are in.
 */
#define MEMBERS(ref, fam)                                                   \
	"(SELECT string_agg(m.item, E' ,\\n    ' ORDER BY m.k, m.num, m.l, m.r) FROM ("             \
	" SELECT 1 AS k, o.amopstrategy AS num, o.amoplefttype AS l, o.amoprighttype AS r,"         \
	"   format('OPERATOR %s %s', o.amopstrategy, o.amopopr::regoperator)"                      \
	"   || coalesce((SELECT format(' FOR ORDER BY %I.%I', sn.nspname, sf.opfname)"              \
	"     FROM pg_opfamily sf JOIN pg_namespace sn ON sn.oid = sf.opfnamespace"                \
	"     WHERE sf.oid = o.amopsortfamily), '') AS item"                                      \
	" FROM pg_amop o JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = o.oid"  \
	" WHERE d.refclassid = '" ref "'::regclass AND d.refobjid = x.oid AND o.amopfamily = " fam \
	" UNION ALL"                                                                               \
	" SELECT 2, p.amprocnum, p.amproclefttype, p.amprocrighttype,"                             \
	"   format('FUNCTION %s (%s, %s) %s', p.amprocnum, p.amproclefttype::regtype,"            \
	"     p.amprocrighttype::regtype, p.amproc::regprocedure)"                                 \
	" FROM pg_amproc p JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = p.oid" \
	" WHERE d.refclassid = '" ref "'::regclass AND d.refobjid = x.oid AND p.amprocfamily = " fam \
	") m)"

/*
 * Node columns: see dump-schema-objects.c. The prio column holds enum
 * node_prio's values: 31 PRIO_OPFAMILY, 32 PRIO_OPCLASS, 33 PRIO_TS_PARSER,
 * 34 PRIO_TS_TEMPLATE, 35 PRIO_LANGUAGE, 36 PRIO_TRANSFORM,
 * 37 PRIO_ACCESS_METHOD, 38 PRIO_SHELL_TYPE (3 is PRIO_TYPE).
 */
static const char opfamilies_sql[] =
    "SELECT 'pg_opfamily'::regclass::oid, x.oid, 31, n.nspname, x.opfname, 'operator family',"
    " " USING_NAME("opfname") ", '', 'f',"
    " format('CREATE OPERATOR FAMILY %I.%I USING %I;', n.nspname, x.opfname, am.amname)"
    " || coalesce(format(E'\\nALTER OPERATOR FAMILY %I.%I USING %I ADD\\n    ', n.nspname, x.opfname,"
    "   am.amname) || " MEMBERS("pg_opfamily", "x.oid") " || ';', ''),"
    " format('ALTER OPERATOR FAMILY %s OWNER TO %I;', " USING_NAME("opfname") ", pg_get_userbyid(x.opfowner)),"
    " NULL, NULL"
    " FROM pg_opfamily x JOIN pg_namespace n ON n.oid = x.opfnamespace JOIN pg_am am ON am.oid = x.opfmethod"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_opfamily", "x.oid");

/*
 * Without members, a class still names its storage type: pg_dump's
 * fallback (concat_ws of nothing is '', not NULL).
 */
static const char opclasses_sql[] =
    "SELECT 'pg_opclass'::regclass::oid, x.oid, 32, n.nspname, x.opcname, 'operator class',"
    " " USING_NAME("opcname") ", '', 'f',"
    " format(E'CREATE OPERATOR CLASS %I.%I\\n    %sFOR TYPE %s USING %I FAMILY %I.%I AS\\n    ',"
    "   n.nspname, x.opcname, CASE WHEN x.opcdefault THEN 'DEFAULT ' ELSE '' END, x.opcintype::regtype,"
    "   am.amname, fn.nspname, f.opfname)"
    " || coalesce(nullif(concat_ws(E' ,\\n    ', CASE WHEN x.opckeytype <> 0 THEN 'STORAGE ' || x.opckeytype::regtype END,"
    "   " MEMBERS("pg_opclass", "x.opcfamily") "), ''), 'STORAGE ' || x.opcintype::regtype) || ';',"
    " format('ALTER OPERATOR CLASS %s OWNER TO %I;', " USING_NAME("opcname") ", pg_get_userbyid(x.opcowner)),"
    " NULL, NULL"
    " FROM pg_opclass x JOIN pg_namespace n ON n.oid = x.opcnamespace JOIN pg_am am ON am.oid = x.opcmethod"
    " JOIN pg_opfamily f ON f.oid = x.opcfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_opclass", "x.oid");

/*
 * Text search parsers and templates as pg_dump's dumpTSParser and
 * dumpTSTemplate write them. They have no owner.
 */
static const char ts_parsers_sql[] =
    "SELECT 'pg_ts_parser'::regclass::oid, x.oid, 33, n.nspname, x.prsname, 'text search parser',"
    " format('%I.%I', n.nspname, x.prsname), '', 'f',"
    " format(E'CREATE TEXT SEARCH PARSER %I.%I (\\n    START = %s,\\n    GETTOKEN = %s,\\n    END = %s,\\n%s"
    "    LEXTYPES = %s );', n.nspname, x.prsname, x.prsstart, x.prstoken, x.prsend,"
    "   CASE WHEN x.prsheadline <> 0 THEN format(E'    HEADLINE = %s,\\n', x.prsheadline) ELSE '' END,"
    "   x.prslextype),"
    " NULL, NULL, NULL"
    " FROM pg_ts_parser x JOIN pg_namespace n ON n.oid = x.prsnamespace"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_ts_parser", "x.oid");

static const char ts_templates_sql[] =
    "SELECT 'pg_ts_template'::regclass::oid, x.oid, 34, n.nspname, x.tmplname, 'text search template',"
    " format('%I.%I', n.nspname, x.tmplname), '', 'f',"
    " format(E'CREATE TEXT SEARCH TEMPLATE %I.%I (\\n%s    LEXIZE = %s );', n.nspname, x.tmplname,"
    "   CASE WHEN x.tmplinit <> 0 THEN format(E'    INIT = %s,\\n', x.tmplinit) ELSE '' END, x.tmpllexize),"
    " NULL, NULL, NULL"
    " FROM pg_ts_template x JOIN pg_namespace n ON n.oid = x.tmplnamespace"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_ts_template", "x.oid");

/*
 * Procedural languages made by users (initdb's plpgsql has an oid below
 * 16384; an extension's comes with it) as pg_dump's dumpProcLang writes
 * them, always with their handler, inline handler and validator named:
 * since 13 a CREATE LANGUAGE without HANDLER no longer finds one.
 */
#define QUALIFIED_PROC(fn)                                                  \
	"(SELECT format('%I.%I', pn.nspname, p.proname) FROM pg_proc p"        \
	" JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = " fn ")"

static const char languages_sql[] =
    "SELECT 'pg_language'::regclass::oid, l.oid, 35, '', l.lanname, 'language',"
    " quote_ident(l.lanname), '', 'f',"
    " format('CREATE %sPROCEDURAL LANGUAGE %I HANDLER %s%s%s;',"
    "   CASE WHEN l.lanpltrusted THEN 'TRUSTED ' ELSE '' END, l.lanname, " QUALIFIED_PROC("l.lanplcallfoid") ","
    "   CASE WHEN l.laninline <> 0 THEN ' INLINE ' || " QUALIFIED_PROC("l.laninline") " ELSE '' END,"
    "   CASE WHEN l.lanvalidator <> 0 THEN ' VALIDATOR ' || " QUALIFIED_PROC("l.lanvalidator") " ELSE '' END),"
    " format('ALTER PROCEDURAL LANGUAGE %I OWNER TO %I;', l.lanname, pg_get_userbyid(l.lanowner)),"
    " NULL, NULL"
    " FROM pg_language l WHERE l.oid >= 16384 AND " NOT_MEMBER("pg_language", "l.oid");

/* As pg_dump's acl_sql does for the other kinds: the ACL rebuilt item by item. */
static const char language_acl_sql[] =
    "SELECT 'pg_language'::regclass::oid, l.oid, format('REVOKE ALL ON LANGUAGE %I FROM PUBLIC;', l.lanname)"
    "   || format(E'\\nREVOKE ALL ON LANGUAGE %I FROM %I;', l.lanname, pg_get_userbyid(l.lanowner))"
    "   || coalesce(E'\\n' || " GRANTS_SQL("l.lanacl", "quote_ident(l.lanname)", "'LANGUAGE'", "l.lanowner",
	"x.privilege_type") ", '')"
    " FROM pg_language l WHERE l.lanacl IS NOT NULL AND l.oid >= 16384";

/*
 * Transforms made by users as pg_dump's dumpTransform writes them. They
 * have no owner; pg_dump names them "type language".
 */
#define TRANSFORM_NAME "format('FOR %s LANGUAGE %I', format_type(t.trftype, NULL), l.lanname)"

static const char transforms_sql[] =
    "SELECT 'pg_transform'::regclass::oid, t.oid, 36, '', format_type(t.trftype, NULL) || ' ' || l.lanname,"
    " 'transform', " TRANSFORM_NAME ", '', 'f',"
    " format('CREATE TRANSFORM %s (%s);', " TRANSFORM_NAME ", concat_ws(', ',"
    "   CASE WHEN t.trffromsql <> 0 THEN 'FROM SQL WITH FUNCTION ' || " FUNCTION_SIGNATURE("t.trffromsql") " END,"
    "   CASE WHEN t.trftosql <> 0 THEN 'TO SQL WITH FUNCTION ' || " FUNCTION_SIGNATURE("t.trftosql") " END)),"
    " NULL, NULL, NULL"
    " FROM pg_transform t JOIN pg_language l ON l.oid = t.trflang"
    " WHERE t.oid >= 16384 AND " NOT_MEMBER("pg_transform", "t.oid");

/* Access methods made by users as pg_dump's dumpAccessMethod writes them; they have no owner. */
static const char access_methods_sql[] =
    "SELECT 'pg_am'::regclass::oid, a.oid, 37, '', a.amname, 'access method', quote_ident(a.amname), '', 'f',"
    " format('CREATE ACCESS METHOD %I TYPE %s HANDLER %s;', a.amname,"
    "   CASE a.amtype WHEN 'i' THEN 'INDEX' ELSE 'TABLE' END, a.amhandler),"
    " NULL, NULL, NULL"
    " FROM pg_am a WHERE a.oid >= 16384 AND " NOT_MEMBER("pg_am", "a.oid");

/*
 * Base types as pg_dump's dumpBaseType writes them, each option it
 * writes in its order, and before them their shell type (pg_dump's
 * dumpShellType): classid 0, so its key differs from the type's, which
 * the sort places after the I/O functions, themselves after the shell
 * (schema_sort). An array type comes with its element type. A shell type
 * never defined is a node of its own, with its owner.
 */
#define BASE_TYPE_FROM                                                      \
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"     \
	" WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_type", "t.oid")       \
	" AND t.typtype = 'b'"                                              \
	" AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)"

/* ",\n    KEY = value" when the condition holds. */
#define TYPE_OPT(cond, text) "CASE WHEN " cond " THEN E',\\n    ' || " text " ELSE '' END"

static const char base_types_sql[] =
    "SELECT 0, t.oid, 38, n.nspname, t.typname, 'shell type', format('%I.%I', n.nspname, t.typname), '', 'f',"
    " format('CREATE TYPE %I.%I;', n.nspname, t.typname), NULL, NULL, NULL"
    BASE_TYPE_FROM
    " UNION ALL"
    " SELECT 'pg_type'::regclass::oid, t.oid, 3, n.nspname, t.typname, 'type', format('%I.%I', n.nspname, t.typname),"
    " '', 'f',"
    " format(E'CREATE TYPE %I.%I (\\n    INTERNALLENGTH = %s,\\n    INPUT = %s,\\n    OUTPUT = %s', n.nspname,"
    "   t.typname, CASE WHEN t.typlen = -1 THEN 'variable' ELSE t.typlen::text END, t.typinput, t.typoutput)"
    " || " TYPE_OPT("t.typreceive <> 0", "'RECEIVE = ' || t.typreceive::text")
    " || " TYPE_OPT("t.typsend <> 0", "'SEND = ' || t.typsend::text")
    " || " TYPE_OPT("t.typmodin <> 0", "'TYPMOD_IN = ' || t.typmodin::text")
    " || " TYPE_OPT("t.typmodout <> 0", "'TYPMOD_OUT = ' || t.typmodout::text")
    " || " TYPE_OPT("t.typanalyze <> 0", "'ANALYZE = ' || t.typanalyze::text")
    /* typsubscript is 14+. */
    " || " TYPE_OPT("coalesce(to_jsonb(t)->>'typsubscript', '-') <> '-'", "'SUBSCRIPT = ' || (to_jsonb(t)->>'typsubscript')")
    " || " TYPE_OPT("t.typcollation <> 0", "'COLLATABLE = true'")
    " || " TYPE_OPT("t.typdefaultbin IS NOT NULL OR t.typdefault IS NOT NULL",
    "'DEFAULT = ' || coalesce(pg_get_expr(t.typdefaultbin, 0), quote_literal(t.typdefault))")
    " || " TYPE_OPT("t.typelem <> 0", "'ELEMENT = ' || format_type(t.typelem, NULL)")
    " || " TYPE_OPT("t.typcategory <> 'U'", "'CATEGORY = ' || quote_literal(t.typcategory::text)")
    " || " TYPE_OPT("t.typispreferred", "'PREFERRED = true'")
    " || " TYPE_OPT("t.typdelim <> ','", "'DELIMITER = ' || quote_literal(t.typdelim::text)")
    " || E',\\n    ALIGNMENT = ' || CASE t.typalign WHEN 'c' THEN 'char' WHEN 's' THEN 'int2' WHEN 'i' THEN 'int4'"
    "   ELSE 'double' END"
    " || E',\\n    STORAGE = ' || CASE t.typstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'"
    "   WHEN 'm' THEN 'main' ELSE 'extended' END"
    " || " TYPE_OPT("t.typbyval", "'PASSEDBYVALUE'")
    " || E'\\n);',"
    " format('ALTER TYPE %I.%I OWNER TO %I;', n.nspname, t.typname, pg_get_userbyid(t.typowner)), NULL, NULL"
    BASE_TYPE_FROM
    " UNION ALL"
    " SELECT 'pg_type'::regclass::oid, t.oid, 3, n.nspname, t.typname, 'shell type', format('%I.%I', n.nspname,"
    "   t.typname), '', 'f', format('CREATE TYPE %I.%I;', n.nspname, t.typname),"
    " format('ALTER TYPE %I.%I OWNER TO %I;', n.nspname, t.typname, pg_get_userbyid(t.typowner)), NULL, NULL"
    " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
    " WHERE NOT t.typisdefined AND " USER_NSP("n") " AND " NOT_MEMBER("pg_type", "t.oid");

/* pg_init_privs' entry of an object (sub: a column's attnum, else 0). */
#define INIT_PRIVS(cls, obj, sub)                                           \
	"(SELECT lb_ip.initprivs FROM pg_init_privs lb_ip WHERE lb_ip.classoid = '" cls "'::regclass" \
	" AND lb_ip.objoid = " obj " AND lb_ip.objsubid = " sub ")"
#define GRANTEE_SQL(g) "CASE WHEN " g " = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(" g ")) END"

/*
 * The privileges of pg_catalog's objects (privileges.sql grants on
 * pg_authid's columns), with --privileges and only when the whole
 * database is dumped, as pg_dump writes them: each object's changes from
 * what initdb gave it (pg_init_privs, else the built-in default). Every
 * database has its own copy of these catalogs; a fresh one has initdb's.
 * A column's default is no ACL (NULL: aclexplode gives no row).
 */
static const char catalog_acl_sql[] =
    "WITH o(kw, name, col, cur, base) AS ("
    " SELECT 'SCHEMA', 'pg_catalog', '', coalesce(n.nspacl, acldefault('n'::\"char\", n.nspowner)),"
    "   coalesce(" INIT_PRIVS("pg_namespace", "n.oid", "0") ", acldefault('n'::\"char\", n.nspowner))"
    "   FROM pg_namespace n WHERE n.oid = 'pg_catalog'::regnamespace"
    " UNION ALL"
    " SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, format('pg_catalog.%I', c.relname), '',"
    "   coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner)),"
    "   coalesce(" INIT_PRIVS("pg_class", "c.oid", "0") ","
    "     acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner))"
    "   FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'p')"
    " UNION ALL"
    " SELECT 'TABLE', format('pg_catalog.%I', c.relname), format(' (%I)', a.attname), a.attacl,"
    "   " INIT_PRIVS("pg_class", "c.oid", "a.attnum")
    "   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
    "   WHERE c.relnamespace = 'pg_catalog'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped"
    " UNION ALL"
    " SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure::text, '',"
    "   coalesce(p.proacl, acldefault('f'::\"char\", p.proowner)),"
    "   coalesce(" INIT_PRIVS("pg_proc", "p.oid", "0") ", acldefault('f'::\"char\", p.proowner))"
    "   FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace"
    " UNION ALL"
    " SELECT 'TYPE', format('pg_catalog.%I', t.typname), '', coalesce(t.typacl, acldefault('T'::\"char\", t.typowner)),"
    "   coalesce(" INIT_PRIVS("pg_type", "t.oid", "0") ", acldefault('T'::\"char\", t.typowner))"
    "   FROM pg_type t WHERE t.typnamespace = 'pg_catalog'::regnamespace"
    ")"
    " SELECT x.sql FROM (SELECT DISTINCT o.kw, o.name, o.col, s.k, s.who, s.priv, s.sql FROM o, LATERAL ("
    /* Taken away: the privilege, or only its grant option. */
    "   SELECT 1 AS k, " GRANTEE_SQL("b.grantee") " AS who, b.privilege_type AS priv,"
    "     format('REVOKE %s%s%s ON %s %s FROM %s;', CASE WHEN c.grantee IS NULL THEN '' ELSE 'GRANT OPTION FOR ' END,"
    "       b.privilege_type, o.col, o.kw, o.name, " GRANTEE_SQL("b.grantee") ") AS sql"
    "   FROM aclexplode(o.base) b LEFT JOIN aclexplode(o.cur) c"
    "     ON c.grantee = b.grantee AND c.privilege_type = b.privilege_type"
    "   WHERE c.grantee IS NULL OR (b.is_grantable AND NOT c.is_grantable)"
    "   UNION ALL"
    "   SELECT 2, " GRANTEE_SQL("c.grantee") ", c.privilege_type,"
    "     format('GRANT %s%s ON %s %s TO %s%s;', c.privilege_type, o.col, o.kw, o.name, " GRANTEE_SQL("c.grantee") ","
    "       CASE WHEN c.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)"
    "   FROM aclexplode(o.cur) c LEFT JOIN aclexplode(o.base) b"
    "     ON b.grantee = c.grantee AND b.privilege_type = c.privilege_type"
    "   WHERE b.grantee IS NULL OR (c.is_grantable AND NOT b.is_grantable)) s"
    "  WHERE o.cur IS DISTINCT FROM o.base AND current_setting('lotbackup.all') = 'on') x"
    " ORDER BY x.name COLLATE \"C\", x.col COLLATE \"C\", x.k, x.who COLLATE \"C\", x.priv";

/*
 * Default privileges, with --privileges, after everything else so that
 * they apply to no object the dump creates (pg_dump writes them in its
 * ACL pass). A role's global entry replaces the built-in default
 * (acldefault), so it starts from nothing: REVOKE ALL from PUBLIC and
 * the role, then each item GRANTed in order, and the copy stores the
 * same ACL. A schema's entry adds to the global one: GRANTs only.
 */
static const char default_acl_sql[] =
    "SELECT concat_ws(E'\\n',"
    "   CASE WHEN d.defaclnamespace = 0 THEN format('%s REVOKE ALL ON %s FROM PUBLIC;', h.head, h.kw) END,"
    "   CASE WHEN d.defaclnamespace = 0 THEN format('%s REVOKE ALL ON %s FROM %I;', h.head, h.kw,"
    "     pg_get_userbyid(d.defaclrole)) END,"
    "   (SELECT string_agg(format('%s GRANT %s ON %s TO %s%s;', h.head, g.privs, h.kw,"
    "       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,"
    "       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), E'\\n' ORDER BY g.ord, g.is_grantable)"
    "     FROM (SELECT a.ord, x.grantee, x.is_grantable,"
    "       string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) AS privs"
    "       FROM unnest(d.defaclacl) WITH ORDINALITY a(item, ord), aclexplode(ARRAY[a.item]) x"
    "       GROUP BY a.ord, x.grantee, x.is_grantable) g))"
    " FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace,"
    " LATERAL (SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I%s', pg_get_userbyid(d.defaclrole),"
    "     coalesce(' IN SCHEMA ' || quote_ident(n.nspname), '')) AS head,"
    "   CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'"
    "     WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' WHEN 'L' THEN 'LARGE OBJECTS' END AS kw) h"
    " ORDER BY pg_get_userbyid(d.defaclrole) COLLATE \"C\", n.nspname COLLATE \"C\" NULLS FIRST, d.defaclobjtype";

/*
 * The tables an extension marks with pg_extension_config_dump(): their
 * rows that its condition selects ("WHERE ...", or all), as pg_dump dumps
 * them; the extension's own rows come back with CREATE EXTENSION. (Its
 * sequences' positions are in sequence_list_sql.)
 */
static const char ext_config_sql[] =
    "SELECT c.oid, n.nspname, c.relname, format('%I.%I', n.nspname, c.relname),"
    " coalesce('(' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a"
    "   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') || ')', ''),"
    " coalesce(x.extcondition[cfg.i], ''), pg_relation_size(c.oid)"
    " FROM pg_extension x CROSS JOIN LATERAL unnest(x.extconfig) WITH ORDINALITY cfg(rel, i)"
    " JOIN pg_class c ON c.oid = cfg.rel JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE x.oid >= 16384 AND c.relkind = 'r'"
    /* pg_dump's rule under -n/-t/-N/-T: the table, or its schema, is selected and not excluded. */
    " AND " SEL_REL("c.oid")
    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

/* (classid, oid, sql) of the commented objects of these kinds. */
static const char comments_sql[] =
    "SELECT x.nclass, x.nobj, x.sql FROM ("
    " SELECT 'pg_opfamily'::regclass::oid AS nclass, x.oid AS nobj,"
    "   format('COMMENT ON OPERATOR FAMILY %s IS %L;', " USING_NAME("opfname") ", d.description) AS sql"
    " FROM pg_description d JOIN pg_opfamily x ON d.classoid = 'pg_opfamily'::regclass AND d.objoid = x.oid"
    " JOIN pg_namespace n ON n.oid = x.opfnamespace JOIN pg_am am ON am.oid = x.opfmethod"
    " UNION ALL"
    " SELECT 'pg_opclass'::regclass::oid, x.oid,"
    "   format('COMMENT ON OPERATOR CLASS %s IS %L;', " USING_NAME("opcname") ", d.description)"
    " FROM pg_description d JOIN pg_opclass x ON d.classoid = 'pg_opclass'::regclass AND d.objoid = x.oid"
    " JOIN pg_namespace n ON n.oid = x.opcnamespace JOIN pg_am am ON am.oid = x.opcmethod"
    " UNION ALL"
    " SELECT 'pg_ts_parser'::regclass::oid, x.oid,"
    "   format('COMMENT ON TEXT SEARCH PARSER %I.%I IS %L;', n.nspname, x.prsname, d.description)"
    " FROM pg_description d JOIN pg_ts_parser x ON d.classoid = 'pg_ts_parser'::regclass AND d.objoid = x.oid"
    " JOIN pg_namespace n ON n.oid = x.prsnamespace"
    " UNION ALL"
    " SELECT 'pg_ts_template'::regclass::oid, x.oid,"
    "   format('COMMENT ON TEXT SEARCH TEMPLATE %I.%I IS %L;', n.nspname, x.tmplname, d.description)"
    " FROM pg_description d JOIN pg_ts_template x ON d.classoid = 'pg_ts_template'::regclass AND d.objoid = x.oid"
    " JOIN pg_namespace n ON n.oid = x.tmplnamespace"
    " UNION ALL"
    " SELECT 'pg_language'::regclass::oid, l.oid, format('COMMENT ON LANGUAGE %I IS %L;', l.lanname, d.description)"
    " FROM pg_description d JOIN pg_language l ON d.classoid = 'pg_language'::regclass AND d.objoid = l.oid"
    " UNION ALL"
    " SELECT 'pg_transform'::regclass::oid, t.oid, format('COMMENT ON TRANSFORM %s IS %L;', " TRANSFORM_NAME ","
    "   d.description)"
    " FROM pg_description d JOIN pg_transform t ON d.classoid = 'pg_transform'::regclass AND d.objoid = t.oid"
    " JOIN pg_language l ON l.oid = t.trflang"
    " UNION ALL"
    " SELECT 'pg_am'::regclass::oid, a.oid, format('COMMENT ON ACCESS METHOD %I IS %L;', a.amname, d.description)"
    " FROM pg_description d JOIN pg_am a ON d.classoid = 'pg_am'::regclass AND d.objoid = a.oid"
    ") x ORDER BY x.sql COLLATE \"C\"";

int
schema_load_kinds2(struct schema *s, PGconn *conn)
{
	if (add_nodes(s, conn, opfamilies_sql, "cannot read operator families") < 0 ||
	    add_nodes(s, conn, opclasses_sql, "cannot read operator classes") < 0 ||
	    add_nodes(s, conn, ts_parsers_sql, "cannot read text search parsers") < 0 ||
	    add_nodes(s, conn, ts_templates_sql, "cannot read text search templates") < 0 ||
	    add_nodes(s, conn, languages_sql, "cannot read procedural languages") < 0 ||
	    add_nodes(s, conn, transforms_sql, "cannot read transforms") < 0 ||
	    add_nodes(s, conn, access_methods_sql, "cannot read access methods") < 0 ||
	    add_nodes(s, conn, base_types_sql, "cannot read base types") < 0)
		return -1;
	return 0;
}

/* After schema_index_nodes(), like the other kinds' privileges (schema_load_extras). */
int
schema_load_kinds2_extras(struct schema *s, PGconn *conn)
{
	if (s->with_privileges &&
	    (append_to_nodes(s, conn, language_acl_sql, "cannot read language privileges") < 0 ||
	    append_rows(&s->post[POST_CATALOG_ACL], conn, catalog_acl_sql,
		"cannot read the privileges of pg_catalog's objects") < 0 ||
	    append_rows(&s->post[POST_DEFAULT_ACL], conn, default_acl_sql, "cannot read default privileges") < 0))
		return -1;
	return 0;
}

int
schema_load_ext_config(struct schema *s, PGconn *conn)
{
	PGresult *res;
	int i;

	if (s->schema_only)	/* -s: their rows are data */
		return 0;
	if ((res = pgsql_query(conn, ext_config_sql, "cannot read the extensions' configuration tables")) == NULL)
		return -1;
	s->tables = xrealloc(s->tables, (s->ntables + (size_t)PQntuples(res) + 1) * sizeof(*s->tables));
	for (i = 0; i < PQntuples(res); i++) {
		unsigned int oid = (unsigned int)strtoul(PQgetvalue(res, i, 0), NULL, 10);
		struct dump_table *t;

		if (select_no_data(&s->sel, oid)) {	/* --exclude-table-data, as build_tables records it */
			s->data_left_out = xrealloc(s->data_left_out, (s->ndata_left_out + 1) * sizeof(*s->data_left_out));
			s->data_left_out[s->ndata_left_out++] = xstrdup(PQgetvalue(res, i, 3));
			continue;
		}
		t = &s->tables[s->ntables++];
		t->oid = oid;
		t->schema = xstrdup(PQgetvalue(res, i, 1));
		t->name = xstrdup(PQgetvalue(res, i, 2));
		t->qualified = xstrdup(PQgetvalue(res, i, 3));
		t->column_list = xstrdup(PQgetvalue(res, i, 4));
		t->filter = xstrdup(PQgetvalue(res, i, 5));
		t->estimated_bytes = strtoll(PQgetvalue(res, i, 6), NULL, 10);
	}
	PQclear(res);
	return 0;
}

int
schema_load_kinds2_comments(struct schema *s, PGconn *conn)
{
	return append_node_comments(s, conn, comments_sql);
}
