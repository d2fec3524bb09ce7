#!/usr/bin/env bash
# make demo: a throwaway PostgreSQL cluster with a sample database and a
# sample git project, then lotbackup's commands on them. Leaves nothing behind.
set -u
: "${LB_BIN:?set LB_BIN to the lotbackup binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/pgcluster.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/lbdemo.XXXXXX")
cleanup() { pg_cluster_stop >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Starting a throwaway PostgreSQL 15 cluster"
pg_cluster_start || exit 1
createdb app && psql -X -q -v ON_ERROR_STOP=1 -d app -f "$top/tests/demo/sample.sql" >/dev/null || exit 1
psql -X -q -d app -c "GRANT pg_read_all_data TO lb_pw" >/dev/null
echo "database 'app' on $PGHOST: $(psql -X -At -d app -c 'SELECT count(*) FROM "User"') users, $(psql -X -At -d app -c 'SELECT count(*) FROM "Post"') posts"

step "A sample project: git repository with a .env holding DATABASE_URL (and a password)"
proj=$work/app && mkdir -p "$proj"
git -C "$proj" init -q -b main
printf '{ "name": "app", "version": "1.0.0" }\n' >"$proj/package.json"
printf 'DATABASE_URL=postgresql://app:change-me@localhost:5432/app\n' >"$proj/.env.example"
printf 'node_modules/\n.env\nbackups/\n' >"$proj/.gitignore"
# The migration the sample database records as applied (prisma/migrations layout).
mkdir -p "$proj/prisma/migrations/20260101000000_init" &&
	printf 'CREATE TABLE "User" (id serial PRIMARY KEY);\n' >"$proj/prisma/migrations/20260101000000_init/migration.sql"
git -C "$proj" add . && git -C "$proj" -c user.name=demo -c user.email=demo@example.com commit -q -m init
printf 'DATABASE_URL="postgresql://lb_pw:%s@localhost/app?host=%s&port=%s&schema=public"\n' \
	"$LB_TEST_PASSWORD" "$PGHOST" "$PGPORT" >"$proj/.env"
cd "$proj" || exit 1

step "lotbackup db: a consistent dump through libpq COPY"
run "$LB_BIN" db --keep 30 || exit 1
file=$(ls backups/lot-systems-db-*.sql.gz | head -n 1)
run ls -l backups/
echo "last lines of the dump:"
gunzip -c "$file" | tail -n 5

step "lotbackup full: git state and history, dependency files, templates, system report and the database"
run "$LB_BIN" full || exit 1
run ls backups/
echo "inside the archive:"
tar tzf backups/lot-systems-full-backup-*.tar.gz | sed 's/^/  /'

step "lotbackup list"
run "$LB_BIN" list

step "lotbackup verify: the newest backup, then the dump restored into a scratch database and compared"
run "$LB_BIN" verify --all || exit 1
run "$LB_BIN" verify --restore "$file" --dbname "dbname=postgres host=$PGHOST port=$PGPORT user=postgres" || exit 1

step "lotbackup restore: the dump into a new database"
run "$LB_BIN" restore "$file" --dbname "dbname=app_restored host=$PGHOST port=$PGPORT user=postgres" --create || exit 1
for t in '"User"' '"Post"' '"_prisma_migrations"'; do
	a=$(psql -X -At -d app -c "SELECT count(*) FROM $t")
	b=$(psql -X -At -d app_restored -c "SELECT count(*) FROM $t")
	printf '%-22s source %6s  restored %6s  %s\n' "$t" "$a" "$b" "$([ "$a" = "$b" ] && echo same || echo DIFFERENT)"
done

step "lotbackup restore --to: the whole project from the full backup"
run "$LB_BIN" restore backups/lot-systems-full-backup-*.tar.gz --to "$work/app-restored" || exit 1
run git -C "$work/app-restored" log --oneline

if grep -rq "$LB_TEST_PASSWORD" backups/; then echo "the password leaked into backups/"; exit 1; fi
echo
echo "Demo finished: the password from .env appears in no backup file."
