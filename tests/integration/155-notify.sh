#!/usr/bin/env bash
# --notify-url: GET URL after a good run, URL/fail after a failed one, to a
# listener this test starts on 127.0.0.1; an error, a refused connection or
# a time-out is a warning, never a failed backup; no password in the log.
# --notify-method post: the same URLs, with a JSON summary of the run as
# the body, and no secret in it.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/notify-listener.sh"

work=$(tmpdir)
reqlog=$work/requests.log
bodies=$work/bodies.log
notify_listener_start "$reqlog" "$bodies" && pass notify-listener-up || { fail notify-listener-up "no port"; finish; }
base=$NOTIFY_BASE port=$NOTIFY_PORT

db=$(new_db lb_notify) || { fail notify-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT 1 AS x" >/dev/null
out=$work/backups

requests() { cat "$reqlog"; }

check notify-db-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "$base/ping/abc"
grep -q "^GET /ping/abc HTTP/1.1 lotbackup/" "$reqlog" && [ ! -s "$bodies" ] && pass notify-success-get ||
	fail notify-success-get "$(requests; cat "$bodies")"

: >"$reqlog"
check_exit notify-db-fails 1 "$LB_BIN" db -o "$out" -d "dbname=lb_missing_db" --notify-url "$base/ping/abc/"
grep -q "^GET /ping/abc/fail HTTP/1.1" "$reqlog" && [ "$(wc -l <"$reqlog")" -eq 1 ] && pass notify-failure-get-fail ||
	fail notify-failure-get-fail "$(requests)"

# /fail goes before the query string.
: >"$reqlog"
check_exit notify-fail-query 1 "$LB_BIN" db -o "$out" -d "dbname=lb_missing_db" --notify-url "$base/ping/abc?rid=7"
grep -q "^GET /ping/abc/fail?rid=7 HTTP/1.1" "$reqlog" && pass notify-fail-before-query || fail notify-fail-before-query "$(requests)"

# From .env, for full and prune too.
proj=$(tmpdir)
printf 'hello\n' >"$proj/README.md"
printf 'LOTBACKUP_NOTIFY_URL=%s/ping/env\n' "$base" >"$proj/.env"
: >"$reqlog"
check notify-full-env "$LB_BIN" full -C "$proj" -o "$out" --no-git -d "dbname=$db"
check notify-prune-env "$LB_BIN" prune -C "$proj" -o "$out"
[ "$(grep -c "^GET /ping/env HTTP/1.1" "$reqlog")" -eq 2 ] && pass notify-from-env-full-and-prune || fail notify-from-env-full-and-prune "$(requests)"
# Usage errors and dry runs report nothing.
: >"$reqlog"
check_exit notify-usage-error 2 "$LB_BIN" db -C "$proj" -o "$out" --no-such-option
check_exit notify-usage-error-in-command 2 "$LB_BIN" db -C "$proj" -o "$out" --keep 7 --keep-daily 3
check notify-dry-run "$LB_BIN" prune -C "$proj" -o "$out" --dry-run
[ ! -s "$reqlog" ] && pass notify-not-for-usage-or-dry-run || fail notify-not-for-usage-or-dry-run "$(requests)"
# A configuration error is a failed night: URL/fail, whenever the URL
# itself can be read (.env, the environment or the command line).
printf 'LOTBACKUP_NOTIFY_URL=%s/ping/env\nLOTBACKUP_KEEP_DAYZ=7\n' "$base" >"$proj/.env"
: >"$reqlog"
check_exit notify-config-typo 1 "$LB_BIN" db -C "$proj" -o "$out" -d "dbname=$db"
grep -q "^GET /ping/env/fail HTTP/1.1" "$reqlog" && [ "$(wc -l <"$reqlog")" -eq 1 ] && pass notify-config-typo-fail ||
	fail notify-config-typo-fail "$(requests)"
printf 'LOTBACKUP_NOTIFY_URL=%s/ping/env\nLOTBACKUP_KEEP_DAILY=7\n' "$base" >"$proj/.env"
: >"$reqlog"
check_exit notify-config-two-policies 1 "$LB_BIN" db -C "$proj" -o "$out" -d "dbname=$db" --keep 7
check_exit notify-config-bad-number 1 env LOTBACKUP_COMPRESS_LEVEL=high "$LB_BIN" full -C "$proj" -o "$out" --no-git
printf 'DATABASE_URL="unterminated\n' >"$proj/.env"
check_exit notify-config-dotenv-syntax 1 env LOTBACKUP_NOTIFY_URL="$base/ping/environ" "$LB_BIN" prune -C "$proj" -o "$out"
[ "$(grep -c "^GET /ping/env/fail HTTP/1.1" "$reqlog")" -eq 2 ] && grep -q "^GET /ping/environ/fail HTTP/1.1" "$reqlog" &&
	[ "$(wc -l <"$reqlog")" -eq 3 ] && pass notify-config-errors-fail || fail notify-config-errors-fail "$(requests)"
: >"$reqlog"
check_exit notify-config-error-list 1 "$LB_BIN" list -C "$proj" -o "$out" --json
check_exit notify-config-error-dry-run 1 "$LB_BIN" prune -C "$proj" -o "$out" --dry-run --notify-url "$base/ping/dry"
[ ! -s "$reqlog" ] && pass notify-config-error-not-for-list-or-dry-run || fail notify-config-error-not-for-list-or-dry-run "$(requests)"
rm "$proj/.env"

# The service answers 500: a warning, the backup still succeeds; no credentials in the log.
: >"$reqlog"
check notify-http-500-backup-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "http://hc:S3cretPw@127.0.0.1:$port/bad/uuid-1234"
log=$LB_LAST_OUTPUT
grep -q 'warning lotbackup: notify: http://127.0.0.1:[0-9]*/\.\.\. answered HTTP 500' <<<"$log" && pass notify-http-500-warning ||
	fail notify-http-500-warning "$log"
grep -q 'S3cretPw\|uuid-1234\|hc:' <<<"$log" && fail notify-no-secret-in-log "$log" || pass notify-no-secret-in-log
grep -q "^GET /bad/uuid-1234 HTTP/1.1" "$reqlog" && pass notify-500-was-sent || fail notify-500-was-sent "$(requests)"

# A redirect is not followed, and not taken for success: a warning at the
# normal level with the status, no credentials; the backup still succeeds.
: >"$reqlog"
check notify-redirect-backup-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "http://hc:S3cretPw@127.0.0.1:$port/moved/uuid-5678?token=T0kq"
log=$LB_LAST_OUTPUT
grep -q 'warning lotbackup: notify: http://127.0.0.1:[0-9]*/\.\.\. answered 302 (a redirect, not followed)' <<<"$log" &&
	pass notify-redirect-warning || fail notify-redirect-warning "$log"
grep -q 'S3cretPw\|uuid-5678\|T0kq\|hc:' <<<"$log" && fail notify-redirect-no-secret-in-log "$log" || pass notify-redirect-no-secret-in-log
grep -q "^GET /moved/uuid-5678?token=T0kq HTTP/1.1" "$reqlog" && ! grep -q moved-here "$reqlog" &&
	pass notify-redirect-not-followed || fail notify-redirect-not-followed "$(requests)"

# Nobody listening: a warning, the backup still succeeds.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
check notify-refused-backup-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "http://127.0.0.1:$closed/ping"
grep -q 'warning lotbackup: notify: .* could not be told' <<<"$LB_LAST_OUTPUT" && pass notify-refused-warning ||
	fail notify-refused-warning "$LB_LAST_OUTPUT"

# A service that hangs: given up after LOTBACKUP_NOTIFY_TIMEOUT, the failure still exits 1, not more.
start=$(date +%s)
check_exit notify-timeout-keeps-exit-1 1 env LOTBACKUP_NOTIFY_TIMEOUT=1 "$LB_BIN" db -o "$out" -d "dbname=lb_missing_db" --notify-url "$base/slow/x"
took=$(($(date +%s) - start))
[ "$took" -lt 4 ] && grep -q 'notify: .*Timeout\|notify: .*timed out' <<<"$LB_LAST_OUTPUT" && pass notify-timeout ||
	fail notify-timeout "took $took s"$'\n'"$LB_LAST_OUTPUT"
# Only http and https.
check notify-other-scheme-backup-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "file:///etc/passwd"
grep -q 'warning lotbackup: notify:' <<<"$LB_LAST_OUTPUT" && pass notify-other-scheme-refused || fail notify-other-scheme-refused "$LB_LAST_OUTPUT"

# --notify-method post. body_ok NAME COND: exactly one request came, with a
# JSON body, and COND (Python, over the entry e and the parsed body b) holds.
body_ok() {
	if python3 - "$bodies" "$2" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
e = json.loads(lines[0])
assert e["type"] == "application/json", e
b = json.loads(e["body"])
assert eval("(%s)" % sys.argv[2], {}, {"b": b, "e": e}), b
PY
	then pass "$1"; else fail "$1" "$(requests; cat "$bodies")"; fi
}
reset() { : >"$reqlog"; : >"$bodies"; }
# written PATH: the backup the last check's log says it wrote.
# (full: "wrote DIR and ARCHIVE (N files)", the archive.)
written() { sed -n 's/.* lotbackup: wrote \(.*\) (.*/\1/p' <<<"$LB_LAST_OUTPUT" | sed 's/.* and //' | tail -n 1; }

reset
check notify-post-db-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "$base/ping/post" --notify-method post
dump=$(written)
grep -q "^POST /ping/post HTTP/1.1 lotbackup/" "$reqlog" && [ "$(wc -l <"$reqlog")" -eq 1 ] && pass notify-post-method ||
	fail notify-post-method "$(requests)"
[ -f "$dump" ] && body_ok notify-post-success-body "e['path'] == '/ping/post' and b['command'] == 'db' and
	b['result'] == 'ok' and b['exit_code'] == 0 and type(b['duration_seconds']) is float and b['duration_seconds'] >= 0 and
	b['output'] == '$(basename "$dump")' and b['output_bytes'] == $(stat -c %s "$dump" 2>/dev/null || echo -1)" ||
	fail notify-post-success-body "no dump named in: $LB_LAST_OUTPUT"

# From the environment, a failure: URL/fail, no output.
reset
check_exit notify-post-db-fails 1 env LOTBACKUP_NOTIFY_METHOD=post "$LB_BIN" db -o "$out" -d "dbname=lb_missing_db" \
	--notify-url "$base/ping/post"
grep -q "^POST /ping/post/fail HTTP/1.1" "$reqlog" && pass notify-post-failure-method || fail notify-post-failure-method "$(requests)"
body_ok notify-post-failure-body "e['path'] == '/ping/post/fail' and b['command'] == 'db' and b['result'] == 'fail' and
	b['exit_code'] == 1 and 'output' not in b and 'output_bytes' not in b"

# From .env: full names its archive, prune has no output (a directory of
# their own: the policy would refuse to thin out the dumps above).
printf 'LOTBACKUP_NOTIFY_URL=%s/ping/env\nLOTBACKUP_NOTIFY_METHOD=POST\n' "$base" >"$proj/.env"
out=$work/post-full
reset
check notify-post-full-env "$LB_BIN" full -C "$proj" -o "$out" --no-git -d "dbname=$db"
archive=$(written)
case $archive in *.tar.gz) ;; *) archive=/none ;; esac
body_ok notify-post-full-body "e['path'] == '/ping/env' and b['command'] == 'full' and b['result'] == 'ok' and
	b['output'] == '$(basename "$archive")' and b['output_bytes'] == $(stat -c %s "$archive" 2>/dev/null || echo -1)"
reset
check notify-post-prune-env "$LB_BIN" prune -C "$proj" -o "$out"
body_ok notify-post-prune-body "b['command'] == 'prune' and b['result'] == 'ok' and 'output' not in b"
# The command line wins over .env: get sends no body.
reset
check notify-method-get-over-env "$LB_BIN" prune -C "$proj" -o "$out" --notify-method get
grep -q "^GET /ping/env HTTP/1.1" "$reqlog" && [ ! -s "$bodies" ] && pass notify-get-no-body || fail notify-get-no-body "$(requests; cat "$bodies")"
rm "$proj/.env"

# No secret in the body: not the URL's user, password or path, not the
# database password (given in DATABASE_URL), whether the run succeeds or fails.
psql -X -q -d "$db" -c "GRANT SELECT ON t TO lb_pw; GRANT CONNECT ON DATABASE $db TO lb_pw" >/dev/null
reset
check notify-post-secret-run-ok env DATABASE_URL="postgresql://lb_pw:$LB_TEST_PASSWORD@localhost/$db?host=$PGHOST&port=$PGPORT" \
	"$LB_BIN" db -o "$out" --notify-method post --notify-url "http://hc:S3cretPw@127.0.0.1:$port/ping/uuid-1234"
check_exit notify-post-secret-run-fails 1 env DATABASE_URL="postgresql://lb_pw:Wr0ngS3cret@localhost/$db?host=$PGHOST&port=$PGPORT" \
	"$LB_BIN" db -o "$out" --notify-method post --notify-url "http://hc:S3cretPw@127.0.0.1:$port/ping/uuid-1234"
if python3 - "$bodies" "$LB_TEST_PASSWORD" <<'PY'
import json, sys
got = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1])]
assert sorted(b["result"] for b in got) == ["fail", "ok"], got
text = open(sys.argv[1]).read()
for secret in (sys.argv[2], "Wr0ngS3cret", "S3cretPw", "uuid-1234", "hc:", "lb_pw", "postgresql:", "localhost"):
    assert secret not in "".join(json.loads(l)["body"] for l in text.splitlines()), secret
PY
then
	pass notify-post-no-secret-in-body
else
	fail notify-post-no-secret-in-body "$(cat "$bodies")"
fi

# A method that is neither: a usage error on the command line (nothing sent), a setting error in the environment.
reset
check_exit notify-method-bad-option 2 "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "$base/ping/x" --notify-method put
grep -q "notify-method takes get or post, not 'put'" <<<"$LB_LAST_OUTPUT" && pass notify-method-bad-option-message ||
	fail notify-method-bad-option-message "$LB_LAST_OUTPUT"
check_exit notify-method-bad-env 1 env LOTBACKUP_NOTIFY_METHOD=put "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "$base/ping/x"
# (a configuration error: the failure still goes out, as a GET)
grep -q "LOTBACKUP_NOTIFY_METHOD (from environment) must be get or post" <<<"$LB_LAST_OUTPUT" &&
	[ "$(cut -d" " -f1-2 "$reqlog")" = "GET /ping/x/fail" ] &&
	pass notify-method-bad-env-message || fail notify-method-bad-env-message "$LB_LAST_OUTPUT"$'\n'"$(requests)"
finish
