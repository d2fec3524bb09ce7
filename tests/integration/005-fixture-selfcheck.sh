#!/usr/bin/env bash
# Self-check of the test fixtures: hostile.sql loads, survives a plain
# pg_dump | psql round trip, and compare_databases (tests/lib/compare.sh)
# finds it identical -- yet still notices a changed row, a NULL-vs-''
# swap, a sequence move, a schema change and a matview population change.
# Uses the cluster the runner started (PG* from the environment).
set -u

# shellcheck source=tests/lib/testlib.sh
. "$LB_TOP/tests/lib/testlib.sh"
# shellcheck source=tests/lib/compare.sh
. "$LB_TOP/tests/lib/compare.sh"

fixture=$LB_TOP/tests/fixtures/hostile.sql
src=lb_fx_src
dst=lb_fx_dst
work=$(tmpdir)
at_exit "dropdb --if-exists --force $src >/dev/null 2>&1; dropdb --if-exists --force $dst >/dev/null 2>&1"

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$dst" -c "$1"; }

# expect_diff NAME PATTERN: compare must return exactly 1 and mention PATTERN
# (the object that differs), so we know the report points at the culprit.
expect_diff() {
    local name=$1 pattern=$2 out rc=0
    out=$(compare_databases "$src" "$dst" 2>&1) || rc=$?
    if [ "$rc" -ne 1 ]; then
        fail "$name" "compare_databases returned $rc, expected 1"$'\n'"$out"
    elif ! grep -qF -- "$pattern" <<<"$out"; then
        fail "$name" "diff does not mention $pattern"$'\n'"$out"
    else
        pass "$name"
    fi
}

if ! new_db "$src" >/dev/null || ! new_db "$dst" >/dev/null; then
    fail fixture-create-dbs "could not create $src/$dst"
    finish
fi
check fixture-loads psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$fixture" || finish
check fixture-pg-dump pg_dump -d "$src" -f "$work/dump.sql" || finish
check fixture-restore psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -f "$work/dump.sql" || finish

check fixture-compare-self compare_databases "$src" "$src"
check fixture-roundtrip-identical compare_databases "$src" "$dst"

# Sanity of the fixture's traps after restore: the guard trigger did not
# fire (no RAISE, audit still holds only the one legit row).
check fixture-trigger-not-fired test "$(sql 'SELECT count(*) FROM public.orders_audit')" = 1

# A changed byte in a quoted-name table is caught and the table is named.
sql 'UPDATE "App Data"."Customer Orders" SET "select" = '\''changed'\'' WHERE id = 7' >/dev/null
expect_diff compare-catches-row-change '"App Data"."Customer Orders"'
sql 'UPDATE "App Data"."Customer Orders" SET "select" = '\''sel 7'\'' WHERE id = 7' >/dev/null
check compare-identical-after-revert compare_databases "$src" "$dst"

# '' and NULL must not collapse into one another.
sql "UPDATE public.nasty_text SET body = NULL WHERE id = 10" >/dev/null
expect_diff compare-catches-empty-vs-null 'public.nasty_text'
sql "UPDATE public.nasty_text SET body = '' WHERE id = 10" >/dev/null

# A sequence position difference is caught and the sequence named.
sql "SELECT setval('public.never_called_seq', 42, true)" >/dev/null
expect_diff compare-catches-sequence 'public.never_called_seq'
sql "SELECT setval('public.never_called_seq', 42, false)" >/dev/null

# Populating the WITH NO DATA matview is a difference too.
sql 'REFRESH MATERIALIZED VIEW public.mv_empty' >/dev/null
expect_diff compare-catches-matview-populated 'public.mv_empty'
sql 'DROP MATERIALIZED VIEW public.mv_empty' >/dev/null
sql 'CREATE MATERIALIZED VIEW public.mv_empty AS SELECT id, gross FROM public.v_orders_big WITH NO DATA' >/dev/null
sql 'CREATE INDEX mv_empty_gross_idx ON public.mv_empty (gross)' >/dev/null
sql "COMMENT ON MATERIALIZED VIEW public.mv_empty IS 'WITH NO DATA'" >/dev/null
check compare-identical-after-matview-rebuild compare_databases "$src" "$dst"

# A schema-only change (no data touched) is caught via the schema dump.
sql 'CREATE INDEX lb_extra_idx ON public.big_log (n)' >/dev/null
expect_diff compare-catches-schema-change 'lb_extra_idx'

finish
