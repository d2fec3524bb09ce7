#!/usr/bin/env bash
# db --keep N prunes only this tool's old dumps, by the date in the name;
# list shows what exists.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_keep) || { fail keep-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 10) g" >/dev/null
work=$(tmpdir)
out=$work/backups

# list on a directory that does not exist yet, then an empty one.
check_exit list-missing-dir-friendly 0 "$LB_BIN" list -o "$out"
grep -q 'No backups' <<<"$LB_LAST_OUTPUT" && pass list-missing-dir-message || fail list-missing-dir-message "$LB_LAST_OUTPUT"
mkdir -m 700 "$out"
check_exit list-empty-dir 0 "$LB_BIN" list -o "$out"
[ "$("$LB_BIN" list --json -o "$out")" = "[]" ] && pass list-json-empty || fail list-json-empty "$("$LB_BIN" list --json -o "$out")"

stamp() { date -u -d "$1" +%Y-%m-%dT%H-%M-%S; }
old1=lot-systems-db-$(stamp '40 days ago').sql.gz
old2=lot-systems-db-$(stamp '31 days ago').sql.gz
young=lot-systems-db-$(stamp '29 days ago').sql.gz
for f in "$old1" "$old2" "$young"; do echo x | gzip >"$out/$f"; echo '{}' >"$out/$f.manifest.json"; done
# Things that are not ours, however old they look.
strangers=("lot-systems-db-2001-01-01T00-00-00.sql.gz.bak" "lot-systems-db-2001-01-01.sql.gz"
	"my-lot-systems-db-2001-01-01T00-00-00.sql.gz" "lot-systems-db-2001-02-30T00-00-00.sql.gz" "notes.txt")
for f in "${strangers[@]}"; do echo keep >"$out/$f"; done
touch -d '100 days ago' "$out"/*

# Dry run: prints, deletes nothing, dumps nothing.
check_exit keep-dry-run 0 "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 30 --dry-run
if grep -q "would delete $old1" <<<"$LB_LAST_OUTPUT" && grep -q "would delete $old2" <<<"$LB_LAST_OUTPUT" &&
	! grep -q "would delete $young" <<<"$LB_LAST_OUTPUT" && grep -q "^keep  *$young (within 30 days)" <<<"$LB_LAST_OUTPUT" && [ -f "$out/$old1" ] && [ "$(ls "$out" | wc -l)" -eq 11 ]; then
	pass keep-dry-run-deletes-nothing
else
	fail keep-dry-run-deletes-nothing "$LB_LAST_OUTPUT"$'\n'"$(ls "$out")"
fi

# A failed dump never prunes.
check_exit keep-failed-dump 1 "$LB_BIN" db -d "dbname=lb_missing_db" -o "$out" --keep 30
[ -f "$out/$old1" ] && [ -f "$out/$old2" ] && pass keep-not-after-failure || fail keep-not-after-failure "$(ls "$out")"

check keep-30 "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 30
bad=''
[ -e "$out/$old1" ] && bad="$bad $old1"
[ -e "$out/$old1.manifest.json" ] && bad="$bad $old1.manifest.json"
[ -e "$out/$old2" ] && bad="$bad $old2"
[ -e "$out/$young" ] || bad="$bad missing:$young"
for f in "${strangers[@]}"; do [ -e "$out/$f" ] || bad="$bad missing:$f"; done
new=$(ls "$out" | grep -E '^lot-systems-db-[0-9T-]+\.sql\.gz$' | grep -v -e "$young" | head -n 1)
[ -n "$new" ] || bad="$bad no-new-dump"
[ -z "$bad" ] && pass keep-prunes-only-old-own-files || fail keep-prunes-only-old-own-files "$bad"

# --keep 1 never deletes the file just written (nor the 29-day one's neighbour rules: it goes).
check keep-1 "$LB_BIN" db -d "dbname=$db" -o "$out" --keep 1
[ -z "$(ls "$out" | grep -F "$young")" ] && pass keep-1-prunes-29-day-old || fail keep-1-prunes-29-day-old "$(ls "$out")"
n=$(ls "$out" | grep -E '^lot-systems-db-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.sql\.gz$' | grep -vc 2001-02-30)
[ "$n" -ge 1 ] && pass keep-never-deletes-new-dump || fail keep-never-deletes-new-dump "$(ls "$out")"

# list: newest first, our files only, manifest column, JSON.
check_exit list-shows-backups 0 "$LB_BIN" list -o "$out"
body=$(tail -n +2 <<<"$LB_LAST_OUTPUT")
if [ "$(wc -l <<<"$body")" -eq "$n" ] && grep -q '^db ' <<<"$body" && ! grep -q 'notes.txt' <<<"$body"; then
	pass list-only-own-backups
else
	fail list-only-own-backups "$LB_LAST_OUTPUT"
fi
check_exit db-list-alias 0 "$LB_BIN" db --list -o "$out"
# The same rows, by kind, name and rule: not by AGE ($3), which may tick
# between the two calls ("59s" to "1m").
[ "$(awk '{print $1, $2, $NF}' <<<"$LB_LAST_OUTPUT")" = "$("$LB_BIN" list -o "$out" | awk '{print $1, $2, $NF}')" ] &&
	pass db-list-same-as-list || fail db-list-same-as-list "$LB_LAST_OUTPUT"
json=$("$LB_BIN" list --json -o "$out")
if python3 -c 'import json,sys; l=json.loads(sys.argv[1]); assert l and all(e["kind"]=="db" and e["manifest"] for e in l); t=[e["created"] for e in l]; assert t==sorted(t, reverse=True)' "$json" 2>/dev/null; then
	pass list-json
else
	fail list-json "$json"
fi
# list reads the directory once and finds sidecars by name: its columns must
# still match what is on disk, entry by entry, over many backups and decoys.
many=$work/many
mkdir -m 700 "$many"
python3 - "$many" <<'PY2'
import datetime, json, os, sys
d = sys.argv[1]
t = datetime.datetime(2021, 3, 1)
for i in range(300):
    n = (t + datetime.timedelta(hours=7 * i)).strftime("lot-systems-db-%Y-%m-%dT%H-%M-%S.sql.gz")
    with open(os.path.join(d, n), "wb") as f:
        f.write(b"x" * (i * 13))
    if i % 2 == 0:
        open(os.path.join(d, n + ".manifest.json"), "w").write("{}")
    if i % 3 == 0:   # verify's record names its file; "{}" or another's proves nothing (269)
        rec = {"file": "/elsewhere/" + n} if i % 13 else ({} if i % 2 else {"file": "/elsewhere/x.sql.gz"})
        open(os.path.join(d, n + ".verified.json"), "w").write(json.dumps(rec))
    if i % 5 == 0:   # a directory under a sidecar's name is not a record
        os.mkdir(os.path.join(d, n + ".verified.json" if i % 3 else n + ".pin.json"))
    if i % 7 == 0:   # a symlink to a record counts, as stat() would say
        open(os.path.join(d, "rec-%d" % i), "w").write(json.dumps({"file": n}))
        os.symlink("rec-%d" % i, os.path.join(d, n + ".manifest.json" if i % 2 else n + ".verified.json")) \
            if not os.path.exists(os.path.join(d, n + (".manifest.json" if i % 2 else ".verified.json"))) else None
    if i % 11 == 0 and i % 5:
        open(os.path.join(d, n + ".pin.json"), "w").write('{"reason": "r%d"}' % i)
for i in range(4):
    n = (t + datetime.timedelta(days=400 + i)).strftime("full-backup-%Y%m%d_%H%M%S")
    os.mkdir(os.path.join(d, n))
    open(os.path.join(d, n, "a"), "w").write("y" * (100 + i))
    if i % 2:
        open(os.path.join(d, n, "MANIFEST.json"), "w").write("{}")
    else:   # not a file: no manifest
        os.mkdir(os.path.join(d, n, "MANIFEST.json"))
PY2
# (in a file: 300 rows of JSON outgrow one argument's 128 KiB)
"$LB_BIN" list --json -o "$many" >"$work/many.json"
if err=$(python3 - "$many" "$work/many.json" <<'PY2' 2>&1
import json, os, sys
d, rows = sys.argv[1], json.load(open(sys.argv[2]))
def reg(p): return os.path.isfile(p)
def record(p):
    try: return os.path.basename(json.load(open(p + ".verified.json"))["file"].rstrip("/")) == os.path.basename(p)
    except Exception: return False
def dsize(p):
    return sum(os.lstat(os.path.join(r, f)).st_size for r, _, fs in os.walk(p) for f in fs if os.path.isfile(os.path.join(r, f)) and not os.path.islink(os.path.join(r, f)))
names = sorted(n for n in os.listdir(d) if n.startswith(("lot-systems-db-", "full-backup-")) and "." not in n.replace(".sql.gz", ""))
assert sorted(r["name"] for r in rows) == names, (len(rows), len(names))
bad = []
for r in rows:
    p = os.path.join(d, r["name"])
    full = r["kind"] == "full-dir"
    want = {"manifest": reg(os.path.join(p, "MANIFEST.json")) if full else reg(p + ".manifest.json"),
            "verified": reg(p + ".verified.json") and record(p), "pinned": reg(p + ".pin.json"),
            "bytes": dsize(p) if full else os.path.getsize(p)}
    got = {k: r[k] for k in want}
    if got != want:
        bad.append((r["name"], got, want))
assert not bad, bad[:3]
assert sum(r["verified"] for r in rows) > 50 and sum(r["pinned"] for r in rows) > 5
PY2
); then
	pass list-columns-match-disk
else
	fail list-columns-match-disk "$err"
fi
finish
