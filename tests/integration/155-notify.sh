#!/usr/bin/env bash
# --notify-url: GET URL after a good run, URL/fail after a failed one, to a
# listener this test starts on 127.0.0.1; an error, a refused connection or
# a time-out is a warning, never a failed backup; no password in the log.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
reqlog=$work/requests.log
portfile=$work/port
: >"$reqlog"
# A tiny HTTP listener that records each request line and its User-Agent:
# /ping... answers 200, /bad... 500, /slow... after 5 s. It stops by itself
# after 120 s at the latest.
cat >"$work/listener.py" <<'PY'
import http.server, sys, threading, time
log, portfile = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.requestline, self.headers.get("User-Agent", "")))
        if self.path.startswith("/slow"):
            time.sleep(5)
        code = 500 if self.path.startswith("/bad") else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")
    do_POST = do_GET
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(portfile, "w").write(str(srv.server_address[1]))
threading.Timer(120, srv.shutdown).start()
srv.serve_forever()
PY
python3 "$work/listener.py" "$reqlog" "$portfile" &
listener=$!
at_exit "kill $listener 2>/dev/null"
for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
port=$(cat "$portfile" 2>/dev/null)
[ -n "$port" ] && pass notify-listener-up || { fail notify-listener-up "no port"; finish; }
base=http://127.0.0.1:$port

db=$(new_db lb_notify) || { fail notify-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT 1 AS x" >/dev/null
out=$work/backups

requests() { cat "$reqlog"; }

check notify-db-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "$base/ping/abc"
grep -q "^GET /ping/abc HTTP/1.1 lotbackup/" "$reqlog" && pass notify-success-get || fail notify-success-get "$(requests)"

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
rm "$proj/.env"

# The service answers 500: a warning, the backup still succeeds; no credentials in the log.
: >"$reqlog"
check notify-http-500-backup-ok "$LB_BIN" db -o "$out" -d "dbname=$db" --notify-url "http://hc:S3cretPw@127.0.0.1:$port/bad/uuid-1234"
log=$LB_LAST_OUTPUT
grep -q 'warning lotbackup: notify: http://127.0.0.1:[0-9]*/\.\.\. answered HTTP 500' <<<"$log" && pass notify-http-500-warning ||
	fail notify-http-500-warning "$log"
grep -q 'S3cretPw\|uuid-1234\|hc:' <<<"$log" && fail notify-no-secret-in-log "$log" || pass notify-no-secret-in-log
grep -q "^GET /bad/uuid-1234 HTTP/1.1" "$reqlog" && pass notify-500-was-sent || fail notify-500-was-sent "$(requests)"

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
finish
