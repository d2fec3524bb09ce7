#!/usr/bin/env bash
# verify --restore reads a table back while the rest of the dump loads. A
# statement after the data can change how rows already in print without
# writing a row: an enum label renamed, a field added to a composite type,
# or an object a regclass value names renamed. The table read before it
# passed, and the restored database printed other rows than the file's;
# neither dump format writes such a statement, so a verify load refuses
# it, naming the line. A restore still runs it.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/early-read.sh"

db=$(new_db lb_vreprint) || { fail vreprint-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TYPE mood AS ENUM ('happy', 'sad'); CREATE TYPE pair AS (a int, b text);
  CREATE SEQUENCE sq;
  CREATE TABLE e (id int PRIMARY KEY, m mood, p pair, r regclass);
  INSERT INTO e SELECT g, 'happy', ROW(g, 'x')::pair, 'sq'::regclass FROM generate_series(1, 200) g;
  CREATE TABLE u (id int PRIMARY KEY);
  INSERT INTO u SELECT g FROM generate_series(1, 50) g;" >/dev/null
work=$(tmpdir)
dump_checked vreprint "$db" "$work" || finish

# refused NAME LABEL SQL: the dump with a CHECK on u that sleeps (so e is
# read first), then SQL; verify --restore stops at SQL's line, naming it.
refused() {
	fails_after_read "vreprint-$1" "$work/$1" \
		"verify stopped at line [0-9]*: the file runs $2, which changes how rows already loaded print" "$3"
	REFUSED=$FORGED
}
refused enum-label 'ALTER \.\.\. RENAME' "ALTER TYPE public.mood RENAME VALUE 'happy' TO 'furious';"
enum=$REFUSED
refused composite 'ALTER TYPE \.\.\. ATTRIBUTE' "ALTER TYPE public.pair ADD ATTRIBUTE c integer CASCADE;"
refused regclass 'ALTER \.\.\. RENAME' "ALTER SEQUENCE public.sq RENAME TO moved;"
refused schema 'ALTER \.\.\. SET SCHEMA' "CREATE SCHEMA other;
ALTER SEQUENCE public.sq SET SCHEMA other;"

# A restore trusts the file's statements inside its target: the label is renamed there.
target=$(new_db lb_vreprint_to)
check_exit vreprint-restore-runs 0 "$LB_BIN" restore -q "$enum" -d "dbname=$target"
m=$(psql -X -A -t -d "$target" -c "SELECT DISTINCT m FROM public.e")
[ "$m" = furious ] && pass vreprint-restore-renamed || fail vreprint-restore-renamed "m=$m"

n=$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lotbackup_verify_%'")
[ "$n" = 0 ] && pass vreprint-scratch-dropped || fail vreprint-scratch-dropped "$n left"

finish
