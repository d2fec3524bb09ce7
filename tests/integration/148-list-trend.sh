#!/usr/bin/env bash
# list shows each kind's size trend: the change against the previous
# backup of the kind, and a marker when a dump is much smaller (less than
# half) than the one before, the empty-table problem.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_trend) || { fail trend-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS x FROM generate_series(1, 40000) g" >/dev/null
work=$(tmpdir)
out=$work/out
check trend-db-1 "$LB_BIN" db -q -d "dbname=$db" -o "$out"
psql -X -q -d "$db" -c "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(40001, 44000) g" >/dev/null
check trend-db-2 "$LB_BIN" db -q -d "dbname=$db" -o "$out"
psql -X -q -d "$db" -c "TRUNCATE t" >/dev/null
check trend-db-3 "$LB_BIN" db -q -d "dbname=$db" -o "$out"

mapfile -t dumps < <(ls "$out"/lot-systems-db-*.sql.gz | sort)
listing=$("$LB_BIN" list -o "$out")
row() { grep "$(basename "$1")" <<<"$listing"; }
head -n 1 <<<"$listing" | grep -q ' SIZE CHANGE ' && pass trend-column || fail trend-column "$listing"
row "${dumps[0]}" | grep -q 'B -  ' && pass trend-first-has-none || fail trend-first-has-none "$listing"
row "${dumps[1]}" | grep -q ' +[0-9]*% ' && ! row "${dumps[1]}" | grep -q '% !' && pass trend-growth ||
	fail trend-growth "$listing"
row "${dumps[2]}" | grep -q ' -[0-9]*% ! ' && pass trend-much-smaller-marked || fail trend-much-smaller-marked "$listing"
# The percentage is the size's change, as the files have it.
want=$(python3 -c 'import os,sys; a,b=(os.path.getsize(p) for p in sys.argv[1:]); print("%+.0f%%" % (100.0*(b-a)/a))' \
	"${dumps[1]}" "${dumps[2]}")
row "${dumps[2]}" | grep -q -- " $want ! " && pass trend-percent-right || fail trend-percent-right "want $want: $listing"
json=$("$LB_BIN" list -o "$out" --json)
python3 - "$json" "$(basename "${dumps[2]}")" "$(basename "${dumps[0]}")" <<'PY' && pass trend-json || fail trend-json "$json"
import json, sys
rows = {r["name"]: r for r in json.loads(sys.argv[1])}
last, first = rows[sys.argv[2]], rows[sys.argv[3]]
assert last["much_smaller"] is True and last["size_change_percent"] < -50, last
assert first["size_change_percent"] is None and first["much_smaller"] is False, first
PY
finish
