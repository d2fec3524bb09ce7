#!/usr/bin/env bash
# A JWT where no name says secret, end to end in `full`: a package.json
# script holding API_TOKEN=eyJ... (a dependency manifest, copied to deps/)
# is left out and warned about as jwt; a .http template's curl line with
# the token in its Authorization header is copied with the token alone
# replaced; jwt.io's published sample is no finding; no value is in the
# archive outside git/ or in any message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding.
head=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9
body=eyJzdWIiOiJzdmMtYmFja3VwIiwicm9sZSI6InNlcnZpY2UiLCJpYXQiOjE3MzMyMTI4MDB9
sig1=Qw3Er5Ty7Ui9Op1AZk2Lm4Wx''7Rt9Bv3N_Hs3Jd6Fg1Cb5 sig2=Wp4Rt8Zk2Lm6Vx9BYq8Kd3Pw''5Ns7Hv2M-Zk2Lm4Wx
jwt1=$head.$body.$sig1 jwt2=$head.$body.$sig2
sample=$head.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c
mkdir -p "$proj/docs"
printf '{\n  "name": "api",\n  "scripts": {"start": "API_TOKEN=%s node server.js"}\n}\n' "$jwt1" >"$proj/package.json"
printf '# smoke test\ncurl -H "Authorization: Bearer %s" https://api.example.net/v1/me\n' "$jwt2" >"$proj/smoke.http.example"
printf 'A token looks like this: %s\n' "$sample" >"$proj/docs/auth.md"
git_project "$proj" || { fail jwt-setup git; finish; }

scan_full jwt "$proj" "$out" || finish

scan_copied jwt-template-token-alone-redacted smoke.http.example \
	'curl -H "Authorization: Bearer <redacted:jwt>" https://api.example.net/v1/me'
[ ! -e "$SCAN_B/deps/package.json" ] && pass jwt-manifest-left-out || fail jwt-manifest-left-out "$(cat "$SCAN_B/deps/package.json")"
scan_warned jwt-warnings -F \
	'secret in package.json line 3 (jwt)' \
	'secret in smoke.http.example line 2 (jwt): copied with the value replaced'
scan_no_finding jwt-published-sample-no-finding -F 'secret in docs/auth.md'
scan_no_leak jwt-no-value-in-archive-or-log "$sig1" "$sig2"
finish
