#!/usr/bin/env bash
# "Authorization: Bearer TOKEN" written out, end to end in `full`: a .http
# template's header is copied with the token alone replaced; a tracked
# script's curl line is warned about as tracked; an uncommitted fetch()
# header in code is left out of the patch; headers built from a variable
# (`Bearer ${token}`, 'Bearer ' + token, $TOKEN) and docs' placeholders
# (<token>, YOUR_TOKEN) are no finding; no value is in the archive outside
# git/ or in any message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding.
tok1=Zk2Lm4Wx''7Rt9Bv3NQw3Er5Ty tok2=Yq8Kd3Pw''5Ns7Hv2M.Wp4Rt8Zk tok3=Hs3Jd6Fg''1Cb5Ny0Q-Qw3Er5
mkdir -p "$proj/scripts" "$proj/src" "$proj/docs"
printf '### me\nGET https://api.example.net/v1/me\nAuthorization: Bearer %s\nAccept: application/json\n' "$tok1" \
	>"$proj/api.http.example"
printf '#!/bin/sh\ncurl -fsS -H '\''Authorization: Bearer %s'\'' https://api.example.net/v1/sync\n' "$tok2" >"$proj/scripts/sync.sh"
printf 'export const get = (u, token) =>\n  fetch(u, { headers: { Authorization: `Bearer ${token}` } });\nconst h = '\''Bearer '\'' + token;\n' \
	>"$proj/src/client.ts"
printf 'Send `Authorization: Bearer <token>`, e.g.\n    curl -H "Authorization: Bearer YOUR_TOKEN" https://api.example.net\n    curl -H "Authorization: Bearer $TOKEN" https://api.example.net\n' \
	>"$proj/docs/api.md"
git_project "$proj" || { fail bearer-setup git; finish; }
printf 'export const ping = () => fetch("/ping", { headers: { Authorization: "Bearer %s" } });\n' "$tok3" >>"$proj/src/client.ts"

scan_full bearer "$proj" "$out" || finish

scan_copied bearer-template-token-alone-redacted api.http.example 'Authorization: Bearer <redacted:bearer-token>' \
	'Accept: application/json'
scan_warned bearer-warnings -F \
	'secret in api.http.example line 3 (bearer-token): copied with the value replaced' \
	'secret in scripts/sync.sh line 2 (bearer-token): tracked in git' \
	'secret in src/client.ts line 4 (bearer-token): its change left out of git/uncommitted.patch'
scan_no_finding bearer-variables-and-placeholders-no-finding -E 'secret in (docs/api.md|src/client.ts line [^4])'
scan_no_leak bearer-no-value-in-archive-or-log "$tok1" "$tok2" "$tok3"
finish
