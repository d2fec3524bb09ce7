#!/usr/bin/env bash
# The output directory inside the project is git-ignored: when lotbackup
# creates it, it writes a .gitignore holding '*' into it (as Python's venv
# does) and says so once; an existing directory or .gitignore is left alone.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_gitignore) || { fail gitignore-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 10) g" >/dev/null
work=$(tmpdir)
proj=$work/proj
mkdir -p "$proj"
git -C "$proj" init -q
echo hello >"$proj/README"

check_exit gitignore-db-creates 0 "$LB_BIN" db -C "$proj" -d "dbname=$db"
[ "$(cat "$proj/backups/.gitignore" 2>/dev/null)" = '*' ] && pass gitignore-written-star ||
	fail gitignore-written-star "$(ls -a "$proj/backups")"
[ "$(stat -c %a "$proj/backups/.gitignore" 2>/dev/null)" = 600 ] && pass gitignore-mode-0600 ||
	fail gitignore-mode-0600 "$(stat -c %a "$proj/backups/.gitignore" 2>&1)"
[ "$(grep -c '\.gitignore' <<<"$LB_LAST_OUTPUT")" -eq 1 ] && pass gitignore-said-once ||
	fail gitignore-said-once "$LB_LAST_OUTPUT"
ls -a "$proj/backups" | grep -q '\.tmp$' && fail gitignore-no-temporary "$(ls -a "$proj/backups")" || pass gitignore-no-temporary
# git add -A commits no dump.
git -C "$proj" add -A
git -C "$proj" diff --cached --name-only | grep -q '^backups/' && fail gitignore-git-add-skips-dumps \
	"$(git -C "$proj" diff --cached --name-only)" || pass gitignore-git-add-skips-dumps

# A second run: nothing said, the file as it was (an operator's edit stays).
echo '# mine' >"$proj/backups/.gitignore"
check_exit gitignore-second-run 0 "$LB_BIN" db -C "$proj" -d "dbname=$db"
grep -q '\.gitignore' <<<"$LB_LAST_OUTPUT" && fail gitignore-second-run-silent "$LB_LAST_OUTPUT" || pass gitignore-second-run-silent
[ "$(cat "$proj/backups/.gitignore")" = '# mine' ] && pass gitignore-existing-untouched ||
	fail gitignore-existing-untouched "$(cat "$proj/backups/.gitignore")"

# A directory that already exists gets none.
mkdir -m 700 "$work/given"
check_exit gitignore-existing-dir 0 "$LB_BIN" db -C "$proj" -o "$work/given" -d "dbname=$db"
[ ! -e "$work/given/.gitignore" ] && pass gitignore-not-in-existing-dir || fail gitignore-not-in-existing-dir "$(ls -a "$work/given")"

# full creates it too, and so does restore --clean's safety dump.
check_exit gitignore-full-creates 0 "$LB_BIN" full -C "$proj" -o "$work/fullout" -d "dbname=$db"
[ "$(cat "$work/fullout/.gitignore" 2>/dev/null)" = '*' ] && pass gitignore-full-written ||
	fail gitignore-full-written "$(ls -a "$work/fullout")"
dump=$(ls "$proj"/backups/lot-systems-db-*.sql.gz | head -n 1)
check_exit gitignore-restore-clean 0 "$LB_BIN" restore "$dump" -d "dbname=$db" --clean -o "$work/safety"
[ "$(cat "$work/safety/.gitignore" 2>/dev/null)" = '*' ] && pass gitignore-safety-dump-written ||
	fail gitignore-safety-dump-written "$(ls -a "$work/safety" 2>&1)"
finish
