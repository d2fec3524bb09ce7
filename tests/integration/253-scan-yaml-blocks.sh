#!/usr/bin/env bash
# YAML block scalars holding a secret, end to end in `full`: a compose
# template's `password: |` is copied with the block's text alone replaced,
# every other line (the key, the services around it) kept byte for byte;
# a tracked GitHub Actions workflow's `private_key: >-` block over two
# lines is warned about as tracked; an uncommitted Kubernetes Secret's
# `api-token: |-` is left out of the patch; a block of prose under a
# secret's name is no finding; no value is in the archive outside git/ or
# in any message.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/scanfull.sh"

scan_workdir
# Split ('') so that this file is itself no finding.
dbpw=Zk2Lm4Wx''7Rt9Bv3N half1=Yq8Kd3Pw''5Ns7 half2=Hv2MWp4R''t8Zk tok=Hs3Jd6Fg''1Cb5Ny0Q
mkdir -p "$proj/.github/workflows" "$proj/k8s"
printf 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: |\n        %s\n\n    ports:\n      - "5432:5432"\n' \
	"$dbpw" >"$proj/docker-compose.yml.example"
printf 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/deploy@v1\n        with:\n          private_key: >-\n            %s\n            %s\n          host: deploy.example.net\n' \
	"$half1" "$half2" >"$proj/.github/workflows/deploy.yml"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\n  annotations:\n    secret_note: |\n      Rotate it every month with the script.\n' \
	>"$proj/k8s/api.yml"
git_project "$proj" || { fail yaml-blocks-setup git; finish; }
printf 'stringData:\n  api-token: |-\n    %s\n' "$tok" >>"$proj/k8s/api.yml"

scan_full yaml-blocks "$proj" "$out" || finish

want='services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: |
        <redacted:secret-assignment>

    ports:
      - "5432:5432"'
scan_copied_as yaml-blocks-template-block-alone-redacted docker-compose.yml.example "$want"
scan_warned yaml-blocks-warnings -F \
	'secret in docker-compose.yml.example line 7 (secret-assignment): copied with the value replaced' \
	'secret in .github/workflows/deploy.yml line 9 (secret-assignment): tracked in git' \
	'secret in k8s/api.yml line 10 (secret-assignment): its change left out of git/uncommitted.patch'
scan_no_finding yaml-blocks-prose-no-finding -E 'secret in k8s/api.yml line [^1]'
scan_no_leak yaml-blocks-no-value-in-archive-or-log "$dbpw" "$half1" "$half2" "$tok"
finish
