#!/usr/bin/env bash
# verify names the first real finding precisely and does not cascade: one
# flipped byte is the checksum and the gzip member it is in (offset,
# member, table), not a wrong size, a dump "cut short" or missing tables.
# pg_dump's custom, tar and directory formats are named as such.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_verdiag) || { fail verdiag-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE small (id int PRIMARY KEY, t text);
  INSERT INTO small SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
  CREATE TABLE big (id int PRIMARY KEY, t text);
  INSERT INTO big SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, 120000) g;
  CREATE TABLE later (x int); INSERT INTO later SELECT generate_series(1, 500);" >/dev/null
work=$(tmpdir)
check verdiag-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/out" || finish
good=$(ls "$work"/out/lot-systems-db-*.sql.gz)
size=$(stat -c %s "$good")

# The middle of table big's gzip members, by the manifest's offsets.
at=$(python3 -c 'import json,sys
m = json.load(open(sys.argv[1]))
t = [t for t in m["tables"] if t["name"] == "big"][0]
print(t["gz_offset"] + t["gz_length"] // 2)' "$good.manifest.json")
mkdir "$work/flip"
cp "$good" "$good.manifest.json" "$work/flip/"
f=$work/flip/$(basename "$good")
b=$(od -An -tu1 -j "$at" -N1 "$f" | tr -d ' ')
printf "\\x$(printf %02x $((b ^ 0x55)))" | dd of="$f" bs=1 seek="$at" conv=notrunc status=none

rc=0
out=$("$LB_BIN" verify "$f" 2>/dev/null) || rc=$?
[ $rc -eq 3 ] && pass verdiag-flip-exit-3 || fail verdiag-flip-exit-3 "rc=$rc: $out"
fails=$(grep -c '^  FAIL' <<<"$out")
[ "$fails" -eq 2 ] && grep -q '^  FAIL checksum' <<<"$out" && grep -q '^  FAIL gzip' <<<"$out" &&
	pass verdiag-flip-two-findings || fail verdiag-flip-two-findings "$out"
grep -q "^  ok   size .*manifest $size bytes, file $size\$" <<<"$out" && pass verdiag-flip-size-right ||
	fail verdiag-flip-size-right "$out"
grep -q 'cut short\|no data block' <<<"$out" && fail verdiag-flip-no-cascade "$out" || pass verdiag-flip-no-cascade
grep '^  FAIL gzip' <<<"$out" | grep -q 'gzip member [0-9]*, which starts at byte [0-9]* and holds rows of table public\.big' &&
	pass verdiag-flip-names-member-and-table || fail verdiag-flip-names-member-and-table "$out"
member_at=$(sed -n 's/.*which starts at byte \([0-9]*\).*/\1/p' <<<"$out")
[ -n "$member_at" ] && [ "$member_at" -le "$at" ] && pass verdiag-flip-member-before-byte ||
	fail verdiag-flip-member-before-byte "member at '$member_at', flipped byte $at"

# The same file as a legacy dump (no manifest): the gzip finding alone.
rm "$f.manifest.json"
rc=0
out=$("$LB_BIN" verify "$f" 2>/dev/null) || rc=$?
[ $rc -eq 3 ] && [ "$(grep -c '^  FAIL' <<<"$out")" -eq 1 ] && grep -q '^  FAIL gzip .*gzip member' <<<"$out" &&
	pass verdiag-flip-legacy-one-finding || fail verdiag-flip-legacy-one-finding "rc=$rc: $out"

# pg_dump's other formats: named, with what reads them.
pg_dump -Fc -f "$work/db.dump" "$db" && pg_dump -Ft -f "$work/db.tar" "$db" && pg_dump -Fd -f "$work/db.dir" "$db" ||
	fail verdiag-pg-dump-fixtures "pg_dump failed"
for kind in custom:db.dump tar:db.tar directory:db.dir; do
	rc=0
	out=$("$LB_BIN" verify "$work/${kind#*:}" 2>/dev/null) || rc=$?
	if [ $rc -eq 3 ] && [ "$(grep -c '^  FAIL' <<<"$out")" -eq 1 ] &&
		grep -q "^  FAIL format .*${kind%%:*}-format archive.*use pg_restore" <<<"$out" && ! grep -q 'NUL' <<<"$out"; then
		pass "verdiag-names-${kind%%:*}-format"
	else
		fail "verdiag-names-${kind%%:*}-format" "rc=$rc: $out"
	fi
done
check_exit verdiag-restore-custom-refused 1 "$LB_BIN" restore "$work/db.dump" -d "dbname=$db"
grep -q 'custom-format archive.*pg_restore' <<<"$LB_LAST_OUTPUT" && pass verdiag-restore-custom-named ||
	fail verdiag-restore-custom-named "$LB_LAST_OUTPUT"
finish
