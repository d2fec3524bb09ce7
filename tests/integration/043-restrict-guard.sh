#!/usr/bin/env bash
# Every dump is guarded as pg_dump's is (CVE-2025-8714): \restrict KEY as
# its first line, \unrestrict KEY as its last, so psql runs no
# meta-command smuggled into it. lotbackup's own reader takes both lines.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_guard) || { fail guard-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE TABLE victim (id int PRIMARY KEY, v text);
  INSERT INTO victim SELECT g, md5(g::text) FROM generate_series(1, 500) g;" >/dev/null ||
	{ fail guard-setup "cannot fill $db"; finish; }
work=$(tmpdir)

# A normal dump: \restrict KEY first, \unrestrict KEY last, the same
# random 64-character key, another one in the next dump.
out=$work/good
check guard-dump "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
sleep 1.1	# file names are per second
check guard-dump-2 "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
set -- $(ls "$out"/lot-systems-db-*.sql.gz)
first_key() { gunzip -c "$1" | head -n 1 | sed -n 's/^\\restrict \([A-Za-z0-9]\{64\}\)$/\1/p'; }
last_key() { gunzip -c "$1" | tail -n 1 | sed -n 's/^\\unrestrict \([A-Za-z0-9]\{64\}\)$/\1/p'; }
k1=$(first_key "$1") k1e=$(last_key "$1") k2=$(first_key "$2") k2e=$(last_key "$2")
if [ -n "$k1" ] && [ "$k1" = "$k1e" ] && [ -n "$k2" ] && [ "$k2" = "$k2e" ]; then
	pass guard-lines
else
	fail guard-lines "first/last lines: $(gunzip -c "$1" | sed -n '1p;$p' | tr '\n' '|')"
fi
[ -n "$k1" ] && [ "$k1" != "$k2" ] && pass guard-key-random || fail guard-key-random "$k1 / $k2"
dump=$1
check guard-verify-ok "$LB_BIN" verify "$dump"
rdb=$(new_db lb_guard_rs) || finish
check guard-restore-ok "$LB_BIN" restore "$dump" -d "dbname=$rdb"
rdb=$(new_db lb_guard_psql) || finish
if gunzip -c "$dump" | psql -X -q -v ON_ERROR_STOP=1 -d "$rdb" >"$work/psql.log" 2>&1 &&
	[ "$(psql -X -At -d "$rdb" -c 'SELECT count(*) FROM victim')" = 500 ]; then
	pass guard-psql-restores-ok
else
	fail guard-psql-restores-ok "$(tail -n 5 "$work/psql.log")"
fi

# psql honours the guard: a command smuggled in after a "\." does not run
# (and does without the guard, which shows the file is hostile indeed).
smuggle() { awk -v cmd="\\! touch $2" '{ print } /^COPY .*victim/ { getline; print; print "\\."; print cmd }' "$1"; }
gunzip -c "$dump" >"$work/plain.sql"
smuggle "$work/plain.sql" "$work/pwned" >"$work/guarded.sql"
grep -v '^\\\(un\)\?restrict ' "$work/plain.sql" >"$work/unguarded-src.sql"
smuggle "$work/unguarded-src.sql" "$work/pwned-unguarded" >"$work/unguarded.sql"
rdb=$(new_db lb_guard_psql) || finish
psql -X -q -d "$rdb" -f "$work/guarded.sql" >/dev/null 2>&1
rdb=$(new_db lb_guard_psql) || finish
psql -X -q -d "$rdb" -f "$work/unguarded.sql" >/dev/null 2>&1
if [ ! -e "$work/pwned" ] && [ -e "$work/pwned-unguarded" ]; then
	pass guard-psql-honours-restrict
else
	fail guard-psql-honours-restrict "guarded ran: $([ -e "$work/pwned" ] && echo yes || echo no)," \
		"unguarded ran: $([ -e "$work/pwned-unguarded" ] && echo yes || echo no)"
fi

# verify refuses any other meta-command in a dump, as restore does, even
# with a manifest that matches the file (the hostile file's own).
rewrite() {	# rewrite SRC.sql DST.sql.gz: DST with a manifest that matches it
	gzip -c "$1" >"$2"
	python3 "$LB_TOP/tests/lib/match-manifest.py" "$2" "$dump.manifest.json"
}
mkdir -p "$work/meta"
rewrite "$work/plain.sql" "$work/meta/same.sql.gz"
check guard-verify-rewritten-ok "$LB_BIN" verify "$work/meta/same.sql.gz"
awk -v cmd="\\! touch $work/pwned-meta" 'NR == 2 { print cmd } { print }' "$work/plain.sql" >"$work/meta.sql"
rewrite "$work/meta.sql" "$work/meta/meta.sql.gz"
if check_exit guard-verify-refuses-meta 3 "$LB_BIN" verify "$work/meta/meta.sql.gz"; then
	grep -q 'line 2.*meta-command' <<<"$LB_LAST_OUTPUT" && pass guard-verify-names-meta ||
		fail guard-verify-names-meta "$LB_LAST_OUTPUT"
fi

# A guard line with a second command after its key: psql would run it.
sed "1s|\$| \\\\! touch $work/pwned-meta|" "$work/plain.sql" >"$work/meta2.sql"
rewrite "$work/meta2.sql" "$work/meta/meta2.sql.gz"
check_exit guard-verify-refuses-meta-on-guard-line 3 "$LB_BIN" verify "$work/meta/meta2.sql.gz"
finish
