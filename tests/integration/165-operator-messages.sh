#!/usr/bin/env bash
# What the operator sees: the progress bar counts every connection's rows
# at any --jobs (LOTBACKUP_PROGRESS=1 draws it into a file); messages name
# final paths, never the temporary ones; restore --to says what is left to
# do; a run where nothing names a database says so and leaves nothing.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_opsmsg) || { fail opsmsg-setup createdb; finish; }
# Four tables of about 17 MiB of rows each, a dump of some seconds: with
# --jobs 4, three go to parallel connections while the main one streams
# the first, or waits for them.
for t in 1 2 3 4; do
	psql -X -q -d "$db" -c "CREATE TABLE t$t AS SELECT g, md5(g::text) || md5((g * $t)::text) AS x
	  FROM generate_series(1, 250000) g" >/dev/null
done
work=$(tmpdir)

# bar_figures FILE: each drawn "dump" line's byte count, one a line, in KiB.
bar_figures() {
	tr '\r' '\n' <"$1" | sed -n 's/^dump .*%  *\([0-9.]*\) \([KMG]\)iB .*/\1 \2/p' |
		awk '{ m = $2 == "K" ? 1 : $2 == "M" ? 1024 : 1048576; printf "%d\n", $1 * m }'
}
for jobs in 1 4; do
	rm -rf "$work/out$jobs"
	LOTBACKUP_PROGRESS=1 "$LB_BIN" db -d "dbname=$db" -o "$work/out$jobs" --jobs $jobs --compress-level 9 \
		2>"$work/bar$jobs" >/dev/null
	secs=$(tr '\r' '\n' <"$work/bar$jobs" | sed -n 's/.* wrote .*, \([0-9]*\)\.[0-9] s)$/\1/p')
	sql_kib=$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sql_bytes"])' \
		"$(ls "$work/out$jobs"/*.manifest.json)") / 1024 ))
	figures=$(bar_figures "$work/bar$jobs")
	most=$(sort -n <<<"$figures" | tail -n 1)
	# Redrawn as the rows come (up to 5 times a second; the old bar stood
	# still while the main connection waited for a worker's table), at
	# least once past a quarter of the rows, and never going back.
	draws=$(tr '\r' '\n' <"$work/bar$jobs" | grep -c '^dump ')
	if [ "$draws" -ge $((2 * ${secs:-0})) ] && [ "${most:-0}" -gt $((sql_kib / 4)) ] &&
		[ "$figures" = "$(sort -n <<<"$figures")" ]; then
		pass "progress-counts-all-connections-jobs$jobs"
	else
		fail "progress-counts-all-connections-jobs$jobs" "$draws draws in ${secs}s, sql ${sql_kib} KiB, bar showed (KiB): $(tr '\n' ' ' <<<"$figures")
$(tr '\r' '\n' <"$work/bar$jobs" | tail -n 5)"
	fi
done

# Messages name final paths: full stages in NAME.tmp, restore --to
# extracts into TARGET.lotbackup-extract; neither is the operator's to see.
proj=$work/proj
mkdir -p "$proj/prisma/migrations"
printf 'DATABASE_URL=postgresql://user:password@host/db\n' >"$proj/.env.example"
touch "$proj/prisma/migrations/.keep"
git_project "$proj"
check msg-full "$LB_BIN" full -C "$proj" -d "dbname=$db" -o "$work/full"
grep -q '\.tmp' <<<"$LB_LAST_OUTPUT" && fail msg-full-no-temporary-path "$LB_LAST_OUTPUT" || pass msg-full-no-temporary-path
grep -q "full-backup-[0-9_]*/db/lot-systems-db-" <<<"$LB_LAST_OUTPUT" && pass msg-full-names-final-dir ||
	fail msg-full-names-final-dir "$LB_LAST_OUTPUT"
archive=$(ls "$work"/full/lot-systems-full-backup-*.tar.gz)
target=$(new_db lb_opsmsg_to) || fail msg-setup createdb
check msg-restore-to "$LB_BIN" restore "$archive" --to "$work/restored" -d "dbname=$target"
grep -q 'lotbackup-extract' <<<"$LB_LAST_OUTPUT" && fail msg-restore-no-temporary-path "$LB_LAST_OUTPUT" ||
	pass msg-restore-no-temporary-path
grep -q "restored $archive member db/lot-systems-db-" <<<"$LB_LAST_OUTPUT" && pass msg-restore-names-backup ||
	fail msg-restore-names-backup "$LB_LAST_OUTPUT"
grep -q "recreate $work/restored/.env from $work/restored/.env.example" <<<"$LB_LAST_OUTPUT" &&
	pass msg-restore-reminds-env || fail msg-restore-reminds-env "$LB_LAST_OUTPUT"
grep -q "run the project's database migrations in $work/restored .*prisma migrate deploy" <<<"$LB_LAST_OUTPUT" &&
	pass msg-restore-reminds-migrations || fail msg-restore-reminds-migrations "$LB_LAST_OUTPUT"
# A failed restore --to (the target has tables) names no temporary path either.
rm -rf "$work/restored"
check_exit msg-restore-to-fails 1 "$LB_BIN" restore "$archive" --to "$work/restored" -d "dbname=$target"
grep -q 'lotbackup-extract' <<<"$LB_LAST_OUTPUT" && fail msg-restore-failed-no-temporary-path "$LB_LAST_OUTPUT" ||
	pass msg-restore-failed-no-temporary-path
grep -q 'next:' <<<"$LB_LAST_OUTPUT" && fail msg-restore-failed-no-reminder "$LB_LAST_OUTPUT" ||
	pass msg-restore-failed-no-reminder

# Nothing configured: said, with -C DIR, and nothing left behind.
empty=$work/empty
mkdir "$empty"
rc=0
out=$(cd "$empty" && env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u DATABASE_URL "$LB_BIN" db 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q "no .env in $empty, and no DATABASE_URL or PG\* variable" <<<"$out" && grep -q -- '-C DIR' <<<"$out" &&
	pass unconfigured-db-says-so || fail unconfigured-db-says-so "rc=$rc: $out"
[ -z "$(ls -A "$empty")" ] && pass unconfigured-db-leaves-nothing || fail unconfigured-db-leaves-nothing "$(ls -A "$empty")"
# A connection that fails: no backups/, no lock file.
rc=0
out=$(cd "$empty" && "$LB_BIN" db -d "dbname=lb_opsmsg_no_such_db" 2>&1) || rc=$?
[ $rc -eq 1 ] && [ -z "$(ls -A "$empty")" ] && pass failed-connection-leaves-nothing ||
	fail failed-connection-leaves-nothing "rc=$rc: $(ls -A "$empty") $out"
rc=0
out=$(cd "$empty" && "$LB_BIN" full -d "dbname=$db" 2>&1) || rc=$?
[ $rc -eq 1 ] && [ -z "$(ls -A "$empty")" ] && pass full-outside-git-leaves-nothing ||
	fail full-outside-git-leaves-nothing "rc=$rc: $(ls -A "$empty") $out"
finish
