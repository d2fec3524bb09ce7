#!/usr/bin/env bash
# restore s3:// and verify --restore s3:// stream the object (issue #16):
# nothing is written locally (an output directory that cannot even be made
# does not matter), the whole object is checked first, then tables load
# from ranged GETs of their gzip members, side by side and in parts; a
# connection dropped in the middle of a GET goes on from the byte it
# stopped at (tests/lib/s3-fault-proxy.py --cut-get), plain and encrypted,
# giving the same database as a restore of the local file.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-stream
export LOTBACKUP_S3_URL=s3://lotbackup-stream/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1

work=$(tmpdir)
out=$work/backups
# No directory can be made below a file: a restore that needs local room fails.
touch "$work/file"
nowhere=$work/file/out
src=$(new_db lb_s3s_src)
psql -X -q -d "$src" -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 60000) g;
	CREATE TABLE u AS SELECT g AS n FROM generate_series(1, 500) g; CREATE INDEX ON u (n)" || exit 1
check s3s-make-dump "$LB_BIN" db -q -d "$src" -o "$out" || finish
name=$(cd "$out" && ls lot-systems-db-*.sql.gz)
check s3s-push "$LB_BIN" push "$out/$name"
url=s3://lotbackup-stream/site/$name
loc=$(new_db lb_s3s_local)
check s3s-restore-local "$LB_BIN" restore "$out/$name" -d "dbname=$loc"

same() { # CHECK DB: DB holds what the local restore does
	local d
	if d=$(compare_databases "$loc" "$2" 2>&1); then pass "$1"; else fail "$1" "$(head -n 30 <<<"$d")"; fi
}

rem=$(new_db lb_s3s_remote)
check s3s-restore-no-local-room "$LB_BIN" restore -o "$nowhere" --jobs 2 "$url" -d "dbname=$rem"
same s3s-restore-no-local-room-same "$rem"
check s3s-verify-restore-no-local-room "$LB_BIN" verify --restore -o "$nowhere" "$url"
grep -q "ok   content" <<<"$LB_LAST_OUTPUT" && pass s3s-verify-restore-content || fail s3s-verify-restore-content "$LB_LAST_OUTPUT"

# Through a proxy that drops every GET of more than 200 kB after 200 kB: the
# check's whole GET (each time it goes on), then the tables' ranges.
log=$work/proxy.log
s3_proxy_start "$log" --cut-get 200000 || { fail s3s-proxy "the fault proxy did not start"; finish; }
cut=$(new_db lb_s3s_cut)
check s3s-restore-cut env LOTBACKUP_S3_ENDPOINT="$S3_PROXY_ENDPOINT" "$LB_BIN" restore -o "$nowhere" --jobs 2 \
	--split-tables-larger-than 1 "$url" -d "dbname=$cut"
same s3s-restore-cut-same "$cut"
grep -q " 200 cut" "$log" && grep -q " 206 cut bytes=[0-9]*-[0-9]" "$log" && pass s3s-restore-cut-happened ||
	fail s3s-restore-cut-happened "$(cat "$log")"
grep -q "going on from there" <<<"$LB_LAST_OUTPUT" && pass s3s-restore-cut-says || fail s3s-restore-cut-says "$LB_LAST_OUTPUT"
grep -q "GET [^ ]*$name 206" "$log" && pass s3s-restore-ranged || fail s3s-restore-ranged "$(cat "$log")"

# The check's whole read records where each gzip member starts: a later part of a table finds
# its member there, with no ranged GET of each member's header (24 bytes) on the way.
s3_proxy_start "$work/ranges.log" --note-ranges || { fail s3s-proxy-ranges "the fault proxy did not start"; finish; }
parts=$(new_db lb_s3s_parts)
check s3s-restore-parts env LOTBACKUP_S3_ENDPOINT="$S3_PROXY_ENDPOINT" "$LB_BIN" restore -o "$nowhere" --jobs 2 \
	--split-tables-larger-than 1 "$url" -d "dbname=$parts"
same s3s-restore-parts-same "$parts"
heads=$(awk '$1 == "GET" && $NF ~ /^bytes=[0-9]+-[0-9]+$/ { split(substr($NF, 7), r, "-"); if (r[2] - r[1] + 1 == 24) n++ }
	END { print n + 0 }' "$work/ranges.log")
ranged=$(grep -c "^GET [^ ]*$name 206" "$work/ranges.log")
[ "$heads" -eq 0 ] && [ "$ranged" -ge 2 ] && pass s3s-restore-parts-no-header-gets ||
	fail s3s-restore-parts-no-header-gets "$heads GETs of a member's header, $ranged ranged GETs: $(cat "$work/ranges.log")"
kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null

# Encrypted, through the same kind of proxy.
key=$work/lotbackup.key
check s3s-keygen "$LB_BIN" keygen "$key"
check s3s-make-enc env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" db -q --encrypt -d "$src" -o "$work/enc" || finish
enc=$(cd "$work/enc" && ls lot-systems-db-*.sql.gz.enc)
check s3s-push-enc "$LB_BIN" push "$work/enc/$enc"
s3_proxy_start "$work/proxy-enc.log" --cut-get 200000 || { fail s3s-proxy-enc "the fault proxy did not start"; finish; }
encdb=$(new_db lb_s3s_enc)
check s3s-restore-enc-cut env LOTBACKUP_KEY_FILE="$key" LOTBACKUP_S3_ENDPOINT="$S3_PROXY_ENDPOINT" "$LB_BIN" restore \
	-o "$nowhere" "s3://lotbackup-stream/site/$enc" -d "dbname=$encdb"
same s3s-restore-enc-cut-same "$encdb"
grep -q " cut " "$work/proxy-enc.log" && pass s3s-restore-enc-cut-happened || fail s3s-restore-enc-cut-happened "$(cat "$work/proxy-enc.log")"
check s3s-verify-restore-enc env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" verify --restore -o "$nowhere" \
	"s3://lotbackup-stream/site/$enc"

# What restore s3:// of earlier versions left after a crash (.lotbackup-fetch-
# and mkdtemp's six characters) goes with the next run that takes the lock;
# a name that only looks like it stays.
mkdir -p "$out/.lotbackup-fetch-Ab12Cd" "$out/.lotbackup-fetch-notours"
echo x >"$out/.lotbackup-fetch-Ab12Cd/$name"
touch -d '1 hour ago' "$out/.lotbackup-fetch-Ab12Cd" "$out/.lotbackup-fetch-notours"
check s3s-leftover-run "$LB_BIN" db -d "$src" -o "$out"
[ ! -e "$out/.lotbackup-fetch-Ab12Cd" ] && [ -d "$out/.lotbackup-fetch-notours" ] && pass s3s-leftover-fetch-removed ||
	fail s3s-leftover-fetch-removed "$(ls -A "$out")"
finish
