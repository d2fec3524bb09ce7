#!/usr/bin/env bash
# verify --restore keeps autovacuum off the scratch copy's tables loaded
# frozen or in parts (its work on rows about to be dropped took cores
# from the load), and says so at -v; a restore never changes a table's
# options: the restored table has the dump's (none, or its fillfactor).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_vav_src) || { fail vav-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
  CREATE TABLE big (id int PRIMARY KEY, pad text) WITH (fillfactor = 90);
  INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 30000) g;
  CREATE TABLE small (n int); INSERT INTO small SELECT generate_series(1, 500)" || finish
check vav-dump "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --keep 0 || finish
dump=$(ls "$work"/out/lot-systems-db-*.sql.gz)

check_exit vav-verify-restore 0 "$LB_BIN" verify -v --restore --jobs 2 "$dump" -d dbname=postgres
grep -q 'table public\.big kept from autovacuum: a scratch copy' <<<"$LB_LAST_OUTPUT" &&
	pass vav-big-kept-from-autovacuum || fail vav-big-kept-from-autovacuum "$LB_LAST_OUTPUT"
# Below a MiB of rows a table loads as the file has it: autovacuum's work on it is small.
grep -q 'table public\.small kept from autovacuum' <<<"$LB_LAST_OUTPUT" &&
	fail vav-small-left-alone "$LB_LAST_OUTPUT" || pass vav-small-left-alone

dst=$(new_db lb_vav_dst) || { fail vav-setup-dst createdb; finish; }
check vav-restore "$LB_BIN" restore -v --jobs 2 "$dump" -d "dbname=$dst"
opts=$(psql -X -At -d "$dst" -c "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = 'public.big'::regclass")
[ "$opts" = "fillfactor=90" ] && ! grep -q 'kept from autovacuum' <<<"$LB_LAST_OUTPUT" &&
	pass vav-restore-keeps-table-options || fail vav-restore-keeps-table-options "reloptions '$opts'"$'\n'"$LB_LAST_OUTPUT"
finish
