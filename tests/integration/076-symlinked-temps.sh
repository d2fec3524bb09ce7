#!/usr/bin/env bash
# A symlink planted at a temporary file name the tool writes (issue #15,
# item 4) is never written through: verify's NAME.verified.json.tmp, pin's
# NAME.pin.json.tmp, db's dump and manifest temporaries, full's archive and
# its sidecar. The victim keeps its content and mode, the link stays a link,
# (or is removed), and the command either fails cleanly (exit 1 or 3, a message naming the
# temporary) or succeeds without following it.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
victim=$work/victim
printf 'victim content\n' >"$victim" && chmod 0644 "$victim"
g() { git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "$@"; }

# untouched NAME LINK...: the victim as it was; every link still a link to
# it, or removed (a leftover temporary of ours goes at the lock: unlinking a
# link never touches what it points to).
untouched() {
	local name=$1 l
	shift
	if [ "$(cat "$victim")" != "victim content" ] || [ "$(stat -c %a "$victim")" != 644 ]; then
		fail "$name" "victim changed: $(stat -c '%a %s' "$victim"): $(head -c 80 "$victim")"
		printf 'victim content\n' >"$victim" && chmod 0644 "$victim"
		return
	fi
	for l in "$@"; do
		if [ -e "$l" ] || [ -L "$l" ] && { [ ! -L "$l" ] || [ "$(readlink "$l")" != "$victim" ]; }; then
			fail "$name" "$l is there and not the planted link: $(ls -l "$l")"
			return
		fi
	done
	pass "$name"
}
# clean NAME: the last command exited 0, 1 or 3 (no crash, no signal).
clean() {
	case $LB_LAST_RC in
	0|1|3) pass "$1" ;;
	*) fail "$1" "exit $LB_LAST_RC: $LB_LAST_OUTPUT" ;;
	esac
}
run() {
	LB_LAST_RC=0
	LB_LAST_OUTPUT=$("$@" 2>&1) || LB_LAST_RC=$?
}
# plant LINK: a symlink to the victim, changed (lstat) an hour from now: the
# lock's sweep of leftover temporaries only takes what changed before the
# run began, so this one is still there when the file is created.
plant() {
	ln -s "$victim" "$1" && touch -h -d "@$(($(date +%s) + 3600))" "$1"
}
# stamps FORMAT: the UTC stamps of the next 40 seconds (and the last 2), in date's FORMAT.
stamps() {
	local now s
	now=$(date -u +%s)
	for s in $(seq $((now - 2)) $((now + 40))); do
		date -u -d "@$s" +"$1"
	done
}

db=$(new_db lb_symtmp) || { fail symtmp-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 100);" >/dev/null
out=$work/out
check symtmp-setup-dump "$LB_BIN" db -q -d "dbname=$db" -o "$out" || finish
dump=$(ls "$out"/lot-systems-db-*.sql.gz | head -n 1)

# verify: the record of a pass.
plant "$dump.verified.json.tmp"
run "$LB_BIN" verify "$dump"
clean symtmp-verify-clean
untouched symtmp-verify-victim-untouched "$dump.verified.json.tmp"
[ ! -e "$dump.verified.json" ] || [ ! -L "$dump.verified.json" ] && pass symtmp-verify-record-not-a-link ||
	fail symtmp-verify-record-not-a-link "$(ls -l "$dump.verified.json")"
rm -f "$dump.verified.json.tmp"

# pin: the pin record.
plant "$dump.pin.json.tmp"
run "$LB_BIN" pin "$dump" --reason "release"
clean symtmp-pin-clean
untouched symtmp-pin-victim-untouched "$dump.pin.json.tmp"
[ ! -L "$dump.pin.json" ] && pass symtmp-pin-record-not-a-link || fail symtmp-pin-record-not-a-link "$(ls -l "$dump.pin.json")"
rm -f "$dump.pin.json.tmp"

# db: the names are the time's; links for every second the run may pick.
# First the manifest's temporaries alone (the dump's own would stop the run
# before its manifest), then the dump's.
for kind in manifest dump; do
	d=$work/db-$kind && mkdir -p "$d" && chmod 0700 "$d"
	links=()
	for s in $(stamps '%Y-%m-%dT%H-%M-%S'); do
		l=$d/lot-systems-db-$s.sql.gz.tmp
		[ "$kind" = manifest ] && l=$d/lot-systems-db-$s.sql.gz.manifest.json.tmp
		plant "$l" && links+=("$l")
	done
	run "$LB_BIN" db -q -d "dbname=$db" -o "$d"
	clean "symtmp-db-$kind-clean"
	untouched "symtmp-db-$kind-victim-untouched" "${links[@]}"
	if ls "$d"/lot-systems-db-*.sql.gz.manifest.json >/dev/null 2>&1; then
		! find "$d" -maxdepth 1 -name '*.manifest.json' -type l | grep -q . &&
			pass "symtmp-db-$kind-manifest-not-a-link" ||
			fail "symtmp-db-$kind-manifest-not-a-link" "$(ls -l "$d")"
	fi
done

# full: the archive and its sidecar, in an archive-only run without a database.
proj=$work/proj
mkdir -p "$proj" && g init -q "$proj" && printf 'hello\n' >"$proj/README.md" &&
	g -C "$proj" add -A && g -C "$proj" commit -q -m init || { fail symtmp-full-setup git; finish; }
for kind in sidecar archive; do
	d=$work/full-$kind && mkdir -p "$d" && chmod 0700 "$d"
	links=()
	for s in $(stamps '%Y%m%d_%H%M%S'); do
		l=$d/lot-systems-full-backup-$s.tar.gz.tmp
		[ "$kind" = sidecar ] && l=$d/lot-systems-full-backup-$s.tar.gz.manifest.json.tmp
		plant "$l" && links+=("$l")
	done
	run env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$proj" -o "$d" --archive-only
	clean "symtmp-full-$kind-clean"
	untouched "symtmp-full-$kind-victim-untouched" "${links[@]}"
	! find "$d" -maxdepth 1 -name '*.tar.gz*' ! -name '*.tmp' -type l | grep -q . &&
		pass "symtmp-full-$kind-published-not-a-link" || fail "symtmp-full-$kind-published-not-a-link" "$(ls -l "$d")"
done

finish
