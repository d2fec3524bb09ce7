#!/usr/bin/env bash
# The public schema exists in every new database, so a dump never creates
# it, but its owner and ACL can differ from the server major's default
# (pg_database_owner and USAGE for PUBLIC from 15; the bootstrap superuser
# and CREATE, USAGE for PUBLIC before). Pagila on 15 leaves public owned by
# postgres: db --owner --privileges writes ALTER SCHEMA public OWNER TO and
# the ACL, and both gunzip | psql and lotbackup restore bring them back.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

work=$(tmpdir)
src=$(new_db lb_pub_src) && dst=$(new_db lb_pub_dst) && rdst=$(new_db lb_pub_restore) ||
	{ fail public-schema-setup "cannot create databases"; finish; }
check public-schema-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/public-schema.sql" || finish

public_of() {
	psql -X -q -At -d "$1" -c "SELECT pg_get_userbyid(nspowner), nspacl FROM pg_namespace WHERE nspname = 'public'"
}

# same_public NAME DST: public has the source's owner and ACL.
same_public() {
	local want got
	want=$(public_of "$src") got=$(public_of "$2")
	if [ "$want" = "$got" ]; then
		pass "$1"
	else
		fail "$1" "public is $got, the source's $want"
	fi
}

check public-schema-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --owner --privileges || finish
file=$(ls "$work"/out/*.sql.gz)
if gunzip -c "$file" | grep -qx 'ALTER SCHEMA public OWNER TO postgres;'; then
	pass public-schema-owner-dumped
else
	fail public-schema-owner-dumped "no ALTER SCHEMA public OWNER TO postgres in the dump"
fi
if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/psql.log" 2>&1; then
	pass public-schema-loads-with-psql
	same_public public-schema-psql-same "$dst"
	check public-schema-psql-identical compare_databases "$src" "$dst"
else
	fail public-schema-loads-with-psql "$(tail -n 3 "$work/psql.log")"
fi
if check public-schema-restore "$LB_BIN" restore -q "$file" -d "dbname=$rdst"; then
	same_public public-schema-restore-same "$rdst"
	check public-schema-restore-identical compare_databases "$src" "$rdst"
fi
finish
