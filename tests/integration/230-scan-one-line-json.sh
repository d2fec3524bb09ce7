#!/usr/bin/env bash
# One-line JSON and JS objects in `full`: a template holding
# {"apiKey":"...","region":"nyc3"} on one line is copied with the value
# alone replaced (the keys, quotes and braces kept); a tracked TypeScript
# file with { password: '...' } on one line is warned about as tracked,
# naming file, line and rule; a one-line object holding a message under
# a secret's key is no finding; no value is in the archive outside git/
# or in any message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# The values are split ('') so that this file is itself no finding.
key=Zk2Lm4Wx''7Rt9Bv3N pw=hunter2-Long-''Secret-9 dbpw=Yq8Kd3Pw''5Ns7Hv2M
mkdir -p "$proj/config" "$proj/src"
printf '{"apiKey":"%s","region":"nyc3"}\n{"password": "%s"}\n' "$key" "$pw" >"$proj/config/secrets.example.json"
printf 'export default {\n  port: 8080,\n  db: { host: "db", password: '\''%s'\'' },\n};\n' "$dbpw" >"$proj/src/config.ts"
printf '{"password": "Password must hold 12 characters", "token": "${TOKEN}"}\n' >"$proj/src/messages.json"
git_project "$proj" || { fail one-line-setup git; finish; }

scan_full one-line "$proj" "$out" || finish

want='{"apiKey":"<redacted:secret-assignment>","region":"nyc3"}
{"password": "<redacted:secret-assignment>"}'
scan_copied_as one-line-template-value-alone-redacted config/secrets.example.json "$want"
scan_warned one-line-warnings -F \
	'secret in config/secrets.example.json line 1 (secret-assignment): copied with the value replaced' \
	'secret in config/secrets.example.json line 2 (secret-assignment): copied with the value replaced' \
	'secret in src/config.ts line 3 (secret-assignment): tracked in git'
scan_no_finding one-line-message-no-finding -F 'secret in src/messages.json'
scan_no_leak one-line-no-value-in-archive-or-log "$key" "$pw" "$dbpw"
finish
