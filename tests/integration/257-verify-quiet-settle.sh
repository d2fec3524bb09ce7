#!/usr/bin/env bash
# verify --restore checks a table read early again after the load. When the
# load ran nothing that could write rows after the tables (no routine,
# extension, rule, inheritance, subscription, stray COPY or CREATE TABLE
# ... AS: the verify load refuses INSERT, UPDATE and the rest), it compares
# the table's columns and file instead of scanning every row for a newer
# xmin. A rewrite by
# ALTER TABLE with a built-in function keeps none of those away and
# changes the rows: the table's file then differs, and the run fails. With
# a rule, the rows are scanned as before.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/early-read.sh"

work=$(tmpdir)
good=$(early_dump lb_vquiet "$work") || finish
quiet='tables read early are checked by their columns and files, not row by row'

check_exit vquiet-good-passes 0 "$LB_BIN" verify -vv --jobs 2 --restore "$good"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vquiet-read-early ||
	fail vquiet-read-early "$LB_LAST_OUTPUT"
grep -qF "$quiet" <<<"$LB_LAST_OUTPUT" && pass vquiet-quick-check || fail vquiet-quick-check "$LB_LAST_OUTPUT"

# A CHECK on u that sleeps (built in: no routine of the dump's) lets t be
# read first; then t is rewritten with new values by a built-in function.
# Its columns stay as they were: only its file tells.
rewritten=$(dump_with_tail "$good" "$work/rewrite" "ALTER TABLE public.u ADD CONSTRAINT slow CHECK (pg_catalog.pg_sleep(0.05) IS NOT NULL);
ALTER TABLE public.t ALTER COLUMN s TYPE text USING pg_catalog.lower(s);")
check_exit vquiet-rewrite-fails 3 "$LB_BIN" verify -vv --jobs 2 --restore "$rewritten"
grep -q 'table public.t: its rows or columns changed after they were read back' <<<"$LB_LAST_OUTPUT" &&
	pass vquiet-rewrite-named || fail vquiet-rewrite-named "$LB_LAST_OUTPUT"
grep -qF "$quiet" <<<"$LB_LAST_OUTPUT" && pass vquiet-rewrite-by-file || fail vquiet-rewrite-by-file "$LB_LAST_OUTPUT"
grep -q 'table public.t back while the load goes on' <<<"$LB_LAST_OUTPUT" && pass vquiet-rewrite-read-early ||
	fail vquiet-rewrite-read-early "$LB_LAST_OUTPUT"

# A table made from a query whose WITH updates t, and holds no row itself:
# no routine, rule or COPY of the dump's, but the rows of t change. Counted
# by the load as a writer, it brings the scan back, which sees the update.
ctas=$(dump_with_tail "$good" "$work/ctas" "ALTER TABLE public.u ADD CONSTRAINT slow CHECK (pg_catalog.pg_sleep(0.05) IS NOT NULL);
CREATE TABLE public.forged AS WITH w AS (UPDATE public.t SET s = pg_catalog.lower(s) RETURNING 1) SELECT 1 AS n FROM w WHERE false;")
check_exit vquiet-ctas-fails 3 "$LB_BIN" verify -vv --jobs 2 --restore "$ctas"
grep -q 'table public.t: its rows or columns changed after they were read back' <<<"$LB_LAST_OUTPUT" &&
	pass vquiet-ctas-named || fail vquiet-ctas-named "$LB_LAST_OUTPUT"
grep -qF "$quiet" <<<"$LB_LAST_OUTPUT" && fail vquiet-ctas-scans "$LB_LAST_OUTPUT" || pass vquiet-ctas-scans

# A rule could write t when a later part is appended: the rows are scanned.
ruled=$(dump_with_tail "$good" "$work/rule" "CREATE RULE keep AS ON INSERT TO public.u DO ALSO NOTHING;")
check_exit vquiet-rule-passes 0 "$LB_BIN" verify -vv --jobs 2 --restore "$ruled"
grep -qF "$quiet" <<<"$LB_LAST_OUTPUT" && fail vquiet-rule-scans "$LB_LAST_OUTPUT" || pass vquiet-rule-scans

n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vquiet-scratch-dropped || fail vquiet-scratch-dropped "$n left"

finish
