#!/usr/bin/env python3
"""Rewrites a full-backup archive with one member's content replaced (or
added), keeping MANIFEST.json and the sidecar NAME.tar.gz.manifest.json
consistent, so that lotbackup checks what the member says rather than
refusing a mismatch: a hostile archive built from a real one.

usage: rewrite-archive.py ARCHIVE REL FILE
  REL   the member's path below the top directory (e.g. git/uncommitted.patch)
  FILE  its new content
"""
import hashlib, io, json, sys, tarfile

path, rel, src = sys.argv[1:4]
data = open(src, "rb").read()
members = []
with tarfile.open(path, "r:gz") as t:
    for ti in t.getmembers():
        members.append((ti, t.extractfile(ti).read() if ti.isfile() else None))
top = members[0][0].name.split("/")[0]
name = top + "/" + rel
manifest_ti, manifest = next((ti, d) for ti, d in members if ti.name == top + "/MANIFEST.json")
m = json.loads(manifest)
m["files"] = [f for f in m["files"] if f["path"] != rel]
m["files"].append({"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
manifest = json.dumps(m).encode()
members = [(ti, d) for ti, d in members if ti.name != name]
ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 0; ti.mode = 0o600
members.append((ti, data))
with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
    for ti, d in members:
        if ti.name == manifest_ti.name:
            d = manifest
        if d is not None:
            ti.size = len(d)
        t.addfile(ti, io.BytesIO(d) if d is not None else None)
data = open(path, "rb").read()
side = path + ".manifest.json"
s = json.load(open(side))
s["bytes"], s["sha256"] = len(data), hashlib.sha256(data).hexdigest()
json.dump(s, open(side, "w"))
