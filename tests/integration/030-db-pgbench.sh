#!/usr/bin/env bash
# A dump taken while pgbench writes is one consistent snapshot: after restore,
# the balances of accounts, tellers, branches and the history deltas agree.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

src=$(new_db lb_bench_src) && dst=$(new_db lb_bench_dst) || { fail pgbench-setup "createdb"; finish; }
pgbench -q -i -s 2 "$src" >/dev/null 2>&1 || { fail pgbench-init "pgbench -i failed"; finish; }
work=$(tmpdir)

pgbench -n -c 4 -j 2 -T 20 "$src" >"$work/pgbench.log" 2>&1 &
bench=$!
at_exit "kill $bench 2>/dev/null"
sleep 2
check db-dump-under-pgbench "$LB_BIN" db -d "dbname=$src" -o "$work/out"
# Still writing after the dump finished? Then the dump really overlapped the load.
if kill -0 "$bench" 2>/dev/null; then pass pgbench-overlapped-dump; else fail pgbench-overlapped-dump "pgbench ended before the dump did"; fi
kill "$bench" 2>/dev/null
wait "$bench" 2>/dev/null

file=$(ls "$work"/out/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
if [ -n "$file" ] && gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/restore.log" 2>&1; then
	pass pgbench-dump-restores
else
	fail pgbench-dump-restores "$(tail -n 5 "$work/restore.log" 2>/dev/null)"
	finish
fi
result=$(psql -X -At -d "$dst" -f "$LB_TOP/tests/fixtures/pgbench-check.sql" 2>&1)
history=$(psql -X -At -d "$dst" -c 'SELECT count(*) FROM pgbench_history')
if [ "$result" = ok ] && [ "${history:-0}" -gt 0 ]; then
	pass pgbench-invariants-hold
else
	fail pgbench-invariants-hold "$result (history rows: $history)"
fi
finish
