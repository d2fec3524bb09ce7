#!/usr/bin/env bash
# --metrics-file / LOTBACKUP_METRICS_FILE: a Prometheus textfile (the
# node_exporter textfile collector's format), replaced atomically after
# each db, full or prune run: the last run's result, duration, size and
# rows per command, and the newest backup's age per kind.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_metrics) || { fail metrics-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 1234) g;
  CREATE TABLE u AS SELECT g FROM generate_series(1, 66) g" >/dev/null
work=$(tmpdir)
proj=$work/proj
git_project "$proj"
out=$work/out
prom=$work/textfile/lotbackup.prom
mkdir -p "$work/textfile"

# valid FILE: the exposition format as the textfile collector parses it.
valid() {
	python3 - "$1" <<'PY'
import re, sys
seen, typed, helped = set(), set(), set()
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$", line)
    if m:
        (helped if m.group(1) == "HELP" else typed).add(m.group(2))
        if m.group(1) == "TYPE" and m.group(3) not in ("gauge", "counter"):
            sys.exit(f"line {n}: bad type")
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)\{([a-z_]+="[^"]*")\} (-?[0-9.eE+]+)$', line)
    if not m:
        sys.exit(f"line {n}: not a sample: {line}")
    if m.group(1) not in typed or m.group(1) not in helped:
        sys.exit(f"line {n}: no HELP/TYPE before it")
    if (m.group(1), m.group(2)) in seen:
        sys.exit(f"line {n}: duplicate series")
    seen.add((m.group(1), m.group(2)))
PY
}
# value NAME LABELS: the sample's value.
value() {
	sed -n "s/^lotbackup_$1{$2} //p" "$prom"
}

check metrics-db "$LB_BIN" db -q -d "dbname=$db" -o "$out" --metrics-file "$prom"
msg=$(valid "$prom" 2>&1) && pass metrics-format-valid || fail metrics-format-valid "$msg"
[ "$(value last_run_success 'command="db"')" = 1 ] && [ "$(value last_run_exit_code 'command="db"')" = 0 ] &&
	pass metrics-db-success || fail metrics-db-success "$(cat "$prom")"
dump=$(ls "$out"/lot-systems-db-*.sql.gz)
[ "$(value last_run_backup_bytes 'command="db"')" = "$(stat -c %s "$dump")" ] &&
	[ "$(value last_run_backup_rows 'command="db"')" = 1300 ] && pass metrics-db-size-and-rows ||
	fail metrics-db-size-and-rows "$(cat "$prom")"
awk '$1 ~ /^lotbackup_last_run_duration_seconds/ && $2 > 0 { ok = 1 } END { exit !ok }' "$prom" &&
	pass metrics-duration || fail metrics-duration "$(cat "$prom")"
age=$(value newest_backup_age_seconds 'kind="db"')
[ -n "$age" ] && [ "$age" -ge 0 ] && [ "$age" -lt 600 ] && [ "$(value newest_backup_age_seconds 'kind="full"')" = -1 ] &&
	pass metrics-age-per-kind || fail metrics-age-per-kind "$(cat "$prom")"
[ "$(stat -c %a "$prom")" = 644 ] && [ -z "$(ls "$work/textfile" | grep -v '^lotbackup.prom$')" ] &&
	pass metrics-atomic-no-leftovers || fail metrics-atomic-no-leftovers "$(ls -la "$work/textfile")"

# full through .env, a failed prune after it: every command keeps its own lines.
printf 'LOTBACKUP_METRICS_FILE=%s\n' "$prom" >"$proj/.env"
check metrics-full-dotenv "$LB_BIN" full -q -C "$proj" -d "dbname=$db" -o "$out"
[ "$(value last_run_success 'command="full"')" = 1 ] && [ "$(value last_run_success 'command="db"')" = 1 ] &&
	[ "$(value last_run_backup_rows 'command="db"')" = 1300 ] && pass metrics-full-keeps-db ||
	fail metrics-full-keeps-db "$(cat "$prom")"
[ "$(value newest_verified_backup_age_seconds 'kind="full"')" -ge 0 ] 2>/dev/null && pass metrics-full-age ||
	fail metrics-full-age "$(cat "$prom")"
check_exit metrics-db-fails 1 "$LB_BIN" db -q -d "dbname=lb_metrics_no_such_db" -o "$out" --metrics-file "$prom"
[ "$(value last_run_success 'command="db"')" = 0 ] && [ "$(value last_run_exit_code 'command="db"')" = 1 ] &&
	[ "$(value last_run_success 'command="full"')" = 1 ] && pass metrics-failure-recorded ||
	fail metrics-failure-recorded "$(cat "$prom")"
msg=$(valid "$prom" 2>&1) && pass metrics-format-valid-merged || fail metrics-format-valid-merged "$msg"
finish
