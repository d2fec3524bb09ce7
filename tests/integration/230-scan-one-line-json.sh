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

work=$(tmpdir)
proj=$work/proj
out=$work/out
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
# The values are split ('') so that this file is itself no finding.
key=Zk2Lm4Wx''7Rt9Bv3N pw=hunter2-Long-''Secret-9 dbpw=Yq8Kd3Pw''5Ns7Hv2M
mkdir -p "$proj/config" "$proj/src"
printf '{"apiKey":"%s","region":"nyc3"}\n{"password": "%s"}\n' "$key" "$pw" >"$proj/config/secrets.example.json"
printf 'export default {\n  port: 8080,\n  db: { host: "db", password: '\''%s'\'' },\n};\n' "$dbpw" >"$proj/src/config.ts"
printf '{"password": "Password must hold 12 characters", "token": "${TOKEN}"}\n' >"$proj/src/messages.json"
git_project "$proj" || { fail one-line-setup git; finish; }

check_exit one-line-full-succeeds 0 env -u DATABASE_URL -u PGDATABASE -u PGHOST \
	"$LB_BIN" full -C "$proj" -o "$out" --archive-only
err=$LB_LAST_OUTPUT
archive=$(ls "$out"/lot-systems-full-backup-*.tar.gz 2>/dev/null | head -n 1)
x=$work/x
mkdir -p "$x" && [ -n "$archive" ] && tar -xzf "$archive" -C "$x" || { fail one-line-archive "no archive"; finish; }
b=$(ls -d "$x"/full-backup-*)

t=$b/config/config/secrets.example.json
want='{"apiKey":"<redacted:secret-assignment>","region":"nyc3"}
{"password": "<redacted:secret-assignment>"}'
[ "$(cat "$t" 2>&1)" = "$want" ] && pass one-line-template-value-alone-redacted ||
	fail one-line-template-value-alone-redacted "$(ls -R "$b/config"; cat "$t" 2>&1)"

bad=''
for w in 'secret in config/secrets.example.json line 1 (secret-assignment): copied with the value replaced' \
	'secret in config/secrets.example.json line 2 (secret-assignment): copied with the value replaced' \
	'secret in src/config.ts line 3 (secret-assignment): tracked in git'; do
	printf '%s\n' "$err" | grep -qF -- "$w" || bad="$bad [$w]"
done
[ -z "$bad" ] && pass one-line-warnings || fail one-line-warnings "missing:$bad"$'\n'"$err"
look=$(printf '%s\n' "$err" | grep -F 'secret in src/messages.json')
[ -z "$look" ] && pass one-line-message-no-finding || fail one-line-message-no-finding "$look"

leaks=''
for v in "$key" "$pw" "$dbpw"; do
	grep -rqF --exclude-dir=git -- "$v" "$b" && leaks="$leaks file:${v:0:4}"
	printf '%s\n' "$err" | grep -qF -- "$v" && leaks="$leaks log:${v:0:4}"
done
[ -z "$leaks" ] && pass one-line-no-value-in-archive-or-log || fail one-line-no-value-in-archive-or-log "$leaks"
finish
