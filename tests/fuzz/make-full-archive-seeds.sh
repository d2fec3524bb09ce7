#!/usr/bin/env bash
# Regenerates the seed corpus of fuzz-full-archive: a tiny real full backup
# made by lotbackup (gzip and plain tar, so mutations also reach the tar
# headers directly) and hand-made hostile archives (path escapes, links, a
# device, an unlisted member, a lying size, a changed member).
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
python3 - "$dest" <<'PY'
import hashlib, io, json, os, sys, tarfile
dest = sys.argv[1]
top = "full-backup-20260101_000000"

def manifest(files):
    return json.dumps({"format": 1, "kind": "full", "name": top, "git": None,
                       "database": {"included": False, "note": ""},
                       "files": [{"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                                 for p, d in files]}).encode()

def build(name, members, listed):
    with tarfile.open(os.path.join(dest, name + ".tar.gz"), "w:gz", format=tarfile.PAX_FORMAT) as t:
        m = manifest(listed)
        ti = tarfile.TarInfo(top + "/MANIFEST.json"); ti.size = len(m); ti.mtime = 0
        t.addfile(ti, io.BytesIO(m))
        for ti, data in members:
            ti.mtime = 0
            t.addfile(ti, io.BytesIO(data) if data is not None else None)

def reg(name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); return ti, data

evil = b"owned\n"
build("dotdot", [reg(top + "/../escape", evil)], [("../escape", evil)])
build("absolute", [reg("/tmp/lbfuzz-abs-escape", evil)], [])
link = tarfile.TarInfo(top + "/link"); link.type = tarfile.SYMTYPE; link.linkname = "/tmp"
build("symlink", [(link, None), reg(top + "/link/evil", evil)], [("link/evil", evil)])
hard = tarfile.TarInfo(top + "/hard"); hard.type = tarfile.LNKTYPE; hard.linkname = "/etc/passwd"
build("hardlink", [(hard, None)], [("hard", b"")])
dev = tarfile.TarInfo(top + "/dev"); dev.type = tarfile.CHRTYPE; dev.devmajor = 1; dev.devminor = 3
build("device", [(dev, None)], [])
build("unlisted", [reg(top + "/extra.txt", evil)], [])
big = tarfile.TarInfo(top + "/big"); big.size = 1 << 40
build("hugesize", [(big, None)], [("big", evil)])
build("tampered", [reg(top + "/a.txt", b"changed\n")], [("a.txt", b"original\n")])
build("good", [reg(top + "/a.txt", b"original\n"), reg(top + "/sub/b.txt", b"b\n")],
      [("a.txt", b"original\n"), ("sub/b.txt", b"b\n")])
PY
ls -l "$dest"
