#!/usr/bin/env bash
# restore: lotbackup's dumps and plain pg_dump files (gzipped or not) load
# natively into an identical database; the target is protected throughout.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

src=$(new_db lb_rs_src) || { fail restore-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/hostile.sql" >/dev/null 2>&1 ||
	{ fail restore-fixture "hostile.sql did not load"; finish; }
work=$(tmpdir)
out=$work/backups
check restore-setup-dump "$LB_BIN" db -q -d "dbname=$src" -o "$out" || finish
dump=$(ls "$out"/lot-systems-db-*.sql.gz | head -n 1)
dropdb_q() { PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists --force "$1"; }
tables_in() { psql -X -At -d "$1" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname !~ '^pg_'"; }
same() { # same NAME A B
	local d
	if d=$(compare_databases "$2" "$3" 2>&1); then pass "$1"; else fail "$1" "$(printf '%s\n' "$d" | head -n 30)"; fi
}

# lotbackup db -> lotbackup restore --create into a new database.
dropdb_q lb_rs_a
check restore-own-dump-create "$LB_BIN" restore "$dump" -d dbname=lb_rs_a --create
same restore-own-dump-identical "$src" lb_rs_a

# Plain pg_dump files, gzipped and not, made by the reference tool.
pg_dump -d "$src" -f "$work/plain.sql" && gzip -c "$work/plain.sql" >"$work/plain.sql.gz"
for f in plain.sql plain.sql.gz; do
	dropdb_q lb_rs_pg && createdb -T template0 lb_rs_pg
	check "restore-pg-dump-$f" "$LB_BIN" restore "$work/$f" -d dbname=lb_rs_pg
	same "restore-pg-dump-$f-identical" "$src" lb_rs_pg
done

# A database with tables is refused without --clean, and left as it was.
before=$(pg_dump -d lb_rs_a | grep -v '^\\\(un\)\?restrict' | md5sum)
check_exit restore-refuses-non-empty 1 "$LB_BIN" restore "$dump" -d dbname=lb_rs_a
grep -q 'has [0-9]* tables.*--clean' <<<"$LB_LAST_OUTPUT" || fail restore-refuses-message "$LB_LAST_OUTPUT"
[ "$(pg_dump -d lb_rs_a | grep -v '^\\\(un\)\?restrict' | md5sum)" = "$before" ] && pass restore-refusal-changes-nothing || fail restore-refusal-changes-nothing "target changed"

# --clean: a safety dump of the target first, itself restorable; then the restore.
psql -X -q -d lb_rs_a -c "CREATE TABLE public.only_in_target (x int); INSERT INTO public.only_in_target VALUES (42)"
dropdb_q lb_rs_before && createdb -T template0 lb_rs_before && pg_dump -d lb_rs_a | psql -X -q -d lb_rs_before >/dev/null 2>&1
safe=$work/safety
check restore-clean "$LB_BIN" restore "$dump" -d dbname=lb_rs_a --clean -o "$safe"
same restore-clean-identical "$src" lb_rs_a
sd=$(ls "$safe"/safety-dumps/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
if [ -n "$sd" ] && grep -q "safety dump of the target written: $sd" <<<"$LB_LAST_OUTPUT"; then
	pass restore-clean-safety-dump-first
else
	fail restore-clean-safety-dump-first "$LB_LAST_OUTPUT"
fi
dropdb_q lb_rs_safe
check restore-safety-dump-restorable "$LB_BIN" restore "$sd" -d dbname=lb_rs_safe --create
same restore-safety-dump-is-the-old-target lb_rs_before lb_rs_safe

# Damaged files are rejected before the target is touched (exit 3).
dropdb_q lb_rs_t && createdb -T template0 lb_rs_t
mkdir -p "$work/bad" && cp "$dump" "$dump.manifest.json" "$work/bad/"
bad=$work/bad/$(basename "$dump")
truncate -s $(( $(stat -c %s "$bad") / 2 )) "$bad"
check_exit restore-truncated-rejected 3 "$LB_BIN" restore "$bad" -d dbname=lb_rs_t
[ "$(tables_in lb_rs_t)" = 0 ] && pass restore-truncated-target-untouched || fail restore-truncated-target-untouched "tables appeared"
head -c $(( $(stat -c %s "$work/plain.sql.gz") / 2 )) "$work/plain.sql.gz" >"$work/cut.sql.gz"
check_exit restore-cut-pg-dump-rejected 3 "$LB_BIN" restore "$work/cut.sql.gz" -d dbname=lb_rs_t
head -n 300 "$work/plain.sql" >"$work/cut.sql"
check_exit restore-cut-plain-pg-dump-rejected 3 "$LB_BIN" restore "$work/cut.sql" -d dbname=lb_rs_t
[ "$(tables_in lb_rs_t)" = 0 ] && pass restore-cut-target-untouched || fail restore-cut-target-untouched "tables appeared"

# A statement that fails: --single-transaction leaves nothing; plain mode names the line.
# (A statement of a kind a dump holds: any other is refused before loading.)
awk '/^-- PostgreSQL database dump complete/ && !done {print "CREATE TABLE public.lb_fail AS SELECT 1/0 AS x;"; done=1} {print}' "$work/plain.sql" >"$work/failing.sql"
check_exit restore-single-transaction-fails 1 "$LB_BIN" restore "$work/failing.sql" -d dbname=lb_rs_t --single-transaction
grep -q 'rolled back' <<<"$LB_LAST_OUTPUT" && [ "$(tables_in lb_rs_t)" = 0 ] &&
	pass restore-single-transaction-all-or-nothing || fail restore-single-transaction-all-or-nothing "$LB_LAST_OUTPUT; tables: $(tables_in lb_rs_t)"
check_exit restore-stops-at-error 1 "$LB_BIN" restore "$work/failing.sql" -d dbname=lb_rs_t
grep -q 'restore failed at line [0-9]* (CREATE TABLE public.lb_fail AS SELECT 1/0 AS x;).*division by zero.*22012' <<<"$LB_LAST_OUTPUT" &&
	grep -q 'stopped at line' <<<"$LB_LAST_OUTPUT" && pass restore-error-names-line || fail restore-error-names-line "$LB_LAST_OUTPUT"
dropdb_q lb_rs_t && createdb -T template0 lb_rs_t
check_exit restore-keep-going 1 "$LB_BIN" restore "$work/failing.sql" -d dbname=lb_rs_t --keep-going
grep -q 'finished with 1 errors' <<<"$LB_LAST_OUTPUT" && [ "$(tables_in lb_rs_t)" -gt 0 ] &&
	pass restore-keep-going-loads-the-rest || fail restore-keep-going-loads-the-rest "$LB_LAST_OUTPUT"

# A pg_dump --create file: refused with the line named before it acts on any database
# (exit 3: it fails the pre-load check, as verify says).
pg_dump -C -d "$src" -f "$work/create.sql"
dropdb_q lb_rs_c && createdb -T template0 lb_rs_c
check_exit restore-connect-meta-refused 3 "$LB_BIN" restore "$work/create.sql" -d dbname=lb_rs_c
grep -q 'check statements failed: line [0-9]*: CREATE DATABASE' <<<"$LB_LAST_OUTPUT" && pass restore-connect-meta-message || fail restore-connect-meta-message "$LB_LAST_OUTPUT"

# Usage: a target must be named; --list reads the file only.
sed -n '/^CREATE DATABASE/d; /^ALTER DATABASE/d; p' "$work/create.sql" >"$work/connect.sql"
check_exit restore-connect-meta-refused-2 3 "$LB_BIN" restore "$work/connect.sql" -d dbname=lb_rs_c
grep -q 'line [0-9]*: a psql meta-command .*: \\connect' <<<"$LB_LAST_OUTPUT" && pass restore-connect-meta-message-2 || fail restore-connect-meta-message-2 "$LB_LAST_OUTPUT"
check_exit restore-needs-dbname 2 env DATABASE_URL="dbname=$src" "$LB_BIN" restore "$dump"
check_exit restore-list 0 "$LB_BIN" restore --list "$dump"
grep -q '20000  public.big_log' <<<"$LB_LAST_OUTPUT" && grep -q 'CREATE TABLE' <<<"$LB_LAST_OUTPUT" &&
	pass restore-list-shows-tables-and-objects || fail restore-list-shows-tables-and-objects "$LB_LAST_OUTPUT"

# The Prisma reminder after a successful restore in a Prisma project.
proj=$work/proj && mkdir -p "$proj/prisma/migrations"
dropdb_q lb_rs_p
check restore-prisma-project "$LB_BIN" restore "$dump" -d dbname=lb_rs_p --create -C "$proj"
grep -q 'prisma migrate deploy' <<<"$LB_LAST_OUTPUT" && pass restore-prisma-reminder || fail restore-prisma-reminder "$LB_LAST_OUTPUT"

# verify --restore: a scratch database, compared, dropped in every case.
scratch_left() { psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%' OR datname = 'lb_scratch'"; }
check_exit verify-restore-good 0 "$LB_BIN" verify --restore "$dump"
grep -q 'ok   content' <<<"$LB_LAST_OUTPUT" && pass verify-restore-compares-content || fail verify-restore-compares-content "$LB_LAST_OUTPUT"
[ "$(scratch_left)" = 0 ] && pass verify-restore-drops-scratch || fail verify-restore-drops-scratch "left: $(scratch_left)"
mkdir -p "$work/vr" && cp "$dump" "$dump.manifest.json" "$work/vr/"
vr=$work/vr/$(basename "$dump")
sed -i '0,/"rows": 100,/s//"rows": 101,/' "$vr.manifest.json"
check_exit verify-restore-row-count-changed 3 "$LB_BIN" verify --restore "$vr" --scratch-db lb_scratch
[ "$(scratch_left)" = 0 ] && pass verify-restore-no-scratch-after-failure || fail verify-restore-no-scratch-after-failure "left: $(scratch_left)"
cp "$dump.manifest.json" "$vr.manifest.json"
python3 - "$vr.manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
t = next(t for t in m["tables"] if t["rows"] > 0)
t["data_crc32"] ^= 1
json.dump(m, open(sys.argv[1], "w"))
PY
check_exit verify-restore-content-changed 3 "$LB_BIN" verify --restore "$vr" --scratch-db lb_scratch
grep -q 'check content failed' <<<"$LB_LAST_OUTPUT" && pass verify-restore-names-content || fail verify-restore-names-content "$LB_LAST_OUTPUT"
[ "$(scratch_left)" = 0 ] && pass verify-restore-no-scratch-after-content-failure || fail verify-restore-no-scratch-after-content-failure "left: $(scratch_left)"
# Ctrl-C in the middle of the scratch restore: the scratch database still goes.
big=$(new_db lb_rs_big)
psql -X -q -d "$big" -c "CREATE TABLE t (id int PRIMARY KEY, a text, b text);
  INSERT INTO t SELECT g, md5(g::text), repeat(md5(g::text), 3) FROM generate_series(1, 600000) g;" >/dev/null
check verify-restore-int-setup "$LB_BIN" db -q -d "dbname=$big" -o "$work/big"
bigdump=$(ls "$work"/big/lot-systems-db-*.sql.gz | head -n 1)
"$LB_BIN" verify --restore "$bigdump" --scratch-db lb_scratch >/dev/null 2>"$work/int.err" &
vpid=$!
for _ in $(seq 1 200); do
	n=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'lb_scratch' AND query LIKE 'COPY%'")
	[ "${n:-0}" -gt 0 ] && break
	sleep 0.05
done
kill -INT "$vpid"
wait "$vpid"; rc=$?
if [ "${n:-0}" -eq 0 ]; then
	skip verify-restore-interrupted "the restore finished before it could be interrupted"
elif [ $rc -ne 0 ] && [ "$(scratch_left)" = 0 ] && grep -q 'interrupted' "$work/int.err"; then
	pass verify-restore-interrupted-drops-scratch
else
	fail verify-restore-interrupted-drops-scratch "rc=$rc left=$(scratch_left) $(cat "$work/int.err")"
fi
createdb lb_scratch
check_exit verify-restore-refuses-existing-scratch 1 "$LB_BIN" verify --restore "$dump" --scratch-db lb_scratch
dropdb_q lb_scratch
# kill -9 during verify --restore leaves the scratch database behind; the
# next run of the same file recognises it as stale (its process is gone),
# drops it and goes on. A scratch-like name of a live process (this shell,
# with its real start time) is not touched.
scratch_dbs() { psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'lotbackup\\_verify\\_%' ORDER BY 1"; }
"$LB_BIN" verify --restore "$bigdump" >/dev/null 2>&1 &
vpid=$!
stale=''
for _ in $(seq 1 200); do
	stale=$(scratch_dbs)
	[ -n "$stale" ] && break
	sleep 0.05
done
kill -KILL "$vpid"
wait "$vpid" 2>/dev/null
# Names carry this host's tag (lotbackup_verify_<tag>_<pid>_<start>): take it from the killed run's.
tag=$(sed -n 's/^lotbackup_verify_\([0-9a-f]\{8\}\)_.*/\1/p' <<<"$stale")
live=lotbackup_verify_${tag}_$$_$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20)
createdb "$live"
if [ -z "$stale" ]; then
	skip verify-restore-after-kill9 "the scratch database never showed up before the kill"
else
	check_exit verify-restore-after-kill9 0 "$LB_BIN" verify --restore "$bigdump"
	left=$(scratch_dbs)
	grep -qxF "$stale" <<<"$left" && fail verify-restore-drops-stale-scratch "$stale is still there" ||
		pass verify-restore-drops-stale-scratch
	grep -q "stale scratch database \"$stale\"" <<<"$LB_LAST_OUTPUT" && pass verify-restore-logs-stale-drop ||
		fail verify-restore-logs-stale-drop "$LB_LAST_OUTPUT"
	role_left=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_roles WHERE rolname = '$stale'")
	[ "$role_left" = 0 ] && pass verify-restore-drops-stale-role || fail verify-restore-drops-stale-role "$stale"
	grep -qxF "$live" <<<"$left" && pass verify-restore-keeps-live-scratch ||
		fail verify-restore-keeps-live-scratch "$live was dropped"
fi
dropdb_q "$live"
[ -z "$stale" ] || dropdb_q "$stale"
finish
