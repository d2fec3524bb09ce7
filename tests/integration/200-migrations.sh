#!/usr/bin/env bash
# Migration ledgers (issue #20): db records what the database's migration
# tool applied, full compares it with the project's migration files, and a
# restore says what to run after it and what is pending. The real project's
# case first: Sequelize/umzug with SequelizeMeta and migrations/*.js (its
# own eleven file names), run as `yarn migrations:up`.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "$@"; }
work=$(tmpdir)
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$@" >/dev/null; }

# The real project's migrations (names from vadikmarmeladov/lot-systems; bodies are stubs).
REAL="20240330115200-add-users-sessions-email-codes.js 20240412140004-add-live-messages.js
20240412234130-add-chat-messages.js 20240422223220-add-weather-responses.js 20240516214749_new-user-fields.js
20240525154723_add-logs.js 20240604141821_add-answers.js 20240613124003_add-log-context.js
20240613124922_add-user-timezone.js 20240614173302_add-user-show-activity-log.js
20240909204134_add-chat-message-like.js"
proj=$work/lot && mkdir -p "$proj/migrations" "$proj/scripts/db"
for m in $REAL; do printf 'module.exports = { async up() {}, async down() {} }\n' >"$proj/migrations/$m"; done
cat >"$proj/package.json" <<'EOF'
{ "name": "lot", "scripts": { "migrations:new": "node x.js -new", "migrations:up": "node -r esbuild-register ./scripts/db/migrations.ts -up",
  "migrations:down": "node x.js -down", "start": "node server.js" } }
EOF
printf '# yarn lockfile v1\n' >"$proj/yarn.lock"
printf 'node_modules/\nbackups/\n.env\n' >"$proj/.gitignore"
(cd "$proj" && g init -q && g add -A && g commit -q -m init) || { fail migr-setup git; finish; }

db=$(new_db lb_migr) || { fail migr-setup createdb; finish; }
# All applied but one (pending in the code), plus one the code does not have.
q "$db" -c 'CREATE TABLE users (id uuid PRIMARY KEY, email text);
  CREATE TABLE "SequelizeMeta" (name varchar(255) PRIMARY KEY)'
for m in $REAL; do
	[ "$m" = 20240613124922_add-user-timezone.js ] || q "$db" -c "INSERT INTO \"SequelizeMeta\" VALUES ('$m')"
done
q "$db" -c "INSERT INTO \"SequelizeMeta\" VALUES ('20250101000000_add-billing.js')"

out=$work/out
check migr-db "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 0
dump=$(ls "$out"/lot-systems-db-*.sql.gz | head -1)
python3 - "$dump.manifest.json" <<'PY' && pass migr-db-manifest-ledger || fail migr-db-manifest-ledger "$(cat "$dump.manifest.json")"
import json, sys
m = json.load(open(sys.argv[1]))["migrations"]
assert len(m) == 1 and m[0]["tool"] == "sequelize" and m[0]["table"] == 'public."SequelizeMeta"', m
assert len(m[0]["applied"]) == 11 and "20250101000000_add-billing.js" in m[0]["applied"], m
assert "20240613124922_add-user-timezone.js" not in m[0]["applied"], m
PY

check migr-full "$LB_BIN" full -C "$proj" -d "dbname=$db" -o "$work/full"
grep -q '1 migrations in migrations/ are not applied to the database (sequelize): 20240613124922_add-user-timezone.js' \
	<<<"$LB_LAST_OUTPUT" && pass migr-full-warns-pending || fail migr-full-warns-pending "$LB_LAST_OUTPUT"
grep -q "'yarn migrations:up' applies them" <<<"$LB_LAST_OUTPUT" &&
	pass migr-full-names-project-command || fail migr-full-names-project-command "$LB_LAST_OUTPUT"
grep -q 'the database has 1 sequelize migrations applied that migrations/ does not have: 20250101000000_add-billing.js (the database is ahead' \
	<<<"$LB_LAST_OUTPUT" && pass migr-full-warns-unknown || fail migr-full-warns-unknown "$LB_LAST_OUTPUT"
fdir=$(ls -d "$work"/full/full-backup-*/ | head -1)
grep -q 'pending: `20240613124922_add-user-timezone.js`' "$fdir/SYSTEM-STATE.md" &&
	grep -q 'applied, not in the code: `20250101000000_add-billing.js`' "$fdir/SYSTEM-STATE.md" &&
	pass migr-system-state || fail migr-system-state "$(cat "$fdir/SYSTEM-STATE.md")"
python3 - "$fdir/MANIFEST.json" <<'PY' && pass migr-full-manifest || fail migr-full-manifest "$(cat "$fdir/MANIFEST.json")"
import json, sys
m = json.load(open(sys.argv[1]))["migrations"][0]
assert m["pending"] == ["20240613124922_add-user-timezone.js"], m
assert m["unknown"] == ["20250101000000_add-billing.js"] and m["dir"] == "migrations", m
assert m["command"] == "yarn migrations:up" and m["applied"] == 11, m
PY
check_exit migr-full-verifies 0 "$LB_BIN" verify "$(ls "$work"/full/lot-systems-full-backup-*.tar.gz)"

# restore into a new database, in the project: what to run and what is pending.
dropdb --if-exists lb_migr_r 2>/dev/null
check migr-restore "$LB_BIN" restore "$dump" -d dbname=lb_migr_r --create -C "$proj"
grep -q "next step: 1 migrations in $proj/migrations are not applied to the restored database (20240613124922_add-user-timezone.js); run 'yarn migrations:up'" \
	<<<"$LB_LAST_OUTPUT" && pass migr-restore-pending || fail migr-restore-pending "$LB_LAST_OUTPUT"
grep -q 'migrations that .*does not have (20250101000000_add-billing.js)' <<<"$LB_LAST_OUTPUT" &&
	pass migr-restore-unknown || fail migr-restore-unknown "$LB_LAST_OUTPUT"
dropdb --if-exists lb_migr_r 2>/dev/null

# restore --to: pending against the code just restored, not the caller's.
check migr-restore-to "$LB_BIN" restore --to "$work/restored" -d dbname=lb_migr_r --create \
	"$(ls "$work"/full/lot-systems-full-backup-*.tar.gz)"
grep -q "1 migrations in $work/restored/migrations are not applied" <<<"$LB_LAST_OUTPUT" &&
	pass migr-restore-to-pending || fail migr-restore-to-pending "$LB_LAST_OUTPUT"
dropdb --if-exists lb_migr_r 2>/dev/null

# Other tools: Prisma (a rolled-back migration is not applied), golang-migrate
# (only the newest version is kept), Alembic (a chain of revisions), Rails.
other() {	# other NAME SQL FILE...: a project with FILEs and a database from SQL; full's output
	local name=$1 sql=$2 d p=$work/$1
	shift 2
	d=$(new_db "lb_migr_$name") && q "$d" -c "$sql" || return 1
	mkdir -p "$p"
	while [ $# -gt 0 ]; do mkdir -p "$(dirname "$p/$1")" && printf '%s\n' "$2" >"$p/$1"; shift 2; done
	LB_LAST_OUTPUT=$("$LB_BIN" full -C "$p" -d "dbname=$d" -o "$work/out-$name" --no-git 2>&1)
}
other prisma "CREATE TABLE _prisma_migrations (id text PRIMARY KEY, migration_name text, started_at timestamptz,
	finished_at timestamptz, rolled_back_at timestamptz);
	INSERT INTO _prisma_migrations VALUES ('1', '20240101_init', now(), now(), NULL), ('2', '20240201_tags', now(), now(), now())" \
	prisma/migrations/20240101_init/migration.sql 'CREATE TABLE a (i int);' \
	prisma/migrations/20240201_tags/migration.sql 'CREATE TABLE b (i int);'
grep -q "1 migrations in prisma/migrations/ are not applied to the database (prisma): 20240201_tags; 'npx prisma migrate deploy'" \
	<<<"$LB_LAST_OUTPUT" && pass migr-prisma || fail migr-prisma "$LB_LAST_OUTPUT"
other golang "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
	INSERT INTO schema_migrations VALUES (2, false)" \
	db/migrations/000001_init.up.sql 'CREATE TABLE a (i int);' db/migrations/000001_init.down.sql 'DROP TABLE a;' \
	db/migrations/000002_b.up.sql 'CREATE TABLE b (i int);' db/migrations/000003_c.up.sql 'CREATE TABLE c (i int);'
grep -q "1 migrations in db/migrations/ are not applied to the database (golang-migrate): 000003_c.up.sql" \
	<<<"$LB_LAST_OUTPUT" && pass migr-golang || fail migr-golang "$LB_LAST_OUTPUT"
other alembic "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('ae1027a6acf')" \
	alembic/versions/ae1027a6acf_init.py $'"""init\n\nRevision ID: ae1027a6acf\n"""\nrevision = \'ae1027a6acf\'\ndown_revision = None' \
	alembic/versions/27c6a30d7c24_add.py $'revision: str = "27c6a30d7c24"\ndown_revision: Union[str, None] = "ae1027a6acf"'
grep -q "1 migrations in alembic/versions/ are not applied to the database (alembic): 27c6a30d7c24_add.py; 'alembic upgrade head'" \
	<<<"$LB_LAST_OUTPUT" && pass migr-alembic || fail migr-alembic "$LB_LAST_OUTPUT"
other rails "CREATE TABLE schema_migrations (version varchar PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240301000000')" \
	db/migrate/20240101000000_create_users.rb 'class CreateUsers; end'
grep -q "the database has 1 rails migrations applied that db/migrate/ does not have: 20240301000000" \
	<<<"$LB_LAST_OUTPUT" && pass migr-rails-ahead || fail migr-rails-ahead "$LB_LAST_OUTPUT"

# A table that only shares a ledger's name must not fail the dump.
# Several tables and jobs: the dump exports its snapshot after reading the ledger,
# which a savepoint left open would forbid (a subtransaction cannot export one).
d=$(new_db lb_migr_odd) && q "$d" -c "CREATE TABLE schema_migrations (id int, dirty boolean); INSERT INTO schema_migrations VALUES (1, false);
	CREATE TABLE _prisma_migrations (id text, migration_name text); CREATE TABLE a (i int); INSERT INTO a SELECT generate_series(1, 1000)"
check migr-odd-ledger-dumps "$LB_BIN" db -d "dbname=$d" -o "$work/odd" --keep 0 --jobs 3
grep -q 'looks like the golang-migrate migration ledger but cannot be read' <<<"$LB_LAST_OUTPUT" &&
	pass migr-odd-ledger-warned || fail migr-odd-ledger-warned "$LB_LAST_OUTPUT"
check migr-odd-ledger-verifies "$LB_BIN" verify "$(ls "$work"/odd/lot-systems-db-*.sql.gz)"

for n in lb_migr lb_migr_prisma lb_migr_golang lb_migr_alembic lb_migr_rails lb_migr_odd; do dropdb --if-exists "$n"; done
finish
