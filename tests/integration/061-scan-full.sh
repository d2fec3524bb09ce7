#!/usr/bin/env bash
# Secrets found by content in `full` (issue #19), on the project of
# tests/fixtures/scan-project: a template holding live-looking keys is
# copied with each value replaced by a placeholder naming the rule; a
# private key under an odd name (picked by LOTBACKUP_EXTRA_FILES) is left
# out; a clean template is copied unchanged; a change adding a secret is
# left out of the uncommitted patch; the files git tracks are scanned, so
# the key is warned about as tracked, with a line telling to rotate. Each
# warning names file, line and rule and never the value; MANIFEST.json and
# SYSTEM-STATE.md list them. Look-alikes (lock file hashes, UUIDs, a base64
# image, code reading the environment) are no finding.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
proj=$work/proj
out=$work/out
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
"$LB_TOP/tests/fixtures/scan-project.sh" "$proj" || { fail scan-setup "copy the fixture"; finish; }
ssh-keygen -q -t ed25519 -N '' -C fixture -f "$proj/deploy/LOT_key_git" >/dev/null 2>&1 ||
	openssl genpkey -algorithm ed25519 -out "$proj/deploy/LOT_key_git" 2>/dev/null ||
	{ fail scan-setup "ssh-keygen and openssl both failed"; finish; }
rm -f "$proj/deploy/LOT_key_git.pub"
# A Stripe test-mode key (reported at a lower severity) and an AWS key pair
# (one finding, both halves redacted), at the template's end: lines 12-14.
stripe=sk_''test_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd awsid=AKI''AQ7H2M4K9L3P5W6X8 awssecret=Zq7WmX2pLk9Rt''4Vn8Hs3Jd6Fg1Cb5Ny0QwEe/b+K
printf 'STRIPE_SECRET_KEY=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$stripe" "$awsid" "$awssecret" >>"$proj/.env.example"
git init -q "$proj" && git -C "$proj" add -A &&
	git -C "$proj" -c user.name=t -c user.email=t@example.com commit -q -m one || { fail scan-setup git; finish; }
# An uncommitted change that adds a secret to a tracked file.
ghval=ghp_Zq7W''mX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe
printf 'const deployToken = "%s";\n' "$ghval" >>"$proj/src/app.js"
printf 'Rotate the key every year.\n' >>"$proj/deploy/notes.txt"
secrets=$(sed -n 's/^\(RESEND_API_KEY\|DB_PASSWORD\|JWT_SECRET\|OPENAI_API_KEY\)=//p' "$proj/.env.example")
[ "$(printf '%s\n' "$secrets" | wc -l)" = 4 ] || { fail scan-setup "fixture values"; finish; }

check_exit scan-full-succeeds 0 env -u DATABASE_URL -u PGDATABASE -u PGHOST LOTBACKUP_EXTRA_FILES='deploy/*' \
	"$LB_BIN" full -C "$proj" -o "$out" --archive-only
err=$LB_LAST_OUTPUT
archive=$(ls "$out"/lot-systems-full-backup-*.tar.gz 2>/dev/null | head -n 1)
x=$work/x
mkdir -p "$x" && [ -n "$archive" ] && tar -xzf "$archive" -C "$x" || { fail scan-archive "no archive"; finish; }
b=$(ls -d "$x"/full-backup-*)

# The template: copied, the values replaced, the rest as it was.
t=$b/config/.env.example
if [ -f "$t" ] && grep -qx 'DB_PASSWORD=<redacted:digitalocean-database-password>' "$t" &&
	grep -qx 'OPENAI_API_KEY=<redacted:openai-api-key>' "$t" && grep -qx 'RESEND_API_KEY=<redacted:resend-api-key>' "$t" &&
	grep -qx 'JWT_SECRET=<redacted:secret-assignment>' "$t" && grep -qx 'DB_PORT=25060' "$t" &&
	grep -qx 'STRIPE_SECRET_KEY=<redacted:stripe-access-token>' "$t" && grep -qx 'AWS_ACCESS_KEY_ID=<redacted:aws-access-key>' "$t" &&
	grep -qx 'AWS_SECRET_ACCESS_KEY=<redacted:aws-access-key>' "$t"; then
	pass scan-template-redacted
else
	fail scan-template-redacted "$(cat "$t" 2>&1)"
fi
cmp -s "$proj/settings.sample" "$b/config/settings.sample" && pass scan-clean-template-unchanged ||
	fail scan-clean-template-unchanged "$(ls -R "$b/config")"
# The key under an odd name: left out, listed, warned; its neighbour copied.
if [ ! -e "$b/deps/deploy/LOT_key_git" ] && [ -f "$b/deps/deploy/notes.txt" ] &&
	jq -e '.excluded[] | select(.path == "deploy/LOT_key_git" and (.rule | startswith("secret content (private-key")))' \
	"$b/MANIFEST.json" >/dev/null; then
	pass scan-odd-key-left-out
else
	fail scan-odd-key-left-out "$(ls -R "$b/deps"; jq .excluded "$b/MANIFEST.json")"
fi
# The uncommitted change with a token: out of the patch, said so.
if ! grep -q 'deployToken' "$b/git/uncommitted.patch" && grep -q 'Rotate the key every year' "$b/git/uncommitted.patch"; then
	pass scan-patch-change-left-out
else
	fail scan-patch-change-left-out "$(cat "$b/git/uncommitted.patch")"
fi
# Warnings: file, line, rule and what was done; one to rotate what git holds.
bad=''
for w in 'secret in .env.example line 3 (resend-api-key): copied with the value replaced' \
	'secret in .env.example line 8 (digitalocean-database-password): copied with the value replaced' \
	'secret in deploy/LOT_key_git line 1 (private-key): file left out' \
	'secret in deploy/LOT_key_git line 1 (private-key): tracked in git' \
	'secret in .env.example line 11 (openai-api-key): tracked in git' \
	'secret in src/app.js line 10 (github-pat): its change left out of git/uncommitted.patch' \
	'secret in .env.example line 12 (stripe-access-token, test key, low severity): copied with the value replaced' \
	'secret in .env.example line 13 (aws-access-key, secret key on line 14): copied with the value replaced' \
	'rotate the credentials found in git'; do
	printf '%s\n' "$err" | grep -qF -- "$w" || bad="$bad [$w]"
done
[ -z "$bad" ] && pass scan-warnings-name-file-line-rule || fail scan-warnings-name-file-line-rule "missing:$bad"$'\n'"$err"
# No look-alike is a finding.
look=$(printf '%s\n' "$err" | grep -E 'secret in (yarn.lock|package.json|settings.sample|src/app.js line [1-9] )')
[ -z "$look" ] && pass scan-no-false-alarm || fail scan-no-false-alarm "$look"
# The lists: MANIFEST.json and SYSTEM-STATE.md.
if jq -e '[.secrets_by_content[] | select(.path == ".env.example" and .action == "redacted")] | length == 6' "$b/MANIFEST.json" >/dev/null &&
	jq -e '.secrets_by_content[] | select(.path == ".env.example" and .action == "redacted" and .line == 12 and .severity == "low" and .environment == "test")' "$b/MANIFEST.json" >/dev/null &&
	jq -e '.secrets_by_content[] | select(.path == ".env.example" and .action == "redacted" and .line == 13 and .rule == "aws-access-key" and .secret_line == 14 and .severity == "high")' "$b/MANIFEST.json" >/dev/null &&
	jq -e '.secrets_by_content[] | select(.path == "deploy/LOT_key_git" and .action == "tracked-in-git" and .line == 1 and .rule == "private-key")' "$b/MANIFEST.json" >/dev/null &&
	grep -q '^## Secrets found by content' "$b/SYSTEM-STATE.md" && grep -q 'Rotate these credentials' "$b/SYSTEM-STATE.md" &&
	grep -qF '`deploy/LOT_key_git` line 1 (private-key): file left out' "$b/SYSTEM-STATE.md"; then
	pass scan-listed-in-manifest-and-state
else
	fail scan-listed-in-manifest-and-state "$(jq .secrets_by_content "$b/MANIFEST.json"; cat "$b/SYSTEM-STATE.md")"
fi
# No value anywhere: not in the files outside git/, not in a message.
keyline=$(sed -n 2p "$proj/deploy/LOT_key_git")
leaks=''
for v in $secrets "$ghval" "$keyline" "$stripe" "$awsid" "$awssecret"; do
	grep -rqF --exclude-dir=git -- "$v" "$b" && leaks="$leaks file:${v:0:6}"
	printf '%s\n' "$err" | grep -qF -- "$v" && leaks="$leaks log:${v:0:6}"
done
[ -z "$leaks" ] && pass scan-no-value-in-archive-or-log || fail scan-no-value-in-archive-or-log "$leaks"
finish
