#!/usr/bin/env bash
# The test runner: unit test binaries, then every integration test against a
# throwaway PostgreSQL 15 cluster started here and stopped on exit, even on
# failure. Ends with the line "N passed, N failed, N skipped".
#   LB_BIN       the lotbackup binary under test (required)
#   LB_UNIT_DIR  directory of unit test binaries (optional)
#   LB_ONLY      run only integration tests whose file name contains this
set -u

LB_TOP=$(cd "$(dirname "$0")/.." && pwd)
export LB_TOP
: "${LB_BIN:?set LB_BIN to the lotbackup binary}"
export LB_BIN
LB_RESULTS=$(mktemp "${TMPDIR:-/tmp}/lbresults.XXXXXX")
export LB_RESULTS

# shellcheck source=lib/pgcluster.sh
. "$LB_TOP/tests/lib/pgcluster.sh"

cleanup() {
	pg_cluster_stop >/dev/null 2>&1
	rm -f "$LB_RESULTS"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Unit tests print "ok - NAME" / "not ok - NAME"; fold them into the results.
if [ -n "${LB_UNIT_DIR:-}" ] && [ -d "$LB_UNIT_DIR" ]; then
	for t in "$LB_UNIT_DIR"/test-*; do
		[ -x "$t" ] || continue
		echo "# unit: $(basename "$t")"
		out=$(timeout 300 "$t" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		printf '%s\n' "$out" | sed -n 's/^ok - \([^ ]*\).*/pass unit-\1/p; s/^not ok - \([^ ]*\).*/fail unit-\1/p' >>"$LB_RESULTS"
		if [ $rc -ne 0 ] && ! grep -q '^fail' <<<"$(printf '%s\n' "$out" | sed -n 's/^not ok.*/fail/p')"; then
			echo "not ok - $(basename "$t") exited $rc"
			echo "fail $(basename "$t")" >>"$LB_RESULTS"
		fi
	done
fi

# run_integration SCRIPT SUFFIX: one integration script, its results named NAME$SUFFIX.
run_integration() {
	local before after rc
	echo "# integration${2:+ ($2)}: $(basename "$1")"
	before=$(wc -l <"$LB_RESULTS")
	LB_NAME_SUFFIX=$2 bash "$1"
	rc=$?
	after=$(wc -l <"$LB_RESULTS")
	# A script that dies (an unbound variable, a syntax error) must not pass
	# silently, whether or not it reported something before: a non-zero
	# exit with no failure of its own recorded is one.
	if [ $rc -ne 0 ] && ! tail -n "+$((before + 1))" "$LB_RESULTS" | grep -q '^fail'; then
		echo "not ok - $(basename "$1")$2 exited $rc after $((after - before)) results, none failed"
		echo "fail $(basename "$1")$2" >>"$LB_RESULTS"
	fi
}

if ! pg_cluster_start; then
	echo "not ok - cluster: cannot start the throwaway PostgreSQL cluster"
	echo "fail cluster" >>"$LB_RESULTS"
else
	for t in "$LB_TOP"/tests/integration/*.sh; do
		case "$(basename "$t")" in *"${LB_ONLY:-}"*) ;; *) continue ;; esac
		run_integration "$t" ""
	done
	# The dump and restore tests again with one connection and with four
	# (LOTBACKUP_JOBS; the first pass used the default, one per CPU):
	# parallel dumps and restores must give the same results.
	for jobs in 1 4; do
		for t in "$LB_TOP"/tests/integration/0[248]0-*.sh; do
			case "$(basename "$t")" in *"${LB_ONLY:-}"*) ;; *) continue ;; esac
			LOTBACKUP_JOBS=$jobs run_integration "$t" "@jobs$jobs"
		done
	done
fi

passed=$(grep -c '^pass ' "$LB_RESULTS")
failed=$(grep -c '^fail ' "$LB_RESULTS")
skipped=$(grep -c '^skip ' "$LB_RESULTS")
echo
grep '^fail ' "$LB_RESULTS" | sed 's/^fail /failed: /'
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
