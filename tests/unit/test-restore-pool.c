/*
 * Which post-data statements a parallel restore may run side by side: only
 * index builds and primary/unique/exclusion keys (together), and foreign
 * keys (together); everything else after a barrier, in the file's order.
 */
#include <string.h>

#include "restore-pool.h"
#include "unit.h"

static int
is(const char *sql, enum stmt_class want)
{
	return stmt_classify(sql, strlen(sql)) == want;
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
	UNIT_CHECK("not-nul-terminated", stmt_classify("CREATE INDEX i ON t (a);CREATE TABLE", 24) == STMT_INDEX);
	return unit_done();
}
