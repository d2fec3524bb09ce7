#!/usr/bin/env bash
# The objects of PostgreSQL's regression database a dump got wrong
# (issue #17; tests/fixtures/regressdb.sql): dumped by `lotbackup db
# --owner --privileges`, loaded by `gunzip | psql` and by `lotbackup
# restore`, each copy compared with the source by pg_dump --schema-only
# and rows and through the server's deparsers; then the same on the
# majors 12, 16 and 18 (LB_REGRESSDB_MAJORS), object by object. The whole
# regression database is `make check-regression`'s (too slow here).
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"
. "$LB_TOP/tests/lib/kinds.sh"
. "$LB_TOP/tests/lib/pgcluster.sh"

fixture=$LB_TOP/tests/fixtures/regressdb.sql
work=$(tmpdir)
src=$(new_db lb_rdb_src) && dst=$(new_db lb_rdb_dst) && rdst=$(new_db lb_rdb_restore) ||
	{ fail regressdb-setup "cannot create databases"; finish; }
check regressdb-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$fixture" || finish
kinds_roundtrip regressdb "$src" "$dst" "$rdst" "$work" || finish

# JIT compiles nothing for the dump's catalog queries: on a database whose
# settings make every query JIT-compiled (and write its bitcode to the
# data directory), db leaves no bitcode. Only where the server has JIT.
jit=$(new_db lb_rdb_jit) &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$jit" -c "CREATE TABLE t (a integer); INSERT INTO t VALUES (1);
		ALTER DATABASE $jit SET jit = on; ALTER DATABASE $jit SET jit_above_cost = 0;
		ALTER DATABASE $jit SET jit_dump_bitcode = on" ||
	fail regressdb-jit-setup "cannot make the JIT database"
if [ "$(psql -X -At -d "$jit" -c "SELECT pg_jit_available()")" != t ]; then
	skip regressdb-jit-off "the server has no JIT"
else
	find "$LB_PG_DATA" -maxdepth 1 -name '*.bc' -delete
	if check regressdb-jit-db "$LB_BIN" db -q -d "dbname=$jit" -o "$work/jit"; then
		bc=$(find "$LB_PG_DATA" -maxdepth 1 -name '*.bc' | wc -l)
		[ "$bc" -eq 0 ] && pass regressdb-jit-off || fail regressdb-jit-off "the dump's queries were JIT-compiled: $bc bitcode files"
	fi
	find "$LB_PG_DATA" -maxdepth 1 -name '*.bc' -delete
fi

# verify --restore loads as a role that owns nothing of pg_catalog: it
# passes over the dump's GRANTs and REVOKEs on pg_catalog's objects.
catacl=$(new_db lb_rdb_catacl) &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$catacl" -c "CREATE TABLE t (a integer); INSERT INTO t VALUES (1);
		GRANT SELECT (rolname) ON pg_catalog.pg_authid TO postgres;
		REVOKE EXECUTE ON FUNCTION pg_catalog.pg_sleep(double precision) FROM PUBLIC;
		GRANT USAGE ON SCHEMA pg_catalog TO postgres WITH GRANT OPTION" &&
	"$LB_BIN" db -q -d "dbname=$catacl" -o "$work/catacl" --owner --privileges ||
	fail regressdb-catalog-acl-setup "cannot make and dump a database with pg_catalog privileges"
check_exit regressdb-catalog-acl-verify-restore 0 "$LB_BIN" verify -q --restore "$work"/catacl/*.sql.gz

# fixture_for MAJOR: the fixture without the statements (marked "15+")
# an older major cannot run.
fixture_for() {
	if [ "$1" -lt 15 ]; then
		sed '/-- 15+$/d' "$fixture"
	else
		cat "$fixture"
	fi
}

# shellcheck disable=SC2086 # a list of majors
"$LB_TOP/tests/setup/install-pg-majors.sh" ${LB_REGRESSDB_MAJORS:-12 16 18} >"$work/majors" 2>"$work/install.log"
rc=$?
if [ $rc -eq 77 ]; then
	skip regressdb-majors "no server binaries: $(tail -n 1 "$work/install.log")"
	finish
elif [ $rc -ne 0 ] || [ ! -s "$work/majors" ]; then
	fail regressdb-majors-install "install-pg-majors.sh exited $rc"$'\n'"$(tail -n 5 "$work/install.log")"
	[ -s "$work/majors" ] || finish
fi
at_exit pg_major_stop
while read -r major version root <&3; do
	if ! pg_major_start "$root" 2>"$work/start.log"; then
		fail "regressdb-$major-start" "cannot start $version: $(tail -n 5 "$work/start.log")"
		continue
	fi
	if ! createdb src || ! createdb dst_psql || ! createdb dst_restore ||
		! fixture_for "$major" | psql -X -q -v ON_ERROR_STOP=1 -d src -f - >"$work/load.log" 2>&1; then
		fail "regressdb-$major-fixture" "the fixture does not load on $version"$'\n'"$(tail -n 5 "$work/load.log")"
		pg_major_stop
		continue
	fi
	if check "regressdb-$major-db" "$LB_BIN" db -q -d "dbname=src" -o "$work/out-$major" --owner --privileges; then
		file=$(ls "$work/out-$major"/*.sql.gz)
		if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d dst_psql >"$work/psql.log" 2>&1; then
			pass "regressdb-$major-loads-with-psql"
			same_described "regressdb-$major-psql-described" src dst_psql "$work"
		else
			fail "regressdb-$major-loads-with-psql" "$(tail -n 5 "$work/psql.log")"
		fi
		if check "regressdb-$major-restore" "$LB_BIN" restore -q "$file" -d "dbname=dst_restore"; then
			same_described "regressdb-$major-restore-described" src dst_restore "$work"
		fi
	fi
	pg_major_stop
done 3<"$work/majors"
finish
