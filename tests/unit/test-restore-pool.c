/*
 * Which post-data statements a parallel restore may run side by side: only
 * index builds and primary/unique/exclusion keys (together), and foreign
 * keys (together); everything else after a barrier, in the file's order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/sql-classify.h"
#include "restore/restore-pool.h"
#include "unit.h"

static int
is(const char *sql, enum stmt_class want)
{
	return stmt_class_of(sql_classify(sql, strlen(sql))) == want;
}

/* sql_fk_column's table and column, or "-" when it is not a one-column foreign key. */
static int
fk(const char *sql, const char *want_table, const char *want_column)
{
	char *table, *column;
	int ok;

	if (!sql_fk_column(sql, strlen(sql), &table, &column))
		return strcmp(want_table, "-") == 0 && table == NULL && column == NULL;
	ok = strcmp(table, want_table) == 0 && strcmp(column, want_column) == 0;
	free(table);
	free(column);
	return ok;
}

/* sql_key_split's two statements, or "-" when it keeps the one. */
static int
split(const char *sql, const char *want_build, const char *want_attach, const char *want_table)
{
	char *build, *attach, *table;
	int ok;

	if (!sql_key_split(sql, strlen(sql), &build, &attach, &table))
		return strcmp(want_build, "-") == 0 && build == NULL && attach == NULL && table == NULL;
	ok = strcmp(build, want_build) == 0 && strcmp(attach, want_attach) == 0 && strcmp(table, want_table) == 0;
	if (!ok)
		fprintf(stderr, "# got:\n#  %s\n#  %s\n#  %s\n", build, attach, table);
	free(build);
	free(attach);
	free(table);
	return ok;
}

int
main(void)
{
	UNIT_CHECK("index", is("CREATE INDEX \"Log_userId_idx\" ON public.\"Log\" USING btree (\"userId\");", STMT_INDEX));
	UNIT_CHECK("unique-index", is("CREATE UNIQUE INDEX u ON public.t USING btree (a);", STMT_INDEX));
	UNIT_CHECK("index-after-comment", is("-- note\n  create index i on t (a);", STMT_INDEX));
	UNIT_CHECK("index-concurrently-serial", is("CREATE INDEX CONCURRENTLY i ON t (a);", STMT_SERIAL));
	UNIT_CHECK("primary-key", is("ALTER TABLE ONLY public.\"Log\"\n    ADD CONSTRAINT \"Log_pkey\" PRIMARY KEY (id);", STMT_INDEX));
	UNIT_CHECK("unique-key", is("ALTER TABLE ONLY public.\"User\"\n    ADD CONSTRAINT \"User_email_key\" UNIQUE (email);", STMT_INDEX));
	UNIT_CHECK("exclusion", is("ALTER TABLE ONLY s.r ADD CONSTRAINT r_excl EXCLUDE USING gist (p WITH &&);", STMT_INDEX));
	UNIT_CHECK("quoted-names-with-keywords", is("ALTER TABLE ONLY \"ADD CONSTRAINT\".\"x \"\" FOREIGN\" ADD CONSTRAINT \"PRIMARY KEY\" FOREIGN KEY (a) REFERENCES t(id);", STMT_FK));
	UNIT_CHECK("foreign-key", is("ALTER TABLE ONLY public.\"Log\"\n    ADD CONSTRAINT \"Log_userId_fkey\" FOREIGN KEY (\"userId\") REFERENCES public.\"User\"(id) ON DELETE CASCADE;", STMT_FK));
	UNIT_CHECK("fk-partitioned-no-only", is("ALTER TABLE public.parts ADD CONSTRAINT parts_fk FOREIGN KEY (a) REFERENCES t(id);", STMT_FK));
	UNIT_CHECK("using-index-serial", is("ALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx;", STMT_SERIAL));
	UNIT_CHECK("check-serial", is("ALTER TABLE ONLY t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;", STMT_SERIAL));
	UNIT_CHECK("attach-serial", is("ALTER INDEX s.i ATTACH PARTITION s.i1;", STMT_SERIAL));
	UNIT_CHECK("trigger-serial", is("CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f();", STMT_SERIAL));
	UNIT_CHECK("copy-serial", is("COPY public.t (a) FROM stdin;", STMT_SERIAL));
	UNIT_CHECK("create-table-serial", is("CREATE TABLE t (a int);", STMT_SERIAL));
	UNIT_CHECK("alter-column-serial", is("ALTER TABLE ONLY t ALTER COLUMN a SET DEFAULT 1;", STMT_SERIAL));
	UNIT_CHECK("not-nul-terminated", stmt_class_of(sql_classify("CREATE INDEX i ON t (a);CREATE TABLE", 24)) == STMT_INDEX);

	UNIT_CHECK("split-primary-key", split("ALTER TABLE ONLY public.\"Log\"\n    ADD CONSTRAINT \"Log_pkey\" PRIMARY KEY (id);",
	    "CREATE UNIQUE INDEX \"Log_pkey\" ON public.\"Log\" USING btree (id)",
	    "ALTER TABLE ONLY public.\"Log\" ADD CONSTRAINT \"Log_pkey\" PRIMARY KEY USING INDEX \"Log_pkey\"", "public.\"Log\""));
	UNIT_CHECK("split-unique-two-columns", split("alter table s.t add constraint t_ab_key unique ( a ,\"B c\" ) ;\n",
	    "CREATE UNIQUE INDEX t_ab_key ON s.t USING btree ( a ,\"B c\" )",
	    "ALTER TABLE s.t ADD CONSTRAINT t_ab_key UNIQUE USING INDEX t_ab_key", "s.t"));
	UNIT_CHECK("split-hostile-names", split("ALTER TABLE ONLY \"we\"\"ird\".\"ta\nble; DROP\" ADD CONSTRAINT \"k\"\"ey)\" PRIMARY KEY (\"i)d\");",
	    "CREATE UNIQUE INDEX \"k\"\"ey)\" ON \"we\"\"ird\".\"ta\nble; DROP\" USING btree (\"i)d\")",
	    "ALTER TABLE ONLY \"we\"\"ird\".\"ta\nble; DROP\" ADD CONSTRAINT \"k\"\"ey)\" PRIMARY KEY USING INDEX \"k\"\"ey)\"",
	    "\"we\"\"ird\".\"ta\nble; DROP\""));
	UNIT_CHECK("split-not-include", split("ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY (a) INCLUDE (b);", "-", "", ""));
	UNIT_CHECK("split-not-with", split("ALTER TABLE ONLY t ADD CONSTRAINT k UNIQUE (a) WITH (fillfactor='50');", "-", "", ""));
	UNIT_CHECK("split-not-tablespace", split("ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY (a) USING INDEX TABLESPACE ts;", "-", "", ""));
	UNIT_CHECK("split-not-deferrable", split("ALTER TABLE ONLY t ADD CONSTRAINT k UNIQUE (a) DEFERRABLE INITIALLY DEFERRED;", "-", "", ""));
	UNIT_CHECK("split-not-nulls-not-distinct", split("ALTER TABLE ONLY t ADD CONSTRAINT k UNIQUE NULLS NOT DISTINCT (a);", "-", "", ""));
	UNIT_CHECK("split-not-using-index", split("ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY USING INDEX i;", "-", "", ""));
	UNIT_CHECK("split-not-exclusion", split("ALTER TABLE ONLY t ADD CONSTRAINT k EXCLUDE USING gist (p WITH &&);", "-", "", ""));
	UNIT_CHECK("split-not-qualified-column", split("ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY (t.a);", "-", "", ""));
	UNIT_CHECK("split-not-two-statements", split("ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY (a); DROP TABLE t;", "-", "", ""));
	UNIT_CHECK("split-not-foreign-key", split("ALTER TABLE ONLY t ADD CONSTRAINT k FOREIGN KEY (a) REFERENCES u(id);", "-", "", ""));
	UNIT_CHECK("split-not-unterminated-quote", split("ALTER TABLE ONLY t ADD CONSTRAINT \"k PRIMARY KEY (a);", "-", "", ""));
	UNIT_CHECK("split-not-empty-columns", split("ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY ();", "-", "", ""));
	UNIT_CHECK("fk-column", fk("ALTER TABLE ONLY public.\"Log\"\n    ADD CONSTRAINT \"Log_userId_fkey\" FOREIGN KEY (\"userId\") "
	    "REFERENCES public.\"User\"(id) ON DELETE CASCADE;", "public.\"Log\"", "\"userId\""));
	UNIT_CHECK("fk-column-hostile-names", fk("alter table \"we\"\"ird\".\"ta\nble\" add constraint \"k) x\" foreign key ( \"c\"\"ol\" ) "
	    "references s.u (id);", "\"we\"\"ird\".\"ta\nble\"", "\"c\"\"ol\""));
	UNIT_CHECK("fk-not-two-columns", fk("ALTER TABLE t ADD CONSTRAINT k FOREIGN KEY (a, b) REFERENCES u(a, b);", "-", ""));
	UNIT_CHECK("fk-not-primary-key", fk("ALTER TABLE t ADD CONSTRAINT k PRIMARY KEY (a);", "-", ""));
	UNIT_CHECK("fk-not-without-references", fk("ALTER TABLE t ADD CONSTRAINT k FOREIGN KEY (a);", "-", ""));
	UNIT_CHECK("fk-not-qualified-column", fk("ALTER TABLE t ADD CONSTRAINT k FOREIGN KEY (t.a) REFERENCES u(a);", "-", ""));
	return unit_done();
}
