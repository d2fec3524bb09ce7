#!/usr/bin/env python3
"""rewrite-member.py FILE OLD NEW: replaces OLD by NEW in the one gzip member
of FILE that holds it, compresses that member again, and makes
FILE.manifest.json describe the result as a forger would: size, SHA-256 and
sql_bytes recomputed, and the segments of the tables after the member moved
by the change in its size. Unlike match-manifest.py the segments are kept,
so the file still loads tables side by side, reading ahead what follows
them, as a dump written by lotbackup does."""
import gzip, hashlib, json, os, sys, zlib

path, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
data = open(path, "rb").read()
members, at = [], 0
while at < len(data):
    d = zlib.decompressobj(31)
    text = d.decompress(data[at:])
    end = len(data) - len(d.unused_data)
    members.append((at, end, text))
    at = end
hits = [m for m in members if old in m[2]]
if len(hits) != 1:
    sys.exit("rewrite-member.py: %r is in %d members, not one" % (old, len(hits)))
start, end, text = hits[0]
packed = gzip.compress(text.replace(old, new, 1), 6)
delta = len(packed) - (end - start)
open(path, "wb").write(data[:start] + packed + data[end:])
mpath = path + ".manifest.json"
m = json.load(open(mpath))
m["bytes"] = os.path.getsize(path)
m["sha256"] = hashlib.sha256(open(path, "rb").read()).hexdigest()
m["sql_bytes"] += len(new) - len(old)
for t in m.get("tables", []):
    if "gz_offset" in t and t["gz_offset"] >= end:
        t["gz_offset"] += delta
json.dump(m, open(mpath, "w"))
