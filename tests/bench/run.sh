#!/usr/bin/env bash
# make bench: lotbackup against the reference tools, side by side, on the
# application-shaped database from ../shared/bench/app-data.sql, on a
# throwaway cluster. Prints one table of medians and ratios per scale. Never
# part of make check: speed is measured here, not asserted in tests.
#   SCALES data sizes, e.g. "1 3" (1 = 3.2M rows, ~450 MB of SQL; default 1);
#          with several, a last table compares each with the first
#   RUNS   repetitions per scale (3)
# db --upload streams to an S3 server on the loopback (s3rver 5, as the
# tests start it: tests/lib/s3server.sh), measured beside db alone;
# restore s3:// reads a pushed copy of the dump from that same server.
# Every restore goes into the same database made anew after a checkpoint, so
# one does not pay for another's WAL, nor share the cores with autovacuum
# working through the one before.
#   LB_BIN the lotbackup binary
set -u
: "${LB_BIN:?set LB_BIN to the lotbackup binary}"
SCALES=${SCALES:-${SCALE:-1}}
RUNS=${RUNS:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
data=${BENCH_SQL:-$top/../shared/bench/app-data.sql}
[ -f "$data" ] || { echo "bench: $data not found (set BENCH_SQL)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null 2>&1 || { echo "bench: install the 'time' package" >&2; exit 1; }; }
. "$top/tests/lib/pgcluster.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/lbbench.XXXXXX")
# s3server.sh wants testlib's tmpdir and at_exit; cleanup stops the server.
tmpdir() { mktemp -d "$work/s3.XXXXXX"; }
at_exit() { :; }
LB_TOP=$top
. "$top/tests/lib/s3server.sh"
cleanup() { s3_stop; pg_cluster_stop >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_cluster_start || exit 1
"$LB_BIN" keygen "$work/bench.key" >/dev/null || exit 1
s3_start lotbackup-bench || { echo "bench: the S3 server did not start" >&2; exit 1; }
upload_env="LOTBACKUP_S3_URL=s3://lotbackup-bench/b LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1"
# Part size and parts at once of db --upload, for its memory target.
part_mib=16 upload_jobs=4


# measure NAME CMD...: appends "NAME seconds maxrss_kb" to $results.
measure() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time.out" bash -c "$*" >/dev/null 2>"$work/err.out" ||
		{ echo "bench: $name failed: $(tail -n 3 "$work/err.out")" >&2; return 1; }
	echo "$name $(cat "$work/time.out")" >>"$results"
}
quiet_dropdb() { PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists "$1"; }
fresh_db() { quiet_dropdb "$1"; createdb -T template0 "$1"; psql -X -q -d postgres -c CHECKPOINT; }

for scale in $SCALES; do
	results=$work/results.$scale
	echo "loading app-data.sql at scale $scale ..." >&2
	quiet_dropdb bench
	createdb bench && psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -d bench -f "$data" >/dev/null || exit 1
	psql -X -q -d bench -c "VACUUM ANALYZE" >/dev/null
	for i in $(seq 1 "$RUNS"); do
		echo "scale $scale, run $i of $RUNS ..." >&2
		rm -rf "$work/out" "$work/out-enc" "$work"/*.gz
		measure floor "pg_dump -Fp -d bench > /dev/null"
		measure pgdump_gzip "pg_dump -Fp -d bench | gzip -6 > $work/pg.sql.gz"
		measure pgdump_z6 "pg_dump -Fp -Z6 -d bench > $work/pgz.sql.gz"
		measure lotbackup_db "$LB_BIN db -q -d dbname=bench -o $work/out --keep 0"
		measure lotbackup_db_encrypt "$LB_BIN db -q --encrypt --key-file $work/bench.key -d dbname=bench -o $work/out-enc --keep 0"
		measure lotbackup_db_upload "env $upload_env $LB_BIN db -q --upload --part-size $part_mib \
			--upload-jobs $upload_jobs -d dbname=bench -o $work/up --keep 0"
		rm -rf "$work/up"
		f=$(ls "$work"/out/lot-systems-db-*.sql.gz)
		echo "size_gzip $(stat -c %s "$work/pg.sql.gz") 0" >>"$results"
		echo "size_lotbackup $(stat -c %s "$f") 0" >>"$results"
		echo "sql_bytes $(gunzip -c "$f" | wc -c) 0" >>"$results"
		measure lotbackup_verify "$LB_BIN verify -q $f"
		fresh_db r
		measure restore_psql "gunzip -c $work/pg.sql.gz | psql -X -q -v ON_ERROR_STOP=1 -d r"
		fresh_db r
		measure lotbackup_restore "$LB_BIN restore -q $f -d dbname=r"
		fresh_db r
		measure lotbackup_restore_whole "$LB_BIN restore -q --split-tables-larger-than 0 $f -d dbname=r"
		# The scratch database is made and dropped by verify itself; r goes first, as before a
		# restore, so autovacuum is not working through its rows beside the run, then the checkpoint.
		quiet_dropdb r
		psql -X -q -d postgres -c CHECKPOINT
		measure lotbackup_verify_restore "$LB_BIN verify -q --restore $f -d dbname=postgres"
		if env $upload_env "$LB_BIN" push -q "$f" >/dev/null 2>&1; then
			fresh_db r
			measure lotbackup_restore_s3 "env $upload_env $LB_BIN restore -q -o $work/out s3://lotbackup-bench/b/$(basename "$f") -d dbname=r"
		fi
	done
	quiet_dropdb r
done

# list over 10,000 backups, each with its manifest and every third verified,
# as a real output directory has them (the sidecars are what list looks up).
mkdir -p "$work/many"
python3 - "$work/many" <<'PY'
import datetime, os, sys
t = datetime.datetime(2020, 1, 1)
for i in range(10000):
    n = (t + datetime.timedelta(minutes=17 * i)).strftime("lot-systems-db-%Y-%m-%dT%H-%M-%S.sql.gz")
    open(os.path.join(sys.argv[1], n), "w").close()
    open(os.path.join(sys.argv[1], n + ".manifest.json"), "w").write("{}")
    if i % 3 == 0:
        open(os.path.join(sys.argv[1], n + ".verified.json"), "w").write('{"file": "%s"}' % n)
PY
results=$work/results.list
for i in $(seq 1 "$RUNS"); do measure list_10000 "$LB_BIN list -o $work/many"; done

python3 - "$work" "$RUNS" "$part_mib" "$upload_jobs" $SCALES <<'PY'
import statistics, sys
work, runs, part_mib, upload_jobs, scales = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
def load(path):
    rows = {}
    for line in open(path):
        name, sec, rss = line.split()
        rows.setdefault(name, []).append((float(sec), int(rss)))
    return rows
def line(label, value, ratio, target):
    print(f"{label:42} {value:>12} {ratio:>8}  {target}")
per = {}
for scale in scales:
    rows = load(f"{work}/results.{scale}")
    med = lambda n, k=0, rows=rows: statistics.median(v[k] for v in rows[n])
    per[scale] = med
    print(f"lotbackup benchmark: scale {scale}, medians of {runs} runs, {int(med('sql_bytes')) / 1e6:.0f} MB of SQL")
    print(f"{'measure':42} {'value':>12} {'ratio':>8}  target")
    db, floor, gz = med("lotbackup_db"), med("floor"), med("pgdump_gzip")
    line("pg_dump -Fp > /dev/null (floor)", f"{floor:.2f} s", "", "")
    line("pg_dump -Fp | gzip -6", f"{gz:.2f} s", "", "")
    line("pg_dump -Fp -Z6", f"{med('pgdump_z6'):.2f} s", "", "")
    line("lotbackup db", f"{db:.2f} s", "", "")
    line("  db / (pg_dump | gzip -6)", "", f"{db / gz:.2f}x", "<= 0.5x")
    line("  db / floor", "", f"{db / floor:.2f}x", "<= 1.3x")
    line("  output size / gzip -6", f"{int(med('size_lotbackup')) / 1e6:.1f} MB", f"{med('size_lotbackup') / med('size_gzip'):.3f}x", "<= 1.05x")
    line("  peak RSS of lotbackup db", f"{med('lotbackup_db', 1) / 1024:.1f} MiB", "", "<= 64 MiB")
    enc = med("lotbackup_db_encrypt")
    line("lotbackup db --encrypt", f"{enc:.2f} s", f"{enc / db:.2f}x", "<= 1.05x db")
    line("  peak RSS of lotbackup db --encrypt", f"{med('lotbackup_db_encrypt', 1) / 1024:.1f} MiB", "", "<= 64 MiB")
    up = med("lotbackup_db_upload")
    line("lotbackup db --upload (s3rver, loopback)", f"{up:.2f} s", f"{up / db:.2f}x", "<= 1.15x db")
    line(f"  peak RSS of db --upload ({part_mib} MiB x {upload_jobs + 1})", f"{med('lotbackup_db_upload', 1) / 1024:.1f} MiB", "",
         f"<= {64 + part_mib * (upload_jobs + 1)} MiB")
    r, p = med("lotbackup_restore"), med("restore_psql")
    line("gunzip -c | psql", f"{p:.2f} s", "", "")
    line("lotbackup restore", f"{r:.2f} s", f"{r / p:.2f}x", "<= 0.8x")
    rw = med("lotbackup_restore_whole")
    line("  the same, no table in parts", f"{rw:.2f} s", f"{rw / p:.2f}x", "")
    vr = med("lotbackup_verify_restore")
    line("lotbackup verify --restore", f"{vr:.2f} s", f"{vr / r:.2f}x", "<= 1.2x restore")
    if "lotbackup_restore_s3" in rows:
        rs3 = med("lotbackup_restore_s3")
        line("lotbackup restore s3:// (loopback s3rver)", f"{rs3:.2f} s", f"{rs3 / r:.2f}x", "<= 1.15x restore")
    line("  peak RSS of lotbackup restore", f"{med('lotbackup_restore', 1) / 1024:.1f} MiB", "", "")
    v = med("lotbackup_verify")
    line("lotbackup verify", f"{v:.2f} s", f"{med('sql_bytes') / v / 1e6:.0f} MB/s", ">= 300 MB/s")
    print()
lst = load(f"{work}/results.list")
line("lotbackup list, 10,000 backups", f"{statistics.median(v[0] for v in lst['list_10000']):.3f} s", "", "< 0.2 s")
if len(scales) > 1:
    a = per[scales[0]]
    for scale in scales[1:]:
        b = per[scale]
        k = float(scale) / float(scales[0])
        print()
        print(f"cost at scale {scale} against scale {scales[0]} (data x{b('sql_bytes') / a('sql_bytes'):.2f})")
        for name, label in (("lotbackup_db", "lotbackup db time"), ("lotbackup_restore", "lotbackup restore time"),
                            ("lotbackup_verify", "lotbackup verify time"), ("floor", "pg_dump floor time")):
            line(f"  {label}", f"{b(name):.2f} s", f"{b(name) / a(name):.2f}x", f"<= {1.1 * k:.1f}x" if name == "lotbackup_db" else "")
        line("  peak RSS of lotbackup db", f"{b('lotbackup_db', 1) / 1024:.1f} MiB", f"{b('lotbackup_db', 1) / a('lotbackup_db', 1):.2f}x", "<= 64 MiB")
PY
