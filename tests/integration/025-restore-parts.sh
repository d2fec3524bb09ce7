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

# A table to cut (tests/lib/wide-table.sql), plus a 2 MiB table loaded
# whole, and one whose cuts fall exactly on row starts.
src=$(new_db lb_parts_src) || { fail parts-setup "cannot create the database"; finish; }
psql -X -q -v ON_ERROR_STOP=1 -v tbl="$tbl" -d "$src" -f "$LB_TOP/tests/lib/wide-table.sql" >"$work/setup.log" 2>&1 &&
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >>"$work/setup.log" 2>&1 <<SQL
CREATE INDEX wide_g_idx ON $tbl ((j ->> 'g'));
CREATE TABLE public.whole (n integer, t text);
INSERT INTO public.whole SELECT g, md5(g::text) FROM generate_series(1, 40000) g;
-- Rows of 101 bytes, 40000 of them: each cut into 4 parts falls exactly on a row start.
CREATE TABLE public.even (id text PRIMARY KEY, pad text);
INSERT INTO public.even SELECT lpad(g::text, 8, '0'), repeat('x', 91) FROM generate_series(1, 40000) g;
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
	printf '%s\n' "$out" | grep -q 'restored .*: [0-9]* statements, 3 tables, 120003 rows'; then
	pass restore-split-table-identical
else
	fail restore-split-table-identical "rc=$rc parts=$parts appended=$appended $(printf '%s\n' "$out" | grep -v debug | tail -n 3; head -n 20 "$work/cmp-split.txt")"
fi

# The later parts start at the member holding their first row, found by the
# sizes each member's header gives, without inflating the parts before them.
seeks=$(printf '%s\n' "$out" | grep -c "reading table $tbl from byte [1-9][0-9]* of its members")
[ "$seeks" -eq 3 ] && pass restore-split-parts-start-at-their-member ||
	fail restore-split-parts-start-at-their-member "$seeks of 3 later parts read from their member"

# A dump whose members do not say their sizes (as lotbackup wrote them before):
# the same members with plain gzip headers, the manifest's offsets moved to
# match. Its later parts read the table from its start, and load the same.
old=$work/old && mkdir -m 700 "$old" && oldfile=$old/$(basename "$file")
python3 - "$file" "$oldfile" <<'PY' >"$work/old.log" 2>&1
import hashlib, json, struct, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
out, moved, off = bytearray(), {}, 0
while off < len(data):
    assert data[off:off + 4] == b"\x1f\x8b\x08\x04" and data[off + 12:off + 14] == b"LB", off
    mlen = struct.unpack_from("<I", data, off + 16)[0]
    moved[off] = len(out)
    out += b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + data[off + 24:off + mlen]
    off += mlen
moved[off] = len(out)
open(dst, "wb").write(out)
m = json.load(open(src + ".manifest.json"))
for t in m["tables"]:
    end = moved[t["gz_offset"] + t["gz_length"]]
    t["gz_offset"] = moved[t["gz_offset"]]
    t["gz_length"] = end - t["gz_offset"]
m["bytes"], m["sha256"] = len(out), hashlib.sha256(out).hexdigest()
json.dump(m, open(dst + ".manifest.json", "w"))
PY
ro=$(new_db lb_parts_old_members)
out_old=$("$LB_BIN" restore -v --jobs 4 --split-tables-larger-than 1 "$oldfile" -d "dbname=$ro" 2>&1)
rc=$?
parts=$(printf '%s\n' "$out_old" | grep -c "loading table $tbl, the rows in bytes")
if [ $rc -eq 0 ] && [ "$parts" -eq 4 ] && ! printf '%s\n' "$out_old" | grep -q 'of its members' &&
	compare_databases "$src" "$ro" >"$work/cmp-old.txt" 2>&1; then
	pass restore-split-members-without-sizes
else
	fail restore-split-members-without-sizes "rc=$rc parts=$parts $(cat "$work/old.log"; printf '%s\n' "$out_old" | grep -v debug | tail -n 3; head -n 10 "$work/cmp-old.txt")"
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

# A child made with INHERITS before its parent gained a column has that
# column last; restored, the parent's columns come first, so the file's
# COPY lists them in another order than the table has them (pg_dump's
# files too). Such a table loads whole, as the file has it.
ih=$(new_db lb_parts_inherit_src)
psql -X -q -v ON_ERROR_STOP=1 -d "$ih" >"$work/inherit.log" 2>&1 <<'SQL'
CREATE TABLE public.parent (a integer, b text);
CREATE TABLE public.kid (c text) INHERITS (public.parent);
ALTER TABLE public.parent ADD COLUMN d integer;
INSERT INTO public.kid (a, b, c, d) SELECT g, md5(g::text), 'c' || g, -g FROM generate_series(1, 40000) g;
SQL
kid_sums() { psql -X -At -d "$1" -c "SELECT count(*), sum(a), sum(d), count(*) FILTER (WHERE c = 'c' || a AND b = md5(a::text)) FROM ONLY public.kid"; }
if "$LB_BIN" db -q -d "dbname=$ih" -o "$work/inherit"; then
	ihr=$(new_db lb_parts_inherit_dst)
	out=$("$LB_BIN" restore -v --jobs 4 --split-tables-larger-than 1 "$work"/inherit/lot-systems-db-*.sql.gz -d "dbname=$ihr" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q 'table public.kid loads whole: its COPY does not list' &&
		[ "$(kid_sums "$ihr")" = "$(kid_sums "$ih")" ] && [ "$(kid_sums "$ih")" = "40000|800020000|-800020000|40000" ]; then
		pass restore-split-inherited-columns-load-whole
	else
		fail restore-split-inherited-columns-load-whole "rc=$rc $(kid_sums "$ihr") $(printf '%s\n' "$out" | grep -E 'error|kid' | head -n 3)"
	fi
else
	fail restore-split-inherited-columns-load-whole "dump failed: $(cat "$work/inherit.log")"
fi

# The same when the target's own event trigger adds a column to every table
# it sees made: the columns the parts would load are not the file's.
cat >"$work/widen.sql" <<'SQL'
CREATE FUNCTION public.lb_widen() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE object_type = 'table' AND schema_name = 'public' LOOP
    EXECUTE format('ALTER TABLE %s ADD COLUMN lb_extra integer', r.object_identity);
  END LOOP;
END $$;
CREATE EVENT TRIGGER lb_widen ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.lb_widen();
SQL
rx=$(new_db lb_parts_extra_column)
psql -X -q -v ON_ERROR_STOP=1 -d "$rx" -f "$work/widen.sql" >/dev/null
check restore-split-widened-target "$LB_BIN" restore -v --jobs 4 --split-tables-larger-than 1 "$file" -d "dbname=$rx"
n=$(psql -X -At -d "$rx" -c "SELECT count(*) || ' ' || count(lb_extra) FROM $tbl")
[ "$n" = "40003 0" ] && ! grep -q 'the rows in bytes' <<<"$LB_LAST_OUTPUT" && pass restore-split-widened-target-loads-whole ||
	fail restore-split-widened-target-loads-whole "rows=$n $(grep -E 'rows in bytes|error' <<<"$LB_LAST_OUTPUT" | head -n 3)"

# Checking a foreign key whose column leads an index, on a table that is
# all-visible (loaded frozen, or vacuumed first), merges the two indexes; a
# row without its referenced row is still found. The violation comes in
# through the source's replica mode, which fires no foreign-key triggers.
fk=$(new_db lb_parts_fk_src)
psql -X -q -v ON_ERROR_STOP=1 -d "$fk" >"$work/fk.log" 2>&1 <<'SQL'
CREATE TABLE public.owner (id uuid PRIMARY KEY);
CREATE TABLE public.item (id integer PRIMARY KEY, "owner Id" uuid REFERENCES public.owner (id), note text);
CREATE INDEX item_owner_idx ON public.item ("owner Id", id);
INSERT INTO public.owner SELECT md5(g::text)::uuid FROM generate_series(1, 5000) g;
INSERT INTO public.item SELECT g, md5((1 + g % 5000)::text)::uuid, repeat('n', 40) FROM generate_series(1, 60000) g;
SQL
fk_restore() { # NAME: restore the fk dump into a new database, with the debug log
	rf=$(new_db "$1")
	out=$("$LB_BIN" restore -v --jobs 2 "$work"/fk/lot-systems-db-*.sql.gz -d "dbname=$rf" 2>&1)
}
if "$LB_BIN" db -q -d "dbname=$fk" -o "$work/fk"; then
	fk_restore lb_parts_fk_dst
	rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q 'foreign key checked by merging indexes' &&
		[ "$(psql -X -At -d "$rf" -c "SELECT convalidated FROM pg_constraint WHERE contype = 'f'")" = t ]; then
		pass restore-fk-check-merges-indexes
	else
		fail restore-fk-check-merges-indexes "rc=$rc $(printf '%s\n' "$out" | grep -E 'error|merging' | head -n 3)"
	fi
	psql -X -q -d "$fk" -c "SET session_replication_role = replica" \
		-c "INSERT INTO public.item VALUES (60001, '00000000-0000-0000-0000-000000000001', 'lost')" >/dev/null
	rm -rf "$work/fk"
	"$LB_BIN" db -q -d "dbname=$fk" -o "$work/fk"
	fk_restore lb_parts_fk_bad
	if [ $? -eq 1 ] && printf '%s\n' "$out" | grep -q 'foreign key checked by merging indexes' &&
		printf '%s\n' "$out" | grep -q 'violates foreign key constraint "item_owner Id_fkey"'; then
		pass restore-fk-merge-finds-missing-row
	else
		fail restore-fk-merge-finds-missing-row "$(printf '%s\n' "$out" | grep -E 'error|merging' | head -n 3)"
	fi
else
	fail restore-fk-check-merges-indexes "dump failed: $(cat "$work/fk.log")"
fi

# The option takes auto or MiB, nothing else.
check_exit restore-split-option-refuses-words 2 "$LB_BIN" restore --split-tables-larger-than lots "$file" -d "dbname=$rd"
LOTBACKUP_SPLIT_TABLES_LARGER_THAN=auto check restore-split-setting-takes-auto "$LB_BIN" restore --list "$file"
LOTBACKUP_SPLIT_TABLES_LARGER_THAN=-3 check_exit restore-split-setting-refuses-negative 1 "$LB_BIN" restore --list "$file"
finish
