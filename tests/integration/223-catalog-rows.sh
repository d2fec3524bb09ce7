#!/usr/bin/env bash
# The allow-list took INSERT of constants and COPY FROM stdin into any
# table, pg_catalog's too. Restored as a superuser, INSERT INTO
# pg_catalog.pg_authid VALUES (...) made a superuser role that can log
# in, in the whole cluster (pg_authid is shared), with verify saying
# "only statements a dump holds" and restore exiting 0; COPY into it does
# the same. No dump writes rows into the catalogs: now such a statement,
# and SET allow_system_table_mods (which would let one change the
# catalogs' tables themselves), is refused before anything loads.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/hostile-dump.sh"

hostile_setup cr lb_cr_src 5
at_exit 'psql -X -q -d postgres -c "DROP ROLE IF EXISTS lb_cr_evil" 2>/dev/null'

evil_role() {
	psql -X -At -d postgres -c "SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = 'lb_cr_evil'"
}

n=0
while IFS='|' read -r name why sql; do
	[ -n "$name" ] || continue
	n=$((n + 1))
	f=$(hostile "$name" "$(printf '%b' "$sql")")
	rc=0
	err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
	if [ $rc -eq 3 ] && grep -q "check statements failed: line 14: $why" <<<"$err"; then
		pass "cr-verify-$name"
	else
		fail "cr-verify-$name" "rc=$rc: $err"
	fi
	target=$(new_db "lb_cr_t$n")
	rc=0
	err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
	if [ $rc -eq 3 ] && [ "$(evil_role)" = 0 ]; then
		pass "cr-restore-refused-$name"
	else
		fail "cr-restore-refused-$name" "rc=$rc, roles named lb_cr_evil: $(evil_role): $err"
	fi
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS lb_cr_evil" 2>/dev/null
done <<'EOS'
insert-authid|INSERT into a system catalog|INSERT INTO pg_catalog.pg_authid VALUES (16999, 'lb_cr_evil', true, true, true, true, true, false, false, -1, NULL, NULL);
insert-unqualified|INSERT into a system catalog|INSERT INTO "pg_authid" VALUES (16999, 'lb_cr_evil', true, true, true, true, true, false, false, -1, NULL, NULL);
insert-unicode-name|INSERT into a system catalog|INSERT INTO U&"pg_c\\\\0061talog".pg_authid VALUES (16999, 'lb_cr_evil', true, true, true, true, true, false, false, -1, NULL, NULL);
copy-authid|COPY into a system catalog|COPY PG_CATALOG.pg_authid FROM stdin;\n16999\tlb_cr_evil\tt\tt\tt\tt\tt\tf\tf\t-1\t\\\\N\t\\\\N\n\\\\.
system-table-mods|SET allow_system_table_mods|SET allow_system_table_mods = on;
EOS
finish
