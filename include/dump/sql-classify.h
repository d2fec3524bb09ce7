#ifndef LOTBACKUP_SQL_CLASSIFY_H
#define LOTBACKUP_SQL_CLASSIFY_H

#include <stddef.h>

/*
 * What a statement of a dump is, from its leading words, as the splitter
 * (sql-split.h) cut it: one enum and one classify function, so that what a
 * restore runs as it is, runs side by side, lets pass ahead or refuses is
 * decided in one place. Every kind a restore treats apart from the others
 * has its own value; all the rest is SQL_STMT_OTHER.
 */
enum sql_stmt_kind {
	SQL_STMT_OTHER,			/* any other statement: run as it is, in the file's order */
	SQL_STMT_META,			/* a psql meta-command line ("\connect db"): refused */
	SQL_STMT_META_RESTRICT,		/* \restrict or \unrestrict (pg_dump 15.14+): no psql here to guard */
	SQL_STMT_COPY,			/* COPY ...: its rows follow when it is FROM stdin */
	SQL_STMT_DATABASE,		/* CREATE or DROP DATABASE: refused, it acts on another database */
	SQL_STMT_SESSION,		/* SET ... or SELECT pg_catalog.set_config(...) */
	SQL_STMT_SETVAL,		/* one SELECT pg_catalog.setval(...); and nothing after it */
	SQL_STMT_CREATE_INDEX,		/* CREATE [UNIQUE] INDEX, not CONCURRENTLY */
	SQL_STMT_ADD_KEY,		/* ALTER TABLE [ONLY] T ADD CONSTRAINT C {PRIMARY KEY | UNIQUE | EXCLUDE} */
	SQL_STMT_ADD_KEY_USING_INDEX,	/* the same, taking over an index (USING INDEX) */
	SQL_STMT_ADD_FOREIGN_KEY,	/* ALTER TABLE [ONLY] T ADD CONSTRAINT C FOREIGN KEY ... */
	SQL_STMT_ADD_CHECK,		/* ALTER TABLE [ONLY] T ADD CONSTRAINT C CHECK ... (or NOT NULL) */
	SQL_STMT_ADD_CHECK_NOT_VALID,	/* the same, ending "NOT VALID;" */
	/*
	 * Any statement that begins, ends or marks a transaction, however
	 * spelt; the allow-list takes BEGIN and COMMIT alone (pg_dump's,
	 * around large objects' data).
	 */
	SQL_STMT_TRANSACTION,
};

/*
 * P past blanks and comments, as the server's lexer skips them ("--" to
 * the end of a line, nested slash-star comments; an unterminated one runs
 * to END): one reading for the classifier and the allow-list.
 */
const char *sql_skip_blank(const char *p, const char *end);
/* The kind of one statement or meta-command line (text not NUL-terminated). */
enum sql_stmt_kind sql_classify(const char *text, size_t len);

/*
 * Whether a dump may hold this statement or meta-command line, as the
 * splitter cut it: NULL when it is of a kind lotbackup's dumps or pg_dump's
 * plain format of one database (12 to 18) hold, else why not (e.g. "DROP
 * ...", "ALTER SYSTEM"), for an error that names the line. An allow-list:
 * anything it does not know is refused. Comments, quoting, dollar quotes
 * and case are read as the server reads them.
 */
const char *sql_refused(const char *text, size_t len);

/*
 * How a load confined to a role of its own (verify --restore) treats a
 * statement sql_refused accepted. That role owns the scratch database and
 * nothing else, so it cannot become another role or give its objects away,
 * and a superuser's extension is not its to create or comment on.
 */
enum sql_confined {
	SQL_CONFINED_RUN,	/* as the role, like everything else */
	SQL_CONFINED_SKIP,	/* SET/RESET ROLE or SESSION AUTHORIZATION, ALTER ... OWNER TO, ALTER DEFAULT
				 * PRIVILEGES, GRANT/REVOKE on pg_catalog's objects */
	/* CREATE EXTENSION IF NOT EXISTS x WITH SCHEMA s; COMMENT ON EXTENSION x IS '...'; (a dump's form) */
	SQL_CONFINED_PRIVILEGED,
	/* a kind only a superuser may create or change (sql_superuser_kind) */
	SQL_CONFINED_SUPERUSER,
};
enum sql_confined sql_confined_action(const char *text, size_t len);

/*
 * 1 when the statement sets an owner or the session's role (ALTER ...
 * OWNER TO as the whole statement, SET/RESET ROLE or SESSION
 * AUTHORIZATION): what restore --no-owner passes over, as pg_restore -O.
 */
int sql_sets_owner(const char *text, size_t len);

/*
 * 1 for CREATE [TEMP | UNLOGGED ...] TABLE ... AS query (or AS EXECUTE):
 * neither dump format writes one, and its query may hold a data-modifying
 * WITH (UPDATE, DELETE, INSERT, MERGE) at its top, which the server runs.
 */
int sql_table_from_query(const char *text, size_t len);
/*
 * 1 for a statement whose outcome may depend on which tables are logged
 * (verify --restore's scratch tables, restore-plan.c): CREATE or ALTER
 * PUBLICATION (it takes logged tables only), CREATE [UNLOGGED ...] TABLE
 * (its foreign keys must reach tables of its own persistence, a
 * partitioned one stays permanent), and SET LOGGED or SET UNLOGGED.
 */
int sql_depends_on_persistence(const char *text, size_t len);

/*
 * What verify --restore refuses because it changes how rows already loaded
 * print, or NULL: ALTER ... RENAME (an enum's label, a type's attribute, an
 * object a regclass or regtype value names), ALTER ... SET SCHEMA (the
 * same names, qualified), ALTER TYPE ... ADD, DROP or ALTER ATTRIBUTE (a
 * composite value gains or loses a field). Neither dump format writes
 * them; a table read back before one ran would pass with rows that no
 * longer print as the file has them.
 */
const char *sql_reprints(const char *text, size_t len);

/*
 * The superuser-only kind of a statement a dump holds, as a label
 * ("CREATE LANGUAGE", "CREATE TYPE (base)", "CREATE FUNCTION LANGUAGE C",
 * "COMMENT ON EVENT TRIGGER"...), or NULL: procedural languages,
 * transforms, event triggers, foreign-data wrappers, operator classes and
 * families, text search parsers and templates, access methods,
 * subscriptions, publications FOR ALL TABLES or of schemas, shell and
 * base types, C and internal functions, aggregates with an internal state,
 * casts WITHOUT FUNCTION, foreign servers (a wrapper's USAGE is its
 * superuser owner's to give); and the statements that change or comment
 * on such an object.
 */
const char *sql_superuser_kind(const char *text, size_t len);
/*
 * The name a CREATE statement gives its object, schema and all, as
 * written (quotes kept), or NULL (not a CREATE, or an object without a
 * name: a cast, a transform, a user mapping, an operator). Caller frees.
 */
char *sql_created_name(const char *text, size_t len);
/*
 * Whether the statement has the name (as sql_created_name gives it,
 * qualified or not) as its whole run of words or quoted names, outside
 * strings: "s.t" is not "s.t2", nor "x.s.t", nor schema s itself.
 */
int sql_mentions(const char *text, size_t len, const char *name);
/*
 * A name as written (bare, or "quoted" with "" for a quote) as the server
 * keeps it: folded to lower case, or unquoted; NULL for a U&"..." name,
 * whose escapes can spell any name.
 */
char *sql_name_value(const char *written);
/*
 * The name token of "CREATE EXTENSION IF NOT EXISTS name ..." as written
 * (a bare word, "quoted" or U&"escaped"), or NULL for any other statement.
 */
char *sql_extension_created(const char *text, size_t len);

/*
 * "COPY schema.table (cols) FROM stdin;" -> "schema.table" exactly as
 * written (quotes kept); NULL when the statement is not a COPY of a table.
 */
char *sql_copy_target(const char *text, size_t len);
/* "COPY x (cols) FROM stdin;" -> "COPY x (cols) TO STDOUT", to read a table back the same way; NULL: none. */
char *sql_copy_out(const char *text, size_t len);
/*
 * The statement's kind as a label, for listing a dump: "CREATE TABLE",
 * "ALTER TABLE", "COMMENT ON COLUMN", "SET", "SELECT"... Modifiers (OR
 * REPLACE, UNIQUE, ...) are passed over. Caller frees.
 */
char *sql_statement_label(const char *text, size_t len);
/*
 * A primary key or unique constraint in its plain form, ALTER TABLE [ONLY]
 * T ADD CONSTRAINT C {PRIMARY KEY | UNIQUE} (a, ...), as two statements:
 * the index build (CREATE UNIQUE INDEX C ON T USING btree (a, ...)) and the
 * constraint taking that index over (... ADD CONSTRAINT C PRIMARY KEY
 * USING INDEX C). Returns 1 with both and T's name as written (caller
 * frees all three), 0 for any other statement.
 */
int sql_key_split(const char *sql, size_t len, char **build, char **attach, char **table);
/*
 * The table a SQL_STMT_CREATE_INDEX or SQL_STMT_ADD_KEY statement builds
 * on, as written (caller frees): 1, or 0 when it cannot tell (or it is an
 * index ON ONLY a partitioned table, which waits for no rows).
 */
int sql_index_table(const char *sql, size_t len, char **table);
/*
 * ALTER TABLE [ONLY] T ADD CONSTRAINT C FOREIGN KEY (col) REFERENCES ...,
 * of one column: 1 with T and col as written (caller frees both), else 0.
 */
int sql_fk_column(const char *sql, size_t len, char **table, char **column);

/*
 * One statement of a globals file (db --globals, dump-globals.c) in
 * exactly a form its writer gives: restore --globals runs no other.
 */
enum sql_global_kind {
	SQL_GLOBAL_CREATE_ROLE,		/* CREATE ROLE r; */
	SQL_GLOBAL_ROLE_ATTRIBUTES,	/* ALTER ROLE r WITH <its seven attributes> [CONNECTION LIMIT n] [VALID UNTIL '...']; */
	SQL_GLOBAL_ROLE_SETTING,	/* ALTER ROLE r SET s TO value[, ...]; */
	SQL_GLOBAL_ROLE_COMMENT,	/* COMMENT ON ROLE r IS '...'; */
	SQL_GLOBAL_GRANT,		/* GRANT g TO r [WITH ADMIN OPTION | WITH ADMIN b, INHERIT b, SET b]; */
	SQL_GLOBAL_CREATE_TABLESPACE,	/* CREATE TABLESPACE t OWNER r LOCATION '...'; */
	SQL_GLOBAL_TABLESPACE_OPTIONS,	/* ALTER TABLESPACE t SET (option = constant, ...); */
};
struct sql_global {
	enum sql_global_kind kind;
	char *name;	/* the role or tablespace it makes or changes (GRANT: the member), as the server keeps it */
	char *other;	/* GRANT: the role granted; ROLE_SETTING: the setting; CREATE TABLESPACE: the owner */
	int privileged;	/* ROLE_ATTRIBUTES: SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS */
};
/* 0 with *g filled (sql_global_free), or -1: not one of the writer's forms. */
int sql_global_read(const char *text, size_t len, struct sql_global *g);
void sql_global_free(struct sql_global *g);

#endif
