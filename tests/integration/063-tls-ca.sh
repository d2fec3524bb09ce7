#!/usr/bin/env bash
# The CA certificate setting (LOTBACKUP_SSLROOTCERT, PGSSLROOTCERT; the
# environment or .env) applies to every connection source, not only DB_*:
# a DATABASE_URL with sslmode=verify-full reaches a TLS server whose
# certificate a self-signed CA (made here with openssl) signed. A URL that
# names its own sslrootcert keeps it. A certificate failure is named as one,
# with the CA setting, not as a missing database or user.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

bin=${LB_PG_BIN:-/usr/lib/postgresql/15/bin}
command -v openssl >/dev/null || { skip tls-ca "no openssl"; finish; }
work=$(tmpdir)
dir=$(mktemp -d /tmp/lbtls.XXXXXX) && chmod 0700 "$dir"
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd "$dir" && runuser -u postgres -- "$@"); else (cd "$dir" && "$@"); fi; }
stop_tls() { as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1; rm -rf -- "$dir"; }
at_exit stop_tls

# A CA, the server's certificate for localhost signed by it, and a CA that signed nothing here.
ca=$work/ca.crt other=$work/other-ca.crt
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=lb-test-ca -keyout "$work/ca.key" -out "$ca" 2>/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=lb-other-ca -keyout "$work/other.key" -out "$other" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$dir/server.key" -out "$work/server.csr" 2>/dev/null &&
	printf 'subjectAltName=DNS:localhost\n' >"$work/san.ext" &&
	openssl x509 -req -in "$work/server.csr" -CA "$ca" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
		-extfile "$work/san.ext" -out "$dir/server.crt" 2>/dev/null || { fail tls-setup openssl; finish; }
chmod 0600 "$dir/server.key"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
port=$((20000 + RANDOM % 20001))
as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1 ||
	{ fail tls-setup "initdb: $(tail -n 3 "$work/initdb.log")"; finish; }
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
port = $port
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
fsync = off
CONF
# TLS only over TCP: a connection that does not verify still must use it.
printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n' >"$dir/data/pg_hba.conf"
as_pg "$bin/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/server.log" start >/dev/null 2>&1 ||
	{ fail tls-setup "pg_ctl: $(tail -n 5 "$dir/server.log")"; finish; }
psql -X -q -h "$dir" -p "$port" -U postgres -d postgres -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 10) g" >/dev/null ||
	{ fail tls-setup psql; finish; }

url="postgresql://postgres@localhost:$port/postgres"
proj=$work/proj && mkdir "$proj"
# HOME without ~/.postgresql/root.crt; no PG* from the suite's cluster.
# lb [VAR=VALUE...] ARGS: lotbackup with only the settings given.
lb() {
	local vars=()
	while [[ ${1:-} == *=* ]]; do vars+=("$1"); shift; done
	env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGSSLROOTCERT -u PGSSLMODE -u DATABASE_URL \
		-u LOTBACKUP_SSLROOTCERT HOME="$work" "${vars[@]}" "$LB_BIN" "$@"
}
not_db_hint() { ! grep -q 'check the database and user names' <<<"$LB_LAST_OUTPUT"; }

# DATABASE_URL with verify-full and PGSSLROOTCERT, both in .env.
printf 'DATABASE_URL=%s?sslmode=verify-full\nPGSSLROOTCERT=%s\n' "$url" "$ca" >"$proj/.env"
check tls-url-dotenv-ca lb db -C "$proj" -o "$work/out1"
grep -q "checked against $ca (PGSSLROOTCERT, from $proj/.env)" <<<"$LB_LAST_OUTPUT" && pass tls-url-dotenv-ca-said ||
	fail tls-url-dotenv-ca-said "$LB_LAST_OUTPUT"

# LOTBACKUP_SSLROOTCERT in the environment, the URL too; no sslmode in it: verify-full all the same.
rm "$proj/.env"
check tls-env-ca lb DATABASE_URL="$url" LOTBACKUP_SSLROOTCERT="$ca" db -C "$proj" -o "$work/out2"
check_exit tls-env-ca-checks 1 lb DATABASE_URL="$url" LOTBACKUP_SSLROOTCERT="$other" db -C "$proj" -o "$work/out3"
grep -q 'LOTBACKUP_SSLROOTCERT' <<<"$LB_LAST_OUTPUT" && not_db_hint && pass tls-wrong-ca-hint ||
	fail tls-wrong-ca-hint "$LB_LAST_OUTPUT"

# The URL's own sslrootcert wins over the setting.
check_exit tls-url-own-ca-kept 1 lb DATABASE_URL="$url?sslmode=verify-full&sslrootcert=$other" \
	LOTBACKUP_SSLROOTCERT="$ca" db -C "$proj" -o "$work/out4"
check tls-url-own-ca-used lb DATABASE_URL="$url?sslmode=verify-full&sslrootcert=$ca" \
	LOTBACKUP_SSLROOTCERT="$other" db -C "$proj" -o "$work/out5"

# No CA anywhere with verify-full: libpq's "root certificate file ... does not exist" names the CA setting.
check_exit tls-no-ca-fails 1 lb db -C "$proj" -o "$work/out6" -d "$url?sslmode=verify-full"
grep -q 'set LOTBACKUP_SSLROOTCERT (or PGSSLROOTCERT)' <<<"$LB_LAST_OUTPUT" && not_db_hint &&
	pass tls-no-ca-hint || fail tls-no-ca-hint "$LB_LAST_OUTPUT"
finish
