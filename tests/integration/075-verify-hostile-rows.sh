#!/usr/bin/env bash
# verify --restore against dumps edited to hide data from its content check
# (issue #15, item 6): a trigger that rewrites a row into another of the same
# length and CRC-32, a table filled by INSERT, a column added after the
# COPY. Each dump keeps its COPY blocks as the manifest describes them and
# has the manifest's size and checksum updated, so only --restore can tell.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_vhostile) || { fail vhostile-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t (id int PRIMARY KEY, s text);
  INSERT INTO t SELECT g, repeat('A', 64) FROM generate_series(1, 200) g;" >/dev/null
work=$(tmpdir)
check vhostile-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$work/out" || finish
good=$(ls "$work"/out/lot-systems-db-*.sql.gz | head -n 1)
check_exit vhostile-good-passes 0 "$LB_BIN" verify --restore "$good"

# edited NAME PYTHON: a copy of the good dump whose SQL the Python code
# (given `sql`, returning the new text) rewrites; its manifest made to match
# (tests/lib/match-manifest.py) so the file checks pass. Echoes the copy's path.
edited() {
	local d=$work/$1 f
	mkdir -p "$d"
	f=$d/$(basename "$good")
	cp "$good.manifest.json" "$f.manifest.json"
	gunzip -c "$good" | python3 -c "$2" | gzip >"$f"
	python3 "$LB_TOP/tests/lib/match-manifest.py" "$f"
	echo "$f"
}

# A row of the same length and CRC-32 as row 1's COPY line "1\tAAA...\n":
# CRC-32 is affine in the message bits for a fixed length, so choosing
# 'A' or 'B' at 63 places solves for any CRC (Gaussian elimination).
forged=$(python3 - <<'PY'
import zlib
orig = b"1\t" + b"A" * 64 + b"\n"
base = bytearray(b"1\tZ" + b"A" * 63 + b"\n")
want = zlib.crc32(base) ^ zlib.crc32(orig)
deltas = []
for i in range(3, 66):
    b = bytearray(base); b[i] ^= ord("A") ^ ord("B")
    deltas.append((zlib.crc32(base) ^ zlib.crc32(b), 1 << len(deltas)))
pivots = {}
for v, m in deltas:
    for bit in range(31, -1, -1):
        if not v >> bit & 1:
            continue
        if bit in pivots:
            v ^= pivots[bit][0]; m ^= pivots[bit][1]
        else:
            pivots[bit] = (v, m)
            break
v, m = want, 0
for bit in range(31, -1, -1):
    if v >> bit & 1:
        v ^= pivots[bit][0]; m ^= pivots[bit][1]
assert v == 0
for j in range(63):
    if m >> j & 1:
        base[3 + j] ^= ord("A") ^ ord("B")
assert len(base) == len(orig) and zlib.crc32(base) == zlib.crc32(orig) and base != orig
print(base[2:-1].decode())
PY
)
[ ${#forged} -eq 64 ] && pass vhostile-crc-forged || fail vhostile-crc-forged "$forged"

f=$(edited trigger "
import sys
sql = sys.stdin.read()
trg = '''CREATE FUNCTION public.forge() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN IF NEW.s = repeat('A', 64) AND NEW.id = 1 THEN NEW.s := '$forged'; END IF; RETURN NEW; END \$\$;
CREATE TRIGGER forge BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.forge();
ALTER TABLE public.t ENABLE ALWAYS TRIGGER forge;
'''
i = sql.index('COPY public.t ')
sys.stdout.write(sql[:i] + trg + sql[i:])
")
check_exit vhostile-trigger-same-crc-fails 3 "$LB_BIN" verify --restore "$f"
grep -q 'has trigger' <<<"$LB_LAST_OUTPUT" && pass vhostile-trigger-named || fail vhostile-trigger-named "$LB_LAST_OUTPUT"

# The same rewrite after the COPY, by a function a SELECT calls: only the
# row sum can tell (the row keeps its length and CRC-32).
f=$(edited select "
import sys
sql = sys.stdin.read()
i = sql.index('\n\\\\.\n', sql.index('COPY public.t ')) + 4
sys.stdout.write(sql[:i] + '''CREATE FUNCTION public.forge() RETURNS void LANGUAGE sql AS \$\$
UPDATE public.t SET s = '$forged' WHERE id = 1 \$\$;
SELECT public.forge();
''' + sql[i:])
")
check_exit vhostile-rewrite-same-crc-fails 3 "$LB_BIN" verify --restore "$f"

f=$(edited insert "
import sys
sql = sys.stdin.read()
add = '''CREATE TABLE public.hidden (x text);
INSERT INTO public.hidden VALUES ('not in the manifest');
'''
i = sql.index('COPY public.t ')
sys.stdout.write(sql[:i] + add + sql[i:])
")
check_exit vhostile-insert-fails 3 "$LB_BIN" verify --restore "$f"

f=$(edited column "
import sys
sql = sys.stdin.read()
i = sql.index('\n\\\\.\n', sql.index('COPY public.t ')) + 4
sys.stdout.write(sql[:i] + '''ALTER TABLE public.t ADD COLUMN extra text DEFAULT 'not in the manifest';
''' + sql[i:])
")
check_exit vhostile-added-column-fails 3 "$LB_BIN" verify --restore "$f"
grep -q 'does not fill' <<<"$LB_LAST_OUTPUT" && pass vhostile-added-column-named ||
	fail vhostile-added-column-named "$LB_LAST_OUTPUT"

finish
