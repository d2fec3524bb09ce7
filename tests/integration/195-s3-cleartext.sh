#!/usr/bin/env bash
# A plain http:// endpoint that is not this machine: the requests are
# signed (the secret never travels) but the backups cross the network in
# clear text, so each run warns, once however many uploads run at once,
# and goes on. No warning for http on the loopback, nor for https (193).
# The other host is this machine's own non-loopback address, where the
# fault proxy (tests/lib/s3-fault-proxy.py --listen) forwards to s3rver.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lb-clear
export LOTBACKUP_S3_URL=s3://lb-clear/site LOTBACKUP_S3_PATH_STYLE=1
work=$(tmpdir)
big=lot-systems-db-2021-06-01T00-00-00.sql.gz
mkdir -p "$work/big"
head -c $((11 * 1024 * 1024)) /dev/urandom >"$work/big/$big"
warning='is plain http and not this machine'

# The loopback, by address and by name: silent.
check clear-loopback env LOTBACKUP_S3_ENDPOINT="$S3_ENDPOINT" "$LB_BIN" list --remote
grep -q "$warning" <<<"$LB_LAST_OUTPUT" && fail clear-loopback-silent "$LB_LAST_OUTPUT" || pass clear-loopback-silent
check clear-localhost env LOTBACKUP_S3_ENDPOINT="http://localhost:$S3_PORT" "$LB_BIN" list --remote
grep -q "$warning" <<<"$LB_LAST_OUTPUT" && fail clear-localhost-silent "$LB_LAST_OUTPUT" || pass clear-localhost-silent
# Plain http reads no CA file: one set for something else is not checked.
check clear-ignores-ca-file env -u CURL_CA_BUNDLE LOTBACKUP_S3_ENDPOINT="$S3_ENDPOINT" SSL_CERT_FILE="$work/none.pem" \
	"$LB_BIN" list --remote

addr=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | grep -v '^127\.' | head -n 1)
if [ -z "$addr" ]; then
	skip clear-remote "this machine has no non-loopback IPv4 address"
	finish
fi
s3_proxy_start "$work/proxy.log" --listen "$addr" || { fail clear-proxy "the proxy did not start"; finish; }
export LOTBACKUP_S3_ENDPOINT=$S3_PROXY_ENDPOINT

# Three parts at once, three clients: one warning, naming the endpoint, no secret; the push succeeds.
check clear-remote-push "$LB_BIN" push --part-size 5 --upload-jobs 3 "$work/big/$big"
[ "$(grep -c "$warning" <<<"$LB_LAST_OUTPUT")" -eq 1 ] && grep -q "warning.*$S3_PROXY_ENDPOINT $warning.*https://" \
	<<<"$LB_LAST_OUTPUT" && pass clear-remote-warns-once || fail clear-remote-warns-once "$LB_LAST_OUTPUT"
grep -q "$S3_SECRET_KEY" <<<"$LB_LAST_OUTPUT" && fail clear-remote-no-secret "$LB_LAST_OUTPUT" ||
	pass clear-remote-no-secret
grep -q "partNumber=3&" "$work/proxy.log" && pass clear-remote-through-proxy || fail clear-remote-through-proxy \
	"$(cat "$work/proxy.log")"
check clear-remote-list "$LB_BIN" list --remote --json
grep -q "$warning" <<<"$LB_LAST_OUTPUT" && pass clear-remote-list-warns || fail clear-remote-list-warns "$LB_LAST_OUTPUT"
finish
