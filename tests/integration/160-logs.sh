#!/usr/bin/env bash
# Logging: under cron (stderr not a terminal) one line per event with an
# ISO 8601 timestamp and a level; -q and -v; on a terminal no timestamps,
# and a progress bar (bytes, rate, ETA) for dump, archive, restore,
# verify (of a dump and of a full archive) and the extraction of restore
# --to, gone when the step ends.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_logs) || { fail logs-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS h FROM generate_series(1, 20000) g" >/dev/null
work=$(tmpdir)
out=$work/backups
line_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z (error|warning|info|debug) lotbackup: [^ ]'

# Not a terminal: every line stamped, with its level.
"$LB_BIN" db -o "$out" -d "dbname=$db" 2>"$work/db.log" >/dev/null
bad=$(grep -Ev "$line_re" "$work/db.log")
[ -s "$work/db.log" ] && [ -z "$bad" ] && grep -qE "$line_re" "$work/db.log" && grep -q ' info lotbackup: wrote ' "$work/db.log" &&
	pass logs-non-tty-format || fail logs-non-tty-format "$(cat "$work/db.log")"
# The stamp is now, in UTC.
stamp=$(head -n 1 "$work/db.log" | cut -d' ' -f1)
[ $(( $(date -u +%s) - $(date -u -d "$stamp" +%s) )) -lt 120 ] && pass logs-stamp-is-utc-now || fail logs-stamp-is-utc-now "$stamp vs $(date -u)"
grep -q $'\r' "$work/db.log" && fail logs-no-progress-bar-in-log "$(cat -A "$work/db.log" | head)" || pass logs-no-progress-bar-in-log
"$LB_BIN" db -o "$out" -d "dbname=lb_missing_db" 2>"$work/err.log"
grep -qE '^[0-9TZ:-]+ error lotbackup: ' "$work/err.log" && [ -z "$(grep -Ev "$line_re" "$work/err.log")" ] &&
	pass logs-error-level || fail logs-error-level "$(cat "$work/err.log")"

# -q: errors and warnings only; -v: debug lines too.
"$LB_BIN" db -q -o "$out" -d "dbname=$db" 2>"$work/q.log" >/dev/null
[ ! -s "$work/q.log" ] && pass logs-quiet-no-info || fail logs-quiet-no-info "$(cat "$work/q.log")"
"$LB_BIN" -q db -o "$out" -d "dbname=lb_missing_db" 2>"$work/qe.log"
grep -q ' error lotbackup: ' "$work/qe.log" && pass logs-quiet-keeps-errors || fail logs-quiet-keeps-errors "$(cat "$work/qe.log")"
"$LB_BIN" db -v -o "$out" -d "dbname=$db" 2>"$work/v.log" >/dev/null
grep -qE '^[0-9TZ:-]+ debug lotbackup: dumping table public\.t$' "$work/v.log" && [ -z "$(grep -Ev "$line_re" "$work/v.log")" ] &&
	pass logs-verbose-debug || fail logs-verbose-debug "$(cat "$work/v.log")"

# A terminal: script(1) gives the command one.
if command -v script >/dev/null; then
	tty() { script -qec "$*" /dev/null </dev/null; }
	got=$(tty "$LB_BIN" list -o "$work/none" --no-such-option)
	grep -q '^lotbackup: error: unknown option' <<<"$got" && pass logs-tty-no-stamp || fail logs-tty-no-stamp "$got"
	dump=$(ls "$out"/lot-systems-db-*.sql.gz | head -n 1)
	got=$(tty "$LB_BIN" verify "$dump")
	# drawn, then cleared: "\r", the bar, "\033[K" ... "\r\033[K"
	if grep -q $'\rverify   \[[#-]*\] *[0-9]*% .*B/s' <<<"$got" && grep -q $'\r\033\\[K' <<<"$got"; then
		pass progress-verify
	else
		fail progress-verify "$(cat -A <<<"$got" | head -5)"
	fi
	psql -X -q -d "$db" -c "CREATE TABLE t2 AS SELECT * FROM t; CREATE TABLE t3 AS SELECT * FROM t" >/dev/null
	for jobs in 1 3; do
		got=$(tty "$LB_BIN" db -o "$out" -d "dbname=$db" --jobs $jobs)
		grep -q $'\rdump     \[[#-]*\] *[0-9]*% .*B/s' <<<"$got" && grep -q 'lotbackup: wrote ' <<<"$got" &&
			pass progress-dump-jobs-$jobs || fail progress-dump-jobs-$jobs "$(cat -A <<<"$got" | head -5)"
	done
	# The newest dump has three tables: with --jobs 3 they load side by side, one bar for all.
	dump3=$(ls "$out"/lot-systems-db-*.sql.gz | tail -n 1)
	for jobs in 1 3; do
		target=$(new_db lb_logs_restore_$jobs)
		got=$(tty "$LB_BIN" restore "$dump3" -d "dbname=$target" --jobs $jobs)
		if grep -q $'\rrestore  \[[#-]*\] *[0-9]*% .*B/s' <<<"$got" && grep -q $'\r\033\\[K' <<<"$got" &&
			[ "$(psql -X -At -d "$target" -c 'SELECT count(*) FROM t3')" = 20000 ]; then
			pass progress-restore-jobs-$jobs
		else
			fail progress-restore-jobs-$jobs "$(cat -A <<<"$got" | head -5)"
		fi
	done
	proj=$(tmpdir)
	printf "{}\n" >"$proj/package.json"
	got=$(tty "$LB_BIN" full -C "$proj" -o "$out" --no-git -d "dbname=$db")
	grep -q $'\rarchive  \[[#-]*\] *[0-9]*% .*B/s' <<<"$got" && pass progress-archive || fail progress-archive "$(cat -A <<<"$got" | head -5)"
	# Reading a full archive back: the bar counts its compressed bytes, so the total is the file's size.
	archive=$(ls "$out"/lot-systems-full-backup-*.tar.gz | tail -n 1)
	got=$(tty "$LB_BIN" verify "$archive")
	grep -q $'\rverify   \[[#-]*\] *[0-9]*% .*B/s' <<<"$got" && grep -q $'\r\033\\[K' <<<"$got" && grep -q ': ok' <<<"$got" &&
		pass progress-verify-full || fail progress-verify-full "$(cat -A <<<"$got" | head -5)"
	got=$(tty "$LB_BIN" restore "$archive" --to "$work/restored-tty")
	grep -q $'\rextract  \[[#-]*\] *[0-9]*% .*B/s' <<<"$got" && grep -q 'restored the project' <<<"$got" &&
		pass progress-extract-full || fail progress-extract-full "$(cat -A <<<"$got" | head -5)"
	# Not a terminal: the same two commands draw nothing, on stderr or stdout.
	"$LB_BIN" verify "$archive" >"$work/fv.out" 2>"$work/fv.log" &&
		"$LB_BIN" restore "$archive" --to "$work/restored-log" >>"$work/fv.out" 2>>"$work/fv.log"
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'restored the project' "$work/fv.log" && ! grep -q $'\r\|\033\|\[[#-]*\]' "$work/fv.out" "$work/fv.log"; then
		pass progress-full-not-off-tty
	else
		fail progress-full-not-off-tty "exit $rc"$'\n'"$(cat -A "$work/fv.out" "$work/fv.log" | head -8)"
	fi
	got=$(tty "$LB_BIN" verify -q "$dump")
	grep -q $'\r' <<<"$got" && fail progress-not-with-quiet "$(cat -A <<<"$got" | head -3)" || pass progress-not-with-quiet
else
	skip logs-tty "script(1) not installed"
fi
finish
