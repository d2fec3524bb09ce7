#!/usr/bin/env bash
# Backups whose names are dated in the future (a clock that was wrong once,
# or files put there by hand) never count as the newest, the fresh or the
# kept-by-recency backup: status says what it found, latest-db skips them,
# prune refuses to guess. And "verified" is a NAME.verified.json that parses
# and records NAME itself, not any file of that name.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
out=$work/backups
mkdir -m 700 "$out"
record() {	# record NAME: the verification record verify writes for NAME
	printf '{"verified_at": "2026-01-01T00:00:00Z", "tool_version": "t", "file": "%s/%s", "checks_passed": []}\n' \
		"$out" "$1" >"$out/$1.verified.json"
}
real() {	# real AGE: a verified dump AGE ago (date -d syntax)
	local n
	n=lot-systems-db-$(date -u -d "$1" +%Y-%m-%dT%H-%M-%S).sql.gz
	echo x >"$out/$n"; echo '{}' >"$out/$n.manifest.json"; record "$n"
	printf '%s\n' "$n"
}
r40=$(real '40 days ago'); r20=$(real '20 days ago'); r2=$(real '2 days ago')

check_exit future-status-before 1 "$LB_BIN" status -o "$out" --max-age 1d
for d in 2099-01-01 2099-01-02 2099-01-03 2099-01-04; do
	n=lot-systems-db-${d}T00-00-00.sql.gz
	: >"$out/$n"; : >"$out/$n.manifest.json"; : >"$out/$n.verified.json"
done
fake=lot-systems-db-2099-01-04T00-00-00.sql.gz
before=$(ls "$out" | sort)

# status: the real newest verified is still 2 days old, and the future ones are named.
check_exit future-status-not-fresh 1 "$LB_BIN" status -o "$out" --max-age 1d
! grep -q '^ok:' <<<"$LB_LAST_OUTPUT" && grep -q "newest verified backup, $r2, is 2d" <<<"$LB_LAST_OUTPUT" &&
	pass future-status-real-newest || fail future-status-real-newest "$LB_LAST_OUTPUT"
grep -q "4 backups dated in the future.*$fake" <<<"$LB_LAST_OUTPUT" && pass future-status-says-what ||
	fail future-status-says-what "$LB_LAST_OUTPUT"
# Fresh enough, but the future-dated names are a problem of their own.
check_exit future-status-flagged 1 "$LB_BIN" status -o "$out" --max-age 3d
grep -q "dated in the future.*clock" <<<"$LB_LAST_OUTPUT" && pass future-status-problem ||
	fail future-status-problem "$LB_LAST_OUTPUT"
json=$("$LB_BIN" status -o "$out" --max-age 3d --json 2>/dev/null)
python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["ok"] is False and "future" in s["problem"], s
assert s["kinds"]["db"]["newest"]["name"] == sys.argv[2] == s["newest_verified"]["name"], s
assert s["future_dated"] == sorted(s["future_dated"], reverse=True) and s["future_dated"][0] == sys.argv[3], s
' "$json" "$r2" "$fake" && pass future-status-json || fail future-status-json "$json"

# latest-db is the real newest (whose "x" fails verify, which drops its record: put back).
"$LB_BIN" verify -o "$out" latest-db >"$work/latest.txt" 2>&1
grep -q "latest-db is $out/$r2\$" "$work/latest.txt" && grep -q "passing over 4 backups dated in the future, the newest $out/$fake" "$work/latest.txt" &&
	pass future-latest-db-real || fail future-latest-db-real "$(cat "$work/latest.txt")"
record "$r2"

# prune refuses, with one line naming the newest future-dated file; nothing goes.
check_exit future-prune-refused 1 "$LB_BIN" prune -o "$out" --kind db --keep-daily 4 --keep-weekly 0 --keep-monthly 0
[ "$(grep -c . <<<"$LB_LAST_OUTPUT")" -eq 1 ] && grep -q "$fake.*in the future.*clock" <<<"$LB_LAST_OUTPUT" &&
	pass future-prune-one-line || fail future-prune-one-line "$LB_LAST_OUTPUT"
[ "$(ls "$out" | sort)" = "$before" ] && pass future-prune-nothing-deleted || fail future-prune-nothing-deleted "$(ls "$out")"
check_exit future-prune-all-kinds 1 "$LB_BIN" prune -o "$out" --keep-daily 4 --keep-weekly 0 --keep-monthly 0 --force
# A dry run shows the plan, and that prune would refuse.
check_exit future-prune-dry-run 0 "$LB_BIN" prune -o "$out" --kind db --keep-daily 4 --keep-weekly 0 --keep-monthly 0 --dry-run
grep -q "^($fake is dated in the future: prune refuses" <<<"$LB_LAST_OUTPUT" &&
	grep -q "^keep  *$fake (dated in the future)" <<<"$LB_LAST_OUTPUT" && grep -q "^keep  *$r2 (newest verified, daily" <<<"$LB_LAST_OUTPUT" &&
	pass future-dry-run-plan || fail future-dry-run-plan "$LB_LAST_OUTPUT"
"$LB_BIN" prune -o "$out" --kind db --keep-daily 4 --keep-weekly 0 --keep-monthly 0 --dry-run --json | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]
assert p["refused_future_dated"] == sys.argv[1] and p["backups"][0]["reason"] == "dated in the future", p
' "$fake" && pass future-dry-run-json || fail future-dry-run-json "$("$LB_BIN" prune -o "$out" --kind db --dry-run --json 2>&1)"
[ "$(ls "$out" | sort)" = "$before" ] && pass future-dry-run-nothing-deleted || fail future-dry-run-nothing-deleted "$(ls "$out")"

# list shows them, kept and why; an empty record is no verification.
check future-list "$LB_BIN" list -o "$out" --json
python3 -c '
import json, sys
rows = {r["name"]: r for r in json.loads(sys.argv[1])}
f = rows[sys.argv[2]]
assert f["verified"] is False and f["keep"] and f["kept_by"].startswith("dated in the future"), f
assert rows[sys.argv[3]]["verified"] is True and "newest verified" in rows[sys.argv[3]]["kept_by"], rows[sys.argv[3]]
' "$LB_LAST_OUTPUT" "$fake" "$r2" && pass future-list-json || fail future-list-json "$LB_LAST_OUTPUT"

# Within the tolerance for clock skew (5 minutes): an ordinary backup.
rm "$out"/lot-systems-db-2099-*
soon=lot-systems-db-$(date -u -d '2 minutes' +%Y-%m-%dT%H-%M-%S).sql.gz
echo x >"$out/$soon"; echo '{}' >"$out/$soon.manifest.json"; record "$soon"
check future-skew-status "$LB_BIN" status -o "$out" --max-age 1d
grep -q "^ok: the newest verified backup, $soon" <<<"$LB_LAST_OUTPUT" && pass future-skew-is-newest ||
	fail future-skew-is-newest "$LB_LAST_OUTPUT"
later=lot-systems-db-$(date -u -d '20 minutes' +%Y-%m-%dT%H-%M-%S).sql.gz
echo x >"$out/$later"; echo '{}' >"$out/$later.manifest.json"; record "$later"
check_exit future-beyond-skew 1 "$LB_BIN" prune -o "$out" --kind db --keep-daily 4 --keep-weekly 0 --keep-monthly 0
grep -q "$later" <<<"$LB_LAST_OUTPUT" && pass future-beyond-skew-named || fail future-beyond-skew-named "$LB_LAST_OUTPUT"
rm "$out/$later"*
check future-prune-after "$LB_BIN" prune -o "$out" --kind db --keep-daily 2 --keep-weekly 0 --keep-monthly 0 --force
[ ! -e "$out/$r40" ] && [ -e "$out/$r2" ] && [ -e "$out/$soon" ] && pass future-prune-after-keeps-newest ||
	fail future-prune-after-keeps-newest "$(ls "$out")"

# Only a record that parses and names this very file makes it verified.
v=$work/verified
mkdir -m 700 "$v"
a=lot-systems-db-$(date -u -d '3 hours ago' +%Y-%m-%dT%H-%M-%S).sql.gz
b=lot-systems-db-$(date -u -d '5 hours ago' +%Y-%m-%dT%H-%M-%S).sql.gz
for n in "$a" "$b"; do echo x >"$v/$n"; echo '{}' >"$v/$n.manifest.json"; done
echo '{}' >"$v/$a.verified.json"
check_exit verified-empty-object 1 "$LB_BIN" status -o "$v"
grep -q 'no verified backup' <<<"$LB_LAST_OUTPUT" && pass verified-empty-object-message ||
	fail verified-empty-object-message "$LB_LAST_OUTPUT"
printf '{"verified_at": "x", "file": "%s/%s"}\n' "$v" "$b" >"$v/$a.verified.json"
check_exit verified-other-file 1 "$LB_BIN" status -o "$v"
echo 'not json' >"$v/$a.verified.json"
check_exit verified-unparsable 1 "$LB_BIN" status -o "$v"
printf '{"verified_at": "x", "file": "elsewhere/%s"}\n' "$a" >"$v/$a.verified.json"
check verified-own-record "$LB_BIN" status -o "$v"
"$LB_BIN" list -o "$v" --json | python3 -c '
import json, sys
rows = {r["name"]: r["verified"] for r in json.load(sys.stdin)}
assert rows == {sys.argv[1]: True, sys.argv[2]: False}, rows
' "$a" "$b" && pass verified-list-json || fail verified-list-json "$("$LB_BIN" list -o "$v" --json)"
finish
