#!/usr/bin/env bash
# `latest`, `latest-db` and `latest-full` name the newest backup of the
# kind (issue #18): restore latest --dbname, verify latest, restore
# latest-full --to, pin latest.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "$@"; }
src=$(new_db lb_latest_src) && dst=$(new_db lb_latest_dst) || { fail latest-setup "cannot create databases"; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c 'CREATE TABLE t AS SELECT g AS a FROM generate_series(1, 100) g' ||
	{ fail latest-fixture "cannot load"; finish; }
work=$(tmpdir)
proj=$work/app
mkdir -p "$proj" && g init -q "$proj" && printf 'hello\n' >"$proj/README.md" && printf 'backups/\n' >"$proj/.gitignore" &&
	g -C "$proj" add -A && g -C "$proj" commit -q -m first || { fail latest-project "git"; finish; }
out=$proj/backups

check_exit verify-latest-none 1 "$LB_BIN" -C "$proj" verify latest
grep -q "no backup in $out" <<<"$LB_LAST_OUTPUT" && pass verify-latest-none-message ||
	fail verify-latest-none-message "$LB_LAST_OUTPUT"

check latest-first-dump "$LB_BIN" -q -C "$proj" db -d "$src" || finish
sleep 1.1	# names are to the second
psql -X -q -d "$src" -c 'INSERT INTO t SELECT g FROM generate_series(101, 200) g'
check latest-second-dump "$LB_BIN" -q -C "$proj" db -d "$src" || finish
newest=$(ls "$out"/lot-systems-db-*.sql.gz | sort | tail -n 1)

check restore-latest "$LB_BIN" -q -C "$proj" restore latest --dbname "$dst"
[ "$(psql -X -At -d "$dst" -c 'SELECT count(*) FROM t')" = 200 ] && pass restore-latest-is-newest ||
	fail restore-latest-is-newest "$(psql -X -At -d "$dst" -c 'SELECT count(*) FROM t' 2>&1)"
check verify-latest "$LB_BIN" -C "$proj" verify latest
grep -q "^$newest: ok" <<<"$LB_LAST_OUTPUT" && pass verify-latest-names-newest ||
	fail verify-latest-names-newest "want $newest"$'\n'"$LB_LAST_OUTPUT"

sleep 1.1
check latest-full-backup "$LB_BIN" -q -C "$proj" full -d "$src" || finish
archive=$(ls "$out"/lot-systems-full-backup-*.tar.gz | tail -n 1)
check restore-latest-full "$LB_BIN" -q -C "$proj" restore latest-full --to "$work/r1"
[ -f "$work/r1/README.md" ] && pass restore-latest-full-project || fail restore-latest-full-project "$(ls -la "$work/r1" 2>&1)"
# with --to, `latest` is the newest full backup
check restore-latest-with-to "$LB_BIN" -q -C "$proj" restore latest --to "$work/r2"
[ -f "$work/r2/README.md" ] && pass restore-latest-with-to-project || fail restore-latest-with-to-project "$(ls -la "$work/r2" 2>&1)"
check verify-latest-full "$LB_BIN" -C "$proj" verify latest-full
grep -q "^$archive: ok" <<<"$LB_LAST_OUTPUT" && pass verify-latest-full-is-archive ||
	fail verify-latest-full-is-archive "want $archive"$'\n'"$LB_LAST_OUTPUT"
# latest-db: the newest dump even when a full backup is newer
check verify-latest-db "$LB_BIN" -C "$proj" verify latest-db
grep -q "^$newest: ok" <<<"$LB_LAST_OUTPUT" && pass verify-latest-db-is-dump ||
	fail verify-latest-db-is-dump "want $newest"$'\n'"$LB_LAST_OUTPUT"
check pin-latest-db "$LB_BIN" -C "$proj" pin latest-db --reason "before the migration"
[ -f "$newest.pin.json" ] && pass pin-latest-db-pins-newest || fail pin-latest-db-pins-newest "$(ls "$out")"
# ./latest is a file of that name, not the keyword
check_exit dot-slash-latest-is-a-file 1 "$LB_BIN" -C "$proj" verify ./latest
finish
