#!/usr/bin/env bash
# A hostile server (or a proxy on an unencrypted connection) ends a COPY
# early with a line "\." and puts a psql meta-command after it: 'db' must
# refuse the rows, naming the table, and publish nothing.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_inject) || { fail inject-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE TABLE victim (id int PRIMARY KEY, v text);
  INSERT INTO victim SELECT g, md5(g::text) FROM generate_series(1, 500) g;
  CREATE TABLE other (id int);
  INSERT INTO other SELECT generate_series(1, 10);" >/dev/null ||
	{ fail inject-setup "cannot fill $db"; finish; }
work=$(tmpdir)

# The hostile proxy, on TCP, relaying to the cluster's socket: the lines
# appended to a table's last row, or sent a byte per CopyData message.
start_proxy() {
	rm -f "$work/port"
	python3 "$LB_TOP/tests/lib/copy-inject-proxy.py" "$PGHOST/.s.PGSQL.$PGPORT" "$work/port" \
		"\\.
\\! touch $work/pwned
" "$1" &
	proxy=$!
	at_exit "kill $proxy 2>/dev/null"
	for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
	pport=$(cat "$work/port" 2>/dev/null)
}

for mode in append split; do
	start_proxy "$mode"
	[ -n "$pport" ] || { fail "inject-proxy-$mode" "the proxy did not start"; continue; }
	conn="host=127.0.0.1 port=$pport dbname=$db sslmode=disable gssencmode=disable"
	for jobs in 1 2; do
		name=$mode-jobs-$jobs
		out=$work/out-$name
		rc=0
		err=$("$LB_BIN" db -q -d "$conn" -o "$out" --jobs "$jobs" 2>&1 >/dev/null) || rc=$?
		if [ $rc -eq 1 ] && grep -q 'table public\.\(victim\|other\)' <<<"$err" && grep -q '\\\.' <<<"$err"; then
			pass "inject-db-refused-$name"
		else
			fail "inject-db-refused-$name" "exit $rc: $err"
		fi
		left=$(find "$out" -type f ! -name .lotbackup.lock ! -name .gitignore 2>/dev/null)
		[ -z "$left" ] && pass "inject-nothing-published-$name" || fail "inject-nothing-published-$name" "$left"
		# What the hole led to: the documented fallback running the command.
		for f in $left; do
			case $f in *.sql.gz) ;; *) continue ;; esac
			scratch=$(new_db lb_inject_psql) && gunzip -c "$f" | psql -X -q -d "$scratch" >/dev/null 2>&1
		done
		[ ! -e "$work/pwned" ] && pass "inject-psql-ran-nothing-$name" ||
			fail "inject-psql-ran-nothing-$name" "gunzip -c | psql ran the injected \\! command"
		rm -f "$work/pwned"
	done
	kill "$proxy" 2>/dev/null
	wait "$proxy" 2>/dev/null
done
finish
