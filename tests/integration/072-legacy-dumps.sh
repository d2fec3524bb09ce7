#!/usr/bin/env bash
# The old scripts' dumps (pg_dump | gzip as lot-systems-db-*.sql.gz, no
# manifest) are legitimate backups: verify checks what they show (gzip
# integrity, pg_dump's completion marker, the SQL parses, only statements a
# dump holds) and passes them as legacy, so 'verify --all' does not fail
# every night; a damaged legacy dump still fails, and one of lotbackup's own
# still needs its manifest. list labels them legacy.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_legacy) || { fail legacy-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS h FROM generate_series(1, 2000) g" >/dev/null
work=$(tmpdir)
out=$work/backups
mkdir -m 700 "$out"
stamp() { date -u -d "$1" +%Y-%m-%dT%H-%M-%S; }
legacy=$out/lot-systems-db-$(stamp '3 days ago').sql.gz
pg_dump -d "$db" | gzip >"$legacy"
check legacy-own-dump "$LB_BIN" db -q -d "dbname=$db" -o "$out"

check_exit legacy-verify-all 0 "$LB_BIN" verify --all -o "$out"
grep -q "legacy" <<<"$LB_LAST_OUTPUT" && pass legacy-verify-says-legacy || fail legacy-verify-says-legacy "$LB_LAST_OUTPUT"
[ -f "$legacy.verified.json" ] && pass legacy-verified-record || fail legacy-verified-record "$(ls "$out")"
json=$("$LB_BIN" verify --json "$legacy")
python3 -c 'import json,sys; r=json.loads(sys.argv[1])[0]; n={c["name"] for c in r["checks"]}; assert r["ok"] and {"gzip","complete","parse","statements"} <= n, r' \
	"$json" 2>/dev/null && pass legacy-verify-checks || fail legacy-verify-checks "$json"

# list labels it.
check_exit legacy-list 0 "$LB_BIN" list --wide -o "$out"
grep -E "^db .* legacy .*$(basename "$legacy")" <<<"$LB_LAST_OUTPUT" >/dev/null && pass legacy-list-label ||
	fail legacy-list-label "$LB_LAST_OUTPUT"
json=$("$LB_BIN" list -o "$out" --json)
python3 -c 'import json,sys; l={r["name"]: r.get("legacy") for r in json.loads(sys.argv[1])}; assert l[sys.argv[2]] is True and sorted(l.values()) == [False, True], l' \
	"$json" "$(basename "$legacy")" 2>/dev/null && pass legacy-list-json || fail legacy-list-json "$json"

# Damage still fails the night: a cut gzip stream, SQL cut short (no pg_dump marker).
cut=$work/cut && mkdir -m 700 "$cut"
f=$cut/lot-systems-db-$(stamp '4 days ago').sql.gz
head -c $(( $(stat -c %s "$legacy") / 2 )) "$legacy" >"$f"
check_exit legacy-cut-gzip-fails 3 "$LB_BIN" verify --all -o "$cut"
rm "$f"
pg_dump -d "$db" | head -n 40 | gzip >"$f"
check_exit legacy-cut-sql-fails 3 "$LB_BIN" verify --all -o "$cut"
grep -q 'check complete failed' <<<"$LB_LAST_OUTPUT" && pass legacy-cut-sql-names-check || fail legacy-cut-sql-names-check "$LB_LAST_OUTPUT"

# One of lotbackup's own dumps that lost its manifest is not legacy.
own=$(ls "$out"/lot-systems-db-*.sql.gz | grep -v -F "$legacy" | head -n 1)
rm "$own.manifest.json"
check_exit legacy-own-without-manifest-fails 3 "$LB_BIN" verify "$own"
grep -q 'check manifest failed' <<<"$LB_LAST_OUTPUT" && pass legacy-own-without-manifest-names-check ||
	fail legacy-own-without-manifest-names-check "$LB_LAST_OUTPUT"
finish
