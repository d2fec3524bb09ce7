#!/usr/bin/env bash
# A dump that switches the session to an encoding no server may have
# (SJIS, BIG5, GBK...) would make the server read its bytes otherwise
# than lotbackup's splitter and allow-list do: in SJIS the byte 0x95 and
# the backslash after it are one character, so E'\x95\' ends where the
# allow-list sees an escaped quote, and what it took for the rest of the
# string runs. Written by SET client_encoding or SET NAMES, the file is
# refused before anything loads (verify exits 3 naming the line); set by
# one of the dump's functions during the load, the load stops before the
# next statement. The ASCII-safe encodings pg_dump writes still pass.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/hostile-dump.sh"

hostile_setup ce lb_ce_src 5

# hostile NAME FILE: the good dump with FILE's bytes after its set_config line, manifest matched.
hostile() {
	local d=$work/$1 f
	mkdir -p "$d"
	f=$d/$(basename "$good")
	gunzip -c "$good" | python3 -c '
import sys
ins = open(sys.argv[1], "rb").read()
data = sys.stdin.buffer.read()
i = data.index(b"\n", data.index(b"SELECT pg_catalog.set_config")) + 1
sys.stdout.buffer.write(data[:i] + ins + data[i:])' "$2" | gzip >"$f"
	cp "$good.manifest.json" "$f.manifest.json"
	python3 "$LB_TOP/tests/lib/match-manifest.py" "$f"
	echo "$f"
}

# smuggle MARK: the statement the allow-list reads as one set_config, the server in SJIS as two.
smuggle() {
	printf "SELECT pg_catalog.set_config('search_path', E'\x95\\\\', false); COPY (SELECT 1) TO PROGRAM \$\$touch %s\$\$; -- ', false);\n" "$drop/$1"
}

n=0
for c in "sjis|SET client_encoding = 'SJIS';" "names-big5|SET NAMES 'BIG5';" \
    "session-quoted-gbk|SET SESSION \"client_encoding\" TO gbk;" "alias-win932|SET client_encoding TO 'Windows932';"; do
	name=${c%%|*}
	n=$((n + 1))
	{ printf '%s\n' "${c#*|}"; smuggle "$name"; } >"$work/$name.sql"
	f=$(hostile "$name" "$work/$name.sql")
	rc=0
	err=$("$LB_BIN" verify "$f" 2>&1 >/dev/null) || rc=$?
	if [ $rc -eq 3 ] && grep -q "check statements failed: line 14: SET client_encoding" <<<"$err"; then
		pass "ce-verify-$name"
	else
		fail "ce-verify-$name" "rc=$rc: $err"
	fi
	target=$(new_db "lb_ce_t$n")
	rc=0
	err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
	if [ $rc -eq 3 ] && [ ! -e "$drop/$name" ]; then
		pass "ce-restore-refused-$name"
	else
		fail "ce-restore-refused-$name" "rc=$rc, program ran: $(ls "$drop" 2>&1): $err"
	fi
done

# Set by a function of the dump during the load, past the allow-list: the load stops before the next statement.
{
	cat <<'SQL'
CREATE FUNCTION public.enc() RETURNS integer LANGUAGE plpgsql AS $f$BEGIN PERFORM pg_catalog.set_config('client_encoding', 'SJIS', false); RETURN 1; END$f$;
CREATE TABLE public.e AS SELECT public.enc() AS a;
SQL
	smuggle function
} >"$work/function.sql"
f=$(hostile function "$work/function.sql")
target=$(new_db lb_ce_fn)
rc=0
err=$("$LB_BIN" restore "$f" -d "dbname=$target" 2>&1) || rc=$?
if [ $rc -ne 0 ] && [ ! -e "$drop/function" ] && grep -q "line 16: the session's client_encoding became SJIS" <<<"$err"; then
	pass ce-function-stops-load
else
	fail ce-function-stops-load "rc=$rc, program ran: $(ls "$drop" 2>&1): $err"
fi

# What pg_dump writes of a database in an ASCII-safe encoding still passes and loads.
n=0
for c in "SET client_encoding = 'LATIN1';" "SET client_encoding TO 'euc_jp';" "SET NAMES 'UTF8';" "SET client_encoding TO DEFAULT;"; do
	n=$((n + 1))
	printf '%s\nSET client_encoding = '"'"'UTF8'"'"';\n' "$c" >"$work/ok$n.sql"
	f=$(hostile "ok$n" "$work/ok$n.sql")
	target=$(new_db "lb_ce_ok$n")
	check "ce-safe-restores-$n" "$LB_BIN" restore "$f" -d "dbname=$target"
done
finish
