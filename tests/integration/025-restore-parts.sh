#!/usr/bin/env bash
# restore by the member index, beyond loading tables side by side: a table
# loaded in parts keeps its rows in the heap in the file's order, and a
# table the restore made loads frozen, without ever emptying rows that
# were there before it.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

work=$(tmpdir)
tbl='public."wi""de t"'
# Row ids in heap order; then how far, on average, a row lies from its place
# in the file, whose order is the source's heap order (it was dumped so).
heap_ids() { psql -X -At -d "$1" -c "SELECT id FROM $2 ORDER BY ctid"; }
displacement() {
	awk 'NR == FNR { at[$1] = FNR; next } { d = FNR - at[$1]; s += d < 0 ? -d : d } END { printf "%d\n", s / FNR }' "$1" "$2"
}

# A table to cut: rows with escaped newlines, tabs and backslashes, rows
# longer than a compressed block, an identity column GENERATED ALWAYS (an
# INSERT must override it), a stored generated column (not in the COPY), a
# domain, and a name that needs quoting. Plus a 2 MiB table loaded whole.
src=$(new_db lb_parts_src) || { fail parts-setup "cannot create the database"; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >"$work/setup.log" 2>&1 <<SQL
CREATE DOMAIN public.short_text AS text CHECK (length(VALUE) < 2000000);
CREATE TABLE $tbl (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, t public.short_text, j jsonb,
  head text GENERATED ALWAYS AS (left(t, 3)) STORED);
INSERT INTO $tbl (t, j) SELECT repeat(E'x\n\t\\\\', g % 50) || g, jsonb_build_object('g', g)
  FROM generate_series(1, 40000) g;
INSERT INTO $tbl (t, j) SELECT repeat('long', 400000 + g), NULL FROM generate_series(1, 3) g;
-- Rows moved by an update: the heap order is no longer the id order.
UPDATE $tbl SET j = '{"moved": true}' WHERE id % 97 = 0;
CREATE INDEX wide_g_idx ON $tbl ((j ->> 'g'));
CREATE TABLE public.whole (n integer, t text);
INSERT INTO public.whole SELECT g, md5(g::text) FROM generate_series(1, 40000) g;
SQL
[ $? -eq 0 ] || { fail parts-setup "$(tail -n 3 "$work/setup.log")"; finish; }
check parts-dump "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" || finish
file=$(ls "$work"/out/lot-systems-db-*.sql.gz)
heap_ids "$src" "$tbl" >"$work/src.ids"
psql -X -At -d "$src" -c "SELECT id FROM $tbl ORDER BY id" >"$work/src.by-id"
[ "$(displacement "$work/src.ids" "$work/src.by-id")" -gt 100 ] && pass parts-source-heap-not-in-id-order ||
	fail parts-source-heap-not-in-id-order "the test data proves nothing"

# In 4 parts: the first straight into the table, three through temporary tables.
rs=$(new_db lb_parts_split)
out=$("$LB_BIN" restore -v --jobs 4 --split-tables-larger-than 1 "$file" -d "dbname=$rs" 2>&1)
rc=$?
parts=$(printf '%s\n' "$out" | grep -c "loading table $tbl, the rows in bytes")
appended=$(printf '%s\n' "$out" | grep -c "appending part [234] of 4 of table $tbl")
if [ $rc -eq 0 ] && [ "$parts" -eq 4 ] && [ "$appended" -eq 3 ] && compare_databases "$src" "$rs" >"$work/cmp-split.txt" 2>&1 &&
	printf '%s\n' "$out" | grep -q 'restored .*: [0-9]* statements, 2 tables, 80003 rows'; then
	pass restore-split-table-identical
else
	fail restore-split-table-identical "rc=$rc parts=$parts appended=$appended $(printf '%s\n' "$out" | grep -v debug | tail -n 3; head -n 20 "$work/cmp-split.txt")"
fi

# The heap keeps the file's order as one COPY leaves it: one COPY lets a small
# row fill an earlier page's leftover space, so neither is exact; parts that
# went in side by side would be thousands of rows off.
r1=$(new_db lb_parts_serial)
"$LB_BIN" restore -q --jobs 1 "$file" -d "dbname=$r1" >"$work/serial.log" 2>&1
heap_ids "$rs" "$tbl" >"$work/split.ids"
heap_ids "$r1" "$tbl" >"$work/serial.ids"
d_split=$(displacement "$work/src.ids" "$work/split.ids")
d_serial=$(displacement "$work/src.ids" "$work/serial.ids")
[ "$d_split" -le $((d_serial + 100)) ] && pass restore-split-keeps-heap-order ||
	fail restore-split-keeps-heap-order "rows lie $d_split places from the file's order on average, $d_serial after one COPY"
# What verify --restore below must cope with: one COPY moved rows too.
! cmp -s "$work/src.ids" "$work/serial.ids" && pass parts-one-copy-moves-rows ||
	fail parts-one-copy-moves-rows "one COPY kept the file's order: the verify check below proves nothing"

# verify --restore compares each table's rows with the file's in any order:
# the heap after one COPY is not in the file's order here (above), and a
# comparison in heap order failed a good backup. One connection and two.
for jobs in 1 2; do
	check_exit "verify-restore-rows-in-any-order-jobs-$jobs" 0 "$LB_BIN" verify --restore --jobs "$jobs" "$file"
done

# With --keep-going no table is cut: a failed part would leave the others'
# rows in, where one failed COPY leaves its table empty.
rk=$(new_db lb_parts_keep_going)
out=$("$LB_BIN" restore -v --keep-going --jobs 4 --split-tables-larger-than 1 "$file" -d "dbname=$rk" 2>&1)
if [ $? -eq 0 ] && ! printf '%s\n' "$out" | grep -q 'the rows in bytes' && compare_databases "$src" "$rk" >/dev/null 2>&1; then
	pass restore-keep-going-loads-tables-whole
else
	fail restore-keep-going-loads-tables-whole "$(printf '%s\n' "$out" | grep -E 'rows in bytes|error' | head -n 3)"
fi

# By default (auto) nothing this small is cut: a part would save less than it costs.
rd=$(new_db lb_parts_default)
out=$("$LB_BIN" restore -v --jobs 4 "$file" -d "dbname=$rd" 2>&1)
if [ $? -eq 0 ] && ! printf '%s\n' "$out" | grep -q 'the rows in bytes' && compare_databases "$src" "$rd" >/dev/null 2>&1; then
	pass restore-auto-split-leaves-small-tables-whole
else
	fail restore-auto-split-leaves-small-tables-whole "$(printf '%s\n' "$out" | grep -E 'rows in bytes|error' | head -n 3)"
fi

# Tables over 1 MiB that the restore made load frozen: every page all-frozen
# in the visibility map (the table loaded whole, and the first part of the
# cut one). One connection loads as the file has it: nothing frozen.
frozen() {
	psql -X -At -d "$1" -c "CREATE EXTENSION IF NOT EXISTS pg_visibility" \
		-c "SELECT all_frozen || '/' || pg_relation_size('$2') / 8192 FROM pg_visibility_map_summary('$2')" | tail -n 1
}
f=$(frozen "$rd" public.whole)
[ "${f%/*}" = "${f#*/}" ] && [ "${f%/*}" -gt 0 ] && pass restore-loads-new-table-frozen || fail restore-loads-new-table-frozen "frozen/pages=$f"
f=$(frozen "$rs" "$tbl")
[ "${f%/*}" -gt 0 ] && [ "${f%/*}" -lt "${f#*/}" ] && pass restore-split-first-part-frozen || fail restore-split-first-part-frozen "frozen/pages=$f"
f=$(frozen "$r1" public.whole)
[ "${f%/*}" = 0 ] && pass restore-one-connection-not-frozen || fail restore-one-connection-not-frozen "frozen/pages=$f"

# Loading frozen empties the new table first, in the COPY's transaction:
# never a table with rows. Here the target's own event trigger puts a row in
# every table it sees created; the restore keeps it, as psql would.
rt=$(new_db lb_parts_seeded)
psql -X -q -v ON_ERROR_STOP=1 -d "$rt" >"$work/seed.log" 2>&1 <<'SQL'
CREATE FUNCTION public.lb_seed() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE object_identity = 'public.whole' LOOP
    EXECUTE 'INSERT INTO public.whole (n, t) VALUES (-1, ''seeded'')';
  END LOOP;
END $$;
CREATE EVENT TRIGGER lb_seed ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.lb_seed();
SQL
"$LB_BIN" restore -q --jobs 2 "$file" -d "dbname=$rt" >"$work/seeded.log" 2>&1
rc=$?
n=$(psql -X -At -d "$rt" -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE t = 'seeded') FROM public.whole")
[ $rc -eq 0 ] && [ "$n" = "40001 1" ] && pass restore-never-empties-a-table-with-rows ||
	fail restore-never-empties-a-table-with-rows "rc=$rc rows=$n $(tail -n 2 "$work/seeded.log")"

# The option takes auto or MiB, nothing else.
check_exit restore-split-option-refuses-words 2 "$LB_BIN" restore --split-tables-larger-than lots "$file" -d "dbname=$rd"
LOTBACKUP_SPLIT_TABLES_LARGER_THAN=auto check restore-split-setting-takes-auto "$LB_BIN" restore --list "$file"
LOTBACKUP_SPLIT_TABLES_LARGER_THAN=-3 check_exit restore-split-setting-refuses-negative 1 "$LB_BIN" restore --list "$file"
finish
