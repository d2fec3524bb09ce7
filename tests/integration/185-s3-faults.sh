#!/usr/bin/env bash
# Off-site uploads when the S3 server fails (tests/lib/s3server.sh, with
# tests/lib/s3-fault-proxy.py in front): a part answered 500 once is
# uploaded again and the push succeeds; the server killed in the middle of
# a multipart upload fails the push (exit 1) with the local file untouched
# and no manifest remotely, and nothing half-uploaded counts as a backup
# once the server is back.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-faults
export LOTBACKUP_S3_URL=s3://lotbackup-faults/off LOTBACKUP_S3_PATH_STYLE=1
work=$(tmpdir)

# Part 2 answered 500 once: retried, and the object is whole.
one=lot-systems-db-2022-01-01T00-00-00.sql.gz
head -c $((12 * 1024 * 1024)) /dev/urandom >"$work/$one"
s3_proxy_start "$work/retry.log" --fail-part 2 || { fail s3-proxy "the fault proxy did not start"; finish; }
check s3-part-retried env LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT "$LB_BIN" -o "$work/journal" push --part-size 5 "$work/$one"
grep -q 'PUT of part 2 failed with HTTP 500 (try 1 of 5); trying again' <<<"$LB_LAST_OUTPUT" && pass s3-part-retry-warns ||
	fail s3-part-retry-warns "$LB_LAST_OUTPUT"
[ "$(grep -c '^PUT .*partNumber=2&.* 500$' "$work/retry.log")" = 1 ] &&
	[ "$(grep -c '^PUT .*partNumber=2&.* 200$' "$work/retry.log")" = 1 ] && pass s3-part-failed-once-then-ok ||
	fail s3-part-failed-once-then-ok "$(cat "$work/retry.log")"
check s3-part-retried-pull env LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT "$LB_BIN" -o "$work/back" pull --force "$one"
cmp -s "$work/$one" "$work/back/$one" && pass s3-part-retried-identical || fail s3-part-retried-identical "differs"
kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null

# SIGTERM in the middle of a multipart upload: the push stops and aborts it (the DELETE ?uploadId
# reaches the server; s3rver answers 405, not implementing it), exit 143.
mid=lot-systems-db-2022-01-15T00-00-00.sql.gz
head -c $((30 * 1024 * 1024)) /dev/urandom >"$work/$mid"
s3_proxy_start "$work/term.log" --delay-parts 0.3 || { fail s3-proxy "the fault proxy did not start"; finish; }
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT "$LB_BIN" -o "$work/journal" push --part-size 5 --upload-jobs 1 "$work/$mid" >"$work/term.out" 2>&1 &
pusher=$!
s3_proxy_wait_part "$work/term.log" 1
kill -TERM "$pusher"
wait "$pusher"
rc=$?
[ "$rc" -eq 143 ] && pass s3-sigterm-exit-143 || fail s3-sigterm-exit-143 "exit $rc"$'\n'"$(cat "$work/term.out")"
grep -q "^DELETE .*$mid?uploadId=" "$work/term.log" && pass s3-sigterm-aborts-upload ||
	fail s3-sigterm-aborts-upload "$(cat "$work/term.log" "$work/term.out")"
grep -q "^POST .*$mid?uploadId=" "$work/term.log" && fail s3-sigterm-not-completed "$(cat "$work/term.log")" ||
	pass s3-sigterm-not-completed
kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null

# The server killed while parts are on their way (each part held 0.4 s by the proxy).
big=lot-systems-db-2022-02-01T00-00-00.sql.gz
head -c $((40 * 1024 * 1024)) /dev/urandom >"$work/$big"
printf '{"bytes": %d, "sha256": "%s"}\n' "$(stat -c %s "$work/$big")" "$(sha256sum "$work/$big" | cut -c1-64)" \
	>"$work/$big.manifest.json"
sum=$(sha256sum "$work/$big" "$work/$big.manifest.json")
s3_proxy_start "$work/kill.log" --delay-parts 0.4 || { fail s3-proxy "the fault proxy did not start"; finish; }
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT "$LB_BIN" -o "$work/journal" push --part-size 5 --upload-jobs 1 "$work/$big" >"$work/kill.out" 2>&1 &
pusher=$!
s3_proxy_wait_part "$work/kill.log" 2
s3_stop
wait "$pusher"
rc=$?
cat "$work/kill.out" >&2
[ "$rc" -eq 1 ] && pass s3-killed-exit-1 || fail s3-killed-exit-1 "exit $rc"$'\n'"$(cat "$work/kill.out")"
grep -q 'error' "$work/kill.out" && pass s3-killed-reported || fail s3-killed-reported "$(cat "$work/kill.out")"
grep -q 'multipart upload .* stays on the server' "$work/kill.out" && pass s3-killed-abort-tried ||
	fail s3-killed-abort-tried "$(cat "$work/kill.out")"
[ "$(sha256sum "$work/$big" "$work/$big.manifest.json")" = "$sum" ] && pass s3-killed-local-kept ||
	fail s3-killed-local-kept "the local files changed"
grep -q "^PUT .*$big.manifest.json" "$work/kill.log" && fail s3-killed-no-manifest-sent "$(cat "$work/kill.log")" ||
	pass s3-killed-no-manifest-sent
s3_restart || { fail s3-restart "s3rver did not start again"; finish; }
check s3-killed-list-after "env" LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT "$LB_BIN" list --remote
grep -q "$big" <<<"$LB_LAST_OUTPUT" && fail s3-killed-not-a-backup "$LB_LAST_OUTPUT" || pass s3-killed-not-a-backup
check_exit s3-killed-pull-fails 1 env LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT "$LB_BIN" -o "$work/none" pull "$big"
# Pushed again once the server is back: whole.
check s3-killed-push-again env LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT "$LB_BIN" -o "$work/journal" push --part-size 5 "$work/$big"
check s3-killed-pull-again env LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT "$LB_BIN" -o "$work/again" pull "$big"
cmp -s "$work/$big" "$work/again/$big" && pass s3-killed-again-identical || fail s3-killed-again-identical "differs"
finish
