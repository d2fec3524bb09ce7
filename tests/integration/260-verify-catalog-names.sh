#!/usr/bin/env bash
# A regclass value (any reg* type) prints the name of a catalog object.
# verify --restore reads a table back while the rest of the dump loads;
# statements after that can change the name such a value prints without
# writing a row or a word the verify load refuses: ADD CONSTRAINT ...
# USING INDEX renames the index to the constraint's name, and a table
# made later can take an oid a value held as a number (no object had it
# when the file was written; oids come from one counter). Both passed with
# exit 0 though the restored database printed other rows than the file's
# (found by an adversarial review). A table whose columns reach a reg*
# type is now read back after the load, when the names are final.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/early-read.sh"

db=$(new_db lb_vnames) || { fail vnames-setup createdb; finish; }
# The cluster's next oid, about: t.n holds oids ahead of it, past the objects made here.
next=$(psql -X -A -t -q -d "$db" -c "CREATE TABLE probe ()" -c "SELECT 'probe'::regclass::oid" -c "DROP TABLE probe")
psql -X -q -d "$db" -c "CREATE TABLE w (id int); CREATE UNIQUE INDEX widx ON w (id);
  CREATE TABLE t (id int PRIMARY KEY, r regclass, n regclass[]);
  INSERT INTO t SELECT g, 'widx'::regclass, ARRAY[($next + 200 + g)::oid::regclass] FROM generate_series(1, 3000) g;
  CREATE TABLE u (id int PRIMARY KEY);
  INSERT INTO u SELECT g FROM generate_series(1, 50) g;" >/dev/null
work=$(tmpdir)
check vnames-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/out" || finish
dumped=$(ls "$work"/out/lot-systems-db-*.sql.gz | head -n 1)
# A dump writes widx after the data, where COPY t cannot find its name: made before it here.
move='CREATE UNIQUE INDEX widx ON public\.w USING btree \(id\);'
good=$(dump_forged "$dumped" "$work/good" "" "" "$move")
check_exit vnames-good-passes 0 "$LB_BIN" verify -v --jobs 2 --restore "$good"

# changed NAME TAIL: that dump with u's slow CHECK and TAIL after the
# data; verify --restore finds t's rows other than the file's.
changed() {
	local f
	f=$(dump_forged "$dumped" "$work/$1" "" "$(dump_after_read_sql "$2")" "$move")
	check_exit "vnames-$1-fails" 3 "$LB_BIN" verify -v --jobs 2 --restore "$f"
	grep -q 'table public.t: the file.s 3000 rows (sum [0-9a-f]*), restored 3000 rows' <<<"$LB_LAST_OUTPUT" &&
		pass "vnames-$1-named" || fail "vnames-$1-named" "$LB_LAST_OUTPUT"
	grep -q 'table public.t is read back after the load: its values name catalog objects' <<<"$LB_LAST_OUTPUT" &&
		pass "vnames-$1-read-late" || fail "vnames-$1-read-late" "$LB_LAST_OUTPUT"
}
changed index-taken "ALTER TABLE ONLY public.w ADD CONSTRAINT wkey UNIQUE USING INDEX widx;"
# 300 tables take 900 oids from a counter a few dozen past $next: some of t's values come to name one.
changed oid-taken "$(for i in $(seq 1 300); do echo "CREATE TABLE public.z$i (a integer);"; done)"

# What a restore of the second prints: the file's numbers turned names.
target=$(new_db lb_vnames_to)
check_exit vnames-restore-runs 0 "$LB_BIN" restore -q "$work/oid-taken/$(basename "$dumped")" -d "dbname=$target"
named=$(psql -X -A -t -d "$target" -c "SELECT count(*) FROM public.t WHERE n[1]::text ~ '^(public[.])?z[0-9]+$'")
[ "${named:-0}" -gt 0 ] && pass vnames-restore-names || fail vnames-restore-names "named=$named"

n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vnames-scratch-dropped || fail vnames-scratch-dropped "$n left"

finish
