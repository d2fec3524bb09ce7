#!/usr/bin/env bash
# list prints what names, manifests and records hold with control and other
# unprintable characters escaped (\x1b, \n, \u202e): a role allowed to create
# databases, or anyone who can write a record, must not move the cursor,
# clear the screen or forge rows. --json keeps the exact text.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
out=$work/out
n=$'evil\e[2J\e[31mFAKE OK\e[0m\nappdb'
psql -X -q -d postgres -v n="$n" <<'SQL' || { fail ctrl-setup createdb; finish; }
SELECT format('CREATE DATABASE %I TEMPLATE template0', :'n') \gexec
SQL
drop_evil() { psql -X -q -d postgres -v n="$n" <<<"SELECT format('DROP DATABASE %I', :'n') \gexec" >/dev/null; }
at_exit drop_evil
# The folder db --all-databases gives it (its name encoded), one dump in it.
folder=$out/$(python3 -c 'import sys, urllib.parse; print("db-" + urllib.parse.quote(sys.argv[1], safe="-_.").replace("%7E", "~"))' "$n")
mkdir -p -m 700 "$out"
check ctrl-dump env PGDATABASE="$n" "$LB_BIN" db -q -o "$folder" || finish
dump=$(ls "$folder"/lot-systems-db-*.sql.gz)
# A pin record written by hand, with an escape sequence and a right-to-left override.
printf '{"reason": "keep\\u001b[2Kme\\u202eevil"}\n' >"$dump.pin.json"

check ctrl-list "$LB_BIN" list -o "$out"
listing=$LB_LAST_OUTPUT
! grep -q $'\e' <<<"$listing" && pass ctrl-list-no-escape || fail ctrl-list-no-escape "$(cat -v <<<"$listing")"
grep -qF 'evil\x1b[2J\x1b[31mFAKE OK\x1b[0m\nappdb ' <<<"$listing" && ! grep -q '^appdb' <<<"$listing" &&
	pass ctrl-list-database-escaped || fail ctrl-list-database-escaped "$(cat -v <<<"$listing")"
check ctrl-list-folder "$LB_BIN" list -o "$folder" --wide
grep -qF 'pinned: keep\x1b[2Kme\u202eevil' <<<"$LB_LAST_OUTPUT" && ! grep -q $'\e' <<<"$LB_LAST_OUTPUT" &&
	pass ctrl-list-pin-escaped || fail ctrl-list-pin-escaped "$(cat -v <<<"$LB_LAST_OUTPUT")"
check ctrl-prune-dry-run "$LB_BIN" prune -o "$folder" --dry-run
! grep -q $'\e' <<<"$LB_LAST_OUTPUT" && grep -qF 'keep\x1b[2Kme' <<<"$LB_LAST_OUTPUT" &&
	pass ctrl-prune-dry-run-escaped || fail ctrl-prune-dry-run-escaped "$(cat -v <<<"$LB_LAST_OUTPUT")"
# JSON stays exact.
"$LB_BIN" list -o "$folder" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
assert r["database"] == sys.argv[1] and r["pin_reason"] == "keep\x1b[2Kme\u202eevil", r
' "$n" && pass ctrl-list-json-exact || fail ctrl-list-json-exact "$("$LB_BIN" list -o "$folder" --json)"
finish
