#!/usr/bin/env bash
# verify --restore makes the scratch copy's tables unlogged when their rows
# are worth it (no WAL for rows and index builds about to be dropped: 0.36 s
# of 6.8 s in make bench's dump), all of them or none, so a foreign key
# between two of them still holds; it keeps them as the dump made them
# wherever a statement's outcome could change with it: a publication (it
# takes logged tables only), a partitioned table (it stays permanent, and
# its foreign keys reach only permanent tables), a table the dump makes
# unlogged or logged, or makes after the rows, and an event trigger (the
# change would run it). A restore never changes a table's persistence.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_vul_src) || { fail vul-setup createdb; finish; }
# 16 MB of rows: past the 4 MiB a table the change must repay, with a third table too.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
  CREATE TABLE big (id int PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 150000) g;
  CREATE TABLE small (n int REFERENCES big (id));
  INSERT INTO small SELECT generate_series(1, 500)" || finish

# dump_and_verify NAME: dumps src, verifies it with --restore at -v (exit 0 expected).
dump_and_verify() {
	rm -rf "$work/out"
	check "$1-dump" "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --keep 0 || return 1
	dump=$(ls "$work"/out/lot-systems-db-*.sql.gz)
	check_exit "$1-verify-restore" 0 "$LB_BIN" verify -v --restore --jobs 2 "$dump" -d dbname=postgres
}

dump_and_verify vul-plain
grep -q '2 scratch tables made unlogged' <<<"$LB_LAST_OUTPUT" &&
	pass vul-all-tables-unlogged || fail vul-all-tables-unlogged "$LB_LAST_OUTPUT"

dst=$(new_db lb_vul_dst) || { fail vul-setup-dst createdb; finish; }
check vul-restore "$LB_BIN" restore -v --jobs 2 "$dump" -d "dbname=$dst"
kinds=$(psql -X -At -d "$dst" -c "SELECT string_agg(DISTINCT relpersistence::text, '') FROM pg_class
  WHERE relnamespace = 'public'::regnamespace")
[ "$kinds" = p ] && ! grep -q 'unlogged' <<<"$LB_LAST_OUTPUT" &&
	pass vul-restore-keeps-persistence || fail vul-restore-keeps-persistence "persistence '$kinds'"$'\n'"$LB_LAST_OUTPUT"

# forged NAME OLD NEW: a copy of the plain dump with OLD replaced by NEW in
# its one gzip member holding it, the manifest's segments kept (so the
# part after the tables is still read ahead); prints the copy's path.
forged() {
	mkdir -p "$work/$1" && cp "$plain" "$plain.manifest.json" "$work/$1/" &&
		python3 "$LB_TOP/tests/lib/rewrite-member.py" "$work/$1/$(basename "$plain")" "$2" "$3" &&
		echo "$work/$1/$(basename "$plain")"
}
plain=$dump
fk='REFERENCES public.big(id);'
# After the rows, a table made unlogged that a permanent one refers to:
# a restore fails, so must the check (both unlogged, it would pass).
f=$(forged vul-late-unlogged "$fk" "$fk
ALTER TABLE public.big SET UNLOGGED;") || fail vul-late-unlogged-forge
dst3=$(new_db lb_vul_dst3) || { fail vul-setup-dst3 createdb; finish; }
check_exit vul-late-unlogged-restore-fails 1 "$LB_BIN" restore -q "$f" -d "dbname=$dst3"
check_exit vul-late-unlogged-verify-fails 3 "$LB_BIN" verify -v --restore --jobs 2 "$f" -d dbname=postgres
grep -q 'scratch tables stay logged: line [0-9]* makes a table or a publication, or changes whether one is logged' \
	<<<"$LB_LAST_OUTPUT" && pass vul-late-unlogged-logged || fail vul-late-unlogged-logged "$LB_LAST_OUTPUT"
# A permanent table made after the rows, with a key to one of them: it loads.
f=$(forged vul-late-table "$fk" "$fk
CREATE TABLE public.late (n int REFERENCES public.big(id));") || fail vul-late-table-forge
check_exit vul-late-table-verify 0 "$LB_BIN" verify -v --restore --jobs 2 "$f" -d dbname=postgres
# An event trigger before the rows would run on each change (its function adds a row).
f=$(forged vul-event-trigger 'CREATE TABLE public.small (
    n integer
);' 'CREATE TABLE public.small (
    n integer
);
CREATE FUNCTION public.on_rewrite() RETURNS event_trigger LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.small VALUES (NULL); END$$;
CREATE EVENT TRIGGER on_rewrite ON table_rewrite EXECUTE FUNCTION public.on_rewrite();') ||
	fail vul-event-trigger-forge
check_exit vul-event-trigger-verify 0 "$LB_BIN" verify -v --restore --trusted --jobs 2 "$f" -d dbname=postgres
grep -q 'scratch tables stay logged: no permanent table, or a partitioned or unlogged one, or an event trigger' \
	<<<"$LB_LAST_OUTPUT" && pass vul-event-trigger-logged || fail vul-event-trigger-logged "$LB_LAST_OUTPUT"

# A publication takes logged tables only: unlogged, CREATE PUBLICATION would fail the check.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "CREATE PUBLICATION lb_vul_pub FOR TABLE big" || finish
dump_and_verify vul-publication
grep -q 'scratch tables stay logged: line [0-9]* makes a table or a publication' <<<"$LB_LAST_OUTPUT" &&
	pass vul-publication-logged || fail vul-publication-logged "$LB_LAST_OUTPUT"
psql -X -q -d "$src" -c "DROP PUBLICATION lb_vul_pub"

# A partitioned table stays permanent: its key to an unlogged table would be refused.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
  CREATE TABLE part (id int REFERENCES big (id), at date) PARTITION BY RANGE (at);
  CREATE TABLE part_2026 PARTITION OF part FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  INSERT INTO part VALUES (1, '2026-12-04')" || finish
dump_and_verify vul-partitioned
grep -q 'scratch tables stay logged: no permanent table, or a partitioned or unlogged one, or an event trigger' <<<"$LB_LAST_OUTPUT" &&
	pass vul-partitioned-logged || fail vul-partitioned-logged "$LB_LAST_OUTPUT"
psql -X -q -d "$src" -c "DROP TABLE part"

# A table the dump made unlogged keeps them all as the dump made them: a
# permanent table's key to it fails a restore, and must fail here too.
# The dump is changed to make one: a key from a table it wrote permanent
# (the source's was unlogged) to an unlogged one.
dst2=$(new_db lb_vul_dst2) || { fail vul-setup-dst2 createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
  CREATE UNLOGGED TABLE ub (id int PRIMARY KEY);
  INSERT INTO ub SELECT generate_series(1, 10);
  CREATE UNLOGGED TABLE ua (n int REFERENCES ub (id)); INSERT INTO ua VALUES (1)" || finish
dump_and_verify vul-dump-unlogged
grep -q 'scratch tables stay logged: no permanent table, or a partitioned or unlogged one, or an event trigger' <<<"$LB_LAST_OUTPUT" &&
	pass vul-dump-unlogged-kept || fail vul-dump-unlogged-kept "$LB_LAST_OUTPUT"
python3 "$LB_TOP/tests/lib/rewrite-member.py" "$dump" 'CREATE UNLOGGED TABLE public.ua' 'CREATE TABLE public.ua' ||
	fail vul-rewrite "no member to change"
check_exit vul-broken-restore-fails 1 "$LB_BIN" restore -q "$dump" -d "dbname=$dst2"
check_exit vul-broken-verify-fails 3 "$LB_BIN" verify -v --restore --jobs 2 "$dump" -d dbname=postgres
grep -q 'constraints on permanent tables may reference only permanent tables' <<<"$LB_LAST_OUTPUT" &&
	pass vul-broken-verify-names-it || fail vul-broken-verify-names-it "$LB_LAST_OUTPUT"
psql -X -q -d "$src" -c "DROP TABLE ua, ub"

# Past 200 tables the change would hold too many locks at once, whatever the rows.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL' || { fail vul-many-setup; finish; }
SELECT format('CREATE TABLE many_%s (a int)', g) FROM generate_series(1, 200) g \gexec
SQL
dump_and_verify vul-many
grep -q 'scratch tables stay logged: 202 tables would hold too many locks at once' <<<"$LB_LAST_OUTPUT" &&
	pass vul-many-logged || fail vul-many-logged "$LB_LAST_OUTPUT"
psql -X -q -d "$src" >/dev/null <<'SQL'
SELECT format('DROP TABLE many_%s', g) FROM generate_series(1, 200) g \gexec
SQL

# Few rows in many tables: the rewrites would cost more than the WAL they spare.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "TRUNCATE small; DELETE FROM big WHERE id > 1000" || finish
dump_and_verify vul-small
grep -q 'scratch tables stay logged: [0-9]* bytes of rows in 2 tables would not repay the change' \
	<<<"$LB_LAST_OUTPUT" && pass vul-small-logged || fail vul-small-logged "$LB_LAST_OUTPUT"
finish
