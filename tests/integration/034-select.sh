#!/usr/bin/env bash
# Selection as pg_dump selects (issue #17): -n, -N, -t, -T,
# --exclude-table-data, -s, -a and --strict-names, with psql's pattern
# rules. For each selection the objects the dump creates and fills are
# those pg_dump 15 dumps with the same flags; a pattern that matches
# nothing fails as pg_dump's does; the manifest records the selection, so
# verify and list say what a dump leaves out and never call it damage;
# partial dumps restore (psql and lotbackup restore), a -s dump then its
# -a dump give back the whole database; .env settings work for the
# nightly job.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

work=$(tmpdir)
src=$(new_db lb_sel_src) || { fail select-setup "cannot create the database"; finish; }
check select-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/select.sql" || finish

# objs FILE: what a plain dump creates or fills, one a line, sorted.
objs() {
	grep -aoE '^(CREATE( OR REPLACE)? (SCHEMA|TYPE|FUNCTION|SEQUENCE|TABLE|VIEW|INDEX|EXTENSION)( IF NOT EXISTS)? [^ (;]+|COPY [^ ]+|SELECT pg_catalog.setval\([^,]+|COMMENT ON [A-Z]+ [^ ]+)' "$1" |
		sed -E 's/ OR REPLACE//; s/ IF NOT EXISTS//' | sort
}

# left_out MANIFEST: its selection's data_left_out, comma-separated.
left_out() {
	python3 -c 'import json, sys; print(",".join(json.load(open(sys.argv[1]))["selection"]["data_left_out"]))' "$1"
}

# dump NAME ARGS...: a dump of src into $work/NAME/, its SQL in $work/NAME.sql.
dump() {
	local name=$1
	shift
	rm -rf "${work:?}/$name"
	"$LB_BIN" db -q -d "dbname=$src" -o "$work/$name" "$@" || return 1
	gunzip -c "$work/$name"/*.sql.gz >"$work/$name.sql"
}

# like_pg_dump NAME ARGS...: our objects are pg_dump's for the same flags.
like_pg_dump() {
	local name=$1 d
	shift
	if ! dump "$name" "$@" 2>"$work/$name.err"; then
		fail "select-$name" "lotbackup db $* failed: $(cat "$work/$name.err")"
		return
	fi
	pg_dump -d "$src" "$@" >"$work/$name.pg.sql" || { fail "select-$name" "pg_dump $* failed"; return; }
	if d=$(diff <(objs "$work/$name.sql") <(objs "$work/$name.pg.sql")); then
		pass "select-$name-like-pg-dump"
	else
		fail "select-$name-like-pg-dump" "lotbackup db $* (<) and pg_dump (>) differ"$'\n'"$d"
	fi
}

like_pg_dump all
like_pg_dump schema -n app
like_pg_dump schemas -n app -n audit -N audit
like_pg_dump schema-regex -n 'app|audit'
like_pg_dump exclude-schema -N app -N '"Mixed Case"'
like_pg_dump quoted-schema -n '"Mixed Case"'
like_pg_dump table -t app.users
like_pg_dump table-star -t 'app.user*'
like_pg_dump table-question -t 'public.t?'
like_pg_dump table-visible -t t1
like_pg_dump table-quoted -t '"T3"'
like_pg_dump table-quoted-schema -t '"Mixed Case".*'
like_pg_dump table-view -t app.user_names
like_pg_dump table-sequence -t app.standalone
like_pg_dump table-database -t "$src.app.users"
like_pg_dump tables-exclude -t app.users -t app.orders -T app.orders
like_pg_dump schema-exclude-table -n app -T 'app.log*'
like_pg_dump exclude-table-data --exclude-table-data app.logs
like_pg_dump schema-only -s
like_pg_dump data-only -a
like_pg_dump schema-only-schema -s -n app
like_pg_dump data-only-table -a -t app.users
like_pg_dump strict-names-match --strict-names -t app.users -n app

# Errors as pg_dump's: nothing published.
check_fails() {
	local name=$1 want=$2 out
	shift 2
	rm -rf "$work/err"
	out=$("$LB_BIN" db -d "dbname=$src" -o "$work/err" "$@" 2>&1)
	if [ $? -eq 1 ] && grep -q -- "$want" <<<"$out" && ! ls "$work"/err/*.sql.gz >/dev/null 2>&1; then
		pass "select-$name"
	else
		fail "select-$name" "db $* should fail with '$want', nothing written: $out"
	fi
}
check_fails no-table 'no matching tables were found' -t nomatch
check_fails no-schema 'no matching schemas were found' -n nomatch
check_fails case-folded 'no matching schemas were found' -n 'Mixed Case'
check_fails strict-table 'no matching tables were found for pattern "nomatch"' -t app.users -t nomatch --strict-names
check_fails strict-schema 'no matching schemas were found for pattern "nomatch"' -n app -n nomatch --strict-names
check_fails other-database 'cross-database references are not implemented' -t other.app.users
check_fails too-many-dots 'too many dotted names' -t a.b.c.d
check_fails schema-and-data-only 'cannot be used together' -s -a
# Without --strict-names one pattern of several may match nothing, as in pg_dump.
check select-lenient dump lenient -t app.users -t nomatch

# --exclude-table-data: the definition stays, the rows go, and verify says so.
dump etd --exclude-table-data app.logs || fail select-etd "dump failed"
f=$(ls "$work"/etd/*.sql.gz)
if [ "$(left_out "$f.manifest.json")" = app.logs ]; then
	pass select-etd-manifest
else
	fail select-etd-manifest "$(cat "$f.manifest.json")"
fi
if check select-etd-verify "$LB_BIN" verify -o "$work/etd" "$f"; then
	if grep -q 'selection.*rows left out of app.logs' <<<"$LB_LAST_OUTPUT"; then
		pass select-etd-verify-says
	else
		fail select-etd-verify-says "$LB_LAST_OUTPUT"
	fi
fi
# STATE P in the 100 columns, "partial" under MANIFEST with --wide.
out=$("$LB_BIN" list -o "$work/etd"; "$LB_BIN" list --wide -o "$work/etd")
if grep -Eq '^db .* P[-V][-O] ' <<<"$out" && grep -q ' partial ' <<<"$out" &&
	"$LB_BIN" list --json -o "$work/etd" | grep -q '"partial": "partial dump:'; then
	pass select-etd-list
else
	fail select-etd-list "$out"
fi
check select-etd-verify-restore "$LB_BIN" verify --restore -o "$work/etd" "$f"
dst=$(new_db lb_sel_etd) && check select-etd-restore "$LB_BIN" restore -q "$f" -d "dbname=$dst"
if [ "$(psql -X -At -d "$dst" -c "SELECT (SELECT count(*) FROM app.logs) || '/' || (SELECT count(*) FROM app.users)")" = 0/20 ]; then
	pass select-etd-restored-empty
else
	fail select-etd-restored-empty "app.logs should be empty, app.users 20 rows"
fi

# -n: restores alone, with psql and with lotbackup.
dump nsp -n app || fail select-nsp "dump failed"
dst=$(new_db lb_sel_nsp_psql)
if psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -f "$work/nsp.sql" >"$work/nsp.log" 2>&1; then
	pass select-nsp-psql
else
	fail select-nsp-psql "$(tail -n 3 "$work/nsp.log")"
fi
dst=$(new_db lb_sel_nsp)
if check select-nsp-restore "$LB_BIN" restore -q "$work"/nsp/*.sql.gz -d "dbname=$dst"; then
	got=$(psql -X -At -d "$dst" -c "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname IN ('app', 'audit', 'Mixed Case')")
	[ "$got" = app ] && pass select-nsp-only-app || fail select-nsp-only-app "schemas: $got"
fi

# -s, then -a into the same database: the whole database again.
dump schema -s && dump data -a || fail select-split "dumps failed"
dst=$(new_db lb_sel_split)
check_exit select-data-only-needs-tables 1 "$LB_BIN" restore -q "$work"/data/*.sql.gz -d "dbname=$dst"
check select-schema-only-restore "$LB_BIN" restore -q "$work"/schema/*.sql.gz -d "dbname=$dst"
check select-data-only-restore "$LB_BIN" restore -q "$work"/data/*.sql.gz -d "dbname=$dst"
check select-split-identical compare_databases "$src" "$dst"
check_exit select-data-only-no-clean 1 "$LB_BIN" restore -q "$work"/data/*.sql.gz -d "dbname=$dst" --clean
check select-data-only-verify-restore "$LB_BIN" verify --restore -o "$work/data"

# restore -t/--table and -a/--data-only (pg_restore's letters) are db's
# options too: one table's rows from the data-only dump, into a database
# that has the definitions; never a setting of .env (those are db's).
dst=$(new_db lb_sel_table)
check select-table-definitions "$LB_BIN" restore -q "$work"/schema/*.sql.gz -d "dbname=$dst"
check_exit select-table-of-data-only-needs-a 1 "$LB_BIN" restore -q "$work"/data/*.sql.gz -d "dbname=$dst" -t app.logs
if check select-table-of-data-only "$LB_BIN" restore -q "$work"/data/*.sql.gz -d "dbname=$dst" -t app.logs -a; then
	got=$(psql -X -At -d "$dst" -c "SELECT (SELECT count(*) FROM app.logs), (SELECT count(*) FROM app.users)")
	want=$(psql -X -At -d "$src" -c "SELECT (SELECT count(*) FROM app.logs), 0")
	[ "$got" = "$want" ] && pass select-table-of-data-only-rows || fail select-table-of-data-only-rows "$got, not $want"
fi
envp=$work/envp
mkdir -p "$envp" && printf '%s\n' 'LOTBACKUP_TABLE=app.users' 'LOTBACKUP_DATA_ONLY=1' >"$envp/.env"
dst=$(new_db lb_sel_env_restore)
check select-env-not-restore "$LB_BIN" -q -C "$envp" restore "$work"/schema/*.sql.gz -d "dbname=$dst"

# .env for the nightly job; the command line replaces a setting of the same kind.
proj=$work/proj
mkdir -p "$proj"
printf '%s\n' "DATABASE_URL=dbname=$src" 'LOTBACKUP_EXCLUDE_TABLE_DATA=app.logs, "Mixed Case"."Tbl"' \
	'LOTBACKUP_EXCLUDE_SCHEMA=audit' >"$proj/.env"
m=
if "$LB_BIN" -q -C "$proj" db && m=$(left_out "$(ls "$proj"/backups/*.manifest.json)") &&
	[ "$m" = '"Mixed Case"."Tbl",app.logs' ] && ! gunzip -c "$proj"/backups/*.sql.gz | grep -q 'audit\.'; then
	pass select-env
else
	fail select-env "data left out: ${m:-none}"
fi
rm -rf "$proj/backups"
m=
if "$LB_BIN" -q -C "$proj" db --exclude-table-data app.sessions &&
	m=$(left_out "$(ls "$proj"/backups/*.manifest.json)") && [ "$m" = app.sessions ]; then
	pass select-env-command-line-wins
else
	fail select-env-command-line-wins "data left out: ${m:-none}"
fi
finish
