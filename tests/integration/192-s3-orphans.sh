#!/usr/bin/env bash
# Orphaned multipart uploads (issue #16): a multipart upload is recorded in
# OUTPUT/.lotbackup-uploads/ before it begins and until it completes or is
# aborted. The server killed in the middle of a push leaves the record; once
# the server is back, list --remote tries AbortMultipartUpload on it (s3rver
# 5 answers 405: it implements neither that nor ListMultipartUploads) and
# shows the upload as unfinished, with the server's missing listing said;
# once the server says the upload is gone (404 NoSuchUpload, as S3 answers
# after an abort; the fault proxy's --gone-when), the next push drops the
# record and list --remote shows no orphan. A completed push leaves no record.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-orphans
export LOTBACKUP_S3_URL=s3://lotbackup-orphans/off LOTBACKUP_S3_PATH_STYLE=1
work=$(tmpdir)
out=$work/out
gone=$work/gone
s3_proxy_start "$work/proxy.log" --delay-parts 0.4 --gone-when "$gone" ||
	{ fail s3o-proxy "the fault proxy did not start"; finish; }
export LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT
records() { ls "$out/.lotbackup-uploads" 2>/dev/null | grep -c '\.json$'; }

# A push that completes: no record stays.
ok=lot-systems-db-2022-01-01T00-00-00.sql.gz
head -c $((11 * 1024 * 1024)) /dev/urandom >"$work/$ok"
check s3o-push-ok "$LB_BIN" -o "$out" push --part-size 5 "$work/$ok"
[ "$(records)" = 0 ] && pass s3o-push-ok-no-record || fail s3o-push-ok-no-record "$(ls -la "$out/.lotbackup-uploads")"

# The server killed while parts are on their way.
big=lot-systems-db-2022-02-01T00-00-00.sql.gz
head -c $((30 * 1024 * 1024)) /dev/urandom >"$work/$big"
: >"$work/proxy.log"
"$LB_BIN" -o "$out" push --part-size 5 --upload-jobs 1 "$work/$big" >"$work/kill.out" 2>&1 &
pusher=$!
s3_proxy_wait_part "$work/proxy.log" 2
s3_stop
wait "$pusher"
rc=$?
[ "$rc" -eq 1 ] && pass s3o-killed-exit-1 || fail s3o-killed-exit-1 "exit $rc"$'\n'"$(cat "$work/kill.out")"
id=$(sed -n "s/^PUT .*$big?partNumber=1&uploadId=\([^ ]*\) 200$/\1/p" "$work/proxy.log" | head -n 1)
rec=$(ls "$out"/.lotbackup-uploads/*.json 2>/dev/null | head -n 1)
[ -n "$id" ] && [ -n "$rec" ] && grep -q "\"upload_id\": \"$id\"" "$rec" && grep -q "\"key\": \"off/$big\"" "$rec" &&
	[ "$(stat -c %a "$rec")" = 600 ] && pass s3o-killed-recorded || fail s3o-killed-recorded "id $id; $(cat "$rec" 2>&1)"

# The server back: list --remote tries the abort, then shows the upload.
s3_restart || { fail s3o-restart "s3rver did not start again"; finish; }
: >"$work/proxy.log"
check s3o-list-after "$LB_BIN" -o "$out" list --remote
grep -q "^DELETE .*$big?uploadId=$id 405$" "$work/proxy.log" && pass s3o-list-tries-abort ||
	fail s3o-list-tries-abort "$(cat "$work/proxy.log")"
grep -q "unfinished multipart uploads" <<<"$LB_LAST_OUTPUT" && grep -q "off/$big .*upload id $id" <<<"$LB_LAST_OUTPUT" &&
	pass s3o-list-shows-orphan || fail s3o-list-shows-orphan "$LB_LAST_OUTPUT"
grep -q "does not list multipart uploads" <<<"$LB_LAST_OUTPUT" && pass s3o-list-says-server-cannot-list ||
	fail s3o-list-says-server-cannot-list "$LB_LAST_OUTPUT"
grep -q "^db .*$big" <<<"$LB_LAST_OUTPUT" && fail s3o-orphan-not-a-backup "$LB_LAST_OUTPUT" || pass s3o-orphan-not-a-backup
json=$("$LB_BIN" -o "$out" list --remote --json 2>/dev/null)
python3 -c 'import json,sys; d = json.load(sys.stdin); sys.exit(0 if [u["upload_id"] for u in d["unfinished_uploads"]] == [sys.argv[1]] else 1)' \
	"$id" <<<"$json" && pass s3o-list-json || fail s3o-list-json "$json"
[ "$(records)" = 1 ] && pass s3o-record-kept-while-not-aborted || fail s3o-record-kept-while-not-aborted "$(records)"

# The upload gone on the server: the next push drops the record.
touch "$gone"
check s3o-push-after "$LB_BIN" -o "$out" push "$work/$ok"
grep -q "aborted the unfinished multipart upload $id" <<<"$LB_LAST_OUTPUT" && pass s3o-push-aborts-orphan ||
	fail s3o-push-aborts-orphan "$LB_LAST_OUTPUT"
[ "$(records)" = 0 ] && pass s3o-record-dropped || fail s3o-record-dropped "$(ls -la "$out/.lotbackup-uploads")"
check s3o-list-clean "$LB_BIN" -o "$out" list --remote
grep -q "unfinished multipart uploads" <<<"$LB_LAST_OUTPUT" && fail s3o-list-clean-no-orphan "$LB_LAST_OUTPUT" ||
	pass s3o-list-clean-no-orphan
finish
