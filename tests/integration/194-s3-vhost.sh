#!/usr/bin/env bash
# Virtual-host addressing (BUCKET.HOST, the default, as DigitalOcean Spaces
# and AWS serve it) over https with a wildcard certificate: s3rver behind
# TLS answering BUCKET.s3.localhost (tests/lib/s3rver-run.js, which
# corrects s3rver's signature check of such requests), its access log
# showing how each request was addressed. A multipart push, db --upload,
# list, pull and verify from the remote; a wrong secret still refused. A
# bucket name with a dot cannot match a wildcard certificate
# (a.b.s3.localhost is not *.s3.localhost): it is addressed path-style.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

work=$(tmpdir)
log=$work/access.log
unset LOTBACKUP_S3_PATH_STYLE CURL_CA_BUNDLE SSL_CERT_FILE
S3_TLS=1 S3_ACCESS_LOG=$log s3_require lb-vhost lb.dotted
# libcurl resolves *.localhost to the loopback itself (7.85 and later); an older one asks DNS.
rc=0
curl -sS -o /dev/null --cacert "$S3_CA" "https://lb-vhost.s3.localhost:$S3_PORT/" 2>/dev/null || rc=$?
if [ "$rc" -eq 6 ]; then
	skip vhost "libcurl does not resolve lb-vhost.s3.localhost to the loopback"
	finish
fi
: >"$log"	# not the probe's request
export LOTBACKUP_S3_URL=s3://lb-vhost/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_CA_FILE=$S3_CA
host="lb-vhost.s3.localhost:$S3_PORT"

out=$work/backups
db=$(new_db lb_s3_vhost)
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 5000) g" || exit 1
check vhost-upload "$LB_BIN" db --upload -d "$db" -o "$out" || finish
name=$(cd "$out" && ls lot-systems-db-*.sql.gz)
s3_check_record vhost-upload-record "$out/$name" s3://lb-vhost/site

big=lot-systems-db-2021-06-01T00-00-00.sql.gz
mkdir -p "$work/big"
head -c $((11 * 1024 * 1024)) /dev/urandom >"$work/big/$big"
check vhost-push-multipart "$LB_BIN" push --part-size 5 --upload-jobs 2 "$work/big/$big"
grep -q "pushed $big (11.0 MiB, 3 parts)" <<<"$LB_LAST_OUTPUT" && pass vhost-push-multipart-parts ||
	fail vhost-push-multipart-parts "$LB_LAST_OUTPUT"
check vhost-list "$LB_BIN" list --remote
grep -Eq "^db +$name .* yes" <<<"$LB_LAST_OUTPUT" && grep -Eq "^db +$big " <<<"$LB_LAST_OUTPUT" &&
	pass vhost-list-shows || fail vhost-list-shows "$LB_LAST_OUTPUT"
check vhost-pull "$LB_BIN" -o "$work/pulled" pull "$name"
cmp -s "$out/$name" "$work/pulled/$name" && pass vhost-pull-identical || fail vhost-pull-identical "pulled dump differs"
check vhost-pull-multipart "$LB_BIN" -o "$work/pulled" pull --force "$big"
cmp -s "$work/big/$big" "$work/pulled/$big" && pass vhost-pull-multipart-identical ||
	fail vhost-pull-multipart-identical "pulled file differs"
check vhost-verify "$LB_BIN" verify -o "$work/none" "s3://lb-vhost/site/$name"

# Every request went to BUCKET.HOST with the bucket not in the path, and
# none was refused (501: s3rver does not list multipart uploads).
python3 - "$log" "$host" <<'PY' && pass vhost-addressed || fail vhost-addressed "$(cat "$log")"
import sys
lines = [l.split() for l in open(sys.argv[1])]
bad = [l for l in lines if l[0] != sys.argv[2] or l[2].startswith("/lb-vhost") or l[3] in ("400", "403")]
sys.exit(0 if len(lines) >= 10 and not bad else 1)
PY
check_exit vhost-wrong-secret 1 env AWS_SECRET_ACCESS_KEY=not-the-secret "$LB_BIN" list --remote
grep -q 'SignatureDoesNotMatch' <<<"$LB_LAST_OUTPUT" && pass vhost-wrong-secret-says ||
	fail vhost-wrong-secret-says "$LB_LAST_OUTPUT"

# A bucket with a dot: path-style on https, at the endpoint's own host.
: >"$log"
check vhost-dotted-push env LOTBACKUP_S3_URL=s3://lb.dotted/site "$LB_BIN" push "$out/$name"
check vhost-dotted-list env LOTBACKUP_S3_URL=s3://lb.dotted/site "$LB_BIN" list --remote
grep -Eq "^db +$name .* yes" <<<"$LB_LAST_OUTPUT" && pass vhost-dotted-list-shows ||
	fail vhost-dotted-list-shows "$LB_LAST_OUTPUT"
[ -s "$log" ] && ! grep -qv "^s3.localhost:$S3_PORT [A-Z]* /lb.dotted[/?]" "$log" && pass vhost-dotted-path-style ||
	fail vhost-dotted-path-style "$(cat "$log")"
finish
