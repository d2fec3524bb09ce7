#!/usr/bin/env bash
# The command line as pg_dump, git and restic users expect it (issue #18):
# global options before the command, "did you mean", --json where a result
# is printed and refused where none is, -? for help (-h is pg_dump's host),
# and help that fits 80 columns, each command's own options only.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
empty=$work/empty
mkdir -p "$empty"

# Global options before the command, as git and restic take them.
check global-json-before-command "$LB_BIN" --json -o "$empty" list
jq -e 'type == "array"' <<<"$LB_LAST_OUTPUT" >/dev/null 2>&1 && pass global-json-is-json ||
	fail global-json-is-json "$LB_LAST_OUTPUT"
# (status exits 1: nothing verified yet; the options before it were taken)
check_exit global-options-before-command 1 "$LB_BIN" -q -C "$work" -o "$empty" --kind db status --max-age 1d
grep -q "no verified db backup in $empty" <<<"$LB_LAST_OUTPUT" && pass global-options-before-command-applied ||
	fail global-options-before-command-applied "$LB_LAST_OUTPUT"
check_exit global-option-not-for-command 2 "$LB_BIN" --reason x -o "$empty" list
grep -q "does not apply to 'list'" <<<"$LB_LAST_OUTPUT" && pass global-option-not-for-command-message ||
	fail global-option-not-for-command-message "$LB_LAST_OUTPUT"

# "did you mean" for commands and options.
check_exit typo-command-exit-2 2 "$LB_BIN" lsit
grep -q "did you mean 'list'" <<<"$LB_LAST_OUTPUT" && pass typo-command-suggests ||
	fail typo-command-suggests "$LB_LAST_OUTPUT"
check_exit typo-option-exit-2 2 "$LB_BIN" db --dryrun
grep -q "did you mean --dry-run" <<<"$LB_LAST_OUTPUT" && pass typo-option-suggests ||
	fail typo-option-suggests "$LB_LAST_OUTPUT"
check_exit typo-option-value-not-echoed 2 "$LB_BIN" db --dbnme=postgresql://u:SECRETPW@h/db
grep -q SECRETPW <<<"$LB_LAST_OUTPUT" && fail typo-option-value-hidden "$LB_LAST_OUTPUT" ||
	pass typo-option-value-hidden
check_exit short-option-of-other-command 2 "$LB_BIN" list -d x
grep -q "'-d' does not apply to 'list'" <<<"$LB_LAST_OUTPUT" && pass short-option-other-command-message ||
	fail short-option-other-command-message "$LB_LAST_OUTPUT"

# --json where it means nothing is a usage error, not silently ignored.
check_exit db-json-refused 2 "$LB_BIN" -o "$empty" db --json --dbname "host=/nonexistent dbname=x"
grep -q -- '--json' <<<"$LB_LAST_OUTPUT" && pass db-json-refused-message || fail db-json-refused-message "$LB_LAST_OUTPUT"
check_exit prune-json-needs-dry-run 2 "$LB_BIN" -o "$empty" prune --json
check prune-dry-run-json "$LB_BIN" -o "$empty" prune --dry-run --json
jq -e 'length == 2 and .[0].kind == "db" and .[1].kind == "full" and .[0].to_delete == 0' <<<"$LB_LAST_OUTPUT" \
	>/dev/null 2>&1 && pass prune-dry-run-json-content || fail prune-dry-run-json-content "$LB_LAST_OUTPUT"
check_exit restore-json-needs-list 2 "$LB_BIN" restore --json "$work/none.sql.gz" --dbname x
check db-list-json "$LB_BIN" -o "$empty" db --list --json
jq -e 'type == "array"' <<<"$LB_LAST_OUTPUT" >/dev/null 2>&1 && pass db-list-json-is-json ||
	fail db-list-json-is-json "$LB_LAST_OUTPUT"

# restore --list --json: what a dump holds, for machines (read without a server).
printf '%s\n' 'CREATE TABLE public.t (a integer);' 'COPY public.t (a) FROM stdin;' 1 2 3 '\.' '' |
	gzip >"$work/plain.sql.gz"
check restore-list-json "$LB_BIN" restore --list --json "$work/plain.sql.gz"
if jq -e '.tables[0].name == "public.t" and .tables[0].rows == 3 and .rows == 3' <<<"$LB_LAST_OUTPUT" >/dev/null 2>&1; then
	pass restore-list-json-content
else
	fail restore-list-json-content "$LB_LAST_OUTPUT"
fi

# Help: -? and --help (pg_dump's); -h is pg_dump's --host and says so.
check help-question-mark "$LB_BIN" -?
check help-question-mark-command "$LB_BIN" db -?
check_exit dash-h-alone 2 "$LB_BIN" -h
grep -q -- '--help' <<<"$LB_LAST_OUTPUT" && pass dash-h-points-to-help || fail dash-h-points-to-help "$LB_LAST_OUTPUT"

commands=$("$LB_BIN" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && /^  [a-z]/ { print $1 }')
wide=''
for c in '' $commands; do
	w=$("$LB_BIN" $c --help | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
	[ "$w" -le 80 ] || wide="$wide ${c:-lotbackup}:$w"
done
[ -z "$wide" ] && pass help-within-80-columns || fail help-within-80-columns "wider:$wide"

# The exit statuses once, in lotbackup --help; a command's help has its own options only.
repeated=''
for c in $commands; do
	h=$("$LB_BIN" "$c" --help)
	grep -q '^Exit status' <<<"$h" && repeated="$repeated $c:exit-status"
	grep -q -- '--project-dir' <<<"$h" && repeated="$repeated $c:--project-dir"
	# an option's text that speaks of another command ("db: ...; restore: ...")
	grep -E -q "(  |[;(] ?)($(tr ' \n' '||' <<<"$commands" | sed 's/|*$//')): " <<<"$h" && repeated="$repeated $c:other-command-text"
done
[ -z "$repeated" ] && pass help-own-options-only || fail help-own-options-only "$repeated"
"$LB_BIN" --help | grep -q '^Exit status' && pass help-top-has-exit-status || fail help-top-has-exit-status ""
finish
