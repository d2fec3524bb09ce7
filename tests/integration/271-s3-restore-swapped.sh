#!/usr/bin/env bash
# restore s3:// checks the whole object, then loads it by ranged GETs: a
# server (or something on a plain-http connection) that sends another
# object the second time must not get it loaded. Before, nothing tied the
# two reads: a dump whose table member was rewritten at the same length,
# or another dump encrypted with the same key, loaded with exit 0 (found
# by an adversarial review). Now every later read is compared, block by
# block, with what the check read, before its bytes go on: the load stops
# at the first block that differs, and none of the other object's rows
# reach the database.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-swap
export LOTBACKUP_S3_URL=s3://lotbackup-swap/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1

work=$(tmpdir)
src=$(new_db lb_swap_src)
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "CREATE TABLE t (id int PRIMARY KEY, v text);
  INSERT INTO t SELECT g, 'original-' || md5(g::text) FROM generate_series(1, 20000) g;
  CREATE TABLE u AS SELECT g AS n FROM generate_series(1, 500) g;" || { fail swap-setup psql; finish; }
check swap-dump "$LB_BIN" db -q -d "$src" -o "$work/out" || finish
name=$(cd "$work/out" && ls lot-systems-db-*.sql.gz)
check swap-push "$LB_BIN" push "$work/out/$name"

# The same file but table t's gzip member: its rows say INJECTED, recompressed
# to the same length (a comment in its gzip header pads it).
python3 - "$work/out/$name" "$work/evil.sql.gz" <<'PY' || { fail swap-forge "cannot forge"; finish; }
import json, struct, sys, zlib
good, out = sys.argv[1:3]
m = json.load(open(good + '.manifest.json'))
d = open(good, 'rb').read()
t = [x for x in m['tables'] if x['name'] == 't'][0]
a, n = t['gz_offset'], t['gz_length']
plain = zlib.decompress(d[a:a + n], 16 + 15)
plain = b'\n'.join(l.split(b'\t')[0] + b'\tINJECTED' if l.split(b'\t')[-1].startswith(b'original-') else l
                   for l in plain.split(b'\n'))
co = zlib.compressobj(9, zlib.DEFLATED, -15)
body = co.compress(plain) + co.flush()
pad = n - (10 + len(body) + 8 + 1)
assert pad >= 0
member = bytes([0x1f, 0x8b, 8, 0x10, 0, 0, 0, 0, 0, 3]) + b'x' * pad + b'\0' + body + \
    struct.pack('<II', zlib.crc32(plain) & 0xffffffff, len(plain) & 0xffffffff)
open(out, 'wb').write(d[:a] + member + d[a + n:])
PY

# no_injected NAME DB WORD: the database holds no row of the other object.
no_injected() {
	local n
	n=$(psql -X -At -d "$2" -c "SELECT count(*) FROM t WHERE v LIKE '$3%'" 2>/dev/null || echo 0)
	[ "${n:-0}" = 0 ] && pass "$1" || fail "$1" "$n rows of the other object were loaded"
}

# Plain: the first GET (the check) gets the genuine object, every later one the forged file.
s3_proxy_start "$work/plain.log" --swap-after 1 "$work/evil.sql.gz" || { fail swap-proxy "no proxy"; finish; }
db=$(new_db lb_swap_plain)
check_exit swap-plain-refused 1 env LOTBACKUP_S3_ENDPOINT="$S3_PROXY_ENDPOINT" "$LB_BIN" restore --jobs 2 \
	"s3://lotbackup-swap/site/$name" -d "dbname=$db"
grep -q "not those checked before the load" <<<"$LB_LAST_OUTPUT" && pass swap-plain-says ||
	fail swap-plain-says "$LB_LAST_OUTPUT"
# Said once, where found: not again as a reply cut short (it was not).
! grep -q "reply ends at byte" <<<"$LB_LAST_OUTPUT" && pass swap-plain-said-once ||
	fail swap-plain-said-once "$LB_LAST_OUTPUT"
grep -q swapped "$work/plain.log" && pass swap-plain-happened || fail swap-plain-happened "$(cat "$work/plain.log")"
no_injected swap-plain-nothing-loaded "$db" INJECTED
kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null

# Encrypted: another dump of the database, encrypted with the same key, sent the second time.
key=$work/lotbackup.key
check swap-keygen "$LB_BIN" keygen "$key"
check swap-enc-dump env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" db -q --encrypt -d "$src" -o "$work/enc" || finish
enc=$(cd "$work/enc" && ls lot-systems-db-*.sql.gz.enc)
check swap-enc-push "$LB_BIN" push "$work/enc/$enc"
psql -X -q -d "$src" -c "UPDATE t SET v = 'EVIL-' || md5(id::text)" >/dev/null
sleep 1
check swap-enc-other env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" db -q --encrypt -d "$src" -o "$work/enc2" || finish
other=$(ls "$work"/enc2/lot-systems-db-*.sql.gz.enc)
s3_proxy_start "$work/enc.log" --swap-after 1 "$other" || { fail swap-proxy-enc "no proxy"; finish; }
db=$(new_db lb_swap_enc)
check_exit swap-enc-refused 1 env LOTBACKUP_KEY_FILE="$key" LOTBACKUP_S3_ENDPOINT="$S3_PROXY_ENDPOINT" \
	"$LB_BIN" restore "s3://lotbackup-swap/site/$enc" -d "dbname=$db"
grep -q "not those checked before the load" <<<"$LB_LAST_OUTPUT" && pass swap-enc-says ||
	fail swap-enc-says "$LB_LAST_OUTPUT"
no_injected swap-enc-nothing-loaded "$db" EVIL
kill "$S3_PROXY_PID" 2>/dev/null; wait "$S3_PROXY_PID" 2>/dev/null

# A full archive (restore --to), encrypted: another project's archive sent the second time.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
full_of() { # full_of DIR NAME: a project whose package.json names NAME, archived encrypted under DIR/out
	mkdir -p "$1/app" && git -C "$1/app" init -q && printf '{ "name": "%s" }\n' "$2" >"$1/app/package.json" &&
		git -C "$1/app" -c user.name=t -c user.email=t@example.com add -A &&
		git -C "$1/app" -c user.name=t -c user.email=t@example.com commit -q -m first &&
		env -u PGHOST -u PGDATABASE LOTBACKUP_KEY_FILE="$key" "$LB_BIN" full -q --archive-only --encrypt \
			-C "$1/app" -o "$1/out" 2>/dev/null
}
full_of "$work/good" good-app && full_of "$work/evil" EVIL-app || { fail swap-full-setup "cannot archive"; finish; }
arc=$(cd "$work/good/out" && ls lot-systems-full-backup-*.tar.gz.enc)
check swap-full-push "$LB_BIN" push "$work/good/out/$arc"
s3_proxy_start "$work/full.log" --swap-after 1 "$(ls "$work"/evil/out/lot-systems-full-backup-*.tar.gz.enc)" ||
	{ fail swap-proxy-full "no proxy"; finish; }
rc=0
LB_LAST_OUTPUT=$(env LOTBACKUP_S3_ENDPOINT="$S3_PROXY_ENDPOINT" "$LB_BIN" restore --key-file "$key" \
	--to "$work/restored" "s3://lotbackup-swap/site/$arc" 2>&1) || rc=$?
# The other archive may be shorter: its end then shows first, before any of its blocks is compared.
[ $rc -ne 0 ] && grep -Eq "not those checked before the load|the server's reply ends at byte" <<<"$LB_LAST_OUTPUT" &&
	pass swap-full-refused ||
	fail swap-full-refused "exit $rc: $LB_LAST_OUTPUT"
! grep -qs EVIL "$work/restored/package.json" && pass swap-full-nothing-written ||
	fail swap-full-nothing-written "$(cat "$work/restored/package.json")"
finish
