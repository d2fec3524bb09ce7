#!/usr/bin/env bash
# Hostile files: 100 random bit flips and 20 truncation points (fixed seed)
# of a good dump and of a good full archive. verify reports every one (exit
# 3) and restore never starts loading any of them.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_sweep) || { fail sweep-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 3000) g" >/dev/null
work=$(tmpdir)
check sweep-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/good" || finish
good=$(ls "$work"/good/lot-systems-db-*.sql.gz | head -n 1)
git init -q "$work/proj" && printf '{}\n' >"$work/proj/package.json" &&
	git -C "$work/proj" -c user.name=t -c user.email=t@e add -A && git -C "$work/proj" -c user.name=t -c user.email=t@e commit -q -m x
check sweep-full env -u PGDATABASE -u PGHOST "$LB_BIN" full -q -C "$work/proj" -o "$work/goodfull" --archive-only || finish
goodfull=$(ls "$work"/goodfull/*.tar.gz | head -n 1)

python3 - "$good" "$goodfull" "$work" <<'PY'
import os, random, shutil, sys
random.seed(20261125)
for src, tag in ((sys.argv[1], "db"), (sys.argv[2], "full")):
    data = open(src, "rb").read()
    side = open(src + ".manifest.json", "rb").read()
    cases = []
    for i in range(100):
        b = bytearray(data)
        pos = random.randrange(len(b))
        b[pos] ^= 1 << random.randrange(8)
        cases.append(("flip%03d" % i, bytes(b)))
    for i in range(20):
        cases.append(("cut%02d" % i, data[:random.randrange(1, len(data))]))
    for name, content in cases:
        d = os.path.join(sys.argv[3], tag, name)
        os.makedirs(d)
        p = os.path.join(d, os.path.basename(src))
        open(p, "wb").write(content)
        open(p + ".manifest.json", "wb").write(side)
PY
for tag in db full; do
	missed=''
	n=0
	for f in "$work/$tag"/*/*.gz; do
		n=$((n + 1))
		rc=0
		"$LB_BIN" verify -q "$f" >/dev/null 2>&1 || rc=$?
		[ $rc -eq 3 ] || missed="$missed $(basename "$(dirname "$f")"):$rc"
	done
	[ "$n" -eq 120 ] && [ -z "$missed" ] && pass "sweep-$tag-verify-catches-all-120" || fail "sweep-$tag-verify-catches-all-120" "of $n, missed:$missed"
done

# restore never starts loading a damaged dump: the target stays empty. It
# says the file is damaged (size or checksum), not what the damage did to
# the SQL: its pre-load check hashes and parses in one pass.
target=$(new_db lb_sweep_target)
started=''
misnamed=''
for f in "$work"/db/flip0[0-4]*/*.gz "$work"/db/cut0*/*.gz; do
	rc=0
	msg=$("$LB_BIN" restore -q "$f" -d "dbname=$target" 2>&1) || rc=$?
	[ $rc -eq 3 ] || started="$started $(basename "$(dirname "$f")"):$rc"
	grep -q 'check \(size\|checksum\) failed' <<<"$msg" && ! grep -q 'check parse failed' <<<"$msg" ||
		misnamed="$misnamed $(basename "$(dirname "$f")")"
done
tables=$(psql -X -At -d "$target" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[ -z "$started" ] && [ "$tables" = 0 ] && pass sweep-restore-never-loads-damaged || fail sweep-restore-never-loads-damaged "rc:$started tables=$tables"
[ -z "$misnamed" ] && pass sweep-restore-names-checksum || fail sweep-restore-names-checksum "not named as damage:$misnamed"
finish
