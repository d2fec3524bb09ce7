#!/usr/bin/env bash
# restore --globals runs only what db --globals writes, read by tokens, on
# the roles and tablespaces the file makes, one statement at a time with
# standard_conforming_strings on; without --trusted nothing that reaches
# past those roles. Each hostile file below exits 3 and changes nothing;
# before, each ran (a superuser made, another role's password or
# attributes changed, a grant on a database, ALTER ROLE ALL, a program
# run by the server).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
chmod 0755 "$work"
cleanup() {
	for r in lb_h_evil lb_h_app '"all"'; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
at_exit cleanup
cleanup
psql -X -q -d postgres -c "CREATE ROLE lb_h_app NOLOGIN" >/dev/null || { fail ghost-setup "cannot create a role"; finish; }
# state: what any of the files could change, to compare before and after.
state() {
	psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "SELECT a.rolname, a.rolsuper, a.rolcreaterole, a.rolbypassrls,
	    a.rolcanlogin, r.rolconfig, a.rolpassword IS NOT NULL FROM pg_authid a JOIN pg_roles r ON r.oid = a.oid ORDER BY 1" \
		-c "SELECT datacl FROM pg_database WHERE datname = 'postgres'" \
		-c "SELECT roleid::regrole, member::regrole FROM pg_auth_members ORDER BY 1, 2" \
		-c "SELECT spcname, spcowner::regrole FROM pg_tablespace ORDER BY 1" \
		-c "SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2" ||
		echo "the state query failed ($RANDOM)"
}
attrs='NOINHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS'
# hostile NAME CONTENT: the file exits 3 and the server is as before.
hostile() {
	local before f=$work/$1.sql
	printf '%s\n' "$2" >"$f"
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS lb_h_evil" -c 'DROP ROLE IF EXISTS "all"' >/dev/null 2>&1
	before=$(state)
	check_exit "ghost-refused-$1" 3 "$LB_BIN" restore --globals "$f" -d dbname=postgres
	[ "$(state)" = "$before" ] && pass "ghost-nothing-changed-$1" ||
		fail "ghost-nothing-changed-$1" "$(diff <(echo "$before") <(state))"
}
# Two statements in one for a session with standard_conforming_strings
# off (a role's setting, or the connection's options): the server would
# run the COPY. The file is refused; nothing runs either way.
mkdir -p "$work/drop" && chmod 0777 "$work/drop"	# the server's OS user may write there
PGOPTIONS="-c standard_conforming_strings=off" hostile two-in-one "CREATE ROLE lb_h_evil;
COMMENT ON ROLE lb_h_evil IS 'a\\''; COPY (SELECT 1) TO PROGRAM 'touch $work/drop/pwned'; -- ';"
[ ! -e "$work/drop/pwned" ] && pass ghost-program-not-run || fail ghost-program-not-run "the server ran the COPY's program"
hostile superuser "CREATE ROLE lb_h_evil;
ALTER ROLE lb_h_evil WITH SUPERUSER $attrs;"
hostile password "CREATE ROLE lb_h_evil;
ALTER ROLE lb_h_evil WITH SUPERUSER LOGIN PASSWORD 'evilpw';"
hostile createrole "CREATE ROLE lb_h_evil;
ALTER ROLE lb_h_evil WITH NOSUPERUSER INHERIT CREATEROLE NOCREATEDB LOGIN NOREPLICATION BYPASSRLS;"
hostile server-program "CREATE ROLE lb_h_evil;
GRANT pg_execute_server_program TO lb_h_evil;"
hostile write-files "CREATE ROLE lb_h_evil;
GRANT pg_write_server_files TO lb_h_evil WITH ADMIN OPTION;"
hostile grant-on-lower "CREATE ROLE lb_h_evil;
GRANT ALL on DATABASE postgres TO lb_h_evil;"
hostile grant-on-tab "CREATE ROLE lb_h_evil;
GRANT ALL	ON DATABASE postgres TO lb_h_evil;"
hostile grant-on-newline "CREATE ROLE lb_h_evil;
GRANT SELECT
ON pg_catalog.pg_authid TO lb_h_evil;"
hostile all-roles "CREATE ROLE lb_h_evil;
ALTER ROLE ALL SET log_min_messages TO 'panic';"
hostile all-quoted "CREATE ROLE \"all\";
ALTER ROLE ALL SET work_mem TO '1MB';"
hostile superuser-setting "CREATE ROLE lb_h_evil;
ALTER ROLE lb_h_evil SET session_preload_libraries TO 'evil';"
hostile tablespace-owner "ALTER TABLESPACE pg_default OWNER TO lb_h_app;"
hostile drop "CREATE ROLE lb_h_evil;
DROP/**/DATABASE postgres;"

# Last: run by an earlier lotbackup they took the cluster's own superuser's rights away.
hostile other-role "CREATE ROLE lb_h_evil;
ALTER ROLE $PGUSER WITH NOSUPERUSER $attrs;"
hostile other-password "CREATE ROLE lb_h_evil;
ALTER ROLE $PGUSER WITH PASSWORD 'owned';"

# A file of one's own: with --trusted, a superuser role is made as written.
printf 'CREATE ROLE lb_h_evil;\nALTER ROLE lb_h_evil WITH SUPERUSER %s;\nGRANT pg_monitor TO lb_h_evil;\n' "$attrs" >"$work/own.sql"
check ghost-trusted-runs "$LB_BIN" restore --globals --trusted "$work/own.sql" -d dbname=postgres
got=$(psql -X -At -d postgres -c "SELECT rolsuper, rolcanlogin, pg_has_role('lb_h_evil', 'pg_monitor', 'MEMBER') FROM pg_roles WHERE rolname = 'lb_h_evil'")
[ "$got" = "t|t|t" ] && pass ghost-trusted-made-it || fail ghost-trusted-made-it "$got"
check_exit ghost-trusted-needs-globals 2 "$LB_BIN" restore --trusted "$work/own.sql" -d dbname=postgres
finish
