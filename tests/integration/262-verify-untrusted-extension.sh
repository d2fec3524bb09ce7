#!/usr/bin/env bash
# verify --restore ran a dump's CREATE EXTENSION as the connecting
# superuser, whatever the extension: a hostile file made dblink, whose
# functions any role may call, and a CHECK of its own then had the server
# connect to another host, sending the cluster's database and role names
# (found by an adversarial review; exit 0). An extension its control file
# does not mark trusted is now left out of a file not vouched for, named
# in a warning, as the superuser's kinds are; with --trusted it is made.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/early-read.sh"

[ -f "$(pg_config --sharedir 2>/dev/null)/extension/dblink.control" ] ||
	[ -f /usr/share/postgresql/15/extension/dblink.control ] || { skip vuext "dblink not installed"; finish; }
db=$(early_db lb_vuext 200) || finish
work=$(tmpdir)
dump_checked vuext "$db" "$work" || finish

# A listener standing for another host: it writes a line per connection.
python3 - "$work/port" "$work/heard" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
PY
listener=$!
at_exit "kill $listener 2>/dev/null"
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
: >"$work/heard"

# beacon NAME SPELLING: the dump with dblink made (its name spelt so),
# and a CHECK connecting to the listener.
beacon() {
	dump_with_tail "$GOOD" "$work/$1" "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS $2 WITH SCHEMA public;
CREATE FUNCTION public.beacon() RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
  BEGIN
    PERFORM public.dblink_connect('host=127.0.0.1 port=$port connect_timeout=2 sslmode=disable user=x password=x dbname=x');
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  RETURN true;
END \$\$;
ALTER TABLE public.u ADD CONSTRAINT beacon CHECK (id <> 1 OR public.beacon());"
}
f=$(beacon egress dblink)
check_exit vuext-untrusted-passes 0 "$LB_BIN" verify -v --jobs 2 --restore "$f"
grep -q 'leaves out line [0-9]* (CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;): the extension is not marked trusted' \
	<<<"$LB_LAST_OUTPUT" && pass vuext-named || fail vuext-named "$LB_LAST_OUTPUT"
grep -q 'leaves out line [0-9]* (CREATE EXTENSION IF NOT EXISTS pgcrypto' <<<"$LB_LAST_OUTPUT" &&
	fail vuext-trusted-made "pgcrypto (trusted) left out: $LB_LAST_OUTPUT" || pass vuext-trusted-made
sleep 0.5
[ ! -s "$work/heard" ] && pass vuext-no-connection || fail vuext-no-connection "the server connected out: $(cat "$work/heard")"

# The name in Unicode escapes, which can spell any name: left out too (a review found it made).
check_exit vuext-escaped-passes 0 "$LB_BIN" verify -v --jobs 2 --restore "$(beacon escaped 'U&"\0064blink"')"
grep -q 'leaves out line [0-9]* (CREATE EXTENSION IF NOT EXISTS U&"\\0064blink" WITH SCHEMA pu): the extension is not marked trusted' \
	<<<"$LB_LAST_OUTPUT" && pass vuext-escaped-named || fail vuext-escaped-named "$LB_LAST_OUTPUT"
sleep 0.5
[ ! -s "$work/heard" ] && pass vuext-escaped-no-connection ||
	fail vuext-escaped-no-connection "the server connected out: $(cat "$work/heard")"

# Vouched for, the file's extension is made, and its CHECK reaches the listener: the test sees it.
check_exit vuext-trusted-passes 0 "$LB_BIN" verify -v --jobs 2 --restore --trusted "$f"
sleep 0.5
[ -s "$work/heard" ] && pass vuext-trusted-connects || fail vuext-trusted-connects "no connection seen"

n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vuext-scratch-dropped || fail vuext-scratch-dropped "$n left"

finish
