#!/usr/bin/env bash
# The object kinds of issue #17, part 4 (tests/fixtures/kinds4.sql):
# foreign-data wrappers, servers, user mappings, foreign tables,
# publications, subscriptions and event triggers, dumped by `lotbackup db`,
# loaded by `gunzip | psql` and by `lotbackup restore`, and each copy
# identical to the source by pg_dump --schema-only (and rows) and object by
# object through the server's deparsers (catalog-describe.sql). The
# passwords of user mappings and subscriptions are kept only with
# --user-mapping-secrets; subscriptions never start; event triggers come
# last. 023-majors.sh runs the same fixture on every major.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"
. "$LB_TOP/tests/lib/kinds.sh"

work=$(tmpdir)
src=$(new_db lb_k4_src) && dst=$(new_db lb_k4_dst) && rdst=$(new_db lb_k4_restore) ||
	{ fail kinds4-setup "cannot create databases"; finish; }
check kinds4-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/kinds4.sql" || finish

kinds_roundtrip kinds4 "$src" "$dst" "$rdst" "$work" --user-mapping-secrets || finish
file=$kinds_file
# --clean drops these kinds too (event triggers first, subscriptions
# without reaching a server), so the same dump loads again.
if check kinds4-restore-clean "$LB_BIN" restore -q --clean --no-safety-dump "$file" -d "dbname=$rdst"; then
	same_described kinds4-restore-clean-described "$src" "$rdst" "$work"
fi

# Without --user-mapping-secrets the password is left out, with a warning
# naming the mapping; the mapping and its other options stay.
if "$LB_BIN" db -d "dbname=$src" -o "$work/nosecret" >"$work/nosecret.log" 2>&1; then
	pass kinds4-db-no-secrets
else
	fail kinds4-db-no-secrets "$(tail -n 3 "$work/nosecret.log")"
fi
if grep -q 'password of user mapping for postgres on server "Remote ""A""" is left out' "$work/nosecret.log"; then
	pass kinds4-secret-warned
else
	fail kinds4-secret-warned "no warning naming the mapping: $(cat "$work/nosecret.log")"
fi
if grep -q 'password in the connection of subscription Sub "One" is left out' "$work/nosecret.log"; then
	pass kinds4-subscription-secret-warned
else
	fail kinds4-subscription-secret-warned "no warning naming the subscription: $(cat "$work/nosecret.log")"
fi
plain=$(ls "$work"/nosecret/*.sql.gz)
gunzip -c "$plain" >"$work/nosecret.sql"
if grep -q "S3cret\|Repl''Secret" "$work/nosecret.sql"; then
	fail kinds4-secret-left-out "a password is in the dump: $(grep "S3cret\|Repl''Secret" "$work/nosecret.sql")"
elif ! grep -q "^CREATE USER MAPPING FOR postgres SERVER" "$work/nosecret.sql" ||
	! grep -q "^CREATE SUBSCRIPTION \"Sub \"\"One\"\"\" CONNECTION '.*host=''pub.example.com''" "$work/nosecret.sql"; then
	fail kinds4-secret-left-out "the mapping or the subscription itself is missing"
else
	pass kinds4-secret-left-out
fi
gunzip -c "$file" >"$work/dump.sql"
if grep -q "password 'S3cret''pw'" "$work/dump.sql" && grep -q "password=Repl''Secret" "$work/dump.sql"; then
	pass kinds4-secret-kept
else
	fail kinds4-secret-kept "no password in the --user-mapping-secrets dump"
fi
# A restored subscription never starts: made with connect = false, disabled.
if [ "$(grep -c "^CREATE SUBSCRIPTION .* WITH (connect = false, " "$work/dump.sql")" = 2 ] &&
	[ "$(psql -X -q -At -d "$rdst" -c "SELECT count(*) FROM pg_subscription s JOIN pg_database d
		ON d.oid = s.subdbid WHERE d.datname = current_database() AND NOT s.subenabled")" = 2 ]; then
	pass kinds4-subscriptions-not-started
else
	fail kinds4-subscriptions-not-started "$(grep "^CREATE SUBSCRIPTION" "$work/dump.sql")"
fi
# Event triggers come after every other statement but the refreshes, so
# none fires on the restore's own DDL.
first_evt=$(grep -n "^CREATE EVENT TRIGGER" "$work/dump.sql" | head -n 1 | cut -d: -f1)
last_other=$(grep -n "^\(CREATE\|ALTER\|COMMENT\|GRANT\)" "$work/dump.sql" | grep -v "EVENT TRIGGER" |
	tail -n 1 | cut -d: -f1)
if [ -n "$first_evt" ] && [ "$first_evt" -gt "$last_other" ]; then
	pass kinds4-event-triggers-last
else
	fail kinds4-event-triggers-last "first CREATE EVENT TRIGGER at line ${first_evt:-none}, another statement at $last_other"
fi

# Dumped by a role that may read every table but is no superuser: the
# subscriptions, whose connections it may not read, and the options of
# user mappings hidden from it are left out, each named in a warning.
# (pg_read_all_data would read subconninfo too: SELECT on the tables only.)
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "DROP ROLE IF EXISTS lb_k4_reader" \
	-c "CREATE ROLE lb_k4_reader LOGIN" \
	-c "GRANT USAGE ON SCHEMA \"Kinds \"\"4\"\"\", k4_pubschema TO lb_k4_reader" \
	-c "GRANT SELECT ON ALL TABLES IN SCHEMA \"Kinds \"\"4\"\"\", k4_pubschema TO lb_k4_reader" \
	>/dev/null 2>&1 || fail kinds4-reader-setup "cannot create role lb_k4_reader"
if "$LB_BIN" db -d "dbname=$src user=lb_k4_reader" -o "$work/reader" >"$work/reader.log" 2>&1; then
	pass kinds4-db-as-reader
else
	fail kinds4-db-as-reader "$(tail -n 3 "$work/reader.log")"
fi
if grep -q 'subscription Sub "One" is left out of the dump: only a superuser may read its connection' \
	"$work/reader.log" &&
	grep -q 'the options of user mapping for postgres on server "Remote ""A""" are hidden from this role' \
	"$work/reader.log"; then
	pass kinds4-reader-warned
else
	fail kinds4-reader-warned "$(cat "$work/reader.log")"
fi
if gunzip -c "$work"/reader/*.sql.gz | grep -q "^CREATE SUBSCRIPTION"; then
	fail kinds4-reader-no-subscription "a subscription is in the dump"
else
	pass kinds4-reader-no-subscription
fi
psql -X -q -d "$src" -c "DROP OWNED BY lb_k4_reader" -c "DROP ROLE IF EXISTS lb_k4_reader" >/dev/null 2>&1

# verify --restore loads as a role without privileges: a foreign-data
# wrapper or an event trigger, only a superuser's, runs as the connecting
# superuser with --trusted; a subscription is left out, named (039).
check_exit kinds4-verify-restore-superuser-objects 0 "$LB_BIN" verify -q --restore --trusted "$file"

# Under a selection (034-select.sh) these kinds follow pg_dump's rules:
# wrappers, servers, publications, subscriptions and event triggers only
# without -n and -t; a publication's tables and schemas only when they are
# dumped. Compared with pg_dump 15: which of them each dump creates.
kinds4_dumped() {
	grep -oE '^(CREATE|COMMENT ON) (PUBLICATION|SUBSCRIPTION|EVENT TRIGGER|SERVER|FOREIGN DATA WRAPPER) ("([^"]|"")*"|[a-z0-9_]+)|^ALTER PUBLICATION ("([^"]|"")*"|[a-z0-9_]+) ADD (TABLE ONLY|TABLES IN SCHEMA) [^ ;(]+' |
		sort -u | tr '\n' '|'
}
bad=''
for sel in '-n k4_pubschema' '-t k4_pubschema.feed' '-N k4_pubschema' '-T "Kinds ""4""".events' \
	'-T "Kinds ""4""".pub_items'; do
	rm -rf "$work/sel"
	eval "set -- $sel"
	if ! "$LB_BIN" db -q -d "dbname=$src" -o "$work/sel" "$@" >"$work/sel.log" 2>&1; then
		bad="$bad [$sel: $(tail -n 1 "$work/sel.log")]"
		continue
	fi
	ours=$(gunzip -c "$work"/sel/*.sql.gz | kinds4_dumped)
	theirs=$(pg_dump -d "$src" "$@" 2>/dev/null | kinds4_dumped)
	[ "$ours" = "$theirs" ] || bad="$bad [$sel: lotbackup '$ours', pg_dump '$theirs']"
done
[ -z "$bad" ] && pass kinds4-selection-like-pg-dump || fail kinds4-selection-like-pg-dump "$bad"
finish
