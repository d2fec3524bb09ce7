#!/usr/bin/env bash
# A parallel worker whose connection is lost between two tables, as it
# joins the dump's snapshot again: the dump goes on without it and is
# whole (its tables taken by the main connection), with a warning. Before,
# the run failed, and a main connection lost at that moment surfaced only
# as the worker's "invalid snapshot identifier", never naming its table
# (the flake of 040's error-connection-dropped-mid-table).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_rejoin) || { fail rejoin-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE TABLE big (id int PRIMARY KEY, v text);
  INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 200000) g;
  CREATE TABLE second (id int PRIMARY KEY, v text);
  INSERT INTO second SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
  CREATE TABLE third (id int PRIMARY KEY);
  INSERT INTO third SELECT generate_series(1, 300);" >/dev/null ||
	{ fail rejoin-setup "cannot fill $db"; finish; }
work=$(tmpdir)

python3 "$LB_TOP/tests/lib/drop-at-query-proxy.py" "$PGHOST/.s.PGSQL.$PGPORT" "$work/port" \
	"COMMIT; BEGIN ISOLATION LEVEL REPEATABLE READ" &
proxy=$!
at_exit "kill $proxy 2>/dev/null"
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
pport=$(cat "$work/port" 2>/dev/null)
[ -n "$pport" ] || { fail rejoin-setup "the proxy did not start"; finish; }

rc=0
err=$("$LB_BIN" db -d "host=127.0.0.1 port=$pport dbname=$db sslmode=disable gssencmode=disable" \
	-o "$work/out" --jobs 2 2>&1 >/dev/null) || rc=$?
if [ $rc -eq 0 ] && grep -q "warning.*parallel worker cannot join the dump's snapshot again" <<<"$err"; then
	pass rejoin-lost-worker-dump-goes-on
else
	fail rejoin-lost-worker-dump-goes-on "exit $rc: $err"
fi
f=$(ls "$work"/out/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
if [ -z "$f" ]; then
	fail rejoin-dump-whole "no dump"
	finish
fi
check rejoin-dump-verifies "$LB_BIN" verify -q "$f"
copy=$(new_db lb_rejoin_copy) || { fail rejoin-setup createdb; finish; }
check rejoin-dump-restores "$LB_BIN" restore -q "$f" -d "dbname=$copy"
sums="SELECT string_agg(format('%s %s %s', t, n, s), ' ' ORDER BY t) FROM (
  SELECT 'big' t, count(*) n, md5(string_agg(v, ',' ORDER BY id)) s FROM big
  UNION ALL SELECT 'second', count(*), md5(string_agg(v, ',' ORDER BY id)) FROM second
  UNION ALL SELECT 'third', count(*), md5(string_agg(id::text, ',' ORDER BY id)) FROM third) x"
want=$(psql -X -At -d "$db" -c "$sums")
got=$(psql -X -At -d "$copy" -c "$sums")
[ -n "$want" ] && [ "$want" = "$got" ] && pass rejoin-every-row-restored ||
	fail rejoin-every-row-restored "source: $want"$'\n'"copy: $got"
finish
