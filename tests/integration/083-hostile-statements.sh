#!/usr/bin/env bash
# A dump may hold only the statements a dump holds: a hostile statement,
# however it is written, and a manifest that matches the file: verify
# exits 3 naming its line, and restore and verify --restore refuse before
# loading anything (no database, role or server file made or dropped).
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/hostile-dump.sh"

hostile_setup hostile lb_hs_src 10
new_db lb_hs_victim >/dev/null
psql -X -q -d lb_hs_victim -c "CREATE TABLE keep (x int)" >/dev/null
pwned=$work/pwned

# untouched NAME: nothing outside the target happened.
untouched() {
	local n
	n=$(psql -X -At -d postgres -c "SELECT (SELECT count(*) FROM pg_database WHERE datname IN ('lb_hs_victim')) || ',' ||
	    (SELECT count(*) FROM pg_database WHERE datname LIKE 'lb_hs_evil%') || ',' ||
	    (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'lb_hs_evil%')")
	if [ "$n" = "1,0,0" ] && [ ! -e "$pwned" ]; then
		pass "$1"
	else
		fail "$1" "victim,evil dbs,evil roles=$n; pwned file: $(ls "$pwned" 2>&1)"
	fi
}

n=0
while IFS='|' read -r name sql; do
	[ -n "$name" ] || continue
	n=$((n + 1))
	f=$(hostile "$name" "$sql")
	line=$(gunzip -c "$f" | grep -n -F -x -- "$sql" | head -n 1 | cut -d: -f1)
	rc=0
	err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
	if [ $rc -eq 3 ] && grep -q "check statements failed: line $line\b" <<<"$err"; then
		pass "hostile-verify-$name"
	else
		fail "hostile-verify-$name" "rc=$rc line=$line: $err"
	fi
	target=lb_hs_t$n
	new_db "$target" >/dev/null
	rc=0
	err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
	tables=$(psql -X -At -d "$target" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
	if [ $rc -eq 3 ] && [ "$tables" = 0 ] && grep -q "line $line\b" <<<"$err"; then
		pass "hostile-restore-refused-$name"
	else
		fail "hostile-restore-refused-$name" "rc=$rc tables=$tables: $err"
	fi
	untouched "hostile-restore-untouched-$name"
	rc=0
	err=$("$LB_BIN" verify --restore "$f" 2>&1) || rc=$?
	[ $rc -eq 3 ] && pass "hostile-verify-restore-refused-$name" ||
		fail "hostile-verify-restore-refused-$name" "rc=$rc: $err"
	untouched "hostile-verify-restore-untouched-$name"
	# Each case on its own: undo what a failing case did.
	PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists "$target"
	for d in lb_hs_evil lb_hs_evil2 lb_hs_evil3; do PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists "$d"; done
	psql -X -q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'lb_hs_victim'" | grep -q 1 || new_db lb_hs_victim >/dev/null
	for r in lb_hs_evil lb_hs_evil_u lb_hs_evil_g lb_hs_evil_do; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" 2>/dev/null; done
	rm -f "$pwned"
done <<EOS
drop-db-comment|DROP/**/DATABASE lb_hs_victim;
drop-db-case|dRoP  DaTaBaSe "lb_hs_victim";
drop-db-force|DROP DATABASE lb_hs_victim WITH (FORCE);
create-db|CREATE/* a */DATABASE lb_hs_evil;
create-db-quoted|CREATE DATABASE "lb_hs_evil2";
alter-db|ALTER DATABASE lb_hs_victim RENAME TO lb_hs_evil3;
copy-program|COPY (SELECT 1) TO PROGRAM \$\$id > $pwned\$\$;
copy-program-from|COPY t FROM PROGRAM 'touch $pwned';
copy-to-file|COPY t TO '$pwned';
copy-from-file|COPY t FROM '/etc/hostname';
alter-system|ALTER SYSTEM SET work_mem = '7MB';
create-role|CREATE ROLE lb_hs_evil SUPERUSER LOGIN;
create-user|CREATE USER lb_hs_evil_u SUPERUSER;
create-group|CREATE GROUP lb_hs_evil_g;
alter-role|ALTER ROLE postgres NOSUPERUSER;
drop-table|DROP TABLE IF EXISTS public.t;
do-block|DO \$x\$ BEGIN EXECUTE 'CREATE ROLE lb_hs_evil_do'; END \$x\$;
load|LOAD 'auto_explain';
checkpoint|CHECKPOINT;
select-lo-export|SELECT pg_catalog.lo_export(1, '$pwned');
select-setval-tail|SELECT pg_catalog.setval('public.t_id_seq', 1, false), pg_catalog.lo_export(1, '$pwned');
set-config-std|SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);
meta|\\! touch $pwned
EOS

# The other side: everything pg_dump writes of one database still passes,
# in plain, --inserts and --column-inserts form, and restores.
rich=$(new_db lb_hs_rich) || finish
psql -X -q -v ON_ERROR_STOP=1 -d "$rich" >/dev/null 2>&1 <<'SQL' || fail hostile-rich-setup "schema did not load"
CREATE SCHEMA "Odd; DROP DATABASE x";
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE t (id serial PRIMARY KEY, v text DEFAULT E'a\\b;c', m mood, p posint, doc jsonb);
INSERT INTO t (v, m, p, doc) VALUES ('x''y', 'ok', 1, '{"a": "$$"}'), (NULL, NULL, NULL, NULL);
CREATE TABLE "Odd; DROP DATABASE x"."COPY t TO PROGRAM" (a int REFERENCES t(id));
CREATE FUNCTION add1(a integer) RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN a + 1 ELSE 0 END; END;
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN RETURN NEW; END$f$;
CREATE TRIGGER t_trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM t;
CREATE VIEW v AS SELECT id FROM t WHERE v <> 'drop database';
CREATE INDEX t_v ON t (lower(v));
CREATE STATISTICS st ON id, p FROM t;
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY pol ON t USING (true);
CREATE RULE r AS ON UPDATE TO v DO INSTEAD NOTHING;
CREATE PUBLICATION pub FOR TABLE t;
COMMENT ON TABLE t IS 'DROP/**/DATABASE x; -- not a statement';
GRANT SELECT ON t TO PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
SELECT lo_from_bytea(0, 'large object data');
SQL
for mode in plain inserts column-inserts; do
	f=$work/rich-$mode.sql
	case $mode in
	plain) pg_dump -d "$rich" -f "$f" ;;
	*) pg_dump --"$mode" -d "$rich" -f "$f" ;;
	esac
	# No manifest beside a pg_dump file (a legacy dump to verify): what
	# matters here is that no statement of it is refused.
	"$LB_BIN" verify "$f" >"$work/rich-$mode.out" 2>&1
	if grep -q 'FAIL *statements' "$work/rich-$mode.out"; then
		fail "hostile-rich-verify-$mode" "$(cat "$work/rich-$mode.out")"
	else
		pass "hostile-rich-verify-$mode"
	fi
	target=$(new_db "lb_hs_rich_$(tr -- - _ <<<"$mode")")
	check "hostile-rich-restore-$mode" "$LB_BIN" restore "$f" -d "dbname=$target"
	PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists "$target"
done
finish
