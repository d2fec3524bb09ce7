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

/* A function's result compared with want (NULL: none), then freed. */
static int
same(char *got, const char *want)
{
	int ok = got == NULL ? want == NULL : want != NULL && strcmp(got, want) == 0;

	free(got);
	return ok;
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
	UNIT_CHECK("not-nul-terminated", sql_classify("CREATE INDEX i ON t (a);CREATE TABLE", 24) == SQL_STMT_CREATE_INDEX);

	UNIT_CHECK("copy-target", same(sql_copy_target("COPY public.\"a\"\"b\" (x) FROM stdin;", 33), "public.\"a\"\"b\""));
	UNIT_CHECK("copy-target-none", same(sql_copy_target("CREATE TABLE t (a int);", 23), NULL));
	UNIT_CHECK("copy-out", same(sql_copy_out("COPY public.t (a, b) FROM stdin;", 32), "COPY public.t (a, b) TO STDOUT"));
	UNIT_CHECK("label-create-table", same(sql_statement_label("create unlogged table t (a int);", 32), "CREATE TABLE"));
	UNIT_CHECK("label-comment", same(sql_statement_label("COMMENT ON COLUMN t.a IS 'x';", 29), "COMMENT ON COLUMN"));
	return unit_done();
}
