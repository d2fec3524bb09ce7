#!/usr/bin/env bash
# Each table's segment in the manifest (gz_offset, gz_length) is where
# restore reads the table from, side by side: a manifest whose segment is
# shifted or cut short (the file and its size and SHA-256 untouched) fails
# verify naming the table, and restore refuses it before loading anything.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_seg_src) || { fail segments-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE a_t (id int PRIMARY KEY, v text);
    INSERT INTO a_t SELECT g, repeat(g::text, 20) FROM generate_series(1, 2000) g;
    CREATE TABLE b_t (id int, v text);
    INSERT INTO b_t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
    CREATE TABLE c_t (id int)" >/dev/null
work=$(tmpdir)
check segments-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/good" || finish
good=$(ls "$work"/good/lot-systems-db-*.sql.gz | head -n 1)
check_exit segments-good-verifies 0 "$LB_BIN" verify -q "$good"

# bad NAME TABLE FIELD DELTA: a copy of the good dump whose manifest has
# TABLE's FIELD moved by DELTA bytes, nothing else recomputed.
bad() {
	local d=$work/$1
	mkdir -p "$d"
	cp "$good" "$good.manifest.json" "$d/"
	python3 - "$d/$(basename "$good").manifest.json" "$2" "$3" "$4" <<'PY'
import json, sys
f, table, field, delta = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
m = json.load(open(f))
hit = [t for t in m["tables"] if t["name"] == table]
assert hit and hit[0]["gz_length"] > 0, "no segment for " + table
if field == "both":
    # TABLE's segment made to start with the one before it: whole members, two blocks.
    prev = [t for t in m["tables"] if t["gz_offset"] + t["gz_length"] == hit[0]["gz_offset"]][0]
    hit[0]["gz_length"] += prev["gz_length"]; hit[0]["gz_offset"] = prev["gz_offset"]
elif field == "border":
    # The border between TABLE and the next one moved: the segments still
    # adjoin, so restore reads them side by side (the tester's case).
    nxt = [t for t in m["tables"] if t["gz_offset"] == hit[0]["gz_offset"] + hit[0]["gz_length"]][0]
    hit[0]["gz_length"] += delta; nxt["gz_offset"] += delta; nxt["gz_length"] -= delta
else:
    hit[0][field] += delta
json.dump(m, open(f, "w"))
PY
	echo "$d/$(basename "$good")"
}

for c in "shifted b_t gz_offset 1" "shifted-back b_t gz_offset -1" "short a_t gz_length -1" \
    "empty-shifted c_t gz_offset 7" "two-blocks b_t both 0" \
    "border a_t border 5"; do
	set -- $c
	f=$(bad "$1" "$2" "$3" "$4") || { fail "segments-$1-setup" "$f"; continue; }
	rc=0
	err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
	if [ $rc -eq 3 ] && grep -q "segments" <<<"$err" && grep -q "public.$2" <<<"$err"; then
		pass "segments-verify-$1"
	else
		fail "segments-verify-$1" "rc=$rc: $err"
	fi
	target=$(new_db "lb_seg_dst_${1//-/_}")
	rc=0
	err=$("$LB_BIN" restore "$f" -d "dbname=$target" --jobs 2 2>&1) || rc=$?
	tables=$(psql -X -At -d "$target" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
	if [ $rc -eq 3 ] && [ "$tables" = 0 ]; then
		pass "segments-restore-refused-$1"
	else
		fail "segments-restore-refused-$1" "rc=$rc tables=$tables: $err"
	fi
done
finish
