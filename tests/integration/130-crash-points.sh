#!/usr/bin/env bash
# kill -9 at 20 points of `db` and 20 of `full` (the fault shim sends the
# process SIGKILL at a chosen write, byte, fsync, rename or mkdir, picked from
# a traced run). After each: nothing under a final name is partial, earlier
# backups are untouched and verify, and the next run removes this tool's
# leftovers (only its own names, only those older than itself).
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/fault.sh"

work=$(tmpdir)
fault_build "$work" || { fail crash-shim-build "cc failed"; finish; }
db=$(new_db lb_crash) || { fail crash-setup createdb; finish; }
# One table: no parallel table worker, so the traced run and the killed runs
# make the same calls in the same order.
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS a, md5((g * 3)::text) AS b FROM generate_series(1, 30000) g" >/dev/null
fdb=$(new_db lb_crash_full) || { fail crash-setup createdb; finish; }
psql -X -q -d "$fdb" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS a FROM generate_series(1, 20000) g" >/dev/null
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
proj=$work/proj
mkdir "$work/empty"
g() { git -C "$proj" -c user.name=t -c user.email=t@example.com "$@"; }
mkdir -p "$proj" && git init -q "$proj" && printf '{ "name": "app" }\n' >"$proj/package.json" &&
	printf 'lock\n' >"$proj/yarn.lock" && seq 1 2000 >"$proj/README.md" && g add -A && g commit -q -m one &&
	seq 3 3000 >"$proj/README.md" && g commit -q -am two && echo dirty >>"$proj/README.md" ||
	{ fail crash-setup "git"; finish; }

out=$work/backups
mkdir -m 700 "$out"
# Earlier backups that every crash must leave as they are.
check crash-earlier-db "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
check crash-earlier-full "$LB_BIN" full -q -C "$proj" -d "dbname=$fdb" -o "$out" || finish
earlier=$(cd "$out" && find . -type f ! -name '.lotbackup.lock' -printf '%p\n' | sort)
sums() { (cd "$out" && sha256sum $earlier); }
before=$(sums)
# Not ours, or not older than the run: the cleanup must leave these alone.
echo keep >"$out/notes.tmp"
mkdir "$out/cache.tmp" && echo keep >"$out/cache.tmp/x"
echo young >"$out/lot-systems-db-2020-01-01T00-00-00.sql.gz.tmp"
touch -d '+1 day' "$out/lot-systems-db-2020-01-01T00-00-00.sql.gz.tmp"
sleep 1	# a new second: the traced runs get names of their own

db_cmd=("$LB_BIN" db -q -d "dbname=$db" -o "$out")
full_cmd=("$LB_BIN" full -q -C "$proj" -d "dbname=$fdb" -o "$out")
ours='^(lot-systems-|full-backup-).*\.tmp$'

# The traced runs show where the calls fall; they publish good backups too.
fault_trace "$out" "$work/db.trace" "${db_cmd[@]}" || { fail crash-trace-db "traced run failed"; finish; }
fault_trace "$out" "$work/full.trace" "${full_cmd[@]}" || { fail crash-trace-full "traced run failed"; finish; }

# LABEL OP SELECTOR ACTION, see tests/lib/fault.sh.
db_points="
before-lock             mkdir   first:backups$                  KILLAFTER
tmp-created-empty       write   first:\.sql\.gz\.tmp$           KILL
copy-cut-5pct           bytes   frac:\.sql\.gz\.tmp$:0.05       KILL
copy-first-block        write   first:\.sql\.gz\.tmp$           KILLAFTER
copy-cut-20pct          bytes   frac:\.sql\.gz\.tmp$:0.2        KILL
copy-cut-40pct          bytes   frac:\.sql\.gz\.tmp$:0.4        KILL
copy-cut-60pct          bytes   frac:\.sql\.gz\.tmp$:0.6        KILL
copy-cut-80pct          bytes   frac:\.sql\.gz\.tmp$:0.8        KILL
gzip-flush-cut          bytes   frac:\.sql\.gz\.tmp$:0.995      KILL
gzip-flush              write   last:\.sql\.gz\.tmp$            KILL
dump-written-unsynced   write   last:\.sql\.gz\.tmp$            KILLAFTER
dump-fsynced            fsync   first:\.sql\.gz\.tmp$           KILLAFTER
manifest-write          write   first:manifest\.json\.tmp$      KILL
manifest-fsynced        fsync   first:manifest\.json\.tmp$      KILLAFTER
manifest-rename         rename  first:manifest\.json$           KILL
manifest-published      rename  first:manifest\.json$           KILLAFTER
dir-fsync-after-manifest fsync  first:backups$                  KILL
dump-rename             rename  first:\.sql\.gz$                KILL
dump-published          rename  first:\.sql\.gz$                KILLAFTER
dir-fsync-after-dump    fsync   last:backups$                   KILL
"
full_points="
staging-created         mkdir   first:\.tmp$                    KILLAFTER
git-info-write          write   first:/git/info\.txt\.tmp$      KILL
git-info-published      rename  first:/git/info\.txt$           KILLAFTER
git-bundle-write        write   first:/git/repo\.bundle\.tmp$   KILL
git-bundle-cut          bytes   frac:/git/repo\.bundle\.tmp$:0.5 KILL
git-bundle-published    rename  first:/git/repo\.bundle$        KILLAFTER
deps-written            write   first:/deps/                    KILLAFTER
db-stage-created        mkdir   first:\.tmp/db$                 KILLAFTER
db-dump-cut             bytes   frac:/db/.*\.sql\.gz\.tmp$:0.5  KILL
db-dump-published       rename  first:/db/.*\.sql\.gz$          KILLAFTER
system-state-write      write   first:SYSTEM-STATE\.md\.tmp$    KILL
manifest-written        write   first:MANIFEST\.json\.tmp$      KILLAFTER
manifest-published      rename  first:MANIFEST\.json$           KILLAFTER
archive-first-write     write   first:tar\.gz\.tmp$             KILL
archive-cut             bytes   frac:tar\.gz\.tmp$:0.5          KILL
archive-written         write   last:tar\.gz\.tmp$              KILLAFTER
archive-fsynced         fsync   first:tar\.gz\.tmp$             KILLAFTER
sidecar-published       rename  first:tar\.gz\.manifest\.json$  KILLAFTER
archive-published       rename  first:tar\.gz$                  KILLAFTER
dir-published           rename  first:/full-backup-[0-9_]*$     KILLAFTER
"

listing() { ls -A "$out" | sort; }
# Every entry under a final name is whole: backups verify, manifests parse.
check_final() {
	local e bad=''
	for e in "$@"; do
		case "$e" in
		*.tmp | notes.tmp | cache.tmp | .lotbackup.lock) ;;
		*.manifest.json | *.verified.json)
			python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/$e" 2>/dev/null || bad="$bad $e:not-whole-json" ;;
		lot-systems-db-*.sql.gz | lot-systems-full-backup-*.tar.gz | full-backup-*)
			"$LB_BIN" verify -q "$out/$e" >/dev/null 2>&1 || bad="$bad $e:does-not-verify" ;;
		*) bad="$bad $e:unexpected" ;;
		esac
	done
	printf '%s' "$bad"
}

bad=''
last_start=0
points=0
killed=0
leftovers=0
run_points() { # kind points cmd...
	local kind=$1 list=$2 label op sel act n rc pre post new left
	shift 2
	while read -r label op sel act; do
		[ -n "$label" ] || continue
		points=$((points + 1))
		n=$(fault_point "$work/$kind.trace" "$op" "$sel")
		if [ -z "$n" ]; then
			bad="$bad $kind/$label:no-such-point"
			continue
		fi
		pre=$(listing)
		rc=0
		# Backups are named by the second: a run in the second of the killed one
		# before it meets that run's orphaned sidecar, a real clash it refuses.
		while [ "$(date +%s)" -le "$last_start" ]; do sleep 0.05; done
		last_start=$(date +%s)
		fault_run "$out" "$op:$n:$act" "$@" >/dev/null 2>&1 || rc=$?
		[ $rc -eq 137 ] && killed=$((killed + 1)) || bad="$bad $kind/$label:not-killed-rc-$rc"
		post=$(listing)
		new=$(comm -13 <(echo "$pre") <(echo "$post"))
		b=$(check_final $new)
		[ -n "$b" ] && bad="$bad $kind/$label:$b"
		[ "$(sums)" = "$before" ] || bad="$bad $kind/$label:earlier-backup-changed"
		left=$(echo "$post" | grep -E "$ours" | grep -vc '^lot-systems-db-2020-01-01T00-00-00')
		leftovers=$((leftovers + left))
		# The next run cleans up (any run in the directory does; this one is quick).
		pre=$(listing)
		if ! env -u PGDATABASE -u PGHOST "$LB_BIN" full -q --no-git -C "$work/empty" -o "$out" --dir-only >/dev/null 2>"$work/next.err"; then
			bad="$bad $kind/$label:next-run-failed:$(head -c 200 "$work/next.err")"
		fi
		post=$(listing)
		left=$(echo "$post" | grep -E "$ours" | grep -v '^lot-systems-db-2020-01-01T00-00-00')
		[ -z "$left" ] || bad="$bad $kind/$label:tmp-left-after-next-run:$(echo "$left" | tr '\n' ' ')"
		# Drop the next run's own dump, so each point checks only its own files.
		for e in $(comm -13 <(echo "$pre") <(echo "$post")); do rm -rf "${out:?}/$e"; done
	done <<<"$list"
}
run_points db "$db_points" "${db_cmd[@]}"
run_points full "$full_points" "${full_cmd[@]}"

if [ "$points" -eq 40 ] && [ "$killed" -eq 40 ] && [ -z "$bad" ]; then
	pass crash-kill9-40-points-nothing-partial
else
	fail crash-kill9-40-points-nothing-partial "$killed of $points killed;$bad"
fi
# The points must have left something to clean up, or the cleanup went untested.
[ "$leftovers" -ge 30 ] && pass crash-leftovers-cleaned-by-next-run || fail crash-leftovers-cleaned-by-next-run "only $leftovers leftovers over 40 points"
[ -f "$out/notes.tmp" ] && [ -f "$out/cache.tmp/x" ] && pass crash-foreign-tmp-kept || fail crash-foreign-tmp-kept "$(listing | tr '\n' ' ')"
[ -f "$out/lot-systems-db-2020-01-01T00-00-00.sql.gz.tmp" ] && pass crash-tmp-newer-than-run-kept || fail crash-tmp-newer-than-run-kept "removed"
[ "$(sums)" = "$before" ] && pass crash-earlier-backups-untouched || fail crash-earlier-backups-untouched "changed"
check_exit crash-all-backups-verify 0 "$LB_BIN" verify -q --all -o "$out"
finish
