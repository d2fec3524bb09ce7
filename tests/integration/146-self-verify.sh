#!/usr/bin/env bash
# db and full check what they wrote before reporting success, recorded as
# verify records it; status judges each kind, so a full backup nothing
# verified is a problem even beside fresh, verified dumps.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_selfverify) || { fail selfverify-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS x FROM generate_series(1, 5000) g" >/dev/null
work=$(tmpdir)
proj=$work/proj
git_project "$proj"
out=$work/out

check selfverify-db "$LB_BIN" db -d "dbname=$db" -o "$out"
dump=$(ls "$out"/lot-systems-db-*.sql.gz)
[ -f "$dump.verified.json" ] && pass selfverify-db-recorded || fail selfverify-db-recorded "$(ls -A "$out")"
grep -q "verified $dump" <<<"$LB_LAST_OUTPUT" && pass selfverify-db-says || fail selfverify-db-says "$LB_LAST_OUTPUT"
python3 -c 'import json,sys; c=set(json.load(open(sys.argv[1]))["checks_passed"]); assert {"size","checksum"} <= c, c' \
	"$dump.verified.json" 2>/dev/null && pass selfverify-db-checks-size-and-checksum ||
	fail selfverify-db-checks-size-and-checksum "$(cat "$dump.verified.json" 2>&1)"

check selfverify-full "$LB_BIN" full -C "$proj" -d "dbname=$db" -o "$out"
archive=$(ls "$out"/lot-systems-full-backup-*.tar.gz)
[ -f "$archive.verified.json" ] && pass selfverify-full-recorded || fail selfverify-full-recorded "$(ls -A "$out")"
check_exit selfverify-status-ok 0 "$LB_BIN" status -o "$out"

# A full backup nothing verified: status names it, beside a fresh, verified dump.
rm "$archive.verified.json"
check_exit selfverify-status-unverified-full 1 "$LB_BIN" status -o "$out"
grep -q "no verified full backup.*$(basename "$archive").*never verified" <<<"$LB_LAST_OUTPUT" &&
	pass selfverify-status-names-full || fail selfverify-status-names-full "$LB_LAST_OUTPUT"
check_exit selfverify-status-kind-db-ok 0 "$LB_BIN" status -o "$out" --kind db
json=$("$LB_BIN" status -o "$out" --json 2>/dev/null)
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert not r["ok"] and r["kinds"]["full"]["newest_verified"] is None and r["kinds"]["db"]["newest_verified"]' \
	"$json" 2>/dev/null && pass selfverify-status-json-per-kind || fail selfverify-status-json-per-kind "$json"
finish
