#!/usr/bin/env bash
# Disk full and I/O errors at chosen points (an LD_PRELOAD shim, test-only):
# a clear error, exit 1, no partial file under a final name, and retention
# deletes nothing after a failed run.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/fault.sh"

work=$(tmpdir)
shim=$work/fault-inject.so
cc -shared -fPIC -O1 -o "$shim" "$LB_TOP/tests/fault/fault-inject.c" -ldl || { fail fault-shim-build "cc failed"; finish; }
# Under `make asan` the sanitizer runtime must come first in LD_PRELOAD.
preload=$shim
if ldd "$LB_BIN" | grep -q libasan; then
	preload="$(ldd "$LB_BIN" | awk '/libasan/ {print $3}') $shim"
fi
db=$(new_db lb_fault) || { fail fault-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS m FROM generate_series(1, 200000) g" >/dev/null
out=$work/backups
mkdir -m 700 "$out"
# An old dump that --keep 1 would delete after a successful run.
old=lot-systems-db-$(date -u -d '10 days ago' +%Y-%m-%dT%H-%M-%S).sql.gz
echo x | gzip >"$out/$old" && echo '{}' >"$out/$old.manifest.json"
# A good earlier backup that must stay whole.
check fault-earlier-backup "$LB_BIN" db -q -d "dbname=$db" -o "$out" --keep 0
before=$(cd "$out" && sha256sum lot-systems-db-*.sql.gz | grep -v "$old" | sort)

bad=''
cases=0
for spec in write:1:ENOSPC write:3:ENOSPC write:4:EIO fsync:1:EIO fsync:2:ENOSPC rename:1:EIO rename:2:ENOSPC; do
	[ -e "$out/$old" ] || { echo x | gzip >"$out/$old"; echo '{}' >"$out/$old.manifest.json"; }
	rc=0
	err=$(LD_PRELOAD="$preload" LB_FAULT=$spec LB_FAULT_DIR=$out "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 1 2>&1 >/dev/null) || rc=$?
	cases=$((cases + 1))
	# Every file under a final name verifies; nothing is half there.
	for f in "$out"/lot-systems-db-*.sql.gz; do
		[ "$(basename "$f")" = "$old" ] && continue
		"$LB_BIN" verify -q "$f" >/dev/null 2>&1 || bad="$bad $spec:unverifiable:$(basename "$f")"
	done
	[ -e "$out/$old" ] || bad="$bad $spec:pruned-after-failure"
	if [ $rc -ne 1 ]; then
		bad="$bad $spec:exit-$rc"
	elif ! grep -q "error" <<<"$err"; then
		bad="$bad $spec:no-message"
	fi
	ls "$out" | grep -q '\.tmp$' && bad="$bad $spec:tmp-left"
	sleep 1	# a new second, a new name
done
[ -z "$bad" ] && [ $cases -eq 7 ] && pass fault-injection-7-points || fail fault-injection-7-points "$bad"
after=$(cd "$out" && sha256sum $(echo "$before" | awk '{print $2}') | sort)
[ "$before" = "$after" ] && pass fault-earlier-backup-untouched || fail fault-earlier-backup-untouched "changed"

# After each publishing rename (the manifest, then the dump) the output
# directory is fsynced before anything else is renamed, as in full's
# (125-faults-full.sh); a failed directory fsync only warns: the backup is
# whole and published, and verifies.
trace=$work/trace
: >"$trace"
sleep 1
LD_PRELOAD="$preload" LB_FAULT_TRACE=$trace LB_FAULT_DIR=$out "$LB_BIN" db -q -d "dbname=$db" -o "$out" --keep 0 ||
	fail fault-dir-fsync-trace "traced run failed"
order=$(awk -v d="$out" '
	$1 == "rename" && $5 ~ /\.sql\.gz(\.manifest\.json)?$/ { if (pending) bad = bad " " pending "-not-synced"; pending = $5; n++ }
	$1 == "fsync" && $5 == d && pending { pending = "" }
	END { if (pending) bad = bad " " pending "-not-synced"; print n ":" bad }' "$trace")
[ "$order" = "2:" ] && pass fault-dir-fsync-after-each-rename ||
	fail fault-dir-fsync-after-each-rename "renames:problems=$order; trace: $(grep -E '^(rename|fsync)' "$trace" | tail -n 8 | tr '\n' '|')"
FAULT_PRELOAD=$preload
# Three entries: the dump, its manifest and db's own verification record.
fault_dir_fsyncs "$out" "$trace" 3 "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 0
[ -z "$FAULT_DIRSYNC_BAD" ] && [ "$FAULT_DIRSYNC_POINTS" -eq 3 ] && pass fault-dir-fsync-after-rename-warns ||
	fail fault-dir-fsync-after-rename-warns "$FAULT_DIRSYNC_POINTS points;$FAULT_DIRSYNC_BAD"
LD_PRELOAD="$preload" LB_FAULT=write:2:ENOSPC LB_FAULT_DIR=$out "$LB_BIN" db -d "dbname=$db" -o "$out" 2>"$work/msg" >/dev/null
grep -q 'no space left on device: free space there, or write to another file system (--output-dir' "$work/msg" && pass fault-enospc-message || fail fault-enospc-message "$(cat "$work/msg")"
finish
