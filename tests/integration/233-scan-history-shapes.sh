#!/usr/bin/env bash
# `full --scan-history` over blobs no longer in HEAD, with this scanner's
# newer shapes: a one-line JSON config and a .env whose AWS halves stand
# far apart, both committed and then removed, are warned about as in git
# history (the AWS pair as one finding naming both lines), with a line
# telling to rotate; MANIFEST.json lists them; HEAD alone (no
# --scan-history) does not see them; no value is in any message or in
# the archive outside git/.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding.
key=Zk2Lm4Wx''7Rt9Bv3N id=AKI''AQ7H2M4K9L3P5W6X8 secret=Zq7WmX2pLk9Rt''4Vn8Hs3Jd6Fg1Cb5Ny0QwEe/b+K
git_project "$proj" || { fail history-shapes-setup git; finish; }
mkdir -p "$proj/config"
printf '{"region":"nyc3","apiKey":"%s"}\n' "$key" >"$proj/config/prod.json"
printf 'AWS_ACCESS_KEY_ID=%s\nAWS_REGION=nyc3\nBUCKET=lot\nPREFIX=prod\nNODE_ENV=production\nPORT=8080\nAWS_SECRET_ACCESS_KEY=%s\n' \
	"$id" "$secret" >"$proj/deploy.env"
git -C "$proj" add -A && git -C "$proj" -c user.name=t -c user.email=t@example.com commit -qm secrets &&
	git -C "$proj" rm -q config/prod.json deploy.env &&
	git -C "$proj" -c user.name=t -c user.email=t@example.com commit -qm 'remove secrets' ||
	{ fail history-shapes-setup commits; finish; }

scan_full history-shapes-head "$proj" "$work/out1" || finish
head_log=$SCAN_LOG
printf '%s\n' "$head_log" | grep -qE 'secret in (config/prod.json|deploy.env)' &&
	fail history-shapes-head-does-not-see-history "$head_log" || pass history-shapes-head-does-not-see-history

scan_full history-shapes "$proj" "$work/out2" --scan-history || finish
b=$SCAN_B
scan_warned history-shapes-warned -E \
	'secret in config/prod\.json line 1 \(secret-assignment\) in commit [0-9a-f]+: in git history' \
	'secret in deploy\.env line 1 \(aws-access-key, secret key on line 7\) in commit [0-9a-f]+: in git history' \
	'rotate the credentials found in git'
half=$(printf '%s\n' "$SCAN_LOG" | grep -F 'secret in deploy.env' | grep -vF 'aws-access-key, secret key on line 7')
[ -z "$half" ] && pass history-shapes-aws-one-finding || fail history-shapes-aws-one-finding "$half"
if jq -e '.secrets_by_content[] | select(.path == "config/prod.json" and .action == "in-git-history" and .line == 1)' "$b/MANIFEST.json" >/dev/null &&
	jq -e '.secrets_by_content[] | select(.path == "deploy.env" and .action == "in-git-history" and .rule == "aws-access-key" and .secret_line == 7)' "$b/MANIFEST.json" >/dev/null; then
	pass history-shapes-manifest
else
	fail history-shapes-manifest "$(jq .secrets_by_content "$b/MANIFEST.json")"
fi
SCAN_LOG=$SCAN_LOG$'\n'$head_log
scan_no_leak history-shapes-no-value-in-archive-or-log "$key" "$id" "$secret"
finish
