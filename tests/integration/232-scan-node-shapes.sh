#!/usr/bin/env bash
# Secrets in the shapes a Node/TypeScript project and its deployment files
# hold, end to end in `full`: a compose template whose environment list
# has "DB_PASSWORD=..." and SMTP_PASS=... items is copied with the values
# alone replaced; a tracked Dockerfile's ENV KEY VALUE, a TypeScript
# config's process.env.X || '...' default and an npm token are warned
# about as tracked; an uncommitted `export const API_KEY = '...'` is left
# out of the patch; code reading the environment is no finding; no value
# is in the archive outside git/ or in any message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding.
dbpw=Zk2Lm4Wx''7Rt9Bv3N smtp=Yq8Kd3Pw''5Ns7Hv2M jwt=Hs3Jd6Fg''1Cb5Ny0Q fallback=Wp4Rt8Zk''2Lm6Vx9B
npm=npm''_Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe api=Qw3Er5Ty''7Ui9Op1A
mkdir -p "$proj/src"
printf 'services:\n  web:\n    image: node:22-alpine\n    environment:\n      - NODE_ENV=production\n      - "DB_PASSWORD=%s"\n      - SMTP_PASS=%s\n' \
	"$dbpw" "$smtp" >"$proj/docker-compose.yml.example"
printf 'FROM node:22-alpine\nWORKDIR /app\nENV NODE_ENV production\nENV JWT_SECRET %s\nCMD ["node", "dist/index.js"]\n' "$jwt" >"$proj/Dockerfile"
printf 'export const config = {\n  port: Number(process.env.PORT) || 8080,\n  secret: process.env.JWT_SECRET || '\''%s'\'',\n  apiKey: process.env.API_KEY,\n};\n' \
	"$fallback" >"$proj/src/config.ts"
printf 'const NPM = "%s";\n' "$npm" >"$proj/src/publish.js"
git_project "$proj" || { fail node-shapes-setup git; finish; }
printf 'export const API_KEY = '\''%s'\'';\n' "$api" >>"$proj/src/config.ts"

scan_full node-shapes "$proj" "$out" || finish

scan_copied node-shapes-compose-template-redacted docker-compose.yml.example \
	'      - "DB_PASSWORD=<redacted:secret-assignment>"' '      - SMTP_PASS=<redacted:secret-assignment>' \
	'      - NODE_ENV=production'
scan_warned node-shapes-warnings -F \
	'secret in docker-compose.yml.example line 6 (secret-assignment): copied with the value replaced' \
	'secret in docker-compose.yml.example line 7 (secret-assignment): copied with the value replaced' \
	'secret in Dockerfile line 4 (secret-assignment): tracked in git' \
	'secret in src/config.ts line 3 (secret-assignment): tracked in git' \
	'secret in src/publish.js line 1 (npm-access-token): tracked in git' \
	'secret in src/config.ts line 6 (secret-assignment): its change left out of git/uncommitted.patch'
scan_no_finding node-shapes-no-false-alarm -E 'secret in (Dockerfile line [^4]|src/config.ts line [^36])'
scan_no_leak node-shapes-no-value-in-archive-or-log "$dbpw" "$smtp" "$jwt" "$fallback" "$npm" "$api"
finish
