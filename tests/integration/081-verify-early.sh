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
. "$LB_TOP/tests/lib/early-read.sh"

work=$(tmpdir)
good=$(early_dump lb_vearly "$work") || finish

check_exit vearly-good-passes 0 "$LB_BIN" verify -v --jobs 2 --restore "$good"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vearly-read-during-load ||
	fail vearly-read-during-load "$LB_LAST_OUTPUT"

# The part after the tables, rewritten: a function that sleeps (so the
# reading of t is done) and then rewrites a row of t, called by a CHECK
# constraint added to u after the key builds.
forge=$(cat <<'SQL'
CREATE FUNCTION public.forge(i integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF i = 1 THEN
        PERFORM pg_catalog.pg_sleep(3);
        UPDATE public.t SET s = 'changed after it was read' WHERE id = 1;
    END IF;
    RETURN true;
END $$;
ALTER TABLE public.u ADD CONSTRAINT forge CHECK (public.forge(id));
SQL
)
late=$(dump_with_tail "$good" "$work/late" "$forge")
check_exit vearly-changed-after-fails 3 "$LB_BIN" verify -v --jobs 2 --restore "$late"
grep -q 'table public.t: its rows or columns changed after they were read back' <<<"$LB_LAST_OUTPUT" &&
	pass vearly-changed-after-named || fail vearly-changed-after-named "$LB_LAST_OUTPUT"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vearly-late-read-early ||
	fail vearly-late-read-early "$LB_LAST_OUTPUT"
# The scratch database and role are gone either way.
n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vearly-scratch-dropped || fail vearly-scratch-dropped "$n left"

finish
