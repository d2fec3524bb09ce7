#!/usr/bin/env bash
# Full archives from s3:// (issue #16): verify s3://.../NAME.tar.gz[.enc]
# reads the object by ranged GETs through the archive's checks (members
# against MANIFEST.json, size and SHA-256 against the remote sidecar) and
# writes nothing locally; restore --to DIR s3://... gives the same tree and
# database as a restore of the local archive, plain and encrypted; a changed
# byte in the stored object is exit 3 and nothing is written; a wrong key
# is exit 3.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"
. "$LB_TOP/tests/lib/s3server.sh"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "$@"; }
says() { # says NAME PATTERN: the last command's output matches
	if grep -q -- "$2" <<<"$LB_LAST_OUTPUT"; then pass "$1"; else fail "$1" "no '$2' in: $LB_LAST_OUTPUT"; fi
}

s3_require lotbackup-full
export LOTBACKUP_S3_URL=s3://lotbackup-full/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1

src=$(new_db lb_s3f_src) || { fail s3f-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "CREATE TABLE public.t (id int PRIMARY KEY, v text);
	INSERT INTO public.t SELECT g, md5(g::text) FROM generate_series(1, 100000) g" || { fail s3f-fixture t; finish; }
work=$(tmpdir)
proj=$work/app
mkdir -p "$proj/src" && g init -q "$proj" || finish
printf '{ "name": "app" }\n' >"$proj/package.json"
printf 'export const x = 1;\n' >"$proj/src/app.js"
# Something incompressible, so that the archive spans several ranged reads.
head -c 6000000 /dev/urandom >"$proj/src/blob.bin"
g -C "$proj" add -A && g -C "$proj" commit -q -m first
printf 'const y = 2;\n' >>"$proj/src/app.js"
touch "$work/file"
nowhere=$work/file/out

check s3f-full "$LB_BIN" full -q --archive-only -C "$proj" -d "dbname=$src" -o "$work/out" || finish
arc=$(cd "$work/out" && ls lot-systems-full-backup-*.tar.gz)
check s3f-push "$LB_BIN" push "$work/out/$arc"
url=s3://lotbackup-full/site/$arc

check s3f-verify "$LB_BIN" verify -o "$nowhere" "$url"
says s3f-verify-members "ok   members"
says s3f-verify-checksum "ok   checksum"
says s3f-verify-tree "ok   tree"
check s3f-verify-by-name "$LB_BIN" verify --remote "$arc"

check s3f-restore "$LB_BIN" restore -o "$nowhere" --to "$work/restored" --with-uncommitted "$url" \
	-d dbname=lb_s3f_dst --create
d=$(diff -r -x .git "$proj" "$work/restored" 2>&1) && pass s3f-restore-tree || fail s3f-restore-tree "$d"
[ "$(git -C "$work/restored" rev-parse HEAD)" = "$(git -C "$proj" rev-parse HEAD)" ] && pass s3f-restore-commit ||
	fail s3f-restore-commit "$(git -C "$work/restored" log --oneline -1 2>&1)"
if d=$(compare_databases "$src" lb_s3f_dst 2>&1); then pass s3f-restore-database; else fail s3f-restore-database "$(head -n 30 <<<"$d")"; fi
check_exit s3f-restore-needs-to 2 "$LB_BIN" restore "$url"
check_exit s3f-restore-db-not-to 2 "$LB_BIN" restore --to "$work/x" s3://lotbackup-full/site/lot-systems-db-2001-01-01T00-00-00.sql.gz -d dbname=x

# Encrypted.
key=$work/lotbackup.key
check s3f-keygen "$LB_BIN" keygen "$key" || finish
check s3f-full-enc "$LB_BIN" full -q --encrypt --key-file "$key" -C "$proj" -d "dbname=$src" -o "$work/enc" || finish
enc=$(cd "$work/enc" && ls lot-systems-full-backup-*.tar.gz.enc)
check s3f-push-enc "$LB_BIN" push "$work/enc/$enc"
eurl=s3://lotbackup-full/site/$enc
check s3f-verify-enc "$LB_BIN" verify --key-file "$key" "$eurl"
says s3f-verify-enc-decrypt "ok   decrypt"
check s3f-restore-enc "$LB_BIN" restore --key-file "$key" --to "$work/restored-enc" "$eurl"
d=$(diff -r -x .git -x app.js "$proj" "$work/restored-enc" 2>&1) && pass s3f-restore-enc-tree || fail s3f-restore-enc-tree "$d"
"$LB_BIN" keygen "$work/other.key" >/dev/null 2>&1
check_exit s3f-verify-enc-wrong-key 3 "$LB_BIN" verify --key-file "$work/other.key" "$eurl"
says s3f-verify-enc-wrong-key-says "FAIL key"
check_exit s3f-restore-enc-wrong-key 3 "$LB_BIN" restore --key-file "$work/other.key" --to "$work/wk" "$eurl"
[ ! -e "$work/wk" ] || [ -z "$(ls -A "$work/wk")" ] && pass s3f-restore-enc-wrong-key-writes-nothing ||
	fail s3f-restore-enc-wrong-key-writes-nothing "$(ls -A "$work/wk")"

# A changed byte in the stored object.
stored=$(find "$S3_DIR" -path "*site/$arc._S3rver_object")
if [ -n "$stored" ]; then
	flip_byte "$stored" 3000000
	check_exit s3f-verify-damaged 3 "$LB_BIN" verify "$url"
	check_exit s3f-restore-damaged 3 "$LB_BIN" restore --to "$work/dmg" "$url"
	[ ! -e "$work/dmg" ] || [ -z "$(ls -A "$work/dmg")" ] && pass s3f-restore-damaged-writes-nothing ||
		fail s3f-restore-damaged-writes-nothing "$(ls -A "$work/dmg")"
else
	fail s3f-damage "cannot find the stored object under $S3_DIR"
fi
finish
