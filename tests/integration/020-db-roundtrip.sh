#!/usr/bin/env bash
# lotbackup db on the hostile fixture: the file restores with plain
# gunzip | psql into an empty database that is identical to the source.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

src=$(new_db lb_rt_src) && dst=$(new_db lb_rt_dst) || { fail roundtrip-setup "cannot create databases"; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/hostile.sql" >/dev/null 2>&1 ||
	{ fail roundtrip-fixture "hostile.sql did not load"; finish; }

work=$(tmpdir)
out=$work/backups
check db-dump-hostile "$LB_BIN" db --dbname "dbname=$src" --output-dir "$out" || finish
file=$(ls "$out"/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
name=$(basename "$file")
if [[ "$name" =~ ^lot-systems-db-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.sql\.gz$ ]]; then
	pass db-file-name-pattern
else
	fail db-file-name-pattern "got '$name'"
	finish
fi

# Modes: 0600 files in a 0700 directory, even with a permissive umask (set below).
[ "$(stat -c %a "$file")" = 600 ] && pass db-file-mode-0600 || fail db-file-mode-0600 "$(stat -c %a "$file")"
[ "$(stat -c %a "$out")" = 700 ] && pass db-dir-mode-0700 || fail db-dir-mode-0700 "$(stat -c %a "$out")"
[ -z "$(ls "$out" | grep '\.tmp$')" ] && pass db-no-tmp-left || fail db-no-tmp-left "$(ls "$out")"

# The reference client restores it unchanged.
if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/restore.log" 2>&1; then
	pass db-restores-with-psql
else
	fail db-restores-with-psql "$(tail -n 5 "$work/restore.log")"
fi
if diffout=$(compare_databases "$src" "$dst" 2>&1); then
	pass db-roundtrip-identical
else
	fail db-roundtrip-identical "$(printf '%s\n' "$diffout" | head -n 40)"
fi
# verify --restore loads it as a role of its own (issue #15) and finds it whole.
check_exit db-verify-restore-hostile 0 "$LB_BIN" verify --restore "$file"

# The same with one compression thread and with four (members in order).
for jobs in 1 4; do
	dj=$(new_db "lb_rt_dst_j$jobs")
	rm -rf "$work/j$jobs"
	if "$LB_BIN" db -q -d "dbname=$src" -o "$work/j$jobs" --jobs "$jobs" &&
		gunzip -c "$work"/j$jobs/lot-systems-db-*.sql.gz | psql -X -q -v ON_ERROR_STOP=1 -d "$dj" >/dev/null 2>&1 &&
		compare_databases "$src" "$dj" >/dev/null 2>&1; then
		pass "db-roundtrip-jobs-$jobs"
	else
		fail "db-roundtrip-jobs-$jobs" "dump, restore or comparison failed"
	fi
done

# lotbackup restore of the --jobs 4 dump: one connection, and four that load
# tables side by side (by the manifest's member index) and build indexes and
# keys together. Both give the source database back.
for jobs in 1 4; do
	rj=$(new_db "lb_rt_restore_j$jobs")
	out=$("$LB_BIN" restore -v --jobs "$jobs" "$work"/j4/lot-systems-db-*.sql.gz -d "dbname=$rj" 2>&1)
	if [ $? -eq 0 ] && compare_databases "$src" "$rj" >"$work/cmp-restore-$jobs.txt" 2>&1; then
		pass "restore-jobs-$jobs-identical"
	else
		fail "restore-jobs-$jobs-identical" "$(printf '%s\n' "$out" | tail -n 5; head -n 20 "$work/cmp-restore-$jobs.txt")"
	fi
	loaders=$(printf '%s\n' "$out" | grep -c "loading table")
	if [ "$jobs" -gt 1 ]; then
		[ "$loaders" -gt 1 ] && pass restore-jobs-loads-tables-apart ||
			fail restore-jobs-loads-tables-apart "no table was loaded by the member index"
	fi
done

# The trigger that must not fire on load: the audit table is identical (checked
# above) and holds no rows added by the load.
n=$(psql -X -At -d "$dst" -c "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal" 2>/dev/null)
[ "${n:-0}" -gt 0 ] && pass db-triggers-restored || fail db-triggers-restored "count=$n"

# The end of the file proves it whole; the summary names every table.
# (The marker is followed by the \unrestrict line, the file's last.)
last=$(gunzip -c "$file" | tail -n 2 | head -n 1)
[ "$last" = "-- lotbackup: dump complete" ] && pass db-completion-marker || fail db-completion-marker "last line: $last"
rows_lines=$(gunzip -c "$file" | grep -c '^-- lotbackup: rows ')
tables=$(psql -X -At -d "$src" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid=c.relnamespace
  WHERE c.relkind='r' AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname !~ '^pg_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid='pg_class'::regclass AND d.objid=c.oid AND d.deptype='e')")
[ "$rows_lines" = "$tables" ] && pass db-row-summary-per-table || fail db-row-summary-per-table "$rows_lines summary lines, $tables tables"
gunzip -c "$file" | grep -q 'search_path' && pass db-sets-search-path || fail db-sets-search-path "no search_path"
if gunzip -c "$file" | grep -Eq '^(ALTER .* OWNER TO|GRANT |REVOKE )'; then
	fail db-no-owner-privileges-by-default "found OWNER/GRANT lines"
else
	pass db-no-owner-privileges-by-default
fi

# The manifest: checksum, size and per-table rows match the file and the database.
man=$file.manifest.json
if [ -f "$man" ] && [ "$(stat -c %a "$man")" = 600 ]; then pass db-manifest-written; else fail db-manifest-written "missing or wrong mode"; fi
sha=$(sha256sum "$file" | cut -d' ' -f1)
python3 - "$man" "$sha" "$(stat -c %s "$file")" "$name" "$src" >"$work/man.check" 2>&1 <<'PY'
import json, subprocess, sys
m = json.load(open(sys.argv[1]))
assert m["sha256"] == sys.argv[2], "sha256 mismatch"
assert m["bytes"] == int(sys.argv[3]), "size mismatch"
assert m["file"] == sys.argv[4], "file name"
for k in ("tool_version", "server_version", "database", "started_at", "finished_at", "snapshot", "sql_bytes"):
    assert m.get(k), "missing " + k
bad = []
for t in m["tables"]:
    # Names may hold newlines and quotes: pass the qualified name as one argument.
    out = subprocess.run(["psql", "-X", "-At", "-d", sys.argv[5], "-c", "SELECT count(*) FROM ONLY " + t["qualified"]],
                         capture_output=True, text=True)
    if out.stdout.strip() != str(t["rows"]):
        bad.append("%r manifest %d, table %s" % (t["qualified"], t["rows"], out.stdout.strip() or out.stderr.strip()))
assert m["tables"], "no tables in the manifest"
assert not bad, "; ".join(bad)
PY
[ $? -eq 0 ] && pass db-manifest-checksum-size-rows || fail db-manifest-checksum-size-rows "$(cat "$work/man.check")"

# An empty database dumps and restores.
empty=$(new_db lb_rt_empty) && empty_dst=$(new_db lb_rt_empty_dst)
out2=$work/empty
(umask 000; "$LB_BIN" db -d "dbname=$empty" -o "$out2" >"$work/empty.log" 2>&1)
rc=$?
f2=$(ls "$out2"/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
if [ $rc -eq 0 ] && [ -n "$f2" ] && gunzip -c "$f2" | psql -X -q -v ON_ERROR_STOP=1 -d "$empty_dst" >/dev/null 2>&1; then
	pass db-empty-database
else
	fail db-empty-database "rc=$rc $(cat "$work/empty.log")"
fi
[ -n "$f2" ] && [ "$(stat -c %a "$f2")" = 600 ] && [ "$(stat -c %a "$out2")" = 700 ] &&
	pass db-modes-with-umask-000 || fail db-modes-with-umask-000 "$(stat -c '%a %n' "$out2" "$f2" 2>&1)"

# Owner and privileges kept on request.
psql -X -q -d "$src" -c 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO lb_noaccess' 2>/dev/null
out3=$work/priv
"$LB_BIN" db -d "dbname=$src" -o "$out3" --owner --privileges >"$work/priv.log" 2>&1
f3=$(ls "$out3"/lot-systems-db-*.sql.gz 2>/dev/null | head -n 1)
if [ -n "$f3" ] && gunzip -c "$f3" | grep -q 'OWNER TO' && gunzip -c "$f3" | grep -q '^GRANT SELECT'; then
	pass db-owner-privileges-on-request
else
	fail db-owner-privileges-on-request "$(cat "$work/priv.log")"
fi
# Its OWNER TO and GRANTs are the connecting user's to run: the role passes over the owners.
[ -z "$f3" ] || check_exit db-verify-restore-owner-privileges 0 "$LB_BIN" verify --restore "$f3"
psql -X -q -d "$src" -c 'REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM lb_noaccess' 2>/dev/null
finish
