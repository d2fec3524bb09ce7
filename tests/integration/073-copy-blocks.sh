#!/usr/bin/env bash
# Every table the manifest lists has its COPY block in the dump, an empty
# table's too: a dump without one (the manifest's checksum and size made
# to match) fails verify, and restore refuses it before loading, so the
# round trip never reaches a compare that could not tell the difference
# (an empty table is empty with or without its block).
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

db=$(new_db lb_cb_src) || { fail copy-blocks-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE full_t (id int PRIMARY KEY, v text);
    INSERT INTO full_t SELECT g, g::text FROM generate_series(1, 10) g;
    CREATE TABLE empty_t (id int); CREATE TABLE empty_2 (id int)" >/dev/null
work=$(tmpdir)
check copy-blocks-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/good" || finish
good=$(ls "$work"/good/lot-systems-db-*.sql.gz | head -n 1)

# match_manifest FILE: FILE's manifest made to match it (size, SHA-256), as
# a hostile one would; one gzip member now, so no member index.
match_manifest() {
	python3 - "$1" <<'PY'
import hashlib, json, os, sys
f = sys.argv[1]; m = json.load(open(f + ".manifest.json"))
m["sha256"] = hashlib.sha256(open(f, "rb").read()).hexdigest(); m["bytes"] = os.path.getsize(f)
for t in m["tables"]:
    t.pop("gz_offset", None); t.pop("gz_length", None)
json.dump(m, open(f + ".manifest.json", "w"))
PY
}

# without NAME TABLE: a copy of the good dump without TABLE's COPY block, manifest matched.
without() {
	local d=$work/$1 f
	mkdir -p "$d"
	f=$d/$(basename "$good")
	gunzip -c "$good" | awk -v t="COPY public.$2 " '
		index($0, t) == 1 { skip = 1; next }
		skip && $0 == "\\." { skip = 0; blank = 1; next }
		skip { next }
		blank && $0 == "" { blank = 0; next }
		{ blank = 0; print }' | gzip >"$f"
	cp "$good.manifest.json" "$f.manifest.json"
	match_manifest "$f"
	echo "$f"
}

for t in empty_t full_t; do
	f=$(without "no-$t" "$t")
	if gunzip -c "$f" | grep -q "^COPY public.$t "; then
		fail "copy-blocks-$t-removed" "the block is still there"
		continue
	fi
	rc=0
	err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
	if [ $rc -eq 3 ] && grep -q "public.$t" <<<"$err"; then
		pass "copy-blocks-verify-$t"
	else
		fail "copy-blocks-verify-$t" "rc=$rc: $err"
	fi
	target=$(new_db "lb_cb_dst_$t")
	rc=0
	err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
	tables=$(psql -X -At -d "$target" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
	if [ $rc -eq 3 ] && [ "$tables" = 0 ]; then
		pass "copy-blocks-restore-refused-$t"
	else
		# What a compare alone would say of it: an empty table's missing block goes unseen.
		cmp=same; compare_databases "$db" "$target" >/dev/null 2>&1 || cmp=differs
		fail "copy-blocks-restore-refused-$t" "rc=$rc tables=$tables compare=$cmp: $err"
	fi
done

# A block twice for one table and none for another: as many blocks as tables, still wrong.
f=$(without twice empty_t)
gunzip -c "$f" | awk '{print} /^SELECT pg_catalog.set_config/ && !done {print "COPY public.empty_2 (id) FROM stdin;\n\\.\n"; done=1}' >"$work/twice.sql"
gzip -c "$work/twice.sql" >"$f"
match_manifest "$f"
rc=0
err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
if [ $rc -eq 3 ] && grep -q "public.empty_t\|public.empty_2" <<<"$err"; then
	pass copy-blocks-verify-one-twice
else
	fail copy-blocks-verify-one-twice "rc=$rc: $err"
fi
check_exit copy-blocks-good-verifies 0 "$LB_BIN" verify -q "$good"
finish
