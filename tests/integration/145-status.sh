#!/usr/bin/env bash
# status: the newest backup of each kind, verified or not, disk space, and
# exit 1 when the newest verified backup is older than --max-age (or there
# is none), so that a job that silently stopped is noticed.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
out=$work/backups
dump() {	# dump AGE [verified]: a fake db dump AGE ago (date -d syntax)
	local n
	n=lot-systems-db-$(date -u -d "$1" +%Y-%m-%dT%H-%M-%S).sql.gz
	echo x >"$out/$n"; echo '{}' >"$out/$n.manifest.json"
	[ "${2:-}" = verified ] && printf '{"file": "%s"}\n' "$n" >"$out/$n.verified.json"
	printf '%s\n' "$n"
}

check_exit status-missing-dir 1 "$LB_BIN" status -o "$out"
grep -q 'no verified backup' <<<"$LB_LAST_OUTPUT" && pass status-missing-dir-message || fail status-missing-dir-message "$LB_LAST_OUTPUT"
mkdir -m 700 "$out"
check_exit status-empty-dir 1 "$LB_BIN" status -o "$out"

# Newest unverified (2 h), the newest verified 30 h old: too old for 26 h.
new=$(dump '2 hours ago')
old=$(dump '30 hours ago' verified)
check_exit status-verified-too-old 1 "$LB_BIN" status -o "$out"
grep -q "newest verified backup, $old, is 1d 6h old, more than --max-age 1d 2h" <<<"$LB_LAST_OUTPUT" &&
	pass status-too-old-message || fail status-too-old-message "$LB_LAST_OUTPUT"
grep -q "^db  *$new .* no  *$old (1d 6h)" <<<"$LB_LAST_OUTPUT" && pass status-shows-newest-and-verified ||
	fail status-shows-newest-and-verified "$LB_LAST_OUTPUT"
grep -q '^disk: .* free of .* in ' <<<"$LB_LAST_OUTPUT" && pass status-shows-disk || fail status-shows-disk "$LB_LAST_OUTPUT"
check_exit status-max-age-2d 0 "$LB_BIN" status -o "$out" --max-age 2d
check_exit status-max-age-31h 0 "$LB_BIN" status -o "$out" --max-age 1d7h
check_exit status-max-age-seconds 1 "$LB_BIN" status -o "$out" --max-age 3600
check_exit status-max-age-env 0 env LOTBACKUP_MAX_AGE=48h "$LB_BIN" status -o "$out"
check_exit status-max-age-bad 2 "$LB_BIN" status -o "$out" --max-age 1d30
check_exit status-max-age-bad-env 1 env LOTBACKUP_MAX_AGE=soon "$LB_BIN" status -o "$out"
check_exit status-kind-bad 2 "$LB_BIN" status -o "$out" --kind tape

# JSON, for monitors.
json=$("$LB_BIN" status -o "$out" --json 2>/dev/null); rc=$?
if [ $rc -eq 1 ] && python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["ok"] is False and "max-age" in s["problem"] and s["max_age_seconds"] == 26 * 3600
assert s["kinds"]["db"]["newest"]["name"] == sys.argv[2] and s["kinds"]["db"]["newest"]["verified"] is False
assert s["kinds"]["db"]["newest_verified"]["name"] == sys.argv[3] and s["kinds"]["full"] is None
assert s["newest_verified"]["age_seconds"] >= 30 * 3600 and s["disk"]["free_bytes"] > 0
' "$json" "$new" "$old"; then pass status-json; else fail status-json "exit $rc"$'\n'"$json"; fi

# Per kind: a fresh verified full backup makes the whole fresh, not the db kind.
s=$(date -u -d '1 hour ago' +%Y%m%d_%H%M%S)
echo x >"$out/lot-systems-full-backup-$s.tar.gz"; printf '{"file": "%s"}\n' "$out/lot-systems-full-backup-$s.tar.gz" >"$out/lot-systems-full-backup-$s.tar.gz.verified.json"
check_exit status-any-kind-fresh 0 "$LB_BIN" status -o "$out"
check_exit status-kind-full-fresh 0 "$LB_BIN" status -o "$out" --kind full
check_exit status-kind-db-stale 1 "$LB_BIN" status -o "$out" --kind db
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["ok"] and s["kinds"]["full"]["newest"]["verified"]' \
	"$("$LB_BIN" status -o "$out" --json)" && pass status-json-ok || fail status-json-ok "$("$LB_BIN" status -o "$out" --json)"

# The real thing: a dump, verified, is fresh.
db=$(new_db lb_status) || { fail status-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT 1 AS x" >/dev/null
real=$work/real
check status-real-db "$LB_BIN" db -o "$real" -d "dbname=$db"
# db verifies its own dump (146); without that record, status fails.
rm "$real"/*.verified.json
check_exit status-real-unverified 1 "$LB_BIN" status -o "$real"
check status-real-verify "$LB_BIN" verify -o "$real"
check_exit status-real-verified-fresh 0 "$LB_BIN" status -o "$real"
grep -q '^ok: the newest verified backup, lot-systems-db-.* old (limit 1d 2h)' <<<"$LB_LAST_OUTPUT" &&
	pass status-real-ok-line || fail status-real-ok-line "$LB_LAST_OUTPUT"
finish
