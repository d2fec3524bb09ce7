#!/usr/bin/env bash
# A password in a malformed connection URL, given with --dbname or as
# DATABASE_URL in PROJECT/.env (the parse-error paths; the unit tests in
# test-conninfo see them without the binary): exit 1, one error line, and
# neither half of the password in any output (stdout and stderr are the
# log: lotbackup writes no log file), in any file under the output
# directory, or in /proc/PID/cmdline while the run reports its error (held
# there by the fault shim's LB_FAULT_STOP_STDERR).
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/fault.sh"

work=$(tmpdir)
fault_build "$work" || { fail malformed-shim-build "cc failed"; finish; }
# Two halves, so a password cut at a stray '@' or a bad %-escape is caught too.
a=Pw7Qx9
b=Zk3Rt8
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
proj=$work/proj
mkdir -p "$proj" && printf '{ "name": "app" }\n' >"$proj/package.json"

# held NAME CMD...: CMD stopped before its first log line; its command line
# read there, then let go; rc, stdout and stderr kept under NAME.
held() {
	local name=$1 pid n
	shift
	LD_PRELOAD="$FAULT_PRELOAD" LB_FAULT_STOP_STDERR=1 "$@" >"$work/$name.out" 2>"$work/$name.err" &
	pid=$!
	for n in $(seq 200); do
		grep -q '^State:.*stopped' "/proc/$pid/status" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	tr '\0' ' ' <"/proc/$pid/cmdline" >"$work/$name.cmdline" 2>/dev/null
	grep -q '^State:.*stopped' "/proc/$pid/status" 2>/dev/null || echo "not held" >>"$work/$name.cmdline"
	kill -CONT "$pid" 2>/dev/null
	n=0
	wait "$pid" || n=$?
	echo "$n" >"$work/$name.rc"
}

# shape|URL (A and B stand for the halves)
shapes='bad-port|postgresql://lbu:AB@localhost:99999/db
port-letters|postgresql://lbu:AB@localhost:54x2/db
bad-percent|postgresql://lbu:A%zzB@localhost/db
cut-percent|postgresql://lbu:AB%4@localhost/db
unterminated-bracket|postgresql://lbu:AB@[::1/db
stray-at|postgresql://lbu:A@B@localhost/db
space|postgresql://lbu:A B@localhost/db
bad-query|postgresql://lbu:AB@localhost/db?nosuch=1
bad-sslmode|postgresql://lbu:AB@localhost/db?sslmode=bogus
query-port|postgresql://lbu:AB@/db?port=abc
scheme-typo|postgresq://lbu:AB@localhost/db'
bad=''
n=0
while IFS='|' read -r shape tmpl; do
	url=${tmpl//A/$a}
	url=${url//B/$b}
	for via in dbname dotenv; do
		name=$shape-$via
		out=$work/out-$name
		n=$((n + 1))
		if [ $via = dbname ]; then
			held "$name" env -u DATABASE_URL "$LB_BIN" db -C "$proj" -d "$url" -o "$out"
		else
			printf 'DATABASE_URL="%s"\n' "$url" >"$proj/.env"
			held "$name" env -u DATABASE_URL -u PGDATABASE -u PGHOST -u PGSERVICE "$LB_BIN" db -C "$proj" -o "$out"
			rm -f "$proj/.env"
		fi
		rc=$(cat "$work/$name.rc")
		# (the info line of a new output directory's .gitignore aside)
		lines=$(grep -cv " info lotbackup: created .* with a \.gitignore" "$work/$name.err")
		[ "$rc" = 1 ] || bad="$bad $name:exit-$rc"
		[ "$lines" -eq 1 ] && [ ! -s "$work/$name.out" ] || bad="$bad $name:$lines-lines($(tr '\n' '|' <"$work/$name.err"))"
		grep -q "not held" "$work/$name.cmdline" && bad="$bad $name:not-held"
		grep -q -- "$a\|$b" "$work/$name.out" "$work/$name.err" && bad="$bad $name:in-output($(cat "$work/$name.err"))"
		grep -q -- "$a\|$b" "$work/$name.cmdline" && bad="$bad $name:in-cmdline($(cat "$work/$name.cmdline"))"
		[ -d "$out" ] && grep -rqa -- "$a\|$b" "$out" && bad="$bad $name:in-files"
	done
done <<<"$shapes"
[ -z "$bad" ] && [ $n -eq 22 ] && pass secret-malformed-url-22-runs || fail secret-malformed-url-22-runs "$n runs;$bad"
# -v: the debug lines too, for every shape given with --dbname.
bad=''
while IFS='|' read -r shape tmpl; do
	url=${tmpl//A/$a}
	url=${url//B/$b}
	rc=0
	msg=$("$LB_BIN" -v db -C "$proj" -d "$url" -o "$work/out-v" 2>&1) || rc=$?
	[ $rc -eq 1 ] || bad="$bad $shape:exit-$rc"
	grep -q -- "$a\|$b" <<<"$msg" && bad="$bad $shape:($msg)"
done <<<"$shapes"
[ -z "$bad" ] && pass secret-malformed-url-verbose || fail secret-malformed-url-verbose "$bad"
finish
