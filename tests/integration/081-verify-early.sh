#!/usr/bin/env bash
# verify --restore reads each table back as soon as its rows and keys are
# in, while the load goes on (issue #17's wall-time target), and still
# fails a table that what the dump runs after that changes: here a CHECK
# constraint on another table whose function waits, then rewrites a row of
# the table read early. The hostile part is a gzip member of its own after
# the tables' members, so the manifest's segments stay true and the
# tables load apart, as a forger keeping them would have it.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_vearly) || { fail vearly-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t (id int PRIMARY KEY, s text);
  INSERT INTO t SELECT g, repeat('A', 64) FROM generate_series(1, 2000) g;
  CREATE TABLE u (id int PRIMARY KEY);
  INSERT INTO u SELECT g FROM generate_series(1, 50) g;" >/dev/null
work=$(tmpdir)
check vearly-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/out" || finish
good=$(ls "$work"/out/lot-systems-db-*.sql.gz | head -n 1)

check_exit vearly-good-passes 0 "$LB_BIN" verify -v --jobs 2 --restore "$good"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vearly-read-during-load ||
	fail vearly-read-during-load "$LB_LAST_OUTPUT"

# The part after the tables, rewritten: a function that sleeps (so the
# reading of t is done) and then rewrites a row of t, called by a CHECK
# constraint added to u after the key builds.
mkdir -p "$work/late"
late=$work/late/$(basename "$good")
python3 - "$good" "$late" <<'PY'
import gzip, hashlib, json, os, sys
src, dst = sys.argv[1], sys.argv[2]
m = json.load(open(src + ".manifest.json"))
tail_at = max(t["gz_offset"] + t["gz_length"] for t in m["tables"])
data = open(src, "rb").read()
sql = gzip.decompress(data[tail_at:]).decode()
add = """CREATE FUNCTION public.forge(i integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF i = 1 THEN
        PERFORM pg_catalog.pg_sleep(3);
        UPDATE public.t SET s = 'changed after it was read' WHERE id = 1;
    END IF;
    RETURN true;
END $$;
ALTER TABLE public.u ADD CONSTRAINT forge CHECK (public.forge(id));

"""
at = sql.index("\n--\n-- lotbackup: summary")
out = data[:tail_at] + gzip.compress((sql[:at + 1] + add + sql[at + 1:]).encode())
open(dst, "wb").write(out)
m["bytes"] = len(out)
m["sha256"] = hashlib.sha256(out).hexdigest()
json.dump(m, open(dst + ".manifest.json", "w"))
PY
check_exit vearly-changed-after-fails 3 "$LB_BIN" verify -v --jobs 2 --restore "$late"
grep -q 'table public.t: its rows or columns changed after they were read back' <<<"$LB_LAST_OUTPUT" &&
	pass vearly-changed-after-named || fail vearly-changed-after-named "$LB_LAST_OUTPUT"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vearly-late-read-early ||
	fail vearly-late-read-early "$LB_LAST_OUTPUT"
# The scratch database and role are gone either way.
n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vearly-scratch-dropped || fail vearly-scratch-dropped "$n left"

finish
