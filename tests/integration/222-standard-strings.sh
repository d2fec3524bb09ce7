#!/usr/bin/env bash
# The allow-list and the splitter read '' strings with
# standard_conforming_strings on, and refused a dump that turns it off:
# but only when the setting was written as a bare word. Written quoted
# (SET "standard_conforming_strings" = off), or turned off by one of the
# dump's functions during the load, the server read 'a\' as an escaped
# quote where lotbackup saw the string end, so INSERT INTO public.x
# VALUES (1, 'a\'), (2, '); COPY ... TO PROGRAM ...; --'); ran the
# program, with verify saying ok. Now every spelling is refused before
# anything loads, and the load stops when a function changed the setting.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/hostile-dump.sh"

hostile_setup ss lb_ss_src 5

# smuggle MARK: one INSERT of constants to the allow-list, an INSERT and a COPY TO PROGRAM to a server reading backslashes.
smuggle() {
	printf '%s\n' "CREATE TABLE public.x (id integer, v text);" "$2" \
	    "INSERT INTO public.x VALUES (1, 'a\\'), (2, '); COPY (SELECT 1) TO PROGRAM \$\$touch $drop/$1\$\$; --');"
}

n=0
for c in 'quoted|SET "standard_conforming_strings" = off;' 'session-quoted-case|SET SESSION "Standard_Conforming_Strings" TO '"'off'"';'; do
	name=${c%%|*}
	n=$((n + 1))
	f=$(hostile "$name" "$(smuggle "$name" "${c#*|}")")
	rc=0
	err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
	if [ $rc -eq 3 ] && grep -q "check statements failed: line 15: SET standard_conforming_strings other than on" <<<"$err"; then
		pass "ss-verify-$name"
	else
		fail "ss-verify-$name" "rc=$rc: $err"
	fi
	target=$(new_db "lb_ss_t$n")
	rc=0
	err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
	if [ $rc -eq 3 ] && [ ! -e "$drop/$name" ]; then
		pass "ss-restore-refused-$name"
	else
		fail "ss-restore-refused-$name" "rc=$rc, program ran: $(ls "$drop" 2>&1): $err"
	fi
done

# Turned off by a function of the dump during the load: the load stops before the next statement.
fn="CREATE FUNCTION public.scs() RETURNS integer LANGUAGE plpgsql AS \$f\$BEGIN PERFORM pg_catalog.set_config('standard_conforming_strings', 'off', false); RETURN 1; END\$f\$;
CREATE TABLE public.e AS SELECT public.scs() AS a;"
f=$(hostile function "$(smuggle function "$fn")")
target=$(new_db lb_ss_fn)
rc=0
err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
if [ $rc -ne 0 ] && [ ! -e "$drop/function" ] && grep -q "line 17: standard_conforming_strings became off" <<<"$err"; then
	pass ss-function-stops-load
else
	fail ss-function-stops-load "rc=$rc, program ran: $(ls "$drop" 2>&1): $err"
fi
finish
