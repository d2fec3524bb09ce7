#!/usr/bin/env bash
# SIGINT and SIGTERM in the middle of db and full: the run removes its own
# temporary file or staging directory, releases the lock, says so in one
# line and ends by the signal (a shell sees 130 / 143); earlier backups stay
# as they were. Points are reached for real (a COPY running, a table lock
# waited for) and, for exact places, by the fault shim stopping the process
# (SIGSTOP) at a chosen write until the test has sent its signal.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/fault.sh"

work=$(tmpdir)
fault_build "$work" || { fail signal-shim-build "cc failed"; finish; }
db=$(new_db lb_signal) || { fail signal-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE big AS SELECT g, md5(g::text) AS a, md5((g + 1)::text) AS b FROM generate_series(1, 1000000) g" >/dev/null
small=$(new_db lb_signal_small) || { fail signal-setup createdb; finish; }
psql -X -q -d "$small" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS a FROM generate_series(1, 20000) g" >/dev/null
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
proj=$work/proj
mkdir -p "$proj" "$work/empty" && git init -q "$proj" && printf '{ "name": "app" }\n' >"$proj/package.json" &&
	seq 1 5000 >"$proj/README.md" && git -C "$proj" add -A &&
	git -C "$proj" -c user.name=t -c user.email=t@example.com commit -q -m one || { fail signal-setup git; finish; }

out=$work/backups
mkdir -m 700 "$out"
check signal-earlier-db "$LB_BIN" db -q -d "dbname=$small" -o "$out" || finish
check signal-earlier-full "$LB_BIN" full -q -C "$proj" -d "dbname=$small" -o "$out" || finish
sums() { (cd "$out" && find . -type f ! -name .lotbackup.lock -print0 | sort -z | xargs -0 sha256sum); }
before=$(sums)

# Background jobs of a script ignore SIGINT (no job control), and lotbackup
# honours an ignored SIGINT; start it with the default disposition instead.
start() { env --default-signal=INT,TERM "$@" >/dev/null 2>"$work/err" & }
copy_running() { wait_for_lb_query 'COPY%big%'; }
stopped() {
	for _ in $(seq 1 400); do
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# interrupted NAME SIGNAL PID: the run ended by SIGNAL after a clean stop.
interrupted() {
	local name=$1 sig=$2 pid=$3 rc=0 want bad='' errors
	wait "$pid" || rc=$?
	want=$((128 + $(kill -l "$sig")))
	[ $rc -eq "$want" ] || bad="$bad exit-$rc-not-$want"
	errors=$(grep -c 'error' "$work/err")
	{ [ "$errors" -eq 1 ] && grep -q "interrupted by SIG$sig" "$work/err"; } || bad="$bad message:$(tr '\n' ' ' <"$work/err")"
	[ -z "$(ls -A "$out" | grep '\.tmp$')" ] || bad="$bad tmp-left:$(ls -A "$out" | grep '\.tmp$' | tr '\n' ' ')"
	[ "$(sums)" = "$before" ] || bad="$bad published-or-changed:$(diff <(echo "$before") <(sums) | grep '^>' | tr '\n' ' ')"
	# The lock is free: a run that will not wait gets it at once.
	local pre=$(ls -A "$out")
	env -u PGDATABASE -u PGHOST "$LB_BIN" full -q --no-git -C "$work/empty" -o "$out" --dir-only 2>"$work/next.err" ||
		bad="$bad lock-not-free:$(head -c 200 "$work/next.err")"
	for e in $(comm -13 <(echo "$pre") <(ls -A "$out")); do rm -rf "${out:?}/$e"; done
	[ -z "$bad" ] && pass "$name" || fail "$name" "$bad"
}

# db, mid-COPY, with one and with two compression threads.
start "$LB_BIN" db -d "dbname=$db" -o "$out" --jobs 1
p=$!
if copy_running; then kill -INT "$p"; interrupted signal-db-sigint-mid-copy INT "$p"; else wait "$p"; skip signal-db-sigint-mid-copy "COPY not seen"; fi
start "$LB_BIN" db -d "dbname=$db" -o "$out" --jobs 2
p=$!
if copy_running; then kill -TERM "$p"; interrupted signal-db-sigterm-mid-copy-parallel-gzip TERM "$p"; else wait "$p"; skip signal-db-sigterm-mid-copy-parallel-gzip "COPY not seen"; fi

# db waiting for a table another session holds: the signal cancels the wait.
psql -X -q -d "$db" -c "BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;" >/dev/null 2>&1 &
locker=$!
at_exit "kill $locker 2>/dev/null"
sleep 0.5
start "$LB_BIN" db -d "dbname=$db" -o "$out"
p=$!
waiting=''
for _ in $(seq 1 100); do
	waiting=$(psql -X -At -d postgres -c "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'lotbackup'")
	[ "$waiting" = Lock ] && break
	sleep 0.05
done
kill -INT "$p"
t0=$SECONDS
interrupted signal-db-sigint-waiting-for-table-lock INT "$p"
[ $((SECONDS - t0)) -lt 10 ] && pass signal-db-lock-wait-cancelled-at-once || fail signal-db-lock-wait-cancelled-at-once "took $((SECONDS - t0)) s"
psql -X -q -d postgres -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$locker" 2>/dev/null

# Exact points: the shim stops the run at a write; the signal comes then.
# After it, the run writes and renames nothing more in the output directory.
# stop_at NAME SIGNAL TRACE OP SELECTOR CMD...
stop_at() {
	local name=$1 sig=$2 trace=$3 op=$4 sel=$5 n p after
	shift 5
	n=$(fault_point "$trace" "$op" "$sel")
	[ -n "$n" ] || { fail "$name" "no such point $op $sel"; return; }
	: >"$work/stop.trace"
	LD_PRELOAD="$FAULT_PRELOAD" LB_FAULT="$op:$n:STOP" LB_FAULT_DIR=$out LB_FAULT_TRACE=$work/stop.trace start "$@"
	p=$!
	if ! stopped "$p"; then
		wait "$p"
		fail "$name" "the run did not stop at $op:$n"
		return
	fi
	kill "-$sig" "$p"
	kill -CONT "$p"
	interrupted "$name" "$sig" "$p"
	after=$(awk -v op="$op" -v n="$n" '
		stop { if ($1 == "write" || $1 == "rename") k++; next }
		$1 == "write" && ((op == "write" && $2 == n) || (op == "bytes" && $3 < n && $3 + $4 >= n)) { stop = 1 }
		END { print stop ? k + 0 : "no-stop-line" }' "$work/stop.trace")
	[ "$after" = 0 ] && pass "$name-nothing-written-after" || fail "$name-nothing-written-after" "$after writes or renames after the signal"
}
db_cmd=("$LB_BIN" db -d "dbname=$small" -o "$out")
full_cmd=("$LB_BIN" full -C "$proj" -d "dbname=$small" -o "$out")
fault_trace "$out" "$work/full.trace" "${full_cmd[@]}" -q || fail signal-trace "traced full failed"
sleep 1
fault_trace "$out" "$work/db.trace" "${db_cmd[@]}" -q || fail signal-trace "traced db failed"
before=$(sums)	# the traced runs published two more
stop_at signal-db-sigterm-before-manifest-published TERM "$work/db.trace" write first:manifest\.json\.tmp$ "${db_cmd[@]}"
stop_at signal-full-sigint-in-git-bundle INT "$work/full.trace" write first:/git/repo\.bundle\.tmp$ "${full_cmd[@]}"
stop_at signal-full-sigterm-in-db-stage TERM "$work/full.trace" bytes frac:/db/.*\.sql\.gz\.tmp$:0.5 "${full_cmd[@]}"
stop_at signal-full-sigint-mid-archive INT "$work/full.trace" bytes frac:tar\.gz\.tmp$:0.5 "${full_cmd[@]}"
stop_at signal-full-sigterm-before-archive-published TERM "$work/full.trace" write first:tar\.gz\.manifest\.json\.tmp$ "${full_cmd[@]}"

# full for real: SIGTERM while its database dump runs.
start "$LB_BIN" full -C "$proj" -d "dbname=$db" -o "$out"
p=$!
if copy_running; then kill -TERM "$p"; interrupted signal-full-sigterm-mid-copy TERM "$p"; else wait "$p"; skip signal-full-sigterm-mid-copy "COPY not seen"; fi

# Waiting for the lock (--wait): SIGINT ends the wait at once; the holder goes on.
LD_PRELOAD="$FAULT_PRELOAD" LB_FAULT="write:1:STOP" LB_FAULT_DIR=$out "${db_cmd[@]}" -q >/dev/null 2>"$work/holder.err" &
holder=$!
if stopped "$holder"; then
	start "$LB_BIN" db -d "dbname=$small" -o "$out" --wait 60
	p=$!
	sleep 1.5
	kill -INT "$p"
	rc=0
	wait "$p" || rc=$?
	[ $rc -eq 130 ] && grep -q 'interrupted by SIGINT' "$work/err" && pass signal-lock-wait-interrupted || fail signal-lock-wait-interrupted "rc=$rc $(cat "$work/err")"
	kill -CONT "$holder"
	rc=0
	wait "$holder" || rc=$?
	[ $rc -eq 0 ] && pass signal-holder-unaffected || fail signal-holder-unaffected "rc=$rc $(cat "$work/holder.err")"
else
	fail signal-lock-wait-interrupted "the holder did not stop"
fi

# SIGINT ignored when lotbackup starts (nohup, a background job): it stays ignored.
before=$(sums)
LD_PRELOAD="$FAULT_PRELOAD" LB_FAULT="write:1:STOP" LB_FAULT_DIR=$out bash -c 'trap "" INT; exec "$@"' - "${db_cmd[@]}" -q >/dev/null 2>"$work/err" &
p=$!
rc=0
if stopped "$p"; then kill -INT "$p"; kill -CONT "$p"; wait "$p" || rc=$?; else rc=stop-failed; fi
[ "$rc" = 0 ] && [ "$(sums)" != "$before" ] && pass signal-ignored-sigint-stays-ignored || fail signal-ignored-sigint-stays-ignored "rc=$rc $(cat "$work/err")"

# A server that never answers: the first signal cannot cancel anything (no
# connection yet); a second one ends the run at once.
python3 - "$work/hang/.s.PGSQL.5999" <<'PY' &
import os, socket, sys, time
os.makedirs(os.path.dirname(sys.argv[1]))
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
time.sleep(60)
PY
hang=$!
at_exit "kill $hang 2>/dev/null"
for _ in $(seq 1 100); do [ -S "$work/hang/.s.PGSQL.5999" ] && break; sleep 0.05; done
start "$LB_BIN" db -d "host=$work/hang port=5999 dbname=x connect_timeout=0" -o "$out"
p=$!
sleep 1
kill -INT "$p"
sleep 1
alive=no
kill -0 "$p" 2>/dev/null && alive=yes
kill -INT "$p"
for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
kill -0 "$p" 2>/dev/null && { kill -9 "$p"; alive="$alive, and after the second"; }
rc=0
wait "$p" || rc=$?
[ "$alive" = yes ] && [ $rc -eq 130 ] && pass signal-second-sigint-ends-at-once || fail signal-second-sigint-ends-at-once "alive after the first: $alive; rc=$rc"
kill "$hang" 2>/dev/null
check_exit signal-earlier-backups-verify 0 "$LB_BIN" verify -q --all -o "$out"
finish
