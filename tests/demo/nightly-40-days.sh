#!/usr/bin/env bash
# The README's nightly schedule (man/examples/lotbackup.crontab) run for 40
# simulated days with libfaketime: dated backups in a directory, then list
# and status as the operator would see them. A check of the schedule and the
# retention policy over time, not part of make check (it needs faketime).
#   LB_BIN   the lotbackup binary
#   DAYS     how many days (40); START the first day (2026-10-01)
set -u
: "${LB_BIN:?set LB_BIN to the lotbackup binary}"
command -v faketime >/dev/null || { echo "nightly-40-days: install faketime (apt-get install faketime)" >&2; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/pgcluster.sh"
DAYS=${DAYS:-40}
START=${START:-2026-10-01}
work=$(mktemp -d "${TMPDIR:-/tmp}/lbnightly.XXXXXX")
cleanup() { pg_cluster_stop >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT

pg_cluster_start >/dev/null || exit 1
createdb app && psql -X -q -v ON_ERROR_STOP=1 -d app -f "$top/tests/demo/sample.sql" >/dev/null || exit 1
# The monthly test restore makes a scratch database: the role needs CREATEDB (and CREATEROLE for its own role).
psql -X -q -d app -c "GRANT pg_read_all_data TO lb_pw; ALTER ROLE lb_pw CREATEDB CREATEROLE" >/dev/null
proj=$work/app && mkdir -p "$proj" && cd "$proj" || exit 1
git init -q -b main && printf 'node_modules/\n.env\nbackups/\n' >.gitignore && printf '{ "name": "app" }\n' >package.json
mkdir -p prisma/migrations/20260101000000_init && printf 'CREATE TABLE "User" (id serial PRIMARY KEY);\n' >prisma/migrations/20260101000000_init/migration.sql
git add . && git -c user.name=n -c user.email=n@example.com commit -q -m init
# The README's .env: the connection and the one retention policy.
printf 'DATABASE_URL="postgresql://lb_pw:%s@localhost/app?host=%s&port=%s"\nLOTBACKUP_KEEP_DAILY=30\nLOTBACKUP_KEEP_WEEKLY=12\nLOTBACKUP_KEEP_MONTHLY=12\n' \
	"$LB_TEST_PASSWORD" "$PGHOST" "$PGPORT" >.env

# at DAY HH:MM CMD...: one cron job at that simulated time; its failures are counted.
failures=0
at() {
	local when="$1 $2"
	shift 2
	faketime "$when:00" "$LB_BIN" -q "$@" >>"$work/cron.log" 2>&1 || { failures=$((failures + 1)); echo "FAILED at $when: lotbackup $*: $(tail -n 1 "$work/cron.log")" >&2; }
}
for i in $(seq 0 $((DAYS - 1))); do
	day=$(date -u -d "$START + $i days" +%F)
	# The application writes a little every day.
	psql -X -q -d app -c "INSERT INTO \"Post\" (\"authorId\", title, body) SELECT id, 'day $day', 'x' FROM \"User\" LIMIT 5" >/dev/null 2>&1
	at "$day" 02:00 db --wait 3600 --verify-restore
	[ "$(date -u -d "$day" +%u)" = 7 ] && at "$day" 03:00 full --archive-only --wait 3600
	at "$day" 04:00 verify
	at "$day" 04:30 prune --wait 3600
	[ "$(date -u -d "$day" +%d)" = 01 ] && at "$day" 05:00 verify --restore
	at "$day" 08:00 status --max-age 26h
done
last=$(date -u -d "$START + $((DAYS - 1)) days" +%F)
echo "== $DAYS days from $START to $last: $failures failed jobs"
echo "== lotbackup list (at $last 09:00)"
faketime "$last 09:00:00" "$LB_BIN" list
echo "== lotbackup status (at $last 09:00)"
faketime "$last 09:00:00" "$LB_BIN" status --max-age 26h
echo "status exit: $?"
echo "== files: $(ls backups | grep -c '^lot-systems-db-.*\.sql\.gz$') dumps, $(ls backups | grep -c '^lot-systems-full-backup-.*\.tar\.gz$') full archives"
[ "$failures" -eq 0 ]
