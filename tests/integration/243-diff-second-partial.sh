#!/usr/bin/env bash
# diff BACKUP BACKUP where the second is partial (db -t/-n/-T): a table its
# selection left out is said to be left out by the second backup's
# selection, with or without --rows and in --json, as the backup-vs-live
# case says it, not "not in the second backup"; a whole second backup
# still says "not in the second backup" for a table it lacks.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
db=$(new_db lb_diff2p) || { fail diff2p-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE TABLE users (id int PRIMARY KEY, name text);
  CREATE TABLE orders (id int PRIMARY KEY, total int);
  INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 50) g;
  INSERT INTO orders SELECT g, g FROM generate_series(1, 80) g" || finish
check diff2p-whole "$LB_BIN" db -q -d "dbname=$db" -o "$work/whole" --keep 0 || finish
check diff2p-part "$LB_BIN" db -q -d "dbname=$db" -o "$work/part" --keep 0 -t public.users || finish
whole=$(ls "$work"/whole/lot-systems-db-*.sql.gz)
part=$(ls "$work"/part/lot-systems-db-*.sql.gz)

for rows in "" --rows; do
	check "diff2p-diff${rows}" "$LB_BIN" diff "$whole" "$part" $rows
	if grep -q "^public.orders .*  left out by the second backup's selection\$" <<<"$LB_LAST_OUTPUT" &&
		! grep -q 'not in the second backup' <<<"$LB_LAST_OUTPUT" &&
		grep -q "The second backup is a partial dump: --table public.users; the tables it left out are not compared" <<<"$LB_LAST_OUTPUT"; then
		pass "diff2p-left-out${rows}"
	else
		fail "diff2p-left-out${rows}" "$LB_LAST_OUTPUT"
	fi
done
check diff2p-json "$LB_BIN" diff "$whole" "$part" --json
python3 -c 'import json, sys
d = {t["table"]: t for t in json.loads(sys.argv[1])["tables"]}
sys.exit(d["public.orders"]["status"] != "left out by the second backup'"'"'s selection")' "$LB_LAST_OUTPUT" &&
	pass diff2p-left-out-json || fail diff2p-left-out-json "$LB_LAST_OUTPUT"

# A whole second backup without a table: not in it, as before.
psql -X -q -d "$db" -c "DROP TABLE orders"
check diff2p-whole2 "$LB_BIN" db -q -d "dbname=$db" -o "$work/whole2" --keep 0 || finish
whole2=$(ls "$work"/whole2/lot-systems-db-*.sql.gz)
check diff2p-dropped "$LB_BIN" diff "$whole" "$whole2"
grep -q "^public.orders .*  not in the second backup\$" <<<"$LB_LAST_OUTPUT" && pass diff2p-dropped-not-in-second ||
	fail diff2p-dropped-not-in-second "$LB_LAST_OUTPUT"
finish
