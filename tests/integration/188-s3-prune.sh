#!/usr/bin/env bash
# prune --remote against a real S3 server on 127.0.0.1 (s3rver 5): 60 days
# of planted dumps under the prefix, pinned and verified by local records of
# the same names, among foreign objects (other names, a deeper key, the
# same name under another prefix) and a dump without a manifest. The plan
# is local prune's for the same names; only backups with a manifest go,
# manifest first; the more-than-half rule and --dry-run as locally.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-prune
export LOTBACKUP_S3_URL=s3://lotbackup-prune/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1

work=$(tmpdir)
out=$work/backups
up=$work/up
mkdir -m 700 "$out" "$up"
now_epoch=$(date -u +%s)

# 60 dumps, one a day at irregular hours, newest 3 hours ago: here with a
# manifest push accepts, and in the output directory under the same names.
python3 - "$up" "$out" "$now_epoch" <<'PY'
import hashlib, json, os, random, sys, time
up, out, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(16)
for k in range(60):
    t = now - 3 * 3600 - k * 86400 - rnd.randrange(0, 6) * 3600
    name = time.strftime("lot-systems-db-%Y-%m-%dT%H-%M-%S.sql.gz", time.gmtime(t))
    data = ("dump %d\n" % k).encode()
    open(os.path.join(up, name), "wb").write(data)
    json.dump({"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()},
              open(os.path.join(up, name + ".manifest.json"), "w"))
    open(os.path.join(out, name), "wb").write(data)
    open(os.path.join(out, name + ".manifest.json"), "w").write("{}\n")
PY
names=$(ls "$up" | grep -E '^lot-systems-db-.*\.sql\.gz$' | sort -r)
pinned=$(sed -n 40p <<<"$names")
verified=$(sed -n 50p <<<"$names")
half=$(sed -n 45p <<<"$names")
check s3p-pin "$LB_BIN" pin -o "$out" "$out/$pinned" --reason "v1.0 release"
printf '{"file": "%s/%s"}\n' "$out" "$verified" >"$out/$verified.verified.json"
rm "$up/$half.manifest.json" "$out/$half.manifest.json"
check s3p-push "$LB_BIN" push $(sed "s|^|$up/|" <<<"$names")

# Foreign objects, put there by something else.
put() {
	curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H "x-amz-content-sha256: $(printf '%s' "$2" | sha256sum | cut -d' ' -f1)" \
		-X PUT --data-binary "$2" "$S3_ENDPOINT/lotbackup-prune/$1"
}
oldest=$(tail -n 1 <<<"$names")
foreign=(site/other/thing other/thing site/notes.txt "site/$oldest.bak" "elsewhere/$oldest" "elsewhere/$oldest.manifest.json"
	"site/deeper/$oldest" "site/deeper/$oldest.manifest.json")
for k in "${foreign[@]}"; do
	put "$k" foreign || fail s3p-plant "cannot PUT $k"
done
stored() { [ -n "$(find "$S3_DIR/lotbackup-prune" -path "*/lotbackup-prune/$1._S3rver_object" 2>/dev/null)" ]; }
stored other/thing && stored site/deeper/"$oldest" && pass s3p-planted || fail s3p-planted "$(find "$S3_DIR" | head)"

policy=(--keep-daily 7 --keep-weekly 4 --keep-monthly 2)
local_plan=$("$LB_BIN" prune -o "$out" --dry-run "${policy[@]}" 2>&1 | sort)
check s3p-dry-run "$LB_BIN" prune --remote -o "$out" --dry-run "${policy[@]}"
remote_plan=$(sort <<<"$LB_LAST_OUTPUT")
[ "$remote_plan" = "$local_plan" ] && pass s3p-plan-equals-local ||
	fail s3p-plan-equals-local "$(diff <(echo "$local_plan") <(echo "$remote_plan") | head -20)"
grep -q "^keep .*$pinned (.*pinned" <<<"$remote_plan" && pass s3p-plan-keeps-pinned || fail s3p-plan-keeps-pinned "$remote_plan"
grep -q "^keep .*$verified (.*verified" <<<"$remote_plan" && pass s3p-plan-keeps-verified ||
	fail s3p-plan-keeps-verified "$remote_plan"
[ "$(grep -c '^would delete' <<<"$remote_plan")" -gt 30 ] && pass s3p-plan-deletes || fail s3p-plan-deletes "$remote_plan"
before=$("$LB_BIN" list --remote --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["backups"]))')
[ "$before" -eq 60 ] && pass s3p-dry-run-deletes-nothing || fail s3p-dry-run-deletes-nothing "$before backups"

check_exit s3p-more-than-half 1 "$LB_BIN" prune --remote -o "$out" "${policy[@]}"
grep -q 'more than half: nothing deleted' <<<"$LB_LAST_OUTPUT" && pass s3p-more-than-half-says ||
	fail s3p-more-than-half-says "$LB_LAST_OUTPUT"
check s3p-prune "$LB_BIN" prune --remote -o "$out" --force "${policy[@]}"
kept=$("$LB_BIN" list --remote --json 2>/dev/null | python3 -c 'import json,sys
for b in json.load(sys.stdin)["backups"]: print(b["name"], b["manifest"])' | sort)
want=$( (grep '^keep ' <<<"$local_plan" | awk '{print $2, "True"}' | grep -v "^$half "; echo "$half False") | sort)
[ "$kept" = "$want" ] && pass s3p-kept-equals-plan || fail s3p-kept-equals-plan "$(diff <(echo "$want") <(echo "$kept") | head -20)"
for k in "${foreign[@]}"; do
	stored "$k" || fail s3p-foreign-survives "$k is gone"
done
pass s3p-foreign-checked
stored "site/$half" && pass s3p-half-survives || fail s3p-half-survives "site/$half is gone"
gone=$(grep '^would delete' <<<"$local_plan" | head -n 1 | awk '{print $3}')
! stored "site/$gone" && ! stored "site/$gone.manifest.json" && pass s3p-deleted-with-manifest ||
	fail s3p-deleted-with-manifest "site/$gone or its manifest is still there"
[ -e "$out/$gone" ] && pass s3p-local-untouched || fail s3p-local-untouched "$out/$gone was deleted"
check s3p-prune-again "$LB_BIN" prune --remote -o "$out" "${policy[@]}"

# A dump dated in the future off-site (a clock that was wrong, a name put
# there): the dates cannot be trusted, prune --remote deletes nothing, as
# local prune; a dry run only says so.
future=lot-systems-db-2099-01-01T00-00-00.sql.gz
mkdir -m 700 "$work/future"
printf 'dump future\n' >"$work/future/$future"
python3 -c 'import hashlib, json, sys; d = open(sys.argv[1], "rb").read()
json.dump({"bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}, open(sys.argv[1] + ".manifest.json", "w"))' \
	"$work/future/$future"
check s3p-push-future "$LB_BIN" push "$work/future/$future"
count() { "$LB_BIN" list --remote --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["backups"]))'; }
before=$(count)
check_exit s3p-future-refused 1 "$LB_BIN" prune --remote -o "$out" --force --keep-daily 1 --keep-weekly 0 --keep-monthly 0
grep -q "$future .*dated in the future" <<<"$LB_LAST_OUTPUT" && pass s3p-future-says || fail s3p-future-says "$LB_LAST_OUTPUT"
[ "$(count)" = "$before" ] && pass s3p-future-deletes-nothing || fail s3p-future-deletes-nothing "$before before, $(count) now"
# status --remote: a dump named after the clock proves no recent upload.
check_exit s3p-future-status 1 "$LB_BIN" status --remote --max-age 1d
grep -q "$future is dated in the future" <<<"$LB_LAST_OUTPUT" && pass s3p-future-status-says ||
	fail s3p-future-status-says "$LB_LAST_OUTPUT"
check s3p-future-dry-run "$LB_BIN" prune --remote -o "$out" --dry-run --keep-daily 1 --keep-weekly 0 --keep-monthly 0
grep -q "would refuse to run" <<<"$LB_LAST_OUTPUT" && pass s3p-future-dry-run-says ||
	fail s3p-future-dry-run-says "$LB_LAST_OUTPUT"
check_exit s3p-needs-url 1 env -u LOTBACKUP_S3_URL "$LB_BIN" prune --remote "${policy[@]}"
finish
