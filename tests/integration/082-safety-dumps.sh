#!/usr/bin/env bash
# The safety dump restore --clean takes of its target is not a backup of
# the product: it goes to OUTPUT/safety-dumps/, outside the daily, weekly
# and monthly buckets, never counted or deleted by retention and never the
# newest db backup of status; list shows it, naming the database it is of.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

src=$(new_db lb_sd_src) || { fail safety-setup createdb; finish; }
tgt=$(new_db lb_sd_target) || { fail safety-setup createdb; finish; }
psql -X -q -d "$src" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 10) g" >/dev/null
psql -X -q -d "$tgt" -c "CREATE TABLE old AS SELECT 1 AS x" >/dev/null
work=$(tmpdir)
out=$work/backups
check safety-db "$LB_BIN" db -q -d "dbname=$src" -o "$out"
dump=$(ls "$out"/lot-systems-db-*.sql.gz)
sleep 1
check safety-restore-clean "$LB_BIN" restore "$dump" -d "dbname=$tgt" --clean -o "$out"
sd=$(ls "$out"/safety-dumps/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
[ -n "$sd" ] && [ -f "$sd.manifest.json" ] && grep -q "safety dump of the target written: $sd" <<<"$LB_LAST_OUTPUT" &&
	pass safety-dump-own-folder || fail safety-dump-own-folder "$(ls -R "$out")"$'\n'"$LB_LAST_OUTPUT"
[ "$(ls "$out" | grep -cE '^lot-systems-db-.*\.sql\.gz$')" -eq 1 ] && pass safety-dump-not-beside-backups ||
	fail safety-dump-not-beside-backups "$(ls "$out")"

# Retention neither counts nor deletes it; status's newest db backup is the real one.
check_exit safety-prune-dry-run 0 "$LB_BIN" prune -o "$out" --dry-run --keep-daily 1 --keep-weekly 0 --keep-monthly 0
grep -q 'db backups: .*: 1, 0 to delete' <<<"$LB_LAST_OUTPUT" && pass safety-dump-not-counted ||
	fail safety-dump-not-counted "$LB_LAST_OUTPUT"
check safety-verify "$LB_BIN" verify -q "$dump" "$sd"
check_exit safety-status 0 "$LB_BIN" status -o "$out" --json --kind db --max-age 1h
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); t=json.dumps(s); assert sys.argv[2] in t and "safety" not in t, t' \
	"$LB_LAST_OUTPUT" "$(basename "$dump")" 2>/dev/null && pass safety-dump-not-status-newest ||
	fail safety-dump-not-status-newest "$LB_LAST_OUTPUT"

# list shows it, and the database each dump is of.
check_exit safety-list 0 "$LB_BIN" list -o "$out" --wide
grep -E "^safety .*$(basename "$sd").*of $tgt" <<<"$LB_LAST_OUTPUT" >/dev/null && pass safety-list-row ||
	fail safety-list-row "$LB_LAST_OUTPUT"
json=$("$LB_BIN" list -o "$out" --json)
python3 - "$json" "$src" "$tgt" "$(basename "$sd")" <<'EOF' && pass safety-list-json-database || fail safety-list-json-database "$json"
import json, sys
rows, src, tgt, sd = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
kinds = {r["name"]: (r["kind"], r.get("database")) for r in rows}
assert kinds[sd] == ("safety", tgt), kinds
assert [v for k, v in kinds.items() if k != sd] == [("db", src)], kinds
EOF
finish
