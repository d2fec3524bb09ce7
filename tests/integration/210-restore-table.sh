#!/usr/bin/env bash
# restore --table (issue #20), as pg_restore -t: one table's definition,
# rows, owned sequences (with their values), indexes and own constraints
# into a database that may hold others, from the table's own gzip members;
# --data-only into an existing empty table, --append into one with rows;
# everything in one transaction.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_rt_src) || { fail rtable-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
  CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, CHECK (email LIKE '%@%'));
  CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int REFERENCES users, total numeric);
  CREATE INDEX orders_user ON orders (user_id); COMMENT ON TABLE orders IS 'what was bought';
  CREATE TABLE \"Audit Log\" (at timestamptz, what text);
  INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 200) g;
  INSERT INTO orders (user_id, total) SELECT 1 + g % 200, g FROM generate_series(1, 3000) g;
  INSERT INTO \"Audit Log\" SELECT '2026-01-01'::timestamptz + g * interval '1 minute', E'line\twith tab ' || g FROM generate_series(1, 50) g" >/dev/null
check rtable-dump "$LB_BIN" db -d "dbname=$src" -o "$work/out" --keep 0
dump=$(ls "$work"/out/lot-systems-db-*.sql.gz)
v() { psql -X -At -d "$1" -c "$2" 2>&1; }

dst=$(new_db lb_rt_dst)
psql -X -q -d "$dst" -c "CREATE TABLE keep_me (i int); INSERT INTO keep_me VALUES (1)"
check rtable-orders "$LB_BIN" restore "$dump" -d "dbname=$dst" --table orders
grep -q 'left out, as it needs another table: ALTER TABLE ONLY public.orders' <<<"$LB_LAST_OUTPUT" &&
	pass rtable-says-fk-left-out || fail rtable-says-fk-left-out "$LB_LAST_OUTPUT"
[ "$(v "$dst" "SELECT count(*), sum(total) FROM orders")" = "3000|4501500" ] && pass rtable-rows || fail rtable-rows "$(v "$dst" "SELECT count(*) FROM orders")"
[ "$(v "$dst" "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'orders'")" = "orders_pkey,orders_user" ] &&
	pass rtable-indexes || fail rtable-indexes "$(v "$dst" "SELECT indexname FROM pg_indexes WHERE tablename = 'orders'")"
[ "$(v "$dst" "INSERT INTO orders (user_id, total) VALUES (1, 1) RETURNING id")" = "3001
INSERT 0 1" ] && pass rtable-identity-value || fail rtable-identity-value "$(v "$dst" "SELECT max(id) FROM orders")"
[ "$(v "$dst" "SELECT obj_description('orders'::regclass)")" = "what was bought" ] && pass rtable-comment || fail rtable-comment
[ "$(v "$dst" "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" = 0 ] && [ "$(v "$dst" "SELECT count(*) FROM keep_me")" = 1 ] &&
	[ "$(v "$dst" "SELECT to_regclass('public.users') IS NULL")" = t ] && pass rtable-nothing-else || fail rtable-nothing-else

check rtable-users-quoted "$LB_BIN" restore "$dump" -d "dbname=$dst" --table public.users --table '"Audit Log"'
[ "$(v "$dst" "SELECT nextval('users_id_seq')")" = 201 ] && [ "$(v "$dst" "SELECT count(*) FROM \"Audit Log\" WHERE what LIKE E'%\t%'")" = 50 ] &&
	pass rtable-sequence-and-escapes || fail rtable-sequence-and-escapes "$LB_LAST_OUTPUT"
check_exit rtable-check-kept 1 psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -c "INSERT INTO users (email) VALUES ('no-at')"

# An existing table is never written over; --data-only fills an empty one, --append one with rows.
check_exit rtable-exists-refused 1 "$LB_BIN" restore "$dump" -d "dbname=$dst" --table orders
grep -q 'public.orders exists in database lb_rt_dst: restore its rows with --data-only' <<<"$LB_LAST_OUTPUT" &&
	pass rtable-exists-says-how || fail rtable-exists-says-how "$LB_LAST_OUTPUT"
check_exit rtable-data-only-nonempty 1 "$LB_BIN" restore "$dump" -d "dbname=$dst" --table '"Audit Log"' --data-only
psql -X -q -d "$dst" -c 'TRUNCATE "Audit Log"'
check rtable-data-only "$LB_BIN" restore "$dump" -d "dbname=$dst" --table '"Audit Log"' --data-only
check rtable-append "$LB_BIN" restore "$dump" -d "dbname=$dst" --table '"Audit Log"' --data-only --append
[ "$(v "$dst" 'SELECT count(*) FROM "Audit Log"')" = 100 ] && pass rtable-append-rows || fail rtable-append-rows
# A failure half way (duplicate keys) rolls the whole restore back.
check_exit rtable-append-conflict 1 "$LB_BIN" restore "$dump" -d "dbname=$dst" --table users --data-only --append
[ "$(v "$dst" 'SELECT count(*) FROM users')" = 200 ] && pass rtable-rolled-back || fail rtable-rolled-back "$(v "$dst" 'SELECT count(*) FROM users')"

# Only the table's own members are read (no whole-file pass): damage in another
# table's rows does not stop it; damage in its own rolls it back; a file of
# the wrong size is refused before anything.
bad=$work/bad && mkdir -p "$bad" && cp "$dump" "$dump.manifest.json" "$bad/" && bdump=$bad/$(basename "$dump")
python3 - "$bdump" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + ".manifest.json"))
t = next(t for t in m["tables"] if t["qualified"] == "public.orders")
f = open(sys.argv[1], "r+b"); f.seek(t["gz_offset"] + t["gz_length"] // 2); b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 0xff]))
PY
d2=$(new_db lb_rt_d2)
check rtable-other-damage-ignored "$LB_BIN" restore "$bdump" -d "dbname=$d2" --table users
check_exit rtable-own-damage-fails 1 "$LB_BIN" restore "$bdump" -d "dbname=$d2" --table orders
[ "$(v "$d2" "SELECT to_regclass('public.orders') IS NULL")" = t ] && pass rtable-own-damage-rolled-back || fail rtable-own-damage-rolled-back
head -c 1000 "$dump" >"$bad/cut.sql.gz" && cp "$dump.manifest.json" "$bad/cut.sql.gz.manifest.json"
check_exit rtable-wrong-size 3 "$LB_BIN" restore "$bad/cut.sql.gz" -d "dbname=$d2" --table users
dropdb --if-exists "$d2"

check_exit rtable-unknown 1 "$LB_BIN" restore "$dump" -d "dbname=$dst" --table nosuch
check_exit rtable-not-with-clean 2 "$LB_BIN" restore "$dump" -d "dbname=$dst" --table users --clean
check_exit rtable-append-alone 2 "$LB_BIN" restore "$dump" -d "dbname=$dst" --append
dropdb --if-exists "$src"; dropdb --if-exists "$dst"
finish
