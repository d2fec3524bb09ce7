#!/usr/bin/env bash
# Bad input: one clear line naming the thing, exit 1, and nothing lost: the
# earlier backup in the output directory is untouched and no file appears.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_err) || { fail errors-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE \"Secret Stuff\" (id int PRIMARY KEY, v text);
  INSERT INTO \"Secret Stuff\" SELECT g, md5(g::text) FROM generate_series(1, 1000) g;
  CREATE TABLE big (id int, a text, b text);
  INSERT INTO big SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 400000) g;" >/dev/null
work=$(tmpdir)
out=$work/backups
check errors-earlier-backup "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
snapshot() { (cd "$out" && find . -type f ! -name .lotbackup.lock -printf '%p %s\n' | sort && sha256sum ./* 2>/dev/null | sort); }
before=$(snapshot)

# expect_failure NAME REGEX CMD...: exit 1, one stderr line matching REGEX,
# the output directory exactly as before.
expect_failure() {
	local name=$1 regex=$2 rc=0 err lines
	shift 2
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	lines=$(printf '%s\n' "$err" | grep -c 'error:\|error lotbackup:')
	if [ $rc -ne 1 ]; then
		fail "$name" "exit $rc, expected 1: $err"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "expected one error line, got $lines: $err"
	elif ! grep -Eq -- "$regex" <<<"$err"; then
		fail "$name" "message does not match /$regex/: $err"
	elif [ "$(snapshot)" != "$before" ]; then
		fail "$name" "output directory changed"$'\n'"$(diff <(echo "$before") <(snapshot))"
	else
		pass "$name"
	fi
	LB_LAST_OUTPUT=$err
}

expect_failure error-unreachable-server 'cannot connect.*server running' \
	"$LB_BIN" db -d "host=$work/nosocket port=5999 dbname=x" -o "$out"
pwurl="postgresql://lb_pw:Wr0ngPassw0rd@localhost/$db?host=$PGHOST&port=$PGPORT"
expect_failure error-wrong-password 'password authentication failed.*check the password' \
	"$LB_BIN" db -d "$pwurl" -o "$out"
grep -q Wr0ngPassw0rd <<<"$LB_LAST_OUTPUT" && fail error-wrong-password-not-echoed "$LB_LAST_OUTPUT" || pass error-wrong-password-not-echoed
expect_failure error-missing-database 'lb_no_such_db.*does not exist' \
	"$LB_BIN" db -d "dbname=lb_no_such_db" -o "$out"
touch "$work/plainfile"
expect_failure error-output-dir-not-a-directory "$work/plainfile.*(Not a directory|output-dir)" \
	"$LB_BIN" db -d "dbname=$db" -o "$work/plainfile/backups"
# Unwritable for a non-root user (root ignores modes, so run as nobody).
mkdir -p "$work/ro" && chmod 755 "$work/ro" && chmod 755 "$work"
if runuser -u nobody -- true 2>/dev/null; then
	expect_failure error-output-dir-unwritable "$work/ro.*(not writable|Permission denied)" \
		runuser -u nobody -- "$LB_BIN" db -d "dbname=$db" -o "$work/ro"
	[ -z "$(ls -A "$work/ro" | grep -v "^\.lotbackup\.lock$")" ] && pass error-unwritable-left-nothing || fail error-unwritable-left-nothing "$(ls -A "$work/ro" | grep -v "^\.lotbackup\.lock$")"
else
	skip error-output-dir-unwritable "runuser unavailable"
fi
expect_failure error-malformed-database-url 'DATABASE_URL.*not a valid connection string' \
	env DATABASE_URL='postgresql://u:Sup3rSecr3t@localhost:notaport/x' "$LB_BIN" db -o "$out"
grep -q Sup3rSecr3t <<<"$LB_LAST_OUTPUT" && fail error-malformed-url-not-echoed "$LB_LAST_OUTPUT" || pass error-malformed-url-not-echoed
proj=$work/proj && mkdir -p "$proj"
printf 'DATABASE_URL=postgresql:///%s?host=%s&port=%s\nLOTBACKUP_KEEP_DAYZ=7\n' "$db" "$PGHOST" "$PGPORT" >"$proj/.env"
expect_failure error-unknown-env-key 'LOTBACKUP_KEEP_DAYZ.*line 2' "$LB_BIN" db -C "$proj" -o "$out"
expect_failure error-permission-denied-table '(big|"Secret Stuff").*permission denied.*42501' \
	"$LB_BIN" db -d "dbname=$db user=lb_noaccess" -o "$out"
# A table locked by another session: the lock timeout names it.
psql -X -q -d "$db" -c "BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(15); COMMIT;" >/dev/null 2>&1 &
locker=$!
sleep 1
expect_failure error-lock-timeout 'big.*55P03' "$LB_BIN" db -d "dbname=$db" -o "$out" --lock-timeout 300
kill "$locker" 2>/dev/null; wait "$locker" 2>/dev/null
psql -X -q -d "$db" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(15)%' AND pid <> pg_backend_pid()" >/dev/null

# The server goes away in the middle of a table: failure, never a backup.
"$LB_BIN" db -d "dbname=$db" -o "$out" >/dev/null 2>"$work/kill.err" &
dump=$!
for _ in $(seq 1 100); do
	n=$(psql -X -At -d postgres -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	    WHERE application_name = 'lotbackup' AND query LIKE 'COPY %big%'")
	[ "${n:-0}" -gt 0 ] && break
	sleep 0.05
done
wait "$dump"; rc=$?
if [ "${n:-0}" -eq 0 ]; then
	skip error-connection-dropped-mid-table "dump finished before it could be interrupted"
elif [ $rc -eq 1 ] && grep -q 'big' "$work/kill.err" && [ "$(snapshot)" = "$before" ]; then
	pass error-connection-dropped-mid-table
else
	fail error-connection-dropped-mid-table "rc=$rc $(cat "$work/kill.err")"$'\n'"$(diff <(echo "$before") <(snapshot))"
fi

# Disk full, on a small tmpfs when this machine lets us mount one.
small=$work/small && mkdir -p "$small"
if mount -t tmpfs -o size=256k tmpfs "$small" 2>/dev/null; then
	at_exit "umount '$small' 2>/dev/null"
	rc=0
	err=$("$LB_BIN" db -d "dbname=$db" -o "$small/b" 2>&1) || rc=$?
	if [ $rc -eq 1 ] && grep -q 'no space left' <<<"$err" && [ -z "$(ls -A "$small/b" | grep -vxE '\.lotbackup\.lock|\.gitignore')" ]; then
		pass error-disk-full
	else
		fail error-disk-full "rc=$rc $err; left: $(ls -A "$small/b" 2>&1 | grep -vxE '\.lotbackup\.lock|\.gitignore')"
	fi
	umount "$small"
else
	skip error-disk-full "cannot mount a tmpfs here"
fi
[ "$(snapshot)" = "$before" ] && pass errors-earlier-backup-untouched || fail errors-earlier-backup-untouched "changed"
finish
