#!/usr/bin/env bash
# "Authorization: Basic CREDENTIALS" written out, end to end in `full`: a
# .http template's header is copied with the credentials alone replaced;
# a tracked script's curl line is warned about as tracked; an uncommitted
# header in code is left out of the patch; placeholders (user:password,
# $PASS), RFC 7617's Aladdin sample and headers built in code are no
# finding; neither the base64 nor the password it holds is in the archive
# outside git/ or in any message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# base64 of deploy:Qw3Er5Ty7Ui9, ci-bot:Hs3Jd6Fg1Cb5, svc:Zk2Lm4Wx7Rt9; split ('') so that this file is itself no finding.
cred1=ZGVwbG95Ol''F3M0VyNVR5N1VpOQ== cred2=Y2ktYm90Okh''zM0pkNkZnMUNiNQ== cred3=c3ZjOlpr''MkxtNFd4N1J0OQ==
mkdir -p "$proj/scripts" "$proj/src" "$proj/docs"
printf '### status\nGET https://api.example.net/v1/status\nAuthorization: Basic %s\nAccept: application/json\n' "$cred1" \
	>"$proj/api.http.example"
printf '#!/bin/sh\ncurl -fsS -H '\''Authorization: Basic %s'\'' https://api.example.net/v1/sync\n' "$cred2" >"$proj/scripts/sync.sh"
printf 'export const auth = (u, p) => `Basic ${btoa(u + ":" + p)}`;\nconst h = '\''Basic '\'' + creds;\n' >"$proj/src/client.ts"
printf 'Send `Authorization: Basic dXNlcjpwYXNzd29yZA==` (user:password), e.g.\n    curl -H "Authorization: Basic ZGVwbG95OiRQQVNT" https://api.example.net\n    Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\n' \
	>"$proj/docs/api.md"
git_project "$proj" || { fail basic-setup git; finish; }
printf 'export const ping = () => fetch("/ping", { headers: { Authorization: "Basic %s" } });\n' "$cred3" >>"$proj/src/client.ts"

scan_full basic "$proj" "$out" || finish

scan_copied basic-template-credentials-alone-redacted api.http.example 'Authorization: Basic <redacted:basic-auth>' \
	'Accept: application/json'
scan_warned basic-warnings -F \
	'secret in api.http.example line 3 (basic-auth): copied with the value replaced' \
	'secret in scripts/sync.sh line 2 (basic-auth): tracked in git' \
	'secret in src/client.ts line 3 (basic-auth): its change left out of git/uncommitted.patch'
scan_no_finding basic-placeholders-and-code-no-finding -E 'secret in (docs/api.md|src/client.ts line [^3])'
scan_no_leak basic-no-value-in-archive-or-log "$cred1" "$cred2" "$cred3" Qw3Er5Ty7Ui9 Hs3Jd6Fg1Cb5 Zk2Lm4Wx7Rt9
finish
