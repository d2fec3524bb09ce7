#!/usr/bin/env bash
# Regenerates the seed corpus of fuzz-full-archive: a tiny real full backup
# made by lotbackup (gzip and plain tar, so mutations also reach the tar
# headers directly) and hand-made hostile archives (path escapes, links, a
# device, an unlisted member, a lying size, a changed member, names no
# directory can hold).
#   LB_BIN=./lotbackup tests/fuzz/make-full-archive-seeds.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=$top/tests/fuzz/corpus/full-archive
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest" "$work/proj"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git -C "$work/proj" init -q
printf '{ "name": "seed" }\n' >"$work/proj/package.json"
printf 'hello\n' >"$work/proj/README.md"
git -C "$work/proj" add -A
git -C "$work/proj" -c user.name=t -c user.email=t@example.com commit -q -m seed
env -u PGDATABASE -u PGHOST -u DATABASE_URL "${LB_BIN:-$top/lotbackup}" full -q -C "$work/proj" -o "$work/out" --archive-only
cp "$work"/out/lot-systems-full-backup-*.tar.gz "$dest/real.tar.gz"
gunzip -c "$dest/real.tar.gz" >"$dest/real.tar"
python3 "$top/tests/lib/hostile-archives.py" "$dest" /tmp/lbfuzz-abs-escape /tmp --good
ls -l "$dest"
