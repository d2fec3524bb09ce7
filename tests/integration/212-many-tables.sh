#!/usr/bin/env bash
# A database of many tables (issue #17: a backup tool that refuses a
# database is no backup tool): every table's lock is held once, by the main
# connection, as pg_dump holds them. Parallel workers take a transaction per
# table, so what they dumped is let go; kept to the end, their locks doubled
# the lock table the dump needs and the server ran out of shared memory
# where pg_dump succeeds. On a cluster of its own with a small lock table
# (max_locks_per_transaction = 10: about 2000 locks), 1500 tables: pg_dump
# needs 1500 locks, the old code about 2250.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

unset LB_PG_DIR
. "$LB_TOP/tests/lib/pgcluster.sh"
pg_cluster_start >/dev/null 2>&1 || { fail many-tables-cluster "cannot start a cluster"; finish; }
at_exit pg_cluster_stop
psql -X -q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = 10" &&
	_pgc_as_owner "$LB_PG_BIN/pg_ctl" -D "$LB_PG_DIR/data" -w -t 60 restart >/dev/null 2>&1 ||
	{ fail many-tables-restart "cannot restart the cluster with a small lock table"; finish; }

work=$(tmpdir)
src=many_src
createdb "$src" || { fail many-tables-setup createdb; finish; }
# In batches: one transaction creating them all would itself run out of locks.
for b in 0 1 2 3 4 5; do
	psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "DO \$\$ BEGIN FOR i IN $((b * 250 + 1))..$((b * 250 + 250)) LOOP
	  EXECUTE format('CREATE TABLE t%s (id int, v text)', i);
	  EXECUTE format('INSERT INTO t%s SELECT g, %L FROM generate_series(1, 3) g', i, 'row of ' || i);
	END LOOP; END \$\$" || { fail many-tables-setup "batch $b"; finish; }
done
pg_dump -d "$src" -f /dev/null && pass many-tables-pg-dump-can || fail many-tables-pg-dump-can "pg_dump itself fails here"

check many-tables-db "$LB_BIN" db -q --jobs 2 -d "dbname=$src" -o "$work/out" --keep 0
dump=$(ls "$work"/out/lot-systems-db-*.sql.gz 2>/dev/null)
if [ -n "$dump" ]; then
	check many-tables-verify "$LB_BIN" verify -q "$dump"
	createdb -T template0 many_dst
	check many-tables-restore "$LB_BIN" restore -q "$dump" -d dbname=many_dst
	[ "$(psql -X -At -d many_dst -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 1500 ] &&
		[ "$(psql -X -At -d many_dst -c "SELECT v FROM t1500 WHERE id = 3")" = "row of 1500" ] &&
		pass many-tables-all-back || fail many-tables-all-back
	check many-tables-verify-restore "$LB_BIN" verify -q --restore "$dump" -d dbname=postgres
else
	fail many-tables-dump-written "$LB_LAST_OUTPUT"
fi

# With most of the lock table taken by another session, the dump cannot
# lock its tables: it fails, publishes nothing, and passes on the server's
# hint, which names the setting to raise.
psql -X -q -d postgres -c "BEGIN; SELECT count(pg_advisory_xact_lock(g)) FROM generate_series(1, 1200) g; SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
at_exit "kill $holder 2>/dev/null"
for i in $(seq 1 50); do
	[ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" -ge 1200 ] && break
	sleep 0.2
done
"$LB_BIN" db -q -d "dbname=$src" -o "$work/full" --keep 0 >"$work/full.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'out of shared memory (SQLSTATE 53200); hint: You might need to increase "*max_locks_per_transaction' "$work/full.out" &&
	[ -z "$(ls "$work/full" 2>/dev/null | grep 'sql.gz')" ] && pass many-tables-full-lock-table-hint ||
	fail many-tables-full-lock-table-hint "exit $rc: $(cat "$work/full.out")"
kill $holder 2>/dev/null
finish
