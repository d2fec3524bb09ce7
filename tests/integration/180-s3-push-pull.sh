#!/usr/bin/env bash
# Off-site copies against a real S3 server on 127.0.0.1 (s3rver 5, which
# checks SigV4 signatures; tests/lib/s3server.sh): push, list --remote and
# pull give back identical bytes; a multipart upload of several parts; a
# dump without a manifest; damaged remote bytes refused; wrong keys give one
# clear line that never shows the secret.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-test
export LOTBACKUP_S3_URL=s3://lotbackup-test/site/db LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1

work=$(tmpdir)
out=$work/backups
back=$work/pulled
db=$(new_db lb_s3_push)
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g" || exit 1
check s3-make-dump "$LB_BIN" db -d "$db" -o "$out" || finish
name=$(cd "$out" && ls lot-systems-db-*.sql.gz)

check s3-push "$LB_BIN" push "$out/$name"
grep -q "pushed $name .* with its manifest" <<<"$LB_LAST_OUTPUT" && pass s3-push-says ||
	fail s3-push-says "$LB_LAST_OUTPUT"
# push records the verified copy as db --upload does; list shows it off-site.
s3_check_record s3-push-record "$out/$name" s3://lotbackup-test/site/db
check s3-list-local-offsite "$LB_BIN" list --wide -o "$out"
grep -Eq "^db .* (yes|no) +(yes|no) +yes +$name " <<<"$LB_LAST_OUTPUT" && grep -q OFFSITE <<<"$LB_LAST_OUTPUT" &&
	pass s3-list-local-shows-offsite || fail s3-list-local-shows-offsite "$LB_LAST_OUTPUT"
json=$("$LB_BIN" list -o "$out" --json 2>/dev/null)
python3 -c 'import json,sys; d = json.load(sys.stdin); sys.exit(0 if d[0]["name"] == sys.argv[1] and d[0]["offsite"] is True else 1)' \
	"$name" <<<"$json" && pass s3-list-local-offsite-json || fail s3-list-local-offsite-json "$json"
check s3-list-remote "$LB_BIN" list --remote
grep -Eq "^db +$name +[0-9.]+ [KM]iB +yes" <<<"$LB_LAST_OUTPUT" && pass s3-list-shows-backup ||
	fail s3-list-shows-backup "$LB_LAST_OUTPUT"
json=$("$LB_BIN" list --remote --json 2>/dev/null)
python3 -c 'import json,sys; d = json.load(sys.stdin); b = d["backups"][0]; sys.exit(0 if b["name"] == sys.argv[1] and b["manifest"] and b["key"] == "site/db/" + sys.argv[1] else 1)' \
	"$name" <<<"$json" && pass s3-list-json || fail s3-list-json "$json"

check s3-pull "$LB_BIN" -o "$back" pull "$name"
cmp -s "$out/$name" "$back/$name" && pass s3-pull-identical || fail s3-pull-identical "pulled dump differs"
cmp -s "$out/$name.manifest.json" "$back/$name.manifest.json" && pass s3-pull-manifest ||
	fail s3-pull-manifest "pulled manifest differs"
[ "$(stat -c %a "$back/$name")" = 600 ] && [ "$(stat -c %a "$back")" = 700 ] && pass s3-pull-modes ||
	fail s3-pull-modes "$(stat -c '%a %n' "$back" "$back/$name")"
[ "$(cat "$back/.gitignore" 2>/dev/null)" = '*' ] && pass s3-pull-gitignore ||
	fail s3-pull-gitignore "$(ls -la "$back")"
# pull takes the output directory's lock, as db does: one writer per directory.
mkdir -m 700 "$work/locked"
check_exit s3-pull-locked 1 flock "$work/locked/.lotbackup.lock" "$LB_BIN" -o "$work/locked" pull "$name"
grep -q 'another lotbackup' <<<"$LB_LAST_OUTPUT" && [ ! -e "$work/locked/$name" ] && pass s3-pull-locked-says ||
	fail s3-pull-locked-says "$LB_LAST_OUTPUT"
check_exit s3-pull-no-overwrite 1 "$LB_BIN" -o "$back" pull "$name"
check_exit s3-pull-unknown 1 "$LB_BIN" -o "$work/none" pull lot-systems-db-2001-01-01T00-00-00.sql.gz
grep -Eq 'NoSuchKey|no such object' <<<"$LB_LAST_OUTPUT" && pass s3-pull-unknown-says || fail s3-pull-unknown-says "$LB_LAST_OUTPUT"
[ ! -e "$work/none/lot-systems-db-2001-01-01T00-00-00.sql.gz" ] && pass s3-pull-unknown-leaves-nothing ||
	fail s3-pull-unknown-leaves-nothing "a file was left"

# An older dump without a manifest: pushed with a warning, listed as such, pulled unchecked.
old=lot-systems-db-2020-01-01T00-00-00.sql.gz
mkdir -p "$work/old"
echo 'SELECT 1;' | gzip >"$work/old/$old"
check s3-push-no-manifest "$LB_BIN" push "$work/old/$old"
grep -q 'without a manifest' <<<"$LB_LAST_OUTPUT" && pass s3-push-no-manifest-warns ||
	fail s3-push-no-manifest-warns "$LB_LAST_OUTPUT"
check s3-list-no-manifest "$LB_BIN" list --remote
grep -Eq "^db +$old .* no " <<<"$LB_LAST_OUTPUT" && pass s3-list-shows-no-manifest ||
	fail s3-list-shows-no-manifest "$LB_LAST_OUTPUT"
[ ! -e "$work/old/$old.remote.json" ] && pass s3-push-no-manifest-no-record ||
	fail s3-push-no-manifest-no-record "a record without a remote manifest"
check_exit s3-push-foreign 1 "$LB_BIN" push "$work/old"
check_exit s3-push-needs-file 2 "$LB_BIN" push

# Several parts: 17 MiB in parts of 5 MiB, 2 at once.
big=lot-systems-db-2021-06-01T00-00-00.sql.gz
mkdir -p "$work/big"
head -c $((17 * 1024 * 1024 + 12345)) /dev/urandom >"$work/big/$big"
check s3-push-multipart "$LB_BIN" push --part-size 5 --upload-jobs 2 "$work/big/$big"
grep -q "pushed $big (17.0 MiB, 4 parts)" <<<"$LB_LAST_OUTPUT" && pass s3-push-multipart-parts ||
	fail s3-push-multipart-parts "$LB_LAST_OUTPUT"
# No manifest off-site: not pulled (nothing could tell a cut copy), unless --force.
check_exit s3-pull-no-manifest-refused 3 "$LB_BIN" -o "$work/big-back" pull "$big"
[ ! -e "$work/big-back/$big" ] && pass s3-pull-no-manifest-nothing-kept ||
	fail s3-pull-no-manifest-nothing-kept "$(ls -l "$work/big-back")"
check s3-pull-multipart "$LB_BIN" -o "$work/big-back" pull --force "$big"
cmp -s "$work/big/$big" "$work/big-back/$big" && pass s3-pull-multipart-identical ||
	fail s3-pull-multipart-identical "pulled file differs"
check_exit s3-part-size-too-small 2 "$LB_BIN" push --part-size 4 "$work/big/$big"

# Damaged on the server (same size, one byte changed): pull refuses it, exit 3, nothing kept.
stored=$(find "$S3_DIR" -name "$name._S3rver_object")
if [ -n "$stored" ]; then
	flip_byte "$stored" 100
	check_exit s3-pull-damaged 3 "$LB_BIN" -o "$work/damaged" pull "$name"
	grep -q 'its manifest says' <<<"$LB_LAST_OUTPUT" && pass s3-pull-damaged-says || fail s3-pull-damaged-says "$LB_LAST_OUTPUT"
	# Only what any run leaves in a directory it made: the .gitignore and the lock file.
	left=$(ls -A "$work/damaged" | grep -v -x -e .gitignore -e .lotbackup.lock)
	[ -z "$left" ] && pass s3-pull-damaged-leaves-nothing || fail s3-pull-damaged-leaves-nothing "$left"
else
	fail s3-pull-damaged "cannot find the stored object under $S3_DIR"
fi

# Wrong keys: one clear line naming the fix, exit 1, the secret nowhere.
secret=not-the-secret-Zq81xK
check_exit s3-wrong-secret 1 env AWS_SECRET_ACCESS_KEY=$secret "$LB_BIN" push "$out/$name"
[ "$(printf '%s\n' "$LB_LAST_OUTPUT" | wc -l)" -eq 1 ] && grep -q 'SignatureDoesNotMatch.*check AWS_SECRET_ACCESS_KEY' <<<"$LB_LAST_OUTPUT" &&
	pass s3-wrong-secret-one-line || fail s3-wrong-secret-one-line "$LB_LAST_OUTPUT"
grep -q "$secret" <<<"$LB_LAST_OUTPUT" && fail s3-wrong-secret-not-shown "$LB_LAST_OUTPUT" || pass s3-wrong-secret-not-shown
check_exit s3-wrong-secret-list 1 env AWS_SECRET_ACCESS_KEY=$secret "$LB_BIN" list --remote --json
grep -q "$secret" <<<"$LB_LAST_OUTPUT" && fail s3-wrong-secret-list-not-shown "$LB_LAST_OUTPUT" || pass s3-wrong-secret-list-not-shown
check_exit s3-wrong-key-id 1 env AWS_ACCESS_KEY_ID=NOBODY "$LB_BIN" list --remote
grep -q 'InvalidAccessKeyId.*check AWS_ACCESS_KEY_ID' <<<"$LB_LAST_OUTPUT" && pass s3-wrong-key-id-says ||
	fail s3-wrong-key-id-says "$LB_LAST_OUTPUT"
# The secret from .env only, wrong: still not shown.
mkdir -p "$work/proj"
printf 'AWS_SECRET_ACCESS_KEY=%s\n' "$secret" >"$work/proj/.env"
check_exit s3-wrong-secret-dotenv 1 env -u AWS_SECRET_ACCESS_KEY "$LB_BIN" -C "$work/proj" list --remote
grep -q "SignatureDoesNotMatch" <<<"$LB_LAST_OUTPUT" && ! grep -q "$secret" <<<"$LB_LAST_OUTPUT" &&
	pass s3-wrong-secret-dotenv-says || fail s3-wrong-secret-dotenv-says "$LB_LAST_OUTPUT"
check_exit s3-no-url 1 env -u LOTBACKUP_S3_URL "$LB_BIN" list --remote
grep -q 'set LOTBACKUP_S3_URL' <<<"$LB_LAST_OUTPUT" && pass s3-no-url-says || fail s3-no-url-says "$LB_LAST_OUTPUT"
check_exit s3-no-secret 1 env -u AWS_SECRET_ACCESS_KEY "$LB_BIN" list --remote
grep -q 'set AWS_SECRET_ACCESS_KEY' <<<"$LB_LAST_OUTPUT" && pass s3-no-secret-says || fail s3-no-secret-says "$LB_LAST_OUTPUT"
finish
