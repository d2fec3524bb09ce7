#!/usr/bin/env bash
# pg_dump's connection flags -h HOST -p PORT -U USER (issue #18), combined
# as pg_dump combines them: they replace DATABASE_URL's parts (as they
# replace PG* variables), fill in what -d leaves out, and lose to what a
# -d connection string sets itself (pg_dump's documented rule).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

src=$(new_db lb_cf_src) && dst=$(new_db lb_cf_dst) && dst2=$(new_db lb_cf_dst2) ||
	{ fail conn-flags-setup "cannot create databases"; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c 'CREATE TABLE t AS SELECT g AS a FROM generate_series(1, 1000) g' ||
	{ fail conn-flags-fixture "cannot load"; finish; }
H=$PGHOST P=$PGPORT U=$PGUSER
work=$(tmpdir)
# No PG* variables: only the flags say where the server is.
bare() { env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u DATABASE_URL "$@"; }

check db-with-h-p-U bare "$LB_BIN" -q db -h "$H" -p "$P" -U "$U" -d "$src" -o "$work/a"
check db-long-host-port-username bare "$LB_BIN" -q db --host "$H" --port "$P" --username "$U" --dbname "$src" \
	-o "$work/b" --keep 0
# -p replaces DATABASE_URL's port, key=value and URL alike.
check db-p-replaces-database-url-port bare DATABASE_URL="host=$H port=1 user=$U dbname=$src" \
	"$LB_BIN" -q db -p "$P" -o "$work/c" --keep 0
check db-h-p-replace-url-parts bare DATABASE_URL="postgresql://$U@localhost:1/$src?connect_timeout=5" \
	"$LB_BIN" -q db -h "$H" -p "$P" -o "$work/d" --keep 0
# and fills in what -d leaves out, over PGPORT
check db-p-fills-dbname-conninfo env PGPORT=1 "$LB_BIN" -q db -p "$P" -d "dbname=$src" -o "$work/e" --keep 0
# A -d conninfo's own port wins over -p, as in pg_dump: this one cannot connect.
check_exit db-d-conninfo-port-wins 1 bare "$LB_BIN" -q db -h "$H" -p "$P" -U "$U" -d "host=$H port=1 dbname=$src" \
	-o "$work/f"
check_exit port-not-a-number 2 "$LB_BIN" db -p 5x43 -o "$work/g"
grep -q -- "--port takes a port number" <<<"$LB_LAST_OUTPUT" && pass port-not-a-number-message ||
	fail port-not-a-number-message "$LB_LAST_OUTPUT"

file=$(ls "$work"/a/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
[ -n "$file" ] || { fail conn-flags-dump-written "no dump in $work/a"; finish; }
check restore-with-h-p-U bare "$LB_BIN" -q restore "$file" -h "$H" -p "$P" -U "$U" -d "$dst"
[ "$(psql -X -At -d "$dst" -c 'SELECT count(*) FROM t')" = 1000 ] && pass restore-with-flags-rows ||
	fail restore-with-flags-rows "$(psql -X -At -d "$dst" -c 'SELECT count(*) FROM t' 2>&1)"
# -h never makes DATABASE_URL a restore target: -d is still needed.
check_exit restore-h-without-d 2 env DATABASE_URL="dbname=$dst2" "$LB_BIN" restore "$file" -h "$H" -p "$P"
check verify-restore-with-h-p-U bare "$LB_BIN" -q verify --restore -h "$H" -p "$P" -U "$U" "$file"
finish
