#!/usr/bin/env bash
# The object kinds of extension-like schemas (issue #17, part 3;
# tests/fixtures/kinds3.sql): dumped by `lotbackup db`, loaded by
# `gunzip | psql` and by `lotbackup restore`, and each copy identical to
# the source by pg_dump --schema-only (and rows) and object by object
# through the server's deparsers (catalog-describe.sql). 023-majors.sh
# runs the same fixture on every major.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"
. "$LB_TOP/tests/lib/kinds.sh"

work=$(tmpdir)
src=$(new_db lb_k3_src) && dst=$(new_db lb_k3_dst) && rdst=$(new_db lb_k3_restore) ||
	{ fail kinds3-setup "cannot create databases"; finish; }
check kinds3-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/kinds3.sql" || finish

kinds_roundtrip kinds3 "$src" "$dst" "$rdst" "$work" || finish
file=$kinds_file
# verify --restore loads as a role without privileges: the kinds only a
# superuser may create fail its load, named (see lotbackup(1) LIMITATIONS).
check_exit kinds3-verify-restore-superuser-objects 3 "$LB_BIN" verify -q --restore "$file"
# Default privileges name roles the load is not and apply to objects made
# after it: verify --restore passes them over, so such a dump verifies.
defacl=$(new_db lb_k3_defacl) &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$defacl" -c "CREATE TABLE t (a integer); INSERT INTO t VALUES (1);
		ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
		ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;" &&
	"$LB_BIN" db -q -d "dbname=$defacl" -o "$work/defacl" --owner --privileges ||
	fail kinds3-default-privileges "cannot make and dump a database with default privileges"
check_exit kinds3-verify-restore-default-privileges 0 "$LB_BIN" verify -q --restore "$work"/defacl/*.sql.gz
finish
