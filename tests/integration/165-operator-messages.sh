#!/usr/bin/env bash
# What the operator sees: the progress bar counts every connection's rows
# at any --jobs (LOTBACKUP_PROGRESS=1 draws it into a file).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_opsmsg) || { fail opsmsg-setup createdb; finish; }
# Four tables of about 17 MiB of rows each, a dump of some seconds: with
# --jobs 4, three go to parallel connections while the main one streams
# the first, or waits for them.
for t in 1 2 3 4; do
	psql -X -q -d "$db" -c "CREATE TABLE t$t AS SELECT g, md5(g::text) || md5((g * $t)::text) AS x
	  FROM generate_series(1, 250000) g" >/dev/null
done
work=$(tmpdir)

# bar_figures FILE: each drawn "dump" line's byte count, one a line, in KiB.
bar_figures() {
	tr '\r' '\n' <"$1" | sed -n 's/^dump .*%  *\([0-9.]*\) \([KMG]\)iB .*/\1 \2/p' |
		awk '{ m = $2 == "K" ? 1 : $2 == "M" ? 1024 : 1048576; printf "%d\n", $1 * m }'
}
for jobs in 1 4; do
	rm -rf "$work/out$jobs"
	LOTBACKUP_PROGRESS=1 "$LB_BIN" db -d "dbname=$db" -o "$work/out$jobs" --jobs $jobs --compress-level 9 \
		2>"$work/bar$jobs" >/dev/null
	secs=$(tr '\r' '\n' <"$work/bar$jobs" | sed -n 's/.* wrote .*, \([0-9]*\)\.[0-9] s)$/\1/p')
	sql_kib=$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sql_bytes"])' \
		"$(ls "$work/out$jobs"/*.manifest.json)") / 1024 ))
	figures=$(bar_figures "$work/bar$jobs")
	most=$(sort -n <<<"$figures" | tail -n 1)
	# Redrawn as the rows come (up to 5 times a second; the old bar stood
	# still while the main connection waited for a worker's table), at
	# least once past a quarter of the rows, and never going back.
	draws=$(tr '\r' '\n' <"$work/bar$jobs" | grep -c '^dump ')
	if [ "$draws" -ge $((2 * ${secs:-0})) ] && [ "${most:-0}" -gt $((sql_kib / 4)) ] &&
		[ "$figures" = "$(sort -n <<<"$figures")" ]; then
		pass "progress-counts-all-connections-jobs$jobs"
	else
		fail "progress-counts-all-connections-jobs$jobs" "$draws draws in ${secs}s, sql ${sql_kib} KiB, bar showed (KiB): $(tr '\n' ' ' <<<"$figures")
$(tr '\r' '\n' <"$work/bar$jobs" | tail -n 5)"
	fi
done
finish
