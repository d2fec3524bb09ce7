#ifndef LOTBACKUP_DUMP_SCHEMA_INTERNAL_H
#define LOTBACKUP_DUMP_SCHEMA_INTERNAL_H

/*
 * Shared by src/dump-schema*.c only: the loaded schema and the steps of
 * schema_load(). dump-schema.c drives the load and writes the output,
 * dump-schema-objects.c holds the catalog queries, dump-schema-sort.c
 * orders the pre-data objects by pg_depend; dump-blobs.c shares GRANTS_SQL.
 */

#include <libpq-fe.h>
#include <stddef.h>

#include "dump/dump-schema.h"
#include "dump/dump-select.h"
#include "base/strbuf.h"

/* A schema the dump covers: not a system or temporary one. */
#define USER_NSP(n)                                                         \
	"(" n ".nspname NOT IN ('pg_catalog', 'information_schema')"        \
	" AND " n ".nspname !~ '^pg_(toast|temp)')"

/*
 * The selection (dump-select.c), set for the dump's transaction: a
 * relation whose definition is dumped, a schema whose objects are;
 * lotbackup.all 'on': no selection. The arrays are always valid ('{}'),
 * as the planner reads them to estimate. The IN (SELECT ...) is
 * evaluated once, not per row.
 */
#define SEL_REL(oid)                                                        \
	"CASE WHEN current_setting('lotbackup.all') = 'on' THEN true ELSE " oid " IN" \
	" (SELECT unnest(current_setting('lotbackup.rels')::oid[])) END"
#define SEL_NSP(oid)                                                        \
	"CASE WHEN current_setting('lotbackup.all') = 'on' THEN true ELSE " oid " IN" \
	" (SELECT unnest(current_setting('lotbackup.nsps')::oid[])) END"

/* Not created by an extension: CREATE EXTENSION recreates those. */
/*
 * A table's CHECK constraint whose expression calls something taking the
 * table's own row type (constraints.sql: CHECK (f(t.*)) with f(t)): the
 * function needs the table and the table its CHECK, a loop pg_dump breaks
 * by adding the constraint after the data. co is the pg_constraint row.
 */
#define CHECK_ON_OWN_ROW(co)                                                \
	"EXISTS (SELECT 1 FROM pg_depend lb_cd JOIN pg_depend lb_fd"        \
	" ON lb_fd.classid = lb_cd.refclassid AND lb_fd.objid = lb_cd.refobjid" \
	" JOIN pg_class lb_ct ON lb_ct.oid = " co ".conrelid"              \
	" JOIN pg_type lb_rt ON lb_rt.oid = lb_ct.reltype"                 \
	" WHERE lb_cd.classid = 'pg_constraint'::regclass AND lb_cd.objid = " co ".oid" \
	" AND lb_cd.refclassid = 'pg_proc'::regclass"                      \
	" AND lb_fd.refclassid = 'pg_type'::regclass"                      \
	" AND lb_fd.refobjid IN (lb_rt.oid, lb_rt.typarray))"

#define NOT_MEMBER(cat, oid)                                                \
	"NOT EXISTS (SELECT 1 FROM pg_depend lb_e"                          \
	" WHERE lb_e.classid = '" cat "'::regclass AND lb_e.objid = " oid     \
	" AND lb_e.deptype = 'e')"

/*
 * The OPTIONS (...) list of a foreign-data object, in the array's order,
 * one option a line as pg_dump writes it; NULL when it has none.
 */
#define FDW_OPTIONS_SQL(opts)                                               \
	"(SELECT string_agg(quote_ident(lb_fo.k) || ' ' || quote_literal(lb_fo.v), E',\\n    '" \
	" ORDER BY lb_fo.i) FROM pg_options_to_table(" opts ") WITH ORDINALITY lb_fo(k, v, i))"

/*
 * GRANTs rebuilding an ACL item by item, so the copy's aclitem[] comes out
 * in the same order. A grant made by someone else than the owner is made
 * under that role, which records it as the grantor.
 */
#define GRANTS_SQL(acl, target, kw, owner, privfmt)                          \
	"(SELECT string_agg(CASE WHEN g.grantor <> " owner                   \
	"   THEN format(E'SET ROLE %I;\\n', pg_get_userbyid(g.grantor)) ELSE '' END" \
	"   || format('GRANT %s ON %s %s TO %s%s;', g.privs, " kw ", " target "," \
	"     CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END," \
	"     CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)" \
	"   || CASE WHEN g.grantor <> " owner " THEN E'\\nRESET ROLE;' ELSE '' END," \
	"   E'\\n' ORDER BY g.ord, g.is_grantable)"                             \
	" FROM (SELECT a.ord, x.grantor, x.grantee, x.is_grantable,"          \
	"   string_agg(" privfmt ", ', ' ORDER BY x.privilege_type) AS privs"    \
	"   FROM unnest(" acl ") WITH ORDINALITY a(item, ord), aclexplode(ARRAY[a.item]) x" \
	"   GROUP BY a.ord, x.grantor, x.grantee, x.is_grantable) g)"

/* "s.f(type, ...)" of a function, as pg_dump's format_function_signature writes it. */
#define FUNCTION_SIGNATURE(fn)                                              \
	"(SELECT format('%I.%I(%s)', lb_fn.nspname, lb_f.proname,"          \
	" (SELECT string_agg(format_type(lb_a.t, NULL), ', ' ORDER BY lb_a.o)" \
	" FROM unnest(lb_f.proargtypes::oid[]) WITH ORDINALITY lb_a(t, o)))" \
	" FROM pg_proc lb_f JOIN pg_namespace lb_fn ON lb_fn.oid = lb_f.pronamespace" \
	" WHERE lb_f.oid = " fn ")"

/*
 * The kinds of node. Their values are written in the node queries, so a
 * new kind takes a new value; pg_dump's kind order, the tie-break of the
 * dependency sort and the fallback inside a loop, is kind_rank() in
 * dump-schema-sort.c.
 */
enum node_prio {
	PRIO_SCHEMA = 1,
	PRIO_EXTENSION,
	PRIO_TYPE,
	PRIO_FUNCTION,
	PRIO_SEQUENCE,
	PRIO_TABLE,
	PRIO_VIEW,
	PRIO_AGGREGATE,		/* dump-schema-kinds.c */
	PRIO_COLLATION,
	PRIO_CAST,
	PRIO_OPERATOR,
	PRIO_CONVERSION,
	PRIO_TS_DICT,
	PRIO_TS_CONFIG,
	PRIO_OPFAMILY = 31,	/* dump-schema-kinds2.c */
	PRIO_OPCLASS,
	PRIO_TS_PARSER,
	PRIO_TS_TEMPLATE,
	PRIO_LANGUAGE,
	PRIO_TRANSFORM,
	PRIO_ACCESS_METHOD,
	PRIO_SHELL_TYPE,	/* classid 0: see dump-schema-kinds2.c */
	PRIO_FDW = 41,		/* dump-schema-foreign.c */
	PRIO_SERVER,
};

/* A pre-data object: created in dependency order. */
struct node {
	unsigned int classid;	/* pg_depend's key of the object */
	unsigned int objid;
	int prio;
	char relkind;		/* pg_class objects; else '\0' */
	int populated;		/* materialized views: REFRESH after the data */
	char *kind;		/* "table", "function", ... for messages */
	char *schema;		/* raw names: the sort's tie-break */
	char *name;
	char *qualified;	/* quoted; functions with their argument types */
	char *column_list;	/* tables: for COPY */
	long long bytes;	/* tables: pg_relation_size */
	struct strbuf sql;	/* CREATE, then ALTER ... OWNER, extras, GRANTs */
	size_t *deps;		/* nodes this one must follow */
	size_t ndeps;
	size_t depcap;
};

/* Post-data sections, written in this order. */
enum post_section {
	POST_CHECK,		/* NOT VALID CHECKs: they must not see the COPY */
	POST_CONSTRAINT,	/* primary key, unique, exclusion */
	POST_VIEW,		/* views that need a key: replacing placeholders, or whole */
	POST_INDEX,
	POST_INDEX_ATTACH,
	POST_INDEX_OPTION,
	POST_TABLE_OPTION,	/* CLUSTER ON, REPLICA IDENTITY */
	POST_STATISTICS,
	POST_RULE,
	POST_TRIGGER,
	POST_TRIGGER_STATE,
	POST_FK,		/* last of the constraints, so cycles load */
	POST_RLS,
	POST_POLICY,
	POST_PUBLICATION,	/* dump-schema-foreign.c */
	POST_PUBLICATION_REL,
	POST_PUBLICATION_SCHEMA,
	POST_SUBSCRIPTION,
	POST_COMMENT,		/* when every object exists */
	POST_SECLABEL,		/* likewise */
	POST_EVENT_TRIGGER,	/* next to last, as pg_dump: they must not fire on the restore's DDL */
	POST_REFRESH,
	POST_CATALOG_ACL,	/* pg_catalog's objects: what changed since initdb */
	POST_DEFAULT_ACL,	/* last: they must not apply to the dump's own objects */
	POST_NSECTIONS,
};

/* A dumped object's pg_depend key, mapped to its node (or none). */
struct objkey {
	unsigned int classid;
	unsigned int objid;
	size_t node;
};

#define NO_NODE ((size_t)-1)

struct schema {
	int version;			/* PQserverVersion */
	int with_owner;
	int with_privileges;
	int user_mapping_secrets;
	int no_security_labels;
	char *encoding;			/* the server's, for client_encoding */
	struct node *nodes;		/* sorted by (prio, schema, name) */
	size_t nnodes;
	size_t nodecap;
	size_t *order;			/* nodes in creation order */
	struct objkey *keys;		/* sorted: the nodes' keys */
	size_t nkeys;
	struct strbuf pre_tail;		/* ALTER SEQUENCE ... OWNED BY */
	struct strbuf seqvals;
	struct strbuf post[POST_NSECTIONS];
	struct dump_table *tables;
	size_t ntables;
	struct select_sets sel;		/* what -n/-t/... select; everything by default */
	int schema_only;		/* -s: no rows, no sequence values */
	int data_only;			/* -a: rows and sequence values only */
	char **data_left_out;		/* dumped tables whose rows --exclude-table-data leaves out */
	size_t ndata_left_out;
};

/* dump-schema-objects.c */
int schema_load_nodes(struct schema *s, PGconn *conn);
int schema_load_extras(struct schema *s, PGconn *conn);
int schema_load_sequence_values(struct schema *s, PGconn *conn);
int schema_load_post_data(struct schema *s, PGconn *conn);
int schema_load_comments(struct schema *s, PGconn *conn);
/* dump-schema-labels.c: SECURITY LABEL of the dumped objects, after post-data's comments. */
int schema_load_security_labels(struct schema *s, PGconn *conn);
/* Adds a node per row of a query returning the node columns (see the file). */
int add_nodes(struct schema *s, PGconn *conn, const char *sql, const char *what);
/* Appends each row's (classid, oid, sql) to that node; rows of objects not dumped are dropped. */
int append_to_nodes(struct schema *s, PGconn *conn, const char *sql, const char *what);
/* Appends each row's single column to a section. */
int append_rows(struct strbuf *dst, PGconn *conn, const char *sql, const char *what);
/* Appends a statement, after a blank line when sb holds one already. */
void append_stmt(struct strbuf *sb, const char *stmt);

/*
 * dump-schema-kinds.c: the kinds of function-heavy schemas (issue #17,
 * part 1). Adds their nodes, after schema_load_nodes(); appends their
 * comments to the comment section, after schema_sort().
 */
int schema_load_kinds(struct schema *s, PGconn *conn);
int schema_load_kinds_comments(struct schema *s, PGconn *conn);
/* Appends each (classid, oid, sql) row to the comment section when that object is dumped. */
int append_node_comments(struct schema *s, PGconn *conn, const char *sql);

/*
 * dump-schema-kinds2.c: the kinds of extension-like schemas (issue #17,
 * part 3), called like the two above; their privileges after
 * schema_index_nodes().
 */
int schema_load_kinds2(struct schema *s, PGconn *conn);
int schema_load_kinds2_extras(struct schema *s, PGconn *conn);
int schema_load_kinds2_comments(struct schema *s, PGconn *conn);
/* Adds the extensions' configuration tables to s->tables, after the others. */
int schema_load_ext_config(struct schema *s, PGconn *conn);

/*
 * dump-schema-foreign.c: foreign-data wrappers and servers (issue #17,
 * part 4). Adds their nodes, after schema_load_nodes(); their user
 * mappings, privileges and comments, and the publications,
 * subscriptions and event triggers after schema_sort().
 */
int schema_load_foreign(struct schema *s, PGconn *conn);
int schema_load_foreign_post(struct schema *s, PGconn *conn);

/* dump-schema-sort.c */
/* Sorts s->nodes by (prio, schema, name) and indexes their keys. */
void schema_index_nodes(struct schema *s);
/* The node of a pg_depend key; NO_NODE when the object is not dumped as one. */
size_t schema_find(const struct schema *s, unsigned int classid, unsigned int objid);
/* Reads pg_depend and fills s->order. */
int schema_sort(struct schema *s, PGconn *conn);

#endif
