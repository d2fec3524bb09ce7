#!/usr/bin/env bash
# db --upload and full --upload against a real S3 server on 127.0.0.1
# (s3rver 5, tests/lib/s3server.sh; the fault proxy in front where a fault
# or a clock is needed): the dump streams off-site while it is written,
# its manifest last; pull gives back the same bytes; a NAME.remote.json
# record says the remote copy was verified; with --encrypt only ciphertext
# goes off-site. When the upload fails (server
# killed, wrong keys, no store configured) the local backup is kept whole,
# the run exits 1, says so in one line, sends the failure ping and leaves
# no remote manifest.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"
. "$LB_TOP/tests/lib/notify-listener.sh"

s3_require lotbackup-upload
export LOTBACKUP_S3_URL=s3://lotbackup-upload/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1
work=$(tmpdir)
db=$(new_db lb_s3_upload)
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g" || exit 1

# A listener for --notify-url: each request line to a log.
reqlog=$work/requests.log
notify_listener_start "$reqlog" "$work/bodies.log" || { fail upload-listener "the notify listener did not start"; finish; }
ping=$NOTIFY_BASE/ping

# The plain case: one PUT (the dump is smaller than a part), manifest last, pulled back identical.
out=$work/backups
check upload-db "$LB_BIN" db --upload -d "$db" -o "$out" || finish
name=$(cd "$out" && ls lot-systems-db-*.sql.gz)
grep -q "uploaded $name (.*, 1 part) to s3://lotbackup-upload/site/$name, its manifest last" <<<"$LB_LAST_OUTPUT" &&
	pass upload-db-says || fail upload-db-says "$LB_LAST_OUTPUT"
s3_check_record upload-db-record "$out/$name" s3://lotbackup-upload/site
check upload-db-list-local "$LB_BIN" list --wide -o "$out"
grep -Eq "^db .* (yes|no) +(yes|no) +yes +$name " <<<"$LB_LAST_OUTPUT" && pass upload-db-list-local-offsite ||
	fail upload-db-list-local-offsite "$LB_LAST_OUTPUT"
check upload-db-list "$LB_BIN" list --remote
grep -Eq "^db +$name +[0-9.]+ [KM]iB +yes" <<<"$LB_LAST_OUTPUT" && pass upload-db-listed ||
	fail upload-db-listed "$LB_LAST_OUTPUT"
check upload-db-pull "$LB_BIN" -o "$work/pulled" pull "$name"
cmp -s "$out/$name" "$work/pulled/$name" && pass upload-db-pull-identical || fail upload-db-pull-identical "differs"
cmp -s "$out/$name.manifest.json" "$work/pulled/$name.manifest.json" && pass upload-db-pull-manifest-identical ||
	fail upload-db-pull-manifest-identical "differs"
check_exit upload-db-verifies 0 "$LB_BIN" verify "$out/$name"

# db --encrypt --upload: the ciphertext goes off-site (encrypt, then upload), byte for byte the
# local .enc file; no row value is readable in the stored object; pulled, it verifies with the key.
psql -X -q -d "$db" -c "CREATE TABLE marked AS SELECT g AS id, 'plaintext-marker-' || g AS v FROM generate_series(1, 5000) g" ||
	exit 1
check upload-plain-marked "$LB_BIN" db -d "$db" -o "$work/plain"
plain=$(ls "$work/plain"/lot-systems-db-*.sql.gz)
json=$("$LB_BIN" list -o "$work/plain" --json 2>/dev/null)
python3 -c 'import json,sys; d = json.load(sys.stdin); sys.exit(0 if d and d[0]["offsite"] is False else 1)' <<<"$json" &&
	pass upload-plain-not-offsite || fail upload-plain-not-offsite "$json"
check upload-keygen "$LB_BIN" keygen "$work/k.key"
check upload-encrypted "$LB_BIN" db --encrypt --key-file "$work/k.key" --upload -d "$db" -o "$work/enc"
enc=$(cd "$work/enc" && ls lot-systems-db-*.sql.gz.enc)
grep -q "uploaded $enc " <<<"$LB_LAST_OUTPUT" && [ -f "$work/enc/$enc.remote.json" ] && pass upload-encrypted-uploaded ||
	fail upload-encrypted-uploaded "$LB_LAST_OUTPUT"
stored=$(find "$S3_DIR" -name "$enc._S3rver_object")
if [ -z "$stored" ]; then
	fail upload-encrypted-stored "no object for $enc under $S3_DIR"
elif ! zcat "$plain" | grep -aq plaintext-marker-4242; then
	fail upload-encrypted-no-plaintext "the marker is not in the plain dump either: the check proves nothing"
elif grep -aq plaintext-marker "$stored" || zcat "$stored" 2>/dev/null | grep -aq plaintext-marker; then
	fail upload-encrypted-no-plaintext "a row value is readable in the stored object $stored"
else
	pass upload-encrypted-no-plaintext
fi
[ -n "$stored" ] && cmp -s "$stored" "$work/enc/$enc" && pass upload-encrypted-object-is-the-file ||
	fail upload-encrypted-object-is-the-file "the stored object differs from $work/enc/$enc"
check upload-encrypted-pull "$LB_BIN" -o "$work/enc-pulled" pull "$enc"
cmp -s "$work/enc/$enc" "$work/enc-pulled/$enc" && cmp -s "$work/enc/$enc.manifest.json" \
	"$work/enc-pulled/$enc.manifest.json" && pass upload-encrypted-pull-identical || fail upload-encrypted-pull-identical "differs"
check_exit upload-encrypted-pulled-verifies 0 "$LB_BIN" verify --key-file "$work/k.key" "$work/enc-pulled/$enc"

# LOTBACKUP_UPLOAD=1 in the project's .env does the same; full --upload sends the archive and its sidecar.
proj=$work/proj
mkdir -p "$proj"
printf 'LOTBACKUP_UPLOAD=1\n' >"$proj/.env"
sleep 1
check upload-dotenv "$LB_BIN" db -C "$proj" -d "$db" -o "$work/dotenv"
ls "$work/dotenv"/*.remote.json >/dev/null 2>&1 && pass upload-dotenv-uploaded || fail upload-dotenv-uploaded "$LB_LAST_OUTPUT"
check upload-full "$LB_BIN" full -C "$proj" --no-git --archive-only -d "$db" -o "$work/full"
arc=$(cd "$work/full" && ls lot-systems-full-backup-*.tar.gz)
[ -f "$work/full/$arc.remote.json" ] && grep -q "uploaded $arc" <<<"$LB_LAST_OUTPUT" && pass upload-full-uploaded ||
	fail upload-full-uploaded "$LB_LAST_OUTPUT"
check upload-full-pull "$LB_BIN" -o "$work/full-pulled" pull "$arc"
cmp -s "$work/full/$arc" "$work/full-pulled/$arc" && cmp -s "$work/full/$arc.manifest.json" \
	"$work/full-pulled/$arc.manifest.json" && pass upload-full-pull-identical || fail upload-full-pull-identical "differs"
check_exit upload-full-dir-only 2 "$LB_BIN" full -C "$proj" --no-git --dir-only --upload -d "$db" -o "$work/full"

# Wrong keys: the local backup is made and whole, one line on the keys, the secret nowhere, exit 1.
secret=not-the-secret-Zq81xK
check_exit upload-wrong-secret 1 env AWS_SECRET_ACCESS_KEY=$secret "$LB_BIN" db --upload -d "$db" -o "$work/wrong"
[ "$(grep -c 'SignatureDoesNotMatch.*check AWS_SECRET_ACCESS_KEY' <<<"$LB_LAST_OUTPUT")" -eq 1 ] &&
	pass upload-wrong-secret-one-line || fail upload-wrong-secret-one-line "$LB_LAST_OUTPUT"
grep -q "is a whole local backup, but its off-site copy failed" <<<"$LB_LAST_OUTPUT" &&
	pass upload-wrong-secret-says-local-ok || fail upload-wrong-secret-says-local-ok "$LB_LAST_OUTPUT"
grep -q "$secret" <<<"$LB_LAST_OUTPUT" && fail upload-wrong-secret-not-shown "$LB_LAST_OUTPUT" ||
	pass upload-wrong-secret-not-shown
wrong=$(cd "$work/wrong" && ls lot-systems-db-*.sql.gz)
check_exit upload-wrong-secret-local-verifies 0 "$LB_BIN" verify "$work/wrong/$wrong"
[ ! -e "$work/wrong/$wrong.remote.json" ] && pass upload-wrong-secret-no-record || fail upload-wrong-secret-no-record "a record"
grep -rq "$secret" "$work/wrong" && fail upload-wrong-secret-not-in-files "found" || pass upload-wrong-secret-not-in-files
check_exit upload-no-store 1 env -u LOTBACKUP_S3_URL "$LB_BIN" db --upload -d "$db" -o "$work/nostore"
grep -q 'set LOTBACKUP_S3_URL' <<<"$LB_LAST_OUTPUT" && [ -n "$(ls "$work/nostore"/lot-systems-db-*.sql.gz)" ] &&
	pass upload-no-store-local-kept || fail upload-no-store-local-kept "$LB_LAST_OUTPUT"

# A dump of about 33 MiB in parts of 5 MiB (seven), one at a time, each held 0.4 s by the proxy.
# So many parts that, with the parts in flight bounded, the dump cannot have ended when the
# first is on the server (with three it could: the other two fit in the bound).
psql -X -q -d "$db" -c "CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS v
	FROM generate_series(1, 500000) g" -c "CREATE TABLE big_stream AS SELECT g AS id,
	md5(g::text) || md5((g + 1)::text) AS v FROM generate_series(1, 1000000) g" || exit 1
s3_proxy_start "$work/stream.log" --delay-parts 0.4 || { fail s3-proxy "the fault proxy did not start"; finish; }
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT "$LB_BIN" db --upload --part-size 5 --upload-jobs 1 -d "$db" \
	-o "$work/stream" >"$work/stream.out" 2>&1 &
dumper=$!
s3_proxy_wait_part "$work/stream.log" 1
# The first part is on the server while the dump is still being written: no final file yet.
if kill -0 "$dumper" 2>/dev/null && ! ls "$work/stream"/lot-systems-db-*.sql.gz >/dev/null 2>&1; then
	pass upload-streams-while-dumping
else
	fail upload-streams-while-dumping "$(ls -la "$work/stream"; cat "$work/stream.log")"
fi
wait "$dumper"
rc=$?
[ "$rc" -eq 0 ] && pass upload-stream-exit-0 || fail upload-stream-exit-0 "exit $rc: $(cat "$work/stream.out")"
stream=$(cd "$work/stream" && ls lot-systems-db-*.sql.gz)
[ "$(grep -c "^PUT .*$stream?.*partNumber=" "$work/stream.log")" -ge 6 ] && pass upload-stream-multipart ||
	fail upload-stream-multipart "$(cat "$work/stream.log")"
# The manifest is the last object written, after the parts, the completion and the data's check (HEAD).
grep -v '^HEAD .*manifest' "$work/stream.log" | tail -n 2 | tr '\n' ' ' |
	grep -Eq "^HEAD [^ ]*/$stream 200 PUT [^ ]*/$stream.manifest.json 200 $" && pass upload-manifest-last ||
	fail upload-manifest-last "$(cat "$work/stream.log")"
check upload-stream-pull env LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT "$LB_BIN" -o "$work/stream-pulled" pull "$stream"
cmp -s "$work/stream/$stream" "$work/stream-pulled/$stream" && pass upload-stream-pull-identical ||
	fail upload-stream-pull-identical "differs"
kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null
psql -X -q -d "$db" -c "DROP TABLE big_stream" || exit 1

# The upload's tail (its last part, the completion, the HEAD) runs beside db's check of its own
# file, not after it: the proxy holds the completion until the check's record is written.
s3_proxy_start "$work/held.log" --hold-object-until "$work/held/*.verified.json" ||
	{ fail s3-proxy "the fault proxy did not start"; finish; }
check upload-beside-check env LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT "$LB_BIN" db --upload --part-size 5 \
	-d "$db" -o "$work/held"
grep -Eq '^POST [^ ]*uploadId=[^ ]* 200 held$' "$work/held.log" && pass upload-completes-beside-check ||
	fail upload-completes-beside-check "$(cat "$work/held.log")"
held=$(cd "$work/held" && ls lot-systems-db-*.sql.gz)
[ -f "$work/held/$held.remote.json" ] && grep -q "uploaded $held " <<<"$LB_LAST_OUTPUT" &&
	pass upload-beside-check-recorded || fail upload-beside-check-recorded "$LB_LAST_OUTPUT"
kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null
# Dumps are named to the second: the next one must not take the name of the one just uploaded
# whole, or the listing below would show that one (a flake when both started in one second).
sleep 1

# The server killed while the parts are on their way: exit 1, the local dump whole, no remote
# manifest, the failure ping sent.
s3_proxy_start "$work/kill.log" --delay-parts 0.4 || { fail s3-proxy "the fault proxy did not start"; finish; }
LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT "$LB_BIN" db --upload --part-size 5 --upload-jobs 1 --notify-url "$ping" \
	-d "$db" -o "$work/killed" >"$work/kill.out" 2>&1 &
dumper=$!
s3_proxy_wait_part "$work/kill.log" 2
s3_stop
wait "$dumper"
rc=$?
[ "$rc" -eq 1 ] && pass upload-killed-exit-1 || fail upload-killed-exit-1 "exit $rc: $(cat "$work/kill.out")"
grep -q "is a whole local backup, but its off-site copy failed" "$work/kill.out" && pass upload-killed-says-local-ok ||
	fail upload-killed-says-local-ok "$(cat "$work/kill.out")"
killed=$(cd "$work/killed" && ls lot-systems-db-*.sql.gz)
check_exit upload-killed-local-verifies 0 "$LB_BIN" verify "$work/killed/$killed"
[ ! -e "$work/killed/$killed.remote.json" ] && pass upload-killed-no-record || fail upload-killed-no-record "a record"
grep -q "^PUT .*$killed.manifest.json" "$work/kill.log" && fail upload-killed-no-manifest-sent "$(cat "$work/kill.log")" ||
	pass upload-killed-no-manifest-sent
grep -q "GET /ping/fail " "$reqlog" && pass upload-killed-fail-ping || fail upload-killed-fail-ping "$(cat "$reqlog")"
s3_restart || { fail s3-restart "s3rver did not start again"; finish; }
check upload-killed-list-after "$LB_BIN" list --remote
grep -Eq "^db +$killed .* yes" <<<"$LB_LAST_OUTPUT" && fail upload-killed-not-a-backup "$LB_LAST_OUTPUT" ||
	pass upload-killed-not-a-backup
finish
