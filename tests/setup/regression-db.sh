#!/usr/bin/env bash
# The PostgreSQL regression database as a dump fidelity test (issue #17,
# `make check-regression`; too slow for `make check`):
#  1. builds PostgreSQL's regression suite from the source of the installed
#     server 15 (Debian's source package through `apt-get source` when a
#     deb-src line is configured, else the same upstream tarball from
#     ftp.postgresql.org): only pg_regress and its test modules, against
#     the Debian server binaries;
#  2. runs the suite (parallel_schedule) on a throwaway cluster, which
#     leaves the `regression` database, and keeps that cluster's data
#     directory in the cache: later runs start from a copy of it;
#  3. dumps `regression` with `lotbackup db --owner --privileges`, loads
#     the dump by `gunzip | psql` and by `lotbackup restore` into fresh
#     databases of the same cluster, and compares each copy with the
#     source by tests/lib/compare.sh (pg_dump 15 --schema-only of both
#     sides, every table's rows, every sequence) as pg_dump's own copy
#     (pg_dump | psql) is: each copy must differ from the source exactly
#     where pg_dump's does, and equal pg_dump's copy;
#  4. checks the dump with `lotbackup verify --restore --trusted` as the superuser:
#     it must pass with nothing left out (every superuser-only statement
#     run on the superuser's connection, the rest as the confined role);
#     then as a CREATEDB CREATEROLE user, which must pass too, leaving
#     out what only a superuser may run and what names its objects.
# Cache: $LB_REGRESS_DIR, default /var/cache/lotbackup/regress as root
# (postgres must read it), else ~/.cache/lotbackup/regress. Delete it to
# rebuild. Needs LB_BIN (the lotbackup binary), a C compiler and make
# (a release tarball has its parsers generated), pg_dump 15 and psql.
# Exit 0: both copies equal pg_dump's and verify --restore passes; 1: a
# difference or a failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
LB_TOP=$top
export LB_TOP
: "${LB_BIN:?set LB_BIN to the lotbackup binary}"
. "$top/tests/lib/pgcluster.sh"
. "$top/tests/lib/compare.sh"

if [ -n "${LB_REGRESS_DIR:-}" ]; then
	cache=$LB_REGRESS_DIR
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/lotbackup/regress
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/lotbackup/regress
fi
say() { echo "regression-db: $*" >&2; }
die() { say "$*"; exit 1; }

# The server's own release, e.g. 15.18: the suite must match it.
version=$("$LB_PG_BIN/postgres" --version | awk '{print $3}')
case $version in 15.*) ;; *) die "expected a PostgreSQL 15 server in $LB_PG_BIN, found $version" ;; esac
src=$cache/postgresql-$version
regress=$src/src/test/regress

# fetch_source: the orig tarball of the server's release into $cache.
fetch_source() {
	local tarball=$cache/postgresql-$version.tar.bz2 tmp deb
	[ -s "$tarball" ] && return 0
	tmp=$(mktemp -d "$cache/fetch.XXXXXX") || return 1
	deb=$(dpkg-query -W -f '${source:Version}' postgresql-15 2>/dev/null)
	if [ -n "$deb" ] && (cd "$tmp" && apt-get source --download-only "postgresql-15=$deb" >/dev/null 2>&1); then
		mv "$tmp"/postgresql-15_"$version".orig.tar.bz2 "$tarball"
	else
		say "no deb-src source for postgresql-15 $version; fetching it from ftp.postgresql.org"
		curl -fsSL -o "$tmp/t.tar.bz2" \
			"https://ftp.postgresql.org/pub/source/v$version/postgresql-$version.tar.bz2" &&
			mv "$tmp/t.tar.bz2" "$tarball"
	fi
	rm -rf "$tmp"
	[ -s "$tarball" ]
}

# build: configure (no optional libraries: only pg_regress and the test
# modules are built, the server is Debian's), then src/test/regress.
build() {
	[ -e "$src/.built" ] && return 0
	fetch_source || { say "cannot fetch the source of PostgreSQL $version"; return 1; }
	rm -rf "$src" && tar -xjf "$cache/postgresql-$version.tar.bz2" -C "$cache" || return 1
	say "building the regression suite of $version (a few minutes)"
	(cd "$src" && ./configure --without-readline --without-icu --without-zlib --without-openssl \
		>"$cache/configure.log" 2>&1 &&
		make -j"$(nproc)" -C src/backend generated-headers >"$cache/make.log" 2>&1 &&
		make -j"$(nproc)" -C src/test/regress >>"$cache/make.log" 2>&1) ||
		{ say "build failed: see $cache/configure.log and $cache/make.log"; return 1; }
	: >"$src/.built"
}

# run_suite: the suite on the running cluster, as postgres (the server
# reads the data files and writes results/ of the regress directory).
run_suite() {
	chown -R postgres:postgres "$regress" 2>/dev/null
	(cd "$regress" && runuser -u postgres -- ./pg_regress --inputdir=. --bindir="$LB_PG_BIN" \
		--dlpath=. --max-concurrent-tests=20 --host="$PGHOST" --port="$PGPORT" --user=postgres \
		--schedule=parallel_schedule) >"$cache/regress.log" 2>&1
	local rc=$?
	grep -E '^# |tests passed|failed' "$cache/regress.log" | tail -n 3 >&2
	[ $rc -eq 0 ] || say "the suite reported failures (exit $rc; $regress/regression.diffs); the database stays usable"
	psql -X -q -At -d regression -c 'SELECT 1' >/dev/null || return 1
}

# start: a throwaway cluster holding the regression database, from the
# cached data directory when there is one.
start() {
	pg_cluster_start || return 1
	if [ -d "$cache/data" ]; then
		local conf
		runuser -u postgres -- "$LB_PG_BIN/pg_ctl" -D "$LB_PG_DATA" -m fast stop >/dev/null || return 1
		conf=$(sed -n '/^# --- lotbackup test settings ---$/,$p' "$LB_PG_DATA/postgresql.conf" | tail -n +2)
		rm -rf "$LB_PG_DATA" && cp -a "$cache/data" "$LB_PG_DATA" || return 1
		# The last setting wins: this cluster's socket and port.
		printf '\n%s\n' "$conf" >>"$LB_PG_DATA/postgresql.conf"
		runuser -u postgres -- "$LB_PG_BIN/pg_ctl" -D "$LB_PG_DATA" -w -t 120 -l "$LB_PG_LOG" start >/dev/null ||
			return 1
		return 0
	fi
	run_suite || return 1
	runuser -u postgres -- "$LB_PG_BIN/pg_ctl" -D "$LB_PG_DATA" -m fast stop >/dev/null &&
		rm -rf "$cache/data.tmp" && cp -a "$LB_PG_DATA" "$cache/data.tmp" && mv "$cache/data.tmp" "$cache/data" &&
		runuser -u postgres -- "$LB_PG_BIN/pg_ctl" -D "$LB_PG_DATA" -w -t 120 -l "$LB_PG_LOG" start >/dev/null
}

# same_as_pgdump NAME COPY: COPY differs from the source exactly where
# pg_dump's own copy does (pg_dump 15 too puts an inheritance child's
# inherited columns first when its column order differs, and refreshes a
# materialized view): both are compared with the source, their
# differences must be the same, and the two copies identical.
same_as_pgdump() {
	local name=$1 copy=$2
	compare_databases regression "$copy" 2>&1 | sed "s/$copy/COPY/g" >"$work/$copy.src-diff"
	if ! diff -u "$work/pgdump.src-diff" "$work/$copy.src-diff" >"$work/diff" ||
		! compare_databases regression_pgdump "$copy" >"$work/diff" 2>&1; then
		say "FAIL: the $name copy differs from pg_dump's"
		head -n 60 "$work/diff" >&2
		return 1
	fi
	say "PASS: the $name copy equals pg_dump's copy ($(grep -c '^[-+][^-+]' "$work/$copy.src-diff") lines differ from the source, as pg_dump's)"
}

# verify_restore FILE: verify --restore of the dump passes, as the
# superuser leaving nothing out, and as a non-superuser.
verify_restore() {
	local t0=$SECONDS
	if ! "$LB_BIN" verify -q --restore --trusted "$1" -d dbname=postgres >"$work/verify.log" 2>&1; then
		say "FAIL: verify --restore: $(grep -m 3 -E 'error|FAIL' "$work/verify.log")"
		return 1
	fi
	if grep -q 'leaves out' "$work/verify.log"; then
		say "FAIL: verify --restore left statements out: $(grep -m 3 'leaves out' "$work/verify.log")"
		return 1
	fi
	say "PASS: verify --restore: $((SECONDS - t0)) s"
	# As a user who may create roles and databases but is no superuser:
	# superuser-only statements, and what names their objects, left out.
	t0=$SECONDS
	psql -X -q -d postgres -c 'CREATE ROLE lb_regress_admin LOGIN CREATEDB CREATEROLE' || return 1
	if ! PGUSER=lb_regress_admin "$LB_BIN" verify -q --restore "$1" -d dbname=postgres >"$work/verify2.log" 2>&1; then
		say "FAIL: verify --restore as a non-superuser: $(grep -m 3 -E 'error|FAIL' "$work/verify2.log")"
		return 1
	fi
	say "PASS: verify --restore as a non-superuser: $((SECONDS - t0)) s, $(grep -c 'leaves out' "$work/verify2.log") statements left out"
}

# roundtrip: dump, load both ways, compare, verify --restore.
roundtrip() {
	local rc=0 t0 file
	work=$(mktemp -d) || return 1
	_lb_cmp_tables regression | awk -F'|' '{n++; r += $3} END {print n " tables, " r " rows"}' >&2
	createdb regression_pgdump && createdb regression_psql && createdb regression_restore || return 1
	t0=$SECONDS
	pg_dump -d regression | psql -X -q -v ON_ERROR_STOP=1 -d regression_pgdump >"$work/pgdump.log" 2>&1 ||
		{ say "pg_dump | psql failed: $(grep -m 3 ERROR "$work/pgdump.log")"; return 1; }
	say "pg_dump | psql: $((SECONDS - t0)) s"
	compare_databases regression regression_pgdump 2>&1 | sed "s/regression_pgdump/COPY/g" >"$work/pgdump.src-diff"
	t0=$SECONDS
	"$LB_BIN" db -q -d dbname=regression -o "$work/out" --owner --privileges || return 1
	file=$(ls "$work"/out/*.sql.gz)
	say "db: $((SECONDS - t0)) s, $(stat -c %s "$file") bytes"
	t0=$SECONDS
	if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d regression_psql >"$work/psql.log" 2>&1; then
		say "gunzip | psql: $((SECONDS - t0)) s"
		same_as_pgdump psql regression_psql || rc=1
	else
		say "FAIL: gunzip | psql: $(grep -m 3 ERROR "$work/psql.log")"
		rc=1
	fi
	t0=$SECONDS
	if "$LB_BIN" restore -q "$file" -d dbname=regression_restore 2>"$work/restore.log"; then
		say "restore: $((SECONDS - t0)) s"
		same_as_pgdump restore regression_restore || rc=1
	else
		say "FAIL: restore: $(tail -n 3 "$work/restore.log")"
		rc=1
	fi
	verify_restore "$file" || rc=1
	return $rc
}

mkdir -p "$cache" || die "cannot create $cache"
build || die "cannot build the regression suite"
work=
trap 'pg_cluster_stop; [ -z "$work" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start || die "cannot start the regression cluster"
roundtrip
