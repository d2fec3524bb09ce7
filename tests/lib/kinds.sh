# shellcheck shell=bash
# The round trip of the object-kind fixtures (028-kinds.sh, 029-kinds3.sh):
# a database holding one is dumped by `lotbackup db --owner --privileges`,
# loaded by `gunzip | psql` and by `lotbackup restore`, and each copy
# compared with the source by compare_databases (pg_dump --schema-only and
# rows) and object by object through tests/lib/catalog-describe.sql.
# Needs testlib.sh and compare.sh. Sets kinds_file to the dump.

# same_described NAME SRC DST WORK
same_described() {
	local describe=$LB_TOP/tests/lib/catalog-describe.sql
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$2" -f "$describe" >"$4/a.txt" 2>"$4/d.err" &&
		psql -X -q -At -v ON_ERROR_STOP=1 -d "$3" -f "$describe" >"$4/b.txt" 2>>"$4/d.err" ||
		{ fail "$1" "catalog-describe.sql failed: $(tail -n 3 "$4/d.err")"; return; }
	if diff -u "$4/a.txt" "$4/b.txt" >"$4/diff"; then
		pass "$1"
	else
		fail "$1" "$(head -n 30 "$4/diff")"
	fi
}

# kinds_roundtrip PREFIX SRC DST RDST WORK [DB-OPTION...]: 1 when the dump
# itself failed.
kinds_roundtrip() {
	local prefix=$1 src=$2 dst=$3 rdst=$4 work=$5
	shift 5
	check "$prefix-db" "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --owner --privileges "$@" || return 1
	kinds_file=$(ls "$work"/out/*.sql.gz)
	if gunzip -c "$kinds_file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/psql.log" 2>&1; then
		pass "$prefix-loads-with-psql"
		check "$prefix-psql-identical" compare_databases "$src" "$dst"
		same_described "$prefix-psql-described" "$src" "$dst" "$work"
	else
		fail "$prefix-loads-with-psql" "$(tail -n 3 "$work/psql.log")"
	fi
	if check "$prefix-restore" "$LB_BIN" restore -q "$kinds_file" -d "dbname=$rdst"; then
		check "$prefix-restore-identical" compare_databases "$src" "$rdst"
		same_described "$prefix-restore-described" "$src" "$rdst" "$work"
	fi
	return 0
}
