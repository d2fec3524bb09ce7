#!/usr/bin/env bash
# db --all-databases (issue #17): every connectable database of the server
# that is not a template, in one run with one exit status, each into a
# folder named after it (OUTPUT/db-NAME/, any name made safe) with its own
# manifest, lock and retention. A database that fails does not stop the
# others; the run then exits 1 naming it. On a cluster of its own, so the
# other tests' databases are not dumped.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

unset LB_PG_DIR
. "$LB_TOP/tests/lib/pgcluster.sh"
pg_cluster_start >/dev/null 2>&1 || { fail all-dbs-cluster "cannot start a cluster"; finish; }
at_exit pg_cluster_stop

work=$(tmpdir)
weird='lb all/ü "x"'
for db in lb_all_a lb_all_b "$weird" lb_all_tmpl lb_all_noconn; do
	createdb -T template0 "$db" || { fail all-dbs-setup "cannot create $db"; finish; }
done
psql -X -q -d lb_all_a -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'a' || g FROM generate_series(1, 100) g"
psql -X -q -d lb_all_b -c "CREATE TABLE u (id int); INSERT INTO u VALUES (1), (2)"
psql -X -q -d "$weird" -c "CREATE TABLE w (id int); INSERT INTO w VALUES (7)"
psql -X -q -d postgres -c "ALTER DATABASE lb_all_tmpl IS_TEMPLATE true" -c "ALTER DATABASE lb_all_noconn ALLOW_CONNECTIONS false"

check all-dbs-run "$LB_BIN" db -q -d dbname=postgres -o "$work/out" --all-databases || finish
want="db-lb_all_a db-lb_all_b db-lb%20all%2F%C3%BC%20%22x%22 db-postgres"
got=$(cd "$work/out" && ls -d db-* | LC_ALL=C sort | tr '\n' ' ')
[ "$got" = "$(tr ' ' '\n' <<<"$want" | LC_ALL=C sort | tr '\n' ' ')" ] && pass all-dbs-folders ||
	fail all-dbs-folders "got: $got; want: $want"
bad=''
for d in lb_all_a lb_all_b "$weird" postgres; do
	dir=$work/out/$(python3 -c 'import sys, urllib.parse; print("db-" + urllib.parse.quote(sys.argv[1], safe="-_.").replace("%7E", "~"))' "$d")
	m=$(ls "$dir"/*.sql.gz.manifest.json 2>/dev/null)
	[ -n "$m" ] && [ "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["database"])' "$m")" = "$d" ] ||
		bad="$bad [$d]"
done
[ -z "$bad" ] && pass all-dbs-one-dump-each || fail all-dbs-one-dump-each "no dump or wrong database:$bad"
dst=lb_all_a_copy
createdb -T template0 "$dst"
if check all-dbs-restore "$LB_BIN" restore -q "$work"/out/db-lb_all_a/*.sql.gz -d "dbname=$dst"; then
	check all-dbs-restore-identical compare_databases lb_all_a "$dst"
fi
dropdb "$dst"
out=$("$LB_BIN" list -o "$work/out/db-lb_all_b")
grep -q 'lot-systems-db-' <<<"$out" && pass all-dbs-list-folder || fail all-dbs-list-folder "$out"
# list of the output directory names each database, its dumps and its folder.
out=$("$LB_BIN" list -o "$work/out")
if grep -q "^DATABASE (--all-databases)" <<<"$out" && grep -qF "$weird" <<<"$out" &&
	grep -q "^lb_all_a  *1 .*$work/out/db-lb_all_a$" <<<"$out" && ! grep -q 'No backups' <<<"$out"; then
	pass all-dbs-list-names-databases
else
	fail all-dbs-list-names-databases "$out"
fi

# One database fails (a table it cannot lock): the others are dumped, the run exits 1 naming it.
rm -rf "$work/out2"
psql -X -q -d lb_all_b -c "BEGIN; LOCK TABLE u IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30)" >/dev/null 2>&1 &
locker=$!
at_exit "kill $locker 2>/dev/null"
for _ in $(seq 1 100); do
	[ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'u' AND l.mode = 'AccessExclusiveLock'" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
out=$("$LB_BIN" db -d dbname=postgres -o "$work/out2" --all-databases --lock-timeout 200 2>&1)
rc=$?
kill "$locker" 2>/dev/null
if [ $rc -eq 1 ] && grep -q 'database lb_all_b: no dump' <<<"$out" && grep -q '1 of 4 databases were not dumped' <<<"$out" &&
	ls "$work"/out2/db-lb_all_a/*.sql.gz >/dev/null 2>&1 && ! ls "$work"/out2/db-lb_all_b/*.sql.gz >/dev/null 2>&1; then
	pass all-dbs-one-fails-others-dumped
else
	fail all-dbs-one-fails-others-dumped "exit $rc: $out"
fi
check_exit all-dbs-no-upload 2 "$LB_BIN" db -d dbname=postgres -o "$work/out3" --all-databases --upload
finish
