/*
 * The statement kinds a restore tells apart (dump/sql-classify.h), one
 * check or more for each, and the names it takes out of COPY statements.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/sql-classify.h"
#include "unit.h"

static int
is(const char *sql, enum sql_stmt_kind want)
{
	return sql_classify(sql, strlen(sql)) == want;
}

/* A one-line check name from a statement: its first bytes, newlines as blanks. */
static const char *
name_of(const char *prefix, const char *sql)
{
	static char name[80];
	size_t i, n = (size_t)snprintf(name, sizeof(name), "%s %.60s", prefix, sql);

	for (i = 0; i < n && i < sizeof(name); i++)
		if (name[i] == '\n' || name[i] == '\t')
			name[i] = ' ';
	return name;
}

static int
allowed(const char *sql)
{
	return sql_refused(sql, strlen(sql)) == NULL;
}

/* A function's result compared with want (NULL: none), then freed. */
static int
same(char *got, const char *want)
{
	int ok = got == NULL ? want == NULL : want != NULL && strcmp(got, want) == 0;

	free(got);
	return ok;
}

/*
 * Statements that begin or end a transaction: every spelling the allow-list
 * takes is one (restore --single-transaction leaves it out; a "COMMIT ;"
 * it ran committed the restore so far), and every other that would end or
 * change the restore's transaction is refused, and one all the same.
 */
static void
check_transactions(void)
{
	static const char *const taken[] = {
		"BEGIN;", "COMMIT;", "COMMIT ;", "commit/**/;", "CoMmIt\n;", "commit -- done\n;", "-- c\r commit;",
		"/* a /* nested */ b */ COMMIT;", "\t\fBEGIN\v;", "begin /* x */ ;", "commit", "BEGIN", "\ncommit\n;\n",
		NULL
	};
	static const char *const refused[] = {
		"ROLLBACK;", "end;", "END TRANSACTION;", "ABORT ;", "SAVEPOINT s;", "release savepoint s;",
		"RELEASE s;", "ROLLBACK TO SAVEPOINT s;", "COMMIT AND CHAIN;", "commit work;", "COMMIT PREPARED 'x';",
		"ROLLBACK PREPARED 'x';", "PREPARE TRANSACTION 'x';", "prepare/**/transaction 'x';",
		"START TRANSACTION;", "BEGIN ISOLATION LEVEL SERIALIZABLE;", "begin work;", "BEGIN READ WRITE;",
		"COMMIT; DROP TABLE t;", "/**/abort", NULL
	};
	/* Not one: a quoted name, a longer word, a prepared statement, a word inside a string or a body. */
	static const char *const other[] = {
		"\"commit\";", "commitx;", "commit$1;", "U&\"commit\";", "PREPARE q AS SELECT 1;",
		"SELECT 'commit';", "-- commit\nSELECT 1;", "/* commit; */ SELECT 1;",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;", NULL
	};
	size_t k;

	for (k = 0; taken[k] != NULL; k++)
		UNIT_CHECK(name_of("transaction-taken:", taken[k]), allowed(taken[k]) && is(taken[k], SQL_STMT_TRANSACTION));
	for (k = 0; refused[k] != NULL; k++)
		UNIT_CHECK(name_of("transaction-refused:", refused[k]), !allowed(refused[k]) &&
		    is(refused[k], SQL_STMT_TRANSACTION));
	for (k = 0; other[k] != NULL; k++)
		UNIT_CHECK(name_of("transaction-not:", other[k]), !is(other[k], SQL_STMT_TRANSACTION));
}

int
main(void)
{
	UNIT_CHECK("other-create-table", is("CREATE TABLE public.t (a integer);", SQL_STMT_OTHER));
	UNIT_CHECK("other-insert", is("INSERT INTO t VALUES (1);", SQL_STMT_OTHER));
	UNIT_CHECK("other-select", is("SELECT 1;", SQL_STMT_OTHER));
	UNIT_CHECK("other-reset", is("RESET search_path;", SQL_STMT_OTHER));
	UNIT_CHECK("other-trigger", is("CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f();", SQL_STMT_OTHER));
	UNIT_CHECK("other-alter-column", is("ALTER TABLE ONLY t ALTER COLUMN a SET DEFAULT 1;", SQL_STMT_OTHER));
	UNIT_CHECK("other-index-concurrently", is("CREATE INDEX CONCURRENTLY i ON t (a);", SQL_STMT_OTHER));
	UNIT_CHECK("other-create-database-after-comment", is("-- x\nCREATE DATABASE d;", SQL_STMT_OTHER));

	UNIT_CHECK("meta-connect", is("\\connect d", SQL_STMT_META));
	UNIT_CHECK("meta-short", is("\\c", SQL_STMT_META));
	UNIT_CHECK("meta-restrict", is("\\restrict abc", SQL_STMT_META_RESTRICT));
	UNIT_CHECK("meta-unrestrict", is("\\unrestrict abc", SQL_STMT_META_RESTRICT));

	UNIT_CHECK("copy-from-stdin", is("COPY public.t (a, b) FROM stdin;", SQL_STMT_COPY));
	UNIT_CHECK("copy-lower-case", is("copy t from stdin;", SQL_STMT_COPY));
	UNIT_CHECK("copy-not-a-prefix", is("COPYx t FROM stdin;", SQL_STMT_OTHER));

	UNIT_CHECK("database-create", is("CREATE DATABASE d WITH TEMPLATE = template0;", SQL_STMT_DATABASE));
	UNIT_CHECK("database-drop", is("drop  database d;", SQL_STMT_DATABASE));
	UNIT_CHECK("database-not-databases", is("CREATE DATABASES;", SQL_STMT_OTHER));

	UNIT_CHECK("session-set", is("SET statement_timeout = 0;", SQL_STMT_SESSION));
	UNIT_CHECK("session-set-after-comment", is("-- s\nset search_path = '';", SQL_STMT_SESSION));
	UNIT_CHECK("session-set-config", is("SELECT pg_catalog.set_config('search_path', '', false);", SQL_STMT_SESSION));
	UNIT_CHECK("setval-not-session", is("SELECT pg_catalog.setval('s', 1, true);", SQL_STMT_SETVAL));

	UNIT_CHECK("setval", is("SELECT pg_catalog.setval('public.\"Log_id_seq\"', 42, true);", SQL_STMT_SETVAL));
	UNIT_CHECK("setval-two-statements", is("SELECT pg_catalog.setval('s', 1); DROP TABLE t;", SQL_STMT_OTHER));

	UNIT_CHECK("create-index", is("CREATE INDEX \"Log_userId_idx\" ON public.\"Log\" USING btree (\"userId\");",
	    SQL_STMT_CREATE_INDEX));
	UNIT_CHECK("create-unique-index", is("-- note\n  create unique index u on t (a);", SQL_STMT_CREATE_INDEX));

	UNIT_CHECK("add-primary-key", is("ALTER TABLE ONLY public.\"Log\"\n    ADD CONSTRAINT \"Log_pkey\" PRIMARY KEY (id);",
	    SQL_STMT_ADD_KEY));
	UNIT_CHECK("add-unique", is("ALTER TABLE s.t ADD CONSTRAINT k UNIQUE (a);", SQL_STMT_ADD_KEY));
	UNIT_CHECK("add-exclude", is("ALTER TABLE ONLY s.r ADD CONSTRAINT r_excl EXCLUDE USING gist (p WITH &&);",
	    SQL_STMT_ADD_KEY));
	UNIT_CHECK("add-key-using-index", is("ALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx;",
	    SQL_STMT_ADD_KEY_USING_INDEX));

	UNIT_CHECK("add-foreign-key", is("ALTER TABLE ONLY public.\"Log\"\n    ADD CONSTRAINT \"Log_userId_fkey\" FOREIGN KEY "
	    "(\"userId\") REFERENCES public.\"User\"(id) ON DELETE CASCADE;", SQL_STMT_ADD_FOREIGN_KEY));
	UNIT_CHECK("add-foreign-key-quoted-keywords", is("ALTER TABLE ONLY \"ADD CONSTRAINT\".\"x \"\" FOREIGN\" ADD CONSTRAINT "
	    "\"PRIMARY KEY\" FOREIGN KEY (a) REFERENCES t(id);", SQL_STMT_ADD_FOREIGN_KEY));

	UNIT_CHECK("add-check", is("ALTER TABLE ONLY t ADD CONSTRAINT c CHECK (a > 0);", SQL_STMT_ADD_CHECK));
	UNIT_CHECK("add-check-not-valid", is("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
	    SQL_STMT_ADD_CHECK_NOT_VALID));
	UNIT_CHECK("add-not-null-not-valid", is("ALTER TABLE public.t\n    ADD CONSTRAINT t_c_nn NOT NULL c NOT VALID;",
	    SQL_STMT_ADD_CHECK_NOT_VALID));
	UNIT_CHECK("not-nul-terminated", sql_classify("CREATE INDEX i ON t (a);CREATE TABLE", 24) == SQL_STMT_CREATE_INDEX);

	UNIT_CHECK("copy-target", same(sql_copy_target("COPY public.\"a\"\"b\" (x) FROM stdin;", 33), "public.\"a\"\"b\""));
	UNIT_CHECK("copy-target-none", same(sql_copy_target("CREATE TABLE t (a int);", 23), NULL));
	UNIT_CHECK("copy-out", same(sql_copy_out("COPY public.t (a, b) FROM stdin;", 32), "COPY public.t (a, b) TO STDOUT"));
	UNIT_CHECK("label-create-table", same(sql_statement_label("create unlogged table t (a int);", 32), "CREATE TABLE"));
	UNIT_CHECK("classify-begin", sql_classify("\nBEGIN;", 7) == SQL_STMT_TRANSACTION);
	UNIT_CHECK("classify-commit", sql_classify("COMMIT;", 7) == SQL_STMT_TRANSACTION);
	check_transactions();
	UNIT_CHECK("label-comment", same(sql_statement_label("COMMENT ON COLUMN t.a IS 'x';", 29), "COMMENT ON COLUMN"));
	/* The allow-list: what lotbackup and pg_dump -Fp (12-18) write of one database. */
	static const char *const ok[] = {
		"SET statement_timeout = 0;",
		"SET client_encoding = 'UTF8';",
		"INSERT INTO \"PG_CATALOG\".pg_authid VALUES (1);",
		"INSERT INTO public.pg_like VALUES (1);",
		"COPY \"Pg_x\" FROM stdin;",
		"SET standard_conforming_strings = on;",
		"set standard_conforming_strings to 'on';",
		"SET client_encoding = 'UTF8';",
		"SET client_encoding = 'LATIN1';",
		"SET client_encoding TO euc_jp;",
		"SET NAMES 'SQL_ASCII';",
		"SET client_encoding TO DEFAULT;",
		"SET default_tablespace = '';",
		"SET SESSION AUTHORIZATION 'alice';",
		"SELECT pg_catalog.set_config('search_path', '', false);",
		"SELECT pg_catalog.setval('public.\"T_id_seq\"', 42, true);",
		"\nSELECT pg_catalog.setval('public.s', 1, false);",
		"SELECT pg_catalog.lo_create('16385');",
		"SELECT pg_catalog.lo_open('16385', 131072);",
		"SELECT pg_catalog.lowrite(0, '\\x4142');",
		"SELECT pg_catalog.lo_close(0);",
		"SELECT pg_catalog.lo_put('16385', 131072, '\\x4142');",
		"SELECT * FROM pg_catalog.pg_restore_relation_stats(\n\t'version', '180000'::integer,\n\t'schemaname', 'public',\n"
		    "\t'relname', 't',\n\t'relpages', '1'::integer,\n\t'reltuples', '-1'::real\n);",
		"SELECT * FROM pg_catalog.pg_restore_attribute_stats('attname', 'a', 'most_common_freqs', '{0.5}'::real[]);",
		"CREATE SCHEMA app;",
		"CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;",
		"COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';",
		"CREATE TYPE public.mood AS ENUM ('sad', 'ok');",
		"CREATE DOMAIN public.posint AS integer CHECK ((VALUE > 0));",
		"CREATE FUNCTION public.f() RETURNS integer\n    LANGUAGE sql\n    AS $$select 1; select 2$$;",
		"CREATE FUNCTION public.g(a integer) RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT CASE WHEN a > 0 "
		    "THEN 1 ELSE 0 END;\n SELECT 2;\nEND;",
		"CREATE OR REPLACE PROCEDURE public.p() LANGUAGE plpgsql AS $_$begin null; end$_$;",
		"CREATE AGGREGATE public.agg(integer) (SFUNC = int4pl, STYPE = integer);",
		"CREATE AGGREGATE s.rows_seen(*) (\n    SFUNC = int8inc,\n    STYPE = bigint,\n    INITCOND = '0'\n);",
		"CREATE AGGREGATE s.nth(n integer ORDER BY v text) (\n    SFUNC = s.step,\n    STYPE = text[],\n"
		    "    INITCOND = E'it''s \\\\',\n    FINALFUNC = s.fin,\n    FINALFUNC_EXTRA,\n    HYPOTHETICAL\n);",
		"ALTER AGGREGATE s.nth(n integer ORDER BY v text) OWNER TO app;",
		"COMMENT ON AGGREGATE s.rows_seen(*) IS 'x';",
		"CREATE OPERATOR public.=== (FUNCTION = int4eq, LEFTARG = integer, RIGHTARG = integer);",
		"CREATE OPERATOR s.=~= (\n    FUNCTION = s.near,\n    LEFTARG = numeric,\n    RIGHTARG = numeric,\n"
		    "    COMMUTATOR = OPERATOR(s.=~=),\n    NEGATOR = OPERATOR(s.!~=),\n    MERGES,\n    HASHES,\n"
		    "    RESTRICT = eqsel,\n    JOIN = eqjoinsel\n);",
		"CREATE OPERATOR s.~~~ (\n    FUNCTION = reverse,\n    RIGHTARG = text\n);",
		"ALTER OPERATOR s.=~=(numeric,numeric) OWNER TO app;",
		"COMMENT ON OPERATOR s.~~~(NONE,text) IS 'x';",
		"CREATE OPERATOR FAMILY public.fam USING btree;",
		"ALTER OPERATOR FAMILY public.fam USING btree ADD OPERATOR 1 <(integer,integer);",
		"CREATE TABLE public.t (\n    id integer NOT NULL,\n    v text DEFAULT 'x'::text\n);",
		"CREATE UNLOGGED TABLE public.u (a int);",
		"ALTER TABLE public.t OWNER TO app;",
		"ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);",
		"ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
		"CREATE SEQUENCE public.t_id_seq\n    AS integer\n    START WITH 1;",
		"ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;",
		"CREATE VIEW public.v AS\n SELECT t.id\n   FROM public.t;",
		"CREATE MATERIALIZED VIEW public.mv AS\n SELECT 1 AS one\n  WITH NO DATA;",
		"REFRESH MATERIALIZED VIEW public.mv;",
		"CREATE UNIQUE INDEX t_v ON public.t USING btree (v);",
		"ALTER INDEX public.p_idx ATTACH PARTITION public.p1_idx;",
		"CREATE TRIGGER trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();",
		"CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON public.t NOT DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW "
		    "EXECUTE FUNCTION public.f();",
		"CREATE RULE r AS ON INSERT TO public.t DO INSTEAD NOTHING;",
		"CREATE POLICY p ON public.t USING (true);",
		"ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;",
		"CREATE PUBLICATION pub FOR ALL TABLES WITH (publish = 'insert');",
		"ALTER PUBLICATION pub ADD TABLE ONLY public.t;",
		"CREATE SUBSCRIPTION sub CONNECTION 'host=x' PUBLICATION pub WITH (connect = false, slot_name = 'sub');",
		"ALTER SUBSCRIPTION sub OWNER TO app;",
		"CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION public.ef();",
		"CREATE COLLATION public.c (provider = icu, locale = 'und');",
		"CREATE COLLATION s.\"C too\" (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX');",
		"CREATE COLLATION s.ci (provider = icu, deterministic = false, locale = 'und-u-ks-level2', rules = '&a<b');",
		"ALTER COLLATION s.ci OWNER TO app;",
		"COMMENT ON COLLATION s.ci IS 'x';",
		"CREATE DEFAULT CONVERSION public.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;",
		"CREATE CONVERSION s.\"UTF8 to latin1\" FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;",
		"ALTER CONVERSION s.c OWNER TO app;",
		"COMMENT ON CONVERSION s.c IS 'x';",
		"CREATE TEXT SEARCH CONFIGURATION public.ts (PARSER = pg_catalog.\"default\");",
		"ALTER TEXT SEARCH CONFIGURATION public.ts ADD MAPPING FOR word WITH simple;",
		"CREATE TEXT SEARCH DICTIONARY s.\"Simple Stop\" (\n    TEMPLATE = pg_catalog.simple,\n"
		    "    stopwords = 'english', accept = 'false' );",
		"ALTER TEXT SEARCH CONFIGURATION s.app\n    ADD MAPPING FOR \"float\" WITH s.\"Simple Stop\", simple;",
		"ALTER TEXT SEARCH DICTIONARY s.d OWNER TO app;",
		"COMMENT ON TEXT SEARCH CONFIGURATION s.app IS 'x';",
		"CREATE FOREIGN DATA WRAPPER w;",
		"CREATE SERVER s FOREIGN DATA WRAPPER w;",
		"CREATE USER MAPPING FOR app SERVER s;",
		"CREATE FOREIGN TABLE public.ft (a int) SERVER s;",
		/* As lotbackup writes them (issue #17, part 4). */
		"CREATE FOREIGN DATA WRAPPER \"Dummy \"\"FDW\"\"\" HANDLER s.h VALIDATOR s.v OPTIONS (\n    debug 'true'\n);",
		"ALTER FOREIGN DATA WRAPPER w OWNER TO app;",
		"REVOKE ALL ON FOREIGN DATA WRAPPER w FROM PUBLIC;",
		"COMMENT ON FOREIGN DATA WRAPPER w IS 'x';",
		"CREATE SERVER \"Remote \"\"A\"\"\" TYPE 'oracle' VERSION '19c' FOREIGN DATA WRAPPER w OPTIONS (\n"
		    "    host 'db.example.com'\n);",
		"ALTER SERVER s OWNER TO app;",
		"GRANT USAGE ON FOREIGN SERVER s TO PUBLIC;",
		"COMMENT ON SERVER s IS 'x';",
		"CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (\n    \"user\" 'app',\n    password 'x'\n);",
		"CREATE FOREIGN TABLE s.\"Remote Items\" (\n    id integer NOT NULL\n)\nSERVER s\nOPTIONS (\n"
		    "    table_name 'items'\n);",
		"ALTER FOREIGN TABLE s.ft OWNER TO app;",
		"ALTER FOREIGN TABLE s.ft ALTER COLUMN id OPTIONS (\n    column_name 'item_id'\n);",
		"ALTER FOREIGN TABLE ONLY s.ft ALTER COLUMN name SET STATISTICS 50;",
		"COMMENT ON FOREIGN TABLE s.ft IS 'x';",
		"CREATE PUBLICATION k4_tables WITH (publish = 'insert, delete', publish_via_partition_root = true);",
		"ALTER PUBLICATION p OWNER TO app;",
		"ALTER PUBLICATION k4_filtered ADD TABLE ONLY s.t (id, name) WHERE (((qty > 0) AND (name <> 'x'::text)));",
		"ALTER PUBLICATION k4_schema ADD TABLES IN SCHEMA k4_pubschema;",
		"COMMENT ON PUBLICATION p IS 'x';",
		"CREATE SUBSCRIPTION \"Sub \"\"One\"\"\" CONNECTION 'host=''pub'' port=''5433''' PUBLICATION \"All \"\"Pub\"\"\", "
		    "k4_tables WITH (connect = false, slot_name = NONE, streaming = off, synchronous_commit = 'remote_apply');",
		"COMMENT ON SUBSCRIPTION s IS 'x';",
		"CREATE EVENT TRIGGER \"Ddl \"\"Start\"\"\" ON ddl_command_start\n         WHEN TAG IN ('CREATE TABLE', "
		    "'ALTER TABLE')\n   EXECUTE FUNCTION s.f();",
		"ALTER EVENT TRIGGER e ENABLE REPLICA;",
		"ALTER EVENT TRIGGER e OWNER TO app;",
		"COMMENT ON EVENT TRIGGER e IS 'x';",
		"CREATE CAST (integer AS public.mood) WITH FUNCTION public.cf(integer);",
		"CREATE CAST (integer AS s.mood) WITH FUNCTION s.\"Mood\"(integer, boolean) AS ASSIGNMENT;",
		"CREATE CAST (s.mood AS integer) WITH INOUT;",
		"CREATE CAST (money AS bigint) WITHOUT FUNCTION AS IMPLICIT;",
		"COMMENT ON CAST (integer AS s.mood) IS 'x';",
		"CREATE TRANSFORM FOR integer LANGUAGE plpgsql (FROM SQL WITH FUNCTION f(internal));",
		"CREATE OR REPLACE TRUSTED PROCEDURAL LANGUAGE plx;",
		"CREATE TRUSTED PROCEDURAL LANGUAGE k3pl HANDLER s.h INLINE s.i VALIDATOR s.v;",
		"ALTER PROCEDURAL LANGUAGE \"K3 Bare\" OWNER TO postgres;",
		"COMMENT ON LANGUAGE k3pl IS 'x';",
		"GRANT USAGE ON LANGUAGE k3pl TO postgres;",
		"CREATE OPERATOR FAMILY s.\"Int Rev\" USING btree;",
		"ALTER OPERATOR FAMILY s.\"Int Rev\" USING btree ADD\n"
		    "    OPERATOR 1 >(integer,bigint) ,\n    FUNCTION 1 (integer, bigint) s.f(integer,bigint);",
		"CREATE OPERATOR CLASS s.c\n    FOR TYPE point USING gist FAMILY s.c AS\n    STORAGE box ,\n"
		    "    OPERATOR 15 <->(point,point) FOR ORDER BY pg_catalog.float_ops;",
		"ALTER OPERATOR CLASS s.c USING gist OWNER TO app;",
		"COMMENT ON OPERATOR FAMILY s.f USING btree IS 'x';",
		"CREATE TEXT SEARCH PARSER s.p (\n    START = prsd_start,\n    GETTOKEN = prsd_nexttoken,\n"
		    "    END = prsd_end,\n    LEXTYPES = prsd_lextype );",
		"CREATE TEXT SEARCH TEMPLATE s.t (\n    LEXIZE = dsimple_lexize );",
		"COMMENT ON TRANSFORM FOR s.mood LANGUAGE k3pl IS 'x';",
		"CREATE STATISTICS public.st ON a, v FROM public.t;",
		"CREATE ACCESS METHOD am TYPE TABLE HANDLER heap_tableam_handler;",
		"ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT SELECT ON TABLES TO reader;",
		"ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS FROM PUBLIC;",
		"ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT USAGE ON TYPES TO \"K3\" WITH GRANT OPTION;",
		"GRANT ALL ON SCHEMA public TO app;",
		"REVOKE ALL ON TABLE public.t FROM PUBLIC;",
		"GRANT SELECT(id) ON TABLE public.t TO reader;",
		"COMMENT ON COLUMN public.t.id IS 'drop database x';",
		"SECURITY LABEL FOR selinux ON TABLE public.t IS 'system_u:object_r:sepgsql_table_t:s0';",
		"ALTER LARGE OBJECT 16385 OWNER TO app;",
		"SET ROLE grantor;",
		"RESET ROLE;",
		"COPY public.t (id, v) FROM stdin;",
		"COPY \"Weird\".\"T\" FROM STDIN;",
		"INSERT INTO public.t VALUES (1, 'a'), (-2, NULL), (1.5e-3, .5), (1e+308, 'NaN');",
		"INSERT INTO public.t (id, v) OVERRIDING SYSTEM VALUE VALUES (1, E'a\\'b') ON CONFLICT DO NOTHING;",
		"BEGIN;",
		"COMMIT;",
		"\\restrict abcDEF123",
		"\\unrestrict abcDEF123",
		NULL
	};
	/* Everything else, however it is written. */
	static const char *const refused[] = {
		"DROP/**/DATABASE victim;",
		"dRoP  DaTaBaSe \"victim\";",
		"DROP -- x\n DATABASE victim WITH (FORCE);",
		"DROP /* a /* nested */ comment */ DATABASE victim;",
		"DROP TABLE public.t;",
		"ALTER PROCEDURAL SYSTEM SET work_mem = '1MB';",
		"CREATE PROCEDURAL DATABASE x;",
		"ALTER PROCEDURAL ROLE app SUPERUSER;",
		"CREATE/**/DATABASE evil;",
		"create database \"evil\";",
		"ALTER DATABASE victim RENAME TO x;",
		"ALTER DATABASE app SET search_path = x;",
		"ALTER SYSTEM SET work_mem = '7MB';",
		"ALTER/**/SYSTEM SET shared_preload_libraries = 'x';",
		"CREATE ROLE evil SUPERUSER;",
		"CREATE USER evil SUPERUSER;",
		"CREATE GROUP g;",
		"ALTER ROLE postgres NOSUPERUSER;",
		"ALTER USER postgres PASSWORD 'x';",
		"DROP ROLE app;",
		"GRANT pg_execute_server_program TO app;",
		"GRANT CONNECT ON DATABASE x TO app;",
		"GRANT SET ON PARAMETER work_mem TO app;",
		"COMMENT ON DATABASE x IS 'y';",
		"COMMENT ON ROLE app IS 'y';",
		"SECURITY LABEL ON ROLE app IS 'x';",
		"CREATE TABLESPACE ts LOCATION '/tmp';",
		"COPY (SELECT 1) TO PROGRAM $$id > /tmp/x$$;",
		"COPY t FROM PROGRAM 'id';",
		"copy t from '/etc/passwd';",
		"COPY t TO '/tmp/x';",
		"COPY t TO STDOUT;",
		"COPY t FROM stdin; COPY t TO PROGRAM 'id';",
		"COPY t FROM stdin WHERE f(a);",
		"COPY t FROM/**/PROGRAM 'id';",
		"COPY t FROM \"stdin\";",
		"DO $$BEGIN EXECUTE 'CREATE ROLE x'; END$$;",
		"do 'begin null; end';",
		"LOAD 'auto_explain';",
		"CHECKPOINT;",
		"VACUUM;",
		"ANALYZE;",
		"TRUNCATE public.t;",
		"RESET ALL;",
		"SET LOCAL standard_conforming_strings = off;",
		"SET standard_conforming_strings = off;",
		"SET \"standard_conforming_strings\" = off;",
		"SET SESSION \"Standard_Conforming_Strings\" TO 'off';",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS case; END; DROP TABLE t; SELECT 1 AS end;",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x.end FROM t x; END;",
		"SET client_encoding = 'SJIS';",
		"INSERT INTO pg_catalog.pg_authid VALUES (16999, 'evil', true, true, true, true, true, false, false, -1, NULL, NULL);",
		"INSERT INTO PG_CATALOG.\"pg_auth_members\" VALUES (1, 2, 3, false);",
		"INSERT INTO pg_authid VALUES (1);",
		"INSERT INTO \"pg_database\" VALUES (1);",
		"INSERT INTO mydb.pg_catalog.pg_authid VALUES (1);",
		"INSERT INTO pg_toast.pg_toast_1262 VALUES (1);",
		"INSERT INTO U&\"pg_c\\0061talog\".pg_authid VALUES (1);",
		"COPY pg_catalog.pg_authid FROM stdin;",
		"COPY pg_catalog . pg_authid (oid, rolname) FROM stdin;",
		"COPY Pg_AuthId FROM stdin;",
		"SET allow_system_table_mods = on;",
		"SET SESSION \"allow_system_table_mods\" TO true;",
		"SET client_encoding = 'Shift_JIS';",
		"SET client_encoding TO 'win932';",
		"SET SESSION \"Client_Encoding\" = 'BIG5';",
		"SET NAMES 'GBK';",
		"SET names 'UHC';",
		"SET client_encoding = 'GB18030';",
		"SET client_encoding = 'JOHAB';",
		"SET client_encoding = E'UTF8';",
		"SET client_encoding = 'UTF8', 'SJIS';",
		"SET client_encoding = 'no such encoding';",
		"SET SESSION standard_conforming_strings TO false;",
		"SELECT 1;",
		"SELECT pg_catalog.lo_export(1, '/tmp/x');",
		"SELECT pg_catalog.lo_import('/etc/passwd');",
		"SELECT pg_catalog.lo_put('16385', 0, pg_catalog.pg_read_binary_file('/etc/passwd'));",
		"SELECT pg_catalog.lo_put('16385', 0, '\\x41') FROM pg_catalog.pg_class;",
		"SELECT pg_catalog.lo_from_bytea(0, '\\x41');",
		"SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);",
		"SELECT pg_catalog.setval('s', 1, false), pg_catalog.lo_export(1, '/tmp/x');",
		"SELECT pg_catalog.setval('s', (SELECT pg_catalog.lo_export(1, '/tmp/x')), false);",
		"SELECT pg_catalog.setval('s', 1, false); SELECT 1;",
		"SELECT setval('s', 1, false);",
		"SELECT pg_catalog.pg_read_file('/etc/passwd');",
		"SELECT * FROM pg_catalog.pg_restore_relation_stats('a', pg_catalog.lo_export(1, '/x'));",
		"INSERT INTO t SELECT pg_catalog.lo_export(1, '/tmp/x');",
		"INSERT INTO t VALUES (pg_catalog.lo_export(1, '/tmp/x'));",
		"INSERT INTO t VALUES (1lo_export);",
		"SELECT pg_catalog.setval('s', 1e5x, false);",
		"CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;",
		"CREATE SUBSCRIPTION s CONNECTION 'connect = false' PUBLICATION p;",
		"ALTER SUBSCRIPTION s ENABLE;",
		"CREATE TABLE t (a int); CREATE ROLE evil;",
		"CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'select 1'; CREATE ROLE evil; end;",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT begin FROM t; END; CREATE ROLE evil; END;",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END; DROP TABLE t;",
		"CREATE TABLE t (a text DEFAULT 'x'); DROP TABLE u",
		"START TRANSACTION;",
		"COMMIT; DROP TABLE t;",
		"ROLLBACK;",
		"LISTEN x;",
		"NOTIFY x;",
		"CALL public.p();",
		"UPDATE t SET a = 1;",
		"DELETE FROM t;",
		"PREPARE p AS SELECT 1;",
		"\\connect other",
		"\\! touch /tmp/x",
		"\\restrict",
		"\\restrict key; \\! id",
		"\\restrictx key",
		"\\copy t to '/tmp/x'",
		"'unterminated",
		"DROP /* unterminated",
		"",
		NULL
	};
	size_t k;

	for (k = 0; ok[k] != NULL; k++) {
		const char *why = sql_refused(ok[k], strlen(ok[k]));

		if (!UNIT_CHECK(name_of("allowed:", ok[k]), why == NULL))
			printf("#   refused: %s\n", why);
	}
	for (k = 0; refused[k] != NULL; k++)
		UNIT_CHECK(name_of("refused:", refused[k]), !allowed(refused[k]));
	/* What a load confined to its own role passes over or runs as the connecting user. */
	{
		static const struct { const char *sql; enum sql_confined want; } conf[] = {
			{ "SET ROLE postgres;", SQL_CONFINED_SKIP },
			{ "set session role postgres", SQL_CONFINED_SKIP },
			{ "RESET ROLE;", SQL_CONFINED_SKIP },
			{ "SET SESSION AUTHORIZATION postgres;", SQL_CONFINED_SKIP },
			{ "SET session_authorization = 'postgres';", SQL_CONFINED_SKIP },
			{ "SET \"Role\" TO postgres;", SQL_CONFINED_SKIP },
			{ "SET/**/role = postgres;", SQL_CONFINED_SKIP },
			{ "ALTER TABLE public.t OWNER TO app;", SQL_CONFINED_SKIP },
			{ "ALTER FUNCTION public.f(a integer, b text) OWNER TO \"App\";", SQL_CONFINED_SKIP },
			{ "ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO PUBLIC;", SQL_CONFINED_SKIP },
			{ "alter/**/default privileges for role \"A\" in schema s revoke all on functions from public;",
			    SQL_CONFINED_SKIP },
			{ "ALTER DEFAULT ROLE x;", SQL_CONFINED_RUN },
			/* pg_catalog's privileges (the dump's changes since initdb) */
			{ "GRANT SELECT (rolname) ON TABLE pg_catalog.pg_authid TO postgres;", SQL_CONFINED_SKIP },
			{ "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_sleep(double precision) FROM PUBLIC;",
			    SQL_CONFINED_SKIP },
			{ "revoke grant option for usage on type pg_catalog.int4 from \"A\";", SQL_CONFINED_SKIP },
			{ "GRANT USAGE ON SCHEMA pg_catalog TO app WITH GRANT OPTION;", SQL_CONFINED_SKIP },
			{ "GRANT USAGE ON SCHEMA pg_catalog2 TO app;", SQL_CONFINED_RUN },
			{ "GRANT USAGE ON SCHEMA pg_catalog, public TO app;", SQL_CONFINED_RUN },
			{ "GRANT SELECT (\"on\") ON TABLE public.pg_catalog TO app;", SQL_CONFINED_RUN },
			{ "GRANT SELECT ON TABLE public.t TO app;", SQL_CONFINED_RUN },
			{ "GRANT app TO other;", SQL_CONFINED_RUN },
			{ "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;", SQL_CONFINED_PRIVILEGED },
			{ "COMMENT ON EXTENSION citext IS 'x';", SQL_CONFINED_PRIVILEGED },
			{ "SET search_path = public;", SQL_CONFINED_RUN },
			{ "SET rolex = 1;", SQL_CONFINED_RUN },
			/* another action beside the owner: run (as the role), never skipped */
			{ "ALTER TABLE public.t ADD COLUMN c int, OWNER TO app;", SQL_CONFINED_RUN },
			{ "ALTER TABLE public.t OWNER TO app, ADD COLUMN c int;", SQL_CONFINED_RUN },
			{ "CREATE TABLE owner (a int);", SQL_CONFINED_RUN },
			{ "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public CASCADE;", SQL_CONFINED_RUN },
			{ "CREATE EXTENSION citext;", SQL_CONFINED_RUN },
			{ "CREATE EXTENSION IF NOT EXISTS x WITH SCHEMA public VERSION '1.0';", SQL_CONFINED_RUN },
			{ "COMMENT ON EXTENSION citext IS 'x'; SELECT 1;", SQL_CONFINED_RUN },
			{ "CREATE TABLE t AS SELECT 1; -- OWNER TO x", SQL_CONFINED_RUN },
		};
		for (k = 0; k < sizeof(conf) / sizeof(conf[0]); k++)
			UNIT_CHECK(name_of("confined:", conf[k].sql),
			    sql_confined_action(conf[k].sql, strlen(conf[k].sql)) == conf[k].want);
	}
	/* A table made from a query: its query may write rows (a data-modifying WITH). */
	{
		static const char *const from_query[] = {
			"CREATE TABLE public.f AS WITH w AS (UPDATE public.t SET s = 'x' RETURNING 1) SELECT 1 FROM w;",
			"create unlogged table f as select 1;", "CREATE TEMP TABLE f (a) AS VALUES (1);",
			"CREATE GLOBAL TEMPORARY TABLE IF NOT EXISTS f AS TABLE t;", "CREATE TABLE f AS EXECUTE p;",
			"CREATE TABLE f WITH (fillfactor = 50) AS SELECT 1;", "/* x */ CREATE TABLE \"a s\" AS SELECT 1;",
			NULL,
		};
		static const char *const plain[] = {
			"CREATE TABLE t (a int DEFAULT 1, b text);", "CREATE TABLE t (a int CHECK (a > 0)) WITH (fillfactor = 50);",
			"CREATE TABLE \"as\" (a int);", "CREATE TABLE t (a int GENERATED ALWAYS AS (1) STORED);",
			"CREATE TABLE p PARTITION OF q FOR VALUES IN (1);", "CREATE MATERIALIZED VIEW v AS SELECT 1;",
			"CREATE VIEW v AS SELECT 1;", "CREATE INDEX i ON t (a);", "COMMENT ON TABLE t IS 'CREATE TABLE x AS';",
			NULL,
		};

		for (k = 0; from_query[k] != NULL; k++)
			UNIT_CHECK(name_of("table-from-query:", from_query[k]),
			    sql_table_from_query(from_query[k], strlen(from_query[k])));
		for (k = 0; plain[k] != NULL; k++)
			UNIT_CHECK(name_of("not-table-from-query:", plain[k]), !sql_table_from_query(plain[k], strlen(plain[k])));
	}
	/* What may turn out otherwise with the scratch copy's tables unlogged (restore-plan.c). */
	{
		static const char *const depends[] = {
			"CREATE PUBLICATION p FOR TABLE t;", "alter publication p add table t;",
			"ALTER PUBLICATION p SET TABLE t WHERE (a > 0);", "CREATE TABLE t (a int REFERENCES u);",
			"create unlogged table t (a int);", "CREATE TEMPORARY TABLE t (a int);",
			"CREATE TABLE p (a int) PARTITION BY RANGE (a);", "CREATE TABLE f AS SELECT 1;",
			"ALTER TABLE public.t SET UNLOGGED;", "ALTER TABLE ONLY t SET LOGGED;",
			"ALTER SEQUENCE s SET LOGGED;", "/* x */ ALTER TABLE t SET UNLOGGED, SET (fillfactor = 50);",
			NULL,
		};
		static const char *const independent[] = {
			"ALTER TABLE ONLY public.small ADD CONSTRAINT f FOREIGN KEY (n) REFERENCES public.big(id);",
			"CREATE INDEX i ON t (a);", "CREATE MATERIALIZED VIEW v AS SELECT 1;", "CREATE VIEW v AS SELECT 1;",
			"COMMENT ON TABLE t IS 'SET LOGGED';", "COMMENT ON PUBLICATION p IS 'x';",
			"CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ALTER TABLE t SET LOGGED$$;",
			"ALTER TABLE t ALTER COLUMN logged SET STATISTICS 10;", "CREATE FOREIGN TABLE t (a int) SERVER s;",
			NULL,
		};

		for (k = 0; depends[k] != NULL; k++)
			UNIT_CHECK(name_of("depends-on-persistence:", depends[k]),
			    sql_depends_on_persistence(depends[k], strlen(depends[k])));
		for (k = 0; independent[k] != NULL; k++)
			UNIT_CHECK(name_of("not-depends-on-persistence:", independent[k]),
			    !sql_depends_on_persistence(independent[k], strlen(independent[k])));
	}
	/* What changes how rows already loaded print: refused by a verify load. */
	{
		static const char *const reprint[] = {
			"ALTER TYPE public.mood RENAME VALUE 'happy' TO 'furious';",
			"ALTER TYPE public.pair ADD ATTRIBUTE c integer;", "alter type pair drop attribute if exists c;",
			"ALTER TYPE pair ALTER ATTRIBUTE b TYPE text;", "ALTER TYPE pair RENAME ATTRIBUTE b TO c;",
			"ALTER SEQUENCE public.sq RENAME TO moved;", "ALTER TABLE t RENAME c TO d;",
			"ALTER TABLE t RENAME COLUMN c TO d;", "ALTER FUNCTION f(int) SET SCHEMA other;",
			"ALTER TABLE IF EXISTS ONLY t RENAME CONSTRAINT a TO b;", "ALTER TYPE \"Mood\" RENAME TO x;",
			NULL,
		};
		static const char *const keep[] = {
			"ALTER TABLE ONLY public.t ALTER COLUMN rename SET DEFAULT 1;",
			"ALTER TABLE ONLY t ALTER COLUMN a SET STATISTICS 100;", "ALTER TYPE public.mood OWNER TO app;",
			"ALTER FUNCTION f() SET search_path = pg_catalog;", "ALTER TABLE t ADD COLUMN attribute int;",
			"ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'ok';", "COMMENT ON TYPE t IS 'RENAME TO x';",
			"CREATE TABLE t (rename int, set int);", "ALTER TABLE ONLY t ADD CONSTRAINT c CHECK (rename > 0);",
			NULL,
		};

		for (k = 0; reprint[k] != NULL; k++)
			UNIT_CHECK(name_of("reprints:", reprint[k]), sql_reprints(reprint[k], strlen(reprint[k])) != NULL);
		for (k = 0; keep[k] != NULL; k++)
			UNIT_CHECK(name_of("not-reprints:", keep[k]), sql_reprints(keep[k], strlen(keep[k])) == NULL);
	}
	/* The kinds only a superuser may create, as a dump writes them. */
	{
		static const char *const su[] = {
			"CREATE TRUSTED LANGUAGE k3pl HANDLER \"Kinds 3\".k3pl_call;",
			"CREATE OR REPLACE PROCEDURAL LANGUAGE \"K3 Bare\" HANDLER s.h;",
			"CREATE TRANSFORM FOR s.mood LANGUAGE k3pl (FROM SQL WITH FUNCTION s.f(internal));",
			"CREATE TYPE \"Kinds 3\".\"My Text\";",
			"CREATE TYPE s.t (INPUT = s.t_in, OUTPUT = s.t_out);",
			"CREATE FUNCTION s.t_in(cstring) RETURNS s.t\n    LANGUAGE c IMMUTABLE STRICT\n    AS 'textin';",
			"CREATE FUNCTION s.h() RETURNS language_handler LANGUAGE internal AS $$plpgsql_call_handler$$;",
			"CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION s.f();",
			"ALTER EVENT TRIGGER e DISABLE;",
			"COMMENT ON EVENT TRIGGER e IS 'x';",
			"CREATE FOREIGN DATA WRAPPER w HANDLER s.h;",
			"COMMENT ON FOREIGN DATA WRAPPER w IS 'x';",
			"CREATE OPERATOR CLASS s.c FOR TYPE integer USING btree AS OPERATOR 1 <;",
			"ALTER OPERATOR FAMILY s.f USING btree ADD OPERATOR 1 <(integer, integer);",
			"CREATE TEXT SEARCH PARSER s.p (START = prsd_start, GETTOKEN = prsd_nexttoken);",
			"CREATE TEXT SEARCH TEMPLATE s.t (LEXIZE = dsimple_lexize);",
			"CREATE ACCESS METHOD a TYPE INDEX HANDLER brinhandler;",
			"CREATE AGGREGATE s.a(integer) (\n    SFUNC = s.f,\n    STYPE = internal\n);",
			"CREATE CAST (s.a AS s.b) WITHOUT FUNCTION;",
			"CREATE PUBLICATION p FOR ALL TABLES;",
			"CREATE PUBLICATION p FOR TABLES IN SCHEMA s;",
			"CREATE SUBSCRIPTION s CONNECTION '' PUBLICATION p WITH (connect = false);",
			"CREATE SERVER \"Remote \"\"A\"\"\" FOREIGN DATA WRAPPER postgres_fdw;",
			NULL,
		};
		static const char *const plain[] = {
			"CREATE LANGUAGE_X (a int);", "CREATE TYPE s.t AS (a int);", "CREATE TYPE s.e AS ENUM ('a');",
			"CREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
			"CREATE FUNCTION s.f() RETURNS text LANGUAGE plpgsql AS 'BEGIN RETURN ''LANGUAGE c''; END';",
			"CREATE AGGREGATE s.a(integer) (SFUNC = int4pl, STYPE = integer);",
			"CREATE CAST (s.a AS s.b) WITH FUNCTION s.f(s.a);", "CREATE PUBLICATION p FOR TABLE ONLY s.t;",
			"CREATE TEXT SEARCH DICTIONARY s.d (TEMPLATE = pg_catalog.simple);",
			"COMMENT ON TABLE s.event IS 'trigger';", "CREATE TABLE s.t (a int);", NULL,
		};
		char *name;
		const char *text;

		for (k = 0; su[k] != NULL; k++)
			UNIT_CHECK(name_of("superuser:", su[k]), sql_superuser_kind(su[k], strlen(su[k])) != NULL &&
			    sql_confined_action(su[k], strlen(su[k])) == SQL_CONFINED_SUPERUSER);
		for (k = 0; plain[k] != NULL; k++)
			UNIT_CHECK(name_of("not-superuser:", plain[k]), sql_superuser_kind(plain[k], strlen(plain[k])) == NULL);
		name = sql_created_name(su[1], strlen(su[1]));
		UNIT_CHECK("created-name-quoted", name != NULL && strcmp(name, "\"K3 Bare\"") == 0);
		free(name);
		name = sql_created_name(su[3], strlen(su[3]));
		UNIT_CHECK("created-name-qualified", name != NULL && strcmp(name, "\"Kinds 3\".\"My Text\"") == 0);
		free(name);
		name = sql_created_name(su[2], strlen(su[2]));
		UNIT_CHECK("created-name-transform-none", name == NULL);
		free(name);
		UNIT_CHECK("mentions-quoted", sql_mentions("CREATE TABLE t (a \"Kinds 3\".\"My Text\");", 41,
		    "\"Kinds 3\".\"My Text\""));
		/* An operator is a symbol: "public" alone would route all of public apart (issue #17). */
		name = sql_created_name("CREATE OPERATOR public.< (FUNCTION = f);", 40);
		UNIT_CHECK("created-name-operator-none", name == NULL);
		free(name);
		UNIT_CHECK("mentions-qualified", sql_mentions("ALTER SEQUENCE public.s OWNED BY public.t.a;", 44, "public.t"));
		UNIT_CHECK("mentions-not-schema-alone", !sql_mentions("CREATE SEQUENCE public.s;", 25, "public.t"));
		UNIT_CHECK("mentions-not-other-schema", !sql_mentions("CREATE TABLE x.t (a int);", 25, "public.t"));
		name = sql_name_value("DbLink");
		UNIT_CHECK("name-value-folded", name != NULL && strcmp(name, "dblink") == 0);
		free(name);
		name = sql_name_value("\"My \"\"X\"\"\"");
		UNIT_CHECK("name-value-unquoted", name != NULL && strcmp(name, "My \"X\"") == 0);
		free(name);
		UNIT_CHECK("name-value-unicode-escapes-unread", sql_name_value("U&\"\\0064blink\"") == NULL);
		text = "CREATE EXTENSION IF NOT EXISTS U&\"\\0064blink\" WITH SCHEMA public;";
		name = sql_extension_created(text, strlen(text));
		UNIT_CHECK("extension-created-as-written", name != NULL && strcmp(name, "U&\"\\0064blink\"") == 0);
		free(name);
		name = sql_created_name("CREATE UNIQUE INDEX i_a ON ONLY public.t USING btree (a);", 57);
		UNIT_CHECK("created-name-index", name != NULL && strcmp(name, "public.i_a") == 0);
		free(name);
		UNIT_CHECK("mentions-index", sql_mentions("ALTER INDEX public.i_a ATTACH PARTITION public.i_b;", 51,
		    "public.i_a"));
		name = sql_created_name("CREATE CONSTRAINT TRIGGER tr AFTER INSERT ON s.t;", 49);
		UNIT_CHECK("created-name-trigger", name != NULL && strcmp(name, "tr ON s.t") == 0);
		UNIT_CHECK("mentions-trigger", sql_mentions("ALTER TABLE s.t DISABLE TRIGGER tr;", 35, "tr ON s.t"));
		UNIT_CHECK("mentions-not-other-tables", !sql_mentions("CREATE POLICY tr ON s.u USING (true);", 37,
		    "tr ON s.t"));
		free(name);
		name = sql_created_name("CREATE RULE ru AS ON INSERT TO s.t DO NOTHING;", 46);
		UNIT_CHECK("created-name-rule", name != NULL && strcmp(name, "ru ON s.t") == 0);
		free(name);
		UNIT_CHECK("mentions-not-column", !sql_mentions("ALTER TABLE public.u ADD b public.tt;", 37, "public.t"));
		UNIT_CHECK("mentions-word", sql_mentions("CREATE FUNCTION f() LANGUAGE K3PL AS 'x';", 41, "k3pl"));
		UNIT_CHECK("mentions-not-in-string", !sql_mentions("COMMENT ON TABLE t IS 'k3pl';", 29, "k3pl"));
	}
	UNIT_CHECK("refused-names-drop", strncmp(sql_refused("DROP/**/TABLE t;", 16), "DROP", 4) == 0);
	UNIT_CHECK("refused-not-nul-terminated", sql_refused("SET a = 1;DROP TABLE t;", 10) == NULL);
	return unit_done();
}
