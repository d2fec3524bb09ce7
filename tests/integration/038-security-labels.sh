#!/usr/bin/env bash
# Security labels are dumped as pg_dump dumps them (SECURITY LABEL FOR
# provider ON kind name IS 'label'), after the objects they label, and
# db --no-security-labels leaves them out.
#
# What is tested where: PostgreSQL ships no label provider but the test
# module src/test/modules/dummy_seclabel. When its source and the server's
# headers are there (LB_PG_SRC, a configured PostgreSQL 15 source tree), or
# the module is built already (LB_SECLABEL_MODULE), it is loaded through
# session_preload_libraries (no server restart), and the
# labels of tests/fixtures/security-labels.sql go round trip through
# gunzip | psql and lotbackup restore. Without it, that part is skipped and
# only the dump's query path is tested, on rows written straight into
# pg_seclabel (a superuser may; no provider checks them).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
labels_of() {
	psql -X -q -At -d "$1" -c "SELECT objtype, objname, provider, label FROM pg_seclabels
		WHERE objtype NOT IN ('database', 'role', 'tablespace') ORDER BY 1, 2, 3"
}

# The query path, with no provider: rows in pg_seclabel, a table left out by -t.
raw=$(new_db lb_sl_raw) || { fail seclabel-setup "cannot create databases"; finish; }
check seclabel-raw-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$raw" -c "
	CREATE TABLE public.kept (a int); CREATE TABLE public.other (a int);
	INSERT INTO pg_seclabel (objoid, classoid, objsubid, provider, label) VALUES
	  ('public.kept'::regclass, 'pg_class'::regclass, 0, 'lb_none', 'lab''el'),
	  ('public.kept'::regclass, 'pg_class'::regclass, 1, 'lb_none', 'col'),
	  ('public.other'::regclass, 'pg_class'::regclass, 0, 'lb_none', 'other')" || finish
check seclabel-raw-db "$LB_BIN" db -q -d "dbname=$raw" -o "$work/raw" || finish
gunzip -c "$work"/raw/*.sql.gz | grep '^SECURITY LABEL' >"$work/raw.txt"
want="SECURITY LABEL FOR lb_none ON TABLE public.kept IS 'lab''el';
SECURITY LABEL FOR lb_none ON COLUMN public.kept.a IS 'col';
SECURITY LABEL FOR lb_none ON TABLE public.other IS 'other';"
if [ "$(cat "$work/raw.txt")" = "$want" ]; then
	pass seclabel-raw-dumped
else
	fail seclabel-raw-dumped "the dump's labels:"$'\n'"$(cat "$work/raw.txt")"
fi
check seclabel-raw-selected "$LB_BIN" db -q -d "dbname=$raw" -o "$work/raw-t" -t public.kept || finish
if gunzip -c "$work"/raw-t/*.sql.gz | grep -q "ON TABLE public.other"; then
	fail seclabel-raw-selected-only "-t public.kept dumps the label of public.other"
else
	pass seclabel-raw-selected-only
fi
check seclabel-raw-none "$LB_BIN" db -q -d "dbname=$raw" -o "$work/raw-n" --no-security-labels || finish
if gunzip -c "$work"/raw-n/*.sql.gz | grep -q 'SECURITY LABEL'; then
	fail seclabel-raw-no-security-labels "--no-security-labels still dumps labels"
else
	pass seclabel-raw-no-security-labels
fi

# The round trip, with the dummy provider: a built module, or built here.
module=${LB_SECLABEL_MODULE:-}
if [ -z "$module" ] && [ -n "${LB_PG_SRC:-}" ] &&
	[ -f "$LB_PG_SRC/src/test/modules/dummy_seclabel/dummy_seclabel.c" ] &&
	[ -f "$LB_PG_SRC/src/include/pg_config.h" ]; then
	module=$work/dummy_seclabel.so
	check seclabel-provider-build cc -O2 -fPIC -shared -I"$LB_PG_SRC/src/include" -o "$module" \
		"$LB_PG_SRC/src/test/modules/dummy_seclabel/dummy_seclabel.c" || finish
fi
if [ -z "$module" ] || [ ! -f "$module" ]; then
	skip seclabel-provider "no label provider: set LB_SECLABEL_MODULE to a built dummy_seclabel.so," \
		"or LB_PG_SRC to a configured PostgreSQL 15 source tree"
	finish
fi
# The server runs as another user: the module sits where it can read it.
libdir=$(mktemp -d /tmp/lb-seclabel.XXXXXX) && chmod 755 "$libdir" && cp "$module" "$libdir/dummy_seclabel.so" &&
	chmod 644 "$libdir/dummy_seclabel.so" || { fail seclabel-libdir "cannot copy the module to /tmp"; finish; }
at_exit rm -rf "$libdir"
src=$(new_db lb_sl_src) && dst=$(new_db lb_sl_dst) && rdst=$(new_db lb_sl_restore) ||
	{ fail seclabel-setup "cannot create databases"; finish; }
for d in "$src" "$dst" "$rdst"; do
	psql -X -q -v ON_ERROR_STOP=1 -d "$d" -c "ALTER DATABASE $d SET session_preload_libraries = '$libdir/dummy_seclabel'" ||
		{ fail seclabel-preload "cannot preload the module in $d"; finish; }
done
check seclabel-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/security-labels.sql" || finish
check seclabel-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" || finish
file=$(ls "$work"/out/*.sql.gz)
n=$(gunzip -c "$file" | grep -c '^SECURITY LABEL FOR dummy ON ')
if [ "$n" -eq 14 ]; then
	pass seclabel-every-kind-dumped
else
	fail seclabel-every-kind-dumped "$n SECURITY LABEL statements, 14 expected"
fi
if gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/psql.log" 2>&1; then
	pass seclabel-loads-with-psql
	if [ "$(labels_of "$src")" = "$(labels_of "$dst")" ]; then pass seclabel-psql-same; else
		fail seclabel-psql-same "$(diff <(labels_of "$src") <(labels_of "$dst"))"; fi
else
	fail seclabel-loads-with-psql "$(tail -n 3 "$work/psql.log")"
fi
if check seclabel-restore "$LB_BIN" restore -q "$file" -d "dbname=$rdst"; then
	if [ "$(labels_of "$src")" = "$(labels_of "$rdst")" ]; then pass seclabel-restore-same; else
		fail seclabel-restore-same "$(diff <(labels_of "$src") <(labels_of "$rdst"))"; fi
fi
finish
