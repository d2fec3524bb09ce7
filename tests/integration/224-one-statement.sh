#!/usr/bin/env bash
# The splitter and the allow-list, as psql does, end a BEGIN ATOMIC body
# at the first END not opened by a CASE. Written as names (SELECT 1 AS
# case; SELECT 1 case;), CASE and END made them count otherwise than the
# server: CREATE FUNCTION ... BEGIN ATOMIC SELECT 1 AS case; END; COPY
# (SELECT 1) TO PROGRAM ...; SELECT 1 AS end; was one CREATE FUNCTION to
# them, three statements to the server, which ran all three (PQexec runs
# every statement of a string). Now each statement of a dump goes by the
# extended protocol, on which the server refuses a string of more than
# one; and CASE or END as a name after AS or a dot (pg_dump quotes them)
# is refused before anything loads.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/hostile-dump.sh"

hostile_setup os lb_os_src 5

atomic() {
	echo "CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT 1 $2; END; COPY (SELECT 1) TO PROGRAM \$\$touch $drop/$1\$\$; SELECT 1 $3;"
}

# As names after AS: refused by verify, naming the line.
f=$(hostile as-label "$(atomic as-label 'AS case' 'AS end')")
rc=0
err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
if [ $rc -eq 3 ] && grep -q "check statements failed: line 14: CASE or END as a name in a BEGIN ATOMIC body" <<<"$err"; then
	pass os-verify-as-label
else
	fail os-verify-as-label "rc=$rc: $err"
fi

# As bare labels, which no reader of tokens can tell from the keywords: the server refuses the string whole.
f=$(hostile bare-label "$(atomic bare-label case end)")
for how in restore verify-restore; do
	target=$(new_db "lb_os_$(tr - _ <<<"$how")")
	rc=0
	if [ "$how" = restore ]; then
		err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
	else
		err=$("$LB_BIN" verify --restore "$f" 2>&1) || rc=$?
	fi
	if [ $rc -ne 0 ] && [ ! -e "$drop/bare-label" ] && grep -q "line 14 .*cannot insert multiple commands" <<<"$err"; then
		pass "os-$how-one-statement"
	else
		fail "os-$how-one-statement" "rc=$rc, program ran: $(ls "$drop" 2>&1): $err"
	fi
done
finish
