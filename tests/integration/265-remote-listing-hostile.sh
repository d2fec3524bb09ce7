#!/usr/bin/env bash
# Off-site listings a server should never give (tests/lib/s3-fault-proxy.py
# in front of s3rver): one naming the newest backup twice is refused by
# list, prune and status --remote (exit 1, the key named) and prune deletes
# nothing, where an honest listing keeps all five backups; ListObjectsV2
# continuation tokens going round (A, B, A...), pages of new keys without
# end (refused at 1000000 keys, or at 10000 pages of one key), and
# multipart-upload markers going round are refused (exit 1, the bucket and
# prefix named) rather than hanging or growing without bound. Each run is
# under a timeout: a hang fails, never blocks.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-hostile
export LOTBACKUP_S3_URL=s3://lotbackup-hostile/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1
where=s3://lotbackup-hostile/site/
work=$(tmpdir)
out=$work/out
up=$work/up
mkdir -m 700 "$out" "$up"

# Five daily dumps with manifests, the newest 3 hours old.
python3 - "$up" "$(date -u +%s)" <<'PY'
import hashlib, json, os, sys, time
up, now = sys.argv[1], int(sys.argv[2])
for k in range(5):
    name = time.strftime("lot-systems-db-%Y-%m-%dT%H-%M-%S.sql.gz", time.gmtime(now - 3 * 3600 - k * 86400))
    data = ("dump %d\n" % k).encode()
    open(os.path.join(up, name), "wb").write(data)
    json.dump({"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()},
              open(os.path.join(up, name + ".manifest.json"), "w"))
PY
dumps=("$up"/lot-systems-db-*.sql.gz)
newest=$(basename "${dumps[4]}")
check lh-push "$LB_BIN" -o "$out" push "${dumps[@]}"
stored() { [ -n "$(find "$S3_DIR/lotbackup-hostile" -path "*/lotbackup-hostile/site/$1._S3rver_object" 2>/dev/null)" ]; }
policy=(--kind db --keep-daily 7 --keep-weekly 0 --keep-monthly 0)
# lb NAME WANT ARGS...: lotbackup ARGS exits WANT within 30 s (a hang is exit 124).
lb() {
	local name=$1 want=$2
	shift 2
	check_exit "$name" "$want" timeout 30 "$LB_BIN" -o "$out" "$@"
}
proxy() {
	: >"$work/proxy.log"
	s3_proxy_start "$work/proxy.log" "$@" || { fail lh-proxy "the fault proxy did not start"; finish; }
}
proxy_stop() { kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null; }
lists() { grep -c "^GET .*$1" "$work/proxy.log"; }

# An honest listing: all five kept.
lb lh-honest-dry-run 0 prune --remote --dry-run "${policy[@]}"
[ "$(grep -c '^keep ' <<<"$LB_LAST_OUTPUT")" = 5 ] && ! grep -q 'would delete' <<<"$LB_LAST_OUTPUT" &&
	pass lh-honest-keeps-five || fail lh-honest-keeps-five "$LB_LAST_OUTPUT"

# The newest backup and its manifest listed twice: refused, nothing deleted.
proxy --list-repeat "$newest"
said_dup() {
	grep -q "$where$newest.*listed this key twice.*listing is inconsistent" <<<"$LB_LAST_OUTPUT" && pass "$1" ||
		fail "$1" "$LB_LAST_OUTPUT"
}
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT lb lh-dup-dry-run 1 prune --remote --dry-run "${policy[@]}"
said_dup lh-dup-dry-run-says
grep -q '^would delete' <<<"$LB_LAST_OUTPUT" && fail lh-dup-dry-run-no-plan "$LB_LAST_OUTPUT" || pass lh-dup-dry-run-no-plan
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT lb lh-dup-prune 1 prune --remote "${policy[@]}"
said_dup lh-dup-prune-says
grep -q '^DELETE ' "$work/proxy.log" && fail lh-dup-prune-no-delete "$(cat "$work/proxy.log")" || pass lh-dup-prune-no-delete
stored "$newest" && stored "$newest.manifest.json" && pass lh-dup-newest-survives ||
	fail lh-dup-newest-survives "site/$newest or its manifest is gone"
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT lb lh-dup-list 1 list --remote
said_dup lh-dup-list-says
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT lb lh-dup-status 1 status --remote --max-age 2d
said_dup lh-dup-status-says
proxy_stop
left=$("$LB_BIN" -o "$out" list --remote --json 2>/dev/null)
[ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["backups"]))' <<<"$left")" = 5 ] &&
	pass lh-all-five-left || fail lh-all-five-left "$left"

# Continuation tokens A, B, A...: refused at the first token given again.
proxy --list-pages cycle
for cmd in "list --remote" "prune --remote --dry-run ${policy[*]}" "status --remote --max-age 2d"; do
	: >"$work/proxy.log"
	name=lh-cycle-${cmd%% *}
	LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT lb "$name" 1 $cmd
	grep -q "$where: the listing gives a continuation token it gave before" <<<"$LB_LAST_OUTPUT" &&
		[ "$(lists list-type)" -le 3 ] && pass "$name-says" ||
		fail "$name-says" "$(lists list-type) pages; $LB_LAST_OUTPUT"
done
proxy_stop

# Pages of 1000 new keys, each with a new token: refused at the cap, in bounded memory
# (under 2 GiB of address space, so a listing without a cap fails rather than eats the machine).
proxy --list-pages endless
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT check_exit lh-endless 1 bash -c \
	'ulimit -v $((2 << 20)); exec /usr/bin/time -f "maxrss %M" timeout 120 "$@"' - "$LB_BIN" -o "$out" list --remote
grep -q "$where: the listing goes on past 1000000 keys" <<<"$LB_LAST_OUTPUT" && pass lh-endless-says ||
	fail lh-endless-says "$LB_LAST_OUTPUT"
rss=$(sed -n 's/^maxrss //p' <<<"$LB_LAST_OUTPUT")
[ "${rss:-0}" -gt 0 ] && [ "$rss" -lt $((512 * 1024)) ] && pass lh-endless-bounded || fail lh-endless-bounded "max RSS ${rss:-?} KiB"
proxy_stop

# One new key a page, each with a new token: refused at the page cap.
proxy --list-pages endless-pages
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT check_exit lh-endless-pages 1 timeout 120 "$LB_BIN" -o "$out" list --remote
grep -q "$where: the listing goes on past 10000 pages" <<<"$LB_LAST_OUTPUT" && [ "$(lists list-type)" -eq 10000 ] &&
	pass lh-endless-pages-says || fail lh-endless-pages-says "$(lists list-type) pages; $LB_LAST_OUTPUT"
proxy_stop

# ListMultipartUploads markers A, B, A...: refused as well, by the same check.
proxy --list-pages uploads-cycle
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT lb lh-uploads-cycle 1 list --remote
grep -q "$where: the list of multipart uploads gives a marker it gave before" <<<"$LB_LAST_OUTPUT" &&
	[ "$(lists uploads)" -le 3 ] && pass lh-uploads-cycle-says || fail lh-uploads-cycle-says "$(lists uploads) pages; $LB_LAST_OUTPUT"
proxy_stop
finish
