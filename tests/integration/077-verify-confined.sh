#!/usr/bin/env bash
# verify --restore loads as a role of its own (issue #15, items 2, 6, 7):
# a statement the allow-list accepts cannot reach outside the scratch
# database, even through a function that asks to be the superuser again;
# a table the manifest does not list that ends up holding rows fails the
# content check; scratch leftovers of this host whose process is gone are
# dropped with their role, another host's are only named. Each hostile
# dump keeps the good one's COPY blocks and manifest (size and checksum
# updated), so only --restore can tell.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_vconf) || { fail vconf-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE EXTENSION IF NOT EXISTS citext;
  COMMENT ON EXTENSION citext IS 'case-insensitive text';
  CREATE TABLE t (id int PRIMARY KEY, s citext);
  INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 50) g;
  DROP ROLE IF EXISTS lb_vconf_owner; CREATE ROLE lb_vconf_owner;
  ALTER TABLE t OWNER TO lb_vconf_owner; GRANT SELECT ON t TO lb_noaccess;" >/dev/null
work=$(tmpdir)
at_exit "psql -X -q -d postgres -c 'DROP ROLE IF EXISTS lb_vconf_owner' >/dev/null 2>&1"
check vconf-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/out" || finish
good=$(ls "$work"/out/lot-systems-db-*.sql.gz | head -n 1)
# An owner, a grant, an extension and its comment: what a plain role could
# not run is passed over or run as the user, and the copy still compares.
check_exit vconf-good-passes 0 "$LB_BIN" verify --restore "$good"
grep -q 'as role lotbackup_verify_' <<<"$LB_LAST_OUTPUT" && pass vconf-loads-as-role ||
	fail vconf-loads-as-role "$LB_LAST_OUTPUT"
tag=$(sed -n 's/.*scratch database lotbackup_verify_\([0-9a-f]\{8\}\)_.*/\1/p' <<<"$LB_LAST_OUTPUT" | head -n 1)
left() { psql -X -At -d postgres -c "SELECT (SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup\\_verify\\_%') + (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'lotbackup\\_verify\\_%')"; }
[ "$(left)" = 0 ] && pass vconf-role-dropped || fail vconf-role-dropped "left: $(left)"

# appended NAME SQL: as 075 edits, a copy of the good dump with SQL added
# after its data, the manifest's size and sha256 recomputed.
appended() {
	local d=$work/$1 f
	mkdir -p "$d"
	f=$d/$(basename "$good")
	cp "$good.manifest.json" "$f.manifest.json"
	gunzip -c "$good" | python3 -c '
import sys
sql = sys.stdin.read()
i = sql.index("\n\\.\n", sql.index("COPY public.t ")) + 4
sys.stdout.write(sql[:i] + sys.argv[1] + sql[i:])
' "$2" | gzip >"$f"
	python3 "$LB_TOP/tests/lib/match-manifest.py" "$f"
	echo "$f"
}

# A server file written by lo_export, as the server's OS user: every
# statement below passes the allow-list (CREATE TABLE ... AS, CREATE
# FUNCTION, SET ROLE). The file goes where that user may write.
pwned=$LB_PG_DIR/vconf-pwned
at_exit "rm -f '$pwned'"
lo="CREATE TABLE public.lo AS SELECT pg_catalog.lo_from_bytea(0, '\\x6869'::bytea) AS id;
"
export_sql="pg_catalog.lo_export((SELECT id FROM public.lo), '$pwned')"

# stopped NAME SQL: the dump with SQL added fails verify, and no file was written.
stopped() {
	local f
	rm -f "$pwned"
	f=$(appended "$1" "$2")
	check_exit "vconf-$1-fails" 3 "$LB_BIN" verify --restore "$f"
	[ ! -e "$pwned" ] && pass "vconf-$1-stopped" || fail "vconf-$1-stopped" "$pwned was written: $LB_LAST_OUTPUT"
}
stopped lo-export "${lo}CREATE TABLE public.leak AS SELECT $export_sql AS x;
"
# SET ROLE to a superuser: passed over, the statement after it runs as the role.
stopped set-role "${lo}SET ROLE postgres;
CREATE TABLE public.leak AS SELECT $export_sql AS x;
"
# A function that becomes the superuser again: only a session logged in as
# the role stops it (after SET ROLE, set_config('role') works).
stopped set-config-role "${lo}CREATE FUNCTION public.escape() RETURNS oid LANGUAGE plpgsql AS \$\$
BEGIN PERFORM pg_catalog.set_config('role', 'postgres', false); RETURN $export_sql; END \$\$;
CREATE TABLE public.leak AS SELECT public.escape() AS x;
"
[ "$(left)" = 0 ] && pass vconf-role-dropped-after-failures || fail vconf-role-dropped-after-failures "left: $(left)"

# Rows no manifest describes: a table made by CREATE TABLE ... AS, and one
# filled by a function a materialized view runs.
f=$(appended ctas "CREATE TABLE public.extra AS SELECT 1 AS x;
")
check_exit vconf-ctas-rows-fail 3 "$LB_BIN" verify --restore "$f"
grep -q 'table public.extra holds rows' <<<"$LB_LAST_OUTPUT" && pass vconf-ctas-rows-named ||
	fail vconf-ctas-rows-named "$LB_LAST_OUTPUT"
f=$(appended matview "CREATE TABLE public.side (x int);
CREATE FUNCTION public.fill() RETURNS int LANGUAGE plpgsql AS \$\$
BEGIN INSERT INTO public.side VALUES (1); RETURN 1; END \$\$;
CREATE MATERIALIZED VIEW public.mv AS SELECT public.fill() AS x;
")
check_exit vconf-function-rows-fail 3 "$LB_BIN" verify --restore "$f"
grep -q 'table public.side holds rows' <<<"$LB_LAST_OUTPUT" && pass vconf-function-rows-named ||
	fail vconf-function-rows-named "$LB_LAST_OUTPUT"

# Where pg_hba.conf lets the role not log in, the load falls back to SET
# ROLE with one warning; a good dump still verifies.
hba=$LB_PG_DATA/pg_hba.conf
cp "$hba" "$work/pg_hba.conf"
at_exit "cat '$work/pg_hba.conf' >'$hba'; psql -X -q -d postgres -c 'SELECT pg_reload_conf()' >/dev/null"
printf 'local all postgres trust\nlocal all all reject\n' >"$hba"
psql -X -q -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
sleep 0.2
check_exit vconf-no-login-passes 0 "$LB_BIN" verify --restore "$good"
[ "$(grep -c 'cannot log in.*loading with SET ROLE' <<<"$LB_LAST_OUTPUT")" = 1 ] && pass vconf-no-login-warns ||
	fail vconf-no-login-warns "$LB_LAST_OUTPUT"
cat "$work/pg_hba.conf" >"$hba"
psql -X -q -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
sleep 0.2

# Leftovers of killed runs: this host's (tag from the run above) with a
# dead pid go, database and role; another host's stay and are named.
if [ -z "$tag" ]; then
	fail vconf-host-tag "no host tag in: $LB_LAST_OUTPUT"
else
	dead=$(sh -c 'echo $$')
	other=deadbeef
	[ "$tag" = deadbeef ] && other=feedface
	mine=lotbackup_verify_${tag}_${dead}_1 theirs=lotbackup_verify_${other}_${dead}_1
	psql -X -q -d postgres -c "CREATE ROLE $mine; CREATE ROLE $theirs" -c "CREATE DATABASE $mine OWNER $mine" \
		-c "CREATE DATABASE $theirs OWNER $theirs" >/dev/null
	check_exit vconf-stale-run 0 "$LB_BIN" verify --restore "$good"
	has() { psql -X -At -d postgres -c "SELECT (SELECT count(*) FROM pg_database WHERE datname = '$1') + (SELECT count(*) FROM pg_roles WHERE rolname = '$1')"; }
	[ "$(has "$mine")" = 0 ] && pass vconf-stale-own-dropped || fail vconf-stale-own-dropped "$mine left"
	[ "$(has "$theirs")" = 2 ] && pass vconf-stale-other-host-kept || fail vconf-stale-other-host-kept "$theirs dropped"
	grep -q "another host.*$theirs" <<<"$LB_LAST_OUTPUT" && pass vconf-stale-other-host-named ||
		fail vconf-stale-other-host-named "$LB_LAST_OUTPUT"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $theirs" -c "DROP ROLE IF EXISTS $theirs" \
		-c "DROP DATABASE IF EXISTS $mine" -c "DROP ROLE IF EXISTS $mine" >/dev/null 2>&1
fi
finish
