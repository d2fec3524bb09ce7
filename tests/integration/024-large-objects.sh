#!/usr/bin/env bash
# Large objects: their data in lo_put chunks (a 64 MiB object is read and
# written one chunk at a time: the dump's memory stays far below its size),
# their owners and privileges with --owner --privileges, their comments.
# Both gunzip | psql and lotbackup restore load them; verify checks their
# count against the manifest's, and verify --restore loads them as its
# plain role.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_lo_src) && dst=$(new_db lb_lo_dst) && rdst=$(new_db lb_lo_restore) ||
	{ fail lo-setup "cannot create databases"; finish; }
check lo-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
SELECT lo_create(7001);
SELECT lo_from_bytea(7002, '\\x00ff0a5c27'::bytea);
SELECT lo_from_bytea(7003, convert_to(repeat('chunk ', 100000), 'UTF8'));
ALTER LARGE OBJECT 7003 OWNER TO lb_noaccess;
GRANT SELECT, UPDATE ON LARGE OBJECT 7002 TO lb_noaccess WITH GRANT OPTION;
GRANT SELECT ON LARGE OBJECT 7003 TO PUBLIC;
COMMENT ON LARGE OBJECT 7002 IS 'it''s binary';
CREATE TABLE public.docs (id int PRIMARY KEY, body oid);
INSERT INTO public.docs SELECT i, 7001 + i % 4 FROM generate_series(1, 1000) i;
-- 64 MiB of data that does not compress to nothing.
SELECT lo_from_bytea(7004, ''::bytea);
SELECT lo_put(7004, i::bigint * 1048576, decode(repeat(md5(i::text), 65536), 'hex'))
  FROM generate_series(0, 63) i;" || finish

# What a copy must have of each large object: owner, privileges, comment, data.
describe() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "
SELECT l.oid, pg_get_userbyid(l.lomowner), l.lomacl, obj_description(l.oid, 'pg_largeobject'),
       length(lo_get(l.oid)), md5(lo_get(l.oid))
  FROM pg_largeobject_metadata l ORDER BY l.oid"
}
describe "$src" >"$work/src.txt"

check lo-db /usr/bin/time -f '%M' -o "$work/rss" "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --owner --privileges ||
	finish
file=$(ls "$work"/out/*.sql.gz)
# The whole object in memory would cost 64 MiB, and 128 MiB as hex.
rss=$(cat "$work/rss")
[ "$rss" -lt 40000 ] && pass lo-dump-streams || fail lo-dump-streams "maximum resident size ${rss} KiB"
echo "# dump of 64 MiB of large objects: maximum resident size ${rss} KiB"

if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/psql.log" 2>&1; then
	pass lo-loads-with-psql
	describe "$dst" >"$work/dst.txt"
	diff -u "$work/src.txt" "$work/dst.txt" >"$work/diff" && pass lo-psql-identical ||
		fail lo-psql-identical "$(head -n 20 "$work/diff")"
else
	fail lo-loads-with-psql "$(tail -n 3 "$work/psql.log")"
fi
if check lo-restore "$LB_BIN" restore -q "$file" -d "dbname=$rdst"; then
	describe "$rdst" >"$work/restore.txt"
	diff -u "$work/src.txt" "$work/restore.txt" >"$work/diff" && pass lo-restore-identical ||
		fail lo-restore-identical "$(head -n 20 "$work/diff")"
fi

# Side by side with tables, and in one transaction (each statement stands alone).
for mode in jobs single; do
	d=$(new_db "lb_lo_restore_$mode")
	case $mode in
	jobs) args=(--jobs 4) ;;
	single) args=(--single-transaction) ;;
	esac
	if check "lo-restore-$mode" "$LB_BIN" restore -q "${args[@]}" "$file" -d "dbname=$d"; then
		describe "$d" >"$work/$mode.txt"
		diff -u "$work/src.txt" "$work/$mode.txt" >"$work/diff" && pass "lo-restore-$mode-identical" ||
			fail "lo-restore-$mode-identical" "$(head -n 20 "$work/diff")"
	fi
done

# verify counts them against the manifest; a manifest that says otherwise is a finding.
if check lo-verify "$LB_BIN" verify "$file" && grep -q 'large-objs.*manifest 4 large objects ([0-9]* bytes), dump 4 ([0-9]* bytes)' <<<"$LB_LAST_OUTPUT"; then
	pass lo-verify-counted
else
	fail lo-verify-counted "$LB_LAST_OUTPUT"
fi
check lo-verify-restore "$LB_BIN" verify --restore "$file"
python3 - "$file.manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["large_objects"] == {"count": 4, "bytes": 5 + 600000 + 64 * 1048576}, m["large_objects"]
m["large_objects"]["count"] = 3
json.dump(m, open(sys.argv[1], "w"))
PY
[ $? -eq 0 ] && pass lo-manifest-counts || fail lo-manifest-counts "manifest large_objects"
check_exit lo-verify-count-mismatch 3 "$LB_BIN" verify "$file"
finish
