# Helpers for the tests of tables read back early by verify --restore
# (081, 257, 258, 259): a dump of two small tables, and the same dump with
# SQL added after its data, as a forger would write it. Sourced after
# testlib.sh.

# early_db NAME ROWS [SQL]: a database NAME with t (ROWS rows) and u (50),
# then SQL; prints its name. Returns 1 (a failure named NAME-setup) when
# it cannot.
early_db() {
	local db
	db=$(new_db "$1") || { fail "$1-setup" createdb; return 1; }
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE TABLE t (id int PRIMARY KEY, s text);
	  INSERT INTO t SELECT g, repeat('A', 64) FROM generate_series(1, $2) g;
	  CREATE TABLE u (id int PRIMARY KEY);
	  INSERT INTO u SELECT g FROM generate_series(1, 50) g;${3:-}" >/dev/null || { fail "$1-setup" psql; return 1; }
	printf '%s\n' "$db"
}

# early_dump NAME WORK: early_db NAME with 2000 rows in t, dumped under
# WORK/out; prints the dump's path. Returns 1 (a failure named
# NAME-setup) when it cannot.
early_dump() {
	local db
	db=$(early_db "$1" 2000) || return 1
	"$LB_BIN" db -q -d "dbname=$db" -o "$2/out" >/dev/null 2>&1 || { fail "$1-setup" "db failed"; return 1; }
	ls "$2"/out/lot-systems-db-*.sql.gz | head -n 1
}

# dump_forged DUMP DIR PRE TAIL [MOVE]: DUMP copied into DIR with PRE
# added before its data and TAIL at the end of the part after the tables
# (each a gzip member of its own, so the manifest's segments stay true and
# the tables load apart), the statements MOVE (a Python regex) finds after
# the tables moved before the data; its manifest's offsets, size and
# checksum made to match; prints the copy's path.
dump_forged() {
	mkdir -p "$2"
	python3 - "$1" "$2/$(basename "$1")" "$3" "$4" "${5:-}" <<'PY'
import gzip, hashlib, json, re, sys
src, dst, pre_add, tail_add, move = sys.argv[1:6]
m = json.load(open(src + ".manifest.json"))
data_at = min(t["gz_offset"] for t in m["tables"])
tail_at = max(t["gz_offset"] + t["gz_length"] for t in m["tables"])
data = open(src, "rb").read()
tail = gzip.decompress(data[tail_at:]).decode()
if move:
    pre_add = "".join(s + "\n\n" for s in re.findall(move, tail, re.S)) + pre_add
    tail = re.sub(move, "", tail, flags=re.S)
head = data[:data_at]
if pre_add:
    head += gzip.compress(("\n" + pre_add + "\n\n").encode())
at = tail.index("\n--\n-- lotbackup: summary")
out = head + data[data_at:tail_at] + gzip.compress((tail[:at + 1] + tail_add + "\n\n" + tail[at + 1:]).encode())
for t in m["tables"]:
    t["gz_offset"] += len(head) - data_at
m["bytes"] = len(out)
m["sha256"] = hashlib.sha256(out).hexdigest()
open(dst, "wb").write(out)
json.dump(m, open(dst + ".manifest.json", "w"))
PY
	echo "$2/$(basename "$1")"
}

# dump_with_tail DUMP DIR SQL: dump_forged with SQL at the end alone.
dump_with_tail() {
	dump_forged "$1" "$2" "" "$3"
}

# dump_checked PREFIX DB WORK: DB dumped under WORK/out (PREFIX-setup-dump)
# into GOOD, seen to pass verify --restore (PREFIX-good-passes). Returns 1
# when the dump cannot be made.
dump_checked() {
	check "$1-setup-dump" "$LB_BIN" db -q -d "dbname=$2" -o "$3/out" || return 1
	GOOD=$(ls "$3"/out/lot-systems-db-*.sql.gz | head -n 1)
	check_exit "$1-good-passes" 0 "$LB_BIN" verify -v --jobs 2 --restore "$GOOD"
}

# dump_after_read_sql SQL: SQL after a CHECK on u that sleeps, so the
# tables before u are read back before SQL runs.
dump_after_read_sql() {
	printf '%s\n%s' "ALTER TABLE public.u ADD CONSTRAINT slow CHECK (pg_catalog.pg_sleep(0.02) IS NOT NULL);" "$1"
}

# dump_after_read DUMP DIR SQL: dump_with_tail with dump_after_read_sql.
dump_after_read() {
	dump_with_tail "$1" "$2" "$(dump_after_read_sql "$3")"
}

# fails_after_read NAME DIR PATTERN SQL: GOOD (dump_checked's) with SQL
# after a read (dump_after_read) in DIR, into FORGED; verify --restore
# exits 3 (NAME-fails) and says PATTERN, a grep regex (NAME-named).
fails_after_read() {
	FORGED=$(dump_after_read "$GOOD" "$2" "$4")
	check_exit "$1-fails" 3 "$LB_BIN" verify -v --jobs 2 --restore "$FORGED"
	grep -q -- "$3" <<<"$LB_LAST_OUTPUT" && pass "$1-named" || fail "$1-named" "$LB_LAST_OUTPUT"
}
