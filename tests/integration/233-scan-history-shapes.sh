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

work=$(tmpdir)
proj=$work/proj
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
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

check_exit history-shapes-head-only 0 env -u DATABASE_URL -u PGDATABASE -u PGHOST \
	"$LB_BIN" full -C "$proj" -o "$work/out1" --archive-only
head_err=$LB_LAST_OUTPUT
printf '%s\n' "$head_err" | grep -qE 'secret in (config/prod.json|deploy.env)' &&
	fail history-shapes-head-does-not-see-history "$head_err" || pass history-shapes-head-does-not-see-history

check_exit history-shapes-full-succeeds 0 env -u DATABASE_URL -u PGDATABASE -u PGHOST \
	"$LB_BIN" full -C "$proj" -o "$work/out2" --archive-only --scan-history
err=$LB_LAST_OUTPUT
bad=''
for w in 'secret in config/prod\.json line 1 \(secret-assignment\) in commit [0-9a-f]+: in git history' \
	'secret in deploy\.env line 1 \(aws-access-key, secret key on line 7\) in commit [0-9a-f]+: in git history' \
	'rotate the credentials found in git'; do
	printf '%s\n' "$err" | grep -qE -- "$w" || bad="$bad [$w]"
done
[ -z "$bad" ] && pass history-shapes-warned || fail history-shapes-warned "missing:$bad"$'\n'"$err"
half=$(printf '%s\n' "$err" | grep -F 'secret in deploy.env' | grep -vF 'aws-access-key, secret key on line 7')
[ -z "$half" ] && pass history-shapes-aws-one-finding || fail history-shapes-aws-one-finding "$half"

archive=$(ls "$work"/out2/lot-systems-full-backup-*.tar.gz 2>/dev/null | head -n 1)
x=$work/x
mkdir -p "$x" && [ -n "$archive" ] && tar -xzf "$archive" -C "$x" || { fail history-shapes-archive "no archive"; finish; }
b=$(ls -d "$x"/full-backup-*)
if jq -e '.secrets_by_content[] | select(.path == "config/prod.json" and .action == "in-git-history" and .line == 1)' "$b/MANIFEST.json" >/dev/null &&
	jq -e '.secrets_by_content[] | select(.path == "deploy.env" and .action == "in-git-history" and .rule == "aws-access-key" and .secret_line == 7)' "$b/MANIFEST.json" >/dev/null; then
	pass history-shapes-manifest
else
	fail history-shapes-manifest "$(jq .secrets_by_content "$b/MANIFEST.json")"
fi
leaks=''
for v in "$key" "$id" "$secret"; do
	grep -rqF --exclude-dir=git -- "$v" "$b" && leaks="$leaks file:${v:0:4}"
	printf '%s\n%s\n' "$err" "$head_err" | grep -qF -- "$v" && leaks="$leaks log:${v:0:4}"
done
[ -z "$leaks" ] && pass history-shapes-no-value-in-archive-or-log || fail history-shapes-no-value-in-archive-or-log "$leaks"
finish
