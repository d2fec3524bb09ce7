#!/usr/bin/env bash
# verify --restore is meant for any backup, and loads as a role of its
# own. What only a superuser may run (a C or internal function, an event
# trigger, a shell type...) and what names it ran on the connecting
# superuser's own connection, so a hostile dump's own code ran as that
# superuser: a CREATE TABLE AS naming an internal function called the
# dump's plpgsql function there, and an event trigger fired the dump's
# function on the superuser's next DDL; both ran COPY ... TO PROGRAM as
# the server's OS user. Now those statements are left out and named
# unless the operator vouches for the file with --trusted.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/hostile-dump.sh"

hostile_setup vu lb_vu_src 5

ctas="CREATE FUNCTION public.evil() RETURNS integer LANGUAGE plpgsql AS \$f\$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch $drop/ctas'''; RETURN 1; END\$f\$;
CREATE FUNCTION public.plus(integer, integer) RETURNS integer LANGUAGE internal IMMUTABLE STRICT AS 'int4pl';
CREATE TABLE public.z AS SELECT public.plus(1, 2) AS a, public.evil() AS b;"
evtrig="CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS \$f\$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch $drop/evtrig'''; END\$f\$;
CREATE EVENT TRIGGER lb_vu_et ON ddl_command_end EXECUTE FUNCTION public.on_ddl();
CREATE TYPE public.shell;"

for c in ctas evtrig; do
	f=$(hostile "$c" "${!c}")
	rc=0
	out=$("$LB_BIN" verify --restore "$f" 2>&1) || rc=$?
	if [ ! -e "$drop/$c" ] && grep -q "leaves out line 1[56] .*add --trusted for a backup of your own" <<<"$out"; then
		pass "vu-untrusted-$c"
	else
		fail "vu-untrusted-$c" "rc=$rc, program ran as the superuser: $(ls "$drop" 2>&1): $(grep -E 'error|leaves|FAIL' <<<"$out" | head -5)"
	fi
done

# The rest of the file still loads and is checked as the role.
f=$(ls "$work"/ctas/*.sql.gz)
if check_exit vu-untrusted-rest-checked 0 "$LB_BIN" verify --restore "$f"; then
	grep -q 'ok   content    1 tables: rows and content as recorded' <<<"$LB_LAST_OUTPUT" &&
		pass vu-untrusted-content || fail vu-untrusted-content "$LB_LAST_OUTPUT"
fi
finish
