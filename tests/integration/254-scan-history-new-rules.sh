#!/usr/bin/env bash
# `full --scan-history` with the JWT, Bearer, .npmrc and YAML block rules
# over blobs no longer in HEAD: a deploy script with a JWT in a curl
# header, an .http file's Bearer token, an .npmrc's legacy _auth and a
# workflow's `password: |` block, committed and then removed, are warned
# about as in git history naming file, line and rule, with a line telling
# to rotate; MANIFEST.json lists them; no value is in any message or in
# the archive outside git/.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding; auth is base64 of deploy:Qw3Er5Ty7Ui9.
sig=Qw3Er5Ty7Ui9Op1AZk2Lm4Wx''7Rt9Bv3N_Hs3Jd6Fg1Cb5
jwt=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmFja3VwIiwicm9sZSI6InNlcnZpY2UiLCJpYXQiOjE3MzMyMTI4MDB9.$sig
tok=Zk2Lm4Wx''7Rt9Bv3NQw3Er5Ty auth=ZGVwbG95Ol''F3M0VyNVR5N1VpOQ== pw=Yq8Kd3Pw''5Ns7Hv2M
git_project "$proj" || { fail history-rules-setup git; finish; }
mkdir -p "$proj/ops/.github"
printf '#!/bin/sh\ncurl -fsS -H "Authorization: Bearer %s" https://api.example.net/v1/deploy\n' "$jwt" >"$proj/ops/deploy.sh"
printf 'GET https://api.example.net/v1/me\nAuthorization: Bearer %s\n' "$tok" >"$proj/ops/me.http"
printf 'registry=https://npm.acme.dev/\n_auth=%s\n' "$auth" >"$proj/ops/npmrc.txt"
printf 'jobs:\n  db:\n    services:\n      postgres:\n        env:\n          POSTGRES_PASSWORD: |\n            %s\n' "$pw" \
	>"$proj/ops/.github/ci.yml"
git -C "$proj" add -A && git -C "$proj" -c user.name=t -c user.email=t@example.com commit -qm ops &&
	git -C "$proj" rm -rq ops &&
	git -C "$proj" -c user.name=t -c user.email=t@example.com commit -qm 'remove ops' ||
	{ fail history-rules-setup commits; finish; }

scan_full history-rules "$proj" "$work/out" --scan-history || finish
b=$SCAN_B
scan_warned history-rules-warned -E \
	'secret in ops/deploy\.sh line 2 \(jwt\) in commit [0-9a-f]+: in git history' \
	'secret in ops/me\.http line 2 \(bearer-token\) in commit [0-9a-f]+: in git history' \
	'secret in ops/npmrc\.txt line 2 \(npm-legacy-auth\) in commit [0-9a-f]+: in git history' \
	'secret in ops/\.github/ci\.yml line 7 \(secret-assignment\) in commit [0-9a-f]+: in git history' \
	'rotate the credentials found in git'
if jq -e '[.secrets_by_content[] | select(.action == "in-git-history") | .rule] | sort == ["bearer-token", "jwt", "npm-legacy-auth", "secret-assignment"]' \
	"$b/MANIFEST.json" >/dev/null; then
	pass history-rules-manifest
else
	fail history-rules-manifest "$(jq .secrets_by_content "$b/MANIFEST.json")"
fi
scan_no_leak history-rules-no-value-in-archive-or-log "$sig" "$tok" "$auth" "$pw"
finish
