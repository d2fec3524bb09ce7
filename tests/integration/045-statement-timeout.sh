#!/usr/bin/env bash
# A statement_timeout set on the database (as a DBA would) that fires in the
# middle of a table's COPY: a clean failure naming the table, never a dump
# reported OK, nothing published. To land inside the COPY every time, the
# fault shim stops lotbackup at its second block written while the server
# keeps the clock running.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/fault.sh"

work=$(tmpdir)
fault_build "$work" || { fail timeout-shim-build "cc failed"; finish; }
db=$(new_db lb_stmt_timeout) || { fail timeout-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE small (id int PRIMARY KEY); INSERT INTO small VALUES (1);
  CREATE TABLE big AS SELECT g, md5(g::text) AS a, md5((g + 1)::text) AS b FROM generate_series(1, 200000) g" >/dev/null
out=$work/backups
check timeout-earlier-backup "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
before=$(ls -A "$out")
psql -X -q -d "$db" -c "ALTER DATABASE $db SET statement_timeout = '1500ms'" >/dev/null

LD_PRELOAD="$FAULT_PRELOAD" LB_FAULT=write:2:STOP LB_FAULT_DIR=$out "$LB_BIN" db -d "dbname=$db" -o "$out" --jobs 1 \
	>/dev/null 2>"$work/err" &
p=$!
stopped=no
for _ in $(seq 1 400); do
	[ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" = T ] && { stopped=yes; break; }
	kill -0 "$p" 2>/dev/null || break
	sleep 0.05
done
# The COPY of big is on the server's clock while lotbackup stands still.
running=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lotbackup' AND query LIKE 'COPY%big%'")
sleep 3
kill -CONT "$p"
rc=0
wait "$p" || rc=$?
if [ "$stopped" != yes ] || [ "${running:-0}" -eq 0 ]; then
	fail timeout-mid-copy "the run did not stop inside the COPY of big (stopped=$stopped, copy running=$running)"
elif [ $rc -eq 1 ] && [ "$(grep -c error "$work/err")" -eq 1 ] &&
	grep -q 'public\.big.*statement timeout.*57014' "$work/err"; then
	pass timeout-mid-copy-fails-naming-the-table
else
	fail timeout-mid-copy-fails-naming-the-table "rc=$rc $(cat "$work/err")"
fi
[ "$(ls -A "$out")" = "$before" ] && pass timeout-nothing-published || fail timeout-nothing-published "$(ls -A "$out")"
psql -X -q -d "$db" -c "ALTER DATABASE $db RESET statement_timeout" >/dev/null
finish
