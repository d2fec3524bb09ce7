#!/usr/bin/env bash
# Every server major lotbackup dumps (12 to 18), each on a throwaway cluster
# of its own (tests/setup/install-pg-majors.sh, pg_major_start): the
# fixtures (hostile.sql as far as the major has its features, then
# majors.sql) are dumped by `lotbackup db`, loaded by `gunzip | psql` and by
# `lotbackup restore` into fresh databases of the same server, and each copy
# is compared with the source object by object through the server's own
# deparsers (tests/lib/catalog-describe.sql): no pg_dump of that major is
# needed. verify --restore then loads the same dump into a scratch database
# of that server and checks its rows. Set LB_MAJORS="16 18" to run a few only.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/pgcluster.sh"

work=$(tmpdir)
describe=$LB_TOP/tests/lib/catalog-describe.sql
# shellcheck disable=SC2086 # a list of majors
"$LB_TOP/tests/setup/install-pg-majors.sh" ${LB_MAJORS:-} >"$work/majors" 2>"$work/install.log"
rc=$?
if [ $rc -eq 77 ]; then
	skip majors "no server binaries: $(tail -n 1 "$work/install.log")"
	finish
elif [ $rc -ne 0 ] || [ ! -s "$work/majors" ]; then
	fail majors-install "install-pg-majors.sh exited $rc"$'\n'"$(tail -n 5 "$work/install.log")"
	[ -s "$work/majors" ] || finish
fi

# hostile.sql on a major without some of its features: each edit drops or
# tones down one statement the major cannot run (and says which).
fixture_for() {
	local major=$1
	local -a edits=()
	if [ "$major" -lt 14 ]; then
		edits+=(-e "s/^     '-Infinity', 1e-310,/     '-1e300', 1e-310,/" # numeric infinity: 14
			-e '/^CREATE FUNCTION public.order_count_atomic/,/^END;$/d'   # BEGIN ATOMIC: 14
			-e '/^CREATE STATISTICS public.orders_expr_stats/d')          # expressions: 14
	fi
	if [ "$major" -lt 15 ]; then
		edits+=(-e 's/UNIQUE NULLS NOT DISTINCT (kind, at)/UNIQUE (kind, at)/') # 15
	fi
	if [ ${#edits[@]} -eq 0 ]; then
		cat "$LB_TOP/tests/fixtures/hostile.sql"
	else
		sed "${edits[@]}" "$LB_TOP/tests/fixtures/hostile.sql"
	fi
}

# same_objects NAME SRC DST: the two databases describe the same.
same_objects() {
	local name=$1 src=$2 dst=$3
	if ! psql -X -q -At -v ON_ERROR_STOP=1 -d "$src" -f "$describe" >"$work/$src.txt" 2>"$work/describe.err" ||
		! psql -X -q -At -v ON_ERROR_STOP=1 -d "$dst" -f "$describe" >"$work/$dst.txt" 2>"$work/describe.err"; then
		fail "$name" "catalog-describe.sql failed: $(tail -n 3 "$work/describe.err")"
	elif diff -u --label "$src" --label "$dst" "$work/$src.txt" "$work/$dst.txt" >"$work/diff"; then
		pass "$name"
	else
		fail "$name" "the copy differs from the source"$'\n'"$(head -n 40 "$work/diff")"
	fi
}

# One cluster per major, started once for all its cases.
at_exit pg_major_stop
while read -r major version root <&3; do
	t0=$SECONDS
	if ! pg_major_start "$root" 2>"$work/start.log"; then
		fail "major-$major-start" "cannot start $version: $(tail -n 5 "$work/start.log")"
		continue
	fi
	if ! createdb src || ! createdb dst_psql || ! createdb dst_restore; then
		fail "major-$major-createdb" "cannot create the databases on $version"
		pg_major_stop
		continue
	fi
	if ! fixture_for "$major" | psql -X -q -v ON_ERROR_STOP=1 -d src -f - >"$work/load.log" 2>&1 ||
		! psql -X -q -v ON_ERROR_STOP=1 -d src -f "$LB_TOP/tests/fixtures/majors.sql" >>"$work/load.log" 2>&1; then
		fail "major-$major-fixture" "the fixtures do not load on $version"$'\n'"$(tail -n 5 "$work/load.log")"
		pg_major_stop
		continue
	fi
	out=$work/out-$major
	if check "major-$major-db" "$LB_BIN" db -q -d "dbname=src" -o "$out" --user-mapping-secrets; then
		file=$(ls "$out"/*.sql.gz)
		if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d dst_psql >"$work/psql.log" 2>&1; then
			pass "major-$major-loads-with-psql"
			same_objects "major-$major-psql-identical" src dst_psql
		else
			fail "major-$major-loads-with-psql" "$(tail -n 5 "$work/psql.log")"
		fi
		if check "major-$major-restore" "$LB_BIN" restore -q "$file" -d "dbname=dst_restore"; then
			same_objects "major-$major-restore-identical" src dst_restore
		fi
		# As a role of its own, the superuser-only kinds run as the connecting superuser (--trusted).
		check_exit "major-$major-verify-restore" 0 "$LB_BIN" verify -q --restore --trusted "$file"
	fi
	pg_major_stop
	echo "# PostgreSQL $version: $((SECONDS - t0)) s"
done 3<"$work/majors"
finish
