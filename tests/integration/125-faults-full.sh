#!/usr/bin/env bash
# Disk full and I/O errors at points of `full` (the LD_PRELOAD fault shim,
# points picked from a traced run): exit 1 with one clear error line,
# nothing new under a final name and no .tmp left, nothing deleted, earlier
# backups untouched. A failed directory fsync after the last rename only
# warns: the backup is in place and whole, only its durability is in doubt.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/fault.sh"

work=$(tmpdir)
fault_build "$work" || { fail full-fault-shim-build "cc failed"; finish; }
db=$(new_db lb_full_fault) || { fail full-fault-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS a FROM generate_series(1, 20000) g" >/dev/null
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
proj=$work/proj
mkdir -p "$proj" && git init -q "$proj" && printf '{ "name": "app" }\n' >"$proj/package.json" &&
	seq 1 3000 >"$proj/README.md" && git -C "$proj" add -A &&
	git -C "$proj" -c user.name=t -c user.email=t@example.com commit -q -m one && echo dirty >>"$proj/README.md" ||
	{ fail full-fault-setup git; finish; }

out=$work/backups
mkdir -m 700 "$out"
check full-fault-earlier-full "$LB_BIN" full -q -C "$proj" -d "dbname=$db" -o "$out" || finish
check full-fault-earlier-db "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
# An old dump that a retention run would delete: a failed full must not.
old=lot-systems-db-$(date -u -d '100 days ago' +%Y-%m-%dT%H-%M-%S).sql.gz
cp "$(ls "$out"/lot-systems-db-*.sql.gz | head -n 1)" "$out/$old"
cp "$(ls "$out"/lot-systems-db-*.sql.gz.manifest.json | head -n 1)" "$out/$old.manifest.json"
sums() { (cd "$out" && find . -type f ! -name .lotbackup.lock -print0 | sort -z | xargs -0 sha256sum); }
before=$(sums)
sleep 1
cmd=("$LB_BIN" full -C "$proj" -d "dbname=$db" -o "$out")
fault_trace "$out" "$work/trace" "${cmd[@]}" -q || { fail full-fault-trace "traced run failed"; finish; }
before=$(sums)

# LABEL OP SELECTOR ERROR
points="
staging-mkdir           mkdir   first:\.tmp$                    ENOSPC
staging-subdir-mkdir    mkdir   first:\.tmp/git$                EIO
git-info-write          write   first:/git/info\.txt\.tmp$      ENOSPC
git-bundle-write        write   first:/git/repo\.bundle\.tmp$   EIO
git-bundle-fsync        fsync   first:/git/repo\.bundle\.tmp$   EIO
deps-rename             rename  first:/deps/package\.json$      ENOSPC
db-dump-cut             bytes   frac:/db/.*\.sql\.gz\.tmp$:0.5  ENOSPC
db-dump-fsync           fsync   first:/db/.*\.sql\.gz\.tmp$     EIO
db-manifest-rename      rename  first:/db/.*manifest\.json$     EIO
db-dump-rename          rename  first:/db/.*\.sql\.gz$          ENOSPC
system-state-write      write   first:SYSTEM-STATE\.md\.tmp$    ENOSPC
manifest-write          write   first:MANIFEST\.json\.tmp$      EIO
manifest-rename         rename  first:/MANIFEST\.json$          ENOSPC
archive-first-write     write   first:tar\.gz\.tmp$             ENOSPC
archive-cut             bytes   frac:tar\.gz\.tmp$:0.5          EIO
archive-fsync           fsync   first:tar\.gz\.tmp$             EIO
sidecar-write           write   first:tar\.gz\.manifest\.json\.tmp$ ENOSPC
sidecar-rename          rename  first:tar\.gz\.manifest\.json$  EIO
archive-rename          rename  first:tar\.gz$                  ENOSPC
dir-rename              rename  first:/full-backup-[0-9_]*$     EIO
"
bad=''
cases=0
while read -r label op sel err; do
	[ -n "$label" ] || continue
	cases=$((cases + 1))
	n=$(fault_point "$work/trace" "$op" "$sel")
	[ -n "$n" ] || { bad="$bad $label:no-such-point"; continue; }
	rc=0
	msg=$(fault_run "$out" "$op:$n:$err" "${cmd[@]}" -q 2>&1 >/dev/null) || rc=$?
	[ $rc -eq 1 ] || bad="$bad $label:exit-$rc"
	lines=$(grep -c 'error' <<<"$msg")
	case $err in
	ENOSPC) want='[Nn]o space left on device' ;;
	EIO) want='Input/output error' ;;
	esac
	{ [ "$lines" -eq 1 ] && grep -q "$want" <<<"$msg" && grep -q "$out" <<<"$msg"; } || bad="$bad $label:message($(tr '\n' ' ' <<<"$msg"))"
	[ "$(sums)" = "$before" ] || bad="$bad $label:final-names-changed:$(diff <(echo "$before") <(sums) | grep '^[<>]' | tr '\n' ' ')"
	[ -z "$(ls -A "$out" | grep '\.tmp$')" ] || bad="$bad $label:tmp-left:$(ls -A "$out" | grep '\.tmp$')"
done <<<"$points"
[ -z "$bad" ] && [ $cases -eq 20 ] && pass full-fault-20-points-exit-1-nothing-published || fail full-fault-20-points-exit-1-nothing-published "$cases cases;$bad"

# The output directory's fsync after each publishing rename (sidecar, archive,
# directory, full's own verification record): a warning and a whole backup,
# never a failed run that leaves something published.
fault_dir_fsyncs "$out" "$work/trace" 4 "${cmd[@]}"
[ -z "$FAULT_DIRSYNC_BAD" ] && [ "$FAULT_DIRSYNC_POINTS" -eq 4 ] && pass full-fault-dir-fsync-after-rename-warns ||
	fail full-fault-dir-fsync-after-rename-warns "$FAULT_DIRSYNC_POINTS points;$FAULT_DIRSYNC_BAD"
[ -e "$out/$old" ] && pass full-fault-nothing-pruned || fail full-fault-nothing-pruned "$old is gone"
[ -z "$(diff <(echo "$before") <(sums) | grep '^<')" ] && pass full-fault-earlier-backups-untouched || fail full-fault-earlier-backups-untouched "changed"
finish
