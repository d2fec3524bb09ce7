#!/usr/bin/env bash
# diff and recover (issue #20), as the product's runbook's corruption drill:
# back up, then in the live database delete rows from two tables and change
# a few others; diff reports exactly those rows, recover --apply puts the
# deleted rows back, and diff then lists only the changed rows (and a row
# the live database gained). Values that COPY escapes, NULLs, a table
# without a primary key and a name that needs quoting are in the mix.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
db=$(new_db lb_diff) || { fail diff-setup createdb; finish; }
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "$1" >/dev/null; }
v() { psql -X -At -d "$db" -c "$1"; }
q "CREATE TABLE users (id int PRIMARY KEY, name text, note text);
  CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int NOT NULL REFERENCES users, total numeric(10,2));
  CREATE TABLE logs (msg text, n int);
  CREATE TABLE settings (k text PRIMARY KEY, v jsonb); INSERT INTO settings VALUES ('a', '{\"x\": [1, 2]}'), ('b', 'null');
  CREATE TABLE \"Odd Name\" (\"key col\" text PRIMARY KEY, val bytea);
  INSERT INTO users SELECT g, 'user ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE E'tab\there\nline\\\\back é' END FROM generate_series(1, 300) g;
  INSERT INTO orders (user_id, total) SELECT 1 + g % 300, g * 1.5 FROM generate_series(1, 2000) g;
  INSERT INTO logs SELECT 'event ' || (g % 50), g % 7 FROM generate_series(1, 500) g;
  INSERT INTO \"Odd Name\" SELECT 'k' || g, decode(md5(g::text), 'hex') FROM generate_series(1, 40) g"
out=$work/out
check diff-backup "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 0
dump=$(ls "$out"/lot-systems-db-*.sql.gz)
before_orders=$(v "SELECT md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o")

check_exit diff-same 0 "$LB_BIN" diff "$dump" -d "dbname=$db"
awk '$1 == "public.users" && $4 == 0 && $5 == 0 && $6 == 0 {ok=1} END {exit !ok}' <<<"$LB_LAST_OUTPUT" &&
	pass diff-same-no-differences || fail diff-same-no-differences "$LB_LAST_OUTPUT"

# The drill: rows deleted from two tables, a few changed, one new.
q "DELETE FROM orders WHERE id IN (5, 6, 1999); DELETE FROM \"Odd Name\" WHERE \"key col\" IN ('k3', 'k17');
  UPDATE users SET name = 'renamed' WHERE id IN (7, 8); UPDATE users SET note = NULL WHERE id = 10;
  INSERT INTO orders (user_id, total) VALUES (1, 99.99); DELETE FROM logs WHERE ctid IN (SELECT ctid FROM logs WHERE n = 3 LIMIT 2)"
check_exit diff-drill 0 "$LB_BIN" diff "$dump" -d "dbname=$db" --json
# pycheck NAME: the Python on standard input judges the last output (a JSON document).
pycheck() { python3 -c "$(cat)" "$LB_LAST_OUTPUT" && pass "$1" || fail "$1" "$LB_LAST_OUTPUT"; }
pycheck diff-reports-exactly <<'PY'
import json, sys
d = {t["table"]: t for t in json.loads(sys.argv[1])["tables"]}
def counts(name):
    t = d[name]
    return (t["only_in_backup"], t["only_in_live"], t["changed"])
assert counts("public.users") == (0, 0, 3), d["public.users"]
assert counts("public.orders") == (3, 1, 0), d["public.orders"]
assert counts('public."Odd Name"') == (2, 0, 0), d['public."Odd Name"']
assert counts("public.logs") == (2, 0, 0) and not d["public.logs"]["matched_by_key"], d["public.logs"]
gone = sorted(int(r["row"]["id"]) for r in d["public.orders"]["rows"] if r["kind"] == "only_in_backup")
assert gone == [5, 6, 1999], gone
changed = sorted(int(r["backup"]["id"]) for r in d["public.users"]["rows"] if r["kind"] == "changed")
assert changed == [7, 8, 10], changed
r10 = [r for r in d["public.users"]["rows"] if r["backup"]["id"] == "10"][0]
assert r10["backup"]["note"] == "tab\there\nline\\back é" and r10["live"]["note"] is None, r10
assert sorted(r["row"]["key col"] for r in d['public."Odd Name"']["rows"]) == ["k17", "k3"]
assert d["public.users"]["backup_rows"] == 300 and d["public.orders"]["live_rows"] == 1998
PY
check diff-text "$LB_BIN" diff latest -o "$out" -d "dbname=$db" --table orders
grep -q 'public.orders: 3 rows only in the backup (key id)' <<<"$LB_LAST_OUTPUT" && ! grep -q 'public.users' <<<"$LB_LAST_OUTPUT" &&
	pass diff-table-focus || fail diff-table-focus "$LB_LAST_OUTPUT"

# recover: a file to review, nothing applied; then --apply after a safety dump.
check recover-file "$LB_BIN" recover "$dump" -d "dbname=$db" --file "$work/r.sql" -o "$out"
[ "$(grep -c '^INSERT INTO' "$work/r.sql")" = 7 ] && [ "$(v 'SELECT count(*) FROM orders')" = 1998 ] &&
	pass recover-writes-not-applies || fail recover-writes-not-applies "$(cat "$work/r.sql")"
grep -n 'INSERT INTO public.orders' "$work/r.sql" | head -1 | cut -d: -f1 >"$work/l.o"
grep -n 'INSERT INTO public.users\|INSERT INTO public."Odd Name"\|INSERT INTO public.logs' "$work/r.sql" >/dev/null
[ "$(stat -c %a "$work/r.sql")" = 600 ] && pass recover-file-private || fail recover-file-private "$(stat -c %a "$work/r.sql")"
check_exit recover-never-replaces 1 "$LB_BIN" recover "$dump" -d "dbname=$db" --file "$work/r.sql"
check recover-apply "$LB_BIN" recover "$dump" -d "dbname=$db" --apply -o "$out"
grep -q 'put back 7 rows into 3 tables' <<<"$LB_LAST_OUTPUT" && ls "$out"/safety-dumps/lot-systems-db-*.sql.gz >/dev/null 2>&1 &&
	pass recover-apply-safety-dump || fail recover-apply-safety-dump "$LB_LAST_OUTPUT"
check_exit diff-after 0 "$LB_BIN" diff "$dump" -d "dbname=$db" --json
pycheck diff-after-recover <<'PY'
import json, sys
d = {t["table"]: t for t in json.loads(sys.argv[1])["tables"]}
c = lambda n: (d[n]["only_in_backup"], d[n]["only_in_live"], d[n]["changed"])
assert c("public.users") == (0, 0, 3) and c("public.orders") == (0, 1, 0), d
assert c('public."Odd Name"') == (0, 0, 0) and c("public.logs") == (0, 0, 0), d
PY
[ "$(v "SELECT md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o WHERE id <> (SELECT max(id) FROM orders)")" = "$before_orders" ] &&
	pass recover-rows-identical || fail recover-rows-identical "orders differ from the backup's"

# Two backups: from the manifests, then row by row.
sleep 1
check diff-backup-2 "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 0
dump2=$(ls "$out"/lot-systems-db-*.sql.gz | tail -1)
check diff-two-backups "$LB_BIN" diff "$dump" "$dump2"
grep -q 'public.users .*content or row order differs' <<<"$LB_LAST_OUTPUT" && grep -q 'public.settings .*same content' <<<"$LB_LAST_OUTPUT" &&
	pass diff-two-manifests || fail diff-two-manifests "$LB_LAST_OUTPUT"
check diff-two-rows "$LB_BIN" diff "$dump" "$dump2" --rows --json
python3 -c 'import json,sys; d={t["table"]:t for t in json.load(sys.stdin)["tables"]}; assert (d["public.users"]["only_in_first"], d["public.users"]["only_in_second"]) == (3, 3), d["public.users"]; assert d["public.orders"]["only_in_second"] == 1' \
	<<<"$LB_LAST_OUTPUT" && pass diff-two-rows-whole || fail diff-two-rows-whole "$LB_LAST_OUTPUT"

# A table whose columns no longer fit the backup's is named and passed over; the rest still compare.
q "ALTER TABLE settings DROP COLUMN v"
check_exit diff-column-gone 0 "$LB_BIN" diff "$dump" -d "dbname=$db"
grep -q 'public.settings cannot be compared' <<<"$LB_LAST_OUTPUT" && grep -q '^public.users .* 3 *$' <<<"$LB_LAST_OUTPUT" &&
	pass diff-column-gone-rest-compared || fail diff-column-gone-rest-compared "$LB_LAST_OUTPUT"

# A partial dump (-t): the tables its selection left out are said to be, not counted as rows only live.
check diff-partial-backup "$LB_BIN" db -d "dbname=$db" -o "$work/part" --keep 0 -t public.users
part=$(ls "$work"/part/lot-systems-db-*.sql.gz)
check_exit diff-partial 0 "$LB_BIN" diff "$part" -d "dbname=$db"
grep -q "^public.orders .*  left out by the backup's selection\$" <<<"$LB_LAST_OUTPUT" &&
	grep -q "^public.users .* 0 *0 *0 *\$" <<<"$LB_LAST_OUTPUT" && ! grep -q 'not in the backup' <<<"$LB_LAST_OUTPUT" &&
	grep -q "partial dump: --table public.users; the live tables it left out are not compared" <<<"$LB_LAST_OUTPUT" &&
	pass diff-partial-left-out || fail diff-partial-left-out "$LB_LAST_OUTPUT"
check diff-partial-json "$LB_BIN" diff "$part" -d "dbname=$db" --json
pycheck diff-partial-left-out-json <<'PY'
import json, sys
d = {t["table"]: t for t in json.loads(sys.argv[1])["tables"]}
assert d["public.orders"]["status"] == "left out by the backup's selection", d["public.orders"]
assert d["public.orders"]["only_in_live"] == 0 and d["public.orders"]["live_rows"] > 1990, d["public.orders"]
assert d["public.users"]["status"] == "compared", d["public.users"]
PY

# Usage and damage.
check_exit diff-needs-target 2 "$LB_BIN" diff "$dump"
check_exit diff-unknown-table 1 "$LB_BIN" diff "$dump" -d "dbname=$db" --table nosuch
cp "$dump" "$work/bad.sql.gz" && cp "$dump.manifest.json" "$work/bad.sql.gz.manifest.json"
flip_byte "$work/bad.sql.gz" 200
check_exit diff-damaged-backup 3 "$LB_BIN" diff "$work/bad.sql.gz" -d "dbname=$db"
dropdb --if-exists "$db"
finish
