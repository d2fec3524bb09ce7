#!/usr/bin/env bash
# The database the way the real LOT Systems app reads it (issue #19): its
# .env has DATABASE_URL=postgresql://DB_USER:<password>@DB_HOST:DB_PORT/DB_NAME,
# a placeholder, and the real settings in DB_HOST, DB_PORT, DB_NAME,
# DB_USER, DB_PASSWORD and DB_SSL=true. db and full use the DB_* set and
# say so in one line; the .env and the templates are committed, as there.
# No secret value of the project is anywhere in the archive or a message,
# except inside the git history, which is warned about. ${VAR} in .env
# values expands (dotenv-expand). A placeholder DATABASE_URL without a
# complete DB_* set is one clear error.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_dbvars) || { fail dbvars-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE note (id int PRIMARY KEY, body text); INSERT INTO note VALUES (1, 'hello');
  GRANT SELECT ON note TO lb_pw; GRANT CONNECT ON DATABASE $db TO lb_pw" >/dev/null
work=$(tmpdir)
proj=$work/proj
out=$work/out
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
"$LB_TOP/tests/fixtures/scan-project.sh" "$proj" || { fail dbvars-setup "copy the fixture"; finish; }
# The project's .env: the template's keys, the database pointed at the test cluster through ${VAR}s.
sed -e "s|^DB_HOST=.*|DB_HOST=$PGHOST|" -e "s|^DB_PORT=.*|DB_PORT=\${LB_TEST_DB_PORT:-5432}|" \
	-e "s|^DB_NAME=.*|DB_NAME=$db|" -e 's|^DB_USER=.*|DB_USER=lb_pw|' -e "s|^DB_PASSWORD=.*|DB_PASSWORD=$LB_TEST_PASSWORD|" \
	"$proj/.env.example" >"$proj/.env"
printf 'DATABASE_URL=postgresql://DB_USER:<password>@DB_HOST:DB_PORT/DB_NAME\n' >>"$proj/.env"
git init -q "$proj" && git -C "$proj" add -A && git -C "$proj" add -f .env &&
	git -C "$proj" -c user.name=t -c user.email=t@example.com commit -q -m one || { fail dbvars-setup git; finish; }
secrets="$LB_TEST_PASSWORD $(sed -n 's/^\(RESEND_API_KEY\|JWT_SECRET\|OPENAI_API_KEY\)=//p; s/^DB_PASSWORD=//p' "$proj/.env.example")"

run() {
	env -u DATABASE_URL -u PGDATABASE -u PGUSER -u PGPASSWORD -u PGSERVICE -u PGHOST LB_TEST_DB_PORT="$PGPORT" "$LB_BIN" "$@"
}
check dbvars-db-succeeds run db -C "$proj" -o "$out"
dberr=$LB_LAST_OUTPUT
check dbvars-full-succeeds run full -C "$proj" -o "$out" --archive-only
fullerr=$LB_LAST_OUTPUT
src='database: DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD (from '"$proj"'/.env) with sslmode=require (DB_SSL); DATABASE_URL (from '"$proj"'/.env) is a placeholder'
[ "$(printf '%s\n%s\n' "$dberr" "$fullerr" | grep -cF -- "$src")" = 2 ] && pass dbvars-source-said ||
	fail dbvars-source-said "$dberr"$'\n'"$fullerr"

archive=$(ls "$out"/lot-systems-full-backup-*.tar.gz 2>/dev/null | head -n 1)
x=$work/x
mkdir -p "$x" && [ -n "$archive" ] && tar -xzf "$archive" -C "$x" || { fail dbvars-archive "no archive"; finish; }
b=$(ls -d "$x"/full-backup-*)
dump=$(ls "$b"/db/lot-systems-db-*.sql.gz 2>/dev/null)
[ -n "$dump" ] && gzip -dc "$dump" | grep -q 'hello' && jq -e '.database.included' "$b/MANIFEST.json" >/dev/null &&
	pass dbvars-dump-in-archive || fail dbvars-dump-in-archive "$(ls -R "$b")"
# The secrets: nowhere outside git/ (plain files and the dump, decompressed), in no message.
leaks=''
for v in $secrets; do
	grep -rqF --exclude-dir=git -- "$v" "$b" && leaks="$leaks file:${v:0:4}"
	gzip -dc "$dump" | grep -qF -- "$v" && leaks="$leaks dump:${v:0:4}"
	printf '%s\n%s\n' "$dberr" "$fullerr" | grep -qF -- "$v" && leaks="$leaks log:${v:0:4}"
done
[ -z "$leaks" ] && pass dbvars-no-secret-outside-history || fail dbvars-no-secret-outside-history "$leaks"
# The committed .env is in the history: warned about, with the rotate line.
printf '%s\n' "$fullerr" | grep -qF 'secret in .env line 8 (secret-assignment): tracked in git' &&
	printf '%s\n' "$fullerr" | grep -qF 'rotate the credentials found in git' &&
	pass dbvars-history-warned || fail dbvars-history-warned "$fullerr"

# With the server's CA certificate: verify-full (the socket of the test cluster ignores TLS).
printf 'LOTBACKUP_SSLROOTCERT=%s\n' "$work/ca-certificate.crt" >>"$proj/.env"
check dbvars-verify-full run db -C "$proj" -o "$out"
printf '%s\n' "$LB_LAST_OUTPUT" | grep -q 'DB_PASSWORD (from .*) with sslmode=verify-full' &&
	pass dbvars-verify-full-said || fail dbvars-verify-full-said "$LB_LAST_OUTPUT"

# A placeholder and no complete DB_* set: one line saying what to set.
sed -i '/^DB_PASSWORD=/d' "$proj/.env"
check_exit dbvars-placeholder-incomplete 1 run db -C "$proj" -o "$out"
printf '%s\n' "$LB_LAST_OUTPUT" | grep -q 'DATABASE_URL (from .*) is a placeholder, not a connection string: set it, or set all of DB_HOST' &&
	pass dbvars-placeholder-message || fail dbvars-placeholder-message "$LB_LAST_OUTPUT"
finish
