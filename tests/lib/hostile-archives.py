#!/usr/bin/env python3
"""Hostile full-backup archives, for 095-full-hostile.sh and the full-archive
fuzz seeds: path escapes, links, a device, an unlisted member, a lying size,
a tampered member, and names no directory can hold (a file below a file, a
file and a directory of one name, the top directory as a file), each as
DEST/CASE.tar.gz.

usage: hostile-archives.py DEST ABS_ESCAPE LINK_TARGET [--sidecars] [--good]
  ABS_ESCAPE   the absolute path the "absolute" case tries to write
  LINK_TARGET  where the "symlink" case's link points
  --sidecars   also write each archive's NAME.manifest.json, so lotbackup
               checks the members rather than refusing a file without one
  --good       also write a well-formed "good" archive
"""
import hashlib, io, json, os, sys, tarfile

dest, abs_escape, link_target = sys.argv[1:4]
sidecars, good = "--sidecars" in sys.argv[4:], "--good" in sys.argv[4:]
top = "full-backup-20260101_000000"


def manifest(files):
    return json.dumps({"format": 1, "kind": "full", "name": top, "git": None,
                       "database": {"included": False, "note": ""},
                       "files": [{"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                                 for p, d in files]}).encode()


def build(name, members, listed):
    path = os.path.join(dest, name + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        m = manifest(listed)
        ti = tarfile.TarInfo(top + "/MANIFEST.json"); ti.size = len(m); ti.mtime = 0
        t.addfile(ti, io.BytesIO(m))
        for ti, data in members:
            ti.mtime = 0
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    if sidecars:
        data = open(path, "rb").read()
        json.dump({"format": 1, "kind": "full", "file": os.path.basename(path), "bytes": len(data),
                   "sha256": hashlib.sha256(data).hexdigest()}, open(path + ".manifest.json", "w"))


def reg(name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); return ti, data


evil = b"owned\n"
build("dotdot", [reg(top + "/../escape", evil)], [("../escape", evil)])
build("absolute", [reg(abs_escape, evil)], [])
link = tarfile.TarInfo(top + "/link"); link.type = tarfile.SYMTYPE; link.linkname = link_target
build("symlink", [(link, None), reg(top + "/link/evil", evil)], [("link/evil", evil)])
hard = tarfile.TarInfo(top + "/hard"); hard.type = tarfile.LNKTYPE; hard.linkname = "/etc/passwd"
build("hardlink", [(hard, None)], [("hard", b"")])
dev = tarfile.TarInfo(top + "/dev"); dev.type = tarfile.CHRTYPE; dev.devmajor = 1; dev.devminor = 3
build("device", [(dev, None)], [])
build("unlisted", [reg(top + "/extra.txt", evil)], [])
big = tarfile.TarInfo(top + "/big"); big.size = 1 << 40
build("hugesize", [(big, None)], [("big", evil)])
build("tampered", [reg(top + "/a.txt", b"changed\n")], [("a.txt", b"original\n")])
# Names that cannot all exist at once, every member listed and matching.
build("fileunderfile", [reg(top + "/deps/a", evil), reg(top + "/deps/a/b", evil)],
      [("deps/a", evil), ("deps/a/b", evil)])
subdir = tarfile.TarInfo(top + "/sub"); subdir.type = tarfile.DIRTYPE
build("dirthenfile", [(subdir, None), reg(top + "/sub/c", evil), reg(top + "/sub", evil)],
      [("sub/c", evil), ("sub", evil)])
build("filethendir", [reg(top + "/sub", evil), (subdir, None)], [("sub", evil)])
build("topfile", [reg(top, evil)], [("", evil)])
if good:
    build("good", [reg(top + "/a.txt", b"original\n"), reg(top + "/sub/b.txt", b"b\n")],
          [("a.txt", b"original\n"), ("sub/b.txt", b"b\n")])
