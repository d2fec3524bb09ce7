#!/usr/bin/env bash
# An AWS key pair whose halves stand more than five lines apart in `full`:
# a template (.env.example) with other keys between AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY gives one finding naming both lines, both halves
# redacted, MANIFEST.json's secret_line set, the secret no finding of its
# own; a tracked YAML file with its ID and secret far apart in one block
# is one finding too; no value is in the archive outside git/ or in any
# message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding.
id=AKI''AQ7H2M4K9L3P5W6X8 secret=Zq7WmX2pLk9Rt''4Vn8Hs3Jd6Fg1Cb5Ny0QwEe/b+K
id2=AKI''AZ3N8R5T1V7X9B2D4 secret2=Yq8Kd3Pw5Ns7Hv2M''Zq7WmX2pLk9Rt4Vn8Hs3Jd6F
mkdir -p "$proj/config"
printf 'AWS_ACCESS_KEY_ID=%s\nAWS_REGION=nyc3\nAWS_BUCKET=lot-backups\nS3_PREFIX=prod\nNODE_ENV=production\nPORT=8080\nLOG_LEVEL=info\nAWS_SECRET_ACCESS_KEY=%s\n' \
	"$id" "$secret" >"$proj/.env.example"
printf 'storage:\n  aws:\n    access_key_id: %s\n    region: nyc3\n    bucket: lot-backups\n    path_style: true\n    retries: 5\n    timeout: 30\n    secret_access_key: %s\n' \
	"$id2" "$secret2" >"$proj/config/storage.yml"
git_project "$proj" || { fail aws-far-setup git; finish; }

scan_full aws-far "$proj" "$out" || finish
b=$SCAN_B

scan_copied aws-far-both-halves-redacted .env.example 'AWS_ACCESS_KEY_ID=<redacted:aws-access-key>' \
	'AWS_SECRET_ACCESS_KEY=<redacted:aws-access-key>' 'AWS_REGION=nyc3'
scan_warned aws-far-one-finding-naming-both-lines -F \
	'secret in .env.example line 1 (aws-access-key, secret key on line 8): copied with the value replaced' \
	'secret in config/storage.yml line 3 (aws-access-key, secret key on line 9): tracked in git'
# The secret is the pair's half, not a finding of its own (tracked and redacted: two entries per file).
half=$(printf '%s\n' "$SCAN_LOG" | grep 'secret in ' | grep -v 'aws-access-key, secret key on line')
[ -z "$half" ] && pass aws-far-no-unpaired-half || fail aws-far-no-unpaired-half "$half"
if jq -e '[.secrets_by_content[] | select(.path == ".env.example")] | length == 2' "$b/MANIFEST.json" >/dev/null &&
	jq -e 'all(.secrets_by_content[] | select(.path == ".env.example"); .line == 1 and .rule == "aws-access-key" and .secret_line == 8)' "$b/MANIFEST.json" >/dev/null; then
	pass aws-far-manifest-secret-line
else
	fail aws-far-manifest-secret-line "$(jq .secrets_by_content "$b/MANIFEST.json")"
fi
scan_no_leak aws-far-no-value-in-archive-or-log "$id" "$secret" "$id2" "$secret2"
finish
