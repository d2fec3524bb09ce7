#!/usr/bin/env bash
# Retention: prune on 500 generated dumps over two years against a reference
# computed here (restic's buckets); pins; the newest verified backup; only
# own names with a manifest; the more-than-half rule; no pruning after a
# failed db or full; automatic pruning under a configured policy; the lock.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
out=$work/backups
mkdir -m 700 "$out"
now_epoch=$(date -u +%s)

# 500 dumps, newest 3 hours ago, back two years, at irregular hours, some days twice.
python3 - "$out" "$now_epoch" <<'EOF'
import os, random, sys, time
out, now = sys.argv[1], int(sys.argv[2])
rnd = random.Random(8)
times = set()
t = now - 3 * 3600
while len(times) < 500:
    times.add(t)
    t -= rnd.choice([3600 * 5, 86400, 86400, 86400 + 7200, 2 * 86400 - 3600])
for t in times:
    name = time.strftime("lot-systems-db-%Y-%m-%dT%H-%M-%S.sql.gz", time.gmtime(t))
    open(os.path.join(out, name), "w").write("x\n")
    open(os.path.join(out, name + ".manifest.json"), "w").write("{}\n")
EOF
names=$(ls "$out" | grep -E '^lot-systems-db-.*\.sql\.gz$' | sort -r)
[ "$(wc -l <<<"$names")" -eq 500 ] && pass prune-generated-500 || fail prune-generated-500 "$(wc -l <<<"$names")"
oldest=$(tail -n 1 <<<"$names")
pinned1=$(sed -n 400p <<<"$names")
pinned2=$(sed -n 450p <<<"$names")
verified_old=$(sed -n 480p <<<"$names")
# A dump without a manifest (not ours to judge), and things that are not ours at all.
nomanifest=$(sed -n 470p <<<"$names")
rm "$out/$nomanifest.manifest.json"
strangers=("lot-systems-db-2001-01-01T00-00-00.sql.gz.bak" "notes.txt" "lot-systems-db-2001-02-30T00-00-00.sql.gz")
for f in "${strangers[@]}"; do echo keep >"$out/$f"; done
# The newest dumps are unverified; the only verification record is 20 months old.
printf '{"verified_at": "x", "file": "%s/%s"}\n' "$out" "$verified_old" >"$out/$verified_old.verified.json"

check pin-1 "$LB_BIN" pin "$out/$pinned1" --reason "v2.0 release"
check pin-2 "$LB_BIN" pin "$out/$pinned2" --reason "v1.0 release"
check_exit pin-needs-reason 2 "$LB_BIN" pin "$out/$pinned1"
check_exit pin-reason-one-line 2 "$LB_BIN" pin "$out/$pinned1" --reason $'two\nlines'
check_exit pin-refuses-foreign 1 "$LB_BIN" pin "$out/notes.txt" --reason x
check_exit pin-refuses-missing 1 "$LB_BIN" pin "$out/lot-systems-db-2001-01-01T00-00-00.sql.gz" --reason x
[ -f "$out/$pinned1.pin.json" ] && [ ! -e "$out/$pinned1.pin.json.tmp" ] && pass pin-record-written ||
	fail pin-record-written "$(ls "$out" | grep pin)"

# The reference: the newest dump of each of the last N days / ISO weeks /
# months (UTC) that have one, and the oldest while a rule has counts left;
# pins, the newest verified and the one without manifest on top.
expected_delete=$(python3 - "$out" "$pinned1" "$pinned2" "$verified_old" "$nomanifest" <<'EOF'
import datetime, os, re, sys
out, pins, verified, noman = sys.argv[1], sys.argv[2:4], sys.argv[4], sys.argv[5]
names = sorted((n for n in os.listdir(out) if re.fullmatch(r"lot-systems-db-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.sql\.gz", n)
                and n != "lot-systems-db-2001-02-30T00-00-00.sql.gz"), reverse=True)
cands = [n for n in names if n != noman]
def when(n): return datetime.datetime.strptime(n[15:34], "%Y-%m-%dT%H-%M-%S")
keys = [lambda d: d.strftime("%Y-%m-%d"), lambda d: "%d-W%02d" % d.isocalendar()[:2], lambda d: d.strftime("%Y-%m")]
keep = set(pins) | {verified, noman}
for key, count in zip(keys, (30, 12, 12)):
    seen = []
    for n in cands:
        k = key(when(n))
        if k not in seen:
            seen.append(k)
            if len(seen) <= count:
                keep.add(n)
    if len(seen) < count:
        keep.add(cands[-1])
print("\n".join(n for n in names if n not in keep))
EOF
)
ndel=$(wc -l <<<"$expected_delete")

# Dry run: the plan, with the rule for each kept dump; nothing deleted.
check_exit prune-dry-run 0 "$LB_BIN" prune -o "$out" --dry-run
plan=$LB_LAST_OUTPUT
got_delete=$(sed -n 's/^would delete \(lot-systems-db-[^ ]*\) .*/\1/p' <<<"$plan" | sort -r)
[ "$got_delete" = "$expected_delete" ] && pass prune-matches-reference ||
	fail prune-matches-reference "expected $ndel deletions, got $(wc -l <<<"$got_delete")"$'\n'"$(diff <(echo "$expected_delete") <(echo "$got_delete") | head)"
grep -q "^keep  *$pinned1 (.*pinned: v2.0 release" <<<"$plan" && pass dry-run-shows-pin-reason || fail dry-run-shows-pin-reason "$(grep "$pinned1" <<<"$plan")"
grep -q "^keep  *$verified_old (.*newest verified" <<<"$plan" && pass dry-run-keeps-newest-verified || fail dry-run-keeps-newest-verified "$(grep "$verified_old" <<<"$plan")"
grep -q "^keep  *$nomanifest (no manifest" <<<"$plan" && pass dry-run-keeps-no-manifest || fail dry-run-keeps-no-manifest "$(grep "$nomanifest" <<<"$plan")"
grep -q "^keep  *$(head -n 1 <<<"$names") (daily .*, weekly .*, monthly " <<<"$plan" && pass dry-run-rules-of-newest ||
	fail dry-run-rules-of-newest "$(head -n 3 <<<"$plan")"
[ "$(ls "$out" | wc -l)" -eq $((500 * 2 - 1 + 3 + 1 + 2)) ] && pass dry-run-deletes-nothing || fail dry-run-deletes-nothing "$(ls "$out" | wc -l)"

# More than half at once: refused without --force, nothing deleted.
[ $((ndel * 2)) -gt 499 ] && pass prune-set-is-mass-deletion || fail prune-set-is-mass-deletion "$ndel"
check_exit prune-refuses-mass-deletion 1 "$LB_BIN" prune -o "$out"
grep -q 'more than half.*--force' <<<"$LB_LAST_OUTPUT" && pass prune-refusal-message || fail prune-refusal-message "$LB_LAST_OUTPUT"
[ "$(ls "$out" | grep -c '\.sql\.gz$')" -eq 501 ] && pass refused-prune-deleted-nothing || fail refused-prune-deleted-nothing "$(ls "$out" | grep -c '\.sql\.gz$')"

# A failed run never prunes, even with a policy and --force.
check_exit failed-db-exit-1 1 "$LB_BIN" db -o "$out" -d "dbname=lb_missing_db" --keep-daily 1 --keep-weekly 0 --keep-monthly 0 --force
[ "$(ls "$out" | grep -c '\.sql\.gz$')" -eq 501 ] && pass no-prune-after-failed-db || fail no-prune-after-failed-db "$(ls "$out" | grep -c '\.sql\.gz$')"
proj=$(tmpdir)
fulls=()
for d in 3 4; do
	s=$(date -u -d "$d days ago" +%Y%m%d_%H%M%S)
	fulls+=("lot-systems-full-backup-$s.tar.gz")
	echo x >"$out/${fulls[-1]}"; echo '{}' >"$out/${fulls[-1]}.manifest.json"
done
check_exit failed-full-exit-1 1 "$LB_BIN" full -C "$proj" -o "$out" --no-git -d "dbname=lb_missing_db" --keep-daily 1 --keep-weekly 0 --keep-monthly 0 --force
[ -e "$out/${fulls[0]}" ] && [ -e "$out/${fulls[1]}" ] && pass no-prune-after-failed-full || fail no-prune-after-failed-full "$(ls "$out" | grep full)"
for f in "${fulls[@]}"; do rm "$out/$f" "$out/$f.manifest.json"; done

# Not while another run holds the output directory.
flock "$out/.lotbackup.lock" sleep 5 &
holder=$!
sleep 0.5
check_exit prune-refuses-while-locked 1 "$LB_BIN" prune -o "$out" --force
grep -q 'another lotbackup' <<<"$LB_LAST_OUTPUT" && pass prune-lock-message || fail prune-lock-message "$LB_LAST_OUTPUT"
check_exit pin-refuses-while-locked 1 "$LB_BIN" pin "$out/$oldest" --reason x
wait "$holder"

check prune-force "$LB_BIN" prune -o "$out" --force
left=$(ls "$out" | grep -E '^lot-systems-db-.*\.sql\.gz$' | sort -r)
gone=$(comm -23 <(sort <<<"$names") <(sort <<<"$left") | sort -r)
[ "$gone" = "$expected_delete" ] && pass prune-deletes-exactly-reference || fail prune-deletes-exactly-reference "$(diff <(echo "$expected_delete") <(echo "$gone") | head)"
bad=''
for f in "${strangers[@]}"; do [ -e "$out/$f" ] || bad="$bad $f"; done
for f in $expected_delete; do [ -e "$out/$f.manifest.json" ] && bad="$bad $f.manifest.json"; done
[ -e "$out/$pinned1.pin.json" ] || bad="$bad pin-record"
[ -e "$out/$verified_old.verified.json" ] || bad="$bad verified-record"
[ -z "$bad" ] && pass prune-leaves-others-and-sidecars-go || fail prune-leaves-others-and-sidecars-go "$bad"

# list: the pins and the rule that keeps each.
check_exit list-after-prune 0 "$LB_BIN" list --wide -o "$out"
grep "$pinned1" <<<"$LB_LAST_OUTPUT" | grep -q 'pinned: v2.0 release' && pass list-shows-pin-reason || fail list-shows-pin-reason "$LB_LAST_OUTPUT"
grep "$(head -n 1 <<<"$names")" <<<"$LB_LAST_OUTPUT" | grep -q 'daily .*weekly .*monthly' && pass list-shows-rule || fail list-shows-rule "$(head -n 3 <<<"$LB_LAST_OUTPUT")"
json=$("$LB_BIN" list --json -o "$out")
python3 -c 'import json,sys; l=json.loads(sys.argv[1]); p=[e for e in l if e["name"]==sys.argv[2]][0]; assert p["pinned"] and p["pin_reason"]=="v2.0 release" and p["keep"]; assert all(e["kept_by"] for e in l)' "$json" "$pinned1" 2>/dev/null &&
	pass list-json-pins || fail list-json-pins "$(head -c 600 <<<"$json")"

# unpin: the policy applies again, and the next prune deletes it.
check unpin "$LB_BIN" unpin "$out/$pinned1"
check_exit unpin-twice 1 "$LB_BIN" unpin "$out/$pinned1"
check prune-after-unpin "$LB_BIN" prune -o "$out"
[ ! -e "$out/$pinned1" ] && [ -e "$out/$pinned2" ] && pass unpinned-pruned-pinned-kept || fail unpinned-pruned-pinned-kept "$(ls "$out" | head)"

# Settings: a wrong time zone, two policies at once.
check_exit bad-timezone 1 "$LB_BIN" prune -o "$out" --timezone Europe/Berlln --dry-run
grep -q "unknown time zone 'Europe/Berlln'" <<<"$LB_LAST_OUTPUT" && pass bad-timezone-message || fail bad-timezone-message "$LB_LAST_OUTPUT"
check_exit keep-and-gfs-usage-error 2 "$LB_BIN" db -o "$out" --keep 7 --keep-daily 3 --dry-run
printf 'LOTBACKUP_KEEP_DAYS=7\nLOTBACKUP_KEEP_DAILY=3\n' >"$proj/.env"
check_exit keep-days-and-gfs-settings 1 "$LB_BIN" prune -C "$proj" -o "$out" --dry-run
rm "$proj/.env"

# Automatic: after a good db under a policy in .env, in a configured time zone.
db=$(new_db lb_prune) || { fail prune-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT 1 AS x" >/dev/null
auto=$work/auto
mkdir -m 700 "$auto"
for d in 1 2 9; do
	n=lot-systems-db-$(date -u -d "$d days ago" +%Y-%m-%dT%H-%M-%S).sql.gz
	echo x >"$auto/$n"; echo '{}' >"$auto/$n.manifest.json"
done
printf 'LOTBACKUP_KEEP_DAILY=3\nLOTBACKUP_KEEP_WEEKLY=0\nLOTBACKUP_KEEP_MONTHLY=0\nLOTBACKUP_TIMEZONE=Europe/Berlin\n' >"$proj/.env"
check db-auto-prune "$LB_BIN" db -C "$proj" -o "$auto" -d "dbname=$db"
n=$(ls "$auto" | grep -cE '^lot-systems-db-.*\.sql\.gz$')
[ "$n" -eq 3 ] && pass db-auto-prune-keeps-3-daily || fail db-auto-prune-keeps-3-daily "$(ls "$auto")"
# --keep N on the command line with a policy in .env: two policies, refused
# before anything is dumped or deleted (137-one-policy.sh has the rest).
for d in 2 20; do
	n=lot-systems-db-$(date -u -d "$d days ago" +%Y-%m-%dT%H-%M-%S).sql.gz
	echo x >"$auto/$n"; echo '{}' >"$auto/$n.manifest.json"
done
check_exit db-keep-with-policy-refused 1 "$LB_BIN" db -C "$proj" -o "$auto" -d "dbname=$db" --keep 7
ls "$auto" | grep -q "$(date -u -d '20 days ago' +%Y-%m-%d)" && pass db-keep-refused-deletes-nothing ||
	fail db-keep-refused-deletes-nothing "$(ls "$auto")"

# Full backups: pruned after a good full under a policy, archive and directory together.
fout=$work/full
mkdir -m 700 "$fout"
for d in 5 6; do
	s=$(date -u -d "$d days ago" +%Y%m%d_%H%M%S)
	echo x >"$fout/lot-systems-full-backup-$s.tar.gz"; echo '{}' >"$fout/lot-systems-full-backup-$s.tar.gz.manifest.json"
	mkdir "$fout/full-backup-$s"; echo '{}' >"$fout/full-backup-$s/MANIFEST.json"
done
printf 'hello\n' >"$proj/README.md"
check full-auto-prune "$LB_BIN" full -C "$proj" -o "$fout" --no-git -d "dbname=$db" --keep-daily 2 --keep-weekly 0 --keep-monthly 0
s6=$(date -u -d '6 days ago' +%Y%m%d)
s5=$(date -u -d '5 days ago' +%Y%m%d)
if ! ls "$fout" | grep -q "$s6" && [ "$(ls "$fout" | grep -c "$s5")" -eq 3 ] && [ "$(ls -d "$fout"/full-backup-* | wc -l)" -eq 2 ]; then
	pass full-auto-prune-unit
else
	fail full-auto-prune-unit "$(ls "$fout")"
fi
finish
