#!/usr/bin/env bash
# Full backups of the product's old scripts/create-full-backup.sh
# (backups/full-backup-STAMP/ and lot-systems-full-backup-STAMP.tar.gz, no
# MANIFEST.json; tests/fixtures/legacy-full-backup.sh makes them by its
# layout) are legitimate backups: 'verify --all' checks what they show
# (the archive's gzip CRC and tar to the end, BACKUP-MANIFEST.md written
# last, the files the script always writes, the dump inside gunzips, ends
# as pg_dump ends and parses) and passes them as legacy, so the night does
# not fail; damage still fails it; list labels them legacy. One of
# lotbackup's own archives that lost its sidecar still fails.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_legacy_full) || { fail legacy-full-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g, md5(g::text) AS h FROM generate_series(1, 2000) g" >/dev/null
work=$(tmpdir)
proj=$work/proj
mkdir -p "$proj/prisma"
printf '{"name": "lot-systems", "version": "0.1.0"}\n' >"$proj/package.json"
printf '# yarn lockfile v1\n' >"$proj/yarn.lock"
printf 'DATABASE_URL=postgresql://DB_USER:<password>@DB_HOST:DB_PORT/DB_NAME\n' >"$proj/.env.example"
printf 'generator client {\n  provider = "prisma-client-js"\n}\n' >"$proj/prisma/schema.prisma"
git_project "$proj"
out=$proj/backups
fixture=$LB_TOP/tests/fixtures/legacy-full-backup.sh
"$fixture" "$proj" 20251009_171710 "$db" && "$fixture" "$proj" 20251010_090000 ||
	{ fail legacy-full-setup fixture; finish; }
check legacy-full-own-db "$LB_BIN" db -q -d "dbname=$db" -o "$out"

check_exit legacy-full-verify-all 0 "$LB_BIN" verify --all -o "$out"
for b in full-backup-20251009_171710 lot-systems-full-backup-20251009_171710.tar.gz \
	full-backup-20251010_090000 lot-systems-full-backup-20251010_090000.tar.gz; do
	grep -q "^$out/$b: ok" <<<"$LB_LAST_OUTPUT" && [ -f "$out/$b.verified.json" ] && pass "legacy-full-ok-$b" ||
		fail "legacy-full-ok-$b" "$LB_LAST_OUTPUT"
done
json=$("$LB_BIN" verify --json "$out/lot-systems-full-backup-20251009_171710.tar.gz")
python3 -c 'import json,sys; r=json.loads(sys.argv[1])[0]; c=r["checks"]; n={x["name"] for x in c}
assert r["ok"] and {"manifest","archive","complete","members","database"} <= n, r
d=[x["detail"] for x in c if x["name"] == "database"]
assert any(x.startswith("database-backup.sql.gz parse:") for x in d) and any("complete:" in x for x in d), d' \
	"$json" 2>/dev/null && pass legacy-full-archive-checks || fail legacy-full-archive-checks "$json"
json=$("$LB_BIN" verify --json "$out/full-backup-20251010_090000")
python3 -c 'import json,sys; r=json.loads(sys.argv[1])[0]; d={x["name"]: x["detail"] for x in r["checks"]}
assert r["ok"] and "not included" in d["database"] and "legacy" in d["manifest"], r' \
	"$json" 2>/dev/null && pass legacy-full-dir-no-db || fail legacy-full-dir-no-db "$json"

check_exit legacy-full-list 0 "$LB_BIN" list --wide -o "$out"
[ "$(grep -cE '^full(-dir)? .* legacy .*(full-backup-202510)' <<<"$LB_LAST_OUTPUT")" = 4 ] &&
	pass legacy-full-list-label || fail legacy-full-list-label "$LB_LAST_OUTPUT"

# restore --to cannot rebuild a project from one (no history): it says so and what to do instead;
# the dump inside restores as any legacy dump does.
check_exit legacy-full-restore-to-refused 1 "$LB_BIN" restore "$out/lot-systems-full-backup-20251009_171710.tar.gz" \
	--to "$work/restored"
grep -q 'it is a legacy full backup .*extract it with tar -xzf' <<<"$LB_LAST_OUTPUT" && [ ! -e "$work/restored" ] &&
	pass legacy-full-restore-to-says || fail legacy-full-restore-to-says "$LB_LAST_OUTPUT"
target=$(new_db lb_legacy_full_to) || fail legacy-full-setup createdb
check legacy-full-inner-dump-restores "$LB_BIN" restore "$out/full-backup-20251009_171710/database-backup.sql.gz" \
	-d "dbname=$target"
[ "$(psql -X -At -d "$target" -c 'SELECT count(*) FROM t')" = 2000 ] && pass legacy-full-inner-dump-rows ||
	fail legacy-full-inner-dump-rows "$LB_LAST_OUTPUT"

# Damage still fails the night, named where it is.
bad=$work/bad && mkdir -m 700 "$bad"
a=$out/lot-systems-full-backup-20251009_171710.tar.gz
head -c $(( $(stat -c %s "$a") / 2 )) "$a" >"$bad/lot-systems-full-backup-20251101_000000.tar.gz"
check_exit legacy-full-cut-archive-fails 3 "$LB_BIN" verify --all -o "$bad"
grep -q 'check archive failed' <<<"$LB_LAST_OUTPUT" && pass legacy-full-cut-archive-named ||
	fail legacy-full-cut-archive-named "$LB_LAST_OUTPUT"
rm -f "$bad"/*
# A flipped byte in the gzip trailer's CRC: only a reader that checks the CRC sees it.
cp "$a" "$bad/lot-systems-full-backup-20251102_000000.tar.gz"
f=$bad/lot-systems-full-backup-20251102_000000.tar.gz
size=$(stat -c %s "$f")
printf "\\x$(printf %02x $(( ($(od -An -tu1 -j $((size - 8)) -N1 "$f") + 1) % 256 )))" |
	dd of="$f" bs=1 seek=$((size - 8)) conv=notrunc status=none
check_exit legacy-full-crc-fails 3 "$LB_BIN" verify "$f"
rm -f "$bad"/*
# The dump cut short inside a directory, and a dump BACKUP-MANIFEST.md lists but that is gone.
cp -r "$out/full-backup-20251009_171710" "$bad/full-backup-20251103_000000"
d=$bad/full-backup-20251103_000000
pg_dump -d "$db" | head -n 40 | gzip >"$d/database-backup.sql.gz"
check_exit legacy-full-cut-dump-fails 3 "$LB_BIN" verify "$d"
grep -q 'check database failed: database-backup.sql.gz complete' <<<"$LB_LAST_OUTPUT" &&
	pass legacy-full-cut-dump-named || fail legacy-full-cut-dump-named "$LB_LAST_OUTPUT"
rm "$d/database-backup.sql.gz"
check_exit legacy-full-missing-dump-fails 3 "$LB_BIN" verify "$d"
# Stopped before its end: no BACKUP-MANIFEST.md.
cp "$out/full-backup-20251009_171710/database-backup.sql.gz" "$d/" && rm "$d/BACKUP-MANIFEST.md"
check_exit legacy-full-unfinished-fails 3 "$LB_BIN" verify "$d"
grep -q 'check complete failed' <<<"$LB_LAST_OUTPUT" && pass legacy-full-unfinished-named ||
	fail legacy-full-unfinished-named "$LB_LAST_OUTPUT"

# One of lotbackup's own archives without its sidecar is not legacy.
own=$work/own
check legacy-full-own-full "$LB_BIN" full --archive-only -q -C "$proj" -d "dbname=$db" -o "$own"
archive=$(ls "$own"/lot-systems-full-backup-*.tar.gz)
rm "$archive.manifest.json"
check_exit legacy-full-own-without-sidecar-fails 3 "$LB_BIN" verify "$archive"
grep -q 'check manifest failed' <<<"$LB_LAST_OUTPUT" && pass legacy-full-own-without-sidecar-named ||
	fail legacy-full-own-without-sidecar-named "$LB_LAST_OUTPUT"
finish
