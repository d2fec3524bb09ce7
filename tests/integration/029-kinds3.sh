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

work=$(tmpdir)
describe=$LB_TOP/tests/lib/catalog-describe.sql
src=$(new_db lb_k3_src) && dst=$(new_db lb_k3_dst) && rdst=$(new_db lb_k3_restore) ||
	{ fail kinds3-setup "cannot create databases"; finish; }
check kinds3-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/kinds3.sql" || finish

# same_described NAME SRC DST
same_described() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$2" -f "$describe" >"$work/a.txt" 2>"$work/d.err" &&
		psql -X -q -At -v ON_ERROR_STOP=1 -d "$3" -f "$describe" >"$work/b.txt" 2>>"$work/d.err" ||
		{ fail "$1" "catalog-describe.sql failed: $(tail -n 3 "$work/d.err")"; return; }
	if diff -u "$work/a.txt" "$work/b.txt" >"$work/diff"; then
		pass "$1"
	else
		fail "$1" "$(head -n 30 "$work/diff")"
	fi
}

check kinds3-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --owner --privileges || finish
file=$(ls "$work"/out/*.sql.gz)
if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/psql.log" 2>&1; then
	pass kinds3-loads-with-psql
	check kinds3-psql-identical compare_databases "$src" "$dst"
	same_described kinds3-psql-described "$src" "$dst"
else
	fail kinds3-loads-with-psql "$(tail -n 3 "$work/psql.log")"
fi
if check kinds3-restore "$LB_BIN" restore -q "$file" -d "dbname=$rdst"; then
	check kinds3-restore-identical compare_databases "$src" "$rdst"
	same_described kinds3-restore-described "$src" "$rdst"
fi
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
