# shellcheck shell=bash
# Helpers for integration tests. Source it at the top of a test:
#   . "$LB_TOP/tests/lib/testlib.sh"
#
# Contract with the runner: it exports LB_RESULTS (file to append result
# lines to), LB_BIN (absolute path of the lotbackup binary), LB_TOP (repo
# top) and the PG* variables of a running cluster (tests/lib/pgcluster.sh).
# Each result appends exactly one line to $LB_RESULTS: "pass NAME",
# "fail NAME" or "skip NAME"; stdout gets TAP-like "ok - NAME" lines.
# Names should be one word; whitespace in them is turned into '_' so the
# result file stays parseable.
#
# This lib owns the EXIT trap (use at_exit, not trap ... EXIT) and turns
# INT/TERM into an exit so cleanup still runs. Safe under `set -u`.

LB_RESULTS=${LB_RESULTS:-/dev/null} # standalone runs just print
LB_FAILS=0                          # failures so far in this test script
LB_LAST_OUTPUT=''                   # output of the last check/check_exit

# One root for all tmpdirs: tmpdir is usually called in $(...), a subshell
# whose at_exit registrations would be lost, so removing the root covers it.
# 0755 so a test can hand a subdir to the postgres user after chmod.
_LB_TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/lbtest.XXXXXX") || {
    echo "testlib: mktemp failed" >&2
    exit 1
}
chmod 0755 "$_LB_TMPROOT"
_LB_EXIT_HOOKS=()

# A re-run under other settings (run.sh's --jobs passes) names its results apart.
_lb_name() {
    printf '%s%s' "$1" "${LB_NAME_SUFFIX:-}" | tr -s ' \t\n' '___'
}

_lb_result() {
    printf '%s %s\n' "$1" "$2" >>"$LB_RESULTS"
}

# Run hooks newest first (like a stack), then drop the tmp root.
_lb_run_exit_hooks() {
    local i
    for ((i = ${#_LB_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
        eval "${_LB_EXIT_HOOKS[i]}" || true
    done
    rm -rf -- "$_LB_TMPROOT"
}
trap _lb_run_exit_hooks EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# at_exit CMD...: register a cleanup command (eval'd at exit). Must be
# called from the test's main shell, not inside $(...).
at_exit() {
    if [ "${BASH_SUBSHELL:-0}" -gt 0 ]; then
        echo "testlib: at_exit called in a subshell; '$*' will not run" >&2
    fi
    _LB_EXIT_HOOKS+=("$*")
}

pass() {
    local name
    name=$(_lb_name "$1")
    echo "ok - $name"
    _lb_result pass "$name"
}

# fail NAME WHY...: first line of WHY goes on the "not ok" line, any further
# lines (e.g. command output) follow as "#" diagnostics.
fail() {
    local name why first rest
    name=$(_lb_name "$1")
    shift
    why="$*"
    first=${why%%$'\n'*}
    echo "not ok - $name: $first"
    if [ "$first" != "$why" ]; then
        rest=${why#*$'\n'}
        printf '%s\n' "$rest" | sed 's/^/#   /'
    fi
    _lb_result fail "$name"
    LB_FAILS=$((LB_FAILS + 1))
    return 0
}

skip() {
    local name
    name=$(_lb_name "$1")
    shift
    echo "ok - $name # SKIP $*"
    _lb_result skip "$name"
}

# check NAME CMD...: pass when CMD exits 0; otherwise fail with the tail of
# its combined output. Returns CMD's status so callers can bail out early.
check() {
    local name=$1 rc=0
    shift
    LB_LAST_OUTPUT=$("$@" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "$name"
    else
        fail "$name" "exit $rc: $*"$'\n'"$(printf '%s\n' "$LB_LAST_OUTPUT" | tail -n 20)"
    fi
    return "$rc"
}

# check_exit NAME EXPECTED CMD...: pass when CMD exits with EXPECTED.
# Returns 0 on pass, 1 on fail.
check_exit() {
    local name=$1 want=$2 rc=0
    shift 2
    LB_LAST_OUTPUT=$("$@" 2>&1) || rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "$name"
        return 0
    fi
    fail "$name" "exit $rc, expected $want: $*"$'\n'"$(printf '%s\n' "$LB_LAST_OUTPUT" | tail -n 20)"
    return 1
}

# new_db NAME: (re)create an empty database from template0 and echo its name.
# --force drops leftover sessions from an earlier failed run.
new_db() {
    # quiet the "does not exist, skipping" NOTICE; errors still show
    PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
        dropdb --if-exists --force "$1" >&2 || return 1
    createdb -T template0 "$1" >&2 || return 1
    printf '%s\n' "$1"
}

# tmpdir: echo a fresh private directory, removed when the test exits.
# wait_for_lb_query PATTERN: waits up to 10 s for a lotbackup connection
# whose running query is LIKE PATTERN (e.g. 'COPY%big%'); 1 if none came.
wait_for_lb_query() {
	local n
	for _ in $(seq 1 200); do
		n=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lotbackup' AND query LIKE '$1'")
		[ "${n:-0}" -gt 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# flip_byte FILE OFFSET: inverts the byte at OFFSET, so the file always changes
# (writing a fixed byte leaves it as it was when the byte was already that one).
flip_byte() {
    python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xFF]))' "$1" "$2"
}

tmpdir() {
    mktemp -d "$_LB_TMPROOT/d.XXXXXX"
}

# finish: exit 1 if anything failed, so the runner also sees a status.
finish() {
    if [ "$LB_FAILS" -gt 0 ]; then
        exit 1
    fi
    exit 0
}

# git_project DIR: a git repository at DIR (made if missing) with what DIR
# holds and a README committed, for full and restore --to.
git_project() {
    mkdir -p "$1" && git -C "$1" init -q && echo hello >"$1/README" && git -C "$1" add -A &&
        git -C "$1" -c user.email=t@example.com -c user.name=t commit -qm init
}
