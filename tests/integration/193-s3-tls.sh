#!/usr/bin/env bash
# Off-site copies over https to an endpoint whose certificate a private CA
# signed (s3rver behind TLS, a test CA from openssl; tests/lib/s3server.sh):
# untrusted, one clear line naming LOTBACKUP_S3_CA_FILE and no retries;
# trusted through LOTBACKUP_S3_CA_FILE (environment or .env), CURL_CA_BUNDLE
# or SSL_CERT_FILE, in that order, db --upload, list, pull and verify work.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

unset LOTBACKUP_S3_CA_FILE CURL_CA_BUNDLE SSL_CERT_FILE
S3_TLS=1 s3_require lb-tls
export LOTBACKUP_S3_URL=s3://lb-tls/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1

work=$(tmpdir)
out=$work/backups
db=$(new_db lb_s3_tls)
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 5000) g" || exit 1

# Not trusted: the system's CAs do not know the test CA. Said once, not retried.
start=$SECONDS
check_exit tls-untrusted 1 "$LB_BIN" list --remote
grep -q 'certificate.*not trusted.*LOTBACKUP_S3_CA_FILE' <<<"$LB_LAST_OUTPUT" &&
	[ "$(grep -c 'error' <<<"$LB_LAST_OUTPUT")" -eq 1 ] && pass tls-untrusted-says ||
	fail tls-untrusted-says "$LB_LAST_OUTPUT"
grep -q 'trying again' <<<"$LB_LAST_OUTPUT" && fail tls-untrusted-not-retried "$LB_LAST_OUTPUT" ||
	pass tls-untrusted-not-retried
[ $((SECONDS - start)) -lt 3 ] && pass tls-untrusted-fast || fail tls-untrusted-fast "$((SECONDS - start)) s"
check_exit tls-untrusted-upload 1 "$LB_BIN" db --upload -d "$db" -o "$work/kept"
ls "$work/kept"/lot-systems-db-*.sql.gz >/dev/null 2>&1 && pass tls-untrusted-keeps-local ||
	fail tls-untrusted-keeps-local "$(ls -la "$work/kept" 2>&1)"

# A CA file that is not there: named, with the setting it came from.
check_exit tls-ca-missing 1 env LOTBACKUP_S3_CA_FILE="$work/none.pem" "$LB_BIN" list --remote
grep -q "LOTBACKUP_S3_CA_FILE $work/none.pem: No such file" <<<"$LB_LAST_OUTPUT" && pass tls-ca-missing-says ||
	fail tls-ca-missing-says "$LB_LAST_OUTPUT"
check_exit tls-ca-missing-curl 1 env CURL_CA_BUNDLE="$work/none.pem" "$LB_BIN" list --remote
grep -q "CURL_CA_BUNDLE $work/none.pem: No such file" <<<"$LB_LAST_OUTPUT" && pass tls-ca-missing-curl-says ||
	fail tls-ca-missing-curl-says "$LB_LAST_OUTPUT"

# Trusted by LOTBACKUP_S3_CA_FILE: the whole round.
export LOTBACKUP_S3_CA_FILE=$S3_CA
check tls-upload "$LB_BIN" db --upload -d "$db" -o "$out" || finish
name=$(cd "$out" && ls lot-systems-db-*.sql.gz)
s3_check_record tls-upload-record "$out/$name" s3://lb-tls/site
grep -q 'plain http' <<<"$LB_LAST_OUTPUT" && fail tls-no-cleartext-warning "$LB_LAST_OUTPUT" ||
	pass tls-no-cleartext-warning
check tls-list "$LB_BIN" list --remote
grep -Eq "^db +$name .* yes" <<<"$LB_LAST_OUTPUT" && pass tls-list-shows || fail tls-list-shows "$LB_LAST_OUTPUT"
check tls-pull "$LB_BIN" -o "$work/pulled" pull "$name"
cmp -s "$out/$name" "$work/pulled/$name" && pass tls-pull-identical || fail tls-pull-identical "pulled dump differs"
check tls-verify "$LB_BIN" verify -o "$work/none" "s3://lb-tls/site/$name"

# The names other tools read, when LOTBACKUP_S3_CA_FILE is not set; it wins over them.
unset LOTBACKUP_S3_CA_FILE
check tls-curl-ca-bundle env CURL_CA_BUNDLE="$S3_CA" "$LB_BIN" list --remote
check tls-ssl-cert-file env SSL_CERT_FILE="$S3_CA" "$LB_BIN" list --remote
check tls-ca-file-wins env LOTBACKUP_S3_CA_FILE="$S3_CA" CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
	"$LB_BIN" list --remote
check_exit tls-curl-wins-over-ssl 1 env CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE="$S3_CA" \
	"$LB_BIN" list --remote
mkdir -p "$work/proj"
printf 'LOTBACKUP_S3_CA_FILE=%s\n' "$S3_CA" >"$work/proj/.env"
check tls-ca-file-dotenv "$LB_BIN" -C "$work/proj" list --remote
finish
