#!/usr/bin/env bash
# A dump taken while pgbench writes is one consistent snapshot: after restore,
# the balances of accounts, tellers, branches and the history deltas agree.
# With --jobs 4 the tables are read by several connections at once; they
# share the first one's exported snapshot, or the sums would disagree.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

src=$(new_db lb_bench_src) || { fail pgbench-setup "createdb"; finish; }
pgbench -q -i -s 2 "$src" >/dev/null 2>&1 || { fail pgbench-init "pgbench -i failed"; finish; }
work=$(tmpdir)

for jobs in 1 4; do
	dst=$(new_db "lb_bench_dst$jobs") || { fail "pgbench-setup-jobs$jobs" "createdb"; continue; }
	pgbench -n -c 4 -j 2 -T 20 "$src" >"$work/pgbench.log" 2>&1 &
	bench=$!
	at_exit "kill $bench 2>/dev/null"
	sleep 2
	check "db-dump-under-pgbench-jobs$jobs" "$LB_BIN" db -v --jobs "$jobs" -d "dbname=$src" -o "$work/out$jobs"
	dump_log=$LB_LAST_OUTPUT
	# Still writing after the dump finished? Then the dump really overlapped the load.
	if kill -0 "$bench" 2>/dev/null; then pass "pgbench-overlapped-dump-jobs$jobs"; else fail "pgbench-overlapped-dump-jobs$jobs" "pgbench ended before the dump did"; fi
	kill "$bench" 2>/dev/null
	wait "$bench" 2>/dev/null
	if [ "$jobs" -gt 1 ]; then
		# Its -v lines say which tables other connections read.
		if printf '%s\n' "$dump_log" | grep -q "on a parallel connection"; then
			pass pgbench-dump-was-parallel
		else
			fail pgbench-dump-was-parallel "no table was dumped on a parallel connection"
		fi
	fi

	file=$(ls "$work/out$jobs"/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
	if [ -n "$file" ] && gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/restore.log" 2>&1; then
		pass "pgbench-dump-restores-jobs$jobs"
	else
		fail "pgbench-dump-restores-jobs$jobs" "$(tail -n 5 "$work/restore.log" 2>/dev/null)"
		continue
	fi
	check_exit "pgbench-dump-verify-restore-jobs$jobs" 0 "$LB_BIN" verify --restore "$file"
	result=$(psql -X -At -d "$dst" -f "$LB_TOP/tests/fixtures/pgbench-check.sql" 2>&1)
	history=$(psql -X -At -d "$dst" -c 'SELECT count(*) FROM pgbench_history')
	if [ "$result" = ok ] && [ "${history:-0}" -gt 0 ]; then
		pass "pgbench-invariants-hold-jobs$jobs"
	else
		fail "pgbench-invariants-hold-jobs$jobs" "$result (history rows: $history)"
	fi
done

# The largest table (pgbench_accounts) is the main connection's: were a
# worker to claim it, the main one would only wait for it. Workers race the
# main thread for the first table, so three dumps make a lost race show.
largest_on_main=yes
for run in 1 2 3; do
	out=$("$LB_BIN" db -v --jobs 4 -d "dbname=$src" -o "$work/largest$run" --keep 0 2>&1) ||
		{ largest_on_main="db failed: $(printf '%s\n' "$out" | tail -n 2)"; break; }
	line=$(printf '%s\n' "$out" | grep 'dumping table public.pgbench_accounts')
	case $line in
	*"on a parallel connection"*) largest_on_main="run $run: $line"; break ;;
	"") largest_on_main="run $run: no line for pgbench_accounts"; break ;;
	esac
done
if [ "$largest_on_main" = yes ]; then pass pgbench-largest-on-main; else fail pgbench-largest-on-main "$largest_on_main"; fi
finish
