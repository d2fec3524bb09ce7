#!/usr/bin/env bash
# verify: a good dump passes (exit 0); each kind of damage is caught (exit 3)
# by the check named for it; the result is recorded for list.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_verify) || { fail verify-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE a (id int PRIMARY KEY, t text);
  INSERT INTO a SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g;
  CREATE TABLE \"B b\" (x int); INSERT INTO \"B b\" SELECT generate_series(1, 50);
  CREATE TABLE empty_one (x int);" >/dev/null
work=$(tmpdir)
out=$work/backups
check verify-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
good=$(ls "$out"/lot-systems-db-*.sql.gz | head -n 1)

check_exit verify-good-file 0 "$LB_BIN" verify "$good"
check_exit verify-default-newest 0 "$LB_BIN" verify -o "$out"
grep -q "$(basename "$good")" <<<"$LB_LAST_OUTPUT" && pass verify-default-is-newest || fail verify-default-is-newest "$LB_LAST_OUTPUT"
[ -f "$good.verified.json" ] && pass verify-records-result || fail verify-records-result "no $good.verified.json"
"$LB_BIN" list --wide -o "$out" | grep "$(basename "$good")" | grep -q ' yes  *yes ' && pass list-shows-verified || fail list-shows-verified "$("$LB_BIN" list --wide -o "$out")"
json=$("$LB_BIN" verify --json "$good")
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r[0]["ok"] and {c["name"] for c in r[0]["checks"]} >= {"manifest","gzip","size","checksum","complete","rows","not-empty"}' "$json" 2>/dev/null &&
	pass verify-json || fail verify-json "$json"

# copy_case NAME: a damaged copy of the good dump (with its manifest) in its own dir.
copy_case() {
	local d=$work/$1
	mkdir -p "$d"
	cp "$good" "$d/" && cp "$good.manifest.json" "$d/"
	echo "$d/$(basename "$good")"
}
# expect3 NAME CHECK FILE: exit 3, and an error line naming CHECK and the file.
expect3() {
	local name=$1 chk=$2 f=$3 rc=0 err
	err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
	if [ $rc -eq 3 ] && grep -q "$(basename "$f").*check $chk failed" <<<"$err"; then
		pass "$name"
	else
		fail "$name" "rc=$rc: $err"
	fi
}

f=$(copy_case flip)
size=$(stat -c %s "$f")
printf '\x5a' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$f" "$good" && printf '\xa5' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect3 verify-flipped-byte checksum "$f"
[ ! -e "$f.verified.json" ] && pass verify-failure-not-recorded-as-verified || fail verify-failure-not-recorded-as-verified "record exists"

f=$(copy_case trunc)
truncate -s $(( $(stat -c %s "$f") * 2 / 3 )) "$f"
expect3 verify-truncated complete "$f"
expect3 verify-truncated-gzip gzip "$f"

f=$(copy_case nomanifest)
rm "$f.manifest.json"
expect3 verify-missing-manifest manifest "$f"

f=$(copy_case badsum)
sed -i 's/"sha256": "[0-9a-f]\{8\}/"sha256": "00000000/' "$f.manifest.json"
expect3 verify-manifest-wrong-checksum checksum "$f"

# A table's rows removed, recompressed, and the manifest's size and checksum
# updated to match: only the row check can tell.
f=$(copy_case norows)
gunzip -c "$good" | awk '/^COPY public\.a /{print; skip=1; next} skip && /^\\\.$/{skip=0} !skip' | gzip >"$f"
python3 - "$f" <<'PY'
import hashlib, json, os, sys
f = sys.argv[1]; m = json.load(open(f + ".manifest.json"))
m["sha256"] = hashlib.sha256(open(f, "rb").read()).hexdigest(); m["bytes"] = os.path.getsize(f)
json.dump(m, open(f + ".manifest.json", "w"))
PY
expect3 verify-table-data-removed rows "$f"

# A manifest whose row count was changed.
f=$(copy_case rowcount)
sed -i 's/"rows": 50\b/"rows": 51/' "$f.manifest.json"
expect3 verify-manifest-row-count rows "$f"

# A completion marker alone does not make a file whole: marker appended to a cut file.
f=$(copy_case fakeend)
( gunzip -c "$good" | head -c 200000; printf '\n-- lotbackup: dump complete\n' ) | gzip >"$f"
expect3 verify-cut-file-with-marker size "$f"

# A LATIN1 database with a non-ASCII table name: the manifest keeps every table.
PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists lb_latin1
createdb -T template0 -E LATIN1 --locale=C lb_latin1
PGCLIENTENCODING=LATIN1 psql -X -q -d lb_latin1 -c "CREATE TABLE \"caf$(printf '\xe9')\" (x int); INSERT INTO \"caf$(printf '\xe9')\" SELECT generate_series(1, 5); CREATE TABLE plain (y int)"
check latin1-dump "$LB_BIN" db -q -d dbname=lb_latin1 -o "$work/latin1"
l1=$(ls "$work"/latin1/lot-systems-db-*.sql.gz | head -n 1)
grep -q '"rows": 5' "$l1.manifest.json" && pass latin1-manifest-keeps-table || fail latin1-manifest-keeps-table "$(cat "$l1.manifest.json")"
check_exit latin1-verify 0 "$LB_BIN" verify "$l1"
check_exit latin1-verify-restore 0 "$LB_BIN" verify --restore "$l1"

check_exit verify-missing-file-is-1 1 "$LB_BIN" verify "$work/nope.sql.gz"
check_exit verify-all 3 "$LB_BIN" verify --all -o "$work/flip"
finish
