#!/usr/bin/env bash
# Credentials and settings as libpq users expect them: --dbname, DATABASE_URL
# (environment, then PROJECT/.env), PG* variables; never a password in output.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_cfg) || { fail config-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 5) g;
  GRANT SELECT ON t TO lb_pw; GRANT CONNECT ON DATABASE $db TO lb_pw" >/dev/null
work=$(tmpdir)
pw=$LB_TEST_PASSWORD
url="postgresql://lb_pw:$pw@localhost/$db?host=$PGHOST&port=$PGPORT"
count() { ls "$1"/lot-systems-db-*.sql.gz 2>/dev/null | wc -l; }

# DATABASE_URL from the environment, with a password (scram) and Prisma's ?schema=.
rc=0; err=$(env -u PGUSER -u PGDATABASE DATABASE_URL="$url&schema=public" "$LB_BIN" db -o "$work/a" 2>&1) || rc=$?
[ $rc -eq 0 ] && [ "$(count "$work/a")" -eq 1 ] && pass config-database-url-env-prisma || fail config-database-url-env-prisma "rc=$rc $err"

# DATABASE_URL from PROJECT/.env (quoted, export prefix, comment), output dir from .env.
proj=$work/proj && mkdir -p "$proj"
cat >"$proj/.env" <<ENV
# the app's settings
NODE_ENV=production
export DATABASE_URL="$url" # prod
LOTBACKUP_OUTPUT_DIR='dumps'
JWT_SECRET=whatever=with=equals
ENV
rc=0; err=$(env -u PGUSER -u PGDATABASE "$LB_BIN" db -C "$proj" 2>&1) || rc=$?
[ $rc -eq 0 ] && [ "$(count "$proj/dumps")" -eq 1 ] && pass config-dotenv-database-url-and-output-dir || fail config-dotenv-database-url-and-output-dir "rc=$rc $err"
grep -q "$pw" <<<"$err" && fail config-dotenv-password-not-printed "$err" || pass config-dotenv-password-not-printed

# The environment wins over .env (dotenv semantics): a bad URL in the env is used and fails.
rc=0; err=$(env DATABASE_URL="postgresql://lb_pw:Wr0ngPw@localhost/$db?host=$PGHOST&port=$PGPORT" "$LB_BIN" db -C "$proj" 2>&1) || rc=$?
if [ $rc -eq 1 ] && grep -q 'password authentication failed' <<<"$err" && ! grep -q 'Wr0ngPw' <<<"$err" &&
	grep -q 'postgresql://lb_pw:\*\*\*@' <<<"$err"; then
	pass config-env-overrides-dotenv-and-redacts
else
	fail config-env-overrides-dotenv-and-redacts "rc=$rc $err"
fi

# --dbname wins over DATABASE_URL.
rc=0; err=$(env DATABASE_URL="postgresql://nobody@localhost/nothere?host=$PGHOST&port=$PGPORT" "$LB_BIN" db -d "dbname=$db" -o "$work/b" 2>&1) || rc=$?
[ $rc -eq 0 ] && pass config-dbname-overrides-database-url || fail config-dbname-overrides-database-url "rc=$rc $err"

# No DATABASE_URL anywhere: libpq's PG* variables decide.
rc=0; err=$(env -u DATABASE_URL PGDATABASE="$db" "$LB_BIN" db -o "$work/c" 2>&1) || rc=$?
[ $rc -eq 0 ] && [ "$(count "$work/c")" -eq 1 ] && pass config-pg-variables || fail config-pg-variables "rc=$rc $err"

# ~/.pgpass supplies the password for a URL without one.
home=$work/home && mkdir -p "$home"
printf '%s:%s:%s:lb_pw:%s\n' "$PGHOST" "$PGPORT" "$db" "$pw" >"$home/.pgpass" && chmod 600 "$home/.pgpass"
rc=0; err=$(env HOME="$home" DATABASE_URL="postgresql://lb_pw@localhost/$db?host=$PGHOST&port=$PGPORT" "$LB_BIN" db -o "$work/d" 2>&1) || rc=$?
[ $rc -eq 0 ] && pass config-pgpass || fail config-pgpass "rc=$rc $err"

# The password is in no file written and no output line.
if grep -rl --binary-files=text "$pw" "$work/a" "$proj/dumps" "$work/d" 2>/dev/null | grep -q .; then
	fail config-password-in-no-backup "found in $(grep -rl --binary-files=text "$pw" "$work/a" "$proj/dumps" "$work/d")"
elif zcat "$work"/a/*.sql.gz "$proj"/dumps/*.sql.gz | grep -q "$pw"; then
	fail config-password-in-no-backup "found in a dump"
else
	pass config-password-in-no-backup
fi

# A password given with -d is not left readable in /proc/PID/cmdline.
psql -X -q -d "$db" -c "CREATE TABLE big AS SELECT g, md5(g::text) AS m FROM generate_series(1, 300000) g; GRANT SELECT ON big TO lb_pw" >/dev/null
"$LB_BIN" db -q -d "$url" -o "$work/cmdline" &
dpid=$!
seen=''
for _ in $(seq 1 100); do
	[ -r "/proc/$dpid/cmdline" ] || break
	# Once connected, the options have long been parsed.
	n=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lotbackup'")
	if [ "${n:-0}" -gt 0 ]; then
		seen=$(tr '\0' ' ' <"/proc/$dpid/cmdline" 2>/dev/null)
		break
	fi
	sleep 0.02
done
wait "$dpid"
if [ -z "$seen" ]; then
	skip config-password-not-in-cmdline "the dump ended before its command line could be read"
elif grep -q -- "$pw" <<<"$seen"; then
	fail config-password-not-in-cmdline "$seen"
else
	pass config-password-not-in-cmdline
fi

# Bad settings: clear errors, exit 1.
rc=0; err=$(env LOTBACKUP_KEEP_DAYS=soon "$LB_BIN" db -d "dbname=$db" -o "$work/e" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'LOTBACKUP_KEEP_DAYS.*whole number' <<<"$err" && pass config-bad-number || fail config-bad-number "rc=$rc $err"
rc=0; err=$(env LOTBACKUP_OUTPUTDIR=x "$LB_BIN" list 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'unknown environment variable LOTBACKUP_OUTPUTDIR' <<<"$err" && pass config-unknown-env-variable || fail config-unknown-env-variable "rc=$rc $err"
grep -q 'did you mean LOTBACKUP_OUTPUT_DIR?' <<<"$err" && pass config-unknown-env-suggests || fail config-unknown-env-suggests "$err"
# A typo in .env names the nearest known setting, only when it is close.
printf 'LOTBACKUP_KEEP_DAYZ=7\nLOTBACKUP_NOTIFYURL=x\n' >"$proj/.env"
rc=0; err=$("$LB_BIN" list -C "$proj" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'unknown setting LOTBACKUP_KEEP_DAYZ in .*\.env line 1.*did you mean LOTBACKUP_KEEP_DAYS?' <<<"$err" &&
	pass config-typo-suggests || fail config-typo-suggests "rc=$rc $err"
printf 'LOTBACKUP_KEEPDAILY=7\n' >"$proj/.env"
rc=0; err=$("$LB_BIN" list -C "$proj" 2>&1) || rc=$?
grep -q 'did you mean LOTBACKUP_KEEP_DAILY?' <<<"$err" && pass config-typo-suggests-daily || fail config-typo-suggests-daily "rc=$rc $err"
printf 'LOTBACKUP_FROBNICATE=7\n' >"$proj/.env"
rc=0; err=$("$LB_BIN" list -C "$proj" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'unknown setting LOTBACKUP_FROBNICATE' <<<"$err" && ! grep -q 'did you mean' <<<"$err" &&
	pass config-far-name-no-suggestion || fail config-far-name-no-suggestion "rc=$rc $err"
printf 'DATABASE_URL="unterminated\nA=1\n' >"$proj/.env"
rc=0; err=$("$LB_BIN" list -C "$proj" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q '\.env.*line 1' <<<"$err" && pass config-dotenv-syntax-error || fail config-dotenv-syntax-error "rc=$rc $err"
finish
