#!/usr/bin/env bash
# verify --restore reads a table back while the rest of the dump loads,
# and after the load counts its rows written by a transaction its
# snapshot did not see done. The snapshot lists the top-level
# transactions then in progress, not their subtransactions: a CHECK
# function of another table, in a subtransaction given its id before the
# read, rewrote rows after it, and the count took that id for one done
# before (exit 0, found by an adversarial review). The ids every
# transaction holds a lock on, subtransactions' too, are now taken with
# the snapshot.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/early-read.sh"

# t big enough that its load and key end after u's first row is checked.
db=$(early_db lb_vsubx 20000) || finish
work=$(tmpdir)
dump_checked vsubx "$db" "$work" || finish
good=$GOOD

# Before the data: u's CHECK, on its first row, takes an id in a
# subtransaction, waits while t is loaded and read, then rewrites t.
f=$(dump_forged "$good" "$work/subx" 'CREATE FUNCTION public.chk(i integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF i = 1 THEN
    BEGIN
      CREATE TEMP TABLE x_sub (a integer);
      PERFORM pg_catalog.pg_sleep(3);
      UPDATE public.t SET s = '"'EVIL'"' WHERE id <= 10;
    EXCEPTION WHEN division_by_zero THEN NULL;
    END;
  END IF;
  RETURN true;
END $$;
ALTER TABLE public.u ADD CONSTRAINT chk CHECK (public.chk(id));' "")
check_exit vsubx-rewrite-fails 3 "$LB_BIN" verify -v --jobs 2 --restore "$f"
grep -q 'reading table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" &&
	pass vsubx-read-early || fail vsubx-read-early "$LB_LAST_OUTPUT"
grep -q 'table public.t: its rows or columns changed after they were read back' <<<"$LB_LAST_OUTPUT" &&
	pass vsubx-rewrite-named || fail vsubx-rewrite-named "$LB_LAST_OUTPUT"

n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vsubx-scratch-dropped || fail vsubx-scratch-dropped "$n left"

finish
