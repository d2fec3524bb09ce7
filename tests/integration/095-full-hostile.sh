#!/usr/bin/env bash
# Hostile full archives: path escapes, links, devices and lying sizes are
# refused (exit 3) and nothing is written outside the target directory.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
python3 - "$work" <<'PY'
import hashlib, io, json, os, sys, tarfile
work = sys.argv[1]
top = "full-backup-20260101_000000"

def manifest(files):
    return json.dumps({"format": 1, "kind": "full", "name": top, "git": None,
                       "database": {"included": False, "note": ""},
                       "files": [{"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                                 for p, d in files]}).encode()

def build(name, members, listed):
    path = os.path.join(work, name + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        m = manifest(listed)
        ti = tarfile.TarInfo(top + "/MANIFEST.json"); ti.size = len(m)
        t.addfile(ti, io.BytesIO(m))
        for ti, data in members:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    data = open(path, "rb").read()
    json.dump({"format": 1, "kind": "full", "file": os.path.basename(path), "bytes": len(data),
               "sha256": hashlib.sha256(data).hexdigest()}, open(path + ".manifest.json", "w"))

def reg(name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); return ti, data

evil = b"owned\n"
build("dotdot", [reg(top + "/../escape", evil)], [("../escape", evil)])
build("absolute", [reg("/tmp/lbtest-abs-escape", evil)], [])
link = tarfile.TarInfo(top + "/link"); link.type = tarfile.SYMTYPE; link.linkname = work + "/outside"
build("symlink", [(link, None), reg(top + "/link/evil", evil)], [("link/evil", evil)])
hard = tarfile.TarInfo(top + "/hard"); hard.type = tarfile.LNKTYPE; hard.linkname = "/etc/passwd"
build("hardlink", [(hard, None)], [("hard", b"")])
dev = tarfile.TarInfo(top + "/dev"); dev.type = tarfile.CHRTYPE; dev.devmajor = 1; dev.devminor = 3
build("device", [(dev, None)], [])
build("unlisted", [reg(top + "/extra.txt", evil)], [])
big = tarfile.TarInfo(top + "/big"); big.size = 1 << 40
build("hugesize", [(big, None)], [("big", evil)])
build("tampered", [reg(top + "/a.txt", b"changed\n")], [("a.txt", b"original\n")])
PY
for case in dotdot absolute symlink hardlink device unlisted hugesize tampered; do
	rm -rf "$work/target"
	check_exit "full-hostile-$case-verify" 3 "$LB_BIN" verify "$work/$case.tar.gz"
	check_exit "full-hostile-$case-restore" 3 "$LB_BIN" restore "$work/$case.tar.gz" --to "$work/target"
	[ ! -e "$work/target" ] || [ -z "$(ls -A "$work/target")" ] || fail "full-hostile-$case-target-empty" "$(ls -A "$work/target")"
done
escaped=''
for p in "$work/escape" /tmp/lbtest-abs-escape "$work/outside" "$work/outside/evil" "$work/target.lotbackup-extract"; do
	[ -e "$p" ] && escaped="$escaped $p"
done
[ -z "$escaped" ] && pass full-hostile-nothing-outside || fail full-hostile-nothing-outside "$escaped"
finish
