#!/usr/bin/env bash
# db --globals (issue #17): the roles a database's objects reference
# (owners, grantees, their memberships up and down, attributes, settings,
# comments) and the tablespaces it uses, written beside the dump as
# NAME.sql.gz.globals.sql, 0600, recorded in the manifest (verify checks
# it), never a password. restore --globals creates them before the dump
# is restored, keeps roles that exist, and refuses a file that is not
# what the manifest recorded or holds anything but role and tablespace
# statements, before running any.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
chmod 0755 "$work"
mkdir "$work/ts" && chown postgres "$work/ts" 2>/dev/null
src=$(new_db lb_glob_src) || { fail globals-setup "cannot create the database"; finish; }
roles="lb_g_owner lb_g_reader lb_g_web lb_g_admin lb_g_unrelated"
drop_roles() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS lb_glob_src" -c "DROP DATABASE IF EXISTS lb_glob_copy" \
		-c "DROP TABLESPACE IF EXISTS lb_g_space" >/dev/null 2>&1
	for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
at_exit drop_roles
check globals-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<SQL || finish
CREATE ROLE lb_g_owner NOLOGIN;
CREATE ROLE lb_g_reader NOLOGIN;
CREATE ROLE lb_g_web LOGIN PASSWORD 'Pw-never-in-a-file-41' CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00';
CREATE ROLE lb_g_admin CREATEDB NOINHERIT;
CREATE ROLE lb_g_unrelated LOGIN;
GRANT lb_g_reader TO lb_g_web;
GRANT lb_g_owner TO lb_g_admin WITH ADMIN OPTION;
GRANT pg_read_all_stats TO lb_g_admin;
ALTER ROLE lb_g_web SET search_path TO "\$user", app;
ALTER ROLE lb_g_web SET work_mem TO '8MB';
COMMENT ON ROLE lb_g_owner IS 'owns the app';
CREATE TABLESPACE lb_g_space LOCATION '$work/ts';
CREATE SCHEMA app AUTHORIZATION lb_g_owner;
CREATE TABLE app.users (id int PRIMARY KEY, name text) TABLESPACE lb_g_space;
ALTER TABLE app.users OWNER TO lb_g_owner;
GRANT SELECT ON app.users TO lb_g_reader;
INSERT INTO app.users VALUES (1, 'a'), (2, 'b');
SQL

# snap: the roles as the server has them, for before and after.
snap() {
	psql -X -At -d postgres -c "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
	    rolconnlimit, rolvaliduntil, rolconfig, shobj_description(oid, 'pg_authid') FROM pg_roles
	    WHERE rolname LIKE 'lb\_g\_%' AND rolname <> 'lb_g_unrelated' ORDER BY 1" \
		-c "SELECT r.rolname, m.rolname, a.admin_option FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid
	    JOIN pg_roles m ON m.oid = a.member WHERE m.rolname LIKE 'lb\_g\_%' ORDER BY 1, 2"
}
snap >"$work/before.txt"

check globals-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --globals --owner --privileges || finish
dump=$(ls "$work"/out/*.sql.gz)
g=$dump.globals.sql
if [ -f "$g" ] && [ "$(stat -c %a "$g")" = 600 ]; then pass globals-file-0600; else fail globals-file-0600 "$(ls -l "$work/out")"; fi
missing=''
for want in 'CREATE ROLE lb_g_owner;' 'CREATE ROLE lb_g_reader;' 'CREATE ROLE lb_g_web;' 'CREATE ROLE lb_g_admin;' \
	"ALTER ROLE lb_g_web WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 VALID UNTIL" \
	'GRANT lb_g_reader TO lb_g_web;' 'GRANT lb_g_owner TO lb_g_admin WITH ADMIN OPTION;' 'GRANT pg_read_all_stats TO lb_g_admin;' \
	"COMMENT ON ROLE lb_g_owner IS 'owns the app';" "CREATE TABLESPACE lb_g_space OWNER postgres LOCATION '$work/ts';"; do
	grep -qF -- "$want" "$g" || missing="$missing [$want]"
done
[ -z "$missing" ] && pass globals-content || fail globals-content "missing:$missing"$'\n'"$(cat "$g")"
if grep -v '^--' "$g" | grep -qiE 'Pw-never|SCRAM-SHA|md5[0-9a-f]{32}|PASSWORD|lb_g_unrelated|CREATE ROLE postgres'; then
	fail globals-no-password-no-stranger "$(cat "$g")"
else
	pass globals-no-password-no-stranger
fi
if python3 -c 'import json, sys; g = json.load(open(sys.argv[1]))["globals"]; sys.exit(not (g["roles"] == 4 and g["tablespaces"] == 1))' "$dump.manifest.json"; then
	pass globals-manifest
else
	fail globals-manifest "$(cat "$dump.manifest.json")"
fi
check globals-verify "$LB_BIN" verify -o "$work/out" "$dump" && grep -q 'ok   globals' <<<"$LB_LAST_OUTPUT" ||
	fail globals-verify-names-it "$LB_LAST_OUTPUT"

# On the same server every role exists: kept, exit 0.
check globals-restore-existing "$LB_BIN" restore --globals "$g" -d dbname=postgres
grep -q 'role "lb_g_owner" exists already: kept as it is' <<<"$LB_LAST_OUTPUT" ||
	fail globals-restore-existing-says "$LB_LAST_OUTPUT"

# Gone (as on a new server): created as they were, then the dump restores with owners and grants.
drop_roles
check globals-restore-creates "$LB_BIN" restore -q --globals "$g" -d dbname=postgres
snap >"$work/after.txt"
if diff "$work/before.txt" "$work/after.txt" >"$work/roles.diff"; then pass globals-roles-as-before
else fail globals-roles-as-before "$(cat "$work/roles.diff")"; fi
if check globals-dump-restores "$LB_BIN" restore -q "$dump" -d dbname=lb_glob_copy --create; then
	got=$(psql -X -At -d lb_glob_copy -c "SELECT relowner::regrole::text || ' ' || relacl::text FROM pg_class WHERE oid = 'app.users'::regclass")
	[ "$got" = 'lb_g_owner {lb_g_owner=arwdDxt/lb_g_owner,lb_g_reader=r/lb_g_owner}' ] && pass globals-owner-and-grants ||
		fail globals-owner-and-grants "$got"
fi

# Refused before anything runs: a changed file, a statement that is no global.
cp "$g" "$work/saved.sql"
printf 'CREATE ROLE lb_g_unrelated2;\n' >>"$g"
check_exit globals-changed-file-refused 3 "$LB_BIN" restore --globals "$g" -d dbname=postgres
cp "$work/saved.sql" "$g"
printf 'CREATE ROLE lb_g_unrelated;\nDROP DATABASE lb_glob_copy;\n' >"$work/hostile.globals.sql"
check_exit globals-hostile-refused 3 "$LB_BIN" restore --globals "$work/hostile.globals.sql" -d dbname=postgres
n=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = 'lb_glob_copy'")
[ "$n" = 1 ] && pass globals-hostile-ran-nothing || fail globals-hostile-ran-nothing "lb_glob_copy is gone"
check_exit globals-restore-needs-dbname 2 "$LB_BIN" restore --globals "$g"

# psql reads it too (roles that exist report errors, the rest goes on, as with pg_dumpall's).
out=$(psql -X -d postgres -f "$g" 2>&1)
grep -q 'already exists' <<<"$out" && pass globals-psql-loads || fail globals-psql-loads "$out"
finish
