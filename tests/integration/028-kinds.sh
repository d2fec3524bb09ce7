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
. "$LB_TOP/tests/lib/kinds.sh"

work=$(tmpdir)
src=$(new_db lb_k1_src) && dst=$(new_db lb_k1_dst) && rdst=$(new_db lb_k1_restore) ||
	{ fail kinds1-setup "cannot create databases"; finish; }
check kinds1-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/kinds1.sql" || finish

kinds_roundtrip kinds1 "$src" "$dst" "$rdst" "$work" || finish
file=$kinds_file
# Pagila's aggregate comes out as pg_dump writes it.
if gunzip -c "$file" | grep -qx 'CREATE AGGREGATE public.group_concat(text) ('; then
	pass kinds1-pagila-aggregate
else
	fail kinds1-pagila-aggregate "no CREATE AGGREGATE public.group_concat(text) in the dump"
fi
# verify --restore loads as a role without privileges: the objects only a
# superuser may create (an aggregate with an internal state) run as the
# connecting superuser with --trusted (039-verify-superuser-kinds); without them it loads too.
check_exit kinds1-verify-restore-superuser-objects 0 "$LB_BIN" verify -q --restore --trusted "$file"
plain=$(new_db lb_k1_plain) &&
	psql -X -q -v ON_ERROR_STOP=1 -v lb_plain=1 -d "$plain" -f "$LB_TOP/tests/fixtures/kinds1.sql" &&
	"$LB_BIN" db -q -d "dbname=$plain" -o "$work/plain" --owner --privileges ||
	fail kinds1-plain "cannot load and dump the fixture without its superuser objects"
check_exit kinds1-verify-restore 0 "$LB_BIN" verify --restore "$work"/plain/*.sql.gz
finish
