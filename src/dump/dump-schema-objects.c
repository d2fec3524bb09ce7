/*
 * The catalog queries of the schema dump. The server deparses: every
 * statement is built by format(), quote_*, format_type and the
 * pg_get_*def functions while search_path is empty, so every name comes
 * out schema-qualified. C only collects the text, attaches it to the
 * pre-data object it belongs to (struct node) or to a post-data section.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/dump-schema-internal.h"
#include "base/log.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* Relations whose definition is dumped: everything hanging off a table filters on it. */
#define DUMPED_RELS                                                         \
	"SELECT lb_c.oid FROM pg_class lb_c"                                \
	" JOIN pg_namespace lb_n ON lb_n.oid = lb_c.relnamespace"           \
	" WHERE lb_c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " USER_NSP("lb_n") \
	" AND " NOT_MEMBER("pg_class", "lb_c.oid") " AND " SEL_REL("lb_c.oid")

/* " COLLATE s.c" when a column's collation is not its type's. */
#define COLLATE_SQL(coll, deflt)                                            \
	"CASE WHEN " coll " <> 0 AND " coll " <> " deflt                     \
	" THEN (SELECT format(' COLLATE %I.%I', lb_cn.nspname, lb_co.collname)" \
	" FROM pg_collation lb_co"                                          \
	" JOIN pg_namespace lb_cn ON lb_cn.oid = lb_co.collnamespace"       \
	" WHERE lb_co.oid = " coll ") ELSE '' END"

/* "k='v', ..." of a reloptions array, NULL when empty. */
#define OPTIONS_SQL(opts, prefix)                                           \
	"(SELECT string_agg(format('" prefix "%s=%L', lb_o.k, lb_o.v), ', ' ORDER BY lb_o.i)" \
	" FROM pg_options_to_table(" opts ") WITH ORDINALITY lb_o(k, v, i))"

/* "USING am" after sep, of a table or materialized view not on heap (the dump's default). */
#define TABLE_AM(sep)                                                       \
	"coalesce((SELECT " sep " || 'USING ' || quote_ident(lb_am.amname) FROM pg_am lb_am" \
	" WHERE lb_am.oid = c.relam AND lb_am.amname <> 'heap'), '')"

/* A relation's storage parameters and its TOAST table's, NULL when none. */
#define STORAGE_OPTIONS_SQL(opts, toast_opts)                               \
	"nullif(array_to_string(ARRAY[" OPTIONS_SQL(opts, "") ", "          \
	OPTIONS_SQL(toast_opts, "toast.") "], ', '), '')"

/* A foreign table's server and options, after its columns; '' for other relations. */
#define FOREIGN_TABLE_SQL(rel)                                              \
	"coalesce((SELECT format(E'\\nSERVER %I', lb_fs.srvname)"          \
	" || coalesce(E'\\nOPTIONS (\\n    ' || " FDW_OPTIONS_SQL("lb_ft.ftoptions") " || E'\\n)', '')" \
	" FROM pg_foreign_table lb_ft JOIN pg_foreign_server lb_fs ON lb_fs.oid = lb_ft.ftserver" \
	" WHERE lb_ft.ftrelid = " rel "), '')"

/* The identity sequences: not created on their own, but owned by their column. */
#define IDENTITY_SEQ(seqoid)                                                \
	"EXISTS (SELECT 1 FROM pg_depend lb_i"                              \
	" WHERE lb_i.classid = 'pg_class'::regclass AND lb_i.objid = " seqoid \
	" AND lb_i.refclassid = 'pg_class'::regclass AND lb_i.deptype = 'i')"

#define C_ORDER(x) x " COLLATE \"C\""

/*
 * Every node query returns these columns, in this order:
 * classid, oid, prio, schema, name, kind, qualified, relkind, populated,
 * sql, owner_sql, column_list, bytes.
 */
enum {
	NC_CLASSID,
	NC_OID,
	NC_PRIO,
	NC_SCHEMA,
	NC_NAME,
	NC_KIND,
	NC_QUALIFIED,
	NC_RELKIND,
	NC_POPULATED,
	NC_SQL,
	NC_OWNER,
	NC_COLUMNS,
	NC_BYTES,
	NC_NCOLS,
};

static const char schemas_sql[] =
    "SELECT 'pg_namespace'::regclass::oid, n.oid, 1, n.nspname, '', 'schema',"
    " quote_ident(n.nspname), '', 'f',"
    /* public exists in every new database: only its owner and ACL can differ. */
    " CASE WHEN n.nspname = 'public' THEN '' ELSE format('CREATE SCHEMA %I;', n.nspname) END,"
    /*
     * public's default owner is pg_database_owner from 15, the bootstrap
     * superuser before: on 15 a public owned by postgres is a change.
     */
    " CASE WHEN n.nspname <> 'public' OR n.nspowner <> coalesce((SELECT r.oid FROM pg_roles r"
    "   WHERE r.rolname = 'pg_database_owner'), 10)"
    " THEN format('ALTER SCHEMA %I OWNER TO %I;', n.nspname, pg_get_userbyid(n.nspowner)) END,"
    " NULL, NULL"
    " FROM pg_namespace n"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_namespace", "n.oid");

/* plpgsql and other objects made by initdb have oids below 16384: pg_dump skips them too. */
static const char extensions_sql[] =
    "SELECT 'pg_extension'::regclass::oid, x.oid, 2, '', x.extname, 'extension',"
    " quote_ident(x.extname), '', 'f',"
    " format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I;', x.extname, n.nspname),"
    " NULL, NULL, NULL"
    " FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace"
    " WHERE x.oid >= 16384";

#define TYPE_NODE_COLUMNS(kind)                                             \
	"SELECT 'pg_type'::regclass::oid, t.oid, 3, n.nspname, t.typname, '" kind "'," \
	" format('%I.%I', n.nspname, t.typname), '', 'f', "

#define TYPE_FROM                                                           \
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"     \
	" WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_type", "t.oid")

#define TYPE_OWNER(kw)                                                      \
	", format('ALTER " kw " %I.%I OWNER TO %I;', n.nspname, t.typname, pg_get_userbyid(t.typowner))," \
	" NULL, NULL"

static const char types_enum_sql[] =
    TYPE_NODE_COLUMNS("type")
    " format('CREATE TYPE %I.%I AS ENUM (', n.nspname, t.typname)"
    " || coalesce((SELECT string_agg(E'\\n    ' || quote_literal(e.enumlabel), ','"
    "   ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')"
    " || E'\\n);'"
    TYPE_OWNER("TYPE")
    TYPE_FROM " AND t.typtype = 'e'";

static const char types_composite_sql[] =
    TYPE_NODE_COLUMNS("type")
    " format('CREATE TYPE %I.%I AS (', n.nspname, t.typname)"
    " || coalesce((SELECT string_agg(format(E'\\n    %I %s', a.attname,"
    "     format_type(a.atttypid, a.atttypmod)) || " COLLATE_SQL("a.attcollation", "at.typcollation")
    "     , ',' ORDER BY a.attnum)"
    "   FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
    "   WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '')"
    " || E'\\n);'"
    TYPE_OWNER("TYPE")
    TYPE_FROM " AND t.typtype = 'c'"
    " AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'";

/* The domain's NOT NULL: typnotnull before 17, a named contype 'n' constraint since. */
static const char types_domain_head[] =
    TYPE_NODE_COLUMNS("domain")
    " format('CREATE DOMAIN %I.%I AS %s', n.nspname, t.typname,"
    "   format_type(t.typbasetype, t.typtypmod))"
    " || " COLLATE_SQL("t.typcollation", "(SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)")
    " || coalesce(' DEFAULT ' || pg_get_expr(t.typdefaultbin, 0), '')";
static const char types_domain_notnull[] =
    " || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END";
static const char types_domain_tail[] =
    /* NOT VALID ones are added after the data. */
    " || coalesce((SELECT string_agg(format(E'\\n    CONSTRAINT %I %s', co.conname,"
    "     pg_get_constraintdef(co.oid)), '' ORDER BY " C_ORDER("co.conname") ")"
    "   FROM pg_constraint co WHERE co.contypid = t.oid AND co.convalidated), '')"
    " || ';'"
    TYPE_OWNER("DOMAIN")
    TYPE_FROM " AND t.typtype = 'd'";

static const char types_range_head[] =
    TYPE_NODE_COLUMNS("type")
    " format(E'CREATE TYPE %I.%I AS RANGE (\\n    subtype = %s', n.nspname, t.typname,"
    "   format_type(r.rngsubtype, NULL))"
    " || CASE WHEN NOT opc.opcdefault THEN format(E',\\n    subtype_opclass = %I.%I',"
    "   opn.nspname, opc.opcname) ELSE '' END"
    " || CASE WHEN r.rngcollation <> 0 THEN (SELECT format(E',\\n    collation = %I.%I',"
    "   cn.nspname, co.collname) FROM pg_collation co"
    "   JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = r.rngcollation) ELSE '' END"
    " || CASE WHEN r.rngcanonical <> 0 THEN E',\\n    canonical = ' || r.rngcanonical::regproc::text ELSE '' END"
    " || CASE WHEN r.rngsubdiff <> 0 THEN E',\\n    subtype_diff = ' || r.rngsubdiff::regproc::text ELSE '' END";
/* Always named: the same catalog whether or not it is the default name. */
static const char types_range_multirange[] =
    " || (SELECT format(E',\\n    multirange_type_name = %I.%I', mn.nspname, mt.typname)"
    "   FROM pg_type mt JOIN pg_namespace mn ON mn.oid = mt.typnamespace"
    "   WHERE mt.oid = r.rngmultitypid)";
static const char types_range_tail[] =
    " || E'\\n);'"
    TYPE_OWNER("TYPE")
    " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
    " JOIN pg_range r ON r.rngtypid = t.oid"
    " JOIN pg_opclass opc ON opc.oid = r.rngsubopc"
    " JOIN pg_namespace opn ON opn.oid = opc.opcnamespace"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_type", "t.oid") " AND t.typtype = 'r'";

/*
 * Aggregates (prokind 'a') are dump-schema-kinds.c's. A range type's
 * constructors depend on it internally and come with CREATE TYPE.
 */
static const char functions_sql[] =
    "SELECT 'pg_proc'::regclass::oid, p.oid, 4, n.nspname,"
    " p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
    " CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,"
    " p.oid::regprocedure::text, '', 'f',"
    " rtrim(pg_get_functiondef(p.oid), E' \\n\\t') || ';',"
    " format('ALTER %s %s OWNER TO %I;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,"
    "   p.oid::regprocedure, pg_get_userbyid(p.proowner)),"
    " NULL, NULL"
    " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_proc", "p.oid")
    " AND p.prokind IN ('f', 'p', 'w')"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
    "   AND d.objid = p.oid AND d.deptype = 'i')";

static const char sequences_sql[] =
    "SELECT 'pg_class'::regclass::oid, c.oid, 5, n.nspname, c.relname, 'sequence',"
    " format('%I.%I', n.nspname, c.relname), 'S', 'f',"
    " format(E'CREATE %sSEQUENCE %I.%I\\n    AS %s\\n    START WITH %s\\n    INCREMENT BY %s"
    "\\n    MINVALUE %s\\n    MAXVALUE %s\\n    CACHE %s%s;',"
    "   CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED ' ELSE '' END, n.nspname, c.relname,"
    "   format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,"
    "   CASE WHEN s.seqcycle THEN E'\\n    CYCLE' ELSE '' END),"
    " format('ALTER SEQUENCE %I.%I OWNER TO %I;', n.nspname, c.relname, pg_get_userbyid(c.relowner)),"
    " NULL, NULL"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_sequence s ON s.seqrelid = c.oid"
    " WHERE c.relkind = 'S' AND " USER_NSP("n") " AND " NOT_MEMBER("pg_class", "c.oid")
    " AND NOT " IDENTITY_SEQ("c.oid");

/*
 * A child's local column that its parents generate by the same
 * expression: INHERITS brings the expression, and before 16 a child may
 * not state one (pg_dump's foundSameGenerated). A partition is attached
 * afterwards and keeps it; an expression of its own (16+) is written.
 */
#define GEN_INHERITED                                                       \
	"(a.attgenerated <> '' AND a.attinhcount > 0 AND NOT c.relispartition" \
	" AND (SELECT bool_and(pg_get_expr(lb_pd.adbin, lb_pd.adrelid) = pg_get_expr(d.adbin, d.adrelid))" \
	" FROM pg_inherits lb_i JOIN pg_attribute lb_pa ON lb_pa.attrelid = lb_i.inhparent" \
	" AND lb_pa.attname = a.attname AND lb_pa.attgenerated <> ''"      \
	" JOIN pg_attrdef lb_pd ON lb_pd.adrelid = lb_pa.attrelid AND lb_pd.adnum = lb_pa.attnum" \
	" WHERE lb_i.inhrelid = c.oid))"

/*
 * Tables as pg_dump 15 writes them: an inheritance child lists only its
 * local columns (INHERITS brings the rest); a partition lists all its
 * columns and is attached afterwards (see extras_head), which keeps its
 * own column order. Validated CHECKs are inline: the local ones, and for
 * a partition also the inherited ones, which ATTACH PARTITION requires.
 */
static const char tables_head[] =
    "SELECT 'pg_class'::regclass::oid, c.oid, 6, n.nspname, c.relname,"
    " CASE c.relkind WHEN 'f' THEN 'foreign table' ELSE 'table' END,"
    " format('%I.%I', n.nspname, c.relname), c.relkind, 'f',"
    " format('CREATE %sTABLE %I.%I', CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED '"
    "   WHEN c.relkind = 'f' THEN 'FOREIGN ' ELSE '' END, n.nspname, c.relname)"
    " || CASE WHEN c.reloftype <> 0 THEN ' OF ' || c.reloftype::regtype::text ELSE '' END"
    " || CASE WHEN c.reloftype <> 0 AND cols.items IS NULL THEN ''"
    "   ELSE ' (' || coalesce(cols.items, '') || E'\\n)' END"
    " || CASE WHEN c.relispartition THEN '' ELSE coalesce((SELECT E'\\nINHERITS ('"
    "   || string_agg(format('%I.%I', pn.nspname, pc.relname), ', ' ORDER BY i.inhseqno) || ')'"
    "   FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent"
    "   JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid), '') END"
    " || CASE WHEN c.relkind = 'p' THEN E'\\nPARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END"
    " || " TABLE_AM("E'\\n'") ""
    " || " FOREIGN_TABLE_SQL("c.oid")
    " || coalesce(E'\\nWITH (' || " STORAGE_OPTIONS_SQL("c.reloptions", "tc.reloptions") " || ')', '')"
    " || ';',"
    " format('ALTER %sTABLE %I.%I OWNER TO %I;', CASE WHEN c.relkind = 'f' THEN 'FOREIGN ' ELSE '' END,"
    "   n.nspname, c.relname, pg_get_userbyid(c.relowner)),"
    " CASE WHEN c.relkind = 'r' THEN coalesce('(' || (SELECT string_agg(quote_ident(a.attname), ', '"
    "   ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
    "   AND NOT a.attisdropped AND a.attgenerated = '') || ')', '') END,"
    " pg_relation_size(c.oid)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid"
    " LEFT JOIN LATERAL (SELECT string_agg(x.item, ',' ORDER BY x.o1, x.o2, " C_ORDER("x.o3") ") AS items"
    "   FROM (SELECT 0 AS o1, a.attnum AS o2, '' AS o3, E'\\n    '"
    "     || CASE WHEN c.reloftype <> 0 THEN format('%I WITH OPTIONS', a.attname)"
    "       ELSE format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))"
    "         || " COLLATE_SQL("a.attcollation", "at.typcollation") " END"
    "     || CASE WHEN " GEN_INHERITED " THEN ''"
    "       WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS ('"
    "         || pg_get_expr(d.adbin, d.adrelid) || ') STORED'"
    /* Virtual generated columns are 18+; attgenerated is '' or 's' before. */
    "       WHEN a.attgenerated = 'v' THEN ' GENERATED ALWAYS AS ('"
    "         || pg_get_expr(d.adbin, d.adrelid) || ') VIRTUAL'"
    "       WHEN d.oid IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END";
/*
 * Before 18 a column's NOT NULL is attnotnull. Since 18 it is a named
 * pg_constraint row (contype 'n') that may be NO INHERIT or NOT VALID
 * (attnotnull is true either way): a valid one is written inline, named
 * unless it has the default name (as pg_dump 18 decides it), so a
 * partition keeps its parent's name; a NOT VALID one is added after the
 * data (post_check_sql).
 */
static const char tables_notnull_v12[] =
    "     || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END AS item";
static const char tables_notnull_v18[] =
    "     || coalesce((SELECT CASE WHEN nn.conname = c.relname || '_' || a.attname || '_not_null'"
    "         THEN ' NOT NULL' ELSE format(' CONSTRAINT %I NOT NULL', nn.conname) END"
    "       || CASE WHEN nn.connoinherit THEN ' NO INHERIT' ELSE '' END"
    "       FROM pg_constraint nn WHERE nn.conrelid = c.oid AND nn.contype = 'n'"
    "       AND nn.conkey[1] = a.attnum AND nn.convalidated), '') AS item";
static const char tables_tail[] =
    "     FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
    "     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    "     AND (a.attislocal OR c.relispartition OR c.reloftype <> 0)"
    "     AND (c.reloftype = 0 OR d.oid IS NOT NULL OR a.attnotnull)"
    "   UNION ALL"
    "   SELECT 1, 0, co.conname, format(E'\\n    CONSTRAINT %I %s', co.conname,"
    "     pg_get_constraintdef(co.oid))"
    "     FROM pg_constraint co WHERE co.conrelid = c.oid AND co.contype = 'c'"
    "     AND (co.conislocal OR c.relispartition) AND co.convalidated"
    "     AND NOT " CHECK_ON_OWN_ROW("co") ") x) cols ON true"
    " WHERE c.relkind IN ('r', 'p', 'f') AND " USER_NSP("n") " AND " NOT_MEMBER("pg_class", "c.oid");

/*
 * A view that needs a constraint (a GROUP BY on the primary key lets it
 * name the table's other columns) cannot be created before that
 * constraint, which is post-data: it is created as a placeholder of the
 * same columns selecting NULLs, and replaced after the keys
 * (post_view_sql), as pg_dump does. A materialized view has no CREATE OR
 * REPLACE: the whole of it moves after the keys, with the views and
 * materialized views over it.
 */
#define VIEW_NEEDS_KEY(rel)                                                 \
	"EXISTS (SELECT 1 FROM pg_rewrite lb_r JOIN pg_depend lb_d"         \
	" ON lb_d.classid = 'pg_rewrite'::regclass AND lb_d.objid = lb_r.oid" \
	" AND lb_d.refclassid = 'pg_constraint'::regclass"                   \
	" JOIN pg_constraint lb_k ON lb_k.oid = lb_d.refobjid"              \
	" WHERE lb_r.ev_class = " rel " AND lb_k.contype IN ('p', 'u', 'x', 'f'))"

/* CREATE [OR REPLACE] VIEW with its options: pg_get_viewdef ends with ';'. */
#define VIEW_DEF_SQL(verb)                                                  \
	"format(E'" verb " VIEW %I.%I%s AS\\n%s', n.nspname, c.relname,"      \
	"   coalesce(' WITH (' || " OPTIONS_SQL("c.reloptions", "") " || ')', ''), pg_get_viewdef(c.oid))"

/* pg_get_viewdef ends with ';', which WITH NO DATA must follow. */
static const char views_sql[] =
    "SELECT 'pg_class'::regclass::oid, c.oid, 7, n.nspname, c.relname,"
    " CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END,"
    " format('%I.%I', n.nspname, c.relname), c.relkind,"
    " CASE WHEN c.relispopulated THEN 't' ELSE 'f' END,"
    " CASE WHEN c.relkind = 'v' AND " VIEW_NEEDS_KEY("c.oid")
    "   THEN format(E'CREATE VIEW %I.%I AS\\n SELECT %s;', n.nspname, c.relname,"
    "     (SELECT string_agg(format('NULL::%s%s AS %I', format_type(a.atttypid, a.atttypmod),"
    "       " COLLATE_SQL("a.attcollation", "at.typcollation") ", a.attname), E',\\n    ' ORDER BY a.attnum)"
    "     FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
    "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))"
    "   WHEN c.relkind = 'v' THEN " VIEW_DEF_SQL("CREATE")
    "   ELSE format(E'CREATE MATERIALIZED VIEW %I.%I%s%s AS\\n%s', n.nspname, c.relname, " TABLE_AM("' '") ","
    "     coalesce(' WITH (' || " STORAGE_OPTIONS_SQL("c.reloptions",
	"(SELECT lb_tc.reloptions FROM pg_class lb_tc WHERE lb_tc.oid = c.reltoastrelid)") " || ')', ''),"
    "     rtrim(pg_get_viewdef(c.oid), ';') || E'\\n  WITH NO DATA;') END,"
    " format('ALTER %s %I.%I OWNER TO %I;', CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END,"
    "   n.nspname, c.relname, pg_get_userbyid(c.relowner)),"
    " NULL, NULL"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('v', 'm') AND " USER_NSP("n") " AND " NOT_MEMBER("pg_class", "c.oid");

/* (classid, oid, sql): the real definitions of the placeholder views. */
static const char post_view_sql[] =
    "SELECT 'pg_class'::regclass::oid, c.oid, CASE c.relkind WHEN 'v' THEN " VIEW_DEF_SQL("CREATE OR REPLACE") " END"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('v', 'm') AND " VIEW_NEEDS_KEY("c.oid")
    " AND " USER_NSP("n") " AND " NOT_MEMBER("pg_class", "c.oid");

/*
 * Statements that follow a table's CREATE, as (classid, oid, sql):
 * ATTACH PARTITION, inherited columns whose default or NOT NULL differs
 * from their parents', identity, per-column options, view defaults.
 */
static const char extras_head[] =
    "SELECT 'pg_class'::regclass::oid, x.oid, x.sql FROM ("
    " SELECT c.oid, 1 AS o1, 0 AS o2,"
    "   format('ALTER TABLE ONLY %I.%I ATTACH PARTITION %I.%I %s;', pn.nspname, pc.relname,"
    "     n.nspname, c.relname, pg_get_expr(c.relpartbound, c.oid)) AS sql"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class pc ON pc.oid = i.inhparent"
    "   JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
    "   WHERE c.relispartition AND c.relkind IN ('r', 'p', 'f')"
    " UNION ALL"
    /* SET DEFAULT NULL drops a default the parent would have given. */
    " SELECT c.oid, 2, a.attnum, format('ALTER %sTABLE ONLY %I.%I ALTER COLUMN %I SET DEFAULT %s;',"
    "     CASE WHEN c.relkind = 'f' THEN 'FOREIGN ' ELSE '' END,"
    "     n.nspname, c.relname, a.attname, coalesce(pg_get_expr(d.adbin, d.adrelid), 'NULL'))"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   JOIN pg_attribute a ON a.attrelid = c.oid"
    "   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    "   WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND a.attnum > 0"
    "   AND NOT a.attisdropped AND NOT a.attislocal AND a.attgenerated = ''"
    "   AND pg_get_expr(d.adbin, d.adrelid) IS DISTINCT FROM (SELECT max(pg_get_expr(pd.adbin, pd.adrelid))"
    "     FROM pg_inherits i JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname"
    "     JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum"
    "     WHERE i.inhrelid = c.oid)"
    " UNION ALL"
    " SELECT c.oid, 3, a.attnum, format('ALTER %sTABLE ONLY %I.%I ALTER COLUMN %I SET NOT NULL;',"
    "     CASE WHEN c.relkind = 'f' THEN 'FOREIGN ' ELSE '' END, n.nspname, c.relname, a.attname)"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   JOIN pg_attribute a ON a.attrelid = c.oid"
    "   WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND a.attnum > 0"
    "   AND NOT a.attisdropped AND NOT a.attislocal AND a.attnotnull"
    "   AND NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_attribute pa ON pa.attrelid = i.inhparent"
    "     AND pa.attname = a.attname WHERE i.inhrelid = c.oid AND pa.attnotnull)"
    " UNION ALL"
    /* The column's sequence: a PG17 partition shares its parent's and has none. */
    " SELECT c.oid, 4, a.attnum, format(E'ALTER TABLE %I.%I ALTER COLUMN %I ADD GENERATED %s AS IDENTITY (\\n"
    "    SEQUENCE NAME %I.%I\\n%s    START WITH %s\\n    INCREMENT BY %s\\n    MINVALUE %s\\n"
    "    MAXVALUE %s\\n    CACHE %s%s\\n);',"
    "     n.nspname, c.relname, a.attname, CASE a.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END,"
    /* 15+: a sequence made UNLOGGED or LOGGED apart from its table (as pg_dump). */
    "     sn.nspname, sc.relname, CASE WHEN sc.relpersistence = c.relpersistence THEN ''"
    "       WHEN sc.relpersistence = 'u' THEN E'    UNLOGGED\\n' ELSE E'    LOGGED\\n' END, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,"
    "     CASE WHEN s.seqcycle THEN E'\\n    CYCLE' ELSE '' END)"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   JOIN pg_attribute a ON a.attrelid = c.oid"
    "   JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid"
    "     AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'"
    "   JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'"
    "   JOIN pg_namespace sn ON sn.oid = sc.relnamespace"
    "   JOIN pg_sequence s ON s.seqrelid = sc.oid"
    "   WHERE a.attidentity IN ('a', 'd') AND NOT a.attisdropped"
    " UNION ALL"
    " SELECT c.oid, 5, a.attnum, concat_ws(E'\\n\\n',"
    "   CASE WHEN a.attstattarget >= 0 THEN format('ALTER %s %I.%I ALTER COLUMN %I SET STATISTICS %s;',"
    "     kw.kw, n.nspname, c.relname, a.attname, a.attstattarget) END,"
    "   CASE WHEN a.attstorage <> at.typstorage THEN format('ALTER %s %I.%I ALTER COLUMN %I SET STORAGE %s;',"
    "     kw.kw, n.nspname, c.relname, a.attname, CASE a.attstorage WHEN 'p' THEN 'PLAIN'"
    "     WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END) END,"
    "   (SELECT format('ALTER %s %I.%I ALTER COLUMN %I SET (%s);', kw.kw, n.nspname, c.relname, a.attname,"
    "     " OPTIONS_SQL("a.attoptions", "") ") WHERE a.attoptions IS NOT NULL)";
static const char extras_compression[] =
    "   , (SELECT format('ALTER %s %I.%I ALTER COLUMN %I SET COMPRESSION %s;', kw.kw, n.nspname,"
    "     c.relname, a.attname, CASE a.attcompression WHEN 'p' THEN 'pglz' ELSE 'lz4' END)"
    "     WHERE a.attcompression IN ('p', 'l'))";
static const char extras_tail[] =
    "   , (SELECT format(E'ALTER FOREIGN TABLE %I.%I ALTER COLUMN %I OPTIONS (\\n    %s\\n);', n.nspname,"
    "     c.relname, a.attname, " FDW_OPTIONS_SQL("a.attfdwoptions") ")"
    "     WHERE a.attfdwoptions IS NOT NULL)"
    "   )"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_type at ON at.oid = a.atttypid,"
    "   LATERAL (SELECT CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE ONLY'"
    "     ELSE 'TABLE ONLY' END AS kw) kw"
    "   WHERE c.relkind IN ('r', 'p', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped"
    " UNION ALL"
    " SELECT c.oid, 6, a.attnum, format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET DEFAULT %s;',"
    "     n.nspname, c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid))"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   JOIN pg_attrdef d ON d.adrelid = c.oid"
    "   JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
    "   WHERE c.relkind = 'v'"
    ") x WHERE x.sql <> '' AND x.oid IN (" DUMPED_RELS ")"
    " ORDER BY x.oid, x.o1, x.o2";

/* (classid, oid of the node, sql): the node of an identity sequence is its table. */
static const char acl_sql[] =
    "WITH o(nclass, nobj, kw, name, owner, acl) AS ("
    " SELECT 'pg_namespace'::regclass::oid, n.oid, 'SCHEMA', quote_ident(n.nspname), n.nspowner, n.nspacl"
    "   FROM pg_namespace n WHERE " USER_NSP("n") " AND " NOT_MEMBER("pg_namespace", "n.oid")
    /* public's initial ACL is what the new database already has. */
    "   AND (n.nspname <> 'public' OR n.nspacl IS DISTINCT FROM (SELECT ip.initprivs FROM pg_init_privs ip"
    "     WHERE ip.objoid = n.oid AND ip.classoid = 'pg_namespace'::regclass AND ip.objsubid = 0))"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, coalesce((SELECT d.refobjid FROM pg_depend d"
    "     WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
    "     AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i'), c.oid),"
    "   CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,"
    "   format('%I.%I', n.nspname, c.relname), c.relowner, c.relacl"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND " USER_NSP("n")
    " UNION ALL"
    " SELECT 'pg_proc'::regclass::oid, p.oid, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,"
    "   p.oid::regprocedure::text, p.proowner, p.proacl"
    "   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " USER_NSP("n")
    " UNION ALL"
    " SELECT 'pg_type'::regclass::oid, t.oid, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,"
    "   format('%I.%I', n.nspname, t.typname), t.typowner, t.typacl"
    "   FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
    "   WHERE t.typtype IN ('e', 'c', 'd', 'r', 'b') AND " USER_NSP("n")
    ")"
    " SELECT o.nclass, o.nobj, format('REVOKE ALL ON %s %s FROM PUBLIC;', o.kw, o.name)"
    "   || format(E'\\nREVOKE ALL ON %s %s FROM %I;', o.kw, o.name, pg_get_userbyid(o.owner))"
    "   || coalesce(E'\\n' || " GRANTS_SQL("o.acl", "o.name", "o.kw", "o.owner", "x.privilege_type") ", '')"
    " FROM o WHERE o.acl IS NOT NULL"
    " ORDER BY o.nclass, o.nobj, " C_ORDER("o.kw");

/* Column privileges: NULL by default, so only GRANTs. */
static const char column_acl_sql[] =
    "SELECT 'pg_class'::regclass::oid, c.oid,"
    "   " GRANTS_SQL("at.attacl", "format('%I.%I', n.nspname, c.relname)", "'TABLE'", "c.relowner",
	"format('%s(%I)', x.privilege_type, at.attname)")
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute at ON at.attrelid = c.oid"
    " WHERE at.attacl IS NOT NULL AND at.attnum > 0 AND NOT at.attisdropped"
    " AND c.oid IN (" DUMPED_RELS ")"
    " ORDER BY c.oid, at.attnum";

/* Serial sequences: owned by their column once the tables exist. */
static const char owned_by_sql[] =
    "SELECT format('ALTER SEQUENCE %I.%I OWNED BY %I.%I.%I;', n.nspname, c.relname,"
    "   tn.nspname, t.relname, a.attname)"
    " FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'S'"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
    " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
    " AND d.deptype = 'a' AND d.refobjsubid > 0"
    " AND " USER_NSP("n") " AND " NOT_MEMBER("pg_class", "c.oid") " AND " SEL_REL("c.oid")
    " AND t.oid IN (" DUMPED_RELS ")"
    " ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname");

static const char sequence_list_sql[] =
    "SELECT format('%I.%I', n.nspname, c.relname), quote_literal(format('%I.%I', n.nspname, c.relname))"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND " USER_NSP("n") " AND (" NOT_MEMBER("pg_class", "c.oid")
    /* An extension's configuration sequence: its position, as pg_dump dumps it. */
    "   OR c.oid IN (SELECT unnest(x.extconfig) FROM pg_extension x WHERE x.oid >= 16384))"
    " AND " SEL_REL("c.oid")
    " ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname");

#define REL_ORDER C_ORDER("n.nspname") ", " C_ORDER("c.relname")

/*
 * NOT VALID constraints (CHECK; NOT NULL since 18) and the CHECKs on
 * their table's own row type (CHECK_ON_OWN_ROW), then VALIDATE on the
 * children that inherited such a constraint valid (created after it, or
 * validated on their own): adding it to the parent makes theirs NOT VALID.
 */
static const char post_check_sql[] =
    "SELECT x.sql FROM ("
    " SELECT 1 AS o, n.nspname, c.relname AS name, co.conname,"
    "   format(E'ALTER TABLE %s%I.%I\\n    ADD CONSTRAINT %I %s;',"
    "     CASE WHEN co.connoinherit THEN 'ONLY ' ELSE '' END, n.nspname, c.relname, co.conname,"
    "     pg_get_constraintdef(co.oid)) AS sql"
    "   FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
    "   JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE co.contype IN ('c', 'n') AND co.conislocal"
    "   AND (NOT co.convalidated OR (co.contype = 'c' AND " CHECK_ON_OWN_ROW("co") "))"
    "   AND c.oid IN (" DUMPED_RELS ")"
    " UNION ALL"
    " SELECT 1, n.nspname, t.typname, co.conname,"
    "   format(E'ALTER DOMAIN %I.%I\\n    ADD CONSTRAINT %I %s;', n.nspname, t.typname, co.conname,"
    "     pg_get_constraintdef(co.oid))"
    "   FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid"
    "   JOIN pg_namespace n ON n.oid = t.typnamespace"
    "   WHERE NOT co.convalidated AND " USER_NSP("n") " AND " NOT_MEMBER("pg_type", "t.oid")
    "   AND " SEL_NSP("n.oid")
    " UNION ALL"
    " SELECT 2, n.nspname, c.relname, co.conname,"
    "   format('ALTER TABLE ONLY %I.%I VALIDATE CONSTRAINT %I;', n.nspname, c.relname, co.conname)"
    "   FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
    "   JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE co.contype IN ('c', 'n') AND co.convalidated AND co.coninhcount > 0"
    "   AND c.oid IN (" DUMPED_RELS ")"
    "   AND EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_constraint pco ON pco.conrelid = i.inhparent"
    "     WHERE i.inhrelid = c.oid AND pco.conname = co.conname AND pco.contype = co.contype"
    "     AND NOT pco.convalidated)"
    ") x ORDER BY x.o, " C_ORDER("x.nspname") ", " C_ORDER("x.name") ", " C_ORDER("x.conname");

/* A partition's own key is added with ONLY, then its index attached (POST_INDEX_ATTACH). */
static const char post_constraint_sql[] =
    "SELECT format(E'ALTER TABLE ONLY %I.%I\\n    ADD CONSTRAINT %I %s;', n.nspname, c.relname,"
    "   co.conname, pg_get_constraintdef(co.oid))"
    " FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE co.contype IN ('p', 'u', 'x') AND c.oid IN (" DUMPED_RELS ")"
    " ORDER BY " REL_ORDER ", " C_ORDER("co.conname");

/* Invalid indexes are leftovers of a failed CREATE INDEX CONCURRENTLY, as pg_dump judges. */
static const char post_index_sql[] =
    "SELECT pg_get_indexdef(i.indexrelid) || ';'"
    " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.oid IN (" DUMPED_RELS ") AND (i.indisvalid OR ic.relkind = 'I')"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid"
    "   AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))"
    " ORDER BY " REL_ORDER ", " C_ORDER("ic.relname");

static const char post_index_attach_sql[] =
    "SELECT format('ALTER INDEX %I.%I ATTACH PARTITION %I.%I;', pn.nspname, pi.relname,"
    "   n.nspname, ci.relname)"
    " FROM pg_inherits h JOIN pg_class ci ON ci.oid = h.inhrelid"
    " JOIN pg_namespace n ON n.oid = ci.relnamespace"
    " JOIN pg_class pi ON pi.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = pi.relnamespace"
    " JOIN pg_index x ON x.indexrelid = ci.oid"
    " WHERE ci.relkind IN ('i', 'I') AND x.indrelid IN (" DUMPED_RELS ")"
    " ORDER BY " C_ORDER("pn.nspname") ", " C_ORDER("pi.relname") ", " C_ORDER("n.nspname") ", "
    C_ORDER("ci.relname");

static const char post_index_option_sql[] =
    "SELECT format('ALTER INDEX %I.%I ALTER COLUMN %s SET STATISTICS %s;', n.nspname, ic.relname,"
    "   a.attnum, a.attstattarget)"
    " FROM pg_attribute a JOIN pg_class ic ON ic.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = ic.relnamespace JOIN pg_index i ON i.indexrelid = ic.oid"
    " WHERE a.attstattarget >= 0 AND i.indrelid IN (" DUMPED_RELS ")"
    " ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("ic.relname") ", a.attnum";

static const char post_table_option_sql[] =
    "SELECT x.sql FROM ("
    " SELECT n.nspname, c.relname, 1 AS o, format('ALTER %s %I.%I CLUSTER ON %I;',"
    "   CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, n.nspname,"
    "   c.relname, ic.relname) AS sql"
    "   FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    "   JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE i.indisclustered AND c.oid IN (" DUMPED_RELS ")"
    " UNION ALL"
    " SELECT n.nspname, c.relname, 2, format('ALTER TABLE ONLY %I.%I REPLICA IDENTITY %s;',"
    "   n.nspname, c.relname, CASE c.relreplident WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL'"
    "   ELSE 'USING INDEX ' || quote_ident(ic.relname) END)"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisreplident"
    "   LEFT JOIN pg_class ic ON ic.oid = i.indexrelid"
    "   WHERE c.relkind IN ('r', 'p') AND c.relreplident IN ('n', 'f', 'i')"
    "   AND (c.relreplident <> 'i' OR ic.oid IS NOT NULL) AND c.oid IN (" DUMPED_RELS ")"
    ") x ORDER BY " C_ORDER("x.nspname") ", " C_ORDER("x.relname") ", x.o";

/* (oid, sql, owner_sql); stxstattarget is 13+. */
static const char post_statistics_head[] =
    "SELECT s.oid, pg_get_statisticsobjdef(s.oid) || ';'";
static const char post_statistics_target[] =
    "   || CASE WHEN s.stxstattarget >= 0 THEN format(E'\\n\\nALTER STATISTICS %I.%I SET STATISTICS %s;',"
    "     n.nspname, s.stxname, s.stxstattarget) ELSE '' END";
static const char post_statistics_tail[] =
    ", format('ALTER STATISTICS %I.%I OWNER TO %I;', n.nspname, s.stxname, pg_get_userbyid(s.stxowner))"
    " FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace"
    " WHERE s.stxrelid IN (" DUMPED_RELS ") AND " NOT_MEMBER("pg_statistic_ext", "s.oid")
    " ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("s.stxname");

static const char post_rule_sql[] =
    "SELECT pg_get_ruledef(r.oid) || CASE r.ev_enabled"
    "   WHEN 'D' THEN format(E'\\n\\nALTER TABLE %I.%I DISABLE RULE %I;', n.nspname, c.relname, r.rulename)"
    "   WHEN 'R' THEN format(E'\\n\\nALTER TABLE %I.%I ENABLE REPLICA RULE %I;', n.nspname, c.relname, r.rulename)"
    "   WHEN 'A' THEN format(E'\\n\\nALTER TABLE %I.%I ENABLE ALWAYS RULE %I;', n.nspname, c.relname, r.rulename)"
    "   ELSE '' END"
    " FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE r.rulename <> '_RETURN' AND c.oid IN (" DUMPED_RELS ")"
    " ORDER BY " REL_ORDER ", " C_ORDER("r.rulename");

/* Clones on partitions (tgparentid, 13+) come back with their parent's trigger. */
static const char post_trigger_head[] =
    "SELECT pg_get_triggerdef(t.oid, false) || ';'"
    " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE NOT t.tgisinternal AND c.oid IN (" DUMPED_RELS ")";
static const char post_trigger_tail[] =
    " ORDER BY " REL_ORDER ", " C_ORDER("t.tgname");

/*
 * ALTER TABLE without ONLY recurses to the partitions' clones, so
 * parents go first and a clone is set only where it differs from its
 * parent trigger, as pg_dump 15 does.
 */
static const char post_trigger_state_head[] =
    "SELECT format('ALTER TABLE %I.%I %s TRIGGER %I;', n.nspname, c.relname,"
    "   CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'"
    "   WHEN 'A' THEN 'ENABLE ALWAYS' ELSE 'ENABLE' END, t.tgname)"
    " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE NOT t.tgisinternal AND c.oid IN (" DUMPED_RELS ")";
static const char post_trigger_state_v13[] =
    " AND CASE WHEN t.tgparentid = 0 THEN t.tgenabled <> 'O'"
    "   ELSE t.tgenabled <> (SELECT pt.tgenabled FROM pg_trigger pt WHERE pt.oid = t.tgparentid) END";
static const char post_trigger_state_v12[] =
    " AND t.tgenabled <> 'O'";
static const char post_trigger_state_tail[] =
    " ORDER BY (SELECT count(*) FROM pg_partition_ancestors(c.oid)), " REL_ORDER ", " C_ORDER("t.tgname");

/* Clones on partitions (conparentid) come back with the parent's key; ONLY is refused on a partitioned table. */
static const char post_fk_sql[] =
    "SELECT format(E'ALTER TABLE %s%I.%I\\n    ADD CONSTRAINT %I %s;',"
    "   CASE WHEN c.relkind = 'p' THEN '' ELSE 'ONLY ' END, n.nspname, c.relname, co.conname,"
    "   pg_get_constraintdef(co.oid))"
    " FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE co.contype = 'f' AND co.conparentid = 0 AND c.oid IN (" DUMPED_RELS ")"
    " ORDER BY " REL_ORDER ", " C_ORDER("co.conname");

static const char post_rls_sql[] =
    "SELECT x.sql FROM ("
    " SELECT n.nspname, c.relname, 1 AS o,"
    "   format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY;', n.nspname, c.relname) AS sql"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE c.relrowsecurity AND c.oid IN (" DUMPED_RELS ")"
    " UNION ALL"
    " SELECT n.nspname, c.relname, 2,"
    "   format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY;', n.nspname, c.relname)"
    "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE c.relforcerowsecurity AND c.oid IN (" DUMPED_RELS ")"
    ") x ORDER BY " C_ORDER("x.nspname") ", " C_ORDER("x.relname") ", x.o";

static const char post_policy_sql[] =
    "SELECT format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s%s%s;', p.polname, n.nspname, c.relname,"
    "   CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,"
    "   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'"
    "     WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
    "   (SELECT string_agg(CASE WHEN r.id = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.id)) END,"
    "     ', ' ORDER BY r.ord) FROM unnest(p.polroles) WITH ORDINALITY r(id, ord)),"
    "   coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', ''),"
    "   coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', ''))"
    " FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.oid IN (" DUMPED_RELS ")"
    " ORDER BY " REL_ORDER ", " C_ORDER("p.polname");

/*
 * Comments as (classid, oid, sql) of the node that owns the commented
 * object: a column, constraint, index, trigger, rule, policy or
 * statistics object belongs to its table. Objects that are not dumped
 * (extension members, system objects) have no node and are dropped.
 */
static const char comments_sql[] =
    "SELECT x.nclass, x.nobj, x.sql FROM ("
    " SELECT 'pg_namespace'::regclass::oid AS nclass, s.oid AS nobj,"
    "   format('COMMENT ON SCHEMA %I IS %L;', s.nspname, d.description) AS sql"
    "   FROM pg_description d JOIN pg_namespace s ON d.classoid = 'pg_namespace'::regclass"
    "   AND d.objoid = s.oid WHERE s.nspname <> 'public'"
    " UNION ALL"
    /* The new database's public has pg_dump's standard comment; NULL removes it. */
    " SELECT 'pg_namespace'::regclass::oid, s.oid,"
    "   'COMMENT ON SCHEMA public IS ' || coalesce(quote_literal(d.description), 'NULL') || ';'"
    "   FROM pg_namespace s LEFT JOIN pg_description d ON d.classoid = 'pg_namespace'::regclass"
    "   AND d.objoid = s.oid AND d.objsubid = 0"
    "   WHERE s.nspname = 'public' AND d.description IS DISTINCT FROM 'standard public schema'"
    " UNION ALL"
    " SELECT 'pg_extension'::regclass::oid, e.oid, format('COMMENT ON EXTENSION %I IS %L;', e.extname,"
    "   d.description)"
    "   FROM pg_description d JOIN pg_extension e ON d.classoid = 'pg_extension'::regclass"
    "   AND d.objoid = e.oid"
    " UNION ALL"
    " SELECT 'pg_type'::regclass::oid, t.oid, format('COMMENT ON %s %I.%I IS %L;',"
    "   CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, d.description)"
    "   FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid"
    "   JOIN pg_namespace n ON n.oid = t.typnamespace"
    " UNION ALL"
    " SELECT 'pg_proc'::regclass::oid, p.oid, format('COMMENT ON %s %s IS %L;',"
    "   CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure, d.description)"
    "   FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid"
    "   WHERE p.prokind <> 'a'"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, coalesce(i.indrelid, (SELECT dd.refobjid FROM pg_depend dd"
    "     WHERE dd.classid = 'pg_class'::regclass AND dd.objid = c.oid"
    "     AND dd.refclassid = 'pg_class'::regclass AND dd.deptype = 'i'), c.oid),"
    "   format('COMMENT ON %s %I.%I IS %L;', CASE c.relkind WHEN 'v' THEN 'VIEW'"
    "     WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX'"
    "     WHEN 'I' THEN 'INDEX' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname,"
    "     d.description)"
    "   FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid"
    "   JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid"
    "   WHERE d.objsubid = 0 AND c.relkind <> 'c'"
    " UNION ALL"
    " SELECT CASE c.relkind WHEN 'c' THEN 'pg_type'::regclass::oid ELSE 'pg_class'::regclass::oid END,"
    "   CASE c.relkind WHEN 'c' THEN c.reltype ELSE c.oid END,"
    "   format('COMMENT ON COLUMN %I.%I.%I IS %L;', n.nspname, c.relname, a.attname, d.description)"
    "   FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid"
    "   JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid"
    "   WHERE d.objsubid > 0 AND NOT a.attisdropped"
    " UNION ALL"
    " SELECT CASE WHEN co.conrelid <> 0 THEN 'pg_class'::regclass::oid ELSE 'pg_type'::regclass::oid END,"
    "   CASE WHEN co.conrelid <> 0 THEN co.conrelid ELSE co.contypid END,"
    "   CASE WHEN co.conrelid <> 0"
    "     THEN format('COMMENT ON CONSTRAINT %I ON %s IS %L;', co.conname, co.conrelid::regclass, d.description)"
    "     ELSE format('COMMENT ON CONSTRAINT %I ON DOMAIN %s IS %L;', co.conname, co.contypid::regtype,"
    "       d.description) END"
    "   FROM pg_description d JOIN pg_constraint co ON d.classoid = 'pg_constraint'::regclass"
    "   AND d.objoid = co.oid"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, t.tgrelid, format('COMMENT ON TRIGGER %I ON %s IS %L;', t.tgname,"
    "   t.tgrelid::regclass, d.description)"
    "   FROM pg_description d JOIN pg_trigger t ON d.classoid = 'pg_trigger'::regclass AND d.objoid = t.oid"
    "   WHERE NOT t.tgisinternal"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, p.polrelid, format('COMMENT ON POLICY %I ON %s IS %L;', p.polname,"
    "   p.polrelid::regclass, d.description)"
    "   FROM pg_description d JOIN pg_policy p ON d.classoid = 'pg_policy'::regclass AND d.objoid = p.oid"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, r.ev_class, format('COMMENT ON RULE %I ON %s IS %L;', r.rulename,"
    "   r.ev_class::regclass, d.description)"
    "   FROM pg_description d JOIN pg_rewrite r ON d.classoid = 'pg_rewrite'::regclass AND d.objoid = r.oid"
    "   WHERE r.rulename <> '_RETURN'"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, s.stxrelid, format('COMMENT ON STATISTICS %I.%I IS %L;', n.nspname,"
    "   s.stxname, d.description)"
    "   FROM pg_description d JOIN pg_statistic_ext s ON d.classoid = 'pg_statistic_ext'::regclass"
    "   AND d.objoid = s.oid JOIN pg_namespace n ON n.oid = s.stxnamespace"
    "   WHERE " NOT_MEMBER("pg_statistic_ext", "s.oid")
    ") x ORDER BY " C_ORDER("x.sql");

static unsigned int
parse_oid(const char *s)
{
	return (unsigned int)strtoul(s, NULL, 10);
}

/* Statements are separated by a blank line, as pg_dump writes them. */
void
append_stmt(struct strbuf *sb, const char *stmt)
{
	if (*stmt == '\0')
		return;
	if (sb->len > 0)
		strbuf_puts(sb, "\n\n");
	strbuf_puts(sb, stmt);
}

static struct node *
new_node(struct schema *s)
{
	struct node *n;

	if (s->nnodes == s->nodecap) {
		s->nodecap = s->nodecap ? s->nodecap * 2 : 64;
		s->nodes = xrealloc(s->nodes, s->nodecap * sizeof(*s->nodes));
	}
	n = &s->nodes[s->nnodes++];
	memset(n, 0, sizeof(*n));
	return n;
}

int
add_nodes(struct schema *s, PGconn *conn, const char *sql, const char *what)
{
	PGresult *res;
	int i, rc = -1;

	if ((res = pgsql_query(conn, sql, what)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		struct node *n = new_node(s);

		n->classid = parse_oid(PQgetvalue(res, i, NC_CLASSID));
		n->objid = parse_oid(PQgetvalue(res, i, NC_OID));
		n->prio = atoi(PQgetvalue(res, i, NC_PRIO));
		n->schema = xstrdup(PQgetvalue(res, i, NC_SCHEMA));
		n->name = xstrdup(PQgetvalue(res, i, NC_NAME));
		n->kind = xstrdup(PQgetvalue(res, i, NC_KIND));
		n->qualified = xstrdup(PQgetvalue(res, i, NC_QUALIFIED));
		n->relkind = PQgetvalue(res, i, NC_RELKIND)[0];
		n->populated = PQgetvalue(res, i, NC_POPULATED)[0] == 't';
		append_stmt(&n->sql, PQgetvalue(res, i, NC_SQL));
		if (s->with_owner && !PQgetisnull(res, i, NC_OWNER))
			append_stmt(&n->sql, PQgetvalue(res, i, NC_OWNER));
		if (!PQgetisnull(res, i, NC_COLUMNS))
			n->column_list = xstrdup(PQgetvalue(res, i, NC_COLUMNS));
		if (!PQgetisnull(res, i, NC_BYTES))
			n->bytes = strtoll(PQgetvalue(res, i, NC_BYTES), NULL, 10);
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
schema_load_nodes(struct schema *s, PGconn *conn)
{
	struct strbuf q = STRBUF_INIT;
	int rc = -1;

	if (add_nodes(s, conn, schemas_sql, "cannot read schemas") < 0 ||
	    add_nodes(s, conn, extensions_sql, "cannot read extensions") < 0 ||
	    add_nodes(s, conn, types_enum_sql, "cannot read enum types") < 0 ||
	    add_nodes(s, conn, types_composite_sql, "cannot read composite types") < 0)
		goto out;

	strbuf_puts(&q, types_domain_head);
	if (s->version < 170000)
		strbuf_puts(&q, types_domain_notnull);
	strbuf_puts(&q, types_domain_tail);
	if (add_nodes(s, conn, strbuf_str(&q), "cannot read domains") < 0)
		goto out;

	strbuf_reset(&q);
	strbuf_puts(&q, types_range_head);
	if (s->version >= 140000)
		strbuf_puts(&q, types_range_multirange);
	strbuf_puts(&q, types_range_tail);
	if (add_nodes(s, conn, strbuf_str(&q), "cannot read range types") < 0)
		goto out;

	if (add_nodes(s, conn, functions_sql, "cannot read functions") < 0 ||
	    add_nodes(s, conn, sequences_sql, "cannot read sequences") < 0)
		goto out;

	strbuf_reset(&q);
	strbuf_puts(&q, tables_head);
	strbuf_puts(&q, s->version >= 180000 ? tables_notnull_v18 : tables_notnull_v12);
	strbuf_puts(&q, tables_tail);
	if (add_nodes(s, conn, strbuf_str(&q), "cannot read tables") < 0 ||
	    add_nodes(s, conn, views_sql, "cannot read views") < 0)
		goto out;
	rc = 0;
out:
	strbuf_free(&q);
	return rc;
}

/* Appends each row's (classid, oid, sql) to that node; rows of objects not dumped are dropped. */
int
append_to_nodes(struct schema *s, PGconn *conn, const char *sql, const char *what)
{
	PGresult *res;
	int i, rc = -1;

	if ((res = pgsql_query(conn, sql, what)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		size_t n = schema_find(s, parse_oid(PQgetvalue(res, i, 0)), parse_oid(PQgetvalue(res, i, 1)));

		if (n != NO_NODE && !PQgetisnull(res, i, 2))
			append_stmt(&s->nodes[n].sql, PQgetvalue(res, i, 2));
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* Appends each row's single column to a section. */
int
append_rows(struct strbuf *dst, PGconn *conn, const char *sql, const char *what)
{
	PGresult *res;
	int i;

	if ((res = pgsql_query(conn, sql, what)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 0))
			append_stmt(dst, PQgetvalue(res, i, 0));
	PQclear(res);
	return 0;
}

int
schema_load_extras(struct schema *s, PGconn *conn)
{
	struct strbuf q = STRBUF_INIT;
	int rc = -1;

	strbuf_puts(&q, extras_head);
	if (s->version >= 140000)
		strbuf_puts(&q, extras_compression);
	strbuf_puts(&q, extras_tail);
	if (append_to_nodes(s, conn, strbuf_str(&q), "cannot read column details") < 0)
		goto out;
	if (s->with_privileges &&
	    (append_to_nodes(s, conn, acl_sql, "cannot read privileges") < 0 ||
	    append_to_nodes(s, conn, column_acl_sql, "cannot read column privileges") < 0))
		goto out;
	if (append_rows(&s->pre_tail, conn, owned_by_sql, "cannot read sequence ownership") < 0)
		goto out;
	rc = 0;
out:
	strbuf_free(&q);
	return rc;
}

int
schema_load_sequence_values(struct schema *s, PGconn *conn)
{
	PGresult *list, *res = NULL;
	int i, rc = -1;

	if ((list = pgsql_query(conn, sequence_list_sql, "cannot list sequences")) == NULL)
		return -1;
	for (i = 0; i < PQntuples(list); i++) {
		const char *qualified = PQgetvalue(list, i, 0);
		char *sql = xasprintf("SELECT last_value, is_called FROM %s", qualified);
		char *what = xasprintf("cannot read sequence %s", qualified);

		res = pgsql_query(conn, sql, what);
		free(sql);
		free(what);
		if (res == NULL)
			goto out;
		if (PQntuples(res) != 1) {
			log_error("cannot read sequence %s: it returned %d rows", qualified, PQntuples(res));
			goto out;
		}
		strbuf_printf(&s->seqvals, "%sSELECT pg_catalog.setval(%s, %s, %s);",
		    s->seqvals.len > 0 ? "\n\n" : "", PQgetvalue(list, i, 1), PQgetvalue(res, 0, 0),
		    PQgetvalue(res, 0, 1)[0] == 't' ? "true" : "false");
		PQclear(res);
		res = NULL;
	}
	rc = 0;
out:
	PQclear(res);
	PQclear(list);
	return rc;
}

static int
load_statistics(struct schema *s, PGconn *conn)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *res;
	int i, rc = -1;

	strbuf_puts(&q, post_statistics_head);
	if (s->version >= 130000)
		strbuf_puts(&q, post_statistics_target);
	strbuf_puts(&q, post_statistics_tail);
	if ((res = pgsql_query(conn, strbuf_str(&q), "cannot read extended statistics")) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		append_stmt(&s->post[POST_STATISTICS], PQgetvalue(res, i, 1));
		if (s->with_owner)
			append_stmt(&s->post[POST_STATISTICS], PQgetvalue(res, i, 2));
	}
	PQclear(res);
	rc = 0;
out:
	strbuf_free(&q);
	return rc;
}

/*
 * After the keys, in creation order so one over another follows it: the
 * definitions of placeholder views (the query's sql), and the whole of a
 * materialized view that needs a key (sql NULL) or of a view or
 * materialized view over a moved one. The indexes come after them.
 */
static int
load_post_views(struct schema *s, PGconn *conn)
{
	PGresult *res;
	const char **replace;
	unsigned char *move;
	size_t i, j;
	int row;

	if ((res = pgsql_query(conn, post_view_sql, "cannot read the views that need a key")) == NULL)
		return -1;
	replace = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(*replace));
	move = xcalloc(s->nnodes ? s->nnodes : 1, 1);
	for (row = 0; row < PQntuples(res); row++) {
		size_t n = schema_find(s, parse_oid(PQgetvalue(res, row, 0)), parse_oid(PQgetvalue(res, row, 1)));

		if (n == NO_NODE)
			continue;
		if (PQgetisnull(res, row, 2))
			move[n] = 1;
		else
			replace[n] = PQgetvalue(res, row, 2);
	}
	for (i = 0; i < s->nnodes; i++) {
		size_t v = s->order[i];
		struct node *n = &s->nodes[v];

		for (j = 0; j < n->ndeps && !move[v]; j++)
			move[v] = move[n->deps[j]] && (n->relkind == 'v' || n->relkind == 'm');
		if (move[v]) {
			append_stmt(&s->post[POST_VIEW], strbuf_str(&n->sql));
			strbuf_reset(&n->sql);
		}
		if (replace[v] != NULL)
			append_stmt(&s->post[POST_VIEW], replace[v]);
	}
	free(replace);
	free(move);
	PQclear(res);
	return 0;
}

int
schema_load_post_data(struct schema *s, PGconn *conn)
{
	struct strbuf q = STRBUF_INIT;
	size_t i;
	int rc = -1;

	if (append_rows(&s->post[POST_CHECK], conn, post_check_sql, "cannot read NOT VALID constraints") < 0 ||
	    append_rows(&s->post[POST_CONSTRAINT], conn, post_constraint_sql, "cannot read constraints") < 0 ||
	    append_rows(&s->post[POST_INDEX], conn, post_index_sql, "cannot read indexes") < 0 ||
	    append_rows(&s->post[POST_INDEX_ATTACH], conn, post_index_attach_sql,
		"cannot read partition indexes") < 0 ||
	    append_rows(&s->post[POST_INDEX_OPTION], conn, post_index_option_sql,
		"cannot read index column statistics") < 0 ||
	    append_rows(&s->post[POST_TABLE_OPTION], conn, post_table_option_sql,
		"cannot read CLUSTER ON and REPLICA IDENTITY") < 0 ||
	    load_post_views(s, conn) < 0 ||
	    load_statistics(s, conn) < 0 ||
	    append_rows(&s->post[POST_RULE], conn, post_rule_sql, "cannot read rules") < 0)
		goto out;

	strbuf_puts(&q, post_trigger_head);
	if (s->version >= 130000)
		strbuf_puts(&q, " AND t.tgparentid = 0");
	strbuf_puts(&q, post_trigger_tail);
	if (append_rows(&s->post[POST_TRIGGER], conn, strbuf_str(&q), "cannot read triggers") < 0)
		goto out;

	strbuf_reset(&q);
	strbuf_puts(&q, post_trigger_state_head);
	strbuf_puts(&q, s->version >= 130000 ? post_trigger_state_v13 : post_trigger_state_v12);
	strbuf_puts(&q, post_trigger_state_tail);
	if (append_rows(&s->post[POST_TRIGGER_STATE], conn, strbuf_str(&q), "cannot read trigger states") < 0)
		goto out;

	if (append_rows(&s->post[POST_FK], conn, post_fk_sql, "cannot read foreign keys") < 0 ||
	    append_rows(&s->post[POST_RLS], conn, post_rls_sql, "cannot read row level security") < 0 ||
	    append_rows(&s->post[POST_POLICY], conn, post_policy_sql, "cannot read policies") < 0)
		goto out;

	/* In creation order, so a view over another one is refreshed after it. */
	for (i = 0; i < s->nnodes; i++) {
		const struct node *n = &s->nodes[s->order[i]];
		char *stmt;

		if (n->relkind != 'm' || !n->populated)
			continue;
		stmt = xasprintf("REFRESH MATERIALIZED VIEW %s;", n->qualified);
		append_stmt(&s->post[POST_REFRESH], stmt);
		free(stmt);
	}
	rc = 0;
out:
	strbuf_free(&q);
	return rc;
}

int
schema_load_comments(struct schema *s, PGconn *conn)
{
	PGresult *res;
	int i;

	if ((res = pgsql_query(conn, comments_sql, "cannot read comments")) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		if (schema_find(s, parse_oid(PQgetvalue(res, i, 0)), parse_oid(PQgetvalue(res, i, 1))) != NO_NODE)
			append_stmt(&s->post[POST_COMMENT], PQgetvalue(res, i, 2));
	}
	PQclear(res);
	return 0;
}
