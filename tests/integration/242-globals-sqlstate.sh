#!/usr/bin/env bash
# restore --globals names a role or tablespace it keeps with the server's
# message and its SQLSTATE, read through pg/'s shared helpers like every
# other libpq error (not by hand).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_gs_src) || { fail gsql-setup createdb; finish; }
drop_role() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS lb_gs_src" -c "DROP ROLE IF EXISTS lb_gs_owner" >/dev/null 2>&1; }
at_exit drop_role
check gsql-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "CREATE ROLE lb_gs_owner NOLOGIN" \
	-c "CREATE TABLE t (i int)" -c "ALTER TABLE t OWNER TO lb_gs_owner" || finish
check gsql-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --globals --owner || finish
g=$(ls "$work"/out/*.sql.gz).globals.sql
check gsql-restore-existing "$LB_BIN" restore --globals "$g" -d dbname=postgres
grep -q 'role "lb_gs_owner" already exists: kept as it is (SQLSTATE 42710)' <<<"$LB_LAST_OUTPUT" &&
	pass gsql-kept-names-sqlstate || fail gsql-kept-names-sqlstate "$LB_LAST_OUTPUT"
finish
