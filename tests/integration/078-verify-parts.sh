#!/usr/bin/env bash
# verify --restore loads big tables in parts, as restore does (issue #17:
# it must cost about what a restore costs): each part's rows are counted,
# CRC'd and summed as they stream, the parts' CRC-32s chained into the
# table's and their row sums added. A good dump passes in parts; a row
# changed after the data, in a table loaded in parts, still fails.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
tbl='public."wi""de t"'
# The table 025 cuts (tests/lib/wide-table.sql): its rows longer than a
# compressed block make later parts start inside a member and cut rows
# between the pieces they read.
src=$(new_db lb_vparts_src) || { fail vparts-setup "cannot create the database"; finish; }
psql -X -q -v ON_ERROR_STOP=1 -v tbl="$tbl" -d "$src" -f "$LB_TOP/tests/lib/wide-table.sql" >"$work/setup.log" 2>&1 &&
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >>"$work/setup.log" 2>&1 <<SQL
CREATE TABLE public.whole (n integer, t text);
INSERT INTO public.whole SELECT g, md5(g::text) FROM generate_series(1, 40000) g;
SQL
[ $? -eq 0 ] || { fail vparts-setup "$(tail -n 3 "$work/setup.log")"; finish; }
check vparts-dump "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" || finish
good=$(ls "$work"/out/lot-systems-db-*.sql.gz)

# Four parts of the wide table; the later three read from their member.
check_exit vparts-good-passes 0 "$LB_BIN" verify -v --restore --jobs 4 --split-tables-larger-than 1 "$good"
parts=$(grep -c "loading table $tbl, the rows in bytes" <<<"$LB_LAST_OUTPUT")
seeks=$(grep -c "reading table $tbl from byte [1-9][0-9]* of its members" <<<"$LB_LAST_OUTPUT")
[ "$parts" -eq 4 ] && [ "$seeks" -eq 3 ] && pass vparts-loaded-in-parts ||
	fail vparts-loaded-in-parts "parts=$parts seeks=$seeks $(grep -E 'error|content' <<<"$LB_LAST_OUTPUT" | head -n 3)"
grep -q 'ok   content' <<<"$LB_LAST_OUTPUT" && pass vparts-content-ok || fail vparts-content-ok "$LB_LAST_OUTPUT"
# Read back in block ranges on several connections too (TID range scans, 14 on).
grep -q "reading table $tbl back in 4 block ranges" <<<"$LB_LAST_OUTPUT" && pass vparts-read-back-in-ranges ||
	fail vparts-read-back-in-ranges "$(grep -E 'error|back in' <<<"$LB_LAST_OUTPUT" | head -n 3)"

# hostile NAME SQL: the good dump with SQL run after all tables are in, at
# the start of the part after the tables, recompressed as one member of its
# own: the tables' members and segments stay as the manifest records them,
# so the load still cuts the table. Size and SHA-256 made to match.
hostile() {
	local d=$work/$1 f
	mkdir -p "$d"
	f=$d/$(basename "$good")
	python3 - "$good" "$f" "$2" <<'PY'
import gzip, hashlib, json, sys
src, dst, add = sys.argv[1], sys.argv[2], sys.argv[3]
m = json.load(open(src + ".manifest.json"))
raw = open(src, "rb").read()
tail_at = max(t["gz_offset"] + t["gz_length"] for t in m["tables"])
tail = gzip.decompress(raw[tail_at:]).decode()
out = raw[:tail_at] + gzip.compress((add + "\n" + tail).encode())
open(dst, "wb").write(out)
m["bytes"], m["sha256"] = len(out), hashlib.sha256(out).hexdigest()
json.dump(m, open(dst + ".manifest.json", "w"))
PY
	echo "$f"
}

# A row of a later part turned into another of the same length, by a
# function a materialized view runs (a bare SELECT of it is refused before
# the load): same bytes, same count; only the row sum can tell.
f=$(hostile rewrite "CREATE FUNCTION public.forge() RETURNS int LANGUAGE plpgsql AS \$\$
BEGIN UPDATE $tbl SET t = reverse(t) WHERE id = 39999; RETURN 1; END \$\$;
CREATE MATERIALIZED VIEW public.mv AS SELECT public.forge() AS x;")
check_exit vparts-rewritten-row-fails 3 "$LB_BIN" verify -v --restore --jobs 4 --split-tables-larger-than 1 "$f"
parts=$(grep -c "loading table $tbl, the rows in bytes" <<<"$LB_LAST_OUTPUT")
# Read back before the rewrite (as soon as its rows were in), the table is
# found changed after; read after it, its row sum differs.
[ "$parts" -eq 4 ] && grep -qE "FAIL content .*table $tbl: (the file's 40003 rows|its rows or columns changed after)" \
	<<<"$LB_LAST_OUTPUT" &&
	pass vparts-rewritten-row-named || fail vparts-rewritten-row-named "parts=$parts $(grep -E 'error|content' <<<"$LB_LAST_OUTPUT" | head -n 3)"

finish
