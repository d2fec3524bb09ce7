#!/usr/bin/env bash
# verify --restore checks a table read early again after the load. When the
# load ran nothing that could write rows after the tables (no routine,
# extension, rule, inheritance, subscription or stray COPY: the verify
# load refuses INSERT, UPDATE and the rest), it compares the table's columns
# and file instead of scanning every row for a newer xmin. A rewrite by
# ALTER TABLE with a built-in function keeps none of those away and
# changes the rows: the table's file then differs, and the run fails. With
# a rule, the rows are scanned as before.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_vquiet) || { fail vquiet-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t (id int PRIMARY KEY, s text);
  INSERT INTO t SELECT g, repeat('a', 64) FROM generate_series(1, 2000) g;
  CREATE TABLE u (id int PRIMARY KEY);
  INSERT INTO u SELECT g FROM generate_series(1, 50) g;" >/dev/null
work=$(tmpdir)
check vquiet-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/out" || finish
good=$(ls "$work"/out/lot-systems-db-*.sql.gz | head -n 1)
quiet='tables read early are checked by their columns and files, not row by row'

check_exit vquiet-good-passes 0 "$LB_BIN" verify -vv --jobs 2 --restore "$good"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vquiet-read-early ||
	fail vquiet-read-early "$LB_LAST_OUTPUT"
grep -qF "$quiet" <<<"$LB_LAST_OUTPUT" && pass vquiet-quick-check || fail vquiet-quick-check "$LB_LAST_OUTPUT"

# with_tail NAME SQL: the dump with SQL added at the end of the part after
# the tables (its own gzip member), the manifest's size and checksum made
# to match, as a forger would.
with_tail() {
	mkdir -p "$work/$1"
	python3 - "$good" "$work/$1/$(basename "$good")" "$2" <<'PY'
import gzip, hashlib, json, sys
src, dst, add = sys.argv[1], sys.argv[2], sys.argv[3]
m = json.load(open(src + ".manifest.json"))
tail_at = max(t["gz_offset"] + t["gz_length"] for t in m["tables"])
data = open(src, "rb").read()
sql = gzip.decompress(data[tail_at:]).decode()
at = sql.index("\n--\n-- lotbackup: summary")
out = data[:tail_at] + gzip.compress((sql[:at + 1] + add + "\n" + sql[at + 1:]).encode())
open(dst, "wb").write(out)
m["bytes"] = len(out)
m["sha256"] = hashlib.sha256(out).hexdigest()
json.dump(m, open(dst + ".manifest.json", "w"))
PY
	echo "$work/$1/$(basename "$good")"
}

# A CHECK on u that sleeps (built in: no routine of the dump's) lets t be
# read first; then t is rewritten with new values by a built-in function.
# Its columns stay as they were: only its file tells.
rewritten=$(with_tail rewrite "ALTER TABLE public.u ADD CONSTRAINT slow CHECK (pg_catalog.pg_sleep(0.05) IS NOT NULL);
ALTER TABLE public.t ALTER COLUMN s TYPE text USING pg_catalog.upper(s);")
check_exit vquiet-rewrite-fails 3 "$LB_BIN" verify -vv --jobs 2 --restore "$rewritten"
grep -q 'table public.t: its rows or columns changed after they were read back' <<<"$LB_LAST_OUTPUT" &&
	pass vquiet-rewrite-named || fail vquiet-rewrite-named "$LB_LAST_OUTPUT"
grep -qF "$quiet" <<<"$LB_LAST_OUTPUT" && pass vquiet-rewrite-by-file || fail vquiet-rewrite-by-file "$LB_LAST_OUTPUT"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vquiet-rewrite-read-early ||
	fail vquiet-rewrite-read-early "$LB_LAST_OUTPUT"

# A rule could write t when a later part is appended: the rows are scanned.
ruled=$(with_tail rule "CREATE RULE keep AS ON INSERT TO public.u DO ALSO NOTHING;")
check_exit vquiet-rule-passes 0 "$LB_BIN" verify -vv --jobs 2 --restore "$ruled"
grep -qF "$quiet" <<<"$LB_LAST_OUTPUT" && fail vquiet-rule-scans "$LB_LAST_OUTPUT" || pass vquiet-rule-scans

n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vquiet-scratch-dropped || fail vquiet-scratch-dropped "$n left"

finish
