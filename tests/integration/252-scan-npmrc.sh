#!/usr/bin/env bash
# .npmrc and .yarnrc auth forms, end to end in `full`: an .npmrc template
# with a host's opaque _authToken, the legacy _auth (base64 user:password)
# and a host's _password is copied with each value alone replaced, its
# ${NPM_TOKEN} line kept; a tracked .npmrc's npm_ token, a tracked
# .yarnrc.yml's npmAuthToken and a tracked yarn 1 .yarnrc's quoted
# "//host/:_authToken" "..." are warned about as tracked; no value is in
# the archive outside git/ or in any message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding; auth is base64 of deploy:Qw3Er5Ty7Ui9, pass of Hs3Jd6Fg1Cb5.
opaque=Zk2Lm4Wx''7Rt9Bv3NQw3Er5Ty auth=ZGVwbG95Ol''F3M0VyNVR5N1VpOQ== pass=SHMzSmQ2''RmcxQ2I1
npm=npm''_Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe yarn=Yq8Kd3Pw''5Ns7Hv2MWp4Rt8Zk yarn1=Wp4Rt8Zk''2Lm6Vx9BHs3Jd6Fg
mkdir -p "$proj"
printf '@acme:registry=https://npm.acme.dev/\n//npm.acme.dev/:_authToken=%s\n_auth=%s\n//npm.acme.dev/:_password=%s\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' \
	"$opaque" "$auth" "$pass" >"$proj/.npmrc.example"
printf '//registry.npmjs.org/:_authToken=%s\n' "$npm" >"$proj/.npmrc"
printf 'nodeLinker: node-modules\nnpmScopes:\n  acme:\n    npmRegistryServer: "https://npm.acme.dev"\n    npmAuthToken: %s\n' "$yarn" >"$proj/.yarnrc.yml"
printf '"@acme:registry" "https://npm.acme.dev/"\n"//npm.acme.dev/:_authToken" "%s"\n' "$yarn1" >"$proj/.yarnrc"
git_project "$proj" || { fail npmrc-setup git; finish; }

scan_full npmrc "$proj" "$out" || finish

want='@acme:registry=https://npm.acme.dev/
//npm.acme.dev/:_authToken=<redacted:secret-assignment>
_auth=<redacted:npm-legacy-auth>
//npm.acme.dev/:_password=<redacted:npm-legacy-auth>
//registry.npmjs.org/:_authToken=${NPM_TOKEN}'
scan_copied_as npmrc-template-values-alone-redacted .npmrc.example "$want"
scan_warned npmrc-warnings -F \
	'secret in .npmrc.example line 2 (secret-assignment): copied with the value replaced' \
	'secret in .npmrc.example line 3 (npm-legacy-auth): copied with the value replaced' \
	'secret in .npmrc.example line 4 (npm-legacy-auth): copied with the value replaced' \
	'secret in .npmrc line 1 (npm-access-token): tracked in git' \
	'secret in .yarnrc.yml line 5 (secret-assignment): tracked in git' \
	'secret in .yarnrc line 2 (secret-assignment): tracked in git'
scan_no_finding npmrc-environment-token-no-finding -E 'secret in \.npmrc\.example line [^234]'
scan_no_leak npmrc-no-value-in-archive-or-log "$opaque" "$auth" "$pass" "$npm" "$yarn" "$yarn1"
finish
