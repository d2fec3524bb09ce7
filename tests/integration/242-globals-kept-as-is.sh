#!/usr/bin/env bash
# restore --globals keeps a role that exists as it is: the file's
# statements about it (attributes, settings, comment, its grants) are
# skipped, said in one line. Before, only its CREATE was, and a file
# could still change the existing role (here log in, a comment, a
# setting).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_gs_src) || { fail gsql-setup createdb; finish; }
drop_role() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS lb_gs_src" -c "DROP ROLE IF EXISTS lb_gs_owner" >/dev/null 2>&1; }
at_exit drop_role
check gsql-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "CREATE ROLE lb_gs_owner LOGIN" \
	-c "ALTER ROLE lb_gs_owner SET work_mem TO '8MB'" -c "COMMENT ON ROLE lb_gs_owner IS 'at dump time'" \
	-c "CREATE TABLE t (i int)" -c "ALTER TABLE t OWNER TO lb_gs_owner" || finish
check gsql-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --globals --owner || finish
g=$(ls "$work"/out/*.sql.gz).globals.sql
state="SELECT rolcanlogin, rolconfig, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = 'lb_gs_owner'"
# The role as it is on this server now: another login, setting and comment than the file's.
psql -X -q -d postgres -c "ALTER ROLE lb_gs_owner NOLOGIN" -c "ALTER ROLE lb_gs_owner RESET work_mem" \
	-c "COMMENT ON ROLE lb_gs_owner IS 'now'" >/dev/null
before=$(psql -X -At -d postgres -c "$state")
check gsql-restore-existing "$LB_BIN" restore --globals "$g" -d dbname=postgres
grep -q 'role "lb_gs_owner" exists already: kept as it is' <<<"$LB_LAST_OUTPUT" &&
	pass gsql-kept-said || fail gsql-kept-said "$LB_LAST_OUTPUT"
after=$(psql -X -At -d postgres -c "$state")
[ "$before" = "$after" ] && pass gsql-kept-as-it-is || fail gsql-kept-as-it-is "before: $before; after: $after"
finish
