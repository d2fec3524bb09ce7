#!/usr/bin/env bash
# One writer per output directory: a second run fails at once naming the
# first (or waits with --wait); a killed run's lock and leftovers do no harm.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_lock) || { fail lock-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE big AS SELECT g, md5(g::text) AS a, md5((g+1)::text) AS b FROM generate_series(1, 1500000) g" >/dev/null
work=$(tmpdir)
out=$work/backups
wait_for_copy() { wait_for_lb_query 'COPY%'; }

"$LB_BIN" db -q -d "dbname=$db" -o "$out" --jobs 1 &
first=$!
at_exit "kill $first 2>/dev/null"
if wait_for_copy; then
	rc=0
	err=$("$LB_BIN" db -d "dbname=$db" -o "$out" 2>&1) || rc=$?
	if [ $rc -eq 1 ] && grep -q "another lotbackup (pid $first) is running since [0-9][0-9]:[0-9][0-9]:[0-9][0-9]" <<<"$err"; then
		pass lock-second-run-refused
	else
		fail lock-second-run-refused "rc=$rc $err"
	fi
	# Retention never runs beside another run: a refused --keep 1 deletes nothing.
	old=lot-systems-db-$(date -u -d '40 days ago' +%Y-%m-%dT%H-%M-%S).sql.gz
	echo x | gzip >"$out/$old" && echo '{}' >"$out/$old.manifest.json"
	rc=0
	"$LB_BIN" db -q -d "dbname=$db" -o "$out" --keep 1 >/dev/null 2>&1 || rc=$?
	[ $rc -eq 1 ] && [ -f "$out/$old" ] && pass lock-no-retention-beside-another-run || fail lock-no-retention-beside-another-run "rc=$rc; $(ls "$out")"
	rm -f "$out/$old" "$out/$old.manifest.json"
	# --wait: the second run waits for the first, then makes its own dump.
	check lock-wait "$LB_BIN" db -q -d "dbname=$db" -o "$out" --wait 120
	wait "$first"
	[ "$(ls "$out"/lot-systems-db-*.sql.gz | wc -l)" -eq 2 ] && pass lock-wait-both-dumps || fail lock-wait-both-dumps "$(ls "$out")"
else
	skip lock-second-run-refused "the first dump ended too soon"
	wait "$first"
fi

# kill -9 in the middle: the lock goes with the process; the next run cleans
# this tool's leftovers (and only those) and succeeds at once.
mkdir -p "$out/full-backup-20200101_000000.tmp/git" && echo x >"$out/full-backup-20200101_000000.tmp/git/x"
echo x >"$out/lot-systems-db-2020-01-01T00-00-00.sql.gz.manifest.json.tmp"
echo keep >"$out/notes.tmp"
"$LB_BIN" db -q -d "dbname=$db" -o "$out" --jobs 1 &
victim=$!
if wait_for_copy; then
	kill -9 "$victim"
	wait "$victim" 2>/dev/null
	left=$(ls "$out" | grep -c '\.sql\.gz\.tmp$')
	check lock-after-kill "$LB_BIN" db -q -d "dbname=$db" -o "$out"
	if [ "$left" -ge 1 ] && [ -z "$(ls -a "$out" | grep -E '^(lot-systems|full-backup).*\.tmp$')" ] && [ -f "$out/notes.tmp" ]; then
		pass lock-leftovers-cleaned-own-only
	else
		fail lock-leftovers-cleaned-own-only "left before: $left; now: $(ls -a "$out")"
	fi
	n=0
	for f in "$out"/lot-systems-db-*.sql.gz; do "$LB_BIN" verify -q "$f" && n=$((n + 1)); done
	[ "$n" -eq "$(ls "$out"/lot-systems-db-*.sql.gz | wc -l)" ] && pass lock-earlier-backups-still-verify || fail lock-earlier-backups-still-verify "$n verified"
else
	skip lock-after-kill "the dump ended too soon"
fi
finish
