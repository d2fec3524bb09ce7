#!/usr/bin/env bash
# The object kinds of function-heavy schemas (issue #17, part 1;
# tests/fixtures/kinds1.sql): dumped by `lotbackup db`, loaded by
# `gunzip | psql` and by `lotbackup restore`, and each copy identical to
# the source by pg_dump --schema-only (and rows) and object by object
# through the server's deparsers (catalog-describe.sql). 023-majors.sh
# runs the same fixture on every major.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

work=$(tmpdir)
describe=$LB_TOP/tests/lib/catalog-describe.sql
src=$(new_db lb_k1_src) && dst=$(new_db lb_k1_dst) && rdst=$(new_db lb_k1_restore) ||
	{ fail kinds1-setup "cannot create databases"; finish; }
check kinds1-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/kinds1.sql" || finish

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

check kinds1-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --owner --privileges || finish
file=$(ls "$work"/out/*.sql.gz)
if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/psql.log" 2>&1; then
	pass kinds1-loads-with-psql
	check kinds1-psql-identical compare_databases "$src" "$dst"
	same_described kinds1-psql-described "$src" "$dst"
else
	fail kinds1-loads-with-psql "$(tail -n 3 "$work/psql.log")"
fi
if check kinds1-restore "$LB_BIN" restore -q "$file" -d "dbname=$rdst"; then
	check kinds1-restore-identical compare_databases "$src" "$rdst"
	same_described kinds1-restore-described "$src" "$rdst"
fi
# Pagila's aggregate comes out as pg_dump writes it.
if gunzip -c "$file" | grep -qx 'CREATE AGGREGATE public.group_concat(text) ('; then
	pass kinds1-pagila-aggregate
else
	fail kinds1-pagila-aggregate "no CREATE AGGREGATE public.group_concat(text) in the dump"
fi
# verify --restore loads as a role without privileges: the objects only a
# superuser may create (an aggregate with an internal state) fail its load,
# named; without them it loads.
check_exit kinds1-verify-restore-superuser-objects 3 "$LB_BIN" verify -q --restore "$file"
plain=$(new_db lb_k1_plain) &&
	psql -X -q -v ON_ERROR_STOP=1 -v lb_plain=1 -d "$plain" -f "$LB_TOP/tests/fixtures/kinds1.sql" &&
	"$LB_BIN" db -q -d "dbname=$plain" -o "$work/plain" --owner --privileges ||
	fail kinds1-plain "cannot load and dump the fixture without its superuser objects"
check_exit kinds1-verify-restore 0 "$LB_BIN" verify --restore "$work"/plain/*.sql.gz
finish
