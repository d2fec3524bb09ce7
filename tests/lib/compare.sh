# shellcheck shell=bash
# compare_databases SRC DST: compare two databases of the test cluster
# (connection from the PG* environment). Returns 0 when identical; else
# prints what differs (unified diffs naming the table/sequence) and
# returns 1; returns 2 when a query itself fails.
#
# Checks:
#  a) pg_dump --schema-only text, minus comments and the per-dump random
#     \restrict key lines;
#  b) user tables, partitioned tables and matviews (non-system schemas, not
#     extension members): name, kind, populated flag, row count, md5 of
#     the sorted row texts, each of its own rows only (FROM ONLY: a parent
#     never reads a foreign partition, which may have nowhere to read from);
#  c) every sequence's last_value and is_called.
# All per-object queries are generated from the catalogs.
# Safe under `set -u`.

# Relations that belong to the user: outside system schemas and not
# created by an extension.
_LB_CMP_USER_REL="
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')"

# Emit one "name|kind|count|md5" line per table, ordered by name. An
# unpopulated matview cannot be scanned, so it reports 'unpopulated'.
# The alias lb_cmp_row avoids clashing with a column named like it
# (a column wins over a whole-row reference of the same name).
_lb_cmp_tables() {
    local sql
    sql=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "
SELECT CASE WHEN c.relispopulated THEN
         format('SELECT %L, %L, count(*), md5(coalesce(string_agg(lb_cmp_row::text, E''\\n'' ORDER BY lb_cmp_row::text), '''')) FROM ONLY %I.%I lb_cmp_row;',
                format('%I.%I', n.nspname, c.relname), c.relkind, n.nspname, c.relname)
       ELSE
         format('SELECT %L, %L, ''unpopulated'', '''';',
                format('%I.%I', n.nspname, c.relname), c.relkind)
       END
 $_LB_CMP_USER_REL
   AND c.relkind IN ('r', 'p', 'm')
 ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"") || return 2
    [ -n "$sql" ] || return 0
    # row_security off: error out rather than silently compare a subset.
    printf 'SET row_security = off;\n%s\n' "$sql" |
        psql -X -q -At -F '|' -v ON_ERROR_STOP=1 -d "$1" -f - || return 2
}

# Emit one "name|last_value|is_called" line per sequence.
_lb_cmp_sequences() {
    local sql
    sql=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "
SELECT format('SELECT %L, last_value, is_called FROM %I.%I;',
              format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
 $_LB_CMP_USER_REL
   AND c.relkind = 'S'
 ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"") || return 2
    [ -n "$sql" ] || return 0
    printf '%s\n' "$sql" |
        psql -X -q -At -F '|' -v ON_ERROR_STOP=1 -d "$1" -f - || return 2
}

# Schema dump without what legitimately differs between two dumps:
# "--" comments (version banner, TOC headers) and the \restrict /
# \unrestrict lines whose key is random per dump (PG >= 15.14).
_lb_cmp_schema() {
    pg_dump --schema-only -d "$1" | grep -v -e '^\\restrict ' -e '^\\unrestrict ' -e '^--'
    # pg_dump's status, not grep's (grep fails on empty output).
    return "${PIPESTATUS[0]}"
}

compare_databases() {
    local src=$1 dst=$2 work rc=0 kind
    work=$(mktemp -d "${TMPDIR:-/tmp}/lbcmp.XXXXXX") || return 2

    for kind in schema tables sequences; do
        if ! "_lb_cmp_$kind" "$src" >"$work/$kind.src" 2>"$work/err" ||
            ! "_lb_cmp_$kind" "$dst" >"$work/$kind.dst" 2>"$work/err"; then
            echo "compare_databases: $kind query failed:" >&2
            cat "$work/err" >&2
            rm -rf -- "$work"
            return 2
        fi
        if ! diff -u --label "$src ($kind)" --label "$dst ($kind)" \
            "$work/$kind.src" "$work/$kind.dst"; then
            rc=1
        fi
    done
    rm -rf -- "$work"
    return "$rc"
}
