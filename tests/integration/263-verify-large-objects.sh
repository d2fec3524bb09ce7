#!/usr/bin/env bash
# verify compared only the number of large objects with the manifest, and
# verify --restore never looked at the ones the load made: a hostile file
# writing over an object's data (another lo_put, a lowrite, a rewritten
# chunk), or a CHECK unlinking one and making another, passed with exit 0
# (found by an adversarial review). Now verify compares the data's bytes
# with the manifest's too, and verify --restore reads every object back
# and compares it, data and all, with what the file's lo_create and
# lo_put statements make (keyed sums, as rows).
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/early-read.sh"

db=$(early_db lb_vblobs 200 "
  SELECT lo_from_bytea(7001, 'original-data-7001'), lo_from_bytea(7002, 'original-data-7002');
  SELECT lo_from_bytea(7003, decode(repeat('ab', 300000), 'hex'));") || finish
work=$(tmpdir)
dump_checked vblobs "$db" "$work" || finish

# Another lo_put over 7001's data: 4 bytes more than the manifest has.
f=$(dump_with_tail "$GOOD" "$work/put" "SELECT pg_catalog.lo_put('7001', 0, '\\x4556494c');")
check_exit vblobs-put-fails 3 "$LB_BIN" verify "$f"
grep -q 'check large-objs failed: manifest 3 large objects (300036 bytes), dump 3 (300040 bytes)' <<<"$LB_LAST_OUTPUT" &&
	pass vblobs-put-named || fail vblobs-put-named "$LB_LAST_OUTPUT"

# restored NAME SQL: the dump with SQL after its data; the objects the load
# made are not the file's (a plain verify sees nothing: no lo_put of its own).
restored() {
	local f
	f=$(dump_with_tail "$GOOD" "$work/$1" "$2")
	check_exit "vblobs-$1-static-passes" 0 "$LB_BIN" verify "$f"
	check_exit "vblobs-$1-fails" 3 "$LB_BIN" verify -v --restore "$f"
	grep -q 'large objects: the file makes 3 (sum [0-9a-f]*), restored [0-9]* (sum [0-9a-f]*): their data or number' \
		<<<"$LB_LAST_OUTPUT" && pass "vblobs-$1-named" || fail "vblobs-$1-named" "$LB_LAST_OUTPUT"
}
restored lowrite "BEGIN;
SELECT pg_catalog.lo_open('7002', 131072);
SELECT pg_catalog.lowrite(0, '\\x4556494c');
SELECT pg_catalog.lo_close(0);
COMMIT;"
restored check "ALTER TABLE public.u ADD CONSTRAINT lo_gone CHECK (id <> 1 OR (pg_catalog.lo_unlink(7002) = 1 AND pg_catalog.lo_from_bytea(7005, '\\x6576696c') = 7005));"

n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vblobs-scratch-dropped || fail vblobs-scratch-dropped "$n left"

finish
