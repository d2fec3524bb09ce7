#!/usr/bin/env bash
# Secrets, for db and full alike: a password given in DATABASE_URL (the
# environment, PROJECT/.env, or -d) is in no file written (also inside the
# archive and the dumps), in no log line even with -v, in no error message,
# and never in /proc/PID/cmdline of lotbackup or of any process it starts.
# And with umask 000 every file is 0600 and every directory 0700.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_secret) || { fail secret-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE big AS SELECT g, md5(g::text) AS m FROM generate_series(1, 300000) g;
  GRANT SELECT ON big TO lb_pw; GRANT CONNECT ON DATABASE $db TO lb_pw" >/dev/null
work=$(tmpdir)
pw=$LB_TEST_PASSWORD
url="postgresql://lb_pw:$pw@localhost/$db?host=$PGHOST&port=$PGPORT"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
proj=$work/proj
mkdir -p "$proj" && git init -q "$proj" && printf '{ "name": "app" }\n' >"$proj/package.json" &&
	printf 'node_modules/\n.env\n' >"$proj/.gitignore" && git -C "$proj" add -A &&
	git -C "$proj" -c user.name=t -c user.email=t@example.com commit -q -m one || { fail secret-setup git; finish; }
printf 'DATABASE_URL="%s"\nLOTBACKUP_OUTPUT_DIR=%s\n' "$url" "$work/out" >"$proj/.env"
out=$work/out

# watch PID FILE DIR: until PID ends, record the command lines of PID and
# of every process below it, from the moment PID holds the lock on DIR: its
# options were parsed (and a -d password scrubbed) before that. Before, the
# command line is still the one it was started with, as for any program.
watch() {
	local pid=$1 file=$2 dir=$3 p q kids
	: >"$file"
	while kill -0 "$pid" 2>/dev/null; do
		grep -q "^$pid " "$dir/.lotbackup.lock" 2>/dev/null || { sleep 0.005; continue; }
		kids=$pid
		for p in $kids; do
			{ tr '\0' ' ' <"/proc/$p/cmdline" && echo; } >>"$file" 2>/dev/null
			for q in $(awk -v p="$p" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null); do kids="$kids $q"; done
		done
		sleep 0.02
	done
}
# run NAME DIR CMD...: CMD in the background under umask 000, its command
# lines watched once it holds the lock on its output directory DIR.
run() {
	local name=$1 dir=$2 rc=0
	shift 2
	(umask 000; exec "$@") >"$work/$name.out" 2>"$work/$name.err" &
	local pid=$!
	watch "$pid" "$work/$name.cmdline" "$dir"
	wait "$pid" || rc=$?
	echo "$rc" >"$work/$name.rc"
}
run db-env "$out" env -u PGUSER -u PGDATABASE DATABASE_URL="$url" "$LB_BIN" -v db -o "$out"
run full-dotenv "$out" env -u PGUSER -u PGDATABASE -u DATABASE_URL "$LB_BIN" -v full -C "$proj"
run full-cmdline "$out" env -u PGUSER -u PGDATABASE -u DATABASE_URL "$LB_BIN" -v full -C "$proj" -d "$url" --archive-only
run verify "$out" env -u PGUSER -u PGDATABASE -u DATABASE_URL "$LB_BIN" -v verify --all -o "$out"
bad=''
for r in db-env full-dotenv full-cmdline verify; do
	[ "$(cat "$work/$r.rc")" = 0 ] || bad="$bad $r:exit-$(cat "$work/$r.rc"):$(tail -n 3 "$work/$r.err")"
done
[ -z "$bad" ] && pass secret-runs-succeed || fail secret-runs-succeed "$bad"
[ "$(ls "$out"/lot-systems-db-*.sql.gz "$out"/full-backup-*/db/lot-systems-db-*.sql.gz | wc -l)" -eq 2 ] &&
	[ "$(ls "$out"/lot-systems-full-backup-*.tar.gz | wc -l)" -eq 2 ] &&
	pass secret-backups-written || fail secret-backups-written "$(ls -R "$out")"

# Failures whose message names the target: the password is not in it.
wrong="postgresql://lb_pw:$pw@localhost/lb_no_such_db?host=$PGHOST&port=$PGPORT"
run fail-cmdline "$work/fail1" env -u PGUSER -u PGDATABASE -u DATABASE_URL "$LB_BIN" -v full -C "$proj" -d "$wrong" -o "$work/fail1"
printf 'DATABASE_URL="%s"\n' "$wrong" >"$proj/.env"
run fail-dotenv "$work/fail2" env -u PGUSER -u PGDATABASE -u DATABASE_URL "$LB_BIN" -v full -C "$proj" -o "$work/fail2"
run fail-db-env "$work/fail3" env -u PGUSER -u PGDATABASE DATABASE_URL="$wrong" "$LB_BIN" -v db -o "$work/fail3"
bad=''
for r in fail-cmdline fail-dotenv fail-db-env; do
	[ "$(cat "$work/$r.rc")" = 1 ] && grep -q 'lb_no_such_db' "$work/$r.err" || bad="$bad $r:rc-$(cat "$work/$r.rc")"
done
[ -z "$bad" ] && pass secret-failures-name-the-target || fail secret-failures-name-the-target "$bad"

# Logs and messages (stdout and stderr of every run, at -v).
leaks=$(grep -l -- "$pw" "$work"/*.out "$work"/*.err 2>/dev/null)
[ -z "$leaks" ] && pass secret-not-in-logs-or-messages || fail secret-not-in-logs-or-messages "$leaks"
# Command lines, sampled all along each run (the failing ones may end too
# soon for a sample; the three backups may not).
unsampled=''
for r in db-env full-dotenv full-cmdline; do grep -q lotbackup "$work/$r.cmdline" || unsampled="$unsampled $r"; done
leaks=$(grep -l -- "$pw" "$work"/*.cmdline 2>/dev/null)
if [ -n "$unsampled" ]; then
	fail secret-not-in-cmdline "no command line sampled for$unsampled"
elif [ -n "$leaks" ]; then
	fail secret-not-in-cmdline "in $(cat $leaks | grep -- "$pw" | sort -u | head -n 3)"
else
	pass secret-not-in-cmdline
fi
# Files: raw, every gzip stream decompressed, every archive unpacked.
mkdir "$work/unpacked"
for a in "$out"/*.tar.gz; do tar -xzf "$a" -C "$work/unpacked"; done
leaks=''
while IFS= read -r -d '' f; do
	grep -qa -- "$pw" "$f" && leaks="$leaks $f"
	if [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		gunzip -c "$f" 2>/dev/null | grep -qa -- "$pw" && leaks="$leaks $f(gunzip)"
	fi
done < <(find "$out" "$work/unpacked" -type f -print0)
nfiles=$(find "$out" "$work/unpacked" -type f | wc -l)
[ -z "$leaks" ] && [ "$nfiles" -gt 20 ] && pass secret-not-in-files || fail secret-not-in-files "$nfiles files;$leaks"

# Modes under umask 000: the output directory and everything in it.
loose=$(find "$out" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) | head)
[ -z "$loose" ] && [ "$(stat -c %a "$out")" = 700 ] && pass secret-modes-0600-0700-under-umask-000 ||
	fail secret-modes-0600-0700-under-umask-000 "$(stat -c '%a %n' "$out" $loose)"
# Secrets as written in argv, whatever their encoding: a %-encoded URL
# password, a quoted key=value password with an escape, --notify-url's
# password and query token. Each run is held by a server that accepts the
# connection and never answers; its command line is read once it holds
# the lock (options parsed) and the server has the connection.
cat >"$work/silent.py" <<'PY'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
end = time.time() + 60
s.settimeout(1)
while time.time() < end:
    try:
        c, _ = s.accept()
        conns.append(c)
        open(sys.argv[2], "a").write("x\n")
    except socket.timeout:
        pass
PY
python3 "$work/silent.py" "$work/silent.port" "$work/silent.conns" &
silent=$!
at_exit "kill $silent 2>/dev/null"
for _ in $(seq 50); do [ -s "$work/silent.port" ] && break; sleep 0.1; done
sport=$(cat "$work/silent.port" 2>/dev/null)
# held NAME DBNAME: the command line of a db run blocked on the silent server.
held() {
	local name=$1 d=$2 dir=$work/held-$1 pid n
	: >"$work/silent.conns"
	"$LB_BIN" db -o "$dir" -d "$d" \
		--notify-url "http://hc:N0tifyPw99@127.0.0.1:1/ping/x?token=T0kenXyz77&rid=1" >/dev/null 2>"$work/$name.held-err" &
	pid=$!
	for n in $(seq 100); do
		grep -q "^$pid " "$dir/.lotbackup.lock" 2>/dev/null && [ -s "$work/silent.conns" ] && break
		sleep 0.05
	done
	tr '\0' ' ' <"/proc/$pid/cmdline" >"$work/$name.held" 2>/dev/null
	kill -9 "$pid" 2>/dev/null	# -9: no tidying up, no notice sent
	wait "$pid" 2>/dev/null
}
held url "postgresql://u:S3cr3t%2541@127.0.0.1:$sport/x"
held kv "host=127.0.0.1 port=$sport user=u dbname=x password='Kv\\'S3cr3t w'"
bad=''
for r in url kv; do
	grep -q -- "-d " "$work/$r.held" || bad="$bad $r:not-sampled:$(head -c 300 "$work/$r.held-err")"
	grep -q -- 'S3cr3t\|%2541\|N0tifyPw99\|T0kenXyz77' "$work/$r.held" && bad="$bad $r:$(cat "$work/$r.held")"
done
[ -z "$bad" ] && pass secret-encoded-not-in-cmdline || fail secret-encoded-not-in-cmdline "$bad"
finish
