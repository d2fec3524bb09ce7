#!/usr/bin/env bash
# db --verify-restore (LOTBACKUP_VERIFY_RESTORE=1): the new dump is loaded
# into a scratch database as verify --restore loads it before the run
# reports success (issue #17), so a dump that cannot be loaded is never
# reported OK: exit 3, the file kept but not marked verified, nothing
# pruned for it, and the failure ping.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/notify-listener.sh"

work=$(tmpdir)
notify_listener_start "$work/requests.log" "$work/bodies.log" || { fail dbvr-listener "no port"; finish; }

good=$(new_db lb_dbvr_good) || { fail dbvr-setup createdb; finish; }
psql -X -q -d "$good" -c "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS m FROM generate_series(1, 500) g" >/dev/null
check dbvr-good-passes "$LB_BIN" db --verify-restore -d "dbname=$good" -o "$work/good"
f=$(ls "$work"/good/lot-systems-db-*.sql.gz)
[ -s "$f.verified.json" ] && grep -q 'loads: restored into a scratch database' <<<"$LB_LAST_OUTPUT" &&
	pass dbvr-good-marked-verified || fail dbvr-good-marked-verified "$LB_LAST_OUTPUT"

# A dump the server accepts and cannot load: a CHECK calls a function that
# reads another table, whose rows the dump loads after this table's (as
# pg_dump's do); plain db reports it OK.
bad=$(new_db lb_dbvr_bad) || { fail dbvr-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$bad" >"$work/setup.log" 2>&1 <<'SQL'
CREATE TABLE public.zz_allowed (code text PRIMARY KEY);
INSERT INTO public.zz_allowed VALUES ('a'), ('b');
CREATE FUNCTION public.is_allowed(text) RETURNS boolean LANGUAGE sql STABLE
  AS 'SELECT EXISTS (SELECT 1 FROM public.zz_allowed WHERE code = $1)';
CREATE TABLE public.items (id int PRIMARY KEY, code text CHECK (public.is_allowed(code)));
INSERT INTO public.items SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 100) g;
SQL
[ $? -eq 0 ] || { fail dbvr-setup "$(tail -n 3 "$work/setup.log")"; finish; }
check dbvr-plain-db-reports-ok "$LB_BIN" db -q --jobs 1 -d "dbname=$bad" -o "$work/plain"

# An old dump that --keep 1 would delete after a good run.
out=$work/bad
mkdir -m 700 "$out"
old=lot-systems-db-$(date -u -d '10 days ago' +%Y-%m-%dT%H-%M-%S).sql.gz
echo x | gzip >"$out/$old" && echo '{}' >"$out/$old.manifest.json"
: >"$work/requests.log"
check_exit dbvr-unloadable-fails 3 "$LB_BIN" db --verify-restore --jobs 1 --keep 1 -d "dbname=$bad" -o "$out" \
	--notify-url "$NOTIFY_BASE/ping/night"
grep -q 'violates check constraint "items_code_check"' <<<"$LB_LAST_OUTPUT" &&
	grep -q 'failed its restore test (--verify-restore): kept, not marked verified' <<<"$LB_LAST_OUTPUT" &&
	pass dbvr-unloadable-named || fail dbvr-unloadable-named "$LB_LAST_OUTPUT"
f=$(ls "$out"/lot-systems-db-*.sql.gz | grep -v "$old")
[ -s "$f" ] && [ -s "$f.manifest.json" ] && [ ! -e "$f.verified.json" ] && pass dbvr-unloadable-kept-unverified ||
	fail dbvr-unloadable-kept-unverified "$(ls -la "$out")"
[ -e "$out/$old" ] && pass dbvr-nothing-pruned || fail dbvr-nothing-pruned "$(ls "$out")"
grep -q "^GET /ping/night/fail HTTP/1.1" "$work/requests.log" && pass dbvr-failure-ping ||
	fail dbvr-failure-ping "$(cat "$work/requests.log")"
left=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$left" = 0 ] && pass dbvr-scratch-dropped || fail dbvr-scratch-dropped "$left scratch databases left"

# The same from .env, as the nightly job sets it.
proj=$(tmpdir)
printf 'DATABASE_URL=dbname=%s\nLOTBACKUP_VERIFY_RESTORE=1\nLOTBACKUP_JOBS=1\n' "$bad" >"$proj/.env"
check_exit dbvr-env-unloadable-fails 3 "$LB_BIN" db -C "$proj" -o "$work/env"
# The monthly test restore (verify --restore, no operand) loads the newest
# *dump*, even when a full backup was written after it: a full archive
# cannot be test-loaded, so taking it would report "ok" with nothing loaded.
proj2=$(tmpdir)
(cd "$proj2" && git init -q -b main && echo '{}' >package.json && git add . &&
	git -c user.name=n -c user.email=n@example.com commit -q -m init)
printf 'DATABASE_URL=dbname=%s\n' "$good" >"$proj2/.env"
check dbvr-month-db "$LB_BIN" db -q -C "$proj2" -o "$work/month"
sleep 1
check dbvr-month-full "$LB_BIN" full -q --archive-only -C "$proj2" -o "$work/month"
check dbvr-month-test-restore "$LB_BIN" verify --restore -C "$proj2" -o "$work/month"
grep -q 'ok   restore    loaded into lotbackup_verify_' <<<"$LB_LAST_OUTPUT" &&
	pass dbvr-month-loads-newest-dump || fail dbvr-month-loads-newest-dump "$LB_LAST_OUTPUT"
# Naming a full backup with --restore says that nothing was loaded.
full=$(ls -d "$work"/month/lot-systems-full-backup-*.tar.gz | head -n 1)
check dbvr-month-full-named "$LB_BIN" verify --restore "$full"
grep -q 'not test-loaded' <<<"$LB_LAST_OUTPUT" && pass dbvr-month-full-says-not-loaded ||
	fail dbvr-month-full-says-not-loaded "$LB_LAST_OUTPUT"
# db --verify-restore loads the dump it has just made from the server it
# loads it back into: what only a superuser could have made there (an
# internal function, an event trigger) is that server's own, so it runs as
# the connecting superuser, as verify --trusted runs it, and is tested
# rather than left out. A file read later by verify stays untrusted (221).
su=$(new_db lb_dbvr_su) || { fail dbvr-su-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$su" -c "
  CREATE FUNCTION plus(int, int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4pl';
  CREATE TABLE s (a int, b int, c int GENERATED ALWAYS AS (plus(a, b)) STORED);
  INSERT INTO s (a, b) SELECT g, g FROM generate_series(1, 20) g;
  CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS \$\$BEGIN END\$\$;
  CREATE EVENT TRIGGER lb_dbvr_et ON ddl_command_end EXECUTE FUNCTION note_ddl();
  ALTER EVENT TRIGGER lb_dbvr_et DISABLE" >/dev/null || { fail dbvr-su-setup fixture; finish; }
check dbvr-su-own-dump "$LB_BIN" db --verify-restore -d "dbname=$su" -o "$work/su"
if grep -q 'leaves out' <<<"$LB_LAST_OUTPUT" || ! grep -q 'loads: restored into a scratch database' <<<"$LB_LAST_OUTPUT"; then
	fail dbvr-su-own-dump-tested-whole "$LB_LAST_OUTPUT"
else
	pass dbvr-su-own-dump-tested-whole
fi
sudump=$(ls "$work"/su/lot-systems-db-*.sql.gz | head -n 1)
check dbvr-su-verify-untrusted "$LB_BIN" verify --restore "$sudump" -d "dbname=$su"
grep -q 'leaves out' <<<"$LB_LAST_OUTPUT" && pass dbvr-su-verify-leaves-out || fail dbvr-su-verify-leaves-out "$LB_LAST_OUTPUT"
finish
