# Helpers for the tests of secrets found by content in `full` (230-233,
# 250-255):
# one run of full on a project, its archive unpacked, and the checks
# every such test makes. Sourced after testlib.sh.

# scan_workdir: work (a temporary directory), proj and out under it, and
# git without the user's or the system's configuration.
scan_workdir() {
	work=$(tmpdir)
	proj=$work/proj
	out=$work/out
	export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
}

# scan_full NAME PROJ OUT [ARG...]: `full -C PROJ -o OUT --archive-only
# ARG...` with no database; its output in SCAN_LOG, the unpacked backup's
# directory in SCAN_B. Returns 1 (a failure named NAME-archive) when there
# is no archive.
scan_full() {
	local name=$1 proj=$2 out=$3 archive
	shift 3
	check_exit "$name-full-succeeds" 0 env -u DATABASE_URL -u PGDATABASE -u PGHOST \
		"$LB_BIN" full -C "$proj" -o "$out" --archive-only "$@"
	SCAN_LOG=$LB_LAST_OUTPUT
	SCAN_B=''
	archive=$(ls "$out"/lot-systems-full-backup-*.tar.gz 2>/dev/null | head -n 1)
	mkdir -p "$out.x" && [ -n "$archive" ] && tar -xzf "$archive" -C "$out.x" || {
		fail "$name-archive" "no archive in $out"
		return 1
	}
	SCAN_B=$(ls -d "$out.x"/full-backup-*)
}

# scan_warned CHECK GREP_FLAG PATTERN...: pass when SCAN_LOG has a line
# matching each PATTERN (GREP_FLAG -F for fixed strings, -E for regexes).
scan_warned() {
	local check=$1 flag=$2 w bad=''
	shift 2
	for w in "$@"; do
		printf '%s\n' "$SCAN_LOG" | grep -q "$flag" -- "$w" || bad="$bad [$w]"
	done
	[ -z "$bad" ] && pass "$check" || fail "$check" "missing:$bad"$'\n'"$SCAN_LOG"
}

# scan_no_leak CHECK VALUE...: pass when no VALUE is in SCAN_B outside git/
# (the history keeps what was committed) nor in SCAN_LOG.
scan_no_leak() {
	local check=$1 v leaks=''
	shift
	for v in "$@"; do
		grep -rqF --exclude-dir=git -- "$v" "$SCAN_B" && leaks="$leaks file:${v:0:4}"
		printf '%s\n' "$SCAN_LOG" | grep -qF -- "$v" && leaks="$leaks log:${v:0:4}"
	done
	[ -z "$leaks" ] && pass "$check" || fail "$check" "$leaks"
}

# scan_copied CHECK FILE LINE...: pass when config/FILE in SCAN_B holds
# each LINE as a whole line (a redacted one, or one kept beside it).
scan_copied() {
	local check=$1 t=$SCAN_B/config/$2 l bad=''
	shift 2
	[ -f "$t" ] || bad=' (no such file)'
	for l in "$@"; do
		grep -qxF -- "$l" "$t" 2>/dev/null || bad="$bad [$l]"
	done
	[ -z "$bad" ] && pass "$check" || fail "$check" "missing:$bad"$'\n'"$(ls -RA "$SCAN_B/config"; cat "$t" 2>&1)"
}

# scan_copied_as CHECK FILE TEXT: pass when config/FILE in SCAN_B is TEXT, whole.
scan_copied_as() {
	local t=$SCAN_B/config/$2
	[ "$(cat "$t" 2>&1)" = "$3" ] && pass "$1" || fail "$1" "$(ls -RA "$SCAN_B/config"; cat "$t" 2>&1)"
}

# scan_no_finding CHECK GREP_FLAG PATTERN: pass when no line of SCAN_LOG
# matches PATTERN (GREP_FLAG -F or -E, as scan_warned's).
scan_no_finding() {
	local look
	look=$(printf '%s\n' "$SCAN_LOG" | grep "$2" -- "$3")
	[ -z "$look" ] && pass "$1" || fail "$1" "$look"
}
